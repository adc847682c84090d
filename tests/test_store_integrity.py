"""A confirmed save is never dropped silently, and damage is never called "an interrupted
write": the damage an independent tester found, one test each, plus the lock file
deleted under a running writer and read-only opens racing a compaction.

Every refusal leaves the files exactly as they were and names the backup that helps.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from grassroots_tui.store import Store, StoreDamaged, StoreError, StoreReadOnly
from grassroots_tui.store.files import read_journal, read_snapshot
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.restore import restore_backup
from tests.factories import household

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_SAVES = 10
JOURNAL_SAVES = 20


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def _refused(db: Path, *words: str, readonly: bool = False) -> StoreDamaged:
    before = _fingerprint(db.parent)
    with pytest.raises(StoreDamaged) as caught:
        Store.open(db, readonly=readonly)
    assert _fingerprint(db.parent) == before, "a damaged store must not be written to"
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return caught.value


@pytest.fixture
def quit_store(tmp_path: Path) -> Path:
    """Saves in the snapshot and more in the journal, left as a crash would leave them."""
    db = tmp_path / "station.json"
    store = Store.open(db)
    for n in range(SNAPSHOT_SAVES):
        store.save(household(f"S-{n:03d}"), actor="李敏")
    store.compact()
    for n in range(JOURNAL_SAVES):
        store.save(household(f"J-{n:03d}"), actor="李敏")
    store._release()
    return db


def _journal(db: Path) -> Path:
    return StorePaths.for_main(db).journal


# --- the journal truncated ---------------------------------------------------------------


def test_a_journal_cut_anywhere_is_refused_naming_the_missing_saves(quit_store: Path) -> None:
    journal = _journal(quit_store)
    data = journal.read_bytes()
    header_end = data.index(b"\n") + 1
    base = read_journal(journal).base.seq
    total = base + JOURNAL_SAVES
    boundaries = [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    cuts = sorted(set(boundaries[:-1]) | set(range(header_end, len(data), 97)))
    for cut in cuts:
        journal.write_bytes(data[:cut])
        # An oracle apart from the reader: whole lines left after the header.
        whole = data[header_end:cut].count(b"\n")
        first_missing = base + whole + 1
        damaged = _refused(quit_store, f"缺少第 {first_missing}", "最后一次", "李敏")
        if first_missing < total:
            assert f"到第 {total} 次保存" in str(damaged)
        assert damaged.newest_backup is not None
    journal.write_bytes(data)
    with Store.open(quit_store) as store:
        assert store.count("household") == SNAPSHOT_SAVES + JOURNAL_SAVES
    print(f"[integrity] journal cut at {len(cuts)} places: {len(cuts)} refused, 0 silent")


def test_a_journal_cut_is_refused_by_check_too(quit_store: Path) -> None:
    journal = _journal(quit_store)
    data = journal.read_bytes()
    journal.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 1])
    _refused(quit_store, "缺少第", readonly=True)


def test_saves_missing_behind_the_newest_backup_are_refused(quit_store: Path) -> None:
    """The last-save record gone too: the newest backup still knows of later saves."""
    store = Store.open(quit_store, daily_backup=False)
    kept = store.backup()
    store.close()
    paths = StorePaths.for_main(quit_store)
    snapshot = read_snapshot(quit_store)
    older = paths.folder / "older.json"
    from grassroots_tui.store.files import Position, write_snapshot

    position = snapshot.position
    write_snapshot(
        older, {}, snapshot.generation, Position(1, "", position.store_id)
    )  # what an older copy of the main file would say
    older.replace(quit_store)
    paths.journal.unlink()
    paths.lastsave.unlink()
    damaged = _refused(quit_store, kept.name, f"含有到第 {position.seq} 次")
    assert damaged.newest_backup == kept


# --- the snapshot header -----------------------------------------------------------------


def test_any_bit_changed_in_the_snapshot_header_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "station.json"
    with Store.open(db, daily_backup=False) as store:
        for n in range(5):
            store.save(household(f"H-{n}"), actor="李敏")
    with Store.open(db, daily_backup=False) as store:
        store.backup()
        for n in range(3):
            store.save(household(f"K-{n}"), actor="李敏")
        store._release()
    original = db.read_bytes()
    header_length = original.index(b"\n")
    for index in range(header_length):
        for bit in (0x01, 0x08):
            damaged = bytearray(original)
            damaged[index] ^= bit
            db.write_bytes(bytes(damaged))
            for readonly in (False, True):
                refusal = _refused(db, readonly=readonly)
                assert refusal.newest_backup is not None
            with pytest.raises(StoreError, match="备份文件有问题"):
                restore_backup(tmp_path / "elsewhere.json", db)
    db.write_bytes(original)
    with Store.open(db) as store:
        assert store.count("household") == 8  # the journal was never thrown away
    print(f"[integrity] snapshot header: {header_length * 2} bit flips, each refused 3 ways")


def test_a_damaged_length_in_a_format_1_header_is_refused_not_a_type_error(
    tmp_path: Path,
) -> None:
    import orjson

    db = tmp_path / "station.json"
    body = orjson.dumps({"household": {}})
    for length in ('"12"', "null", "-1", "1.5", "true", "[]"):
        header = b'{"format":"grassroots-store","format_version":1,"generation":1,'
        header += b'"length":' + length.encode() + b',"crc32":0}'
        db.write_bytes(header + b"\n" + body)
        _refused(db, "文件头")
        _refused(db, "文件头", readonly=True)
        with pytest.raises(StoreError, match="备份文件有问题"):
            restore_backup(tmp_path / "other.json", db)


# --- the last journal record -------------------------------------------------------------


def test_a_byte_changed_in_the_last_journal_record_is_refused(quit_store: Path) -> None:
    journal = _journal(quit_store)
    data = bytearray(journal.read_bytes())
    last_start = data.rindex(b"\n", 0, len(data) - 1) + 1
    for offset in (last_start + 3, last_start + 40, len(data) - 2):
        damaged = bytearray(data)
        damaged[offset] ^= 0x04
        journal.write_bytes(bytes(damaged))
        _refused(quit_store, "最后一行", "校验失败")
    log = StorePaths.for_main(quit_store).log
    assert not log.exists() or "trimmed" not in log.read_text(encoding="utf-8")


def test_an_unconfirmed_last_record_is_trimmed_only_in_the_shape_a_power_cut_leaves(
    quit_store: Path,
) -> None:
    """A sixth save written but never confirmed: torn at a sector (zeros where a sector
    never reached the disk, the newline there) it is trimmed; whole but with a changed
    byte it is damage, whatever the last-save record says."""
    journal = _journal(quit_store)
    data = journal.read_bytes()
    last = data[data.rindex(b"\n", 0, len(data) - 1) + 1 :]
    assert len(last) > 1024
    appended = bytearray(last)
    first_whole_sector = -len(data) % 512
    appended[first_whole_sector : first_whole_sector + 512] = bytes(512)
    journal.write_bytes(data + bytes(appended))
    with Store.open(quit_store, daily_backup=False) as store:
        assert store.count("household") == SNAPSHOT_SAVES + JOURNAL_SAVES
    flipped = bytearray(last)
    flipped[40] ^= 0x04
    journal.write_bytes(journal.read_bytes() + bytes(flipped))
    _refused(quit_store, "最后一行", "校验失败")


# --- the main file missing ---------------------------------------------------------------


def test_a_missing_main_file_is_never_taken_for_a_new_store(tmp_path: Path) -> None:
    db = tmp_path / "station.json"
    with Store.open(db) as store:
        for n in range(5):
            store.save(household(f"H-{n}"), actor="李敏")
    tomorrow = datetime.now().astimezone() + timedelta(days=1)
    with Store.open(db, clock=lambda: tomorrow) as store:  # its daily backup holds the five
        store.save(household("H-5"), actor="李敏")
    db.unlink()
    damaged = _refused(db, "不见了", "grassroots restore")
    assert not db.exists()
    assert damaged.newest_backup is not None
    restore_backup(db, damaged.newest_backup)
    with Store.open(db) as store:
        assert {f"H-{n}" for n in range(5)} <= {d["household_no"] for d in store.raw("household")}


@pytest.mark.parametrize("left", ["journal", "lastsave", "log", "backups"])
def test_any_file_of_a_store_left_means_it_is_not_new(tmp_path: Path, left: str) -> None:
    db = tmp_path / "station.json"
    with Store.open(db) as store:
        store.save(household("H-0"), actor="李敏")
    paths = StorePaths.for_main(db)
    for name in ("journal", "lastsave", "log", "backups", "main"):
        path = getattr(paths, name)
        if name != left and path.is_dir():
            for child in path.iterdir():
                child.unlink()
            path.rmdir()
        elif name != left:
            path.unlink(missing_ok=True)
    _refused(db, "不见了")


def test_a_new_store_where_nothing_of_one_exists(tmp_path: Path) -> None:
    db = tmp_path / "new" / "station.json"
    with Store.open(db) as store:
        assert store.count("household") == 0
        store.save(household("H-0"), actor="李敏")
    assert StorePaths.for_main(db).lastsave.exists()


# --- one writer, even if the lock file goes ---------------------------------------------


def _writer_whose_lock_file_is_deleted(tmp_path: Path) -> tuple[Path, Store, StorePaths]:
    db = tmp_path / "station.json"
    first = Store.open(db, daily_backup=False)
    first.save(household("A-0"), actor="甲")
    paths = StorePaths.for_main(db)
    paths.lock.unlink()
    return db, first, paths


def test_a_deleted_lock_file_lets_no_second_writer_in(tmp_path: Path) -> None:
    db, first, paths = _writer_whose_lock_file_is_deleted(tmp_path)
    second = Store.open(db, daily_backup=False)
    try:
        assert second.readonly and "被删除或替换" in (second.readonly_reason or "")
        with pytest.raises(StoreReadOnly):
            second.save(household("B-0"), actor="乙")
    finally:
        second.close()
    first.save(household("A-1"), actor="甲")  # takes its lock file back
    assert any("已重新取得写入权" in note for note in first.warnings)
    assert paths.lock.exists()
    third = Store.open(db, daily_backup=False)
    try:
        assert third.readonly  # the lock file is the first writer's again
    finally:
        third.close()
    first.close()
    with Store.open(db) as store:
        assert {d["household_no"] for d in store.raw("household")} == {"A-0", "A-1"}


def test_a_writer_whose_lock_file_another_holds_stops_writing(tmp_path: Path) -> None:
    from grassroots_tui.store.lock import WriterLock

    db, first, paths = _writer_whose_lock_file_is_deleted(tmp_path)
    other = WriterLock(paths.lock)
    other.acquire()
    try:
        with pytest.raises(StoreReadOnly, match="另一个程序"):
            first.save(household("A-1"), actor="甲")
        assert first.readonly
    finally:
        other.release()
        first.close()
    with Store.open(db) as store:
        assert {d["household_no"] for d in store.raw("household")} == {"A-0"}


_WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from grassroots_tui.store import Store, StoreError
    from tests.factories import household
    store = Store.open({db!r}, daily_backup=False)
    print("READONLY" if store.readonly else "WRITER", flush=True)
    deadline = time.monotonic() + {seconds}
    n = 0
    while time.monotonic() < deadline:
        try:
            store.save(household("{prefix}-%05d" % n), actor="{prefix}")
        except StoreError as error:
            print("REFUSED", type(error).__name__, flush=True)
            break
        print("SAVED {prefix}-%05d" % n, flush=True)
        n += 1
    store.close()
    """
)


