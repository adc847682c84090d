"""Drafting a handoff slip (交办单): from a visit's problem, the street office, a hotline
call or the residents' agent desk. A repeat petition shows the household's earlier
slips and proposes the same lead official."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import HandoffSlip, SlipSource, SlipView, StaffRole, Station
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services.deadlines import parse_rule, shown_rule
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.slips import earlier_slips, proposed_lead_official, save_draft
from grassroots_tui.services.text import listed
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen


class SlipForm(FormScreen[SlipView | None]):
    TITLE_KEY = "slip.form.title"

    def __init__(self, session: Session, slip: HandoffSlip) -> None:
        super().__init__()
        self.session = session
        self.slip = slip
        store = session.store
        self.households = {h["household_no"]: h for h in store.raw("household")}
        self.household_no = next(
            (no for no, h in self.households.items() if h["id"] == slip.household_id), ""
        )
        self.leaders = {
            s["id"]: s["name"]
            for s in store.raw("staff")
            if s.get("active", True) and s["role"] in (StaffRole.LEADER.value, StaffRole.HEAD.value)
        }
        self.stations = {s["id"]: s for s in store.raw("station")}

    def compose_fields(self) -> ComposeResult:
        s = self.slip
        with Horizontal(classes="row"):
            yield FormField(
                "station_id",
                t("slip.station"),
                s.station_id or "",
                options=[(i, st["name"]) for i, st in self.stations.items()],
            )
            yield FormField(
                "source",
                t("slip.source"),
                s.source.value,
                options=[(m.value, label(m)) for m in SlipSource],
            )
        with Horizontal(classes="row"):
            categories = self.session.slip_rules.categories()
            yield FormField(
                "category",
                t("slip.category"),
                s.category,
                options=[
                    (c, category_name(c)) for c in dict.fromkeys((*categories, s.category)) if c
                ],
            )
            # Stored as 15日, shown and typed in the interface's language (15 days).
            yield FormField("deadline_rule", t("slip.rule"), shown_rule(s.deadline_rule))
        yield FormField("title", t("slip.title"), s.title)
        yield FormField("description", t("slip.description"), s.description)
        with Horizontal(classes="row"):
            yield FormField("household_no", t("household.no"), self.household_no)
            yield FormField("person_name", t("slip.person"), s.person_name or "")
        yield Static("", id="earlier-slips", markup=False)
        with Horizontal(classes="row"):
            yield FormField("handling_unit", t("slip.unit"), s.handling_unit or "")
            yield FormField("assignee", t("slip.assignee"), s.assignee or "")
        with Horizontal(classes="row"):
            yield FormField(
                "lead_official",
                t("slip.lead"),
                s.lead_official or "",
                options=list(self.leaders.items()),
            )
            yield FormField("responsible_person", t("slip.responsible"), s.responsible_person or "")

    def start_field(self) -> str | None:
        # A new slip starts at its title; a draft from a visit's problem (title and
        # description filled in) at the unit it goes to; an edited draft at the top.
        if not self.slip.title:
            return "title"
        return "handling_unit" if not self.slip.handling_unit else None

    def on_mount(self) -> None:
        self._show_earlier()

    @on(Select.Changed, "#input-category")
    def _category_rule(self, event: Select.Changed) -> None:
        """The office's rule for the category, unless the rule was typed by hand."""
        rules = self.session.slip_rules
        rule_field = self.field("deadline_rule")
        known = {shown_rule(rules.rule_for(c)) for c in rules.categories()}
        known.add(shown_rule(rules.default_rule))
        if event.value is not Select.NULL and (not rule_field.value or rule_field.value in known):
            rule_field.value = shown_rule(rules.rule_for(str(event.value)))

    @on(Input.Blurred, "#input-household_no")
    @on(Input.Blurred, "#input-person_name")
    def _repeat_petition(self) -> None:
        self._show_earlier()

    def _show_earlier(self) -> None:
        household = self.households.get(self.field("household_no").value)
        person = self.field("person_name").value or None
        household_id = household["id"] if household else None
        if household_id is None and person is None:
            return
        store = self.session.store
        earlier = earlier_slips(
            store, household_id=household_id, person_name=person, exclude_id=self.slip.id
        )
        box = self.query_one("#earlier-slips", Static)
        if not earlier:
            box.update("")
            return
        numbers = listed(s.number or t("slip.no_number") for s in earlier[:5])
        box.update(t("slip.repeat", count=len(earlier), numbers=numbers))
        proposed = proposed_lead_official(store, household_id=household_id, person_name=person)
        lead = self.field("lead_official")
        if proposed and not lead.value and proposed in self.leaders:
            lead.value = proposed

    def build(self, values: dict[str, str]) -> HandoffSlip:
        # The form edits the issuer's document; what its steps say is not part of it.
        base = self.slip.stored() if isinstance(self.slip, SlipView) else self.slip
        data = base.to_json()
        household_no = values.pop("household_no")
        household = self.households.get(household_no) if household_no else None
        if household_no and household is None:
            self.field_problem("household_no", t("slip.unknown_household"))
        data["household_id"] = household["id"] if household else None
        try:
            values["deadline_rule"] = parse_rule(values["deadline_rule"] or "15日").text
        except ValueError as error:
            self.field_problem("deadline_rule", str(error))
            values["deadline_rule"] = base.deadline_rule  # the other fields are still checked
        data.update(values)
        return validate_model(HandoffSlip, data)

    def field_for(self, model_field: str) -> str:
        # The household is typed by its 户号.
        return "household_no" if model_field == "household_id" else super().field_for(model_field)

    def save(self, built: HandoffSlip) -> SlipView:
        return save_draft(self.session.store, built, self.session.actor)


def station_for(session: Session) -> Station | None:
    """The station a new slip belongs to: the operator's, or the first for the office."""
    if session.station is not None:
        return session.station
    stations = session.stations()
    return stations[0] if stations else None
