"""Storage faults at the store level: each injected at the OS call it would come from.

For every fault: (1) the error is a StoreError with a Chinese message saying what
happened, (2) memory equals what re-opening the files gives, (3) every document saved
before the fault survives a reopen, (4) once the fault is gone the next save succeeds.
Faults are injected only for files under the test's store folder (other file
descriptors, such as pytest's own, are left alone).
"""

from __future__ import annotations

import copy
import errno
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grassroots_tui.services.check import check_store
from grassroots_tui.store import (
    Store,
    StoreError,
    StoreFilesChanged,
    StoreReadOnly,
    StoreWriteFailed,
)
from grassroots_tui.store import store as store_module
from grassroots_tui.store.files import read_snapshot
from tests.factories import household

#: Every fault injected by this module's tests in the last run (see the guarantees file).
INJECTED: list[str] = []


# --- helpers ------------------------------------------------------------------------------


def disk_tables(main: Path) -> dict[str, dict[str, Any]]:
    """What a second, read-only view of the store's files holds."""
    view = Store.open(main, readonly=True)
    try:
        return copy.deepcopy(view.tables)
    finally:
        view.close()


def assert_memory_matches_disk(store: Store) -> None:
    assert store.tables == disk_tables(store.paths.main)


def numbers(tables_or_store: Store | dict) -> set[str]:
    tables = tables_or_store.tables if isinstance(tables_or_store, Store) else tables_or_store
    return {d["household_no"] for d in tables.get("household", {}).values()}


def fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