def _writer(db: Path, prefix: str, seconds: float) -> subprocess.Popen:
    code = _WRITER.format(root=str(ROOT), db=str(db), seconds=seconds, prefix=prefix)
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


@pytest.mark.slow
def test_delete_the_lock_and_start_a_second_writer_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "station.json"
    Store.open(db, daily_backup=False).close()
    first = _writer(db, "A", 3.0)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "WRITER"
    assert first.stdout.readline().startswith("SAVED")
    StorePaths.for_main(db).lock.unlink()
    second = _writer(db, "B", 1.0)
    out_second, _ = second.communicate(timeout=60)
    out_first, _ = first.communicate(timeout=60)
    confirmed = {
        line.split()[1]
        for line in (out_first + out_second).splitlines()
        if line.startswith("SAVED")
    }
    assert out_second.splitlines()[0] in ("READONLY", "WRITER")
    assert not any(line.startswith("SAVED B") for line in out_second.splitlines())
    with Store.open(db, readonly=True) as store:
        on_disk = {d["household_no"] for d in store.raw("household")}
    assert len(confirmed) > 10
    assert confirmed <= on_disk, f"lost: {sorted(confirmed - on_disk)[:5]}"


# --- read-only opens racing a compaction -------------------------------------------------

_COMPACTOR = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from grassroots_tui.store import Store
    from tests.factories import household
    store = Store.open({db!r}, daily_backup=False)
    print("READY", flush=True)
    deadline = time.monotonic() + {seconds}
    n = 0
    while time.monotonic() < deadline:
        store.save(household("C-%05d" % n), actor="整理")
        if n % 2:
            store.compact()
        n += 1
    store.close()
    print("COMPACTIONS", n // 2, flush=True)
    """
)


def _race_read_only_opens_with_compactions(tmp_path: Path, seconds: float) -> None:
    db = tmp_path / "station.json"
    with Store.open(db, daily_backup=False) as store:
        store.save_many([household(f"P-{n:04d}") for n in range(40)], actor="预置")
    code = _COMPACTOR.format(root=str(ROOT), db=str(db), seconds=seconds)
    writer = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "READY"
    opens = 0
    false_alarms: list[str] = []
    while writer.poll() is None:
        try:
            view = Store.open(db, readonly=True)
        except StoreDamaged as damage:
            false_alarms.append(str(damage))
            continue
        assert view.count("household") >= 40
        view.close()
        opens += 1
    out = writer.communicate(timeout=30)[0]
    compactions = int(out.split()[-1])
    print(f"[integrity] {opens} read-only opens during {compactions} compactions, 0 false alarms")
    assert writer.returncode == 0
    assert not false_alarms, false_alarms[:3]
    assert opens > 20 * seconds and compactions > 10 * seconds


@pytest.mark.slow
def test_read_only_opens_during_compactions_never_report_damage(tmp_path: Path) -> None:
    _race_read_only_opens_with_compactions(tmp_path, 6.0)


@pytest.mark.soak
def test_read_only_opens_during_compactions_never_report_damage_soak(tmp_path: Path) -> None:
    _race_read_only_opens_with_compactions(tmp_path, 60.0)


# --- closing and folders -----------------------------------------------------------------


def test_close_never_raises_a_raw_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "station.json"
    store = Store.open(db, daily_backup=False)
    store.save(household("H-0"), actor="李敏")
    real_close = os.close

    def failing_close(fd: int) -> None:
        real_close(fd)
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "close", failing_close)
    store.close()  # must not raise
    monkeypatch.undo()
    with Store.open(db) as again:
        assert again.count("household") == 1


def test_folders_the_store_makes_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "a" / "b" / "station.json"
        with Store.open(db) as store:
            store.save(household("H-0"), actor="李敏")
            target = store.backup(to=tmp_path / "usb" / "x" / "copy.json")
    finally:
        os.umask(old)
    for folder in (
        tmp_path / "a",
        tmp_path / "a" / "b",
        StorePaths.for_main(db).backups,
        tmp_path / "usb",
        tmp_path / "usb" / "x",
    ):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert read_snapshot(target).tables["household"]


def test_a_save_waits_for_its_last_save_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save whose last-save record cannot be written is not confirmed, and is taken
    back from the journal: memory and disk stay equal."""
    from grassroots_tui.store import StoreWriteFailed, files

    db = tmp_path / "station.json"
    store = Store.open(db, daily_backup=False)
    store.save(household("H-0"), actor="李敏")

    def full(fd: int, data: bytes, offset: int) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.FS, "pwrite", full)
    with pytest.raises(StoreWriteFailed, match="磁盘空间已满"):
        store.save(household("H-1"), actor="李敏")
    monkeypatch.undo()
    assert store.count("household") == 1
    store.save(household("H-2"), actor="李敏")
    store._release()
    time.sleep(0)
    with Store.open(db) as again:
        assert {d["household_no"] for d in again.raw("household")} == {"H-0", "H-2"}


