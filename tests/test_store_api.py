"""The store's Python API: saves, revisions, audit, undo, transactions, failures."""

from __future__ import annotations

import errno
import os
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from tinydb import Query

from grassroots_tui.models import Household
from grassroots_tui.services.check import check_store
from grassroots_tui.store import (
    NothingToUndo,
    Store,
    StoreConflict,
    StoreReadOnly,
    StoreWriteFailed,
)
from grassroots_tui.store import files as store_files
from grassroots_tui.store.paths import StorePaths
from tests.factories import household


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "station.json")
    yield s
    s.close()


def test_save_then_get_returns_the_document_with_bookkeeping(store: Store) -> None:
    saved = store.save(household("HL01-0001"), actor="李敏")
    assert saved.rev == 1
    assert saved.created_by == saved.updated_by == "李敏"
    got = store.get("household", saved.id)
    assert got == saved
    assert got.head_of_household == "张桂兰"


def test_update_increments_rev_and_keeps_creation(store: Store) -> None:
    first = store.save(household(), actor="李敏")
    second = store.save(first.model_copy(update={"people": 5}), actor="王强")
    assert second.rev == 2
    assert second.created_by == "李敏" and second.updated_by == "王强"
    assert store.get(Household, first.id).people == 5


def test_saving_a_stale_copy_is_refused(store: Store) -> None:
    first = store.save(household(), actor="a")
    store.save(first.model_copy(update={"people": 4}), actor="a")
    with pytest.raises(StoreConflict, match="已被他人修改"):
        store.save(first.model_copy(update={"people": 9}), actor="b")
    assert store.get(Household, first.id).people == 4


def test_a_save_appends_to_the_journal_and_never_rewrites_the_main_file(store: Store) -> None:
    main_before = store.paths.main.read_bytes()
    journal_before = store.paths.journal.stat().st_size
    store.save(household(), actor="a")
    assert store.paths.main.read_bytes() == main_before
    assert store.paths.journal.stat().st_size > journal_before


def test_chinese_is_written_as_utf8_text(store: Store) -> None:
    store.save(household(head_of_household="欧阳秀英"), actor="a")
    assert "欧阳秀英".encode() in store.paths.journal.read_bytes()
    store.compact()
    data = store.paths.main.read_bytes()
    assert "欧阳秀英".encode() in data and b"\\u" not in data


def test_files_are_readable_by_their_owner_only(store: Store) -> None:
    store.save(household(), actor="a")
    store.backup()
    for path in [
        store.paths.main,
        store.paths.journal,
        store.paths.lock,
        *store.paths.backups.iterdir(),
    ]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(store.paths.backups.stat().st_mode) == 0o700


def test_audit_records_who_what_and_each_changed_field(store: Store) -> None:
    saved = store.save(household(), actor="李敏")
    store.save(saved.model_copy(update={"people": 6, "grid": "二网格"}), actor="王强")
    store.delete("household", saved.id, actor="赵云")
    entries = store.history("household", saved.id)
    assert [e["action"] for e in entries] == ["create", "update", "delete"]
    assert [e["actor"] for e in entries] == ["李敏", "王强", "赵云"]
    assert entries[0]["changes"]["head_of_household"] == [None, "张桂兰"]
    assert entries[1]["changes"] == {"grid": ["一网格", "二网格"], "people": [3, 6]}
    assert entries[2]["before"]["people"] == 6
    assert check_store(store) == []


def test_undo_reverts_the_last_change_and_is_recorded(store: Store) -> None:
    saved = store.save(household(), actor="a")
    store.save(saved.model_copy(update={"people": 8}), actor="a")
    with pytest.raises(NothingToUndo):
        store.undo_last(actor="b")  # only one's own changes
    assert store.undo_last(actor="a") == [("household", saved.id)]
    assert store.get(Household, saved.id).people == 3
    actions = [e["action"] for e in store.history("household", saved.id)]
    assert actions == ["create", "update", "undo"]
    # The next undo goes one step further back: the creation.
    store.undo_last(actor="a")
    assert store.get(Household, saved.id) is None
    with pytest.raises(NothingToUndo):
        store.undo_last(actor="a")


def test_undo_of_a_delete_brings_the_document_back(store: Store) -> None:
    saved = store.save(household(), actor="a")
    store.delete(Household, saved.id, actor="a")
    store.undo_last(actor="a")
    back = store.get(Household, saved.id)
    assert back is not None and back.household_no == saved.household_no


