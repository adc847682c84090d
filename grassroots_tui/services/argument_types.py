"""Values typed on the command line: dates, years, months and day counts, within bounds.

Each function here is an argparse ``type=``: it turns the text into the value, or raises
:class:`argparse.ArgumentTypeError` with a Chinese message that says what was typed and
what is expected. The parser (``grassroots_tui.cli``) adds the argument's name, so
``--year 99999`` ends as "错误：年份“99999”无效：应在 2000 到 2100 之间，如 2027（参数
--year）。", never as an OverflowError from a date far out of range or an integer of
thirty digits.

Full-width digits (２０２６-０１-０１, typed with a Chinese input method) are read as
digits.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from grassroots_tui.lang import tr

#: The years the program works in: dates, months and years outside are refused.
FIRST_YEAR = 2000
LAST_YEAR = 2100
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)

#: Day counts (how many days ahead to warn, to list) are at most a year.
MAX_DAYS = 365

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_YEAR = re.compile(r"\d{4}", re.ASCII)
_COUNT = re.compile(r"[+-]?\d{1,18}", re.ASCII)


def _shown(text: str, limit: int = 30) -> str:
    """The typed text as a message quotes it: clipped, control characters as "?"."""
    text = "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in text[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _name(what: str | None, default: str) -> str:
    """What a message calls the value: ``what`` (a Chinese message id, or a name already
    said in the current language) in the current language, else ``default``."""
    return tr(what) if what else default


def parse_date(text: str, what: str = "日期") -> date:
    """ "2026-11-26" → date, between :data:`FIRST_DAY` and :data:`LAST_DAY`; anything
    else raises ValueError with a message naming ``what`` and the value."""
    found = _DATE.fullmatch(_normal(text))
    name, shown = tr(what), _shown(text)
    if not found:
        raise ValueError(
            tr("{what}“{value}”无效，应写成 2026-11-26 这样的格式。", what=name, value=shown)
        )
    year, month, day = (int(g) for g in found.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(_years_wrong(name, shown))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            tr(
                "{what}“{value}”无效：没有这一天，应写成 2026-11-26 这样的格式。",
                what=name,
                value=shown,
            )
        ) from None


def _years_wrong(name: str, shown: str) -> str:
    return tr(
        "{what}“{value}”无效：年份应在 {first} 到 {last} 之间。",
        what=name,
        value=shown,
        first=FIRST_YEAR,
        last=LAST_YEAR,
    )


def check_date(day: date, what: str = "日期") -> date:
    """``day`` itself, or ValueError when it is outside the years the program works in."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_years_wrong(tr(what), day.isoformat()))
    return day


def parse_month(text: str, what: str | None = None) -> tuple[int, int]:
    """ "2026-09" → (2026, 9), the year between :data:`FIRST_YEAR` and :data:`LAST_YEAR`."""
    found = _MONTH.fullmatch(_normal(text))
    values = {"what": _name(what, tr("月份")), "value": _shown(text)}
    if not found:
        raise ValueError(tr("{what}“{value}”无效，应写成 2026-09 这样的格式。", **values))
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise ValueError(
            tr("{what}“{value}”无效，应写成 2026-09 这样的格式，月份在 1 到 12 之间。", **values)
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            tr(
                "{what}“{value}”无效，应写成 2026-09 这样的格式，年份在 {first} 到 {last} 之间。",
                first=FIRST_YEAR,
                last=LAST_YEAR,
                **values,
            )
        )
    return year, month


def parse_year(text: str, what: str | None = None) -> int:
    """ "2027" → 2027, between :data:`FIRST_YEAR` and :data:`LAST_YEAR`."""
    normal = _normal(text)
    if not _YEAR.fullmatch(normal) or not FIRST_YEAR <= int(normal) <= LAST_YEAR:
        raise ValueError(
            tr(
                "{what}“{value}”无效：应为 {first} 到 {last} 之间的四位数字，如 2027。",
                what=_name(what, tr("年份")),
                value=_shown(text),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return int(normal)


def parse_count(text: str, what: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; "-5", "1e9" or thirty digits raise
    ValueError naming ``what`` and the range."""
    normal = _normal(text)
    value = int(normal) if _COUNT.fullmatch(normal) else None
    if value is None or not low <= value <= high:
        raise ValueError(
            tr(
                "{what}“{value}”无效：应为 {low} 到 {high} 之间的整数。",
                what=tr(what),
                value=_shown(text),
                low=low,
                high=f"{high:,}",
            )
        )
    return value


_SECONDS = re.compile(r"\d{1,4}(?:\.\d{1,3})?", re.ASCII)


def parse_seconds(text: str, what: str, low: float, high: float) -> float:
    """A number of seconds from ``low`` to ``high`` with at most three decimals; "nan",
    "inf", "-1" or "1e9" raise ValueError naming ``what`` and the range."""
    normal = _normal(text)
    value = float(normal) if _SECONDS.fullmatch(normal) else None
    if value is None or not low <= value <= high:
        raise ValueError(
            tr(
                "{what}“{value}”无效：应为 {low} 到 {high} 之间的秒数。",
                what=tr(what),
                value=_shown(text),
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    return value


# -- as argparse types ---------------------------------------------------------------------


def _argument(parse: Callable[[str], object], name: str) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = name
    return convert


def date_argument(what: str = "日期") -> Callable[[str], date]:
    """``type=`` for a date such as 2026-11-26 (:func:`parse_date`)."""
    return _argument(lambda text: parse_date(text, what), "date")  # type: ignore[return-value]


def month_argument(what: str | None = None) -> Callable[[str], str]:
    """``type=`` for a month such as 2026-09 (:func:`parse_month`); the value stays text,
    written as 2026-09."""

    def parse(text: str) -> str:
        year, month = parse_month(text, what)
        return f"{year:04d}-{month:02d}"

    return _argument(parse, "month")  # type: ignore[return-value]


def year_argument(what: str | None = None) -> Callable[[str], int]:
    """``type=`` for a year such as 2027 (:func:`parse_year`)."""
    return _argument(lambda text: parse_year(text, what), "year")  # type: ignore[return-value]


def days_argument(
    what: str | None = None, low: int = 0, high: int = MAX_DAYS
) -> Callable[[str], int]:
    """``type=`` for a number of days from ``low`` to ``high`` (:func:`parse_count`)."""
    return _argument(
        lambda text: parse_count(text, _name(what, tr("天数")), low, high),
        "days",
    )  # type: ignore[return-value]


def count_argument(what: str, low: int, high: int) -> Callable[[str], int]:
    """``type=`` for any other whole number from ``low`` to ``high``."""
    return _argument(lambda text: parse_count(text, what, low, high), "count")  # type: ignore[return-value]


def seconds_argument(what: str, low: float, high: float) -> Callable[[str], float]:
    """``type=`` for a number of seconds from ``low`` to ``high`` (:func:`parse_seconds`)."""
    return _argument(lambda text: parse_seconds(text, what, low, high), "seconds")  # type: ignore[return-value]


__all__ = [
    "FIRST_DAY",
    "FIRST_YEAR",
    "LAST_DAY",
    "LAST_YEAR",
    "MAX_DAYS",
    "check_date",
    "count_argument",
    "seconds_argument",
    "date_argument",
    "days_argument",
    "month_argument",
    "parse_count",
    "parse_date",
    "parse_month",
    "parse_year",
    "year_argument",
]
