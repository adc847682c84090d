"""Every file the store writes is readable by its owner only (0600), and every folder it
creates is 0700, even under the usual umask 022 that would make them readable by all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from grassroots_tui.store import Store
from grassroots_tui.store.exports import write_export
from grassroots_tui.store.restore import restore_backup
from grassroots_tui.store.settings import Settings, save_settings
from tests.factories import household


@pytest.fixture(autouse=True)
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_owner_only(*paths: Path) -> None:
    for path in paths:
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) == expected, f"{path}: {oct(mode(path))}"


def test_a_new_store_its_files_and_its_daily_backup(tmp_path: Path) -> None:
    db = tmp_path / "new-folder" / "station.json"
    with Store.open(db) as store:
        store.save(household(), actor="李敏")
        paths = store.paths
        assert_owner_only(paths.folder, paths.main, paths.journal, paths.lock, paths.log)
        [daily] = paths.backups.glob("*-daily.json")
        assert_owner_only(paths.backups, daily)
    assert_owner_only(paths.main, paths.journal)  # rewritten by the compaction at close


def test_explicit_backups_beside_the_store_and_in_a_new_folder(tmp_path: Path) -> None:
    with Store.open(tmp_path / "station.json", daily_backup=False) as store:
        store.save(household(), actor="李敏")
        beside = store.backup()
        usb = store.backup(to=tmp_path / "usb" / "copy.json")
        assert_owner_only(store.paths.backups, beside, usb.parent, usb)


def test_the_daily_backup_when_hard_links_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "station.json"
    Store.open(db, daily_backup=False).close()

    def no_links(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with Store.open(db) as store:
        [daily] = store.paths.backups.glob("*-daily.json")
        assert daily.stat().st_ino != store.paths.main.stat().st_ino  # a copy
        assert_owner_only(daily)


def test_a_stale_world_readable_temp_file_does_not_pass_its_mode_on(tmp_path: Path) -> None:
    with Store.open(tmp_path / "station.json", daily_backup=False) as store:
        store.save(household(), actor="李敏")
        stale = store.paths.main.with_name(store.paths.main.name + ".tmp")
        stale.write_bytes(b"left over by a crash")
        stale.chmod(0o644)
        store.compact()
        assert_owner_only(store.paths.main)


def test_exports_and_their_folders(tmp_path: Path) -> None:
    with Store.open(tmp_path / "station.json", daily_backup=False) as store:
        written = write_export(store.paths, "交办单", "交办单\n", suffix=".csv")
        elsewhere = write_export(
            store.paths, "统计", b"PK", suffix=".xlsx", to=tmp_path / "desk" / "stats.xlsx"
        )
        assert_owner_only(written.parent, written, elsewhere.parent, elsewhere)


def test_restore_keeps_the_replaced_store_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "station.json"
    with Store.open(db, daily_backup=False) as store:
        store.save(household("BEFORE"), actor="李敏")
        backup = store.backup(to=tmp_path / "copy.json")
    kept = restore_backup(db, backup)
    assert_owner_only(kept, db, db.with_name(db.name + ".journal"))


def test_restore_over_a_damaged_store_keeps_raw_copies_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "station.json"
    with Store.open(db, daily_backup=False) as store:
        store.save(household("BEFORE"), actor="李敏")
        backup = store.backup(to=tmp_path / "copy.json")
    db.write_bytes(b"not a store")  # damaged, and world-readable
    db.chmod(0o644)
    kept = restore_backup(db, backup)
    assert kept.is_dir()
    assert_owner_only(kept, *kept.iterdir())
    assert {p.name for p in kept.iterdir()} >= {"station.json"}


def test_the_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    save_settings(Settings(theme="nord"), path)
    assert_owner_only(path.parent, path)
