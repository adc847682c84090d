"""The help screen (? or F1): every command of this screen and of the app, with its keys."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import Cmd, bindings, commands_of, keys_for, localize_bindings
from grassroots_tui.tui.widgets.record_table import fit_cell

#: The narrowest the command and keys columns get when the row is too wide for the
#: screen (they are cut with "…"; the id never is).
MIN_TITLE, MIN_KEYS = 8, 6


def column_widths(natural: list[int], what_min: int, box: int) -> list[int]:
    """The widths of the columns command, keys, id and description in a frame ``box``
    cells wide inside: the id as wide as its longest; the description takes the room
    left, at least ``what_min``; if there is none, the keys, then the command, give up
    room (cut with "…") down to their least. Each column has two cells of padding; the
    table's cursor bar and its scrollbar take three more."""
    title, keys, ident = natural
    room = box - 3 - 2 * 4 - ident
    over = title + keys + what_min - room
    if over > 0:
        cut = min(over, max(0, keys - MIN_KEYS))
        keys, over = keys - cut, over - cut
    if over > 0:
        cut = min(over, max(0, title - MIN_TITLE))
        title, over = title - cut, over - cut
    return [title, keys, ident, max(what_min, room - title - keys)]


class HelpScreen(ModalScreen[None]):
    CMDS = (Cmd("help.close", "dismiss", "escape"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90%; min-width: 78; max-width: 100%; height: 90%; border: round $accent; background: $surface; }
    HelpScreen DataTable { height: 1fr; }
    HelpScreen #help-detail { height: auto; max-height: 3; width: 100%; color: $text-muted; }
    HelpScreen #help-hint { height: auto; width: 100%; }
    """

    def __init__(self, target: DOMNode) -> None:
        super().__init__(id="help")
        localize_bindings(self)
        self.target = target
        self.rows: list[tuple[str, str, str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("help.title"))
            yield DataTable(cursor_type="row", zebra_stripes=True, id="help-table")
            # The highlighted command's whole description, wrapped: the table's column
            # cuts a long one with "…".
            yield Static("", id="help-detail", markup=False)
            yield Label(t("help.keymap_hint"), id="help-hint", markup=False)

    def on_mount(self) -> None:
        rows = self.rows
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
        natural = [max(cell_len(r[i]) for r in [titles, *rows]) for i in range(3)]
        screen = self.app.size.width
        box = min(screen, max(78, screen * 9 // 10)) - 2  # the frame
        widths = column_widths(natural, cell_len(titles[3]), box)
        table = self.query_one(DataTable)
        for title, width in zip(titles, widths, strict=True):
            table.add_column(title, width=width)
        title_w, keys_w, _id_w, what_w = widths
        for title, keys, ident, what in rows:
            table.add_row(  # the id as it is: never cut
                fit_cell(Text(title), title_w),
                fit_cell(Text(keys), keys_w),
                ident,
                fit_cell(Text(what), what_w),
            )
        table.focus()

    @on(DataTable.RowHighlighted, "#help-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows[event.cursor_row] if 0 <= event.cursor_row < len(self.rows) else None
        self.query_one("#help-detail", Static).update(
            f"{row[0]}{t('punct.colon')}{row[3]}" if row else ""
        )

    @staticmethod
    def row(node: DOMNode, cmd: Cmd) -> tuple[str, str, str, str]:
        return cmd.title, keys_for(node, cmd) or "-", cmd.id, cmd.help
