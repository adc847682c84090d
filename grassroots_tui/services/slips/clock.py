"""The slip clock: where one handoff slip stands on any day, from the dates of its steps.

Every reader that asks "is this slip open, when is it due, is it late" asks here: the
slip list and its detail pane, the overdue board and ``slips overdue``, reminders and
prints, and the monthly statistics. "As of the end of September" is a day like any
other, so a closed month's figures do not move when later steps are recorded.

The steps are dated documents (``models/slip_actions.py``): issue, acceptance, return,
extension, reply, callback, close and withdrawal. :func:`timeline` replays them in
date order (steps of one day in lifecycle order) into a :class:`Timeline`: the state on
each day, the effective due date on each day, and each issue round's reply deadline.

The rules (README "Definitions"):

- **effective due date**: the latest deadline event wins: the issue (the slip's rule
  counted from the issue date), an extension (its new due date) or a 不满意 callback (the
  rule counted afresh from the callback date, 重办). Events of one day: the later due
  date wins. A date worked out for a year without holiday data is provisional.
- **open** (the clock runs): 已交办、已受理、已延期、重办. **overdue** on a day: open on that
  day and its effective due date, as known that day, is before it.
- **reply deadline** of an issue round (what "replied on time" is judged against): the
  rule counted from that issue, moved by every extension asked on or before the
  deadline then in force and before the round's first reply. An extension asked after
  the deadline does not make a late slip on time, and a redo's deadline never does.
- A round **ends** without a reply when the slip is returned (退单) or withdrawn (撤回):
  such a round is not due. A slip withdrawn after its reply deadline passed unanswered
  was due, and late, in the month of that deadline.
- The **first issue date** is the date of the slip's first issue: a slip returned and
  issued again counts once, in the month it was first issued.
- **closed on**: the day of the satisfied (满意/基本满意) callback or of the 办结 step.

Stores written before the steps had their own dates lack some of them; what is known
stands in, so the derived state today is the stored one: an issued slip with no issue
step was issued on its ``issue_date`` (and, if it had been returned before that, first
issued on the day of its first return); a slip stored as 已受理 was accepted the day it
was issued; a slip stored as 已办结 with no closing step and no satisfied callback was
closed on the day of its last reply; a slip stored as 已撤回 with no withdrawal step was
withdrawn the day it was issued (never due).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from grassroots_tui.models.slip import (
    DEFAULT_DEADLINE_RULE,
    LEGACY_FIELDS,
    HandoffSlip,
    SlipState,
    SlipView,
)
from grassroots_tui.models.slip_actions import Satisfaction
from grassroots_tui.services.deadlines import Due, SlipClock, compute_due, slip_status
from grassroots_tui.services.fields import field as _get
from grassroots_tui.services.fields import optional_date as _date
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

__all__ = [
    "OPEN_STATES",
    "STEP_KINDS",
    "Round",
    "SlipSteps",
    "Timeline",
    "due_and_clock",
    "effective_due",
    "slip_timeline",
    "steps_by_slip",
    "timeline",
    "timeline_of",
    "timelines",
    "view_of",
    "views",
]

#: States in which the slip's clock runs: the board, reminders and the overdue figure
#: look only at these.
OPEN_STATES = frozenset({SlipState.ISSUED, SlipState.ACCEPTED, SlipState.EXTENDED, SlipState.REDO})

#: The step document kinds, with the field holding each one's date.
STEP_KINDS: dict[str, str] = {
    "slip_issue": "issued_on",
    "slip_accept": "accepted_on",
    "slip_return": "returned_on",
    "slip_extension": "requested_on",
    "reply": "reply_date",
    "slip_callback": "date",
    "slip_close": "closed_on",
    "slip_withdrawal": "withdrawn_on",
}
#: The kinds a timeline reads: a change to any of them rebuilds the cached timelines.
TIMELINE_KINDS = ("handoff_slip", *STEP_KINDS)

# Steps of one day are replayed in the order the lifecycle allows them.
_RANK = {
    "slip_issue": 0,
    "slip_accept": 1,
    "slip_return": 2,
    "slip_extension": 3,
    "reply": 4,
    "slip_callback": 5,
    "slip_close": 6,
    "slip_withdrawal": 7,
}
_UNSATISFIED = Satisfaction.UNSATISFIED.value


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


class SlipSteps:
    """The step documents of many slips, grouped by slip id and kind."""

    def __init__(self, docs_by_kind: Mapping[str, Iterable[Any]] | None = None) -> None:
        self._by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for kind in STEP_KINDS:
            for doc in (docs_by_kind or {}).get(kind, ()):
                self._by[_get(doc, "slip_id")][kind].append(doc)

    @classmethod
    def from_store(cls, store: Any) -> SlipSteps:
        return cls({kind: store.raw(kind) for kind in STEP_KINDS})

    def of(self, slip_id: str) -> Mapping[str, list[Any]]:
        return self._by.get(slip_id) or {}


def steps_by_slip(store: Any) -> SlipSteps:
    """The store's step documents grouped by slip, rebuilt only after one changes."""
    derived = getattr(store, "derived", None)
    if derived is None:
        return SlipSteps.from_store(store)
    return derived("slips.steps", tuple(STEP_KINDS), lambda: SlipSteps.from_store(store))


