"""督导: supervision checks with their rectification items, the monthly target report,
and each station's three-threes (三三工作法) and media reports."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from grassroots_tui.i18n import label, t
from grassroots_tui.models import CheckItem, Rating, RectificationState, StaffRole, SupervisionCheck
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import supervision as service
from grassroots_tui.services.auth import can
from grassroots_tui.services.text import listed, split_list
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.screens.base import ListSectionScreen
from grassroots_tui.tui.widgets.form import visible
from grassroots_tui.tui.widgets.record_table import Column, Row
from grassroots_tui.tui.widgets.step_form import StepField, StepForm

ITEM_LABELS = {label(i): i.value for i in CheckItem}


class SupervisionScreen(ListSectionScreen):
    SECTION = "supervision"
    CMDS = (
        Cmd("supervision.new", "new_check", "n"),
        Cmd("supervision.done", "rectified", "d"),
        Cmd("supervision.slip", "to_slip", "j", footer=False),
        Cmd("supervision.report", "report", "m"),
        Cmd("supervision.threes", "threes", "h"),
        *ListSectionScreen.LIST_CMDS,
    )
    BINDINGS = bindings(*CMDS)

    def compose_body(self) -> ComposeResult:
        from grassroots_tui.tui.widgets.record_table import RecordTable

        yield RecordTable(
            [
                Column("date", t("visit.date"), 10),
                Column("time", t("visit.time"), 5),
                Column("station", t("board.station"), 6),
                Column("supervisor", t("supervision.supervisor"), 8),
                Column("rating", t("supervision.rating"), 4),
                Column("open", t("supervision.open_items"), 6),
            ],
            detail=self.describe,
            id="checks-table",
        )

    READS = ("supervision_check", "station", "staff")

    def build(self) -> tuple[list[Row], None]:
        store = self.session.store
        stations = {s["id"]: s["code"] for s in store.raw("station")}
        staff = {s["id"]: s["name"] for s in store.raw("staff")}
        rows = []
        for raw in self.mine("supervision_check"):
            check = SupervisionCheck.model_validate(raw)
            open_items = sum(r.state is RectificationState.OPEN for r in check.rectifications)
            station = stations.get(check.station_id, "?")
            supervisor = staff.get(check.supervisor_id, "?")
            rows.append(
                Row(
                    check.id,
                    [
                        check.date.isoformat(),
                        check.time.strftime("%H:%M"),
                        station,
                        supervisor,
                        label(check.rating),
                        str(open_items) if open_items else "",
                    ],
                    " ".join(
                        [
                            check.date.isoformat(),
                            station,
                            supervisor,
                            label(check.rating),
                            check.findings,
                        ]
                    ).lower(),
                    [
                        check.date.isoformat(),
                        check.time.isoformat(),
                        station,
                        supervisor,
                        check.rating.value,
                        open_items,
                    ],
                )
            )
        rows.sort(key=lambda r: (r.sort[0], r.sort[1]), reverse=True)
        return rows, None

    def describe(self, check_id: str) -> Text:
        check = self.session.store.get(SupervisionCheck, check_id)
        if check is None:
            return Text("")
        text = Text()
        text.append(listed(label(i) for i in check.checked_items) + "\n", style="bold")
        if check.findings:
            text.append(check.findings + "\n")
        for index, item in enumerate(check.rectifications, start=1):
            slip = t("supervision.has_slip") if item.slip_id else ""
            text.append(
                f"{index}. {item.description} [{label(item.state)}] "
                f"{t('supervision.due', due=item.due_date.isoformat())}{slip}\n"
            )
        return text

    def _open_item(self, check: SupervisionCheck | None):
        return next(
            (
                r
                for r in (check.rectifications if check else [])
                if r.state is RectificationState.OPEN
            ),
            None,
        )

    def current(self) -> SupervisionCheck | None:
        check_id = self.table.current_id
        return self.session.store.get(SupervisionCheck, check_id) if check_id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_check", "rectified", "to_slip"}:
            if self.session.store.readonly or not can(
                self.session.operator.role, "supervision.create"
            ):
                return False
            # Checks are the street office's documents: a station's laptop shows them.
            if self.session.store.may_write({"kind": "supervision_check"}) is not None:
                return False
            if action in {"rectified", "to_slip"}:
                item = self._open_item(self.current())
                if item is None or (action == "to_slip" and item.slip_id):
                    return None
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_new_check(self) -> None:
        session = self.session
        stations = [(s.id, s.name) for s in session.stations()]
        supervisors = {
            s["id"]: s["name"]
            for s in session.store.raw("staff")
            if s["role"] == StaffRole.SUPERVISOR.value and s.get("active", True)
        }
        today = session.today()

        def run(v: dict[str, Any]) -> SupervisionCheck:
            items = [ITEM_LABELS.get(i, i) for i in split_list(v["items"])]
            rectifications = []
            if v["rectification"]:
                rectifications.append(
                    {
                        "description": v["rectification"],
                        "due_date": (v["rect_due"] or today).isoformat(),
                    }
                )
            check = validate_model(
                SupervisionCheck,
                {
                    "station_id": v["station_id"],
                    "supervisor_id": v["supervisor_id"],
                    "date": v["date"].isoformat(),
                    "time": v["time"],
                    "checked_items": items,
                    "findings": v["findings"] or "",
                    "rating": v["rating"],
                    "rectifications": rectifications,
                },
            )
            return service.record_check(session.store, check, session.actor)

        self.app.push_screen(
            StepForm(
                "cmd.supervision.new",
                [
                    StepField(
                        "supervisor_id",
                        "supervision.supervisor",
                        session.operator.id if session.operator.id in supervisors else "",
                        options=tuple(supervisors.items()),
                    ),
                    StepField(
                        "station_id",
                        "board.station",
                        stations[0][0] if stations else "",
                        options=tuple(stations),
                    ),
                    StepField("date", "visit.date", today.isoformat(), kind="date"),
                    StepField("time", "visit.time", session.clock().strftime("%H:%M")),
                    StepField("items", "supervision.items", listed(ITEM_LABELS)),
                    StepField("findings", "supervision.findings", required=False),
                    StepField(
                        "rating",
                        "supervision.rating",
                        Rating.GOOD.value,
                        options=tuple((r.value, label(r)) for r in Rating),
                    ),
                    StepField("rectification", "supervision.rectification", required=False),
                    StepField("rect_due", "supervision.rect_due", required=False, kind="date"),
                ],
                run,
            ),
            callback=lambda c: self.reload(keep=c.id) if c else None,
        )

    def action_rectified(self) -> None:
        check = self.current()
        item = self._open_item(check)
        if check is None or item is None:
            return
        session = self.session
        self.in_thread(
            lambda: service.set_rectification(
                session.store, check.id, item.id, done=True, actor=session.actor
            ),
            done=lambda c: self.reload(keep=check.id),
        )

    def action_to_slip(self) -> None:
        check = self.current()
        item = self._open_item(check)
        if check is None or item is None:
            return
        session = self.session

        def done(slip) -> None:
            self.notify(
                visible(t("supervision.slip_drafted", title=slip.title)), markup=False, timeout=8
            )
            self.reload(keep=check.id)

        self.in_thread(
            lambda: service.rectification_to_slip(
                session.store, check.id, item.id, actor=session.actor
            ),
            done=done,
        )

    def action_report(self) -> None:
        from grassroots_tui.tui.screens.supervision_report import ReportScreen

        self.app.push_screen(ReportScreen())

    def action_threes(self) -> None:
        from grassroots_tui.tui.screens.supervision_report import ThreeThreesScreen

        self.app.push_screen(ThreeThreesScreen())
