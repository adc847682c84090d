"""The states a power cut could leave on disk, explored (after ALICE and CrashMonkey).

kill -9 cannot tear a write or lose the page cache: the process dies, the kernel still
writes everything it was given. A power cut can. This module records every file operation
the store makes through :data:`grassroots_tui.store.files.FS` while a workload runs, then
replays the record against a model of what POSIX promises to keep, and builds the states
a crash after any operation could leave:

* a file's data is durable once ``fsync``/``fdatasync`` of it returned; later writes may
  be kept, lost, or torn at 512-byte sector boundaries (a file extended by a write whose
  sectors were lost reads as zeros there), and in any order;
* a folder's entries (files created, renamed, linked, unlinked; folders made) are durable
  once ``fsync`` of that folder returned; until then any subset of them may be lost (a
  rename lost leaves the old name on the old file and the temp name on the new one).

Each state is written into a fresh folder and opened by the store, read-only and for
writing (then closed and opened again; :func:`explore_recovery` also records that
recovering open and crashes it in turn). The oracle (:class:`Oracle`): every save
confirmed before the crash is there (the document at a revision at least as new, the
same content when the revision is the same; a confirmed delete stays deleted; the one
change under way at the crash may be there or not, whole), or the
store refuses with :class:`~grassroots_tui.store.StoreDamaged` naming a backup whenever
the state holds a verified one. Anything else is a failure, reproducible from the seed,
the crash point and the variant printed with it.

Files the store writes without :data:`FS` (the lock file, the event log, backups deleted
by rotation) are noticed by a scan before every operation and modelled as entries whose
content does not matter. After every confirmed save the recorder checks that its model
of the folder is byte for byte what is on disk, so a write that bypassed the model cannot
go unnoticed. The workload (:func:`run_workload`) takes its ids from counters, so every
run records the same operations and a (seed, point, variant) names the same state.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from grassroots_tui.store import Store, StoreDamaged, StoreError
from grassroots_tui.store import files as store_files
from grassroots_tui.store.encryption import encrypt
from grassroots_tui.store.files import Damage, read_snapshot
from grassroots_tui.store.keyslots import KdfParams, Passphrase

SECTOR = 512
#: A crash point stops being drawn from after this many draws in a row gave no new state.
PATIENCE = 64
#: A crash point with at most this many states has them all listed, not drawn at random;
#: a write of more sectors than this is always torn at random.
MAX_ENUMERATED = 512
MAX_ENUMERATED_SECTORS = 8
META = "_meta"
#: The methods of the file system object the store writes through.
FS_METHODS = (
    "open",
    "write",
    "pwrite",
    "truncate",
    "fsync",
    "fdatasync",
    "close",
    "replace",
    "link",
    "unlink",
    "mkdir",
    "fsync_folder",
)


#: The store's courtesy files, written with ``os`` directly by design (who holds the lock,
#: the event log): modelled as folder entries whose content does not matter.
WRITTEN_WITHOUT_FS = (".lock", ".log")


class RecorderError(AssertionError):
    """The recorder's model of the folder and the folder itself disagree."""


# --- the record ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Write:
    """``data`` written at ``offset`` of file ``inode`` (write or pwrite)."""

    inode: int
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Truncate:
    inode: int
    size: int


@dataclass(frozen=True, slots=True)
class Sync:
    """fsync or fdatasync of file ``inode``: its data so far is durable."""

    inode: int
    call: str


@dataclass(frozen=True, slots=True)
class Entry:
    """``name`` in folder ``folder`` now points at ``inode`` (a file created, a folder made,
    a hard link; ``external``: noticed on disk, written without FS)."""

    folder: int
    name: str
    inode: int
    how: str


@dataclass(frozen=True, slots=True)
class Rename:
    """os.replace within one folder: ``target`` points at ``inode``, ``source`` is gone."""

    folder: int
    source: str
    target: str
    inode: int


@dataclass(frozen=True, slots=True)
class Unlink:
    folder: int
    name: str
    inode: int
    how: str = "unlink"


@dataclass(frozen=True, slots=True)
class SyncFolder:
    folder: int


@dataclass(frozen=True)
class Expectation:
    """What a state must hold: every document confirmed, at ``(rev, digest)``, and the
    confirmed deletes (``gone``: the revision the document had when it was deleted)."""

    docs: dict[tuple[str, str], tuple[int, bytes]]
    gone: dict[tuple[str, str], int]
    label: str


@dataclass(frozen=True)
class Confirm:
    """A marker, not an operation: the change begun at the last :class:`Begin` was
    confirmed; from here on a state must satisfy ``expectation``."""

    expectation: Expectation


@dataclass(frozen=True)
class Begin:
    """A marker: a change starts (a save, a delete, an undo, a restore). Until it is
    confirmed, a state may hold it or not: the last confirmed expectation or the next."""

    label: str


NOTHING_YET = Expectation({}, {}, "nothing confirmed yet")
#: What became of one pending operation in a crash state: kept, lost, or (a write) torn,
#: only the sectors in the set having reached the disk.
Choice = str | frozenset[int]

DataOp = Write | Truncate
FolderOp = Entry | Rename | Unlink
Op = Write | Truncate | Sync | Entry | Rename | Unlink | SyncFolder | Confirm | Begin
MARKERS = (Confirm, Begin)


def doc_digest(doc: dict[str, Any]) -> bytes:
    return hashlib.blake2b(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), digest_size=8).digest()


def table_digest(tables: dict[str, dict[str, Any]]) -> dict[tuple[str, str], tuple[int, bytes]]:
    """Every document of a store (the meta document aside) as ``(rev, digest)``."""
    return {
        (kind, doc_id): (int(doc.get("rev", 0)), doc_digest(doc))
        for kind, table in tables.items()
        if kind != META
        for doc_id, doc in table.items()
    }


