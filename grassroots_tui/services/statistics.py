"""月度统计: the figures of every station (and their total) for one month and year to date.

Definitions (all dates are the stored business dates, never the audit time):

- **reporting year** starts 1 January of the chosen month's year (``year_start``
  overrides); **cumulative** = year start to the last day of the chosen month;
  **month** = the chosen calendar month. "In the period" means dated within it, both
  ends included.
- **a month in progress** ends today: given ``today``, the period ends on the earlier of
  the month's last day and ``today`` (``MonthStats.period_end``), and "month end" below
  means that day. No figure counts a day that has not happened: a slip due on the 18th
  is not overdue on the 6th, nor due in the month yet. The sentence then says "截至
  2026年12月6日" instead of "截至2026年12月底". ``today`` is passed in (the screen's
  session clock, the command line's ``--on`` or the computer's date), never read here;
  a month that has not begun is refused.
- **households registered / visited, visits, visit rate**: as
  :func:`grassroots_tui.services.visit_rate.visit_rate` counts them, to the period's end
  (households registered by then; distinct registered households visited; every visit
  counted). The rate is :func:`rate` of those counts. Every per-station figure drawn
  from a visit (these, problems, kinds, off hours) counts for the household's station,
  whoever logged the visit.
- **issues raised** (反映问题): each problem item of a visit dated in the period counts
  once; and each slip whose source is hotline (热线电话) or walk-in (民情代办点), that has
  no visit problem (``problem_id`` empty) and that was first issued in the period.
- **issues resolved** (已解决): of the issues raised in the period, those solved by the
  end of the month: 当场解决; 后续解决 with ``solved_on`` ≤ month end when the problem
  has no slip; a problem handed off on a slip (and a hotline/walk-in slip) when the slip
  was closed (满意/基本满意 callback or 办结, :attr:`Timeline.closed_on`) by month end.
  A problem raised in September and solved in October is not resolved in September's
  figures but is in October's cumulative.
- **every slip figure is as of the end of the period**, from the dates of the slip's
  steps (:mod:`grassroots_tui.services.slips.clock`), never from its state today: a
  closed month's figures do not change when later steps are recorded.
- **slips issued**: slips first issued in the period (a slip returned and issued again
  counts once, in the month of its first issue).
- **slips replied (month)**: distinct slips with a reply dated in the month.
- **replied on time**: of the slips with an issue whose reply deadline
  (:meth:`Timeline.reply_deadline_in`: the rule from that issue, moved by extensions
  asked in time) falls in the month, and that was not returned or withdrawn by then,
  those whose first reply is dated on or before it; **on-time rate** = replied on time
  ÷ slips due in the month × 100. A late extension or a redo never makes a late reply
  on time.
- **overdue and still open**: open (已交办/已受理/已延期/重办) at month end with its
  effective due date as known that day before it (:meth:`Timeline.overdue_on`).
- **returned / extended (month)**: 退单 dated (``returned_on``) / 延期 requested
  (``requested_on``) in the month.
- **satisfaction rate**: (满意 + 基本满意) ÷ callbacks dated in the month × 100.
- **every rate** is :func:`rate`: two decimals, rounded by the office's
  ``rate_rounding`` setting (:data:`~grassroots_tui.store.settings.RATE_ROUNDINGS`;
  half-up, 四舍五入, unless it says otherwise); with nothing to divide by (no
  household registered, no slip due, no call-back) it is None, shown as "—" (null in
  JSON, an empty cell in CSV), never 0.00.
- **media reports**: station activities of type 媒体报道 dated in the period.
- **visits by kind, off-hours visits**: visits of the month (registered households, as
  for the visit counts) by 走访方式; 错时走访 per
  :func:`~grassroots_tui.models.visit.is_off_hours` with the working hours of the
  station that made the visit (and, with a calendar, every visit on a rest day); each
  counts for the household's station.
- **hardship**: new = cases opened in the month; active = opened by month end and not
  closed (``exit_on`` empty or after month end); exited = ``exit_on`` in the month;
  assistance by source / by form: assistance dated in the month
  (:func:`~grassroots_tui.services.hardship.totals_by_source` / ``totals_by_form``).
- **leave**: requests whose first day of leave is in the month; late = made on or
  after that first day (:func:`~grassroots_tui.services.rosters.is_late`).
- **supervision**: checks of the station dated in the month; days below target comes
  from :func:`~grassroots_tui.services.supervision.month_report` and is a figure of the
  street office (a supervisor's day spans stations): 0 on each station row, and counted
  on the office's own row.
- **rows and 合计**: a row per station; then, when they count anything, a row
  街道群工办 for the street office's own documents (no station: its media reports, its
  slips and theirs) and a row 已删除的站点 for documents of a station no longer in the
  store. Every document counts in exactly one row, so each count of 合计 is the sum of
  the rows above it; a rate of 合计 is worked from the summed counts, never summed.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from grassroots_tui import lang
from grassroots_tui.lang import tr
from grassroots_tui.models import ProblemState
from grassroots_tui.models.slip import SlipSource
from grassroots_tui.models.visit import VisitKind, is_off_hours
from grassroots_tui.services.hardship import totals_by_form, totals_by_source
from grassroots_tui.services.rosters import is_late
from grassroots_tui.services.slips.clock import TIMELINE_KINDS, timelines
from grassroots_tui.services.supervision import month_report
from grassroots_tui.services.text import listed
from grassroots_tui.services.visit_rate import month_bounds
from grassroots_tui.store.settings import DEFAULT_RATE_ROUNDING, RATE_ROUNDINGS

__all__ = [
    "Figures",
    "MonthStats",
    "StationFigures",
    "month_stats",
    "rate",
    "rate_text",
    "stats_json",
    "summary_sentence",
    "trend",
]

_WALK_IN = frozenset({SlipSource.HOTLINE.value, SlipSource.WALK_IN.value})
_GOOD = frozenset({"satisfied", "basically_satisfied"})
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
#: How a rate with nothing to divide by is shown on screen, in the sentence and the .xlsx.
NO_RATE = "—"


def rounding_rule(name: str | None) -> str:
    """The :mod:`decimal` rounding ``name`` (a key of ``RATE_ROUNDINGS``; None: the
    default, ROUND_HALF_UP), or ValueError naming the ones there are."""
    if name is None:
        return DEFAULT_RATE_ROUNDING
    rule = str(name).strip().upper()
    if rule not in RATE_ROUNDINGS:
        raise ValueError(
            tr(
                "不认识的比率舍入规则：{name}（可用：{choices}）",
                name=name,
                choices=listed(RATE_ROUNDINGS),
            )
        )
    return rule


def rate(part: int, whole: int, rounding: str = DEFAULT_RATE_ROUNDING) -> Decimal | None:
    """``part`` ÷ ``whole`` × 100 to two decimals by the :mod:`decimal` rule ``rounding``
    (the office's ``rate_rounding`` setting; half-up unless it says otherwise); None when
    ``whole`` is 0: a rate with nothing to divide by is not 0 % (no slip due is not "none
    on time"). Every rate of the statistics is made here and nowhere else."""
    if whole <= 0:
        return None
    exact = Decimal(part) * _HUNDRED / Decimal(whole)
    return exact.quantize(_CENT, rounding=rounding_rule(rounding))


def rate_text(value: Decimal | None, percent: str = "%") -> str:
    """A rate as shown: ``81.65%``, or ``—`` when there was nothing to divide by."""
    return NO_RATE if value is None else f"{value}{percent}"


@dataclass(frozen=True)
class Figures:
    """The figures of one station, or of the total, for the month and year to date."""

    households_registered: int
    households_visited_month: int
    households_visited_cumulative: int
    #: Rates: percent to two decimals, None when there was nothing to divide by.
    visit_rate_cumulative: Decimal | None
    visits_month: int
    visits_cumulative: int
    issues_raised_month: int
    issues_raised_cumulative: int
    issues_resolved_month: int
    issues_resolved_cumulative: int
    slips_issued_month: int
    slips_issued_cumulative: int
    slips_replied_month: int
    slips_replied_on_time_month: int
    slips_overdue_open: int
    slips_returned_month: int
    slips_extended_month: int
    on_time_rate: Decimal | None
    satisfaction_rate: Decimal | None
    media_reports_month: int
    media_reports_cumulative: int
    visits_by_kind: dict[str, int]
    off_hours_visits: int
    hardship_new_month: int
    hardship_active: int
    hardship_exited_month: int
    assistance_by_source: dict[str, Decimal]
    assistance_by_form: dict[str, Decimal]
    leave_requests_month: int
    leave_late_month: int
    supervision_checks_month: int
    supervision_days_below_target: int


@dataclass(frozen=True)
class StationFigures:
    station_id: str
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class MonthStats:
    month: str
    period_start: date
    period_end: date
    total: Figures
    stations: list[StationFigures]
    summary: str
    #: The :mod:`decimal` rule the rates were rounded by (the ``rate_rounding`` setting).
    rounding: str = DEFAULT_RATE_ROUNDING
    #: With every station: the rows of what is no station's (:data:`OFFICE_ROW`, then
    #: :data:`GONE_ROW`), each only when it counts something. ``total`` is the sum of
    #: :attr:`rows`.
    others: list[StationFigures] = field(default_factory=list)
    #: Whether these are one station's figures (its ``summary`` says "本站共…").
    for_station: bool = False

    @property
    def rows(self) -> list[StationFigures]:
        """The stations, then the office's own row and the removed stations' row: the
        rows whose sum is ``total``."""
        return [*self.stations, *self.others]


#: The row of the street office's own documents (no station: its media reports, its
#: slips, its supervisors' days below target).
OFFICE_ROW = "街道群工办"
#: The row of documents of a station no longer in the store.
GONE_ROW = "已删除的站点"


# -- helpers ---------------------------------------------------------------------------------


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _day(value: Any) -> date | None:
    text = _iso(value)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _time(value: Any) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        return None


def _within(value: Any, lo: str, hi: str) -> bool:
    text = _iso(value)
    return bool(text) and lo <= text <= hi


_SOLVED_NEVER = None
_ALWAYS = ""  # sorts before every ISO date: solved on the spot, as soon as raised


class _BySlip(NamedTuple):
    """A problem solved when its slip is closed (looked up per calendar)."""

    slip_id: str


class _Data:
    """Every stored table the figures need, prepared once per state of the store.

    Built through :meth:`Store.derived`, so a month picked on the statistics screen, the
    twelve months of a trend and the export reuse it until one of :data:`_KINDS` changes.
    Visits are sorted by date so that a period is a slice (``bisect``); each problem of a
    visit is reduced to the date it was solved (``""`` on the spot, None if never), and
    each household to its station and registration date.
    """

    def __init__(self, store: Any, since: str = "") -> None:
        raw = store.raw
        self.store = store
        #: Visits before this day (ISO) are left out: no figure asked for reads them.
        self.since = since
        self.stations = sorted(raw("station"), key=lambda s: (str(s.get("code")), s["id"]))
        self.hours = {
            s["id"]: (_time(s.get("working_start")), _time(s.get("working_end")))
            for s in self.stations
        }
        # Households: id -> (station, registration date or ""); kept apart, so that a
        # saved visit does not rebuild it.
        self.household, self.registered_on = _derived(store, "households", ("household",))

        slips = raw("handoff_slip")
        self.replies: dict[str, list[str]] = defaultdict(list)
        for r in raw("reply"):
            self.replies[r.get("slip_id")].append(_iso(r.get("reply_date")))
        self.slip_station = {s["id"]: s.get("station_id") for s in slips}
        slip_by_id = {s["id"]: s for s in slips}
        slip_of_problem = {s.get("problem_id"): s for s in slips if s.get("problem_id")}

        # Visits by date, and side by side with them their households and stations.
        try:
            wanted = [v for v in raw("visit") if v["date"] >= since]
            self.visits = sorted(wanted, key=itemgetter("date"))
            self.visit_days = [v["date"] for v in self.visits]
        except TypeError:  # dates given as date objects (tests may build such stores)
            wanted = [v for v in raw("visit") if _visit_day(v) >= since]
            self.visits = sorted(wanted, key=_visit_day)
            self.visit_days = [_visit_day(v) for v in self.visits]
        visits = self.visits
        self.visit_households = [v["household_id"] for v in visits]
        self.visit_stations = [v.get("station_id") for v in visits]
        solved_on = self._solved_on
        #: Index of a visit with problems -> the solved date of each of its problems.
        self.solved: dict[int, tuple[str | _BySlip | None, ...]] = {
            i: tuple(solved_on(p, slip_by_id, slip_of_problem) for p in v["problems"])
            for i, v in enumerate(visits)
            if v.get("problems")
        }

        self.slips = slips  # the slip clock says which were issued, and when
        # A hotline or walk-in slip with no visit problem is an issue raised by itself.
        self.walk_ins = [
            s for s in self.slips if s.get("source") in _WALK_IN and not s.get("problem_id")
        ]
        self.returns = raw("slip_return")
        self.extensions = raw("slip_extension")
        self.callbacks = raw("slip_callback")
        self.activities = [
            a for a in raw("station_activity") if a.get("activity_type") == "media_report"
        ]
        self.cases = raw("hardship_case")
        self.assistances = raw("assistance")
        self.leave = raw("leave_request")
        self.checks = raw("supervision_check")

    @staticmethod
    def _solved_on(
        problem: dict[str, Any],
        slip_by_id: dict[str, dict[str, Any]],
        slip_of_problem: dict[str, dict[str, Any]],
    ) -> str | _BySlip | None:
        state = problem.get("state")
        if state == _ON_SPOT:
            return _ALWAYS
        if state in (_LATER, _HANDED_OFF):
            # A problem handed off is solved when its slip is closed, whatever date the
            # problem itself was given: the slip's steps say when (see slip_clock).
            slip_id, problem_id = problem.get("slip_id"), problem.get("id")
            slip = (slip_by_id.get(slip_id) if slip_id else None) or (
                slip_of_problem.get(problem_id) if problem_id and state == _HANDED_OFF else None
            )
            if slip is not None:
                return _BySlip(slip["id"])
            if state == _LATER:
                return _iso(problem.get("solved_on")) or None
        return None

    def closed(self, calendar: Any) -> dict[str, str]:
        """Each closed slip's closing day (ISO), from the slip clock."""

        def build() -> dict[str, str]:
            return {
                slip_id: line.closed_on.isoformat()
                for slip_id, line in timelines(self.store, calendar).items()
                if line.closed_on is not None
            }

        keep = getattr(self.store, "derived", None)
        if keep is None:
            return build()
        return keep("statistics.closed", TIMELINE_KINDS, build, token=calendar)


#: The kinds :class:`_Data` reads: a change to any of them rebuilds it.
_KINDS = (
    "station",
    "household",
    "visit",
    "handoff_slip",
    "reply",
    "slip_return",
    "slip_extension",
    "slip_callback",
    "slip_issue",
    "slip_accept",
    "slip_close",
    "slip_withdrawal",
    "station_activity",
    "hardship_case",
    "assistance",
    "leave_request",
    "supervision_check",
)
_ON_SPOT = ProblemState.SOLVED_ON_SPOT.value
_LATER = ProblemState.SOLVED_LATER.value
_HANDED_OFF = ProblemState.HANDED_OFF.value
_KIND_LABELS = {kind.value: kind.label for kind in VisitKind}


def _visit_day(visit: dict[str, Any]) -> str:
    day = visit.get("date")
    return day if day.__class__ is str else _iso(day)


def _households(store: Any) -> tuple[dict[str, tuple[Any, str]], dict[Any, list[str]]]:
    """Each household's (station, registration date or ""), and per station the sorted
    registration dates (a count registered by a day is a ``bisect``)."""
    household: dict[str, tuple[Any, str]] = {}
    registered: dict[Any, list[str]] = defaultdict(list)
    for h in store.raw("household"):
        on = h.get("registered_on") or ""
        if on.__class__ is not str:
            on = _iso(on)
        station = h.get("station_id")
        household[h["id"]] = (station, on)
        registered[station].append(on)
    for days in registered.values():
        days.sort()
    return household, dict(registered)


def _derived(store: Any, name: str, kinds: tuple[str, ...]) -> Any:
    build = {"households": _households}[name]
    keep = getattr(store, "derived", None)
    if keep is None:
        return build(store)
    return keep(f"statistics.{name}", kinds, lambda: build(store))


def _data(store: Any, since: date) -> _Data:
    """The prepared tables for figures that read nothing dated before ``since`` (the
    start of the earliest reporting year asked for): a street office's five years of
    visits are not sorted and indexed to count this year's."""
    floor = since.isoformat()
    derived = getattr(store, "derived", None)
    if derived is None:
        return _Data(store, floor)
    return derived(f"statistics:{floor}", _KINDS, lambda: _Data(store, floor))


class _Tally:
    """The counts of one station (or of the total) while the tables are walked."""

    def __init__(self) -> None:
        self.registered = 0
        self.visited_month = self.visited_cum = 0
        self.visits_month = self.visits_cum = 0
        self.raised_month = self.raised_cum = self.resolved_month = self.resolved_cum = 0
        self.by_kind = {kind.label: 0 for kind in VisitKind}
        self.off_hours = 0
        self.issued_month = self.issued_cum = self.overdue = self.due_month = 0
        self.on_time = 0
        self.replied = 0
        self.returned = self.extended = self.callbacks = self.good = 0
        self.media_month = self.media_cum = 0
        self.cases_new = self.cases_active = self.cases_exited = 0
        self.helped: list[dict[str, Any]] = []
        self.leave = self.leave_late = 0
        self.checks = 0

    @classmethod
    def merged(cls, tallies: Iterable[_Tally]) -> _Tally:
        """The total of tallies that each counted different documents."""
        total = cls()
        for tally in tallies:
            for name, value in vars(tally).items():
                if isinstance(value, int):
                    setattr(total, name, getattr(total, name) + value)
                elif isinstance(value, set):
                    getattr(total, name).update(value)
                elif isinstance(value, list):
                    getattr(total, name).extend(value)
                else:  # by_kind
                    for key, count in value.items():
                        total.by_kind[key] = total.by_kind.get(key, 0) + count
        return total

    def figures(self, below_target: int, rounding: str = DEFAULT_RATE_ROUNDING) -> Figures:
        return Figures(
            households_registered=self.registered,
            households_visited_month=self.visited_month,
            households_visited_cumulative=self.visited_cum,
            visit_rate_cumulative=rate(self.visited_cum, self.registered, rounding),
            visits_month=self.visits_month,
            visits_cumulative=self.visits_cum,
            issues_raised_month=self.raised_month,
            issues_raised_cumulative=self.raised_cum,
            issues_resolved_month=self.resolved_month,
            issues_resolved_cumulative=self.resolved_cum,
            slips_issued_month=self.issued_month,
            slips_issued_cumulative=self.issued_cum,
            slips_replied_month=self.replied,
            slips_replied_on_time_month=self.on_time,
            slips_overdue_open=self.overdue,
            slips_returned_month=self.returned,
            slips_extended_month=self.extended,
            on_time_rate=rate(self.on_time, self.due_month, rounding),
            satisfaction_rate=rate(self.good, self.callbacks, rounding),
            media_reports_month=self.media_month,
            media_reports_cumulative=self.media_cum,
            visits_by_kind=self.by_kind,
            off_hours_visits=self.off_hours,
            hardship_new_month=self.cases_new,
            hardship_active=self.cases_active,
            hardship_exited_month=self.cases_exited,
            assistance_by_source=totals_by_source(self.helped),
            assistance_by_form=totals_by_form(self.helped),
            leave_requests_month=self.leave,
            leave_late_month=self.leave_late,
            supervision_checks_month=self.checks,
            supervision_days_below_target=below_target,
        )


class _Series:
    """One station's visit and problem counts for consecutive months of one reporting
    year, gathered in one walk. Buckets: 0 is before the first month, ``k + 1`` month
    ``k``. ``*_add[b]`` counts what enters the cumulative figure in bucket ``b`` (the
    cumulative figure of month ``k`` is the sum of buckets 0 to ``k + 1``); ``*_month[b]``
    what counts in the month itself."""

    def __init__(self, months: int) -> None:
        size = months + 1
        self.visits_add = [0] * size
        self.visits_month = [0] * size
        self.visited_add = [0] * size
        self.seen: set[str] = set()
        self.visited_month: list[set[str]] = [set() for _ in range(size)]
        self.raised_add = [0] * size
        self.resolved_add = [0] * size
        self.resolved_month = [0] * size


def _visit_series(
    data: _Data, start: str, bounds: list[tuple[str, str]], closed: dict[str, str]
) -> dict[Any, _Series]:
    """The visit and problem figures (for the household's station; a problem of a
    household not in the registry for the visit's station) of each month in ``bounds``
    (ISO first and last days, consecutive), cumulative from ``start``, in one walk over
    the visits from ``start`` to the last end. ``closed``: each closed slip's closing day.

    A visit counts in the cumulative figures from the later of its month and the month
    its household was registered in; a problem counts as resolved from the later of the
    month it was raised and the month it was solved. Visits are walked in date order, so
    a household first counts at its first counted visit.
    """
    months = len(bounds)
    firsts = [first for first, _ in bounds]
    ends = [end for _, end in bounds]
    days = data.visit_days
    lo = bisect_left(days, start)
    hi = bisect_right(days, ends[-1])
    household, solved, stations = data.household, data.solved, data.visit_stations
    series: dict[Any, _Series] = {}
    unknown = (None, None)
    bucket = 0
    following = firsts[0]  # the first day of the next bucket
    for i, hh_id in enumerate(data.visit_households[lo:hi], lo):
        if days[i] >= following:
            while bucket < months and days[i] >= firsts[bucket]:
                bucket += 1
            following = firsts[bucket] if bucket < months else "9999"
        problems = solved.get(i)
        if problems:
            counted_for = household.get(hh_id, unknown)[0] or stations[i]
            own = series.get(counted_for)
            if own is None:
                own = series[counted_for] = _Series(months)
            own.raised_add[bucket] += len(problems)
            for solved_on in problems:
                if solved_on.__class__ is _BySlip:
                    solved_on = closed.get(solved_on.slip_id)
                if solved_on is None:
                    continue
                done = bucket
                if solved_on:
                    later = bisect_left(ends, solved_on) + 1
                    if later > bucket:
                        done = later
                if done <= months:
                    own.resolved_add[done] += 1
                    if done == bucket:
                        own.resolved_month[bucket] += 1
        hh_station, registered_on = household.get(hh_id, unknown)
        if registered_on is None:
            continue  # not in the registry: left out of the visit figures
        key = bucket
        if registered_on:
            later = bisect_left(ends, registered_on) + 1
            if later > bucket:
                if later > months:
                    continue  # registered after the last month
                key = later
        mine = series.get(hh_station)
        if mine is None:
            mine = series[hh_station] = _Series(months)
        mine.visits_add[key] += 1
        if hh_id not in mine.seen:
            mine.seen.add(hh_id)
            mine.visited_add[key] += 1
        if key == bucket:
            mine.visits_month[key] += 1
            mine.visited_month[key].add(hh_id)
    return series


def _tallies(
    data: _Data,
    calendar: Any,
    *,
    months: list[tuple[date, date]],
    year_start: date,
) -> list[tuple[_Tally, dict[Any, _Tally]]]:
    """The tallies of consecutive ``months`` of one reporting year (from ``year_start``):
    one walk over the visits for them all, then one over each other table per month.

    A document counts for the station in its ``station_id`` (a slip's action documents
    for the slip's station); visits and households visited count for the household's
    station, as in :func:`~grassroots_tui.services.visit_rate.visit_rate`. Each counts
    for one station only, so the total is the sum (see :meth:`_Tally.merged`).
    """
    start = year_start.isoformat()
    bounds = [(first.isoformat(), end.isoformat()) for first, end in months]
    series = _visit_series(data, start, bounds, data.closed(calendar))
    out = []
    for k, (first, end) in enumerate(bounds):
        per: dict[Any, _Tally] = defaultdict(_Tally)
        upto = k + 2  # buckets 0 .. k + 1
        for station, line in series.items():
            tally = per[station]
            tally.visits_cum = sum(line.visits_add[:upto])
            tally.visits_month = line.visits_month[k + 1]
            tally.visited_cum = sum(line.visited_add[:upto])
            tally.visited_month = len(line.visited_month[k + 1])
            tally.raised_cum = sum(line.raised_add[:upto])
            tally.raised_month = line.raised_add[k + 1]
            tally.resolved_cum = sum(line.resolved_add[:upto])
            tally.resolved_month = line.resolved_month[k + 1]
        out.append(_month_tallies(data, calendar, per, first=first, end=end, start=start))
    return out


def _month_tallies(
    data: _Data,
    calendar: Any,
    per: dict[Any, _Tally],
    *,
    first: str,
    end: str,
    start: str,
) -> tuple[_Tally, dict[Any, _Tally]]:
    """The rest of one month's tallies (``per`` holds the visit series' counts)."""
    for key, days in data.registered_on.items():
        per[key].registered = bisect_right(days, end)
    lo = bisect_left(data.visit_days, first)
    hi = bisect_right(data.visit_days, end)
    household = data.household
    unknown = (None, None)

    # Kinds and off hours of the month's visits: for the total every counted visit, for
    # a station the visits to its households, whoever logged them (as the visit counts);
    # off hours are judged by the working hours of the station that made the visit.
    rest_days: dict[str, bool] = {}
    visits, days = data.visits, data.visit_days
    by_kind = {kind.label: 0 for kind in VisitKind}
    off_total = 0
    for i in range(lo, hi):
        hh_station, registered_on = household.get(data.visit_households[i], unknown)
        if registered_on is None or registered_on > end:
            continue
        visit = visits[i]
        kind = visit.get("visit_kind") or VisitKind.DOOR.value
        label = _KIND_LABELS.get(kind, str(kind))
        off = _off_hours(data, calendar, visit, days[i], rest_days)
        by_kind[label] = by_kind.get(label, 0) + 1
        off_total += off
        mine = per[hh_station]
        mine.by_kind[label] = mine.by_kind.get(label, 0) + 1
        mine.off_hours += off

    # Slips, each where it stood at the end of the period (the slip clock).
    lines = timelines(data.store, calendar)
    end_day, first_day = date.fromisoformat(end), date.fromisoformat(first)
    for slip in data.slips:
        line = lines[slip["id"]]
        if line.first_issued is None:
            continue
        issued = line.first_issued.isoformat()
        if issued > end:
            continue
        own = per[slip.get("station_id")]
        if issued >= start:
            own.issued_cum += 1
            if issued >= first:
                own.issued_month += 1
        own.overdue += line.overdue_on(end_day)
        judged = line.reply_deadline_in(first_day, end_day)
        if judged is not None:
            own.due_month += 1
            own.on_time += judged[1]
    for slip in data.walk_ins:
        line = lines[slip["id"]]
        if line.first_issued is None:
            continue
        issued = line.first_issued.isoformat()
        if not start <= issued <= end:
            continue
        done = line.closed_on is not None and line.closed_on <= end_day
        tally = per[slip.get("station_id")]
        tally.raised_cum += 1
        tally.resolved_cum += done
        if issued >= first:
            tally.raised_month += 1
            tally.resolved_month += done

    station_of = data.slip_station
    for slip_id, dates in data.replies.items():
        if any(first <= d <= end for d in dates):
            per[station_of.get(slip_id)].replied += 1
    for doc in data.returns:
        if _within(doc.get("returned_on"), first, end):
            per[station_of.get(doc.get("slip_id"))].returned += 1
    for doc in data.extensions:
        if _within(doc.get("requested_on"), first, end):
            per[station_of.get(doc.get("slip_id"))].extended += 1
    for doc in data.callbacks:
        if _within(doc.get("date"), first, end):
            good = doc.get("satisfaction") in _GOOD
            tally = per[station_of.get(doc.get("slip_id"))]
            tally.callbacks += 1
            tally.good += good

    for doc in data.activities:
        day = _iso(doc.get("date"))
        if start <= day <= end:
            tally = per[doc.get("station_id")]
            tally.media_cum += 1
            tally.media_month += day >= first
    for doc in data.cases:
        opened, exited = _iso(doc.get("opened_on")), _iso(doc.get("exit_on"))
        tally = per[doc.get("station_id")]
        tally.cases_new += first <= opened <= end
        tally.cases_active += opened <= end and (not exited or exited > end)
        tally.cases_exited += bool(exited) and first <= exited <= end
    for doc in data.assistances:
        if _within(doc.get("date"), first, end):
            per[doc.get("station_id")].helped.append(doc)
    for doc in data.leave:
        if _within(doc.get("start_date"), first, end):
            late = is_late(doc)
            tally = per[doc.get("station_id")]
            tally.leave += 1
            tally.leave_late += late
    for doc in data.checks:
        if _within(doc.get("date"), first, end):
            per[doc.get("station_id")].checks += 1
    total = _Tally.merged(per.values())
    total.by_kind, total.off_hours = by_kind, off_total
    return total, per


@dataclass(frozen=True)
class _Timed:
    start_time: dt.time
    end_time: dt.time


def _off_hours(
    data: _Data, calendar: Any, visit: dict[str, Any], day: str, rest_days: dict[str, bool]
) -> bool:
    work_start, work_end = data.hours.get(visit.get("station_id"), (None, None))
    v_start, v_end = _time(visit.get("start_time")), _time(visit.get("end_time"))
    if not (work_start and work_end and v_start and v_end):
        return False
    rest = False
    if calendar is not None:
        known = rest_days.get(day)
        if known is not None:
            rest = known
        else:
            the_day = _day(day)
            rest = rest_days[day] = (
                the_day is not None and not calendar.is_workday_or_weekend_guess(the_day)[0]
            )
    return is_off_hours(_Timed(v_start, v_end), work_start, work_end, rest_day=rest)


def _station_of(data: _Data, code: str | None) -> dict[str, Any] | None:
    if not code:
        return None
    wanted = code.strip().upper()
    for station in data.stations:
        if station["id"] == code or str(station.get("code", "")).upper() == wanted:
            return station
    codes = listed(str(s.get("code", "")) for s in data.stations) or tr("无")
    raise ValueError(tr("没有站点代码为“{code}”的群工站（现有：{codes}）", code=code, codes=codes))


def _below_target(store: Any, year: int, month: int, calendar: Any, end: date) -> int:
    """The supervisors' days below target in the month, up to ``end``."""
    report = month_report(store, year=year, month=month, calendar=calendar)
    return sum(day.below_target and day.day <= end for m in report for day in m.days)


def _period_end(year: int, month: int, today: date | None) -> date:
    """The month's last day, or ``today`` while the month is in progress."""
    first, last = month_bounds((year, month))
    if today is None or today >= last:
        return last
    if today < first:
        raise ValueError(
            tr(
                "{month}还没有开始（今天是{today}），没有可以统计的数字",
                month=tr("{year}年{month}月", year=year, month=month),
                today=_day_text(today, tr),
            )
        )
    return today


def _build(
    data: _Data,
    calendar: Any,
    *,
    year: int,
    months: list[int],
    station_code: str | None,
    year_start: date | None,
    rounding: str = DEFAULT_RATE_ROUNDING,
    today: date | None = None,
) -> list[MonthStats]:
    """The statistics of the given months (ascending) of ``year``, one reporting year;
    a month in progress ends on ``today``."""
    rounding = rounding_rule(rounding)
    bounds = [(month_bounds((year, month))[0], _period_end(year, month, today)) for month in months]
    start = year_start or date(year, 1, 1)
    if start > bounds[0][1]:
        raise ValueError(
            tr(
                "累计起始日期 {start} 晚于统计月末 {end}",
                start=start.isoformat(),
                end=bounds[0][1].isoformat(),
            )
        )
    chosen = _station_of(data, station_code)
    out = []
    tallies = _tallies(data, calendar, months=bounds, year_start=start)
    for month, (_first, month_end), (total, per) in zip(months, bounds, tallies, strict=True):
        stations = [
            StationFigures(
                station_id=s["id"],
                code=str(s.get("code") or ""),
                name=str(s.get("name") or ""),
                figures=per[s["id"]].figures(below_target=0, rounding=rounding),
            )
            for s in data.stations
            if chosen is None or s["id"] == chosen["id"]
        ]
        others: list[StationFigures] = []
        if chosen is None:
            below = _below_target(data.store, year, month, calendar, month_end)
            total_figures = total.figures(below_target=below, rounding=rounding)
            others = _other_rows(data, per, below=below, rounding=rounding)
        else:
            total_figures = stations[0].figures
        stats = MonthStats(
            month=f"{year:04d}-{month:02d}",
            period_start=start,
            period_end=month_end,
            total=total_figures,
            stations=stations,
            summary="",
            rounding=rounding,
            others=others,
            for_station=chosen is not None,
        )
        summary = summary_sentence(stats, station=stations[0] if chosen is not None else None)
        out.append(MonthStats(**{**stats.__dict__, "summary": summary}))
    return out


def _other_rows(
    data: _Data, per: dict[Any, _Tally], *, below: int, rounding: str
) -> list[StationFigures]:
    """The office's own row (documents with no station, and the supervisors' days below
    target, a figure of the office) and the removed stations' row, each when it counts
    something: with them the rows add up to the total."""
    known = {s["id"] for s in data.stations}
    office = _Tally.merged(t for key, t in per.items() if key in (None, ""))
    gone = _Tally.merged(t for key, t in per.items() if key not in known and key not in (None, ""))
    nothing = _Tally().figures(below_target=0, rounding=rounding)
    rows = []
    for name, tally, days in ((OFFICE_ROW, office, below), (GONE_ROW, gone, 0)):
        figures = tally.figures(below_target=days, rounding=rounding)
        if figures != nothing:
            rows.append(StationFigures(station_id="", code="", name=name, figures=figures))
    return rows


def month_stats(
    store: Any,
    *,
    year: int,
    month: int,
    station_code: str | None = None,
    calendar: Any = None,
    year_start: date | None = None,
    rounding: str = DEFAULT_RATE_ROUNDING,
    today: date | None = None,
) -> MonthStats:
    """The figures of every station and their total for the month (see the module notes).
    With ``station_code`` only that station, and the total is that station's figures.
    ``rounding`` is the office's ``rate_rounding`` setting (a :mod:`decimal` name); with
    ``today`` a month in progress is counted up to that day (None: to its last day)."""
    if not 1 <= month <= 12:
        raise ValueError(tr("月份应在 1 到 12 之间：{month}", month=month))
    return _build(
        _data(store, min(year_start or date(year, 1, 1), date(year, 1, 1))),
        calendar,
        year=year,
        months=[month],
        station_code=station_code,
        year_start=year_start,
        rounding=rounding,
        today=today,
    )[0]


def _day_text(day: date, say: Callable[..., str]) -> str:
    tr = say  # named so, its literal message ids are found (tests/test_messages.py)
    return tr("{year}年{month}月{day}日", year=day.year, month=day.month, day=day.day)


def summary_sentence(
    stats: MonthStats,
    *,
    station: StationFigures | None = None,
    say: Callable[..., str] = lang.tr,
) -> str:
    """ "截至2026年9月底，共发出交办单8件，走访群众5813户，累计走访率81.65%，累计反映问题
    668个，累计已解决662个，媒体报道7次。" — all cumulative; "本站共发出…" for a station;
    "截至2026年12月6日，…" for a month counted up to a day before its last.

    In the interface language; ``say`` :func:`~grassroots_tui.lang.chinese` for an
    official document, which is Chinese whatever the language."""
    tr = say  # named so, its literal message ids are found (tests/test_messages.py)
    f = station.figures if station is not None else stats.total
    year, month = (int(part) for part in stats.month.split("-"))
    end = stats.period_end
    until = (
        tr("{year}年{month}月底", year=year, month=month)
        if end == month_bounds((year, month))[1]
        else _day_text(end, say)
    )
    figures = {
        "until": until,
        "slips": f.slips_issued_cumulative,
        "households": f.households_visited_cumulative,
        "rate": rate_text(f.visit_rate_cumulative),
        "raised": f.issues_raised_cumulative,
        "resolved": f.issues_resolved_cumulative,
        "media": f.media_reports_cumulative,
    }
    if station is not None:
        return tr(
            "截至{until}，本站共发出交办单{slips}件，走访群众{households}户，"
            "累计走访率{rate}，累计反映问题{raised}个，累计已解决{resolved}个，"
            "媒体报道{media}次。",
            **figures,
        )
    return tr(
        "截至{until}，共发出交办单{slips}件，走访群众{households}户，"
        "累计走访率{rate}，累计反映问题{raised}个，累计已解决{resolved}个，"
        "媒体报道{media}次。",
        **figures,
    )


def _months_back(year: int, month: int, count: int) -> Iterable[tuple[int, int]]:
    index = year * 12 + month - 1
    for i in range(index - count + 1, index + 1):
        yield i // 12, i % 12 + 1


def trend(
    store: Any,
    *,
    year: int,
    month: int,
    months: int = 12,
    station_code: str | None = None,
    calendar: Any = None,
    rounding: str = DEFAULT_RATE_ROUNDING,
    today: date | None = None,
) -> list[tuple[str, Figures]]:
    """The figures of the ``months`` months up to and including the given one, oldest
    first, each with its own reporting year (1 January of that month's year)."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for y, m in _months_back(year, month, max(1, months)):
        by_year[y].append(m)
    data = _data(store, date(min(by_year), 1, 1))
    out: list[tuple[str, Figures]] = []
    for y, numbers in by_year.items():  # one walk over the visits per reporting year
        built = _build(
            data,
            calendar,
            year=y,
            months=numbers,
            station_code=station_code,
            year_start=None,
            rounding=rounding,
            today=today,
        )
        out.extend((stats.month, stats.total) for stats in built)
    return out


# -- JSON ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def figures_json(figures: Figures) -> dict[str, Any]:
    """The figures as a JSON-ready dict; Decimals become numbers (81.65), a rate with
    nothing to divide by null."""
    return {f.name: _plain(getattr(figures, f.name)) for f in fields(figures)}


def stats_json(stats: MonthStats) -> dict[str, Any]:
    """The statistics as a JSON-ready dict: month, period, summary, total and the rows
    (``stations``: each station, then the office's own row and the removed stations'
    row when they count something; the total is their sum)."""
    return {
        "month": stats.month,
        "period_start": stats.period_start.isoformat(),
        "period_end": stats.period_end.isoformat(),
        "rounding": stats.rounding,
        "summary": stats.summary,
        "total": figures_json(stats.total),
        "stations": [
            {"station": {"code": s.code, "name": s.name}, **figures_json(s.figures)}
            for s in stats.rows
        ],
    }
