"""Rotated snapshots beside the store, and the newest good one when the store is damaged.

A backup is a snapshot file in the same verified format as the main file, named
``YYYYMMDD-HHMMSS-<reason>.json`` in ``<main>.backups/``. Because the main file is only
ever replaced by rename and never written in place, the automatic daily backup is a hard
link to it when the file system allows (a copy otherwise). The folder is created (owner
only) whenever a backup is written, so a folder deleted by hand comes back.

Each backup's header says which store it is of and up to which save it holds, so the
store can tell when a backup holds more than the store itself (the store was cut short
or rolled back), and a damaged store's message names the backup that holds the most.
Daily backups are kept in generations: the newest :data:`DAILY_KEEP` days, the newest of
each of the last :data:`WEEKLY_KEEP` weeks and of the last :data:`MONTHLY_KEEP` months;
rotation never deletes a backup that holds more than the store beside it.

Backups of an encrypted store are sealed like its main file (the hard link *is* the main
file); :func:`reseal` seals those written before the store was encrypted.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from grassroots_tui.store.files import (
    FS,
    Damage,
    Locked,
    Position,
    fsync_folder,
    header_position,
    make_private_folder,
    read_header,
    read_lastsave,
    read_snapshot,
    write_file_atomically,
    write_snapshot,
)
from grassroots_tui.store.paths import StorePaths

DAILY_KEEP = 14
WEEKLY_KEEP = 8
MONTHLY_KEEP = 12
DAILY = "daily"


def backup_path(paths: StorePaths, reason: str, now: datetime | None = None) -> Path:
    now = now or datetime.now()
    folder = ensure_folder(paths)
    candidate = folder / f"{now:%Y%m%d-%H%M%S}-{reason}.json"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{now:%Y%m%d-%H%M%S}-{reason}-{counter}.json"
    return candidate


def ensure_folder(paths: StorePaths) -> Path:
    return make_private_folder(paths.backups)


def list_backups(paths: StorePaths, reason: str | None = None) -> list[Path]:
    """Backups, newest first."""
    if not paths.backups.is_dir():
        return []
    found = [
        p
        for p in paths.backups.glob("*.json")
        if p.is_file() and (reason is None or p.stem.split("-")[2:3] == [reason])
    ]
    return sorted(found, key=lambda p: p.name, reverse=True)


def newest_good_backup(paths: StorePaths) -> Path | None:
    for candidate in list_backups(paths):
        try:
            read_snapshot(candidate)
        except (Damage, Locked, OSError):
            continue
        return candidate
    return None


def _positions(paths: StorePaths) -> list[tuple[Path, Position]]:
    """Every backup whose header reads, with the position it holds (headers only)."""
    found = []
    for candidate in list_backups(paths):
        header = read_header(candidate)
        if header is not None:
            found.append((candidate, header_position(header)))
    return found


def best_backup(paths: StorePaths, store_id: str) -> tuple[Path, int] | None:
    """The backup of store ``store_id`` that holds the most saves, by its header (the
    newest of equals), with its save number; None when there is none."""
    best: tuple[Path, int] | None = None
    for candidate, position in _positions(paths):
        if position.store_id == store_id and (best is None or position.seq > best[1]):
            best = (candidate, position.seq)
    return best


def best_backup_path(paths: StorePaths) -> Path | None:
    """For a damaged store: the verified backup that holds the most of this store's saves
    (the store named by its last-save record, or else by its main file's header), else
    the newest verified backup."""
    store_id = ""
    try:
        last = read_lastsave(paths.lastsave)
        store_id = last.store_id if last is not None else ""
    except (Damage, Locked, OSError):
        pass
    if not store_id:
        header = read_header(paths.main)
        store_id = str(header.get("store_id", "")) if header else ""
    ranked = sorted(
        _positions(paths),
        key=lambda item: (item[1].store_id == store_id, item[1].seq, item[0].name),
        reverse=True,
    )
    for candidate, _position in ranked:
        try:
            read_snapshot(candidate)
        except (Damage, Locked, OSError):
            continue
        return candidate
    return newest_good_backup(paths)


def daily_backup_due(paths: StorePaths, today: date) -> bool:
    newest = list_backups(paths, DAILY)
    return not newest or newest[0].name[:8] < f"{today:%Y%m%d}"


def keep_snapshot(paths: StorePaths, reason: str) -> Path:
    """Keep the current main file as a backup (hard link, or a copy)."""
    target = backup_path(paths, reason)
    try:
        FS.link(paths.main, target)
    except OSError:
        # A copy written like any store file: owner only from the start, and never
        # left half-written under a backup's name.
        write_file_atomically(target, paths.main.read_bytes())
    fsync_folder(target.parent)
    return target


def _taken_on(path: Path) -> date | None:
    try:
        return datetime.strptime(path.name[:8], "%Y%m%d").date()
    except ValueError:
        return None


def rotate(
    paths: StorePaths,
    reason: str = DAILY,
    keep: int = DAILY_KEEP,
    *,
    position: Position | None = None,
) -> list[Path]:
    """Delete the backups of ``reason`` that are no longer kept; returns them.

    Daily backups are kept in generations (see the module notes); others, the newest
    ``keep``. A backup holding more saves of this store than the store itself
    (``position``) is never deleted.
    """
    found = list_backups(paths, reason)  # newest first
    kept = set(found[:keep])
    if reason == DAILY:
        weeks: dict[tuple[int, int], Path] = {}
        months: dict[tuple[int, int], Path] = {}
        for backup in found:
            day = _taken_on(backup)
            if day is None:
                kept.add(backup)  # not named by us: not ours to delete
                continue
            week = day.isocalendar()[:2]
            if week not in weeks and len(weeks) < WEEKLY_KEEP:
                weeks[week] = backup
            month = (day.year, day.month)
            if month not in months and len(months) < MONTHLY_KEEP:
                months[month] = backup
        kept |= set(weeks.values()) | set(months.values())
    if position is not None and position.store_id:
        best = best_backup(paths, position.store_id)
        if best is not None and best[1] > position.seq:
            kept.add(best[0])
    removed = []
    for old in found:
        if old not in kept:
            old.unlink(missing_ok=True)
            removed.append(old)
    return removed


def plain_backups(paths: StorePaths, store_id: str) -> list[Path]:
    """The backups of store ``store_id`` that are not sealed (headers only)."""
    found = []
    for candidate in list_backups(paths):
        header = read_header(candidate)
        if header is not None and header.get("store_id") == store_id and "sealed" not in header:
            found.append(candidate)
    return found


def reseal(paths: StorePaths, store_id: str) -> list[Path]:
    """Seal every plain backup of store ``store_id`` with its data key (which this process
    must hold), each replaced atomically; the ones sealed. A backup that does not read is
    left as it is (it is damage to report, not to hide)."""
    sealed = []
    for candidate in plain_backups(paths, store_id):
        try:
            snapshot = read_snapshot(candidate)
        except Damage:
            continue
        write_snapshot(candidate, snapshot.tables, snapshot.generation, snapshot.position)
        sealed.append(candidate)
    if sealed:
        fsync_folder(paths.backups)
    return sealed
