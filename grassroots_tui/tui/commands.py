"""Commands are declared once and become a key binding, a footer entry, a command
palette entry and a row of the help screen.

A screen (or the app) lists its commands in ``CMDS`` and sets
``BINDINGS = bindings(*CMDS)``. Titles and help texts are catalog keys
(``cmd.<id>`` and ``cmd.<id>.help``) translated when a screen is created, so the
footer follows the chosen language. Every binding carries the command's id, so users
can remap it in the settings file (``"keymap": {"visits.new": "ctrl+n"}``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen

from grassroots_tui.i18n import language, t
from grassroots_tui.services.pinyin import score

CATALOG_PREFIX = "cmd."


@dataclass(frozen=True)
class Cmd:
    id: str
    action: str
    key: str | None = None
    footer: bool = True
    priority: bool = False

    @property
    def title(self) -> str:
        return t(CATALOG_PREFIX + self.id)

    @property
    def help(self) -> str:
        return t(CATALOG_PREFIX + self.id + ".help")

    def binding(self) -> Binding:
        return Binding(
            self.key or "",
            self.action,
            CATALOG_PREFIX + self.id,
            show=self.footer,
            tooltip=CATALOG_PREFIX + self.id + ".help",
            id=self.id,
            priority=self.priority,
        )


def bindings(*cmds: Cmd) -> list[BindingType]:
    """Key bindings of the commands that have a key, typed as Textual's BINDINGS are."""
    return [cmd.binding() for cmd in cmds if cmd.key]


#: The action of the key Textual adds for its command palette (ctrl+p, "palette").
PALETTE_ACTIONS = {"command_palette", "app.command_palette"}


#: The key descriptions Textual's own widgets give (Textual 8.2: the App, Screen,
#: ScrollableContainer, Button, DataTable, Input, OptionList, Select, SelectionList,
#: the command palette ...), by their English text: the catalog key said instead. A
#: description the table does not know is shown as Textual gives it
#: (tests/test_tui_textual_keys.py fails on one in a widget class the program uses).
TEXTUAL_KEYS: dict[str, str] = {
    "Focus Next": "textual.key.focus_next",
    "Focus Previous": "textual.key.focus_previous",
    "Copy selected text": "textual.key.copy",
    "Copy": "textual.key.copy",
    "Cut selected text": "textual.key.cut",
    "Cut": "textual.key.cut",
    "Paste text from the clipboard": "textual.key.paste",
    "Paste": "textual.key.paste",
    "Quit": "textual.key.quit",
    "Scroll Up": "textual.key.scroll_up",
    "Scroll Down": "textual.key.scroll_down",
    "Scroll Left": "textual.key.scroll_left",
    "Scroll Right": "textual.key.scroll_right",
    "Scroll Home": "textual.key.scroll_home",
    "Scroll End": "textual.key.scroll_end",
    "Page Up": "textual.key.page_up",
    "Page up": "textual.key.page_up",
    "Page Down": "textual.key.page_down",
    "Page down": "textual.key.page_down",
    "Page Left": "textual.key.page_left",
    "Page Right": "textual.key.page_right",
    "Press button": "textual.key.press",
    "Select": "textual.key.select",
    "Cursor up": "textual.key.cursor_up",
    "Cursor Up": "textual.key.cursor_up",
    "Up": "textual.key.cursor_up",
    "Cursor down": "textual.key.cursor_down",
    "Cursor Down": "textual.key.cursor_down",
    "Down": "textual.key.cursor_down",
    "Cursor left": "textual.key.cursor_left",
    "Move cursor left": "textual.key.cursor_left",
    "Cursor right": "textual.key.cursor_right",
    "Top": "textual.key.top",
    "Bottom": "textual.key.bottom",
    "Home": "textual.key.home",
    "End": "textual.key.end",
    "First": "textual.key.first",
    "Last": "textual.key.last",
    "Move cursor right or accept the completion suggestion": "textual.key.cursor_right_accept",
    "Move cursor left and select": "textual.key.select_left",
    "Move cursor right and select": "textual.key.select_right",
    "Move cursor left a word": "textual.key.word_left",
    "Cursor word left": "textual.key.word_left",
    "Move cursor right a word": "textual.key.word_right",
    "Cursor word right": "textual.key.word_right",
    "Move cursor left a word and select": "textual.key.select_word_left",
    "Cursor left word select": "textual.key.select_word_left",
    "Move cursor right a word and select": "textual.key.select_word_right",
    "Cursor right word select": "textual.key.select_word_right",
    "Delete character left": "textual.key.delete_left",
    "Delete character right": "textual.key.delete_right",
    "Delete left to start of word": "textual.key.delete_word_left",
    "Delete right to start of word": "textual.key.delete_word_right",
    "Delete all to the left": "textual.key.delete_all_left",
    "Delete to line start": "textual.key.delete_all_left",
    "Delete all to the right": "textual.key.delete_all_right",
    "Delete to line end": "textual.key.delete_all_right",
    "Select all": "textual.key.select_all",
    "Go to start": "textual.key.line_start",
    "Cursor line start": "textual.key.line_start",
    "Go to end": "textual.key.line_end",
    "Cursor line end": "textual.key.line_end",
    "Select line start": "textual.key.select_line_start",
    "Cursor line start select": "textual.key.select_line_start",
    "Select line end": "textual.key.select_line_end",
    "Cursor line end select": "textual.key.select_line_end",
    "Submit": "textual.key.submit",
    "Show menu": "textual.key.show_menu",
    "Dismiss menu": "textual.key.dismiss_menu",
    "Toggle option": "textual.key.toggle_option",
    "Toggle": "textual.key.toggle",
    "Next option": "textual.key.next_option",
    "Previous option": "textual.key.previous_option",
    "Next tab": "textual.key.next_tab",
    "Previous tab": "textual.key.previous_tab",
    "Go to bottom": "textual.key.palette_bottom",
    "Go to top": "textual.key.palette_top",
    "Next command": "textual.key.palette_next",
    "Previous command": "textual.key.palette_previous",
    "Next page": "textual.key.page_down",
    "Previous page": "textual.key.page_up",
    "Exit the command palette": "textual.key.palette_exit",
    "Toggle collapsible": "textual.key.toggle_collapsible",
    "Open link": "textual.key.open_link",
    "Undo": "textual.key.undo",
    "Redo": "textual.key.redo",
    "Cursor to parent": "textual.key.tree_parent",
    "Cursor to next ancestor": "textual.key.tree_next_ancestor",
    "Cursor to previous sibling": "textual.key.tree_previous_sibling",
    "Cursor to next sibling": "textual.key.tree_next_sibling",
    "Expand or collapse all": "textual.key.tree_expand_all",
    "Select line": "textual.key.select_line",
    "Cursor page up": "textual.key.cursor_page_up",
    "Cursor page down": "textual.key.cursor_page_down",
    "Cursor up select": "textual.key.select_up",
    "Cursor down select": "textual.key.select_down",
    "Delete line": "textual.key.delete_line",
    "Cursor left select": "textual.key.select_left",
    "Cursor right select": "textual.key.select_right",
}
#: The headings Textual gives some widgets' keys in the keys panel (BINDING_GROUP_TITLE).
TEXTUAL_GROUPS: dict[str, str] = {
    "Input": "textual.group.input",
    "Collapsible": "textual.group.collapsible",
}