@dataclass
class Trace:
    """What the recorder saw: the operations in order, and the folder it started from."""

    ops: list[Op]
    initial_dirs: dict[int, dict[str, int]]
    initial_data: dict[int, bytes]
    is_dir: dict[int, bool]
    external: set[int]
    root: Path
    #: What a state must satisfy before the first Confirm: nothing, for a store recorded
    #: from its creation; what the crashed state held, for a recorded recovery.
    start: tuple[Expectation, ...] = (NOTHING_YET,)

    @property
    def confirmed(self) -> int:
        return sum(1 for op in self.ops if isinstance(op, Confirm))

    @property
    def operations(self) -> int:
        return sum(1 for op in self.ops if not isinstance(op, MARKERS))

    def next_confirm(self) -> dict[int, Expectation]:
        """For each Begin marker, the expectation of the Confirm that ends it."""
        found: dict[int, Expectation] = {}
        waiting: list[int] = []
        for index, op in enumerate(self.ops):
            if isinstance(op, Begin):
                waiting.append(index)
            elif isinstance(op, Confirm):
                for begun in waiting:
                    found[begun] = op.expectation
                waiting = []
        return found


class Recorder:
    """Records every operation of :data:`files.FS` on paths under ``root``.

    Use as a context manager around a workload, and mark each change with
    :meth:`change` (or :meth:`begin` before it and :meth:`confirm` once it returned). The
    methods are wrapped on the FS instance itself: store.py and backups.py hold a
    reference to that instance, so replacing the module attribute would not be seen.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))
        self.ops: list[Op] = []
        self._next = 1
        self.names: dict[int, dict[str, int]] = {0: {}}
        self.is_dir: dict[int, bool] = {0: True}
        self.data: dict[int, bytearray] = {}
        self.external: set[int] = set()
        self.real_ino: dict[int, int] = {0: os.stat(self.root).st_ino}
        self.fds: dict[int, tuple[int, bool]] = {}
        self._saved: dict[str, Any] = {}
        self._gone: dict[tuple[str, str], int] = {}
        self._last: Expectation = Expectation({}, {}, "before the first save")
        #: What :meth:`change` confirms: the store being written, or tables.
        self.now: Store | dict[str, Any] = {}
        self._read_initial(self.root, 0)
        self.initial_dirs = {d: dict(n) for d, n in self.names.items()}
        self.initial_data = {i: bytes(b) for i, b in self.data.items()}

    # -- the model of the folder as the program sees it (everything applied) --

    def _new_inode(self, is_dir: bool, real_ino: int) -> int:
        inode = self._next
        self._next += 1
        self.is_dir[inode] = is_dir
        self.real_ino[inode] = real_ino
        if is_dir:
            self.names[inode] = {}
        else:
            self.data[inode] = bytearray()
        return inode

    def _read_initial(self, real: Path, folder: int) -> None:
        for entry in sorted(os.scandir(real), key=lambda e: e.name):
            st = entry.stat(follow_symlinks=False)
            inode = self._new_inode(entry.is_dir(follow_symlinks=False), st.st_ino)
            self.names[folder][entry.name] = inode
            if self.is_dir[inode]:
                self._read_initial(Path(entry.path), inode)
            elif entry.name.endswith(WRITTEN_WITHOUT_FS):
                self.external.add(inode)
            else:
                self.data[inode] = bytearray(Path(entry.path).read_bytes())

    def _log(self, op: Op) -> None:
        self.ops.append(op)
        apply_volatile(op, self.names, self.data)

    def _locate(self, path: Path | str) -> tuple[int, str] | None:
        """(folder inode, name) of a path under root; None for a path elsewhere."""
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.root)
        if relative == "." or relative.startswith(".."):
            return None
        *folders, name = relative.split(os.sep)
        folder = 0
        for part in folders:
            child = self.names[folder].get(part)
            if child is None or not self.is_dir[child]:
                if os.path.isdir(os.path.dirname(absolute)):
                    raise RecorderError(f"{absolute}: folder {part} is not in the model")
                return None  # no such folder: the call itself fails
            folder = child
        return folder, name

    def _folder_inode(self, path: Path | str) -> int | None:
        if os.path.abspath(path) == str(self.root):
            return 0
        where = self._locate(path)
        if where is None:
            return None
        inode = self.names[where[0]].get(where[1])
        if inode is None or not self.is_dir[inode]:
            raise RecorderError(f"{path}: not a folder in the model")
        return inode

    def scan(self) -> None:
        """Notice what changed on disk without FS (lock file, log, rotation)."""
        self._scan(self.root, 0)

    def _scan(self, real: Path, folder: int) -> None:
        entries = self.names[folder]
        found = {entry.name: entry for entry in os.scandir(real)}
        for name in [n for n in entries if n not in found]:
            self._log(Unlink(folder, name, entries[name], "external"))
        for name in sorted(found):
            entry = found[name]
            st = entry.stat(follow_symlinks=False)
            inode = entries.get(name)
            if inode is None:
                inode = self._new_inode(entry.is_dir(follow_symlinks=False), st.st_ino)
                self.external.add(inode)
                self._log(Entry(folder, name, inode, "external"))
            elif self.real_ino[inode] != st.st_ino:
                raise RecorderError(f"{entry.path}: replaced behind the recorder's back")
            if self.is_dir[inode]:
                self._scan(Path(entry.path), inode)

    def check(self) -> None:
        """The model's view of every file recorded through FS is the file on disk."""
        self.scan()
        for path, inode in walk(self.names, self.is_dir, self.root):
            if inode in self.external or self.is_dir[inode]:
                continue
            on_disk = path.read_bytes()
            if on_disk != self.data[inode]:
                raise RecorderError(
                    f"{path}: {len(on_disk)} bytes on disk, {len(self.data[inode])} in the model"
                )

    # -- markers --

    @contextmanager
    def change(self, label: str) -> Iterator[None]:
        """A change that is confirmed when the block ends without an error: the store
        (or tables) in :attr:`now` then holds what must survive any later crash."""
        self.begin(label)
        yield
        self.confirm(self.now, label)

    def begin(self, label: str) -> None:
        """A change starts: a crash from here until :meth:`confirm` may or may not keep it."""
        self.scan()
        self.ops.append(Begin(label))

    def confirm(self, store: Store | dict[str, Any], label: str) -> None:
        """The change begun last was confirmed: from here on, the store must hold what
        ``store`` (a store, or its tables) holds now."""
        self.check()
        tables = store if isinstance(store, dict) else store.tables
        self.ops.append(Confirm(self._expect(tables, label)))

    def _expect(self, tables: dict[str, Any], label: str) -> Expectation:
        docs = table_digest(tables)
        gone = {key: rev for key, rev in self._gone.items() if key not in docs}
        for key, (rev, _digest) in self._last.docs.items():
            if key not in docs:
                gone[key] = rev
        expectation = Expectation(docs, gone, label)
        self._gone, self._last = gone, expectation
        return expectation

    def trace(self) -> Trace:
        return Trace(
            list(self.ops),
            self.initial_dirs,
            self.initial_data,
            dict(self.is_dir),
            set(self.external),
            self.root,
        )

    # -- the wrappers --

    def __enter__(self) -> Recorder:
        fs = store_files.FS
        self._saved = {name: fs.__dict__.get(name) for name in FS_METHODS}
        for name in FS_METHODS:
            setattr(fs, name, self._wrap(name, getattr(fs, name)))
        return self

    def __exit__(self, *exc: object) -> None:
        fs = store_files.FS
        for name, before in self._saved.items():
            if before is None:
                fs.__dict__.pop(name, None)
            else:
                setattr(fs, name, before)
        if exc[0] is None:
            self.check()

    def _wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        record = getattr(self, f"_on_{name}")

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.scan()
            return record(real, *args, **kwargs)

        wrapper.__name__ = name
        return wrapper

    def _on_open(self, real: Callable[..., int], path: Any, flags: int, *rest: Any) -> int:
        where = self._locate(path)
        existing = None if where is None else self.names[where[0]].get(where[1])
        fd = real(path, flags, *rest)
        if where is None:
            return fd
        if existing is None:
            if not flags & os.O_CREAT:  # pragma: no cover - open would have failed
                raise RecorderError(f"{path}: opened without O_CREAT but not in the model")
            inode = self._new_inode(False, os.fstat(fd).st_ino)
            self._log(Entry(where[0], where[1], inode, "create"))
        else:
            inode = existing
            if flags & os.O_TRUNC and flags & (os.O_WRONLY | os.O_RDWR):
                self._log(Truncate(inode, 0))
        self.fds[fd] = (inode, bool(flags & os.O_APPEND))
        return fd

    def _on_write(self, real: Callable[..., int], fd: int, data: Any) -> int:
        known = self.fds.get(fd)
        if known is None:
            return real(fd, data)
        inode, append = known
        offset = os.fstat(fd).st_size if append else os.lseek(fd, 0, os.SEEK_CUR)
        written = real(fd, data)
        self._log(Write(inode, offset, bytes(data[:written])))
        return written

    def _on_pwrite(self, real: Callable[..., int], fd: int, data: Any, offset: int) -> int:
        written = real(fd, data, offset)
        if fd in self.fds:
            self._log(Write(self.fds[fd][0], offset, bytes(data[:written])))
        return written

    def _on_truncate(self, real: Callable[..., None], fd: int, size: int) -> None:
        real(fd, size)
        if fd in self.fds:
            self._log(Truncate(self.fds[fd][0], size))

    def _on_fsync(self, real: Callable[..., None], fd: int) -> None:
        real(fd)
        if fd in self.fds:
            self._log(Sync(self.fds[fd][0], "fsync"))

    def _on_fdatasync(self, real: Callable[..., None], fd: int) -> None:
        real(fd)
        if fd in self.fds:
            self._log(Sync(self.fds[fd][0], "fdatasync"))

    def _on_close(self, real: Callable[..., None], fd: int) -> None:
        real(fd)
        self.fds.pop(fd, None)

    def _on_replace(self, real: Callable[..., None], source: Any, target: Any) -> None:
        src, dst = self._locate(source), self._locate(target)
        real(source, target)
        if src is None and dst is None:
            return
        if src is None or dst is None or src[0] != dst[0]:
            raise RecorderError(f"rename across folders is not modelled: {source} -> {target}")
        self._log(Rename(src[0], src[1], dst[1], self.names[src[0]][src[1]]))

    def _on_link(self, real: Callable[..., None], source: Any, target: Any) -> None:
        src, dst = self._locate(source), self._locate(target)
        real(source, target)
        if dst is None:
            return
        if src is None:
            raise RecorderError(f"a link from outside the folder: {source}")
        self._log(Entry(dst[0], dst[1], self.names[src[0]][src[1]], "link"))

    def _on_unlink(self, real: Callable[..., None], path: Any) -> None:
        where = self._locate(path)
        real(path)
        if where is not None:
            self._log(Unlink(where[0], where[1], self.names[where[0]][where[1]]))

    def _on_mkdir(self, real: Callable[..., None], path: Any, *rest: Any) -> None:
        where = self._locate(path)
        real(path, *rest)
        if where is not None:
            inode = self._new_inode(True, os.stat(path).st_ino)
            self._log(Entry(where[0], where[1], inode, "mkdir"))

    def _on_fsync_folder(self, real: Callable[..., None], folder: Any) -> None:
        inode = self._folder_inode(folder)
        real(folder)
        if inode is not None:
            self._log(SyncFolder(inode))


