"""Commands about the official calendar: a slip's deadline, and the holiday data."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from grassroots_tui.lang import tr
from grassroots_tui.services.argument_types import (
    date_argument,
    parse_date,
    parse_year,
    year_argument,
)
from grassroots_tui.services.deadlines import DEFAULT_RULE, compute_due, parse_rule, shown_rule
from grassroots_tui.services.workcalendar import (
    BUILTIN_SOURCE,
    OfficialCalendar,
    builtin_years,
    describe_day,
)
from grassroots_tui.store.calendar_overrides import default_overrides_path, load_overrides


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    deadline = subparsers.add_parser(
        "deadline", parents=[common], help=tr("按期限规则计算交办单的到期日期")
    )
    deadline.add_argument(
        "date", type=date_argument(), metavar="DATE", help=tr("签发日期，如 2026-11-26")
    )
    deadline.add_argument(
        "--rule",
        default=DEFAULT_RULE,
        metavar="RULE",
        help=tr("期限规则：15日、15天或 10个工作日（默认 {rule}）", rule=shown_rule(DEFAULT_RULE)),
    )
    deadline.set_defaults(handler=run_deadline, opens_store=False)

    calendar = subparsers.add_parser(
        "calendar",
        parents=[common],
        help=tr("查看已有哪些年份的法定节假日数据，以及某年的放假和调休安排"),
    )
    calendar.add_argument(
        "--year", type=year_argument(), metavar="YYYY", help=tr("要查看的年份（默认今年）")
    )
    calendar.set_defaults(handler=run_calendar)


def _overrides_path(args: argparse.Namespace) -> Path:
    from grassroots_tui.store.paths import default_store_path

    store_main = Path(args.db) if args.db else default_store_path()
    return default_overrides_path(store_main)


def _load_calendar(args: argparse.Namespace) -> tuple[OfficialCalendar, Path]:
    path = _overrides_path(args)
    return OfficialCalendar(load_overrides(path), overrides_path=path), path


def _fail(message: str) -> int:
    print(tr("错误：{error}", error=message), file=sys.stderr)
    return 2


def run_deadline(args: argparse.Namespace) -> int:
    try:
        issued = args.date if isinstance(args.date, date) else parse_date(args.date)
    except ValueError as error:
        return _fail(str(error))
    try:
        rule = parse_rule(args.rule)
    except ValueError as error:
        return _fail(str(error))
    calendar, path = _load_calendar(args)
    due = compute_due(issued, rule, calendar)
    print(tr("签发日期：{day}", day=describe_day(issued)))
    print(
        tr(
            "期限规则：{rule}（{explanation}）",
            rule=shown_rule(rule.text),
            explanation=rule.explanation,
        )
    )
    print(tr("到期日期：{day}", day=describe_day(due.date)))
    if due.provisional:
        print(tr("是否暂定：是。{reason}，公布放假安排后到期日期可能改变。", reason=due.reason))
        print(
            tr(
                "补充办法：在节假日文件 {path} 中加入该年的放假日期和调休上班日期"
                "（用 “grassroots calendar --year 年份” 查看说明）。",
                path=path,
            )
        )
    else:
        print(tr("是否暂定：否（所涉日期均有法定节假日数据）。"))
    return 0


def run_calendar(args: argparse.Namespace) -> int:
    try:
        if args.year is None:
            year = date.today().year
        else:
            year = args.year if isinstance(args.year, int) else parse_year(args.year)
    except ValueError as error:
        return _fail(str(error))
    calendar, path = _load_calendar(args)

    builtin = builtin_years()
    print(
        tr(
            "{source} 提供的年份：{first}–{last}",
            source=BUILTIN_SOURCE,
            first=builtin.start,
            last=builtin.stop - 1,
        )
    )
    extra = calendar.override_years()
    status = tr("已读取") if path.exists() else tr("尚未建立")
    if extra:
        listed = tr("、").join(str(y) for y in extra)
        print(
            tr(
                "节假日文件补充的年份：{years}（{path}，{status}）",
                years=listed,
                path=path,
                status=status,
            )
        )
    else:
        print(tr("节假日文件：{path}（{status}，没有补充年份）", path=path, status=status))
    print()

    if not calendar.covers(year):
        print(tr("缺少 {year} 年的法定节假日数据。", year=year))
        print(tr("这一年的到期日期只能按周末推算，程序会把它们标为“暂定”。"))
        print(_how_to_add(year, path))
        return 1

    source = tr("节假日文件") if year in calendar.overrides else "chinesecalendar"
    if year in calendar.overrides and year in builtin:
        source = tr("chinesecalendar，并按节假日文件调整")
    print(tr("{year} 年放假安排（来源：{source}）", year=year, source=source))
    print(tr("放假日期："))
    for day, name in calendar.holidays(year):
        print(f"  {describe_day(day)}  {name}")
    workdays = calendar.makeup_workdays(year)
    print(tr("调休上班日期：") if workdays else tr("调休上班日期：无"))
    for day, name in workdays:
        print(f"  {describe_day(day)}  {name}")
    return 0


def _how_to_add(year: int, path: Path) -> str:
    return tr(
        "补充办法：按国务院办公厅公布的 {year} 年部分节假日安排，在节假日文件\n"
        "  {path}\n"
        "（UTF-8 编码的 JSON，与数据文件放在同一文件夹）中加入一项，例如：\n"
        '  {{"{year}": {{"holidays": {{"{year}-01-01": "元旦"}},\n'
        '           "workdays": {{"{year}-02-07": "春节调休"}}}}}}\n'
        "放假日期（holidays）要列出每一个放假日，含假期中的周末；"
        "调休上班日期（workdays）列出要上班的周末。",
        year=year,
        path=path,
    )
