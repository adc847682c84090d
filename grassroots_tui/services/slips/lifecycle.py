"""The lifecycle of a handoff slip: which step is allowed in which state
(:func:`refusal`, :func:`allowed_actions`, :func:`ensure_allowed`) and the steps
themselves (:func:`issue`, :func:`accept`, :func:`return_slip`,
:func:`request_extension`, :func:`extend`, :func:`reply`, :func:`callback`, :func:`close`, :func:`withdraw`), each one store
transaction; the package's docstring has the table of states and steps."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models import (
    ProblemState,
    Reply,
    Satisfaction,
    SlipAcceptance,
    SlipCallback,
    SlipClosing,
    SlipExtension,
    SlipExtensionRequest,
    SlipIssue,
    SlipReminder,
    SlipReturn,
    SlipWithdrawal,
    Station,
    Visit,
)
from grassroots_tui.models.base import OFFICE, writer_of
from grassroots_tui.models.slip import DEFAULT_DEADLINE_RULE, HandoffSlip, SlipState, SlipView
from grassroots_tui.services.auth import guarded_transaction
from grassroots_tui.services.deadlines import Due, compute_due, parse_rule
from grassroots_tui.services.fields import optional_date as _date
from grassroots_tui.services.slips.clock import (
    OPEN_STATES,
    effective_due,
    slip_timeline,
    view_of,
)
from grassroots_tui.services.slips.errors import SlipActionRefused, SlipNotFound
from grassroots_tui.services.slips.numbering import _number_of, next_number, next_office_number
from grassroots_tui.services.text import listed
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

ACTIONS = (
    "issue",
    "accept",
    "return",
    "request_extension",
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
    "request_extension": "申请延期",
    "extend": "延期",
    "reply": "回复",
    "callback": "回访",
    "close": "办结",
    "withdraw": "撤回",
    "remind": "催办",
}


def action_label(action: str) -> str:
    """The name of a step (:data:`ACTIONS`) in the current language: the step document's
    own title where it has one (受理, 退单…), else the word for it."""
    named = {
        "issue": tr("交办"),
        "accept": tr(SlipAcceptance.LABEL),
        "return": tr(SlipReturn.LABEL),
        "request_extension": tr("申请延期"),
        "extend": tr("延期"),
        "reply": tr("回复"),
        "callback": tr(SlipCallback.LABEL),
        "close": tr(SlipClosing.LABEL),
        "withdraw": tr(SlipWithdrawal.LABEL),
        "remind": tr(SlipReminder.LABEL),
    }
    return named[action]


#: Days after issue within which the handling unit may return a slip (退单).
RETURN_WITHIN_DAYS = 3

_STATE = SlipState


# -- who takes each step --------------------------------------------------------------------

#: Steps the handling party takes on a slip the street office issued to a station: the
#: station accepts, returns, asks for more time or answers it; the office, which issued
#: it, does the rest (it approves an extension by recording it).
HANDLER_STEPS = frozenset({"accept", "return", "request_extension", "reply"})


def step_party(slip: SlipView, action: str) -> str:
    """Who writes ``action``'s document for ``slip``: "office" or a station id.

    A station's own slip: the station records every step (the handling unit has no
    computer of its own), except reminders (催办), which the street office's supervisors
    write. A slip the street office issued to a station: the station accepts, returns and
    replies, and asks for an extension; the office issues, extends (approving the
    request, or of its own accord), calls back, closes, withdraws and reminds."""
    if action == "remind":
        return OFFICE
    issuer = writer_of(slip)
    if issuer == OFFICE and slip.station_id and action in HANDLER_STEPS:
        return slip.station_id
    return issuer


def party_refusal(store: Store, slip: SlipView, action: str) -> str | None:
    """Why this machine may not take ``action`` on ``slip``, or None: a
    replica writes only its own documents, so a step is taken where its party works."""
    replica = store.replica
    party = step_party(slip, action)
    if replica.writer is None or replica.writer == party:
        return None
    return tr(
        "{what}由{party}办理，本机（{machine}）只能查看",
        what=action_label(action),
        party=store.writer_label(party),
        machine=replica.label,
    )


def _party(store: Store, slip: SlipView, action: str) -> str:
    why = party_refusal(store, slip, action)
    if why is not None:
        raise SlipActionRefused(why)
    return step_party(slip, action)


# -- which steps are allowed ---------------------------------------------------------------


def refusal(slip: SlipView, action: str, *, has_reply: bool) -> str | None:
    """Why ``action`` is not allowed for ``slip`` now, or None if it is.

    Only the slip's state (and whether it has a reply) is judged here; dates (the
    return window, a reply before the issue date…) are checked by the step itself.
    """
    if action not in ACTIONS:
        raise ValueError(
            tr(
                "未知的交办单操作：{action}（可用：{choices}）",
                action=action,
                choices=listed(ACTIONS),
            )
        )
    state = slip.state
    what = action_label(action)
    if state is _STATE.CLOSED:
        if action == "close":
            return tr("已办结的交办单不能重复办结")
        return tr("已办结的交办单不能再{what}", what=what)
    if state is _STATE.WITHDRAWN:
        return tr("已撤回的交办单不能再{what}", what=what)
    if action == "close" and not has_reply:
        return tr("没有回复单，不能办结")
    if action == "callback" and not has_reply and state is _STATE.REPLIED:
        return tr("没有回复单，不能回访")

    if state is _STATE.DRAFTED:
        if action in ("issue", "withdraw"):
            return None
        return tr("交办单还是草稿，尚未交办，不能{what}", what=what)
    if state is _STATE.RETURNED:
        if action in ("issue", "withdraw"):
            return None
        if action == "return":
            return tr("交办单已被退回，不能重复退单")
        return tr("交办单已被退回，不能{what}；请改正后重新交办，或撤回", what=what)

    # issued, accepted, extended, redo, replied
    if action == "issue":
        return tr("交办单已交办（编号 {number}），不能重复交办", number=slip.number)
    if action == "accept":
        if state is _STATE.ISSUED:
            return None
        if state is _STATE.ACCEPTED:
            return tr("交办单已受理，不能重复受理")
        return tr("交办单{state}，不需要再受理", state=tr(state.label))
    if action == "return":
        if state is _STATE.ISSUED:
            return None
        if state is _STATE.ACCEPTED:
            return tr("承办单位已受理，不能再退单")
        return tr("{state}的交办单不能退单", state=tr(state.label))
    if action == "request_extension" and writer_of(slip) != OFFICE:
        return tr("本站的交办单不用申请延期：承办单位提出的延期，由本站直接登记（延期）")
    if action in ("extend", "request_extension", "reply", "remind"):
        if state in OPEN_STATES:
            return None
        if action == "reply":
            return tr("交办单已有回复单，等待回访；回访不满意的，重办后再回复")
        if action == "remind":
            return tr("交办单已回复，不需要催办")
        return tr("已回复的交办单不能再延期")
    if action == "callback":
        if state is _STATE.REPLIED:
            return None
        if state is _STATE.REDO:
            return tr("重办的交办单还没有新的回复单，不能回访")
        return tr("交办单尚未回复，不能回访")
    if action == "close":
        if state is _STATE.REPLIED:
            return None
        if state is _STATE.REDO:
            return tr("重办的交办单还没有新的回复单，不能办结")
        return tr("交办单尚未回复，没有回复单，不能办结")
    # withdraw
    if state in (_STATE.ISSUED, _STATE.ACCEPTED, _STATE.EXTENDED):
        return None
    if state is _STATE.REPLIED:
        return tr("承办单位已回复，交办单不能撤回")
    return tr("承办单位已回复（{state}），交办单不能撤回", state=tr(state.label))


def allowed_actions(slip: SlipView, *, has_reply: bool) -> list[str]:
    """The steps (from :data:`ACTIONS`) that ``slip`` may take now, in that order."""
    return [a for a in ACTIONS if refusal(slip, a, has_reply=has_reply) is None]


def _check(slip: SlipView, action: str, *, has_reply: bool) -> None:
    why = refusal(slip, action, has_reply=has_reply)
    if why is not None:
        raise SlipActionRefused(why)


# -- small helpers -----------------------------------------------------------------------


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _writing(store: Store) -> Any:
    """Hold the store's lock across read-decide-write (numbering must not race)."""
    lock = getattr(store, "_mutex", None)
    return lock if lock is not None else nullcontext()


