"""Assistance totals of the operator's station: by source, by form and by month."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import label, t
from grassroots_tui.models import AssistanceForm
from grassroots_tui.services.hardship import (
    source_name,
    totals_by_form,
    totals_by_month,
    totals_by_source,
)
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal


class TotalsScreen(ModalScreen[None]):
    CMDS = (Cmd("totals.close", "close", "escape"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    TotalsScreen { align: center middle; }
    TotalsScreen > Vertical { width: 78; max-width: 100%; height: 21; border: round $accent; background: $surface; }
    TotalsScreen Horizontal { height: 1fr; }
    TotalsScreen DataTable { width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="totals-title")
            with Horizontal():
                yield DataTable(id="by-source", cursor_type="row")
                yield DataTable(id="by-form", cursor_type="row")
                yield DataTable(id="by-month", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        assistances = session.store.raw("assistance")
        if session.station_id:
            assistances = [a for a in assistances if a.get("station_id") == session.station_id]
        total = sum((Decimal(a["amount"]) for a in assistances), Decimal("0"))
        self.query_one("#totals-title", Label).update(
            t("totals.title", count=len(assistances), total=f"{total:,.2f}")
        )
        for table_id, heading, totals in (
            (
                "#by-source",
                t("hardship.source"),
                {source_name(k): v for k, v in totals_by_source(assistances).items()},
            ),
            (
                "#by-form",
                t("hardship.form"),
                {label(AssistanceForm(k)): v for k, v in totals_by_form(assistances).items()},
            ),
            (
                "#by-month",
                t("totals.month"),
                dict(sorted(totals_by_month(assistances).items(), reverse=True)),
            ),
        ):
            table = self.query_one(table_id, DataTable)
            table.add_columns(heading, t("totals.yuan"))
            for key, value in totals.items():
                table.add_row(literal(key), f"{value:,.2f}")

    def action_close(self) -> None:
        self.dismiss(None)
