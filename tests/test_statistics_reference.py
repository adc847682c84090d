"""The one-pass statistics agree with the plain per-station oracle on every figure.

``tests/stats_reference.py`` is the first implementation, which filters each table once
per station straight from the definitions (README "Definitions"); the service walks each
table once and counts for every station at a time over prepared, cached indexes, and
takes each slip's state from the slip clock. The demo store is perturbed (visits logged
by another station than the household's, households registered after their visits or
removed from the registry, documents of a station that no longer exists, problems and
slips in every state) and given slips with dated steps (:data:`STORIES`: returned and
issued again, extended after the deadline, withdrawn before and after it, redone after a
不满意 call-back, replied in one month and closed in the next...) so that the cases
where a shortcut could go wrong are all present.

The slips are stored as schema version 2 keeps them: the slip document holds no state,
number or dates, each issue is a ``slip_issue`` document (a slip issued again after a
return has two) and every other step its own dated document. The slips of a store made
before steps had their own dates (:data:`LEGACY_STORIES`) keep what they said of
themselves in their ``legacy`` block, as the upgrade leaves them, or (every other one) at
the top of a plain schema version 1 dict, as a store not yet upgraded holds them.
"""

from __future__ import annotations

import ast
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from grassroots_tui.demo import build_demo
from grassroots_tui.models.slip import HandoffSlip
from grassroots_tui.models.slip_actions import (
    Reply,
    SlipAcceptance,
    SlipCallback,
    SlipClosing,
    SlipExtension,
    SlipIssue,
    SlipReturn,
    SlipWithdrawal,
)
from grassroots_tui.models.visit import ProblemItem
from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.slips.clock import timelines
from grassroots_tui.services.statistics import month_stats, trend
from grassroots_tui.services.workcalendar import OfficialCalendar
from tests import stats_reference
from tests.factories import legacy_slip

TODAY = date(2026, 11, 26)
#: Every month the figures are compared for: the reporting year 2026 and the month before.
MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]


