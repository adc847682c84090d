"""A household's history from a real store, and finding households by name, pinyin and 户号."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import (
    CaseStatus,
    HandoffSlip,
    HardshipCase,
    HardshipCause,
    HardshipTier,
    ProblemItem,
    ProblemState,
    Reply,
)
from grassroots_tui.services.households import find_households, household_history
from grassroots_tui.services.slips.clock import views
from grassroots_tui.services.workcalendar import OfficialCalendar, YearOverride
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, legacy_slip, visit


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "station.json", daily_backup=False)
    yield s
    s.close()


def slip(number: str, household_id: str | None, issued: dt.date | None, **fields) -> HandoffSlip:
    values = dict(
        station_id=STATION_ID,
        category="环境卫生",
        title="楼道灯不亮",
        description="3栋2单元楼道灯坏了一个月",
        household_id=household_id,
    )
    if issued is not None:
        values.update(number=number, issue_date=issued, handling_unit="物业公司", state="issued")
    values.update(fields)
    return legacy_slip(**values)


def reply(slip_id: str, day: dt.date, result: str, **fields) -> Reply:
    values = dict(station_id=STATION_ID, slip_id=slip_id, reply_date=day, result=result,
                  handler="王经理")  # fmt: skip
    values.update(fields)
    return Reply(**values)


def test_household_history(store: Store) -> None:
    home = store.save(household("HL01-0001"), actor="李敏")
    other = store.save(household("HL01-0002", head_of_household="李四"), actor="李敏")

    slip_a = slip("第0001号", home.id, dt.date(2026, 10, 9))
    slip_b = slip("第0002号", home.id, dt.date(2026, 11, 3))
    draft = slip("", home.id, None, title="草拟中")
    slip_other = slip("第0003号", other.id, dt.date(2026, 11, 4))
    # a slip opened from one of the household's problems without household_id
    slip_from_problem = slip("第0004号", None, dt.date(2026, 11, 5))

    older = visit(
        home.id,
        date=dt.date(2026, 10, 8),
        problems=[
            ProblemItem(
                category="环境卫生", description="楼道灯坏了", state="handed_off", slip_id=slip_a.id
            ),  # fmt: skip
        ],
    )
    newer_am = visit(
        home.id,
        date=dt.date(2026, 11, 20),
        start_time=dt.time(9),
        end_time=dt.time(9, 30),
        problems=[
            ProblemItem(category="社会保障", description="低保复核", state=ProblemState.PENDING),
            ProblemItem(
                category="其他",
                description="下水道",
                state="handed_off",
                slip_id=slip_from_problem.id,
            ),  # fmt: skip
        ],
    )
    newer_pm = visit(home.id, date=dt.date(2026, 11, 20), start_time=dt.time(15),
                     end_time=dt.time(15, 30))  # fmt: skip
    not_ours = visit(other.id, problems=[ProblemItem(category="其他", description="别家")])
    case = HardshipCase(
        station_id=STATION_ID,
        household_id=home.id,
        tier=list(HardshipTier)[0],
        causes=[list(HardshipCause)[0]],
        paired_cadre="staff-1",
        opened_on=dt.date(2026, 1, 5),
    )
    old_case = HardshipCase(
        station_id=STATION_ID,
        household_id=home.id,
        tier=list(HardshipTier)[0],
        causes=[list(HardshipCause)[0]],
        paired_cadre="staff-1",
        opened_on=dt.date(2024, 3, 1),
        status=list(CaseStatus)[1],
        exit_on=dt.date(2025, 3, 1),
    )
    other_case = HardshipCase(
        station_id=STATION_ID,
        household_id=other.id,
        tier=list(HardshipTier)[0],
        causes=[list(HardshipCause)[0]],
        paired_cadre="staff-1",
        opened_on=dt.date(2026, 1, 5),
    )
    store.save_many(
        [
            slip_a, slip_b, draft, slip_other, slip_from_problem,
            older, newer_am, newer_pm, not_ours, case, old_case, other_case,
            reply(slip_a.id, dt.date(2026, 10, 20), "已更换灯泡"),
            reply(slip_a.id, dt.date(2026, 10, 30), "重办：已更换线路", is_redo=True),
            reply(slip_other.id, dt.date(2026, 11, 10), "别家的回复"),
        ],
        actor="李敏",
    )  # fmt: skip

    history = household_history(store, home.id, calendar=None)
    assert history.household.id == home.id
    assert [v.id for v in history.visits] == [newer_pm.id, newer_am.id, older.id]
    assert [(p.visit_date, p.problem.description, p.state) for p in history.problems] == [
        (dt.date(2026, 11, 20), "低保复核", ProblemState.PENDING),
        (dt.date(2026, 11, 20), "下水道", ProblemState.HANDED_OFF),
        (dt.date(2026, 10, 8), "楼道灯坏了", ProblemState.HANDED_OFF),
    ]
    assert [s.slip.id for s in history.slips] == [
        draft.id,  # drafts first
        slip_from_problem.id,
        slip_b.id,
        slip_a.id,
    ]
    by_id = {s.slip.id: s for s in history.slips}
    assert [r.result for r in by_id[slip_a.id].replies] == ["已更换灯泡", "重办：已更换线路"]
    assert by_id[slip_b.id].replies == []
    assert [c.id for c in history.hardship_cases] == [case.id, old_case.id]

    # The slips as the slips list and the board see them: worked out under the calendar
    # given (the session's, with the office's own holidays), the very views the store
    # keeps for it, not every slip worked out again under another.
    calendar = OfficialCalendar(
        {2026: YearOverride(holidays={dt.date(2026, 11, d): "停工" for d in range(9, 14)})}
    )
    listed = views(store, calendar)
    official = household_history(store, home.id, calendar=calendar)
    assert all(s.slip is listed[s.slip.id] for s in official.slips)
    assert not any(s.slip is listed[s.slip.id] for s in history.slips)


def test_history_of_a_household_with_nothing(store: Store) -> None:
    home = store.save(household("HL01-0009"), actor="李敏")
    history = household_history(store, home.id, calendar=None)
    assert (history.visits, history.problems, history.slips, history.hardship_cases) == (
        [], [], [], []
    )  # fmt: skip


def test_history_of_unknown_household(store: Store) -> None:
    with pytest.raises(LookupError, match="找不到住户"):
        household_history(store, "nope", calendar=None)


def row(number: str, name: str, station: str = STATION_ID) -> dict:
    return {"id": f"id-{number}", "station_id": station, "household_no": number,
            "head_of_household": name}  # fmt: skip


ROWS = [
    row("HL01-0003", "张三丰"),
    row("HL01-0001", "张三"),
    row("HL01-0002", "李四"),
    row("HL01-0010", "王五"),
    row("HL02-0001", "赵六"),
    row("HL01-0004", "章珊"),
    row("XX-0001", "张三", station="station-xx"),
]


def numbers(found: list[dict]) -> list[str]:
    return [h["household_no"] for h in found]


def test_find_by_initials() -> None:
    assert numbers(find_households(ROWS, "zs", station_id=STATION_ID)) == [
        "HL01-0001",
        "HL01-0003",
        "HL01-0004",
    ]


def test_find_by_name_exact_name_first() -> None:
    assert numbers(find_households(ROWS, "张三", station_id=STATION_ID)) == [
        "HL01-0001",  # exact name
        "HL01-0003",  # name starts with 张三
    ]


def test_find_by_full_pinyin_and_number() -> None:
    assert numbers(find_households(ROWS, "zhangsan", station_id=STATION_ID))[:2] == [
        "HL01-0001",
        "HL01-0003",
    ]
    assert numbers(find_households(ROWS, "hl01-000")) == [
        "HL01-0001", "HL01-0002", "HL01-0003", "HL01-0004",
    ]  # fmt: skip
    assert numbers(find_households(ROWS, "0010")) == ["HL01-0010"]  # inside the 户号
    assert find_households(ROWS, "qian") == []


def test_find_with_empty_query_lists_by_number_and_honours_limit() -> None:
    found = find_households(ROWS, "", limit=3)
    assert numbers(found) == ["HL01-0001", "HL01-0002", "HL01-0003"]
    assert find_households(ROWS, "zs", limit=0) == []
    assert len(find_households(ROWS, "zs")) == 4  # all stations
