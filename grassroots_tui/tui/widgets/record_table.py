"""A filterable, sortable table of records with a detail pane.

The screen hands over every row once (cells already masked, plus a search text and
sort values); filtering runs over that Python list, not the widget, and only the first
LIMIT matches are put in the DataTable, so a keystroke stays quick over 50,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.render import measure
from textual.widgets import DataTable, Input, Static

from grassroots_tui.i18n import t
from grassroots_tui.tui.widgets.form import literal

LIMIT = 500


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int | None = None


@dataclass
class Row:
    id: str
    cells: Sequence[str | Text]
    #: Lower-case text the filter searches (may hold more than is shown, e.g. pinyin).
    search: str
    #: One sort value per column.
    sort: Sequence[Any] = field(default_factory=tuple)
    _shown: tuple[Text, ...] | None = field(default=None, repr=False, compare=False)

    def shown_cells(self) -> tuple[Text, ...]:
        """The cells as the table shows them, made once per row: a ``str`` cell would be
        read as Rich markup ("[bold]" typed by a user would vanish or raise MarkupError)
        and a raw ESC would reach the terminal, so every cell is shown literally."""
        if self._shown is None:
            self._shown = tuple(literal(c) for c in self.cells)
        return self._shown


class _Table(DataTable):
    """A DataTable that measures only the cells of columns without a fixed width.

    DataTable measures every cell of every row added, to size auto-width columns; with
    500 rows of eight columns that was most of a keystroke's filtering time
    (bench/RESULTS.md). Fixed-width columns need no measuring, so only the auto-width
    ones are measured here; rows are always one line high.
    """

    def _update_dimensions(self, new_rows: Any) -> None:
        columns = list(self.ordered_columns)
        if self._labelled_row_exists or any(
            row.auto_height for key in new_rows if (row := self.rows.get(key)) is not None
        ):
            super()._update_dimensions(new_rows)
            return
        auto = [(i, c) for i, c in enumerate(columns) if c.auto_width]
        if auto:
            console = self.app.console
            for key in new_rows:
                index = self._row_locations.get(key)
                if index is None:
                    continue
                _label, cells = self._get_row_renderables(index)
                for i, column in auto:
                    column.content_width = max(column.content_width, measure(console, cells[i], 1))
        width = sum(c.get_render_width(self) for c in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header
        )


def filter_rows(rows: list[Row], query: str) -> list[Row]:
    """Rows whose search text holds every word of the query."""
    words = query.lower().split()
    if not words:
        return rows
    for word in words:  # one word at a time: each pass is over fewer rows
        rows = [row for row in rows if word in row.search]
    return rows


class _Filtered:
    """The matches of recent queries, so that typing narrows the last result instead of
    searching every row again, and a backspace finds its earlier result kept.

    A query that extends an earlier one (more characters, more words) can only match
    rows the earlier one matched, so it is searched among those.
    """

    KEEP = 32

    def __init__(self) -> None:
        self._kept: dict[str, list[Row]] = {}

    def clear(self) -> None:
        self._kept.clear()

    def __call__(self, rows: list[Row], query: str) -> list[Row]:
        key = " ".join(query.lower().split()) + (" " if query.endswith(" ") else "")
        found = self._kept.get(key)
        if found is None:
            base = rows
            for earlier, matched in self._kept.items():
                if key.startswith(earlier) and len(matched) < len(base):
                    base = matched
            found = filter_rows(base, key)
            if len(self._kept) >= self.KEEP:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = found
        return found


class RecordTable(Vertical):
    DEFAULT_CSS = """
    RecordTable { height: 1fr; }
    RecordTable > Input { height: 1; margin: 0 1; }
    RecordTable > Input:focus { background: $primary 25%; }
    RecordTable > DataTable { height: 1fr; }
    RecordTable > #table-status { height: 1; color: $text-muted; padding: 0 1; }
    RecordTable > #detail { height: 7; border-top: solid $panel-lighten-2; padding: 0 1; }
    RecordTable > #detail.-hidden { display: none; }
    """

    class Chosen(Message):
        def __init__(self, table: RecordTable, record_id: str) -> None:
            super().__init__()
            self.table = table
            self.record_id = record_id

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        detail: Callable[[str], str | Text] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.detail = detail
        self.rows: list[Row] = []
        self.shown: list[Row] = []
        self._filtered = _Filtered()
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("table.filter"), compact=True, id="table-filter")
        yield _Table(cursor_type="row", zebra_stripes=True, id="table")
        yield Static("", id="table-status", markup=False)
        with VerticalScroll(id="detail", classes="" if self.detail else "-hidden"):
            yield Static("", id="detail-text", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in self.columns:
            table.add_column(column.title, key=column.key, width=column.width)

    # --- data ---------------------------------------------------------------------------

    def set_rows(self, rows: list[Row], keep: str | None = None) -> None:
        self.rows = rows
        self._filtered.clear()
        self.refilter(keep=keep)

    def refilter(self, keep: str | None = None) -> None:
        shown = self._filtered(self.rows, self.query_text)
        if self.sort_column is not None:
            index = self.sort_column
            shown = sorted(shown, key=lambda r: r.sort[index], reverse=self.sort_reverse)
        self.shown = shown
        table = self.query_one(DataTable)
        current = keep or self.current_id
        with self.app.batch_update():
            table.clear()
            for row in shown[:LIMIT]:
                table.add_row(*row.shown_cells(), key=row.id)
        if current is not None:
            self.move_to(current)
        self._status()
        self._show_detail()

    def _status(self) -> None:
        total, matched = len(self.rows), len(self.shown)
        parts = [t("table.count", matched=matched, total=total)]
        if matched > LIMIT:
            parts.append(t("table.limited", limit=LIMIT))
        if self.sort_column is not None:
            arrow = "↓" if self.sort_reverse else "↑"
            parts.append(t("table.sorted", column=self.columns[self.sort_column].title) + arrow)
        self.query_one("#table-status", Static).update("  ".join(parts))

    @property
    def current_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        except Exception:  # noqa: BLE001 - an empty or shrinking table
            return None
        return key.value

    def move_to(self, record_id: str) -> bool:
        table = self.query_one(DataTable)
        try:
            index = table.get_row_index(record_id)
        except Exception:  # noqa: BLE001 - not among the rows shown
            return False
        table.move_cursor(row=index)
        return True

    # --- sorting ------------------------------------------------------------------------

    def sort_by(self, index: int) -> None:
        if self.sort_column == index:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = index, False
        self.refilter()

    def cycle_sort(self) -> None:
        if self.sort_column is None:
            self.sort_by(0)
        elif not self.sort_reverse:
            self.sort_by(self.sort_column)
        else:
            self.sort_column, self.sort_reverse = (self.sort_column + 1) % len(self.columns), False
            self.refilter()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(event.column_index)

    # --- filtering and choosing -----------------------------------------------------------

    @on(Input.Changed, "#table-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.refilter()

    @on(Input.Submitted, "#table-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        # Escape in the filter goes back to the table (keeping the filter).
        if event.key == "escape" and self.app.focused is self.query_one("#table-filter", Input):
            self.query_one(DataTable).focus()
            event.stop()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(self.Chosen(self, event.row_key.value))

    def _show_detail(self) -> None:
        if self.detail is None:
            return
        current = self.current_id
        text = self.detail(current) if current else ""
        self.query_one("#detail-text", Static).update(text)

    def focus_filter(self) -> None:
        self.query_one("#table-filter", Input).focus()
