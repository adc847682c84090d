"""帮扶: hardship cases. The list shows no more than it must (names masked); opening a
case shows its whole timeline and is recorded in the audit trail as an access."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Select

from grassroots_tui.i18n import label, t
from grassroots_tui.models import CaseStatus, HardshipCase, HardshipTier
from grassroots_tui.services import hardship as service
from grassroots_tui.services.auth import can
from grassroots_tui.services.masking import Masker
from grassroots_tui.services.pinyin import search_text, sort_key
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.screens.base import ListSectionScreen
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.record_table import Column, RecordTable, Row

FILTERS = ("tier", "status", "cadre", "due")


class HardshipScreen(ListSectionScreen):
    SECTION = "hardship"
    CMDS = (
        Cmd("hardship.new", "new_case", "n"),
        Cmd("hardship.open", "open_case", "o"),
        Cmd("hardship.rounds", "rounds", "r"),
        Cmd("hardship.totals", "totals", "t"),
        *ListSectionScreen.LIST_CMDS,
    )
    BINDINGS = bindings(*CMDS)
    CHOOSE_ACTION = "open_case"
    DEFAULT_CSS = """
    HardshipScreen #case-filters { height: 1; }
    HardshipScreen #case-filters Select { width: 1fr; }
    """
    _filters: dict[str, str | None] = {}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="case-filters"):
            yield Select(
                [(label(m), m.value) for m in HardshipTier],
                prompt=t("hardship.filter.tier"),
                compact=True,
                id="filter-tier",
            )
            yield Select(
                [(label(m), m.value) for m in CaseStatus],
                prompt=t("hardship.filter.status"),
                compact=True,
                id="filter-status",
            )
            yield Select([], prompt=t("hardship.filter.cadre"), compact=True, id="filter-cadre")
            yield Select(
                [
                    (t("hardship.due.due"), "due"),
                    (t("hardship.due.overdue"), "overdue"),
                    (t("hardship.due.callback"), "callback"),
                ],
                prompt=t("hardship.filter.due"),
                compact=True,
                id="filter-due",
            )
        yield RecordTable(
            [
                Column("no", t("household.no"), 10),
                Column("head", t("household.head"), 6),
                Column("tier", t("hardship.tier"), 8),
                Column("status", t("hardship.status"), 6),
                Column("cadre", t("hardship.cadre"), 6),
                Column("review", t("hardship.next_review"), 10),
                Column("total", t("hardship.total"), 10),
            ],
            detail=self.summary,
            id="cases-table",
        )

    def on_mount(self) -> None:
        cadres = sorted({s["name"] for s in self.mine("staff")}, key=sort_key)
        self.query_one("#filter-cadre", Select).set_options([(literal(n), n) for n in cadres])
        super().on_mount()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        # Read the filters here, on the UI thread; build() runs in a thread.
        self._filters = {
            name: (
                None
                if (v := self.query_one(f"#filter-{name}", Select).value) is Select.NULL
                else str(v)
            )
            for name in FILTERS
        }
        super().reload(keep)

    def build_key(self) -> Any:
        return tuple(self._filters.items())

    def build(self) -> tuple[list[Row], None]:
        store, today = self.session.store, self.session.today()
        households = {h["id"]: h for h in store.raw("household")}
        staff = {s["id"]: s["name"] for s in store.raw("staff")}
        reviews: dict[str, list[dict]] = {}
        for review in store.raw("hardship_review"):
            reviews.setdefault(review["case_id"], []).append(review)
        totals: dict[str, Decimal] = {}
        for a in store.raw("assistance"):
            totals[a["case_id"]] = totals.get(a["case_id"], Decimal("0")) + Decimal(a["amount"])
        due = {
            (d.case_id, d.what): d
            for d in service.due_items(store, today=today, station_id=self.session.station_id)
        }
        f = self._filters
        masker = Masker()
        rows = []
        for raw in self.mine("hardship_case"):
            case = HardshipCase.model_validate(raw)
            cadre = staff.get(case.paired_cadre, "?")
            review_due = due.get((case.id, "review"))
            if f.get("tier") and case.tier.value != f["tier"]:
                continue
            if f.get("status") and case.status.value != f["status"]:
                continue
            if f.get("cadre") and cadre != f["cadre"]:
                continue
            if f.get("due") == "due" and review_due is None:
                continue
            if f.get("due") == "overdue" and (review_due is None or review_due.days_overdue <= 0):
                continue
            if f.get("due") == "callback" and (case.id, "callback") not in due:
                continue
            h = households.get(case.household_id, {})
            next_review = service.next_review_due(case, reviews.get(case.id, []))
            total = totals.get(case.id, Decimal("0"))
            mark = Text(
                next_review.isoformat() if next_review else "-",
                style="bold red" if review_due and review_due.days_overdue > 0 else "",
            )
            head = h.get("head_of_household", "")
            rows.append(
                Row(
                    case.id,
                    [
                        h.get("household_no", "?"),
                        masker.name(head),
                        label(case.tier),
                        label(case.status),
                        cadre,
                        mark,
                        f"{total:,.2f}",
                    ],
                    " ".join(
                        [
                            h.get("household_no", ""),
                            search_text(head),
                            search_text(cadre),
                            label(case.tier),
                            label(case.status),
                        ]
                    ).lower(),
                    [
                        h.get("household_no", ""),
                        sort_key(head),
                        case.tier.value,
                        case.status.value,
                        sort_key(cadre),
                        next_review.isoformat() if next_review else "9999",
                        total,
                    ],
                )
            )
        rows.sort(key=lambda r: r.sort[0])
        return rows, None

    def summary(self, case_id: str) -> Text:
        """What the list may show without opening the case: no names, no notes."""
        raw = self.session.store.get_raw("hardship_case", case_id)
        if raw is None:
            return Text("")
        total = service.case_total(self.session.store, case_id)
        return Text(t("hardship.summary", total=f"{total:,.2f}", opened=raw["opened_on"]))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_case"}:
            return not self.session.store.readonly and can(
                self.session.operator.role, "household.edit"
            )
        return True

    def action_new_case(self) -> None:
        from grassroots_tui.tui.dialogs.hardship_forms import CaseForm
        from grassroots_tui.tui.dialogs.pick_household import PickHousehold

        def picked(household_id: str | None) -> None:
            if household_id:
                self.app.push_screen(CaseForm(self.session, household_id), callback=self._saved)

        self.app.push_screen(PickHousehold(self.session), callback=picked)

    def _saved(self, case: HardshipCase | None) -> None:
        if case is not None:
            self.reload(keep=case.id)

    def action_open_case(self) -> None:
        from grassroots_tui.tui.screens.hardship_case import CaseView

        case_id = self.table.current_id
        if case_id:
            self.app.push_screen(CaseView(case_id), callback=lambda _: self.reload(keep=case_id))

    def action_totals(self) -> None:
        from grassroots_tui.tui.screens.hardship_totals import TotalsScreen

        self.app.push_screen(TotalsScreen())

    def action_rounds(self) -> None:
        from grassroots_tui.tui.screens.condolence import RoundsScreen

        self.app.push_screen(RoundsScreen())
