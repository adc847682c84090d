"""One writer at a time, across processes.

The writer holds an exclusive OS lock on ``<main>.lock`` for as long as the store is
open, and writes who it is (pid, host, since when) into that file so a second instance
can say who holds the store. The OS releases the lock when the process dies, so a crash
never leaves a store locked.

An OS lock belongs to the file, not to its name: if someone deletes or replaces the lock
file, a second program would lock a new file under the same name. The writer therefore
checks before each save that the name still points at its file (:meth:`WriterLock.still_held`)
and takes the name back when it can (:meth:`WriterLock.retake`); the journal carries a
lock of its own as well (see :class:`~grassroots_tui.store.files.JournalWriter`).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path

from grassroots_tui.store.errors import StoreLocked

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    _INFO_OFFSET = 1  # the locked byte stays; the holder info follows it
else:
    import fcntl

    def try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    _INFO_OFFSET = 0


class WriterLock:
    """An exclusive, non-blocking inter-process lock with a readable holder record."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def still_held(self) -> bool:
        """Whether the lock file's name still points at the file this lock holds."""
        if self._fd is None:
            return False
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(self._fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)

    def retake(self) -> None:
        """After the lock file was deleted or replaced: lock the file now under its name.
        Raises :class:`StoreLocked` when another program holds that one."""
        old = self._fd
        self._fd = None
        try:
            self.acquire()
        except BaseException:
            self._fd = old
            raise
        if old is not None:
            try:
                _unlock(old)
            finally:
                os.close(old)

    def acquire(self) -> None:
        """Take the lock or raise :class:`StoreLocked` naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        if not try_lock(fd):
            holder = self._read_holder(fd)
            os.close(fd)
            raise StoreLocked(holder)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now().astimezone().isoformat(timespec="seconds"),
            "program": os.path.basename(sys.argv[0] or "python"),
        }
        data = json.dumps(info, ensure_ascii=False).encode("utf-8")
        self._fd = fd
        try:
            os.ftruncate(fd, _INFO_OFFSET)
            os.lseek(fd, _INFO_OFFSET, os.SEEK_SET)
            os.write(fd, data)
        except OSError:
            pass  # the lock is held; who holds it is a courtesy (a full disk may refuse it)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, _INFO_OFFSET)
            _unlock(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _read_holder(fd: int) -> dict:
        try:
            os.lseek(fd, _INFO_OFFSET, os.SEEK_SET)
            raw = os.read(fd, 4096)
            info = json.loads(raw.decode("utf-8")) if raw else {}
            return info if isinstance(info, dict) else {}
        except (OSError, ValueError):
            return {}
