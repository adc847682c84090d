"""Form fields with their message beneath, and a modal form that checks them.

Validation has one source of truth, the pydantic model: a form builds the model from
what is typed, and every problem the model reports is shown next to its field, in the
user's language. A field is checked when it loses focus, and the whole form on submit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from time import time
from typing import Any, Generic, TypeVar

from rich.highlighter import Highlighter
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from grassroots_tui.i18n import clauses, language, t
from grassroots_tui.models.errors import DocumentInvalid, Problem
from grassroots_tui.tui.commands import localize_bindings
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.styling import KeptStyles
from grassroots_tui.tui.workers import StoreWorkers, friendly_error

R = TypeVar("R")
log = logging.getLogger("grassroots_tui")

#: Control characters as their Unicode "control pictures" (ESC → ␛, NUL → ␀, DEL → ␡;
#: C1 controls → �). Text is stored exactly as typed, but a raw ESC must never reach the
#: terminal, where it would start an escape sequence; tab and newline are kept.
_PICTURES: dict[int, int] = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})


def visible(text: str) -> str:
    """``text`` with each control character replaced by a visible one, same length."""
    return text.translate(_PICTURES)


def literal(text: str | Text) -> Text:
    """A user's text for the screen: never read as markup, no raw control characters.

    A ``str`` becomes a plain :class:`Text` ("[bold]" stays "[bold]"); a ``Text`` keeps
    its styles (the replacement keeps every character's position).
    """
    if isinstance(text, Text):
        shown = visible(text.plain)
        if shown == text.plain:
            return text
        copy = text.copy()
        copy.plain = shown
        return copy
    return Text(visible(str(text)))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def split_values(text: str) -> list[str]:
    """The values of a field of several choices (joined by 、)."""
    return [part for part in text.split("、") if part]


class ControlPictures(Highlighter):
    """An Input highlighter that shows control characters as pictures (see
    :func:`visible`); the Input's value itself is left exactly as typed."""

    def highlight(self, text: Text) -> None:
        shown = visible(text.plain)
        if shown != text.plain:
            text.plain = shown


class FormField(Vertical):
    """A label beside a one-line input (or select), and a line for its message beneath.

    Compact, so that a whole visit form fits an 80x24 terminal.
    """

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0; }
    FormField > Horizontal { height: 1; border-left: blank; }
    FormField > Horizontal > Label { color: $text-muted; width: auto; min-width: 5; padding-right: 1; }
    FormField > Horizontal > Input, FormField > Horizontal > Select { width: 1fr; }
    /* Where the cursor is, plain to see: a bar at the left, the label in reverse, the
       box itself lit (issue #19). A class, not :focus-within: with that, every focus
       change restyled the whole row of fields around it, and every Horizontal of the
       form was watched for it (Textual restyles the outermost node with such a rule). */
    FormField.-current > Horizontal { border-left: outer $accent; }
    FormField.-current > Horizontal > Label {
        background: $accent; color: $text; text-style: bold;
    }
    FormField > Horizontal > Input:focus { background: $accent 35%; }
    FormField > Horizontal > Select:focus > SelectCurrent { background: $accent 35%; }
    /* A choice of several (致困原因): every option on its own line, checked or not. */
    FormField.-multiple > Horizontal { height: auto; }
    FormField > Horizontal > SelectionList { width: 1fr; height: auto; max-height: 8; }
    FormField > Horizontal > SelectionList:focus { background: $accent 15%; }
    FormField > Horizontal > SelectionList.-invalid { background-tint: $error 30%; }
    /* A date (2026-11-26) is never cut, however many fields share its row. */
    FormField.-date { min-width: 24; }
    FormField.-date > Horizontal > Input { min-width: 12; }
    /* A dropdown's open list is framed, apart from the form under it. */
    FormField Select > SelectOverlay.-textual-compact { border: round $accent !important; }
    FormField > .field-error { color: $error; height: auto; }
    FormField > .field-error.-empty { display: none; }
    """

    def __init__(
        self,
        name: str,
        label: str,
        value: str = "",
        *,
        placeholder: str = "",
        password: bool = False,
        options: list[tuple[str, str]] | None = None,
        max_length: int = 0,
        multiple: bool = False,
    ) -> None:
        """With ``options`` a dropdown, or with ``multiple`` a list to check any number
        of (its value: the chosen values joined by 、)."""
        classes = "form-field -multiple" if multiple else "form-field"
        if _DATE.fullmatch(value) or placeholder == "YYYY-MM-DD":
            classes += " -date"
        super().__init__(id=f"field-{name}", classes=classes)
        self._multiple = multiple
        self.field_name = name
        self.label_text = label
        self._value = value
        self._placeholder = placeholder
        self._password = password
        self._options = options
        self._max_length = max_length

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label_text)
            if self._options is not None and self._multiple:
                chosen = set(split_values(self._value))
                yield SelectionList[str](
                    *[(literal(text), value, value in chosen) for value, text in self._options],
                    compact=True,
                    id=f"input-{self.field_name}",
                )
            elif self._options is not None:
                yield Select(
                    [(literal(text), value) for value, text in self._options],
                    value=self._value if self._value else Select.NULL,
                    allow_blank=not self._value,
                    prompt=t("form.choose"),
                    compact=True,
                    id=f"input-{self.field_name}",
                )
            else:
                yield Input(
                    self._value,
                    placeholder=self._placeholder,
                    password=self._password,
                    max_length=self._max_length,
                    highlighter=ControlPictures(),
                    compact=True,
                    id=f"input-{self.field_name}",
                )
        yield Static("", classes="field-error -empty", markup=False)

    def on_descendant_focus(self) -> None:
        self.set_class(self.has_focus_within, "-current")

    def on_descendant_blur(self) -> None:
        # (Asked, not toggled: the blur of one control and the focus of the next may
        # arrive in either order.)
        self.set_class(self.has_focus_within, "-current")

    #: The value the field opened with, or was last given by the program (not typed):
    #: the form asks before discarding only what differs from it (FormScreen.changed).
    opened_value = ""

    def on_mount(self) -> None:
        self.opened_value = self.value

    @property
    def changed(self) -> bool:
        """The field holds something other than what it opened with or was last given."""
        return self.is_mounted and self.value != self.opened_value

    @property
    def control(self) -> Input | Select | SelectionList:
        return self.query_one(f"#input-{self.field_name}")  # type: ignore[return-value]

    @property
    def value(self) -> str:
        control = self.control
        if isinstance(control, SelectionList):
            return "、".join(str(value) for value in control.selected)
        if isinstance(control, Select):
            return "" if control.value is Select.NULL else str(control.value)
        return control.value.strip()

    @value.setter
    def value(self, new: str) -> None:
        control = self.control
        if isinstance(control, SelectionList):
            control.deselect_all()
            for value in split_values(new):
                control.select(value)
        elif isinstance(control, Select):
            control.value = new if new else Select.NULL
        else:
            control.value = new
        # Set by the program (a rule for the chosen category, a revealed number), not
        # typed: nothing the user would lose.
        self.opened_value = self.value

    def refill(
        self,
        value: str,
        *,
        options: list[tuple[str, str]] | None = None,
        placeholder: str | None = None,
    ) -> None:
        """Show the field as a freshly composed one with ``value`` (and ``options``,
        ``placeholder``, when given) would show it: no message, the cursor at the end,
        nothing typed to lose. For a form kept between openings (FormScreen.reopen)."""
        if placeholder is not None:
            self._placeholder = placeholder
        self._value = value
        control = self.control
        if isinstance(control, Select):
            wanted = self._options if options is None else options
            # A fresh drop-down offers the blank only when it opens without a value.
            blank = not value
            if wanted != self._options or getattr(control, "_allow_blank", blank) != blank:
                self._options = wanted
                control._allow_blank = blank
                control.set_options([(literal(text), v) for v, text in wanted or []])
        elif isinstance(control, Input):
            control.placeholder = self._placeholder
        self.value = value  # sets opened_value too: nothing typed
        if isinstance(control, Input):
            control.cursor_position = len(control.value)
            control.scroll_to(0, animate=False, immediate=True)
        self.set_class(bool(_DATE.fullmatch(value)) or self._placeholder == "YYYY-MM-DD", "-date")
        self.set_error(None)

    #: The message shown under the field ("" for none).
    error_text = ""

    def set_error(self, message: str | None) -> None:
        # Only a change is drawn: every save checks every field, and updating a dozen
        # unchanged messages relaid out the form while the save waited for it.
        if (message or "") == self.error_text:
            return
        self.error_text = message or ""
        error = self.query_one(".field-error", Static)
        error.update(self.error_text)
        error.set_class(not message, "-empty")
        self.control.set_class(bool(message), "-invalid")


class FormScreen(KeptStyles, StoreWorkers, ModalScreen[R], Generic[R]):
    """A modal form. Subclasses compose their FormFields in compose_fields(), turn the
    values into a document in build() (raising DocumentInvalid or ValueError), and save
    it in save() (called in a thread); the saved result dismisses the form."""

    BINDINGS = [
        Binding(
            "ctrl+s", "submit", "cmd.form.submit", id="form.submit", tooltip="cmd.form.submit.help"
        ),
        Binding(
            "escape", "cancel", "cmd.form.cancel", id="form.cancel", tooltip="cmd.form.cancel.help"
        ),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form-box {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    FormScreen #form-title { text-style: bold; }
    FormScreen #form-fields { height: auto; max-height: 17; }
    FormScreen #form-message { color: $error; height: auto; }
    FormScreen #form-message.-empty { display: none; }
    FormScreen #form-buttons { height: auto; align-horizontal: right; }
    FormScreen #form-buttons Button { margin-left: 1; min-width: 10; }
    FormScreen .row { height: auto; }
    FormScreen .row > FormField { width: 1fr; margin-right: 1; }  /* and 1 for the bar */
    """

    TITLE_KEY = ""
    #: Open with the first field focused, so typing starts at once (start_field()).
    AUTO_FOCUS = "#form-fields Input, #form-fields Select"

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        #: What build() found wrong with each field (field_problem), during a check.
        self._found: dict[str, list[str]] = {}
        #: The language the form's labels were composed in: a kept form is not reused in
        #: another (the language changes with a restart, or in tests).
        self.language = language()
        #: The field a refill took the cursor from (reopen): its leaving is not checked.
        self._left_by_refill: set[Input] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Label(t(self.TITLE_KEY), id="form-title")
            with VerticalScroll(id="form-fields"):
                yield from self.compose_fields()
            yield Static("", id="form-message", classes="-empty", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(t("form.save"), variant="primary", id="form-save")
                yield Button(t("form.cancel"), id="form-cancel")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def start_field(self) -> str | None:
        """The field the cursor is on when the form opens: None for the first one. A form
        whose first fields it fills in itself (a new visit: today, now, you) starts where
        the typing starts."""
        return None

    def on_mount(self) -> None:
        # (After a subclass's own on_mount: Textual runs each class's handler.)
        self._opened_at = time()
        start = self._start()
        if start is not None:
            start.control.focus()

    def _start(self) -> FormField | None:
        fields = self.fields()
        name = self.start_field()
        start = fields.get(name) if name else None
        if start is None:
            start = next(iter(fields.values()), None)
        return start

    def on_screen_resume(self) -> None:
        # The field under the cursor took the focus before the form was laid out on
        # screen (on mount, or refilled while kept), and Textual put the terminal's
        # cursor where that field was then: put it in the field as it is shown.
        self.call_after_refresh(self._terminal_cursor_to_field)

    def _terminal_cursor_to_field(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.is_mounted and self.is_current:
            self.app.cursor_position = focused.cursor_screen_offset

    # -- kept between openings (issue #19) ----------------------------------------------
    #
    # Composing and styling a form's 150-odd widgets took 0.4-0.6 s at every opening. A
    # form class that can show another record in the same widgets (load() and refill())
    # is kept by the app, one per class per session (GrassrootsApp.kept_form), and
    # opened again through open_kept(): refilled, it shows exactly what a freshly
    # composed form would.

    #: The session the form was made for (forms that are kept set it).
    session: Any = None

    @classmethod
    def open_kept(cls, app: Any, session: Any, **context: Any) -> FormScreen[Any]:
        """The form for ``context`` (the arguments of the class's constructor after the
        session): the app's kept one, refilled, when there is one free for this session;
        otherwise a new one, kept from now on. Push what it returns."""
        kept = getattr(app, "kept_form", None)
        form = kept(cls, session) if kept is not None else None
        if form is not None:
            try:
                form.reopen(**context)
                return form
            except Exception:  # noqa: BLE001 - a new form shows it all the same
                log.warning("a kept form could not be refilled", exc_info=True)
                app.drop_kept_form(cls)
        form = cls(session, **context)  # type: ignore[call-arg]
        keep = getattr(app, "keep_form", None)
        if keep is not None:
            keep(form)
        return form

    #: Takes the record to show (the constructor's arguments after the session): a
    #: form that can be kept defines it, and refill().
    load: Callable[..., None]

    def refill(self) -> None:
        """Put what load() took into the fields (FormField.refill), as compose did."""
        raise NotImplementedError

    def reopen(self, **context: Any) -> None:
        """Show another record, or the same one afresh: what a new form would show, and
        nothing of the last opening (typed text, messages, the cursor, the scroll)."""
        self.load(**context)
        self.refill()
        self._found = {}
        self.saving = False
        self._set_message(None)
        for f in self.fields().values():
            f.set_error(None)  # (a subclass's refill did; a field it left is cleared too)
        self._opened_at = time()
        self.query_one("#form-fields", VerticalScroll).scroll_home(animate=False, immediate=True)
        start = self._start()
        control = start.control if start is not None else None
        left = self.focused
        if isinstance(left, Input) and left is not control:
            # Leaving a field checks it (_field_left): not the field the last opening
            # left the cursor in, which the refill moves to the start field.
            self._left_by_refill.add(left)
        self.set_focus(control, scroll_visible=False)

    # -- to be provided by subclasses ---------------------------------------------------

    def build(self, values: dict[str, str]) -> Any:
        raise NotImplementedError

    def save(self, built: Any) -> R:
        raise NotImplementedError

    # -- machinery -----------------------------------------------------------------------

    def fields(self) -> dict[str, FormField]:
        # (Not a field being removed: a kept form drops rows it no longer needs.)
        return {f.field_name: f for f in self.query(FormField) if not f._pruning}

    def values(self) -> dict[str, str]:
        return {name: f.value for name, f in self.fields().items()}

    def field(self, name: str) -> FormField:
        return self.query_one(f"#field-{name}", FormField)

    def check(self, only: str | None = None) -> Any | None:
        """Build from the current values; show every problem at once, each under its
        field; return the result or None. A whole check (``only`` None) that fails puts
        the cursor on the first field in error."""
        fields = self.fields()
        self._found = {}
        problems: list[Problem] = []
        try:
            built = self.build(self.values())
        except DocumentInvalid as invalid:
            problems = invalid.problems
        except ValueError as error:
            if not self._found:  # about the whole form, not one field
                if only is None:
                    self._set_message(str(error))
                    self._focus_first_error(fields)
                return None
        if problems or self._found:
            self._show_problems(problems, fields, only)
            return None
        for name, f in fields.items():
            if only is None or name == only:
                f.set_error(None)
        if only is None:
            self._set_message(None)
        return built

    def field_problem(self, name: str, message: str) -> None:
        """Called by build(): a problem the form finds in one of its fields (a name not
        on the staff list, a PIN that is not 4 to 8 digits). build() goes on, so that the
        model's own problems with every other field are shown at the same time; the
        field's own problem replaces any the model has with that field."""
        self._found.setdefault(name, []).append(message)

    def _show_problems(
        self, problems: list[Problem], fields: dict[str, FormField], only: str | None
    ) -> None:
        by_field: dict[str, list[str]] = {name: list(found) for name, found in self._found.items()}
        unplaced: list[str] = []
        for problem in problems:
            name = self.field_for(problem.field)
            if name in self._found:
                continue  # the form's own finding says it better
            if name in fields:
                by_field.setdefault(name, []).append(problem.message)
            else:
                unplaced.append(f"{problem.label}{t('punct.colon')}{problem.message}")
        for name, f in fields.items():
            if only is None or name == only:
                f.set_error(clauses(dict.fromkeys(by_field.get(name, []))) or None)
        if only is None:
            self._set_message(clauses(unplaced) or t("form.fix_marked"))
            self._focus_first_error(fields)

    def _focus_first_error(self, fields: dict[str, FormField]) -> None:
        """The cursor to the first field (top to bottom) whose message is showing."""
        for f in fields.values():
            if f.error_text:
                f.control.focus()
                f.scroll_visible(animate=False)
                return

    def field_for(self, model_field: str) -> str:
        """Which form field shows a model field's problem (override when they differ)."""
        return model_field.split(".")[0]

    #: The message shown above the buttons ("" for none).
    message_text = ""

    def _set_message(self, message: str | None) -> None:
        if (message or "") == self.message_text:
            return  # unchanged: not drawn again (see FormField.set_error)
        self.message_text = message or ""
        box = self.query_one("#form-message", Static)
        box.update(self.message_text)
        box.set_class(not message, "-empty")

    @on(Input.Blurred)
    def _field_left(self, event: Input.Blurred) -> None:
        if event.input in self._left_by_refill:
            self._left_by_refill.discard(event.input)
            return  # left as the form was refilled for another record (reopen)
        name = (event.input.id or "").removeprefix("input-")
        if name and event.input.value.strip():
            self.check(only=name)

    @on(Input.Submitted)
    def _enter_in_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    #: A save is under way: a second Enter or Ctrl+S is ignored, so nothing is saved
    #: twice. (A flag, not a disabled button: restyling the form while the save runs
    #: held up closing it by 10 ms or more, bench/FINDINGS-app.md.)
    saving = False

    def action_submit(self) -> None:
        if self.saving:
            return
        built = self.check()
        if built is None:
            return
        self.saving = True

        def saved(result: R) -> None:
            self._clear_error_notices()
            self.dismiss(result)

        self.in_thread(lambda: self.save(built), done=saved, name="form-save")

    def on_worker_state_changed(self, event) -> None:
        # A failed save can be tried again (the notice says why it failed).
        if getattr(event.worker, "name", "") == "form-save" and event.state.name == "ERROR":
            self.saving = False
            error = event.worker.error
            if error is not None:
                self._set_message(friendly_error(error))

    def _clear_error_notices(self) -> None:
        """Saved at last: the error notices of this form's failed saves are out of date
        (issue #19: a red notice still up after the fix reads as a new failure)."""
        opened = getattr(self, "_opened_at", None)
        notifications = getattr(self.app, "_notifications", None)
        if opened is None or notifications is None:
            return
        stale = [
            n
            for n in list(notifications)
            if n.severity == "error" and n.title == t("error.title") and n.raised_at >= opened
        ]
        for notification in stale:
            self.app._unnotify(notification, refresh=False)
        if stale:
            self.app._refresh_notifications()

    def changed(self) -> bool:
        """Something was typed or chosen that closing the form would lose."""
        return not self.saving and any(f.changed for f in self.query(FormField))

    def action_cancel(self) -> None:
        """Close the form; when something was typed, only after asking (Esc, or n, keeps
        the form open; the question's default answer is 否)."""
        if not self.changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog(t("form.discard_ask"), default=False), answered)


def unsaved_forms(app: Any) -> list[FormScreen[Any]]:
    """The open forms, in every section, holding something typed that quitting would lose."""
    stacks = getattr(app, "_screen_stacks", None) or {"": app.screen_stack}
    return [
        screen
        for stack in stacks.values()
        for screen in stack
        if isinstance(screen, FormScreen) and screen.changed()
    ]
