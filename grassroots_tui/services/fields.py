"""Reading a field the same way from a stored dict or a model object, and a stored date.

Services read documents both as the store's plain dicts (fast, for many at once) and as
validated models; these two helpers let one piece of code take either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["field", "optional_date"]


def field(doc: Any, name: str, default: Any = None) -> Any:
    """``doc[name]`` for a dict, ``doc.name`` for a model; ``default`` when absent."""
    if doc.__class__ is dict or isinstance(doc, Mapping):
        return doc.get(name, default)
    return getattr(doc, name, default)


def optional_date(value: Any) -> dt.date | None:
    """A stored date (ISO text, a date, or a datetime's day); None for None or ""."""
    if value.__class__ is str and len(value) == 10:  # the stored form, 2026-11-26
        return dt.date.fromisoformat(value)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
