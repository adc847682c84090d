"""The store's own event log (``<main>.log``): trims, compactions, backups, restores."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path


def log_event(path: Path, message: str) -> None:
    line = f"{datetime.now().astimezone().isoformat(timespec='seconds')} {message}\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # A path that is not UTF-8 (surrogate escapes) is logged as backslash escapes.
            os.write(fd, line.encode("utf-8", "backslashreplace"))
        finally:
            os.close(fd)
    except OSError:
        pass  # the log is a courtesy; never let it stop a save
