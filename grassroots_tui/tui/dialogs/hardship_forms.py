"""Opening a hardship case (建档) for a household, with its one-to-one cadre."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import (
    HardshipCase,
    HardshipCause,
    HardshipTier,
    Household,
    ReviewCycle,
)
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import hardship as service
from grassroots_tui.services.masking import Masker
from grassroots_tui.services.text import split_list
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen, literal, split_values


class CaseForm(FormScreen[HardshipCase | None]):
    """A new case for the household picked first, as a visit's is (PickHousehold):
    nothing to type that must match a 户号, and 致困原因 checked from the list."""

    TITLE_KEY = "hardship.form.title"

    def __init__(self, session: Session, household_id: str) -> None:
        super().__init__()
        self.session = session
        household = session.store.get(Household, household_id)
        assert household is not None
        self.household: Household = household
        self.staff = {
            s["id"]: s["name"]
            for s in session.store.raw("staff")
            if s.get("active", True)
            and (session.station_id is None or s.get("station_id") == session.station_id)
        }

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
            yield FormField("opened_on", t("hardship.opened_on"), self.session.today().isoformat())
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
            "causes",
            t("hardship.causes"),
            options=[(c.value, label(c)) for c in HardshipCause],
            multiple=True,
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
        causes = split_values(values["causes"])
        if not causes:  # the other fields are checked all the same
            self.field_problem("causes", t("hardship.causes_none"))
        return validate_model(
            HardshipCase,
            {
                "station_id": self.household.station_id,
                "household_id": self.household.id,
                "tier": values["tier"],
                "review_cycle": values["review_cycle"],
                "causes": causes,
                "members": split_list(values["members"]),
                "paired_cadre": values["paired_cadre"],
                "opened_on": values["opened_on"],
                "notes": values["notes"],
            },
        )

    def save(self, built: HardshipCase) -> HardshipCase:
        return service.open_case(self.session.store, built, self.session.actor)
