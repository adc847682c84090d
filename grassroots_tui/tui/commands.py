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

from grassroots_tui.i18n import t
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


def localize_bindings(node: DOMNode) -> None:
    """Translate the catalog keys in a node's bindings into the current language, and
    the name of Textual's command palette key (the footer's "^p palette")."""
    translated = BindingsMap()
    for key, binding in node._bindings:
        if binding.description.startswith(CATALOG_PREFIX):
            binding = replace(
                binding, description=t(binding.description), tooltip=t(binding.tooltip)
            )
        elif binding.action in PALETTE_ACTIONS:
            binding = replace(binding, description=t("palette.key"), tooltip=t("palette.key.help"))
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
