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
- **csv**: the summary table, UTF-8 with BOM, every cell formula-neutralised
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
from typing import Any, Literal

from grassroots_tui.models import ProblemState
from grassroots_tui.models.slip import SlipState
from grassroots_tui.models.visit import VisitKind
from grassroots_tui.services.condolence import neutralise
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
    ("登记户数", "households_registered"),
    ("本月走访户数", "households_visited_month"),
    ("累计走访户数", "households_visited_cumulative"),
    ("累计走访率(%)", "visit_rate_cumulative"),
    ("本月走访次数", "visits_month"),
    ("累计走访次数", "visits_cumulative"),
    ("本月反映问题", "issues_raised_month"),
    ("累计反映问题", "issues_raised_cumulative"),
    ("本月已解决", "issues_resolved_month"),
    ("累计已解决", "issues_resolved_cumulative"),
    ("本月交办单", "slips_issued_month"),
    ("累计交办单", "slips_issued_cumulative"),
    ("超期未办结", "slips_overdue_open"),
    ("按时回复率(%)", "on_time_rate"),
    ("满意率(%)", "satisfaction_rate"),
    ("本月媒体报道", "media_reports_month"),
    ("累计媒体报道", "media_reports_cumulative"),
)

_TREND_COLUMNS = (
    ("走访次数", "visits_month"),
    ("走访户数", "households_visited_month"),
    ("交办单", "slips_issued_month"),
)

_STATE_LABELS = {s.value: s.label for s in SlipState}
_PROBLEM_LABELS = {s.value: s.label for s in ProblemState}
_KIND_LABELS = {k.value: k.label for k in VisitKind}
_NUMBERLIKE = re.compile(r"^\d{6,}[\dXx]*$")


def summary_rows(stats: MonthStats) -> list[list[Any]]:
    """Header row, a row per station (then 街道群工办 and 已删除的站点 when they count
    something: :attr:`MonthStats.rows`), and the 合计 row, the sum of the rows above it
    (only with more than one row)."""
    header = ["站点代码", "站名", *(title for title, _ in SUMMARY_COLUMNS)]
    rows: list[list[Any]] = [header]

    def row(code: str, name: str, f: Figures) -> list[Any]:
        return [code, name, *(getattr(f, key) for _, key in SUMMARY_COLUMNS)]

    for s in stats.rows:
        rows.append(row(s.code, s.name, s.figures))
    if len(stats.rows) != 1:
        rows.append(row("合计", "", stats.total))
    return rows


def _csv(stats: MonthStats) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in summary_rows(stats):
        writer.writerow([neutralise(cell) for cell in row])
    writer.writerow([])
    writer.writerow([neutralise(stats.summary)])
    return buffer.getvalue().encode("utf-8-sig")


def period_line(stats: MonthStats) -> str:
    """ "统计期间：2026-01-01 至 2026-09-30；比率保留两位小数，四舍五入（ROUND_HALF_UP）"."""
    rule = stats.rounding
    return (
        f"统计期间：{stats.period_start.isoformat()} 至 {stats.period_end.isoformat()}；"
        f"比率保留两位小数，{RATE_ROUNDINGS.get(rule, rule)}（{rule}）"
    )


def _md_cell(value: Any) -> str:
    if value is None:
        return NO_RATE
    return " ".join(str(value).split()).replace("\\", "\\\\").replace("|", "\\|")