def _load(store: Store, slip_id: str, calendar: OfficialCalendar | None = None) -> SlipView:
    """The slip as it stands now: the issuer's document with its state, number, dates and
    due date worked out from its steps (the slip clock)."""
    raw = store.get_raw(HandoffSlip, slip_id)
    if raw is None:
        raise SlipNotFound(tr("找不到交办单（{slip}），可能已被删除。", slip=slip_id))
    return view_of(raw, slip_timeline(store, raw, calendar))


def _of_slip(store: Store, kind: str, slip_id: str) -> list[dict[str, Any]]:
    return [d for d in store.raw(kind) if d.get("slip_id") == slip_id]


def get_slip(store: Store, slip_id: str, calendar: OfficialCalendar | None = None) -> SlipView:
    """The slip as it stands now (:class:`SlipView`), or :class:`SlipNotFound`."""
    return _load(store, slip_id, calendar)


def ensure_allowed(slip: SlipView, action: str, *, has_reply: bool) -> None:
    """Raise :class:`SlipActionRefused` (with the reason) unless ``action`` is allowed."""
    _check(slip, action, has_reply=has_reply)


def documents_of(store: Store, kind: str, slip_id: str) -> list[dict[str, Any]]:
    """The stored action documents of one kind ("reply", "slip_callback"…) of a slip."""
    return _of_slip(store, kind, slip_id)


