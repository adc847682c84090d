"""请假代班: leave requests with their substitute, the decision, and the public notice."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import label, t
from grassroots_tui.models import LeaveDecision, LeaveKind, LeaveRequest
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import rosters as service
from grassroots_tui.services.auth import can
from grassroots_tui.services.documents import leave_document
from grassroots_tui.store.document_templates import templates_folder
from grassroots_tui.store.exports import write_export
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.step_form import StepField, StepForm
from grassroots_tui.tui.workers import StoreWorkers


class LeaveScreen(StoreWorkers, ModalScreen[None]):
    CMDS = (
        Cmd("leave.new", "new_leave", "n"),
        Cmd("leave.approve", "decide(True)", "a"),
        Cmd("leave.reject", "decide(False)", "r"),
        Cmd("leave.notice", "notice", "p"),
        Cmd("leave.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    LeaveScreen { align: center middle; }
    LeaveScreen > Vertical { width: 78; max-width: 100%; height: 20; border: round $accent; background: $surface; }
    LeaveScreen DataTable { height: 1fr; }
    """

    def __init__(self, station_id: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.station_id = station_id

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("leave.title"))
            yield DataTable(cursor_type="row", id="leave-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(
            t("leave.who"),
            t("leave.when"),
            t("leave.kind"),
            t("leave.asked"),
            t("leave.decision"),
            t("leave.substitute"),
        )
        self.reload()

    def staff(self) -> dict[str, str]:
        return {
            s["id"]: s["name"]
            for s in self.session.store.raw("staff")
            if s.get("station_id") == self.station_id
        }

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        staff = self.staff()
        leaves = [
            LeaveRequest.model_validate(r)
            for r in self.session.store.raw("leave_request")
            if r.get("station_id") == self.station_id
        ]
        for leave in sorted(leaves, key=lambda x: x.start_date, reverse=True):
            asked = leave.requested_on.isoformat() + (
                t("leave.late") if service.is_late(leave) else ""
            )
            table.add_row(
                literal(staff.get(leave.staff_id, "?")),
                f"{leave.start_date:%m-%d}~{leave.end_date:%m-%d}",
                label(leave.leave_kind),
                asked,
                label(leave.decision),
                literal(staff.get(leave.substitute_id or "", "-")),
                key=leave.id,
            )
        if keep:
            table.move_cursor(row=table.get_row_index(keep))

    def current(self) -> LeaveRequest | None:
        """The selected request; None when there is none, or the screen is closing (its
        table already gone, while its keys are still asked about)."""
        found = self.query(DataTable)
        if not found:
            return None
        table = found.first()
        if not table.row_count:
            return None
        leave_id = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return self.session.store.get(LeaveRequest, leave_id) if leave_id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_leave", "decide"}:
            if self.session.store.readonly:
                return False
        if action == "decide":
            if not can(self.session.operator.role, "staff.manage"):
                return False
            leave = self.current()
            if leave is None or leave.decision is not LeaveDecision.PENDING:
                return None
            # Another's request (a station's, on the office's machine): shown only.
            return None if self.session.store.may_write(leave) is not None else True
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_new_leave(self) -> None:
        session, staff = self.session, self.staff()
        today = session.today().isoformat()

        def run(v: dict[str, Any]) -> LeaveRequest:
            leave = validate_model(
                LeaveRequest,
                {
                    "station_id": self.station_id,
                    "staff_id": v["staff_id"],
                    "start_date": v["start_date"].isoformat(),
                    "end_date": v["end_date"].isoformat(),
                    "leave_kind": v["leave_kind"],
                    "reason": v["reason"],
                    "requested_on": v["requested_on"].isoformat(),
                },
            )
            return service.request_leave(session.store, leave, session.actor)

        self.app.push_screen(
            StepForm(
                "cmd.leave.new",
                [
                    StepField(
                        "staff_id",
                        "leave.who",
                        session.operator.id if session.operator.id in staff else "",
                        options=tuple(staff.items()),
                    ),
                    StepField("start_date", "leave.start", today, kind="date"),
                    StepField("end_date", "leave.end", today, kind="date"),
                    StepField(
                        "leave_kind",
                        "leave.kind",
                        LeaveKind.PERSONAL.value,
                        options=tuple((m.value, label(m)) for m in LeaveKind),
                    ),
                    StepField("reason", "leave.reason"),
                    StepField("requested_on", "leave.asked", today, kind="date"),
                ],
                run,
            ),
            callback=lambda leave: self._done(leave),
        )

    def action_decide(self, approve: bool) -> None:
        session, leave = self.session, self.current()
        if leave is None:
            return
        fields = [StepField("approver", "leave.approver", session.operator.name)]
        if approve:
            others = {i: n for i, n in self.staff().items() if i != leave.staff_id}
            fields.append(
                StepField("substitute_id", "leave.substitute", "", options=tuple(others.items()))
            )
        self.app.push_screen(
            StepForm(
                "cmd.leave.approve" if approve else "cmd.leave.reject",
                fields,
                lambda v: service.decide_leave(
                    session.store,
                    leave.id,
                    approve=approve,
                    approver=v["approver"],
                    substitute_id=v.get("substitute_id"),
                    on=session.today(),
                    actor=session.actor,
                    calendar=session.calendar,
                ),
            ),
            callback=lambda decided: self._done(decided),
        )

    def _done(self, leave: LeaveRequest | None) -> None:
        if leave is not None:
            self.reload(keep=leave.id)
            if service.is_late(leave):
                self.notify(t("leave.late_notice"), severity="warning", markup=False)

    def action_notice(self) -> None:
        session, leave = self.session, self.current()
        if leave is None:
            return

        def work():
            store = session.store
            html = service.public_notice(store, leave.id, fmt="html")
            page = write_export(store.paths, t("leave.notice_file"), html, suffix=".html")
            # The official document for Word or WPS beside it.
            docx = leave_document(store, leave.id, folder=templates_folder(store.paths.main))
            return f"{write_export(store.paths, t('leave.notice_file'), docx, suffix='.docx')}、{page.name}"

        self.in_thread(
            work,
            done=lambda path: self.notify(
                t("leave.notice_written", path=str(path)), markup=False, timeout=10
            ),
        )

    def action_close(self) -> None:
        self.dismiss(None)
