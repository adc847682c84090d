"""值班表、请假与代班 (duty rosters, leave and substitutes; docs/design.md#glossary,
#personal-information).

The rule (seed passage, 请假代班制度): on working days a station team member in principle
may not take leave; one who truly cannot come must apply in writing to the street's
群工办 in advance, arrange a substitute (代班) personally, and the change is posted
publicly (公示).

- Working days come from the official calendar (make-up weekends in, holidays out).
  Everything here uses :meth:`OfficialCalendar.is_workday_or_weekend_guess`, so a year
  without holiday data never crashes; :func:`calendar_note` gives the sentence that tells
  the user the month was worked out from weekends only.
- :func:`generate_month` rotates the given members over the month's working days in the
  order given, ``per_day`` a day, skipping a member who is on approved leave or already on
  duty at another station that day. It refuses a month that already has shifts unless
  ``replace`` (the old shifts are deleted in the same transaction).
- :func:`roster_gaps` finds three kinds of gap: a working day with nobody on duty, a
  member on duty while on approved leave, a member on duty at two stations the same day.
- A leave request is late (补假) when it was made on or after its first day
  (:func:`is_late`); it is flagged, not refused.
- :func:`decide_leave` approves only with a substitute who is active staff, not the
  requester, not on approved leave on the days to cover and not on duty elsewhere (or
  already on the same shift) on those days. Approving moves the requester's shifts in the
  period to the substitute, in the same transaction as the decision.
- :func:`public_notice` writes the 公示: names and dates, the station's own phone and
  address; never an ID number or anybody's phone number.

Every refusal is a :class:`RosterRefused` with a Chinese message.
"""

from __future__ import annotations

import calendar as _calendar_module
import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Literal

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import (
    DutyShift,
    LeaveDecision,
    LeaveKind,
    LeaveRequest,
    StaffRole,
    Station,
)
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services.auth import guarded_delete, guarded_save, guarded_transaction
from grassroots_tui.services.fields import field as _get
from grassroots_tui.services.slip_print import (
    TEXT_WIDTH,
    _center,
    _cn_date,
    _html_document,
    _right,
    _spaced,
    _wrap,
)
from grassroots_tui.services.text import listed
from grassroots_tui.services.workcalendar import WEEKDAYS_ZH, describe_day, missing_years_reason

__all__ = [
    "NOTICE_TITLE",
    "Gap",
    "GapKind",
    "LeaveNotFound",
    "RosterDay",
    "RosterRefused",
    "calendar_note",
    "clear_day",
    "decide_leave",
    "find_leave",
    "generate_month",
    "is_late",
    "leave_days",
    "month_days",
    "month_view",
    "public_notice",
    "request_leave",
    "roster_gaps",
    "set_day",
    "shifts_in_month",
    "substitute_problem",
    "working_days",
]

NOTICE_TITLE = "请假代班公示"
GapKind = Literal["nobody", "on_leave", "double_booked"]
_ONE_DAY = dt.timedelta(days=1)


class RosterRefused(ValueError):
    """A roster or leave step that is not allowed; the message says why, in Chinese."""


class LeaveNotFound(RosterRefused):
    """The leave request (or its member) does not exist."""


@dataclass(frozen=True)
class Gap:
    """Something wrong with one day of a roster. ``message`` is Chinese, ready to show.
    ``station_id`` is the station whose roster has the gap."""

    day: dt.date
    kind: GapKind
    staff_id: str | None
    message: str
    station_id: str | None = None


@dataclass(frozen=True)
class RosterDay:
    """One day of a station's month: whether it is a working day, who is on duty (ids, in
    roster order; empty when nobody) and the gaps of that day. ``provisional``: the day's
    year has no holiday data, so ``workday`` is a weekend guess (待定, like a due date in
    that year; :func:`calendar_note` gives the reason)."""

    day: dt.date
    workday: bool
    staff_ids: list[str]
    gaps: list[Gap]
    provisional: bool = False


# -- small helpers ---------------------------------------------------------------------------


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _writing(store: Any) -> Any:
    """Hold the store's lock across read-decide-write."""
    lock = getattr(store, "_mutex", None)
    return lock if lock is not None else nullcontext()


