"""Adding or editing a staff member, and station settings."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from grassroots_tui.i18n import label, t
from grassroots_tui.models import Staff, StaffRole, Station
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services.auth import check_pin_format
from grassroots_tui.services.staff import add_staff, update_staff, update_station
from grassroots_tui.services.text import listed, split_list
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen


class StaffForm(FormScreen[Staff | None]):
    TITLE_KEY = "staff.form.title"

    def __init__(self, session: Session, staff: Staff | None = None) -> None:
        super().__init__()
        self.session = session
        self.staff = staff

    def compose_fields(self) -> ComposeResult:
        s = self.staff
        with Horizontal(classes="row"):
            yield FormField("name", t("staff.name"), s.name if s else "")
            yield FormField(
                "role",
                t("staff.role"),
                s.role.value if s else StaffRole.WORKER.value,
                options=[(r.value, label(r)) for r in StaffRole],
            )
            yield FormField("phone", t("staff.phone"), (s.phone or "") if s else "")
        with Horizontal(classes="row"):
            yield FormField(
                "pin",
                t("staff.pin"),
                password=True,
                max_length=8,
                placeholder=t("staff.pin_keep") if s and s.pin_hash else "",
            )
            yield FormField("pin_again", t("staff.pin_again"), password=True, max_length=8)
            yield FormField(
                "departments", t("staff.departments"), listed(s.departments) if s else ""
            )

    def build(self, values: dict[str, str]) -> tuple[Staff, str | None]:
        data: dict[str, Any] = (
            self.staff.to_json() if self.staff else {"station_id": self.session.station_id}
        )
        data.update(
            name=values["name"],
            role=values["role"],
            phone=values["phone"],
            departments=split_list(values["departments"]),
        )
        for name, message in pin_problems(values["pin"], values["pin_again"]).items():
            self.field_problem(name, message)
        return validate_model(Staff, data), values["pin"] or None

    def save(self, built: tuple[Staff, str | None]) -> Staff:
        staff, pin = built
        if self.staff is None:
            return add_staff(self.session.store, staff, self.session.actor, pin=pin)
        return update_staff(self.session.store, staff, self.session.actor, pin=pin)


def pin_problems(pin: str, again: str) -> dict[str, str]:
    """What is wrong with a PIN and the same PIN typed again, by field ("pin",
    "pin_again"; none when both are empty). The second is held to the first's rule, so a
    malformed one says what a PIN must be rather than only that the two differ."""
    problems: dict[str, str] = {}
    for name, value in (("pin", pin), ("pin_again", again)):
        if value:
            try:
                check_pin_format(value)
            except ValueError as error:
                problems[name] = str(error)
    if "pin_again" not in problems and pin != again:
        problems["pin_again"] = t("form.pin_mismatch") if again else t("form.required")
    return problems


class StationForm(FormScreen[Station | None]):
    TITLE_KEY = "station.form.title"

    def __init__(self, session: Session, station: Station) -> None:
        super().__init__()
        self.session = session
        self.station = station

    def compose_fields(self) -> ComposeResult:
        s = self.station
        yield FormField("name", t("setup.station_name"), s.name)
        with Horizontal(classes="row"):
            yield FormField("code", t("setup.code"), s.code)
            yield FormField("community", t("setup.community"), s.community)
            yield FormField("street_office", t("setup.street_office"), s.street_office)
        with Horizontal(classes="row"):
            yield FormField(
                "working_start", t("setup.working_start"), s.working_start.strftime("%H:%M")
            )
            yield FormField("working_end", t("setup.working_end"), s.working_end.strftime("%H:%M"))
            yield FormField("phone", t("station.phone"), s.phone or "")
        # As at the first start: an example number to edit, not format syntax.
        yield FormField("slip_number_format", t("setup.slip_number_example"), self._example())
        yield FormField("address", t("station.address"), s.address or "")

    def _example(self) -> str:
        from grassroots_tui.tui.screens.setup import slip_number_example

        return slip_number_example(self.station.slip_number_format, self.session.today().year)

    def build(self, values: dict[str, str]) -> Station:
        from grassroots_tui.tui.screens.setup import slip_number_format

        data = self.station.to_json()
        data.update(values)
        data["code"] = values["code"].upper()
        example = values["slip_number_format"]
        if example == self._example():  # untouched: the pattern exactly as stored
            data["slip_number_format"] = self.station.slip_number_format
        else:
            pattern = slip_number_format(example, self.session.today().year)
            if pattern is None:
                self.field_problem("slip_number_format", t("setup.slip_number_no_seq"))
            else:
                data["slip_number_format"] = pattern
        return validate_model(Station, data)

    def save(self, built: Station) -> Station:
        return update_station(self.session.store, built, self.session.actor)
