"""At 80x24 (issue #19): the help screen shows every command's id without scrolling
sideways, a description too long for its column ends in "…" (and is shown whole below
the table for the highlighted command); the conflicts screen's bar keeps to its line."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable, Static

from grassroots_tui.i18n import set_language, t
from grassroots_tui.tui.screens.conflicts import ConflictsScreen
from grassroots_tui.tui.screens.help import MIN_KEYS, MIN_TITLE, HelpScreen, column_widths
from grassroots_tui.tui.widgets.section_bar import SectionBar
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    build_store,
    copied_store,
    make_app,
    make_settings,
    screen_text,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

SIZE = (80, 24)
ELLIPSIS = "…"


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def test_a_row_too_wide_gives_up_keys_then_command_never_the_id():
    assert column_widths([8, 6, 19], 4, 76) == [8, 6, 19, 46 - 14]
    widths = column_widths([30, 30, 23], 12, 76)
    assert widths[2] == 23 and widths[3] == 12
    assert widths[1] == MIN_KEYS and widths[0] < 30
    assert sum(widths) + 3 + 8 <= 76
    assert column_widths([60, 40, 23], 12, 76) == [24, MIN_KEYS, 23, 12]
    assert column_widths([90, 40, 23], 12, 60)[:3] == [MIN_TITLE, MIN_KEYS, 23]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("section", [None, "f4", "f7"])  # visits, slips, supervision
async def test_the_help_shows_every_id_whole_at_80x24(store, lang, section):
    set_language(lang)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        if section:
            await pilot.press(section)
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        table = help_screen.query_one(DataTable)
        assert table.max_scroll_x == 0, "the table scrolls sideways"
        assert table.virtual_size.width <= table.scrollable_content_region.width
        cut = 0
        for index, row in enumerate(help_screen.rows):
            cells = [str(c.plain if isinstance(c, Text) else c) for c in table.get_row_at(index)]
            assert cells[2] == row[2], "an id is cut"
            if cells[3] != row[3]:
                assert cells[3].endswith(ELLIPSIS), cells[3]
                cut += 1
        text = screen_text(app)
        first = int(table.scroll_offset.y)
        seen = table.scrollable_content_region.height - 1  # below the header
        visible = help_screen.rows[first : first + seen]
        assert len(visible) > 5, text
        for row in visible:
            assert row[2] in text, (row[2], text)
        # The highlighted command's whole description, below the table.
        detail = help_screen.query_one("#help-detail", Static)
        assert help_screen.rows[0][3] in str(detail.render())
        if lang == "en":
            assert cut, "no description was long enough to be cut: the test checks nothing"


@pytest.fixture
def conflicting(template, tmp_path):
    from tests.test_tui_snapshots import _conflicting

    with copied_store(template, tmp_path) as store:
        _conflicting(store, tmp_path)
        yield store


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("where", ["conflicts", "visits"])
async def test_the_section_bar_keeps_to_its_lines_at_80x24(conflicting, lang, where):
    """The bar's first line (who, the date, the hub's status with its conflicts) is cut
    with '…', on the conflicts screen as on a section's own, never wrapped onto the
    sections' line."""
    set_language(lang)
    app = make_app(conflicting, make_settings(lang=lang))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        if where == "conflicts":
            await pilot.press("f10")
            await settle(pilot)
            assert isinstance(app.screen, ConflictsScreen)
        bar = app.screen.query_one(SectionBar)
        long_line = bar.render_bar().plain.split("\n")[0]
        assert cell_len(long_line) > SIZE[0], "the bar's line fits anyway: the test checks nothing"
        lines = screen_text(app).splitlines()
        assert lines[0].rstrip().endswith(ELLIPSIS), lines[0]
        assert t("section.visits") in lines[1] and t("section.statistics") in lines[1], lines[1]
        if where == "conflicts":
            assert t("conflicts.title", count=1) in lines[2], lines[2]