def has_reply(store: Store, slip_id: str) -> bool:
    """Whether a reply slip (回复单) exists for the slip."""
    return any(d.get("slip_id") == slip_id for d in store.raw("reply"))


def _required(value: str | None, what: str) -> str:
    """``value`` stripped, refused when empty; ``what`` is the field's (Chinese) title."""
    text = (value or "").strip()
    if not text:
        raise SlipActionRefused(tr("请填写{what}", what=tr(what)))
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
        raise SlipNotFound(
            tr("找不到交办单所属的群工站（{station}）。", station=station_id or tr("未填写"))
        )
    return station


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
    problems = list(visit.problems)
    for index, problem in enumerate(problems):
        if problem.id != slip.problem_id:
            continue
        if handing_off:
            if problem.slip_id == slip.id and problem.state is ProblemState.HANDED_OFF:
                return None
            if problem.state is ProblemState.HANDED_OFF:
                raise SlipActionRefused(
                    tr(
                        "来源问题已交办给另一张交办单（{number}），不能重复交办",
                        number=_number_of(store, problem.slip_id),
                    )
                )
            if problem.state is not ProblemState.PENDING:
                raise SlipActionRefused(
                    tr(
                        "来源问题的状态是“{state}”，不需要再交办；"
                        "如确需交办，请先在走访记录中改回待办",
                        state=tr(problem.state.label),
                    )
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
        return visit.model_copy(update={"problems": problems})
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
    problems = list(visit.problems)
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
                "solved_on": max(solved_on, visit.date),
            }
        elif solved_on is None and problem.state is ProblemState.SOLVED_LATER:
            update = {"state": ProblemState.HANDED_OFF, "slip_id": slip.id, "solved_on": None}
        else:
            return None
        changed = problem.model_copy(update=update)
        if changed == problem:
            return None
        problems[index] = changed
        return visit.model_copy(update={"problems": problems})
    return None


def _last_reply(replies: list[dict[str, Any]]) -> dt.date:
    return max(_date(r["reply_date"]) for r in replies)  # type: ignore[type-var,return-value]


