"""A filterable, sortable table of records with a detail pane.

The screen hands over every row once (cells already masked, plus a search text and
sort values); filtering runs over that Python list, not the widget, and only the first
LIMIT matches are put in the DataTable, so a keystroke stays quick over 50,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual._two_way_dict import TwoWayDict
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.render import measure
from textual.widgets import DataTable, Input, Static
from textual.widgets._data_table import Row as TableRow
from textual.widgets._data_table import RowCacheKey, RowKey

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

    _fitted: tuple[tuple[int, ...], tuple[Text, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    _sizes: tuple[int, ...] | None = field(default=None, repr=False, compare=False)

    def cell_sizes(self) -> tuple[int, ...]:
        """How wide each cell's text is (made once per row: a save rebuilds a few rows,
        and the widths of the columns are worked out from every row listed)."""
        if self._sizes is None:
            self._sizes = tuple(cell_len(cell.plain) for cell in self.shown_cells())
        return self._sizes

    def fitted_cells(self, widths: tuple[int, ...]) -> tuple[Text, ...]:
        """The cells cut to the columns' widths, each cut one ending in "…" (made once
        per row and widths)."""
        fitted = self._fitted
        if fitted is not None and fitted[0] == widths:
            return fitted[1]
        cells = self.shown_cells()
        if widths:
            cells = tuple(fit_cell(cell, width) for cell, width in zip(cells, widths, strict=False))
        self._fitted = (widths, cells)
        return cells

    def shown_cells(self) -> tuple[Text, ...]:
        """The cells as the table shows them, made once per row: a ``str`` cell would be
        read as Rich markup ("[bold]" typed by a user would vanish or raise MarkupError)
        and a raw ESC would reach the terminal, so every cell is shown literally."""
        if self._shown is None:
            self._shown = tuple(literal(c) for c in self.cells)
        return self._shown


ELLIPSIS = "…"


def fit_cell(cell: Text, width: int) -> Text:
    """A cell no wider than ``width``: one cut shorter ends in "…"."""
    if cell_len(cell.plain) <= width:
        return cell
    if width <= 1:
        return Text(ELLIPSIS[:width], style=cell.style)
    if cell.spans:
        cut = cell.copy()
        cut.truncate(width, overflow="ellipsis")
        return cut
    return Text(set_cell_size(cell.plain, width - 1).rstrip() + ELLIPSIS, style=cell.style)


def fill_widths(
    minimum: Sequence[int],
    natural: Sequence[int],
    available: int,
    floor: Sequence[int] | None = None,
) -> list[int]:
    """Column widths for ``available`` cells: each column as wide as its text
    (``natural``) up to its own width (``minimum``), never narrower than its ``floor``
    (its title); then the room left goes first to the columns whose text would be cut,
    as evenly as it goes, then back to the columns' own widths. Short of room, the
    columns whose text is cut anyway give some back, the widest first, then the others,
    so that the list fits rather than scrolls sideways."""
    count = len(minimum)
    lowest = list(floor) if floor is not None else [0] * count
    widths = [max(lowest[i], min(minimum[i], natural[i])) for i in range(count)]
    room = available - sum(widths)
    room = _give(widths, natural, room)
    room = _give(widths, minimum, room)
    while room < 0:
        giving = [i for i in range(count) if widths[i] > lowest[i]]
        if not giving:
            break
        widest = max(giving, key=lambda i: (natural[i] > widths[i], widths[i] - lowest[i]))
        widths[widest] -= 1
        room += 1
    return widths


def _give(widths: list[int], wanted: Sequence[int], room: int) -> int:
    """Widen the columns narrower than ``wanted``, evenly, with at most ``room`` cells;
    the room left."""
    while room > 0:
        wanting = [i for i, w in enumerate(widths) if wanted[i] > w]
        if not wanting:
            break
        share = max(1, room // len(wanting))
        for i in wanting:
            more = min(share, wanted[i] - widths[i], room)
            widths[i] += more
            room -= more
            if room <= 0:
                break
    return room


class _Table(DataTable):
    """A DataTable made quick for a list refilled on every keystroke and every save
    (bench/RESULTS.md says what each of these cost):

    - only the cells of columns without a fixed width are measured (DataTable measures
      every cell of every row added, to size auto-width columns);
    - :meth:`replace_rows` puts every row in at once;
    - rows of one-line text are drawn directly (see "drawing" below).

    Rows are always one line high. It relies on DataTable's internals of Textual 8
    (pinned below 9 in pyproject.toml); tests/test_record_table_render.py compares it
    with DataTable itself, so a Textual that changes them fails there first.
    """

    #: Home and End go to the first and last row listed (DataTable's own scroll
    #: sideways, which a list that fits the width does not need).
    BINDINGS = [
        Binding("home", "scroll_top", "Top", show=False),
        Binding("end", "scroll_bottom", "Bottom", show=False),
    ]

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

    def replace_rows(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Every row at once: what clear() then add_row() for each row does, with the
        bookkeeping (the cursor's validation, a refresh) done once rather than once
        per row, which was most of a list's update after a save (bench/FINDINGS-app.md).
        Row keys must be unique; every row is one line high."""
        keys = [column.key for column in self.ordered_columns]
        locations = {RowKey(key): index for index, (key, _cells) in enumerate(rows)}
        if len(locations) != len(rows):
            raise ValueError("Row keys must be unique.")
        if any(len(cells) > len(keys) for _key, cells in rows):
            raise ValueError("More values provided than there are columns.")
        self.clear()
        data, table_rows = self._data, self.rows
        for row_key, (_key, cells) in zip(locations, rows, strict=True):
            data[row_key] = dict(zip(keys, cells, strict=False))
            table_rows[row_key] = TableRow(row_key, 1, None, False)
        self._row_locations = TwoWayDict(locations)
        self._new_rows.update(locations)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if rows and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    # --- drawing ------------------------------------------------------------------------
    #
    # After a save the whole list is repainted, and DataTable's own drawing was most of
    # the wait (bench/FINDINGS-app.md): every cell went through Rich's console (Padding
    # inside Styled, laid out as a page), and the columns, the widget's settings and the
    # styles (each worked out through every ancestor) were looked up again for every
    # cell. Here a row of one-line cells (plain text, or text in one style of its own
    # such as the board's clock) is drawn in one pass, with what a render needs looked
    # up once per render. Anything else (the header, labels, fixed columns, a cell
    # cursor, text with styled spans or on several lines) is drawn by DataTable itself;
    # tests/test_record_table_render.py checks that both draw the same.

    _pass: _RenderPass | None = None

    def render_lines(self, crop: Any) -> list[Any]:
        self._pass = _RenderPass(self)
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    @property
    def rich_style(self) -> Style:
        # Asked for every line drawn; the same throughout one render.
        if self._pass is not None:
            return self._pass.rich_style
        return super().rich_style

    def get_component_styles(self, *names: str) -> Any:
        if self._pass is None:
            return super().get_component_styles(*names)
        styles = self._pass.styles.get(names)
        if styles is None:
            styles = self._pass.styles[names] = _StylesOnce(super().get_component_styles(*names))
        return styles

    def _render_line_in_row(
        self,
        row_key: Any,
        line_no: int,
        base_style: Style,
        cursor_location: Any,
        hover_location: Any,
    ) -> tuple[list, list]:
        drawing = self._pass
        row_index = self._row_locations.get(row_key)
        row = self.rows.get(row_key)
        cells = None
        if drawing is not None and drawing.plain_rows and row_index is not None and row:
            data = self._data[row_key]
            cells = [data.get(key) for key in drawing.keys]
        if cells is None or row is None or row.height != 1 or not all(map(_one_line, cells)):
            return super()._render_line_in_row(
                row_key, line_no, base_style, cursor_location, hover_location
            )
        assert drawing is not None and row_index is not None
        cache_key: RowCacheKey = (
            row_key,
            line_no,
            base_style,
            cursor_location,
            hover_location,
            "row",
            drawing.show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._row_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cursor = cursor_location.row == row_index
        hover = hover_location.row == row_index
        row_style = self._get_row_style(row_index, base_style)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, *drawing.cell_flags
        )
        pad = drawing.pad
        scrollable: list[list[Segment]] = []
        texts = cast(list[Text], cells)  # all(map(_one_line, cells)) said so above
        for column_index, (inner, cell) in enumerate(zip(drawing.inner, texts, strict=True)):
            meta = Style.from_meta({"row": row_index, "column": column_index})
            before = row_style + meta + component_style
            style = before + post_style
            if not cell.style:
                scrollable.append([Segment(pad + set_cell_size(cell.plain, inner) + pad, style)])
                continue
            # A cell in a style of its own (the board's clock): its text in that style,
            # the padding and the rest of the column in the row's, as Rich draws it.
            text, width = cell.plain, cell_len(cell.plain)
            if width > inner:
                text, width = set_cell_size(text, inner), inner
            text_style = before + drawing.cell_style(cell.style) + post_style
            segments: list[Segment] = []
            for part, part_style in (
                (pad, style),
                (text, text_style),
                (" " * (inner - width) + pad, style),
            ):
                if not part:
                    continue
                if segments and segments[-1].style == part_style:
                    segments[-1] = Segment(segments[-1].text + part, part_style)
                else:
                    segments.append(Segment(part, part_style))
            scrollable.append(segments)
        # The rest of the line, in the row's style (as DataTable extends a row).
        extend_style, _ = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, *drawing.cell_flags[:2], False, False
        )
        out_of_bounds = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        extend_style = row_style + extend_style + out_of_bounds
        scrollable.append([Segment(" " * drawing.remaining, extend_style)])
        pair: tuple[list, list] = ([], scrollable)
        self._row_render_cache[cache_key] = pair
        return pair


