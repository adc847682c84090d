"""The overdue board (services/slip_board.py) on a hand-built store with a fixed today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import (
    HandoffSlip,
    Reply,
    Satisfaction,
    SlipCallback,
    SlipExtension,
    SlipState,
    Staff,
    StaffRole,
)
from grassroots_tui.services.slip_board import (
    board_counts_text,
    board_json,
    build_board,
    filter_board,
)
from grassroots_tui.services.workcalendar import OfficialCalendar, YearOverride
from grassroots_tui.store import Store
from tests.factories import legacy_slip, station

TODAY = dt.date(2026, 11, 26)  # a Thursday
CAL = OfficialCalendar()
D = dt.date.fromisoformat
HL01, HL02 = "station-hl01", "station-hl02"


def slip(
    number: str,
    station_id: str,
    issue: str | None,
    state: SlipState,
    *,
    rule: str = "15日",
    unit: str = "街道城管中队",
    category: str = "城市管理",
    lead: str | None = None,
    due: str | None = None,
) -> HandoffSlip:
    return legacy_slip(
        id=number,
        station_id=station_id,
        number=None if state is SlipState.DRAFTED else number,
        category=category,
        title=f"事项{number}",
        description="情况",
        handling_unit=unit,
        lead_official=lead,
        issue_date=D(issue) if issue else None,
        deadline_rule=rule,
        due_date=D(due) if due else None,
        state=state,
    )


def build_store(path: Path) -> Store:
    store = Store.open(path, daily_backup=False)
    docs = [
        station("HL01"),
        station("HL02", name="高沙群众工作站"),
        Staff(id="staff-lead", station_id=HL01, name="刘书记", role=StaffRole.LEADER),
        # 15日 from 10-20 → due 11-04: 22 days over, 16 working days → reported
        slip("S1", HL01, "2026-10-20", SlipState.ISSUED, lead="staff-lead"),
        # due 11-21 is a Saturday → 11-23: 3 days over, not reported
        slip(
            "S2", HL01, "2026-11-06", SlipState.ACCEPTED, unit="湘龙物业公司", category="物业纠纷"
        ),
        # due today
        slip("S3", HL02, "2026-11-11", SlipState.ISSUED),
        # extended to 11-28 (the rule alone would have made it long overdue): warning, 2 days
        slip("S4", HL02, "2026-10-01", SlipState.EXTENDED, lead="staff-lead", due="2026-10-16"),
        SlipExtension(
            station_id=HL02,
            slip_id="S4",
            requested_on=D("2026-10-15"),
            reason="协调",
            approver="刘书记",
            new_due_date=D("2026-11-28"),
        ),
        # redo after an unsatisfied callback on 11-12 → due 11-27: warning, 1 day.
        # The stored due date is stale on purpose: the board derives its own.
        slip("S5", HL01, "2026-10-01", SlipState.REDO, due="2026-10-16"),
        Reply(
            station_id=HL01,
            slip_id="S5",
            reply_date=D("2026-10-10"),
            result="已处理",
            handler="王",
        ),
        SlipCallback(
            station_id=HL01,
            slip_id="S5",
            date=D("2026-11-12"),
            satisfaction=Satisfaction.UNSATISFIED,
        ),
        # due 12-07: fine, not on the board
        slip("S6", HL01, "2026-11-20", SlipState.ISSUED),
        # not open: replied, closed, drafted, withdrawn, returned — never on the board
        slip("S7", HL01, "2026-10-01", SlipState.REPLIED),
        slip("S8", HL02, "2026-10-01", SlipState.CLOSED),
        slip("S9", HL02, None, SlipState.DRAFTED),
        slip("S10", HL02, "2026-10-01", SlipState.WITHDRAWN),
        slip("S12", HL02, "2026-10-01", SlipState.RETURNED),
        # 10个工作日 from 11-05 → due 11-19: 7 days over, 5 working days → reported
        slip("S11", HL02, "2026-11-05", SlipState.ISSUED, rule="10个工作日", category="社会保障"),
    ]
    store.save_many(docs, actor="setup")
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    s = build_store(tmp_path_factory.mktemp("board") / "g.json")
    yield s
    s.close()


@pytest.fixture(scope="module")
def board(store: Store):
    return build_board(store, today=TODAY, calendar=CAL)


def test_rows_most_overdue_first(board) -> None:
    assert [r.number for r in board.rows] == ["S1", "S11", "S2", "S3", "S5", "S4"]
    assert [r.clock.days_left for r in board.rows] == [-22, -7, -3, 0, 1, 2]
    assert [r.clock.state for r in board.rows] == [
        "overdue",
        "overdue",
        "overdue",
        "due_today",
        "warning",
        "warning",
    ]


def test_counts(board) -> None:
    assert (board.overdue, board.due_today, board.warning, board.reported, board.provisional) == (
        3,
        1,
        2,
        2,
        0,
    )
    assert board.total == 6
    assert board_counts_text(board) == ("超期 3（通报 2） · 今日到期 1 · 预警 2 · 到期日暂定 0")


def test_rows_use_the_effective_due_date_and_name_the_lead_official(board) -> None:
    rows = {r.number: r for r in board.rows}
    assert rows["S4"].due.date == D("2026-11-28")  # the extension
    assert rows["S5"].due.date == D("2026-11-27")  # the redo, not the stale stored date
    assert rows["S2"].due.date == D("2026-11-23")
    assert rows["S1"].lead_official == "刘书记" and rows["S1"].lead_official_id == "staff-lead"
    assert rows["S3"].station_code == "HL02" and rows["S3"].station_name == "高沙群众工作站"
    assert rows["S2"].state is SlipState.ACCEPTED
    assert rows["S11"].clock.working_days_overdue == 5 and rows["S11"].clock.reported
    assert not rows["S2"].clock.reported


@pytest.mark.parametrize(
    ("filters", "numbers"),
    [
        ({"station": "hl02"}, ["S11", "S3", "S4"]),
        ({"station": "HL01"}, ["S1", "S2", "S5"]),
        ({"unit": "物业"}, ["S2"]),
        ({"lead": "刘书记"}, ["S1", "S4"]),
        ({"lead": "staff-lead"}, ["S1", "S4"]),
        ({"category": "社会保障"}, ["S11"]),
        ({"station": "HL01", "lead": "刘书记"}, ["S1"]),
        ({"station": "HL09"}, []),
        ({"station": "", "unit": None}, ["S1", "S11", "S2", "S3", "S5", "S4"]),
    ],
)
def test_filters(board, filters, numbers) -> None:
    narrowed = filter_board(board, **filters)
    assert [r.number for r in narrowed.rows] == numbers
    assert narrowed.overdue == sum(r.clock.state == "overdue" for r in narrowed.rows)
    assert narrowed.reported == sum(r.clock.reported for r in narrowed.rows)


def test_filter_recounts(board) -> None:
    hl02 = filter_board(board, station="HL02")
    assert (hl02.overdue, hl02.due_today, hl02.warning, hl02.reported) == (1, 1, 1, 1)


def test_json_rows(board) -> None:
    rows = board_json(board)
    first = rows[0]
    for key in (
        "number",
        "station",
        "unit",
        "lead_official",
        "due_date",
        "provisional",
        "days_overdue",
        "state",
    ):
        assert key in first
    assert first["number"] == "S1" and first["station"] == "HL01"
    assert first["due_date"] == "2026-11-04" and first["days_overdue"] == 22
    assert first["state"] == "issued" and first["clock"] == "overdue" and first["reported"]
    assert first["lead_official"] == "刘书记" and first["unit"] == "街道城管中队"


def test_another_day_gives_another_board(store: Store) -> None:
    earlier = build_board(store, today=D("2026-11-01"), calendar=CAL)
    assert [r.number for r in earlier.rows] == ["S1"]  # due 11-04: warning, 3 days
    assert earlier.warning == 1 and earlier.overdue == 0
    wider = build_board(store, today=TODAY, calendar=CAL, warn_days=11)
    assert "S6" in [r.number for r in wider.rows]


def test_provisional_due_dates_are_counted_and_become_final(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "g.json", daily_backup=False)
    try:
        store.save_many(
            [station(), slip("P1", HL01, "2026-12-20", SlipState.ISSUED)], actor="setup"
        )
        day = D("2027-01-05")
        board = build_board(store, today=day, calendar=CAL)
        (row,) = board.rows
        assert row.due.date == D("2027-01-04") and row.due.provisional and row.provisional
        assert board.provisional == 1 and board.overdue == 1
        assert board_json(board)[0]["provisional"] is True
        with_2027 = OfficialCalendar(
            {2027: YearOverride(holidays={D("2027-01-01"): "元旦", D("2027-01-04"): "试用"})}
        )
        final = build_board(store, today=day, calendar=with_2027)
        (row,) = final.rows
        assert row.due.date == D("2027-01-05") and not row.provisional
        assert final.provisional == 0 and final.due_today == 1
    finally:
        store.close()
