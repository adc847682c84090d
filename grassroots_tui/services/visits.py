"""Visits (走访) and appointments (预约走访单): defaults, off-hours, what is due, problems.

Pure functions over models and stored dicts; the time is always passed in. The one
write, :func:`save_visit`, checks the signed-in role first (services/auth.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models import (
    Appointment,
    AppointmentState,
    ProblemItem,
    ProblemState,
    Station,
    Visit,
    VisitKind,
    is_off_hours,
)
from grassroots_tui.services.auth import require_actor
from grassroots_tui.services.fields import field as _get

__all__ = [
    "DEFAULT_VISIT_MINUTES",
    "AppointmentsDue",
    "RaisedProblem",
    "appointments_due",
    "dated_on_the_spot",
    "link_appointment",
    "new_visit",
    "off_hours",
    "pending_problems",
    "problem_counts",
    "save_visit",
]

#: Length of a new visit until the worker changes it.
DEFAULT_VISIT_MINUTES = 30
_LAST_MINUTE = dt.time(23, 59)


def new_visit(
    household_id: str,
    operator_id: str,
    station_id: str | None,
    now: dt.datetime,
    kind: VisitKind = VisitKind.DOOR,
    *,
    joint_departments: Iterable[str] = (),
    appointment_id: str | None = None,
) -> Visit:
    """A new visit with sensible defaults, for the worker to complete.

    Dated ``now``'s day; starts at ``now`` rounded down to five minutes; ends 30 minutes
    later but not after 23:59 of the same day; the operator is the visitor. A joint visit
    (联访) needs ``joint_departments``; without them :class:`ValueError` says so.
    """
    kind = VisitKind(kind)
    departments = list(joint_departments)
    if kind is VisitKind.JOINT and not departments:
        raise ValueError(tr("联访必须填写参加的部门"))
    start = dt.time(now.hour, now.minute - now.minute % 5)
    end_at = dt.datetime.combine(now.date(), start) + dt.timedelta(minutes=DEFAULT_VISIT_MINUTES)
    end = end_at.time() if end_at.date() == now.date() else _LAST_MINUTE
    return Visit(
        station_id=station_id,
        date=now.date(),
        start_time=start,
        end_time=end,
        visit_kind=kind,
        household_id=household_id,
        visitor_ids=[operator_id],
        joint_departments=departments,
        appointment_id=appointment_id,
    )


def _weekday(day: dt.date) -> bool:
    return day.weekday() < 5


def off_hours(
    visit: Visit,
    station: Station,
    is_workday: Callable[[dt.date], bool] | None = None,
) -> bool:
    """错时走访: whether the visit falls (partly) outside the station's working hours.

    A visit on a rest day is always off hours. Rest days are weekends unless
    ``is_workday`` is given (such as ``OfficialCalendar.is_workday``, which knows holidays
    and make-up working days; whatever it raises, for a year without calendar data, is
    passed on).
    """
    workday = (is_workday or _weekday)(visit.date)
    return is_off_hours(visit, station.working_start, station.working_end, rest_day=not workday)


def off_hours_raw(
    visit: Mapping[str, Any],
    station: Mapping[str, Any],
    is_workday: Callable[[dt.date], bool] | None = None,
) -> bool:
    """:func:`off_hours` on stored dicts, for lists of tens of thousands of visits.

    ISO times are zero-padded, so comparing them as text orders them as times.
    """
    if not (is_workday or _weekday)(dt.date.fromisoformat(visit["date"])):
        return True
    return (
        visit["start_time"] < station["working_start"] or visit["end_time"] > station["working_end"]
    )


# --- appointments ---------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentsDue:
    """Pending appointments of a station, by planned date relative to today.

    Each list holds stored dicts, earliest planned date and time first.
    """

    due_today: list[dict[str, Any]] = field(default_factory=list)
    #: Still pending although their planned date has passed.
    missed: list[dict[str, Any]] = field(default_factory=list)
    upcoming: list[dict[str, Any]] = field(default_factory=list)


def _planned(appointment: Mapping[str, Any]) -> tuple[str, str]:
    return str(appointment.get("planned_date")), str(appointment.get("planned_time"))


def appointments_due(
    appointments: Iterable[Mapping[str, Any]],
    station_id: str | None,
    today: dt.date,
    *,
    within_days: int | None = None,
) -> AppointmentsDue:
    """Sort the pending appointments of ``station_id`` (None: all) into due today, missed
    (planned before today) and upcoming (after today; only the next ``within_days`` days if
    given). Appointments that are done, missed or cancelled are left out.
    """
    day = today.isoformat()
    last = (today + dt.timedelta(days=within_days)).isoformat() if within_days is not None else None
    due: AppointmentsDue = AppointmentsDue()
    for appointment in appointments:
        if appointment.get("state") != AppointmentState.PENDING.value:
            continue
        if station_id is not None and appointment.get("station_id") != station_id:
            continue
        planned = appointment.get("planned_date")
        planned = planned.isoformat() if isinstance(planned, dt.date) else str(planned)
        if planned == day:
            due.due_today.append(dict(appointment))
        elif planned < day:
            due.missed.append(dict(appointment))
        elif last is None or planned <= last:
            due.upcoming.append(dict(appointment))
    for items in (due.due_today, due.missed, due.upcoming):
        items.sort(key=_planned)
    return due


def link_appointment(appointment: Appointment, visit: Visit) -> Appointment:
    """The appointment marked done (已走访) by ``visit``; the caller saves it.

    Refused with a Chinese :class:`ValueError` if the appointment is no longer pending,
    if it is for another household, or if the visit is already tied to another
    appointment. Remember to set ``visit.appointment_id`` too.
    """
    if appointment.state is not AppointmentState.PENDING:
        raise ValueError(
            tr(
                "该预约走访单状态为“{state}”，只有“待走访”的预约才能关联走访记录",
                state=tr(appointment.state.label),
            )
        )
    if appointment.household_id != visit.household_id:
        raise ValueError(tr("预约走访单与走访记录不是同一户，不能关联"))
    if visit.appointment_id not in (None, appointment.id):
        raise ValueError(tr("该走访记录已关联了另一张预约走访单"))
    data = appointment.model_dump()
    data.update(state=AppointmentState.DONE, visit_id=visit.id)
    return Appointment.model_validate(data)


# --- problems raised during visits -------------------------------------------------------


def problem_counts(visits: Iterable[Visit | Mapping[str, Any]]) -> dict[ProblemState, int]:
    """How many problems raised in ``visits`` are in each state (every state present).

    ``visits`` may be models or stored dicts.
    """
    counts = dict.fromkeys(ProblemState, 0)
    for visit in visits:
        for problem in _get(visit, "problems", ()) or ():
            counts[ProblemState(_get(problem, "state", ProblemState.PENDING))] += 1
    return counts


@dataclass(frozen=True)
class RaisedProblem:
    """A problem raised during a visit, with the visit it was raised in."""

    visit_id: str
    household_id: str
    visit_date: dt.date
    problem: ProblemItem

    @property
    def state(self) -> ProblemState:
        return self.problem.state


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def pending_problems(
    visits: Iterable[Visit | Mapping[str, Any]], station_id: str | None
) -> list[RaisedProblem]:
    """The pending problems of ``station_id``'s visits (None: all), oldest visit first."""
    found: list[RaisedProblem] = []
    for visit in visits:
        if station_id is not None and _get(visit, "station_id") != station_id:
            continue
        for problem in _get(visit, "problems", ()) or ():
            if _get(problem, "state") != ProblemState.PENDING:
                continue
            item = (
                problem if isinstance(problem, ProblemItem) else ProblemItem.model_validate(problem)
            )
            found.append(
                RaisedProblem(
                    visit_id=_get(visit, "id"),
                    household_id=_get(visit, "household_id"),
                    visit_date=_as_date(_get(visit, "date")),
                    problem=item,
                )
            )
    found.sort(key=lambda p: (p.visit_date, p.visit_id, p.problem.id))
    return found