def _one_line(cell: object) -> bool:
    """A cell the fast path draws: one line of text, in one style of its own at most,
    laid out as Rich lays out text by default."""
    return (
        isinstance(cell, Text)
        and not cell.spans
        and cell.justify is None
        and cell.overflow is None
        and "\n" not in cell.plain
    )


class _StylesOnce:
    """A component's styles with its Rich style worked out once."""

    __slots__ = ("_styles", "rich_style")

    def __init__(self, styles: Any) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


class _RenderPass:
    """What drawing the table's rows needs, looked up once per render."""

    def __init__(self, table: _Table) -> None:
        self.rich_style = DataTable.rich_style.fget(table)  # type: ignore[attr-defined]
        self._console = table.app.console
        self._cell_styles: dict[str | Style, Style] = {}
        self.styles: dict[tuple[str, ...], _StylesOnce] = {}
        columns = table.ordered_columns
        self.keys = [column.key for column in columns]
        padding = table.cell_padding
        widths = [column.get_render_width(table) for column in columns]
        self.inner = [max(0, width - 2 * padding) for width in widths]
        self.pad = " " * padding
        self.remaining = max(0, table.size.width - sum(widths) - table._row_label_column_width)
        self.show_cursor = table.show_cursor
        self.cell_flags = (
            self.show_cursor,
            table._show_hover_cursor,
            table.cursor_foreground_priority == "css",
            table.cursor_background_priority == "css",
        )
        self.plain_rows = (
            table.cursor_type == "row"
            and not table.fixed_rows
            and not table.fixed_columns
            and not (table._labelled_row_exists and table.show_row_labels)
        )

    def cell_style(self, style: str | Style) -> Style:
        """A cell's own style, as Rich's console reads it."""
        found = self._cell_styles.get(style)
        if found is None:
            found = self._cell_styles[style] = self._console.get_style(style)
        return found


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
        #: The columns' widths now (they follow the room there is and the text listed).
        self.widths: tuple[int, ...] = ()

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

    def on_resize(self) -> None:
        if self._fit_widths():
            self.refilter()

    #: A column without a width of its own starts this wide (wider if there is room).
    AUTO_MINIMUM = 12
    #: Rows measured for the widths of their text (the first ones listed).
    MEASURED = 500

    def _fit_widths(self) -> bool:
        """Give the columns the room the table has (issue #19: half the screen was left
        empty at 120 columns while 事项 was cut at six characters). True if they changed."""
        table = self.query_one(_Table)
        width = table.scrollable_content_region.width
        if width <= 0:
            return False
        if not table.show_vertical_scrollbar:
            width -= table.styles.scrollbar_size_vertical  # the bar that more rows bring
        available = width - 2 * table.cell_padding * len(self.columns)
        titles = [cell_len(column.title) for column in self.columns]
        minimum = [
            max(column.width or self.AUTO_MINIMUM, title)
            for column, title in zip(self.columns, titles, strict=True)
        ]
        # The sorted column's title has its arrow (" ▲") too.
        natural = [
            title + (2 if index == self.sort_column else 0) for index, title in enumerate(titles)
        ]
        measured = [row.cell_sizes() for row in self.shown[: self.MEASURED]]
        for i, sizes in enumerate(zip(*measured, strict=False)):  # column by column
            if i < len(natural):
                natural[i] = max(natural[i], *sizes)
        widths = tuple(fill_widths(minimum, natural, available, floor=titles))
        if widths == self.widths:
            return False
        self.widths = widths
        for column, width in zip(table.ordered_columns, widths, strict=True):
            column.width, column.auto_width = width, False
        table._require_update_dimensions = True
        return True

    def _sort_arrows(self) -> None:
        """The sorted column's title ends in ▲ (rising) or ▼ (falling)."""
        table = self.query_one(_Table)
        for index, (mine, column) in enumerate(
            zip(self.columns, table.ordered_columns, strict=True)
        ):
            title = mine.title
            if index == self.sort_column:
                title += " ▼" if self.sort_reverse else " ▲"
            if column.label.plain != title:
                column.label = Text(title)

    # --- data ---------------------------------------------------------------------------

    def set_rows(self, rows: list[Row], keep: str | None = None) -> None:
        self.rows = rows
        self._filtered.clear()
        self.refilter(keep=keep, measure=True)

    def refilter(self, keep: str | None = None, *, measure: bool = False) -> None:
        """List the rows the filter finds, in the order chosen; with ``measure`` (new
        rows) the columns' widths are worked out again from their text."""
        shown = self._filtered(self.rows, self.query_text)
        if self.sort_column is not None:
            index = self.sort_column
            shown = sorted(shown, key=lambda r: r.sort[index], reverse=self.sort_reverse)
        self.shown = shown
        if measure:
            self._fit_widths()
        table = self.query_one(_Table)
        self._sort_arrows()
        current = keep or self.current_id
        widths = self.widths
        table.replace_rows([(row.id, row.fitted_cells(widths)) for row in shown[:LIMIT]])
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
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
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
        self.refilter(measure=True)  # room for the arrow

    def cycle_sort(self) -> None:
        if self.sort_column is None:
            self.sort_by(0)
        elif not self.sort_reverse:
            self.sort_by(self.sort_column)
        else:
            self.sort_column, self.sort_reverse = (self.sort_column + 1) % len(self.columns), False
            self.refilter(measure=True)

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

    def clear_filter(self) -> None:
        """Empty the filter (another person signed in: what the last one looked for is
        neither theirs to see nor what they want listed)."""
        self.query_text = ""
        self.query_one("#table-filter", Input).value = ""
        self.refilter()

    def focus_filter(self) -> None:
        self.query_one("#table-filter", Input).focus()