@dataclass(frozen=True)
class Round:
    """One issue of the slip to its handling unit."""

    issued_on: dt.date
    #: The deadline the first reply of this round is judged against (see module doc).
    reply_due: Due | None
    first_reply: dt.date | None = None
    #: The day the round ended without a reply (退单 or 撤回), if it did.
    ended_on: dt.date | None = None
    #: The number the slip was issued under (kept when it is issued again).
    number: str | None = None
    #: The due date before the round's first extension (原应办结日期), if extended.
    original_due: dt.date | None = None


@dataclass(frozen=True)
class Timeline:
    """One slip's life: state, effective due date and rounds, each from a day on."""

    slip_id: str
    #: (from this day, the state) in date order; before the first, 草拟.
    states: tuple[tuple[dt.date, SlipState], ...] = ()
    #: (from this day, the effective due date) in date order.
    dues: tuple[tuple[dt.date, Due], ...] = ()
    rounds: tuple[Round, ...] = ()
    #: The day the slip was closed (满意/基本满意 callback or 办结), if it was.
    closed_on: dt.date | None = None
    #: No step explains the stored state, which stands from the last step's day (see
    #: :func:`timeline`); ``grassroots check`` reports such slips.
    disagrees: bool = False
    #: Why the slip was withdrawn (撤回理由), if it was.
    withdraw_reason: str = ""
    #: Each step document replayed: (its id, state before, state after, effective due
    #: date after), in the order replayed (the history says what each step changed).
    steps: tuple[tuple[str, SlipState, SlipState, dt.date | None], ...] = ()
    _state_days: tuple[dt.date, ...] = field(default=(), repr=False, compare=False)
    _due_days: tuple[dt.date, ...] = field(default=(), repr=False, compare=False)

    @property
    def first_issued(self) -> dt.date | None:
        return self.rounds[0].issued_on if self.rounds else None

    @property
    def number(self) -> str | None:
        """The slip's number: the one its latest issue carries (a slip issued again keeps
        its number)."""
        for item in reversed(self.rounds):
            if item.number:
                return item.number
        return None

    def state_on(self, day: dt.date) -> SlipState:
        at = bisect_right(self._state_days, day)
        return self.states[at - 1][1] if at else SlipState.DRAFTED

    def due_on(self, day: dt.date) -> Due | None:
        """The effective due date as known on ``day`` (None before the first issue)."""
        at = bisect_right(self._due_days, day)
        return self.dues[at - 1][1] if at else None

    @property
    def state(self) -> SlipState:
        return self.states[-1][1] if self.states else SlipState.DRAFTED

    @property
    def due(self) -> Due | None:
        return self.dues[-1][1] if self.dues else None

    def open_on(self, day: dt.date) -> bool:
        return self.state_on(day) in OPEN_STATES

    def overdue_on(self, day: dt.date) -> bool:
        """Open on ``day`` with its effective due date (as known that day) before it."""
        if not self.open_on(day):
            return False
        due = self.due_on(day)
        return due is not None and due.date < day

    def clock_on(
        self, day: dt.date, *, warn_days: int, calendar: OfficialCalendar | None
    ) -> SlipClock | None:
        """The clock (正常/预警/今日到期/超期/通报) on ``day``; None when the slip is not
        open that day (its clock does not run)."""
        if not self.open_on(day):
            return None
        due = self.due_on(day)
        if due is None:
            return None
        return slip_status(due.date, day, warn_days, calendar)

    def reply_deadline_in(self, first: dt.date, end: dt.date) -> tuple[Round, bool] | None:
        """The round whose reply deadline falls in ``first``..``end`` as known on ``end``,
        with whether its first reply came on time; None if no round was due then.

        A round that ended (退单, 撤回) on or before its deadline is not due; a round
        issued after ``end`` is not known on ``end``."""
        for item in self.rounds:
            if item.issued_on > end or item.reply_due is None:
                continue
            due = item.reply_due.date
            if not first <= due <= end:
                continue
            if item.ended_on is not None and item.ended_on <= due:
                continue
            reply = item.first_reply
            return item, reply is not None and reply <= due
        return None


