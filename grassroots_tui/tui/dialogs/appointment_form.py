"""预约走访单: a resident asks for a visit at a date and time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from grassroots_tui.i18n import t
from grassroots_tui.models import Appointment, Household
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services.auth import guarded_save
from grassroots_tui.services.masking import Masker
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen, literal


class AppointmentForm(FormScreen[Appointment | None]):
    TITLE_KEY = "appointment.form.title"

    def __init__(self, session: Session, household_id: str) -> None:
        super().__init__()
        self.session = session
        household = session.store.get(Household, household_id)
        assert household is not None
        self.household: Household = household

    def compose_fields(self) -> ComposeResult:
        h = self.household
        yield Static(
            literal(
                f"{t('visit.household')}{t('punct.colon')}{h.household_no} "
                f"{Masker().name(h.head_of_household)}  {h.address}"
            ),
            markup=False,
        )
        with Horizontal(classes="row"):
            yield FormField("planned_date", t("appointment.date"), self.session.today().isoformat())
            yield FormField("planned_time", t("appointment.time"), "19:00")
            yield FormField("requested_by", t("appointment.requested_by"), h.head_of_household)
        yield FormField("reason", t("appointment.reason"))
        yield FormField("note", t("visit.notes"))

    def start_field(self) -> str | None:
        return "reason"  # date, time and who asked are filled in

    def build(self, values: dict[str, str]) -> Appointment:
        return validate_model(
            Appointment,
            {
                "station_id": self.household.station_id,
                "household_id": self.household.id,
                "requested_at": self.session.clock().isoformat(),
                **values,
            },
        )

    def save(self, built: Appointment) -> Appointment:
        return guarded_save(self.session.store, built, self.session.actor)
