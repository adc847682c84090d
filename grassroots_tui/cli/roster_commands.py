"""`grassroots roster | supervision | leave …`: the month's duty roster as a calendar, the
supervisors' monthly report against the target, and the leave-and-substitute notice.

    grassroots roster show --month 2026-02 [--station HL01]
    grassroots supervision report --month 2026-02 [--json]
    grassroots leave notice 张三 [--out FILE] [--html] [--on 2026-02-06]

Staff names are shown whole (they are the station's own people, not residents); the
notice carries no ID number and no person's phone number. The calendar is the built-in
one plus the holiday file next to the store (holidays.json); a year without holiday data
is worked out from weekends only, and the output says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from grassroots_tui.cli.hardship_commands import _station_id
from grassroots_tui.cli.slip_commands import _calendar, _cell, _day, _emit, _Failed, _guarded, _open
from grassroots_tui.lang import language, tr
from grassroots_tui.services import argument_types
from grassroots_tui.services.argument_types import date_argument, month_argument
from grassroots_tui.services.rosters import (
    RosterDay,
    calendar_note,
    find_leave,
    month_view,
    public_notice,
)
from grassroots_tui.services.supervision import (
    TARGET_PER_DAY,
    SupervisorMonth,
    month_report,
    report_json,
)
from grassroots_tui.services.workcalendar import WEEKDAYS_ZH
from grassroots_tui.store import Store

#: Display width of one day in the calendar table (a CJK character counts two).
CELL = 10
GAP_SIGN = "!"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _rest_sign() -> str:
    return tr("休")


def _makeup_sign() -> str:
    return tr("班")


def _weekdays() -> tuple[str, ...]:
    return WEEKDAYS_ZH if language() == "zh" else WEEKDAYS_EN


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    roster = subparsers.add_parser("roster", help=tr("值班表：按月显示值班日历和缺口"))
    commands = roster.add_subparsers(dest="roster_command", metavar=tr("命令"))
    commands.required = True
    show = commands.add_parser(
        "show",
        parents=[common],
        help=tr("按月显示值班表（每周一行，休息日和缺口有标记，缺口列在表下）"),
    )
    show.add_argument(
        "--month",
        required=True,
        type=month_argument(),
        metavar="YYYY-MM",
        help=tr("月份，如 2026-02"),
    )
    show.add_argument("--station", metavar="CODE", help=tr("只看某个群工站（默认每个站各一张）"))
    show.set_defaults(handler=run_roster_show)

    supervision = subparsers.add_parser("supervision", help=tr("督导：月度督导情况"))
    sup_commands = supervision.add_subparsers(dest="supervision_command", metavar=tr("命令"))
    sup_commands.required = True
    report = sup_commands.add_parser(
        "report",
        parents=[common],
        help=tr(
            "每位督导人员的督导天数、站次和未达标天数（目标：每天 {target} 个站）",
            target=TARGET_PER_DAY,
        ),
    )
    report.add_argument(
        "--month",
        required=True,
        type=month_argument(),
        metavar="YYYY-MM",
        help=tr("月份，如 2026-02"),
    )
    report.add_argument("--json", action="store_true", help=tr("输出 JSON"))
    report.set_defaults(handler=run_supervision_report)

    leave = subparsers.add_parser("leave", help=tr("请假代班：生成公示"))
    leave_commands = leave.add_subparsers(dest="leave_command", metavar=tr("命令"))
    leave_commands.required = True
    notice = leave_commands.add_parser(
        "notice",
        parents=[common],
        help=tr("生成请假代班公示（不含身份证号和个人电话）"),
    )
    notice.add_argument(
        "leave", metavar="LEAVE_ID_OR_NAME", help=tr("请假申请编号，或请假人姓名（取其最近一次）")
    )
    notice.add_argument("--out", metavar="FILE", help=tr("写入文件（默认输出到屏幕）"))
    notice.add_argument("--html", action="store_true", help=tr("输出可直接打印的网页（HTML）"))
    notice.add_argument(
        "--on", type=date_argument(tr("公示日期")), metavar="DATE", help=tr("公示日期（默认今天）")
    )
    notice.set_defaults(handler=run_leave_notice)


# -- shared ----------------------------------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-02" → (2026, 2); anything else is refused with a message."""
    try:
        return argument_types.parse_month(text or "")
    except ValueError as error:
        raise _Failed(str(error)) from None


# -- roster show -----------------------------------------------------------------------------


def _names(store: Store) -> dict[str, str]:
    return {s["id"]: str(s.get("name") or s["id"]) for s in store.raw("staff")}


def _rule() -> str:
    return "+" + "+".join("-" * CELL for _ in range(7)) + "+"


def _row(cells: list[str]) -> str:
    return "|" + "|".join(_cell(" " + c if c else "", CELL) for c in cells) + "|"


