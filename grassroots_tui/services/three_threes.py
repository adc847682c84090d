"""三三工作法 and media reports (docs/design.md#glossary).

Every station must run one mass cultural activity (群众文化活动), set up one
petition-and-stability arrangement (信访维稳) with one-to-one responsibility, and run one
hardship-assistance activity (困难帮扶活动); this counts in the performance appraisal.

What counts, per station and appraisal period:

- cultural: an activity of that type *with resident representatives* (要求有居民代表参加);
  one without them does not count;
- petition-and-stability: an arrangement with at least one one-to-one pair
  (一对一联点到人);
- hardship activity: any hardship activity (不限次数、形式和金额).

An activity belongs to a period by its ``period`` field when that field lies within the
period asked for ("2026-09" and "2026Q3" lie within "2026"); otherwise (no field, or a
field broader than the period, such as "2026" when asking for "2026Q3") by its date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import ActivityType, StationActivity
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.validators import check_period

__all__ = [
    "LABELS",
    "Completion",
    "ThreeThreesRefused",
    "completion",
    "in_period",
    "media_reports",
    "period_range",
]

#: The Chinese labels of the three items; ``missing`` says them in the current language.
LABELS = {
    ActivityType.CULTURAL: chinese("群众文化活动"),
    ActivityType.PETITION_STABILITY: chinese("信访维稳"),
    ActivityType.HARDSHIP_ACTIVITY: chinese("困难帮扶活动"),
}


class ThreeThreesRefused(ValueError):
    """A request that cannot be answered (a bad period); the message is Chinese."""


@dataclass(frozen=True)
class Completion:
    """One station's 三三工作法 in one period. ``missing`` holds the Chinese labels of what
    is not done (in the order cultural, petition-and-stability, hardship); ``notes`` says
    why an activity that exists did not count."""

    station_id: str
    station_code: str
    period: str
    cultural: bool
    petition_stability: bool
    hardship_activity: bool
    missing: list[str]
    notes: list[str] = field(default_factory=list)
    station_name: str = ""

    @property
    def complete(self) -> bool:
        return not self.missing


def _period(text: str) -> str:
    try:
        return check_period(text)
    except InvalidValue as error:
        raise ThreeThreesRefused(
            tr("考核期间“{text}”无效：{error}", text=text, error=error)
        ) from None


def period_range(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of "2026", "2026Q3" or "2026-09"."""
    period = _period(period)
    year = int(period[:4])
    if len(period) == 4:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if period[4] == "Q":
        quarter = int(period[5])
        first = dt.date(year, 3 * quarter - 2, 1)
    else:
        first = dt.date(year, int(period[5:7]), 1)
        quarter = 0
    months = 3 if quarter else 1
    nxt = first.month + months
    after = dt.date(year + (nxt - 1) // 12, (nxt - 1) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def _within(inner: str, outer: str) -> bool:
    a_first, a_last = period_range(inner)
    b_first, b_last = period_range(outer)
    return b_first <= a_first and a_last <= b_last


def in_period(activity: Any, period: str) -> bool:
    """Whether ``activity`` (model or stored dict) belongs to ``period``."""
    period = _period(period)
    own = _field(activity, "period")
    if own:
        if _within(str(own), period):
            return True
        if not _within(period, str(own)):
            return False  # years, quarters and months nest or are apart: apart
        # The field is broader than the period: the date decides.
    first, last = period_range(period)
    day = _field(activity, "date")
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    return first <= day <= last


def _field(doc: Any, name: str) -> Any:
    return doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)


def completion(store: Any, *, period: str) -> list[Completion]:
    """Every station's 三三工作法 in ``period`` ("2026" or "2026Q3"; "2026-09" works
    too), by station code."""
    period = _period(period)
    by_station: dict[str, list[dict[str, Any]]] = {}
    for raw in store.raw("station_activity"):
        if raw.get("activity_type") == ActivityType.MEDIA_REPORT.value:
            continue
        if in_period(raw, period):
            by_station.setdefault(raw.get("station_id") or "", []).append(raw)
    out: list[Completion] = []
    stations = sorted(store.raw("station"), key=lambda s: (str(s.get("code")), s["id"]))
    for station in stations:
        found = by_station.get(station["id"], [])

        def of(kind: ActivityType, found: list[dict[str, Any]] = found) -> list[dict[str, Any]]:
            return [a for a in found if a.get("activity_type") == kind.value]

        cultural_all = of(ActivityType.CULTURAL)
        petition_all = of(ActivityType.PETITION_STABILITY)
        cultural = any(a.get("resident_representatives") for a in cultural_all)
        petition = any(a.get("pairs") for a in petition_all)
        hardship = bool(of(ActivityType.HARDSHIP_ACTIVITY))
        missing: list[str] = []
        notes: list[str] = []
        if not cultural:
            missing.append(tr(LABELS[ActivityType.CULTURAL]))
            if cultural_all:
                notes.append(
                    tr(
                        "有 {count} 次群众文化活动，但没有居民代表参加，不计入",
                        count=len(cultural_all),
                    )
                )
        if not petition:
            missing.append(tr(LABELS[ActivityType.PETITION_STABILITY]))
            if petition_all:
                notes.append(tr("信访维稳安排没有一对一联点到人，不计入"))
        if not hardship:
            missing.append(tr(LABELS[ActivityType.HARDSHIP_ACTIVITY]))
        out.append(
            Completion(
                station_id=station["id"],
                station_code=str(station.get("code") or ""),
                period=period,
                cultural=cultural,
                petition_stability=petition,
                hardship_activity=hardship,
                missing=missing,
                notes=notes,
                station_name=str(station.get("name") or ""),
            )
        )
    return out


def media_reports(
    store: Any, *, station_id: str | None, start: dt.date, end: dt.date
) -> list[StationActivity]:
    """Media reports (媒体报道) dated from ``start`` to ``end`` (both included), of one
    station or all (``station_id`` None), oldest first."""
    lo, hi = start.isoformat(), end.isoformat()
    found = [
        raw
        for raw in store.raw("station_activity")
        if raw.get("activity_type") == ActivityType.MEDIA_REPORT.value
        and lo <= str(raw.get("date", ""))[:10] <= hi
        and (station_id is None or raw.get("station_id") == station_id)
    ]
    found.sort(key=lambda r: (str(r.get("date")), str(r.get("title"))))
    return [StationActivity.model_validate(raw) for raw in found]
