"""Keys that cannot be used now say why; the footer offers only the slip steps that can be
taken now; a reminder is written only after a question naming the slip (issue 15 §4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import SlipSource, Staff, StaffRole, Station
from grassroots_tui.services import slips
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.screens.board import BoardScreen
from grassroots_tui.tui.screens.slips import SlipsScreen
from grassroots_tui.tui.widgets.record_table import RecordTable
from tests import factories
from tests.tui_fixtures import (
    build_store,
    copied_store,
    make_app,
    screen_text,
    settle,
    sign_in,
)

SIZE = (120, 30)
LEADER_ID = "staff-leader"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as store:
        station = store.get(Station, factories.STATION_ID)
        store.save(
            Staff(
                id=LEADER_ID,
                station_id=factories.STATION_ID,
                name="周书记",
                role=StaffRole.LEADER,
            ),
            actor="测试",
        )
        draft = slips.draft_slip(
            station,
            source=SlipSource.HOTLINE,
            category="其他",
            title="噪音扰民",
            description="夜间施工",
            handling_unit="街道城管办",
        )
        slips.save_draft(store, draft, "测试")
        yield store


def _issue_overdue(store) -> str:
    station = store.get(Station, factories.STATION_ID)
    draft = slips.draft_slip(
        station,
        source=SlipSource.STREET_OFFICE,
        category="城市管理",
        title="路灯不亮",
        description="路灯不亮，居民反映多次。",
        handling_unit="街道城管办",
    )
    saved = slips.save_draft(store, draft, "测试")
    issued = slips.issue(
        store, saved.id, on=dt.date(2026, 10, 9), actor="测试", calendar=OfficialCalendar()
    )
    return issued.id


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def _slips(pilot, staff_id: str = "staff-limin", pin: str = "2468") -> SlipsScreen:
    await sign_in(pilot, staff_id, pin)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SlipsScreen)
    return screen


async def test_a_step_the_drafts_state_does_not_allow_says_why_and_names_what_can(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _slips(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "草拟状态的交办单不能回复：现在可以交办（i）、撤回（w）" in _messages(app)
        assert not isinstance(app.screen, ConfirmDialog)  # nothing opened
        assert isinstance(app.screen, SlipsScreen)


async def test_the_footer_shows_the_steps_the_selected_slip_can_take_now(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _slips(pilot)
        footer = _footer(app)
        assert "交办" in footer and "撤回" in footer
        assert "回复单" not in footer and "办结" not in footer
        # Issued (from another screen's point of view): the footer follows the slip.
        slip = screen.current()
        assert slip is not None
        slips.issue(
            store, slip.id, on=dt.date(2026, 11, 20), actor="测试", calendar=OfficialCalendar()
        )
        screen.reload(keep=slip.id)
        await settle(pilot)
        screen.refresh_bindings()
        await pilot.pause()
        footer = _footer(app)
        assert "受理" in footer and "回复单" in footer and "延期" in footer
        assert "交办 " not in footer.replace("新开交办单", "")


async def test_a_role_that_may_not_handle_slips_is_told_so(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _slips(pilot, LEADER_ID, "")
        assert screen.check_action("step", ("issue",)) is False  # not in the footer
        await pilot.press("i")
        await settle(pilot)
        assert "包案领导无权交办交办单" in _messages(app)


async def test_the_english_refusal(store):
    from grassroots_tui.i18n import set_language

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _slips(pilot)
        set_language("en")
        try:
            await pilot.press("d")
            await settle(pilot)
        finally:
            set_language("zh")
        assert (
            "Cannot close a slip whose state is “Draft”; allowed now: Issue (i), Withdraw (w)"
            in (_messages(app))
        )


async def _board(pilot) -> BoardScreen:
    await _slips(pilot)
    await pilot.press("b")
    await settle(pilot)
    board = pilot.app.screen
    assert isinstance(board, BoardScreen)
    return board


async def test_a_reminder_is_asked_for_first_and_a_second_one_today_is_warned_of(store):
    slip_id = _issue_overdue(store)
    number = slips.get_slip(store, slip_id).number
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        board = await _board(pilot)
        board.query_one(RecordTable).move_to(slip_id)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert number in question and "路灯不亮" in question
        assert "今天已经发过一次催办" not in question
        assert store.raw("slip_reminder") == []  # nothing written before the answer
        await pilot.press("y")
        await settle(pilot)
        assert len(store.raw("slip_reminder")) == 1

        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "今天已经发过一次催办" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert len(store.raw("slip_reminder")) == 1  # no: nothing written


async def test_the_reminder_key_on_a_slip_not_overdue_says_why(store):
    station = store.get(Station, factories.STATION_ID)
    draft = slips.draft_slip(
        station,
        source=SlipSource.STREET_OFFICE,
        category="城市管理",
        title="沟渠堵塞",
        description="沟渠堵塞。",
        handling_unit="县水利局",
    )
    saved = slips.save_draft(store, draft, "测试")
    slips.issue(
        store, saved.id, on=dt.date(2026, 11, 12), actor="测试", calendar=OfficialCalendar()
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        board = await _board(pilot)
        assert len(board.query_one(RecordTable).shown) == 1
        await pilot.press("m")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "只有超期的交办单才能催办；选中的交办单没有超期" in _messages(app)
        assert store.raw("slip_reminder") == []


async def test_a_worker_pressing_new_is_told_the_role_may_not(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _slips(pilot, "staff-zhangsan", "")
        await pilot.press("n")
        await settle(pilot)
        assert "队员无权新开交办单" in _messages(app)
        assert isinstance(app.screen, SlipsScreen)
