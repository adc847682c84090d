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

When the disk misbehaves (every message is Chinese and says what happened):

* a save that cannot be written (disk full, I/O error, the folder turned read-only) is
  refused and taken back from the journal; memory keeps only what is on disk and the
  next save, once the fault is gone, goes through;
* a compaction that fails before its rename leaves the old snapshot and journal in use;
  one that may have renamed the new snapshot into place stops appending to the old
  journal (which the new snapshot would make obsolete at the next open): the next save
  compacts again first. Compaction failures after a successful save, or at
  :meth:`Store.close`, are logged, never raised: the journal still holds everything;
* the daily backup failing does not stop the store from opening: it is logged and put
  in :attr:`Store.warnings`; :meth:`Store.backup` raises :class:`StoreWriteFailed`;
* a data folder that refuses the lock file (read-only, no permission) opens the store
  read-only with :attr:`Store.readonly_reason` saying why.

Files changed behind the store's back are checked before every write (a ``stat`` of
the main file and the journal, compared with what the store itself last wrote):

* the main file or the journal **deleted** (or the journal cut short) while open: every
  saved document is still in memory, so the store writes a new snapshot and journal
  from memory before the save, logs it and adds a note to :attr:`Store.warnings`;
* the main file or the journal **replaced by another file**: the store never overwrites
  it. It keeps what it holds as a backup (``…-replaced.json``), turns read-only, and
  refuses the save with :class:`StoreFilesChanged` naming that backup. A byte-identical
  copy put back in place of the main file is accepted.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast, overload

import orjson

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import KINDS
from grassroots_tui.models.base import OFFICE, OFFICE_KINDS, Document, new_id, writer_of
from grassroots_tui.models.errors import listing, validate_document
from grassroots_tui.store import backups, encryption, keyring
from grassroots_tui.store.errors import (
    NothingToUndo,
    NotYourDocument,
    StoreConflict,
    StoreDamaged,
    StoreError,
    StoreFilesChanged,
    StoreKeyRequired,
    StoreLocked,
    StoreReadOnly,
    StoreWriteFailed,
    disk_reason,
)
from grassroots_tui.store.files import (
    FS,
    Damage,
    JournalContents,
    JournalInUse,
    JournalWriter,
    LastSave,
    LastSaveWriter,
    Locked,
    Position,
    Snapshot,
    file_identity,
    make_private_folder,
    new_store_id,
    read_header,
    read_journal,
    read_lastsave,
    read_snapshot,
    write_file_atomically,
    write_snapshot,
)
from grassroots_tui.store.keyslots import KeySlots
from grassroots_tui.store.lock import WriterLock
from grassroots_tui.store.log import log_event
from grassroots_tui.store.migrations import upgrade
from grassroots_tui.store.paths import StorePaths, default_store_path
from grassroots_tui.store.replica import (
    OFFICE_LABEL,
    STANDALONE,
    STANDALONE_LABEL,
    Replica,
    scope_writer,
)
from grassroots_tui.store.tinydb_layer import JournaledStorage, Op, StoreDB

T = TypeVar("T")
#: A document class: ``store.get(Household, id)`` is a ``Household | None``.
D = TypeVar("D", bound=Document)

AUDIT = "audit_entry"
META = "_meta"
META_ID = "store"
#: Where a kind's tombstones are kept: the table ``_deleted:<kind>`` (see :meth:`Store.delete`).
TOMBS = "_deleted:"
#: Fields the store maintains itself; they are not "changes" in the audit trail.
BOOKKEEPING = frozenset(
    {
        "id",
        "kind",
        "rev",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "schema_version",
        "deleted",
        "rev_hash",
        "acked_hash",
        "sent_hashes",
    }
)
#: Left out of a revision's hash: the hash itself, and what a sync records (the hash the
#: hub acknowledged, the hash last sent to it).
UNHASHED = frozenset({"rev_hash", "acked_hash", "sent_hashes"})
#: How many unanswered sent hashes a document remembers.
SENT_KEPT = 16
#: Where the meta keeps the replica's sync state (hub id, epoch, cursor, open conflicts).
HUB_STATE = "hub"
#: How many changes per kind :meth:`Store.changed_since` remembers.
CHANGE_LOG = 1024
#: Audit actions that change documents and can be undone.
CHANGES = ("create", "update", "delete")
#: Compact when the journal is larger than this share of the snapshot (and 1 MiB).
COMPACT_RATIO = 8
COMPACT_MIN_BYTES = 1 << 20

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now().astimezone()


def _shown_time(value: str) -> str:
    """A recorded time as 2026-12-06 10:32."""
    return value[:16].replace("T", " ")


def _kind_of(kind: str | type[Document]) -> str:
    return kind if isinstance(kind, str) else kind.KIND


def tombs_of(kind: str) -> str:
    """The name of the table holding ``kind``'s tombstones."""
    return TOMBS + kind


def revision_hash(doc: dict[str, Any]) -> str:
    """sha256 (hex) of a stored document's canonical JSON: keys sorted at every level,
    without ``rev_hash`` and ``acked_hash``. The same revision gives the same hash on
    every machine, whatever order its keys were written in."""
    body = {name: value for name, value in doc.items() if name not in UNHASHED}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _is_unacked(doc: dict[str, Any] | None) -> bool:
    """A document whose revision the hub has not acknowledged (or of unknown hash)."""
    return doc is not None and (
        doc.get("rev_hash") is None or doc.get("rev_hash") != doc.get("acked_hash")
    )


def _label_of(kind: str) -> str:
    """How messages name a kind of document, in the interface language."""
    return tr(KINDS[kind].LABEL) if kind in KINDS else kind


@dataclass(frozen=True)
class PendingDocument:
    """A document changed here since the hub last acknowledged it (待上传): its newest
    revision (``doc``, a tombstone when ``deleted``), its hash, and the hash the hub
    acknowledged last (the push's base; None for a document the hub has never seen)."""

    kind: str
    id: str
    rev_hash: str
    acked_hash: str | None
    deleted: bool
    doc: dict[str, Any]
    #: Hashes sent to the hub since its last acknowledgement (answers possibly lost).
    sent_hashes: tuple[str, ...] = ()


def _disk_message(error: OSError) -> str:
    return tr(
        "保存失败：{reason}。这次修改没有保存，已保存的数据不受影响。", reason=disk_reason(error)
    )


def _compact_message(error: OSError) -> str:
    return tr(
        "整理数据文件失败：{reason}。已保存的数据都还在日志文件里，没有丢失；下次保存时会再试。",
        reason=disk_reason(error),
    )