def apply_volatile(op: Op, names: dict[int, dict[str, int]], data: dict[int, bytearray]) -> None:
    """Apply one operation whole (as the program saw it)."""
    if isinstance(op, Write):
        apply_write(data[op.inode], op.offset, op.data, None)
    elif isinstance(op, Truncate):
        apply_truncate(data[op.inode], op.size)
    elif isinstance(op, Entry | Rename | Unlink):
        apply_entry(names[op.folder], op)


def apply_write(buf: bytearray, offset: int, data: bytes, sectors: set[int] | None) -> None:
    """Write ``data`` at ``offset``; only the parts in ``sectors`` (numbers of 512-byte
    sectors of the file) when given. The file's size becomes the end of the write either
    way: a sector not written reads as zeros past the old end, as the old bytes before it."""
    end = offset + len(data)
    if len(buf) < end:
        buf.extend(bytes(end - len(buf)))
    if sectors is None:
        buf[offset:end] = data
        return
    for sector in sectors:
        start, stop = max(offset, sector * SECTOR), min(end, (sector + 1) * SECTOR)
        buf[start:stop] = data[start - offset : stop - offset]


def apply_truncate(buf: bytearray, size: int) -> None:
    if len(buf) > size:
        del buf[size:]
    else:
        buf.extend(bytes(size - len(buf)))


def apply_entry(names: dict[str, int], op: FolderOp) -> None:
    if isinstance(op, Entry):
        names[op.name] = op.inode
    elif isinstance(op, Rename):
        if names.get(op.source) == op.inode:
            del names[op.source]
        names[op.target] = op.inode
    elif names.get(op.name) == op.inode:
        del names[op.name]