def _textual_key(description: str) -> str | None:
    """The catalog key of a description of Textual's, in English as Textual gives it or
    already said in either language (a node made before the language changed)."""
    key = TEXTUAL_KEYS.get(description)
    if key is None:
        key = _SAID.get(description)
    return key


def _said_texts() -> dict[str, str]:
    from grassroots_tui.i18n import en, zh

    said: dict[str, str] = {}
    for key in {*TEXTUAL_KEYS.values(), *TEXTUAL_GROUPS.values()}:
        for catalog in (zh.STRINGS, en.STRINGS):
            said.setdefault(catalog[key], key)
    return said


_SAID = _said_texts()


def _said(binding: Binding) -> Binding | None:
    """``binding`` with Textual's description (and tooltip) said in the current
    language; None when it has neither. The same binding, met in many classes' maps, is
    said once per language."""
    memo_key = (language(), binding)
    if memo_key in _SAID_BINDINGS:
        return _SAID_BINDINGS[memo_key]
    description = _textual_key(binding.description)
    tooltip = _textual_key(binding.tooltip) if binding.tooltip else None
    said = None
    if description or tooltip:
        said = replace(
            binding,
            description=t(description) if description else binding.description,
            tooltip=t(tooltip) if tooltip else binding.tooltip,
        )
    _SAID_BINDINGS[memo_key] = said
    return said


_SAID_BINDINGS: dict[tuple[str, Binding], Binding | None] = {}


def _localized(bindings_map: BindingsMap) -> BindingsMap | None:
    """A copy of ``bindings_map`` with Textual's descriptions (and tooltips) said in
    the current language; None when it holds none of them."""
    translated = BindingsMap()
    changed = False
    for key, binding in bindings_map:
        said = _said(binding)
        if said is not None:
            binding, changed = said, True
        translated.key_to_bindings.setdefault(key, []).append(binding)
    return translated if changed else None


#: Each node class whose key descriptions were said: its bindings as Textual made them,
#: and the language they are said in now.
_CLASS_BINDINGS: dict[type[DOMNode], tuple[BindingsMap | None, str]] = {}
#: Each class whose BINDING_GROUP_TITLE was said: its title as Textual gave it.
_CLASS_GROUPS: dict[type[DOMNode], str | None] = {}


