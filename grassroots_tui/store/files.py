"""The on-disk format: a checksummed snapshot, an append-only journal, a last-save record.

Snapshot (the store's main file)::

    <crc32 of the header JSON, 8 hex digits> {"format": "grassroots-store",
        "generation": G, "seq": S, "chain": H, "store_id": …, "length": L, "crc32": C, …}\n
    <L bytes: the tables as one UTF-8 JSON object {kind: {id: document}}>

Every byte of the header line is covered by its own checksum, and every byte of the
body by ``crc32``. (Format 1 had no header checksum; it is still read, with every field's
type checked.)

Journal (``<main>.journal``), one line per committed transaction (a *save*)::

    <crc32 of the JSON, 8 hex digits> {"seq": N, "ops": [...]}\n

Its first line is a header naming the snapshot generation it applies on top of and the
save it continues from (``seq`` and ``chain``). Saves are numbered for the store's whole
life; ``chain`` is a hash over every save's bytes, so two histories that reach the same
number differ in ``chain``. A save appends one line and fsyncs it, so it never rewrites
the whole file. Compaction writes a new snapshot (temp file, fsync, rename, fsync of the
folder) and then a fresh journal; a journal older than the snapshot is already contained
in it and is ignored.

Last-save record (``<main>.lastsave``): two 512-byte slots, each a checksummed line
naming the newest confirmed save (number, chain, time, who). A save is confirmed only
after its journal line *and* this record are on disk, so a journal that ends before the
record's number has lost confirmed saves, and says which. The slots are written in turn,
one sector each, so a torn write leaves the other slot whole.

Every write goes through :data:`FS` (so a test can record the operations and explore the
states a crash could leave). Nothing here decides policy (when to compact, what to do
with damage): it only reads, verifies and writes bytes, and raises :class:`Damage`
describing what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import gc
import hashlib
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from grassroots_tui.lang import tr
from grassroots_tui.store import keyring
from grassroots_tui.store.sealing import SealBroken, Sealer

SNAPSHOT_FORMAT = "grassroots-store"
JOURNAL_FORMAT = "grassroots-journal"
LASTSAVE_FORMAT = "grassroots-lastsave"
FORMAT_VERSION = 2
FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: A disk sector: written whole or not at all by the disk, the unit a power cut tears in.
SECTOR = 512
#: The size of one slot of the last-save record: one disk sector, written whole or not.
SLOT_SIZE = SECTOR

# What the unfinished tail of an interrupted append can look like: a prefix of
# "<8 hex> {json}" without its newline, or the zero bytes a file system leaves after a
# power cut.
_TORN_TAIL = re.compile(rb"\A(?:[0-9a-f]{0,8}(?: [^\n]*)?|\x00+)\Z")


class Damage(Exception):
    """A file failed verification. ``str()`` says what, in the interface language."""


class Locked(Exception):
    """A file is sealed with a data key this process has not unlocked. ``str()`` names the
    file; nothing about its contents can be known without the key."""


def _sealer(store_id: str, file_name: str, sealed: Any) -> Sealer:
    """The unlocked key for a file whose header says ``sealed`` (cipher and key id)."""
    if not isinstance(sealed, dict):
        raise Damage(tr("{file} 的文件头中加密信息已损坏", file=file_name))
    sealer = keyring.sealer_for(store_id)
    if sealer is None:
        raise Locked(file_name)
    if sealed.get("key_id") != sealer.key_id or sealed.get("cipher") != sealer.cipher:
        raise Damage(
            tr("{file} 不是用这份数据的密钥加密的（可能换成了另一份数据的文件）", file=file_name)
        )
    return sealer


def _sealed_header(sealer: Sealer) -> dict[str, str]:
    return {"cipher": sealer.cipher, "key_id": sealer.key_id}


def _snapshot_aad(store_id: str, generation: int, seq: int) -> bytes:
    return f"snapshot|{store_id}|{generation}|{seq}".encode()


def _journal_aad(store_id: str) -> bytes:
    return f"journal|{store_id}".encode()


# --- every write the store makes -----------------------------------------------------


class FileSystem:
    """The OS calls the store writes with. Tests replace :data:`FS` with a subclass that
    records each call (see tests/crash_states.py); the methods look ``os`` up at call
    time, so fault injection by patching ``os`` keeps working."""

    def open(self, path: Path | str, flags: int, mode: int = FILE_MODE) -> int:
        return os.open(path, flags | getattr(os, "O_BINARY", 0), mode)

    def write(self, fd: int, data: bytes | memoryview) -> int:
        return os.write(fd, data)

    def pwrite(self, fd: int, data: bytes, offset: int) -> int:
        return os.pwrite(fd, data, offset)

    def seek(self, fd: int, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(fd, offset, whence)

    def truncate(self, fd: int, size: int) -> None:
        os.ftruncate(fd, size)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def fdatasync(self, fd: int) -> None:
        (getattr(os, "fdatasync", None) or os.fsync)(fd)

    def close(self, fd: int) -> None:
        os.close(fd)

    def replace(self, source: Path | str, target: Path | str) -> None:
        os.replace(source, target)

    def link(self, source: Path | str, target: Path | str) -> None:
        os.link(source, target)

    def unlink(self, path: Path | str) -> None:
        os.unlink(path)

    def mkdir(self, path: Path | str, mode: int = FOLDER_MODE) -> None:
        os.mkdir(path, mode)

    def fsync_folder(self, folder: Path | str) -> None:
        if sys.platform == "win32":  # pragma: no cover - folders cannot be fsync'd there
            return
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: The file system the store writes through.
FS = FileSystem()


def _sync(fd: int) -> None:
    FS.fdatasync(fd)


def fsync_folder(folder: Path) -> None:
    FS.fsync_folder(folder)


def make_private_folder(folder: Path) -> Path:
    """Create ``folder`` and any missing parents, each readable by its owner only (0700,
    whatever the umask); folders that already exist are left as they are."""
    folder = Path(folder)
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        try:
            FS.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue
        try:
            os.chmod(path, FOLDER_MODE)  # mkdir's mode is narrowed by the umask only
        except OSError:  # pragma: no cover - a file system without modes
            pass
        # The new folder's name is durable only once its parent is synced: without this a
        # power cut could take away a folder and every file later made durable in it.
        fsync_folder(path.parent)
    if not folder.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(folder))
    return folder


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    fd = FS.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # a stale temp file keeps its old mode through O_TRUNC
            os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            written = FS.write(fd, view)
            view = view[written:]
        FS.fsync(fd)
    except BaseException:
        FS.close(fd)
        _unlink_quietly(tmp)
        raise
    FS.close(fd)
    try:
        FS.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_folder(path.parent)


def _unlink_quietly(path: Path) -> None:
    try:
        FS.unlink(path)
    except OSError:
        pass


def read_header(path: Path) -> dict[str, Any] | None:
    """The header of a snapshot as a dict, or None if it cannot be read as one."""
    try:
        with open(path, "rb") as f:
            line = f.readline(65536)
        return _parse_header(line.rstrip(b"\n"))
    except (OSError, ValueError):
        return None


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """(device, inode, size, mtime) of ``path``; None when it does not exist.

    The store's files are only ever replaced by rename, never written in place, so a
    change here means someone else replaced or edited the file. Other errors propagate.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def encode_line(obj: Any) -> bytes:
    payload = orjson.dumps(obj)
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def _decode_line(line: bytes) -> Any:
    """The object on a checksummed line (without its newline), or raise ValueError."""
    if len(line) < 10 or line[8:9] != b" ":
        raise ValueError("malformed")
    try:
        expected = int(line[:8], 16)
    except ValueError:
        raise ValueError("malformed") from None
    payload = line[9:]
    if expected != zlib.crc32(payload):
        raise ValueError("checksum")
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise ValueError("json") from None