def test_undo_survives_reopening(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.json") as s:
        saved = s.save(household(), actor="a")
        s.save(saved.model_copy(update={"people": 7}), actor="a")
    with Store.open(tmp_path / "s.json") as s:
        s.undo_last(actor="a")
        assert s.get(Household, saved.id).people == 3
        assert check_store(s) == []


def test_a_transaction_is_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction(actor="a") as tx:
            tx.save(household("A"))
            tx.save(household("B"))
            raise RuntimeError("interrupted")
    assert store.count("household") == 0
    with store.transaction(actor="a") as tx:
        tx.save(household("A"))
        tx.save(household("B"))
    assert store.count("household") == 2
    txns = {e["txn"] for e in store.raw("audit_entry") if e["target_kind"] == "household"}
    assert len(txns) == 1


def test_a_failed_disk_write_leaves_memory_and_files_as_they_were(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = store.save(household("KEEP"), actor="a")
    journal_before = store.paths.journal.read_bytes()
    tables_before = {k: dict(v) for k, v in store.tables.items()}

    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data)[:20])  # part of the line reaches the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_files.os, "write", failing_write)
    with pytest.raises(StoreWriteFailed, match="磁盘空间已满"):
        store.save(household("LOST"), actor="a")
    monkeypatch.undo()
    assert store.paths.journal.read_bytes() == journal_before
    assert {k: dict(v) for k, v in store.tables.items()} == tables_before
    # The store goes on working, and the audit chain has no gap.
    store.save(household("AFTER"), actor="a")
    assert check_store(store) == []
    store.close()
    with Store.open(store.paths.main) as again:
        numbers = {d["household_no"] for d in again.raw("household")}
        assert numbers == {"KEEP", "AFTER"}
        assert again.get(Household, kept.id) is not None


