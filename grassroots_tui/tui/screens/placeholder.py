"""Sections that later work fills in say so plainly."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from grassroots_tui.i18n import t
from grassroots_tui.tui.screens.base import SectionScreen


class NotYetScreen(SectionScreen):
    def __init__(self, section: str) -> None:
        self.SECTION = section
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static(t("section.not_yet", section=t(f"section.{self.SECTION}")), classes="not-yet")
