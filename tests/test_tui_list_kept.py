"""A list section shown again with nothing changed keeps its rows; any change to what
they are made of (the store, the day, a filter, who is signed in) builds them again."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Select

from grassroots_tui.models import HardshipTier
from grassroots_tui.tui.screens.hardship import HardshipScreen
from grassroots_tui.tui.screens.households import HouseholdsScreen
from tests import factories
from tests.tui_fixtures import (
    FIXED_NOW,
    add_hardship_cases,
    count_builds,
    make_app,
    make_settings,
    open_section,
    settle,
    store_fixture,  # noqa: F401 - the fixture
    template_fixture,  # noqa: F401 - the fixture
)

SIZE = (100, 30)


async def test_back_to_a_section_with_nothing_changed_builds_nothing(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f3", HouseholdsScreen)
        rows = [r.id for r in screen.table.shown]
        assert rows, "the fixture's households are listed"
        builds = count_builds(screen)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen is screen
        assert builds == []
        assert [r.id for r in screen.table.shown] == rows

        # A household added elsewhere (the store changed): built again, and listed.
        await pilot.press("f2")
        await settle(pilot)
        store.save(
            factories.household("HL01-0999", id="hh-new", id_number=factories.id_number(seq="999")),
            actor="测试",
        )
        await pilot.press("f3")
        await settle(pilot)
        assert builds == [1]
        assert "hh-new" in [r.id for r in screen.table.shown]


async def test_a_new_day_builds_the_rows_again(store):
    from grassroots_tui.tui.app import GrassrootsApp

    now = [FIXED_NOW]
    app = GrassrootsApp(store, make_settings(), clock=lambda: now[0], persist_settings=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f3", HouseholdsScreen)
        builds = count_builds(screen)
        await pilot.press("f2")
        await settle(pilot)
        now[0] = FIXED_NOW + dt.timedelta(days=1)
        await pilot.press("f3")
        await settle(pilot)
        assert builds == [1]


async def test_a_filter_changed_builds_the_rows_again(store):
    add_hardship_cases(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f5", HardshipScreen)
        assert len(screen.table.shown) == 2
        builds = count_builds(screen)
        screen.query_one("#filter-tier", Select).value = HardshipTier.DEEP.value
        await settle(pilot)
        assert builds == [1]
        assert [r.id for r in screen.table.shown] == ["case-hh-02"]
        # Away and back with the filter still set: the filtered rows stand.
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert builds == [1]
        assert [r.id for r in screen.table.shown] == ["case-hh-02"]
