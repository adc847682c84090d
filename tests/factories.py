"""Small builders of valid documents for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots_tui.models import Household, Station, Visit
from grassroots_tui.models.slip import LEGACY_FIELDS, HandoffSlip, LegacySlipState, SlipState
from grassroots_tui.models.validators import id_check_char

STATION_ID = "station-hl01"


def id_number(region: str = "430121", born: str = "19580312", seq: str = "123") -> str:
    first17 = region + born + seq
    return first17 + id_check_char(first17)


def station(code: str = "HL01", **fields) -> Station:
    values = dict(
        id=STATION_ID if code == "HL01" else f"station-{code.lower()}",
        name=f"湘龙街道{code}群众工作站",
        code=code,
        community="湘龙社区",
        street_office="湘龙街道",
    )
    values.update(fields)
    return Station(**values)


def household(number: str = "HL01-0001", **fields) -> Household:
    values = dict(
        station_id=STATION_ID,
        household_no=number,
        head_of_household="张桂兰",
        id_number=id_number(),
        phone="13874561234",
        address="湘龙小区3栋2单元301",
        grid="一网格",
        people=3,
        tags=["独居老人"],
    )
    values.update(fields)
    return Household(**values)


def visit(household_id: str, visitor_id: str = "staff-1", **fields) -> Visit:
    values = dict(
        station_id=STATION_ID,
        date=dt.date(2026, 11, 20),
        start_time=dt.time(9, 0),
        end_time=dt.time(9, 40),
        household_id=household_id,
        visitor_ids=[visitor_id],
        greeting="老人身体还好",
        hardships="楼道灯坏了",
    )
    values.update(fields)
    return Visit(**values)


def legacy_slip(**values: Any) -> HandoffSlip:
    """A slip as a store of schema version 1 kept it (its own state, number and dates),
    after the upgrade that moves those into ``legacy``: the slip clock works out the rest
    from them and from whatever step documents the store holds."""
    kept = {name: values.pop(name) for name in LEGACY_FIELDS if name in values}
    if kept:
        kept.setdefault("state", SlipState.DRAFTED)
        values["legacy"] = LegacySlipState(**kept)
    return HandoffSlip(**values)