#: Due dates already worked out while building many timelines: (day, rule) → Due.
_Memo = dict[tuple[dt.date, str], Due]


def _rule_due(
    day: dt.date, rule: str, calendar: OfficialCalendar | None, fallback: Any, memo: _Memo
) -> Due:
    key = (day, rule)
    found = memo.get(key)
    if found is not None:
        return found
    try:
        found = memo[key] = compute_due(day, rule, calendar)
        return found
    except ValueError as error:  # a stored rule nobody can read: the stored date, flagged
        stored = _date(fallback) or day
        return Due(stored, provisional=True, reason=str(error))


_STATES = {state.value: state for state in SlipState}


def legacy_of(slip: Any) -> Mapping[str, Any] | None:
    """What a slip of schema version 1 kept itself (state, number, dates): its ``legacy``
    block once upgraded, the fields themselves before; None for a slip of today."""
    block = _get(slip, "legacy")
    if block is not None:
        return block if isinstance(block, Mapping) else block.model_dump()
    # A stored slip of schema version 1, as a plain dict (a worked-out SlipView has a
    # state too, but it is not what the slip kept).
    if isinstance(slip, Mapping) and slip.get("state") is not None:
        return {name: slip.get(name) for name in LEGACY_FIELDS}
    return None


def _stored_state(legacy: Mapping[str, Any] | None) -> SlipState | None:
    return _STATES.get(_value(legacy.get("state"))) if legacy else None


def _legacy_steps(
    legacy: Mapping[str, Any] | None, have: Mapping[str, list[Any]]
) -> list[tuple[dt.date, str, Any]]:
    """Steps a store from before dated steps lacks, from what it does know."""
    out: list[tuple[dt.date, str, Any]] = []
    if not legacy:
        return out
    state = _value(legacy.get("state"))
    issued = _date(legacy.get("issue_date"))
    if issued is None:
        return out
    if not have.get("slip_issue"):
        out.append((issued, "slip_issue", None))
        returns = sorted(
            d for d in (_date(_get(r, "returned_on")) for r in have.get("slip_return", ())) if d
        )
        if returns and returns[0] < issued:
            out.append((returns[0], "slip_issue", None))
    first = min(day for day, _, _ in out) if out else issued
    if state == SlipState.ACCEPTED.value and not have.get("slip_accept"):
        out.append((issued, "slip_accept", None))
    if state == SlipState.WITHDRAWN.value and not have.get("slip_withdrawal"):
        out.append((first, "slip_withdrawal", None))
    if state == SlipState.CLOSED.value and not have.get("slip_close"):
        satisfied = any(
            _value(_get(c, "satisfaction")) != _UNSATISFIED for c in have.get("slip_callback", ())
        )
        replies = [d for d in (_date(_get(r, "reply_date")) for r in have.get("reply", ())) if d]
        if not satisfied and replies:
            out.append((max(replies), "slip_close", None))
    return out


