"""Issue #19, a program a station worker is at home in: nothing irreversible on one key,
the cursor always visible, things found where they are looked for, one wording."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import SlipSource, SlipState, Station
from grassroots_tui.services import slips
from grassroots_tui.services.slips import SlipActionRefused
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.slips import SlipsScreen
from grassroots_tui.tui.screens.visits import VisitsScreen
from tests import factories
from tests.tui_fixtures import build_store, copied_store, make_app, open_section, settle, sign_in

SIZE = (80, 24)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as store:
        yield store


def _draft(store, title: str = "路灯不亮", unit: str | None = "街道城管办"):
    station = store.get(Station, factories.STATION_ID)
    draft = slips.draft_slip(
        station,
        source=SlipSource.HOTLINE,
        category="城市管理",
        title=title,
        description=f"{title}，居民反映多次。",
        handling_unit=unit,
    )
    return slips.save_draft(store, draft, "测试")


async def _new_visit_form(pilot) -> VisitForm:
    app = pilot.app
    await sign_in(pilot)
    await settle(pilot)
    app.push_screen(VisitForm(app.screen.session, household_id="hh-01"))
    await pilot.pause()
    form = app.screen
    assert isinstance(form, VisitForm)
    return form


# --- 1. nothing irreversible on one key ---------------------------------------------------


async def test_escape_on_an_untouched_form_closes_it_at_once(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _new_visit_form(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)


async def test_escape_on_a_typed_form_asks_and_keeps_it_unless_told_to_discard(store):
    visits_before = len(store.raw("visit"))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        await pilot.press(*"问候了")
        assert form.field("greeting").value == "问候了"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "放弃" in app.screen.question
        # Enter on the question keeps the form: its default is 否.
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and form.field("greeting").value == "问候了"
        # So does a second Esc.
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is form and form.field("greeting").value == "问候了"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
    assert len(store.raw("visit")) == visits_before


async def test_what_the_program_fills_in_is_not_a_change_that_asks(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        form.field("notes").value = "由程序填入"  # as a rule or a revealed number is
        await pilot.pause()
        assert not form.changed()
        await pilot.press(*"x", "backspace")  # typed, then taken back: as it opened
        assert not form.changed()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)


async def test_quitting_with_a_typed_form_asks_and_no_keeps_the_program(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        await pilot.press(*"问候了")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "走访记录" in app.screen.question and "退出" in app.screen.question
        await pilot.press("ctrl+q")  # asked already: not a second question
        await pilot.pause()
        assert len([s for s in app.screen_stack if isinstance(s, ConfirmDialog)]) == 1
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and app.screen is form
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
        assert not app.is_running


async def test_quitting_with_an_untouched_form_does_not_ask(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _new_visit_form(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_issuing_shows_the_number_it_takes_and_no_issues_nothing(store):
    draft = _draft(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f4", SlipsScreen)
        assert screen.table.move_to(draft.id)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert "湘龙群交〔2026〕第0001号" in question and "路灯不亮" in question
        assert "永不再用" in question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert slips.get_slip(store, draft.id).state is SlipState.DRAFTED
        assert not store.raw("slip_issue")


def test_a_number_taken_after_it_was_shown_is_not_given_unseen(store):
    first, second = _draft(store, "路灯不亮"), _draft(store, "井盖松动")
    on, calendar = dt.date(2026, 11, 26), OfficialCalendar()
    shown, due = slips.issue_preview(store, first.id, on=on, calendar=calendar)
    assert shown == "湘龙群交〔2026〕第0001号" and due.date > on
    assert not store.raw("slip_issue")  # a preview writes nothing
    slips.issue(store, second.id, on=on, actor="测试", calendar=calendar)  # takes 0001
    with pytest.raises(SlipActionRefused) as refused:
        slips.issue(store, first.id, on=on, actor="测试", calendar=calendar, expected_number=shown)
    assert "第0001号" in str(refused.value) and "第0002号" in str(refused.value)
    assert slips.get_slip(store, first.id).state is SlipState.DRAFTED
    issued = slips.issue(
        store,
        first.id,
        on=on,
        actor="测试",
        calendar=calendar,
        expected_number="湘龙群交〔2026〕第0002号",
    )
    assert issued.number == "湘龙群交〔2026〕第0002号"


def test_a_slip_that_cannot_be_issued_is_refused_before_asking(store):
    draft = _draft(store, unit=None)
    with pytest.raises(SlipActionRefused, match="承办单位"):
        slips.issue_preview(store, draft.id, on=dt.date(2026, 11, 26), calendar=OfficialCalendar())
