"""The help screen (? or F1): every command of this screen and of the app, with its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import Cmd, bindings, commands_of, keys_for, localize_bindings


class HelpScreen(ModalScreen[None]):
    CMDS = (Cmd("help.close", "dismiss", "escape"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 78; max-width: 100%; height: 90%; border: round $accent; background: $surface; }
    HelpScreen DataTable { height: 1fr; }
    """

    def __init__(self, target: DOMNode) -> None:
        super().__init__(id="help")
        localize_bindings(self)
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("help.title"))
            yield DataTable(cursor_type="row", zebra_stripes=True, id="help-table")
            yield Label(t("help.keymap_hint"))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(t("help.command"), t("help.keys"), t("help.what"), t("help.id"))
        seen: set[str] = set()
        for node in (self.target, self.app):
            for cmd in commands_of(node):
                if cmd.id in seen:
                    continue
                seen.add(cmd.id)
                table.add_row(*self.row(node, cmd))
        table.focus()

    @staticmethod
    def row(node: DOMNode, cmd: Cmd) -> tuple[str, str, str, str]:
        return cmd.title, keys_for(node, cmd) or "-", cmd.help, cmd.id