#: The states in which each step can be taken (slips/lifecycle.py enforces them).
_TAKES: dict[str, frozenset[SlipState]] = {
    "slip_issue": frozenset({SlipState.DRAFTED, SlipState.RETURNED}),
    "slip_accept": frozenset({SlipState.ISSUED}),
    "slip_return": frozenset({SlipState.ISSUED, SlipState.ACCEPTED}),
    "slip_extension": OPEN_STATES,
    "reply": OPEN_STATES,
    "slip_callback": frozenset({SlipState.REPLIED}),
    "slip_close": frozenset({SlipState.REPLIED}),
    "slip_withdrawal": frozenset(
        {SlipState.DRAFTED, SlipState.RETURNED, SlipState.ISSUED, SlipState.ACCEPTED}
        | {SlipState.EXTENDED}
    ),
    "legacy_state": frozenset(SlipState),
}

_Event = tuple[dt.date, str, int, str, Any]


def _in_lifecycle_order(events: list[_Event], current: Callable[[], SlipState]) -> Iterator[_Event]:
    """``events`` (sorted by day, recording time, rank), with the steps of one day and
    one recording time (one transaction, or a store that does not say when) taken in an
    order the lifecycle allows: each time the first that the slip's state at that moment
    can take (a redo's reply after the 不满意 call-back of the same day, not before)."""
    at = 0
    while at < len(events):
        end = at + 1
        while end < len(events) and events[end][:2] == events[at][:2]:
            end += 1
        group = events[at:end]
        while group:
            state = current()
            pick = next((e for e in group if state in _TAKES[e[3]]), group[0])
            group.remove(pick)
            yield pick
        at = end