def next_chain(chain: str, line: bytes) -> str:
    """The chain after a save whose journal line (without its newline) is ``line``."""
    return hashlib.blake2b(chain.encode("ascii") + line, digest_size=16).hexdigest()


def new_store_id() -> str:
    return os.urandom(8).hex()


def parse_without_gc(data: bytes | memoryview) -> Any:
    """``orjson.loads`` with the garbage collector paused.

    Parsing 100,000 documents allocates hundreds of thousands of containers, which
    triggers full collections in the middle of the parse: 40 % of the open time
    (bench/FINDINGS.md). JSON cannot make reference cycles, so there is nothing for the
    collector to find; afterwards :func:`gc.freeze` moves the parsed documents out of the
    collector's way, so the program's later collections do not walk every document.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        parsed = orjson.loads(data)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return parsed


# --- snapshot ------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a store's history stands: the number of its last save and the chain hash up to
    it, in the store ``store_id``."""

    seq: int = 0
    chain: str = ""
    store_id: str = ""


def encode_snapshot(
    tables: dict[str, dict[str, Any]],
    generation: int,
    position: Position | None = None,
    *,
    plain: bool = False,
) -> bytes:
    """A snapshot's bytes; sealed with the store's data key when this process holds it
    (see :mod:`grassroots_tui.store.keyring`), unless ``plain`` is asked for."""
    position = position or Position()
    body = orjson.dumps(tables)
    sealer = None if plain else keyring.sealer_for(position.store_id)
    if sealer is not None:
        body = sealer.seal(body, _snapshot_aad(position.store_id, generation, position.seq))
    header: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "format_version": FORMAT_VERSION,
        "generation": generation,
        "seq": position.seq,
        "chain": position.chain,
        "store_id": position.store_id,
        "length": len(body),
        "crc32": zlib.crc32(body),
        "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    if sealer is not None:
        header["sealed"] = _sealed_header(sealer)
    return encode_line(header) + body


