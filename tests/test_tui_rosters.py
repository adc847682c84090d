"""Rosters, leave with a substitute, supervision checks and their month report."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from grassroots_tui.models import LeaveDecision, LeaveRequest, Staff, StaffRole
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.tui.screens.leave import LeaveScreen
from grassroots_tui.tui.screens.rosters import RostersScreen
from grassroots_tui.tui.screens.supervision import SupervisionScreen
from grassroots_tui.tui.screens.supervision_report import ReportScreen
from grassroots_tui.tui.widgets.step_form import StepForm
from tests import factories
from tests.tui_fixtures import (
    HEAD_ID,
    WORKER_ID,
    build_store,
    copied_store,
    make_app,
    open_section,
    open_store,
    screen_text,
    settle,
    sign_in,
)

SIZE = (80, 24)
SUPERVISOR_ID = "staff-supervisor"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = build_store(tmp_path_factory.mktemp("template") / "grassroots.json")
    store = open_store(path)
    try:
        store.save(Staff(id=SUPERVISOR_ID, name="马督导", role=StaffRole.SUPERVISOR), actor="测试")
    finally:
        store.close()
    return path


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as store:
        yield store


async def _generate_november(pilot) -> RostersScreen:
    await open_section(pilot, "f6")
    screen = pilot.app.screen
    assert isinstance(screen, RostersScreen)
    await pilot.press("g")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StepForm)
    await pilot.press("ctrl+s")  # every active member of the station, one a day
    await settle(pilot)
    return screen


async def test_a_generated_month_falls_on_the_official_working_days(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _generate_november(pilot)
        shifts = sorted(store.raw("duty_shift"), key=lambda s: s["date"])
        calendar = OfficialCalendar()
        working = [
            dt.date(2026, 11, d) for d in range(1, 31) if calendar.is_workday(dt.date(2026, 11, d))
        ]
        assert [s["date"] for s in shifts] == [d.isoformat() for d in working]
        assert {i for s in shifts for i in s["staff_ids"]} == {HEAD_ID, WORKER_ID}
        text = screen_text(app)
        assert "2026年11月值班表" in text and "需处理 0 处" in text and "李敏" in text


async def test_leave_approved_with_a_substitute_moves_the_shift_and_the_notice_has_no_numbers(
    store,
):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _generate_november(pilot)
        day = next(s for s in store.raw("duty_shift") if s["staff_ids"] == [WORKER_ID])["date"]
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.field("staff_id").value = WORKER_ID
        form.field("start_date").value = day
        form.field("end_date").value = day
        form.field("reason").value = "家中有事"
        form.field("requested_on").value = "2026-11-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        leave = next(iter(store.iter("leave_request")))
        assert leave.decision is LeaveDecision.PENDING
        await pilot.press("a")
        await pilot.pause()
        app.screen.field("substitute_id").value = HEAD_ID
        await pilot.press("ctrl+s")
        await settle(pilot)
        leave = store.get(LeaveRequest, leave.id)
        assert leave.decision is LeaveDecision.APPROVED and leave.substitute_id == HEAD_ID
        shift = next(s for s in store.raw("duty_shift") if s["date"] == day)
        assert shift["staff_ids"] == [HEAD_ID]
        await pilot.press("p")
        await settle(pilot)
    notices = list((store.paths.folder / "exports").glob("*.html"))
    assert len(notices) == 1
    notice = notices[0].read_text(encoding="utf-8")
    assert "张三" in notice and "李敏" in notice
    assert not re.search(r"1[3-9]\d{9}", notice), "no mobile number in a public notice"
    assert not re.search(r"\d{17}[\dXx]", notice), "no ID number in a public notice"
    (document,) = (store.paths.folder / "exports").glob("*.docx")
    from grassroots_tui.services.documents.engine import document_text

    text = document_text(document.read_bytes())
    assert "请假代班公示" in text and "张三" in text and "李敏" in text
    assert not re.search(r"1[3-9]\d{9}", text), "no mobile number in the .docx either"


async def test_a_supervisor_records_a_check_and_sees_the_month_report(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, staff_id=SUPERVISOR_ID, pin="")
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, SupervisionScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.field("findings").value = "台账齐全"
        form.field("rectification").value = "补齐走访照片"
        form.field("rect_due").value = "2026-12-03"
        await pilot.press("ctrl+s")
        await settle(pilot)
        checks = list(store.iter("supervision_check"))
        assert len(checks) == 1 and checks[0].supervisor_id == SUPERVISOR_ID
        assert checks[0].rectifications[0].description == "补齐走访照片"
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        text = screen_text(app)
        assert "马督导" in text and "2026年11月督导情况" in text


async def test_the_month_report_screen_never_counts_a_rest_day_below_target(store):
    """A check at one station on Saturday 2026-11-28 is listed but not below target on the
    screen, as in `grassroots supervision report` and the statistics (the same calendar)."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, staff_id=SUPERVISOR_ID, pin="")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.field("date").value = "2026-11-28"
        form.field("findings").value = "周末检查台账"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [str(c.date) for c in store.iter("supervision_check")] == ["2026-11-28"]
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        text = screen_text(app)
        assert "马督导" in text and "11-28" not in text