def timeline(
    slip: Any,
    steps: Mapping[str, list[Any]],
    calendar: OfficialCalendar | None,
    memo: _Memo | None = None,
) -> Timeline:
    """Replay ``slip``'s ``steps`` (kind → documents) into its :class:`Timeline`.
    ``memo``: due dates shared between the slips of one calendar."""
    memo = {} if memo is None else memo
    rule = _get(slip, "deadline_rule") or DEFAULT_DEADLINE_RULE
    legacy = legacy_of(slip)
    stored_due = legacy.get("due_date") if legacy else None
    legacy_number = (legacy.get("number") or None) if legacy else None
    withdraw_reason = (legacy.get("withdraw_reason") or "") if legacy else ""
    # Steps of one day in the order they were recorded (a slip can be returned and
    # issued again the same day), then in lifecycle order (one transaction's steps).
    events: list[_Event] = []
    for kind, date_field in STEP_KINDS.items():
        for doc in steps.get(kind, ()):
            day = _date(_get(doc, date_field))
            if day is not None:
                recorded = _get(doc, "created_at")
                events.append((day, str(recorded or ""), _RANK[kind], kind, doc))
    # Stood in for: an issue before anything recorded that day, the rest after what was
    # recorded before the upgrade (and before what the state it kept says).
    as_of = str(_get(slip, "updated_at") or _get(slip, "created_at") or "") if legacy else ""
    for day, kind, doc in _legacy_steps(legacy, steps):
        recorded = "" if kind == "slip_issue" else as_of + "\uffff"
        events.append((day, recorded, _RANK[kind], kind, doc))
    # What a slip of schema version 1 said of itself stands where its record ended: after
    # the steps recorded by then (each step rewrote the slip, so its last change is when),
    # before any step recorded since the upgrade. A state no step explains (a store
    # edited by hand, or steps lost) is taken as said, and the timeline says so.
    stored = _stored_state(legacy)
    if stored is not None and events:
        era = [e[0] for e in events if not as_of or e[1] <= as_of + "\uffff"]
        if era:
            events.append((max(era), as_of + "\uffff\uffff", 99, "legacy_state", stored))
    events.sort(key=lambda e: (e[0], e[1], e[2]))

    state = SlipState.DRAFTED
    states: list[tuple[dt.date, SlipState]] = []
    dues: list[tuple[dt.date, Due]] = []
    rounds: list[Round] = []
    closed_on: dt.date | None = None
    last_due_day: dt.date | None = None
    steps_seen: list[tuple[str, SlipState, SlipState, dt.date | None]] = []

    def move(day: dt.date, new: SlipState) -> None:
        nonlocal state
        state = new
        if states and states[-1][0] == day:
            states[-1] = (day, new)
        else:
            states.append((day, new))

    def set_due(day: dt.date, due: Due) -> None:
        nonlocal last_due_day
        if dues and dues[-1][0] == day:
            # Two deadline events of one day: the later due date wins, whatever the
            # order they were typed in.
            if last_due_day == day and due.date < dues[-1][1].date:
                return
            dues[-1] = (day, due)
        else:
            dues.append((day, due))
        last_due_day = day

    def update_round(**change: Any) -> None:
        if rounds:
            rounds[-1] = replace(rounds[-1], **change)

    disagrees = False

    def apply(day: dt.date, kind: str, doc: Any) -> None:
        nonlocal closed_on, withdraw_reason, disagrees
        if kind == "legacy_state":
            if doc is state:
                return
            if doc in (SlipState.RETURNED, SlipState.WITHDRAWN, SlipState.CLOSED):
                if rounds and rounds[-1].first_reply is None and rounds[-1].ended_on is None:
                    update_round(ended_on=day)
            if doc is SlipState.CLOSED:
                closed_on = day
            move(day, doc)
            disagrees = True
            return
        if kind == "slip_issue":
            if state not in (SlipState.DRAFTED, SlipState.RETURNED):
                return
            due = _rule_due(day, rule, calendar, stored_due, memo)
            number = (_get(doc, "number") if doc is not None else None) or legacy_number
            if number is None and rounds:
                number = rounds[-1].number
            rounds.append(Round(issued_on=day, reply_due=due, number=number))
            set_due(day, due)
            move(day, SlipState.ISSUED)
        elif kind == "slip_withdrawal":
            if state in (SlipState.CLOSED, SlipState.WITHDRAWN, SlipState.REPLIED):
                return
            if rounds and rounds[-1].first_reply is None and state is not SlipState.RETURNED:
                update_round(ended_on=day)
            if doc is not None:
                withdraw_reason = _get(doc, "reason") or withdraw_reason
            move(day, SlipState.WITHDRAWN)
        elif state in (SlipState.DRAFTED, SlipState.CLOSED, SlipState.WITHDRAWN):
            return  # nothing acts on a slip not issued, or finished
        elif kind == "slip_accept":
            if state is SlipState.ISSUED:
                move(day, SlipState.ACCEPTED)
        elif kind == "slip_return":
            update_round(ended_on=day)
            move(day, SlipState.RETURNED)
        elif kind == "slip_extension":
            new_due = _date(_get(doc, "new_due_date"))
            if new_due is None or state not in OPEN_STATES:
                return
            current = rounds[-1] if rounds else None
            if (
                current is not None
                and current.first_reply is None
                and current.reply_due is not None
                and day <= current.reply_due.date
                and new_due > current.reply_due.date
            ):
                update_round(reply_due=Due(new_due))
            if current is not None and current.original_due is None and dues:
                update_round(original_due=dues[-1][1].date)
            set_due(day, Due(new_due))
            move(day, SlipState.EXTENDED)
        elif kind == "reply":
            if rounds and rounds[-1].first_reply is None:
                update_round(first_reply=day)
            move(day, SlipState.REPLIED)
        elif kind == "slip_callback":
            if state is not SlipState.REPLIED:
                return
            if _value(_get(doc, "satisfaction")) == _UNSATISFIED:
                set_due(day, _rule_due(day, rule, calendar, stored_due, memo))
                move(day, SlipState.REDO)
            else:
                closed_on = day
                move(day, SlipState.CLOSED)
        elif kind == "slip_close":
            if state is SlipState.REPLIED:
                closed_on = day
                move(day, SlipState.CLOSED)

    for day, _, _, kind, doc in _in_lifecycle_order(events, lambda: state):
        before = state
        apply(day, kind, doc)
        doc_id = _get(doc, "id") if doc is not None and kind != "legacy_state" else None
        if doc_id:
            steps_seen.append((doc_id, before, state, dues[-1][1].date if dues else None))

    return Timeline(
        slip_id=_get(slip, "id"),
        states=tuple(states),
        dues=tuple(dues),
        rounds=tuple(rounds),
        closed_on=closed_on,
        disagrees=disagrees,
        withdraw_reason=withdraw_reason,
        steps=tuple(steps_seen),
        _state_days=tuple(day for day, _ in states),
        _due_days=tuple(day for day, _ in dues),
    )