def write_snapshot(
    path: Path,
    tables: dict[str, dict[str, Any]],
    generation: int,
    position: Position | None = None,
    *,
    plain: bool = False,
) -> int:
    data = encode_snapshot(tables, generation, position, plain=plain)
    write_file_atomically(path, data)
    return len(data)


@dataclass
class Snapshot:
    generation: int
    tables: dict[str, dict[str, Any]]
    size: int
    header: dict[str, Any]

    @property
    def position(self) -> Position:
        return header_position(self.header)


def header_position(header: dict[str, Any]) -> Position:
    return Position(
        int(header.get("seq", 0)), str(header.get("chain", "")), str(header.get("store_id", ""))
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


#: The header fields and the check each must pass (format 2 has them all).
_HEADER_FIELDS = {
    "generation": _is_count,
    "length": _is_count,
    "crc32": lambda v: _is_count(v) and v < 1 << 32,
    "seq": _is_count,
    "chain": lambda v: isinstance(v, str) and len(v) <= 64,
    "store_id": lambda v: isinstance(v, str) and len(v) <= 64,
}


def _parse_header(line: bytes) -> dict[str, Any]:
    """The header line of a snapshot (without its newline), verified; ValueError if not."""
    if line.startswith(b"{"):  # format 1: no checksum of its own
        header = orjson.loads(line)
        legacy = True
    else:
        header = _decode_line(line)
        legacy = False
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        raise ValueError("format")
    version = header.get("format_version", 1)
    if not _is_count(version) or (legacy and version != 1) or (not legacy and version < 2):
        raise ValueError("format_version")
    for name, valid in _HEADER_FIELDS.items():
        if name in header or not legacy:
            if not valid(header.get(name)):
                raise ValueError(name)
        elif name in ("generation", "length", "crc32"):
            raise ValueError(name)
    return header


def read_snapshot(path: Path) -> Snapshot:
    """Read and verify a snapshot (the main file or a backup)."""
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Damage(tr("主文件 {file} 不存在", file=name)) from None
    newline = data.find(b"\n", 0, 65536)
    if newline < 0:
        raise Damage(tr("{file} 不完整（没有文件头，可能被截断）", file=name))
    line = data[:newline]
    try:
        header = _parse_header(line)
    except (ValueError, orjson.JSONDecodeError):
        if not line.startswith(b"{") and _looks_like_header(line):
            raise Damage(tr("{file} 的文件头校验失败，文件头已被改动或损坏", file=name)) from None
        raise Damage(
            tr("{file} 的文件头无法识别，不是本程序的数据文件或已被改动", file=name)
        ) from None
    if header["format_version"] > FORMAT_VERSION:
        raise Damage(tr("{file} 由更新版本的程序写入，请升级程序后再打开", file=name))
    body = memoryview(data)[newline + 1 :]
    length = header["length"]
    if len(body) < length:
        raise Damage(
            tr(
                "{file} 被截断（应有 {expected} 字节，只有 {actual} 字节）",
                file=name,
                expected=length,
                actual=len(body),
            )
        )
    if len(body) > length:
        raise Damage(tr("{file} 末尾多出 {n} 字节无法识别的内容", file=name, n=len(body) - length))
    if zlib.crc32(body) != header["crc32"]:
        raise Damage(tr("{file} 校验和不符，文件内容已被改动或损坏", file=name))
    if "sealed" in header:
        position = header_position(header)
        sealer = _sealer(position.store_id, name, header["sealed"])
        aad = _snapshot_aad(position.store_id, header["generation"], position.seq)
        try:
            body = memoryview(sealer.unseal(body, aad))
        except SealBroken:
            raise Damage(tr("{file} 解密校验失败，文件内容已被改动或损坏", file=name)) from None
    try:
        tables = parse_without_gc(body)
    except orjson.JSONDecodeError:
        raise Damage(tr("{file} 的内容无法解析", file=name)) from None
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise Damage(tr("{file} 的内容结构不对", file=name))
    return Snapshot(header["generation"], tables, len(data), header)


def _looks_like_header(line: bytes) -> bool:
    return SNAPSHOT_FORMAT.encode() in line


# --- journal -------------------------------------------------------------------------


@dataclass
class JournalLine:
    """One line of a journal as found: its number in the file (1 is the header), where it
    starts, its bytes (without the newline), whether it had its newline, and the record
    or why it is not one."""

    number: int
    offset: int
    raw: bytes
    complete: bool
    record: Any = None
    error: str | None = None


def scan_journal(data: bytes, name: str = "") -> Iterator[JournalLine]:
    """Every line of a journal's bytes, verified one by one, whatever comes before it.

    :func:`read_journal` stops at the first bad line; salvage reads on past it. In a
    sealed journal (its header says so) every record is sealed and is opened here: a
    record that is not, or does not open, is a bad line ("unsealed", "sealed"). Raises
    :class:`Locked` when this process does not hold the journal's key.
    """
    offset = 0
    number = 0
    size = len(data)
    sealer: Sealer | None = None
    aad = b""
    while offset < size:
        number += 1
        end = data.find(b"\n", offset)
        complete = end >= 0
        raw = data[offset:end] if complete else data[offset:]
        try:
            record = _decode_line(raw)
            error = None if complete else "incomplete"
        except ValueError as problem:
            record, error = None, str(problem)
        if number == 1 and isinstance(record, dict) and "sealed" in record:
            store_id = str(record.get("store_id", ""))
            sealer = _sealer(store_id, name or tr("日志文件"), record["sealed"])
            aad = _journal_aad(store_id)
        elif sealer is not None and error is None:
            record, error = _unsealed_record(sealer, record, aad)
        yield JournalLine(number, offset, raw, complete, record, error)
        offset = end + 1 if complete else size


def _seal_record(sealer: Sealer, payload: bytes, aad: bytes) -> str:
    return base64.b64encode(sealer.seal(payload, aad)).decode("ascii")


def _unsealed_record(sealer: Sealer, record: Any, aad: bytes) -> tuple[Any, str | None]:
    """A sealed journal record opened; (None, why) when it is not one."""
    if not isinstance(record, str):
        return None, "unsealed"
    try:
        return orjson.loads(sealer.unseal(base64.b64decode(record, validate=True), aad)), None
    except (SealBroken, binascii.Error, ValueError, orjson.JSONDecodeError):
        return None, "sealed"


@dataclass
class JournalContents:
    generation: int
    #: The position the journal continues from (that of its snapshot).
    base: Position = field(default_factory=Position)
    records: list[Any] = field(default_factory=list)
    #: The position after its last good record.
    position: Position = field(default_factory=Position)
    #: Byte offset just past the last good record.
    good_length: int = 0
    #: Bytes after good_length: an append without its newline (or zeros), to be trimmed
    #: only if the last-save record proves it was never confirmed.
    torn_bytes: int = 0
    #: Journals written before saves were numbered (format 1).
    legacy: bool = False
    #: The key its records are sealed with (None: a plain journal).
    sealer: Sealer | None = None


def journal_header(
    generation: int, position: Position | None = None, sealer: Sealer | None = None
) -> bytes:
    position = position or Position()
    header: dict[str, Any] = {
        "format": JOURNAL_FORMAT,
        "format_version": FORMAT_VERSION,
        "generation": generation,
        "seq": position.seq,
        "chain": position.chain,
        "store_id": position.store_id,
    }
    if sealer is not None:
        header["sealed"] = _sealed_header(sealer)
    return encode_line(header)


def read_journal(path: Path) -> JournalContents | None:
    """Read and verify a journal; None if there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse_journal(data, path.name)


def parse_journal(data: bytes, name: str) -> JournalContents:
    lines = scan_journal(data, name)
    first = next(lines, None)
    header = first.record if first is not None and first.complete else None
    if (
        not isinstance(header, dict)
        or header.get("format") != JOURNAL_FORMAT
        or not _is_count(header.get("generation"))
    ):
        if first is None or (not first.complete and _TORN_TAIL.match(data)):
            # The header itself was being written when the process died (format 1 wrote
            # it in place; format 2 renames a whole file into place).
            return JournalContents(generation=-1, good_length=0, torn_bytes=len(data))
        raise Damage(tr("日志文件 {file} 的文件头已损坏", file=name))
    assert first is not None  # the header came from it
    legacy = "seq" not in header
    try:
        base = Position(
            int(header.get("seq", 0)), str(header.get("chain", "")), str(header.get("store_id", ""))
        )
    except (TypeError, ValueError):
        raise Damage(tr("日志文件 {file} 的文件头已损坏", file=name)) from None
    contents = JournalContents(generation=header["generation"], base=base, legacy=legacy)
    if "sealed" in header:
        contents.sealer = keyring.sealer_for(base.store_id)
    seq, chain = base.seq, base.chain
    offset = len(first.raw) + 1
    for line in lines:
        if line.error is not None:
            rest = data[line.offset :]
            final = b"\n" not in rest[len(line.raw) + 1 :]
            if final and (not line.complete or _torn_by_sectors(data, line)):
                # The shape an append cut by a power failure leaves: no newline, or whole
                # sectors of it never written (zeros). Whether it may be trimmed depends on
                # the last-save record: only a save never confirmed may go.
                contents.torn_bytes = len(rest)
                break
            if final:
                raise Damage(
                    tr(
                        "日志文件 {file} 第 {line} 行（最后一行）校验失败：这一行是完整写入"
                        "的，却与校验和不符，说明文件被改动或损坏，不是写入被打断",
                        file=name,
                        line=line.number,
                    )
                )
            raise Damage(
                tr(
                    "日志文件 {file} 第 {line} 行校验失败，而它之后还有内容，"
                    "说明文件被改动或损坏，不只是最后一次写入被打断",
                    file=name,
                    line=line.number,
                )
            )
        record = line.record
        if not isinstance(record, dict) or not isinstance(record.get("ops"), list):
            raise Damage(
                tr("日志文件 {file} 第 {line} 行不是一条保存记录", file=name, line=line.number)
            )
        if not legacy:
            if record.get("seq") != seq + 1:
                raise Damage(
                    tr(
                        "日志文件 {file} 第 {line} 行的保存序号是 {seq}，"
                        "应为 {expected}：中间有保存记录被删去或顺序被改动",
                        file=name,
                        line=line.number,
                        seq=record.get("seq"),
                        expected=seq + 1,
                    )
                )
        seq += 1
        chain = next_chain(chain, line.raw)
        contents.records.append(record)
        offset = line.offset + len(line.raw) + 1
    contents.position = Position(seq, chain, base.store_id)
    contents.good_length = offset if contents.torn_bytes else len(data)
    return contents


def _torn_by_sectors(data: bytes, line: JournalLine) -> bool:
    """Whether a line has a whole disk sector of it (512 bytes, aligned in the file) that
    is all zeros: what an append looks like when the power failed before every sector of
    it reached the disk. A changed byte or bit never looks like this."""
    start, end = line.offset, line.offset + len(line.raw)
    sector = start - start % SECTOR
    while sector < end:
        lo, hi = max(sector, start), min(sector + SECTOR, end)
        if hi > lo and not data[lo:hi].strip(b"\x00"):
            return True
        sector += SECTOR
    return False


class JournalWriter:
    """Appends checksummed lines to the journal, each durable when append() returns.

    On POSIX the writer also holds an exclusive lock on the journal file itself for as
    long as it writes to it: a second program that got the writer lock because the lock
    file was deleted still cannot write to a journal in use.
    """

    def __init__(
        self,
        path: Path,
        fd: int,
        size: int,
        header_size: int,
        position: Position,
        sealer: Sealer | None = None,
    ) -> None:
        self.path = path
        #: The key every line is sealed with (None: a plain journal).
        self.sealer = sealer
        self._aad = _journal_aad(position.store_id)
        self._fd = fd
        self.size = size
        self.header_size = header_size
        #: The position after the last line appended (or read).
        self.position = position
        #: True when a failed append could not be taken back: bytes past ``size`` may be
        #: on disk, and the next append must cut them off before writing.
        self._dirty = False

    def where(self) -> str:
        """ "ok"; "missing" (the journal's name no longer exists, or the file was cut
        short, so saves it held are gone from disk); or "other" (the name now belongs to
        another file). Appending to an unlinked file would lose every save silently."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        mine = os.fstat(self._fd)
        if (st.st_dev, st.st_ino) != (mine.st_dev, mine.st_ino):
            return "other"
        if st.st_size < self.size:
            return "missing"
        return "ok"

    @property
    def has_records(self) -> bool:
        return self.size > self.header_size

    @classmethod
    def create(cls, path: Path, generation: int, position: Position) -> JournalWriter:
        """A fresh journal for ``generation``, replacing any old one atomically; locked
        before it takes the journal's name."""
        sealer = keyring.sealer_for(position.store_id)
        header = journal_header(generation, position, sealer)
        tmp = path.with_name(path.name + ".tmp")
        fd = FS.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, FILE_MODE)
            if not lock_file(fd):  # another writer is creating one too
                raise JournalInUse(path)
            FS.write(fd, header)
            FS.fsync(fd)
            FS.replace(tmp, path)
            fsync_folder(path.parent)
        except BaseException:
            FS.close(fd)
            _unlink_quietly(tmp)
            raise
        return cls(path, fd, len(header), len(header), position, sealer)

    @classmethod
    def open_locked(cls, path: Path) -> int | None:
        """An fd of the existing journal with its lock held; None if there is no journal.
        Raises :class:`JournalInUse` when another program holds it."""
        try:
            fd = FS.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        if not lock_file(fd):
            FS.close(fd)
            raise JournalInUse(path)
        return fd

    @classmethod
    def adopt(
        cls, path: Path, fd: int, contents: JournalContents, trim: bool = False
    ) -> JournalWriter:
        """Write on from the end of a journal read as ``contents`` (its fd from
        :meth:`open_locked`), cutting off an unconfirmed torn tail when ``trim``."""
        if trim:
            FS.truncate(fd, contents.good_length)
            FS.fsync(fd)
        size = os.fstat(fd).st_size
        with open(path, "rb") as f:
            header_size = len(f.readline())
        return cls(path, fd, size, header_size, contents.position, contents.sealer)

    def append(self, record: dict[str, Any]) -> Position:
        """Write one save (numbered next) and make it durable, or leave the file as it was
        and raise. Returns the position after it."""
        position = self.position
        record = {"seq": position.seq + 1, **record}
        if self.sealer is None:
            line = encode_line(record)
        else:
            line = encode_line(_seal_record(self.sealer, orjson.dumps(record), self._aad))
        start = self.size
        try:
            if self._dirty:
                FS.truncate(self._fd, start)
                self._dirty = False
            FS.seek(self._fd, start)
            view = memoryview(line)
            while view:
                written = FS.write(self._fd, view)
                view = view[written:]
            _sync(self._fd)
        except OSError:
            try:  # take back whatever part of the line reached the file
                FS.truncate(self._fd, start)
                FS.fsync(self._fd)
            except OSError:
                self._dirty = True
            raise
        self.size = start + len(line)
        self.position = Position(
            position.seq + 1, next_chain(position.chain, line[:-1]), position.store_id
        )
        return self.position

    def take_back(self, size: int, position: Position) -> None:
        """Cut the journal back to ``size`` (a save whose confirmation failed)."""
        try:
            FS.truncate(self._fd, size)
            FS.fsync(self._fd)
        except OSError:
            self._dirty = True
        self.size = size
        self.position = position

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            FS.close(fd)


