"""The official calendar: chinesecalendar's data, the office's overrides, the holiday
file, and refusing to guess a year nobody has data for."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from grassroots_tui.services.workcalendar import (
    MissingCalendarYear,
    OfficialCalendar,
    YearOverride,
    builtin_years,
)
from grassroots_tui.store.calendar_overrides import (
    CalendarOverridesInvalid,
    default_overrides_path,
    load_overrides,
)

OVERRIDE_2027 = YearOverride(
    holidays={date(2027, 1, 1): "元旦", date(2027, 1, 4): "试用放假"},
    workdays={date(2027, 1, 9): "元旦调休"},
)


def test_builtin_years_match_the_package() -> None:
    years = builtin_years()
    assert years.start == 2004
    assert years.stop - 1 >= 2026
    calendar = OfficialCalendar()
    assert calendar.covers(2025) and calendar.covers(2026)
    assert not calendar.covers(years.stop)
    assert calendar.covered_years() == list(years)


def test_agrees_with_chinesecalendar_over_2025_and_2026() -> None:
    calendar = OfficialCalendar()
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_missing_year_raises_with_chinese_instructions() -> None:
    calendar = OfficialCalendar(overrides_path=Path("/data/holidays.json"))
    with pytest.raises(MissingCalendarYear) as caught:
        calendar.is_workday(date(2027, 3, 1))
    message = str(caught.value)
    assert caught.value.year == 2027
    assert message.startswith("缺少 2027 年的法定节假日数据")
    assert "/data/holidays.json" in message and "holidays" in message and "workdays" in message
    with pytest.raises(MissingCalendarYear):
        calendar.holidays(2027)
    with pytest.raises(MissingCalendarYear):
        calendar.makeup_workdays(2003)


def test_guess_is_always_flagged() -> None:
    calendar = OfficialCalendar()
    assert calendar.is_workday_or_weekend_guess(date(2025, 10, 1)) == (False, False)
    assert calendar.is_workday_or_weekend_guess(date(2025, 10, 11)) == (True, False)  # 调休
    assert calendar.is_workday_or_weekend_guess(date(2027, 1, 1)) == (True, True)  # a Friday
    assert calendar.is_workday_or_weekend_guess(date(2027, 1, 2)) == (False, True)  # Saturday


def test_spring_festival_2026_listing_in_chinese() -> None:
    calendar = OfficialCalendar()
    holidays = dict(calendar.holidays(2026))
    spring = [d for d, name in holidays.items() if name == "春节"]
    assert spring == [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
    makeup = calendar.makeup_workdays(2026)
    assert (date(2026, 2, 14), "春节调休") in makeup
    assert (date(2026, 2, 28), "春节调休") in makeup
    assert [d for d, _ in makeup] == sorted(d for d, _ in makeup)
    names = {name for _, name in calendar.holidays(2025)}
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节"} <= names
    assert all(d.year == 2026 for d, _ in calendar.holidays(2026))


def test_override_year_becomes_covered() -> None:
    calendar = OfficialCalendar({2027: OVERRIDE_2027})
    assert calendar.covers(2027)
    assert calendar.override_years() == [2027]
    assert 2027 in calendar.covered_years()
    assert calendar.is_workday(date(2027, 1, 1)) is False
    assert calendar.is_workday(date(2027, 1, 4)) is False
    assert calendar.is_workday(date(2027, 1, 5)) is True
    assert calendar.is_workday(date(2027, 1, 9)) is True  # a Saturday made a working day
    assert calendar.is_workday(date(2027, 1, 10)) is False  # an ordinary Sunday
    assert calendar.is_workday_or_weekend_guess(date(2027, 1, 4)) == (False, False)
    assert calendar.holidays(2027) == [(date(2027, 1, 1), "元旦"), (date(2027, 1, 4), "试用放假")]
    assert calendar.makeup_workdays(2027) == [(date(2027, 1, 9), "元旦调休")]


def test_override_wins_over_chinesecalendar_for_the_same_date() -> None:
    calendar = OfficialCalendar(
        {
            2025: YearOverride(
                holidays={date(2025, 10, 9): "临时放假"},
                workdays={date(2025, 10, 8): "改为上班"},
            )
        }
    )
    assert calendar.is_workday(date(2025, 10, 9)) is False
    assert calendar.is_workday(date(2025, 10, 8)) is True
    assert calendar.is_workday(date(2025, 10, 7)) is False  # untouched builtin holiday
    assert calendar.is_workday(date(2025, 10, 11)) is True  # untouched builtin 调休
    holidays = dict(calendar.holidays(2025))
    assert holidays[date(2025, 10, 9)] == "临时放假"
    assert date(2025, 10, 8) not in holidays
    assert (date(2025, 10, 8), "改为上班") in calendar.makeup_workdays(2025)


def test_count_workdays_matches_a_day_by_day_walk() -> None:
    calendar = OfficialCalendar({2027: OVERRIDE_2027})
    spans = [
        (date(2025, 9, 27), date(2025, 10, 23)),
        (date(2026, 2, 1), date(2026, 3, 10)),
        (date(2026, 12, 20), date(2027, 1, 20)),
        (date(2026, 10, 3), date(2026, 10, 2)),
    ]
    for first, last in spans:
        expected = 0
        day = first
        while day <= last:
            expected += calendar.is_workday(day)
            day += timedelta(days=1)
        assert calendar.count_workdays(first, last) == (expected, []), (first, last)
    count, guessed = OfficialCalendar().count_workdays(date(2026, 12, 28), date(2028, 1, 3))
    assert guessed == [2027, 2028]
    assert count == 4 + 261 + 1  # 2026-12-28..31, weekdays of 2027, Monday 2028-01-03


def test_calendar_rejects_inconsistent_overrides() -> None:
    with pytest.raises(ValueError, match="不属于该年"):
        OfficialCalendar({2027: YearOverride(holidays={date(2028, 1, 1): "元旦"})})
    with pytest.raises(ValueError, match="既列为放假又列为调休上班"):
        OfficialCalendar(
            {
                2027: YearOverride(
                    holidays={date(2027, 1, 1): "元旦"}, workdays={date(2027, 1, 1): "x"}
                )
            }
        )


# -- the holiday file -------------------------------------------------------------------


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "holidays.json"
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_default_path_is_next_to_the_store(tmp_path: Path) -> None:
    assert default_overrides_path(tmp_path / "站点" / "grassroots.json") == (
        tmp_path / "站点" / "holidays.json"
    )


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "holidays.json") == {}


def test_load_good_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "_说明": "2027 年安排，群工办录入",
            "2027": {
                "holidays": {"2027-01-01": "元旦", "2027-02-06": "春节"},
                "workdays": {"2027-02-07": "春节调休"},
            },
            "2026": {"holidays": {"2026-12-31": "试用放假"}},
        },
    )
    overrides = load_overrides(path)
    assert sorted(overrides) == [2026, 2027]
    assert dict(overrides[2027].holidays) == {date(2027, 1, 1): "元旦", date(2027, 2, 6): "春节"}
    assert dict(overrides[2027].workdays) == {date(2027, 2, 7): "春节调休"}
    assert dict(overrides[2026].workdays) == {}


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    path.write_bytes(
        "\ufeff".encode() + json.dumps({"2027": {"holidays": {"2027-01-01": "元旦"}}}).encode()
    )
    assert list(load_overrides(path)) == [2027]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", ["不是有效的 JSON", "第 1 行"]),
        ([], ["最外层"]),
        ({"27": {"holidays": {"2027-01-01": "元旦"}}}, ["“27”不是年份"]),
        ({"2027": {"holidays": {"2027-02-30": "春节"}}}, ["2027 年", "“2027-02-30”不是有效日期"]),
        ({"2027": {"holidays": {"2027/01/01": "元旦"}}}, ["“2027/01/01”不是有效日期"]),
        ({"2027": {"holidays": {"2028-01-01": "元旦"}}}, ["2028-01-01 不在 2027 年内"]),
        (
            {"2027": {"holidays": {"2027-01-01": "元旦"}, "workdays": {"2027-01-01": "调休"}}},
            ["2027 年的 2027-01-01 既列为放假又列为调休上班"],
        ),
        ({"2027": {"holiday": {"2027-01-01": "元旦"}}}, ["2027 年有不认识的项“holiday”"]),
        ({"2027": {"workdays": {"2027-02-07": "春节调休"}}}, ["2027 年没有列出任何放假日期"]),
        ({"2027": {"holidays": ["2027-01-01"]}}, ["2027 年的放假日期"]),
        ({"2027": {"holidays": {"2027-01-01": 1}}}, ["2027-01-01 的名称应是文字"]),
        ({"2027": "元旦"}, ["2027 年的内容应是对象"]),
    ],
)
def test_bad_file_gives_chinese_message(tmp_path: Path, content: object, words: list[str]) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(CalendarOverridesInvalid) as caught:
        load_overrides(path)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(f"节假日文件 {path} 有误：")
    for word in words:
        assert word in message


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    path.write_bytes('{"2027": {"holidays": {"2027-01-01": "元旦"}}}'.encode("gbk"))
    with pytest.raises(CalendarOverridesInvalid, match="UTF-8"):
        load_overrides(path)
