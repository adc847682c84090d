"""Logging a visit (走访记录): when, how, who, the four asks, and each problem raised."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import (
    Appointment,
    Household,
    ProblemItem,
    ProblemState,
    Visit,
    VisitKind,
)
from grassroots_tui.models.errors import validate_model
from grassroots_tui.models.slip import SLIP_CATEGORIES
from grassroots_tui.services.masking import Masker
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.text import listed, split_list
from grassroots_tui.services.visits import DEFAULT_VISIT_MINUTES, new_visit, save_visit
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import FormField, FormScreen, literal

PROBLEM_ROWS = 3
#: What 解决日期 takes, as the model describes it (also in schemas/visit.schema.json):
#: shown when the pointer rests on the field. Its placeholder follows the problem's state.
SOLVED_ON_HINT = ProblemItem.model_fields["solved_on"].description or ""
#: The placeholder of a 解决日期 that must be filled in (后续解决).
DATE_FORMAT = "YYYY-MM-DD"


def _appointment_times(appointment: Appointment) -> dict[str, dt.time]:
    """The visit's start at the appointment's time, and its end as long after it as a
    new visit's (30 minutes; not past midnight)."""
    start = appointment.planned_time
    end_at = dt.datetime.combine(dt.date.min, start) + dt.timedelta(minutes=DEFAULT_VISIT_MINUTES)
    end = end_at.time() if end_at.date() == dt.date.min else dt.time(23, 59)
    return {"start_time": start, "end_time": end}