def _markdown(stats: MonthStats) -> bytes:
    rows = summary_rows(stats)
    lines = [
        f"# {stats.month} 月度统计",
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


def _append(sheet: Any, values: list[Any]) -> None:
    # openpyxl's own counter of the last row written, kept up to date on every cell
    # access. ``sheet.max_row`` scans every cell each time: asked once per row, it made
    # the export quadratic (87 s for 25,000 rows at 100k documents; bench/RESULTS-stats.md).
    row = sheet._current_row + 1
    for column, value in enumerate(values, start=1):
        _put(sheet, row, column, value)


class _Codes(dict):
    """Station id -> the code shown in a detail sheet. With the office's own row (or the
    removed stations') on the summary sheet, their documents are listed too, under that
    row's name, so that the detail sheets hold what the 合计 row counts."""

    def __init__(self, stats: MonthStats) -> None:
        super().__init__((s.station_id, s.code) for s in stats.stations)
        self.others = {row.name for row in stats.others}

    def __missing__(self, station_id: Any) -> str | None:
        name = OFFICE_ROW if station_id in (None, "") else GONE_ROW
        return name if name in self.others else None


def _slip_rows(store: Any, stats: MonthStats, calendar: Any, masker: Masker) -> list[list[Any]]:
    end = stats.period_end
    lo, hi = stats.period_start.isoformat(), end.isoformat()
    codes = _Codes(stats)
    lines = timelines(store, calendar)
    # Every registered resident's name, not only the slip's own: a neighbour named in it.
    residents = resident_names(store)
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
                _STATE_LABELS.get(state.value, state.label),
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
                    _PROBLEM_LABELS.get(item.get("state"), str(item.get("state"))),
                    str(item.get("solved_on") or ""),
                ]
            )
        visits.append(
            [
                code,
                day,
                str(visit.get("start_time") or "")[:5],
                str(visit.get("end_time") or "")[:5],
                _KIND_LABELS.get(visit.get("visit_kind"), str(visit.get("visit_kind") or "")),
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
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    summary = book.active
    assert isinstance(summary, Worksheet)  # a new workbook's one sheet
    summary.title = "汇总"
    _put(summary, 1, 1, f"{stats.month} 月度统计").font = Font(bold=True, size=14)
    _put(summary, 2, 1, period_line(stats))
    _put(summary, 3, 1, stats.summary)
    for r, row in enumerate(summary_rows(stats), start=5):
        for c, value in enumerate(row, start=1):
            if r > 5 and value is None:  # a rate with nothing to divide by
                value = NO_RATE
            cell = _put(summary, r, c, float(value) if hasattr(value, "as_tuple") else value)
            if r == 5:
                cell.font = Font(bold=True)
    summary.column_dimensions["B"].width = 24
    tick("汇总")

    masker = Masker()
    slips = book.create_sheet("交办单")
    _append(
        slips,
        ["站点", "编号", "交办日期", "类别", "事项", "承办单位", "状态", "应办结日期", "超期天数"],
    )
    for row in _slip_rows(store, stats, calendar, masker):
        _append(slips, row)
    tick("交办单")
    visits, problems = _visit_rows(store, stats, masker)
    sheet = book.create_sheet("反映问题")
    _append(sheet, ["站点", "走访日期", "户号", "户主", "类别", "问题描述", "状态", "解决日期"])
    for row in problems:
        _append(sheet, row)
    sheet = book.create_sheet("走访记录")
    _append(sheet, ["站点", "日期", "开始", "结束", "方式", "户号", "户主", "问题数"])
    for row in visits:
        _append(sheet, row)
    tick("明细")

    if trend_rows:
        sheet = book.create_sheet("趋势")
        _append(sheet, ["月份", *(title for title, _ in _TREND_COLUMNS)])
        for month, figures in trend_rows:
            _append(sheet, [month, *(getattr(figures, key) for _, key in _TREND_COLUMNS)])
        chart = LineChart()
        chart.title = "近十二个月趋势"
        chart.y_axis.title = "数量"
        chart.x_axis.title = "月份"
        last = len(trend_rows) + 1
        data = Reference(sheet, min_col=2, max_col=1 + len(_TREND_COLUMNS), min_row=1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        chart.width, chart.height = 24, 12
        sheet.add_chart(chart, "F2")
        tick("趋势")

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_stats(
    store: Any,
    stats: MonthStats,
    *,
    fmt: Literal["xlsx", "csv", "json", "md"],
    trend_rows: list[tuple[str, Figures]] | None = None,
    progress: Callable[[str], None] | None = None,
    calendar: Any = None,
) -> bytes:
    """The statistics as the bytes of a file of format ``fmt``. ``trend_rows`` (from
    :func:`statistics.trend`) adds the 趋势 sheet and chart to an .xlsx; ``progress`` is
    called with the name of each step done."""
    tick = progress or (lambda _step: None)
    if fmt == "json":
        data = json.dumps(stats_json(stats), ensure_ascii=False, indent=2).encode("utf-8")
    elif fmt == "csv":
        data = _csv(stats)
    elif fmt == "md":
        data = _markdown(stats)
    elif fmt == "xlsx":
        data = _xlsx(store, stats, trend_rows, calendar, tick)
    else:
        raise ValueError(f"不支持的导出格式：{fmt}（可用：xlsx、csv、json、md）")
    tick("完成")
    return data


def default_name(stats: MonthStats, station_code: str | None = None) -> str:
    """ "月度统计-2026-09" or "月度统计-HL01-2026-09"."""
    return "-".join(x for x in ("月度统计", station_code or "", stats.month) if x)