def issue(
    store: Store,
    slip_id: str,
    *,
    on: dt.date,
    actor: str,
    calendar: OfficialCalendar,
    office_number_format: str | None = None,
    expected_number: str | None = None,
) -> SlipView:
    """交办: give the draft its number (kept when a returned slip is issued again), the
    issue date and due date; a linked visit problem becomes 已交办 in the same
    transaction.

    ``expected_number`` is the number the user was shown and agreed to
    (:func:`issue_preview`): if another save took it meanwhile, the slip is not issued
    and the refusal names the number it would take now, so it is never given one
    nobody saw."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "issue", calendar)
        number, rule, due = _issue_terms(store, slip, on, calendar, office_number_format)
        if expected_number is not None and number != expected_number:
            raise SlipActionRefused(
                tr(
                    "编号 {expected} 已被占用，现在交办将是 {number}，请重新交办",
                    expected=expected_number,
                    number=number,
                )
            )
        step = SlipIssue(
            writer=party,
            station_id=slip.station_id,
            slip_id=slip.id,
            issued_on=on,
            number=number,
            due_date=due.date,
        )
        docs: list[Any] = [step]
        if rule != slip.deadline_rule:  # the issuer's own document: its rule, written out
            docs.append(slip.stored().model_copy(update={"deadline_rule": rule}))
        visit = _problem_update(store, slip, handing_off=True)
        _save(store, actor, *docs, *([visit] if visit is not None else []))
    return _load(store, slip_id, calendar)


def issue_preview(
    store: Store,
    slip_id: str,
    *,
    on: dt.date,
    calendar: OfficialCalendar,
    office_number_format: str | None = None,
) -> tuple[str, Due]:
    """The number and due date :func:`issue` would give the slip on ``on``, without
    writing anything (refused, as issue would be, when the slip cannot be issued)."""
    slip, _party_ = _taking(store, slip_id, "issue", calendar)
    number, _rule, due = _issue_terms(store, slip, on, calendar, office_number_format)
    return number, due


def _issue_terms(
    store: Store,
    slip: SlipView,
    on: dt.date,
    calendar: OfficialCalendar,
    office_number_format: str | None,
) -> tuple[str, str, Due]:
    """The number, the deadline rule written out and the due date of issuing ``slip``."""
    if not slip.handling_unit:
        raise SlipActionRefused(tr("没有填写承办单位，不能交办"))
    rule = _rule_text(slip.deadline_rule)
    station = _station(store, slip.station_id)
    if slip.number:  # issued again after a return: the same number
        number = slip.number
    elif writer_of(slip) == OFFICE:  # the office's own sequence (上级交办)
        number = (
            next_office_number(store, on.year, office_number_format)
            if office_number_format
            else next_office_number(store, on.year)
        )
    else:
        number = next_number(store, station, on.year)
    return number, rule, compute_due(on, rule, calendar)


def _taking(
    store: Store, slip_id: str, action: str, calendar: OfficialCalendar | None = None
) -> tuple[SlipView, str]:
    """The slip as it stands, checked to allow ``action`` now and on this machine, and
    the party whose document the step is (see :func:`step_party`)."""
    slip = _load(store, slip_id, calendar)
    _check(slip, action, has_reply=has_reply(store, slip_id))
    return slip, _party(store, slip, action)


def _not_before(day: dt.date, earliest: dt.date | None, refused: str) -> None:
    """Refuse with ``refused`` (the message, already said) when ``day`` is before
    ``earliest``."""
    if earliest is not None and day < earliest:
        raise SlipActionRefused(refused)


def accept(store: Store, slip_id: str, *, on: dt.date, actor: str) -> SlipView:
    """受理: the handling unit takes the slip on, on ``on``."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "accept")
        _not_before(
            on,
            slip.issue_date,
            tr("受理日期 {day} 早于交办日期 {earliest}", day=on, earliest=slip.issue_date),
        )
        step = SlipAcceptance(
            writer=party, station_id=slip.station_id, slip_id=slip.id, accepted_on=on
        )
        _save(store, actor, step)
    return _load(store, slip_id)


