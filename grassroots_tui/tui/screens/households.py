"""住户台账: the household registry, each household with its whole history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from grassroots_tui.i18n import label, t
from grassroots_tui.models import Household, VisitKind
from grassroots_tui.services.disclosure import authorize_unmasked
from grassroots_tui.services.households import household_history, tag_name
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.pinyin import search_text, sort_key
from grassroots_tui.services.text import listed
from grassroots_tui.store import StoreError
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.dialogs.household_form import HouseholdForm
from grassroots_tui.tui.screens.base import ListSectionScreen
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import visible
from grassroots_tui.tui.widgets.record_table import Column, RecordTable, Row


class MaskedHouseholdForm(HouseholdForm):
    """Editing a household with its ID and phone numbers masked (issue 18 §5).

    Ctrl+R shows them whole, only to a role the station allows and only after the audit
    trail has recorded it (:func:`~grassroots_tui.services.disclosure.authorize_unmasked`);
    anyone else is told why not. Editing needs no reveal: typing in a masked field
    replaces it (its text is selected when it gets the focus), and a field left as
    shown keeps the stored number.
    """

    CMDS = (Cmd("household.reveal", "reveal", "ctrl+r"),)
    BINDINGS = bindings(*CMDS)
    #: The fields shown masked.
    SECRET = ("id_number", "phone")

    def __init__(self, session: Session, household: Household) -> None:
        masker = Masker()
        #: What each masked field shows while it is masked; emptied by a reveal.
        self.shown_masked: dict[str, str] = {
            name: shown
            for name, shown in (
                ("id_number", masker.id(household.id_number)),
                ("phone", masker.phone(household.phone)),
            )
            if shown
        }
        self.original = household
        # The form is composed from a copy holding the masked text: the whole numbers
        # never reach a widget until revealed.
        super().__init__(session, household.model_copy(update=self.shown_masked))

    def build(self, values: dict[str, str]) -> Household:
        kept = dict(values)
        for name, shown in self.shown_masked.items():
            if kept.get(name) == shown:  # left as shown: the number as stored
                kept[name] = getattr(self.original, name) or ""
        return super().build(kept)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal" and not self.shown_masked:
            return False  # nothing left masked
        return True

    def action_reveal(self) -> None:
        if not self.shown_masked:
            return
        session, household = self.session, self.original
        try:
            authorize_unmasked(
                session.store,
                session.actor,
                f"查看住户 {household.household_no} 的完整身份证号和电话（修改住户）",
                1,
                kind="household",
                doc_id=household.id,
                where="屏幕",
            )
        except (ValueError, StoreError) as refused:  # PermissionDenied, UnmaskedRefused
            self._set_message(str(refused))
            return
        for name, shown in self.shown_masked.items():
            field = self.field(name)
            if field.value == shown:  # not retyped meanwhile
                field.value = getattr(household, name) or ""
        self.shown_masked = {}
        self._set_message(None)
        self.refresh_bindings()
        self.notify(t("household.revealed"), markup=False)


class HouseholdsScreen(ListSectionScreen):
    SECTION = "households"
    CMDS = (
        Cmd("households.new", "new_household", "n"),
        Cmd("households.edit", "edit_household", "e"),
        Cmd("households.visit", "visit_household", "v"),
        Cmd("households.history", "history", "h"),
        Cmd("households.import", "import_ledger", "i"),
        *ListSectionScreen.LIST_CMDS,
    )
    #: Enter opens the household's whole history (editing is on e).
    CHOOSE_ACTION = "history"
    BINDINGS = bindings(*CMDS)

    def compose_body(self) -> ComposeResult:
        yield RecordTable(
            [
                Column("no", t("household.no"), 12),
                Column("head", t("household.head"), 8),
                Column("grid", t("household.grid"), 8),
                Column("people", t("household.people_short"), 4),
                Column("tags", t("household.tags"), 12),
                Column("address", t("household.address")),
            ],
            detail=self.describe,
            id="households-table",
        )

    READS = ("household",)

    def build(self) -> tuple[list[Row], None]:
        masker = Masker()
        rows = []
        for h in self.mine("household"):
            head = h["head_of_household"]
            tags = listed(tag_name(tag) for tag in h.get("tags") or [])
            rows.append(
                Row(
                    h["id"],
                    [
                        h["household_no"],
                        masker.name(head),
                        h.get("grid") or "",
                        str(h.get("people", "")),
                        tags,
                        h.get("address", ""),
                    ],
                    " ".join(
                        [
                            h["household_no"],
                            search_text(head),
                            h.get("grid") or "",
                            tags,
                            h.get("address", ""),
                        ]
                    ).lower(),
                    [
                        h["household_no"],
                        sort_key(head),
                        h.get("grid") or "",
                        h.get("people", 0),
                        tags,
                        h.get("address", ""),
                    ],
                )
            )
        rows.sort(key=lambda r: r.sort[0])
        return rows, None

    def describe(self, household_id: str) -> Text:
        try:
            history = household_history(
                self.session.store, household_id, calendar=self.session.calendar
            )
        except LookupError:
            return Text("")
        masker = Masker()
        names = resident_names(self.session.store)

        def masked(value: str, width: int) -> str:
            # Masked before it is cut: a number cut short would no longer be recognised.
            return visible(mask_text(value, masker, names)[:width])

        h = history.household
        text = Text()
        # Residents' text is shown as typed: Text.append never reads markup, and
        # visible() keeps raw control characters (ESC) off the terminal.
        text.append(visible(f"{h.household_no}  {masker.name(h.head_of_household)}"), style="bold")
        text.append(f"  {t('household.id_number')} {masker.id(h.id_number)}")
        text.append(f"  {t('household.phone')} {masker.phone(h.phone)}\n")
        text.append(
            visible(f"{h.address}  {h.grid or ''}") + f"  {t('household.people')} {h.people}\n"
        )
        text.append(
            t(
                "household.history",
                visits=len(history.visits),
                problems=len(history.problems),
                slips=len(history.slips),
                cases=len(history.hardship_cases),
            )
            + "\n"
        )
        for visit in history.visits[:5]:
            kind = label(VisitKind(visit.visit_kind))
            asks = visit.hardships or visit.opinions or visit.greeting
            text.append(f"  {visit.date.isoformat()} {kind} {masked(asks, 30)}\n")
        for raised in history.problems[:5]:
            problem = raised.problem
            text.append(
                f"  · {raised.visit_date} {masked(problem.description, 30)} [{label(problem.state)}]\n"
            )
        return text

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_household", "edit_household", "import_ledger", "visit_household"}:
            from grassroots_tui.services.auth import can

            needed = {"import_ledger": "household.import", "visit_household": "visit.create"}.get(
                action, "household.edit"
            )
            if not can(self.session.operator.role, needed) or self.session.store.readonly:
                return False
            if action == "edit_household" and self.others("household"):
                return None  # another's household: shown, not changed here
        return True

    def action_new_household(self) -> None:
        self.app.push_screen(HouseholdForm(self.session), callback=self._saved)

    def action_edit_household(self) -> None:
        current = self.table.current_id
        household = self.session.store.get(Household, current) if current else None
        if household is not None:
            form = MaskedHouseholdForm(self.session, household)
            self.app.push_screen(form, callback=self._saved)

    def _saved(self, household: Household | None) -> None:
        if household is not None:
            self.notify(visible(t("household.saved", no=household.household_no)), markup=False)
            self.reload(keep=household.id)

    def action_visit_household(self) -> None:
        current = self.table.current_id
        if current:
            from grassroots_tui.tui.dialogs.visit_form import VisitForm

            # The visit form kept for the session, refilled (issue #19).
            form = VisitForm.open_kept(self.app, self.session, household_id=current)
            self.app.push_screen(form)

    def action_history(self) -> None:
        current = self.table.current_id
        if current:
            from grassroots_tui.tui.screens.household_history import HouseholdHistoryScreen

            self.app.push_screen(HouseholdHistoryScreen(current))

    def action_import_ledger(self) -> None:
        from grassroots_tui.tui.dialogs.import_dialog import ImportDialog

        self.app.push_screen(ImportDialog(self.session), callback=lambda _: self.reload())

    def show_household(self, household_id: str) -> None:
        self.table.query_text = ""
        self.reload(keep=household_id)
