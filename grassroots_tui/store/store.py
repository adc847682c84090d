"""The store: the one object the CLI, the TUI and the tests use to read and write documents.

    from grassroots_tui.store import Store

    with Store.open("station.json") as store:          # or Store.open() for the default
        store.save(household, actor="张三")              # durable when it returns
        store.get("household", household_id)            # -> Household | None
        for visit in store.iter("visit"): ...           # models, validated
        store.raw("visit")                              # the stored dicts, read-only, fast
        store.delete("household", household_id, actor="张三")
        store.undo_last(actor="张三")                    # the undo is audited too

Every change goes through :meth:`Store._commit`: one checksummed, fsync'd journal line
per transaction, holding the documents and their audit entries together, applied to
memory only after the line is on disk. If the disk refuses, memory and files stay as
they were and :class:`StoreWriteFailed` says why.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from grassroots_tui.models import KINDS
from grassroots_tui.models.base import Document, new_id
from grassroots_tui.models.errors import validate_document
from grassroots_tui.store import backups
from grassroots_tui.store.errors import (
    NothingToUndo,
    StoreConflict,
    StoreDamaged,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    StoreWriteFailed,
)
from grassroots_tui.store.files import (
    Damage,
    JournalWriter,
    encode_line,
    read_journal,
    read_snapshot,
    write_snapshot,
)
from grassroots_tui.store.lock import WriterLock
from grassroots_tui.store.log import log_event
from grassroots_tui.store.migrations import upgrade
from grassroots_tui.store.paths import StorePaths, default_store_path
from grassroots_tui.store.tinydb_layer import JournaledStorage, Op, StoreDB

T = TypeVar("T")

AUDIT = "audit_entry"
META = "_meta"
META_ID = "store"
#: Fields the store maintains itself; they are not "changes" in the audit trail.
BOOKKEEPING = frozenset(
    {"id", "kind", "rev", "created_at", "created_by", "updated_at", "updated_by", "schema_version"}
)
#: Audit actions that change documents and can be undone.
CHANGES = ("create", "update", "delete")
#: Compact when the journal is larger than this share of the snapshot (and 1 MiB).
COMPACT_RATIO = 8
COMPACT_MIN_BYTES = 1 << 20

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now().astimezone()


def _kind_of(kind: str | type[Document]) -> str:
    return kind if isinstance(kind, str) else kind.KIND


def _disk_message(error: OSError) -> str:
    import errno

    reasons = {
        errno.ENOSPC: "磁盘空间已满",
        errno.EROFS: "数据文件夹是只读的",
        errno.EACCES: "没有写入数据文件夹的权限",
        errno.EPERM: "没有写入数据文件夹的权限",
        errno.EIO: "磁盘读写出错（U 盘是否被拔出？）",
        errno.ENOENT: "数据文件夹不见了（U 盘是否被拔出？）",
    }
    reason = reasons.get(error.errno or 0, f"系统错误：{error.strerror or error}")
    return f"保存失败：{reason}。这次修改没有保存，已保存的数据不受影响。"


@dataclass
class _Staged:
    """One change waiting in a transaction: a document to put, or an id to delete."""

    kind: str
    doc_id: str
    data: dict[str, Any] | None  # None: delete
    expected_rev: int | None = None


@dataclass
class Transaction:
    """Changes collected by :meth:`Store.transaction`, committed together or not at all."""

    store: Store
    actor: str
    staged: list[_Staged] = field(default_factory=list)

    def save(self, doc: Document) -> None:
        data = self.store._validated(doc)
        self.staged.append(_Staged(doc.KIND, data["id"], data, data.get("rev", 0)))

    def delete(self, kind: str | type[Document], doc_id: str) -> None:
        self.staged.append(_Staged(_kind_of(kind), doc_id, None))


class Store:
    """A journaled TinyDB store with one writer at a time. Open with :meth:`open`."""

    def __init__(self, paths: StorePaths, *, clock: Clock = _now) -> None:
        self.paths = paths
        self.clock = clock
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.readonly = True
        self.readonly_reason: str | None = None
        self.lock_holder: dict | None = None
        self.generation = 0
        self.snapshot_size = 0
        self._lock: WriterLock | None = None
        self._journal: JournalWriter | None = None
        self._mutex = threading.RLock()
        self._audit_seq = 0
        self._audit_hash = ""
        self._closed = False
        #: Bumped for a kind each time a change to it is applied (see :meth:`derived`).
        self.revisions: dict[str, int] = {}
        self._derived: dict[str, tuple[tuple[int, ...], Any]] = {}
        self.db = StoreDB(storage=JournaledStorage, engine=self)

    # --- opening and closing ------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        readonly: bool = False,
        create: bool = True,
        daily_backup: bool = True,
        clock: Clock = _now,
    ) -> Store:
        """Open (or create) the store whose main file is ``path``.

        If another process holds the store, it is opened read-only and
        :attr:`readonly_reason` says who holds it and since when.
        Raises :class:`StoreDamaged` if the files fail verification.
        """
        paths = StorePaths.for_main(path or default_store_path())
        store = cls(paths, clock=clock)
        if not readonly:
            paths.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = WriterLock(paths.lock)
            try:
                lock.acquire()
                store._lock = lock
                store.readonly = False
            except StoreLocked as locked:
                store.readonly_reason = str(locked)
                store.lock_holder = locked.holder
        try:
            store._load(create=create)
            if not store.readonly:
                store._after_open(daily_backup=daily_backup)
        except Damage as damage:
            store._release()
            raise StoreDamaged(str(damage), backups.newest_good_backup(paths)) from None
        except BaseException:
            store._release()
            raise
        return store

    def _load(self, *, create: bool) -> None:
        paths = self.paths
        if not paths.main.exists():
            journal = read_journal(paths.journal)
            if journal is not None and journal.records:
                raise Damage(f"主文件 {paths.main.name} 不见了，但日志文件还在")
            if self.readonly or not create:
                raise StoreError(f"找不到数据文件：{paths.main}")
            self.snapshot_size = write_snapshot(paths.main, {}, 1)
            self.generation = 1
            self._journal = JournalWriter.create(paths.journal, 1)
            log_event(paths.log, "created a new store")
            return
        # A reader can race a compaction (new snapshot, then new journal): retry.
        for attempt in range(5):
            snapshot = read_snapshot(paths.main)
            journal = read_journal(paths.journal)
            if journal is None or journal.generation <= snapshot.generation:
                break
            if not self.readonly or attempt == 4:
                raise Damage(f"日志文件比主文件 {paths.main.name} 新，主文件可能被换成了旧的副本")
        self.tables = snapshot.tables
        self.generation = snapshot.generation
        self.snapshot_size = snapshot.size
        current = journal is not None and journal.generation == snapshot.generation
        if current:
            for record in journal.records:
                self._apply(record["ops"])
        self._scan_audit()
        if self.readonly:
            return
        if current and journal.torn_bytes:
            log_event(
                paths.log,
                f"trimmed an interrupted, never-acknowledged write of {journal.torn_bytes} "
                f"bytes at the end of {paths.journal.name}",
            )
            self._journal = JournalWriter.open_existing(paths.journal, journal.good_length)
        elif current:
            self._journal = JournalWriter.open_existing(paths.journal)
        else:
            if journal is not None:
                log_event(paths.log, "discarded a journal already contained in the snapshot")
            self._journal = JournalWriter.create(paths.journal, self.generation)

    def _after_open(self, *, daily_backup: bool) -> None:
        self._migrate()
        if daily_backup and backups.daily_backup_due(self.paths, self.clock().date()):
            if self._journal_has_records():
                self.compact()
            kept = backups.keep_snapshot(self.paths, backups.DAILY)
            backups.rotate(self.paths)
            log_event(self.paths.log, f"daily backup {kept.name}")

    def close(self) -> None:
        """Compact the journal into the snapshot and let go of the store."""
        with self._mutex:
            if self._closed:
                return
            try:
                if not self.readonly and self._journal_has_records():
                    self.compact()
            finally:
                self._closed = True
                self._release()

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------

    def model(self, kind: str | type[Document]) -> type[Document]:
        return KINDS[_kind_of(kind)]

    def table(self, kind: str | type[Document]):
        """The TinyDB table of a kind, for TinyDB queries."""
        return self.db.table(_kind_of(kind))

    def get_raw(self, kind: str | type[Document], doc_id: str) -> dict[str, Any] | None:
        """The stored dict (do not mutate it), or None."""
        return self.tables.get(_kind_of(kind), {}).get(doc_id)

    def get(self, kind: str | type[Document], doc_id: str) -> Document | None:
        raw = self.get_raw(kind, doc_id)
        return None if raw is None else self.model(kind).model_validate(raw)

    def raw(self, kind: str | type[Document]) -> list[dict[str, Any]]:
        """Every stored dict of a kind (do not mutate them): the fast path for lists."""
        return list(self.tables.get(_kind_of(kind), {}).values())

    def derived(self, name: str, kinds: Iterable[str], build: Callable[[], T]) -> T:
        """``build()``'s result, kept until a document of one of ``kinds`` changes.

        For read-side indexes (the statistics' sorted visits, the board's open slips):
        built on first use, rebuilt on the first use after a change to a kind it reads.
        The result is shared: callers must not mutate it.
        """
        kinds = tuple(kinds)
        key = tuple(self.revisions.get(kind, 0) for kind in kinds)
        with self._mutex:
            cached = self._derived.get(name)
            if cached is not None and cached[0] == key:
                return cached[1]
        value = build()
        with self._mutex:
            self._derived[name] = (key, value)
        return value

    def iter(self, kind: str | type[Document]) -> Iterator[Document]:
        model = self.model(kind)
        for raw in self.raw(kind):
            yield model.model_validate(raw)

    def all(self, kind: str | type[Document]) -> list[Document]:
        return list(self.iter(kind))

    def search(self, kind: str | type[Document], cond: Any) -> list[Document]:
        """Documents of a kind matching a TinyDB query, as models."""
        model = self.model(kind)
        return [model.model_validate(dict(doc)) for doc in self.table(kind).search(cond)]

    def count(self, kind: str | type[Document]) -> int:
        return len(self.tables.get(_kind_of(kind), {}))

    def kinds(self) -> list[str]:
        return [name for name in self.tables if name != META]

    def history(self, kind: str | type[Document], doc_id: str) -> list[dict[str, Any]]:
        """The audit entries of one document, oldest first."""
        kind = _kind_of(kind)
        return [
            e
            for e in self.tables.get(AUDIT, {}).values()
            if e["target_id"] == doc_id and e["target_kind"] == kind
        ]

    @property
    def meta(self) -> dict[str, Any]:
        return self.tables.get(META, {}).get(META_ID, {})

    # --- writing ------------------------------------------------------------------------

    def save(self, doc: Document, actor: str) -> Document:
        """Create or update one document; durable on disk when this returns."""
        return self.save_many([doc], actor)[0]

    def save_many(self, docs: list[Document], actor: str) -> list[Document]:
        """Save several documents as one transaction: all of them or none."""
        with self.transaction(actor) as tx:
            for doc in docs:
                tx.save(doc)
        return [self.get(d.KIND, d.id) for d in docs]  # type: ignore[misc]

    def delete(self, kind: str | type[Document], doc_id: str, actor: str) -> None:
        with self.transaction(actor) as tx:
            tx.delete(kind, doc_id)

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Transaction]:
        """Collect saves and deletes; commit them as one journal line on leaving the block."""
        tx = Transaction(self, actor)
        yield tx
        if tx.staged:
            self._commit(tx.staged, actor)

    def record_access(
        self,
        kind: str | type[Document],
        doc_id: str,
        actor: str,
        action: str = "access",
        note: str | None = None,
    ) -> None:
        """Record that someone looked at or exported a document (an audit entry only)."""
        kind = _kind_of(kind)
        raw = self.get_raw(kind, doc_id)
        with self._mutex, self._audit_guard():
            self._check_writable()
            txn = new_id()
            entry = self._audit_entry(
                txn,
                actor,
                action,
                kind,
                doc_id,
                raw.get("station_id") if raw else None,
                {},
                None,
                None,
                raw.get("rev") if raw else None,
                note=note,
            )
            self._write([["put", AUDIT, entry["id"], entry]])

    def undo_last(self, actor: str) -> list[tuple[str, str]]:
        """Undo the newest change not yet undone; the undo is itself audited.

        Returns the (kind, id) of the documents it restored. Refuses, with a reason,
        when one of them has changed since.
        """
        with self._mutex:
            self._check_writable()
            entries = self._last_undoable()
            staged: list[_Staged] = []
            for entry in reversed(entries):
                kind, doc_id = entry["target_kind"], entry["target_id"]
                current = self.get_raw(kind, doc_id)
                label = KINDS[kind].LABEL if kind in KINDS else kind
                if entry["action"] == "delete":
                    if current is not None:
                        raise StoreConflict(f"无法撤销：{label} {doc_id} 已被重新创建。")
                    restored = dict(entry["before"])
                    staged.append(_Staged(kind, doc_id, restored))
                    continue
                # Undoable if the document still holds what that change left behind.
                if current is None or any(
                    current.get(name) != after
                    for name, (_before, after) in entry["changes"].items()
                ):
                    raise StoreConflict(f"无法撤销：{label} {doc_id} 之后又被修改过。")
                if entry["action"] == "create":
                    staged.append(_Staged(kind, doc_id, None))
                else:
                    restored = dict(current)
                    for name, (before, _after) in entry["changes"].items():
                        restored[name] = before
                    staged.append(_Staged(kind, doc_id, restored, current["rev"]))
            for item in staged:
                if item.data is not None:
                    item.data = validate_document(item.data).to_json()
            self._commit(staged, actor, action="undo", undoes=entries[0]["txn"])
            return [(s.kind, s.doc_id) for s in staged]

    def _last_undoable(self) -> list[dict[str, Any]]:
        undone: set[str] = set()
        target: str | None = None
        found: list[dict[str, Any]] = []
        for entry in reversed(self.tables.get(AUDIT, {}).values()):
            if target is not None:
                if entry["txn"] != target:
                    break
                found.append(entry)
                continue
            if entry["action"] == "undo":
                undone.add(entry["undoes"])
            elif entry["action"] in CHANGES and entry["txn"] not in undone:
                target = entry["txn"]
                found.append(entry)
        if not found:
            raise NothingToUndo("没有可以撤销的修改。")
        found.reverse()
        return found

    # --- the commit path ----------------------------------------------------------------

    def _validated(self, doc: Document) -> dict[str, Any]:
        """The document as JSON, validated again (models can be mutated after creation)."""
        if not doc.KIND or doc.KIND not in KINDS:
            raise StoreError(f"不能保存未登记的文档类型：{type(doc).__name__}")
        return validate_document(doc.to_json(), doc.KIND).to_json()

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError("数据文件已关闭。")
        if self.readonly:
            raise StoreReadOnly("当前为只读模式，不能保存。" + (self.readonly_reason or ""))

    def _commit(
        self,
        staged: list[_Staged],
        actor: str,
        *,
        action: str | None = None,
        undoes: str | None = None,
    ) -> None:
        with self._mutex, self._audit_guard():
            self._check_writable()
            now = self.clock().isoformat()
            txn = new_id()
            ops: list[Op] = []
            audit: list[Op] = []
            seen: set[tuple[str, str]] = set()
            for item in staged:
                key = (item.kind, item.doc_id)
                if key in seen:
                    raise StoreError(f"同一次保存中重复出现文档 {item.doc_id}。")
                seen.add(key)
                old = self.get_raw(item.kind, item.doc_id)
                label = KINDS[item.kind].LABEL if item.kind in KINDS else item.kind
                if item.data is None:
                    if old is None:
                        raise StoreConflict(f"要删除的{label}（{item.doc_id}）不存在。")
                    ops.append(["del", item.kind, item.doc_id])
                    audit.append(
                        self._change_entry(
                            txn, actor, action or "delete", item.kind, old, None, undoes
                        )
                    )
                    continue
                if old is not None and item.expected_rev not in (None, old.get("rev")):
                    raise StoreConflict(
                        f"{label}（{item.doc_id}）已被他人修改（版本 {item.expected_rev} → "
                        f"{old.get('rev')}），请重新打开后再改。"
                    )
                new = dict(item.data)
                new["rev"] = (old["rev"] if old else item.data.get("rev", 0)) + 1
                new["created_at"] = old.get("created_at") if old else now
                new["created_by"] = old.get("created_by") if old else actor
                new["updated_at"] = now
                new["updated_by"] = actor
                new["schema_version"] = KINDS[item.kind].SCHEMA_VERSION
                ops.append(["put", item.kind, item.doc_id, new])
                audit.append(
                    self._change_entry(
                        txn,
                        actor,
                        action or ("update" if old else "create"),
                        item.kind,
                        old,
                        new,
                        undoes,
                    )
                )
            self._write(ops + audit)

    @contextmanager
    def _audit_guard(self) -> Iterator[None]:
        """Take back the audit numbers handed out when a commit does not happen."""
        seq, last_hash = self._audit_seq, self._audit_hash
        try:
            yield
        except BaseException:
            self._audit_seq, self._audit_hash = seq, last_hash
            raise

    def _change_entry(
        self,
        txn: str,
        actor: str,
        action: str,
        kind: str,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        undoes: str | None,
    ) -> Op:
        source = new if new is not None else old
        assert source is not None
        names = (set(old or ()) | set(new or ())) - BOOKKEEPING
        changes = {
            name: [(old or {}).get(name), (new or {}).get(name)]
            for name in sorted(names)
            if (old or {}).get(name) != (new or {}).get(name)
        }
        entry = self._audit_entry(
            txn,
            actor,
            action,
            kind,
            source["id"],
            source.get("station_id"),
            changes,
            old if new is None else None,
            undoes,
            new.get("rev") if new is not None else None,
        )
        return ["put", AUDIT, entry["id"], entry]

    def _audit_entry(
        self,
        txn: str,
        actor: str,
        action: str,
        kind: str,
        doc_id: str,
        station_id: str | None,
        changes: dict,
        before: dict | None,
        undoes: str | None,
        target_rev: int | None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """A chained audit entry: its hash covers the previous entry's hash."""
        now = self.clock().isoformat()
        self._audit_seq += 1
        entry = {
            "id": new_id(),
            "kind": AUDIT,
            "station_id": station_id,
            "rev": 1,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
            "schema_version": KINDS[AUDIT].SCHEMA_VERSION,
            "seq": self._audit_seq,
            "txn": txn,
            "at": now,
            "actor": actor,
            "action": action,
            "target_kind": kind,
            "target_id": doc_id,
            "target_rev": target_rev,
            "changes": changes,
            "before": before,
            "undoes": undoes,
            "note": note,
            "prev_hash": self._audit_hash,
        }
        entry["hash"] = audit_hash(entry)
        self._audit_hash = entry["hash"]
        return entry

    def _write(self, ops: list[Op]) -> None:
        """Journal the operations durably, then apply them to memory."""
        assert self._journal is not None
        try:
            self._journal.append(encode_line({"ops": ops}))
        except OSError as error:
            raise StoreWriteFailed(_disk_message(error)) from error
        self._apply(ops)
        self._maybe_compact()

    def commit_ops(self, ops: list[Op], actor: str = "tinydb-api") -> None:
        """Writes made through TinyDB's own table API: audited like any other change."""
        with self._mutex, self._audit_guard():
            self._check_writable()
            txn = new_id()
            audit: list[Op] = []
            for op in ops:
                if op[1] in (AUDIT, META):
                    continue
                old = self.get_raw(op[1], op[2])
                new = op[3] if op[0] == "put" else None
                if old is None and new is None:
                    continue
                action = "delete" if new is None else ("update" if old else "create")
                audit.append(self._change_entry(txn, actor, action, op[1], old, new, None))
            self._write(ops + audit)

    def _apply(self, ops: list[Op]) -> None:
        touched = set()
        for op in ops:
            if op[0] == "put":
                self.tables.setdefault(op[1], {})[op[2]] = op[3]
            else:
                self.tables.get(op[1], {}).pop(op[2], None)
            touched.add(op[1])
        for name in touched:
            self.revisions[name] = self.revisions.get(name, 0) + 1
            table = self.db._tables.get(name)  # TinyDB's cached Table objects
            if table is not None:
                table.clear_cache()

    def _scan_audit(self) -> None:
        entries = self.tables.get(AUDIT)
        if entries:
            last = next(reversed(entries.values()))
            self._audit_seq = last["seq"]
            self._audit_hash = last["hash"]

    # --- compaction, backups, migrations -------------------------------------------------

    def _journal_has_records(self) -> bool:
        return self._journal is not None and self._journal.has_records

    def _maybe_compact(self) -> None:
        assert self._journal is not None
        limit = max(COMPACT_MIN_BYTES, self.snapshot_size // COMPACT_RATIO)
        if self._journal.size > limit:
            try:
                self.compact()
            except OSError as error:
                # The journal still holds everything; compaction can wait for a later save.
                log_event(self.paths.log, f"compaction failed, will retry: {error}")

    def compact(self) -> None:
        """Write everything into a new snapshot and start an empty journal."""
        with self._mutex:
            self._check_writable()
            generation = self.generation + 1
            self.snapshot_size = write_snapshot(self.paths.main, self.tables, generation)
            self.generation = generation
            old = self._journal
            self._journal = JournalWriter.create(self.paths.journal, generation)
            if old is not None:
                old.close()

    def backup(self, to: str | Path | None = None, reason: str = "manual") -> Path:
        """Write the whole store as one verified snapshot file; returns its path."""
        with self._mutex:
            target = Path(to) if to else backups.backup_path(self.paths, reason)
            if target.is_dir():
                target = target / backups.backup_path(self.paths, reason).name
            target.parent.mkdir(parents=True, exist_ok=True)
            write_snapshot(target, self.tables, self.generation)
            if not self.readonly:
                log_event(self.paths.log, f"backup written to {target}")
            return target

    def _migrate(self) -> None:
        wanted = {kind: model.SCHEMA_VERSION for kind, model in KINDS.items()}
        if self.meta.get("schema_versions") == wanted:
            return
        stale = [
            (kind, doc)
            for kind, table in self.tables.items()
            if kind in wanted
            for doc in table.values()
            if doc.get("schema_version", 1) != wanted[kind]
        ]
        if stale:
            kept = self.backup(reason="pre-migration")
            log_event(self.paths.log, f"migrating {len(stale)} documents; backup {kept.name}")
            staged = [
                _Staged(kind, doc["id"], validate_document(upgrade(doc, wanted[kind])).to_json())
                for kind, doc in stale
            ]
            self._commit(staged, "system:migration")
        meta = dict(self.meta) or {"id": META_ID, "created_at": self.clock().isoformat()}
        meta["schema_versions"] = wanted
        self._write([["put", META, META_ID, meta]])


def audit_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def open_store(path: str | Path | None = None, **kwargs: Any) -> Store:
    return Store.open(path, **kwargs)


__all__ = ["Store", "Transaction", "open_store", "audit_hash"]
