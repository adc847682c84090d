"""Files the program writes for people: printed slips, notices, exports.

They go into ``exports/`` beside the store's main file (or where the caller says),
written atomically and readable by their owner only, like everything else.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from grassroots_tui.store.files import write_file_atomically
from grassroots_tui.store.paths import StorePaths

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def exports_folder(paths: StorePaths) -> Path:
    folder = paths.folder / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def safe_name(text: str) -> str:
    """A file name from a slip number or title: no separators or characters Windows refuses."""
    return _UNSAFE.sub("_", text).strip("_") or "export"


def write_export(
    paths: StorePaths, name: str, text: str | bytes, *, suffix: str = ".txt", to: Path | None = None
) -> Path:
    """Write ``text`` as UTF-8 (with BOM for .csv) and return where it went. ``bytes``
    (an .xlsx workbook, an already encoded file) are written as they are."""
    if to is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder, base = exports_folder(paths), f"{safe_name(name)}-{stamp}"
        to = folder / f"{base}{suffix}"
        counter = 1
        while to.exists():  # two exports in one second must not overwrite each other
            counter += 1
            to = folder / f"{base}-{counter}{suffix}"
    # CSV carries a BOM so Excel and WPS on Chinese Windows read it as UTF-8 (once only).
    if isinstance(text, bytes):
        data = text
    else:
        data = text.lstrip("\ufeff").encode("utf-8-sig" if to.suffix == ".csv" else "utf-8")
    to.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_file_atomically(to, data)
    return to
