"""A form opened and closed all day leaves nothing behind.

Textual 8 keeps the style caches of up to 1,024 widgets after the widgets are gone
(``StylesCache.get_inner_outer`` is memoized on the instance, Textualize/textual#6665):
every visit form left about 11,000 objects that each full garbage collection walked,
a pause that grew with every save (bench/FINDINGS-app.md). The app empties that cache
when a screen closes.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
from textual._styles_cache import StylesCache

from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.visits import VisitsScreen
from tests.tui_fixtures import build_store, make_app, open_store, settle, sign_in


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    shutil.copytree(template.parent, tmp_path / "data")
    store = open_store(tmp_path / "data" / template.name)
    yield store
    store.close()


def _style_caches() -> int:
    gc.collect()
    return sum(isinstance(o, StylesCache) for o in gc.get_objects())


async def _open_and_close_a_form(pilot) -> None:
    app = pilot.app
    screen = app.screen
    app.push_screen(VisitForm(screen.session, household_id="hh-01"))
    await pilot.pause()
    assert isinstance(app.screen, VisitForm)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, VisitsScreen)


async def test_closed_forms_do_not_pile_up(store) -> None:
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await _open_and_close_a_form(pilot)
        await _open_and_close_a_form(pilot)
        after_two = _style_caches()
        for _ in range(6):
            await _open_and_close_a_form(pilot)
        after_eight = _style_caches()
        # A form has dozens of widgets: six more kept would be hundreds more caches.
        assert after_eight - after_two < 40, (after_two, after_eight)