async def test_a_stability_arrangement_with_pairs_completes_the_three_threes(store):
    from grassroots_tui.tui.screens.supervision_report import ThreeThreesScreen, parse_pairs

    assert parse_pairs("李敏-王秀英、张三-刘芳") == [
        {"responsible": "李敏", "target": "王秀英"},
        {"responsible": "张三", "target": "刘芳"},
    ]
    with pytest.raises(ValueError, match="责任人-联系对象"):
        parse_pairs("李敏")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f7")
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, ThreeThreesScreen)
        assert "信访维稳" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.field("activity_type").value = "petition_stability"
        form.field("title").value = "信访维稳一对一联点"
        form.field("pairs").value = "李敏-王秀英、张三-刘芳"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = [a for a in store.iter("station_activity") if a.title == "信访维稳一对一联点"]
        assert len(saved) == 1 and len(saved[0].pairs) == 2
        assert "2026 三三工作法" in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
        assert "2026Q4 三三工作法" in screen_text(app)


@pytest.mark.parametrize("scope", [None, "station"])
async def test_a_stations_laptop_shows_supervision_but_records_none(store, scope):
    """Supervision checks are the street office's documents: on a station's laptop the
    key that records one is not offered."""
    from grassroots_tui.tui.screens.supervision import SupervisionScreen

    if scope:
        store.enroll(f"station:{factories.STATION_ID}", "测试")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, staff_id=SUPERVISOR_ID, pin="")
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, SupervisionScreen)
        offered = app.screen.check_action("new_check", ())
    assert offered is (False if scope else True)


@pytest.mark.parametrize("scope", [None, "office"])
async def test_a_stations_roster_is_shown_not_changed_on_the_offices_machine(store, scope):
    """The roster and leave of a station are the station's documents: on the office's
    machine the keys that generate, edit or decide them are not offered."""
    store.save(
        LeaveRequest(
            station_id=factories.STATION_ID,
            staff_id=HEAD_ID,
            start_date=dt.date(2026, 11, 27),
            end_date=dt.date(2026, 11, 27),
            leave_kind="personal",
            reason="家中有事",
            requested_on=dt.date(2026, 11, 25),
        ),
        actor="测试",
    )
    if scope:
        store.enroll(scope, "测试")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f6")
        assert isinstance(app.screen, RostersScreen)
        offered = [app.screen.check_action(a, ()) for a in ("generate", "edit_day")]
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LeaveScreen)
        offered.append(app.screen.check_action("decide", ()))
    assert offered == ([None, None, None] if scope else [True, True, True])
