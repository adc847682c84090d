"""Every service that writes, or that puts residents' data out unmasked, checks the
operator's role itself (issue 18 §1): called directly, with no screen in front, each
of the four roles is refused exactly where the permission table says, with
:class:`PermissionDenied` naming the role and the action in Chinese, and nothing is
written; where the table allows, the call goes through.

The table is driven by ``services/auth.py``'s :data:`PERMISSIONS` (and, for unmasked
output, the station's ``unmasked_roles``, by default the head only): a service that
lost its check, or checked the wrong action, fails here for the role it lets through.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from grassroots_tui.models import (
    Assistance,
    AssistanceForm,
    HardshipCase,
    HardshipCause,
    HardshipTier,
    LeaveRequest,
    ReviewCycle,
    SlipSource,
    Staff,
    StaffRole,
    Station,
    SupervisionCheck,
)
from grassroots_tui.models.supervision import CheckItem, Rating
from grassroots_tui.services import condolence as C
from grassroots_tui.services import hardship as H
from grassroots_tui.services import rosters as R
from grassroots_tui.services import slips as S
from grassroots_tui.services import supervision as SV
from grassroots_tui.services import undo as U
from grassroots_tui.services.auth import PermissionDenied, can
from grassroots_tui.services.disclosure import (
    UNMASKED_ACTION,
    UnmaskedRefused,
    authorize_unmasked,
    may_unmask,
)
from grassroots_tui.services.household_import import apply_import, preview_import, read_ledger
from grassroots_tui.services.households import save_household
from grassroots_tui.services.slip_print import export_slip, record_reminder
from grassroots_tui.services.staff import add_staff, update_station
from grassroots_tui.services.visits import save_visit
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, visit
from tests.factories import station as a_station
from tests.sign_in_helpers import actor_of, add_member

CAL = OfficialCalendar()
TODAY = dt.date(2026, 12, 7)
ROLES = list(StaffRole)
#: Who may produce unmasked output when the station has not said otherwise.
UNMASKED = "unmasked"


@dataclass(frozen=True)
class World:
    db: Path
    actors: dict[StaffRole, str]
    ids: dict[StaffRole, str]
    slip: str
    overdue_slip: str
    round: str
    ledger: Path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("permissions")
    db = folder / "data" / "g.json"
    store = Store.open(db, daily_backup=False)
    try:
        store.save_many([a_station(), household("HL01-0001", id="home-1")], actor="setup")
        members = {
            role: add_member(store, f"成员{n}", role, "2468", staff_id=f"staff-{role.value}")
            for n, role in enumerate(ROLES)
        }
        case = H.open_case(
            store,
            HardshipCase(
                household_id="home-1",
                tier=HardshipTier.DEEP,
                causes=[HardshipCause.ILLNESS],
                paired_cadre="staff-worker",
                opened_on=dt.date(2026, 11, 1),
                review_cycle=ReviewCycle.MONTHLY,
            ),
            "setup",
        )
        found = C.start_round(
            store,
            title="冬季慰问",
            started_on=dt.date(2026, 12, 1),
            station_id=STATION_ID,
            tier=None,
            actor="setup",
        )
        assert found.items[0].case_id == case.id
        save_visit(store, _a_visit("staff-worker", id="visit-1"), "setup")
        station = store.get(Station, STATION_ID)
        assert station is not None
        drafted = S.save_draft(store, _draft(station, "路灯不亮"), "setup")
        late = S.save_draft(store, _draft(station, "井盖缺失"), "setup")
        S.issue(store, late.id, on=dt.date(2026, 10, 20), actor="setup", calendar=CAL)
    finally:
        store.close()
    ledger = folder / "台账.csv"
    ledger.write_text(
        "户号,户主姓名,身份证号,联系电话,地址,网格,人口数,标签\n"
        "HL01-0009,刘芳,,,湘龙小区1栋,一网格,2,\n",
        encoding="utf-8",
    )
    return World(
        db,
        {role: actor_of(member) for role, member in members.items()},
        {role: member.id for role, member in members.items()},
        drafted.id,
        late.id,
        found.id,
        ledger,
    )


def _draft(station: Station, title: str):
    return S.draft_slip(
        station,
        source=SlipSource.WALK_IN,
        category="物业纠纷",
        title=title,
        description=f"{title}，张桂兰反映",
        household_id="home-1",
        person_name="张桂兰",
        handling_unit="湘龙物业公司",
    )


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    """A private copy of the template store (each case writes, or must not)."""
    folder = tmp_path / "data"
    shutil.copytree(template.db.parent, folder)
    return World(
        folder / template.db.name,
        template.actors,
        template.ids,
        template.slip,
        template.overdue_slip,
        template.round,
        template.ledger,
    )


# -- the cases: (action in the table, or UNMASKED; the call) --------------------------------

Call = Callable[[Store, World, StaffRole], Any]


def _a_visit(visitor_id: str, **fields: Any):
    return visit(
        "home-1",
        visitor_id,
        date=dt.date(2026, 12, 6),
        start_time=dt.time(10, 30),
        end_time=dt.time(11, 0),
        **fields,
    )


def _visit(store: Store, w: World, role: StaffRole) -> Any:
    return save_visit(store, _a_visit(w.ids[role]), w.actors[role])


def _edit_visit(store: Store, w: World, role: StaffRole) -> Any:
    logged = store.get("visit", "visit-1")
    return save_visit(store, logged.model_copy(update={"greeting": "身体还好"}), w.actors[role])


def _household(store: Store, w: World, role: StaffRole) -> Any:
    home = store.get("household", "home-1")
    return save_household(store, home.model_copy(update={"people": 5}), w.actors[role])


def _new_household(store: Store, w: World, role: StaffRole) -> Any:
    return save_household(store, household("HL01-0002"), w.actors[role])


def _assistance(store: Store, w: World, role: StaffRole) -> Any:
    (case,) = store.raw("hardship_case")
    given = Assistance(
        case_id=case["id"],
        date=dt.date(2026, 12, 1),
        form=AssistanceForm.CONDOLENCE_MONEY,
        amount=Decimal("500"),
        source="民政",
        handler="刘帮扶",
    )
    return H.add_assistance(store, given, w.actors[role])


def _condolence_done(store: Store, w: World, role: StaffRole) -> Any:
    found = C.get_round(store, w.round)
    case_id = found.items[0].case_id
    return C.mark_done(
        store, w.round, case_id, given="棉被", by="刘帮扶", on=TODAY, actor=w.actors[role]
    )


def _draft_slip(store: Store, w: World, role: StaffRole) -> Any:
    station = store.get(Station, STATION_ID)
    return S.save_draft(store, _draft(station, "楼道堆物"), w.actors[role])


def _issue(store: Store, w: World, role: StaffRole) -> Any:
    return S.issue(store, w.slip, on=TODAY, actor=w.actors[role], calendar=CAL)


def _remind(store: Store, w: World, role: StaffRole) -> Any:
    return record_reminder(
        store, w.overdue_slip, today=TODAY, by="赵督导", actor=w.actors[role], calendar=CAL
    )


def _supervise(store: Store, w: World, role: StaffRole) -> Any:
    check = SupervisionCheck(
        station_id=STATION_ID,
        supervisor_id="staff-supervisor",
        date=dt.date(2026, 12, 3),
        time=dt.time(9, 0),
        checked_items=[CheckItem.ATTENDANCE],
        findings="到岗正常",
        rating=Rating.GOOD,
    )
    return SV.record_check(store, check, w.actors[role])


def _duty(store: Store, w: World, role: StaffRole) -> Any:
    return R.set_day(
        store,
        station_id=STATION_ID,
        day=dt.date(2026, 12, 8),
        staff_ids=["staff-worker"],
        actor=w.actors[role],
    )


def _leave(store: Store, w: World, role: StaffRole) -> Any:
    leave = LeaveRequest(
        staff_id="staff-worker",
        start_date=dt.date(2026, 12, 21),
        end_date=dt.date(2026, 12, 22),
        reason="家中有事",
        requested_on=TODAY,
    )
    return R.request_leave(store, leave, w.actors[role])


def _add_staff(store: Store, w: World, role: StaffRole) -> Any:
    newcomer = Staff(station_id=STATION_ID, name="周强", role=StaffRole.WORKER)
    return add_staff(store, newcomer, w.actors[role])


def _station(store: Store, w: World, role: StaffRole) -> Any:
    station = store.get(Station, STATION_ID)
    return update_station(
        store, station.model_copy(update={"phone": "0731-84000000"}), w.actors[role]
    )


def _import(store: Store, w: World, role: StaffRole) -> Any:
    preview = preview_import(store.raw("household"), STATION_ID, read_ledger(w.ledger), TODAY)
    return apply_import(store, preview, w.actors[role])


def _print_unmasked(store: Store, w: World, role: StaffRole) -> Any:
    text = export_slip(store, w.slip, actor=w.actors[role], unmasked=True, where="屏幕")
    assert "张桂兰" in text
    return text


def _round_unmasked(store: Store, w: World, role: StaffRole) -> Any:
    text = C.export_round(store, w.round, unmasked=True, actor=w.actors[role], where="屏幕")
    assert "张桂兰" in text
    return text


def _backup_elsewhere(store: Store, w: World, role: StaffRole) -> Any:
    # What `grassroots backup --to` asks before it copies (cli/store_commands.py).
    return authorize_unmasked(store, w.actors[role], "备份整个数据到别处", 7, where="/media/u")


CASES: dict[str, tuple[str, Call]] = {
    "new visit": ("visit.create", _visit),
    "edit visit": ("visit.edit", _edit_visit),
    "edit household": ("household.edit", _household),
    "new household": ("household.edit", _new_household),
    "hardship assistance": ("household.edit", _assistance),
    "condolence tick": ("household.edit", _condolence_done),
    "draft slip": ("slip.issue|supervision.create", _draft_slip),
    "issue slip": ("slip.issue", _issue),
    "record reminder": ("slip.board", _remind),
    "supervision check": ("supervision.create", _supervise),
    "duty shift": ("staff.manage", _duty),
    "leave request": ("staff.manage", _leave),
    "add staff": ("staff.manage", _add_staff),
    "station settings": ("station.settings", _station),
    "import ledger": ("household.import", _import),
    "print slip unmasked": (UNMASKED, _print_unmasked),
    "export round unmasked": (UNMASKED, _round_unmasked),
    "backup elsewhere": (UNMASKED, _backup_elsewhere),
}


def allowed(action: str, role: StaffRole) -> bool:
    if action == UNMASKED:
        return role is StaffRole.HEAD  # the default unmasked_roles
    return any(can(role, one) for one in action.split("|"))


def _state(store: Store) -> dict[str, int]:
    """How many documents of each kind, audit entries included."""
    return {kind: store.count(kind) for kind in store.kinds()} | {
        "revs": sum(d.get("rev", 0) for kind in store.kinds() for d in store.raw(kind))
    }


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("case", list(CASES))
def test_each_service_refuses_exactly_the_roles_the_table_refuses(
    world: World, case: str, role: StaffRole
) -> None:
    action, call = CASES[case]
    with Store.open(world.db, daily_backup=False) as store:
        before = _state(store)
        if allowed(action, role):
            call(store, world, role)
            assert _state(store) != before  # it did write (or record the disclosure)
            return
        with pytest.raises(PermissionDenied) as refused:
            call(store, world, role)
        assert _state(store) == before, "refused, yet something was written"
    message = str(refused.value)
    assert message.startswith(f"{role.label}无权") and message.endswith("。")
    if action == UNMASKED:
        assert message == f"{role.label}无权{UNMASKED_ACTION}。"


def test_the_matrix_covers_every_action_a_service_can_need() -> None:
    from grassroots_tui.services.auth import ACTIONS

    covered = {one for action, _ in CASES.values() for one in action.split("|")}
    # read is everyone's; undo is tested below, with the role taken from the store.
    assert set(ACTIONS) - covered == {"read", "undo"}


# -- the station decides who may output unmasked ---------------------------------------------


def test_the_station_may_allow_its_supervisor_and_nobody_else(world: World) -> None:
    with Store.open(world.db, daily_backup=False) as store:
        station = store.get(Station, STATION_ID)
        update_station(
            store,
            station.model_copy(update={"unmasked_roles": [StaffRole.SUPERVISOR]}),
            world.actors[StaffRole.HEAD],
        )
        assert may_unmask(store, world.actors[StaffRole.SUPERVISOR])
        assert not may_unmask(store, world.actors[StaffRole.HEAD])
        _print_unmasked(store, world, StaffRole.SUPERVISOR)
        with pytest.raises(PermissionDenied, match=f"^站长无权{UNMASKED_ACTION}。$"):
            _print_unmasked(store, world, StaffRole.HEAD)
        # Only the head may change the setting.
        with pytest.raises(PermissionDenied, match="督导无权修改群工站"):
            update_station(
                store,
                station.model_copy(update={"unmasked_roles": list(StaffRole)}),
                world.actors[StaffRole.SUPERVISOR],
            )


def test_unmasked_output_is_recorded_before_it_is_produced(world: World) -> None:
    head = world.actors[StaffRole.HEAD]
    with Store.open(world.db, daily_backup=False) as store:
        seen: list[int] = []
        original = store.record_access

        def record(*args: Any, **kwargs: Any) -> None:
            seen.append(store.count("audit_entry"))
            original(*args, **kwargs)
            seen.append(store.count("audit_entry"))

        store.record_access = record  # type: ignore[method-assign]
        export_slip(store, world.slip, actor=head, unmasked=True, where="/tmp/a.html")
        assert seen and seen[1] == seen[0] + 1
        (entry,) = [e for e in store.history("handoff_slip", world.slip) if e["action"] == "export"]
    assert entry["actor"] == head
    assert entry["note"].startswith("未遮蔽输出：打印交办单")
    assert (
        "共 1 条记录" in entry["note"] and head in entry["note"] and "/tmp/a.html" in entry["note"]
    )


@pytest.mark.parametrize(
    "actor",
    ["站长", "成员1", "", "成员1#staff-nobody"],
    ids=["a typed name", "a staff name without id", "nobody", "an unknown id"],
)
def test_unmasked_output_needs_a_signed_in_member(world: World, actor: str) -> None:
    with Store.open(world.db, daily_backup=False) as store:
        before = store.count("audit_entry")
        with pytest.raises(UnmaskedRefused):
            export_slip(store, world.slip, actor=actor, unmasked=True)
        assert store.count("audit_entry") == before


def test_a_head_without_a_pin_may_not_output_unmasked(world: World) -> None:
    with Store.open(world.db, daily_backup=False) as store:
        no_pin = add_member(store, "没设PIN", StaffRole.HEAD, None)
        assert not may_unmask(store, actor_of(no_pin))
        with pytest.raises(UnmaskedRefused, match="没有设置 PIN"):
            export_slip(store, world.slip, actor=actor_of(no_pin), unmasked=True)


def test_undo_takes_the_role_from_the_store_not_from_the_caller(world: World) -> None:
    """A script passing role="head" for a leader gets the leader's refusal."""
    with Store.open(world.db, daily_backup=False) as store:
        leader = world.actors[StaffRole.LEADER]
        with pytest.raises(PermissionDenied, match="^包案领导无权撤销或恢复修改。$"):
            U.plan(store, leader, StaffRole.HEAD, after_seq=0)
