"""Every string the program shows, one catalog per language.

``t("key", **values)`` looks the key up in the current language's catalog and formats
it. Chinese is the default and the fallback; a test fails when the catalogs' keys
differ, so nothing is shown untranslated.
"""

from __future__ import annotations

from enum import Enum

from grassroots_tui import lang
from grassroots_tui.i18n import en, zh
from grassroots_tui.lang import clauses, language, set_language

__all__ = ["CATALOGS", "LANGUAGES", "clauses", "label", "language", "set_language", "t"]

_CATALOGS: dict[str, dict[str, str]] = {"zh": zh.STRINGS, "en": en.STRINGS}
LANGUAGES = lang.LANGUAGES
#: Whether the Chinese catalog has its enum labels, read from the models when first
#: needed (:func:`_with_enum_labels`): the models are not imported before the first screen.
_ENUM_LABELS_READ = False


def _with_enum_labels() -> dict[str, dict[str, str]]:
    global _ENUM_LABELS_READ
    if not _ENUM_LABELS_READ:
        zh.STRINGS.update(zh.enum_labels())
        _ENUM_LABELS_READ = True
    return _CATALOGS


def __getattr__(name: str) -> dict[str, dict[str, str]]:
    if name == "CATALOGS":  # every text, the enum labels included
        return _with_enum_labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def t(key: str, **values: object) -> str:
    text = _CATALOGS[lang.language()].get(key)
    if text is None:
        if key.startswith("enum.") and not _ENUM_LABELS_READ:
            _with_enum_labels()
            return t(key, **values)
        text = _CATALOGS["zh"].get(key, key)
    return lang.fill(text, values) if values else text


def label(member: Enum) -> str:
    """The shown name of an enum member: the catalog's, else the model's label (Chinese,
    or its English from the message catalog)."""
    key = f"enum.{type(member).__name__}.{member.value}"
    catalog = _with_enum_labels()[lang.language()]
    if key in catalog:
        return catalog[key]
    return lang.tr(getattr(member, "label", str(member.value)))
