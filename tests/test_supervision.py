"""督导 (services/supervision.py): recording checks, rectifications and turning one into a
draft handoff slip, and the monthly report against the target of 3 stations a day, from
a hand-computed fixture."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from grassroots_tui.models import (
    CheckItem,
    HandoffSlip,
    Rating,
    Rectification,
    RectificationState,
    SlipSource,
    SlipState,
    Staff,
    StaffRole,
    SupervisionCheck,
)
from grassroots_tui.services import supervision as S
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import STATION_ID, station

D = dt.date
CODES = ("HL01", "HL02", "HL03", "HL04")
SID = {code: station(code).id for code in CODES}


def ticking_clock(start: dt.datetime = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)):
    minutes = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(minutes))


def open_store(path: Path) -> Store:
    store = Store.open(path, clock=ticking_clock(), daily_backup=False)
    store.save_many(
        [
            *(station(code) for code in CODES),
            Staff(id="sup-zhou", name="周督导", role=StaffRole.SUPERVISOR),
            Staff(id="sup-wu", name="吴督导", role=StaffRole.SUPERVISOR),
            Staff(id="sup-idle", name="安督导", role=StaffRole.SUPERVISOR),
            Staff(id="sup-gone", name="钱督导", role=StaffRole.SUPERVISOR, active=False),
            Staff(id="leader", name="郑领导", role=StaffRole.LEADER),
            Staff(id="worker", station_id=STATION_ID, name="张三"),
        ],
        actor="setup",
    )
    return store


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "g.json")
    yield s
    s.close()


def check(
    code: str = "HL01",
    day: D = D(2026, 3, 3),
    supervisor: str = "sup-zhou",
    hour: int = 9,
    **fields,
) -> SupervisionCheck:
    values = dict(
        station_id=SID[code],
        supervisor_id=supervisor,
        date=day,
        time=dt.time(hour, 0),
        checked_items=[CheckItem.ATTENDANCE, CheckItem.SLIPS],
        findings="到岗正常",
        rating=Rating.GOOD,
    )
    values.update(fields)
    return SupervisionCheck(**values)


# -- recording -------------------------------------------------------------------------------


def test_record_check_and_its_refusals(store: Store) -> None:
    saved = S.record_check(store, check(), "周督导")
    assert saved.rev == 1 and store.get(SupervisionCheck, saved.id) is not None
    edited = S.record_check(store, saved.model_copy(update={"findings": "台账不全"}), "周督导")
    assert edited.rev == 2
    assert S.record_check(store, check(supervisor="leader"), "x").supervisor_id == "leader"
    with pytest.raises(S.SupervisionRefused, match="找不到被督导的群工站"):
        S.record_check(store, check().model_copy(update={"station_id": "nowhere"}), "x")
    with pytest.raises(S.SupervisionRefused, match="找不到督导人员"):
        S.record_check(store, check(supervisor="nobody"), "x")
    with pytest.raises(S.SupervisionRefused, match="张三 的角色是“队员”"):
        S.record_check(store, check(supervisor="worker"), "x")
    with pytest.raises(S.SupervisionRefused, match="钱督导 已不在岗"):
        S.record_check(store, check(supervisor="sup-gone"), "x")
    bad_link = Rectification(description="补台账", due_date=D(2026, 3, 10), slip_id="no-slip")
    with pytest.raises(S.SupervisionRefused, match="关联的交办单（no-slip）不存在"):
        S.record_check(store, check(rectifications=[bad_link]), "x")


def with_items(store: Store) -> SupervisionCheck:
    items = [
        Rectification(
            id="r-1", description="交办单台账未及时登记。请三日内补齐", due_date=D(2026, 3, 10)
        ),
        Rectification(id="r-2", description="值班表未上墙", due_date=D(2026, 3, 6)),
    ]
    return S.record_check(store, check(rectifications=items), "周督导")


def test_set_rectification(store: Store) -> None:
    saved = with_items(store)
    done = S.set_rectification(store, saved.id, "r-2", done=True, actor="周督导")
    assert [r.state for r in done.rectifications] == [
        RectificationState.OPEN,
        RectificationState.DONE,
    ]
    assert [item["id"] for _, item in S.open_rectifications(store)] == ["r-1"]
    again = S.set_rectification(store, saved.id, "r-2", done=False, actor="周督导")
    assert again.rectifications[1].state is RectificationState.OPEN and again.rev == 3
    with pytest.raises(S.SupervisionRefused, match="找不到这项整改"):
        S.set_rectification(store, saved.id, "r-9", done=True, actor="x")
    with pytest.raises(S.SupervisionRefused, match="找不到督导记录"):
        S.set_rectification(store, "no-check", "r-1", done=True, actor="x")


def test_rectification_to_slip(store: Store) -> None:
    saved = with_items(store)
    slip = S.rectification_to_slip(store, saved.id, "r-1", actor="周督导")
    assert isinstance(slip, HandoffSlip) and slip.rev == 1
    assert slip.state is SlipState.DRAFTED and slip.number is None
    assert slip.source is SlipSource.STREET_OFFICE
    assert slip.station_id == SID["HL01"]
    assert slip.title == "督导整改：交办单台账未及时登记"
    assert "周督导" in slip.description and "2026-03-10" in slip.description
    linked = store.get(SupervisionCheck, saved.id)
    assert linked.rectifications[0].slip_id == slip.id
    assert linked.rectifications[1].slip_id is None
    audit = store.raw("audit_entry")
    created = next(e for e in audit if e["target_id"] == slip.id and e["action"] == "create")
    linking = [e for e in audit if e["target_id"] == saved.id and e["txn"] == created["txn"]]
    assert [e["changes"]["rectifications"][1][0]["slip_id"] for e in linking] == [slip.id]
    with pytest.raises(S.SupervisionRefused, match="已经开了交办单（草稿：督导整改"):
        S.rectification_to_slip(store, saved.id, "r-1", actor="周督导")
    S.set_rectification(store, saved.id, "r-2", done=True, actor="周督导")
    with pytest.raises(S.SupervisionRefused, match="已经完成"):
        S.rectification_to_slip(store, saved.id, "r-2", actor="周督导")


# -- the month report ------------------------------------------------------------------------


def month_fixture(store: Store) -> None:
    """周督导: 3-03 three stations (HL01 twice), 3-05 two, 3-10 four → 9 station-days,
    one day below target. 吴督导: 3-04 three, and Saturday 3-07 one. 郑领导 (a leader):
    3-12 one. 安督导 checked nothing. A February check does not count."""
    docs = [
        check("HL01", D(2026, 3, 3), hour=9),
        check("HL02", D(2026, 3, 3), hour=10),
        check("HL01", D(2026, 3, 3), hour=15),
        check("HL03", D(2026, 3, 3), hour=11),
        check("HL01", D(2026, 3, 5)),
        check("HL04", D(2026, 3, 5), hour=14),
        *(check(code, D(2026, 3, 10), hour=9 + i) for i, code in enumerate(CODES)),
        *(check(code, D(2026, 3, 4), "sup-wu", hour=9 + i) for i, code in enumerate(CODES[:3])),
        check("HL02", D(2026, 3, 7), "sup-wu"),
        check("HL02", D(2026, 3, 12), "leader"),
        check("HL02", D(2026, 2, 27)),
    ]
    store.save_many(docs, actor="setup")


def test_target_and_month_report(store: Store) -> None:
    month_fixture(store)
    assert S.TARGET_PER_DAY == 3
    report = {m.supervisor_id: m for m in S.month_report(store, year=2026, month=3)}
    assert set(report) == {"sup-zhou", "sup-wu", "sup-idle", "leader"}
    zhou = report["sup-zhou"]
    assert zhou.name == "周督导"
    assert [(d.day, d.stations, d.below_target) for d in zhou.days] == [
        (D(2026, 3, 3), 3, False),
        (D(2026, 3, 5), 2, True),
        (D(2026, 3, 10), 4, False),
    ]
    assert zhou.stations_checked == 9
    assert zhou.days_below_target == 1
    assert zhou.distinct_stations == 4 and zhou.checks == 10
    wu = report["sup-wu"]
    assert [(d.day, d.stations, d.below_target) for d in wu.days] == [
        (D(2026, 3, 4), 3, False),
        (D(2026, 3, 7), 1, True),  # without a calendar every day counts
    ]
    assert report["leader"].days_below_target == 1
    idle = report["sup-idle"]
    assert idle.days == [] and idle.stations_checked == 0 and idle.days_below_target == 0


def test_a_rest_day_check_is_not_below_target_with_a_calendar(store: Store) -> None:
    month_fixture(store)
    report = S.month_report(store, year=2026, month=3, calendar=OfficialCalendar())
    wu = next(m for m in report if m.supervisor_id == "sup-wu")
    saturday = wu.days[1]
    assert saturday.day == D(2026, 3, 7) and saturday.workday is False
    assert saturday.below_target is False and wu.days_below_target == 0
    assert wu.stations_checked == 4


def test_report_is_sorted_by_pinyin_and_serialises(store: Store) -> None:
    month_fixture(store)
    report = S.month_report(store, year=2026, month=3)
    assert [m.name for m in report] == ["安督导", "吴督导", "郑领导", "周督导"]
    data = S.report_json(report, year=2026, month=3)
    assert data["month"] == "2026-03" and data["target_per_day"] == 3
    zhou = data["supervisors"][3]
    assert zhou == {
        "supervisor_id": "sup-zhou",
        "name": "周督导",
        "days_supervised": 3,
        "stations_checked": 9,
        "distinct_stations": 4,
        "checks": 10,
        "days_below_target": 1,
        "days": [
            {"date": "2026-03-03", "stations": 3, "below_target": False, "workday": True},
            {"date": "2026-03-05", "stations": 2, "below_target": True, "workday": True},
            {"date": "2026-03-10", "stations": 4, "below_target": False, "workday": True},
        ],
    }
    assert "month" not in S.report_json(report)


def test_bad_month_is_refused(store: Store) -> None:
    with pytest.raises(S.SupervisionRefused, match="月份无效"):
        S.month_report(store, year=2026, month=13)