def timelines(store: Any, calendar: OfficialCalendar | None) -> dict[str, Timeline]:
    """Every slip's timeline by id, kept until a slip or a step changes (or another
    calendar is asked for)."""

    def build() -> dict[str, Timeline]:
        steps = SlipSteps.from_store(store)
        memo: _Memo = {}
        return {
            slip["id"]: timeline(slip, steps.of(slip["id"]), calendar, memo)
            for slip in store.raw("handoff_slip")
        }

    derived = getattr(store, "derived", None)
    if derived is None:
        return build()
    return derived("slips.timelines", TIMELINE_KINDS, build, token=calendar)


def timeline_of(store: Any, slip: Any, calendar: OfficialCalendar | None) -> Timeline:
    """One slip's timeline, from the cache of every slip's when it is current."""
    slip_id = _get(slip, "id")
    found = timelines(store, calendar).get(slip_id)
    if found is not None:
        return found
    return timeline(slip, steps_by_slip(store).of(slip_id), calendar)


def due_and_clock(
    store: Any,
    slip: Any,
    *,
    on: dt.date,
    calendar: OfficialCalendar | None,
    warn_days: int,
) -> tuple[Due | None, SlipClock | None]:
    """The slip's effective due date and its clock on ``on`` (None when the slip is not
    open then), as the list, the detail pane and the print show them."""
    line = timeline_of(store, slip, calendar)
    return line.due, line.clock_on(on, warn_days=warn_days, calendar=calendar)


def view_of(slip: Any, line: Timeline) -> SlipView:
    """The slip with its state, number, dates and due date as worked out by ``line``."""
    raw = slip if isinstance(slip, Mapping) else slip.to_json()
    base = {key: value for key, value in raw.items() if key not in LEGACY_FIELDS}
    latest = line.rounds[-1] if line.rounds else None
    due = line.due
    return SlipView.model_validate(
        {
            **base,
            "state": line.state,
            "number": line.number,
            "issue_date": latest.issued_on if latest else None,
            "first_issue_date": line.first_issued,
            "due_date": due.date if due is not None else None,
            "original_due_date": latest.original_due if latest else None,
            "withdraw_reason": line.withdraw_reason,
        }
    )


def views(store: Any, calendar: OfficialCalendar | None) -> dict[str, SlipView]:
    """Every slip as a :class:`SlipView`, by id, kept like :func:`timelines`."""

    def build() -> dict[str, SlipView]:
        lines = timelines(store, calendar)
        return {slip["id"]: view_of(slip, lines[slip["id"]]) for slip in store.raw("handoff_slip")}

    derived = getattr(store, "derived", None)
    if derived is None:
        return build()
    return derived("slips.views", TIMELINE_KINDS, build, token=calendar)


# -- one slip, from the store or from its documents (services.slips re-exports these) ----


def _steps_for(store_or_docs: Any, slip_id: str) -> Mapping[str, list[Any]]:
    if isinstance(store_or_docs, SlipSteps):
        return store_or_docs.of(slip_id)
    if isinstance(store_or_docs, Store) or hasattr(store_or_docs, "raw"):
        return steps_by_slip(store_or_docs).of(slip_id)
    if isinstance(store_or_docs, Mapping):
        return SlipSteps(store_or_docs).of(slip_id)
    raise TypeError(f"effective_due: unknown source of documents {type(store_or_docs).__name__}")


def slip_timeline(
    store_or_docs: Any, slip: dict[str, Any] | HandoffSlip, calendar: OfficialCalendar | None
) -> Timeline:
    """The slip's :class:`Timeline`: its state, due
    date and clock on any day, from its dated steps.

    ``store_or_docs``: a :class:`Store`, a :class:`SlipSteps`, or a mapping of step kind
    ("reply", "slip_extension", "slip_callback"…) to documents."""
    return timeline(slip, _steps_for(store_or_docs, _get(slip, "id")), calendar)


def effective_due(
    store_or_docs: Any, slip: dict[str, Any] | HandoffSlip, calendar: OfficialCalendar | None
) -> Due | None:
    """The slip's due date as of its latest step (the rules above):
    an extension gives its new due date; a redo (unsatisfied callback) counts the rule
    from the callback date; otherwise the rule counts from the issue date. A date worked
    out for a year without holiday data is provisional and becomes final by itself once
    the year's data is added. None for a slip never issued."""
    return slip_timeline(store_or_docs, slip, calendar).due