def _node_classes() -> Iterator[type[DOMNode]]:
    stack: list[type[DOMNode]] = [DOMNode]
    seen: set[type[DOMNode]] = set()
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())


def localize_textual_bindings() -> None:
    """Say the key descriptions of Textual's own widgets in the current language.

    Textual shows a focused widget's keys in its keys panel (按键面板) and a shown key
    in the footer, with the description its class gives in English ("Cursor up", "Focus
    Next", "Delete character left"). Each widget copies its class's bindings
    (``_merged_bindings``, merged from the classes' BINDINGS when the class is made)
    when it is made; so every node class loaded (Textual's and ours, which inherit
    them) gets its bindings with the descriptions :data:`TEXTUAL_KEYS` knows said in the
    language, and the widgets made from now on copy those. The bindings as Textual made
    them are kept, so another language (a test, the next start) says them afresh; a
    class already said in this language is skipped, so calling this again costs only
    the walk over the classes. Called by :func:`localize_bindings`, i.e. when the app
    and each screen are made: a widget class first loaded while a screen is composed is
    said with the next screen."""
    lang = language()
    for cls in _node_classes():
        done = _CLASS_BINDINGS.get(cls)
        if done is not None and done[1] == lang:
            continue
        original = done[0] if done is not None else cls._merged_bindings
        _CLASS_BINDINGS[cls] = (original, lang)
        if original is not None and (said := _localized(original)) is not None:
            cls._merged_bindings = said
        if done is None and "BINDING_GROUP_TITLE" in cls.__dict__:
            _CLASS_GROUPS[cls] = cls.__dict__["BINDING_GROUP_TITLE"]
        title = _CLASS_GROUPS.get(cls)
        if title is not None and title in TEXTUAL_GROUPS:
            cls.BINDING_GROUP_TITLE = t(TEXTUAL_GROUPS[title])


def localize_bindings(node: DOMNode) -> None:
    """Translate the catalog keys in a node's bindings into the current language, the
    name of Textual's command palette key (the footer's "^p palette") and the keys
    Textual's own classes give it (:func:`localize_textual_bindings`, done for every
    node class first)."""
    localize_textual_bindings()
    translated = BindingsMap()
    for key, binding in node._bindings:
        if binding.description.startswith(CATALOG_PREFIX):
            binding = replace(
                binding, description=t(binding.description), tooltip=t(binding.tooltip)
            )
        elif binding.action in PALETTE_ACTIONS:
            binding = replace(binding, description=t("palette.key"), tooltip=t("palette.key.help"))
        elif (said := _said(binding)) is not None:
            binding = said
        translated.key_to_bindings.setdefault(key, []).append(binding)
    node._bindings = translated


def keys_for(node: DOMNode, cmd: Cmd) -> str:
    """The keys that run a command now (after any remapping), for the help screen."""
    app = node.app
    bindings_map = node._bindings.copy()
    keymap = getattr(app, "_keymap", None)
    if keymap:
        bindings_map.apply_keymap(keymap)  # what Textual does before dispatching a key
    keys = [app.get_key_display(binding) for _key, binding in bindings_map if binding.id == cmd.id]
    return " / ".join(dict.fromkeys(keys))


def commands_of(node: DOMNode) -> list[Cmd]:
    return list(getattr(node, "CMDS", ()))


class CommandsProvider(Provider):
    """The palette entries: the current screen's commands, then the app's, found by
    Chinese text, English id or pinyin initials (typing ``zf`` finds 走访)."""

    def _commands(self) -> Iterator[tuple[Cmd, Screen[Any] | App[Any]]]:
        screen = self.screen
        for node in (screen, self.app):
            for cmd in commands_of(node):
                if node.check_action(cmd.action, ()) is False:
                    continue
                yield cmd, node

    def _hit_parts(self, cmd: Cmd, node: Screen[Any] | App[Any]):
        keys = keys_for(node, cmd)
        help_text = escape(cmd.help + (f"  [{keys}]" if keys else ""))
        run = partial(node.run_action, cmd.action)
        return Content(cmd.title), run, help_text

    async def discover(self) -> Hits:
        for cmd, node in self._commands():
            display, run, help_text = self._hit_parts(cmd, node)
            yield DiscoveryHit(display, run, text=cmd.title, help=help_text)

    async def search(self, query: str) -> Hits:
        for cmd, node in self._commands():
            best = max(score(query, cmd.title), score(query, cmd.id) * 0.9)
            if best > 0:
                display, run, help_text = self._hit_parts(cmd, node)
                yield Hit(best, display, run, text=cmd.title, help=help_text)
