"""The first, plain implementation of the monthly figures, kept as the test oracle
(its computing part; the result types and the small parsing helpers are the service's
own). The rates and their rounding rules, the office's and removed stations' rows, the
end of a month in progress and the summary sentence are worked out here, not imported.

It filters every table once per station, straight from the definitions in
:mod:`grassroots_tui.services.statistics`; the service computes the same figures in one
grouped pass over prepared indexes. ``tests/test_statistics_reference.py`` checks that
both agree on every figure, station and month of the demo store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from grassroots_tui.models import ProblemState
from grassroots_tui.models.slip import SlipSource, SlipState
from grassroots_tui.models.visit import VisitKind, is_off_hours
from grassroots_tui.services.hardship import totals_by_form, totals_by_source
from grassroots_tui.services.rosters import is_late
from grassroots_tui.services.slips import OPEN_STATES, SlipDocs, effective_due
from grassroots_tui.services.statistics import (
    Figures,
    MonthStats,
    StationFigures,
    _day,
    _iso,
    _station_of,
    _time,
    _Timed,
    _within,
)
from grassroots_tui.services.supervision import month_report
from grassroots_tui.services.visit_rate import month_bounds, visit_rate

_OPEN = frozenset(s.value for s in OPEN_STATES)
_WALK_IN = frozenset({SlipSource.HOTLINE.value, SlipSource.WALK_IN.value})
_GOOD = frozenset({"satisfied", "basically_satisfied"})


_HALF = Fraction(1, 2)
#: Each rounding rule of a non-negative number of cents: (cents toward zero, the rest
#: below one cent) -> whether to add one cent. Written from the rules' definitions, not
#: with the decimal module's quantize that the service uses.
_ROUND_AWAY = {
    "ROUND_HALF_UP": lambda down, rest: rest >= _HALF,
    "ROUND_HALF_DOWN": lambda down, rest: rest > _HALF,
    "ROUND_HALF_EVEN": lambda down, rest: rest > _HALF or (rest == _HALF and down % 2 == 1),
    "ROUND_DOWN": lambda down, rest: False,
    "ROUND_FLOOR": lambda down, rest: False,
    "ROUND_UP": lambda down, rest: rest > 0,
    "ROUND_CEILING": lambda down, rest: rest > 0,
    "ROUND_05UP": lambda down, rest: rest > 0 and down % 10 in (0, 5),
}


def _rate(part: int, whole: int, rounding: str = "ROUND_HALF_UP") -> Decimal | None:
    """part ÷ whole in percent to the cent, worked in exact fractions. None when there is
    nothing to divide by."""
    if whole == 0:
        return None
    cents = Fraction(part * 10000, whole)  # the rate in hundredths of a percent
    down = cents.numerator // cents.denominator
    rounded = down + _ROUND_AWAY[rounding](down, cents - down)
    return Decimal(rounded).scaleb(-2)


class _Data:
    """Every stored table the figures need, read once (and shared by a trend)."""

    def __init__(self, store: Any, calendar: Any, rounding: str = "ROUND_HALF_UP") -> None:
        self.store = store
        self.calendar = calendar
        self.rounding = rounding
        raw = store.raw
        self.stations = sorted(raw("station"), key=lambda s: (str(s.get("code")), s["id"]))
        self.households = raw("household")
        self.visits = raw("visit")
        self.slips = [s for s in raw("handoff_slip") if s.get("issue_date")]
        self.docs = SlipDocs.from_store(store)
        self.replies: dict[str, list[str]] = defaultdict(list)
        for r in raw("reply"):
            self.replies[r.get("slip_id")].append(_iso(r.get("reply_date")))
        for dates in self.replies.values():
            dates.sort()
        self.slip_station = {s["id"]: s.get("station_id") for s in raw("handoff_slip")}
        self.slip_by_id = {s["id"]: s for s in raw("handoff_slip")}
        self.slip_of_problem = {
            s.get("problem_id"): s for s in raw("handoff_slip") if s.get("problem_id")
        }
        self.returns = raw("slip_return")
        self.extensions = raw("slip_extension")
        self.callbacks = raw("slip_callback")
        self.activities = raw("station_activity")
        self.cases = raw("hardship_case")
        self.assistances = raw("assistance")
        self.leave = raw("leave_request")
        self.checks = raw("supervision_check")
        self._due: dict[str, date | None] = {}

    def due(self, slip: dict[str, Any]) -> date | None:
        if slip["id"] not in self._due:
            found = effective_due(self.docs, slip, self.calendar)
            self._due[slip["id"]] = found.date if found is not None else None
        return self._due[slip["id"]]

    def closed_by(self, slip: dict[str, Any] | None, end: str) -> bool:
        if not slip or slip.get("state") != SlipState.CLOSED.value:
            return False
        dates = self.replies.get(slip["id"])
        return bool(dates) and dates[-1] <= end


def _figures(
    data: _Data,
    owns: Callable[[Any], bool],
    *,
    month_start: date,
    month_end: date,
    year_start: date,
    below_target: int,
) -> Figures:
    first, end, start = month_start.isoformat(), month_end.isoformat(), year_start.isoformat()

    def mine(doc: dict[str, Any]) -> bool:
        return owns(doc.get("station_id"))

    # visit_rate counts to the month's last day: a month in progress ends sooner, so
    # what is dated after its end is left out here.
    rate = visit_rate(
        [h for h in data.households if mine(h) and _iso(h.get("registered_on")) <= end],
        [v for v in data.visits if _iso(v.get("date")) <= end],
        station_id=None,
        month=(month_start.year, month_start.month),
        year_start=year_start,
    )

    # Visits: kinds and off hours of the month (registered households, as visit_rate).
    registered = {
        h["id"]
        for h in data.households
        if mine(h) and (not h.get("registered_on") or _iso(h.get("registered_on")) <= end)
    }
    hours = {
        s["id"]: (_time(s.get("working_start")), _time(s.get("working_end"))) for s in data.stations
    }
    by_kind = {kind.label: 0 for kind in VisitKind}
    off_hours = 0
    raised_month = raised_cum = resolved_month = resolved_cum = 0
    for visit in data.visits:
        day = _iso(visit.get("date"))
        if not (start <= day <= end) or not mine(visit):
            continue
        in_month = day >= first
        for problem in visit.get("problems") or ():
            state = problem.get("state")
            if state == ProblemState.SOLVED_ON_SPOT.value:
                solved = True
            elif state == ProblemState.SOLVED_LATER.value:
                solved = bool(problem.get("solved_on")) and _iso(problem["solved_on"]) <= end
            elif state == ProblemState.HANDED_OFF.value:
                slip = data.slip_by_id.get(problem.get("slip_id")) or data.slip_of_problem.get(
                    problem.get("id")
                )
                solved = data.closed_by(slip, end)
            else:
                solved = False
            raised_cum += 1
            resolved_cum += solved
            if in_month:
                raised_month += 1
                resolved_month += solved
        if not in_month or visit.get("household_id") not in registered:
            continue
        kind = visit.get("visit_kind") or VisitKind.DOOR.value
        label = VisitKind(kind).label if kind in VisitKind._value2member_map_ else str(kind)
        by_kind[label] = by_kind.get(label, 0) + 1
        work_start, work_end = hours.get(visit.get("station_id"), (None, None))
        v_start, v_end = _time(visit.get("start_time")), _time(visit.get("end_time"))
        if work_start and work_end and v_start and v_end:
            rest = False
            if data.calendar is not None:
                the_day = _day(day)
                rest = (
                    the_day is not None
                    and not data.calendar.is_workday_or_weekend_guess(the_day)[0]
                )
            timed = _Timed(v_start, v_end)
            off_hours += is_off_hours(timed, work_start, work_end, rest_day=rest)

    # Slips.
    issued_month = issued_cum = overdue = due_month = on_time = 0
    for slip in data.slips:
        if not mine(slip) or slip.get("state") == SlipState.DRAFTED.value:
            continue
        issued = _iso(slip.get("issue_date"))
        if start <= issued <= end:
            issued_cum += 1
            issued_month += issued >= first
            if slip.get("source") in _WALK_IN and not slip.get("problem_id"):
                solved = data.closed_by(slip, end)
                raised_cum += 1
                resolved_cum += solved
                if issued >= first:
                    raised_month += 1
                    resolved_month += solved
        if issued > end:
            continue
        due = data.due(slip)
        if due is None:
            continue
        due_iso = due.isoformat()
        if slip.get("state") in _OPEN and due_iso < end:
            overdue += 1
        if first <= due_iso <= end:
            due_month += 1
            replies = data.replies.get(slip["id"])
            if replies and replies[0] <= due_iso:
                on_time += 1

    def slip_mine(doc: dict[str, Any]) -> bool:
        return owns(data.slip_station.get(doc.get("slip_id")))

    replied = {
        r_slip
        for r_slip, dates in data.replies.items()
        if owns(data.slip_station.get(r_slip)) and any(first <= d <= end for d in dates)
    }
    returned = sum(
        1 for r in data.returns if slip_mine(r) and _within(r.get("returned_on"), first, end)
    )
    extended = sum(
        1 for r in data.extensions if slip_mine(r) and _within(r.get("requested_on"), first, end)
    )
    callbacks = [c for c in data.callbacks if slip_mine(c) and _within(c.get("date"), first, end)]
    good = sum(1 for c in callbacks if c.get("satisfaction") in _GOOD)

    media = [a for a in data.activities if a.get("activity_type") == "media_report" and mine(a)]
    media_month = sum(1 for a in media if _within(a.get("date"), first, end))
    media_cum = sum(1 for a in media if _within(a.get("date"), start, end))

    cases = [c for c in data.cases if mine(c)]
    new_cases = sum(1 for c in cases if _within(c.get("opened_on"), first, end))
    active = sum(
        1
        for c in cases
        if _iso(c.get("opened_on")) <= end
        and (not c.get("exit_on") or _iso(c.get("exit_on")) > end)
    )
    exited = sum(1 for c in cases if _within(c.get("exit_on"), first, end))
    helped = [a for a in data.assistances if mine(a) and _within(a.get("date"), first, end)]

    leave = [x for x in data.leave if mine(x) and _within(x.get("start_date"), first, end)]
    checks = sum(1 for c in data.checks if mine(c) and _within(c.get("date"), first, end))

    return Figures(
        households_registered=rate.registered,
        households_visited_month=rate.visited_month,
        households_visited_cumulative=rate.visited_cumulative,
        visit_rate_cumulative=_rate(rate.visited_cumulative, rate.registered, data.rounding),
        visits_month=rate.visits_month,
        visits_cumulative=rate.visits_cumulative,
        issues_raised_month=raised_month,
        issues_raised_cumulative=raised_cum,
        issues_resolved_month=resolved_month,
        issues_resolved_cumulative=resolved_cum,
        slips_issued_month=issued_month,
        slips_issued_cumulative=issued_cum,
        slips_replied_month=len(replied),
        slips_replied_on_time_month=on_time,
        slips_overdue_open=overdue,
        slips_returned_month=returned,
        slips_extended_month=extended,
        on_time_rate=_rate(on_time, due_month, data.rounding),
        satisfaction_rate=_rate(good, len(callbacks), data.rounding),
        media_reports_month=media_month,
        media_reports_cumulative=media_cum,
        visits_by_kind=by_kind,
        off_hours_visits=off_hours,
        hardship_new_month=new_cases,
        hardship_active=active,
        hardship_exited_month=exited,
        assistance_by_source=totals_by_source(helped),
        assistance_by_form=totals_by_form(helped),
        leave_requests_month=len(leave),
        leave_late_month=sum(1 for x in leave if is_late(x)),
        supervision_checks_month=checks,
        supervision_days_below_target=below_target,
    )


def _counts_something(figures: Figures) -> bool:
    """A count other than 0, an amount, or a rate (0.00 too: something was due)."""
    for value in vars(figures).values():
        if isinstance(value, Decimal) or (isinstance(value, dict) and any(value.values())):
            return True
        if isinstance(value, int) and value:
            return True
    return False


def _build(
    data: _Data,
    *,
    year: int,
    month: int,
    station_code: str | None,
    year_start: date | None,
    today: date | None = None,
) -> MonthStats:
    month_start, month_end = month_bounds((year, month))
    last_day = month_end
    if today is not None and today < month_end:  # a month in progress ends today
        assert today >= month_start, "a month not begun is refused"
        month_end = today
    start = year_start or date(year, 1, 1)
    if start > month_end:
        raise ValueError(f"累计起始日期 {start.isoformat()} 晚于统计月末 {month_end.isoformat()}")
    chosen = _station_of(data, station_code)
    below = sum(
        1
        for supervisor in month_report(data.store, year=year, month=month, calendar=data.calendar)
        for day in supervisor.days
        if day.below_target and day.day <= month_end
    )
    span = {"month_start": month_start, "month_end": month_end, "year_start": start}
    stations = [
        StationFigures(
            station_id=s["id"],
            code=str(s.get("code") or ""),
            name=str(s.get("name") or ""),
            figures=_figures(data, lambda sid, one=s["id"]: sid == one, below_target=0, **span),
        )
        for s in data.stations
        if chosen is None or s["id"] == chosen["id"]
    ]
    others = []
    if chosen is None:
        total = _figures(data, lambda _sid: True, below_target=below, **span)
        known = {s["id"] for s in data.stations}
        for name, owns, days in (
            ("街道群工办", lambda sid: sid in (None, ""), below),
            ("已删除的站点", lambda sid: sid not in known and sid not in (None, ""), 0),
        ):
            figures = _figures(data, owns, below_target=days, **span)
            if _counts_something(figures):
                others.append(StationFigures(station_id="", code="", name=name, figures=figures))
    else:
        total = stations[0].figures
    stats = MonthStats(
        month=f"{year:04d}-{month:02d}",
        period_start=start,
        period_end=month_end,
        total=total,
        stations=stations,
        summary="",
        rounding=data.rounding,
        others=others,
    )
    f = stats.total
    until = (
        f"{year}年{month}月底"
        if month_end == last_day
        else f"{month_end.year}年{month_end.month}月{month_end.day}日"
    )
    visit = "—" if f.visit_rate_cumulative is None else f"{f.visit_rate_cumulative}%"
    summary = (
        f"截至{until}，{'本站共' if chosen is not None else '共'}"
        f"发出交办单{f.slips_issued_cumulative}件，走访群众{f.households_visited_cumulative}户，"
        f"累计走访率{visit}，累计反映问题{f.issues_raised_cumulative}个，"
        f"累计已解决{f.issues_resolved_cumulative}个，媒体报道{f.media_reports_cumulative}次。"
    )
    return MonthStats(**{**stats.__dict__, "summary": summary})


def month_stats(
    store: Any,
    *,
    year: int,
    month: int,
    station_code: str | None = None,
    calendar: Any = None,
    year_start: date | None = None,
    rounding: str = "ROUND_HALF_UP",
    today: date | None = None,
) -> MonthStats:
    """The figures of every station and their total for the month (see the module notes).
    With ``station_code`` only that station, and the total is that station's figures;
    with ``today`` a month in progress counts up to that day."""
    return _build(
        _Data(store, calendar, rounding),
        year=year,
        month=month,
        station_code=station_code,
        year_start=year_start,
        today=today,
    )
