"""Deadline rules and the slip clock (docs/design.md#handoff-slips-and-deadlines)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from grassroots_tui.services.deadlines import (
    DeadlineRule,
    Due,
    compute_due,
    parse_rule,
    slip_status,
)
from grassroots_tui.services.workcalendar import OfficialCalendar, YearOverride
from grassroots_tui.store.calendar_overrides import load_overrides

D = date.fromisoformat


# -- the checks the design fixes -------------------------------------------------------


def test_must_hold_calendar_days_across_national_day_2025() -> None:
    assert compute_due(D("2025-09-16")) == Due(D("2025-10-09"), provisional=False, reason=None)
    assert compute_due(D("2025-09-16"), "15日") == compute_due(D("2025-09-16"), "15天")


def test_must_hold_working_days_across_national_day_2025() -> None:
    assert compute_due(D("2025-09-26"), "15个工作日") == Due(D("2025-10-23"))


# -- rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("15日", DeadlineRule(15, "calendar")),
        ("15天", DeadlineRule(15, "calendar")),
        ("1日", DeadlineRule(1, "calendar")),
        ("365日", DeadlineRule(365, "calendar")),
        ("10个工作日", DeadlineRule(10, "working")),
        (" 10 个工作日 ", DeadlineRule(10, "working")),
    ],
)
def test_parse_rule(text: str, rule: DeadlineRule) -> None:
    assert parse_rule(text) == rule


def test_rule_text_round_trips() -> None:
    assert parse_rule("15天").text == "15日"
    assert str(parse_rule("10个工作日")) == "10个工作日"
    assert parse_rule(parse_rule("7个工作日").text) == DeadlineRule(7, "working")


@pytest.mark.parametrize(
    "text", ["", "15", "0日", "366日", "-3日", "十五日", "15周", "15工作日", "2个月"]
)
def test_bad_rule_names_itself_in_chinese(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rule(text)
    message = str(caught.value)
    assert f"期限规则“{text}”" in message
    assert "15日" in message and "个工作日" in message


def test_compute_due_rejects_bad_rule() -> None:
    with pytest.raises(ValueError, match="两周"):
        compute_due(D("2026-01-05"), "两周")


# -- Spring Festival and National Day 2026 ---------------------------------------------


def test_2026_holiday_data_is_what_the_tests_assume() -> None:
    """The cases below rely on these facts; check them against chinesecalendar itself."""
    for n in range(9):
        day = D("2026-02-15") + timedelta(days=n)
        assert chinese_calendar.get_holiday_detail(day) == (True, "Spring Festival"), day
    for day in (D("2026-02-14"), D("2026-02-28")):
        assert day.weekday() == 5
        assert chinese_calendar.get_holiday_detail(day) == (False, "Spring Festival")
    for n in range(7):
        day = D("2026-10-01") + timedelta(days=n)
        assert chinese_calendar.get_holiday_detail(day) == (True, "National Day"), day
    national_makeup = sorted(
        d
        for d, name in chinese_calendar.workdays.items()
        if d.year == 2026 and name == "National Day"
    )
    assert national_makeup == [D("2026-09-20"), D("2026-10-10")]
    for n in range(3):
        assert not chinese_calendar.is_workday(D("2026-09-25") + timedelta(days=n))  # 中秋


def _walk(issue: date, rule: DeadlineRule) -> date:
    """The rule, done the slow way straight on chinesecalendar."""
    if rule.kind == "calendar":
        day = issue + timedelta(days=rule.days)
        while not chinese_calendar.is_workday(day):
            day += timedelta(days=1)
        return day
    day, counted = issue, 0
    while counted < rule.days:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


@pytest.mark.parametrize(
    ("issue", "rule", "due"),
    [
        # 15日 ends on 2026-02-15, the first day of the festival → first working day after.
        ("2026-01-31", "15日", "2026-02-24"),
        # 15日 ends on Saturday 2026-02-14, a make-up working day → due that Saturday.
        ("2026-01-30", "15日", "2026-02-14"),
        # ends on an ordinary Saturday just after the festival, 2026-02-21 is inside it.
        ("2026-02-07", "15日", "2026-02-24"),
        # 15 working days: both make-up Saturdays count, the nine festival days do not.
        ("2026-02-06", "15个工作日", "2026-03-05"),
        ("2026-02-13", "3个工作日", "2026-02-25"),
        # National Day 2026: 10-01..07 off, 09-20 (Sun) and 10-10 (Sat) worked.
        ("2026-09-16", "15日", "2026-10-08"),
        ("2026-09-25", "15日", "2026-10-10"),
        ("2026-09-18", "15个工作日", "2026-10-15"),
        ("2026-09-18", "1个工作日", "2026-09-20"),
        ("2026-09-30", "2个工作日", "2026-10-09"),
    ],
)
def test_deadlines_across_2026_holidays(issue: str, rule: str, due: str) -> None:
    result = compute_due(D(issue), rule)
    assert result == Due(D(due))
    assert result.date == _walk(D(issue), parse_rule(rule))


def test_every_issue_date_of_2025_agrees_with_a_slow_walk() -> None:
    rules = [parse_rule(text) for text in ("15日", "15个工作日", "3日", "30个工作日")]
    day = D("2025-01-01")
    while day.year == 2025:
        for rule in rules:
            assert compute_due(day, rule).date == _walk(day, rule), (day, rule)
        day += timedelta(days=1)


# -- years without data ------------------------------------------------------------------


def test_deadline_in_2027_is_provisional_with_reason() -> None:
    due = compute_due(D("2026-12-20"), "15日")
    assert due.date == D("2027-01-04")  # a Monday: the weekend guess
    assert due.provisional is True
    assert due.reason == "2027 年节假日数据缺失，暂按周末推算"


def test_override_for_2027_settles_the_deadline() -> None:
    guessed = compute_due(D("2026-12-20"), "15日")
    calendar = OfficialCalendar(
        {2027: YearOverride(holidays={D("2027-01-01"): "元旦", D("2027-01-04"): "试用放假"})}
    )
    settled = compute_due(D("2026-12-20"), "15日", calendar)
    assert settled == Due(D("2027-01-05"))
    assert settled.date != guessed.date

    unchanged = OfficialCalendar({2027: YearOverride(holidays={D("2027-01-01"): "元旦"})})
    assert compute_due(D("2026-12-20"), "15日", unchanged) == Due(D("2027-01-04"))


def test_working_days_into_2027_are_provisional_then_settled() -> None:
    guessed = compute_due(D("2026-12-25"), "15个工作日")
    # 2026-12-28..31 are 4 working days; 11 more weekdays of January 2027 by weekends only.
    assert guessed == Due(D("2027-01-15"), True, "2027 年节假日数据缺失，暂按周末推算")
    calendar = OfficialCalendar(
        {2027: YearOverride(holidays={D("2027-01-01"): "元旦"}, workdays={D("2027-01-09"): "调休"})}
    )
    # 01-01 off (one fewer), Saturday 01-09 worked (one more): same day, now settled.
    assert compute_due(D("2026-12-25"), "15个工作日", calendar) == Due(D("2027-01-15"))


def test_only_days_that_matter_make_a_deadline_provisional() -> None:
    assert compute_due(D("2026-12-01"), "15日").provisional is False
    assert compute_due(D("2026-12-16"), "15日").provisional is False  # due 2026-12-31
    several = compute_due(D("2026-12-31"), "365日")
    assert several.provisional and several.reason.startswith("2027 年")
    two_years = compute_due(D("2027-12-20"), "20个工作日")
    assert two_years.reason == "2027、2028 年节假日数据缺失，暂按周末推算"


def test_override_file_adding_a_holiday_moves_the_due_date(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    path.write_text(
        json.dumps({"2025": {"holidays": {"2025-10-09": "临时放假"}}}, ensure_ascii=False),
        encoding="utf-8",
    )
    calendar = OfficialCalendar(load_overrides(path), overrides_path=path)
    assert compute_due(D("2025-09-16"), "15日", calendar) == Due(D("2025-10-10"))
    assert compute_due(D("2025-09-26"), "15个工作日", calendar) == Due(D("2025-10-24"))


def test_datetime_is_treated_as_its_date() -> None:
    from datetime import datetime

    assert compute_due(datetime(2025, 9, 16, 17, 30)).date == D("2025-10-09")


# -- the slip clock ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        ("2025-09-20", "ok", 19),
        ("2025-10-05", "ok", 4),
        ("2025-10-06", "warning", 3),
        ("2025-10-08", "warning", 1),
        ("2025-10-09", "due_today", 0),
    ],
)
def test_slip_clock_before_the_deadline(today: str, state: str, days_left: int) -> None:
    clock = slip_status(D("2025-10-09"), D(today))
    assert (clock.state, clock.days_left) == (state, days_left)
    assert clock.days_overdue == 0 and clock.working_days_overdue == 0
    assert clock.reported is False


@pytest.mark.parametrize(
    ("today", "days", "working", "reported"),
    [
        ("2025-10-10", 1, 1, False),  # Friday
        ("2025-10-11", 2, 2, False),  # Saturday, a make-up working day
        ("2025-10-12", 3, 2, False),  # Sunday
        ("2025-10-14", 5, 4, False),
        ("2025-10-15", 6, 5, True),  # the fifth working day: reported (通报)
        ("2025-11-30", 52, 37, True),
    ],
)
def test_slip_clock_overdue(today: str, days: int, working: int, reported: bool) -> None:
    clock = slip_status(D("2025-10-09"), D(today))
    assert clock.state == "overdue"
    assert clock.days_left == -days
    assert clock.days_overdue == days
    assert clock.working_days_overdue == working
    assert clock.reported is reported
    assert clock.provisional is False
    assert clock.label == ("超期通报" if reported else "超期")


def test_overdue_over_a_holiday_counts_no_working_days() -> None:
    clock = slip_status(D("2025-09-30"), D("2025-10-08"))
    assert (clock.state, clock.days_overdue, clock.working_days_overdue) == ("overdue", 8, 0)
    assert not clock.reported


def test_warn_days_setting() -> None:
    assert slip_status(D("2025-10-09"), D("2025-10-08"), warn_days=0).state == "ok"
    assert slip_status(D("2025-10-09"), D("2025-10-02"), warn_days=7).state == "warning"
    assert slip_status(D("2025-10-09"), D("2025-10-01"), warn_days=7).state == "ok"
    with pytest.raises(ValueError):
        slip_status(D("2025-10-09"), D("2025-10-01"), warn_days=-1)


def test_slip_clock_uses_the_given_calendar() -> None:
    calendar = OfficialCalendar({2025: YearOverride(holidays={D("2025-10-15"): "临时放假"})})
    assert slip_status(D("2025-10-09"), D("2025-10-15")).reported is True
    clock = slip_status(D("2025-10-09"), D("2025-10-15"), calendar=calendar)
    assert clock.working_days_overdue == 4 and clock.reported is False


def test_slip_clock_in_a_year_without_data_says_so() -> None:
    clock = slip_status(D("2026-12-31"), D("2027-01-08"))
    assert clock.state == "overdue"
    assert clock.working_days_overdue == 6  # weekends only: 01-01, 01-04..08
    assert clock.provisional is True
    assert clock.reason == "2027 年节假日数据缺失，暂按周末推算"
