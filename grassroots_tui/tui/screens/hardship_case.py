"""One hardship case: its whole timeline, and every record that can be added to it.
Opening it is recorded in the audit trail as an access (who looked, when)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import (
    Assistance,
    AssistanceForm,
    CaseStatus,
    HardshipCase,
    HardshipTier,
    Household,
)
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import hardship as service
from grassroots_tui.services.auth import can
from grassroots_tui.services.hardship import source_name
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.text import listed
from grassroots_tui.store import StoreError
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal, visible
from grassroots_tui.tui.widgets.step_form import StepField, StepForm
from grassroots_tui.tui.workers import StoreWorkers


def tiers() -> tuple[tuple[str, str], ...]:
    """The tiers to choose from, named in the language of the moment (not of the import)."""
    return tuple((m.value, label(m)) for m in HardshipTier)


class CaseView(StoreWorkers, ModalScreen[None]):
    CMDS = (
        Cmd("case.assistance", "assistance", "a"),
        Cmd("case.review", "review", "v"),
        Cmd("case.exit", "exit_case", "x"),
        Cmd("case.callback", "callback", "k"),
        Cmd("case.relapse", "relapse", "f", footer=False),
        Cmd("case.end", "end_case", "e", footer=False),
        Cmd("case.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    CaseView { align: center middle; }
    CaseView > VerticalScroll { width: 78; max-width: 100%; height: 21; border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, case_id: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.case_id = case_id
        self.case: HardshipCase | None = None

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="case-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        session = self.session
        # Looking at a hardship case is recorded (who, when); where it cannot be recorded
        # (a read-only store) the case is not shown, and the user is told why.
        try:
            self.case = service.view_case(session.store, self.case_id, session.actor)
        except (service.HardshipRefused, StoreError) as refused:
            self.notify(visible(str(refused)), severity="warning", markup=False, timeout=10)
            self.dismiss(None)
            return
        self.show()

    def show(self) -> None:
        store, case = self.session.store, self.session.store.get(HardshipCase, self.case_id)
        if case is None:
            return
        self.case = case
        household = store.get(Household, case.household_id)
        staff = {s["id"]: s["name"] for s in store.raw("staff")}
        masker = Masker()
        names = resident_names(store)  # notes and the timeline are free text
        text = Text()
        if household is not None:
            text.append(
                f"{household.household_no}  {masker.name(household.head_of_household)}  ",
                style="bold",
            )
            text.append(f"{household.address}\n")
        text.append(
            f"{label(case.tier)} · {label(case.status)} · {listed(label(c) for c in case.causes)}\n"
        )
        text.append(
            t(
                "hardship.case_line",
                cadre=staff.get(case.paired_cadre, "?"),
                opened=case.opened_on.isoformat(),
                cycle=label(case.review_cycle),
                total=f"{service.case_total(store, case.id):,.2f}",
            )
            + "\n"
        )
        if case.callback_on:
            text.append(t("hardship.callback_due", on=case.callback_on.isoformat()) + "\n")
        if case.notes:
            text.append(mask_text(case.notes, masker, names) + "\n")
        text.append("\n")
        for entry in service.case_timeline(store, case.id, calendar=self.session.calendar):
            text.append(f"{entry.on.isoformat()}  {mask_text(entry.what, masker, names)}\n")
        self.query_one("#case-text", Static).update(literal(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        if self.session.store.readonly or not can(self.session.operator.role, "household.edit"):
            return False
        case = self.case
        if case is None:
            return None
        if self.session.store.may_write(case) is not None:
            return None  # another's case (a station's, on the office's machine): shown only
        active = case.status is CaseStatus.ACTIVE
        if action in {"assistance", "review", "exit_case", "end_case"}:
            return True if active else None
        if action in {"callback", "relapse"}:
            return True if case.status is CaseStatus.EXITED else None
        return True

    def _step(self, title_key: str, fields: list[StepField], run) -> None:
        def done(result: Any) -> None:
            if result is not None:
                self.show()
                self.refresh_bindings()

        self.app.push_screen(StepForm(title_key, fields, run), callback=done)

    def action_assistance(self) -> None:
        session, case = self.session, self.case
        assert case is not None
        sources = ("民政", "工会", "商会", "妇联", "社区", "企业", "其他")

        def run(v: dict[str, Any]) -> Assistance:
            assistance = validate_model(
                Assistance,
                {
                    "station_id": case.station_id,
                    "case_id": case.id,
                    "date": v["date"].isoformat(),
                    "form": v["form"],
                    "amount": v["amount"] or "0",
                    "source": v["source"],
                    "handler": v["handler"],
                    "note": v["note"] or "",
                },
            )
            return service.add_assistance(session.store, assistance, session.actor)

        self._step(
            "cmd.case.assistance",
            [
                StepField("date", "hardship.date", session.today().isoformat(), kind="date"),
                StepField(
                    "form",
                    "hardship.form",
                    AssistanceForm.CONDOLENCE_MONEY.value,
                    options=tuple((m.value, label(m)) for m in AssistanceForm),
                ),
                StepField(
                    "amount", "hardship.amount", required=False
                ),  # empty means 0; focused first
                StepField(
                    "source",
                    "hardship.source",
                    sources[0],
                    options=tuple((s, source_name(s)) for s in sources),
                ),
                StepField("handler", "hardship.handler", session.operator.name),
                StepField("note", "hardship.note", required=False),
            ],
            run,
        )

    def action_review(self) -> None:
        session, case = self.session, self.case
        assert case is not None
        self._step(
            "cmd.case.review",
            [
                StepField("on", "hardship.date", session.today().isoformat(), kind="date"),
                StepField("findings", "hardship.findings"),
                StepField("tier", "hardship.tier_after", case.tier.value, options=tiers()),
            ],
            lambda v: service.record_review(
                session.store,
                case.id,
                on=v["on"],
                findings=v["findings"],
                tier_after=HardshipTier(v["tier"]),
                actor=session.actor,
            ),
        )

    def action_exit_case(self) -> None:
        session, case = self.session, self.case
        assert case is not None
        self._step(
            "cmd.case.exit",
            [
                StepField("on", "hardship.date", session.today().isoformat(), kind="date"),
                StepField("reason", "hardship.reason"),
            ],
            lambda v: service.exit_case(
                session.store, case.id, on=v["on"], reason=v["reason"], actor=session.actor
            ),
        )

    def action_end_case(self) -> None:
        session, case = self.session, self.case
        assert case is not None
        ends = (CaseStatus.TERMINATED, CaseStatus.REFERRED)
        self._step(
            "cmd.case.end",
            [
                StepField(
                    "status",
                    "hardship.status",
                    ends[0].value,
                    options=tuple((m.value, label(m)) for m in ends),
                ),
                StepField("on", "hardship.date", session.today().isoformat(), kind="date"),
                StepField("reason", "hardship.reason"),
            ],
            lambda v: service.end_case(
                session.store,
                case.id,
                status=CaseStatus(v["status"]),
                on=v["on"],
                reason=v["reason"],
                actor=session.actor,
            ),
        )

    def action_callback(self) -> None:
        session, case = self.session, self.case
        assert case is not None
        self._step(
            "cmd.case.callback",
            [
                StepField("on", "hardship.date", session.today().isoformat(), kind="date"),
                StepField("findings", "hardship.findings"),
            ],
            lambda v: service.callback_no_relapse(
                session.store, case.id, on=v["on"], findings=v["findings"], actor=session.actor
            ),
        )

    def action_relapse(self) -> None:
        session, case = self.session, self.case
        assert case is not None
        self._step(
            "cmd.case.relapse",
            [
                StepField("on", "hardship.date", session.today().isoformat(), kind="date"),
                StepField("findings", "hardship.findings"),
                StepField("tier", "hardship.tier", case.tier.value, options=tiers()),
            ],
            lambda v: service.relapse(
                session.store,
                case.id,
                on=v["on"],
                findings=v["findings"],
                tier=HardshipTier(v["tier"]),
                actor=session.actor,
            ),
        )

    def action_close(self) -> None:
        self.dismiss(None)
