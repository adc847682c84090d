"""Adding or editing a household (住户)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from grassroots_tui.i18n import t
from grassroots_tui.models import Household
from grassroots_tui.models.errors import validate_model
from grassroots_tui.models.household import HOUSEHOLD_TAGS
from grassroots_tui.services.households import save_household, tag_name, tags_from_text
from grassroots_tui.services.text import listed
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen


class HouseholdForm(FormScreen[Household | None]):
    TITLE_KEY = "household.form.title"

    def __init__(self, session: Session, household: Household | None = None) -> None:
        super().__init__()
        self.session = session
        self.household = household

    def compose_fields(self) -> ComposeResult:
        h = self.household
        with Horizontal(classes="row"):
            yield FormField("household_no", t("household.no"), h.household_no if h else "")
            yield FormField(
                "head_of_household", t("household.head"), h.head_of_household if h else ""
            )
            yield FormField("people", t("household.people"), str(h.people) if h else "1")
        with Horizontal(classes="row"):
            yield FormField("id_number", t("household.id_number"), (h.id_number or "") if h else "")
            yield FormField("phone", t("household.phone"), (h.phone or "") if h else "")
        yield FormField("address", t("household.address"), h.address if h else "")
        with Horizontal(classes="row"):
            yield FormField("grid", t("household.grid"), (h.grid or "") if h else "")
            yield FormField(
                "tags",
                t("household.tags"),
                listed(tag_name(tag) for tag in h.tags) if h else "",
                placeholder=listed(tag_name(tag) for tag in HOUSEHOLD_TAGS[:3]),
            )
        yield FormField("note", t("household.note"), h.note if h else "")

    def build(self, values: dict[str, str]) -> Household:
        data: dict[str, Any] = dict(values)
        data["tags"] = tags_from_text(values["tags"])
        base = (
            self.household.to_json()
            if self.household
            else {
                "station_id": self.session.station_id,
                "registered_on": self.session.today().isoformat(),
            }
        )
        base.update(data)
        return validate_model(Household, base)

    def save(self, built: Household) -> Household:
        return save_household(self.session.store, built, self.session.actor)
