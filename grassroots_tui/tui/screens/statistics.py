"""统计: the month's work figures, this month and cumulative, per station or in total,
the office's summary sentence, twelve months of trend, and the export.

The screen appears at once, its frame drawn and a loading indicator over the table; the
figures are computed in a thread once that first frame is out (at 100,000 documents
with nothing kept, about half a second) and filled in when done. An error is said on
the screen and in a notice, in the interface language, never as a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, ProgressBar, Select, Sparkline, Static
from textual.worker import Worker, WorkerState

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.screens.base import SectionScreen
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.step_form import StepField, StepForm
from grassroots_tui.tui.workers import friendly_error

if TYPE_CHECKING:
    # The figures' service and the exports are imported where they are used: the
    # computation in its thread, an export when asked for; not before the screen shows.
    from grassroots_tui.services.statistics import Figures, MonthStats

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
    from grassroots_tui.services.statistics import rate_text

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
            for key, field in TREND:
                with Vertical(id=f"trend-box-{field}"):
                    yield Label(t(key))
                    # Its line is mounted with the first figures (_show): one kind of
                    # widget fewer to style before the screen first shows.
        # The export's progress bar is mounted with the first export (_progress_bar).

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
        self.months: list[tuple[str, Figures]] = []
        #: The first computation is started (after the first frame: _start).
        self.started = False
        #: The month whose figures are awaited (None: shown, or failed).
        self._pending: tuple[int, int] | None = None
        self._computing()
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self.started = True
        self.reload()

    @property
    def station_code(self) -> str | None:
        value = self.query_one("#stats-station", Select).value
        return None if value is Select.NULL else str(value)

    @on(Select.Changed, "#stats-station")
    def _station_changed(self) -> None:
        if self.started:  # (the station chosen on mount is the first computation's)
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

    def _computing(self) -> None:
        """The title of the month shown, its figures being computed: a loading indicator
        over the table, the summary saying so."""
        self.stats = None
        self._pending = (self.year, self.month)
        self.query_one("#stats-title", Label).update(
            t("stats.title", year=self.year, month=self.month)
        )
        self.query_one("#stats-summary", Static).update(t("stats.computing"))
        self.query_one(DataTable).loading = True

    def reload(self) -> None:
        session, year, month, code = self.session, self.year, self.month, self.station_code
        self._computing()
        given: dict[str, Any] = {
            "station_code": code,
            "calendar": session.calendar,
            # The office's rule for rounding rates (rate_rounding in its slip_rules.json).
            "rounding": session.slip_rules.rate_rounding,
            "today": session.today(),  # the month in progress counts up to today
        }

        def work() -> tuple[MonthStats, list[tuple[str, Figures]]]:
            from grassroots_tui.services import statistics as service

            stats = service.month_stats(session.store, year=year, month=month, **given)
            return stats, service.trend(session.store, year=year, month=month, **given)

        self.in_thread(work, done=self._show, name="stats", exclusive=True)

    def _show(self, result: tuple[MonthStats, list[tuple[str, Figures]]]) -> None:
        stats, months = result
        self.stats, self.months = stats, months
        self.query_one(DataTable).loading = False
        self._pending = None
        station = stats.stations[0] if self.station_code and stats.stations else None
        figures = station.figures if station else stats.total
        self.query_one("#stats-summary", Static).update(stats.summary)
        table = self.query_one(DataTable)
        table.clear()
        for key, month_field, cumulative_field in ROWS:
            table.add_row(t(key), _show(figures, month_field), _show(figures, cumulative_field))
        for _key, field in TREND:
            # A rate with nothing to divide by (None) is drawn at the bottom of the line.
            data = [float(getattr(f, field) or 0) for _month, f in months]
            found = self.query(f"#trend-{field}")
            if found:
                found.first(Sparkline).data = data
            else:
                self.query_one(f"#trend-box-{field}").mount(Sparkline(data, id=f"trend-{field}"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The figures could not be computed: said on the screen (and in a notice, once),
        the loading indicator gone. Other workers' outcomes are StoreWorkers'."""
        worker = event.worker
        if worker.name != "stats" or event.state is not WorkerState.ERROR:
            return
        event.prevent_default()  # StoreWorkers' handler would say it a second time
        getattr(self, "_done_callbacks", {}).pop(worker, None)
        self._pending = None
        error = worker.error
        reason = friendly_error(error) if error else t("error.unexpected", kind="?")
        self.query_one(DataTable).loading = False
        self.query_one(DataTable).clear()
        self.query_one("#stats-summary", Static).update(t("stats.failed", reason=reason))
        self.notify(reason, title=t("error.title"), severity="error", markup=False, timeout=10)

    def action_export(self) -> None:
        if self.stats is None:
            self.notify(t("stats.not_ready"), markup=False)
            return
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
        bar = self._progress_bar()
        bar.remove_class("-idle")
        bar.update(total=EXPORT_STEPS, progress=0)

        def progress(_step: str) -> None:  # called once per sheet or step written
            self.app.call_from_thread(bar.advance, 1)

        def work():
            from grassroots_tui.services.documents import stats_document
            from grassroots_tui.services.stats_export import default_name, export_stats
            from grassroots_tui.store.document_templates import templates_folder
            from grassroots_tui.store.exports import write_export

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

    def _progress_bar(self) -> ProgressBar:
        """The export's progress bar, mounted above the footer the first time."""
        found = self.query("#stats-progress")
        if found:
            return found.first(ProgressBar)
        bar = ProgressBar(total=EXPORT_STEPS, show_eta=False, id="stats-progress")
        self.mount(bar, before=self.query_one(Footer))
        return bar
