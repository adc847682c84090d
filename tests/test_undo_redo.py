"""Undo and redo (issue 15 §3): only one's own change of this sign-in, never a station's
or a head's creation nor a PIN change, redo as the undo of the undo, and the permission
check every write goes through."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import Household, Staff, StaffRole, Station
from grassroots_tui.services import undo as U
from grassroots_tui.services.auth import PermissionDenied, require, require_actor
from grassroots_tui.services.check import check_store
from grassroots_tui.services.staff import add_staff, create_station_with_head, update_staff
from grassroots_tui.store import NothingToUndo, Store, StoreError
from tests.factories import household, station, visit

HEAD = "李敏#staff-head"
WORKER = "张三#staff-worker"


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "station.json", daily_backup=False)
    yield s
    s.close()


def test_undo_takes_back_only_the_actors_own_change(store: Store) -> None:
    mine = store.save(household("HL01-0001"), actor=HEAD)
    theirs = store.save(household("HL01-0002", head_of_household="王秀英"), actor=WORKER)
    assert store.undo_last(HEAD) == [("household", mine.id)]
    assert store.get(Household, theirs.id) is not None  # the colleague's is kept
    with pytest.raises(NothingToUndo):
        store.undo_last(HEAD)


def test_undo_ignores_changes_before_the_sign_in(store: Store) -> None:
    store.save(household("HL01-0001"), actor=HEAD)
    signed_in = U.audit_position(store)
    with pytest.raises(NothingToUndo):
        store.undo_last(HEAD, after_seq=signed_in)
    later = store.save(household("HL01-0002"), actor=HEAD)
    assert store.undo_last(HEAD, after_seq=signed_in) == [("household", later.id)]
    with pytest.raises(NothingToUndo):
        store.undo_last(HEAD, after_seq=signed_in)
    assert store.count("household") == 1


def test_undo_by_time_ignores_changes_before_the_sign_in(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 12, 6, 9, 0).astimezone()]
    s = Store.open(tmp_path / "s.json", daily_backup=False, clock=lambda: now[0])
    try:
        s.save(household("HL01-0001"), actor=HEAD)
        now[0] += dt.timedelta(minutes=5)
        since = now[0]
        with pytest.raises(NothingToUndo):
            s.undo_last(HEAD, since=since)
        s.save(household("HL01-0002"), actor=HEAD)
        s.undo_last(HEAD, since=since)
        assert [h["household_no"] for h in s.raw("household")] == ["HL01-0001"]
    finally:
        s.close()


def test_the_creation_of_a_station_and_its_head_is_never_undone(store: Store) -> None:
    made, head = create_station_with_head(store, station(), "李敏", "2468", actor="李敏")
    with pytest.raises(StoreError, match="不能撤销"):
        store.undo_last("李敏")
    assert store.get(Station, made.id) is not None and store.get(Staff, head.id) is not None
    # Not even a head added later, on its own.
    other = add_staff(store, Staff(station_id=made.id, name="周强", role=StaffRole.HEAD), "李敏")
    with pytest.raises(StoreError, match="不能撤销站长的创建"):
        store.undo_last("李敏")
    assert store.get(Staff, other.id) is not None


def test_a_pin_change_is_never_undone(store: Store) -> None:
    _made, head = create_station_with_head(store, station(), "李敏", None, actor="setup")
    me = f"李敏#{head.id}"
    changed = update_staff(store, head, me, pin="1357")
    assert changed.pin_hash
    with pytest.raises(StoreError, match="不能撤销 PIN 的更改"):
        store.undo_last(me)
    assert store.get(Staff, head.id).pin_hash == changed.pin_hash


def test_redo_restores_what_the_undo_took_back_and_is_audited(store: Store) -> None:
    first = store.save(household("HL01-0001"), actor=HEAD)
    store.save(first.model_copy(update={"people": 8}), actor=HEAD)
    store.undo_last(HEAD)
    store.undo_last(HEAD)
    assert store.get(Household, first.id) is None
    assert store.redo_last(HEAD) == [("household", first.id)]  # the creation
    assert store.get(Household, first.id).people == 3
    store.redo_last(HEAD)  # the update
    assert store.get(Household, first.id).people == 8
    with pytest.raises(NothingToUndo, match="没有可以恢复的修改"):
        store.redo_last(HEAD)
    # Undo after redo takes the update back again; redo brings it again.
    store.undo_last(HEAD)
    assert store.get(Household, first.id).people == 3
    store.redo_last(HEAD)
    assert store.get(Household, first.id).people == 8
    actions = [e["action"] for e in store.history("household", first.id)]
    assert actions == ["create", "update", "undo", "undo", "undo", "undo", "undo", "undo"]
    assert check_store(store) == []


def test_a_new_change_ends_what_can_be_redone(store: Store) -> None:
    store.save(household("HL01-0001"), actor=HEAD)
    store.undo_last(HEAD)
    store.save(household("HL01-0002"), actor=HEAD)
    with pytest.raises(NothingToUndo):
        store.redo_last(HEAD)
    # A colleague's change does not: redo is one's own.
    store.undo_last(HEAD)
    store.save(household("HL01-0003"), actor=WORKER)
    store.redo_last(HEAD)
    assert sorted(h["household_no"] for h in store.raw("household")) == ["HL01-0002", "HL01-0003"]


def test_redo_of_an_undone_delete_deletes_again(store: Store) -> None:
    saved = store.save(household(), actor=HEAD)
    store.delete(Household, saved.id, actor=HEAD)
    store.undo_last(HEAD)
    assert store.get(Household, saved.id) is not None
    store.redo_last(HEAD)
    assert store.get(Household, saved.id) is None
    store.undo_last(HEAD)
    assert store.get(Household, saved.id) is not None
    assert check_store(store) == []


def test_undo_of_a_change_shown_earlier_refuses_another(store: Store) -> None:
    store.save(household("HL01-0001"), actor=HEAD)
    pending = U.plan(store, HEAD, StaffRole.HEAD, after_seq=0)
    store.save(household("HL01-0002"), actor=HEAD)
    with pytest.raises(StoreError, match="已不是最近的一次"):
        U.run(store, HEAD, StaffRole.HEAD, pending, after_seq=0)
    assert store.count("household") == 2


# --- the service: what it asks, and who may ------------------------------------------------


def test_plan_names_the_change_with_the_name_masked(store: Store) -> None:
    home = store.save(household("HL01-0002", head_of_household="王秀英"), actor="导入")
    store.save(
        visit(
            home.id,
            date=dt.date(2026, 12, 6),
            start_time=dt.time(10, 30),
            end_time=dt.time(11, 0),
        ),
        actor=WORKER,
    )
    pending = U.plan(store, WORKER, StaffRole.WORKER, after_seq=0)
    assert pending.text == "新增走访 王** 2026-12-06 10:30"
    assert "王秀英" not in pending.text
    U.run(store, WORKER, StaffRole.WORKER, pending, after_seq=0)
    assert store.count("visit") == 0
    redo = U.plan(store, WORKER, StaffRole.WORKER, after_seq=0, redo=True)
    assert redo.text == "新增走访 王** 2026-12-06 10:30" and redo.redo
    U.run(store, WORKER, StaffRole.WORKER, redo, after_seq=0)
    assert store.count("visit") == 1


def test_a_leader_may_not_undo_at_all(store: Store) -> None:
    store.save(household(), actor="王书记#staff-leader")
    with pytest.raises(PermissionDenied, match="包案领导无权撤销或恢复修改"):
        U.plan(store, "王书记#staff-leader", StaffRole.LEADER, after_seq=0)
    assert store.count("household") == 1


def test_undo_needs_the_permission_for_what_it_does(store: Store) -> None:
    # A worker whose role changed cannot undo the staff change they made as head.
    store.save(Staff(station_id="s", name="周强", role=StaffRole.WORKER), actor=WORKER)
    with pytest.raises(PermissionDenied, match="队员无权删除工作人员"):
        U.plan(store, WORKER, StaffRole.WORKER, after_seq=0)


def test_require_names_the_action_in_chinese() -> None:
    require("head", "staff.manage")
    require(StaffRole.WORKER, "create", "visit")
    with pytest.raises(PermissionDenied, match="^包案领导无权新增走访记录。$"):
        require(StaffRole.LEADER, "create", "visit")
    with pytest.raises(PermissionDenied, match="^队员无权管理工作人员和值班。$"):
        require("worker", "staff.manage")
    with pytest.raises(ValueError, match="不能修改这类记录"):
        require("head", "update", "audit_entry")


def test_require_actor_finds_the_signed_in_role(store: Store) -> None:
    made, head = create_station_with_head(store, station(), "李敏", None, actor="setup")
    leader = add_staff(
        store, Staff(station_id=made.id, name="王书记", role=StaffRole.LEADER), f"李敏#{head.id}"
    )
    require_actor(store, f"李敏#{head.id}", "staff.manage")
    require_actor(store, "命令行用户", "staff.manage")  # no sign-in on the command line
    with pytest.raises(PermissionDenied, match="包案领导无权修改工作人员"):
        require_actor(store, f"王书记#{leader.id}", "update", "staff")
    with pytest.raises(PermissionDenied):
        require_actor(store, "冒名#no-such-staff", "read")


def test_the_sign_in_position_without_a_recorded_audit_head(store: Store) -> None:
    assert U.audit_position(store) == 0
    store.save(household("HL01-0001"), actor=HEAD)
    store.save(household("HL01-0002"), actor=HEAD)
    assert U.audit_position(store) == 2
    store.meta.pop("audit_head")  # as in a store written before it was recorded
    assert U.audit_position(store) == 2
