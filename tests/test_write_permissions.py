"""The permission check every write in services/ goes through (issue 15 §3): a signed-in
staff member (``name#id``) whose role may not make a change is refused in Chinese,
naming the action, before anything is written; the screens are not the only guard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import Household, Staff, StaffRole
from grassroots_tui.models.audit import actor_label
from grassroots_tui.services.auth import PermissionDenied, verify_pin
from grassroots_tui.services.household_import import apply_import, preview_import, read_ledger
from grassroots_tui.services.households import save_household
from grassroots_tui.services.staff import (
    add_staff,
    create_station_with_head,
    retire_staff,
    update_staff,
    update_station,
)
from grassroots_tui.services.visits import save_visit
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station, visit


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "station.json", daily_backup=False)
    yield s
    s.close()


@pytest.fixture
def people(store: Store) -> dict[str, tuple[Staff, str]]:
    """The station's head (PIN 2468), a worker and a leader, with their audit actors."""
    _made, head = create_station_with_head(store, station(), "李敏", "2468", actor="首次设置")
    head_actor = actor_label(head.name, head.id)
    found = {"head": (head, head_actor)}
    for key, name, role in (
        ("worker", "张三", StaffRole.WORKER),
        ("leader", "王书记", StaffRole.LEADER),
    ):
        member = add_staff(store, Staff(station_id=STATION_ID, name=name, role=role), head_actor)
        found[key] = (member, actor_label(member.name, member.id))
    return found


def a_visit(visitor_id: str, household_id: str):
    return visit(
        household_id,
        visitor_id,
        date=dt.date(2026, 12, 6),
        start_time=dt.time(10, 30),
        end_time=dt.time(11, 0),
    )


def test_a_worker_cannot_change_the_heads_pin(store: Store, people) -> None:
    head, _ = people["head"]
    _, worker = people["worker"]
    with pytest.raises(PermissionDenied, match="^队员无权修改工作人员。$"):
        update_staff(store, head, worker, pin="1111")
    with pytest.raises(PermissionDenied):
        update_staff(store, head, worker, clear_pin=True)
    now = store.get(Staff, head.id)
    assert verify_pin("2468", now.pin_hash, now.pin_salt)


def test_a_leader_cannot_add_retire_staff_or_change_the_station(store: Store, people) -> None:
    worker, _ = people["worker"]
    _, leader = people["leader"]
    before = store.count("staff")
    with pytest.raises(PermissionDenied, match="包案领导无权新增工作人员"):
        add_staff(store, Staff(station_id=STATION_ID, name="周强", role=StaffRole.HEAD), leader)
    with pytest.raises(PermissionDenied):
        retire_staff(store, worker.id, leader)
    with pytest.raises(PermissionDenied, match="包案领导无权修改群工站"):
        update_station(store, station(name="别的站"), leader)
    assert store.count("staff") == before and store.get(Staff, worker.id).active


def test_the_head_may_manage_staff_and_the_station(store: Store, people) -> None:
    head, head_actor = people["head"]
    worker, _ = people["worker"]
    update_staff(store, head, head_actor, pin="1357")
    retire_staff(store, worker.id, head_actor)
    current = store.get("station", STATION_ID)
    renamed = current.model_copy(update={"name": "湘龙新站"})
    assert update_station(store, renamed, head_actor).name == "湘龙新站"


def test_a_leader_cannot_log_or_change_a_visit_but_a_worker_can(store: Store, people) -> None:
    worker, worker_actor = people["worker"]
    _, leader = people["leader"]
    home = save_household(store, household(), worker_actor)
    with pytest.raises(PermissionDenied, match="^包案领导无权新增走访记录。$"):
        save_visit(store, a_visit(worker.id, home.id), leader)
    assert store.count("visit") == 0
    saved = save_visit(store, a_visit(worker.id, home.id), worker_actor)
    with pytest.raises(PermissionDenied, match="包案领导无权修改走访记录"):
        save_visit(store, saved.model_copy(update={"notes": "改"}), leader)
    assert store.get_raw("visit", saved.id)["notes"] == ""