def render_month(
    store: Store, station: dict[str, Any], year: int, month: int, calendar: Any
) -> str:
    """One station's month as a calendar table (weeks as rows, Monday first), with the
    gaps listed below."""
    days = month_view(store, station_id=station["id"], year=year, month=month, calendar=calendar)
    names = _names(store)
    title = tr(
        "{name}（{code}）{year}年{month}月值班表",
        name=station.get("name", ""),
        code=station.get("code", ""),
        year=year,
        month=month,
    )
    if any(rd.provisional for rd in days):  # 待定, like a due date in a year without data
        title += tr("（待定：{note}）", note=calendar_note(year, month, calendar))
    lines = [title, _rule(), _row(list(_weekdays())), _rule()]
    weeks: list[list[RosterDay | None]] = []
    week: list[RosterDay | None] = [None] * days[0].day.weekday()
    for roster_day in days:
        week.append(roster_day)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    for week in weeks:
        heads: list[str] = []
        bodies: list[list[str]] = []
        for rd in week:
            if rd is None:
                heads.append("")
                bodies.append([])
                continue
            mark = ""
            if not rd.workday:
                mark += _rest_sign()
            elif rd.day.weekday() >= 5:
                mark += _makeup_sign()
            if rd.gaps:
                mark += GAP_SIGN
            heads.append(f"{rd.day.day:>2} {mark}".rstrip())
            flagged = {g.staff_id for g in rd.gaps if g.staff_id}
            body = [names.get(s, s) + (GAP_SIGN if s in flagged else "") for s in rd.staff_ids]
            if not body and rd.workday:
                body = ["—"]
            bodies.append(body)
        lines.append(_row(heads))
        for i in range(max(1, max(len(b) for b in bodies))):
            lines.append(_row([b[i] if i < len(b) else "" for b in bodies]))
        lines.append(_rule())
    lines.append(
        tr(
            "{rest} 休息日　{makeup} 调休上班的周末　{gap} 有缺口　— 工作日无人值班",
            rest=_rest_sign(),
            makeup=_makeup_sign(),
            gap=GAP_SIGN,
        )
    )
    gaps = [g for rd in days for g in rd.gaps]
    if gaps:
        lines.append(tr("缺口 {count} 处：", count=len(gaps)))
        lines += [f"  {GAP_SIGN} {g.message}" for g in gaps]
    else:
        lines.append(tr("没有缺口。"))
    note = calendar_note(year, month, calendar)
    if note:
        lines.append(tr("注意：{note}。", note=note))
    return "\n".join(lines) + "\n"


@_guarded
def run_roster_show(args: argparse.Namespace) -> int:
    """The month's roster of one station, or of every station one after another."""
    year, month = parse_month(args.month)
    calendar = _calendar(args)
    store = _open(args, write=False)
    try:
        station_id = _station_id(store, args.station)
        stations = sorted(store.raw("station"), key=lambda s: (str(s.get("code")), s["id"]))
        if station_id is not None:
            stations = [s for s in stations if s["id"] == station_id]
        if not stations:
            raise _Failed(tr("还没有群工站。"))
        text = "\n".join(render_month(store, s, year, month, calendar) for s in stations)
    finally:
        store.close()
    sys.stdout.write(text)
    return 0


# -- supervision report ----------------------------------------------------------------------


def _report_columns() -> tuple[tuple[str, int], ...]:
    """The report's columns: heading, width (a CJK character counts two)."""
    return (
        (tr("督导人员"), 12),
        (tr("督导天数"), 8),
        (tr("站次"), 6),
        (tr("未达标天数"), 10),
    )


def render_report(report: list[SupervisorMonth], year: int, month: int) -> str:
    columns = _report_columns()
    lines = [
        tr(
            "{year}年{month}月督导情况（目标：每人每个工作日督导不少于 {target} 个群工站）",
            year=year,
            month=month,
            target=TARGET_PER_DAY,
        )
    ]
    if not report:
        lines.append(tr("这个月没有督导记录，也没有在岗的督导人员。"))
        return "\n".join(lines) + "\n"
    lines.append("  ".join(_cell(name, width) for name, width in columns).rstrip())
    lines.append("  ".join("-" * width for _, width in columns))
    for m in report:
        cells = (m.name, str(len(m.days)), str(m.stations_checked), str(m.days_below_target))
        lines.append(
            "  ".join(_cell(v, w) for v, (_, w) in zip(cells, columns, strict=True)).rstrip()
        )
        if not m.days:
            lines.append("    " + tr("本月没有督导记录"))
            continue
        parts = []
        for d in m.days:
            text = tr(
                "{month}月{day}日 {stations}站",
                month=d.day.month,
                day=d.day.day,
                stations=d.stations,
            )
            if d.below_target:
                text += tr("（未达标）")
            elif not d.workday:
                text += tr("（休息日）")
            parts.append(text)
        lines.append("    " + " · ".join(parts))
    below = sum(m.days_below_target for m in report)
    checked = sum(m.stations_checked for m in report)
    lines.append(tr("合计：督导 {checked} 站次，未达标 {below} 天。", checked=checked, below=below))
    return "\n".join(lines) + "\n"


@_guarded
def run_supervision_report(args: argparse.Namespace) -> int:
    """Each supervisor's month: days, station-visits, days below target."""
    year, month = parse_month(args.month)
    calendar = _calendar(args)
    store = _open(args, write=False)
    try:
        report = month_report(store, year=year, month=month, calendar=calendar)
    finally:
        store.close()
    if args.json:
        print(json.dumps(report_json(report, year=year, month=month), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_report(report, year, month))
    return 0


# -- leave notice ----------------------------------------------------------------------------


@_guarded
def run_leave_notice(args: argparse.Namespace) -> int:
    """The 请假代班公示 of one approved leave."""
    on = _day(args.on, tr("公示日期"))
    store = _open(args, write=False)
    try:
        leave = find_leave(store, args.leave)
        text = public_notice(store, leave.id, fmt="html" if args.html else "text", on=on)
    finally:
        store.close()
    _emit(text, args.out)
    return 0
