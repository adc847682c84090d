"""The keys Textual's own widgets describe (a DataTable's "Cursor up", an Input's
"Delete character left", the screen's "Focus Next") are said in the interface language
in its keys panel and footer: Chinese in Chinese, English in English, from the catalogs
(tui/commands.TEXTUAL_KEYS)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import DataTable, Input
from textual.widgets._key_panel import BindingsTable, KeyPanel

from grassroots_tui.i18n import CATALOGS, LANGUAGES, set_language, t
from grassroots_tui.tui.commands import TEXTUAL_GROUPS, TEXTUAL_KEYS
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    make_app,
    screen_text,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _in_language(text: str, lang: str) -> bool:
    """Chinese text has Chinese in it; English text has none."""
    return bool(HAN.search(text)) if lang == "zh" else not HAN.search(text)


def _panel_rows(app) -> list[tuple[str, str]]:
    """(description, tooltip) of every key the keys panel lists now (what it reads)."""
    return [
        (active.binding.description, active.binding.tooltip)
        for active in app.screen.active_bindings.values()
        if not active.binding.system
    ]


async def _show_panel(pilot) -> str:
    """Open the keys panel; the panel's text as drawn."""
    app = pilot.app
    app.action_show_help_panel()
    await pilot.pause()
    await pilot.pause()
    panel = app.screen.query_one(KeyPanel)
    assert panel.region.width > 0
    return screen_text(app)


def _assert_said(app, lang: str) -> None:
    rows = _panel_rows(app)
    assert len(rows) > 5, rows
    wrong = [row for row in rows if not all(_in_language(text, lang) for text in row if text)]
    assert not wrong, wrong
    table = app.screen.query_one(BindingsTable)
    drawn = "".join(
        segment.text
        for line in app.console.render_lines(table.render_bindings_table(), pad=False)
        for segment in line
    )
    assert _in_language(drawn, lang), drawn
    if lang == "en":
        assert not any(
            description in TEXTUAL_KEYS and t(TEXTUAL_KEYS[description]) != description
            for description, _tip in rows
        ), rows


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_keys_panel_of_a_focused_input_is_in_the_language(store, lang):
    """The sign-in screen's PIN box: Textual's Input keys and their heading ("Input")."""
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        pin = app.screen.query_one("#signin-pin", Input)
        pin.focus()
        await pilot.pause()
        await _show_panel(pilot)
        _assert_said(app, lang)
        said = {binding.action: binding.description for _key, binding in pin._bindings}
        assert said["delete_left"] == t("textual.key.delete_left") != "Delete character left"
        focus = [
            active.binding.description
            for active in app.screen.active_bindings.values()
            if active.binding.action == "app.focus_next"
        ]
        assert focus == [t("textual.key.focus_next")]
        assert Input.BINDING_GROUP_TITLE == t("textual.group.input")
        drawn = app.console.render_lines(
            app.screen.query_one(BindingsTable).render_bindings_table(), pad=False
        )
        assert t("textual.group.input") in "".join(s.text for line in drawn for s in line)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_keys_panel_of_a_list_is_in_the_language(store, lang):
    """Signed in, the visits list's table focused: Textual's DataTable keys, the
    screen's and the app's, and the screen's own commands."""
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(140, 50)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        table = app.screen.focused
        assert isinstance(table, DataTable)
        text = await _show_panel(pilot)
        _assert_said(app, lang)
        actions = {b.action: b.description for _key, b in table._bindings}
        assert actions["cursor_up"] == t("textual.key.cursor_up")
        assert t("textual.key.cursor_down") in text
        if lang == "zh":
            assert "Cursor" not in text and "Focus" not in text


async def test_a_second_language_in_the_same_process_says_them_afresh(store):
    """Chinese, then English, then Chinese again: the classes' keys follow each time."""
    for lang in ("zh", "en", "zh"):
        set_language(lang)
        app = make_app(store)
        async with app.run_test(size=(140, 50)) as pilot:
            await pilot.pause()
            pin = app.screen.query_one("#signin-pin", Input)
            said = {binding.action: binding.description for _key, binding in pin._bindings}
            assert said["delete_left"] == CATALOGS[lang]["textual.key.delete_left"], lang
        assert (
            Input(id="x")._bindings.get_bindings_for_key("backspace")[0].description
            == (CATALOGS[lang]["textual.key.delete_left"])
        )


def _program_classes() -> set[type[DOMNode]]:
    """Every node class loaded once the program's screens, dialogs and widgets are."""
    import grassroots_tui.tui.app  # noqa: F401
    import grassroots_tui.tui.dialogs as dialogs
    import grassroots_tui.tui.screens as screens
    import grassroots_tui.tui.widgets as widgets

    for package in (screens, dialogs, widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    found: set[type[DOMNode]] = set()
    stack: list[type[DOMNode]] = [DOMNode]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.add(cls)
            stack.extend(cls.__subclasses__())
    return found


def test_every_key_textual_gives_the_programs_widgets_is_known():
    """Each description in the BINDINGS of a Textual class the program loads (its own
    classes' ancestors among them) is in the table, so none reaches a Chinese screen in
    English; and each catalog key the table names is in both catalogs."""
    unknown: dict[str, str] = {}
    groups: set[str] = set()
    for cls in _program_classes():
        if not cls.__module__.startswith("textual"):
            continue
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if binding.description and not binding.system:
                if binding.description not in TEXTUAL_KEYS:
                    unknown[binding.description] = cls.__qualname__
        title = cls.__dict__.get("BINDING_GROUP_TITLE")
        if title:
            groups.add(title)
    assert "Cursor up" in TEXTUAL_KEYS and not unknown, unknown
    # A heading already said (by an earlier test's app) is one of the catalogs' texts.
    said = {CATALOGS[lang][key] for lang in LANGUAGES for key in TEXTUAL_GROUPS.values()}
    assert groups and groups <= set(TEXTUAL_GROUPS) | said, groups
    for lang in LANGUAGES:
        keys = {*TEXTUAL_KEYS.values(), *TEXTUAL_GROUPS.values()}
        assert [key for key in keys if key not in CATALOGS[lang]] == [], lang
        assert all(_in_language(CATALOGS[lang][key], lang) for key in keys), lang


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_an_open_dropdown_names_its_key_in_the_footer_in_the_language(store, lang):
    """Textual's Select shows its own key in the footer while its list is open (Esc,
    "Dismiss menu"): the settings screen's language dropdown."""
    from textual.widgets import Select
    from textual.widgets._footer import FooterKey

    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        select = app.screen.query_one("#lang", Select)
        select.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert select.expanded
        footer = [key.description for key in app.screen.query(FooterKey)]
        assert t("textual.key.dismiss_menu") in footer, footer
        assert all(_in_language(text, lang) for text in footer), footer
