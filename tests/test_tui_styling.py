"""Screens styled once (tui/styling.py): a section switched to, a kept screen shown
again, look exactly as after Textual's own full restyle, without parsing the whole
stylesheet again; a theme changed meanwhile still restyles them."""

from __future__ import annotations

import pytest

from grassroots_tui.tui.sections import SECTIONS
from tests.tui_fixtures import (
    make_app,
    settle,
    sign_in,
    store_fixture,  # noqa: F401 - the fixture
    template_fixture,  # noqa: F401 - the fixture
)

SIZE = (100, 30)
KEYS = [s.key for s in SECTIONS if s.mode != "visits"]


def _drawn(app) -> list[list[tuple[str, str]]]:
    """Every line of the screen as drawn: each segment's text and style."""
    return [
        [(segment.text, str(segment.style)) for segment in strip]
        for strip in app.screen._compositor.render_strips()
    ]


async def _restyled(app, pilot) -> list[list[tuple[str, str]]]:
    """The same screen after Textual restyles everything (the oracle)."""
    app.refresh_css(animate=False)
    app.screen.update_node_styles(animate=False)
    await pilot.pause()
    await pilot.pause()
    return _drawn(app)


def _count_parses(app) -> list[int]:
    parses: list[int] = []
    original = app.stylesheet.reparse

    def counted() -> None:
        parses.append(1)
        original()

    app.stylesheet.reparse = counted
    return parses


@pytest.mark.parametrize("ahead", [False, True], ids=["made-on-first-switch", "composed-ahead"])
async def test_each_section_is_drawn_as_a_full_restyle_draws_it(store, ahead):
    app = make_app(store)
    app.prepare_sections_ahead = ahead
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        if ahead:
            for _ in range(200):
                if app.sections_prepared():
                    break
                await pilot.pause(0.05)
            assert app.sections_prepared()
        parses = _count_parses(app)
        for key in KEYS:
            await pilot.press(key)
            await settle(pilot)
            assert parses == [], f"{key}: the whole stylesheet parsed again"
            drawn = _drawn(app)
            assert drawn == await _restyled(app, pilot), key
            parses.clear()
            await pilot.press("f2")
            await settle(pilot)
            parses.clear()


async def test_a_theme_changed_while_a_section_is_away_restyles_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        await settle(pilot)
        before = _drawn(app)
        await pilot.press("f2")
        await settle(pilot)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        shown = _drawn(app)
        assert shown != before, "the new theme is not shown"
        assert shown == await _restyled(app, pilot)
