"""Putting a backup back in place of the store, keeping what it replaces."""

from __future__ import annotations

import shutil
from pathlib import Path

from grassroots_tui.store import backups
from grassroots_tui.store.errors import StoreError, StoreWriteFailed, disk_reason
from grassroots_tui.store.files import (
    Damage,
    JournalWriter,
    read_journal,
    read_snapshot,
    write_snapshot,
)
from grassroots_tui.store.lock import WriterLock
from grassroots_tui.store.log import log_event
from grassroots_tui.store.paths import StorePaths


def restore_backup(main: str | Path, backup: str | Path) -> Path | None:
    """Replace the store at ``main`` with ``backup``.

    The backup is verified first; the current store is kept in the backups folder
    (as a verified snapshot when it can be read, else its raw files are copied as they
    are). Returns where the replaced store was kept (None if there was none).
    Needs the writer lock: refuses while the program has the store open.
    """
    paths = StorePaths.for_main(main)
    backup = Path(backup)
    try:
        snapshot = read_snapshot(backup)
    except Damage as damage:
        raise StoreError(f"不能恢复：备份文件有问题（{damage}）。") from None
    except OSError as error:
        raise StoreError(f"不能恢复：读不出备份文件（{disk_reason(error)}）。") from error
    try:
        paths.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = WriterLock(paths.lock)
        lock.acquire()
    except OSError as error:
        raise StoreWriteFailed(f"不能恢复：{disk_reason(error)}。数据没有改动。") from error
    try:
        kept = _keep_current(paths)
        generation = max(_current_generation(paths), snapshot.generation) + 1
        # The main file is replaced by rename: until then the current store is untouched.
        write_snapshot(paths.main, snapshot.tables, generation)
        JournalWriter.create(paths.journal, generation).close()
        log_event(paths.log, f"restored from {backup}; the replaced store is kept at {kept}")
        return kept
    except OSError as error:
        raise StoreWriteFailed(
            f"恢复失败：{disk_reason(error)}。数据文件是完整的（仍是原来的，或已整个换成备份），"
            "排除问题后可再试一次。"
        ) from error
    finally:
        lock.release()


def _current_generation(paths: StorePaths) -> int:
    generation = 0
    try:
        generation = read_snapshot(paths.main).generation
    except (Damage, OSError):
        pass
    try:
        journal = read_journal(paths.journal)
        if journal is not None:
            generation = max(generation, journal.generation)
    except (Damage, OSError):
        pass
    return generation


def _keep_current(paths: StorePaths) -> Path | None:
    if not paths.main.exists() and not paths.journal.exists():
        return None
    try:
        from grassroots_tui.store.store import Store

        # Read without taking the lock again (we hold it): a read-only load.
        current = Store(paths)
        current._load(create=False)
        target = backups.backup_path(paths, "pre-restore")
        write_snapshot(target, current.tables, current.generation)
        return target
    except (Damage, StoreError, OSError):
        target = backups.backup_path(paths, "damaged").with_suffix("")
        target.mkdir(mode=0o700)
        for source in (paths.main, paths.journal):
            if source.exists():
                copied = target / source.name
                shutil.copy2(source, copied)
                copied.chmod(0o600)  # copy2 copies the mode of a file that may be wider
        return target