class VisitForm(FormScreen[Visit | None]):
    """Kept between openings (issue #19): open it with :meth:`FormScreen.open_kept`,
    which refills the kept one (load(), refill()) instead of composing a new one."""

    TITLE_KEY = "visit.form.title"

    def __init__(
        self,
        session: Session,
        *,
        household_id: str | None = None,
        visit: Visit | None = None,
        appointment: Appointment | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.load(household_id=household_id, visit=visit, appointment=appointment)

    def load(
        self,
        *,
        household_id: str | None = None,
        visit: Visit | None = None,
        appointment: Appointment | None = None,
    ) -> None:
        session = self.session
        self.appointment = appointment
        if visit is None:
            assert household_id is not None
            visit = new_visit(
                household_id,
                session.operator.id,
                session.station_id or self._station_of(household_id),
                session.clock(),
                kind=VisitKind.APPOINTMENT if appointment else VisitKind.DOOR,
            )
            if appointment is not None:
                visit = visit.model_copy(
                    update={"appointment_id": appointment.id, **_appointment_times(appointment)}
                )
            self.is_new = True
        else:
            self.is_new = False
        self.visit = visit
        self.household = session.store.get(Household, visit.household_id)
        staff = [s for s in session.store.raw("staff") if s.get("active", True)]
        self.staff_by_name = {s["name"]: s["id"] for s in staff}
        self.staff_names = {s["id"]: s["name"] for s in session.store.raw("staff")}

    def _station_of(self, household_id: str) -> str | None:
        raw = self.session.store.get_raw("household", household_id)
        return raw.get("station_id") if raw else None

    def _household_text(self) -> Text:
        if self.household is None:
            return Text("")
        return literal(
            f"{t('visit.household')}{t('punct.colon')}{self.household.household_no} "
            f"{Masker().name(self.household.head_of_household)}  {self.household.address}"
        )

    def _top_values(self) -> dict[str, str]:
        """The fields above the problems, as the visit has them."""
        v = self.visit
        return {
            "date": v.date.isoformat(),
            "start_time": v.start_time.strftime("%H:%M"),
            "end_time": v.end_time.strftime("%H:%M"),
            "visit_kind": v.visit_kind.value,
            "visitors": listed(self.staff_names.get(i, i) for i in v.visitor_ids),
            "joint_departments": listed(v.joint_departments),
            "greeting": v.greeting,
            "hardships": v.hardships,
            "opinions": v.opinions,
            "suggestions": v.suggestions,
            "notes": v.notes,
        }

    def _problem_count(self) -> int:
        """How many problem rows the visit opens with: each of its problems, one more."""
        return max(PROBLEM_ROWS, len(self.visit.problems) + 1)

    def compose_fields(self) -> ComposeResult:
        values = self._top_values()
        # (Composed even without a household, hidden: a kept form may show one later.)
        household = Static(self._household_text(), id="visit-household", markup=False)
        household.display = self.household is not None
        yield household
        with Horizontal(classes="row"):
            yield FormField("date", t("visit.date"), values["date"])
            yield FormField("start_time", t("visit.start"), values["start_time"])
            yield FormField("end_time", t("visit.end"), values["end_time"])
            yield FormField(
                "visit_kind",
                t("visit.kind"),
                values["visit_kind"],
                options=[(k.value, label(k)) for k in VisitKind],
            )
        with Horizontal(classes="row"):
            yield FormField("visitors", t("visit.visitors"), values["visitors"])
            yield FormField("joint_departments", t("visit.joint"), values["joint_departments"])
        yield FormField("greeting", t("visit.greeting"), values["greeting"])
        yield FormField("hardships", t("visit.hardships"), values["hardships"])
        yield FormField("opinions", t("visit.opinions"), values["opinions"])
        yield FormField("suggestions", t("visit.suggestions"), values["suggestions"])
        yield FormField("notes", t("visit.notes"), values["notes"])
        problems = list(self.visit.problems)
        for index in range(self._problem_count()):
            problem = problems[index] if index < len(problems) else None
            yield from self._problem_row(index, problem)
        yield Button(t("visit.add_problem"), id="add-problem")

    def refill(self) -> None:
        """The kept form shows this visit: the fields above refilled, a problem row
        refilled for each row a new form would have, rows beyond it removed, missing ones
        mounted (with their values, as compose_fields builds them)."""
        household = self.query_one("#visit-household", Static)
        household.update(self._household_text())
        household.display = self.household is not None
        for name, value in self._top_values().items():
            self.field(name).refill(value)
        problems = list(self.visit.problems)
        wanted = self._problem_count()
        rows = self._rows()
        for row in rows[wanted:]:
            index = int(str(row.id).removeprefix("problem-row-"))
            self.field(f"p{index}_description").remove()
            row.remove()
        for index in range(min(len(rows), wanted)):
            problem = problems[index] if index < len(problems) else None
            state = problem.state.value if problem else ProblemState.PENDING.value
            self.field(f"p{index}_description").refill(problem.description if problem else "")
            self.field(f"p{index}_category").refill(problem.category if problem else "")
            self.field(f"p{index}_state").refill(state, options=self._state_options(problem))
            self.field(f"p{index}_solved_on").refill(
                problem.solved_on.isoformat() if problem and problem.solved_on else "",
                placeholder=self._solved_on_placeholder(state),
            )
        if len(rows) < wanted:
            widgets: list[Widget] = []
            for index in range(len(rows), wanted):
                problem = problems[index] if index < len(problems) else None
                widgets += self._problem_row(index, problem)
            self.query_one("#form-fields").mount_all(widgets, before="#add-problem")

    def _rows(self) -> list[Widget]:
        """The problem rows, in order (not one being removed)."""
        return [row for row in self.query(".problem-row") if not row._pruning]

    @staticmethod
    def _state_options(problem: Any) -> list[tuple[str, str]]:
        # 已移交 only on a problem handed off already: it is set by making a slip.
        return [
            (s.value, label(s))
            for s in ProblemState
            if s is not ProblemState.HANDED_OFF
            or (problem and problem.state is ProblemState.HANDED_OFF)
        ]

    def _problem_row(self, index: int, problem: Any) -> list[Widget]:
        """A problem's two lines. Built with their children, not in a ``with`` block, so
        that "再加一个问题" can mount them as well as compose_fields."""
        state = problem.state.value if problem else ProblemState.PENDING.value
        solved_on = FormField(
            f"p{index}_solved_on",
            t("visit.problem_solved_on"),
            problem.solved_on.isoformat() if problem and problem.solved_on else "",
            placeholder=self._solved_on_placeholder(state),
        )
        solved_on.tooltip = SOLVED_ON_HINT
        return [
            FormField(
                f"p{index}_description",
                t("visit.problem", n=index + 1),
                problem.description if problem else "",
            ),
            Horizontal(
                FormField(
                    f"p{index}_category",
                    t("visit.problem_category"),
                    problem.category if problem else "",
                    options=[(c, category_name(c)) for c in SLIP_CATEGORIES],
                ),
                FormField(
                    f"p{index}_state",
                    t("visit.problem_state"),
                    state,
                    options=self._state_options(problem),
                ),
                solved_on,
                classes="row problem-row",
                id=f"problem-row-{index}",
            ),
        ]

    def _visit_date(self) -> dt.date | None:
        """The visit's date as the form has it now (None while it is not a date)."""
        if not self.is_mounted:
            return self.visit.date
        try:
            return dt.date.fromisoformat(self.field("date").value)
        except ValueError:
            return None

    def _solved_on_placeholder(self, state: str) -> str:
        """What an empty 解决日期 shows for a problem in ``state`` (SOLVED_ON_HINT says why)."""
        if state == ProblemState.SOLVED_ON_SPOT.value:
            day = self._visit_date()  # left empty, it is saved as the visit's date
            return day.isoformat() if day else DATE_FORMAT
        if state == ProblemState.SOLVED_LATER.value:
            return DATE_FORMAT  # required: the day the problem was solved
        return ""  # pending or handed off: no date

    def _show_solved_on_placeholders(self) -> None:
        for index in range(len(self._rows())):
            control = self.field(f"p{index}_solved_on").control
            if isinstance(control, Input):
                control.placeholder = self._solved_on_placeholder(
                    self.field(f"p{index}_state").value
                )

    @on(Select.Changed, ".problem-row Select")
    @on(Input.Changed, "#input-date")
    def _solved_on_follows(self) -> None:
        self._show_solved_on_placeholders()

    def start_field(self) -> str | None:
        # A new visit has its date, time and visitors filled in: the typing starts with
        # the four asks. An edited one opens on its first field.
        return "greeting" if self.is_new else None

    @on(Button.Pressed, "#add-problem")
    async def _add_problem(self) -> None:
        rows = len(self._rows())
        container = self.query_one("#form-fields")
        widgets = self._problem_row(rows, None)
        await container.mount_all(widgets, before="#add-problem")
        description = widgets[0]
        assert isinstance(description, FormField)
        description.control.focus()

    def field_for(self, model_field: str) -> str:
        parts = model_field.split(".")
        if parts[0] == "problems" and len(parts) >= 3 and parts[1].isdigit():
            return f"p{self._problem_fields[int(parts[1])]}_{parts[2]}"
        if parts[0] == "visitor_ids":
            return "visitors"
        return parts[0]

    def build(self, values: dict[str, str]) -> Visit:
        visitors = split_list(values["visitors"])
        unknown = [name for name in visitors if name not in self.staff_by_name]
        if unknown:
            self.field_problem("visitors", t("visit.unknown_staff", names=listed(unknown)))
            visitors = [name for name in visitors if name in self.staff_by_name]
        problems: list[dict[str, Any]] = []
        old = {p.id: p for p in self.visit.problems}
        self._problem_fields: list[int] = []
        index = 0
        while f"p{index}_description" in values:
            description = values[f"p{index}_description"]
            if description:
                existing = self.visit.problems[index] if index < len(self.visit.problems) else None
                problem = {
                    "category": values[f"p{index}_category"] or "其他",
                    "description": description,
                    "state": values[f"p{index}_state"] or ProblemState.PENDING.value,
                    "solved_on": values[f"p{index}_solved_on"] or None,
                }
                if existing is not None and existing.id in old:
                    problem["id"] = existing.id
                    problem["slip_id"] = existing.slip_id
                problems.append(problem)
                self._problem_fields.append(index)
            index += 1
        data = self.visit.to_json()
        data.update(
            date=values["date"],
            start_time=values["start_time"],
            end_time=values["end_time"],
            visit_kind=values["visit_kind"] or VisitKind.DOOR.value,
            visitor_ids=[self.staff_by_name[name] for name in visitors],
            joint_departments=split_list(values["joint_departments"]),
            greeting=values["greeting"],
            hardships=values["hardships"],
            opinions=values["opinions"],
            suggestions=values["suggestions"],
            notes=values["notes"],
            problems=problems,
        )
        return validate_model(Visit, data)

    def save(self, built: Visit) -> Visit:
        appointment = self.appointment if self.is_new else None
        return save_visit(self.session.store, built, self.session.actor, appointment)
