"""The supervisors' month against the target (3 stations a day), and each station's
three-threes (三三工作法) completion with the media reports of the year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import label, t
from grassroots_tui.models import ActivityType, StationActivity
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services.auth import can, guarded_save
from grassroots_tui.services.supervision import TARGET_PER_DAY, month_report
from grassroots_tui.services.text import listed, split_list
from grassroots_tui.services.three_threes import completion, media_reports
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.step_form import StepField, StepForm

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 78; max-width: 100%; height: 21; border: round $accent; background: $surface; }}
{name} DataTable {{ height: 1fr; }}
"""


def parse_pairs(text: str) -> list[dict[str, str]]:
    """ "李敏-王秀英、张三-刘芳" → one-to-one responsibility pairs (责任人-联系对象)."""
    pairs = []
    for item in split_list(text):
        responsible, _, target = item.partition("-")
        if not target:
            raise ValueError(t("threes.bad_pair", item=item))
        pairs.append({"responsible": responsible.strip(), "target": target.strip()})
    return pairs


class ReportScreen(ModalScreen[None]):
    CMDS = (
        Cmd("report.prev", "month(-1)", "left_square_bracket"),
        Cmd("report.next", "month(1)", "right_square_bracket"),
        Cmd("report.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = MODAL_CSS.format(name="ReportScreen")

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="report-title")
            yield DataTable(cursor_type="row", id="report-table")
        yield Footer()

    def on_mount(self) -> None:
        today = self.app.session.today()  # type: ignore[attr-defined]
        self.year, self.month = today.year, today.month
        self.query_one(DataTable).add_columns(
            t("supervision.supervisor"),
            t("report.days"),
            t("report.stations"),
            t("report.below"),
            t("report.below_days"),
        )
        self.show()

    def action_month(self, step: int) -> None:
        month = self.month + step
        self.year, self.month = self.year + (month - 1) // 12, (month - 1) % 12 + 1
        self.show()

    def show(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        # The official calendar, as the command line and the statistics use it: a check
        # on a rest day is listed but never below target.
        report = month_report(
            session.store, year=self.year, month=self.month, calendar=session.calendar
        )
        self.query_one("#report-title", Label).update(
            t("report.title", year=self.year, month=self.month, target=TARGET_PER_DAY)
        )
        table = self.query_one(DataTable)
        table.clear()
        for person in report:
            below = [d.day.strftime("%m-%d") for d in person.days if d.below_target]
            table.add_row(
                literal(person.name),
                str(len(person.days)),
                str(person.stations_checked),
                str(person.days_below_target),
                listed(below[:8]),
            )

    def action_close(self) -> None:
        self.dismiss(None)


class ThreeThreesScreen(ModalScreen[None]):
    CMDS = (
        Cmd("threes.new", "new_activity", "n"),
        Cmd("threes.period", "toggle_period", "q"),
        Cmd("threes.close", "close", "escape"),
    )
    #: The office assesses by year or by quarter; q switches between them.
    by_quarter = False
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = (
        MODAL_CSS.format(name="ThreeThreesScreen")
        + """
    ThreeThreesScreen #threes-table { height: 6; }
    """
    )

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="threes-title")
            yield DataTable(cursor_type="row", id="threes-table")
            yield Label("", id="media-title")
            yield DataTable(cursor_type="row", id="media-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#threes-table", DataTable).add_columns(
            t("board.station"),
            t("threes.cultural"),
            t("threes.petition"),
            t("threes.hardship"),
            t("threes.missing"),
        )
        self.query_one("#media-table", DataTable).add_columns(
            t("visit.date"), t("board.station"), t("threes.outlet"), t("threes.title")
        )
        self.show()

    def show(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        today = session.today()
        year = today.year
        period = f"{year}Q{(today.month - 1) // 3 + 1}" if self.by_quarter else str(year)
        mark = {True: "✓", False: "✗"}
        table = self.query_one("#threes-table", DataTable)
        table.clear()
        for row in completion(session.store, period=period):
            table.add_row(
                literal(row.station_code),
                mark[row.cultural],
                mark[row.petition_stability],
                mark[row.hardship_activity],
                listed(row.missing) or "-",
            )
        media = media_reports(
            session.store,
            station_id=session.station_id,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
        stations = {s["id"]: s["code"] for s in session.store.raw("station")}
        media_table = self.query_one("#media-table", DataTable)
        media_table.clear()
        for report in sorted(media, key=lambda m: m.date, reverse=True):
            media_table.add_row(
                report.date.isoformat(),
                stations.get(report.station_id or "", "-"),
                literal(report.outlet or ""),
                literal(report.title),
            )
        self.query_one("#threes-title", Label).update(t("threes.heading", period=period))
        self.query_one("#media-title", Label).update(t("threes.media", year=year, count=len(media)))

    def action_toggle_period(self) -> None:
        self.by_quarter = not self.by_quarter
        self.show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_activity":
            session = self.app.session  # type: ignore[attr-defined]
            return not session.store.readonly and can(session.operator.role, "household.edit")
        return True

    def action_new_activity(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        stations = [(s.id, s.name) for s in session.stations()]

        def run(v: dict[str, Any]) -> StationActivity:
            activity = validate_model(
                StationActivity,
                {
                    "station_id": v["station_id"],
                    "activity_type": v["activity_type"],
                    "date": v["date"].isoformat(),
                    "title": v["title"],
                    "place": v["place"],
                    "participants": int(v["participants"] or 0),
                    "resident_representatives": v["reps"] == "yes",
                    "outlet": v["outlet"],
                    "reference": v["reference"],
                    "period": str(v["date"].year),
                    "pairs": parse_pairs(v["pairs"] or ""),
                },
            )
            return guarded_save(session.store, activity, session.actor)

        self.app.push_screen(
            StepForm(
                "cmd.threes.new",
                [
                    StepField(
                        "station_id",
                        "board.station",
                        session.station_id or (stations[0][0] if stations else ""),
                        options=tuple(stations),
                    ),
                    StepField(
                        "activity_type",
                        "threes.type",
                        ActivityType.CULTURAL.value,
                        options=tuple((m.value, label(m)) for m in ActivityType),
                    ),
                    StepField("date", "visit.date", session.today().isoformat(), kind="date"),
                    StepField("title", "threes.title"),
                    StepField("place", "threes.place", required=False),
                    StepField("participants", "threes.participants", required=False),
                    StepField(
                        "reps",
                        "threes.reps",
                        "yes",
                        options=(("yes", t("staff.yes")), ("no", t("staff.no"))),
                    ),
                    StepField("pairs", "threes.pairs", required=False),
                    StepField("outlet", "threes.outlet", required=False),
                    StepField("reference", "threes.reference", required=False),
                ],
                run,
            ),
            callback=lambda saved: self.show() if saved else None,
        )

    def action_close(self) -> None:
        self.dismiss(None)
