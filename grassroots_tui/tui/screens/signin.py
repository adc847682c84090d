"""Sign-in: choose who you are from the staff, and type your PIN if you have one.

The screen is the program's first, shown before the store is open (issue #19): it lists
the people kept from the last start (:mod:`grassroots_tui.tui.signin_list`) and is given
the store once the app has opened it in a thread (:meth:`SignInScreen.store_opened`),
when it lists the store's own staff. A person who signs in before that waits, told so,
and is signed in as soon as the store is open: the person and the PIN are always checked
against the store. Typing letters, pinyin initials or characters moves the cursor to the
first person whose name (or its pinyin) starts with them.

Nothing here imports the models or the store: they are loaded in the thread meanwhile.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.signin_list import Person
from grassroots_tui.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from grassroots_tui.models import Staff  # noqa: F401 - in the base class, as a string
    from grassroots_tui.services.auth import SignInGuard
    from grassroots_tui.store import Store

#: Seconds without a key after which type-to-find starts a new search.
FIND_PAUSE = 1.0


def _shown(text: str) -> str:
    """A name as the list shows it: no control characters (a name is typed by people)."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


class SignInScreen(Screen["Staff | None"]):
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
        people: list[Person],
        guard: SignInGuard | None = None,
        preselect: str | None = None,
        store: Store | None = None,
    ) -> None:
        super().__init__(id="signin")
        localize_bindings(self)
        self.people = list(people)
        self.guard = guard
        self.preselect = preselect
        #: The opened store; None while the app is still opening it.
        self.store = store
        #: Why the store could not be opened (the screen then only offers to quit).
        self.failed: str | None = None
        #: A sign-in asked for before the store was open: (person id, PIN).
        self._pending: tuple[str, str] | None = None
        self._query = ""
        self._typed_at = 0.0

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box"):
            yield Label(t("signin.title"), id="signin-title")
            yield Label(t("signin.who"))
            yield OptionList(*self._options(), id="signin-staff")
            yield Label(t("signin.pin"))
            yield Input(
                password=True, max_length=8, id="signin-pin", placeholder=t("signin.pin_hint")
            )
            yield Static(
                "" if self.store is not None else t("signin.opening"),
                id="signin-message",
                markup=False,
            )
            yield Button(t("signin.submit"), variant="primary", id="signin-submit")
        yield Footer()

    def _options(self) -> list[Option]:
        return [Option(Text(_shown(self._describe(p))), id=p.id) for p in self.people]

    def _describe(self, person: Person) -> str:
        where = person.where or t("app.street_office")
        role = t(f"enum.StaffRole.{person.role}")
        return f"{person.name}  {role}  {where}"

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        index = next((i for i, p in enumerate(self.people) if p.id == self.preselect), 0)
        if self.people:
            options.highlighted = index
        options.focus()

    # --- the store, once open -------------------------------------------------------------

    def store_opened(self, store: Store, people: list[Person], guard: SignInGuard) -> None:
        """The app opened the store: list its own staff (the cursor stays on the same
        person, or goes to the preselected one), and sign in whoever asked meanwhile."""
        self.store = store
        self.guard = guard
        self.set_people(people)
        if self._pending is not None:
            person_id, pin = self._pending
            self._pending = None
            self._attempt(person_id, pin)
        else:
            self._say("")

    def open_failed(self, message: str) -> None:
        """The store could not be opened: say why; only quitting is left."""
        self.failed = message
        self._pending = None
        self._say(t("signin.open_failed", reason=message))

    def set_people(self, people: list[Person]) -> None:
        options = self.query_one(OptionList)
        current = self._highlighted_id() or self.preselect
        if people == self.people and options.option_count == len(people):
            return
        self.people = list(people)
        options.clear_options()
        options.add_options(self._options())
        if self.people:
            options.highlighted = next((i for i, p in enumerate(self.people) if p.id == current), 0)

    def _highlighted_id(self) -> str | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.people):
            return None
        return self.people[index].id

    # --- type-to-find ---------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if not isinstance(self.focused, OptionList):
            return
        now = time.monotonic()
        if now - self._typed_at > FIND_PAUSE:
            self._query = ""
        if event.key == "backspace" and self._query:
            query = self._query[:-1]
        elif event.character and (event.character.isalnum() and event.is_printable):
            query = self._query + event.character.lower()
        else:
            return
        event.stop()
        event.prevent_default()
        self._typed_at = now
        self._find(query)

    def _find(self, query: str) -> None:
        """Move the cursor to the first person matching ``query``; the same letter
        typed again goes on to the next person it matches."""
        self._query = query
        if not query:
            self._say("")
            return
        options = self.query_one(OptionList)
        matching = [i for i, p in enumerate(self.people) if p.matches(query)]
        if not matching and len(query) > 1 and len(set(query)) == 1:
            # "zz": the second z goes on to the next person starting with z
            matching = [i for i, p in enumerate(self.people) if p.matches(query[0])]
            after = [i for i in matching if i > (options.highlighted or 0)]
            matching = after or matching
            self._query = query[0]
        if matching:
            options.highlighted = matching[0]
            self._say(t("signin.find", query=self._query))
        else:
            self._say(t("signin.find_none", query=query))

    # --- signing in -----------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.query_one("#signin-pin", Input).focus()

    @on(Input.Submitted, "#signin-pin")
    @on(Button.Pressed, "#signin-submit")
    def _submit(self) -> None:
        if self.failed is not None:
            self._say(t("signin.open_failed", reason=self.failed))
            return
        person_id = self._highlighted_id()
        if person_id is None:
            self._say(t("signin.choose_first"))
            return
        pin_input = self.query_one("#signin-pin", Input)
        pin, pin_input.value = pin_input.value, ""
        if self.store is None:  # still opening: signed in once it is open
            self._pending = (person_id, pin)
            self._say(t("signin.opening_then"))
            return
        self._attempt(person_id, pin)

    def _attempt(self, person_id: str, pin: str) -> None:
        from grassroots_tui.models import Staff

        assert self.store is not None and self.guard is not None
        staff = self.store.get(Staff, person_id)
        if staff is None or not staff.active:
            self._say(t("signin.gone"))
            return
        # The wrong PINs are counted in the store, so a restart does not start them afresh.
        result = self.guard.attempt(staff, pin, self.store)
        if result.ok:
            self.dismiss(staff)
        else:
            self._say(result.message)

    def _say(self, message: str) -> None:
        self.query_one("#signin-message", Static).update(message)

    def action_quit(self) -> None:
        self.dismiss(None)