# --- what check proves about the last-save record and the backups ------------------------


def _report(db: Path):
    from grassroots_tui.services.check import check_report

    with Store.open(db, readonly=True) as view:
        return check_report(view)


def test_check_says_the_journal_reaches_the_last_save_and_the_audit_head(
    quit_store: Path,
) -> None:
    with Store.open(quit_store):
        pass  # a normal quit: compacted, last-save record up to date
    report = _report(quit_store)
    assert report.sound, report.findings
    total = read_snapshot(quit_store).position.seq  # the close compacted every save
    assert total > SNAPSHOT_SAVES + JOURNAL_SAVES
    assert any(f"到第 {total} 次保存，与最后保存记录一致" in line for line in report.checked)
    assert any("审计记录链的最后一条" in line for line in report.checked)
    assert any("没有比数据新的" in line for line in report.checked)


def test_check_names_a_missing_last_save_record(quit_store: Path) -> None:
    StorePaths.for_main(quit_store).lastsave.unlink()
    report = _report(quit_store)
    assert any("最后保存记录" in f.message and "不见了" in f.message for f in report.findings)


def test_check_names_an_audit_head_that_differs_from_the_last_save_record(
    quit_store: Path,
) -> None:
    from grassroots_tui.store.files import LastSave, LastSaveWriter, read_lastsave

    paths = StorePaths.for_main(quit_store)
    last = read_lastsave(paths.lastsave)
    assert last is not None and last.audit_seq == SNAPSHOT_SAVES + JOURNAL_SAVES
    forged = LastSave(
        last.seq, last.chain, last.store_id, last.at, last.by, audit_seq=last.audit_seq + 1
    )
    LastSaveWriter.create(paths.lastsave, forged).close()
    report = _report(quit_store)
    assert any("审计记录链的最后一条" in f.message for f in report.findings)


