"""The recovery key, shown once after the store is encrypted at first start."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from grassroots_tui.i18n import t


class RecoveryKeyDialog(ModalScreen[None]):
    """The key in large print, what it is for, and one button: nothing else leaves the
    dialog, so it is not dismissed by a stray key before it is written down."""

    DEFAULT_CSS = """
    RecoveryKeyDialog { align: center middle; }
    RecoveryKeyDialog > Vertical { width: 76; max-width: 100%; height: auto; border: heavy $warning; background: $surface; padding: 1 2; }
    RecoveryKeyDialog #recovery-key { margin: 1 0; padding: 0 1; text-style: bold; color: $warning; border: round $warning; }
    RecoveryKeyDialog Static { width: 100%; }
    RecoveryKeyDialog Button { margin-top: 1; }
    """

    def __init__(self, key: str) -> None:
        super().__init__(id="recovery")
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("recovery.title"), markup=False)
            yield Static(self.key, id="recovery-key", markup=False)
            yield Static(t("recovery.body"), id="recovery-body", markup=False)
            yield Button(t("recovery.ok"), id="recovery-ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#recovery-ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
