"""The on-disk format: a checksummed snapshot plus an append-only journal.

Snapshot (the store's main file)::

    {"format": "grassroots-store", "generation": G, "length": L, "crc32": C, ...}\n
    <L bytes: the tables as one UTF-8 JSON object {kind: {id: document}}>

Journal (``<main>.journal``), one line per committed transaction::

    <crc32 of the JSON, 8 hex digits> <JSON>\n

Its first line is a header naming the snapshot generation it applies on top of. A save
appends one line and fsyncs it, so it never rewrites the whole file. Compaction writes a
new snapshot (temp file, fsync, rename, fsync of the folder) and then a fresh journal;
a journal older than the snapshot is already contained in it and is ignored.

Nothing here decides policy (when to compact, what to do with damage): it only reads,
verifies and writes bytes, and raises :class:`Damage` describing what is wrong.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

SNAPSHOT_FORMAT = "grassroots-store"
JOURNAL_FORMAT = "grassroots-journal"
FORMAT_VERSION = 1
FILE_MODE = 0o600

# What the unfinished tail of an interrupted append can look like: a prefix of
# "<8 hex> {json}", or the zero bytes a file system leaves after a power cut.
_TORN_TAIL = re.compile(rb"\A(?:[0-9a-f]{0,8}(?: [^\n]*)?|\x00+)\n?\Z")


class Damage(Exception):
    """A file failed verification. ``str()`` says what, in Chinese."""


def _sync(fd: int) -> None:
    (getattr(os, "fdatasync", None) or os.fsync)(fd)


def fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - folders cannot be fsync'd there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # a stale temp file keeps its old mode through O_TRUNC
            os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_folder(path.parent)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def read_header(path: Path) -> dict[str, Any] | None:
    """The first line of a snapshot as a dict, or None if it cannot be read as one."""
    try:
        with open(path, "rb") as f:
            line = f.readline(65536)
        header = orjson.loads(line)
    except (OSError, orjson.JSONDecodeError):
        return None
    return header if isinstance(header, dict) else None


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
    """The object on a journal line, or raise ValueError if it does not verify."""
    if len(line) < 10 or line[8:9] != b" ":
        raise ValueError("malformed")
    payload = line[9:]
    if int(line[:8], 16) != zlib.crc32(payload):
        raise ValueError("checksum")
    return orjson.loads(payload)


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


def encode_snapshot(tables: dict[str, dict[str, Any]], generation: int) -> bytes:
    body = orjson.dumps(tables)
    header = {
        "format": SNAPSHOT_FORMAT,
        "format_version": FORMAT_VERSION,
        "generation": generation,
        "length": len(body),
        "crc32": zlib.crc32(body),
        "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    return orjson.dumps(header) + b"\n" + body


def write_snapshot(path: Path, tables: dict[str, dict[str, Any]], generation: int) -> int:
    data = encode_snapshot(tables, generation)
    write_file_atomically(path, data)
    return len(data)


@dataclass
class Snapshot:
    generation: int
    tables: dict[str, dict[str, Any]]
    size: int
    header: dict[str, Any]


def read_snapshot(path: Path) -> Snapshot:
    """Read and verify a snapshot (the main file or a backup)."""
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Damage(f"主文件 {name} 不存在") from None
    newline = data.find(b"\n")
    if newline < 0:
        raise Damage(f"{name} 不完整（没有文件头，可能被截断）")
    try:
        header = orjson.loads(data[:newline])
    except orjson.JSONDecodeError:
        raise Damage(f"{name} 的文件头无法识别，不是本程序的数据文件或已被改动") from None
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        raise Damage(f"{name} 不是本程序的数据文件")
    if header.get("format_version", 0) > FORMAT_VERSION:
        raise Damage(f"{name} 由更新版本的程序写入，请升级程序后再打开")
    body = memoryview(data)[newline + 1 :]
    length = header.get("length")
    if len(body) < length:
        raise Damage(f"{name} 被截断（应有 {length} 字节，只有 {len(body)} 字节）")
    if len(body) > length:
        raise Damage(f"{name} 末尾多出 {len(body) - length} 字节无法识别的内容")
    if zlib.crc32(body) != header.get("crc32"):
        raise Damage(f"{name} 校验和不符，文件内容已被改动或损坏")
    try:
        tables = parse_without_gc(body)
    except orjson.JSONDecodeError:
        raise Damage(f"{name} 的内容无法解析") from None
    if not isinstance(tables, dict):
        raise Damage(f"{name} 的内容结构不对")
    return Snapshot(int(header.get("generation", 0)), tables, len(data), header)


# --- journal -------------------------------------------------------------------------


@dataclass
class JournalContents:
    generation: int
    records: list[Any] = field(default_factory=list)
    #: Byte offset just past the last good record.
    good_length: int = 0
    #: Bytes after good_length that are an interrupted, never-acknowledged append.
    torn_bytes: int = 0


def journal_header(generation: int) -> bytes:
    return encode_line({"format": JOURNAL_FORMAT, "generation": generation})


def read_journal(path: Path) -> JournalContents | None:
    """Read and verify a journal; None if there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    name = path.name
    lines = data.split(b"\n")
    # lines[-1] is what follows the last newline: b"" for a clean file.
    try:
        header = _decode_line(lines[0]) if len(lines) > 1 else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != JOURNAL_FORMAT:
        if len(lines) <= 2 and _TORN_TAIL.match(data):
            # The header itself was being written when the process died.
            return JournalContents(generation=-1, good_length=0, torn_bytes=len(data))
        raise Damage(f"日志文件 {name} 的文件头已损坏")
    contents = JournalContents(generation=int(header["generation"]))
    offset = len(lines[0]) + 1
    body_lines = lines[1:]
    for index, line in enumerate(body_lines):
        is_last = index == len(body_lines) - 1
        if is_last and line == b"":
            break
        complete = not is_last  # a line without its newline was never acknowledged
        record = None
        if complete:
            try:
                record = _decode_line(line)
            except ValueError:
                record = None
        if record is None:
            rest = data[offset:]
            if _TORN_TAIL.match(rest):
                contents.torn_bytes = len(rest)
                break
            raise Damage(
                f"日志文件 {name} 第 {index + 2} 行校验失败，而它之后还有内容，"
                "说明文件被改动或损坏，不只是最后一次写入被打断"
            )
        contents.records.append(record)
        offset += len(line) + 1
    contents.good_length = offset if contents.torn_bytes else len(data)
    return contents


