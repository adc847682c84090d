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
    """Every catalog with its ``enum.…`` texts: the models' own labels (Chinese), and in
    English the same labels said in English (``locale/en/models.json``). One source: an
    enum value reads the same in a list, a form, a case view and a workbook."""
    _read_enum_labels()
    en.STRINGS.update(en.enum_labels(zh.STRINGS))
    return _CATALOGS


def _read_enum_labels() -> None:
    """The models' Chinese labels into the Chinese catalog, once."""
    global _ENUM_LABELS_READ
    if not _ENUM_LABELS_READ:
        zh.STRINGS.update(zh.enum_labels())
        _ENUM_LABELS_READ = True


def __getattr__(name: str) -> dict[str, dict[str, str]]:
    if name == "CATALOGS":  # every text, the enum labels included
        return _with_enum_labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _enum_label(key: str) -> str | None:
    """An ``enum.<Enum>.<value>`` text in the current language: the model's Chinese
    label, or its English from the message catalog (the models are imported only for a
    label the Chinese catalog does not hold already: the staff roles it does)."""
    chinese = zh.STRINGS.get(key)
    if chinese is None and not _ENUM_LABELS_READ:
        _read_enum_labels()
        chinese = zh.STRINGS.get(key)
    return None if chinese is None else lang.tr(chinese)


def t(key: str, **values: object) -> str:
    text = _CATALOGS[lang.language()].get(key)
    if text is None:
        text = _enum_label(key) if key.startswith("enum.") else None
        if text is None:
            text = _CATALOGS["zh"].get(key, key)
    return lang.fill(text, values) if values else text


def label(member: Enum) -> str:
    """The shown name of an enum member: the model's label, in Chinese or in English
    (the ``enum.…`` catalog text, which is the same)."""
    key = f"enum.{type(member).__name__}.{member.value}"
    text = _enum_label(key)
    return text if text is not None else lang.tr(getattr(member, "label", str(member.value)))
