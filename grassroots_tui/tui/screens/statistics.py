"""统计: the month's work figures, this month and cumulative, per station or in total,
the office's summary sentence, twelve months of trend, and the export."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, ProgressBar, Select, Sparkline, Static

from grassroots_tui.i18n import t
from grassroots_tui.services.documents import stats_document
from grassroots_tui.services.statistics import (
    Figures,
    MonthStats,
    month_stats,
    rate_text,
    trend,
)
from grassroots_tui.services.stats_export import default_name, export_stats
from grassroots_tui.store.document_templates import templates_folder
from grassroots_tui.store.exports import write_export
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.screens.base import SectionScreen
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.step_form import StepField, StepForm

#: (catalog key, this month's field, the cumulative field); None where there is none.
ROWS: tuple[tuple[str, str | None, str | None], ...] = (
    ("stats.registered", None, "households_registered"),
    ("stats.visited", "households_visited_month", "households_visited_cumulative"),
    ("stats.rate", None, "visit_rate_cumulative"),
    ("stats.visits", "visits_month", "visits_cumulative"),
    ("stats.off_hours", "off_hours_visits", None),
    ("stats.raised", "issues_raised_month", "issues_raised_cumulative"),
    ("stats.resolved", "issues_resolved_month", "issues_resolved_cumulative"),
    ("stats.slips", "slips_issued_month", "slips_issued_cumulative"),
    ("stats.replied", "slips_replied_month", None),
    ("stats.on_time", "on_time_rate", None),
    ("stats.overdue", None, "slips_overdue_open"),
    ("stats.satisfaction", "satisfaction_rate", None),
    ("stats.media", "media_reports_month", "media_reports_cumulative"),
    ("stats.hardship_new", "hardship_new_month", None),
    ("stats.hardship_active", None, "hardship_active"),
    ("stats.leave", "leave_requests_month", None),
    ("stats.supervision", "supervision_checks_month", None),
)
TREND = (
    ("stats.trend.visits", "visits_month"),
    ("stats.trend.visited", "households_visited_month"),
    ("stats.trend.slips", "slips_issued_month"),
    ("stats.trend.on_time", "on_time_rate"),
)
PERCENT = {"visit_rate_cumulative", "on_time_rate", "satisfaction_rate"}
#: Roughly how many progress steps an export reports (sheets, then "done").
EXPORT_STEPS = 6


def _show(figures: Figures, name: str | None) -> str:
    if name is None:
        return ""
    value = getattr(figures, name)
    if name in PERCENT:
        return rate_text(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


class StatisticsScreen(SectionScreen):
    SECTION = "statistics"
    CMDS = (
        Cmd("stats.prev", "month(-1)", "left_square_bracket"),
        Cmd("stats.next", "month(1)", "right_square_bracket"),
        Cmd("stats.export", "export", "x"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    StatisticsScreen #stats-head { height: 1; }
    StatisticsScreen #stats-head Select { width: 30; }
    StatisticsScreen #stats-title { padding: 0 1; width: 1fr; }
    StatisticsScreen #stats-summary { height: auto; padding: 0 1; background: $boost; }
    StatisticsScreen #stats-table { height: 1fr; }
    StatisticsScreen #stats-trend { height: 3; }
    StatisticsScreen #stats-trend > Vertical { width: 1fr; padding: 0 1; }
    StatisticsScreen Sparkline { height: 2; }
    StatisticsScreen #stats-progress { height: 1; }
    StatisticsScreen #stats-progress.-idle { display: none; }
    """

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="stats-head"):
            yield Label("", id="stats-title")
            yield Select([], prompt=t("stats.all_stations"), compact=True, id="stats-station")
        yield Static("", id="stats-summary", markup=False)
        yield DataTable(cursor_type="row", id="stats-table")
        with Horizontal(id="stats-trend"):
            for key, _field in TREND:
                with Vertical():
                    yield Label(t(key))
                    yield Sparkline([], id=f"trend-{_field}")
        yield ProgressBar(total=100, show_eta=False, id="stats-progress", classes="-idle")

    def on_mount(self) -> None:
        today = self.session.today()
        self.year, self.month = today.year, today.month
        stations = self.session.stations()
        select = self.query_one("#stats-station", Select)
        select.set_options([(literal(f"{s.code} {s.name}"), s.code) for s in stations])
        if self.session.station is not None:
            select.value = self.session.station.code
        self.query_one(DataTable).add_columns(
            t("stats.figure"), t("stats.month"), t("stats.cumulative")
        )
        self.stats: MonthStats | None = None
        self.reload()

    @property
    def station_code(self) -> str | None:
        value = self.query_one("#stats-station", Select).value
        return None if value is Select.NULL else str(value)

    @on(Select.Changed, "#stats-station")
    def _station_changed(self) -> None:
        self.reload()

    def action_month(self, step: int) -> None:
        month = self.month + step
        year, month = self.year + (month - 1) // 12, (month - 1) % 12 + 1
        today = self.session.today()
        if (year, month) > (today.year, today.month):
            self.notify(t("stats.not_begun", year=year, month=month), markup=False)
            return
        self.year, self.month = year, month
        self.reload()

    def reload(self) -> None:
        session, year, month, code = self.session, self.year, self.month, self.station_code
        self.query_one("#stats-title", Label).update(t("stats.title", year=year, month=month))
        given: dict[str, Any] = {
            "station_code": code,
            "calendar": session.calendar,
            # The office's rule for rounding rates (rate_rounding in its slip_rules.json).
            "rounding": session.slip_rules.rate_rounding,
            "today": session.today(),  # the month in progress counts up to today
        }

        def work() -> tuple[MonthStats, list[tuple[str, Figures]]]:
            stats = month_stats(session.store, year=year, month=month, **given)
            return stats, trend(session.store, year=year, month=month, **given)

        self.in_thread(work, done=self._show, name="stats", exclusive=True)

    def _show(self, result: tuple[MonthStats, list[tuple[str, Figures]]]) -> None:
        stats, months = result
        self.stats, self.months = stats, months
        station = stats.stations[0] if self.station_code and stats.stations else None
        figures = station.figures if station else stats.total
        self.query_one("#stats-summary", Static).update(stats.summary)
        table = self.query_one(DataTable)
        table.clear()
        for key, month_field, cumulative_field in ROWS:
            table.add_row(t(key), _show(figures, month_field), _show(figures, cumulative_field))
        for _key, field in TREND:
            # A rate with nothing to divide by (None) is drawn at the bottom of the line.
            self.query_one(f"#trend-{field}", Sparkline).data = [
                float(getattr(f, field) or 0) for _month, f in months
            ]

    def action_export(self) -> None:
        formats = (
            ("xlsx", "Excel (.xlsx)"),
            ("docx", "Word (.docx)"),
            ("csv", "CSV"),
            ("md", "Markdown"),
            ("json", "JSON"),
        )

        def run(v: dict[str, Any]) -> str:
            return v["fmt"]

        self.app.push_screen(
            StepForm(
                "cmd.stats.export",
                [
                    StepField("fmt", "stats.format", "xlsx", options=formats),
                ],
                run,
            ),
            callback=lambda fmt: self._export(fmt) if fmt else None,
        )

    def _export(self, fmt: str) -> None:
        session, stats, months = self.session, self.stats, getattr(self, "months", None)
        if stats is None:
            return
        bar = self.query_one("#stats-progress", ProgressBar)
        bar.remove_class("-idle")
        bar.update(total=EXPORT_STEPS, progress=0)

        def progress(_step: str) -> None:  # called once per sheet or step written
            self.app.call_from_thread(bar.advance, 1)

        def work():
            if fmt == "docx":  # the month's report as an official document
                folder = templates_folder(session.store.paths.main)
                data = stats_document(session.store, stats, on=session.today(), folder=folder)
            else:
                data = export_stats(
                    session.store, stats, fmt=fmt, trend_rows=months, progress=progress
                )
            # Named as `grassroots export stats` names it: 月度统计-[CODE-]YYYY-MM.
            name = default_name(stats, self.station_code)
            return write_export(session.store.paths, name, data, suffix=f".{fmt}")

        def done(path) -> None:
            bar.add_class("-idle")
            self.notify(t("stats.exported", path=str(path)), markup=False, timeout=12)

        self.in_thread(work, done=done, name="stats-export")
