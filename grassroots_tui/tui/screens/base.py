"""What every section screen shares: the section bar, localized bindings, workers."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from grassroots_tui.tui.commands import Cmd, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.record_table import RecordTable, Row
from grassroots_tui.tui.widgets.section_bar import SectionBar
from grassroots_tui.tui.workers import StoreWorkers


class SectionScreen(StoreWorkers, Screen):
    """A section's main screen. Subclasses set SECTION and implement compose_body()."""

    SECTION = ""
    #: Lists open with the table focused, so single-key commands work at once;
    #: "/" goes to the filter.
    AUTO_FOCUS = "DataTable"

    def __init__(self) -> None:
        super().__init__(id=f"{self.SECTION}-screen")
        localize_bindings(self)

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()


class ListSectionScreen(SectionScreen):
    """A section whose body is a RecordTable of the operator's station's records.

    Rows are built by :meth:`build` in a thread worker (pinyin for tens of thousands of
    names takes a moment the first time) and handed to the table on the UI thread.
    """

    #: Filter and sort: in the help screen and the palette, not in the footer.
    LIST_CMDS = (
        Cmd("list.filter", "focus_filter", "slash", footer=False),
        Cmd("list.sort", "sort", "s", footer=False),
    )
    #: The action Enter on a row runs (through run_action, so check_action applies).
    CHOOSE_ACTION = ""

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def mine(self, kind: str) -> list[dict]:
        """Stored dicts of a kind, limited to the operator's station (all for the office)."""
        rows = self.session.store.raw(kind)
        station_id = self.session.station_id
        if station_id:
            rows = [r for r in rows if r.get("station_id") == station_id]
        return rows

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    #: A record to keep the cursor on once the pending reload lands: a later reload
    #: (say, on returning from the form that saved it) must not lose it.
    _keep: str | None = None

    def reload(self, keep: str | None = None) -> None:
        if keep is not None:
            self._keep = keep

        def loaded(result: tuple[list[Row], Any]) -> None:
            rows, extra = result
            self.table.set_rows(rows, keep=self._keep)
            self._keep = None
            self.loaded(extra)

        self.in_thread(self.build, done=loaded, name="load-rows", exclusive=True)

    def build(self) -> tuple[list[Row], Any]:
        """The table's rows, and anything else loaded() should show. Runs in a thread."""
        raise NotImplementedError

    def loaded(self, extra: Any) -> None:
        """Called on the UI thread after the rows are in the table."""

    def action_focus_filter(self) -> None:
        self.table.focus_filter()

    def action_sort(self) -> None:
        self.table.cycle_sort()

    @on(RecordTable.Chosen)
    async def _row_chosen(self) -> None:
        if self.CHOOSE_ACTION:
            await self.run_action(self.CHOOSE_ACTION)
