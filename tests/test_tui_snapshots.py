"""Screenshots of the main screens at 80x24, compared with the SVGs in __snapshots__/.

Regenerate after an intended change with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` and review the SVGs. Nothing time-dependent is shown: the clock is
fixed, the theme pinned, animations off and cursors do not blink.

snap_compare runs its own event loop, so these tests are plain ``def``s.
"""

from __future__ import annotations

from grassroots_tui.i18n import set_language
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    build_store,
    copied_store,
    make_app,
    no_blink,
    sign_in,
    store_fixture,
    template_fixture,
)

SIZE = (80, 24)


async def _signed_in(pilot) -> None:
    await sign_in(pilot)
    no_blink(pilot.app)


async def _households(pilot) -> None:
    await sign_in(pilot)
    await pilot.press("f3")
    await pilot.pause()
    no_blink(pilot.app)


async def _visit_form(pilot) -> None:
    await sign_in(pilot)
    await pilot.press("n", *"wxy", "enter")
    await pilot.pause()
    no_blink(pilot.app)  # the form opens with the cursor in 问声好


async def _sign_in_screen(pilot) -> None:
    await pilot.pause()
    no_blink(pilot.app)


def test_sign_in_screen(snap_compare, store):
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_sign_in_screen)


def test_visits_screen(snap_compare, store):
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_signed_in)


def test_households_screen(snap_compare, store):
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_households)


def test_visit_form(snap_compare, store):
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_visit_form)


def test_visits_screen_english(snap_compare, store):
    set_language("en")
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_signed_in)


def test_households_screen_english(snap_compare, store):
    set_language("en")
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_households)
