"""services/fields.py: one way to read a field of a stored dict or a model, and a date."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots_tui.services.fields import field, optional_date
from tests.factories import station


def test_a_field_reads_alike_from_a_dict_and_a_model() -> None:
    model = station()
    raw = model.to_json()
    assert field(raw, "code") == field(model, "code") == "HL01"
    assert field(raw, "missing", 7) == field(model, "missing", 7) == 7


def test_a_stored_date_in_each_form() -> None:
    day = dt.date(2026, 11, 26)
    for value in ("2026-11-26", "2026-11-26T08:00:00+08:00", day, dt.datetime(2026, 11, 26, 9)):
        assert optional_date(value) == day
    assert optional_date(None) is None and optional_date("") is None
    with pytest.raises(ValueError):
        optional_date("2026-13-01")
