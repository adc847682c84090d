"""Rotated snapshots beside the store, and the newest good one when the store is damaged.

A backup is a snapshot file in the same verified format as the main file, named
``YYYYMMDD-HHMMSS-<reason>.json`` in ``<main>.backups/``. Because the main file is only
ever replaced by rename and never written in place, the automatic daily backup is a hard
link to it when the file system allows (a copy otherwise). The folder is created (owner
only) whenever a backup is written, so a folder deleted by hand comes back.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from grassroots_tui.store.files import (
    Damage,
    fsync_folder,
    read_snapshot,
    write_file_atomically,
)
from grassroots_tui.store.paths import StorePaths

DAILY_KEEP = 14
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
    paths.backups.mkdir(mode=0o700, parents=True, exist_ok=True)
    return paths.backups


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
        except (Damage, OSError):
            continue
        return candidate
    return None


def daily_backup_due(paths: StorePaths, today: date) -> bool:
    newest = list_backups(paths, DAILY)
    return not newest or newest[0].name[:8] < f"{today:%Y%m%d}"


def keep_snapshot(paths: StorePaths, reason: str) -> Path:
    """Keep the current main file as a backup (hard link, or a copy)."""
    target = backup_path(paths, reason)
    try:
        os.link(paths.main, target)
    except OSError:
        # A copy written like any store file: owner only from the start, and never
        # left half-written under a backup's name.
        write_file_atomically(target, paths.main.read_bytes())
    fsync_folder(target.parent)
    return target


def rotate(paths: StorePaths, reason: str = DAILY, keep: int = DAILY_KEEP) -> list[Path]:
    removed = []
    for old in list_backups(paths, reason)[keep:]:
        old.unlink(missing_ok=True)
        removed.append(old)
    return removed
