"""月度统计的导出: Excel (.xlsx), CSV, Markdown and JSON.

- **xlsx**: a 汇总 sheet in the office's layout (a row per station, the office's own row
  街道群工办 when it counts something, and the 合计 row, their sum; the columns this
  month and cumulative) with the summary sentence above it; detail sheets 交办单 (the
  slips issued in the reporting year to the period's end, the office's own too: state,
  due date, days overdue at the period's end, today for a month in progress), 反映问题
  and 走访记录 (the month's problems and visits: the
  year's are in the figures, and listing them made the file of a large office slow to
  write and to open; bench/RESULTS-stats.md), residents' names masked (:class:`~grassroots_tui.services.masking.Masker`); every text cell that
  holds an ID-like number or starts with a formula character is typed as text, never a
  formula; a 趋势 sheet with the twelve months and a native Excel line chart.
- **csv**: the summary table, UTF-8 with BOM (GB18030 on request), every cell formula-neutralised
  (:func:`~grassroots_tui.services.condolence.neutralise`).
- **md**: the summary sentence and table. **json**: :func:`statistics.stats_json`.

A rate with nothing to divide by (None) is "—" in the .xlsx and the .md, an empty cell
in the .csv and null in the .json, never 0.00. The .xlsx and the .md name the rounding
rule in force under the period (the ``rate_rounding`` setting).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from copy import copy
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from grassroots_tui.lang import N_, tr
from grassroots_tui.models import ProblemState
from grassroots_tui.models.slip import SlipState
from grassroots_tui.models.visit import VisitKind
from grassroots_tui.services.condolence import CSV_ENCODINGS, neutralise
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.slips.clock import timelines
from grassroots_tui.services.statistics import (
    GONE_ROW,
    NO_RATE,
    OFFICE_ROW,
    Figures,
    MonthStats,
    stats_json,
)
from grassroots_tui.store.settings import RATE_ROUNDINGS

__all__ = ["SUMMARY_COLUMNS", "export_stats", "summary_rows"]

#: (header, Figures field) of the summary table, in the office's order.
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    (N_("登记户数"), "households_registered"),
    (N_("本月走访户数"), "households_visited_month"),
    (N_("累计走访户数"), "households_visited_cumulative"),
    (N_("累计走访率(%)"), "visit_rate_cumulative"),
    (N_("本月走访次数"), "visits_month"),
    (N_("累计走访次数"), "visits_cumulative"),
    (N_("本月反映问题"), "issues_raised_month"),
    (N_("累计反映问题"), "issues_raised_cumulative"),
    (N_("本月已解决"), "issues_resolved_month"),
    (N_("累计已解决"), "issues_resolved_cumulative"),
    (N_("本月交办单"), "slips_issued_month"),
    (N_("累计交办单"), "slips_issued_cumulative"),
    (N_("超期未办结"), "slips_overdue_open"),
    (N_("按时回复率(%)"), "on_time_rate"),
    (N_("满意率(%)"), "satisfaction_rate"),
    (N_("本月媒体报道"), "media_reports_month"),
    (N_("累计媒体报道"), "media_reports_cumulative"),
)

_TREND_COLUMNS = (
    (N_("走访次数"), "visits_month"),
    (N_("走访户数"), "households_visited_month"),
    (N_("交办单"), "slips_issued_month"),
)
#: The detail sheets' headers (said with ``tr`` when written).
_SLIP_HEADER = (
    N_("站点"),
    N_("编号"),
    N_("交办日期"),
    N_("类别"),
    N_("事项"),
    N_("承办单位"),
    N_("状态"),
    N_("应办结日期"),
    N_("超期天数"),
)
_PROBLEM_HEADER = (
    N_("站点"),
    N_("走访日期"),
    N_("户号"),
    N_("户主"),
    N_("类别"),
    N_("问题描述"),
    N_("状态"),
    N_("解决日期"),
)
_VISIT_HEADER = (
    N_("站点"),
    N_("日期"),
    N_("开始"),
    N_("结束"),
    N_("方式"),
    N_("户号"),
    N_("户主"),
    N_("问题数"),
)

#: The trend lines' colours (blue, red, green: told apart in grey print too, by marker).
_TREND_COLOURS = ("2F5597", "C00000", "548235")


def _labels(enum: Any) -> dict[str, str]:
    """Each member's value → its label in the interface's language, for one export."""
    return {member.value: tr(member.label) for member in enum}


_NUMBERLIKE = re.compile(r"^\d{6,}[\dXx]*$")


#: The rows of what is no station's (:data:`OFFICE_ROW`, :data:`GONE_ROW`), which the
#: statistics keep under their Chinese names: message ids, marked here for the catalog.
_ROW_NAMES = frozenset({N_("街道群工办"), N_("已删除的站点")})


def summary_rows(stats: MonthStats, say: Callable[[str], str] = tr) -> list[list[Any]]:
    """Header row, a row per station (then 街道群工办 and 已删除的站点 when they count
    something: :attr:`MonthStats.rows`), and the 合计 row, the sum of the rows above it
    (only with more than one row). ``say`` words the headers: the interface's language,
    or :func:`~grassroots_tui.lang.chinese` for an official document."""
    header = [say(N_("站点代码")), say(N_("站名")), *(say(title) for title, _ in SUMMARY_COLUMNS)]
    rows: list[list[Any]] = [header]

    def row(code: str, name: str, f: Figures) -> list[Any]:
        return [code, name, *(getattr(f, key) for _, key in SUMMARY_COLUMNS)]

    for s in stats.rows:
        name = say(s.name) if s.name in _ROW_NAMES else s.name
        rows.append(row(s.code, name, s.figures))
    if len(stats.rows) != 1:
        rows.append(row(say(N_("合计")), "", stats.total))
    return rows


def _csv(stats: MonthStats, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in summary_rows(stats):
        writer.writerow([neutralise(cell) for cell in row])
    writer.writerow([])
    writer.writerow([neutralise(stats.summary)])
    return buffer.getvalue().encode(CSV_ENCODINGS[encoding])


def period_line(stats: MonthStats, say: Callable[..., str] = tr) -> str:
    """ "统计期间：2026-01-01 至 2026-09-30；比率保留两位小数，四舍五入（ROUND_HALF_UP）"."""
    rule = stats.rounding
    return say(
        N_("统计期间：{start} 至 {end}；比率保留两位小数，{rounding}（{rule}）"),
        start=stats.period_start.isoformat(),
        end=stats.period_end.isoformat(),
        rounding=say(RATE_ROUNDINGS.get(rule, rule)),
        rule=rule,
    )


def _md_cell(value: Any) -> str:
    if value is None:
        return NO_RATE
    return " ".join(str(value).split()).replace("\\", "\\\\").replace("|", "\\|")


def _markdown(stats: MonthStats) -> bytes:
    rows = summary_rows(stats)
    lines = [
        "# " + tr("{month} 月度统计", month=stats.month),
        "",
        period_line(stats),
        "",
        stats.summary,
        "",
        "| " + " | ".join(_md_cell(c) for c in rows[0]) + " |",
        "|" + "|".join("---" for _ in rows[0]) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows[1:]]
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- xlsx ------------------------------------------------------------------------------------

#: The workbook's font: 宋体 is on every Chinese Windows and in WPS; charset 134 (GB2312)
#: lets a suite without it pick another simplified-Chinese face instead of a Japanese one.
XLSX_FONT = "宋体"
XLSX_FONT_CHARSET = 134
#: A rate's number format: 25.00, never 25.
RATE_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


#: The wide (W) and full-width (F) ranges of Unicode's East Asian Width: Hangul Jamo,
#: CJK punctuation to Yi, Hangul syllables, CJK compatibility, vertical and small forms,
#: full-width forms, and the supplementary ideographic planes. One regular expression
#: counts them in C: measuring every cell character by character was a fifth of the
#: workbook's time at 100,000 documents.
_WIDE = re.compile(
    "[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3"
    "\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)


def display_width(text: str) -> int:
    """Columns a text takes in a sheet or a terminal: a CJK (wide) character counts two."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write a cell; text that looks like a formula or a long number stays text."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        if value.startswith(("=", "+", "-", "@")) or _NUMBERLIKE.match(value):
            cell.data_type = "s"
            cell.number_format = "@"
    else:
        cell.value = value
    return cell


