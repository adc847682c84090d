"""The help screen (? or F1): every command of this screen and of the app, with its keys."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import Cmd, bindings, commands_of, keys_for, localize_bindings
from grassroots_tui.tui.widgets.record_table import fit_cell


class HelpScreen(ModalScreen[None]):
    CMDS = (Cmd("help.close", "dismiss", "escape"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90%; min-width: 78; max-width: 100%; height: 90%; border: round $accent; background: $surface; }
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
        rows: list[tuple[str, str, str, str]] = []
        seen: set[str] = set()
        for node in (self.target, self.app):
            for cmd in commands_of(node):
                if cmd.id in seen:
                    continue
                seen.add(cmd.id)
                rows.append(self.row(node, cmd))
        # The id before the description: it is what a key map names, and must be seen
        # without scrolling sideways at 80 columns (issue #19). The description takes
        # the room left and a long one ends in "…".
        titles = (t("help.command"), t("help.keys"), t("help.id"), t("help.what"))
        widths = [max(cell_len(r[i]) for r in [titles, *rows]) for i in range(3)]
        screen = self.app.size.width
        box = min(screen, max(78, screen * 9 // 10)) - 2  # the frame
        room = box - 1 - 2 - sum(w + 2 for w in widths) - 2  # bar, scrollbar, padding
        what = max(cell_len(titles[3]), room)
        table = self.query_one(DataTable)
        for title, width in zip(titles, [*widths, what], strict=True):
            table.add_column(title, width=width)
        for row in rows:
            table.add_row(*row[:3], fit_cell(Text(row[3]), what))
        table.focus()

    @staticmethod
    def row(node: DOMNode, cmd: Cmd) -> tuple[str, str, str, str]:
        return cmd.title, keys_for(node, cmd) or "-", cmd.id, cmd.help