def test_check_names_a_damaged_backup_that_would_be_offered(quit_store: Path) -> None:
    with Store.open(quit_store, daily_backup=False) as store:
        kept = store.backup()
    data = bytearray(kept.read_bytes())
    data[-10] ^= 0x01
    kept.write_bytes(bytes(data))
    report = _report(quit_store)
    assert any(kept.name in f.message and "读不出来" in f.message for f in report.findings)


# --- a store written before saves were numbered ------------------------------------------


def test_a_format_1_store_opens_whole_and_is_upgraded(tmp_path: Path) -> None:
    """Format 1: a header line without its own checksum, journal lines without numbers."""
    import zlib

    import orjson

    from grassroots_tui.store.files import encode_line, read_lastsave

    db = tmp_path / "old.json"
    with Store.open(db, daily_backup=False) as store:
        store.save(household("OLD-0"), actor="李敏")
        store.save(household("OLD-1"), actor="李敏")
        tables = store.tables
        body = orjson.dumps(tables)
    header = {
        "format": "grassroots-store",
        "format_version": 1,
        "generation": 3,
        "length": len(body),
        "crc32": zlib.crc32(body),
    }
    paths = StorePaths.for_main(db)
    extra = next(iter(tables["household"].values()))
    ops = [["put", "household", "legacy-2", {**extra, "id": "legacy-2", "household_no": "OLD-2"}]]
    journal = encode_line({"format": "grassroots-journal", "generation": 3})
    journal += encode_line({"ops": ops})
    db.write_bytes(orjson.dumps(header) + b"\n" + body)
    paths.journal.write_bytes(journal)
    paths.lastsave.unlink()
    with Store.open(db, daily_backup=False) as store:
        assert {d["household_no"] for d in store.raw("household")} >= {"OLD-0", "OLD-1", "OLD-2"}
        assert not store.warnings  # nothing was missing: it is simply older
    snapshot = read_snapshot(db)
    assert snapshot.header["format_version"] == 2 and snapshot.position.store_id
    last = read_lastsave(paths.lastsave)
    assert last is not None and last.seq == snapshot.position.seq
