"""The office's own document templates: ``templates/`` beside the store's main file.

A file there named like a built-in template (``交办单.docx``, ``催办通知书.docx`` …)
is used instead of it; the program only reads the folder. Whether a template is usable
is decided when it is filled (services/documents).
"""

from __future__ import annotations

from pathlib import Path

from grassroots_tui.lang import tr
from grassroots_tui.store.errors import StoreError

TEMPLATES_FOLDER = "templates"
#: A Word template larger than this is not a template (a scanned letterhead is ~1 MB).
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


def templates_folder(store_path: Path) -> Path:
    """``templates/`` beside the store's main file (it may not exist)."""
    return Path(store_path).parent / TEMPLATES_FOLDER


def read_template(folder: Path | None, name: str) -> tuple[Path, bytes] | None:
    """The office's ``name`` (e.g. ``交办单.docx``) in ``folder``: its path and bytes, or
    None when there is none."""
    if folder is None:
        return None
    path = folder / name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(
            tr("无法读取模板 {file}：{reason}", file=path, reason=error.strerror or error)
        ) from error
    if size > MAX_TEMPLATE_BYTES:
        raise StoreError(
            tr(
                "模板 {file} 太大（{size} MB，上限 {limit} MB），不像是 Word 模板。",
                file=path,
                size=size // (1024 * 1024),
                limit=MAX_TEMPLATE_BYTES // (1024 * 1024),
            )
        )
    try:
        return path, path.read_bytes()
    except OSError as error:
        raise StoreError(
            tr("无法读取模板 {file}：{reason}", file=path, reason=error.strerror or error)
        ) from error
