"""Every string the program shows, one catalog per language.

``t("key", **values)`` looks the key up in the current language's catalog and formats
it. Chinese is the default and the fallback; a test fails when the catalogs' keys
differ, so nothing is shown untranslated.
"""

from __future__ import annotations

from enum import Enum

from grassroots_tui.i18n import en, zh

CATALOGS: dict[str, dict[str, str]] = {"zh": zh.STRINGS, "en": en.STRINGS}
LANGUAGES = tuple(CATALOGS)
_current = "zh"


def set_language(lang: str) -> None:
    global _current
    if lang not in CATALOGS:
        raise ValueError(f"不支持的界面语言：{lang}（可选 {', '.join(LANGUAGES)}）")
    _current = lang


def language() -> str:
    return _current


def t(key: str, **values: object) -> str:
    text = CATALOGS[_current].get(key)
    if text is None:
        text = CATALOGS["zh"].get(key, key)
    return text.format(**values) if values else text


def label(member: Enum) -> str:
    """The shown name of an enum member: the catalog's, else the model's Chinese label."""
    key = f"enum.{type(member).__name__}.{member.value}"
    if key in CATALOGS[_current]:
        return CATALOGS[_current][key]
    return getattr(member, "label", str(member.value))
