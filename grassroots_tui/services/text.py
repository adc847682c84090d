"""Small text helpers shared by forms and importers."""

from __future__ import annotations

import re

#: What people put between items of a list in one cell or field: 、 , ， ; ； or spaces.
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def split_list(text: str) -> list[str]:
    """``"低保、残疾, 低保"`` → ``["低保", "残疾"]``: items in order, blanks and repeats dropped."""
    return list(dict.fromkeys(item for item in LIST_SEPARATORS.split(text) if item))
