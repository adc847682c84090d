"""Removing a store's files, for `grassroots demo --force` and tests.

Removal takes the writer lock first, so it refuses while any program (this process
included) has the store open for writing. Before anything is deleted the store is kept
in its backups folder as a verified snapshot named ``…-removed.json`` (restorable with
``grassroots restore``), or as raw copies of its files when it cannot be read; the last
:data:`KEEP_REMOVED` such copies are kept. The backups folder itself is never removed.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from grassroots_tui.lang import tr
from grassroots_tui.store import backups
from grassroots_tui.store.errors import StoreError, StoreLocked
from grassroots_tui.store.files import (
    Damage,
    LastSave,
    LastSaveWriter,
    fsync_folder,
    read_lastsave,
)
from grassroots_tui.store.lock import WriterLock
from grassroots_tui.store.log import log_event
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.store import Store

REMOVED = "removed"
KEEP_REMOVED = 5


def store_exists(main: str | Path) -> bool:
    """Whether a store (its main file or its journal) exists at ``main``."""
    paths = StorePaths.for_main(main)
    return paths.main.exists() or paths.journal.exists()


def remove_store(main: str | Path, *, keep_copy: bool = True) -> Path | None:
    """Delete the store whose main file is ``main``: main file, journal, key slots (of an
    encrypted store: a copy goes with the copy kept), the sign-in list kept beside it and
    temp files.

    Returns where a copy of it was kept (None when there was nothing to remove or
    ``keep_copy`` is False). Raises :class:`StoreError` (Chinese) when another program
    holds the store. The lock file stays (it is empty once released) and so does the
    backups folder; the log records the removal.
    """
    paths = StorePaths.for_main(main)
    if not paths.folder.is_dir():
        return None
    lock = WriterLock(paths.lock)
    try:
        lock.acquire()
    except StoreLocked as locked:
        holder = locked.holder
        pid = holder.get("pid", "?")
        host = holder.get("host", "")
        if host:
            message = tr(
                "不能删除数据 {file}：它正被另一个程序打开（进程 {pid}，{host}）。"
                "请先关闭该程序再试。",
                file=paths.main,
                pid=pid,
                host=host,
            )
        else:
            message = tr(
                "不能删除数据 {file}：它正被另一个程序打开（进程 {pid}）。请先关闭该程序再试。",
                file=paths.main,
                pid=pid,
            )
        raise StoreError(message) from None
    try:
        if not store_exists(paths.main):
            return None
        kept = _keep_copy(paths) if keep_copy else None
        _mark_removed(paths)
        for path in (
            paths.main,
            paths.journal,
            paths.keys,  # kept beside the copy, and in the backups folder
            paths.signin,  # staff names for the sign-in screen: nothing to keep
            paths.temp(paths.main),
            paths.temp(paths.journal),
        ):
            path.unlink(missing_ok=True)
        fsync_folder(paths.folder)
        log_event(
            paths.log,
            f"removed the store {paths.main.name}"
            + (f"; a copy is kept at {kept}" if kept is not None else ""),
        )
        return kept
    finally:
        lock.release()


def _mark_removed(paths: StorePaths) -> None:
    """Turn the last-save record into a note that the store was removed on purpose, so
    that a new store may be made here (a main file missing for any other reason is
    refused, not taken for a new store)."""
    try:
        last = read_lastsave(paths.lastsave)
    except Damage:
        last = None
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    removed = LastSave(
        last.seq if last else 0,
        last.chain if last else "",
        last.store_id if last else "",
        now,
        "删除",
        removed=True,
    )
    LastSaveWriter.create(paths.lastsave, removed).close()


def _keep_copy(paths: StorePaths) -> Path:
    """Keep the store in its backups folder: a verified snapshot, else raw copies."""
    try:
        store = Store.open(paths.main, readonly=True, daily_backup=False)
    except (StoreError, OSError):
        target = backups.backup_path(paths, f"{REMOVED}-damaged").with_suffix("")
        target.mkdir(mode=0o700)
        for source in (paths.main, paths.journal, paths.lastsave, paths.keys):
            if source.exists():
                shutil.copy2(source, target / source.name)
        return target
    try:
        kept = store.backup(to=backups.backup_path(paths, REMOVED), reason=REMOVED)
    finally:
        store.close()
    backups.rotate(paths, REMOVED, keep=KEEP_REMOVED)
    return kept
