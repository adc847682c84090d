"""交办: handoff slips and their reply slips, each step of their life, and printing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import ActiveBinding

from grassroots_tui.i18n import label, t
from grassroots_tui.models import HandoffSlip, Satisfaction, SlipSource, SlipState, SlipView
from grassroots_tui.services import slips as slip_service
from grassroots_tui.services.auth import can
from grassroots_tui.services.documents import export_slip_document
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.slip_print import export_slip
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.slips.clock import due_and_clock, views
from grassroots_tui.store.document_templates import templates_folder
from grassroots_tui.store.exports import write_export
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.dialogs.slip_form import SlipForm, station_for
from grassroots_tui.tui.screens.base import ListSectionScreen
from grassroots_tui.tui.screens.slip_rows import (
    clock_text,
    describe_slip,
    short_number,
)
from grassroots_tui.tui.widgets.form import visible
from grassroots_tui.tui.widgets.record_table import Column, RecordTable, Row
from grassroots_tui.tui.widgets.step_form import StepField, StepForm

#: Slip steps: command id (the action name in the service) → (key, shown in the footer).
#: Every step is in the footer, but only while the selected slip may take it
#: (:meth:`SlipsScreen.active_bindings`); a key pressed for any other step says why.
STEP_KEYS = {
    "issue": ("i", True),
    "accept": ("c", True),
    "reply": ("r", True),
    "extend": ("x", True),
    "return": ("t", True),
    "request_extension": ("a", True),
    "callback": ("k", True),
    "close": ("d", True),
    "withdraw": ("w", True),
}


class SlipsScreen(ListSectionScreen):
    SECTION = "slips"
    CMDS = (
        Cmd("slips.new", "new_slip", "n"),
        Cmd("slips.edit", "edit_slip", "e", footer=False),
        *(
            Cmd(f"slips.{step}", f"step('{step}')", key, footer=shown)
            for step, (key, shown) in STEP_KEYS.items()
        ),
        Cmd("slips.print", "print_slip", "p", footer=False),
        Cmd("slips.print_unmasked", "print_slip(True)", None, footer=False),
        Cmd("slips.board", "board", "b"),
        *ListSectionScreen.LIST_CMDS,
    )
    BINDINGS = bindings(*CMDS)
    CHOOSE_ACTION = "edit_slip"

    def compose_body(self) -> ComposeResult:
        yield RecordTable(
            [
                Column("number", t("slip.number"), 9),
                Column("state", t("slip.state"), 6),
                Column("title", t("slip.title"), 20),
                Column("unit", t("slip.unit"), 10),
                Column("due", t("slip.due"), 10),
                Column("clock", t("slip.clock"), 12),
            ],
            detail=self.describe,
            id="slips-table",
        )

    # --- rows ---------------------------------------------------------------------------

    def build(self) -> tuple[list[Row], None]:
        session = self.session
        today, calendar = session.today(), session.calendar
        # A title is free text: names, ID and phone numbers in it are masked in the list,
        # as on the board and the print (filtering still finds the slip by what was typed).
        masker, residents = Masker(), resident_names(session.store)
        rows = []
        #: The order first listed: drafts on top, newest first (a new draft is where
        #: the eye is; saved in the same second, the one saved later), then the
        #: numbered slips, highest number first.
        order: dict[str, tuple[bool, str, int]] = {}
        viewed = views(session.store, calendar)
        for index, raw in enumerate(self.mine("handoff_slip")):
            slip = viewed[raw["id"]]
            title = mask_text(slip.title, masker, residents)
            due, clock = due_and_clock(
                session.store,
                raw,
                on=today,
                calendar=calendar,
                warn_days=session.slip_rules.warn_days,
            )
            provisional = bool(due and due.provisional)
            lateness = (
                clock.days_overdue
                if clock and clock.state == "overdue"
                else -(clock.days_left if clock else 10_000)
            )
            state = label(slip.state)
            drafted = slip.state is SlipState.DRAFTED
            order[slip.id] = (
                drafted,
                str(raw.get("created_at") or "") if drafted else slip.number or "",
                index,
            )
            rows.append(
                Row(
                    slip.id,
                    [
                        short_number(slip.number),
                        state,
                        title,
                        slip.handling_unit or "",
                        due.date.isoformat() if due else "",
                        clock_text(clock, provisional),
                    ],
                    " ".join(
                        [
                            slip.number or "",
                            state,
                            slip.title,
                            slip.category,
                            category_name(slip.category),
                            slip.handling_unit or "",
                            slip.person_name or "",
                        ]
                    ).lower(),
                    [
                        slip.number or "",
                        state,
                        slip.title,
                        slip.handling_unit or "",
                        due.date.isoformat() if due else "",
                        lateness,
                    ],
                )
            )
        rows.sort(key=lambda r: order[r.id], reverse=True)
        return rows, None

    def describe(self, slip_id: str) -> Text:
        session = self.session
        slip = self._view(slip_id)
        if slip is None:
            return Text("")
        due, clock = due_and_clock(
            session.store,
            slip,
            on=session.today(),
            calendar=session.calendar,
            warn_days=session.slip_rules.warn_days,
        )
        due_text = due.date.isoformat() if due else "-"
        if due is not None and due.provisional:
            due_text += f"（{due.reason}）"
        return describe_slip(session.store, slip, due_text, clock_text(clock, False))

    # --- the current slip and what may be done with it -------------------------------------

    def _view(self, slip_id: str) -> SlipView | None:
        """The slip as it stands now (state, number, due date worked out from its steps)."""
        session = self.session
        if session.store.get_raw(HandoffSlip, slip_id) is None:
            return None
        return slip_service.get_slip(session.store, slip_id, session.calendar)

    def current(self) -> SlipView | None:
        slip_id = self.table.current_id
        return self._view(slip_id) if slip_id else None

    def _has_reply(self, slip: SlipView) -> bool:
        return any(r["slip_id"] == slip.id for r in self.session.store.raw("reply"))

    def _masked_title(self, slip: HandoffSlip) -> str:
        """The title as a notice shows it: masked like the list (a notice is seen by whoever
        stands at the screen, and stays on it for seconds)."""
        return mask_text(slip.title, Masker(), resident_names(self.session.store))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        writes = {"new_slip", "edit_slip", "step"}
        if action in writes:
            if self.session.store.readonly or not can(self.session.operator.role, "slip.issue"):
                return False
        if action == "step":
            slip = self.current()
            step = str(parameters[0]) if parameters else ""
            if slip is None or step not in self._allowed(slip):
                return None  # shown, but greyed out: not for this slip's state
        if action == "edit_slip":
            slip = self.current()
            if slip is None or slip.state is not SlipState.DRAFTED:
                return None
            return None if self.session.store.may_write(slip.stored()) else True
        return True

    def _allowed(self, slip: SlipView) -> list[str]:
        """The steps the slip's state allows that this machine takes (a replica writes
        only its own documents: a step of another party's is shown as theirs)."""
        store = self.session.store
        return [
            step
            for step in slip_service.allowed_actions(slip, has_reply=self._has_reply(slip))
            if slip_service.party_refusal(store, slip, step) is None
        ]

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys the footer shows: a slip step only while the selected slip may take it
        (a greyed-out row of eight steps would hide the one or two that can be done)."""
        return {
            key: active
            for key, active in super().active_bindings.items()
            if active.enabled or not self._is_step(active.binding.action)
        }

    @staticmethod
    def _is_step(action: str) -> bool:
        return action.startswith("step(")

    def refusal(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why a write command cannot be done now (for the role, the store or the selected
        slip's state), in the current language; None when it can."""
        session = self.session
        step = str(parameters[0]) if action == "step" and parameters else ""
        what = t(f"slip.step.{step or action.removesuffix('_slip')}")
        if session.store.readonly:
            return t("slip.refused.readonly", step=what)
        if not can(session.operator.role, "slip.issue"):
            return t("slip.refused.role", role=label(session.operator.role), step=what)
        if action == "new_slip":
            return None
        slip = self.current()
        if slip is None:
            return t("slip.refused.none")
        if action == "edit_slip":
            if slip.state is not SlipState.DRAFTED:
                return t("slip.refused.edit", state=label(slip.state))
            return session.store.may_write(slip.stored())
        party = slip_service.party_refusal(session.store, slip, step) if step else None
        if party is not None and step in slip_service.allowed_actions(
            slip, has_reply=self._has_reply(slip)
        ):
            return party
        allowed = self._allowed(slip)
        if step in allowed:
            return None
        hints = [
            t("slip.refused.hint", step=t(f"cmd.slips.{a}"), keys=self.app.get_key_display(b))
            for a in allowed
            for b in self._step_bindings(a)
        ]
        if not hints:
            return t("slip.refused.state_nothing", state=label(slip.state), step=what)
        return t(
            "slip.refused.state",
            state=label(slip.state),
            step=what,
            allowed=t("slip.refused.sep").join(hints),
        )

    def _step_bindings(self, step: str) -> list:
        """The bindings (after any remapping) that run one step, first key only."""
        found = [
            binding
            for namespace, bindings_map in self._binding_chain
            if namespace is self
            for _key, binding in bindings_map
            if binding.action == f"step('{step}')"
        ]
        return found[:1]

    def on_key(self, event: events.Key) -> None:
        """A key for a write command that cannot be done now says why, instead of nothing."""
        for namespace, bindings_map in self._binding_chain:
            if namespace is not self:
                continue
            for binding in bindings_map.key_to_bindings.get(event.key, ()):
                action = binding.action
                name, _, rest = action.partition("(")
                if name not in ("new_slip", "edit_slip", "step"):
                    continue
                parameters = (rest.strip("')\""),) if rest else ()
                if self.check_action(name, parameters) is True:
                    return  # the binding runs it
                why = self.refusal(name, parameters)
                if why:
                    event.stop()
                    event.prevent_default()
                    self.notify(visible(why), markup=False, severity="warning")
                return

    # --- actions ------------------------------------------------------------------------

    def action_new_slip(self) -> None:
        station = station_for(self.session)
        if station is None:
            return
        draft = slip_service.draft_slip(
            station, source=SlipSource.WALK_IN, category="其他", title="-", description="-"
        ).model_copy(update={"title": "", "description": ""})
        self._open_form(draft)

    def open_draft(self, draft: HandoffSlip) -> None:
        """Open the form for a prefilled draft (from a visit's problem)."""
        self._open_form(draft)

    def _open_form(self, draft: HandoffSlip) -> None:
        self.app.push_screen(SlipForm(self.session, draft), callback=self._saved)

    def action_edit_slip(self) -> None:
        slip = self.current()
        if slip is not None and slip.state is SlipState.DRAFTED:
            self._open_form(slip)

    def _saved(self, slip: SlipView | None) -> None:
        if slip is not None:
            self.notify(visible(t("slip.saved", title=self._masked_title(slip))), markup=False)
            self.reload(keep=slip.id)

    def action_step(self, step: str) -> None:
        slip = self.current()
        if slip is None:
            return
        session, store = self.session, self.session.store
        actor, today, calendar = session.actor, session.today(), session.calendar
        iso = today.isoformat()
        if step == "issue":
            self._ask_to_issue(slip)
            return
        direct = {
            "accept": lambda: slip_service.accept(store, slip.id, on=today, actor=actor),
            "close": lambda: slip_service.close(store, slip.id, on=today, actor=actor),
        }
        if step == "close":  # 办结 settles the problem too: not on one stray key

            def answered(yes: bool | None) -> None:
                if yes:
                    self.in_thread(direct["close"], done=self._stepped, name="slip-step")

            question = t("slip.close_ask", number=slip.number or "", title=self._masked_title(slip))
            self.app.push_screen(ConfirmDialog(visible(question)), answered)
            return
        if step in direct:
            self.in_thread(direct[step], done=self._stepped, name="slip-step")
            return
        # Approving a station's request (a slip the street office issued) starts from it.
        asked = slip_service.pending_extension_request(store, slip.id) or {
            "id": None,
            "requested_on": iso,
            "reason": "",
            "wanted_due_date": "",
        }
        forms: dict[str, tuple[list[StepField], Any]] = {
            "reply": (
                [
                    StepField("reply_date", "slip.reply_date", iso, kind="date"),
                    StepField("result", "slip.result"),
                    StepField("policy_basis", "slip.policy", required=False),
                    StepField("handler", "slip.handler", slip.assignee or ""),
                    StepField("signer", "slip.signer", required=False),
                ],
                lambda v: slip_service.reply(
                    store,
                    slip.id,
                    reply_date=v["reply_date"],
                    result=v["result"],
                    policy_basis=v["policy_basis"] or "",
                    handler=v["handler"],
                    signer=v["signer"],
                    actor=actor,
                ),
            ),
            "extend": (
                [
                    StepField(
                        "requested_on", "slip.requested_on", asked["requested_on"], kind="date"
                    ),
                    StepField("reason", "slip.reason", asked["reason"]),
                    StepField("approver", "slip.approver"),
                    StepField(
                        "new_due_date", "slip.new_due", asked["wanted_due_date"], kind="date"
                    ),
                ],
                lambda v: slip_service.extend(
                    store,
                    slip.id,
                    requested_on=v["requested_on"],
                    reason=v["reason"],
                    approver=v["approver"],
                    new_due_date=v["new_due_date"],
                    actor=actor,
                    calendar=calendar,
                    request_id=asked["id"],
                ),
            ),
            "request_extension": (
                [
                    StepField("requested_on", "slip.requested_on", iso, kind="date"),
                    StepField("reason", "slip.reason"),
                    StepField("wanted_due_date", "slip.wanted_due", kind="date"),
                    StepField("by", "slip.requested_by", session.operator.name, required=False),
                ],
                lambda v: slip_service.request_extension(
                    store,
                    slip.id,
                    requested_on=v["requested_on"],
                    reason=v["reason"],
                    wanted_due_date=v["wanted_due_date"],
                    by=v["by"],
                    actor=actor,
                    calendar=calendar,
                ),
            ),
            "return": (
                [
                    StepField("on", "slip.returned_on", iso, kind="date"),
                    StepField("reason", "slip.reason"),
                ],
                lambda v: slip_service.return_slip(
                    store,
                    slip.id,
                    on=v["on"],
                    reason=v["reason"],
                    actor=actor,
                    within_days=session.slip_rules.return_days,
                ),
            ),
            "callback": (
                [
                    StepField("on", "slip.callback_on", iso, kind="date"),
                    StepField(
                        "satisfaction",
                        "slip.satisfaction",
                        Satisfaction.SATISFIED.value,
                        options=tuple((s.value, label(s)) for s in Satisfaction),
                    ),
                    StepField("by", "slip.callback_by", session.operator.name, required=False),
                    StepField("note", "slip.callback_note", required=False),
                ],
                lambda v: slip_service.callback(
                    store,
                    slip.id,
                    on=v["on"],
                    satisfaction=Satisfaction(v["satisfaction"]),
                    by=v["by"],
                    note=v["note"] or "",
                    actor=actor,
                    calendar=calendar,
                ),
            ),
            "withdraw": (
                [
                    StepField("on", "slip.withdrawn_on", iso, kind="date"),
                    StepField("reason", "slip.reason"),
                ],
                lambda v: slip_service.withdraw(
                    store, slip.id, on=v["on"], reason=v["reason"], actor=actor
                ),
            ),
        }
        fields, run = forms[step]
        self.app.push_screen(StepForm(f"cmd.slips.{step}", fields, run), callback=self._stepped)

    def _ask_to_issue(self, slip: SlipView) -> None:
        """A number, once given, is never given again: say which one the slip takes and
        when it falls due, and issue only if the user agrees (with that very number)."""
        session, store = self.session, self.session.store
        today, calendar = session.today(), session.calendar
        number_format = session.slip_rules.office_number_format

        def preview() -> tuple[str, Any]:
            return slip_service.issue_preview(
                store, slip.id, on=today, calendar=calendar, office_number_format=number_format
            )

        def shown(terms: tuple[str, Any]) -> None:
            number, due = terms
            due_text = due.date.isoformat()
            if due.provisional:
                due_text += f"（{due.reason}）"
            question = t(
                "slip.issue_ask",
                title=self._masked_title(slip),
                number=number,
                due=due_text,
            )
            self.app.push_screen(
                ConfirmDialog(visible(question)), lambda yes: issue(number) if yes else None
            )

        def issue(number: str) -> None:
            self.in_thread(
                lambda: slip_service.issue(
                    store,
                    slip.id,
                    on=today,
                    actor=session.actor,
                    calendar=calendar,
                    office_number_format=number_format,
                    expected_number=number,
                ),
                done=self._stepped,
                name="slip-step",
            )

        self.in_thread(preview, done=shown, name="slip-issue-preview")

    def _stepped(self, slip: SlipView | None) -> None:
        if slip is not None:
            # The same row stays selected, but its state (and so its steps) changed.
            self.refresh_bindings()
            self.notify(
                t(
                    "slip.stepped",
                    number=slip.number or self._masked_title(slip),
                    state=label(slip.state),
                ),
                markup=False,
            )
            self.reload(keep=slip.id)

    def action_print_slip(self, unmasked: bool = False) -> None:
        """Write the slip and its reply as a printable page (HTML) and as an official
        document (.docx, from the office's template); personal information is masked
        unless the user chose the unmasked command, which the audit trail records."""
        slip = self.current()
        if slip is None:
            return
        session = self.session
        store = session.store

        def work():
            html = export_slip(
                store,
                slip.id,
                actor=session.actor,
                fmt="html",
                unmasked=unmasked,
                calendar=session.calendar,
            )
            # A draft has no number: its file (and the notice naming it) has the masked title.
            name = slip.number or self._masked_title(slip)
            page = write_export(store.paths, name, html, suffix=".html")
            # The official document for Word or WPS beside it (unmasked: checked and
            # recorded as an output of its own).
            docx = export_slip_document(
                store,
                slip.id,
                actor=session.actor,
                unmasked=unmasked,
                calendar=session.calendar,
                folder=templates_folder(store.paths.main),
                where="exports 文件夹",
            )
            return f"{write_export(store.paths, name, docx, suffix='.docx')}、{page.name}"

        self.in_thread(
            work,
            done=lambda path: self.notify(
                t("slip.printed", path=str(path)), markup=False, timeout=10
            ),
        )

    def action_board(self) -> None:
        from grassroots_tui.tui.screens.board import BoardScreen

        # One board per signed-in session, kept between openings: building its widgets
        # (four drop-downs, the table) took most of the time it took to open.
        if not self.app.is_screen_installed(BoardScreen.NAME):
            self.app.install_screen(BoardScreen(), BoardScreen.NAME)
        self.app.push_screen(BoardScreen.NAME)


__all__ = ["SlipsScreen", "dt"]
