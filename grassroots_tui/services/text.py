"""Small text helpers shared by forms and importers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from grassroots_tui.lang import language

#: What people put between items of a list in one cell or field: 、 , ， ; ； or spaces.
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def split_list(text: str) -> list[str]:
    """``"低保、残疾, 低保"`` → ``["低保", "残疾"]``: items in order, blanks and repeats dropped."""
    return list(dict.fromkeys(item for item in LIST_SEPARATORS.split(text) if item))


def listed(items: Iterable[object]) -> str:
    """Items as one list in the current language: "低保、残疾" in Chinese, "a, b" in
    English (:mod:`grassroots_tui.lang`)."""
    return ("、" if language() == "zh" else ", ").join(str(item) for item in items)