def return_slip(
    store: Store,
    slip_id: str,
    *,
    on: dt.date,
    reason: str,
    actor: str,
    within_days: int = RETURN_WITHIN_DAYS,
) -> SlipView:
    """退单: the handling unit sends the slip back, with a reason, within ``within_days``
    days after issue."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "return")
        reason = _required(reason, "退单理由")
        assert slip.issue_date is not None
        _not_before(
            on,
            slip.issue_date,
            tr("退单日期 {day} 早于交办日期 {earliest}", day=on, earliest=slip.issue_date),
        )
        last = slip.issue_date + dt.timedelta(days=within_days)
        if on > last:
            raise SlipActionRefused(
                tr(
                    "交办已超过 {days} 日（交办日期 {issued}，最迟 {last} 退单），不能再退单",
                    days=within_days,
                    issued=slip.issue_date.isoformat(),
                    last=last.isoformat(),
                )
            )
        doc = SlipReturn(
            writer=party, station_id=slip.station_id, slip_id=slip.id, returned_on=on, reason=reason
        )
        _save(store, actor, doc)
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
    request_id: str | None = None,
) -> SlipView:
    """延期: a new due date, approved; asked after the current due date it is flagged
    late (超期后申请). The first due date is kept in ``original_due_date``. Approving a
    station's request (``request_id``, a slip the street office issued) takes the date it
    was asked on from the request: a request made in time is not late however long the
    approval took."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "extend")
        reason = _required(reason, "延期理由")
        approver = _required(approver, "批准人")
        assert slip.issue_date is not None
        if request_id is not None:
            request = next(
                (
                    r
                    for r in _of_slip(store, "slip_extension_request", slip_id)
                    if r["id"] == request_id
                ),
                None,
            )
            if request is None:
                raise SlipActionRefused(
                    tr("找不到这张交办单的延期申请（{request}）", request=request_id)
                )
            if request_id in _answered_requests(store, slip_id):
                raise SlipActionRefused(tr("这份延期申请已经批准过了"))
            requested_on = dt.date.fromisoformat(request["requested_on"])
        current = _later_due(store, slip, calendar, requested_on, new_due_date, asked=False)
        doc = SlipExtension(
            writer=party,
            station_id=slip.station_id,
            slip_id=slip.id,
            requested_on=requested_on,
            reason=reason,
            approver=approver,
            new_due_date=new_due_date,
            late=requested_on > current.date,
            request_id=request_id,
        )
        _save(store, actor, doc)
    return _load(store, slip_id, calendar)


