"""Files the program writes for people: printed slips, notices, exports.

They go into ``exports/`` beside the store's main file (or where the caller says),
written atomically and readable by their owner only, like everything else: each folder
made for them, the ones on the way included, is 0700.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from grassroots_tui.store.files import make_private_folder, write_file_atomically
from grassroots_tui.store.paths import StorePaths

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def exports_folder(paths: StorePaths) -> Path:
    # mkdir(parents=True) would make the missing folders above it 0755 (its mode is the
    # last one's only).
    return make_private_folder(paths.folder / "exports")


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
    make_private_folder(to.parent)
    write_file_atomically(to, data)
    return to
