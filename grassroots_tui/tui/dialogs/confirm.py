"""A yes-or-no question before something that is not done lightly (an undo, a redo,
issuing a slip, a reminder, throwing away a form): y for yes, n or Esc for no, Enter for
the button that has the focus (是 unless the dialog was made with ``default=False``)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings


class ConfirmDialog(ModalScreen[bool]):
    CMDS = (
        Cmd("confirm.yes", "answer(True)", "y"),
        Cmd("confirm.no", "answer(False)", "n,escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 70; max-width: 100%; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    ConfirmDialog Horizontal { height: auto; margin-top: 1; }
    ConfirmDialog Button { margin-right: 2; }
    """

    def __init__(self, question: str, *, default: bool = True) -> None:
        super().__init__(id="confirm")
        localize_bindings(self)
        self.question = question
        #: The answer Enter gives: 否 before throwing away what was typed.
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            # Static wraps (a Label cut the question to one line at 80 columns, hiding
            # the number a slip takes and that it is never used again).
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal():
                yield Button(t("confirm.yes"), id="confirm-yes", variant="warning")
                yield Button(t("confirm.no"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes" if self.default else "#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")
