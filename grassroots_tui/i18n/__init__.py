"""Every string the program shows, one catalog per language.

``t("key", **values)`` looks the key up in the current language's catalog and formats
it. Chinese is the default and the fallback; a test fails when the catalogs' keys
differ, so nothing is shown untranslated.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
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
    return _fill(text, values) if values else text


#: The marks that end a Chinese clause or sentence.
_MARKS = "。，；"
_FORMATTER = string.Formatter()


def _fill(template: str, values: dict[str, object]) -> str:
    """``template.format(**values)``, except that a value ending in 。，or；put where the
    template goes on with one of them ("同步失败：{reason}。") loses its own: a message
    placed in another never reads "。。" or "，。". Nothing else of a value is changed."""
    parts = list(_FORMATTER.parse(template))
    out: list[str] = []
    for index, (literal, name, spec, conversion) in enumerate(parts):
        out.append(literal)
        if name is None:
            continue
        value = _FORMATTER.convert_field(_FORMATTER.get_field(name, (), values)[0], conversion)
        text = _FORMATTER.format_field(value, _FORMATTER.vformat(spec or "", (), values))
        after = parts[index + 1][0] if index + 1 < len(parts) else ""
        out.append(text.rstrip(_MARKS) if after[:1] in _MARKS and after else text)
    return "".join(out)


def clauses(parts: Iterable[str], sep: str = "；") -> str:
    """Messages joined as one: "日期不对；时间不对", never "日期不对。；时间不对。"."""
    return sep.join(p.rstrip(_MARKS) for p in parts)


def label(member: Enum) -> str:
    """The shown name of an enum member: the catalog's, else the model's Chinese label."""
    key = f"enum.{type(member).__name__}.{member.value}"
    if key in CATALOGS[_current]:
        return CATALOGS[_current][key]
    return getattr(member, "label", str(member.value))
