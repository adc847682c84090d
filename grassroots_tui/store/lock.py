"""One writer at a time, across processes.

The writer holds an exclusive OS lock on ``<main>.lock`` for as long as the store is
open, and writes who it is (pid, host, since when) into that file so a second instance
can say who holds the store. The OS releases the lock when the process dies, so a crash
never leaves a store locked.
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

    def _try_lock(fd: int) -> bool:
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

    def _try_lock(fd: int) -> bool:
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

    def acquire(self) -> None:
        """Take the lock or raise :class:`StoreLocked` naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        if not _try_lock(fd):
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