#: date.toordinal() of Excel's day 0 (1899-12-30): a date's serial number is the difference.
_EXCEL_DAY_ZERO = date(1899, 12, 30).toordinal()


@cache
def _shared_style_class() -> Any:
    """A StyleArray for the style of many cells of a table, never changed: its hash
    (looked up for every cell when the workbook is written) computed once."""
    from openpyxl.styles.cell_style import StyleArray

    def cached_hash(self: Any) -> int:
        try:
            return self._hash
        except AttributeError:
            self._hash = hash(tuple(self))
            return self._hash

    return type("SharedStyle", (StyleArray,), {"__slots__": ("_hash",), "__hash__": cached_hash})


#: The characters openpyxl refuses in a cell (XML 1.0 cannot hold them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _typed(value: Any) -> tuple[str, Any, int]:
    """How a table writes a value: (its style's name, the value as stored, its display
    width). ISO dates become date cells (their serial number, as Excel keeps them), rates
    ``0.00``; text that looks like a formula or a long number stays text."""
    if isinstance(value, str):
        if _DATE_TEXT.match(value):
            return "date", date.fromisoformat(value).toordinal() - _EXCEL_DAY_ZERO, 10
        if not value.isprintable():  # a control character XML cannot hold is left out
            value = _ILLEGAL.sub("", value)
        if value.startswith(("=", "+", "-", "@")) or _NUMBERLIKE.match(value):
            return "forced", value, len(value)
        return "text", value, display_width(value)
    if isinstance(value, Decimal | float):
        return "rate", float(value), 6
    return "number", value, len(str(value)) if value is not None else 0