def test_a_leader_cannot_keep_the_registry_or_import_a_ledger(
    store: Store, people, tmp_path: Path
) -> None:
    _, leader = people["leader"]
    _, worker = people["worker"]
    with pytest.raises(PermissionDenied, match="包案领导无权新增住户"):
        save_household(store, household(), leader)
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "户号,户主姓名,身份证号,联系电话,地址,网格,人口数,标签\n"
        "HL01-0009,刘芳,,,湘龙小区1栋,一网格,2,\n",
        encoding="utf-8",
    )
    preview = preview_import([], STATION_ID, read_ledger(ledger), dt.date(2026, 12, 6))
    with pytest.raises(PermissionDenied, match="队员无权导入住户台账"):
        apply_import(store, preview, worker)
    assert store.count(Household) == 0


def test_an_actor_naming_no_staff_member_is_refused(store: Store, people) -> None:
    with pytest.raises(PermissionDenied):
        save_household(store, household(), "冒名#no-such-staff")
    assert store.count(Household) == 0


# --- slips, rosters, hardship, supervision: the same check through the shared helpers ------


def test_a_leader_cannot_draft_a_slip_but_the_head_can(store: Store, people) -> None:
    from grassroots_tui.models import SlipSource
    from grassroots_tui.services import slips

    _, leader = people["leader"]
    _, head = people["head"]
    draft = slips.draft_slip(
        store.get("station", STATION_ID),
        source=SlipSource.WALK_IN,
        category="其他",
        title="路灯不亮",
        description="三栋门口路灯坏了",
    )
    with pytest.raises(PermissionDenied, match="包案领导无权新增交办单"):
        slips.save_draft(store, draft, leader)
    assert store.count("handoff_slip") == 0
    assert slips.save_draft(store, draft, head).title == "路灯不亮"


def test_a_leader_cannot_open_a_hardship_case(store: Store, people) -> None:
    from grassroots_tui.models import CaseStatus, HardshipCase, HardshipCause, HardshipTier
    from grassroots_tui.services import hardship

    worker, worker_actor = people["worker"]
    _, leader = people["leader"]
    home = save_household(store, household(), worker_actor)
    case = HardshipCase(
        household_id=home.id,
        tier=HardshipTier.DEEP,
        causes=[HardshipCause.ILLNESS],
        paired_cadre=worker.id,
        opened_on=dt.date(2026, 1, 31),
        status=CaseStatus.ACTIVE,
    )
    with pytest.raises(PermissionDenied, match="包案领导无权新增困难帮扶档案"):
        hardship.open_case(store, case, leader)
    assert store.count("hardship_case") == 0
    hardship.open_case(store, case, worker_actor)
    assert store.count("hardship_case") == 1


def test_a_refused_document_in_a_transaction_writes_none_of_it(store: Store, people) -> None:
    from grassroots_tui.models import DutyShift
    from grassroots_tui.services.auth import guarded_delete, guarded_transaction

    worker, worker_actor = people["worker"]
    head, head_actor = people["head"]
    shift = DutyShift(station_id=STATION_ID, date=dt.date(2026, 12, 7), staff_ids=[worker.id])
    home = household()
    with pytest.raises(PermissionDenied, match="队员无权新增值班"):
        with guarded_transaction(store, worker_actor) as tx:
            tx.save(home)  # allowed for a worker
            tx.save(shift)  # not: rosters are the head's
    assert store.count(Household) == 0 and store.count("duty_shift") == 0
    with guarded_transaction(store, head_actor) as tx:
        tx.save(shift)
    with pytest.raises(PermissionDenied, match="队员无权删除值班"):
        guarded_delete(store, "duty_shift", shift.id, worker_actor)
    assert store.count("duty_shift") == 1


def test_a_supervisor_may_draft_a_slip_from_a_check_but_not_issue_one() -> None:
    from grassroots_tui.services.auth import require

    require(StaffRole.SUPERVISOR, "create", "handoff_slip")
    with pytest.raises(PermissionDenied, match="督导无权修改交办单"):
        require(StaffRole.SUPERVISOR, "update", "handoff_slip")
    with pytest.raises(PermissionDenied, match="包案领导无权新增督导记录"):
        require(StaffRole.LEADER, "create", "supervision_check")
