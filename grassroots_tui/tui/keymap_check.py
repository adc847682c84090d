"""The settings file's key map, checked before it is used (issue #19).

An entry that names no command, a key Textual would never send, or a key another command
already answers to is left out, so that command keeps its own key, and the user is told
at start which entry and why. Textual itself would take any of them silently: a typo
made a command unreachable, a taken key made two commands fight over it.
"""

from __future__ import annotations

import pkgutil
import unicodedata
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any

from textual.binding import Binding
from textual.keys import KEY_TO_UNICODE_NAME, REPLACED_KEYS, Keys

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import CATALOG_PREFIX

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_KEY_NAMES = frozenset(key.value for key in Keys)
#: The packages whose screens and dialogs declare commands.
_PACKAGES = ("grassroots_tui.tui.screens", "grassroots_tui.tui.dialogs")


def valid_key(key: str) -> bool:
    """A key Textual can send: modifiers, then one character or a key's name."""
    *modifiers, name = key.strip().split("+")
    if not name or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(name) == 1 or name in _KEY_NAMES:
        return True
    unicode_name = KEY_TO_UNICODE_NAME.get(REPLACED_KEYS.get(name, name), name)
    try:
        unicodedata.lookup(unicode_name.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def _declared(cls: type) -> dict[str, str]:
    """The command ids a screen or the app declares, with their default keys ("" none)."""
    found: dict[str, str] = {}
    for cmd in getattr(cls, "CMDS", ()):
        found[cmd.id] = cmd.key or ""
    for binding in cls.__dict__.get("BINDINGS", ()):
        if isinstance(binding, Binding) and binding.id and binding.id not in found:
            found[binding.id] = binding.key
    return found


def _command_holders() -> Iterator[type]:
    """Every class of the screens and dialogs that declares commands (each imported)."""
    for package_name in _PACKAGES:
        package = import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            module = import_module(f"{package_name}.{info.name}")
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and value.__module__ == module.__name__
                    and ("CMDS" in value.__dict__ or "BINDINGS" in value.__dict__)
                ):
                    yield value
    from grassroots_tui.tui.widgets.form import FormScreen

    yield FormScreen


def _keys(keys: str) -> set[str]:
    return {key.strip() for key in keys.split(",") if key.strip()}


def check_keymap(app_class: type, keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` to use, and a message for each one left out."""
    app_commands = _declared(app_class)
    groups = [_declared(cls) for cls in _command_holders()]
    known = set(app_commands).union(*groups)
    # Commands that no screen declares at a class level (a section's own, made in a loop)
    # are still named in the catalog: cmd.<id>.
    from grassroots_tui.i18n import zh

    known |= {
        key.removeprefix(CATALOG_PREFIX).removesuffix(".help")
        for key in zh.STRINGS
        if key.startswith(CATALOG_PREFIX)
    }
    good: dict[str, str] = {}
    problems: list[str] = []
    for command, keys in keymap.items():
        entry = f'"{command}": "{keys}"'
        if command not in known:
            problems.append(t("keymap.unknown_command", entry=entry))
        elif not _keys(keys) or not all(valid_key(key) for key in _keys(keys)):
            problems.append(t("keymap.unknown_key", entry=entry))
        else:
            good[command] = keys

    def effective(commands: dict[str, str]) -> dict[str, set[str]]:
        return {c: _keys(good.get(c, default)) for c, default in commands.items()}

    app_keys = effective(app_commands)
    for command in list(good):
        wanted = _keys(good[command])
        # Where the command is declared, the other commands there and the app's (a screen's
        # key hides the app's) may not have the key; the app's own commands are checked
        # against every screen.
        if command in app_commands:
            places = [app_keys, *(effective(group) for group in groups)]
        else:
            places = [{**app_keys, **effective(group)} for group in groups if command in group]
        clash = next(
            (
                other
                for place in places
                for other, other_keys in place.items()
                if other != command and wanted & other_keys
            ),
            None,
        )
        if clash is not None:
            problems.append(
                t(
                    "keymap.taken",
                    entry=f'"{command}": "{good[command]}"',
                    other=clash,
                    title=t(CATALOG_PREFIX + clash),
                )
            )
            del good[command]
    return good, problems


def apply_keymap(app: Any, keymap: Mapping[str, str]) -> None:
    """Use the good entries of the settings' key map; say what was wrong with the rest.

    The check imports every screen and dialog (about a second): it runs in a thread,
    so the sign-in screen is not held up; the default keys work meanwhile."""

    def checked(result: tuple[dict[str, str], list[str]]) -> None:
        good, problems = result
        if good:
            app.set_keymap(good)
        for problem in problems:
            app.notify(
                problem, title=t("keymap.title"), severity="warning", timeout=20, markup=False
            )

    app.in_thread(lambda: check_keymap(type(app), keymap), done=checked, name="keymap")