class DictStore:
    """The read side of a store over plain dicts (what the statistics use)."""

    def __init__(self, tables: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.tables = tables

    def raw(self, kind: str) -> list[dict[str, Any]]:
        return list(self.tables.get(kind, {}).values())

    def get_raw(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        return self.tables.get(kind, {}).get(doc_id)


# -- slips with dated steps --------------------------------------------------------------------

Day = dt.date
Due = Callable[[Day], Day]
_DAY = dt.timedelta(days=1)


def _month_end(day: Day) -> Day:
    after = (day.replace(day=28) + 4 * _DAY).replace(day=1)
    return after - _DAY


def _replied_at_month_end(t: Day) -> Day:
    """A reply on the last day of ``t``'s month (of the next one when that is too near)."""
    end = _month_end(t)
    return end if end >= t + 3 * _DAY else _month_end(end + _DAY)


def _returned_issued_again_later(t: Day, due: Due) -> list[tuple]:
    again = t + 25 * _DAY
    return [
        ("issue", t),
        ("return", t + _DAY),
        ("issue", again),
        ("accept", again + _DAY),
        ("reply", due(again) - _DAY),
        ("callback", due(again) + 4 * _DAY, "satisfied"),
    ]


def _returned_issued_again_open(t: Day, due: Due) -> list[tuple]:
    return [
        ("issue", t),
        ("return", t + 2 * _DAY),
        ("issue", t + 5 * _DAY),
        ("accept", t + 6 * _DAY),
    ]


def _extended_after_the_deadline(t: Day, due: Due) -> list[tuple]:
    d = due(t)
    return [
        ("issue", t),
        ("extend", d + 3 * _DAY, d + 20 * _DAY),
        ("reply", d + 10 * _DAY),
        ("close", d + 35 * _DAY),
    ]


def _extended_twice_second_too_late(t: Day, due: Due) -> list[tuple]:
    d = due(t)
    return [
        ("issue", t),
        ("accept", t + _DAY),
        ("extend", d - 2 * _DAY, d + 10 * _DAY),
        ("extend", d + 12 * _DAY, d + 30 * _DAY),
        ("reply", d + 20 * _DAY),
    ]


def _late_extension_then_another(t: Day, due: Due) -> list[tuple]:
    # The second is asked before the date the first gave, but after the reply deadline.
    d = due(t)
    return [
        ("issue", t),
        ("extend", d + 2 * _DAY, d + 15 * _DAY),
        ("extend", d + 8 * _DAY, d + 25 * _DAY),
        ("reply", d + 12 * _DAY),
        ("callback", d + 14 * _DAY, "basically_satisfied"),
    ]


def _withdrawn_before_the_deadline(t: Day, due: Due) -> list[tuple]:
    return [("issue", t), ("accept", t + _DAY), ("withdraw", due(t) - 3 * _DAY)]


def _withdrawn_on_the_deadline(t: Day, due: Due) -> list[tuple]:
    return [("issue", t), ("withdraw", due(t))]


def _withdrawn_after_the_deadline(t: Day, due: Due) -> list[tuple]:
    return [("issue", t), ("accept", t + 2 * _DAY), ("withdraw", due(t) + 9 * _DAY)]


def _redo_after_a_late_reply(t: Day, due: Due) -> list[tuple]:
    d = due(t)
    called = d + 6 * _DAY
    return [
        ("issue", t),
        ("reply", d + 4 * _DAY),
        ("callback", called, "unsatisfied"),
        ("reply", due(called) - 2 * _DAY),
        ("callback", due(called) + _DAY, "satisfied"),
    ]


def _redo_left_open(t: Day, due: Due) -> list[tuple]:
    d = due(t)
    return [("issue", t), ("reply", d - 5 * _DAY), ("callback", d - 2 * _DAY, "unsatisfied")]


def _redo_extended_on_the_callback_day(t: Day, due: Due) -> list[tuple]:
    # Two deadline events on one day: the redo's deadline and the extension's; the later wins.
    called = t + 8 * _DAY
    return [
        ("issue", t),
        ("reply", t + 5 * _DAY),
        ("callback", called, "unsatisfied"),
        ("extend", called, due(called) + 20 * _DAY),
    ]


def _redo_replied_on_the_callback_day(t: Day, due: Due) -> list[tuple]:
    # The redo's reply the day of the 不满意 call-back (allowed: not before it); called
    # back again, satisfied, after the redo's deadline.
    return [
        ("issue", t),
        ("reply", t + 3 * _DAY),
        ("callback", t + 6 * _DAY, "unsatisfied"),
        ("reply", t + 6 * _DAY),
        ("callback", t + 36 * _DAY, "satisfied"),
    ]


def _issued_and_extended_on_one_day(t: Day, due: Due) -> list[tuple]:
    return [("issue", t), ("extend", t, due(t) + 12 * _DAY), ("reply", due(t) + 5 * _DAY)]


def _replied_then_called_back_next_month(t: Day, due: Due) -> list[tuple]:
    replied = _replied_at_month_end(t)
    return [
        ("issue", t),
        ("accept", t + _DAY),
        ("reply", replied),
        ("callback", replied + 3 * _DAY, "satisfied"),
    ]


def _replied_then_closed_next_month(t: Day, due: Due) -> list[tuple]:
    replied = _replied_at_month_end(t)
    return [("issue", t), ("reply", replied), ("close", replied + 2 * _DAY)]


#: name -> (the steps from a first issue day, the state they leave, how the slip came in:
#: "problem" handed off from a visit problem, "walk_in" / "hotline" with no problem, or
#: "street_office"). The slips are stored as schema version 2 keeps them: the state is
#: not stored, but worked out from the step documents (an issue document for each issue).
STORIES: dict[str, tuple[Callable[[Day, Due], list[tuple]], str, str]] = {
    "returned, issued again later, called back": (
        _returned_issued_again_later,
        "closed",
        "problem",
    ),
    "returned, issued again, left open": (_returned_issued_again_open, "accepted", "problem"),
    "extended after the deadline, closed": (_extended_after_the_deadline, "closed", "walk_in"),
    "extended in time, then too late": (_extended_twice_second_too_late, "replied", "problem"),
    "extended late, then again": (_late_extension_then_another, "closed", "problem"),
    "withdrawn before the deadline": (_withdrawn_before_the_deadline, "withdrawn", "hotline"),
    "withdrawn on the deadline": (_withdrawn_on_the_deadline, "withdrawn", "street_office"),
    "withdrawn after the deadline": (_withdrawn_after_the_deadline, "withdrawn", "hotline"),
    "redo after a late reply, closed": (_redo_after_a_late_reply, "closed", "problem"),
    "redo left open": (_redo_left_open, "redo", "walk_in"),
    "redo extended on the call-back day": (
        _redo_extended_on_the_callback_day,
        "extended",
        "problem",
    ),
    "redo replied on the call-back day": (
        _redo_replied_on_the_callback_day,
        "closed",
        "problem",
    ),
    "issued and extended on one day": (_issued_and_extended_on_one_day, "replied", "hotline"),
    "replied, called back next month": (_replied_then_called_back_next_month, "closed", "problem"),
    "replied, closed next month": (_replied_then_closed_next_month, "closed", "walk_in"),
}


def _legacy_returned_issued_again(t: Day, due: Due) -> list[tuple]:
    # No issue steps: issued on issue_date, first issued (at the latest) on the first return.
    return [("return", t), ("issued_on", t + 9 * _DAY)]


def _legacy_closed_after_a_redo(t: Day, due: Due) -> list[tuple]:
    # No close step, no satisfied call-back: closed on the day of the last reply.
    return [
        ("issued_on", t),
        ("reply", t + 5 * _DAY),
        ("callback", t + 7 * _DAY, "unsatisfied"),
        ("reply", t + 20 * _DAY),
    ]


def _legacy_withdrawn_after_a_return(t: Day, due: Due) -> list[tuple]:
    # No withdrawal step: withdrawn the day it was first issued.
    return [("issued_on", t), ("return", t + _DAY)]


def _legacy_accepted(t: Day, due: Due) -> list[tuple]:
    return [("issued_on", t)]  # no accept step: accepted the day it was issued


#: Slips as a store made before steps had their own dates holds them: no issue, accept,
#: close or withdrawal documents, the state, number and dates the slip said of itself
#: ("issued_on" only sets its issue_date) in its ``legacy`` block or, not yet upgraded,
#: at its top.
LEGACY_STORIES: dict[str, tuple[Callable[[Day, Due], list[tuple]], str, str]] = {
    "legacy: returned, issued again": (_legacy_returned_issued_again, "accepted", "hotline"),
    "legacy: closed after a redo": (_legacy_closed_after_a_redo, "closed", "problem"),
    "legacy: withdrawn after a return": (_legacy_withdrawn_after_a_return, "withdrawn", "walk_in"),
    "legacy: accepted": (_legacy_accepted, "accepted", "street_office"),
}

#: Fixed first issue days besides the random ones: across the year's end (first issued
#: in December, issued again in January), and late in the last month compared.
_FIXED_DAYS = (date(2025, 12, 20), date(2026, 10, 28))


def _step_docs(
    slip: dict[str, Any],
    steps: list[tuple],
    *,
    number: str,
    due: Due,
    legacy: bool,
    recorded: bool = True,
) -> list[Any]:
    """The step documents, each recorded (``created_at``, as the store sets it) in the
    order the steps were taken; ``recorded=False``: without the recording time, as an
    imported store may hold them. Each issue keeps the slip's number (issued again after
    a return, the same) and the due date worked out that day."""
    docs: list[Any] = []
    for order, (kind, day, *extra) in enumerate(steps):
        at = dt.datetime.combine(day, dt.time(9), dt.UTC) + order * dt.timedelta(minutes=1)
        base = {"station_id": slip["station_id"], "slip_id": slip["id"]}
        if recorded:
            base["created_at"] = at
        if kind == "issue":
            docs.append(SlipIssue(**base, issued_on=day, number=number, due_date=due(day)))
        elif kind == "accept":
            docs.append(SlipAcceptance(**base, accepted_on=day))
        elif kind == "return":
            docs.append(SlipReturn(**base, returned_on=day, reason="不属于本单位职责"))
        elif kind == "extend":
            docs.append(
                SlipExtension(
                    **base,
                    requested_on=day,
                    new_due_date=extra[0],
                    reason="需协调多个部门",
                    approver="周主任",
                )
            )
        elif kind == "reply":
            docs.append(Reply(**base, reply_date=day, result="已处理", handler="经办人"))
        elif kind == "callback":
            docs.append(SlipCallback(**base, date=day, satisfaction=extra[0]))
        elif kind == "close":
            docs.append(SlipClosing(**base, closed_on=day))
        elif kind == "withdraw":
            docs.append(SlipWithdrawal(**base, withdrawn_on=day, reason="群众已自行解决"))
        else:
            assert kind == "issued_on" and legacy, kind
    return docs


def _add_story(
    tables: dict[str, dict[str, dict[str, Any]]],
    rng: random.Random,
    name: str,
    story: tuple[Callable[[Day, Due], list[tuple]], str, str],
    first: Day,
    station_id: str | None,
    *,
    legacy: bool,
    v1: bool = False,
    rule: str | None = None,
    recorded: bool = True,
) -> None:
    """One slip living ``story`` from ``first``, with its step documents. ``legacy``: as a
    store from before dated steps holds it, upgraded (its ``legacy`` block) or, ``v1``,
    not yet (a plain schema version 1 dict)."""
    make, state, came_in = story
    rule = rule or rng.choice(["15日", "15日", "10个工作日"])

    def due(day: Day) -> Day:
        return compute_due(day, rule).date

    steps = make(first, due)
    number = f"测试〔{first.year}〕第{len(tables['handoff_slip']) + 1:03d}号"
    fields: dict[str, Any] = {
        "station_id": station_id,
        "category": "其他",
        "title": name,
        "description": f"{name}（{first.isoformat()}）",
        "handling_unit": "街道城管办",
        "deadline_rule": rule,
        "source": "street_office" if came_in == "problem" else came_in,
    }
    if came_in == "problem":
        fields.update(_handed_off_problem(tables, rng, first, state, steps))
    if legacy:
        issued = [day for kind, day, *_ in steps if kind == "issued_on"]
        kept = {"number": number, "issue_date": issued[-1], "due_date": due(issued[-1])}
        slip = legacy_slip(**fields, **kept, state=state).model_dump(mode="json")
        if v1:  # not upgraded: what it said of itself at the top, no legacy block
            slip.update(slip.pop("legacy"))
    else:
        slip = HandoffSlip(**fields).model_dump(mode="json")
    if "problem_id" in fields:
        _link_problem(tables, rng, slip, state, steps)
    tables["handoff_slip"][slip["id"]] = slip
    docs = _step_docs(slip, steps, number=number, due=due, legacy=legacy, recorded=recorded)
    for doc in docs:
        raw = doc.model_dump(mode="json")
        tables.setdefault(raw["kind"], {})[raw["id"]] = raw


def _handed_off_problem(tables, rng, first: Day, state: str, steps) -> dict[str, Any]:
    """A visit of the 40 days before the first issue (to any station's household), given
    the problem the slip was made for."""
    earlier = [
        v
        for v in tables["visit"].values()
        if first - 40 * _DAY <= date.fromisoformat(v["date"]) <= first
    ]
    if not earlier:
        return {}
    visit = rng.choice(earlier)
    problem = ProblemItem(category="其他", description="路灯不亮", state="pending")
    visit.setdefault("problems", []).append(problem.model_dump(mode="json"))
    return {"source": "visit", "visit_id": visit["id"], "problem_id": problem.id}


def _link_problem(tables, rng, slip: dict[str, Any], state: str, steps) -> None:
    """The problem as the slip's steps left it, in one of the ways stores hold it: a
    closed slip's as 后续解决 dated its first reply or its closing day (the closing day
    counts either way), an open one's as 已交办 with or without the slip's id (found then
    through the slip's problem_id); a withdrawn one's back to 待办."""
    visit = tables["visit"][slip["visit_id"]]
    problem = next(p for p in visit["problems"] if p["id"] == slip["problem_id"])
    replies = [day for kind, day, *_ in steps if kind == "reply"]
    if state == "closed":
        day = rng.choice([replies[0], steps[-1][1]])
        problem.update(state="solved_later", slip_id=slip["id"], solved_on=day.isoformat())
    elif state == "withdrawn":
        pass  # 待办 again
    else:
        problem.update(state="handed_off", slip_id=rng.choice([slip["id"], None]))


def _add_stories(tables: dict[str, dict[str, dict[str, Any]]], rng: random.Random) -> None:
    stations = [s["id"] for s in tables["station"].values()]
    owners = [*stations, *stations, None, "station-gone"]
    for stories, legacy in ((STORIES, False), (LEGACY_STORIES, True)):
        for name, story in stories.items():
            days = [*_FIXED_DAYS, *(date(2025, 11, 20) + rng.randint(0, 300) * _DAY for _ in "ab")]
            for at, first in enumerate(days):
                owner = rng.choice(owners)
                v1 = legacy and at % 2 == 1
                _add_story(tables, rng, name, story, first, owner, legacy=legacy, v1=v1)


def _tables(seed: int) -> dict[str, dict[str, dict[str, Any]]]:
    rng = random.Random(seed)
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in build_demo(TODAY, seed=seed, scale=0.5):
        raw = doc.model_dump(mode="json")
        tables.setdefault(raw["kind"], {})[raw["id"]] = raw
    stations = [s["id"] for s in tables["station"].values()]
    for visit in tables["visit"].values():
        if rng.random() < 0.05:  # logged by a neighbouring station
            visit["station_id"] = rng.choice(stations)
    for household in tables["household"].values():
        roll = rng.random()
        if roll < 0.03:  # registered later than its first visits
            household["registered_on"] = f"2026-{rng.randint(3, 12):02d}-{rng.randint(1, 28):02d}"
        elif roll < 0.05:  # registered on the last day of a month
            household["registered_on"] = rng.choice(["2026-01-31", "2026-06-30", "2026-09-30"])
        elif roll < 0.08:
            household["registered_on"] = None
        elif roll < 0.10:  # of a station since removed
            household["station_id"] = "station-gone"
    for slip in list(tables.get("handoff_slip", {}).values())[::7]:
        slip["station_id"] = "station-gone"
    for slip in list(tables.get("handoff_slip", {}).values())[3::11]:
        slip["station_id"] = None  # the street office's own slips
    for kind in ("station_activity", "hardship_case", "assistance", "leave_request"):
        for doc in list(tables.get(kind, {}).values())[1::5]:
            doc["station_id"] = None  # the office's own media reports, cases, leave
    _add_stories(tables, rng)
    # Problems whose slip is gone: 后续解决 counts by its own date, 已交办 never.
    with_problems = [v for v in tables["visit"].values() if v.get("problems")]
    for visit in rng.sample(with_problems, 6):
        problem = visit["problems"][0]
        if problem["state"] == "solved_later":
            problem["slip_id"] = "slip-deleted"
        elif problem["state"] == "pending":
            problem.update(state="handed_off", slip_id="slip-deleted")
    # Visits to households not in the registry (removed since): their problems count for
    # the station that made the visit; the visits themselves count nowhere.
    for visit in rng.sample(with_problems, 8):
        ghost = {**visit, "id": f"{visit['id']}-ghost", "household_id": f"{visit['id']}-gone"}
        ghost["problems"] = [{**p, "id": f"{p['id']}-ghost"} for p in visit["problems"]]
        ghost["station_id"] = rng.choice(stations)
        tables["visit"][ghost["id"]] = ghost
    return tables


@pytest.fixture(scope="module", params=[1, 2])
def store(request) -> DictStore:
    return DictStore(_tables(request.param))


def _figures(stats: Any) -> list[dict[str, Any]]:
    """The total and every row: the stations, the office's own, the removed stations'."""
    return [asdict(stats.total)] + [
        {"station": (s.station_id, s.name), **asdict(s.figures)} for s in stats.rows
    ]


def _differences(ours: Any, oracle: Any) -> list[str]:
    """Each figure of each row that differs, to read in the failure message."""
    out = []
    for mine, theirs in zip(_figures(ours), _figures(oracle), strict=True):
        row = mine.get("station", ("", "合计"))[1]
        out += [
            f"{row} {name}: service {value!r}, oracle {theirs[name]!r}"
            for name, value in mine.items()
            if theirs.get(name) != value
        ]
    return out


# -- the oracle imports nothing it checks -----------------------------------------------------

_CHECKED = {
    "grassroots_tui.services.slips.clock",
    "grassroots_tui.services.slips",
}
#: What the oracle may take from the statistics service: result types, parsing helpers.
_ALLOWED_FROM_STATISTICS = {
    "Figures",
    "MonthStats",
    "StationFigures",
    "_day",
    "_iso",
    "_station_of",
    "_time",
    "_Timed",
    "_within",
}


def test_the_oracle_does_not_import_the_helpers_it_checks() -> None:
    tree = ast.parse(Path(stats_reference.__file__).read_text(encoding="utf-8"))
    imported: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported += [(node.module or "", alias.name) for alias in node.names]
    modules = {module for module, _ in imported}
    assert imported and "grassroots_tui.services.deadlines" in modules  # parsed something
    for module, name in imported:
        assert module not in _CHECKED and f"{module}.{name}" not in _CHECKED, (module, name)
        assert module.split(".")[:3] != ["grassroots_tui", "services", "slips"], module
        if module == "grassroots_tui.services.statistics":
            assert name in _ALLOWED_FROM_STATISTICS, name
        if module == "grassroots_tui.services.deadlines":
            assert name == "compute_due", name


# -- the perturbed store is what it claims to be ------------------------------------------------


def test_each_story_leaves_the_state_it_is_stored_in(store) -> None:
    """The oracle's state of every slip after its last step is the one its story ends in
    (the stories' steps are a lifecycle the services allow; the old store's rules fill in
    the steps it lacks), the one a legacy slip kept, and the one the slip clock works out;
    its number is the clock's too. Every story is in the store, in both the ways a store
    from before dated steps may hold it."""
    data = stats_reference._Data(store, None)
    lines = timelines(store, None)
    stories = {**STORIES, **LEGACY_STORIES}
    assert set(stories) <= {slip["title"] for slip in data.slips}
    legacy = [slip for slip in data.slips if slip["title"] in LEGACY_STORIES]
    assert any(slip.get("legacy") for slip in legacy)
    assert any("legacy" not in slip and slip.get("state") for slip in legacy)
    for slip in data.slips:
        steps = data.steps(slip)
        state = steps.state_on("9999-12-31")
        if slip["title"] in stories:
            assert state == stories[slip["title"]][1], slip["title"]
        kept = slip.get("legacy") or ({"state": slip["state"]} if "state" in slip else None)
        if kept is not None:
            assert state == kept["state"], slip["title"]
        line = lines[slip["id"]]
        assert (state, steps.number) == (line.state.value, line.number), slip["title"]


def _story_steps(title: str, first: Day, *, v1: bool = False) -> Any:
    """The oracle's :class:`_SlipSteps` of one story under 15日, alone in a store (a
    legacy one, ``v1``: as a plain schema version 1 dict)."""
    tables: dict[str, dict[str, dict[str, Any]]] = {"visit": {}, "handoff_slip": {}}
    make, state, _ = {**STORIES, **LEGACY_STORIES}[title]
    story = (make, state, "street_office")  # no visit problem needed here
    legacy = title in LEGACY_STORIES
    _add_story(
        tables, random.Random(0), title, story, first, None, legacy=legacy, v1=v1, rule="15日"
    )
    data = stats_reference._Data(DictStore(tables), None)
    return data.steps(data.slips[0])


def test_the_oracle_on_single_stories() -> None:
    """A few stories worked by hand from the definitions, against the oracle alone."""
    steps = _story_steps("returned, issued again later, called back", date(2025, 12, 20))
    # Issued 20 December, returned the 21st; issued again 14 January (due the 29th),
    # replied the 28th, called back satisfied 2 February.
    assert steps.first_issued == "2025-12-20"  # counted once, in December
    assert steps.number == "测试〔2025〕第001号"  # issued again: the same number
    assert steps.judged_in("2025-12-01", "2025-12-31") == []  # returned: not due
    assert steps.judged_in("2026-01-01", "2026-01-31") == [True]
    assert not steps.overdue_on("2025-12-31")  # returned is not open
    assert not steps.closed_by("2026-01-31") and steps.closed_by("2026-02-28")

    steps = _story_steps("extended late, then again", date(2026, 9, 10))
    # Due 28 September (15日; the 25th is 中秋节, the 26th and 27th a weekend); extended on
    # the 30th to 13 October, again on 6 October to 23 October; replied 10 October.
    assert steps.judged_in("2026-09-01", "2026-09-30") == [False]  # due in September, late
    assert steps.judged_in("2026-10-01", "2026-10-31") == []
    assert steps.overdue_on("2026-09-29")  # open, due the 28th
    assert steps.due_on("2026-09-30") == "2026-10-13" and not steps.overdue_on("2026-09-30")

    steps = _story_steps("withdrawn after the deadline", date(2026, 9, 10))
    # Due 28 September, withdrawn unanswered 7 October: due and late in September.
    assert steps.judged_in("2026-09-01", "2026-09-30") == [False]
    assert steps.overdue_on("2026-09-30") and not steps.overdue_on("2026-10-31")
    steps = _story_steps("withdrawn on the deadline", date(2026, 9, 10))
    assert steps.judged_in("2026-09-01", "2026-09-30") == []

    steps = _story_steps("redo extended on the call-back day", date(2026, 9, 1))
    # Replied 6 September (due the 16th): on time. Called back unsatisfied the 9th: the
    # redo is due the 24th, but that day it was extended to 14 October: the later wins.
    assert steps.judged_in("2026-09-01", "2026-09-30") == [True]
    assert steps.due_on("2026-09-30") == "2026-10-14" and not steps.overdue_on("2026-09-30")
    assert steps.overdue_on("2026-10-15")

    for v1 in (False, True):  # the legacy block, or the fields of schema version 1
        steps = _story_steps("legacy: returned, issued again", date(2026, 3, 2), v1=v1)
        # No issue step: issued 11 March; returned 2 March, so first issued that day.
        assert steps.first_issued == "2026-03-02" and steps.number == "测试〔2026〕第001号"
        assert steps.state_on("2026-03-05") == "returned"
        assert steps.state_on("2026-03-11") == "accepted"
        steps = _story_steps("legacy: closed after a redo", date(2026, 3, 2), v1=v1)
        assert not steps.closed_by("2026-03-21") and steps.closed_by("2026-03-22")  # last reply
        steps = _story_steps("legacy: withdrawn after a return", date(2026, 3, 2), v1=v1)
        assert steps.state_on("2026-03-02") == "withdrawn"
        assert steps.judged_in("2026-03-01", "2026-03-31") == []


# -- the service agrees with the oracle ---------------------------------------------------------


@pytest.mark.parametrize("month", MONTHS)
@pytest.mark.parametrize("with_calendar", [True, False])
def test_every_figure_of_every_station_matches_the_oracle(store, month, with_calendar) -> None:
    calendar = OfficialCalendar() if with_calendar else None
    year, number = month
    ours = month_stats(store, year=year, month=number, calendar=calendar)
    oracle = stats_reference.month_stats(store, year=year, month=number, calendar=calendar)
    assert _figures(ours) == _figures(oracle), "\n".join(_differences(ours, oracle))
    assert ours.summary == oracle.summary
    assert ours.total.visits_cumulative > 0  # the comparison compared something


def test_one_station_and_another_year_start_match_the_oracle(store) -> None:
    code = store.raw("station")[-1]["code"]
    args = {"year": 2026, "month": 10, "station_code": code, "year_start": date(2026, 4, 1)}
    ours = month_stats(store, **args)
    oracle = stats_reference.month_stats(store, **args)
    assert ours.summary == oracle.summary and "本站" in ours.summary
    assert _figures(ours) == _figures(oracle), "\n".join(_differences(ours, oracle))


def test_trend_matches_the_oracle(store) -> None:
    # Each month of the trend is that month's own statistics (its own reporting year).
    ours = trend(store, year=2026, month=11, months=12)
    assert [m for m, _ in ours] == [f"{y}-{m:02d}" for y, m in MONTHS]
    oracle = [stats_reference.month_stats(store, year=y, month=m).total for y, m in MONTHS]
    assert [asdict(f) for _, f in ours] == [asdict(f) for f in oracle]


def test_a_reporting_year_that_starts_the_year_before_matches_the_oracle(store) -> None:
    # The prepared visits start at the earliest reporting year asked for: here October
    # of the year before, and then again with the ordinary year (another floor).
    for start in (date(2025, 10, 1), None):
        args = {"year": 2026, "month": 2, "year_start": start}
        ours = month_stats(store, **args)
        oracle = stats_reference.month_stats(store, **args)
        assert _figures(ours) == _figures(oracle), "\n".join(_differences(ours, oracle))
    assert month_stats(
        store, year=2026, month=2, year_start=date(2025, 10, 1)
    ).total.visits_cumulative > (month_stats(store, year=2026, month=2).total.visits_cumulative)


#: Stories with two steps on one day that only one order allows (the call-back first).
_SAME_DAY = ("redo extended on the call-back day", "redo replied on the call-back day")


def test_steps_of_one_day_without_their_recording_time_match_the_oracle() -> None:
    """Steps without ``created_at`` (an imported store): the order of one day's steps is
    the one the lifecycle allows (a redo's extension or reply after the 不满意 call-back),
    and of two deadline events on one day the later due date wins (README)."""
    tables: dict[str, dict[str, dict[str, Any]]] = {"visit": {}, "handoff_slip": {}}
    tables["station"] = _tables_stations()
    rng = random.Random(5)
    owners = list(tables["station"])
    for name in _SAME_DAY:
        make, state, _ = STORIES[name]
        for first in (date(2026, 9, 1), date(2026, 10, 9), date(2026, 11, 2)):
            story = (make, state, "street_office")
            station = rng.choice(owners)
            _add_story(tables, rng, name, story, first, station, legacy=False, recorded=False)
    store = DictStore(tables)
    differences = []
    for year, number in [*MONTHS[-3:], (2026, 12)]:
        ours = month_stats(store, year=year, month=number)
        oracle = stats_reference.month_stats(store, year=year, month=number)
        differences += [f"{year}-{number:02d} {d}" for d in _differences(ours, oracle)]
    assert not differences, "\n".join([*differences, _WHY, *_story_lines(store)])


_WHY = (
    "Without a recording time the slip clock replays one day's steps in a fixed order "
    "(extension, reply, then call-back), so a redo's extension or reply dated the day of "
    "the 不满意 call-back is taken before the call-back and dropped: the redo's own "
    "deadline stays in force although the README says that of two deadline events on one "
    "day the later due date wins, and a redo replied that day stays 重办 (open, its "
    "deadline passing) until the stored state is put back after the last step. Such "
    "slips count as overdue and open at the month's end."
)


def _story_lines(store: DictStore) -> list[str]:
    """Each slip's steps, to read in the failure message."""
    data = stats_reference._Data(store, None)
    lines = []
    for slip in data.slips:
        steps = ", ".join(
            f"{day} {kind}"
            + (f"→{doc['new_due_date']}" if kind == "slip_extension" else "")
            + (f" {doc['satisfaction']}" if kind == "slip_callback" else "")
            for day, kind, doc in data.steps(slip).steps
        )
        lines.append(f"  {slip['title']} ({slip['deadline_rule']}): {steps}")
    return lines


def _tables_stations() -> dict[str, dict[str, Any]]:
    return {
        raw["id"]: raw
        for raw in (doc.model_dump(mode="json") for doc in build_demo(TODAY, seed=1, scale=0.1))
        if raw["kind"] == "station"
    }