def sectors_of(op: Write) -> range:
    if not op.data:
        return range(0)
    return range(op.offset // SECTOR, (op.offset + len(op.data) - 1) // SECTOR + 1)


def walk(
    names: dict[int, dict[str, int]], is_dir: dict[int, bool], root: Path
) -> Iterator[tuple[Path, int]]:
    """Every (path, inode) reachable from the root folder (inode 0), folders first."""
    stack = [(root, 0)]
    while stack:
        path, folder = stack.pop()
        for name in sorted(names.get(folder, {})):
            inode = names[folder][name]
            yield path / name, inode
            if is_dir[inode]:
                stack.append((path / name, inode))


# --- the states a crash could leave ------------------------------------------------------


@dataclass
class CrashState:
    """One state: the crash came after operation ``point``; ``variant`` 0 keeps every
    pending operation (what kill -9 leaves), 1 keeps none, 2… every combination in turn
    where there are few, else a random mix seeded by (seed, point, variant)."""

    seed: int
    point: int
    variant: int
    kinds: frozenset[str]
    names: dict[int, dict[str, int]]
    data: dict[int, bytes]
    expectations: tuple[Expectation, ...]
    confirmed: int
    choices: list[Choice] = field(default_factory=list)
    #: :meth:`fingerprint`, once the explorer has computed it.
    key: int = 0

    @property
    def address(self) -> str:
        return f"seed={self.seed} point={self.point} variant={self.variant}"

    def image(self, trace: Trace) -> list[tuple[str, int, bool]]:
        """(relative path, inode, is folder) of everything reachable, parents first."""
        found = []
        stack = [("", 0)]
        while stack:
            prefix, folder = stack.pop()
            for name in sorted(self.names.get(folder, {})):
                inode = self.names[folder][name]
                is_dir = trace.is_dir[inode]
                found.append((prefix + name, inode, is_dir))
                if is_dir:
                    stack.append((prefix + name + "/", inode))
        return found

    def fingerprint(self, trace: Trace) -> int:
        """Equal for states with the same disk image (paths, links, bytes)."""
        first: dict[int, str] = {}
        parts: list[tuple[str, str, Any]] = []
        for path, inode, folder in self.image(trace):
            if folder:
                parts.append((path, "D", None))
            elif inode in first:
                parts.append((path, "L", first[inode]))
            else:
                first[inode] = path
                parts.append((path, "F", hash(self.data.get(inode, b""))))
        return hash(tuple(parts))

    def materialize(self, trace: Trace, folder: Path) -> None:
        """Write this state into ``folder`` (which must not exist): hard links stay links."""
        os.makedirs(folder)
        base = str(folder) + "/"
        first: dict[int, str] = {}
        for relative, inode, is_folder in self.image(trace):
            path = base + relative
            if is_folder:
                os.mkdir(path)
            elif inode in first:
                os.link(first[inode], path)
            else:
                first[inode] = path
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    os.write(fd, self.data.get(inode, b""))
                finally:
                    os.close(fd)


class Explorer:
    """Replays a trace through the POSIX model and hands out the crash states."""

    def __init__(self, trace: Trace, seed: int) -> None:
        self.trace = trace
        self.seed = seed

    def points(self) -> Iterator[tuple[int, _Disk]]:
        """(index of the operation the crash follows, the disk at that moment); the
        same object, moved on, each time."""
        disk = _Disk(self.trace)
        ahead = self.trace.next_confirm()
        for index, op in enumerate(self.trace.ops):
            disk.step(op)
            if isinstance(op, Begin):
                disk.expectations = (disk.expectations[0], *filter(None, [ahead.get(index)]))
            if not isinstance(op, MARKERS):
                yield index, disk

    def states(self, budget: int, patience: int = PATIENCE) -> Iterator[CrashState]:
        """About ``budget`` states, each distinct for its crash point.

        First, at every crash point, the kill -9 state (variant 0) and the state with
        nothing pending kept (variant 1). Then random mixes (variants 2…), at a crash
        point drawn at random, weighted by how much is pending there, until the budget is
        spent or every point has stopped giving new states (``patience`` draws in a row
        gave none).
        """
        moments = [_Moment(index, disk.freeze()) for index, disk in self.points()]
        total = 0
        for moment in moments:
            for _ in range(2):
                state = moment.draw(self)
                if state is not None:
                    total += 1
                    yield state
        rng = random.Random(f"{self.seed}/plan")
        # Every crash point gets its share before any takes more: a torn temp file has
        # countless variants, a torn journal line a few dozen, a lost rename two.
        cap = max(16, 4 * budget // max(1, len(moments)))
        active = [m for m in moments if m.weight > 0]
        capped: list[_Moment] = []
        while total < budget and (active or capped):
            if not active:
                active, capped, cap = capped, [], budget
            moment = rng.choices(active, weights=[m.weight for m in active])[0]
            state = moment.draw(self)
            if state is not None:
                total += 1
                yield state
            if moment.exhausted or moment.misses >= patience:
                active.remove(moment)
            elif len(moment.seen) >= cap:
                active.remove(moment)
                capped.append(moment)

    def state(self, point: int, variant: int) -> CrashState:
        """The one state named in a failure message."""
        for index, disk in self.points():
            if index == point:
                return disk.state(self.seed, point, variant)
        raise KeyError(point)


class _Moment:
    """One crash point while states are drawn from it."""

    def __init__(self, point: int, disk: _Disk) -> None:
        self.point = point
        self.disk = disk
        self.variant = 0
        self.seen: set[int] = set()
        self.misses = 0
        self.exhausted = False
        self.weight = len(disk.pending) + sum(
            min(6, len(sectors_of(op))) for op in disk.pending if isinstance(op, Write)
        )

    def draw(self, explorer: Explorer) -> CrashState | None:
        """The next variant, or None when it is a state already drawn here (or there are
        no more: :attr:`exhausted`)."""
        combinations = self.disk.combinations()
        if combinations <= MAX_ENUMERATED and self.variant >= 2 + combinations:
            self.exhausted = True
            return None
        state = self.disk.state(explorer.seed, self.point, self.variant)
        self.variant += 1
        state.key = key = state.fingerprint(explorer.trace)
        if key in self.seen:
            self.misses += 1
            return None
        self.seen.add(key)
        self.misses = 0
        return state


class _Disk:
    """The model at one moment: what is durable, and what is pending, in order."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.names = {d: dict(n) for d, n in trace.initial_dirs.items()}
        self.data = dict(trace.initial_data)
        self.pending: list[DataOp | FolderOp] = []
        self.expectations: tuple[Expectation, ...] = trace.start
        self.confirmed = 0
        self._combinations: int | None = None
        for inode, is_dir in trace.is_dir.items():
            if is_dir:
                self.names.setdefault(inode, {})
            else:
                self.data.setdefault(inode, b"")

    def freeze(self) -> _Disk:
        """A copy that later steps do not change (the file contents are shared)."""
        copy = _Disk.__new__(_Disk)
        copy.trace = self.trace
        copy.names = {d: dict(n) for d, n in self.names.items()}
        copy.data = dict(self.data)
        copy.pending = list(self.pending)
        copy.expectations = self.expectations
        copy.confirmed = self.confirmed
        copy._combinations = None
        return copy

    def step(self, op: Op) -> None:
        self._combinations = None
        if isinstance(op, Confirm):
            self.expectations = (op.expectation,)
            self.confirmed += 1
        elif isinstance(op, Write | Truncate | Entry | Rename | Unlink):
            self.pending.append(op)
        elif isinstance(op, Sync):
            self._settle(lambda p: isinstance(p, Write | Truncate) and p.inode == op.inode)
        elif isinstance(op, SyncFolder):
            self._settle(lambda p: isinstance(p, Entry | Rename | Unlink) and p.folder == op.folder)

    def _settle(self, durable: Callable[[Any], bool]) -> None:
        keep: list[DataOp | FolderOp] = []
        buffers: dict[int, bytearray] = {}
        for op in self.pending:
            if not durable(op):
                keep.append(op)
            elif isinstance(op, Write | Truncate):
                buf = buffers.setdefault(op.inode, bytearray(self.data[op.inode]))
                apply_volatile(op, self.names, {op.inode: buf})
            else:
                apply_entry(self.names[op.folder], op)
        for inode, buf in buffers.items():
            self.data[inode] = bytes(buf)
        self.pending = keep

    def options(self, op: DataOp | FolderOp) -> list[Choice]:
        """What may become of one pending operation: kept, lost, or (a write) torn in any
        way that loses at least one of its sectors."""
        found: list[Choice] = ["keep", "drop"]
        sectors = list(sectors_of(op)) if isinstance(op, Write) else []
        for mask in range((1 << len(sectors)) - 1):
            found.append(frozenset(s for i, s in enumerate(sectors) if mask >> i & 1))
        return found

    def combinations(self) -> int:
        """How many states this crash point has, when few enough to list them all (they
        are then variants 2, 3, … in order); else more than :data:`MAX_ENUMERATED`."""
        if self._combinations is None:
            total = 1
            for op in self.pending:
                if isinstance(op, Write) and len(sectors_of(op)) > MAX_ENUMERATED_SECTORS:
                    total = MAX_ENUMERATED + 1
                    break
                total *= len(self.options(op))
                if total > MAX_ENUMERATED:
                    break
            self._combinations = total
        return self._combinations

    def state(self, seed: int, point: int, variant: int) -> CrashState:
        """Variant 0 keeps every pending operation, 1 none. Where a crash point has few
        states (:meth:`combinations`), variants 2, 3, … list them all; elsewhere each
        chooses for every pending operation at random (seeded by seed, point and
        variant): kept, lost, or (a write) torn at sector boundaries."""
        if variant >= 2 and self.combinations() <= MAX_ENUMERATED:
            index = variant - 2
            choices: list[Choice] = []
            for op in self.pending:
                options = self.options(op)
                index, pick = divmod(index, len(options))
                choices.append(options[pick])
            state = self.build(choices, seed=seed, point=point, variant=variant)
            return state
        rng = random.Random(f"{seed}/{point}/{variant}")
        choices = []
        keep_p = rng.choice((0.2, 0.5, 0.8))
        tear_p = rng.choice((0.0, 0.3, 0.6))
        for op in self.pending:
            if variant < 2:
                choices.append("keep" if variant == 0 else "drop")
                continue
            sectors = list(sectors_of(op)) if isinstance(op, Write) else []
            if sectors and rng.random() < tear_p:
                kept = {sector for sector in sectors if rng.random() < 0.5}
                if len(kept) == len(sectors):  # torn: at least one sector lost
                    kept.discard(rng.choice(sectors))
                choices.append(frozenset(kept))
            else:
                choices.append("keep" if rng.random() < keep_p else "drop")
        state = self.build(choices, seed=seed, point=point, variant=variant)
        if variant == 1:
            state.kinds = state.kinds | {"nothing-pending"}
        return state

    def build(
        self, choices: list[Choice], *, seed: int = 0, point: int = -1, variant: int = -1
    ) -> CrashState:
        """The state with each pending operation kept ("keep"), lost ("drop") or, for a
        write, torn: only the sectors in the set reached the disk."""
        if len(choices) != len(self.pending):
            raise ValueError(f"{len(self.pending)} pending operations, {len(choices)} choices")
        names = {d: dict(n) for d, n in self.names.items()}
        buffers: dict[int, bytearray] = {}
        kinds: set[str] = set()
        dropped = False
        for op, choice in zip(self.pending, choices, strict=True):
            if choice == "drop":
                dropped = True
                kinds.add(_dropped_kind(op))
                continue
            if dropped:
                kinds.add("reordered")  # kept, though something written before it was lost
            if isinstance(op, Entry | Rename | Unlink):
                apply_entry(names[op.folder], op)
                continue
            buf = buffers.get(op.inode)
            if buf is None:
                buf = buffers[op.inode] = bytearray(self.data[op.inode])
            if isinstance(choice, frozenset) and isinstance(op, Write):
                kinds.add("torn-write")
                if op.offset + len(op.data) > len(buf):
                    kinds.add("zero-filled-extension")
                apply_write(buf, op.offset, op.data, set(choice))
            else:
                apply_volatile(op, names, {op.inode: buf})
        data = dict(self.data)
        for inode, buf in buffers.items():
            data[inode] = bytes(buf)
        if not dropped and "torn-write" not in kinds:
            kinds.add("kill-9")
        return CrashState(
            seed,
            point,
            variant,
            frozenset(kinds),
            names,
            data,
            self.expectations,
            self.confirmed,
            list(choices),
        )


def _dropped_kind(op: DataOp | FolderOp) -> str:
    if isinstance(op, Write):
        return "dropped-write"
    if isinstance(op, Truncate):
        return "dropped-truncate"
    if isinstance(op, Rename):
        return "dropped-rename"
    if isinstance(op, Entry) and op.how == "link":
        return "dropped-link"
    if isinstance(op, Unlink):
        return "dropped-unlink"
    return "dropped-create"


# --- opening a state, and the oracle --------------------------------------------------------


@dataclass
class Opened:
    """What one open of a state gave: ``status`` opened / refused (StoreDamaged) /
    notfound (StoreError: no store here) / error (anything else)."""

    status: str
    digest: dict[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    message: str = ""
    backup: Path | None = None
    what: str = ""


@dataclass
class Outcome:
    readonly: Opened
    writable: Opened
    again: Opened | None
    verified_backup: bool
    store_left: bool
    backup_ok: bool = True


class _NoWaiting:
    """Stands for :mod:`time` in the store module while states are opened: a read-only
    open that waits for another program's compaction to end (there is none) gives up at
    once instead of after ten seconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += 1.0


@contextmanager
def fast_fs() -> Iterator[None]:
    """No fsync while opening the states (they are thrown away, and a state's durability
    is the model's business, not the test machine's), and no waiting."""
    from grassroots_tui.store import store as store_module

    fs = store_files.FS
    saved = {name: fs.__dict__.get(name) for name in ("fsync", "fdatasync", "fsync_folder")}
    fs.fsync = fs.fdatasync = fs.fsync_folder = lambda _target: None  # type: ignore[method-assign]
    real_time = store_module.time
    store_module.time = _NoWaiting()  # type: ignore[assignment]
    try:
        yield
    finally:
        store_module.time = real_time
        for name, before in saved.items():
            if before is None:
                fs.__dict__.pop(name, None)
            else:
                setattr(fs, name, before)


def _open(opener: Callable[[], Store]) -> Opened:
    try:
        store = opener()
    except StoreDamaged as refused:
        return Opened(
            "refused", message=str(refused), backup=refused.newest_backup, what=refused.what
        )
    except StoreError as error:
        status = "notfound" if "找不到数据文件" in str(error) else "store-error"
        return Opened(status, message=str(error))
    except Exception:
        return Opened("error", message=traceback.format_exc())
    digest = table_digest(store.tables)
    try:
        store.close()
    except Exception:
        return Opened("error", message="close raised:\n" + traceback.format_exc())
    return Opened("opened", digest)


def open_state(main: Path) -> Outcome:
    """Open a materialized state read-only, then for writing (closed), then read-only again."""
    backups = main.with_name(main.name + ".backups")
    verified = False
    if backups.is_dir():
        for candidate in backups.glob("*.json"):
            try:
                read_snapshot(candidate)
                verified = True
                break
            except (Damage, OSError):
                continue
    left = any(
        main.with_name(main.name + suffix).exists()
        for suffix in ("", ".journal", ".lastsave", ".log", ".backups")
    )
    readonly = _open(lambda: Store.open(main, readonly=True, daily_backup=False))
    writable = _open(lambda: Store.open(main))
    again = None
    if writable.status == "opened":
        again = _open(lambda: Store.open(main, readonly=True, daily_backup=False))
    outcome = Outcome(readonly, writable, again, verified, left)
    for opened in (readonly, writable):
        if opened.status == "refused" and opened.backup is not None:
            try:
                read_snapshot(opened.backup)
            except (Damage, OSError):
                outcome.backup_ok = False
    return outcome


def missing(
    digest: dict[tuple[str, str], tuple[int, bytes]], expectation: Expectation
) -> list[str]:
    """What a store that opened lacks of what was confirmed."""
    problems = []
    for key, (rev, want) in expectation.docs.items():
        got = digest.get(key)
        if got is None:
            problems.append(f"{key[0]} {key[1]} (rev {rev}) is missing")
        elif got[0] < rev:
            problems.append(f"{key[0]} {key[1]} is at rev {got[0]}, rev {rev} was confirmed")
        elif got[0] == rev and got[1] != want:
            problems.append(f"{key[0]} {key[1]} rev {rev} differs from what was confirmed")
    for key, rev in expectation.gone.items():
        got = digest.get(key)
        if got is not None and got[0] <= rev:
            problems.append(f"{key[0]} {key[1]} was deleted (rev {rev}) and is back")
    return problems


def lost(digest: dict[tuple[str, str], tuple[int, bytes]], state: CrashState) -> list[str]:
    """[] when the store satisfies one of the state's expectations; else what it lacks."""
    worst: list[str] = []
    for expectation in state.expectations:
        problems = missing(digest, expectation)
        if not problems:
            return []
        worst = worst or problems
    return worst


@dataclass
class Failure:
    state: CrashState
    kind: str
    detail: str
    kept: Path | None = None

    def __str__(self) -> str:
        where = f"; the state is kept in {self.kept}" if self.kept else ""
        return (
            f"[{self.kind}] crash after operation {self.state.point} ({self.state.address}, "
            f"{self.state.confirmed} saves confirmed, variant kinds "
            f"{', '.join(sorted(self.state.kinds))}): {self.detail}{where}"
        )


class Oracle:
    """Judges one state's outcome; counts everything for the summary."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.refused_by_kind: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.failures: list[Failure] = []

    def judge(self, state: CrashState, outcome: Outcome) -> list[Failure]:
        found: list[Failure] = []

        def fail(kind: str, detail: str) -> None:
            found.append(Failure(state, kind, detail))

        self.counts["states"] += 1
        for kind in state.kinds:
            self.by_kind[kind] += 1
        for mode, opened in (("read-only", outcome.readonly), ("writable", outcome.writable)):
            if opened.status == "opened":
                problems = lost(opened.digest, state)
                if problems:
                    fail("silent loss", f"{mode} open: " + "; ".join(problems[:3]))
            elif opened.status == "refused":
                if outcome.verified_backup and opened.backup is None:
                    fail("refused without naming a backup", f"{mode} open: {opened.message}")
                elif opened.backup is not None and str(opened.backup) not in opened.message:
                    fail("backup not in the message", f"{mode} open: {opened.message}")
                elif not outcome.backup_ok:
                    fail("named backup does not verify", f"{mode} open: {opened.message}")
            elif opened.status == "store-error" and mode == "read-only":
                pass  # allowed (counted below): "try again later" and the like
            elif opened.status == "notfound":
                if mode == "writable" or outcome.store_left:
                    fail("not found", f"{mode} open: {opened.message}")
                elif any(e.docs for e in state.expectations):
                    fail("silent loss", f"{mode} open: no store, yet saves were confirmed")
            else:
                fail("unexpected error", f"{mode} open: {opened.message}")
        if outcome.again is not None:
            if outcome.again.status != "opened":
                fail(
                    "recovery",
                    f"opened for writing and closed, then: {outcome.again.status} "
                    f"{outcome.again.message}",
                )
            elif problems := lost(outcome.again.digest, state):
                fail("silent loss", "after the recovering open: " + "; ".join(problems[:3]))
        writable = outcome.writable
        if not found:
            if writable.status == "opened":
                self.counts["opened whole"] += 1
            elif writable.status == "refused":
                self.counts[
                    "refused, backup named" if writable.backup else "refused, no backup"
                ] += 1
                self.refusals[_reason(writable.what)] += 1
                for kind in state.kinds:
                    self.refused_by_kind[kind] += 1
            if outcome.readonly.status != writable.status:
                self.counts[f"read-only {outcome.readonly.status}, writable {writable.status}"] += 1
        self.failures.extend(found)
        return found


def _reason(what: str) -> str:
    """A refusal's reason without the numbers and names that vary."""
    return "".join("#" if ch.isdigit() else ch for ch in what)[:60]


@dataclass
class Summary:
    states: int
    images: int
    points: int
    operations: int
    confirmed: int
    seconds: float
    counts: Counter[str]
    by_kind: Counter[str]
    refused_by_kind: Counter[str]
    refusals: Counter[str]
    failures: list[Failure]

    @property
    def losses(self) -> list[Failure]:
        return [f for f in self.failures if f.kind == "silent loss"]

    @property
    def lost_states(self) -> int:
        """How many states lost a confirmed save (an open can fail several ways)."""
        return len({(f.state.point, f.state.variant) for f in self.losses})

    def line(self) -> str:
        kinds = ", ".join(
            f"{kind} {count:,}"
            + (f" ({self.refused_by_kind[kind]:,} refused)" if kind in self.refused_by_kind else "")
            for kind, count in sorted(self.by_kind.items())
        )
        return (
            f"{self.states:,} crash states ({self.images:,} distinct disk images) at "
            f"{self.points} crash points of {self.operations} recorded operations, "
            f"{self.confirmed} confirmed changes, {self.seconds:.1f} s: "
            f"{self.counts['opened whole']:,} opened whole, "
            f"{self.counts['refused, backup named']:,} refused naming a backup, "
            f"{self.counts['refused, no backup']:,} refused with no backup to name, "
            f"{self.lost_states:,} states with a silent loss, {len(self.failures):,} failures; "
            f"by variant: {kinds}"
        )

    @classmethod
    def merge(cls, parts: list[Summary], seconds: float) -> Summary:
        def total(name: str) -> Counter[str]:
            return sum((getattr(p, name) for p in parts), Counter())

        return cls(
            sum(p.states for p in parts),
            sum(p.images for p in parts),
            sum(p.points for p in parts),
            sum(p.operations for p in parts),
            sum(p.confirmed for p in parts),
            seconds,
            total("counts"),
            total("by_kind"),
            total("refused_by_kind"),
            total("refusals"),
            [f for p in parts for f in p.failures],
        )

    def explain(self, limit: int = 5) -> str:
        """The first failures, one a line, and how to see one again."""
        lines = [str(failure) for failure in self.failures[:limit]]
        if len(self.failures) > limit:
            lines.append(f"… and {len(self.failures) - limit} more")
        lines.append(
            "Each is reproducible: GRASSROOTS_CRASH_SEED=<seed> runs the same exploration; "
            "Explorer(trace, seed).state(point, variant) builds that one state."
        )
        return "\n".join(lines)


def explore(
    trace: Trace,
    seed: int,
    budget: int,
    keep: Path,
    *,
    stop_after: int | None = None,
    patience: int = PATIENCE,
) -> Summary:
    """Open about ``budget`` crash states of ``trace``; judge each one.

    Identical disk images are opened once (the outcome does not depend on the crash
    point); each state is judged against its own crash point's confirmed saves. The
    states are written in a scratch folder in memory (/dev/shm) when there is one; the
    first failing state is kept as ``keep/failed-<point>-<variant>``. ``stop_after``
    failures end the exploration early (the tests that prove the explorer finds broken
    protocols).
    """
    began = time.monotonic()
    explorer = Explorer(trace, seed)
    oracle = Oracle()
    outcomes: dict[int, Outcome] = {}
    digests: dict[int, dict[tuple[str, str], tuple[int, bytes]]] = {}
    points: set[int] = set()
    scratch = Path(tempfile.mkdtemp(prefix="grassroots-crash-", dir=_memory_folder()))
    work = scratch / "state"
    try:
        with fast_fs():
            for state in explorer.states(budget, patience):
                points.add(state.point)
                outcome = outcomes.get(state.key)
                if outcome is None:
                    if work.exists():
                        shutil.rmtree(work)
                    state.materialize(trace, work)
                    outcome = outcomes[state.key] = open_state(work / WORKLOAD_MAIN)
                    for opened in (outcome.readonly, outcome.writable, outcome.again):
                        if opened is not None:  # most states open to the same documents
                            key = hash(frozenset(opened.digest.items()))
                            opened.digest = digests.setdefault(key, opened.digest)
                found = oracle.judge(state, outcome)
                if found and len(oracle.failures) == len(found):
                    kept = keep / f"failed-{state.point}-{state.variant}"
                    if not kept.exists():
                        state.materialize(trace, kept)
                    for failure in found:
                        failure.kept = kept
                if stop_after is not None and len(oracle.failures) >= stop_after:
                    break
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Summary(
        oracle.counts["states"],
        len(outcomes),
        len(points),
        trace.operations,
        trace.confirmed,
        time.monotonic() - began,
        oracle.counts,
        oracle.by_kind,
        oracle.refused_by_kind,
        oracle.refusals,
        oracle.failures,
    )


def record_recovery(trace: Trace, state: CrashState, root: Path) -> Trace | None:
    """Record the store opening a crash state for writing and closing it (the recovery:
    a torn tail trimmed, a missing record rewritten, a compaction at close); None when
    the store refuses the state. The recovery's own crash states must then satisfy what
    the crashed state had to."""
    state.materialize(trace, root)
    recorder = Recorder(root)
    with recorder:
        try:
            store = Store.open(root / WORKLOAD_MAIN)
        except StoreDamaged:
            return None
        store.close()
    recovery = recorder.trace()
    recovery.start = state.expectations
    return recovery


def explore_recovery(
    trace: Trace, seed: int, budget: int, keep: Path, *, crashed: int = 40
) -> Summary:
    """Crash again while recovering: ``crashed`` crash states of ``trace`` (of every
    kind: torn, lost writes, lost entries), each recovered under the recorder, and about
    ``budget`` crash states of those recoveries opened and judged."""
    began = time.monotonic()
    explorer = Explorer(trace, seed)
    pool: dict[str, list[tuple[int, int]]] = {kind: [] for kind in RECOVERY_KINDS}
    for state in explorer.states(3000):
        for kind in state.kinds & set(RECOVERY_KINDS):
            pool[kind].append((state.point, state.variant))
    rng = random.Random(f"{seed}/recovery")
    addresses: set[tuple[int, int]] = set()
    for kind in RECOVERY_KINDS:
        candidates = sorted(set(pool[kind]) - addresses)
        addresses.update(rng.sample(candidates, min(len(candidates), crashed // len(pool))))
    picked = [explorer.state(point, variant) for point, variant in sorted(addresses)]
    parts: list[Summary] = []
    with tempfile.TemporaryDirectory(prefix="grassroots-recover-", dir=_memory_folder()) as tmp:
        for number, state in enumerate(picked):
            recovery = record_recovery(trace, state, Path(tmp) / f"recovery-{number}")
            if recovery is not None:
                share = budget // len(picked)
                parts.append(explore(recovery, seed, share, keep / f"recovery-{number}"))
    return Summary.merge(parts, time.monotonic() - began)


RECOVERY_KINDS = (
    "torn-write",
    "dropped-write",
    "dropped-create",
    "dropped-rename",
    "nothing-pending",
)


def _memory_folder() -> str | None:
    """/dev/shm when it can be written (folders are made and removed thousands of times)."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


# --- the workload ---------------------------------------------------------------------------

#: The passphrase of the encrypted workload, and a cheap key derivation for tests.
WORKLOAD_PASSPHRASE = "绿水青山 crash states 2026"
FAST_KDF = KdfParams(memory_kib=64, passes=1)
#: Where the workload's store lives, relative to the recorder's root.
WORKLOAD_MAIN = "data/grassroots.json"
FIXED_NOW = datetime(2026, 11, 26, 9, 30).astimezone()


@contextmanager
def deterministic() -> Iterator[None]:
    """Document ids and the store's id from counters, so that every run records the same
    operations with the same lengths (a crc32 written in decimal varies in length with
    the bytes it covers), and a crash point and variant name the same state in every run."""
    import uuid

    from grassroots_tui.models import base
    from grassroots_tui.store import store as store_module

    numbers = iter(range(1, 1 << 62))
    saved = (base.uuid4, store_module.new_store_id)
    base.uuid4 = lambda: uuid.UUID(int=next(numbers))  # type: ignore[assignment]
    store_module.new_store_id = lambda: f"{next(numbers):016x}"  # type: ignore[assignment]
    try:
        yield
    finally:
        base.uuid4, store_module.new_store_id = saved  # type: ignore[assignment]


def run_workload(
    root: Path,
    *,
    saves: int = 15,
    rounds: int = 1,
    make_folder: bool = True,
    encrypted: bool = False,
) -> Trace:
    """Record the standard workload on a new store under ``root``.

    From nothing: create the store (daily backup at open, so a hard-linked backup),
    ``saves`` households with compactions forced every five saves and by a small
    compaction threshold, an update, a delete and its undo, a manual backup, close;
    open again the next day (a second daily backup), more saves, close; restore the
    manual backup, open, one more save, close. ``rounds`` repeats the middle part.
    The caller patches ``COMPACT_MIN_BYTES`` (see the tests). ``encrypted``: the new
    store is encrypted in place right after it is made (a recorded change too), so every
    later file is sealed.
    """
    from grassroots_tui.store.restore import restore_backup
    from tests.factories import household, station

    root.mkdir(parents=True, exist_ok=True)
    main = root / WORKLOAD_MAIN
    if make_folder:
        main.parent.mkdir(exist_ok=True)
    tomorrow = FIXED_NOW.replace(day=FIXED_NOW.day + 1)
    rec = Recorder(root)
    with deterministic(), rec:
        with rec.change("create the store"):
            store = Store.open(main, clock=lambda: FIXED_NOW)
            rec.now = store
        with rec.change("station"):
            store.save(station(), actor="录入员")
        if encrypted:
            with rec.change("encrypt"):
                encrypt(store, Passphrase(WORKLOAD_PASSPHRASE), kdf=FAST_KDF)
        ids: list[str] = []
        for round_no in range(rounds):
            for n in range(1, saves + 1):
                number = f"HL01-{round_no:02d}{n:02d}"
                with rec.change(number):
                    ids.append(store.save(household(number), actor="录入员").id)
                if n % 5 == 0:
                    store.compact()
            first = store.get("household", ids[-saves])
            with rec.change("update"):
                store.save(first.model_copy(update={"people": 5}), actor="录入员")
            with rec.change("delete"):
                store.delete("household", ids[-saves + 1], actor="录入员")
            with rec.change("undo the delete"):
                store.undo_last(actor="录入员")
        manual = store.backup()
        store.close()
        store = rec.now = Store.open(main, clock=lambda: tomorrow)
        for n in range(1, 4):
            with rec.change(f"after reopen {n}"):
                store.save(household(f"HL01-9{n:03d}"), actor="值班员")
        with rec.change("delete after reopen"):
            store.delete("household", ids[2], actor="值班员")
        store.close()
        with rec.change("restore the manual backup"):
            restore_backup(main, manual)
            rec.now = read_snapshot(main).tables
        store = rec.now = Store.open(main, clock=lambda: tomorrow)
        with rec.change("after restore"):
            store.save(household("HL01-9999"), actor="值班员")
        store.close()
    return rec.trace()
