"""Opening a hardship case (建档) for a household, with its one-to-one cadre."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from grassroots_tui.i18n import label, t
from grassroots_tui.models import HardshipCase, HardshipCause, HardshipTier, ReviewCycle
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import hardship as service
from grassroots_tui.services.text import split_list
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen

CAUSES = {label(c): c.value for c in HardshipCause} | {c.value: c.value for c in HardshipCause}


class CaseForm(FormScreen[HardshipCase | None]):
    TITLE_KEY = "hardship.form.title"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        households = session.store.raw("household")
        if session.station_id:
            households = [h for h in households if h.get("station_id") == session.station_id]
        self.households = {h["household_no"]: h for h in households}
        self.staff = {
            s["id"]: s["name"]
            for s in session.store.raw("staff")
            if s.get("active", True)
            and (session.station_id is None or s.get("station_id") == session.station_id)
        }

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield FormField("household_no", t("household.no"))
            yield FormField("opened_on", t("hardship.opened_on"), self.session.today().isoformat())
        with Horizontal(classes="row"):
            yield FormField(
                "tier",
                t("hardship.tier"),
                HardshipTier.RELATIVE.value,
                options=[(m.value, label(m)) for m in HardshipTier],
            )
            yield FormField(
                "review_cycle",
                t("hardship.cycle"),
                ReviewCycle.QUARTERLY.value,
                options=[(m.value, label(m)) for m in ReviewCycle],
            )
        yield FormField(
            "causes", t("hardship.causes"), placeholder="、".join(label(c) for c in HardshipCause)
        )
        yield FormField("members", t("hardship.members"))
        yield FormField(
            "paired_cadre",
            t("hardship.cadre"),
            self.session.operator.id,
            options=list(self.staff.items()),
        )
        yield FormField("notes", t("hardship.note"))

    def build(self, values: dict[str, str]) -> HardshipCase:
        household = self.households.get(values["household_no"])
        if household is None:  # the other fields are checked all the same
            self.field_problem(
                "household_no",
                t("form.required") if not values["household_no"] else t("slip.unknown_household"),
            )
        return validate_model(
            HardshipCase,
            {
                "station_id": household.get("station_id") if household else None,
                "household_id": household["id"] if household else None,
                "tier": values["tier"],
                "review_cycle": values["review_cycle"],
                "causes": [CAUSES.get(c, c) for c in split_list(values["causes"])],
                "members": split_list(values["members"]),
                "paired_cadre": values["paired_cadre"],
                "opened_on": values["opened_on"],
                "notes": values["notes"],
            },
        )

    def field_for(self, model_field: str) -> str:
        # The household is typed by its 户号.
        return "household_no" if model_field == "household_id" else super().field_for(model_field)

    def save(self, built: HardshipCase) -> HardshipCase:
        return service.open_case(self.session.store, built, self.session.actor)
