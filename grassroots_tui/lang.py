"""The interface language, and ``tr()``: the words of every layer in the language chosen.

Two kinds of text reach a person:

- the screens' own chrome, looked up by key with :func:`grassroots_tui.i18n.t`
  ("visit.form.title"), one catalog per language in ``i18n/``;
- what the layers below the screens say (a validation message, a service's refusal, a
  command's output, a workbook's headers), written in Chinese where it is raised and
  marked ``tr("必填，不能为空")``. This is gettext's way with Chinese as the source
  language: the Chinese text is the message id, so the code reads as the program speaks
  by default, and the English catalog maps each id to its English text.

Why not gettext's own files: the catalogs are JSON (``locale/en/*.json``, one per part of
the program), so a fresh clone needs no ``msgfmt`` step, parts can be translated side by
side without touching one file, and the English catalog is read only when English is
chosen. ``tests/test_messages.py`` does what ``xgettext`` would: it finds every literal
``tr("…")`` in the code and fails when one has no English, when the placeholders differ,
or when an entry is no longer used.

This module is the package's root layer: models, store, services, hub and the
interfaces may all import it, and it imports nothing of ours.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from pathlib import Path

import orjson

LANGUAGES = ("zh", "en")
_current = "zh"
_english: dict[str, str] | None = None
CATALOG_DIR = Path(__file__).parent / "locale" / "en"


def set_language(lang: str) -> None:
    """Choose the language of everything said from now on ("zh" or "en")."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(
            tr(
                "不支持的界面语言：{lang}（可选 {choices}）",
                lang=lang,
                choices=", ".join(LANGUAGES),
            )
        )
    _current = lang


def language() -> str:
    return _current


def english_catalog() -> dict[str, str]:
    """Every Chinese message id → its English, from all of ``locale/en/*.json``."""
    global _english
    if _english is None:
        merged: dict[str, str] = {}
        for path in sorted(CATALOG_DIR.glob("*.json")):
            merged.update(orjson.loads(path.read_bytes()))
        _english = merged
    return _english


def tr(msgid: str, /, **values: object) -> str:
    """``msgid`` (Chinese) in the current language, its ``{placeholders}`` filled.

    English falls back to the Chinese when a message has no entry (a test keeps every
    literal one translated); the placeholders are filled either way."""
    text = msgid if _current == "zh" else english_catalog().get(msgid, msgid)
    return fill(text, values) if values else text


def N_(msgid: str, /) -> str:  # noqa: N802 (gettext's name for it)
    """``msgid`` unchanged: marks a message kept in a table (a column's header) for the
    catalog, to be said with ``tr(value)`` where it is shown (gettext's ``N_``)."""
    return msgid


def chinese(msgid: str, /, **values: object) -> str:
    """The Chinese text whatever the language: for what must stay Chinese (a file
    format's column names, an official document) but is still a marked message."""
    return fill(msgid, values) if values else msgid


#: The marks that end a Chinese clause or sentence.
MARKS = "。，；"
_FORMATTER = string.Formatter()


def fill(template: str, values: dict[str, object]) -> str:
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
        out.append(text.rstrip(MARKS) if after[:1] in MARKS and after else text)
    return "".join(out)


def clauses(parts: Iterable[str], sep: str = "；") -> str:
    """Messages joined as one: "日期不对；时间不对", never "日期不对。；时间不对。"."""
    return sep.join(p.rstrip(MARKS) for p in parts)


def colon() -> str:
    """The colon between a label and what follows: "：" in Chinese, ": " in English."""
    return "：" if _current == "zh" else ": "
