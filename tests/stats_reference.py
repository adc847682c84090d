"""The first, plain implementation of the monthly figures, kept as the test oracle
(its computing part; the result types and the small parsing helpers are the service's
own). The rates and their rounding rules, the office's and removed stations' rows, the
end of a month in progress and the summary sentence are worked out here, not imported.

It filters every table once per station, straight from the definitions (README
"Definitions"); the service computes the same figures in one grouped pass over prepared
indexes. ``tests/test_statistics_reference.py`` checks that both agree on every figure,
station and month of a perturbed demo store.

The slip figures are taken as of the end of the period from the dated steps of each
slip. They are worked out here from the definitions alone, and nothing is imported from
the code they check (the ``services/slips/`` package, its clock included, the computing
part of ``services/statistics.py``); only ``compute_due`` is, which is checked on its own
against the official calendar. Where the service replays every slip's steps once into a
timeline, this oracle asks each question afresh of the steps dated up to the day asked
about (:class:`_SlipSteps`):

- the steps of one day are taken in the order the lifecycle allows (each time the first
  of issue, accept, return, extension, reply, call-back, close, withdraw that the state
  then allows), never by when they were recorded;
- the state on a day is what the last step so far made of the slip (a closed or
  withdrawn slip stays so);
- the effective due date on a day is the latest deadline event since the latest issue
  (issue, extension, 不满意 call-back; on one day the later date);
- each issue's reply deadline is worked out from the steps between that issue and the
  next one.

A stored slip (schema version 2) keeps no state, number or dates of its own: they come
from its steps, the ``slip_issue`` documents above all (their days; the latest issue's
number). A slip upgraded from schema version 1 keeps what it said of itself in its
``legacy`` block, and a plain dict store may still hold such a slip unupgraded, with
those fields at the top: either way the README's rules for stores made before steps had
their own dates fill in the steps it lacks (:func:`_legacy`). With neither steps nor a
legacy block a slip is a draft.
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
from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.hardship import totals_by_form, totals_by_source
from grassroots_tui.services.rosters import is_late
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

_WALK_IN = frozenset({SlipSource.HOTLINE.value, SlipSource.WALK_IN.value})
_GOOD = frozenset({"satisfied", "basically_satisfied"})

# -- slips, from their dated steps -------------------------------------------------------

#: Each step kind and the field holding its date, in the order the lifecycle allows the
#: steps of one day: issue, accept, return, extension, reply, call-back, close, withdraw.
_STEP_DAY = {
    "slip_issue": "issued_on",
    "slip_accept": "accepted_on",
    "slip_return": "returned_on",
    "slip_extension": "requested_on",
    "reply": "reply_date",
    "slip_callback": "date",
    "slip_close": "closed_on",
    "slip_withdrawal": "withdrawn_on",
}
_ORDER = {kind: rank for rank, kind in enumerate(_STEP_DAY)}
_DEFAULT_RULE = "15日"

_DRAFTED = SlipState.DRAFTED.value
_ISSUED = SlipState.ISSUED.value
_ACCEPTED = SlipState.ACCEPTED.value
_RETURNED = SlipState.RETURNED.value
_EXTENDED = SlipState.EXTENDED.value
_REPLIED = SlipState.REPLIED.value
_REDO = SlipState.REDO.value
_CLOSED = SlipState.CLOSED.value
_WITHDRAWN = SlipState.WITHDRAWN.value
#: Open: issued and not yet replied, closed, returned or withdrawn; or sent back for redo.
_OPEN = frozenset({_ISSUED, _ACCEPTED, _EXTENDED, _REDO})
#: The state each step leaves the slip in (a call-back: by its satisfaction).
_STATE_AFTER = {
    "slip_issue": _ISSUED,
    "slip_accept": _ACCEPTED,
    "slip_return": _RETURNED,
    "slip_extension": _EXTENDED,
    "reply": _REPLIED,
    "slip_close": _CLOSED,
    "slip_withdrawal": _WITHDRAWN,
}


#: The states each step may be taken from (services/slips/lifecycle.py's rules, written out).
_TAKEN_FROM = {
    "slip_issue": {_DRAFTED, _RETURNED},
    "slip_accept": {_ISSUED},
    "slip_return": {_ISSUED},
    "slip_extension": _OPEN,
    "reply": _OPEN,
    "slip_callback": {_REPLIED},
    "slip_close": {_REPLIED},
    "slip_withdrawal": {_DRAFTED, _RETURNED, _ISSUED, _ACCEPTED, _EXTENDED},
}


#: What a slip of schema version 1 kept itself, written out (not imported from the model).
_LEGACY_FIELDS = (
    "state",
    "number",
    "issue_date",
    "due_date",
    "original_due_date",
    "withdraw_reason",
)


def _legacy(slip: dict[str, Any]) -> dict[str, Any] | None:
    """What a slip from before dated steps said of itself: its ``legacy`` block once
    upgraded; the same fields at the top of a slip of schema version 1 (its state, when
    left out, the model's default then: a draft); None for a slip of today."""
    block = slip.get("legacy")
    if block is not None:
        return block
    kept = {name: slip.get(name) for name in _LEGACY_FIELDS if slip.get(name) not in (None, "")}
    if not kept:
        return None
    return {"state": _DRAFTED, **kept}


def _after(state: str, step: tuple[str, str, dict[str, Any]]) -> str:
    if step[1] == "slip_callback":
        return _CLOSED if step[2].get("satisfaction") in _GOOD else _REDO
    return _STATE_AFTER[step[1]]


def _in_lifecycle_order(
    steps: list[tuple[str, str, dict[str, Any]]],
) -> list[tuple[str, str, dict[str, Any]]]:
    """The steps day by day; within a day, each time the first (issue, accept, return,
    extension, reply, call-back, close, withdraw) that the slip's state then allows, so
    that a redo replied on the day of the 不满意 call-back, or extended that day, comes
    after the call-back. A step no state allows keeps its place in that order."""
    by_day: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for step in steps:
        by_day[step[0]].append(step)
    out: list[tuple[str, str, dict[str, Any]]] = []
    state = _DRAFTED
    for day in sorted(by_day):
        left = sorted(by_day[day], key=lambda step: _ORDER[step[1]])
        while left:
            step = next((s for s in left if state in _TAKEN_FROM[s[1]]), left[0])
            left.remove(step)
            out.append(step)
            state = _after(state, step)
    return out


def _unsatisfied(step: tuple[str, str, dict[str, Any]]) -> bool:
    return step[1] == "slip_callback" and step[2].get("satisfaction") not in _GOOD


class _SlipSteps:
    """One slip's dated steps, oldest first (one day's in lifecycle order), with the
    steps a store from before dated steps lacks filled in from what it stored."""

    def __init__(self, slip: dict[str, Any], docs: dict[str, list[dict[str, Any]]], calendar):
        self.rule = slip.get("deadline_rule") or _DEFAULT_RULE
        self.calendar = calendar
        steps = [
            (_iso(doc.get(field)), kind, doc)
            for kind, field in _STEP_DAY.items()
            for doc in docs.get(kind, ())
            if _iso(doc.get(field))
        ]
        legacy = _legacy(slip)
        steps += self._missing(legacy, docs, steps)
        self.steps = _in_lifecycle_order(steps)
        issues = [step for step in self.steps if step[1] == "slip_issue"]
        #: The day of the first issue; None for a slip never issued (a draft).
        self.first_issued = issues[0][0] if issues else None
        #: The latest issue's number (one without: the number the slip kept, else the
        #: issue's before); None for a draft.
        self.number: str | None = None
        for _, _, doc in issues:
            self.number = doc.get("number") or (legacy or {}).get("number") or self.number

    @staticmethod
    def _missing(
        legacy: dict[str, Any] | None,
        docs: dict[str, list[dict[str, Any]]],
        steps: list[tuple[str, str, dict[str, Any]]],
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """The README's rules for stores made before steps had their own dates, applied
        to what the slip said of itself (``legacy``)."""
        if legacy is None:
            return []
        state, issued = legacy.get("state"), _iso(legacy.get("issue_date"))
        if not issued or state == _DRAFTED:
            return []
        added: list[tuple[str, str, dict[str, Any]]] = []
        if not docs.get("slip_issue"):
            added.append((issued, "slip_issue", {"number": legacy.get("number")}))
            returns = sorted(day for day, kind, _ in steps if kind == "slip_return")
            if returns and returns[0] < issued:  # first issued at the latest that day
                added.append((returns[0], "slip_issue", {}))
        first = min(day for day, kind, _ in steps + added if kind == "slip_issue")
        if state == _ACCEPTED and not docs.get("slip_accept"):
            added.append((issued, "slip_accept", {}))
        if state == _WITHDRAWN and not docs.get("slip_withdrawal"):
            added.append((first, "slip_withdrawal", {}))
        if state == _CLOSED and not docs.get("slip_close"):
            good = [c for c in docs.get("slip_callback", ()) if c.get("satisfaction") in _GOOD]
            replies = [day for day, kind, _ in steps if kind == "reply"]
            if not good and replies:
                added.append((max(replies), "slip_close", {}))
        return added

    def _due_from(self, day: str) -> str:
        """The slip's rule counted from ``day`` (ISO)."""
        return compute_due(date.fromisoformat(day), self.rule, self.calendar).date.isoformat()

    def state_on(self, day: str) -> str:
        """The state at the end of ``day``: what the last step made of the slip so far."""
        state = _DRAFTED
        for when, kind, doc in self.steps:
            if when > day or state in (_CLOSED, _WITHDRAWN):
                break
            state = _after(state, (when, kind, doc))
        return state

    def due_on(self, day: str) -> str | None:
        """The effective due date as known on ``day``: of the deadline events since the
        latest issue dated up to ``day``, the latest; on one day the later due date."""
        issues = [when for when, kind, _ in self.steps if kind == "slip_issue" and when <= day]
        if not issues:
            return None
        since = issues[-1]
        events = [(since, self._due_from(since))]
        for when, kind, doc in self.steps:
            if not since <= when <= day:
                continue
            if kind == "slip_extension":
                events.append((when, _iso(doc.get("new_due_date"))))
            elif _unsatisfied((when, kind, doc)):
                events.append((when, self._due_from(when)))
        return max(events)[1]

    def overdue_on(self, day: str) -> bool:
        due = self.due_on(day)
        return self.state_on(day) in _OPEN and due is not None and due < day

    def closed_by(self, day: str) -> bool:
        return self.state_on(day) == _CLOSED

    def issues_known_on(self, day: str) -> list[tuple[str, str, str | None, str | None]]:
        """Each issue known on ``day``: (issued on, reply deadline, first reply, the day
        it ended unanswered by a return or withdrawal), from its own steps up to ``day``."""
        rounds: list[list[tuple[str, str, dict[str, Any]]]] = []
        for step in self.steps:
            if step[0] > day:
                break
            if step[1] == "slip_issue":
                rounds.append([step])
            elif rounds:
                rounds[-1].append(step)
        out = []
        for (issued, _, _), *later in rounds:
            deadline, replied, ended = self._due_from(issued), None, None
            for when, kind, doc in later:
                if replied is not None or ended is not None:
                    break
                if kind == "reply":
                    replied = when
                elif kind in ("slip_return", "slip_withdrawal"):
                    ended = when
                elif kind == "slip_extension" and when <= deadline:
                    deadline = _iso(doc.get("new_due_date"))
            out.append((issued, deadline, replied, ended))
        return out

    def judged_in(self, first: str, end: str) -> list[bool]:
        """For each issue whose reply deadline falls in ``first``..``end`` (as known on
        ``end``) and that did not end unanswered by then, whether it was replied on time."""
        return [
            replied is not None and replied <= deadline
            for _, deadline, replied, ended in self.issues_known_on(end)
            if first <= deadline <= end and not (ended is not None and ended <= deadline)
        ]


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
        self.household_by_id = {h["id"]: h for h in self.households}
        self.visits = raw("visit")
        self.slips = raw("handoff_slip")
        self.replies: dict[str, list[str]] = defaultdict(list)
        for r in raw("reply"):
            self.replies[r.get("slip_id")].append(_iso(r.get("reply_date")))
        self.slip_station = {s["id"]: s.get("station_id") for s in self.slips}
        self.slip_by_id = {s["id"]: s for s in self.slips}
        self.slip_of_problem = {s.get("problem_id"): s for s in self.slips if s.get("problem_id")}
        self.step_docs: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for kind in _STEP_DAY:
            for doc in raw(kind):
                self.step_docs[doc.get("slip_id")][kind].append(doc)
        self.returns = raw("slip_return")
        self.extensions = raw("slip_extension")
        self.callbacks = raw("slip_callback")
        self.activities = raw("station_activity")
        self.cases = raw("hardship_case")
        self.assistances = raw("assistance")
        self.leave = raw("leave_request")
        self.checks = raw("supervision_check")
        self._steps: dict[str, _SlipSteps] = {}

    def steps(self, slip: dict[str, Any]) -> _SlipSteps:
        if slip["id"] not in self._steps:
            docs = self.step_docs.get(slip["id"], {})
            self._steps[slip["id"]] = _SlipSteps(slip, docs, self.calendar)
        return self._steps[slip["id"]]

    def problem_slip(self, problem: dict[str, Any]) -> dict[str, Any] | None:
        """The slip a problem was handed off on: 已交办 or 后续解决 with the id of a slip
        that exists, or 已交办 named by a slip's ``problem_id``."""
        state = problem.get("state")
        if state not in (ProblemState.HANDED_OFF.value, ProblemState.SOLVED_LATER.value):
            return None
        slip = self.slip_by_id.get(problem.get("slip_id"))
        if slip is None and state == ProblemState.HANDED_OFF.value:
            slip = self.slip_of_problem.get(problem.get("id"))
        return slip

    def counted_for(self, visit: dict[str, Any]) -> Any:
        """The station a visit counts for: its household's; the visiting station's for a
        household not in the registry."""
        household = self.household_by_id.get(visit.get("household_id"))
        return household.get("station_id") if household is not None else visit.get("station_id")


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
        if not (start <= day <= end):
            continue
        in_month = day >= first
        # Issues raised count for the household's station, whoever made the visit.
        if owns(data.counted_for(visit)):
            for problem in visit.get("problems") or ():
                state = problem.get("state")
                slip = data.problem_slip(problem)
                if state == ProblemState.SOLVED_ON_SPOT.value:
                    solved = True
                elif slip is not None:  # handed off: solved when its slip was closed
                    solved = data.steps(slip).closed_by(end)
                elif state == ProblemState.SOLVED_LATER.value:
                    solved = bool(problem.get("solved_on")) and _iso(problem["solved_on"]) <= end
                else:
                    solved = False
                raised_cum += 1
                resolved_cum += solved
                if in_month:
                    raised_month += 1
                    resolved_month += solved
        # Kinds and off hours: the month's visits to this station's registered households.
        if not in_month or visit.get("household_id") not in registered:
            continue
        kind = visit.get("visit_kind") or VisitKind.DOOR.value
        label = VisitKind(kind).label if kind in VisitKind._value2member_map_ else str(kind)
        by_kind[label] = by_kind.get(label, 0) + 1
        # Off hours by the working hours of the station that made the visit.
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

    # Slips, each as it stood at the end of the period.
    issued_month = issued_cum = overdue = due_month = on_time = 0
    for slip in data.slips:
        if not mine(slip):
            continue
        steps = data.steps(slip)
        issued = steps.first_issued
        if issued is None or issued > end:  # a draft, or not issued yet
            continue
        if start <= issued:
            issued_cum += 1
            issued_month += issued >= first
            if slip.get("source") in _WALK_IN and not slip.get("problem_id"):
                solved = steps.closed_by(end)
                raised_cum += 1
                resolved_cum += solved
                if issued >= first:
                    raised_month += 1
                    resolved_month += solved
        overdue += steps.overdue_on(end)
        judged = steps.judged_in(first, end)
        if judged:  # a slip counts once (two issues due in one month: both on time)
            due_month += 1
            on_time += all(judged)

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
