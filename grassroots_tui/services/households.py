"""Households (住户): one household's whole history, and finding households by name or 户号.

:func:`household_history` is what a worker reads before knocking on the door: past
visits, the problems raised and where they stand, the handoff slips and their replies,
and any hardship case. :func:`find_households` is the search box: 户号 prefix, the head
of household's name, or its pinyin initials ("zgl" for 张桂兰) or full pinyin.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.lang import language, tr
from grassroots_tui.models import HandoffSlip, HardshipCase, Household, Reply, SlipView, Visit
from grassroots_tui.models.household import HOUSEHOLD_TAGS
from grassroots_tui.services import pinyin
from grassroots_tui.services.auth import require_actor
from grassroots_tui.services.slips.clock import views
from grassroots_tui.services.text import split_list
from grassroots_tui.services.visits import RaisedProblem
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

__all__ = [
    "HouseholdHistory",
    "SlipWithReplies",
    "find_households",
    "household_history",
    "save_household",
]


@dataclass(frozen=True)
class SlipWithReplies:
    """A handoff slip about the household, with its replies (oldest first)."""

    slip: SlipView
    replies: list[Reply] = field(default_factory=list)


@dataclass(frozen=True)
class HouseholdHistory:
    """Everything recorded about one household, newest first within each list."""

    household: Household
    visits: list[Visit] = field(default_factory=list)
    #: Every problem raised in those visits, with the visit's date; state on ``.state``.
    problems: list[RaisedProblem] = field(default_factory=list)
    slips: list[SlipWithReplies] = field(default_factory=list)
    hardship_cases: list[HardshipCase] = field(default_factory=list)


def tag_name(tag: str) -> str:
    """How a household's tag is shown: a built-in one (:data:`HOUSEHOLD_TAGS`) in the
    interface's language, the station's own as written (what is stored is the Chinese)."""
    return tr(tag) if tag in HOUSEHOLD_TAGS else tag


#: Between tags typed in English: commas and the like, not spaces ("Elderly living alone").
_ENGLISH_TAG_SEPARATORS = re.compile(r"[、,，;；]+")


def tags_from_text(text: str) -> list[str]:
    """Tags as typed in a form (:func:`tag_name`'s words, in either language) → as
    stored: a built-in tag's English name is stored as its Chinese."""
    if language() == "zh":
        return split_list(text)
    stored = {tr(tag).casefold(): tag for tag in HOUSEHOLD_TAGS}
    items = (item.strip() for item in _ENGLISH_TAG_SEPARATORS.split(text))
    return list(dict.fromkeys(stored.get(item.casefold(), item) for item in items if item))


def household_history(
    store: Store, household_id: str, *, calendar: OfficialCalendar | None
) -> HouseholdHistory:
    """The household ``household_id`` with its visits, problems, slips and hardship cases.
    Its slips' states and due dates are worked out under ``calendar`` (the session's, as
    the slips list and the board do: the views of every slip the store keeps for them).

    - visits: newest first (date, then start time);
    - problems: every problem of those visits, newest visit first;
    - slips: handoff slips whose ``household_id`` is this household, plus slips opened
      from one of its problems; drafts first, then by issue date, newest first; each
      with its replies, oldest first;
    - hardship cases: newest ``opened_on`` first.

    Raises :class:`LookupError` (Chinese message) if there is no such household.
    """
    household = store.get(Household, household_id)
    if household is None:
        raise LookupError(tr("找不到住户（编号 {household}）。", household=household_id))
    assert isinstance(household, Household)

    visits = [
        Visit.model_validate(raw)
        for raw in store.raw(Visit)
        if raw.get("household_id") == household_id
    ]
    visits.sort(key=lambda v: (v.date, v.start_time, v.id), reverse=True)

    problems = [
        RaisedProblem(
            visit_id=visit.id,
            household_id=household_id,
            visit_date=visit.date,
            problem=problem,
        )
        for visit in visits
        for problem in visit.problems
    ]

    problem_slip_ids = {p.problem.slip_id for p in problems if p.problem.slip_id}
    slip_raws = [
        raw
        for raw in store.raw(HandoffSlip)
        if raw.get("household_id") == household_id or raw.get("id") in problem_slip_ids
    ]
    slip_ids = {raw["id"] for raw in slip_raws}
    replies: dict[str, list[Reply]] = {slip_id: [] for slip_id in slip_ids}
    for raw in store.raw(Reply):
        if raw.get("slip_id") in slip_ids:
            replies[raw["slip_id"]].append(Reply.model_validate(raw))
    slips = []
    viewed = views(store, calendar)
    for raw in slip_raws:
        slip = viewed[raw["id"]]
        answers = sorted(replies[slip.id], key=lambda r: (r.reply_date, r.id))
        slips.append(SlipWithReplies(slip, answers))
    slips.sort(key=_slip_order, reverse=True)

    cases = [
        HardshipCase.model_validate(raw)
        for raw in store.raw(HardshipCase)
        if raw.get("household_id") == household_id
    ]
    cases.sort(key=lambda c: (c.opened_on, c.id), reverse=True)

    return HouseholdHistory(
        household=household,
        visits=visits,
        problems=problems,
        slips=slips,
        hardship_cases=cases,
    )


def _slip_order(item: SlipWithReplies) -> tuple[bool, dt.date, str]:
    slip = item.slip
    return (slip.issue_date is None, slip.issue_date or dt.date.min, slip.number or "")


#: Score of a 户号 that starts with the query, and of one that merely contains it.
NUMBER_PREFIX_SCORE = 1.0
NUMBER_SUBSTRING_SCORE = 0.3


def _number_score(query: str, number: str) -> float:
    if number.startswith(query):
        return NUMBER_PREFIX_SCORE
    if query in number:
        return NUMBER_SUBSTRING_SCORE
    return 0.0


def find_households(
    households: Iterable[Mapping[str, Any]],
    query: str,
    limit: int = 50,
    *,
    station_id: str | None = None,
) -> list[dict[str, Any]]:
    """Households matching ``query``, best first, at most ``limit`` of them.

    A household matches on its 户号 (a prefix scores 1.0, elsewhere in it 0.3) or on the
    head of household's name as :func:`pinyin.score` rates it ("zs", "zhangsan", "张"
    all find 张三). Equal scores: an exact name first, then by 户号. An empty query
    lists households by 户号. ``households`` are stored dicts; only those of
    ``station_id`` are searched when it is given.
    """
    q = (query or "").strip().lower()
    score = pinyin.score
    scored: list[tuple[float, bool, str, Mapping[str, Any]]] = []
    for household in households:
        if station_id is not None and household.get("station_id") != station_id:
            continue
        number = household.get("household_no") or ""
        name = household.get("head_of_household") or ""
        best = score(q, name)
        if best < NUMBER_PREFIX_SCORE:
            best = max(best, _number_score(q, number.lower()))
        if best > 0.0:
            scored.append((-best, name.lower() != q, number, household))
    best_first = heapq.nsmallest(max(limit, 0), scored, key=lambda item: item[:3])
    return [dict(item[3]) for item in best_first]


def save_household(store: Store, household: Household, actor: str) -> Household:
    """Save a new or changed household; returns it as stored. A signed-in staff member
    whose role may not keep the registry is refused with
    :class:`~grassroots_tui.services.auth.PermissionDenied` before anything is written."""
    change = "update" if store.get_raw(Household, household.id) is not None else "create"
    require_actor(store, actor, change, "household")
    saved = store.save(household, actor)
    assert isinstance(saved, Household)
    return saved
