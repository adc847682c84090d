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

CATALOGS: dict[str, dict[str, str]] = {"zh": zh.STRINGS, "en": en.STRINGS}
LANGUAGES = lang.LANGUAGES


def t(key: str, **values: object) -> str:
    text = CATALOGS[lang.language()].get(key)
    if text is None:
        text = CATALOGS["zh"].get(key, key)
    return lang.fill(text, values) if values else text


def label(member: Enum) -> str:
    """The shown name of an enum member: the catalog's, else the model's label (Chinese,
    or its English from the message catalog)."""
    key = f"enum.{type(member).__name__}.{member.value}"
    if key in CATALOGS[lang.language()]:
        return CATALOGS[lang.language()][key]
    return lang.tr(getattr(member, "label", str(member.value)))