def dated_on_the_spot(visit: Visit) -> Visit:
    """``visit`` with each problem solved on the spot (当场解决) and saved without a date
    dated the visit's day; the visit itself if there is none."""
    if not any(
        p.state is ProblemState.SOLVED_ON_SPOT and p.solved_on is None for p in visit.problems
    ):
        return visit
    problems = [
        p.model_copy(update={"solved_on": visit.date})
        if p.state is ProblemState.SOLVED_ON_SPOT and p.solved_on is None
        else p
        for p in visit.problems
    ]
    return visit.model_copy(update={"problems": problems})


def save_visit(
    store: Any, visit: Visit, actor: str, appointment: Appointment | None = None
) -> Visit:
    """Save a new or changed visit (with the appointment it fulfils, linked, in the same
    transaction); returns it as stored. A signed-in staff member whose role may not log
    or change visits is refused with
    :class:`~grassroots_tui.services.auth.PermissionDenied` before anything is written.

    A problem solved on the spot (当场解决) without a date gets the visit's date; one
    solved later (后续解决) without a date never gets here: the model refuses it
    (「解决日期」状态为“后续解决”时必须填写解决日期)."""
    change = "update" if store.get_raw("visit", visit.id) is not None else "create"
    require_actor(store, actor, change, "visit")
    visit = dated_on_the_spot(visit)
    with store.transaction(actor) as tx:
        tx.save(visit)
        if appointment is not None:
            tx.save(link_appointment(appointment, visit))
    return store.get(Visit, visit.id)