def _header_key(header: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if header is None:
        return None
    return (header.get("generation"), header.get("length"), header.get("crc32"))


@dataclass
class _Staged:
    """One change waiting in a transaction: a document to put, or an id to delete."""

    kind: str
    doc_id: str
    data: dict[str, Any] | None  # None: delete
    expected_rev: int | None = None
    #: A conflict's resolution (:meth:`Store.rebase`): the hub's hash the revision is based on.
    base: str | None = None


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
        self._lastsave: LastSaveWriter | None = None
        #: The number and chain hash of the newest save this store holds.
        self.position = Position()
        #: The last-save record as it was read at open (None: there was none).
        self.last_save_read: LastSave | None = None
        self._mutex = threading.RLock()
        self._audit_seq = 0
        self._audit_hash = ""
        self._closed = False
        #: Notes for the user about things that went wrong without stopping the store
        #: (a daily backup that failed, a main file rewritten after it was deleted).
        self.warnings: list[str] = []
        #: What the main file looked like when this store last read or wrote it.
        self._main_identity: tuple[int, int, int, int] | None = None
        self._main_key: tuple[Any, ...] | None = None
        #: Bumped for a kind each time a change to it is applied (see :meth:`derived`).
        self.revisions: dict[str, int] = {}
        self._derived: dict[str, tuple[tuple[int, ...], object, Any]] = {}
        self._changes: dict[str, deque[tuple[int, list[str]]]] = {}
        self.db = StoreDB(storage=JournaledStorage, engine=self)
        #: The scope a new store is created with (see :meth:`open`).
        self._new_scope: str | None = None
        #: Inside :meth:`compaction_deferred` (nested blocks count).
        self._compaction_deferred = 0
        #: Per table, the ids of the documents whose rev_hash is not their acked_hash (in
        #: the order they became so); built by the first :meth:`pending`, then kept by
        #: :meth:`_apply`. None: not built yet.
        self._unacked: dict[str, dict[str, None]] | None = None
        #: The key slots of an encrypted store (None: a plain store); see
        #: :mod:`grassroots_tui.store.encryption`.
        self.key_slots: KeySlots | None = None
        #: Whether the main file is sealed with the store's data key.
        self.sealed = False

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
        scope: str | None = None,
    ) -> Store:
        """Open (or create) the store whose main file is ``path``.

        ``scope`` (see :mod:`grassroots_tui.store.replica`) is recorded when the store is
        created ("standalone" when not given); opening an existing store with another
        scope is refused (:class:`StoreError`): a standalone store changes
        scope only by :meth:`enroll`.

        If another process holds the store, it is opened read-only and
        :attr:`readonly_reason` says who holds it and since when.
        Raises :class:`StoreDamaged` if the files fail verification.
        """
        if scope is not None:
            scope_writer(scope)  # refuses a scope that is not one, before any file is made
        paths = StorePaths.for_main(path or default_store_path())
        store = cls(paths, clock=clock)
        store._new_scope = scope
        if not readonly:
            try:
                make_private_folder(paths.folder)
            except OSError as error:
                raise StoreWriteFailed(
                    tr(
                        "文件操作失败：无法创建数据文件夹 {folder}（{reason}）。",
                        folder=paths.folder,
                        reason=disk_reason(error),
                    )
                ) from error
            lock = WriterLock(paths.lock)
            try:
                lock.acquire()
                store._lock = lock
                store.readonly = False
            except StoreLocked as locked:
                store.readonly_reason = str(locked)
                store.lock_holder = locked.holder
            except OSError as error:
                store.readonly_reason = tr(
                    "无法取得写入权：{reason}，本次只能只读打开，不能保存。",
                    reason=disk_reason(error),
                )
        try:
            store.key_slots = encryption.key_slots_for_open(paths)
            store._load(create=create)
            store._check_scope(scope)
            if not store.readonly:
                store._finish_encryption()
                store._after_open(daily_backup=daily_backup)
        except Locked:
            store._release_quietly()
            raise StoreKeyRequired(
                paths.main,
                tr(
                    "数据文件 {main} 已加密，但它的钥匙文件 {keys} 不见了。"
                    "备份文件夹 {backups} 中有它的副本，复制回数据文件旁边后再打开。",
                    main=paths.main.name,
                    keys=paths.keys.name,
                    backups=paths.backups,
                ),
            ) from None
        except Damage as damage:
            store._release_quietly()
            raise StoreDamaged(str(damage), backups.best_backup_path(paths), paths.main) from None
        except OSError as error:
            store._release_quietly()
            raise StoreError(
                tr("打开数据失败：{reason}。{file}", reason=disk_reason(error), file=paths.main)
            ) from error
        except BaseException:
            store._release_quietly()
            raise
        return store

    def _load(self, *, create: bool) -> None:
        paths = self.paths
        # Read before the snapshot and the journal: a save is recorded here only after
        # its journal line is on disk, so what is read after this reaches at least as far.
        last = read_lastsave(paths.lastsave)
        self.last_save_read = last
        if not paths.main.exists():
            self._create(last, create=create)
            return
        journal_fd: int | None = None
        if not self.readonly:
            try:
                journal_fd = JournalWriter.open_locked(paths.journal)
            except JournalInUse:
                self._yield_to_other_writer()
        try:
            snapshot, journal = self._read_files()
            self._load_from(snapshot, journal, last, journal_fd)
        except BaseException:
            if journal_fd is not None and self._journal is None:
                FS.close(journal_fd)
            raise

    def _read_files(self) -> tuple[Snapshot, JournalContents | None]:
        """The snapshot and the journal that goes with it.

        A reader can race the writer's compaction (a new snapshot, then a new journal):
        when the journal is newer than the snapshot it read, or a file changed while it
        was read, it reads again; this is never reported as damage.
        """
        paths = self.paths
        deadline = time.monotonic() + 10
        while True:
            before = (file_identity(paths.main), file_identity(paths.journal))
            try:
                snapshot = read_snapshot(paths.main)
                journal = read_journal(paths.journal)
            except Damage:
                changed = before != (file_identity(paths.main), file_identity(paths.journal))
                if not self.readonly or not changed or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
                continue
            if journal is None or journal.generation <= snapshot.generation:
                return snapshot, journal
            if not self.readonly:
                raise Damage(
                    tr(
                        "日志文件比主文件 {main} 新，主文件可能被换成了旧的副本",
                        main=paths.main.name,
                    )
                )
            if time.monotonic() > deadline:
                raise StoreError(
                    tr("数据正在被另一个程序频繁整理，读不到一致的内容，请稍后再试。数据没有损坏。")
                )
            time.sleep(0.005)

    def _load_from(
        self,
        snapshot: Snapshot,
        journal: JournalContents | None,
        last: LastSave | None,
        journal_fd: int | None,
    ) -> None:
        paths = self.paths
        slots = self.key_slots
        if slots is not None and slots.store_id != snapshot.position.store_id:
            raise Damage(
                tr(
                    "钥匙文件 {keys} 不属于数据文件 {main}（可能被换成了另一份数据的钥匙文件）",
                    keys=paths.keys.name,
                    main=paths.main.name,
                )
            )
        self.tables = snapshot.tables
        self.sealed = "sealed" in snapshot.header
        self._unacked = None
        self.generation = snapshot.generation
        self.snapshot_size = snapshot.size
        position = snapshot.position
        current = journal is not None and journal.generation == snapshot.generation
        if current:
            assert journal is not None
            if not journal.legacy and journal.base != position:
                raise Damage(
                    tr(
                        "日志文件 {journal} 与主文件 {main} 接不上"
                        "（日志从第 {from_seq} 次保存接续，主文件到第 {to_seq} 次）",
                        journal=paths.journal.name,
                        main=paths.main.name,
                        from_seq=journal.base.seq,
                        to_seq=position.seq,
                    )
                )
            for record in journal.records:
                self._apply(record["ops"])
            position = journal.position
        self.position = position
        self._scan_audit()
        torn = current and journal is not None and journal.torn_bytes > 0
        if last is not None and last.removed:
            last = None  # the record of a store removed on purpose: not about this one
        legacy = not snapshot.header.get("store_id") or (current and journal.legacy)  # type: ignore[union-attr]
        self._verify_position(last, position, journal if current else None, legacy=legacy)
        if self.readonly:
            return
        self._main_identity = file_identity(paths.main)
        self._main_key = _header_key(snapshot.header)
        if current and journal_fd is not None:
            assert journal is not None
            if torn:
                log_event(
                    paths.log,
                    f"trimmed an interrupted write of {journal.torn_bytes} bytes at the end of "
                    f"{paths.journal.name}: save {position.seq + 1}, never confirmed "
                    "(the last-save record ends at save "
                    f"{last.seq if last is not None else '?'})",
                )
            self._journal = JournalWriter.adopt(paths.journal, journal_fd, journal, trim=torn)
        else:
            if journal is not None:
                log_event(paths.log, "discarded a journal already contained in the snapshot")
            old_fd = journal_fd
            self._journal = JournalWriter.create(paths.journal, self.generation, position)
            if old_fd is not None:
                FS.close(old_fd)
        if not position.store_id:
            # A store written before saves were numbered: give it its identity now.
            self.position = Position(position.seq, position.chain, new_store_id())
            self.compact()
            log_event(paths.log, "upgraded the store's files to format 2")
        self._open_lastsave(last)

    def _verify_position(
        self,
        last: LastSave | None,
        position: Position,
        journal: JournalContents | None,
        *,
        legacy: bool,
    ) -> None:
        """Compare what the files hold with the last-save record and the backups: a save
        confirmed and then missing is damage, named with what is missing."""
        paths = self.paths
        torn = journal is not None and journal.torn_bytes > 0
        if last is not None and position.store_id and last.store_id != position.store_id:
            raise Damage(
                tr(
                    "主文件 {main} 与最后保存记录 {lastsave} 不属于同一份数据"
                    "（主文件可能被换成了另一份数据的副本）",
                    main=paths.main.name,
                    lastsave=paths.lastsave.name,
                )
            )
        if last is not None and last.seq > position.seq:
            missing = (
                tr("第 {seq} 次保存", seq=position.seq + 1)
                if last.seq == position.seq + 1
                else tr("第 {first} 到第 {last} 次保存", first=position.seq + 1, last=last.seq)
            )
            who = " ".join(part for part in (_shown_time(last.at), last.by) if part)
            raise Damage(
                tr(
                    "日志文件 {journal} 缺少{missing}（最后一次 {who}）："
                    "这些保存已经确认过，文件被截断、损坏或换成了旧的副本",
                    journal=paths.journal.name,
                    missing=missing,
                    who=who,
                )
            )
        if last is not None and last.seq == position.seq and last.chain != position.chain:
            raise Damage(
                tr(
                    "日志文件 {journal} 的第 {seq} 次保存与最后保存记录不符"
                    "（内容被改动，或换成了另一份历史）",
                    journal=paths.journal.name,
                    seq=position.seq,
                )
            )
        if torn and last is None and not legacy and not self.readonly:
            raise Damage(
                tr(
                    "日志文件 {journal} 的最后一次写入不完整，而最后保存记录 "
                    "{lastsave} 不见了，无法确认那次保存是否已经确认过",
                    journal=paths.journal.name,
                    lastsave=paths.lastsave.name,
                )
            )
        best = backups.best_backup(paths, position.store_id) if position.store_id else None
        if best is not None and best[1] > position.seq:
            raise Damage(
                tr(
                    "备份 {backup} 含有到第 {backup_seq} 次的保存，而数据文件只到第 "
                    "{seq} 次：数据文件被截断或换成了旧的副本",
                    backup=best[0].name,
                    backup_seq=best[1],
                    seq=position.seq,
                )
            )
        if self.readonly:
            return
        if last is None and not legacy and position.seq > 0:
            self._note(
                tr(
                    "最后保存记录 {lastsave} 不见了，已按现有数据重新建立；"
                    "无法确认在它丢失之前日志是否完整，可运行 “{command}” 核对。",
                    lastsave=paths.lastsave.name,
                    command="grassroots check",
                ),
                "the last-save record was missing; written again from the journal",
            )
        elif last is not None and last.seq < position.seq - 1:
            self._note(
                tr(
                    "最后保存记录 {lastsave} 停在第 {seq} 次保存，比日志（第 "
                    "{journal_seq} 次）旧：它可能被换成了旧的副本。已按日志更新。",
                    lastsave=paths.lastsave.name,
                    seq=last.seq,
                    journal_seq=position.seq,
                ),
                f"the last-save record ({last.seq}) was older than the journal ({position.seq})",
            )
        elif last is not None and last.seq == position.seq - 1 and journal is not None:
            log_event(
                paths.log,
                f"kept save {position.seq}: written to the journal, not yet confirmed when "
                "the program stopped",
            )

    def _note(self, warning: str, logged: str) -> None:
        self.warnings.append(warning)
        log_event(self.paths.log, logged)

    def _record_now(self, last: LastSave | None) -> LastSave:
        """The last-save record for what this store holds now (time and person kept)."""
        head = self.meta.get("audit_head") or {}
        return LastSave(
            self.position.seq,
            self.position.chain,
            self.position.store_id,
            last.at if last else "",
            last.by if last else "",
            audit_seq=int(head.get("seq", 0)),
            audit_hash=str(head.get("hash", ""))[:16],
        )

    def _open_lastsave(self, last: LastSave | None) -> None:
        record = self._record_now(last)
        if last is not None and last == record and self.paths.lastsave.exists():
            fd = FS.open(self.paths.lastsave, os.O_RDWR)
            self._lastsave = LastSaveWriter(self.paths.lastsave, fd, record)
        else:
            self._lastsave = LastSaveWriter.create(self.paths.lastsave, record)

    def _create(self, last: LastSave | None, *, create: bool) -> None:
        """A new, empty store, only where nothing of a store is found."""
        paths = self.paths
        removed = last is not None and last.removed  # removed on purpose (demo --force)
        left = [
            path.name
            for path in (paths.journal, paths.lastsave, paths.log, paths.backups)
            if path.exists() and not (removed and path != paths.journal)
        ]
        if left:
            raise Damage(
                tr(
                    "主文件 {main} 不见了，但这份数据的其他文件还在（{files}），"
                    "这不是一份新数据，不会当作新数据重新开始",
                    main=paths.main.name,
                    files=listing(left),
                )
            )
        if self.readonly or not create:
            raise StoreError(tr("找不到数据文件：{file}", file=paths.main))
        self.position = Position(0, "", new_store_id())
        # The replica's scope is part of the store from its first byte on.
        meta = {
            "id": META_ID,
            "created_at": self.clock().isoformat(),
            "scope": self._new_scope or STANDALONE,
        }
        tables: dict[str, dict[str, Any]] = {META: {META_ID: meta}}
        self.snapshot_size = write_snapshot(paths.main, tables, 1, self.position)
        self.tables = tables
        self._unacked = None
        self.generation = 1
        self._remember_main()
        self._journal = JournalWriter.create(paths.journal, 1, self.position)
        self._lastsave = LastSaveWriter.create(
            paths.lastsave, LastSave(0, "", self.position.store_id, _now().isoformat(), "")
        )
        log_event(paths.log, "created a new store")

    def _yield_to_other_writer(self) -> None:
        """The journal is locked by another program (whose lock file was deleted or
        replaced): never write beside it; open read-only."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self.readonly = True
        self.readonly_reason = tr(
            "数据正被另一个程序写入（它的锁文件 {lock} 被删除或替换过），本次只能只读打开，不能保存。",
            lock=self.paths.lock.name,
        )
        log_event(self.paths.log, "journal locked by another program; opened read-only")

    def _finish_encryption(self) -> None:
        """An encryption that was interrupted (plain files beside the key slots) is
        finished before anything else is written."""
        if self.key_slots is None or not encryption.needs_finishing(self):
            return
        sealed = encryption.finish(self)
        self._note(
            tr("上次加密没有做完（主文件或 {n} 份备份还没有加密），现在已经完成。", n=sealed),
            "finished an interrupted encryption",
        )

    @property
    def encrypted(self) -> bool:
        """Whether the store is encrypted (has key slots)."""
        return self.key_slots is not None

    def _after_open(self, *, daily_backup: bool) -> None:
        self._migrate()
        if not daily_backup:
            return
        try:
            if not backups.daily_backup_due(self.paths, self.clock().date()):
                return
            if self._journal_has_records():
                self.compact()
            kept = backups.keep_snapshot(self.paths, backups.DAILY)
            backups.rotate(self.paths, position=self.position)
            log_event(self.paths.log, f"daily backup {kept.name}")
        except (OSError, StoreWriteFailed) as error:
            reason = disk_reason(error) if isinstance(error, OSError) else str(error)
            self.warnings.append(
                tr(
                    "今天的自动备份没有做成：{reason}。数据本身不受影响，下次打开时会再试。",
                    reason=reason,
                )
            )
            log_event(self.paths.log, f"daily backup failed: {error}")

    def close(self) -> None:
        """Compact the journal into the snapshot and let go of the store.

        Never raises: a compaction that fails here is logged and put in
        :attr:`warnings`; the journal still holds every save and is replayed at the next
        open.
        """
        with self._mutex:
            if self._closed:
                return
            try:
                if not self.readonly and (self._journal is None or self._journal.has_records):
                    self.compact()
            except (StoreError, OSError) as error:
                reason = disk_reason(error) if isinstance(error, OSError) else str(error)
                self.warnings.append(reason)
                log_event(self.paths.log, f"compaction at close failed: {error}")
            finally:
                self._closed = True
                try:
                    self._release()
                except OSError as error:
                    log_event(self.paths.log, f"closing the store's files failed: {error}")

    def _release_quietly(self) -> None:
        try:
            self._release()
        except OSError as error:
            log_event(self.paths.log, f"closing the store's files failed: {error}")

    def _release(self) -> None:
        """Close every file this store holds, even when one of them fails to close."""
        failure: OSError | None = None
        for closer in (self._journal, self._lastsave, self._lock):
            if closer is None:
                continue
            try:
                closer.release() if isinstance(closer, WriterLock) else closer.close()
            except OSError as error:
                failure = failure or error
        self._journal = self._lastsave = self._lock = None
        if failure is not None:
            raise failure

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

    @overload
    def get(self, kind: type[D], doc_id: str) -> D | None: ...
    @overload
    def get(self, kind: str, doc_id: str) -> Document | None: ...
    def get(self, kind: str | type[Document], doc_id: str) -> Any:
        raw = self.get_raw(kind, doc_id)
        return None if raw is None else self.model(kind).model_validate(raw)

    def raw(self, kind: str | type[Document]) -> list[dict[str, Any]]:
        """Every stored dict of a kind (do not mutate them): the fast path for lists."""
        return list(self.tables.get(_kind_of(kind), {}).values())

    def changed_since(self, kind: str, revision: int) -> set[str] | None:
        """The ids of the ``kind`` documents changed (saved or deleted) after ``revision``
        of it (see :attr:`revisions`), or None when the log no longer reaches back that
        far: then everything must be read again."""
        current = self.revisions.get(kind, 0)
        if revision == current:
            return set()
        log = self._changes.get(kind)
        if not log or log[0][0] > revision + 1 or revision > current:
            return None
        return {doc_id for rev, ids in log if rev > revision for doc_id in ids}

    def derived(
        self, name: str, kinds: Iterable[str], build: Callable[[], T], token: object = None
    ) -> T:
        """``build()``'s result, kept until a document of one of ``kinds`` changes (or
        it is asked for with another ``token``, compared by identity: e.g. a calendar).

        For read-side indexes (the statistics' sorted visits, the board's open slips):
        built on first use, rebuilt on the first use after a change to a kind it reads.
        The result is shared: callers must not mutate it.
        """
        key = tuple(self.revisions.get(kind, 0) for kind in kinds)
        with self._mutex:
            cached = self._derived.get(name)
            if cached is not None and cached[0] == key and cached[1] is token:
                return cached[2]
        value = build()
        with self._mutex:
            self._derived[name] = (key, token, value)
        return value

    @overload
    def iter(self, kind: type[D]) -> Iterator[D]: ...
    @overload
    def iter(self, kind: str) -> Iterator[Document]: ...
    def iter(self, kind: str | type[Document]) -> Iterator[Any]:
        model = self.model(kind)
        for raw in self.raw(kind):
            yield model.model_validate(raw)

    @overload
    def all(self, kind: type[D]) -> list[D]: ...
    @overload
    def all(self, kind: str) -> list[Document]: ...
    def all(self, kind: str | type[Document]) -> list[Any]:
        return list(self.iter(kind))

    @overload
    def search(self, kind: type[D], cond: Any) -> list[D]: ...
    @overload
    def search(self, kind: str, cond: Any) -> list[Document]: ...
    def search(self, kind: str | type[Document], cond: Any) -> list[Any]:
        """Documents of a kind matching a TinyDB query, as models."""
        model = self.model(kind)
        return [model.model_validate(dict(doc)) for doc in self.table(kind).search(cond)]

    def count(self, kind: str | type[Document]) -> int:
        return len(self.tables.get(_kind_of(kind), {}))

    def kinds(self) -> list[str]:
        """The kinds the store holds documents of (not its meta nor its tombstones)."""
        return [name for name in self.tables if not name.startswith("_")]

    def history(self, kind: str | type[Document], doc_id: str) -> list[dict[str, Any]]:
        """The audit entries of one document, oldest first."""
        kind = _kind_of(kind)
        return [
            e
            for e in self.tables.get(AUDIT, {}).values()
            if e["target_id"] == doc_id and e["target_kind"] == kind
        ]

    @property
    def last_save(self) -> LastSave | None:
        """The last-save record as it stands: this writer's, or as read at open."""
        return self._lastsave.last if self._lastsave is not None else self.last_save_read

    @property
    def meta(self) -> dict[str, Any]:
        return self.tables.get(META, {}).get(META_ID, {})

    # --- the replica: which documents this store may write ---------------------------------

    @property
    def scope(self) -> str:
        """The scope recorded in the meta ("standalone" for a store written before)."""
        return str(self.meta.get("scope") or STANDALONE)

    @property
    def replica(self) -> Replica:
        """Which replica this store is: its scope, the writer it stamps, its name."""
        scope = self.scope
        writer = scope_writer(scope)
        if writer is None:
            return Replica(scope, None, tr(STANDALONE_LABEL))
        return Replica(scope, writer, self.writer_label(writer))

    def writer_label(self, writer: str, *, in_chinese: bool = False) -> str:
        """How messages name a writer: "街道群工办", or the station's name; in the
        interface language, or in Chinese whatever it is (for the audit trail)."""
        if writer == OFFICE:
            return OFFICE_LABEL if in_chinese else tr(OFFICE_LABEL)
        station = self.get_raw("station", writer)
        name = station.get("name") if station else None
        if name:
            return str(name)
        return chinese("群工站 {id}", id=writer) if in_chinese else tr("群工站 {id}", id=writer)

    def _check_scope(self, wanted: str | None) -> None:
        """Opening with a scope: the store must have been created with it."""
        if wanted is None or wanted == self.scope:
            return
        have = self.replica
        asked = Replica(wanted, scope_writer(wanted), "")
        asked_label = (
            tr(STANDALONE_LABEL) if asked.writer is None else self.writer_label(asked.writer)
        )
        hint = (
            tr("单机数据要先登记为群工站或街道群工办的数据，才能这样打开。")
            if have.standalone
            else tr("每台电脑的数据只属于一个群工站或街道群工办，请打开本机自己的数据。")
        )
        raise StoreError(
            tr(
                "这份数据是{have}的数据（{have_scope}），不能作为{asked}的数据"
                "（{wanted}）打开。{hint}（{file}）",
                have=have.label,
                have_scope=have.scope,
                asked=asked_label,
                wanted=wanted,
                hint=hint,
                file=self.paths.main,
            )
        )

    def _stamped_writer(self, doc: dict[str, Any]) -> str:
        """The writer a new document gets here: the replica's; on a standalone store the
        one the service named (a slip step taken by the office on a station's slip), else
        the document's station, or the office when it has none."""
        writer = scope_writer(self.scope)
        if writer is not None:
            return writer
        named = doc.get("writer")
        if named and named in (OFFICE, doc.get("station_id")):  # the office, or its station
            return str(named)
        return writer_of({**doc, "writer": None})

    def _stored(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        """The document as stored: live, or its tombstone."""
        doc = self.tables.get(kind, {}).get(doc_id)
        if doc is None:
            doc = self.tables.get(tombs_of(kind), {}).get(doc_id)
        return doc

    def may_write(self, doc: Document | dict[str, Any]) -> str | None:
        """None when this replica may save ``doc`` (a model or a stored dict), otherwise
        the reason in the interface language ("这份交办单由街道群工办填写，本机（湘龙群众工作站）
        只能查看。").

        The rule (the one permission check every write path of the store makes): a
        standalone store writes everything; otherwise a document already stored (live or
        deleted) may be changed only by its writer, and a station writes documents of its
        own station only (or of no station).
        """
        if isinstance(doc, Document):
            kind, doc_id, station_id = doc.KIND, doc.id, doc.station_id
        else:
            kind, doc_id, station_id = doc.get("kind", ""), doc.get("id", ""), doc.get("station_id")
        return self._refusal(kind, self._stored(kind, doc_id), station_id)

    def _refusal(
        self, kind: str, stored: dict[str, Any] | None, station_id: str | None
    ) -> str | None:
        """Why this replica may not write the ``kind`` document ``stored`` (None: a new
        one) so that it belongs to ``station_id``; None when it may."""
        scope = self.meta.get("scope")
        if scope is None or scope == STANDALONE:
            return None
        replica = self.replica
        label = _label_of(kind)
        if stored is not None:
            owner = writer_of(stored)
            if owner != replica.writer:
                return tr(
                    "这份{kind}由{owner}填写，本机（{here}）只能查看。",
                    kind=label,
                    owner=self.writer_label(owner),
                    here=replica.label,
                )
        mine = replica.station_id
        if mine is not None and kind in OFFICE_KINDS:
            return tr(
                "{kind}由{office}填写，本机（{here}）只能查看。",
                kind=label,
                office=tr(OFFICE_LABEL),
                here=replica.label,
            )
        if mine is not None and station_id is not None and station_id != mine:
            return tr(
                "这份{kind}属于{owner}，本机（{here}）只能填写本站的记录。",
                kind=label,
                owner=self.writer_label(station_id),
                here=replica.label,
            )
        return None

    def enroll(self, scope: str, actor: str) -> Replica:
        """Make this standalone store the replica ``scope`` ("office" or
        "station:<id>"): recorded in the meta, audited (action "enroll"). From then on it
        writes only that scope's documents. Refused for a store already enrolled."""
        writer = scope_writer(scope)
        with self._mutex, self._audit_guard():
            self._check_writable()
            current = self.replica
            if not current.standalone:
                raise StoreError(
                    tr(
                        "本机已登记为{label}（{scope}），不能再登记为别的身份。",
                        label=current.label,
                        scope=current.scope,
                    )
                )
            if writer is None:
                raise StoreError(
                    tr("登记本机时要指定群工站（station:<群工站编号>）或街道群工办（office）。")
                )
            meta = dict(self.meta) or {"id": META_ID, "created_at": self.clock().isoformat()}
            meta["scope"] = scope
            entry = self._audit_entry(
                new_id(),
                actor,
                "enroll",
                META,
                META_ID,
                None if writer == OFFICE else writer,
                {"scope": [self.meta.get("scope"), scope]},
                None,
                None,
                None,
                # the audit trail is the store's record: kept in Chinese whatever the language
                note=chinese("本机登记为{name}", name=self.writer_label(writer, in_chinese=True)),
            )
            self._write([["put", META, META_ID, meta], ["put", AUDIT, entry["id"], entry]])
            log_event(self.paths.log, f"enrolled as {scope} by {actor}")
        return self.replica

    # --- tombstones and what the hub has not acknowledged -----------------------------------

    def tombstones(self, kind: str | type[Document]) -> list[dict[str, Any]]:
        """The tombstones of a kind (do not mutate them): the last revision of each
        deleted document, ``deleted`` true. Left out of every other read."""
        return list(self.tables.get(tombs_of(_kind_of(kind)), {}).values())

    def pending(self, kind: str | type[Document] | None = None) -> list[PendingDocument]:
        """The documents changed here since the hub last acknowledged them (待上传):
        those this replica writes whose hash differs from ``acked_hash``, tombstones
        included. A document of a store written before hashes gets its hash now.

        Only the documents noted as unacknowledged are looked at (:meth:`_unacked_ids`):
        a sync with nothing to do does not read every document of the office's store."""
        if kind is not None:
            kinds = [_kind_of(kind)]
        else:
            kinds = [name for name in KINDS if name != AUDIT]
        writer = scope_writer(self.scope)
        unacked = self._unacked_ids()
        found: list[PendingDocument] = []
        for name in kinds:
            for table_name in (name, tombs_of(name)):
                table = self.tables.get(table_name) or {}
                for doc_id in unacked.get(table_name, {}):
                    doc = table.get(doc_id)
                    if doc is None:
                        continue
                    digest = doc.get("rev_hash") or revision_hash(doc)
                    if digest == doc.get("acked_hash"):
                        continue
                    if writer is not None and writer_of(doc) != writer:
                        continue  # another's document: it comes from the hub, never goes to it
                    found.append(
                        PendingDocument(
                            name,
                            doc["id"],
                            digest,
                            doc.get("acked_hash"),
                            bool(doc.get("deleted")),
                            # A revision stored before hashes travels with its hash.
                            doc if doc.get("rev_hash") else {**doc, "rev_hash": digest},
                            tuple(doc.get("sent_hashes") or ()),
                        )
                    )
        return found

    def _unacked_ids(self) -> dict[str, dict[str, None]]:
        """Per table, the ids of the documents not acknowledged (one pass the first time)."""
        if self._unacked is None:
            self._unacked = {
                name: {doc_id: None for doc_id, doc in table.items() if _is_unacked(doc)}
                for name, table in self.tables.items()
            }
        return self._unacked

    def acknowledge(self, items: Iterable[tuple[str, str, str]]) -> int:
        """Record that the hub holds revisions: ``acked_hash`` set for each
        (kind, id, hash), in one journal save. Not a change of the documents: no audit
        entry, nothing to undo, ``rev``/``rev_hash`` unchanged (a document changed since
        the hash it is acknowledged for stays pending). Unknown documents are refused
        before anything is written. Returns how many documents it changed."""
        with self._mutex:
            self._check_writable()
            ops = self._ack_ops(items)
            if ops:
                self._write(ops)
            return len(ops)

    def _located(self, kind: str, doc_id: str) -> tuple[str, dict[str, Any]]:
        """The table (live or tombstones) and the stored dict of a document the hub is
        told about; refused, naming it, when this store does not have it."""
        table = kind if doc_id in self.tables.get(kind, {}) else tombs_of(kind)
        doc = self.tables.get(table, {}).get(doc_id)
        if doc is None:
            raise StoreError(
                tr("要同步的文档不在本机：{kind} {id}。", kind=_label_of(kind), id=doc_id)
            )
        return table, doc

    def _ack_ops(self, items: Iterable[tuple[str, str, str]]) -> list[Op]:
        """``acked_hash`` set (and the sent hashes it answers cleared) for each item."""
        ops: list[Op] = []
        for kind, doc_id, digest in items:
            table, doc = self._located(kind, doc_id)
            if doc.get("acked_hash") != digest or doc.get("sent_hashes"):
                ops.append(["put", table, doc_id, {**doc, "acked_hash": digest, "sent_hashes": []}])
        return ops

    # --- the hub: what was sent, what was answered, what was pulled ---------------------

    @property
    def hub_state(self) -> dict[str, Any]:
        """The replica's sync state, kept in the meta (a copy): ``cursor`` (the last
        hub_seq pulled), ``epoch`` (the hub's), ``audit_sent`` (the last audit entry the
        hub verified) and ``conflicts`` (open conflicts, by "kind/id")."""
        return dict(self.meta.get(HUB_STATE) or {})

    def _meta_with_hub(self, **changes: Any) -> dict[str, Any]:
        meta = dict(self.meta) or {"id": META_ID, "created_at": self.clock().isoformat()}
        meta[HUB_STATE] = {**(meta.get(HUB_STATE) or {}), **changes}
        return meta

    def mark_sent(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Record, before a push, the hash of each revision about to be sent
        (``sent_hashes``): if the hub's answer is lost, the next push knows the hub may hold
        that revision already and builds on it. One journal save."""
        with self._mutex:
            self._check_writable()
            ops: list[Op] = []
            for kind, doc_id, digest in items:
                table, doc = self._located(kind, doc_id)
                sent = list(doc.get("sent_hashes") or ())
                if digest not in sent:
                    sent = [*sent, digest][-SENT_KEPT:]
                    ops.append(["put", table, doc_id, {**doc, "sent_hashes": sent}])
            if ops:
                self._write(ops)

    def record_push(
        self,
        acked: Iterable[tuple[str, str, str]],
        conflicts: dict[str, dict[str, Any]],
        *,
        audit_sent: int | None = None,
        now: str | None = None,
    ) -> None:
        """Record a push's answer in one journal save: ``acked_hash`` for every revision
        the hub holds (new, same, accepted), the open conflicts ("kind/id" → what the hub
        said; an acknowledged document's conflict is gone) and the last audit entry the hub
        verified."""
        with self._mutex:
            self._check_writable()
            acked = list(acked)
            ops = self._ack_ops(acked)
            state = self.hub_state
            open_conflicts = dict(state.get("conflicts") or {})
            for kind, doc_id, _digest in acked:
                open_conflicts.pop(f"{kind}/{doc_id}", None)
            open_conflicts.update(conflicts)
            changes: dict[str, Any] = {"conflicts": open_conflicts}
            if audit_sent is not None:
                changes["audit_sent"] = audit_sent
            if now is not None:
                changes["last_push"] = now
            ops.append(["put", META, META_ID, self._meta_with_hub(**changes)])
            self._write(ops)

    def holds(self, kind: str, doc_id: str, digest: str) -> bool:
        """Whether this store holds revision ``digest`` of the document, acknowledged by
        the hub: a pull need not bring its body."""
        doc = self._stored(kind, doc_id)
        return doc is not None and doc.get("rev_hash") == digest == doc.get("acked_hash")

    def apply_pull(
        self, docs: Sequence[dict[str, Any]], *, cursor: int, epoch: str, now: str | None = None
    ) -> int:
        """Take a page pulled from the hub, and the new cursor, in one journal save.

        Each document is the hub's current revision (its ``rev_hash`` checked here). It
        replaces the local one unless this replica writes the document and changed it since
        the hub last acknowledged it (待上传): then the local change stays, and the next
        push decides. A deleted revision becomes a tombstone. Returns how many documents
        changed here. Refused whole, before anything is written, when a document is damaged
        or of a kind or schema this program does not know."""
        writer = scope_writer(self.scope)
        if writer is None:
            raise StoreError(tr("单机数据没有登记到街道群工办的汇总库，不能同步。"))
        with self._mutex:
            self._check_writable()
            ops: list[Op] = []
            for doc in docs:
                kind, doc_id = str(doc.get("kind", "")), str(doc.get("id", ""))
                if kind not in KINDS or kind in (AUDIT,):
                    raise StoreError(
                        tr("汇总库发来的记录类型 {kind} 本程序不认识，请升级程序。", kind=kind)
                    )
                if int(doc.get("schema_version", 1)) != KINDS[kind].SCHEMA_VERSION:
                    raise StoreError(
                        tr(
                            "汇总库发来的{kind}（{id}）结构版本为 {theirs}，本程序为 {ours}："
                            "各台电脑要用同一版本的程序。",
                            kind=_label_of(kind),
                            id=doc_id,
                            theirs=doc.get("schema_version"),
                            ours=KINDS[kind].SCHEMA_VERSION,
                        )
                    )
                digest = str(doc.get("rev_hash") or "")
                if revision_hash(doc) != digest:
                    raise StoreError(
                        tr(
                            "汇总库发来的{kind}（{id}）内容与摘要不符，已拒收。",
                            kind=_label_of(kind),
                            id=doc_id,
                        )
                    )
                local = self._stored(kind, doc_id)
                if local is not None:
                    local_hash = local.get("rev_hash") or revision_hash(local)
                    if local_hash == digest:
                        if local.get("acked_hash") != digest:
                            table = tombs_of(kind) if local.get("deleted") else kind
                            ops.append(["put", table, doc_id, {**local, "acked_hash": digest}])
                        continue
                    if writer_of(local) == writer and local_hash != local.get("acked_hash"):
                        continue  # a change made here, not yet pushed: the push decides
                theirs = {**doc, "acked_hash": digest, "sent_hashes": []}
                live, dead = (
                    (tombs_of(kind), kind) if doc.get("deleted") else (kind, tombs_of(kind))
                )
                if doc_id in self.tables.get(dead, {}):
                    ops.append(["del", dead, doc_id])
                ops.append(["put", live, doc_id, theirs])
            changed = sum(1 for op in ops if op[0] == "put")
            state: dict[str, Any] = {"cursor": cursor, "epoch": epoch}
            if now is not None:
                state["last_pull"] = now
            ops.append(["put", META, META_ID, self._meta_with_hub(**state)])
            self._write(ops)
            if changed:
                log_event(
                    self.paths.log, f"pulled {changed} documents from the hub (cursor {cursor})"
                )
            return changed

    def rebase(
        self,
        kind: str,
        doc_id: str,
        doc: dict[str, Any] | None,
        acked_hash: str,
        actor: str,
    ) -> dict[str, Any]:
        """Save the resolution of a conflict with the hub (docs/design.md#the-hub):
        ``doc`` (the content kept, validated as ``kind``; None: the document deleted) as a
        new revision based on the hub's current revision ``acked_hash``, so that the next
        push is *accepted*. ``rev`` goes above both sides'. It is an ordinary save
        otherwise, through :meth:`_commit`: checked (only the writer's own document),
        audited (an update; a deleted document kept alive is a creation), and it may
        bring a deleted document back. A document deleted here that stays deleted gets no
        new revision: its tombstone is only based on the hub's hash (as
        :meth:`acknowledge` would). Returns the revision stored."""
        with self._mutex:
            tomb = self._tomb(kind, doc_id)
            if doc is None and tomb is not None and self.get_raw(kind, doc_id) is None:
                self._check_writable()
                reason = self._refusal(kind, tomb, tomb.get("station_id"))
                if reason is not None:
                    raise NotYourDocument(reason)
                based = {**tomb, "acked_hash": acked_hash, "sent_hashes": []}
                self._write([["put", tombs_of(kind), doc_id, based]])
                return based
            data = None
            if doc is not None:
                data = validate_document({**doc, "kind": kind, "id": doc_id}, kind).to_json()
            self._commit([_Staged(kind, doc_id, data, base=acked_hash)], actor)
            stored = self._stored(kind, doc_id)
            assert stored is not None
            return stored

    # --- writing ------------------------------------------------------------------------

    def save(self, doc: D, actor: str) -> D:
        """Create or update one document; durable on disk when this returns."""
        return self.save_many([doc], actor)[0]

    def save_many(self, docs: Sequence[D], actor: str) -> list[D]:
        """Save several documents as one transaction: all of them or none."""
        with self.transaction(actor) as tx:
            for doc in docs:
                tx.save(doc)
        # Each is there: the transaction saved it (it raises otherwise).
        return [cast(D, self.get(d.KIND, d.id)) for d in docs]

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

    def undo_last(
        self,
        actor: str,
        *,
        after_seq: int | None = None,
        since: datetime | None = None,
        txn: str | None = None,
        redo: bool = False,
    ) -> list[tuple[str, str]]:
        """Undo ``actor``'s own newest change not yet undone; the undo is itself audited.

        Only changes ``actor`` made count, and with ``after_seq`` (the audit position at
        sign-in) or ``since`` (the sign-in's time) only those made since. ``txn``, when
        given, is the change the caller showed the user: anything else is refused.
        Never undone: the creation of a station or a head (站长), and a change of PIN.
        With ``redo`` (see :meth:`redo_last`) the newest undo is taken back instead.

        Returns the (kind, id) of the documents it restored. Refuses, with a reason,
        when one of them has changed since.
        """
        with self._mutex:
            self._check_writable()
            entries = self.last_undoable(actor, after_seq=after_seq, since=since, redo=redo)
            target = entries[0]["txn"]
            if txn is not None and txn != target:
                raise StoreConflict(tr("要撤销的修改已不是最近的一次，请重新操作。"))
            staged: list[_Staged] = []
            for entry in reversed(entries):
                kind, doc_id = entry["target_kind"], entry["target_id"]
                effect = entry["effect"]
                changes = entry["changes"]
                if kind == "station" and effect == "create":
                    raise StoreError(tr("不能撤销群工站的创建。"))
                if kind == "staff":
                    role = (changes.get("role") or [None, None])[1]
                    if effect == "create" and role == "head":
                        raise StoreError(tr("不能撤销站长的创建。"))
                    if effect == "update" and ({"pin_hash", "pin_salt"} & set(changes)):
                        raise StoreError(tr("不能撤销 PIN 的更改；请在设置中重新设置 PIN。"))
                current = self.get_raw(kind, doc_id)
                label = _label_of(kind)
                if effect == "delete":
                    if current is not None:
                        raise StoreConflict(
                            tr("无法撤销：{kind} {id} 已被重新创建。", kind=label, id=doc_id)
                        )
                    restored = dict(entry["before"])
                    staged.append(_Staged(kind, doc_id, restored))
                    continue
                # Undoable if the document still holds what that change left behind.
                if current is None or any(
                    current.get(name) != after for name, (_before, after) in changes.items()
                ):
                    raise StoreConflict(
                        tr("无法撤销：{kind} {id} 之后又被修改过。", kind=label, id=doc_id)
                    )
                if effect == "create":
                    staged.append(_Staged(kind, doc_id, None))
                else:
                    restored = dict(current)
                    for name, (before, _after) in changes.items():
                        restored[name] = before
                    staged.append(_Staged(kind, doc_id, restored, current["rev"]))
            for item in staged:
                if item.data is not None:
                    item.data = validate_document(item.data).to_json()
            self._commit(staged, actor, action="undo", undoes=target)
            return [(s.kind, s.doc_id) for s in staged]

    def redo_last(
        self,
        actor: str,
        *,
        after_seq: int | None = None,
        since: datetime | None = None,
        txn: str | None = None,
    ) -> list[tuple[str, str]]:
        """Redo what ``actor``'s newest undo took back: the undo of that undo, audited as
        an undo of it. Only while ``actor`` has changed nothing since (a new change ends
        what can be redone); ``after_seq``, ``since`` and ``txn`` as in :meth:`undo_last`.
        """
        return self.undo_last(actor, after_seq=after_seq, since=since, txn=txn, redo=True)

    def last_undoable(
        self,
        actor: str | None = None,
        *,
        after_seq: int | None = None,
        since: datetime | None = None,
        redo: bool = False,
    ) -> list[dict[str, Any]]:
        """The audit entries of the change :meth:`undo_last` would take back (of the undo
        :meth:`redo_last` would take back, with ``redo``), oldest first, each a copy with
        ``effect``: what that entry did to its document ("create", "update", "delete";
        an undo does the opposite of what it took back).

        An undo is in force unless a later undo in force took it back. With ``actor``,
        only that actor's entries, and with ``after_seq`` or ``since`` only later ones.
        """
        entries = list(self.tables.get(AUDIT, {}).values())
        by_target = {(e["txn"], e["target_kind"], e["target_id"]): e for e in entries}
        opposite = {"create": "delete", "delete": "create", "update": "update"}

        def effect(entry: dict[str, Any]) -> str:
            flips = 0
            while entry["action"] == "undo":
                flips += 1
                undone = by_target.get((entry["undoes"], entry["target_kind"], entry["target_id"]))
                if undone is None:  # an undo of another document's change: cannot be
                    return "create" if entry.get("before") is None else "delete"
                entry = undone
            action = entry["action"]
            return opposite[action] if flips % 2 else action

        def counts(entry: dict[str, Any]) -> bool:
            if actor is not None and entry["actor"] != actor:
                return False
            if after_seq is not None and entry["seq"] <= after_seq:
                return False
            return since is None or datetime.fromisoformat(entry["at"]) >= since

        cancelled: set[str] = set()
        kinds = {e["txn"]: e["action"] for e in entries}
        target: str | None = None
        found: list[dict[str, Any]] = []
        for entry in reversed(entries):
            if target is not None:
                if entry["txn"] != target:
                    break
                found.append(dict(entry, effect=effect(entry)))
                continue
            live = entry["txn"] not in cancelled
            if entry["action"] == "undo" and live:
                cancelled.add(entry["undoes"])
            if not live or not counts(entry):
                continue
            if entry["action"] in CHANGES:
                if redo:
                    break  # a change made after the undo: nothing to redo
                target = entry["txn"]
            elif redo and entry["action"] == "undo" and kinds.get(entry["undoes"]) in CHANGES:
                target = entry["txn"]
            if target is not None:
                found.append(dict(entry, effect=effect(entry)))
        if not found:
            raise NothingToUndo(tr("没有可以恢复的修改。") if redo else tr("没有可以撤销的修改。"))
        found.reverse()
        return found

    # --- the commit path ----------------------------------------------------------------

    def _validated(self, doc: Document) -> dict[str, Any]:
        """The document as JSON, validated again (models can be mutated after creation)."""
        if not doc.KIND or doc.KIND not in KINDS:
            raise StoreError(tr("不能保存未登记的文档类型：{kind}", kind=type(doc).__name__))
        return validate_document(doc.to_json(), doc.KIND).to_json()

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError(tr("数据文件已关闭。"))
        if self.readonly:
            raise StoreReadOnly(
                tr("当前为只读模式，不能保存。{reason}", reason=self.readonly_reason or "").rstrip()
            )

    def _commit(
        self,
        staged: list[_Staged],
        actor: str,
        *,
        action: str | None = None,
        undoes: str | None = None,
        checked: bool = True,
    ) -> None:
        """Write ``staged`` as one journal line with its audit entries.

        Every item passes :meth:`_refusal` first (``checked=False`` only for the
        program's own migrations, which change no fact, and so keep each document's
        ``updated_at`` and ``updated_by``): one refused, nothing is written.
        A delete writes a tombstone (:meth:`_tombstone`); saving over a tombstone is
        refused unless it is an undo (``action="undo"``) bringing the document back.
        """
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
                    raise StoreError(tr("同一次保存中重复出现文档 {id}。", id=item.doc_id))
                seen.add(key)
                old = self.get_raw(item.kind, item.doc_id)
                tomb = None if old is not None else self._tomb(item.kind, item.doc_id)
                prior = old if old is not None else tomb
                label = _label_of(item.kind)
                if checked:
                    station_id = (item.data if item.data is not None else old or {}).get(
                        "station_id"
                    )
                    reason = self._refusal(item.kind, prior, station_id)
                    if reason is not None:
                        raise NotYourDocument(reason)
                if item.data is None:
                    if old is None:
                        raise StoreConflict(
                            tr("要删除的{kind}（{id}）不存在。", kind=label, id=item.doc_id)
                        )
                    gone = self._tombstone(old, now, actor)
                    if item.base is not None:
                        gone.update(acked_hash=item.base, sent_hashes=[])
                    ops.append(["del", item.kind, item.doc_id])
                    ops.append(["put", tombs_of(item.kind), item.doc_id, gone])
                    audit.append(
                        self._change_entry(
                            txn, actor, action or "delete", item.kind, old, None, undoes, gone
                        )
                    )
                    continue
                if tomb is not None and action != "undo" and item.base is None:
                    raise StoreConflict(
                        tr(
                            "{kind}（{id}）已被删除，不能再保存；要找回它请撤销那次删除。",
                            kind=label,
                            id=item.doc_id,
                        )
                    )
                if old is not None and item.expected_rev not in (None, old.get("rev")):
                    raise StoreConflict(
                        tr(
                            "{kind}（{id}）已被他人修改（版本 {expected} → {actual}），"
                            "请重新打开后再改。",
                            kind=label,
                            id=item.doc_id,
                            expected=item.expected_rev,
                            actual=old.get("rev"),
                        )
                    )
                new = dict(item.data)
                new["rev"] = (prior["rev"] if prior else item.data.get("rev", 0)) + 1
                if item.base is not None:  # never below the hub's revision it is based on
                    new["rev"] = max(new["rev"], int(item.data.get("rev") or 0) + 1)
                new["created_at"] = prior.get("created_at") if prior else now
                new["created_by"] = prior.get("created_by") if prior else actor
                if checked or prior is None:
                    new["updated_at"] = now
                    new["updated_by"] = actor
                else:  # the program's upgrade changes no fact: the last change stays the person's
                    new["updated_at"] = prior.get("updated_at") or now
                    new["updated_by"] = prior.get("updated_by") or actor
                new["schema_version"] = KINDS[item.kind].SCHEMA_VERSION
                self._stamp(new, prior)
                if item.base is not None:
                    new.update(acked_hash=item.base, sent_hashes=[])
                if tomb is not None:
                    ops.append(["del", tombs_of(item.kind), item.doc_id])
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

    def _tomb(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        return self.tables.get(tombs_of(kind), {}).get(doc_id)

    def _stamp(self, new: dict[str, Any], prior: dict[str, Any] | None) -> None:
        """What the store keeps itself on a saved revision: the writer (stamped when the
        document is created, then kept; a document stored before writers gets the one it
        always had, :func:`writer_of`), not deleted, the hub's acknowledgement kept, the
        new hash."""
        if prior is None:
            new["writer"] = self._stamped_writer(new)
        else:
            new["writer"] = writer_of(prior)
        new["deleted"] = False
        new["acked_hash"] = prior.get("acked_hash") if prior is not None else None
        new["sent_hashes"] = list(prior.get("sent_hashes") or ()) if prior is not None else []
        new["rev_hash"] = revision_hash(new)

    def _tombstone(self, old: dict[str, Any], now: str, actor: str) -> dict[str, Any]:
        """The revision a delete writes: the whole document, ``deleted`` true, stamped
        like any save (rev, updated_*, hash); writer and acknowledgement kept."""
        gone = dict(old)
        gone["rev"] = old.get("rev", 0) + 1
        gone["updated_at"] = now
        gone["updated_by"] = actor
        gone["deleted"] = True
        gone["writer"] = writer_of(old)
        gone["rev_hash"] = revision_hash(gone)
        return gone

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
        gone: dict[str, Any] | None = None,
    ) -> Op:
        """The audit entry of one document's change. A delete (``new`` None) keeps the
        whole document in ``before`` and, when it left a tombstone ``gone``, its rev."""
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
            new.get("rev") if new is not None else (gone.get("rev") if gone else None),
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
        entry: dict[str, Any] = {
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
        """Journal the operations durably, record the save as the last one, then apply
        them to memory. The save is confirmed (this returns) only when both are on disk."""
        self._check_files()
        assert self._journal is not None and self._lastsave is not None
        ops = self._with_audit_head(ops)
        size, position = self._journal.size, self._journal.position
        try:
            after = self._journal.append({"ops": ops})
        except OSError as error:
            raise StoreWriteFailed(_disk_message(error)) from error
        entries = [op[3] for op in ops if op[0] == "put" and op[1] == AUDIT]
        previous = self._lastsave.last
        record = LastSave(
            after.seq,
            after.chain,
            after.store_id,
            self.clock().isoformat(timespec="seconds"),
            entries[-1]["actor"] if entries else "",
            audit_seq=entries[-1]["seq"] if entries else previous.audit_seq,
            audit_hash=entries[-1]["hash"][:16] if entries else previous.audit_hash,
        )
        try:
            self._lastsave.write(record)
        except OSError as error:
            self._journal.take_back(size, position)
            raise StoreWriteFailed(_disk_message(error)) from error
        self.position = after
        self._apply(ops)
        self._maybe_compact()

    def _with_audit_head(self, ops: list[Op]) -> list[Op]:
        """Record the newest audit entry in the store's meta document, in the same line.

        The hash chain shows an entry edited or removed in the middle; this anchor shows
        the last entries removed (or added) outside the program (``grassroots check``).
        """
        entries = [op[3] for op in ops if op[0] == "put" and op[1] == AUDIT]
        if not entries:
            return ops
        last = entries[-1]
        written = [op[3] for op in ops if op[0] == "put" and op[1] == META and op[2] == META_ID]
        meta = dict(written[-1] if written else self.meta) or {
            "id": META_ID,
            "created_at": self.clock().isoformat(),
        }
        meta["audit_head"] = {"seq": last["seq"], "id": last["id"], "hash": last["hash"]}
        return [*ops, ["put", META, META_ID, meta]]

    # --- the files on disk are still ours --------------------------------------------------

    def _remember_main(self) -> None:
        """Note what the main file looks like now that this store has written it."""
        try:
            self._main_identity = file_identity(self.paths.main)
            self._main_key = _header_key(read_header(self.paths.main))
        except OSError:
            self._main_identity = self._main_key = None

    def _check_files(self, *, compacting: bool = False) -> None:
        """Before writing: is the store still ours, and are its files the ones we wrote?

        The lock file deleted or replaced: taken back, or, when another program took it,
        this store stops writing. The main file or journal deleted (or the journal cut
        short): rewritten from memory, which holds every saved document. Replaced by
        another file: refused, see :meth:`_refuse_changed`. The last-save record deleted
        or replaced: written again from memory.
        """
        self._check_lock()
        main = self.paths.main
        try:
            identity = file_identity(main)
            journal = "missing" if self._journal is None else self._journal.where()
        except OSError as error:
            raise StoreWriteFailed(_disk_message(error)) from error
        if identity is not None and identity != self._main_identity:
            key = _header_key(read_header(main))
            if self._main_key is not None and key != self._main_key:
                self._refuse_changed(
                    tr("数据文件 {file} 在程序运行期间被换成了另一个文件", file=main.name)
                )
            self._main_identity = identity  # the same snapshot, copied back into place
        if journal == "other":
            self._refuse_changed(
                tr(
                    "日志文件 {file} 在程序运行期间被换成了另一个文件",
                    file=self.paths.journal.name,
                )
            )
        if compacting:
            return
        if identity is None:
            self._rewrite(
                tr(
                    "数据文件 {file} 在程序运行期间被删除了，已按程序中的数据重新写出。",
                    file=main.name,
                )
            )
        elif journal == "missing":
            note = None
            if self._journal is not None:
                note = tr(
                    "日志文件 {file} 在程序运行期间被删除或截短了，已按程序中的数据重新写出。",
                    file=self.paths.journal.name,
                )
            self._rewrite(note)
        if self._lastsave is None or not self._lastsave.intact():
            self._rewrite_lastsave()

    def _check_lock(self) -> None:
        """One writer, even if the lock file goes: take the name back, or stop writing."""
        lock = self._lock
        if lock is None or lock.still_held():
            return
        try:
            lock.retake()
        except StoreLocked as locked:
            message = tr(
                "锁文件 {lock} 在程序运行期间被删除或替换，另一个程序"
                "（进程 {pid}）取得了它。为免两个程序同时写入，"
                "这次修改没有保存，本程序转为只读；此前确认过的保存都在，不受影响。",
                lock=self.paths.lock.name,
                pid=locked.holder.get("pid", "?"),
            )
            log_event(self.paths.log, f"lock file taken by another program: {locked.holder}")
            self.readonly = True
            self.readonly_reason = message
            raise StoreReadOnly(message) from None
        except OSError as error:
            raise StoreWriteFailed(_disk_message(error)) from error
        self._note(
            tr(
                "锁文件 {lock} 在程序运行期间被删除或替换，已重新取得写入权。",
                lock=self.paths.lock.name,
            ),
            "the lock file was deleted or replaced; took it back",
        )

    def _rewrite_lastsave(self) -> None:
        previous = self._lastsave
        record = self._record_now(previous.last if previous else None)
        try:
            self._lastsave = LastSaveWriter.create(self.paths.lastsave, record)
        except OSError as error:
            raise StoreWriteFailed(_disk_message(error)) from error
        if previous is not None:
            previous.close()
            self._note(
                tr(
                    "最后保存记录 {file} 在程序运行期间被删除或替换，已按程序中的数据重新写出。",
                    file=self.paths.lastsave.name,
                ),
                "the last-save record was deleted or replaced; written again from memory",
            )

    def _rewrite(self, note: str | None) -> None:
        """A new snapshot and journal from memory, before a save that needs them."""
        try:
            self._compact()
        except OSError as error:
            raise StoreWriteFailed(_disk_message(error)) from error
        if note:
            self.warnings.append(note)
            log_event(self.paths.log, f"rewrote the store from memory: {note}")

    def _refuse_changed(self, what: str) -> None:
        """Another file took the place of ours: keep what we hold, never overwrite it."""
        kept: Path | None = None
        failure = ""
        try:
            kept = self.backup(reason="replaced")
        except StoreError as error:
            failure = str(error)
        if kept is not None:
            advice = tr(
                "本程序中已保存的全部数据另存在：{kept}，核对后可用 “{command}” 恢复。",
                kept=kept,
                command=f"grassroots restore {kept}",
            )
        else:
            advice = tr(
                "本程序中的数据也没能另存（{reason}）：请先不要关闭程序，把数据文件夹整个复制"
                "一份，再联系技术支持。",
                reason=failure,
            )
        message = tr(
            "{what}。为免覆盖它，这次修改没有保存，程序转为只读。{advice}",
            what=what,
            advice=advice,
        )
        log_event(self.paths.log, f"files changed behind the store's back: {what}; kept {kept}")
        self.readonly = True
        self.readonly_reason = message
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        raise StoreFilesChanged(message)

    def commit_ops(self, ops: list[Op], actor: str = "tinydb-api") -> None:
        """Writes made through TinyDB's own table API: checked (:meth:`_refusal`),
        stamped and audited like any other change; a remove leaves a tombstone. (They
        keep TinyDB's meaning otherwise: the document as given, its ``rev`` unchanged.)
        The audit trail, the meta and the tombstones are never written this way."""
        with self._mutex, self._audit_guard():
            self._check_writable()
            now = self.clock().isoformat()
            txn = new_id()
            out: list[Op] = []
            audit: list[Op] = []
            for op in ops:
                kind, doc_id = op[1], op[2]
                if kind in (AUDIT, META) or kind.startswith(TOMBS):
                    continue
                old = self.get_raw(kind, doc_id)
                new = dict(op[3]) if op[0] == "put" else None
                if old is None and new is None:
                    continue
                tomb = None if old is not None else self._tomb(kind, doc_id)
                prior = old if old is not None else tomb
                reason = self._refusal(
                    kind, prior, (new if new is not None else old or {}).get("station_id")
                )
                if reason is not None:
                    raise NotYourDocument(reason)
                if new is None:
                    assert old is not None
                    gone = self._tombstone(old, now, actor)
                    out += [["del", kind, doc_id], ["put", tombs_of(kind), doc_id, gone]]
                    audit.append(
                        self._change_entry(txn, actor, "delete", kind, old, None, None, gone)
                    )
                    continue
                if tomb is not None:
                    raise StoreConflict(
                        tr(
                            "{kind}（{id}）已被删除，不能再保存；要找回它请撤销那次删除。",
                            kind=_label_of(kind),
                            id=doc_id,
                        )
                    )
                self._stamp(new, prior)
                out.append(["put", kind, doc_id, new])
                action = "update" if old else "create"
                audit.append(self._change_entry(txn, actor, action, kind, old, new, None))
            if out:
                self._write(out + audit)

    def _apply(self, ops: list[Op]) -> None:
        touched: dict[str, list[str]] = {}
        for op in ops:
            if op[0] == "put":
                self.tables.setdefault(op[1], {})[op[2]] = op[3]
            else:
                self.tables.get(op[1], {}).pop(op[2], None)
            touched.setdefault(op[1], []).append(op[2])
            if self._unacked is not None:
                noted = self._unacked.setdefault(op[1], {})
                if _is_unacked(self.tables.get(op[1], {}).get(op[2])):
                    noted[op[2]] = None
                else:
                    noted.pop(op[2], None)
        for name, ids in touched.items():
            revision = self.revisions[name] = self.revisions.get(name, 0) + 1
            log = self._changes.get(name)
            if log is None:
                log = self._changes[name] = deque(maxlen=CHANGE_LOG)
            log.append((revision, ids))
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

    @contextmanager
    def compaction_deferred(self) -> Iterator[None]:
        """Saves in the block do not compact the store; it compacts once on leaving, if
        its journal is long enough. A sync's pull uses it: a new store pulling 100,000
        documents otherwise wrote its whole, growing snapshot again every page or two."""
        with self._mutex:
            self._compaction_deferred += 1
        try:
            yield
        finally:
            with self._mutex:
                self._compaction_deferred -= 1
                if not self._compaction_deferred and self._journal is not None:
                    self._maybe_compact()

    def _maybe_compact(self) -> None:
        assert self._journal is not None
        if self._compaction_deferred:
            return
        limit = max(COMPACT_MIN_BYTES, self.snapshot_size // COMPACT_RATIO)
        if self._journal.size > limit:
            try:
                self.compact()
            except StoreError as error:
                # The save is on disk; the journal still holds everything, and a later
                # save compacts again.
                log_event(self.paths.log, f"compaction failed, will retry: {error}")

    def compact(self) -> None:
        """Write everything into a new snapshot and start an empty journal.

        Raises :class:`StoreWriteFailed` (nothing saved is lost: see the module notes)
        or :class:`StoreFilesChanged` when the files were replaced behind its back.
        """
        with self._mutex:
            self._check_writable()
            self._check_files(compacting=True)
            try:
                self._compact()
            except OSError as error:
                raise StoreWriteFailed(_compact_message(error)) from error

    def _compact(self) -> None:
        generation = self.generation + 1
        main = self.paths.main
        try:
            self.snapshot_size = write_snapshot(main, self.tables, generation, self.position)
        except OSError:
            header = read_header(main)
            if header is not None and header.get("generation") == self.generation:
                raise  # the old snapshot is in place: the old journal stays valid
            # The new snapshot may be in place: appending to the old journal could be
            # thrown away at the next open, so the next save compacts again first.
            self.generation = generation
            self._remember_main()
            self._drop_journal()
            raise
        self.generation = generation
        self.sealed = keyring.sealer_for(self.position.store_id) is not None
        self._remember_main()
        # The old journal stays locked until the new one is: no moment without a lock.
        old, self._journal = self._journal, None
        try:
            self._journal = JournalWriter.create(self.paths.journal, generation, self.position)
        finally:
            if old is not None:
                old.close()

    def _drop_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def backup(
        self, to: str | Path | None = None, reason: str = "manual", *, plain: bool = False
    ) -> Path:
        """Write the whole store as one verified snapshot file; returns its path.

        The backups folder is created again (owner only) if it has gone missing. An
        encrypted store's backup is sealed, unless ``plain`` is asked for; one written
        elsewhere (``to``) gets a copy of the key slots beside it (``<name>.keys``), so it
        opens there with the passphrase or the recovery key.
        Raises :class:`StoreWriteFailed` when the backup cannot be written.
        """
        with self._mutex:
            try:
                target = Path(to) if to else backups.backup_path(self.paths, reason)
                if target.is_dir():
                    target = target / backups.backup_path(self.paths, reason).name
                make_private_folder(target.parent)
                write_snapshot(target, self.tables, self.generation, self.position, plain=plain)
                if to and self.key_slots is not None and not plain:
                    keys = target.with_name(target.name + ".keys")
                    write_file_atomically(keys, self.paths.keys.read_bytes())
            except OSError as error:
                raise StoreWriteFailed(
                    tr("备份失败：{reason}。数据本身不受影响。", reason=disk_reason(error))
                ) from error
            if not self.readonly:
                log_event(self.paths.log, f"backup written to {target}")
            return target

    def _migrate(self) -> None:
        """Bring every document to its model's schema version, and give every document
        stored before writers were recorded its writer (:func:`writer_of`: the one it
        always had), in one audited save after a backup."""
        wanted = {kind: model.SCHEMA_VERSION for kind, model in KINDS.items()}
        if self.meta.get("schema_versions") == wanted and self.meta.get("writers_recorded"):
            return
        stale = [
            (kind, doc)
            for kind, table in self.tables.items()
            if kind in wanted and kind not in (AUDIT, META)
            for doc in table.values()
            if doc.get("schema_version", 1) != wanted[kind] or not doc.get("writer")
        ]
        if stale:
            kept = self.backup(reason="pre-migration")
            log_event(self.paths.log, f"migrating {len(stale)} documents; backup {kept.name}")
            staged = [
                _Staged(kind, doc["id"], validate_document(upgrade(doc, wanted[kind])).to_json())
                for kind, doc in stale
            ]
            # The program's own rewrite of every replica's documents: no permission check.
            self._commit(staged, "system:migration", checked=False)
        meta = dict(self.meta) or {"id": META_ID, "created_at": self.clock().isoformat()}
        meta["schema_versions"] = wanted
        meta["writers_recorded"] = True
        self._write([["put", META, META_ID, meta]])


def audit_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def write_compacted_store(main: str | Path, tables: dict[str, dict[str, Any]]) -> None:
    """Write a new store's files directly, as a compaction would leave them: a snapshot
    holding ``tables``, an empty journal and the last-save record (benchmarks, tests)."""
    paths = StorePaths.for_main(main)
    make_private_folder(paths.folder)
    position = Position(0, "", new_store_id())
    write_snapshot(paths.main, tables, 1, position)
    JournalWriter.create(paths.journal, 1, position).close()
    LastSaveWriter.create(paths.lastsave, LastSave(0, "", position.store_id)).close()


def open_store(path: str | Path | None = None, **kwargs: Any) -> Store:
    return Store.open(path, **kwargs)


__all__ = ["Store", "Transaction", "open_store", "audit_hash", "disk_reason"]
