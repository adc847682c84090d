"""Deadlines of handoff slips and the clock that runs against them.

Rules are data: a slip type names its rule as text ("15日", "10个工作日"), and
:func:`parse_rule` turns it into a :class:`DeadlineRule`.

- "N日" / "N天", calendar days (民法典 第二百零一、二百零三条): counting starts the day
  after issue, so the last day is issue + N; if that day is a rest day (a weekend that
  is not a make-up working day, or a holiday) the deadline moves to the next working day.
  Check: issued 2025-09-16 under 15日 → due 2025-10-09.
- "N个工作日", working days in the official calendar, make-up working weekends (调休)
  included. Check: 2025-09-26 + 15 个工作日 → 2025-10-23.

Where a day that matters falls in a year without holiday data, that day is judged by
weekends alone and the result is marked provisional with the reason; nothing here raises
for a missing year.

:func:`slip_status` derives warning / due today / overdue / reported (通报) from the due
date and today's date; it is never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from grassroots_tui.lang import language, tr
from grassroots_tui.services.workcalendar import OfficialCalendar, missing_years_reason

__all__ = [
    "DEFAULT_RULE",
    "REPORT_AFTER_WORKDAYS",
    "DeadlineRule",
    "Due",
    "InvalidDeadlineRule",
    "SlipClock",
    "compute_due",
    "parse_rule",
    "slip_status",
]

DEFAULT_RULE = "15日"
MAX_DAYS = 365
REPORT_AFTER_WORKDAYS = 5
"""A slip overdue by this many working days or more is reported (通报)."""

_RULE = re.compile(r"^(\d+)\s*(日|天|个工作日)$")
#: A rule as English writes it: "15 days", "10 working days", "10wd".
_ENGLISH_RULE = re.compile(r"^(\d+)\s*(days?|d|working\s+days?|workdays?|wd)$", re.IGNORECASE)


class InvalidDeadlineRule(ValueError):
    """A deadline rule text that cannot be understood."""

    def __init__(self, text: str, why: str = "") -> None:
        self.text = text
        detail = tr("（{why}）", why=why) if why else ""
        super().__init__(
            tr(
                "期限规则“{rule}”无法识别{detail}：应写成“{calendar}”“{days}”或“{working}”，"
                "天数在 1 到 {most} 之间。",
                rule=text,
                detail=detail,
                calendar="15日",
                days="15天",
                working="10个工作日",
                most=MAX_DAYS,
            )
        )


@dataclass(frozen=True)
class DeadlineRule:
    """``days`` calendar days (kind "calendar") or working days (kind "working")."""

    days: int
    kind: Literal["calendar", "working"]

    def __post_init__(self) -> None:
        if self.kind not in ("calendar", "working"):
            raise ValueError(
                tr("期限规则的种类应是 calendar 或 working，而不是 {kind!r}", kind=self.kind)
            )
        if not 1 <= self.days <= MAX_DAYS:
            raise InvalidDeadlineRule(self.text, tr("天数应在 1 到 {most} 之间", most=MAX_DAYS))

    @property
    def text(self) -> str:
        """The rule as written on a slip: "15日" or "15个工作日"."""
        return f"{self.days}日" if self.kind == "calendar" else f"{self.days}个工作日"

    @property
    def explanation(self) -> str:
        """How the rule counts, in the current language."""
        if self.kind == "calendar":
            return tr(
                "自签发次日起算 {days} 日，末日为周末或法定节假日的，"
                "顺延至其后第一个工作日，调休上班日算工作日",
                days=self.days,
            )
        return tr("自签发次日起算 {days} 个工作日，法定节假日不计，调休上班日计入", days=self.days)

    @property
    def shown(self) -> str:
        """The rule in the current language: "15日" in Chinese, "15 days" in English (what
        is stored on a slip is always :attr:`text`)."""
        if language() == "zh":
            return self.text
        return (
            tr("{days} 日", days=self.days)
            if self.kind == "calendar"
            else tr("{days} 个工作日", days=self.days)
        )

    def __str__(self) -> str:
        return self.text


def shown_rule(text: str) -> str:
    """A stored rule's text in the current language ("15日" → "15 days"); a text that is
    no rule, as it is."""
    try:
        return parse_rule(text).shown
    except ValueError:
        return text


def parse_rule(text: str) -> DeadlineRule:
    """Read "15日", "15天" or "N个工作日" (N from 1 to 365), or in English "15 days", "10
    working days" or "10wd"; anything else raises
    :class:`InvalidDeadlineRule` (a ``ValueError``) whose message names the text."""
    if not isinstance(text, str):
        raise InvalidDeadlineRule(str(text))
    match = _RULE.match(text.strip())
    english = _ENGLISH_RULE.match(text.strip()) if match is None else None
    if match is None and english is None:
        raise InvalidDeadlineRule(text)
    found = match or english
    assert found is not None
    days = int(found.group(1))
    if not 1 <= days <= MAX_DAYS:
        raise InvalidDeadlineRule(text, tr("天数应在 1 到 {most} 之间", most=MAX_DAYS))
    working = found.group(2) == "个工作日" or found.group(2).lower().startswith("w")
    kind: Literal["calendar", "working"] = "working" if working else "calendar"
    return DeadlineRule(days=days, kind=kind)


@dataclass(frozen=True)
class Due:
    """A due date; ``provisional`` when part of it was worked out from weekends only,
    with ``reason`` in Chinese (e.g. "2027 年节假日数据缺失，暂按周末推算")."""

    date: dt.date
    provisional: bool = False
    reason: str | None = None


@lru_cache(maxsize=1)
def _builtin_calendar() -> OfficialCalendar:
    return OfficialCalendar()


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def compute_due(
    issue_date: dt.date,
    rule: str | DeadlineRule = DEFAULT_RULE,
    calendar: OfficialCalendar | None = None,
) -> Due:
    """The due date of a slip issued on ``issue_date`` under ``rule``.

    ``calendar`` should carry the office's holiday file; without it only chinesecalendar
    is used. Raises only for a bad rule, never for a missing calendar year.
    """
    if not isinstance(rule, DeadlineRule):
        rule = parse_rule(rule)
    calendar = calendar or _builtin_calendar()
    issue_date = _as_date(issue_date)
    guessed: set[int] = set()

    def workday(day: dt.date) -> bool:
        value, guess = calendar.is_workday_or_weekend_guess(day)
        if guess:
            guessed.add(day.year)
        return value

    one = dt.timedelta(days=1)
    if rule.kind == "calendar":
        day = issue_date + dt.timedelta(days=rule.days)
        while not workday(day):
            day += one
    else:
        day, counted = issue_date, 0
        while counted < rule.days:
            day += one
            if workday(day):
                counted += 1
    if guessed:
        return Due(day, provisional=True, reason=missing_years_reason(guessed))
    return Due(day)


@dataclass(frozen=True)
class SlipClock:
    """Where a slip stands against its due date on a given day.

    ``state``: "ok", "warning" (due within ``warn_days`` calendar days, not today),
    "due_today" or "overdue" (from the day after the due date). ``days_left`` is negative
    when overdue; ``days_overdue`` counts calendar days and ``working_days_overdue``
    working days after the due date up to and including today (0 unless overdue).
    ``reported`` (通报): overdue by 5 working days or more. ``provisional``/``reason``
    say when the working-day count used weekends only for a year without data.
    """

    state: Literal["ok", "warning", "due_today", "overdue"]
    days_left: int
    days_overdue: int = 0
    working_days_overdue: int = 0
    reported: bool = False
    provisional: bool = False
    reason: str | None = None

    @property
    def label(self) -> str:
        """Short label for lists, in the current language: 正常 / 预警 / 今日到期 / 超期 /
        超期通报."""
        if self.state == "overdue":
            return tr("超期通报") if self.reported else tr("超期")
        if self.state == "warning":
            return tr("预警")
        if self.state == "due_today":
            return tr("今日到期")
        return tr("正常")


def slip_status(
    due: dt.date,
    today: dt.date,
    warn_days: int = 3,
    calendar: OfficialCalendar | None = None,
) -> SlipClock:
    """Derive the slip's clock from its due date and today's date (pure)."""
    if warn_days < 0:
        raise ValueError(tr("预警天数不能为负数（收到 {days}）", days=warn_days))
    due, today = _as_date(due), _as_date(today)
    days_left = (due - today).days
    if days_left > warn_days:
        return SlipClock("ok", days_left)
    if days_left > 0:
        return SlipClock("warning", days_left)
    if days_left == 0:
        return SlipClock("due_today", 0)
    calendar = calendar or _builtin_calendar()
    working, guessed = calendar.count_workdays(due + dt.timedelta(days=1), today)
    return SlipClock(
        "overdue",
        days_left,
        days_overdue=-days_left,
        working_days_overdue=working,
        reported=working >= REPORT_AFTER_WORKDAYS,
        provisional=bool(guessed),
        reason=missing_years_reason(guessed) if guessed else None,
    )