def test_tinydb_queries_and_writes_work_on_the_store(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.json") as s:
        s.save(household("A", grid="一网格"), actor="a")
        s.save(household("B", grid="二网格"), actor="a")
        found = s.table("household").search(Query().grid == "二网格")
        assert [d["household_no"] for d in found] == ["B"]
        # Writes through TinyDB's own API are journaled too.
        s.table("household").update({"people": 9}, Query().household_no == "A")
        doc_id = next(d["id"] for d in s.raw("household") if d["household_no"] == "A")
        last = s.history("household", doc_id)[-1]
        assert (last["action"], last["changes"]) == ("update", {"people": [3, 9]})
    with Store.open(tmp_path / "s.json") as s:
        assert [d["people"] for d in s.raw("household") if d["household_no"] == "A"] == [9]
        assert s.search("household", Query().people == 9)[0].household_no == "A"


def test_a_read_only_store_refuses_saves(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.json").close()
    with Store.open(tmp_path / "s.json", readonly=True) as s:
        with pytest.raises(StoreReadOnly, match="只读"):
            s.save(household(), actor="a")


def test_backup_and_restore_keep_what_they_replace(tmp_path: Path) -> None:
    from grassroots_tui.store.restore import restore_backup

    db = tmp_path / "s.json"
    with Store.open(db) as s:
        s.save(household("BEFORE"), actor="a")
        backup = s.backup(to=tmp_path / "usb" / "backup.json")
        s.save(household("AFTER"), actor="a")
    kept = restore_backup(db, backup)
    with Store.open(db) as s:
        assert {d["household_no"] for d in s.raw("household")} == {"BEFORE"}
    with Store.open(kept, readonly=True) as replaced:
        assert {d["household_no"] for d in replaced.raw("household")} == {"BEFORE", "AFTER"}


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path: Path) -> None:
    from grassroots_tui.store import StoreError
    from grassroots_tui.store.restore import restore_backup

    db = tmp_path / "s.json"
    with Store.open(db) as s:
        s.save(household("KEEP"), actor="a")
    before = db.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_bytes(before[:-5])
    with pytest.raises(StoreError, match="备份文件有问题"):
        restore_backup(db, bad)
    assert db.read_bytes() == before


def test_a_daily_backup_is_kept_and_rotated(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    Store.open(db).close()
    folder = db.with_name(db.name + ".backups")
    daily = sorted(folder.glob("*-daily.json"))
    assert len(daily) == 1
    for day in range(1, 21):
        (folder / f"2020{day // 28 + 1:02d}{day % 28 + 1:02d}-080000-daily.json").write_bytes(
            daily[0].read_bytes()
        )
    for path in folder.glob("*-daily.json"):
        if not path.name.startswith("2020"):
            path.unlink()
    Store.open(db).close()
    kept = sorted(folder.glob("*-daily.json"))
    days = [date(2020, day // 28 + 1, day % 28 + 1) for day in range(1, 21)] + [date.today()]
    assert len(kept) == len(_kept_by_rule(days)) > 14
    assert not kept[-1].name.startswith("2020")  # today's is among them


def _kept_by_rule(days: list[date]) -> set[date]:
    """The generations, stated one backup at a time: kept if among the 14 newest, or the
    newest of its week with fewer than 8 newer weeks, or of its month with fewer than 12."""
    kept = set()
    for day in days:
        newer = [d for d in days if d > day]
        week, month = day.isocalendar()[:2], (day.year, day.month)
        newest_of_week = not any(d.isocalendar()[:2] == week for d in newer)
        newest_of_month = not any((d.year, d.month) == month for d in newer)
        newer_weeks = {d.isocalendar()[:2] for d in newer} - {week}
        newer_months = {(d.year, d.month) for d in newer} - {month}
        if (
            len(newer) < 14
            or (newest_of_week and len(newer_weeks) < 8)
            or (newest_of_month and len(newer_months) < 12)
        ):
            kept.add(day)
    return kept


def test_daily_backups_are_kept_in_generations(tmp_path: Path) -> None:
    from grassroots_tui.store import backups

    paths = StorePaths.for_main(tmp_path / "s.json")
    paths.backups.mkdir()
    start = date(2024, 3, 1)
    days = [start + timedelta(days=n) for n in range(0, 600, 1) if n % 7 != 3]  # gaps too
    for day in days:
        (paths.backups / f"{day:%Y%m%d}-080000-daily.json").write_bytes(b"x")
    backups.rotate(paths)
    left = {
        date(int(p.name[:4]), int(p.name[4:6]), int(p.name[6:8]))
        for p in paths.backups.glob("*-daily.json")
    }
    assert left == _kept_by_rule(days)
    assert 14 + 8 + 12 - 6 <= len(left) <= 14 + 8 + 12


def test_rotation_never_deletes_a_backup_holding_more_than_the_store(tmp_path: Path) -> None:
    from grassroots_tui.store import backups
    from grassroots_tui.store.files import Position, read_snapshot, write_snapshot

    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        for n in range(3):
            s.save(household(f"H-{n}"), actor="a")
        position = s.position
    paths = StorePaths.for_main(db)
    snap = read_snapshot(db)
    paths.backups.mkdir(exist_ok=True)
    holding_more = paths.backups / "20200101-080000-daily.json"
    write_snapshot(
        holding_more,
        snap.tables,
        snap.generation,
        Position(position.seq + 5, "x", position.store_id),
    )
    for n in range(60):  # weekly over 14 months: 2020's is no month's newest of the last 12
        day = date(2025, 1, 1) + timedelta(days=7 * n)
        write_snapshot(paths.backups / f"{day:%Y%m%d}-080000-daily.json", {}, 1, position)
    removed = backups.rotate(paths, position=position)
    assert removed and holding_more not in removed and holding_more.exists()
    # Of another store, or not ahead of this one: rotated like any other.
    removed = backups.rotate(paths, position=Position(position.seq + 9, "", position.store_id))
    assert holding_more in removed


def test_older_documents_are_migrated_on_open_after_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots_tui.store import migrations

    db = tmp_path / "s.json"
    with Store.open(db) as s:
        s.save(household("OLD", note="旧备注"), actor="a")

    @migrations.migration("household", 1)
    def _add_prefix(doc: dict) -> dict:
        doc["note"] = "已迁移：" + doc["note"]
        return doc

    monkeypatch.setattr(Household, "SCHEMA_VERSION", 2)
    try:
        with Store.open(db) as s:
            doc = s.raw("household")[0]
            assert doc["note"] == "已迁移：旧备注"
            assert doc["schema_version"] == 2
            assert [e["actor"] for e in s.history("household", doc["id"])][-1] == (
                "system:migration"
            )
        backups = list(db.with_name(db.name + ".backups").glob("*-pre-migration.json"))
        assert len(backups) == 1
        with Store.open(backups[0], readonly=True) as old:
            assert old.raw("household")[0]["note"] == "旧备注"
    finally:
        migrations.MIGRATIONS.pop(("household", 1), None)


def test_check_names_the_first_broken_audit_entry(tmp_path: Path) -> None:
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    db = tmp_path / "s.json"
    with Store.open(db) as s:
        for n in range(3):
            s.save(household(f"H{n}"), actor="a")
    snap = read_snapshot(db)
    entries = list(snap.tables["audit_entry"].values())
    entries[1]["actor"] = "冒名"  # edited outside the program
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, readonly=True) as s:
        findings = check_store(s)
    assert len(findings) == 1
    assert findings[0].doc_id == entries[1]["id"]
    assert "第 2 条" in findings[0].message


def test_check_reports_an_invalid_document_with_its_id(tmp_path: Path) -> None:
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    db = tmp_path / "s.json"
    with Store.open(db) as s:
        saved = s.save(household(), actor="a")
    snap = read_snapshot(db)
    snap.tables["household"][saved.id]["id_number"] = "430121195803121230"
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, readonly=True) as s:
        findings = check_store(s)
    assert [f.doc_id for f in findings] == [saved.id]
    assert "身份证号" in findings[0].message


def test_an_invalid_document_is_refused_in_chinese_and_nothing_is_saved(store: Store) -> None:
    from grassroots_tui.models.errors import DocumentInvalid

    good = household()
    bad = good.model_copy(update={"people": 0, "phone": "12345"})  # bypasses validation
    with pytest.raises(DocumentInvalid) as caught:
        store.save_many([household("OK"), bad], actor="a")
    message = str(caught.value)
    assert "家庭人口" in message and "联系电话" in message
    assert store.count("household") == 0


def test_derived_views_are_kept_until_a_kind_they_read_changes(store: Store) -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(store.raw("household"))

    assert store.derived("count", ["household"], build) == 0
    assert store.derived("count", ["household"], build) == 0
    assert len(builds) == 1  # the second read was the kept value
    saved = store.save(household(), actor="李敏")
    assert store.derived("count", ["household"], build) == 1
    assert len(builds) == 2
    store.save(store.get(Household, saved.id).model_copy(update={"people": 7}), actor="李敏")
    store.derived("count", ["visit"], build)  # another name is its own view
    assert store.derived("count", ["household"], build) == 1
    assert len(builds) == 4
    store.undo_last(actor="李敏")
    store.derived("count", ["household"], build)
    assert len(builds) == 5


def test_a_derived_view_asked_with_another_token_is_built_again(store: Store) -> None:
    first, second = object(), object()
    assert store.derived("dues", ["handoff_slip"], lambda: "first", token=first) == "first"
    assert store.derived("dues", ["handoff_slip"], lambda: "again", token=first) == "first"
    assert store.derived("dues", ["handoff_slip"], lambda: "second", token=second) == "second"


def test_changed_since_names_what_changed_after_a_revision(store: Store) -> None:
    first = store.save(household("HL01-0001"), actor="李敏")
    at = store.revisions["household"]
    assert store.changed_since("household", at) == set()
    second = store.save(household("HL01-0002"), actor="李敏")
    store.delete("household", first.id, actor="李敏")
    assert store.changed_since("household", at) == {first.id, second.id}
    assert store.changed_since("household", 0) == {first.id, second.id}
    assert store.changed_since("visit", 0) == set()
    assert store.changed_since("household", at + 99) is None  # not a revision it had


def test_changed_since_gives_up_when_its_log_no_longer_reaches_back(
    store: Store, monkeypatch
) -> None:
    from grassroots_tui.store import store as store_module

    store.close()
    monkeypatch.setattr(store_module, "CHANGE_LOG", 2)
    reopened = Store.open(store.paths.main)
    try:
        for number in range(4):
            reopened.save(household(f"HL01-000{number}"), actor="李敏")
        assert reopened.changed_since("household", 0) is None
        assert len(reopened.changed_since("household", 2)) == 2
    finally:
        reopened.close()


def test_a_store_no_longer_used_is_freed_at_once(tmp_path: Path) -> None:
    import gc
    import weakref

    store = Store.open(tmp_path / "let-go.json")
    store.save(household(), actor="李敏")
    assert store.table("household").all()  # the TinyDB layer in use
    store.close()
    gone = weakref.ref(store)
    gc.disable()  # freed by reference counting alone, not by a collection
    try:
        del store
        assert gone() is None
    finally:
        gc.enable()