class JournalInUse(Exception):
    """Another program holds the journal's lock: it is writing to this store."""


def lock_file(fd: int) -> bool:
    """Take an exclusive lock on the journal ``fd`` without waiting; False if another holds
    it. POSIX only: Windows locks are mandatory and would keep readers out of the file."""
    if sys.platform == "win32":  # pragma: no cover
        return True
    from grassroots_tui.store.lock import try_lock

    return try_lock(fd)


# --- the last-save record ----------------------------------------------------------


@dataclass(frozen=True)
class LastSave:
    """The newest confirmed save: its position, and when and by whom it was made."""

    seq: int
    chain: str
    store_id: str
    at: str = ""
    by: str = ""
    #: True when the store was removed on purpose (``demo --force``): no store is expected.
    removed: bool = False
    #: The newest audit entry at that save (its number and the start of its hash).
    audit_seq: int = 0
    audit_hash: str = ""

    @property
    def position(self) -> Position:
        return Position(self.seq, self.chain, self.store_id)

    def slot(self) -> bytes:
        body = {
            "format": LASTSAVE_FORMAT,
            "seq": self.seq,
            "chain": self.chain,
            "store_id": self.store_id,
            "at": self.at,
            "by": self.by[:40],
            "removed": self.removed,
            "audit_seq": self.audit_seq,
            "audit_hash": self.audit_hash[:16],
        }
        line = encode_line(body)
        if len(line) > SLOT_SIZE:  # pragma: no cover - the fields are bounded
            raise ValueError("last-save record too long")
        return line[:-1] + b" " * (SLOT_SIZE - len(line)) + b"\n"


