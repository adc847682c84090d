"""Textual's own commands in the palette (theme, keys, screenshot ...) and the footer's
palette key speak the interface language (issue #19): Chinese in Chinese, English in
English, never Textual's English in a Chinese program."""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.command import CommandList
from textual.widgets._footer import FooterKey

from grassroots_tui.i18n import set_language, t
from grassroots_tui.tui.palette import (
    SYSTEM_TITLES,
    Palette,
    open_command_palette,
    open_theme_palette,
    system_commands,
)
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    build_store,
    make_app,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

HAN = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _in_language(text: str, lang: str) -> bool:
    """Chinese text has Chinese in it; English text has none."""
    return bool(HAN.search(text)) if lang == "zh" else not HAN.search(text)


def _palette_key(app) -> FooterKey:
    keys = list(app.screen.query(FooterKey).filter(".-command-palette"))
    assert len(keys) == 1, keys
    return keys[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_footer_names_the_palette_key_in_the_language(store, lang):
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        key = _palette_key(app)
        assert key.description != "palette"
        assert _in_language(key.description, lang), key.description
        assert _in_language(key.tooltip or "", lang), key.tooltip
        if lang == "en":
            assert LATIN.search(key.description)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_system_commands_are_said_in_the_language(store, lang):
    """Every system command Textual offers on a list (with a focused widget, so
    Maximize is among them) and with its keys panel shown, through the function the
    app's hook calls; the app's own 退出 and 更换主题 are not listed twice."""
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        screen = app.screen
        assert screen.focused is not None and screen.focused.allow_maximize
        states = [list(system_commands(app, App.get_system_commands(app, screen)))]
        app.action_show_help_panel()
        await pilot.pause()
        states.append(list(system_commands(app, App.get_system_commands(app, screen))))
        app.action_hide_help_panel()
        for commands in states:
            titles = [c.title for c in commands]
            assert len(titles) == len(set(titles)), titles
            for command in commands:
                assert _in_language(command.title, lang), command
                assert _in_language(command.help, lang), command
            assert not {"Theme", "Quit"} & set(titles)
        shown = {c.title for state in states for c in state}
        assert len(shown) == 3, shown  # keys, maximize, screenshot
        helps = {c.help for state in states for c in state}
        assert len(helps) == 4, helps  # the keys panel: show, then hide


def test_every_title_textual_may_give_is_known():
    """The table knows each system command this Textual has (read from its source: a
    new one would otherwise reach a Chinese screen in English)."""
    import inspect

    source = inspect.getsource(App.get_system_commands).split('"""')[-1]  # not its docstring
    titles = set(re.findall(r'SystemCommand\(\s*"([^"]+)"', source))
    assert titles and titles <= set(SYSTEM_TITLES), titles - set(SYSTEM_TITLES)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_palette_on_screen_lists_them_in_the_language(store, lang):
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.pause(0.2)
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        titles = [prompt.split("\n")[0] for prompt in prompts]
        assert t("system.keys") in titles, titles  # Textual's "Keys" said our way
        for title in titles:
            assert _in_language(title, lang), title


async def _input_of(app):
    from textual.command import CommandInput

    return app.screen.query_one(CommandInput)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_palettes_own_words_are_in_the_language(store, lang):
    """Its search box's hint, its "No matches found", the themes' search box."""
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        open_command_palette(app)
        await pilot.pause()
        assert isinstance(app.screen, Palette)
        box = await _input_of(app)
        assert box.placeholder == t("palette.placeholder")
        assert _in_language(box.placeholder, lang)
        await pilot.press(*"qqxqqzv")
        await pilot.pause(0.8)
        await pilot.pause()
        options = app.screen.query_one(CommandList)
        said = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(t("palette.no_matches") in text for text in said), said
        await pilot.press("escape")
        await pilot.pause()
        open_theme_palette(app)
        await pilot.pause()
        box = await _input_of(app)
        assert box.placeholder == t("palette.themes") and _in_language(box.placeholder, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_ctrl_p_and_the_theme_command_open_the_palette_in_the_language(store, lang):
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, Palette)
        assert (await _input_of(app)).placeholder == t("palette.placeholder")
        await pilot.press("escape")
        await pilot.pause()
        app.action_change_theme()  # the palette's 更换主题 (app.theme)
        await pilot.pause()
        assert isinstance(app.screen, Palette)
        assert (await _input_of(app)).placeholder == t("palette.themes")
