"""Find a household by 户号, name or pinyin initials, and pick it with Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from grassroots_tui.i18n import t
from grassroots_tui.services.households import find_households
from grassroots_tui.services.masking import Masker, named_by_query
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.form import literal


class PickHousehold(ModalScreen[str | None]):
    CMDS = (Cmd("pick.cancel", "cancel", "escape"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    PickHousehold { align: center middle; }
    PickHousehold > Vertical { width: 70; max-width: 100%; height: 20; border: round $accent; background: $surface; }
    PickHousehold OptionList { height: 1fr; }
    PickHousehold #pick-none { height: 1; color: $warning; }
    PickHousehold #pick-none.-hidden { display: none; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        localize_bindings(self)
        self.session = session
        households = session.store.raw("household")
        if session.station_id:
            households = [h for h in households if h.get("station_id") == session.station_id]
        self.households = households

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("pick.title"))
            yield Input(placeholder=t("pick.hint"), id="pick-query")
            yield Static(t("pick.none"), id="pick-none", classes="-hidden", markup=False)
            yield OptionList(id="pick-list")

    def on_mount(self) -> None:
        self._show("")

    @on(Input.Changed, "#pick-query")
    def _typed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        """The households matching ``query``, names masked; a household whose whole name
        or 户号 was typed shows its name whole (the worker typed it: that is how they tell
        two 王** apart). ID and phone numbers are never shown here."""
        masker = Masker()

        def head(h: dict) -> str:
            name = h["head_of_household"]
            return name if named_by_query(query, name, h.get("household_no")) else masker.name(name)

        found = (
            find_households(self.households, query, limit=30)
            if query.strip()
            else self.households[:30]
        )
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(
                literal(f"{h['household_no']}  {head(h)}  {h.get('address', '')}"),
                id=h["id"],
            )
            for h in found
        )
        if found:
            options.highlighted = 0
        # A search that finds nothing says so, rather than leaving an empty list.
        nothing = bool(query.strip()) and not found
        self.query_one("#pick-none", Static).set_class(not nothing, "-hidden")

    @on(Input.Submitted, "#pick-query")
    def _enter(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:
        # Up/down move through the list while typing in the search box.
        if event.key in ("up", "down") and self.focused is self.query_one("#pick-query"):
            options = self.query_one(OptionList)
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)
