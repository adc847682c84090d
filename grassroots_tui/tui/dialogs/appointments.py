"""预约走访单: what is due today, what was missed, what is coming; Enter does the visit."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import t
from grassroots_tui.models import Appointment
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.visits import appointments_due
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal


class AppointmentsDialog(ModalScreen[Appointment | None]):
    CMDS = (
        Cmd("appointments.visit", "do_visit", "enter"),
        Cmd("appointments.new", "new_appointment", "n"),
        Cmd("appointments.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    AppointmentsDialog { align: center middle; }
    AppointmentsDialog > Vertical { width: 78; max-width: 100%; height: 20; border: round $accent; background: $surface; }
    AppointmentsDialog DataTable { height: 1fr; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        localize_bindings(self)
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("appointments.title"))
            yield DataTable(cursor_type="row", id="appointments-table")
            yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(
            t("appointments.when"),
            t("appointments.state"),
            t("household.no"),
            t("household.head"),
            t("appointments.reason"),
        )
        self.reload()

    def reload(self) -> None:
        store, today = self.session.store, self.session.today()
        appointments = store.raw("appointment")
        due = appointments_due(appointments, self.session.station_id, today)
        households = {h["id"]: h for h in store.raw("household")}
        masker = Masker()
        names = resident_names(store)  # a reason is free text: masked, then cut
        table = self.query_one(DataTable)
        table.clear()
        # An appointment of today whose time has passed is missed too (a worker looking
        # at 16:00 must not read a 09:00 appointment as still to come).
        now = self.session.clock().strftime("%H:%M")
        passed = [a for a in due.due_today if _hhmm(a) and _hhmm(a) < now]
        coming = [a for a in due.due_today if a not in passed]
        for group, rows in (
            ("missed", due.missed + passed),
            ("today", coming),
            ("upcoming", due.upcoming),
        ):
            for a in rows:
                h = households.get(a["household_id"], {})
                table.add_row(
                    f"{a['planned_date']} {_hhmm(a)}",
                    t(f"appointments.{group}"),
                    literal(h.get("household_no", "?")),
                    literal(masker.name(h.get("head_of_household", ""))),
                    literal(mask_text(a.get("reason"), masker, names)[:24]),
                    key=a["id"],
                )
        table.focus()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_do_visit()

    def action_do_visit(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        appointment = self.session.store.get(Appointment, key) if key else None
        self.dismiss(appointment)

    def action_new_appointment(self) -> None:
        from grassroots_tui.tui.dialogs.appointment_form import AppointmentForm
        from grassroots_tui.tui.dialogs.pick_household import PickHousehold

        def picked(household_id: str | None) -> None:
            if household_id:
                self.app.push_screen(
                    AppointmentForm(self.session, household_id),
                    callback=lambda saved: self.reload() if saved else None,
                )

        self.app.push_screen(PickHousehold(self.session), callback=picked)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_appointment", "do_visit"}:
            return not self.session.store.readonly
        return True

    def action_close(self) -> None:
        self.dismiss(None)


def _hhmm(appointment: dict) -> str:
    """An appointment's planned time as HH:MM ("" without one)."""
    return str(appointment.get("planned_time") or "")[:5]