def read_lastsave(path: Path) -> LastSave | None:
    """The newest whole slot of the last-save record; None if there is no record.
    Raises :class:`Damage` when the file is there but neither slot verifies."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    found: list[LastSave] = []
    for start in range(0, min(len(data), 2 * SLOT_SIZE), SLOT_SIZE):
        raw = data[start : start + SLOT_SIZE].rstrip(b" \n")
        try:
            body = _decode_line(raw)
        except ValueError:
            continue
        if not isinstance(body, dict) or body.get("format") != LASTSAVE_FORMAT:
            continue
        if not _is_count(body.get("seq")):
            continue
        found.append(
            LastSave(
                body["seq"],
                str(body.get("chain", "")),
                str(body.get("store_id", "")),
                str(body.get("at", "")),
                str(body.get("by", "")),
                bool(body.get("removed", False)),
                int(body.get("audit_seq", 0)) if _is_count(body.get("audit_seq", 0)) else 0,
                str(body.get("audit_hash", "")),
            )
        )
    if not found:
        raise Damage(tr("最后保存记录 {file} 已损坏（两份记录都校验失败）", file=path.name))
    return max(found, key=lambda record: record.seq)


class LastSaveWriter:
    """Keeps the last-save record: each save's record goes into the slot the previous one
    did not use, and is durable when :meth:`write` returns."""

    def __init__(self, path: Path, fd: int, last: LastSave) -> None:
        self.path = path
        self._fd = fd
        self.last = last
        self._identity = _fd_identity(fd)

    @classmethod
    def create(cls, path: Path, last: LastSave) -> LastSaveWriter:
        """A new record holding ``last`` in both slots, put in place atomically."""
        write_file_atomically(path, last.slot() * 2)
        fd = FS.open(path, os.O_RDWR)
        return cls(path, fd, last)

    def write(self, last: LastSave) -> None:
        slot = (last.seq % 2) * SLOT_SIZE
        FS.pwrite(self._fd, last.slot(), slot)
        _sync(self._fd)
        self.last = last

    def intact(self) -> bool:
        """Whether the record's name still belongs to the file this writer writes."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) == self._identity and st.st_size >= 2 * SLOT_SIZE

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            FS.close(fd)


def _fd_identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino)
