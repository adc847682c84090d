"""While the person looks at the first list, the program composes every other section
off screen and builds its rows (issue #19: the first F3 … F8 as quick as the next);
the screens prepared for one sign-in are never shown to the next."""

from __future__ import annotations

from grassroots_tui.tui.screens.base import ListSectionScreen
from grassroots_tui.tui.screens.households import HouseholdsScreen
from grassroots_tui.tui.sections import SECTIONS
from tests.tui_fixtures import (
    FIXED_NOW,
    HEAD_ID,
    STATION_ID,
    TODAY,
    WORKER_ID,
    count_builds,
    make_app,
    settle,
    sign_in,
    store_fixture,  # noqa: F401 - the fixture
    template_fixture,  # noqa: F401 - the fixture
)

SIZE = (100, 30)


async def _until(pilot, ready, tries: int = 200) -> None:
    for _ in range(tries):
        if ready():
            return
        await pilot.pause(0.05)
    raise AssertionError("not ready in time")


def _ahead_app(store):
    app = make_app(store)
    app.prepare_sections_ahead = True
    return app


async def test_every_section_is_prepared_and_shown_with_its_rows_at_once(store):
    app = _ahead_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await _until(pilot, app.sections_prepared)
        ahead = {mode: found[1] for mode, found in app._sections_ahead.items()}
        others = {s.mode for s in SECTIONS} - {"visits"}
        assert set(ahead) == others
        households = ahead["households"]
        assert isinstance(households, HouseholdsScreen)
        assert households.is_mounted and households.table.rows, "rows built off screen"
        builds = count_builds(households)
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is households  # the very screen prepared, not a new one
        assert builds == [], "shown with the rows built ahead, not built again"
        rows = [r.id for r in households.table.shown]
        assert sorted(rows) == sorted(h["id"] for h in store.raw("household"))
        assert "households" not in app._sections_ahead  # handed over once


async def test_a_section_opened_before_it_is_prepared_is_made_as_usual(store):
    app = _ahead_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f7")  # at once, before its turn
        await settle(pilot)
        first = app.screen
        assert isinstance(first, ListSectionScreen) and first.SECTION == "supervision"
        await _until(pilot, app.sections_prepared)
        assert "supervision" not in app._sections_ahead  # not made a second time
        await pilot.press("f2")
        await pilot.press("f7")
        await pilot.pause()
        assert app.screen is first


async def test_what_was_prepared_for_one_person_is_let_go_at_sign_out(store):
    app = _ahead_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await _until(pilot, app.sections_prepared)
        before = {mode: found[1] for mode, found in app._sections_ahead.items()}
        assert before
        app.action_sign_out()
        await pilot.pause()
        assert app._sections_ahead == {}
        await sign_in(pilot, staff_id=WORKER_ID, pin="")
        assert app.session.operator.id == WORKER_ID and app.session.operator.id != HEAD_ID
        await _until(pilot, app.sections_prepared)
        after = {mode: found[1] for mode, found in app._sections_ahead.items()}
        assert after and not set(map(id, after.values())) & set(map(id, before.values()))
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is after["households"]
        assert all(not screen.is_attached for screen in before.values())


async def test_a_change_to_what_a_list_does_not_read_builds_nothing(store):
    """Households read only households: a saved appointment leaves their rows be; a
    changed household builds them again."""
    import datetime as dt

    from grassroots_tui.models import Appointment, Household

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HouseholdsScreen)
        builds = count_builds(screen)
        await pilot.press("f2")
        await settle(pilot)
        store.save(
            Appointment(
                id="appt-new",
                station_id=STATION_ID,
                household_id="hh-03",
                requested_by="欧阳娜娜",
                requested_at=FIXED_NOW,
                planned_date=TODAY,
                planned_time=dt.time(16, 0),
                reason="问低保续办",
            ),
            actor="测试",
        )
        await pilot.press("f3")
        await settle(pilot)
        assert builds == []
        await pilot.press("f2")
        await settle(pilot)
        household = store.get(Household, "hh-03")
        assert household is not None
        store.save(household.model_copy(update={"grid": "九网格"}), actor="测试")
        await pilot.press("f3")
        await settle(pilot)
        assert builds == [1]


async def test_the_terminal_cursor_is_in_the_shown_screen_s_input(store):
    """An Input on a screen composed off screen sets Textual's one cursor position as
    it gets its focus or size: the terminal's cursor stays in the shown screen's."""
    from textual.geometry import Offset
    from textual.widgets import Input

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")  # choose a household: its search box has the focus
        await settle(pilot)
        focused = app.screen.focused
        assert isinstance(focused, Input)
        app.cursor_position = Offset(1, 0)  # what an off-screen filter box did
        assert app.cursor_position == focused.cursor_screen_offset != Offset(1, 0)
