"""The Chinese official calendar: which days are working days.

``chinesecalendar`` supplies the State Council's yearly schedule of holidays and make-up
working days (调休); the street office's holiday file (see
:mod:`grassroots_tui.store.calendar_overrides`) adds years the package does not know yet
and corrects single dates. A year that neither covers is never guessed silently:
:meth:`OfficialCalendar.is_workday` raises :class:`MissingCalendarYear`, and
:meth:`OfficialCalendar.is_workday_or_weekend_guess` says when it only looked at weekends.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import chinese_calendar
from chinese_calendar import Holiday

from grassroots_tui.lang import language, tr
from grassroots_tui.services.text import listed
from grassroots_tui.store.calendar_overrides import YearOverride

__all__ = [
    "BUILTIN_SOURCE",
    "MissingCalendarYear",
    "OfficialCalendar",
    "YearOverride",
    "builtin_years",
    "missing_years_reason",
]

BUILTIN_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
"""Where the built-in data comes from, for messages: "chinesecalendar 1.11.0"."""

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# chinesecalendar names its holidays in English; these are the names used in notices.
_HOLIDAY_NAMES_ZH = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.national_day.value: "国庆节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.anti_fascist_70th_day.value: "抗战胜利70周年纪念日",
}


def holiday_name_zh(english: str) -> str:
    """The Chinese name of one of chinesecalendar's (English) holiday names."""
    if english in _HOLIDAY_NAMES_ZH:
        return _HOLIDAY_NAMES_ZH[english]
    try:
        return Holiday(english).chinese
    except ValueError:
        return english


def builtin_years() -> range:
    """The years the installed chinesecalendar has data for (2004–2026 in 1.11.0)."""
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def missing_years_reason(years: Iterable[int]) -> str:
    """The standard wording for a result worked out from weekends only."""
    return tr(
        "{years} 年节假日数据缺失，暂按周末推算",
        years=listed(str(year) for year in sorted(set(years))),
    )


class MissingCalendarYear(LookupError):
    """A date's year is covered neither by chinesecalendar nor by the holiday file."""

    def __init__(self, year: int, overrides_path: Path | None = None) -> None:
        self.year = year
        self.overrides_path = overrides_path
        where = (
            tr("节假日文件 {path}", path=overrides_path)
            if overrides_path is not None
            else tr("节假日文件（数据文件旁的 holidays.json）")
        )
        super().__init__(
            tr(
                "缺少 {year} 年的法定节假日数据，无法判断哪天上班。"
                "请按国务院办公厅公布的 {year} 年放假安排，在{where}中加入"
                "“{year}”一项，列出放假日期（holidays）和调休上班日期（workdays），"
                "或升级 chinesecalendar 软件包。",
                year=year,
                where=where,
            )
        )


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


