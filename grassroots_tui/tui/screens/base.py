"""What every section screen shares: the section bar, localized bindings, workers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from grassroots_tui.tui.commands import localize_bindings
from grassroots_tui.tui.session import Session
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
