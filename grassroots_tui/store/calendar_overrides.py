"""The street office's own holiday file: holidays and make-up working days that the
``chinesecalendar`` package does not know yet (next year's schedule, published each
winter), or that differ from it.

The file is ``holidays.json`` in the same folder as the store's main file (see
:func:`default_overrides_path`). It is UTF-8 JSON (a byte-order mark, as Windows
Notepad writes it, is accepted), one entry per year::

    {
      "2027": {
        "holidays": {"2027-01-01": "元旦", "2027-02-06": "春节"},
        "workdays": {"2027-02-07": "春节调休"}
      }
    }

- ``holidays``: every day off (放假), weekends inside a holiday period included, with
  its name. A year must list at least one.
- ``workdays``: make-up working days (调休上班), usually a Saturday or Sunday. May be
  left out.
- A year listed here counts as covered even if ``chinesecalendar`` has no data for it;
  for a year it does have, the entries here win for the same date.
- Keys starting with ``_`` (for example ``"_说明"``) are ignored, at the top level and
  inside a year, so the office can leave notes in the file.

This module only reads and checks the file; the calendar built from it lives in
:mod:`grassroots_tui.services.workcalendar`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

from grassroots_tui.lang import chinese, tr
from grassroots_tui.store.errors import StoreError
from grassroots_tui.store.paths import StorePaths

OVERRIDES_FILE = "holidays.json"

_YEAR_KEY = re.compile(r"^\d{4}$")
_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Each section's name in messages (message ids, said with tr()).
_SECTIONS = {"holidays": chinese("放假日期"), "workdays": chinese("调休上班日期")}


@dataclass(frozen=True)
class YearOverride:
    """One year's official schedule as the office entered it.

    ``holidays`` maps each day off to its name (元旦, 春节…); ``workdays`` maps each
    make-up working day to its name (春节调休…). Both are read-only after construction.
    """

    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "workdays", MappingProxyType(dict(self.workdays)))


class CalendarOverridesInvalid(StoreError, ValueError):
    """The holiday file cannot be used; the message says where and why, in the interface
    language.

    It is a :class:`StoreError` (so the command line reports it like any other store
    problem) and a :class:`ValueError` (the content is wrong).
    """

    def __init__(
        self, path: Path, problem: str, *, year: str | None = None, key: str | None = None
    ):
        self.path = path
        self.problem = problem
        self.year = year
        self.key = key
        super().__init__(
            tr("节假日文件 {file} 有误：{problem}。请改正后再试。", file=path, problem=problem)
        )


def default_overrides_path(store_main: str | Path) -> Path:
    """The holiday file that belongs to a store: ``holidays.json`` in the same folder as
    the store's main file (for ``D:/台账/grassroots.json`` it is ``D:/台账/holidays.json``).
    """
    return StorePaths.for_main(store_main).folder / OVERRIDES_FILE


def load_overrides(path: str | Path) -> dict[int, YearOverride]:
    """Read and check the holiday file at ``path``.

    Returns ``{year: YearOverride}``; a file that does not exist gives an empty dict.
    Anything wrong with the file raises :class:`CalendarOverridesInvalid` naming the
    year and date at fault.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise CalendarOverridesInvalid(
            path, tr("无法读取（{reason}）", reason=error.strerror or error)
        ) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CalendarOverridesInvalid(
            path, tr("不是 UTF-8 编码的文本，请用 UTF-8 编码保存")
        ) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CalendarOverridesInvalid(
            path,
            tr(
                "不是有效的 JSON：第 {line} 行第 {column} 列附近有格式错误",
                line=error.lineno,
                column=error.colno,
            ),
        ) from error
    return parse_overrides(data, path)


def parse_overrides(data: object, path: Path) -> dict[int, YearOverride]:
    """Check already-decoded JSON content; ``path`` is only used in messages."""
    if not isinstance(data, dict):
        raise CalendarOverridesInvalid(
            path, tr("最外层应是以年份为键的对象，如 {example}", example='{"2027": {…}}')
        )
    result: dict[int, YearOverride] = {}
    for year_key, entry in data.items():
        if year_key.startswith("_"):
            continue
        if not _YEAR_KEY.match(year_key) or not 1900 <= int(year_key) <= 2200:
            raise CalendarOverridesInvalid(
                path,
                tr('“{key}”不是年份，应写成四位数字如 "2027"', key=year_key),
                year=year_key,
            )
        year = int(year_key)
        if not isinstance(entry, dict):
            raise CalendarOverridesInvalid(
                path,
                tr(
                    '{year} 年的内容应是对象，含 "holidays"（放假）和 "workdays"（调休上班）',
                    year=year,
                ),
                year=year_key,
            )
        unknown = [k for k in entry if not k.startswith("_") and k not in _SECTIONS]
        if unknown:
            raise CalendarOverridesInvalid(
                path,
                tr(
                    '{year} 年有不认识的项“{key}”，只能是 "holidays"（放假）'
                    '或 "workdays"（调休上班）',
                    year=year,
                    key=unknown[0],
                ),
                year=year_key,
                key=unknown[0],
            )
        sections = {
            name: _parse_section(path, year, name, entry.get(name, {})) for name in _SECTIONS
        }
        if not sections["holidays"]:
            raise CalendarOverridesInvalid(
                path,
                tr(
                    '{year} 年没有列出任何放假日期（"holidays"）；'
                    "不完整的年份会被当作已有数据，因此不予接受",
                    year=year,
                ),
                year=year_key,
            )
        both = sorted(set(sections["holidays"]) & set(sections["workdays"]))
        if both:
            day = both[0].isoformat()
            raise CalendarOverridesInvalid(
                path,
                tr(
                    "{year} 年的 {day} 既列为放假又列为调休上班，只能是其中一种", year=year, day=day
                ),
                year=year_key,
                key=day,
            )
        result[year] = YearOverride(holidays=sections["holidays"], workdays=sections["workdays"])
    return result


def _parse_section(path: Path, year: int, name: str, content: object) -> dict[date, str]:
    label = tr(
        '{year} 年的{section}（"{name}"）', year=year, section=tr(_SECTIONS[name]), name=name
    )
    if not isinstance(content, dict):
        raise CalendarOverridesInvalid(
            path,
            tr("{label}应是 {form} 形式的对象", label=label, form="{" + tr('"日期": "名称"') + "}"),
            year=str(year),
            key=name,
        )
    days: dict[date, str] = {}
    for key, title in content.items():
        if key.startswith("_"):
            continue
        day = _parse_day(key)
        if day is None:
            raise CalendarOverridesInvalid(
                path,
                tr(
                    "{label}中的“{key}”不是有效日期，应写成 {year}-01-01 这样的格式",
                    label=label,
                    key=key,
                    year=year,
                ),
                year=str(year),
                key=key,
            )
        if day.year != year:
            raise CalendarOverridesInvalid(
                path,
                tr("{label}中的 {key} 不在 {year} 年内", label=label, key=key, year=year),
                year=str(year),
                key=key,
            )
        if not isinstance(title, str):
            raise CalendarOverridesInvalid(
                path,
                tr('{label}中 {key} 的名称应是文字，如 "春节"', label=label, key=key),
                year=str(year),
                key=key,
            )
        days[day] = title.strip() or (tr("放假") if name == "holidays" else tr("调休上班"))
    return days


def _parse_day(text: str) -> date | None:
    if not _DATE_KEY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
