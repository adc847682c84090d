"""The first-start set-up form at 80x24, in Chinese and in English: every field's label
and its example or value is shown whole (three fields to a row cut the English ones:
"Street office Xianglon…", the passphrase's hint), and the form, with the problems of
an empty save shown under its fields, still fits the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Label

from grassroots_tui.i18n import LANGUAGES, set_language, t
from grassroots_tui.tui.screens.setup import SetupScreen
from grassroots_tui.tui.widgets.form import FormField
from tests.tui_fixtures import make_app, open_store, screen_text

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _shown_text(control: Input) -> str:
    return control.value or control.placeholder


def _assert_whole(app) -> None:
    screen = app.screen
    assert isinstance(screen, SetupScreen)
    fields = list(screen.query(FormField))
    assert len(fields) == 12
    box = screen.query_one("#form-fields").region
    for field in fields:
        label = field.query_one(Label)
        control = field.query_one(Input)
        text = _shown_text(control)
        where = (field.field_name, field.label_text, text)
        # The label and its padding; the box's text and the cursor after it.
        assert label.region.width >= cell_len(field.label_text) + 1, where
        assert control.content_region.width >= cell_len(text) + 1, where
        assert box.contains_region(label.region) and box.contains_region(control.region), where
    drawn = screen_text(app)
    for field in fields:
        control = field.query_one(Input)
        assert field.label_text in drawn, field.label_text
        if not control.password or not control.value:
            assert _shown_text(control) in drawn, _shown_text(control)


async def _first_start(tmp_path: Path, lang: str):
    set_language(lang)
    store = open_store(tmp_path / "new" / "grassroots.json")
    return store, make_app(store)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_label_and_example_is_whole_at_80x24(tmp_path, lang):
    store, app = await _first_start(tmp_path, lang)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.pause()
            _assert_whole(app)
            # The examples said in the language (the slip number is the office's format).
            drawn = screen_text(app)
            for key in ("setup.community_example", "setup.street_office_example"):
                assert t(key) in drawn
            assert t("setup.passphrase_hint") in drawn
    finally:
        store.close()


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_with_its_problems_shown_the_form_still_fits(tmp_path, lang):
    """An empty save: a problem under each field that needs one; the form stays on the
    screen, its buttons in view, the fields scrolling within it if they must."""
    store, app = await _first_start(tmp_path, lang)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SetupScreen)
            whole = screen.region
            form = screen.query_one("#form-box").region
            assert whole.contains_region(form)
            for button in ("#form-save", "#form-cancel"):
                assert form.contains_region(screen.query_one(button).region), button
            assert t("form.save") in screen_text(app)
            fields = screen.query_one("#form-fields")
            first = screen.query_one("#field-name", FormField)
            assert fields.region.contains_region(first.region)
            # Scrolled to the last field, it is shown whole too.
            last = screen.query_one("#field-passphrase_again", FormField)
            fields.scroll_to_widget(last, animate=False, immediate=True)
            await pilot.pause()
            assert fields.region.contains_region(last.query_one(Input).region)
    finally:
        store.close()