class JournalWriter:
    """Appends checksummed lines to the journal, each durable when append() returns."""

    def __init__(self, path: Path, fd: int, size: int, header_size: int) -> None:
        self.path = path
        self._fd = fd
        self.size = size
        self.header_size = header_size
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
    def create(cls, path: Path, generation: int) -> JournalWriter:
        """A fresh journal for ``generation``, replacing any old one atomically."""
        write_file_atomically(path, journal_header(generation))
        return cls.open_existing(path)

    @classmethod
    def open_existing(cls, path: Path, truncate_to: int | None = None) -> JournalWriter:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        if truncate_to is not None:
            os.ftruncate(fd, truncate_to)
            os.fsync(fd)
        size = os.lseek(fd, 0, os.SEEK_END)
        with open(path, "rb") as f:
            header_size = len(f.readline())
        return cls(path, fd, size, header_size)

    def append(self, line: bytes) -> None:
        """Write one line and make it durable, or leave the file as it was and raise."""
        start = self.size
        try:
            if self._dirty:
                os.ftruncate(self._fd, start)
                self._dirty = False
            os.lseek(self._fd, start, os.SEEK_SET)
            view = memoryview(line)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            _sync(self._fd)
        except OSError:
            try:  # take back whatever part of the line reached the file
                os.ftruncate(self._fd, start)
                os.fsync(self._fd)
            except OSError:
                self._dirty = True
            raise
        self.size = start + len(line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
