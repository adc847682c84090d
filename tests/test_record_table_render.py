"""The record table draws its rows itself (a save repaints the whole list, and
DataTable's own drawing was most of that wait): what it draws must be exactly what
DataTable draws for the same rows, and its bulk replacement of rows must leave the
table as clear() and add_row() would."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.widgets import DataTable

from grassroots_tui.tui.widgets.record_table import _Table

COLUMNS = (("date", "日期", 10), ("no", "户号", 6), ("head", "户主", 5), ("note", "备注", None))
ROWS = [
    ("a", ["2026-11-26", "HL0001", "张*", "问声好"]),
    (
        "b",
        ["2026-11-25", "HL0002", "欧阳桂兰", "跨列的很长很长的备注文字"],
    ),  # cropped mid-character
    ("c", ["2026-11-24", "", "", ""]),  # empty cells
    ("d", ["2026-11-23", "HL0004", "王*", "[bold]不是标记[/bold]"]),
    ("e", ["2026-11-22", "HL0005", "李*", Text("有样式", style="bold red")]),  # a cell's own style
    ("f", ["2026-11-21", "HL0006", "赵*", "wide 宽字符 mixed"]),
]
#: Cells in a style of their own (the board's clock column), in every shape: shorter
#: than the column, exactly as wide, cropped mid-character, empty, with spaces of its
#: own, in a style that changes nothing, and a styled text DataTable must draw (spans).
STYLED_ROWS = [
    ("g", [Text("2026-11-20", style="yellow"), "HL0007", Text("欧阳桂兰", style="bold red"), ""]),
    ("h", ["2026-11-19", Text("HL0008", style="bold yellow"), Text("", style="red"), "x"]),
    ("i", ["2026-11-18", Text(" 8 ", style="italic"), Text("王*", style="none"), "y"]),
    ("j", ["2026-11-17", "HL0010", "周*", Text.assemble(("逾期", "red"), "3天")]),
]


class _Pair(App):
    """A record table and a plain DataTable, side by side, with the same rows."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield _Table(cursor_type="row", zebra_stripes=True, id="ours")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="plain")

    selected: list[str]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.selected.append(event.row_key.value or "")

    def on_mount(self) -> None:
        self.selected = []
        for table in self.query(DataTable):
            table.styles.width = "1fr"
            table.styles.height = "1fr"  # blank lines below the rows are drawn too
            for key, title, width in COLUMNS:
                table.add_column(title, key=key, width=width)


def _cells(cells: list) -> list[Text]:
    return [c if isinstance(c, Text) else Text(c) for c in cells]


def _drawn(table: DataTable) -> list[list[tuple[str, object]]]:
    table._clear_caches()
    table._update_count += 1  # nothing cached from an earlier render
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [[(segment.text, segment.style) for segment in line] for line in lines]


async def _filled(pilot, rows=ROWS) -> tuple[_Table, DataTable]:
    ours = pilot.app.query_one("#ours", _Table)
    plain = pilot.app.query_one("#plain", DataTable)
    ours.replace_rows([(key, _cells(cells)) for key, cells in rows])
    for key, cells in rows:
        plain.add_row(*_cells(cells), key=key)
    await pilot.pause()
    await pilot.pause()
    return ours, plain


@pytest.mark.parametrize("cursor_row", [0, 1, 4, 6, 7, 8])
async def test_rows_are_drawn_exactly_as_datatable_draws_them(cursor_row: int) -> None:
    app = _Pair()
    async with app.run_test(size=(120, 12)) as pilot:
        ours, plain = await _filled(pilot, ROWS + STYLED_ROWS)
        ours.move_cursor(row=cursor_row)
        plain.move_cursor(row=cursor_row)
        await pilot.pause()
        for focused in (None, "ours"):
            if focused == "ours":
                ours.focus()
                await pilot.pause()
                drawn_ours = _drawn(ours)
                plain.focus()
                await pilot.pause()
                drawn_plain = _drawn(plain)
            else:
                pilot.app.set_focus(None)
                await pilot.pause()
                drawn_ours, drawn_plain = _drawn(ours), _drawn(plain)
            assert len(drawn_ours) == 12
            assert drawn_ours == drawn_plain
        # The drawn text is the cells' own (cropped to the column, never read as markup).
        text = ["".join(t for t, _ in line) for line in _drawn(ours)]
        assert "[bold]不是标记[/bold]" in text[4]
        assert " 欧阳  " in text[2] and "欧阳桂" not in text[2]  # 5 columns hold 2 characters


async def test_a_click_on_a_drawn_row_selects_that_row() -> None:
    """The row and column of each cell travel with its segments, for the mouse."""
    app = _Pair()
    async with app.run_test(size=(120, 12)) as pilot:
        ours, _plain = await _filled(pilot)
        await pilot.click("#ours", offset=(3, 2))  # the header, a, b: line 2 is row b
        await pilot.click("#ours", offset=(3, 2))
        await pilot.pause()
        assert ours.cursor_row == 1
        assert app.selected == ["b"]


async def test_replacing_rows_leaves_the_table_as_clear_and_add_row_would() -> None:
    app = _Pair()
    async with app.run_test(size=(120, 12)) as pilot:
        ours, plain = await _filled(pilot)
        assert ours.row_count == plain.row_count == len(ROWS)
        for index, (key, _) in enumerate(ROWS):
            assert ours.get_row_index(key) == plain.get_row_index(key) == index
            assert ours.get_row_at(index) == plain.get_row_at(index)
        assert ours.virtual_size == plain.virtual_size
        assert ours.coordinate_to_cell_key((2, 0)).row_key.value == "c"

        # Again, with fewer rows: nothing of the old rows is left.
        ours.replace_rows([("z", _cells(["2026-01-01", "HL9", "周*", ""]))])
        await pilot.pause()
        assert ours.row_count == 1
        assert ours.get_row_index("z") == 0
        assert "a" not in ours.rows
        ours.replace_rows([])
        assert ours.row_count == 0


async def test_replacing_rows_with_a_repeated_key_refuses_and_changes_nothing() -> None:
    app = _Pair()
    async with app.run_test(size=(120, 12)) as pilot:
        ours, _plain = await _filled(pilot)
        before = [ours.get_row_at(i) for i in range(ours.row_count)]
        with pytest.raises(ValueError, match="unique"):
            ours.replace_rows([("x", _cells(["1"])), ("x", _cells(["2"]))])
        with pytest.raises(ValueError, match="columns"):
            ours.replace_rows([("y", _cells(["1", "2", "3", "4", "5"]))])
        assert [ours.get_row_at(i) for i in range(ours.row_count)] == before
