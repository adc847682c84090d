"""值班表、请假与代班 (services/rosters.py): the month's working days over the Spring
Festival 2026 make-up days, generating a month, each kind of gap, the month view, late
requests (补假), the substitute rule, approval moving the shifts, and the public notice
without ID or phone numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from grassroots_tui.models import (
    DutyShift,
    LeaveDecision,
    LeaveKind,
    LeaveRequest,
    Staff,
    StaffRole,
)
from grassroots_tui.services import rosters as R
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, id_number, station

D = dt.date
HL02 = "station-hl02"
CAL = OfficialCalendar()
#: Spring Festival 2026: 02-15..23 off, Saturdays 02-14 and 02-28 are working days.
FEB_2026_WORKDAYS = [
    D(2026, 2, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28)
]
PHONES = {"staff-a": "13874561111", "staff-b": "13974562222", "staff-c": "15874563333"}


def ticking_clock(start: dt.datetime = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)):
    minutes = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(minutes))


def open_store(path: Path) -> Store:
    store = Store.open(path, clock=ticking_clock(), daily_backup=False)
    store.save_many(
        [
            station(phone="0731-84061208", address="湘龙街道湘龙社区党群服务中心一楼"),
            station("HL02"),
            household("HL01-0001", id="home-1"),
            Staff(id="staff-a", station_id=STATION_ID, name="张三", phone=PHONES["staff-a"]),
            Staff(id="staff-b", station_id=STATION_ID, name="李四", phone=PHONES["staff-b"]),
            Staff(id="staff-c", station_id=STATION_ID, name="王五", phone=PHONES["staff-c"]),
            Staff(id="staff-d", station_id=HL02, name="赵六"),
            Staff(id="staff-gone", station_id=STATION_ID, name="退休者", active=False),
            Staff(id="sup-1", name="周督导", role=StaffRole.SUPERVISOR),
        ],
        actor="setup",
    )
    return store


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "g.json")
    yield s
    s.close()


def shift(day: D, *staff_ids: str, station_id: str = STATION_ID) -> DutyShift:
    return DutyShift(station_id=station_id, date=day, staff_ids=list(staff_ids))


def leave(staff_id: str = "staff-a", first: D = D(2026, 2, 10), last: D | None = None, **fields):
    values = dict(
        staff_id=staff_id,
        start_date=first,
        end_date=last or first,
        leave_kind=LeaveKind.PERSONAL,
        reason="家中老人住院需陪护，联系电话13874561111",
        requested_on=first - dt.timedelta(days=3),
    )
    values.update(fields)
    return LeaveRequest(**values)


def approved(staff_id: str, first: D, last: D | None = None, sub: str = "staff-c") -> LeaveRequest:
    return leave(
        staff_id,
        first,
        last,
        station_id=STATION_ID,
        decision=LeaveDecision.APPROVED,
        approver="街道群工办 周督导",
        substitute_id=sub,
    )


def generate(store: Store, ids=("staff-a", "staff-b", "staff-c"), **kw) -> list[DutyShift]:
    values = dict(
        station_id=STATION_ID,
        year=2026,
        month=2,
        staff_ids=list(ids),
        calendar=CAL,
        actor="站长",
    )
    values.update(kw)
    return R.generate_month(store, **values)


def on_duty(store: Store, day: D, station_id: str = STATION_ID) -> list[str]:
    for raw in store.raw("duty_shift"):
        if raw["station_id"] == station_id and raw["date"] == day.isoformat():
            return raw["staff_ids"]
    return []


# -- working days and generation -------------------------------------------------------------


def test_working_days_follow_the_official_calendar() -> None:
    days = R.working_days(2026, 2, CAL)
    assert days == FEB_2026_WORKDAYS
    assert D(2026, 2, 14) in days and D(2026, 2, 28) in days  # make-up Saturdays
    assert not any(D(2026, 2, 15) <= d <= D(2026, 2, 23) for d in days)
    assert R.calendar_note(2026, 2, CAL) is None


def test_a_year_without_data_is_guessed_from_weekends_and_says_so() -> None:
    assert not CAL.covers(2031)
    days = R.working_days(2031, 2, CAL)
    assert days and all(d.weekday() < 5 for d in days)
    assert "2031 年节假日数据缺失" in (R.calendar_note(2031, 2, CAL) or "")


def test_generated_shifts_land_exactly_on_working_days(store: Store) -> None:
    made = generate(store)
    assert [s.date for s in made] == FEB_2026_WORKDAYS
    assert all(s.rev == 1 and s.station_id == STATION_ID for s in made)
    rotation = [s.staff_ids[0] for s in made]
    assert rotation[:4] == ["staff-a", "staff-b", "staff-c", "staff-a"]
    assert sorted(r["date"] for r in store.raw("duty_shift")) == [
        d.isoformat() for d in FEB_2026_WORKDAYS
    ]


def test_two_a_day(store: Store) -> None:
    made = generate(store, per_day=2)
    assert [s.staff_ids for s in made[:3]] == [
        ["staff-a", "staff-b"],
        ["staff-c", "staff-a"],
        ["staff-b", "staff-c"],
    ]


def test_a_month_with_shifts_is_refused_unless_replaced(store: Store) -> None:
    first = generate(store)
    with pytest.raises(R.RosterRefused, match="已有值班表（16 天）"):
        generate(store, ids=["staff-b"])
    second = generate(store, ids=["staff-b"], replace=True)
    assert len(store.raw("duty_shift")) == 16
    assert {r["id"] for r in store.raw("duty_shift")} == {s.id for s in second}
    assert not {s.id for s in first} & {s.id for s in second}
    assert all(s.staff_ids == ["staff-b"] for s in second)


def test_generation_refuses_bad_input(store: Store) -> None:
    with pytest.raises(R.RosterRefused, match="至少选择一名"):
        generate(store, ids=[])
    with pytest.raises(R.RosterRefused, match="退休者 已不在岗"):
        generate(store, ids=["staff-a", "staff-gone"])
    with pytest.raises(R.RosterRefused, match="每天值班人数应在 1 到 2 之间"):
        generate(store, ids=["staff-a", "staff-b"], per_day=3)
    with pytest.raises(R.RosterRefused, match="找不到群工站"):
        generate(store, station_id="nowhere")


def test_generation_skips_members_on_leave_or_on_duty_elsewhere(store: Store) -> None:
    store.save(approved("staff-a", D(2026, 2, 2), D(2026, 2, 4)), "setup")
    store.save(shift(D(2026, 2, 5), "staff-b", station_id=HL02), "setup")
    made = {s.date: s.staff_ids for s in generate(store)}
    assert made[D(2026, 2, 2)] == ["staff-b"]
    assert made[D(2026, 2, 3)] == ["staff-c"]
    assert made[D(2026, 2, 4)] == ["staff-b"]
    assert made[D(2026, 2, 5)] == ["staff-c"]  # 李四 is at HL02 that day
    assert made[D(2026, 2, 6)] == ["staff-a"]
    assert R.roster_gaps(store, station_id=STATION_ID, year=2026, month=2, calendar=CAL) == []


# -- editing a day -----------------------------------------------------------------------


def test_set_day_creates_then_edits(store: Store) -> None:
    day = D(2026, 2, 14)
    created = R.set_day(store, station_id=STATION_ID, day=day, staff_ids=["staff-a"], actor="站长")
    edited = R.set_day(
        store,
        station_id=STATION_ID,
        day=day,
        staff_ids=["staff-b", "staff-c"],
        actor="站长",
        note="调休上班",
    )
    assert edited.id == created.id and edited.rev == 2
    assert edited.staff_ids == ["staff-b", "staff-c"] and edited.note == "调休上班"
    assert R.clear_day(store, station_id=STATION_ID, day=day, actor="站长") is True
    assert R.clear_day(store, station_id=STATION_ID, day=day, actor="站长") is False


def test_set_day_refuses_leave_and_double_booking(store: Store) -> None:
    store.save(approved("staff-a", D(2026, 2, 10)), "setup")
    store.save(shift(D(2026, 2, 11), "staff-d", station_id=HL02), "setup")
    with pytest.raises(R.RosterRefused, match="张三 2026-02-10 周二 已批准请假"):
        R.set_day(
            store, station_id=STATION_ID, day=D(2026, 2, 10), staff_ids=["staff-a"], actor="x"
        )
    with pytest.raises(R.RosterRefused, match="赵六 2026-02-11 周三 已在 HL02 值班"):
        R.set_day(
            store, station_id=STATION_ID, day=D(2026, 2, 11), staff_ids=["staff-d"], actor="x"
        )
    with pytest.raises(R.RosterRefused, match="至少选择一名"):
        R.set_day(store, station_id=STATION_ID, day=D(2026, 2, 11), staff_ids=[], actor="x")


# -- gaps and the month view -----------------------------------------------------------------


def test_each_kind_of_gap(store: Store) -> None:
    generate(store)
    # nobody: a working day (the make-up Saturday) left empty
    R.clear_day(store, station_id=STATION_ID, day=D(2026, 2, 14), actor="站长")
    # on leave: leave approved outside this program, shift left as it was (2-02 is 张三's)
    store.save(approved("staff-a", D(2026, 2, 2)), "setup")
    # double booked: 李四 (on duty at HL01 on 2-03) also put on at HL02
    store.save(shift(D(2026, 2, 3), "staff-b", station_id=HL02), "setup")
    gaps = R.roster_gaps(store, station_id=STATION_ID, year=2026, month=2, calendar=CAL)
    assert [(g.day, g.kind, g.staff_id) for g in gaps] == [
        (D(2026, 2, 2), "on_leave", "staff-a"),
        (D(2026, 2, 3), "double_booked", "staff-b"),
        (D(2026, 2, 14), "nobody", None),
    ]
    assert gaps[0].message.startswith("2026-02-02 周一 张三 已批准请假")
    assert gaps[1].message == "2026-02-03 周二 李四 同一天也在 HL02 值班"
    assert gaps[2].message == "2026-02-14 周六 是工作日，没有安排值班人员"
    # Rest days (02-15..23) without anyone are not gaps.
    assert not [g for g in gaps if D(2026, 2, 15) <= g.day <= D(2026, 2, 23)]


def test_gaps_of_every_station(store: Store) -> None:
    generate(store)
    store.save(shift(D(2026, 2, 3), "staff-b", station_id=HL02), "setup")
    gaps = R.roster_gaps(store, station_id=None, year=2026, month=2, calendar=CAL)
    hl02_nobody = [g for g in gaps if g.station_id == HL02 and g.kind == "nobody"]
    assert len(hl02_nobody) == 15  # every working day but 2-03
    doubled = [g for g in gaps if g.kind == "double_booked"]
    assert [(g.station_id, g.message) for g in doubled] == [
        (STATION_ID, "HL01 2026-02-03 周二 李四 同一天也在 HL02 值班"),
        (HL02, "HL02 2026-02-03 周二 李四 同一天也在 HL01 值班"),
    ]


def test_month_view(store: Store) -> None:
    generate(store)
    R.clear_day(store, station_id=STATION_ID, day=D(2026, 2, 14), actor="站长")
    view = R.month_view(store, station_id=STATION_ID, year=2026, month=2, calendar=CAL)
    assert [d.day for d in view] == [D(2026, 2, 1) + dt.timedelta(days=n) for n in range(28)]
    assert [d.day for d in view if d.workday] == FEB_2026_WORKDAYS
    by_day = {d.day: d for d in view}
    assert by_day[D(2026, 2, 2)].staff_ids == ["staff-a"]
    assert by_day[D(2026, 2, 15)].staff_ids == [] and by_day[D(2026, 2, 15)].gaps == []
    assert [g.kind for g in by_day[D(2026, 2, 14)].gaps] == ["nobody"]


# -- leave requests --------------------------------------------------------------------------


def test_request_in_advance_and_late_request(store: Store) -> None:
    early = R.request_leave(store, leave("staff-a", D(2026, 2, 10)), "张三")
    assert early.station_id == STATION_ID and early.decision is LeaveDecision.PENDING
    assert R.is_late(early) is False
    late = R.request_leave(
        store, leave("staff-b", D(2026, 2, 10), requested_on=D(2026, 2, 11)), "李四"
    )
    assert R.is_late(late) is True  # 补假
    assert R.is_late(store.get_raw("leave_request", late.id)) is True  # a stored dict too
    same_day = leave("staff-c", D(2026, 2, 12), requested_on=D(2026, 2, 12))
    assert R.is_late(same_day) is True


def test_request_refusals(store: Store) -> None:
    R.request_leave(store, leave("staff-a", D(2026, 2, 10), D(2026, 2, 12)), "张三")
    with pytest.raises(R.RosterRefused, match="已有请假（待审批），时间重叠"):
        R.request_leave(store, leave("staff-a", D(2026, 2, 12)), "张三")
    with pytest.raises(R.RosterRefused, match="应为“待审批”"):
        R.request_leave(store, leave("staff-b", decision=LeaveDecision.APPROVED, approver="x"), "x")
    with pytest.raises(R.RosterRefused, match="退休者 已不在岗"):
        R.request_leave(store, leave("staff-gone"), "x")


def decide(store: Store, leave_id: str, sub: str | None, **kw) -> LeaveRequest:
    values = dict(
        approve=True,
        approver="街道群工办 周督导",
        substitute_id=sub,
        on=D(2026, 2, 8),
        actor="周督导",
        calendar=CAL,
    )
    values.update(kw)
    return R.decide_leave(store, leave_id, **values)


def test_substitute_rule_refusals(store: Store) -> None:
    generate(store)  # 2-10 张三, 2-11 李四, 2-12 王五 …
    asked = R.request_leave(store, leave("staff-a", D(2026, 2, 10)), "张三")
    # the requester
    with pytest.raises(R.RosterRefused, match="不能是请假人本人"):
        decide(store, asked.id, "staff-a")
    # a member on leave those days
    store.save(approved("staff-b", D(2026, 2, 9), D(2026, 2, 10)), "setup")
    with pytest.raises(R.RosterRefused, match="代班人 李四 在 2026-02-10 也在请假"):
        decide(store, asked.id, "staff-b")
    # a member on duty at another station those days
    store.save(shift(D(2026, 2, 10), "staff-d", station_id=HL02), "setup")
    with pytest.raises(R.RosterRefused, match="代班人 赵六 2026-02-10 周二 在 HL02 值班"):
        decide(store, asked.id, "staff-d")
    # not staff, not active, none at all
    with pytest.raises(R.RosterRefused, match="找不到代班人"):
        decide(store, asked.id, "nobody")
    with pytest.raises(R.RosterRefused, match="代班人 退休者 已不在岗"):
        decide(store, asked.id, "staff-gone")
    with pytest.raises(R.RosterRefused, match="须确定代班人员"):
        decide(store, asked.id, None)
    # nothing was changed by the refusals
    assert store.get(LeaveRequest, asked.id).decision is LeaveDecision.PENDING
    assert on_duty(store, D(2026, 2, 10)) == ["staff-a"]


def test_substitute_already_on_the_same_shift_is_refused(store: Store) -> None:
    R.set_day(
        store,
        station_id=STATION_ID,
        day=D(2026, 2, 10),
        staff_ids=["staff-a", "staff-c"],
        actor="站长",
    )
    asked = R.request_leave(store, leave("staff-a", D(2026, 2, 10)), "张三")
    with pytest.raises(R.RosterRefused, match="王五 2026-02-10 周二 本来就在本站值班"):
        decide(store, asked.id, "staff-c")


def test_approving_moves_the_shifts_in_one_transaction(store: Store) -> None:
    generate(store)  # 2-09 王五, 2-10 张三, 2-11 李四, 2-12 王五, 2-13 张三
    asked = R.request_leave(
        store, leave("staff-a", D(2026, 2, 10), D(2026, 2, 13), substitute_id="staff-b"), "张三"
    )
    done = decide(store, asked.id, None)  # the substitute named on the request
    assert done.decision is LeaveDecision.APPROVED and done.substitute_id == "staff-b"
    assert done.approver == "街道群工办 周督导"
    assert on_duty(store, D(2026, 2, 10)) == ["staff-b"]
    assert on_duty(store, D(2026, 2, 13)) == ["staff-b"]
    assert on_duty(store, D(2026, 2, 9)) == ["staff-c"]  # outside the period: untouched
    assert on_duty(store, D(2026, 2, 16)) == []
    moved = [r for r in store.raw("duty_shift") if r["date"] in ("2026-02-10", "2026-02-13")]
    assert all("李四代张三值班（事假，2026-02-08批准）" in r["note"] for r in moved)
    txns = {
        e["txn"]
        for e in store.raw("audit_entry")
        if e["target_id"] in {asked.id, *(r["id"] for r in moved)} and e["action"] == "update"
    }
    assert len(txns) == 1
    assert R.roster_gaps(store, station_id=STATION_ID, year=2026, month=2, calendar=CAL) == []
    with pytest.raises(R.RosterRefused, match="已审批（已批准），不能再次审批"):
        decide(store, asked.id, "staff-c")


def test_refusing_a_leave_keeps_the_shifts(store: Store) -> None:
    generate(store)
    asked = R.request_leave(store, leave("staff-a", D(2026, 2, 10)), "张三")
    with pytest.raises(R.RosterRefused, match="请填写审批人"):
        decide(store, asked.id, None, approve=False, approver=" ")
    with pytest.raises(R.RosterRefused, match="不能早于申请日期"):
        decide(store, asked.id, "staff-b", on=D(2026, 2, 1))
    done = decide(store, asked.id, None, approve=False)
    assert done.decision is LeaveDecision.REJECTED and done.approver == "街道群工办 周督导"
    assert on_duty(store, D(2026, 2, 10)) == ["staff-a"]


# -- the public notice -----------------------------------------------------------------------

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def approved_leave(store: Store) -> LeaveRequest:
    generate(store)
    asked = R.request_leave(store, leave("staff-a", D(2026, 2, 10), D(2026, 2, 11)), "张三")
    return decide(store, asked.id, "staff-c")


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_notice_has_names_and_dates_but_no_id_or_phone(store: Store, fmt: str) -> None:
    done = approved_leave(store)
    notice = R.public_notice(store, done.id, fmt=fmt, on=D(2026, 2, 8))
    # Text lines wrap anywhere: check the text joined up again (and the lines as written).
    text = "".join(line.strip() for line in notice.splitlines())
    assert not MOBILE.search(notice) and not ID_18.search(notice)
    assert "请假代班公示" in text or "请假代班公示" in text.replace(" ", "")
    assert "张三" in text and "王五" in text
    assert "2026年2月10日至2026年2月11日" in text
    assert "公示日期：2026-02-08" in text and "2026年2月8日" in text
    # 张三 is on the roster on 2-10 only (2-11 is 李四's day): the substitute covers that.
    assert "代班日期：2月10日（周二）。" in text
    assert "0731-84061208" in text and "党群服务中心" in text  # the station's own phone
    # No ID number and no person's phone number, whatever the store holds.
    assert not MOBILE.search(text)
    assert not ID_18.search(text)
    for raw in [*store.raw("staff"), *store.raw("household")]:
        for name in ("phone", "id_number"):
            if raw.get(name):
                assert raw[name] not in text
    assert id_number() not in text
    assert "陪护" not in text  # the reason (with a phone number in it) is not posted


def test_notice_layout(store: Store) -> None:
    done = approved_leave(store)
    lines = R.public_notice(store, done.id, on=D(2026, 2, 8)).splitlines()
    assert lines[0].strip() == "湘龙街道HL01群众工作站"
    assert lines[1].strip() == "请 假 代 班 公 示"
    assert lines[2].strip() == "公示日期：2026-02-08"
    assert lines[-2].strip() == "湘龙街道HL01群众工作站"
    assert lines[-1].strip() == "2026年2月8日"
    html = R.public_notice(store, done.id, fmt="html", on=D(2026, 2, 8))
    assert html.startswith("<!DOCTYPE html>") and "<h1>请假代班公示</h1>" in html


def test_notice_leaves_out_a_station_phone_that_is_a_persons(store: Store) -> None:
    done = approved_leave(store)
    hl01 = store.get_raw("station", STATION_ID)
    store.save(
        station(phone=PHONES["staff-b"], address=hl01["address"]).model_copy(
            update={"rev": hl01["rev"]}
        ),
        "setup",
    )
    notice = R.public_notice(store, done.id, on=D(2026, 2, 8))
    text = "".join(line.strip() for line in notice.splitlines())
    assert PHONES["staff-b"] not in text and not MOBILE.search(text)
    assert "地址：湘龙街道湘龙社区党群服务中心一楼" in text


def test_only_an_approved_leave_is_posted(store: Store) -> None:
    asked = R.request_leave(store, leave("staff-a", D(2026, 2, 10)), "张三")
    with pytest.raises(R.RosterRefused, match="只有已批准并安排了代班人的请假才能公示"):
        R.public_notice(store, asked.id)


def test_find_leave_by_id_or_name(store: Store) -> None:
    done = approved_leave(store)
    R.request_leave(store, leave("staff-a", D(2026, 3, 2)), "张三")  # later, pending
    assert R.find_leave(store, done.id).id == done.id
    assert R.find_leave(store, "张三").id == done.id  # the latest approved one
    with pytest.raises(R.LeaveNotFound, match="找不到“赵六”的请假申请"):
        R.find_leave(store, "赵六")