def _short_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（{WEEKDAYS_ZH[day.weekday()]}）"


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _check_month(year: int, month: int) -> None:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise RosterRefused(tr("月份无效：{year}年{month}月", year=year, month=month))


def month_days(year: int, month: int) -> list[dt.date]:
    """Every day of the month."""
    _check_month(year, month)
    last = _calendar_module.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, last + 1)]


def working_days(year: int, month: int, calendar: Any) -> list[dt.date]:
    """The month's working days in the official calendar: make-up weekends (调休) in,
    holidays out. A year without holiday data is worked out from weekends only (never an
    error); :func:`calendar_note` says so."""
    return [d for d in month_days(year, month) if calendar.is_workday_or_weekend_guess(d)[0]]


def calendar_note(year: int, month: int, calendar: Any) -> str | None:
    """The warning to show when the month's year has no holiday data, else None."""
    _check_month(year, month)
    if calendar.is_workday_or_weekend_guess(dt.date(year, month, 1))[1]:
        return missing_years_reason([year])
    return None


def _staff_name(store: Any, staff_id: str | None) -> str:
    if not staff_id:
        return ""
    raw = store.get_raw("staff", staff_id)
    return str(raw.get("name")) if raw and raw.get("name") else staff_id


def _station_label(store: Any, station_id: str | None) -> str:
    raw = store.get_raw("station", station_id) if station_id else None
    if raw is None:
        return station_id or tr("未知群工站")
    return str(raw.get("code") or raw.get("name") or station_id)


def _require_station(store: Any, station_id: str) -> Station:
    station = store.get(Station, station_id) if station_id else None
    if station is None:
        raise RosterRefused(tr("找不到群工站（{station}）。", station=station_id or tr("未填写")))
    return station


def _require_staff(store: Any, staff_id: str, what: str = chinese("值班人员")) -> dict[str, Any]:
    raw = store.get_raw("staff", staff_id)
    if raw is None:
        raise RosterRefused(
            tr("找不到{what}（工作人员编号 {staff_id}）。", what=tr(what), staff_id=staff_id)
        )
    if raw.get("active") is False:
        raise RosterRefused(
            tr("{what} {name} 已不在岗。", what=tr(what), name=raw.get("name", staff_id))
        )
    return raw


def _check_staff_list(store: Any, staff_ids: list[str]) -> list[str]:
    ids = [s.strip() for s in staff_ids if s and s.strip()]
    if not ids:
        raise RosterRefused(tr("请至少选择一名值班人员。"))
    seen: set[str] = set()
    for staff_id in ids:
        if staff_id in seen:
            raise RosterRefused(tr("值班人员 {name} 重复出现。", name=_staff_name(store, staff_id)))
        seen.add(staff_id)
        _require_staff(store, staff_id)
    return ids


# -- reading shifts and leave ----------------------------------------------------------------


def shifts_in_month(
    store: Any, station_id: str | None, year: int, month: int
) -> list[dict[str, Any]]:
    """The stored shifts of the month (of one station, or all when ``station_id`` is None),
    by date."""
    _check_month(year, month)
    prefix = f"{year:04d}-{month:02d}-"
    found = [
        raw
        for raw in store.raw("duty_shift")
        if str(raw.get("date", "")).startswith(prefix)
        and (station_id is None or raw.get("station_id") == station_id)
    ]
    found.sort(key=lambda r: (str(r.get("date")), str(r.get("station_id"))))
    return found