def _xml_text(value: str) -> str:
    """Text as a sheet's XML holds it: escaped, its edge spaces kept."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value != value.strip():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


class _Table:
    """A table written into a sheet: a bold header row with borders, then rows whose
    cells take one of a few prepared styles (copied, not built per cell: styling each of
    tens of thousands of cells through openpyxl's attributes would double the export's
    time), ISO dates as real date cells, rates as ``0.00``; it keeps each column's widest
    display width, for :meth:`finish`.

    A ``streamed`` table (the detail sheets, thousands of rows) makes no openpyxl cell for
    its rows: each row is written straight as the sheet's XML (the same cells openpyxl
    would write), and :func:`_save` puts them into the sheet when the workbook is saved.
    Going cell by cell through openpyxl was half the export's time at 100,000 documents."""

    def __init__(
        self, sheet: Any, header: list[str], first_row: int = 1, *, streamed: bool = False
    ) -> None:
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter

        self.cell_class = Cell
        shared = _shared_style_class()

        self.sheet = sheet
        self.header_row = first_row
        self.row = first_row
        self.header = header
        self.widths = [0] * len(header)
        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self._styles: dict[str, Any] = {}
        # Prototypes written in the header row's cells, then copied.
        proto = sheet.cell(row=first_row, column=1)
        for name, number_format in (
            ("text", "General"),
            ("number", "General"),
            ("rate", RATE_FORMAT),
            ("date", DATE_FORMAT),
            ("forced", "@"),
        ):
            proto.border = border
            proto.font = Font(name=XLSX_FONT, size=10, charset=XLSX_FONT_CHARSET)
            proto.number_format = number_format
            proto.alignment = Alignment(
                vertical="top", horizontal="right" if name in ("number", "rate") else None
            )
            self._styles[name] = shared(proto._style)
        proto.font = Font(name=XLSX_FONT, size=10, bold=True, charset=XLSX_FONT_CHARSET)
        proto.fill = PatternFill("solid", fgColor="F2F2F2")
        proto.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        proto.number_format = "General"
        header_style = copy(proto._style)
        for column, title in enumerate(header, start=1):
            cell = sheet.cell(row=first_row, column=column, value=title)
            cell._style = copy(header_style)
        self.xml: list[str] | None = None
        if streamed:
            self.xml = []
            # Each style's index in the workbook's list, as a cell's style_id finds it.
            ids = {name: sheet.parent._cell_styles.add(st) for name, st in self._styles.items()}
            self._ids = {name: f' s="{index}"' for name, index in ids.items()}
            self._letters = [get_column_letter(c) for c in range(1, len(header) + 1)]

    def add(self, values: list[Any]) -> None:
        self.row += 1
        if self.xml is not None:
            self._add_xml(values)
            return
        row, cells, sheet = self.row, self.sheet._cells, self.sheet
        styles, widths, Cell = self._styles, self.widths, self.cell_class
        for index, value in enumerate(values):
            # A cell made and put in place as sheet.cell() would, without its checks; its
            # style shared, never copied.
            style_name, stored, width = _typed(value)
            cell: Any = Cell(sheet, row=row, column=index + 1)
            if style_name in ("text", "forced", "number"):
                cell.value = stored  # text checked for characters a workbook cannot hold
                if style_name == "forced":
                    cell.data_type = "s"
            else:  # a date's serial number or a rate: a number, as Excel keeps it
                cell._value = stored
            cell._style = styles[style_name]
            cells[(row, index + 1)] = cell
            if width > widths[index]:
                widths[index] = width
        sheet._current_row = row

    def _add_xml(self, values: list[Any]) -> None:
        row, widths, ids, letters = self.row, self.widths, self._ids, self._letters
        out = [f'<row r="{row}">']
        for index, value in enumerate(values):
            style_name, stored, width = _typed(value)
            ref = f'<c r="{letters[index]}{row}"{ids[style_name]}'
            if stored is None:
                out.append(ref + "/>")
            elif stored == "":
                out.append(ref + ' t="inlineStr"/>')
            elif style_name == "text" or style_name == "forced":
                out.append(f'{ref} t="inlineStr"><is>{_xml_text(stored)}</is></c>')
            elif isinstance(stored, bool):
                out.append(f'{ref} t="b"><v>{int(stored)}</v></c>')
            else:
                out.append(f'{ref} t="n"><v>{stored!r}</v></c>')
            if width > widths[index]:
                widths[index] = width
        out.append("</row>")
        self.xml.append("".join(out))  # type: ignore[union-attr]

    def splice(self) -> tuple[Any, bytes, str]:
        """For :func:`_save`: the sheet, its streamed rows' XML and the range the sheet
        then covers."""
        last = f"{self._letters[-1]}{max(self.row, self.header_row)}"
        rows = "".join(self.xml or ()).encode("utf-8")
        return self.sheet, rows, f"A{self.header_row}:{last}"

    def finish(self, *, title: str, print_title: bool = True, freeze_columns: int = 0) -> None:
        """Column widths from the content (the header wraps, so it counts half), the
        header row frozen and repeated on every printed page, A4 landscape one page wide,
        the title and page numbers in the header and footer."""
        from openpyxl.utils import get_column_letter

        for index, title_text in enumerate(self.header):
            # A short header (走访次数) on one line; a long one (累计走访率(%)) on two.
            head = display_width(title_text)
            wanted = max(self.widths[index], head if head <= 8 else (head + 1) // 2, 4)
            letter = get_column_letter(index + 1)
            self.sheet.column_dimensions[letter].width = min(wanted, 60) + 2
        first = self.header_row
        self.sheet.freeze_panes = self.sheet.cell(row=first + 1, column=freeze_columns + 1)
        if print_title:
            self.sheet.print_title_rows = f"{first}:{first}"
        print_layout(self.sheet, title)


def print_layout(sheet: Any, title: str) -> None:
    """A4 landscape, fit to one page wide (as many pages down as needed), centred, the
    title in the page header and 第 N 页，共 M 页 in the footer."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    font = f"{XLSX_FONT},Regular"
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddHeader.center.font = font
    sheet.oddHeader.center.size = 11
    sheet.oddFooter.center.text = tr("第 &P 页，共 &N 页")
    sheet.oddFooter.center.font = font
    sheet.oddFooter.center.size = 9


def _workbook() -> Any:
    """A workbook whose default (Normal) font is :data:`XLSX_FONT`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    book: Any = Workbook()  # its style lists are private: no types for them
    font = Font(name=XLSX_FONT, size=11, family=3, charset=XLSX_FONT_CHARSET)
    book._fonts = IndexedList([font])
    book._named_styles["Normal"].font = copy(font)
    return book


def partial_month(stats: MonthStats) -> bool:
    """Whether the period ends before its month does (a month in progress)."""
    end = stats.period_end
    return end.month == (end + timedelta(days=1)).month


class _Codes(dict):
    """Station id -> the code shown in a detail sheet. With the office's own row (or the
    removed stations') on the summary sheet, their documents are listed too, under that
    row's name, so that the detail sheets hold what the 合计 row counts."""

    def __init__(self, stats: MonthStats) -> None:
        super().__init__((s.station_id, s.code) for s in stats.stations)
        self.others = {row.name for row in stats.others}

    def __missing__(self, station_id: Any) -> str | None:
        name = OFFICE_ROW if station_id in (None, "") else GONE_ROW
        return tr(name) if name in self.others else None


def _slip_rows(store: Any, stats: MonthStats, calendar: Any, masker: Masker) -> list[list[Any]]:
    end = stats.period_end
    lo, hi = stats.period_start.isoformat(), end.isoformat()
    codes = _Codes(stats)
    lines = timelines(store, calendar)
    # Every registered resident's name, not only the slip's own: a neighbour named in it.
    residents = resident_names(store)
    states = _labels(SlipState)
    rows = []
    for slip in sorted(store.raw("handoff_slip"), key=lambda s: str(lines[s["id"]].number or "")):
        line = lines[slip["id"]]
        issued = line.first_issued
        if codes[slip.get("station_id")] is None or issued is None:
            continue
        if not lo <= issued.isoformat() <= hi:
            continue
        # Where the slip stood at the end of the period, not today.
        due = line.due_on(end)
        late = (end - due.date).days if due is not None and line.overdue_on(end) else 0
        state = line.state_on(end)
        rows.append(
            [
                codes[slip.get("station_id")],
                str(line.number or ""),
                issued.isoformat(),
                str(slip.get("category") or ""),
                mask_text(str(slip.get("title") or ""), masker, residents),
                str(slip.get("handling_unit") or ""),
                states[state.value],
                due.date.isoformat() if due else "",
                late,
            ]
        )
    return rows


def _visit_rows(store: Any, stats: MonthStats, masker: Masker) -> tuple[list, list]:
    first = stats.period_end.replace(day=1).isoformat()
    hi = stats.period_end.isoformat()
    codes = _Codes(stats)
    homes = {h["id"]: h for h in store.raw("household")}
    residents = resident_names(store)  # a neighbour named in a problem is masked too
    problem_states, kinds = _labels(ProblemState), _labels(VisitKind)
    visits, problems = [], []
    month = [v for v in store.raw("visit") if first <= str(v.get("date"))[:10] <= hi]
    for visit in sorted(month, key=lambda v: (str(v.get("date")), v["id"])):
        day = str(visit.get("date"))[:10]
        if codes[visit.get("station_id")] is None:
            continue
        home = homes.get(visit.get("household_id"), {})
        head = masker.name(home.get("head_of_household"))
        number = str(home.get("household_no") or "")
        code = codes[visit.get("station_id")]
        if day < first:
            continue
        for item in visit.get("problems") or ():
            problems.append(
                [
                    code,
                    day,
                    number,
                    head,
                    str(item.get("category") or ""),
                    mask_text(str(item.get("description") or ""), masker, residents),
                    problem_states.get(item.get("state"), str(item.get("state"))),
                    str(item.get("solved_on") or ""),
                ]
            )
        visits.append(
            [
                code,
                day,
                str(visit.get("start_time") or "")[:5],
                str(visit.get("end_time") or "")[:5],
                kinds.get(visit.get("visit_kind"), str(visit.get("visit_kind") or "")),
                number,
                head,
                len(visit.get("problems") or ()),
            ]
        )
    return visits, problems


def _xlsx(
    store: Any,
    stats: MonthStats,
    trend_rows: list[tuple[str, Figures]] | None,
    calendar: Any,
    tick: Callable[[str], None],
) -> bytes:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    book = _workbook()
    summary = book.active
    assert isinstance(summary, Worksheet)  # a new workbook's one sheet
    summary.title = tr("汇总")
    title = tr("{month} 月度统计", month=stats.month)
    rows = summary_rows(stats)
    table = _Table(summary, rows[0], first_row=5)
    for row in rows[1:]:
        table.add([NO_RATE if value is None else value for value in row])
    table.finish(title=title, freeze_columns=2)
    last = get_column_letter(len(rows[0]))
    heading = _put(summary, 1, 1, title)
    heading.font = Font(name=XLSX_FONT, bold=True, size=14, charset=XLSX_FONT_CHARSET)
    _put(summary, 2, 1, period_line(stats))
    _put(summary, 3, 1, stats.summary).alignment = Alignment(wrap_text=True, vertical="top")
    for line in (1, 2, 3):
        summary.merge_cells(f"A{line}:{last}{line}")
    # The summary sentence wraps within the table's width: as many rows as it needs.
    width = sum(
        summary.column_dimensions[get_column_letter(c)].width for c in range(1, len(rows[0]) + 1)
    )
    lines = -(-display_width(stats.summary) // max(40, int(width * 0.9)))
    summary.row_dimensions[3].height = 15 * max(1, lines)
    summary.row_dimensions[5].height = 30
    tick(tr("汇总"))

    masker = Masker()
    splices = []
    sheet = book.create_sheet(tr("交办单"))
    table = _Table(sheet, [tr(h) for h in _SLIP_HEADER], streamed=True)
    for row in _slip_rows(store, stats, calendar, masker):
        table.add(row)
    table.finish(title=tr("{month} 交办单", month=stats.month))
    splices.append(table.splice())
    tick(tr("交办单"))
    visits, problems = _visit_rows(store, stats, masker)
    sheet = book.create_sheet(tr("反映问题"))
    table = _Table(sheet, [tr(h) for h in _PROBLEM_HEADER], streamed=True)
    for row in problems:
        table.add(row)
    table.finish(title=tr("{month} 反映问题", month=stats.month))
    splices.append(table.splice())
    sheet = book.create_sheet(tr("走访记录"))
    table = _Table(sheet, [tr(h) for h in _VISIT_HEADER], streamed=True)
    for row in visits:
        table.add(row)
    table.finish(title=tr("{month} 走访记录", month=stats.month))
    splices.append(table.splice())
    tick(tr("明细"))

    if trend_rows:
        _trend_sheet(book, stats, trend_rows)
        tick(tr("趋势"))

    return _save(book, splices)


def _save(book: Any, splices: list[tuple[Any, bytes, str]]) -> bytes:
    """The workbook's bytes, as ``book.save()`` writes them, with each streamed table's
    rows put into its sheet (after the rows openpyxl wrote, which end at the header) and
    the sheet's range made to cover them."""
    import zipfile
    from datetime import UTC, datetime

    from openpyxl.writer.excel import ExcelWriter

    parts = {id(sheet): (sheet, rows, ref) for sheet, rows, ref in splices}

    class SplicingZip(zipfile.ZipFile):
        def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
            # A sheet's part is named when the workbook is written (sheet1.xml …).
            key = next((k for k, (sh, _r, _f) in parts.items() if sh.path[1:] == arcname), None)
            if key is None:
                super().write(filename, arcname, *args, **kwargs)
                return
            _sheet, rows, ref = parts.pop(key)
            with open(filename, "rb") as handle:
                xml = handle.read()
            head, end, tail = xml.partition(b"</sheetData>")
            if not end:
                raise RuntimeError(f"no </sheetData> in {arcname}")
            head = re.sub(
                rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), head, count=1
            )
            self.writestr(arcname, head + rows + end + tail)

    out = io.BytesIO()
    archive = SplicingZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    book.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    ExcelWriter(book, archive).save()
    if parts:
        raise RuntimeError(f"sheets not written: {[sh.title for sh, _r, _f in parts.values()]}")
    return out.getvalue()


def _trend_sheet(book: Any, stats: MonthStats, trend_rows: list[tuple[str, Figures]]) -> None:
    """The twelve months and a line chart: straight lines (a smoothed curve dipped below
    zero between two months), both axes shown with titles, and a month in progress
    marked: its label says up to which day, its segment is dashed."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.marker import DataPoint, Marker
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties

    sheet = book.create_sheet(tr("趋势"))
    table = _Table(sheet, [tr("月份"), *(tr(title) for title, _ in _TREND_COLUMNS)])
    partial = partial_month(stats)
    for month, figures in trend_rows:
        label = month
        if partial and month == stats.month:
            label = tr("{month}（截至{day}日）", month=month, day=stats.period_end.day)
        table.add([label, *(getattr(figures, key) for _, key in _TREND_COLUMNS)])
    count = len(trend_rows)
    if partial:
        note = tr(
            "{month} 尚未结束，只统计到 {end}，图中以虚线表示。",
            month=stats.month,
            end=stats.period_end.isoformat(),
        )
        _put(sheet, count + 3, 1, note)
    table.finish(title=tr("{month} 近十二个月趋势", month=stats.month))
    chart = LineChart()
    chart.title = tr("近十二个月趋势（末月未满）") if partial else tr("近十二个月趋势")
    chart.y_axis.title = tr("数量")
    chart.x_axis.title = tr("月份")
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    last = count + 1
    data = Reference(sheet, min_col=2, max_col=1 + len(_TREND_COLUMNS), min_row=1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    for series, colour in zip(chart.series, _TREND_COLOURS, strict=False):
        series.smooth = False
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 22225  # 1.75 pt
        series.marker = Marker(symbol="circle", size=5)
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
        if partial and count > 1:  # the segment into the month in progress is dashed
            line = LineProperties(solidFill=colour, prstDash="dash", w=22225)
            series.dPt.append(DataPoint(idx=count - 1, spPr=GraphicalProperties(ln=line)))
    chart.width, chart.height = 24, 12
    sheet.add_chart(chart, "F2")


def export_stats(
    store: Any,
    stats: MonthStats,
    *,
    fmt: Literal["xlsx", "csv", "json", "md"],
    trend_rows: list[tuple[str, Figures]] | None = None,
    progress: Callable[[str], None] | None = None,
    calendar: Any = None,
    encoding: Literal["utf-8", "gb18030"] = "utf-8",
) -> bytes:
    """The statistics as the bytes of a file of format ``fmt``. ``trend_rows`` (from
    :func:`statistics.trend`) adds the 趋势 sheet and chart to an .xlsx; ``progress`` is
    called with the name of each step done; ``encoding`` is a CSV's (:data:`CSV_ENCODINGS`)."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(tr("不支持的编码：{encoding}（可用：utf-8、gb18030）", encoding=encoding))
    tick = progress or (lambda _step: None)
    if fmt == "json":
        data = json.dumps(stats_json(stats), ensure_ascii=False, indent=2).encode("utf-8")
    elif fmt == "csv":
        data = _csv(stats, encoding)
    elif fmt == "md":
        data = _markdown(stats)
    elif fmt == "xlsx":
        data = _xlsx(store, stats, trend_rows, calendar, tick)
    else:
        raise ValueError(tr("不支持的导出格式：{fmt}（可用：xlsx、csv、json、md）", fmt=fmt))
    tick(tr("完成"))
    return data


def default_name(stats: MonthStats, station_code: str | None = None) -> str:
    """ "月度统计-2026-09" or "月度统计-HL01-2026-09"."""
    return "-".join(x for x in (tr("月度统计"), station_code or "", stats.month) if x)
