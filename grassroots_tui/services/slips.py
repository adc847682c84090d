"""交办单的一生: drafting, numbering, every step of the lifecycle, repeat petitions and
the slip's history (docs/design.md#handoff-slips-and-deadlines).

    state      steps allowed (ACTIONS)                  leads to
    草拟       issue, withdraw                         已交办 / 已撤回
    已交办     accept, return (≤3 日), extend, reply,   已受理 / 已退单 / 已延期 / 已回复 / 已撤回
               withdraw, remind
    已受理     extend, reply, withdraw, remind
    已延期     extend, reply, withdraw, remind
    重办       extend, reply (a redo reply), remind
    已回复     callback, close                         满意/基本满意 → 已办结; 不满意 → 重办
    已退单     issue (again, same number), withdraw
    已办结, 已撤回: nothing

- A step that is not allowed is refused with :class:`SlipActionRefused`, whose Chinese
  message says why ("已办结的交办单不能再延期", "没有回复单，不能办结").
  :func:`allowed_actions` lists what a slip may do next, for menus and key bindings.
- Every step is one store transaction: the slip, the action document (reply, extension,
  return, callback) and, on issue, withdrawal, close or redo, the linked visit problem
  together. The store's audit trail says who and when; :func:`slip_history` reads it
  back in Chinese.
- Every step is also its own dated document (issue, acceptance, reply, extension,
  return, callback, close, withdrawal; models/slip_actions.py), so that where a slip
  stood on any past day can be worked out (services/slip_clock.py). The slip's stored
  ``state`` and ``due_date`` are kept in step for readers without a calendar.
- The visit problem a slip was drafted from follows the slip: issued, it is 已交办;
  withdrawn, 待办 again; closed (办结, or a 满意/基本满意 callback), 后续解决 dated the
  day it was closed (what the statistics count as resolved, README "Issues resolved";
  never before the visit's date); sent back for redo (不满意), 已交办 with no date again.
- Numbers (湘龙群交〔2026〕第0015号) are per station and year and never reused: the next
  one comes after every number the station's slips hold now *or ever held* according to
  the audit trail, so neither a withdrawal, a deletion nor an undo frees a number.
- The effective due date is derived, never trusted from storage: :func:`effective_due`
  (the slip clock's rule) takes the latest of the rule from the issue date, an
  extension's new due date, or the rule from an unsatisfied callback (redo), with the
  current calendar.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections import defaultdict
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from grassroots_tui.models import (
    KINDS,
    Household,
    ProblemState,
    Reply,
    Satisfaction,
    SlipAcceptance,
    SlipCallback,
    SlipClosing,
    SlipExtension,
    SlipIssue,
    SlipReturn,
    SlipWithdrawal,
    Staff,
    Station,
    Visit,
)
from grassroots_tui.models.audit import actor_name
from grassroots_tui.models.errors import validate_model
from grassroots_tui.models.slip import DEFAULT_DEADLINE_RULE, HandoffSlip, SlipSource, SlipState
from grassroots_tui.services.auth import guarded_save, guarded_transaction
from grassroots_tui.services.deadlines import Due, compute_due, parse_rule
from grassroots_tui.services.slip_clock import (
    OPEN_STATES,
    SlipSteps,
    Timeline,
    steps_by_slip,
    timeline,
)
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "ACTION_KINDS",
    "OPEN_STATES",
    "HistoryEntry",
    "SlipActionRefused",
    "SlipNotFound",
    "accept",
    "allowed_actions",
    "callback",
    "close",
    "draft_from_problem",
    "draft_slip",
    "earlier_slips",
    "documents_of",
    "effective_due",
    "ensure_allowed",
    "extend",
    "find_slip",
    "get_slip",
    "has_reply",
    "issue",
    "lead_official_name",
    "next_number",
    "numbers_ever_used",
    "proposed_lead_official",
    "refusal",
    "reply",
    "return_slip",
    "save_draft",
    "slip_history",
    "slip_timeline",
    "withdraw",
]

ACTIONS = (
    "issue",
    "accept",
    "return",
    "extend",
    "reply",
    "callback",
    "close",
    "withdraw",
    "remind",
)
ACTION_LABELS = {
    "issue": "交办",
    "accept": "受理",
    "return": "退单",
    "extend": "延期",
    "reply": "回复",
    "callback": "回访",
    "close": "办结",
    "withdraw": "撤回",
    "remind": "催办",
}
#: The document kinds that act on a slip (each carries ``slip_id``).
ACTION_KINDS = ("reply", "slip_extension", "slip_return", "slip_reminder", "slip_callback")
#: Days after issue within which the handling unit may return a slip (退单).
RETURN_WITHIN_DAYS = 3

_STATE = SlipState


class SlipActionRefused(ValueError):
    """A step that is not allowed for this slip now; the message says why, in Chinese."""


class SlipNotFound(SlipActionRefused):
    """The slip (or the visit/problem it should come from) does not exist."""


# -- which steps are allowed ---------------------------------------------------------------


def refusal(slip: HandoffSlip, action: str, *, has_reply: bool) -> str | None:
    """Why ``action`` is not allowed for ``slip`` now (Chinese), or None if it is.

    Only the slip's state (and whether it has a reply) is judged here; dates (the
    return window, a reply before the issue date…) are checked by the step itself.
    """
    if action not in ACTIONS:
        raise ValueError(f"未知的交办单操作：{action}（可用：{'、'.join(ACTIONS)}）")
    state = slip.state
    what = ACTION_LABELS[action]
    if state is _STATE.CLOSED:
        return "已办结的交办单不能重复办结" if action == "close" else f"已办结的交办单不能再{what}"
    if state is _STATE.WITHDRAWN:
        return f"已撤回的交办单不能再{what}"
    if action == "close" and not has_reply:
        return "没有回复单，不能办结"
    if action == "callback" and not has_reply and state is _STATE.REPLIED:
        return "没有回复单，不能回访"

    if state is _STATE.DRAFTED:
        if action in ("issue", "withdraw"):
            return None
        return f"交办单还是草稿，尚未交办，不能{what}"
    if state is _STATE.RETURNED:
        if action in ("issue", "withdraw"):
            return None
        if action == "return":
            return "交办单已被退回，不能重复退单"
        return f"交办单已被退回，不能{what}；请改正后重新交办，或撤回"

    # issued, accepted, extended, redo, replied
    if action == "issue":
        return f"交办单已交办（编号 {slip.number}），不能重复交办"
    if action == "accept":
        if state is _STATE.ISSUED:
            return None
        if state is _STATE.ACCEPTED:
            return "交办单已受理，不能重复受理"
        return f"交办单{state.label}，不需要再受理"
    if action == "return":
        if state is _STATE.ISSUED:
            return None
        if state is _STATE.ACCEPTED:
            return "承办单位已受理，不能再退单"
        return f"{state.label}的交办单不能退单"
    if action in ("extend", "reply", "remind"):
        if state in OPEN_STATES:
            return None
        if action == "reply":
            return "交办单已有回复单，等待回访；回访不满意的，重办后再回复"
        if action == "remind":
            return "交办单已回复，不需要催办"
        return "已回复的交办单不能再延期"
    if action == "callback":
        if state is _STATE.REPLIED:
            return None
        if state is _STATE.REDO:
            return "重办的交办单还没有新的回复单，不能回访"
        return "交办单尚未回复，不能回访"
    if action == "close":
        if state is _STATE.REPLIED:
            return None
        if state is _STATE.REDO:
            return "重办的交办单还没有新的回复单，不能办结"
        return "交办单尚未回复，没有回复单，不能办结"
    # withdraw
    if state in (_STATE.ISSUED, _STATE.ACCEPTED, _STATE.EXTENDED):
        return None
    if state is _STATE.REPLIED:
        return "承办单位已回复，交办单不能撤回"
    return f"承办单位已回复（{state.label}），交办单不能撤回"


def allowed_actions(slip: HandoffSlip, *, has_reply: bool) -> list[str]:
    """The steps (from :data:`ACTIONS`) that ``slip`` may take now, in that order."""
    return [a for a in ACTIONS if refusal(slip, a, has_reply=has_reply) is None]


def _check(slip: HandoffSlip, action: str, *, has_reply: bool) -> None:
    why = refusal(slip, action, has_reply=has_reply)
    if why is not None:
        raise SlipActionRefused(why)


# -- small helpers -----------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _get(doc: Any, name: str, default: Any = None) -> Any:
    if isinstance(doc, Mapping):
        return doc.get(name, default)
    return getattr(doc, name, default)


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _writing(store: Store) -> Any:
    """Hold the store's lock across read-decide-write (numbering must not race)."""
    lock = getattr(store, "_mutex", None)
    return lock if lock is not None else nullcontext()


