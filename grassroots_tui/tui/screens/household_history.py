"""A household's whole history on a screen of its own: every visit, every problem raised,
every handoff slip with its replies, every hardship case (issue #19: the list's detail
pane showed five of each in six lines)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import VisitKind
from grassroots_tui.services.households import HouseholdHistory, household_history, tag_name
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.text import listed
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import visible
from grassroots_tui.tui.widgets.section_bar import SectionBar


class HouseholdHistoryScreen(Screen[None]):
    """Read only: Esc goes back to the list, where the household stays selected."""

    CMDS = (
        Cmd("history.close", "close", "escape"),
        Cmd("history.visit", "visit", "v"),
    )
    BINDINGS = bindings(*CMDS)
    AUTO_FOCUS = "#history-body"
    DEFAULT_CSS = """
    HouseholdHistoryScreen #history-head {
        height: auto; background: $panel; padding: 0 1; text-style: bold;
    }
    HouseholdHistoryScreen #history-body { height: 1fr; padding: 0 1; }
    HouseholdHistoryScreen #history-body:focus { border-left: outer $accent; }
    HouseholdHistoryScreen .history-title { text-style: bold; color: $accent; margin-top: 1; }
    """

    def __init__(self, household_id: str) -> None:
        super().__init__(id="household-history")
        localize_bindings(self)
        self.household_id = household_id

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        history = household_history(
            self.session.store, self.household_id, calendar=self.session.calendar
        )
        yield SectionBar("households")  # who, read-only, sync: on every screen
        yield Static(self._head(history), id="history-head", markup=False)
        with VerticalScroll(id="history-body"):
            for key, count, text in self._sections(history):
                name = key.replace(".", "-")
                yield Static(
                    t(key, count=count), classes="history-title", markup=False, id=f"{name}-title"
                )
                yield Static(text, markup=False, id=name)
        yield Footer()

    def _head(self, history: HouseholdHistory) -> Text:
        masker = Masker()
        h = history.household
        text = Text(visible(f"{h.household_no}  {masker.name(h.head_of_household)}"))
        text.append(f"  {t('household.id_number')} {masker.id(h.id_number)}")
        text.append(f"  {t('household.phone')} {masker.phone(h.phone)}\n")
        text.append(
            visible(f"{h.address}  {h.grid or ''}") + f"  {t('household.people')} {h.people}"
        )
        if h.tags:
            text.append("  " + visible(listed(tag_name(tag) for tag in h.tags)))
        return text

    def _sections(self, history: HouseholdHistory) -> list[tuple[str, int, Text]]:
        store = self.session.store
        masker = Masker()
        names = resident_names(store)
        staff = {s["id"]: s["name"] for s in store.raw("staff")}

        def masked(value: str | None) -> str:
            return visible(mask_text(value or "", masker, names))

        none = t("history.none")
        visits = Text()
        for v in history.visits:
            who = listed(staff.get(i, i) for i in v.visitor_ids)
            visits.append(
                f"{v.date.isoformat()} {v.start_time.strftime('%H:%M')}  "
                f"{label(VisitKind(v.visit_kind))}  {visible(who)}\n",
                style="bold",
            )
            for key, value in (
                ("visit.greeting", v.greeting),
                ("visit.hardships", v.hardships),
                ("visit.opinions", v.opinions),
                ("visit.suggestions", v.suggestions),
            ):
                if value:
                    visits.append(f"    {t(key)}{t('punct.colon')}{masked(value)}\n")
        problems = Text()
        for raised in history.problems:
            p = raised.problem
            problems.append(
                f"{raised.visit_date}  [{label(p.state)}]  {visible(category_name(p.category))}  "
                f"{masked(p.description)}\n"
            )
        slips = Text()
        for item in history.slips:
            s = item.slip
            number = s.number or t("history.draft")
            due = f"  {t('slip.due')} {s.due_date}" if s.due_date else ""
            slips.append(
                f"{visible(number)}  [{label(s.state)}]  {masked(s.title)}{due}\n", style="bold"
            )
            for reply in item.replies:
                slips.append(
                    f"    {reply.reply_date}  {masked(reply.result)}  ({visible(reply.handler)})\n"
                )
        cases = Text()
        for case in history.hardship_cases:
            causes = listed(label(c) for c in case.causes)
            cases.append(
                f"{case.opened_on}  {label(case.tier)}  [{label(case.status)}]  {causes}  "
                f"{t('hardship.cadre')} {visible(staff.get(case.paired_cadre, ''))}\n"
            )
        shown = []
        for key, count, text in (
            ("history.visits", len(history.visits), visits),
            ("history.problems", len(history.problems), problems),
            ("history.slips", len(history.slips), slips),
            ("history.cases", len(history.hardship_cases), cases),
        ):
            text.rstrip()
            shown.append((key, count, text if text.plain else Text(none)))
        return shown

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "visit":
            from grassroots_tui.services.auth import can

            session = self.session
            return can(session.operator.role, "visit.create") and not session.store.readonly
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_visit(self) -> None:
        from grassroots_tui.tui.dialogs.visit_form import VisitForm

        def saved(visit) -> None:
            if visit is not None:
                self.notify(t("visit.saved", date=visit.date.isoformat()), markup=False)
                self.refresh(recompose=True)

        # The visit form kept for the session, refilled (issue #19).
        form = VisitForm.open_kept(self.app, self.session, household_id=self.household_id)
        self.app.push_screen(form, saved)