def request_extension(
    store: Store,
    slip_id: str,
    *,
    requested_on: dt.date,
    reason: str,
    wanted_due_date: dt.date,
    by: str | None,
    actor: str,
    calendar: OfficialCalendar | None = None,
) -> SlipView:
    """申请延期: the station asks the street office for more time on a slip the office
    issued to it. The slip's clock does not change until the office approves
    (:func:`extend` with the request's id); one request waits at a time."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "request_extension", calendar)
        reason = _required(reason, "延期理由")
        assert slip.issue_date is not None
        if pending_extension_request(store, slip_id) is not None:
            raise SlipActionRefused(tr("这张交办单已有一份延期申请等待街道群工办批准"))
        _later_due(store, slip, calendar, requested_on, wanted_due_date, asked=True)
        doc = SlipExtensionRequest(
            writer=party,
            station_id=slip.station_id,
            slip_id=slip.id,
            requested_on=requested_on,
            reason=reason,
            wanted_due_date=wanted_due_date,
            by=(by or "").strip() or None,
        )
        _save(store, actor, doc)
    return _load(store, slip_id, calendar)


def _later_due(
    store: Store,
    slip: SlipView,
    calendar: OfficialCalendar | None,
    requested_on: dt.date,
    new_due: dt.date,
    *,
    asked: bool,
) -> Due:
    """The slip's due date in force, after checking an extension's dates against it: asked
    on or after the issue date, and ``new_due`` (the date asked for when ``asked``, else
    the new due date granted) later than the due date and not before the day it was
    asked."""
    _not_before(
        requested_on,
        slip.issue_date,
        tr("申请日期 {day} 早于交办日期 {earliest}", day=requested_on, earliest=slip.issue_date),
    )
    current = effective_due(store, slip, calendar)
    assert current is not None  # an open slip always has one
    if new_due <= current.date:
        values = {"day": new_due.isoformat(), "current": current.date.isoformat()}
        raise SlipActionRefused(
            tr("申请延至的日期 {day} 必须晚于现在的应办结日期 {current}", **values)
            if asked
            else tr("新的应办结日期 {day} 必须晚于现在的应办结日期 {current}", **values)
        )
    if new_due < requested_on:
        raise SlipActionRefused(
            tr("申请延至的日期不能早于申请日期") if asked else tr("新的应办结日期不能早于申请日期")
        )
    return current


def _answered_requests(store: Store, slip_id: str) -> set[str]:
    return {
        str(e["request_id"])
        for e in _of_slip(store, "slip_extension", slip_id)
        if e.get("request_id")
    }


def pending_extension_request(store: Store, slip_id: str) -> dict[str, Any] | None:
    """The station's extension request on the slip that the office has not approved yet
    and that is still asked of it (the slip is open and no later extension was recorded
    since), or None."""
    answered = _answered_requests(store, slip_id)
    last_extension = max(
        (str(e.get("created_at") or "") for e in _of_slip(store, "slip_extension", slip_id)),
        default="",
    )
    waiting = [
        r
        for r in _of_slip(store, "slip_extension_request", slip_id)
        if r["id"] not in answered and str(r.get("created_at") or "") > last_extension
    ]
    if not waiting:
        return None
    raw = store.get_raw(HandoffSlip, slip_id)
    if raw is None or view_of(raw, slip_timeline(store, raw, None)).state not in OPEN_STATES:
        return None
    return max(waiting, key=lambda r: str(r.get("created_at") or ""))


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
) -> SlipView:
    """回复: the reply slip (回复单); after a redo it is marked as the redo reply."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "reply")
        result = _required(result, "办理结果")
        handler = _required(handler, "经办人")
        assert slip.issue_date is not None
        _not_before(
            reply_date,
            slip.issue_date,
            tr("回复日期 {day} 早于交办日期 {earliest}", day=reply_date, earliest=slip.issue_date),
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
                    tr(
                        "重办回复日期 {day} 早于不满意回访的日期 {callback}",
                        day=reply_date.isoformat(),
                        callback=last_call.isoformat(),
                    )
                )
        doc = Reply(
            writer=party,
            station_id=slip.station_id,
            slip_id=slip.id,
            reply_date=reply_date,
            result=result,
            policy_basis=(policy_basis or "").strip(),
            handler=handler,
            signer=signer,
            is_redo=redo,
        )
        _save(store, actor, doc)
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
) -> SlipView:
    """回访: 满意/基本满意 closes the slip; 不满意 sends it back for redo (重办) with a new
    deadline counted from the callback date under the slip's rule."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "callback")
        replies = _of_slip(store, "reply", slip_id)
        satisfaction = Satisfaction(satisfaction)
        last_reply = _last_reply(replies)
        if on < last_reply:
            raise SlipActionRefused(
                tr(
                    "回访日期 {day} 早于回复日期 {replied}",
                    day=on.isoformat(),
                    replied=last_reply.isoformat(),
                )
            )
        doc = SlipCallback(
            writer=party,
            station_id=slip.station_id,
            slip_id=slip.id,
            date=on,
            satisfaction=satisfaction,
            by=by,
            note=(note or "").strip(),
        )
        if satisfaction is Satisfaction.UNSATISFIED:
            _rule_text(slip.deadline_rule)  # a rule nobody can read is refused here
            visit = _problem_follows(store, slip, None)
        else:
            visit = _problem_follows(store, slip, on)
        _save(store, actor, doc, *([visit] if visit is not None else []))
    return _load(store, slip_id, calendar)


def close(store: Store, slip_id: str, *, on: dt.date, actor: str) -> SlipView:
    """办结 on ``on`` explicitly (without waiting for a callback); needs a reply slip.
    A linked visit problem becomes 后续解决, dated ``on``, in the same transaction."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "close")
        replies = _of_slip(store, "reply", slip_id)
        replied = _last_reply(replies)
        _not_before(
            on, replied, tr("办结日期 {day} 早于回复日期 {earliest}", day=on, earliest=replied)
        )
        step = SlipClosing(writer=party, station_id=slip.station_id, slip_id=slip.id, closed_on=on)
        visit = _problem_follows(store, slip, on)
        _save(store, actor, step, *([visit] if visit is not None else []))
    return _load(store, slip_id)


def withdraw(store: Store, slip_id: str, *, on: dt.date, reason: str, actor: str) -> SlipView:
    """撤回 on ``on``: before any reply. The slip keeps its number (never reused); a
    linked visit problem goes back to 待办."""
    with _writing(store):
        slip, party = _taking(store, slip_id, "withdraw")
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
        _not_before(
            on, latest, tr("撤回日期 {day} 早于上一步的日期 {earliest}", day=on, earliest=latest)
        )
        step = SlipWithdrawal(
            writer=party,
            station_id=slip.station_id,
            slip_id=slip.id,
            withdrawn_on=on,
            reason=reason,
        )
        visit = _problem_update(store, slip, handing_off=False)
        _save(store, actor, step, *([visit] if visit is not None else []))
    return _load(store, slip_id)