class Disk:
    """Makes chosen OS calls fail for files under ``folder`` until :meth:`heal`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
        self.monkeypatch = monkeypatch
        self.folder = str(folder)
        self.failed: list[str] = []

    def _mine(self, target: Any) -> bool:
        if isinstance(target, int):
            return fd_path(target).startswith(self.folder)
        return os.fspath(target).startswith(self.folder)

    def fail(
        self,
        name: str,
        code: int,
        *,
        when: Callable[[Any], bool] = lambda target: True,
        passthrough: int = 0,
    ) -> None:
        """Fail ``os.<name>`` with ``code`` for our files matching ``when``, after letting
        ``passthrough`` matching calls through."""
        real = getattr(os, name)
        seen = {"n": 0}

        def fake(target, *args, **kwargs):
            if self._mine(target) and when(target):
                seen["n"] += 1
                if seen["n"] > passthrough:
                    label = f"{name} {errno.errorcode[code]}"
                    self.failed.append(label)
                    INJECTED.append(label)
                    if code in (errno.EACCES, errno.EPERM):
                        raise PermissionError(code, os.strerror(code))
                    raise OSError(code, os.strerror(code))
            return real(target, *args, **kwargs)

        self.monkeypatch.setattr(os, name, fake)

    def heal(self) -> None:
        self.monkeypatch.undo()


def named(suffix: str) -> Callable[[Any], bool]:
    def match(target: Any) -> bool:
        path = fd_path(target) if isinstance(target, int) else os.fspath(target)
        return path.endswith(suffix)

    return match


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "data" / "station.json", daily_backup=False)
    for n in range(3):
        s.save(household(f"SNAP-{n}"), actor="李敏")
    s.compact()
    for n in range(2):
        s.save(household(f"JOUR-{n}"), actor="李敏")
    yield s
    s.close()


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch, store: Store) -> Disk:
    return Disk(monkeypatch, store.paths.folder)


BEFORE = {"SNAP-0", "SNAP-1", "SNAP-2", "JOUR-0", "JOUR-1"}


def survives_and_recovers(store: Store, disk: Disk, *, crash: bool = False) -> None:
    """(2) memory = disk, (3) nothing saved is lost, (4) the next save works and lasts."""
    assert disk.failed, "the fault was never hit"
    assert_memory_matches_disk(store)
    assert BEFORE <= numbers(store)
    disk.heal()
    store.save(household("AFTER"), actor="李敏")
    assert_memory_matches_disk(store)
    assert check_store(store) == []
    main = store.paths.main
    if crash:
        store._release()  # no compaction at close: the journal must carry it
    else:
        store.close()
    reopened = disk_tables(main)
    assert numbers(reopened) == BEFORE | {"AFTER"}
    assert not list(main.parent.glob("*.tmp")), "a temp file was left behind"


# --- saves: the journal append ---------------------------------------------------------------

JOURNAL = named(".journal")

SAVE_FAULTS = [
    ("write", errno.ENOSPC, "磁盘空间已满"),
    ("write", errno.EIO, "磁盘读写出错"),
    ("write", errno.EROFS, "只读"),
    ("fdatasync", errno.EIO, "磁盘读写出错"),
    ("fdatasync", errno.ENOSPC, "磁盘空间已满"),
]


@pytest.mark.parametrize(("call", "code", "words"), SAVE_FAULTS)
def test_a_save_the_disk_refuses_is_reported_and_taken_back(
    store: Store, disk: Disk, call: str, code: int, words: str
) -> None:
    if call == "fdatasync" and not hasattr(os, "fdatasync"):
        call = "fsync"
    journal_before = store.paths.journal.read_bytes()
    disk.fail(call, code, when=JOURNAL)
    with pytest.raises(StoreWriteFailed) as caught:
        store.save(household("LOST"), actor="李敏")
    message = str(caught.value)
    assert words in message and "这次修改没有保存" in message
    assert "LOST" not in numbers(store)
    assert store.paths.journal.read_bytes() == journal_before
    survives_and_recovers(store, disk, crash=True)


def test_a_save_whose_sync_and_take_back_both_fail_is_overwritten_by_the_next_save(
    store: Store, disk: Disk
) -> None:
    """The whole line reached the file, fsync failed and so did the truncate that should
    take it back: the refused save must not come back at the next open."""
    sync = "fdatasync" if hasattr(os, "fdatasync") else "fsync"
    disk.fail(sync, errno.EIO, when=JOURNAL)
    disk.fail("ftruncate", errno.EIO, when=JOURNAL)
    with pytest.raises(StoreWriteFailed, match="磁盘读写出错"):
        store.save(household("LOST-BUT-LONG-" + "x" * 50), actor="李敏")
    assert all(not n.startswith("LOST") for n in numbers(store))
    disk.heal()
    store.save(household("AFTER"), actor="李敏")
    main = store.paths.main
    store._release()
    assert numbers(disk_tables(main)) == BEFORE | {"AFTER"}


# --- compaction: the snapshot's temp file, its fsync, the rename, the new journal -----------

SNAPSHOT_TMP = named("station.json.tmp")

COMPACTION_FAULTS = [
    ("open", errno.EROFS, SNAPSHOT_TMP, "只读"),
    ("open", errno.EACCES, SNAPSHOT_TMP, "只读"),
    ("write", errno.ENOSPC, SNAPSHOT_TMP, "磁盘空间已满"),
    ("fsync", errno.EIO, SNAPSHOT_TMP, "磁盘读写出错"),
    ("replace", errno.EIO, SNAPSHOT_TMP, "磁盘读写出错"),
]


@pytest.mark.parametrize(("call", "code", "when", "words"), COMPACTION_FAULTS)
def test_a_compaction_the_disk_refuses_keeps_the_journal_in_use(
    store: Store, disk: Disk, call: str, code: int, when, words: str
) -> None:
    main_before = store.paths.main.read_bytes()
    disk.fail(call, code, when=when)
    with pytest.raises(StoreWriteFailed) as caught:
        store.compact()
    message = str(caught.value)
    assert "整理数据文件失败" in message and words in message and "没有丢失" in message
    assert store.paths.main.read_bytes() == main_before
    survives_and_recovers(store, disk, crash=True)


def test_compaction_whose_folder_sync_fails_after_the_rename_loses_no_later_save(
    store: Store, disk: Disk
) -> None:
    """The new snapshot is in place but the folder sync failed: a save appended to the
    old journal would be thrown away at the next open (the snapshot is newer)."""
    folder = str(store.paths.folder)
    disk.fail("fsync", errno.EIO, when=lambda fd: fd_path(fd) == folder)
    with pytest.raises(StoreWriteFailed, match="磁盘读写出错"):
        store.compact()
    survives_and_recovers(store, disk, crash=True)


def test_compaction_whose_new_journal_cannot_be_created_loses_no_later_save(
    store: Store, disk: Disk
) -> None:
    disk.fail("open", errno.ENOSPC, when=named(".journal.tmp"))
    with pytest.raises(StoreWriteFailed, match="磁盘空间已满"):
        store.compact()
    assert read_snapshot(store.paths.main).generation == store.generation
    survives_and_recovers(store, disk, crash=True)


def test_an_automatic_compaction_that_fails_does_not_fail_the_save(
    store: Store, disk: Disk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(store_module, "COMPACT_RATIO", 1 << 30)
    disk.fail("write", errno.ENOSPC, when=SNAPSHOT_TMP)
    saved = store.save(household("SAVED"), actor="李敏")  # on disk in the journal
    assert store.get("household", saved.id) is not None
    assert "compaction failed" in store.paths.log.read_text(encoding="utf-8")
    assert_memory_matches_disk(store)
    main = store.paths.main
    store._release()
    assert numbers(disk_tables(main)) == BEFORE | {"SAVED"}


def test_a_compaction_failing_at_close_is_logged_and_the_journal_keeps_everything(
    store: Store, disk: Disk
) -> None:
    disk.fail("write", errno.ENOSPC, when=SNAPSHOT_TMP)
    store.close()  # does not raise
    assert any("磁盘空间已满" in w for w in store.warnings)
    disk.heal()
    assert numbers(disk_tables(store.paths.main)) == BEFORE


# --- backups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code", "words"),
    [("write", errno.ENOSPC, "磁盘空间已满"), ("fsync", errno.EIO, "磁盘读写出错")],
)
def test_an_explicit_backup_the_disk_refuses_leaves_no_half_file(
    store: Store, disk: Disk, call: str, code: int, words: str
) -> None:
    disk.fail(
        call,
        code,
        when=lambda target: (
            ".backups" in (fd_path(target) if isinstance(target, int) else os.fspath(target))
        ),
    )
    with pytest.raises(StoreWriteFailed) as caught:
        store.backup()
    assert "备份失败" in str(caught.value) and words in str(caught.value)
    assert list(store.paths.backups.glob("*")) == []
    survives_and_recovers_backup(store, disk)


def survives_and_recovers_backup(store: Store, disk: Disk) -> None:
    assert_memory_matches_disk(store)
    disk.heal()
    kept = store.backup()
    assert numbers(read_snapshot(kept).tables) == BEFORE
    survives_and_recovers(store, disk)


def test_a_backup_to_a_folder_that_cannot_be_created_says_it_is_read_only(
    store: Store, disk: Disk, tmp_path: Path
) -> None:
    disk.folder = str(tmp_path)
    disk.fail("mkdir", errno.EROFS, when=named("usb"))
    with pytest.raises(StoreWriteFailed, match="备份失败.*只读"):
        store.backup(to=tmp_path / "usb" / "copy.json")
    survives_and_recovers(store, disk)


def test_a_daily_backup_the_disk_refuses_does_not_stop_the_store_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "data" / "station.json"
    with Store.open(db, daily_backup=False) as s:
        s.save(household("SNAP-0"), actor="李敏")
    disk = Disk(monkeypatch, db.parent)
    disk.fail("link", errno.EPERM)  # no hard links here: the copy is tried, and fails too
    disk.fail("write", errno.ENOSPC, when=lambda fd: ".backups" in fd_path(fd))
    store = Store.open(db)
    try:
        assert not store.readonly
        assert any("自动备份没有做成" in w and "磁盘空间已满" in w for w in store.warnings)
        assert list(store.paths.backups.glob("*")) == []  # no half-written daily backup
        assert_memory_matches_disk(store)
        store.save(household("AFTER"), actor="李敏")
    finally:
        store.close()
    disk.heal()
    with Store.open(db) as again:  # the next open makes the daily backup
        assert numbers(again) == {"SNAP-0", "AFTER"}
        [daily] = again.paths.backups.glob("*-daily.json")
        assert numbers(read_snapshot(daily).tables) == {"SNAP-0", "AFTER"}


def test_a_backups_folder_deleted_while_open_is_created_again(store: Store) -> None:
    store.backup()
    shutil.rmtree(store.paths.backups)
    kept = store.backup()
    assert kept.parent == store.paths.backups
    assert stat.S_IMODE(store.paths.backups.stat().st_mode) == 0o700
    assert numbers(read_snapshot(kept).tables) == BEFORE


def test_a_backups_folder_deleted_between_runs_gets_the_daily_backup_again(
    store: Store,
) -> None:
    main = store.paths.main
    store.close()
    shutil.rmtree(store.paths.backups, ignore_errors=True)
    with Store.open(main) as again:
        [daily] = again.paths.backups.glob("*-daily.json")
        assert numbers(read_snapshot(daily).tables) == BEFORE


# --- a read-only data folder ------------------------------------------------------------------


@pytest.mark.parametrize(("code", "words"), [(errno.EROFS, "只读"), (errno.EACCES, "只读")])
def test_a_read_only_data_folder_opens_the_store_read_only_and_says_why(
    store: Store, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    main = store.paths.main
    store.close()
    disk = Disk(monkeypatch, main.parent)
    disk.fail("open", code, when=named(".lock"))
    opened = Store.open(main)
    try:
        assert opened.readonly
        assert words in opened.readonly_reason and "只读打开" in opened.readonly_reason
        assert numbers(opened) == BEFORE
        with pytest.raises(StoreReadOnly, match="只读"):
            opened.save(household("LOST"), actor="李敏")
        assert opened.tables == disk_tables(main)
    finally:
        opened.close()
    disk.heal()
    with Store.open(main) as writable:
        assert not writable.readonly
        writable.save(household("AFTER"), actor="李敏")
    assert numbers(disk_tables(main)) == BEFORE | {"AFTER"}


def test_a_new_store_in_a_folder_that_cannot_be_created_is_refused_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = Disk(monkeypatch, tmp_path)
    disk.fail("mkdir", errno.EROFS)
    with pytest.raises(StoreError, match="无法创建数据文件夹.*只读"):
        Store.open(tmp_path / "usb" / "station.json")


# --- the store's files deleted or replaced while it is open -----------------------------------


def test_main_file_deleted_while_open_is_written_again_from_memory(store: Store) -> None:
    store.paths.main.unlink()
    store.save(household("AFTER-DELETE"), actor="李敏")
    assert any("被删除" in w for w in store.warnings)
    assert_memory_matches_disk(store)
    main = store.paths.main
    store._release()
    assert numbers(disk_tables(main)) == BEFORE | {"AFTER-DELETE"}


def test_journal_deleted_while_open_is_written_again_from_memory(store: Store) -> None:
    """Appending to an unlinked journal would lose every save without a word."""
    store.paths.journal.unlink()
    store.save(household("AFTER-DELETE"), actor="李敏")
    assert_memory_matches_disk(store)
    main = store.paths.main
    store._release()
    assert numbers(disk_tables(main)) == BEFORE | {"AFTER-DELETE"}


def test_compaction_after_the_main_file_was_deleted_writes_it_again(store: Store) -> None:
    store.paths.main.unlink()
    store.compact()
    assert_memory_matches_disk(store)
    assert numbers(disk_tables(store.paths.main)) == BEFORE


def _other_store(tmp_path: Path) -> Path:
    other = tmp_path / "other" / "station.json"
    with Store.open(other, daily_backup=False) as s:
        s.save(household("OTHER"), actor="王强")
    return other


@pytest.mark.parametrize("how", ["save", "compact", "close"])
def test_main_file_replaced_while_open_is_never_overwritten(
    store: Store, tmp_path: Path, how: str
) -> None:
    other = _other_store(tmp_path)
    shutil.copyfile(other, store.paths.main)
    other_bytes = store.paths.main.read_bytes()
    memory = copy.deepcopy(store.tables)
    if how == "close":
        store.close()  # the compaction at close is refused, quietly
        assert any("换成了另一个文件" in w for w in store.warnings)
    else:
        with pytest.raises(StoreFilesChanged) as caught:
            if how == "save":
                store.save(household("LOST"), actor="李敏")
            else:
                store.compact()
        message = str(caught.value)
        assert "换成了另一个文件" in message and "只读" in message
        assert isinstance(caught.value, StoreError)
        assert store.readonly
        with pytest.raises(StoreReadOnly):
            store.save(household("LOST"), actor="李敏")
        store.close()
    assert store.paths.main.read_bytes() == other_bytes
    assert store.tables == memory  # memory kept only what was saved
    [kept] = store.paths.backups.glob("*-replaced.json")
    if how != "close":
        assert str(kept) in message
    # What the program held is on disk in that backup, nothing lost.
    assert read_snapshot(kept).tables == memory
    assert numbers(read_snapshot(kept).tables) == BEFORE


def test_journal_replaced_while_open_is_never_written_to(store: Store, tmp_path: Path) -> None:
    other = _other_store(tmp_path)
    journal = store.paths.journal
    journal.unlink()
    shutil.copyfile(other.with_name(other.name + ".journal"), journal)
    other_bytes = journal.read_bytes()
    with pytest.raises(StoreFilesChanged, match="日志文件.*换成了另一个文件"):
        store.save(household("LOST"), actor="李敏")
    store.close()
    assert journal.read_bytes() == other_bytes
    [kept] = store.paths.backups.glob("*-replaced.json")
    assert numbers(read_snapshot(kept).tables) == BEFORE


def test_a_byte_identical_copy_put_back_in_place_is_accepted(store: Store) -> None:
    copy_path = store.paths.main.with_name("copy.json")
    shutil.copy2(store.paths.main, copy_path)
    os.replace(copy_path, store.paths.main)
    store.save(household("AFTER"), actor="李敏")
    assert not store.readonly
    main = store.paths.main
    store.close()
    assert numbers(disk_tables(main)) == BEFORE | {"AFTER"}


def test_the_data_folder_gone_while_open_is_refused_and_not_recreated(
    store: Store, tmp_path: Path
) -> None:
    """A USB stick pulled out: the program must not write a new store on the mount point."""
    folder = store.paths.folder
    moved = tmp_path / "unplugged"
    folder.rename(moved)
    with pytest.raises(StoreWriteFailed, match="数据文件夹不见了"):
        store.save(household("LOST"), actor="李敏")
    assert not folder.exists()
    assert "LOST" not in numbers(store)
    moved.rename(folder)  # plugged back in
    store.save(household("AFTER"), actor="李敏")
    assert_memory_matches_disk(store)
    main = store.paths.main
    store._release()
    assert numbers(disk_tables(main)) == BEFORE | {"AFTER"}


# --- any fault, anywhere, in any order --------------------------------------------------------

FAULT_MENU = [(call, code, JOURNAL) for call, code, _words in SAVE_FAULTS] + [
    (call, code, when) for call, code, when, _words in COMPACTION_FAULTS
]
EXAMPLES = int(os.environ.get("GRASSROOTS_FAULT_EXAMPLES", "25"))


def test_random_faults_between_saves_and_compactions_lose_nothing() -> None:
    import tempfile

    from hypothesis import given, settings
    from hypothesis import strategies as st

    step = st.tuples(
        st.sampled_from(["save", "compact"]),
        st.none() | st.integers(0, len(FAULT_MENU) - 1),
    )

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(st.lists(step, min_size=1, max_size=8))
    def run(steps: list[tuple[str, int | None]]) -> None:
        with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
            main = Path(folder) / "data" / "station.json"
            store = Store.open(main, daily_backup=False)
            acknowledged: set[str] = set()
            try:
                for n, (action, fault) in enumerate(steps):
                    disk = Disk(mp, main.parent)
                    if fault is not None:
                        call, code, when = FAULT_MENU[fault]
                        if call == "fdatasync" and not hasattr(os, "fdatasync"):
                            call = "fsync"
                        disk.fail(call, code, when=when)
                    try:
                        if action == "save":
                            store.save(household(f"N-{n}"), actor="李敏")
                            acknowledged.add(f"N-{n}")
                        else:
                            store.compact()
                    except StoreWriteFailed as error:
                        assert any(w in str(error) for w in ("磁盘", "只读")), str(error)
                    disk.heal()
                    assert_memory_matches_disk(store)
                    assert numbers(store) == acknowledged
            finally:
                store._release()  # as a crash would leave it
            assert numbers(disk_tables(main)) == acknowledged

    run()
