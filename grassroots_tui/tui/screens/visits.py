"""走访记录: the visit log, the visit rate, and today's appointments."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import Appointment, ProblemState, Visit, VisitKind
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.pinyin import search_text, sort_key
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.text import listed
from grassroots_tui.services.visit_rate import visit_rate
from grassroots_tui.services.visits import appointments_due, off_hours_raw
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.dialogs.pick_household import PickHousehold
from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.base import ListSectionScreen
from grassroots_tui.tui.widgets.form import visible
from grassroots_tui.tui.widgets.record_table import Column, RecordTable, Row


@dataclass(frozen=True)
class _Context:
    households: dict[str, dict]
    staff: dict[str, str]
    stations: dict[str, dict]
    masker: Masker


class VisitsScreen(ListSectionScreen):
    SECTION = "visits"
    CMDS = (
        Cmd("visits.new", "new_visit", "n"),
        Cmd("visits.edit", "edit_visit", "e"),
        Cmd("visits.appointments", "appointments", "a"),
        Cmd("visits.slip", "slip_from_problem", "p", footer=False),
        *ListSectionScreen.LIST_CMDS,
    )
    CHOOSE_ACTION = "edit_visit"
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    VisitsScreen #visit-rate { height: auto; padding: 0 1; background: $boost; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static("", id="visit-rate", markup=False)
        yield RecordTable(
            [
                Column("date", t("visit.date"), 10),
                Column("time", t("visit.time"), 5),
                Column("kind", t("visit.kind"), 5),
                Column("no", t("household.no"), 10),
                Column("head", t("household.head"), 6),
                Column("visitors", t("visit.visitors"), 10),
                Column("problems", t("visit.problems_short"), 4),
                Column("off", t("visit.off_hours_short"), 4),
            ],
            detail=self.describe,
            id="visits-table",
        )

    ROW_KIND = "visit"
    CONTEXT_KINDS = ("household", "staff", "station")
    ROW_ORDER_REVERSE = True

    def build_context(self) -> _Context:
        store = self.session.store
        return _Context(
            households={h["id"]: h for h in self.mine("household")},
            staff={s["id"]: s["name"] for s in store.raw("staff")},
            stations={s["id"]: s for s in store.raw("station")},
            masker=Masker(),
        )

    def row_for(self, v: dict, context: _Context) -> Row:
        h = context.households.get(v["household_id"], {})
        head = h.get("head_of_household", "")
        visitors = listed(context.staff.get(i, "?") for i in v["visitor_ids"])
        kind = label(VisitKind(v["visit_kind"]))
        station = context.stations.get(v.get("station_id") or "")
        off = off_hours_raw(v, station, self.session.is_workday) if station else False
        raised = v.get("problems") or []
        problems = len(raised)
        number = h.get("household_no", "")
        return Row(
            v["id"],
            [
                v["date"],
                v["start_time"][:5],
                kind,
                number or "?",
                context.masker.name(head),
                visitors,
                str(problems),
                t("visit.off_hours_mark") if off else "",
            ],
            " ".join(
                [
                    v["date"],
                    kind,
                    number,
                    search_text(head),
                    search_text(visitors),
                    v.get("hardships", ""),
                    # each problem raised, as typed: the filter finds 漏水 or 低保
                    *(f"{p.get('category', '')} {p.get('description', '')}" for p in raised),
                ]
            ).lower(),
            [v["date"], v["start_time"], kind, number, sort_key(head), visitors, problems, off],
        )

    def row_order(self):
        return lambda row: (row.sort[0], row.sort[1])

    def extra(self, context: _Context) -> str:
        return self._rate_line(list(context.households.values()), self.mine("visit"))

    def loaded(self, rate_line: str) -> None:
        self.query_one("#visit-rate", Static).update(rate_line)
        # The list is shown: the visit form and the board are composed ahead, off screen
        # (GrassrootsApp.prepare_kept_screens; once per session, a no-op after).
        prepare = getattr(self.app, "prepare_kept_screens", None)
        if prepare is not None:
            self.call_after_refresh(prepare)

    def _rate_line(self, households: list[dict], visits: list[dict]) -> str:
        today = self.session.today()
        rate = visit_rate(households, visits, station_id=self.session.station_id, month=today)
        due = appointments_due(self.mine("appointment"), self.session.station_id, today)
        return t(
            "visit.rate_line",
            month=rate.visited_month,
            rate_month=rate.rate_month,
            cumulative=rate.visited_cumulative,
            registered=rate.registered,
            rate=rate.rate_cumulative,
            due=len(due.due_today),
            missed=len(due.missed),
        )

    def describe(self, visit_id: str) -> Text:
        raw = self.session.store.get_raw("visit", visit_id)
        if raw is None:
            return Text("")
        v = Visit.model_validate(raw)
        # The four asks and the problems are free text: a resident named in them (the
        # household's own or a neighbour), an ID or a phone number is masked.
        masker, names = Masker(), resident_names(self.session.store)

        def masked(value: str) -> str:
            return visible(mask_text(value, masker, names))

        text = Text()
        for key, value in (
            ("visit.greeting", v.greeting),
            ("visit.hardships", v.hardships),
            ("visit.opinions", v.opinions),
            ("visit.suggestions", v.suggestions),
        ):
            if value:
                text.append(t(key) + t("punct.colon"), style="bold")
                text.append(masked(value) + "\n")
        if v.joint_departments:
            joint = visible(listed(v.joint_departments))
            text.append(t("visit.joint") + t("punct.colon") + joint + "\n")
        for problem in v.problems:
            state = label(problem.state)
            text.append(
                f"· [{visible(category_name(problem.category))}] {masked(problem.description)} — {state}\n"
            )
        return text

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_visit", "edit_visit", "appointments", "slip_from_problem"}:
            from grassroots_tui.services.auth import can

            needed = "slip.issue" if action == "slip_from_problem" else "visit.create"
            if not can(self.session.operator.role, needed) or self.session.store.readonly:
                return False
            if action == "edit_visit" and self.others("visit"):
                return None  # another's visit: shown, not changed here
        return True

    def on_key(self, event) -> None:
        """The slip key, where this operator may not open a slip, says why (a key that
        does nothing reads as a broken key, issue #19)."""
        if self.check_action("slip_from_problem", ()) is not False:
            return
        for namespace, bindings_map in self._binding_chain:
            if namespace is not self:
                continue
            for binding in bindings_map.key_to_bindings.get(event.key, ()):
                if binding.action == "slip_from_problem":
                    event.stop()
                    event.prevent_default()
                    self.notify(self._slip_refusal(), markup=False, severity="warning")
                    return

    def _slip_refusal(self) -> str:
        if self.session.store.readonly:
            return t("app.readonly")
        return t("visit.slip_role", role=label(self.session.operator.role))

    def action_new_visit(self) -> None:
        def picked(household_id: str | None) -> None:
            if household_id:
                form = VisitForm.open_kept(self.app, self.session, household_id=household_id)
                self.app.push_screen(form, callback=self._saved)

        self.app.push_screen(PickHousehold(self.session), callback=picked)

    def action_edit_visit(self) -> None:
        current = self.table.current_id
        visit = self.session.store.get(Visit, current) if current else None
        if visit is not None:
            # The form kept from the last opening, refilled (issue #19: composing one
            # took about half a second every time).
            form = VisitForm.open_kept(self.app, self.session, visit=visit)
            self.app.push_screen(form, callback=self._saved)

    def _saved(self, visit: Visit | None) -> None:
        if visit is not None:
            self.notify(t("visit.saved", date=visit.date.isoformat()), markup=False)
            self.reload(keep=visit.id)

    def action_appointments(self) -> None:
        from grassroots_tui.tui.dialogs.appointments import AppointmentsDialog

        def chosen(appointment: Appointment | None) -> None:
            if appointment is not None:
                form = VisitForm.open_kept(
                    self.app,
                    self.session,
                    household_id=appointment.household_id,
                    appointment=appointment,
                )
                self.app.push_screen(form, callback=self._saved)

        self.app.push_screen(AppointmentsDialog(self.session), callback=chosen)

    def action_slip_from_problem(self) -> None:
        current = self.table.current_id
        visit = self.session.store.get(Visit, current) if current else None
        pending = [p for p in (visit.problems if visit else []) if p.state is ProblemState.PENDING]
        if not pending:
            self.notify(t("visit.no_pending"), markup=False)
            return
        if any(
            slip["problem_id"] == pending[0].id and slip["state"] == "drafted"
            for slip in self.session.store.raw("handoff_slip")
        ):
            self.notify(t("visit.draft_exists"), markup=False)
            return
        from grassroots_tui.services.slips import draft_from_problem
        from grassroots_tui.tui.dialogs.slip_form import SlipForm

        rule = self.session.slip_rules.rule_for(pending[0].category)
        draft = draft_from_problem(self.session.store, visit.id, pending[0].id, rule=rule)  # type: ignore[union-attr]

        def saved(slip) -> None:
            if slip is not None:
                self.notify(t("visit.slip_drafted", title=slip.title), markup=False, timeout=8)

        self.app.push_screen(SlipForm(self.session, draft), callback=saved)
