"""Sign-in: choose who you are from the staff, and type your PIN if you have one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from grassroots_tui.i18n import t
from grassroots_tui.models import Staff
from grassroots_tui.services.auth import SignInGuard
from grassroots_tui.services.pinyin import sort_key
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal


class SignInScreen(Screen[Staff | None]):
    CMDS = (Cmd("signin.quit", "quit", "ctrl+q"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > #signin-box { width: 60; max-width: 100%; height: auto; border: round $accent; padding: 0 1; }
    SignInScreen #signin-title { text-style: bold; }
    SignInScreen OptionList { height: auto; max-height: 12; }
    SignInScreen #signin-message { color: $error; height: auto; }
    """

    def __init__(
        self,
        staff: list[Staff],
        stations: dict[str, str],
        guard: SignInGuard,
        preselect: str | None = None,
    ) -> None:
        super().__init__(id="signin")
        localize_bindings(self)
        self.staff = sorted(
            (s for s in staff if s.active), key=lambda s: (s.station_id or "", sort_key(s.name))
        )
        self.stations = stations
        self.guard = guard
        self.preselect = preselect

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box"):
            yield Label(t("signin.title"), id="signin-title")
            yield Label(t("signin.who"))
            yield OptionList(
                *[Option(literal(self._describe(s)), id=s.id) for s in self.staff],
                id="signin-staff",
            )
            yield Label(t("signin.pin"))
            yield Input(
                password=True, max_length=8, id="signin-pin", placeholder=t("signin.pin_hint")
            )
            yield Static("", id="signin-message", markup=False)
            yield Button(t("signin.submit"), variant="primary", id="signin-submit")
        yield Footer()

    def _describe(self, staff: Staff) -> str:
        where = self.stations.get(staff.station_id or "", t("app.street_office"))
        role = t(f"enum.StaffRole.{staff.role.value}")
        return f"{staff.name}  {role}  {where}"

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        index = next((i for i, s in enumerate(self.staff) if s.id == self.preselect), 0)
        if self.staff:
            options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.query_one("#signin-pin", Input).focus()

    @on(Input.Submitted, "#signin-pin")
    @on(Button.Pressed, "#signin-submit")
    def _submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.staff:
            self._say(t("signin.choose_first"))
            return
        staff = self.staff[options.highlighted]
        pin_input = self.query_one("#signin-pin", Input)
        # The wrong PINs are counted in the store, so a restart does not start them afresh.
        result = self.guard.attempt(staff, pin_input.value, getattr(self.app, "store", None))
        pin_input.value = ""
        if result.ok:
            self.dismiss(staff)
        else:
            self._say(result.message)

    def _say(self, message: str) -> None:
        self.query_one("#signin-message", Static).update(message)

    def action_quit(self) -> None:
        self.dismiss(None)