def _shifts_between(store: Any, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    lo, hi = first.isoformat(), last.isoformat()
    return [r for r in store.raw("duty_shift") if lo <= str(r.get("date", ""))[:10] <= hi]


def _approved_leave(store: Any) -> list[dict[str, Any]]:
    return [
        r for r in store.raw("leave_request") if r.get("decision") == LeaveDecision.APPROVED.value
    ]


def _leave_covering(
    leaves: Iterable[dict[str, Any]], staff_id: str, day: dt.date
) -> dict[str, Any] | None:
    for leave in leaves:
        if leave.get("staff_id") == staff_id and _date(leave["start_date"]) <= day <= _date(
            leave["end_date"]
        ):
            return leave
    return None


def is_late(leave: LeaveRequest | dict) -> bool:
    """Whether the request was made on or after the first day of leave (补假): the rule
    asks for a written request in advance."""
    return _date(_get(leave, "requested_on")) >= _date(_get(leave, "start_date"))


def leave_days(leave: LeaveRequest | dict) -> list[dt.date]:
    """Every calendar day of the leave, first to last."""
    return _span(_date(_get(leave, "start_date")), _date(_get(leave, "end_date")))


# -- generating and editing a month ----------------------------------------------------------


def generate_month(
    store: Any,
    *,
    station_id: str,
    year: int,
    month: int,
    staff_ids: list[str],
    per_day: int = 1,
    calendar: Any,
    actor: str,
    replace: bool = False,
) -> list[DutyShift]:
    """Rotate ``staff_ids`` (in the order given) over the month's working days, ``per_day``
    members a day, and save the shifts in one transaction.

    A member on approved leave that day, or already on duty at another station, is
    skipped and the rotation moves on; a day on which too few are free gets fewer (none:
    no shift, and :func:`roster_gaps` reports the day). Refused when the month already has
    shifts for the station, unless ``replace``: then they are deleted in the same
    transaction.
    """
    _require_station(store, station_id)
    ids = _check_staff_list(store, staff_ids)
    if not 1 <= per_day <= len(ids):
        raise RosterRefused(
            tr(
                "每天值班人数应在 1 到 {count} 之间（收到 {per_day}）。",
                count=len(ids),
                per_day=per_day,
            )
        )
    days = working_days(year, month, calendar)
    with _writing(store):
        existing = shifts_in_month(store, station_id, year, month)
        if existing and not replace:
            raise RosterRefused(
                tr(
                    "{station} {year}年{month}月已有值班表（{count} 天）；要重新生成，请选择替换原有值班表。",
                    station=_station_label(store, station_id),
                    year=year,
                    month=month,
                    count=len(existing),
                )
            )
        leaves = _approved_leave(store)
        elsewhere: dict[dt.date, set[str]] = defaultdict(set)
        for raw in shifts_in_month(store, None, year, month):
            if raw.get("station_id") != station_id:
                elsewhere[_date(raw["date"])].update(raw.get("staff_ids") or [])
        shifts: list[DutyShift] = []
        pointer = 0
        for day in days:
            chosen: list[str] = []
            for step in range(len(ids)):
                if len(chosen) == per_day:
                    break
                candidate = ids[(pointer + step) % len(ids)]
                if candidate in elsewhere[day] or _leave_covering(leaves, candidate, day):
                    continue
                chosen.append(candidate)
            if chosen:
                pointer = (ids.index(chosen[-1]) + 1) % len(ids)
                shifts.append(
                    validate_model(
                        DutyShift,
                        {"station_id": station_id, "date": day.isoformat(), "staff_ids": chosen},
                    )
                )
        with guarded_transaction(store, actor) as tx:
            for raw in existing:
                tx.delete("duty_shift", raw["id"])
            for shift in shifts:
                tx.save(shift)
    return [store.get(DutyShift, s.id) for s in shifts]


def _shift_of(store: Any, station_id: str, day: dt.date) -> dict[str, Any] | None:
    wanted = day.isoformat()
    for raw in store.raw("duty_shift"):
        if raw.get("station_id") == station_id and str(raw.get("date"))[:10] == wanted:
            return raw
    return None


def set_day(
    store: Any,
    *,
    station_id: str,
    day: dt.date,
    staff_ids: list[str],
    actor: str,
    note: str = "",
) -> DutyShift:
    """Set who is on duty at the station on ``day`` (creating or editing that day's shift).

    Refused for an empty list (use :func:`clear_day`), a member who is not active staff,
    a member on approved leave that day, or one already on duty at another station.
    A rest day may be given a shift (weekend duty)."""
    _require_station(store, station_id)
    ids = _check_staff_list(store, staff_ids)
    with _writing(store):
        leaves = _approved_leave(store)
        for staff_id in ids:
            leave = _leave_covering(leaves, staff_id, day)
            if leave is not None:
                raise RosterRefused(
                    tr(
                        "{name} {day} 已批准请假（{start_date} 至 {end_date}），不能安排值班。",
                        name=_staff_name(store, staff_id),
                        day=describe_day(day),
                        start_date=leave["start_date"],
                        end_date=leave["end_date"],
                    )
                )
        for raw in _shifts_between(store, day, day):
            if raw.get("station_id") == station_id:
                continue
            for staff_id in ids:
                if staff_id in (raw.get("staff_ids") or []):
                    raise RosterRefused(
                        tr(
                            "{name} {day} 已在 {station} 值班，不能同时在两个站值班。",
                            name=_staff_name(store, staff_id),
                            day=describe_day(day),
                            station=_station_label(store, raw.get("station_id")),
                        )
                    )
        old = _shift_of(store, station_id, day)
        if old is None:
            shift = validate_model(
                DutyShift,
                {
                    "station_id": station_id,
                    "date": day.isoformat(),
                    "staff_ids": ids,
                    "note": note,
                },
            )
        else:
            shift = validate_model(DutyShift, {**old, "staff_ids": ids, "note": note})
        saved = guarded_save(store, shift, actor)
    return saved


def clear_day(store: Any, *, station_id: str, day: dt.date, actor: str) -> bool:
    """Remove the station's shift on ``day``; False when there was none."""
    with _writing(store):
        old = _shift_of(store, station_id, day)
        if old is None:
            return False
        guarded_delete(store, "duty_shift", old["id"], actor)
    return True


# -- gaps and the month view -----------------------------------------------------------------


def roster_gaps(
    store: Any, *, station_id: str | None, year: int, month: int, calendar: Any
) -> list[Gap]:
    """The month's gaps, by day then station: a working day with nobody on duty
    (``nobody``), a member on duty while on approved leave (``on_leave``), a member on
    duty at two stations the same day (``double_booked``, reported for each of the
    stations). ``station_id`` None: every station, messages start with the station code."""
    if station_id is None:
        station_ids = sorted(
            (r["id"] for r in store.raw("station")), key=lambda s: _station_label(store, s)
        )
    else:
        station_ids = [station_id]
    all_shifts = shifts_in_month(store, None, year, month)
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for raw in all_shifts:
        by_day[_date(raw["date"])].append(raw)
    leaves = _approved_leave(store)
    workdays = set(working_days(year, month, calendar))
    names: dict[str, str] = {}

    def name(staff_id: str) -> str:
        if staff_id not in names:
            names[staff_id] = _staff_name(store, staff_id)
        return names[staff_id]

    gaps: list[Gap] = []
    for day in month_days(year, month):
        for sid in station_ids:
            prefix = f"{_station_label(store, sid)} " if station_id is None else ""
            mine = [r for r in by_day.get(day, []) if r.get("station_id") == sid]
            on_duty = [s for r in mine for s in (r.get("staff_ids") or [])]
            if day in workdays and not on_duty:
                gaps.append(
                    Gap(
                        day,
                        "nobody",
                        None,
                        tr(
                            "{prefix}{day} 是工作日，没有安排值班人员",
                            prefix=prefix,
                            day=describe_day(day),
                        ),
                        sid,
                    )
                )
            for staff_id in dict.fromkeys(on_duty):
                leave = _leave_covering(leaves, staff_id, day)
                if leave is not None:
                    gaps.append(
                        Gap(
                            day,
                            "on_leave",
                            staff_id,
                            tr(
                                "{prefix}{day} {name} 已批准请假（{start_date} 至 {end_date}），却仍在值班表上",
                                prefix=prefix,
                                day=describe_day(day),
                                name=name(staff_id),
                                start_date=leave["start_date"],
                                end_date=leave["end_date"],
                            ),
                            sid,
                        )
                    )
                others = sorted(
                    {
                        _station_label(store, r.get("station_id"))
                        for r in by_day.get(day, [])
                        if r.get("station_id") != sid and staff_id in (r.get("staff_ids") or [])
                    }
                )
                if others:
                    gaps.append(
                        Gap(
                            day,
                            "double_booked",
                            staff_id,
                            tr(
                                "{prefix}{day} {name} 同一天也在 {others} 值班",
                                prefix=prefix,
                                day=describe_day(day),
                                name=name(staff_id),
                                others=listed(others),
                            ),
                            sid,
                        )
                    )
    return gaps


def month_view(
    store: Any, *, station_id: str, year: int, month: int, calendar: Any
) -> list[RosterDay]:
    """Every day of the month for one station: working day or not, who is on duty, gaps."""
    shifts: dict[dt.date, list[str]] = defaultdict(list)
    for raw in shifts_in_month(store, station_id, year, month):
        for staff_id in raw.get("staff_ids") or []:
            if staff_id not in shifts[_date(raw["date"])]:
                shifts[_date(raw["date"])].append(staff_id)
    gaps: dict[dt.date, list[Gap]] = defaultdict(list)
    for gap in roster_gaps(store, station_id=station_id, year=year, month=month, calendar=calendar):
        gaps[gap.day].append(gap)
    days = []
    for day in month_days(year, month):
        workday, guessed = calendar.is_workday_or_weekend_guess(day)
        days.append(
            RosterDay(
                day=day,
                workday=workday,
                staff_ids=list(shifts.get(day, [])),
                gaps=list(gaps.get(day, [])),
                provisional=guessed,
            )
        )
    return days


# -- leave -----------------------------------------------------------------------------------


def get_leave(store: Any, leave_id: str) -> LeaveRequest:
    """The leave request, or :class:`LeaveNotFound`."""
    leave = store.get(LeaveRequest, leave_id) if leave_id else None
    if leave is None:
        raise LeaveNotFound(tr("找不到请假申请（{leave_id}），可能已被删除。", leave_id=leave_id))
    return leave


def find_leave(store: Any, text: str) -> LeaveRequest:
    """A leave request by its id, or by the requester's name: that member's latest
    approved request (else their latest request). Refused when the name is ambiguous."""
    text = (text or "").strip()
    if not text:
        raise LeaveNotFound(tr("请填写请假申请编号或请假人姓名。"))
    if store.get_raw("leave_request", text) is not None:
        return get_leave(store, text)
    staff_ids = {r["id"] for r in store.raw("staff") if r.get("name") == text or r["id"] == text}
    leaves = [r for r in store.raw("leave_request") if r.get("staff_id") in staff_ids]
    if not leaves:
        raise LeaveNotFound(tr("找不到“{text}”的请假申请。", text=text))
    if len({r["staff_id"] for r in leaves}) > 1:
        raise RosterRefused(
            tr("有不止一位叫“{text}”的工作人员请过假，请用请假申请编号。", text=text)
        )
    approved = [r for r in leaves if r.get("decision") == LeaveDecision.APPROVED.value]
    pool = approved or leaves
    latest = max(pool, key=lambda r: (str(r.get("start_date")), str(r.get("created_at") or "")))
    return get_leave(store, latest["id"])


def _overlaps(a_first: dt.date, a_last: dt.date, b_first: Any, b_last: Any) -> bool:
    return a_first <= _date(b_last) and _date(b_first) <= a_last


def request_leave(store: Any, leave: LeaveRequest, actor: str) -> LeaveRequest:
    """Save a new leave request (待审批). ``station_id`` defaults to the member's station.

    Refused when the member is not active staff, the request is not 待审批 (decide with
    :func:`decide_leave`), or the member already has a pending or approved request that
    overlaps. A substitute named already must pass the same checks as at approval. A late
    request (:func:`is_late`, 补假) is accepted and flagged."""
    with _writing(store):
        if store.get_raw("leave_request", leave.id) is not None:
            raise RosterRefused(tr("这份请假申请已经提交过了。"))
        if leave.decision is not LeaveDecision.PENDING:
            raise RosterRefused(tr("新的请假申请应为“待审批”；审批请用请假审批。"))
        staff = _require_staff(store, leave.staff_id, chinese("请假人"))
        station_id = leave.station_id or staff.get("station_id")
        if not station_id:
            raise RosterRefused(tr("请选择请假人所在的群工站。"))
        _require_station(store, station_id)
        for raw in store.raw("leave_request"):
            if (
                raw.get("staff_id") == leave.staff_id
                and raw.get("decision") != LeaveDecision.REJECTED.value
                and _overlaps(leave.start_date, leave.end_date, raw["start_date"], raw["end_date"])
            ):
                state = tr(LeaveDecision(raw["decision"]).label)
                raise RosterRefused(
                    tr(
                        "{name} 在 {start_date} 至 {end_date} 已有请假（{state}），时间重叠。",
                        name=staff.get("name"),
                        start_date=raw["start_date"],
                        end_date=raw["end_date"],
                        state=state,
                    )
                )
        leave = leave.model_copy(update={"station_id": station_id})
        if leave.substitute_id:
            problem = substitute_problem(store, leave, leave.substitute_id, calendar=None)
            if problem:
                raise RosterRefused(problem)
        saved = guarded_save(store, leave, actor)
    return saved


def _days_to_cover(
    store: Any, leave: LeaveRequest, calendar: Any | None
) -> dict[dt.date, dict[str, Any] | None]:
    """The days a substitute stands in, each with the requester's shift that day (None
    for a working day of the period on which the requester has no shift yet)."""
    cover: dict[dt.date, dict[str, Any] | None] = {}
    if calendar is not None:
        for day in leave_days(leave):
            if calendar.is_workday_or_weekend_guess(day)[0]:
                cover[day] = None
    for raw in _shifts_between(store, leave.start_date, leave.end_date):
        if leave.staff_id in (raw.get("staff_ids") or []):
            cover[_date(raw["date"])] = raw
    return dict(sorted(cover.items()))


def substitute_problem(
    store: Any, leave: LeaveRequest, substitute_id: str, *, calendar: Any | None
) -> str | None:
    """Why ``substitute_id`` cannot stand in for ``leave`` (Chinese), or None.

    The substitute must be active staff, not the requester, not on approved leave on the
    days to cover and not on duty on those days, neither at another station nor on the
    very shift to be covered. The days to cover are the requester's shifts in the period
    and, with a calendar, every working day of the period."""
    if substitute_id == leave.staff_id:
        return tr("代班人不能是请假人本人。")
    raw = store.get_raw("staff", substitute_id)
    if raw is None:
        return tr("找不到代班人（工作人员编号 {substitute_id}）。", substitute_id=substitute_id)
    name = raw.get("name", substitute_id)
    if raw.get("active") is False:
        return tr("代班人 {name} 已不在岗。", name=name)
    cover = _days_to_cover(store, leave, calendar)
    days = list(cover) or leave_days(leave)
    for other in _approved_leave(store):
        if other.get("staff_id") != substitute_id:
            continue
        clash = [d for d in days if _date(other["start_date"]) <= d <= _date(other["end_date"])]
        if clash:
            return tr(
                "代班人 {name} 在 {day} 也在请假（{start_date} 至 {end_date}），不能代班。",
                name=name,
                day=clash[0].isoformat(),
                start_date=other["start_date"],
                end_date=other["end_date"],
            )
    home = leave.station_id
    for shift in _shifts_between(store, leave.start_date, leave.end_date):
        day = _date(shift["date"])
        if day not in cover or substitute_id not in (shift.get("staff_ids") or []):
            continue
        covered = cover[day]
        where = covered.get("station_id") if covered else home
        if shift.get("station_id") != where:
            return tr(
                "代班人 {name} {day} 在 {station} 值班，不能同时代班。",
                name=name,
                day=describe_day(day),
                station=_station_label(store, shift.get("station_id")),
            )
        if covered is not None:
            return tr(
                "代班人 {name} {day} 本来就在本站值班，不能同时代班。",
                name=name,
                day=describe_day(day),
            )
    return None


def decide_leave(
    store: Any,
    leave_id: str,
    *,
    approve: bool,
    approver: str,
    substitute_id: str | None,
    on: dt.date,
    actor: str,
    calendar: Any,
) -> LeaveRequest:
    """Approve or refuse a pending request, on ``on`` by ``approver``.

    Approving needs a substitute (``substitute_id``, else the one named on the request)
    who passes :func:`substitute_problem`; the requester's shifts in the period move to
    the substitute (each shift's note says who stands in for whom), in the same
    transaction as the decision. Refusing keeps the shifts as they are."""
    approver = (approver or "").strip()
    if not approver:
        raise RosterRefused(tr("请填写审批人。"))
    with _writing(store):
        leave = get_leave(store, leave_id)
        if leave.decision is not LeaveDecision.PENDING:
            raise RosterRefused(
                tr(
                    "这份请假申请已审批（{decision}），不能再次审批。",
                    decision=tr(leave.decision.label),
                )
            )
        if on < leave.requested_on:
            raise RosterRefused(
                tr(
                    "审批日期 {day} 不能早于申请日期 {requested}。",
                    day=on.isoformat(),
                    requested=leave.requested_on.isoformat(),
                )
            )
        if not approve:
            refused = validate_model(
                LeaveRequest,
                {
                    **leave.to_json(),
                    "decision": LeaveDecision.REJECTED.value,
                    "approver": approver,
                },
            )
            return guarded_save(store, refused, actor)
        substitute = (substitute_id or leave.substitute_id or "").strip()
        if not substitute:
            raise RosterRefused(tr("批准请假前须确定代班人员（由请假人自行联系）。"))
        problem = substitute_problem(store, leave, substitute, calendar=calendar)
        if problem:
            raise RosterRefused(problem)
        approved = validate_model(
            LeaveRequest,
            {
                **leave.to_json(),
                "decision": LeaveDecision.APPROVED.value,
                "approver": approver,
                "substitute_id": substitute,
            },
        )
        who, sub = _staff_name(store, leave.staff_id), _staff_name(store, substitute)
        kind = LeaveKind(leave.leave_kind).label
        moved: list[DutyShift] = []
        for raw in _shifts_between(store, leave.start_date, leave.end_date):
            ids = list(raw.get("staff_ids") or [])
            if leave.staff_id not in ids:
                continue
            ids = [substitute if s == leave.staff_id else s for s in ids]
            line = f"{sub}代{who}值班（{kind}，{on.isoformat()}批准）"
            note = f"{raw.get('note')}；{line}" if raw.get("note") else line
            moved.append(validate_model(DutyShift, {**raw, "staff_ids": ids, "note": note[:2000]}))
        with guarded_transaction(store, actor) as tx:
            tx.save(approved)
            for shift in moved:
                tx.save(shift)
    return store.get(LeaveRequest, leave_id)


# -- the public notice -----------------------------------------------------------------------

_DIGITS = re.compile(r"\d")
# The notice is posted on the station's board, an official Chinese document: its words
# stay Chinese whatever the interface language (as do the duty shifts' stored notes).
_ROLE_WORDS = {
    StaffRole.WORKER.value: "工作队员",
    StaffRole.HEAD.value: "站长",
    StaffRole.SUPERVISOR.value: "督导人员",
    StaffRole.LEADER.value: "包案领导",
}
_KIND_WORDS = {
    LeaveKind.PERSONAL.value: "因事",
    LeaveKind.SICK.value: "因病",
    LeaveKind.OTHER.value: "因故",
}


def _digits(text: Any) -> str:
    return "".join(_DIGITS.findall(str(text or "")))


def _station_phone(store: Any, station: Station) -> str | None:
    """The station's phone, unless it is some person's number (then it is left out)."""
    phone = station.phone
    if not phone:
        return None
    mine = _digits(phone)
    for kind in ("staff", "household"):
        for raw in store.raw(kind):
            other = _digits(raw.get("phone"))
            if len(other) >= 7 and (other == mine or other.endswith(mine) or mine.endswith(other)):
                return None
    return phone


@dataclass(frozen=True)
class NoticeContent:
    """What a 请假代班公示 says: the station's name, who is away, its paragraphs, its date."""

    station: str
    who: str
    paragraphs: list[str]
    day: dt.date


def notice_content(store: Any, leave_id: str, *, on: dt.date | None = None) -> NoticeContent:
    """The 公示 of an approved leave with a substitute, dated ``on`` (default today).

    Who is away (name and role), from when to when, who stands in and on which duty days,
    and how to reach the station (the station's own phone and address). No ID number and
    no person's phone number; the reason of the leave is not shown either (only 因事 /
    因病 / 因故). Only an approved request with a substitute is posted."""
    leave = get_leave(store, leave_id)
    if leave.decision is not LeaveDecision.APPROVED or not leave.substitute_id:
        raise RosterRefused(
            tr(
                "只有已批准并安排了代班人的请假才能公示（这份请假：{decision}）。",
                decision=tr(leave.decision.label),
            )
        )
    station = _require_station(store, leave.station_id or "")
    staff = store.get_raw("staff", leave.staff_id) or {}
    who = str(staff.get("name") or leave.staff_id)
    role = _ROLE_WORDS.get(str(staff.get("role")), "工作人员")
    sub = _staff_name(store, leave.substitute_id)
    day = on or dt.date.today()
    count = (leave.end_date - leave.start_date).days + 1
    if leave.start_date == leave.end_date:
        when = f"{_cn_date(leave.start_date)}（{WEEKDAYS_ZH[leave.start_date.weekday()]}）"
    else:
        when = f"{_cn_date(leave.start_date)}至{_cn_date(leave.end_date)}（共{count}天）"
    duty_days = [
        _date(r["date"])
        for r in _shifts_between(store, leave.start_date, leave.end_date)
        if r.get("station_id") == station.id and leave.substitute_id in (r.get("staff_ids") or [])
    ]
    paragraphs = [
        f"根据群工站请假代班制度，我站{role}{who}{_KIND_WORDS.get(_value(leave.leave_kind), '因故')}"
        f"请假，请假时间为{when}，已向街道群工办书面请假并获批准。请假期间由{sub}代班。",
    ]
    if duty_days:
        listed = "、".join(_short_day(d) for d in sorted(duty_days))
        paragraphs.append(f"代班日期：{listed}。")
    contact = []
    phone = _station_phone(store, station)
    if phone:
        contact.append(f"联系电话：{phone}")
    if station.address:
        contact.append(f"地址：{station.address}")
    reach = "请假期间群众如有事项，请照常到站办理"
    paragraphs.append(reach + ("，或联系本站（" + "；".join(contact) + "）。" if contact else "。"))
    paragraphs.append("特此公示。")
    return NoticeContent(station.name, who, paragraphs, day)


def public_notice(
    store: Any,
    leave_id: str,
    *,
    fmt: Literal["text", "html"] = "text",
    on: dt.date | None = None,
) -> str:
    """请假代班公示 for the station's board (:func:`notice_content`) as text or HTML."""
    if fmt not in ("text", "html"):
        raise RosterRefused(tr("不支持的格式：{fmt}（可用 text、html）", fmt=fmt))
    content = notice_content(store, leave_id, on=on)
    paragraphs, day, name, who = content.paragraphs, content.day, content.station, content.who
    if fmt == "text":
        lines = [
            _center(name),
            _center(_spaced(NOTICE_TITLE)),
            _right(f"公示日期：{day.isoformat()}"),
            "",
        ]
        for paragraph in paragraphs:
            lines += ["    " + line for line in _wrap(paragraph, TEXT_WIDTH - 4)]
        lines += ["", _right(name), _right(_cn_date(day))]
        return "\n".join(lines) + "\n"
    e = html.escape
    body = (
        '<section class="sheet notice">\n'
        f'<p class="station">{e(name)}</p>\n<h1>{NOTICE_TITLE}</h1>\n'
        f'<p class="number">公示日期：{day.isoformat()}</p>\n'
        + "".join(f"<p>{e(p)}</p>\n" for p in paragraphs)
        + f'<div class="sign">{e(name)}<br>{e(_cn_date(day))}</div>\n</section>\n'
    )
    return _html_document(f"{NOTICE_TITLE} {who}", body)