def _load(store: Store, slip_id: str) -> HandoffSlip:
    slip = store.get(HandoffSlip, slip_id)
    if slip is None:
        raise SlipNotFound(f"找不到交办单（{slip_id}），可能已被删除。")
    return slip  # type: ignore[return-value]


def _of_slip(store: Store, kind: str, slip_id: str) -> list[dict[str, Any]]:
    return [d for d in store.raw(kind) if d.get("slip_id") == slip_id]


def get_slip(store: Store, slip_id: str) -> HandoffSlip:
    """The slip, or :class:`SlipNotFound`."""
    return _load(store, slip_id)


def ensure_allowed(slip: HandoffSlip, action: str, *, has_reply: bool) -> None:
    """Raise :class:`SlipActionRefused` (with the reason) unless ``action`` is allowed."""
    _check(slip, action, has_reply=has_reply)


def documents_of(store: Store, kind: str, slip_id: str) -> list[dict[str, Any]]:
    """The stored action documents of one kind ("reply", "slip_callback"…) of a slip."""
    return _of_slip(store, kind, slip_id)


def has_reply(store: Store, slip_id: str) -> bool:
    """Whether a reply slip (回复单) exists for the slip."""
    return any(d.get("slip_id") == slip_id for d in store.raw("reply"))


def _required(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise SlipActionRefused(f"请填写{what}")
    return text


def _rule_text(text: str | None) -> str:
    try:
        return parse_rule(text or DEFAULT_DEADLINE_RULE).text
    except ValueError as error:
        raise SlipActionRefused(str(error)) from None


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else "-"


def _station(store: Store, station_id: str | None) -> Station:
    station = store.get(Station, station_id) if station_id else None
    if station is None:
        raise SlipNotFound(f"找不到交办单所属的群工站（{station_id or '未填写'}）。")
    return station  # type: ignore[return-value]


# -- drafting --------------------------------------------------------------------------------


def draft_slip(
    station: Station,
    *,
    source: SlipSource,
    category: str,
    title: str,
    description: str,
    household_id: str | None = None,
    person_name: str | None = None,
    handling_unit: str | None = None,
    assignee: str | None = None,
    lead_official: str | None = None,
    responsible_person: str | None = None,
    deadline_rule: str = DEFAULT_DEADLINE_RULE,
) -> HandoffSlip:
    """A new, unsaved draft of ``station``. Raises :class:`DocumentInvalid` (Chinese) for
    a bad field and :class:`SlipActionRefused` for a deadline rule it cannot read."""
    return validate_model(
        HandoffSlip,
        {
            "station_id": station.id,
            "source": _enum_value(source),
            "category": category,
            "title": title,
            "description": description,
            "household_id": household_id,
            "person_name": person_name,
            "handling_unit": handling_unit,
            "assignee": assignee,
            "lead_official": lead_official,
            "responsible_person": responsible_person,
            "deadline_rule": _rule_text(deadline_rule),
            "state": SlipState.DRAFTED.value,
        },
    )


def _title_from(text: str, limit: int = 30) -> str:
    first = re.split(r"[。；;！!？?\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    first = first.rstrip("，,、 ")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def draft_from_problem(
    store: Store, visit_id: str, problem_id: str, *, rule: str | None = None
) -> HandoffSlip:
    """A draft prefilled from a pending problem raised on a visit (source 走访发现).

    Household, resident (the head of household), category and text come from the visit;
    a household with earlier slips gets the lead official of the latest one; ``rule`` is
    the deadline rule for the problem's category (services.slip_rules). Not saved.
    """
    visit = store.get(Visit, visit_id)
    if visit is None:
        raise SlipNotFound(f"找不到走访记录（{visit_id}）。")
    problem = next((p for p in visit.problems if p.id == problem_id), None)  # type: ignore[attr-defined]
    if problem is None:
        raise SlipNotFound(f"走访记录中找不到这个问题（{problem_id}）。")
    if problem.state is not ProblemState.PENDING:
        extra = f"（交办单 {_number_of(store, problem.slip_id)}）" if problem.slip_id else ""
        raise SlipActionRefused(
            f"这个问题的状态是“{problem.state.label}”{extra}，只有待办的问题才能开交办单"
        )
    for raw in store.raw("handoff_slip"):
        if (
            raw.get("problem_id") == problem_id
            and raw.get("visit_id") == visit_id
            and raw.get("state") != SlipState.WITHDRAWN.value
        ):
            raise SlipActionRefused(
                f"这个问题已经有交办单了（{raw.get('number') or '草稿：' + raw['title']}），"
                f"不能重复开单"
            )
    station = _station(store, visit.station_id)
    household = store.get(Household, visit.household_id)  # type: ignore[attr-defined]
    person = household.head_of_household if household is not None else None  # type: ignore[attr-defined]
    lead = proposed_lead_official(store, household_id=visit.household_id, person_name=None)  # type: ignore[attr-defined]
    description = f"{visit.date.isoformat()} 走访发现：{problem.description}"  # type: ignore[attr-defined]
    draft = draft_slip(
        station,
        source=SlipSource.VISIT,
        category=problem.category,
        title=_title_from(problem.description),
        description=description[:5000],
        household_id=visit.household_id,  # type: ignore[attr-defined]
        person_name=person,
        lead_official=lead,
        deadline_rule=rule or DEFAULT_DEADLINE_RULE,
    )
    return draft.model_copy(update={"visit_id": visit.id, "problem_id": problem.id})


def _number_of(store: Store, slip_id: str | None) -> str:
    raw = store.get_raw("handoff_slip", slip_id) if slip_id else None
    if raw is None:
        return slip_id or "-"
    return raw.get("number") or f"草稿：{raw.get('title', '')}"


#: Fields a draft may not set itself: the lifecycle owns them.
_LIFECYCLE_FIELDS = (
    "number",
    "issue_date",
    "due_date",
    "original_due_date",
    "state",
    "withdraw_reason",
)


def save_draft(store: Store, slip: HandoffSlip, actor: str) -> HandoffSlip:
    """Save a new or edited draft. Also edits a returned slip (to correct it before it
    is issued again). Number, dates and state are never set through here."""
    stored = store.get(HandoffSlip, slip.id)
    if stored is None:
        if slip.state is not SlipState.DRAFTED:
            raise SlipActionRefused("新的交办单只能先保存为草稿，再交办")
        update: dict[str, Any] = {name: None for name in _LIFECYCLE_FIELDS}
        update.update(state=SlipState.DRAFTED, withdraw_reason="")
    else:
        if stored.state not in (SlipState.DRAFTED, SlipState.RETURNED):  # type: ignore[attr-defined]
            raise SlipActionRefused(
                f"{stored.state.label}的交办单不能再修改；只有草稿和被退回的交办单可以修改"  # type: ignore[attr-defined]
            )
        update = {name: getattr(stored, name) for name in _LIFECYCLE_FIELDS}
        if stored.visit_id is not None:  # type: ignore[attr-defined]
            update.update(visit_id=stored.visit_id, problem_id=stored.problem_id)  # type: ignore[attr-defined]
    if not slip.station_id:
        raise SlipActionRefused("请选择交办单所属的群工站")
    update["deadline_rule"] = _rule_text(slip.deadline_rule)
    return guarded_save(store, slip.model_copy(update=update), actor)  # type: ignore[return-value]


# -- numbers -------------------------------------------------------------------------------


def _number_pattern(template: str, year: int) -> re.Pattern[str]:
    parts: list[str] = []
    seen_seq = False
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name == "year":
            parts.append(re.escape(format(year, spec or "")))
        elif name == "seq":
            parts.append(r"\s*(?P=seq)" if seen_seq else r"\s*(?P<seq>\d+)")
            seen_seq = True
    return re.compile("".join(parts))


def numbers_ever_used(store: Store, station_id: str) -> set[str]:
    """Every number a slip of the station holds now or held at any time (audit trail)."""
    used = {
        raw["number"]
        for raw in store.raw("handoff_slip")
        if raw.get("station_id") == station_id and raw.get("number")
    }
    for entry in store.raw("audit_entry"):
        if entry.get("target_kind") != "handoff_slip" or entry.get("station_id") != station_id:
            continue
        for value in (entry.get("changes") or {}).get("number") or ():
            if isinstance(value, str) and value:
                used.add(value)
        before = entry.get("before")
        if isinstance(before, dict) and before.get("number"):
            used.add(before["number"])
    return used


def next_number(store: Store, station: Station, year: int) -> str:
    """The station's next slip number in ``year``: one after the highest ever used.

    A number once given (even to a slip later withdrawn, deleted or undone) is never
    given again.
    """
    used = numbers_ever_used(store, station.id)
    pattern = _number_pattern(station.slip_number_format, year)
    highest = 0
    for number in used:
        match = pattern.fullmatch(number)
        if match:
            highest = max(highest, int(match.group("seq")))
    seq = highest + 1
    while station.slip_number(year, seq) in used:
        seq += 1
    return station.slip_number(year, seq)


def find_slip(store: Store, text: str, *, station: str | None = None) -> HandoffSlip:
    """A slip by its full number, its id, or the short form "2026-0015" / "2026-15";
    ``station`` (a station code or id) narrows the search when short forms collide."""
    text = text.strip()
    slips = store.raw("handoff_slip")
    if station:
        wanted = station.strip().upper()
        ids = {
            s["id"]
            for s in store.raw("station")
            if s["id"] == station or str(s.get("code", "")).upper() == wanted
        }
        if not ids:
            raise SlipNotFound(f"没有站点代码为“{station}”的群工站。")
        slips = [s for s in slips if s.get("station_id") in ids]
    exact = [s for s in slips if s.get("number") == text or s["id"] == text]
    if not exact:
        short = re.fullmatch(r"(\d{4})\s*[-－/]\s*0*(\d+)", text)
        if short:
            year, seq = short.group(1), int(short.group(2))
            for s in slips:
                number = s.get("number") or ""
                found = re.search(r"(\d{4}).*?(\d+)\D*$", number)
                if found and found.group(1) == year and int(found.group(2)) == seq:
                    exact.append(s)
    if not exact:
        raise SlipNotFound(f"找不到编号为“{text}”的交办单。")
    if len(exact) > 1:
        listed = "、".join(s.get("number") or s["id"] for s in exact[:5])
        raise SlipActionRefused(
            f"“{text}”对应多张交办单（{listed}），请写出完整编号，或用 --station 指定群工站。"
        )
    return HandoffSlip.model_validate(exact[0])


# -- repeat petitions ----------------------------------------------------------------------


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


def earlier_slips(
    store: Store,
    *,
    household_id: str | None,
    person_name: str | None,
    exclude_id: str | None = None,
) -> list[HandoffSlip]:
    """Slips of the same household or the same resident (by name), newest first.

    Withdrawn slips are left out; drafts are listed (they show a petition being opened
    twice).
    """
    if not household_id and not (person_name or "").strip():
        return []
    found = []
    for raw in store.raw("handoff_slip"):
        if raw["id"] == exclude_id or raw.get("state") == SlipState.WITHDRAWN.value:
            continue
        if (household_id and raw.get("household_id") == household_id) or _same_person(
            raw.get("person_name"), person_name
        ):
            found.append(raw)
    found.sort(
        key=lambda r: (
            r.get("issue_date") or str(r.get("created_at") or "")[:10],
            r.get("number") or "",
        ),
        reverse=True,
    )
    return [HandoffSlip.model_validate(raw) for raw in found]


def proposed_lead_official(
    store: Store,
    *,
    household_id: str | None,
    person_name: str | None,
    exclude_id: str | None = None,
) -> str | None:
    """领导包案 sticks: the lead official (staff id) of the newest earlier slip of the same
    household or resident that has one, or None."""
    for slip in earlier_slips(
        store, household_id=household_id, person_name=person_name, exclude_id=exclude_id
    ):
        if slip.lead_official:
            return slip.lead_official
    return None


# -- the effective due date ----------------------------------------------------------------


def _steps_for(store_or_docs: Any, slip_id: str) -> Mapping[str, list[Any]]:
    if isinstance(store_or_docs, SlipSteps):
        return store_or_docs.of(slip_id)
    if isinstance(store_or_docs, Store) or hasattr(store_or_docs, "raw"):
        return steps_by_slip(store_or_docs).of(slip_id)
    if isinstance(store_or_docs, Mapping):
        return SlipSteps(store_or_docs).of(slip_id)
    raise TypeError(f"effective_due: 不认识的数据来源 {type(store_or_docs).__name__}")


def slip_timeline(
    store_or_docs: Any, slip: dict[str, Any] | HandoffSlip, calendar: OfficialCalendar | None
) -> Timeline:
    """The slip's :class:`~grassroots_tui.services.slip_clock.Timeline`: its state, due
    date and clock on any day, from its dated steps.

    ``store_or_docs``: a :class:`Store`, a :class:`SlipSteps`, or a mapping of step kind
    ("reply", "slip_extension", "slip_callback"…) to documents."""
    return timeline(slip, _steps_for(store_or_docs, _get(slip, "id")), calendar)


def effective_due(
    store_or_docs: Any, slip: dict[str, Any] | HandoffSlip, calendar: OfficialCalendar | None
) -> Due | None:
    """The slip's due date as of its latest step (services/slip_clock.py has the rule):
    an extension gives its new due date; a redo (unsatisfied callback) counts the rule
    from the callback date; otherwise the rule counts from the issue date. A date worked
    out for a year without holiday data is provisional and becomes final by itself once
    the year's data is added. None for a slip never issued."""
    return slip_timeline(store_or_docs, slip, calendar).due


# -- the steps -------------------------------------------------------------------------------


def _save(store: Store, actor: str, *docs: Any) -> None:
    with guarded_transaction(store, actor) as tx:
        for doc in docs:
            tx.save(doc)


def _problem_update(
    store: Store, slip: HandoffSlip, *, handing_off: bool
) -> Visit | None:  # pragma: no branch - small
    """The linked visit with its problem handed off to (or released from) the slip."""
    if not slip.visit_id or not slip.problem_id:
        return None
    visit = store.get(Visit, slip.visit_id)
    if visit is None:
        return None
    problems = list(visit.problems)  # type: ignore[attr-defined]
    for index, problem in enumerate(problems):
        if problem.id != slip.problem_id:
            continue
        if handing_off:
            if problem.slip_id == slip.id and problem.state is ProblemState.HANDED_OFF:
                return None
            if problem.state is ProblemState.HANDED_OFF:
                raise SlipActionRefused(
                    f"来源问题已交办给另一张交办单（{_number_of(store, problem.slip_id)}），"
                    f"不能重复交办"
                )
            if problem.state is not ProblemState.PENDING:
                raise SlipActionRefused(
                    f"来源问题的状态是“{problem.state.label}”，不需要再交办；"
                    f"如确需交办，请先在走访记录中改回待办"
                )
            problems[index] = problem.model_copy(
                update={"state": ProblemState.HANDED_OFF, "slip_id": slip.id, "solved_on": None}
            )
        else:
            if problem.slip_id != slip.id:
                return None
            problems[index] = problem.model_copy(
                update={"state": ProblemState.PENDING, "slip_id": None, "solved_on": None}
            )
        return visit.model_copy(update={"problems": problems})  # type: ignore[return-value]
    return None


def _problem_follows(store: Store, slip: HandoffSlip, solved_on: dt.date | None) -> Visit | None:
    """The linked visit with its problem solved by the closed slip (后续解决 on
    ``solved_on``, but not before the visit's date), or, with ``solved_on`` None, open
    again (已交办, no date) for a redo; None when there is nothing to change."""
    if not slip.visit_id or not slip.problem_id:
        return None
    visit = store.get(Visit, slip.visit_id)
    if visit is None:
        return None
    problems = list(visit.problems)  # type: ignore[attr-defined]
    for index, problem in enumerate(problems):
        if problem.id != slip.problem_id or problem.slip_id not in (slip.id, None):
            continue
        if solved_on is not None and problem.state in (
            ProblemState.HANDED_OFF,
            ProblemState.SOLVED_LATER,
        ):
            update = {
                "state": ProblemState.SOLVED_LATER,
                "slip_id": slip.id,
                "solved_on": max(solved_on, visit.date),  # type: ignore[attr-defined]
            }
        elif solved_on is None and problem.state is ProblemState.SOLVED_LATER:
            update = {"state": ProblemState.HANDED_OFF, "slip_id": slip.id, "solved_on": None}
        else:
            return None
        changed = problem.model_copy(update=update)
        if changed == problem:
            return None
        problems[index] = changed
        return visit.model_copy(update={"problems": problems})  # type: ignore[return-value]
    return None


def _last_reply(replies: list[dict[str, Any]]) -> dt.date:
    return max(_date(r["reply_date"]) for r in replies)  # type: ignore[type-var,return-value]


def issue(
    store: Store, slip_id: str, *, on: dt.date, actor: str, calendar: OfficialCalendar
) -> HandoffSlip:
    """交办: give the draft its number (kept when a returned slip is issued again), the
    issue date and due date; a linked visit problem becomes 已交办 in the same
    transaction."""
    with _writing(store):
        slip = _load(store, slip_id)
        _check(slip, "issue", has_reply=False)
        if not slip.handling_unit:
            raise SlipActionRefused("没有填写承办单位，不能交办")
        rule = _rule_text(slip.deadline_rule)
        station = _station(store, slip.station_id)
        number = slip.number or next_number(store, station, on.year)
        due = compute_due(on, rule, calendar)
        updated = slip.model_copy(
            update={
                "number": number,
                "issue_date": on,
                "deadline_rule": rule,
                "due_date": due.date,
                "original_due_date": None,
                "state": SlipState.ISSUED,
            }
        )
        step = SlipIssue(
            station_id=slip.station_id,
            slip_id=slip.id,
            issued_on=on,
            number=number,
            due_date=due.date,
        )
        visit = _problem_update(store, updated, handing_off=True)
        _save(store, actor, updated, step, *([visit] if visit is not None else []))
    return _load(store, slip_id)


def _not_before(day: dt.date, what: str, earliest: dt.date | None, earliest_what: str) -> None:
    if earliest is not None and day < earliest:
        raise SlipActionRefused(
            f"{what} {day.isoformat()} 早于{earliest_what} {earliest.isoformat()}"
        )


def accept(store: Store, slip_id: str, *, on: dt.date, actor: str) -> HandoffSlip:
    """受理: the handling unit takes the slip on, on ``on``."""
    with _writing(store):
        slip = _load(store, slip_id)
        _check(slip, "accept", has_reply=has_reply(store, slip_id))
        _not_before(on, "受理日期", slip.issue_date, "交办日期")
        step = SlipAcceptance(station_id=slip.station_id, slip_id=slip.id, accepted_on=on)
        _save(store, actor, slip.model_copy(update={"state": SlipState.ACCEPTED}), step)
    return _load(store, slip_id)


def return_slip(
    store: Store,
    slip_id: str,
    *,
    on: dt.date,
    reason: str,
    actor: str,
    within_days: int = RETURN_WITHIN_DAYS,
) -> HandoffSlip:
    """退单: the handling unit sends the slip back, with a reason, within ``within_days``
    days after issue."""
    with _writing(store):
        slip = _load(store, slip_id)
        _check(slip, "return", has_reply=has_reply(store, slip_id))
        reason = _required(reason, "退单理由")
        assert slip.issue_date is not None
        if on < slip.issue_date:
            raise SlipActionRefused(
                f"退单日期 {on.isoformat()} 早于交办日期 {slip.issue_date.isoformat()}"
            )
        last = slip.issue_date + dt.timedelta(days=within_days)
        if on > last:
            raise SlipActionRefused(
                f"交办已超过 {within_days} 日（交办日期 {slip.issue_date.isoformat()}，"
                f"最迟 {last.isoformat()} 退单），不能再退单"
            )
        doc = SlipReturn(station_id=slip.station_id, slip_id=slip.id, returned_on=on, reason=reason)
        _save(store, actor, slip.model_copy(update={"state": SlipState.RETURNED}), doc)
    return _load(store, slip_id)


def extend(
    store: Store,
    slip_id: str,
    *,
    requested_on: dt.date,
    reason: str,
    approver: str,
    new_due_date: dt.date,
    actor: str,
    calendar: OfficialCalendar,
) -> HandoffSlip:
    """延期: a new due date, approved; asked after the current due date it is flagged
    late (超期后申请). The first due date is kept in ``original_due_date``."""
    with _writing(store):
        slip = _load(store, slip_id)
        _check(slip, "extend", has_reply=has_reply(store, slip_id))
        reason = _required(reason, "延期理由")
        approver = _required(approver, "批准人")
        assert slip.issue_date is not None
        if requested_on < slip.issue_date:
            raise SlipActionRefused(
                f"申请日期 {requested_on.isoformat()} 早于交办日期 {slip.issue_date.isoformat()}"
            )
        current = effective_due(store, slip, calendar)
        assert current is not None
        if new_due_date <= current.date:
            raise SlipActionRefused(
                f"新的应办结日期 {new_due_date.isoformat()} 必须晚于现在的应办结日期 "
                f"{current.date.isoformat()}"
            )
        if new_due_date < requested_on:
            raise SlipActionRefused("新的应办结日期不能早于申请日期")
        doc = SlipExtension(
            station_id=slip.station_id,
            slip_id=slip.id,
            requested_on=requested_on,
            reason=reason,
            approver=approver,
            new_due_date=new_due_date,
            late=requested_on > current.date,
        )
        updated = slip.model_copy(
            update={
                "state": SlipState.EXTENDED,
                "due_date": new_due_date,
                "original_due_date": slip.original_due_date or current.date,
            }
        )
        _save(store, actor, updated, doc)
    return _load(store, slip_id)


def reply(
    store: Store,
    slip_id: str,
    *,
    reply_date: dt.date,
    result: str,
    policy_basis: str,
    handler: str,
    signer: str | None,
    actor: str,
) -> HandoffSlip:
    """回复: the reply slip (回复单); after a redo it is marked as the redo reply."""
    with _writing(store):
        slip = _load(store, slip_id)
        _check(slip, "reply", has_reply=has_reply(store, slip_id))
        result = _required(result, "办理结果")
        handler = _required(handler, "经办人")
        assert slip.issue_date is not None
        if reply_date < slip.issue_date:
            raise SlipActionRefused(
                f"回复日期 {reply_date.isoformat()} 早于交办日期 {slip.issue_date.isoformat()}"
            )
        redo = slip.state is SlipState.REDO
        if redo:
            called = [
                _date(c["date"])
                for c in _of_slip(store, "slip_callback", slip_id)
                if c.get("satisfaction") == Satisfaction.UNSATISFIED.value
            ]
            last_call = max((d for d in called if d), default=None)
            if last_call is not None and reply_date < last_call:
                raise SlipActionRefused(
                    f"重办回复日期 {reply_date.isoformat()} 早于不满意回访的日期 "
                    f"{last_call.isoformat()}"
                )
        doc = Reply(
            station_id=slip.station_id,
            slip_id=slip.id,
            reply_date=reply_date,
            result=result,
            policy_basis=(policy_basis or "").strip(),
            handler=handler,
            signer=signer,
            is_redo=redo,
        )
        _save(store, actor, slip.model_copy(update={"state": SlipState.REPLIED}), doc)
    return _load(store, slip_id)


def callback(
    store: Store,
    slip_id: str,
    *,
    on: dt.date,
    satisfaction: Satisfaction,
    by: str | None,
    note: str,
    actor: str,
    calendar: OfficialCalendar,
) -> HandoffSlip:
    """回访: 满意/基本满意 closes the slip; 不满意 sends it back for redo (重办) with a new
    deadline counted from the callback date under the slip's rule."""
    with _writing(store):
        slip = _load(store, slip_id)
        replies = _of_slip(store, "reply", slip_id)
        _check(slip, "callback", has_reply=bool(replies))
        satisfaction = Satisfaction(satisfaction)
        last_reply = _last_reply(replies)
        if on < last_reply:
            raise SlipActionRefused(
                f"回访日期 {on.isoformat()} 早于回复日期 {last_reply.isoformat()}"
            )
        doc = SlipCallback(
            station_id=slip.station_id,
            slip_id=slip.id,
            date=on,
            satisfaction=satisfaction,
            by=by,
            note=(note or "").strip(),
        )
        if satisfaction is Satisfaction.UNSATISFIED:
            due = compute_due(on, _rule_text(slip.deadline_rule), calendar)
            updated = slip.model_copy(update={"state": SlipState.REDO, "due_date": due.date})
            visit = _problem_follows(store, updated, None)
        else:
            updated = slip.model_copy(update={"state": SlipState.CLOSED})
            visit = _problem_follows(store, updated, on)
        _save(store, actor, updated, doc, *([visit] if visit is not None else []))
    return _load(store, slip_id)


def close(store: Store, slip_id: str, *, on: dt.date, actor: str) -> HandoffSlip:
    """办结 on ``on`` explicitly (without waiting for a callback); needs a reply slip.
    A linked visit problem becomes 后续解决, dated ``on``, in the same transaction."""
    with _writing(store):
        slip = _load(store, slip_id)
        replies = _of_slip(store, "reply", slip_id)
        _check(slip, "close", has_reply=bool(replies))
        _not_before(on, "办结日期", _last_reply(replies), "回复日期")
        updated = slip.model_copy(update={"state": SlipState.CLOSED})
        step = SlipClosing(station_id=slip.station_id, slip_id=slip.id, closed_on=on)
        visit = _problem_follows(store, updated, on)
        _save(store, actor, updated, step, *([visit] if visit is not None else []))
    return _load(store, slip_id)


def withdraw(store: Store, slip_id: str, *, on: dt.date, reason: str, actor: str) -> HandoffSlip:
    """撤回 on ``on``: before any reply. The slip keeps its number (never reused); a
    linked visit problem goes back to 待办."""
    with _writing(store):
        slip = _load(store, slip_id)
        _check(slip, "withdraw", has_reply=has_reply(store, slip_id))
        reason = _required(reason, "撤回理由")
        latest = max(
            (
                d
                for d in [slip.issue_date]
                + [_date(r.get("returned_on")) for r in _of_slip(store, "slip_return", slip_id)]
                + [_date(e.get("requested_on")) for e in _of_slip(store, "slip_extension", slip_id)]
                if d is not None
            ),
            default=None,
        )
        _not_before(on, "撤回日期", latest, "上一步的日期")
        updated = slip.model_copy(update={"state": SlipState.WITHDRAWN, "withdraw_reason": reason})
        step = SlipWithdrawal(
            station_id=slip.station_id, slip_id=slip.id, withdrawn_on=on, reason=reason
        )
        visit = _problem_update(store, updated, handing_off=False)
        _save(store, actor, updated, step, *([visit] if visit is not None else []))
    return _load(store, slip_id)


# -- history ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a slip's history: when, who, and what (Chinese)."""

    at: dt.datetime | dt.date
    who: str
    what: str


def _when(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _state_label(value: Any) -> str:
    try:
        return SlipState(value).label
    except ValueError:
        return str(value)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split()).rstrip("。；;，, ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_action(kind: str, doc: dict[str, Any]) -> tuple[str, str]:
    """(business date, Chinese text) of an action document."""
    if kind == "reply":
        what = "重办回复单" if doc.get("is_redo") else "回复单"
        text = f"{what}（{doc['reply_date']}）：{_clip(doc.get('result', ''))}；经办人 {doc.get('handler')}"
        if doc.get("signer"):
            text += f"，签发人 {doc['signer']}"
        return doc["reply_date"], text
    if kind == "slip_extension":
        text = (
            f"延期（申请日期 {doc['requested_on']}）：{_clip(doc.get('reason', ''))}；"
            f"批准人 {doc.get('approver')}，新的应办结日期 {doc['new_due_date']}"
        )
        if doc.get("late"):
            text += "（超期后申请）"
        return doc["requested_on"], text
    if kind == "slip_return":
        return doc["returned_on"], f"退单（{doc['returned_on']}）：{_clip(doc.get('reason', ''))}"
    if kind == "slip_reminder":
        text = f"催办（{doc['sent_on']}）：催办人 {doc.get('by')}"
        if doc.get("days_overdue"):
            text += f"，已超期 {doc['days_overdue']} 天"
        if doc.get("note"):
            text += f"；{_clip(doc['note'])}"
        return doc["sent_on"], text
    if kind == "slip_callback":
        try:
            how = Satisfaction(str(doc.get("satisfaction"))).label
        except ValueError:
            how = str(doc.get("satisfaction"))
        text = f"回访（{doc['date']}）：{how}"
        if doc.get("by"):
            text += f"，回访人 {doc['by']}"
        if doc.get("note"):
            text += f"；{_clip(doc['note'])}"
        return doc["date"], text
    return "", KINDS[kind].LABEL if kind in KINDS else kind


_FIELD_TITLES = {name: (field.title or name) for name, field in HandoffSlip.model_fields.items()}
_STEP_FIELDS = {"state", "number", "issue_date", "due_date", "original_due_date", "deadline_rule"}


def _describe_slip_change(entry: dict[str, Any]) -> str:
    action = entry.get("action")
    changes: dict[str, list[Any]] = entry.get("changes") or {}
    if action == "create":
        after = {name: pair[1] for name, pair in changes.items()}
        text = f"新建交办单（{_state_label(after.get('state', 'drafted'))}）"
        if after.get("number"):
            text += f"，编号 {after['number']}"
        return text
    if action == "delete":
        return "删除交办单"
    if action in ("access", "export"):
        what = "导出" if action == "export" else "查看"
        return f"{what}交办单" + (f"：{entry['note']}" if entry.get("note") else "")
    parts: list[str] = []
    if "state" in changes:
        before, after = changes["state"]
        after_label = _state_label(after)
        new = {name: pair[1] for name, pair in changes.items()}
        if after == SlipState.ISSUED.value and before in ("drafted", "returned"):
            details = [
                f"{title} {new[name]}"
                for name, title in (
                    ("number", "编号"),
                    ("issue_date", "交办日期"),
                    ("due_date", "应办结日期"),
                )
                if new.get(name)
            ]
            again = "重新交办" if before == "returned" else "交办"
            parts.append(again + ("：" + "，".join(details) if details else ""))
        elif after == SlipState.WITHDRAWN.value:
            reason = new.get("withdraw_reason") or ""
            parts.append("撤回" + (f"：{reason}" if reason else ""))
        elif after == SlipState.REDO.value:
            parts.append(f"回访不满意，重办（新的应办结日期 {new.get('due_date', '')}）")
        else:
            parts.append(f"{_state_label(before)} → {after_label}")
    others = [
        _FIELD_TITLES.get(name, name)
        for name in changes
        if name not in _STEP_FIELDS and name != "withdraw_reason"
    ]
    if others:
        parts.append("修改了" + "、".join(others))
    if not parts and changes:
        parts.append("修改了" + "、".join(_FIELD_TITLES.get(n, n) for n in changes))
    text = "；".join(parts) or "保存（无改动）"
    if action == "undo":
        text = "撤销上一步：" + text
    return text


def slip_history(store: Store, slip_id: str) -> list[HistoryEntry]:
    """What happened to the slip, oldest first: its audit trail (who and when each step
    was recorded) joined with the action documents (reply, extension, return, reminder,
    callback) and what they say. A step's slip change and its action document, written
    in one transaction, make one entry."""
    actions: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind in ACTION_KINDS:
        for doc in _of_slip(store, kind, slip_id):
            actions[doc["id"]] = (kind, doc)
    slip_entries: list[dict[str, Any]] = []
    action_entry: dict[str, dict[str, Any]] = {}
    for entry in store.raw("audit_entry"):
        target = entry.get("target_id")
        if target == slip_id and entry.get("target_kind") == "handoff_slip":
            slip_entries.append(entry)
        elif target in actions and entry.get("action") == "create":
            action_entry.setdefault(target, entry)

    by_txn: dict[str, list[str]] = defaultdict(list)
    for doc_id, entry in action_entry.items():
        by_txn[entry["txn"]].append(doc_id)

    rows: list[tuple[tuple[Any, ...], HistoryEntry]] = []

    def add(at: dt.datetime | dt.date, who: str, what: str, business: str, seq: int) -> None:
        if isinstance(at, dt.datetime):
            key = (at.date(), 1, at.timestamp(), business, seq)
        else:
            key = (at, 0, 0.0, business, seq)
        rows.append((key, HistoryEntry(at, actor_name(who), what)))

    merged: dict[str, str] = {}  # action doc id → state change text to append
    for entry in slip_entries:
        at = _when(entry.get("at"))
        changes = entry.get("changes") or {}
        partners = by_txn.get(entry.get("txn", ""), [])
        if entry.get("action") == "update" and "state" in changes and len(partners) == 1:
            before, after = changes["state"]
            if after == SlipState.REDO.value:
                note = f"重办，新的应办结日期 {changes.get('due_date', [None, ''])[1]}"
            else:
                note = f"{_state_label(before)} → {_state_label(after)}"
            merged[partners[0]] = note
            continue
        if at is None:
            continue
        add(at, entry.get("actor") or "", _describe_slip_change(entry), "", entry.get("seq", 0))

    for doc_id, (kind, doc) in actions.items():
        business, text = _describe_action(kind, doc)
        if doc_id in merged:
            text += f"（{merged[doc_id]}）"
        created = action_entry.get(doc_id)
        at = _when(created.get("at")) if created else None
        if created is not None and at is not None:
            add(at, created.get("actor") or "", text, business, created.get("seq", 0))
        else:
            day = _date(business) or _date(doc.get("created_at")) or dt.date.min
            who = doc.get("created_by") or doc.get("by") or doc.get("handler") or ""
            add(day, who, text, business, 0)
    rows.sort(key=lambda row: row[0])
    return [row[1] for row in rows]


def lead_official_name(store: Store, staff_id: str | None) -> str | None:
    """The lead official's name for a staff id (the id itself if no such staff)."""
    if not staff_id:
        return None
    staff = store.get_raw(Staff, staff_id)
    return staff["name"] if staff else staff_id