class OfficialCalendar:
    """chinesecalendar plus the office's overrides.

    ``overrides`` maps a year to its :class:`YearOverride`. An override year counts as
    covered even where chinesecalendar has no data; for the same date an override entry
    wins over chinesecalendar. ``overrides_path`` is only used in messages that tell the
    user where to add a missing year.
    """

    def __init__(
        self,
        overrides: dict[int, YearOverride] | None = None,
        *,
        overrides_path: Path | None = None,
    ) -> None:
        self.overrides: dict[int, YearOverride] = dict(overrides or {})
        self.overrides_path = overrides_path
        for year, override in self.overrides.items():
            for day in (*override.holidays, *override.workdays):
                if day.year != year:
                    raise ValueError(
                        tr(
                            "{year} 年的节假日调整中有不属于该年的日期 {day}",
                            year=year,
                            day=day.isoformat(),
                        )
                    )
            both = set(override.holidays) & set(override.workdays)
            if both:
                first = min(both).isoformat()
                raise ValueError(
                    tr("{year} 年的 {day} 既列为放假又列为调休上班", year=year, day=first)
                )
        self._builtin = builtin_years()
        # Days whose status differs from "Monday to Friday work": +1 for a working
        # weekend day, -1 for a weekday off. Sorted, with running sums, so that counting
        # working days over any span is a subtraction, not a walk.
        exceptions: dict[dt.date, int] = {}
        for day in {*chinese_calendar.holidays, *chinese_calendar.workdays}:
            self._note_exception(exceptions, day)
        for override in self.overrides.values():
            for day in (*override.holidays, *override.workdays):
                self._note_exception(exceptions, day)
        self._exception_days = sorted(exceptions)
        self._exception_sums = [0]
        for day in self._exception_days:
            self._exception_sums.append(self._exception_sums[-1] + exceptions[day])

    def _note_exception(self, exceptions: dict[dt.date, int], day: dt.date) -> None:
        if not self.covers(day.year):
            return
        delta = int(self._known_workday(day)) - int(day.weekday() < 5)
        if delta:
            exceptions[day] = delta
        else:
            exceptions.pop(day, None)

    # -- coverage ---------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """Whether the holidays of ``year`` are known (chinesecalendar or the file)."""
        return year in self._builtin or year in self.overrides

    def covered_years(self) -> list[int]:
        return sorted({*self._builtin, *self.overrides})

    def builtin_years(self) -> list[int]:
        """The years chinesecalendar covers."""
        return list(self._builtin)

    def override_years(self) -> list[int]:
        """The years the holiday file lists."""
        return sorted(self.overrides)

    # -- single days ------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day; raises :class:`MissingCalendarYear` when
        its year is not covered."""
        day = _as_date(day)
        if not self.covers(day.year):
            raise MissingCalendarYear(day.year, self.overrides_path)
        return self._known_workday(day)

    def is_workday_or_weekend_guess(self, day: dt.date) -> tuple[bool, bool]:
        """``(is_workday, guessed)``: ``guessed`` is True when the year has no data and
        only Saturday and Sunday were treated as rest days. The caller must pass the
        guess on to the user."""
        day = _as_date(day)
        if self.covers(day.year):
            return self._known_workday(day), False
        return day.weekday() < 5, True

    def _known_workday(self, day: dt.date) -> bool:
        override = self.overrides.get(day.year)
        if override is not None:
            if day in override.holidays:
                return False
            if day in override.workdays:
                return True
        if day in chinese_calendar.workdays:
            return True
        if day in chinese_calendar.holidays:
            return False
        return day.weekday() < 5

    def count_workdays(self, first: dt.date, last: dt.date) -> tuple[int, list[int]]:
        """Working days from ``first`` to ``last``, both included (0 when last < first),
        and the years in that span that had no data and were counted by weekends only."""
        first, last = _as_date(first), _as_date(last)
        if last < first:
            return 0, []
        full_weeks, extra = divmod((last - first).days + 1, 7)
        weekdays = full_weeks * 5 + sum(1 for n in range(extra) if (first.weekday() + n) % 7 < 5)
        lo = bisect.bisect_left(self._exception_days, first)
        hi = bisect.bisect_right(self._exception_days, last)
        count = weekdays + self._exception_sums[hi] - self._exception_sums[lo]
        guessed = [year for year in range(first.year, last.year + 1) if not self.covers(year)]
        return count, guessed

    # -- a year's schedule ------------------------------------------------------------

    def holidays(self, year: int) -> list[tuple[dt.date, str]]:
        """The days off of ``year`` with their names, sorted: the built-in holidays' in the
        current language (chinesecalendar's own English names in English), the office's
        overrides' as written."""
        return self._listing(year, want_workday=False)

    def makeup_workdays(self, year: int) -> list[tuple[dt.date, str]]:
        """The make-up working days (调休上班) of ``year`` with their names, sorted."""
        return self._listing(year, want_workday=True)

    def _listing(self, year: int, *, want_workday: bool) -> list[tuple[dt.date, str]]:
        if not self.covers(year):
            raise MissingCalendarYear(year, self.overrides_path)
        names: dict[dt.date, str] = {}
        if year in self._builtin:
            source = chinese_calendar.workdays if want_workday else chinese_calendar.holidays
            for day, english in source.items():
                if day.year == year:
                    name = holiday_name_zh(english) if language() == "zh" else english
                    names[day] = tr("{holiday}调休", holiday=name) if want_workday else name
        override = self.overrides.get(year)
        if override is not None:
            names.update(override.workdays if want_workday else override.holidays)
        return sorted(
            (day, name) for day, name in names.items() if self._known_workday(day) == want_workday
        )


def weekday_name(day: dt.date) -> str:
    """ "周六": the day's weekday in the current language (:data:`WEEKDAYS_ZH` is the
    Chinese, for notices)."""
    names = (tr("周一"), tr("周二"), tr("周三"), tr("周四"), tr("周五"), tr("周六"), tr("周日"))
    return names[day.weekday()]


def describe_day(day: dt.date) -> str:
    """``2026-02-14 周六``: how dates are shown next to their weekday, in the current
    language."""
    return f"{day.isoformat()} {weekday_name(day)}"
