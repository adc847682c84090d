"""What every part of the demo shares: the seeded random source, the official calendar's
working days, and the demo's fixed constants."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import date, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.workcalendar import OfficialCalendar

#: Who the demo documents are created by in the audit trail.
DEMO_ACTOR = "演示数据"

CST = timezone(timedelta(hours=8), "CST")
ONE_DAY = timedelta(days=1)
#: The demo's documents are recorded as written at this hour of ``today`` (or earlier).
DEMO_HOUR = time(8, 0)
DEMO_STATIONS = ("HL01", "HL02")
#: However small the scale, a station has this many households (and so 5+ hardship cases).
MIN_HOUSEHOLDS = 20


class _Rand(random.Random):
    """``random.Random`` with the few helpers the generators share."""

    def uid(self) -> str:
        return str(uuid.UUID(int=self.getrandbits(128), version=4))

    def weighted(self, weights: Mapping[str, float]) -> str:
        keys = [k for k, w in weights.items() if w > 0]
        return self.choices(keys, weights=[weights[k] for k in keys])[0]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def day(self, lo: date, hi: date) -> date:
        """A day from ``lo`` to ``hi`` (both included); ``lo`` when ``hi`` < ``lo``."""
        span = (hi - lo).days
        return lo if span <= 0 else lo + timedelta(days=self.randint(0, span))

    def day_where(self, lo: date, hi: date, workday: bool | None) -> date:
        """A day in the range that is (``True``) or is not (``False``) a working day."""
        if workday is None or hi < lo:
            return self.day(lo, hi)
        for _ in range(60):
            d = self.day(lo, hi)
            if is_workday(d) == workday:
                return d
        return self.day(lo, hi)


@lru_cache(maxsize=1)
def _calendar() -> OfficialCalendar:
    return OfficialCalendar()


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """A working day in the official calendar (weekends only for a year without data)."""
    return _calendar().is_workday_or_weekend_guess(day)[0]


def _workdays(lo: date, hi: date) -> list[date]:
    days, d = [], lo
    while d <= hi:
        if is_workday(d):
            days.append(d)
        d += ONE_DAY
    return days


def _next_workday(d: date) -> date:
    while not is_workday(d):
        d += ONE_DAY
    return d


def _prev_workday(d: date) -> date:
    while not is_workday(d):
        d -= ONE_DAY
    return d


def _workdays_late(due: date, today: date) -> int:
    """Working days after ``due`` up to and including ``today``."""
    return _calendar().count_workdays(due + ONE_DAY, today)[0] if due < today else 0


@lru_cache(maxsize=8192)
def _due(issue: date, rule: str) -> date:
    return compute_due(issue, rule).date


def _t(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _yuan(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
