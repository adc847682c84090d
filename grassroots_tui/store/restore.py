"""Putting a backup back in place of the store, keeping what it replaces."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from grassroots_tui.lang import tr
from grassroots_tui.store import backups
from grassroots_tui.store.errors import StoreError, StoreWriteFailed, disk_reason
from grassroots_tui.store.files import (
    Damage,
    JournalWriter,
    LastSave,
    LastSaveWriter,
    Position,
    Snapshot,
    make_private_folder,
    new_store_id,
    next_chain,
    read_header,
    read_journal,
    read_lastsave,
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
        raise StoreError(tr("不能恢复：备份文件有问题（{problem}）。", problem=damage)) from None
    except OSError as error:
        raise StoreError(
            tr("不能恢复：读不出备份文件（{reason}）。", reason=disk_reason(error))
        ) from error
    try:
        make_private_folder(paths.folder)
        lock = WriterLock(paths.lock)
        lock.acquire()
    except OSError as error:
        raise StoreWriteFailed(
            tr("不能恢复：{reason}。数据没有改动。", reason=disk_reason(error))
        ) from error
    try:
        kept = _keep_current(paths)
        generation = max(_current_generation(paths), snapshot.generation) + 1
        position = _restored_position(paths, snapshot, backup)
        # The main file is replaced by rename: until then the current store is untouched.
        write_snapshot(paths.main, snapshot.tables, generation, position)
        JournalWriter.create(paths.journal, generation, position).close()
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        LastSaveWriter.create(
            paths.lastsave, LastSave(position.seq, position.chain, position.store_id, now, "恢复")
        ).close()
        log_event(paths.log, f"restored from {backup}; the replaced store is kept at {kept}")
        return kept
    except OSError as error:
        raise StoreWriteFailed(
            tr(
                "恢复失败：{reason}。数据文件是完整的（仍是原来的，或已整个换成备份），"
                "排除问题后可再试一次。",
                reason=disk_reason(error),
            )
        ) from error
    finally:
        lock.release()


def _restored_position(paths: StorePaths, snapshot: Snapshot, backup: Path) -> Position:
    """The restored store goes on as the same store (when the current one is known) and
    its save numbers go on past every number it or its backups ever reached, so no older
    backup looks newer than it afterwards."""
    store_id = ""
    highest = snapshot.position.seq
    try:
        last = read_lastsave(paths.lastsave)
        if last is not None and not last.removed:
            store_id, highest = last.store_id, max(highest, last.seq)
    except (Damage, OSError):
        pass
    header = read_header(paths.main)
    if header is not None:
        store_id = store_id or str(header.get("store_id", ""))
        highest = max(highest, int(header.get("seq", 0)))
    store_id = store_id or snapshot.position.store_id or new_store_id()
    best = backups.best_backup(paths, store_id)
    if best is not None:
        highest = max(highest, best[1])
    chain = next_chain(snapshot.position.chain, f"restored from {backup.name}".encode())
    return Position(highest + 1, chain, store_id)


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
        write_snapshot(target, current.tables, current.generation, current.position)
        return target
    except (Damage, StoreError, OSError):
        target = backups.backup_path(paths, "damaged").with_suffix("")
        target.mkdir(mode=0o700)
        for source in (paths.main, paths.journal, paths.lastsave):
            if source.exists():
                copied = target / source.name
                shutil.copy2(source, copied)
                copied.chmod(0o600)  # copy2 copies the mode of a file that may be wider
        return target
