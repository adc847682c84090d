"""New visits, off-hours visits, appointments due, linking, and problem counts."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots_tui.models import (
    Appointment,
    AppointmentState,
    ProblemItem,
    ProblemState,
    VisitKind,
)
from grassroots_tui.services.visits import (
    AppointmentsDue,
    appointments_due,
    link_appointment,
    new_visit,
    off_hours,
    pending_problems,
    problem_counts,
)
from tests.factories import STATION_ID, station, visit

NOW = dt.datetime(2026, 11, 20, 9, 43, 27)


def test_new_visit_defaults() -> None:
    made = new_visit("hh-1", "staff-1", STATION_ID, NOW)
    assert made.date == dt.date(2026, 11, 20)
    assert made.start_time == dt.time(9, 40)
    assert made.end_time == dt.time(10, 10)
    assert made.visitor_ids == ["staff-1"]
    assert made.visit_kind is VisitKind.DOOR
    assert made.household_id == "hh-1"
    assert made.station_id == STATION_ID
    assert made.problems == []


def test_new_visit_late_at_night_ends_at_2359() -> None:
    made = new_visit(
        "hh-1", "staff-1", STATION_ID, dt.datetime(2026, 11, 20, 23, 47), VisitKind.NIGHT
    )
    assert (made.start_time, made.end_time) == (dt.time(23, 45), dt.time(23, 59))
    assert made.visit_kind is VisitKind.NIGHT


def test_new_visit_with_timezone_and_joint_departments() -> None:
    aware = NOW.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    made = new_visit("hh-1", "s", STATION_ID, aware, "joint", joint_departments=["民政办"])
    assert made.start_time == dt.time(9, 40) and made.start_time.tzinfo is None
    assert made.visit_kind is VisitKind.JOINT
    with pytest.raises(ValueError, match="联访必须填写参加的部门"):
        new_visit("hh-1", "s", STATION_ID, NOW, VisitKind.JOINT)


def test_off_hours() -> None:
    st = station()  # 08:30–17:30
    friday = dt.date(2026, 11, 20)
    inside = visit("hh", date=friday, start_time=dt.time(9), end_time=dt.time(9, 30))
    evening = visit("hh", date=friday, start_time=dt.time(17), end_time=dt.time(18))
    early = visit("hh", date=friday, start_time=dt.time(8), end_time=dt.time(8, 40))
    saturday = visit("hh", date=dt.date(2026, 11, 21), start_time=dt.time(9), end_time=dt.time(10))
    assert not off_hours(inside, st)
    assert off_hours(evening, st)
    assert off_hours(early, st)
    assert off_hours(saturday, st)
    # a make-up working Saturday (调休) and a holiday Friday, from the official calendar
    assert not off_hours(saturday, st, is_workday=lambda day: True)
    assert off_hours(inside, st, is_workday=lambda day: False)


def appointment(aid: str, planned: str, state: str = "pending", **fields) -> dict:
    values = {
        "id": aid,
        "kind": "appointment",
        "station_id": STATION_ID,
        "household_id": "hh-1",
        "planned_date": planned,
        "planned_time": "10:00:00",
        "state": state,
    }
    values.update(fields)
    return values


def test_appointments_due() -> None:
    today = dt.date(2026, 11, 20)
    items = [
        appointment("later", "2026-11-25"),
        appointment("today-pm", "2026-11-20", planned_time="15:00:00"),
        appointment("today-am", "2026-11-20", planned_time="09:00:00"),
        appointment("missed", "2026-11-18"),
        appointment("done", "2026-11-18", state="done"),
        appointment("cancelled", "2026-11-20", state="cancelled"),
        appointment("far", "2027-01-10"),
        appointment("other", "2026-11-20", station_id="station-xx"),
    ]
    due = appointments_due(items, STATION_ID, today)
    assert isinstance(due, AppointmentsDue)
    assert [a["id"] for a in due.due_today] == ["today-am", "today-pm"]
    assert [a["id"] for a in due.missed] == ["missed"]
    assert [a["id"] for a in due.upcoming] == ["later", "far"]
    soon = appointments_due(items, STATION_ID, today, within_days=7)
    assert [a["id"] for a in soon.upcoming] == ["later"]
    everyone = appointments_due(items, None, today)
    assert [a["id"] for a in everyone.due_today] == ["today-am", "other", "today-pm"]


def make_appointment(**fields) -> Appointment:
    values = dict(
        station_id=STATION_ID,
        household_id="hh-1",
        requested_by="张桂兰",
        requested_at=dt.datetime(2026, 11, 18, 10, 0),
        planned_date=dt.date(2026, 11, 20),
        planned_time=dt.time(9, 30),
        reason="反映楼道漏水",
    )
    values.update(fields)
    return Appointment(**values)


def test_link_appointment() -> None:
    booked = make_appointment()
    done_visit = visit("hh-1", visit_kind=VisitKind.APPOINTMENT, appointment_id=booked.id)
    linked = link_appointment(booked, done_visit)
    assert linked.state is AppointmentState.DONE
    assert linked.visit_id == done_visit.id
    assert booked.state is AppointmentState.PENDING  # the original is not changed


def test_link_appointment_refusals() -> None:
    booked = make_appointment()
    with pytest.raises(ValueError, match="不是同一户"):
        link_appointment(booked, visit("hh-2"))
    cancelled = make_appointment(state=AppointmentState.CANCELLED)
    with pytest.raises(ValueError, match="已取消"):
        link_appointment(cancelled, visit("hh-1"))
    done = link_appointment(booked, visit("hh-1"))
    with pytest.raises(ValueError, match="已走访"):
        link_appointment(done, visit("hh-1"))
    with pytest.raises(ValueError, match="另一张预约走访单"):
        link_appointment(booked, visit("hh-1", appointment_id="other-appointment"))


def problem(state: ProblemState, **fields) -> ProblemItem:
    values = dict(category="环境卫生", description="楼道灯坏了", state=state)
    values.update(fields)
    return ProblemItem(**values)


def test_problem_counts_and_pending_problems() -> None:
    first = visit(
        "hh-1",
        date=dt.date(2026, 11, 20),
        problems=[
            problem(ProblemState.PENDING),
            problem(ProblemState.SOLVED_ON_SPOT),
            problem(ProblemState.HANDED_OFF, slip_id="slip-1"),
        ],
    )
    second = visit(
        "hh-2",
        date=dt.date(2026, 11, 2),
        problems=[
            problem(ProblemState.PENDING, description="下水道堵塞"),
            problem(ProblemState.SOLVED_LATER, solved_on=dt.date(2026, 11, 5)),
        ],
    )
    elsewhere = visit("hh-3", station_id="station-xx", problems=[problem(ProblemState.PENDING)])
    visits = [first, second, elsewhere]
    counts = problem_counts(visits)
    assert counts == {
        ProblemState.SOLVED_ON_SPOT: 1,
        ProblemState.HANDED_OFF: 1,
        ProblemState.PENDING: 3,
        ProblemState.SOLVED_LATER: 1,
    }
    # stored dicts give the same counts
    assert problem_counts([v.to_json() for v in visits]) == counts
    assert problem_counts([]) == dict.fromkeys(ProblemState, 0)

    open_ = pending_problems(visits, STATION_ID)
    assert [(p.household_id, p.problem.description) for p in open_] == [
        ("hh-2", "下水道堵塞"),  # oldest visit first
        ("hh-1", "楼道灯坏了"),
    ]
    assert open_[0].visit_date == dt.date(2026, 11, 2)
    assert open_[0].state is ProblemState.PENDING
    from_dicts = pending_problems([v.to_json() for v in visits], STATION_ID)
    assert from_dicts == open_
    assert len(pending_problems(visits, None)) == 3
