"""`grassroots slips …`: print a slip with its reply slips, the overdue board, and the
reminder notice (催办通知书).

    grassroots slips print 湘龙群交〔2026〕第0015号 [--out FILE] [--html] [--unmasked [--user NAME]]
    grassroots slips overdue [--station HL01] [--on 2026-12-01] [--json]
    grassroots slips remind 2026-0015 [--out FILE] [--html] [--record --by 王督导 [--user NAME]]

Personal information is masked unless ``--unmasked`` is given; unmasked output and
``--record`` need a sign-in (:mod:`grassroots_tui.cli.sign_in`: ``--user`` or
GRASSROOTS_USER, and the PIN), and unmasked output is first recorded in the audit trail
under the person signed in, so both need the store open for writing. The calendar is the
built-in one plus the holiday file next to the store (holidays.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from grassroots_tui.cli.sign_in import add_sign_in_option, sign_in
from grassroots_tui.lang import chinese, clauses, language, tr
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.services.argument_types import (
    check_date,
    date_argument,
    days_argument,
    parse_date,
)
from grassroots_tui.services.slip_board import (
    Board,
    board_counts_text,
    board_json,
    build_board,
    filter_board,
)
from grassroots_tui.services.slip_print import export_slip, record_reminder, render_reminder
from grassroots_tui.services.slips import find_slip
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.calendar_overrides import default_overrides_path, load_overrides
from grassroots_tui.store.files import make_private_folder, write_file_atomically
from grassroots_tui.store.paths import default_store_path

EXIT_ERROR = 2


class _Failed(Exception):
    """A reason to stop, already worded for the user."""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    slips = subparsers.add_parser("slips", help=tr("交办单：打印、超期督办看板、催办通知书"))
    commands = slips.add_subparsers(dest="slips_command", metavar=tr("命令"))
    commands.required = True

    show = commands.add_parser(
        "print",
        parents=[common],
        help=tr("打印交办单及其回复单（文本或网页，个人信息默认遮蔽）"),
        description=tr(
            "按纸质格式输出交办单及其回复单。个人信息默认遮蔽；"
            "--unmasked 输出完整信息，并记入审计记录。"
        ),
    )
    show.add_argument(
        "number", metavar="NUMBER", help=tr("交办单编号，完整编号或 2026-0015 这样的简写")
    )
    show.add_argument("--station", metavar="CODE", help=tr("编号简写在几个站重复时，指定站点代码"))
    show.add_argument("--out", metavar="FILE", help=tr("写入文件（默认输出到屏幕）"))
    show.add_argument("--html", action="store_true", help=tr("输出可直接打印的网页（HTML）"))
    show.add_argument(
        "--unmasked",
        action="store_true",
        help=tr("不遮蔽姓名、身份证号和电话：须登录，且角色获准（默认只有站长），并记入审计记录"),
    )
    add_sign_in_option(show)
    show.set_defaults(handler=run_print)

    overdue = commands.add_parser(
        "overdue",
        parents=[common],
        help=tr("超期督办看板：各站超期、今日到期和预警的交办单，超期最久的在前"),
    )
    overdue.add_argument(
        "--station", metavar="CODE", help=tr("只看某个群工站（站点代码，如 HL01）")
    )
    overdue.add_argument("--unit", metavar="TEXT", help=tr("只看某个承办单位（名称的一部分即可）"))
    overdue.add_argument(
        "--lead", metavar="NAME", help=tr("只看某位包案领导（姓名或工作人员编号）")
    )
    overdue.add_argument("--category", metavar="TEXT", help=tr("只看某个类别，如 物业纠纷"))
    overdue.add_argument(
        "--on",
        type=date_argument(),
        metavar="DATE",
        help=tr("按哪一天看（默认今天），如 2026-12-01"),
    )
    overdue.add_argument(
        "--warn-days",
        type=days_argument(tr("预警天数")),
        default=None,  # the office's warn_days (slip_rules.json beside the store), else 3
        metavar="N",
        help=tr(
            "到期前几天开始预警（默认按数据旁 slip_rules.json 的 warn_days，没有则 3；最多 365）"
        ),
    )
    overdue.add_argument("--json", action="store_true", help=tr("输出 JSON"))
    overdue.set_defaults(handler=run_overdue)

    remind = commands.add_parser(
        "remind", parents=[common], help=tr("生成催办通知书；加 --record 记录这次催办")
    )
    remind.add_argument("number", metavar="NUMBER", help=tr("交办单编号，完整编号或简写"))
    remind.add_argument(
        "--station", metavar="CODE", help=tr("编号简写在几个站重复时，指定站点代码")
    )
    remind.add_argument("--out", metavar="FILE", help=tr("写入文件（默认输出到屏幕）"))
    remind.add_argument("--html", action="store_true", help=tr("输出网页（HTML）"))
    remind.add_argument(
        "--on", type=date_argument(tr("催办日期")), metavar="DATE", help=tr("催办日期（默认今天）")
    )
    remind.add_argument("--record", action="store_true", help=tr("把这次催办记入交办单"))
    remind.add_argument("--by", metavar="NAME", help=tr("催办人（--record 时必填）"))
    add_sign_in_option(remind)
    remind.set_defaults(handler=run_remind)


# -- shared ----------------------------------------------------------------------------------


def _guarded(run):
    def handler(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except _Failed as failed:
            print(tr("错误：{error}", error=failed), file=sys.stderr)
        except (StoreError, DocumentInvalid, ValueError) as error:
            print(tr("错误：{error}", error=error), file=sys.stderr)
        return EXIT_ERROR

    handler.__name__ = run.__name__
    handler.__doc__ = run.__doc__
    return handler


def _store_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else default_store_path()


def _calendar(args: argparse.Namespace) -> OfficialCalendar:
    path = default_overrides_path(_store_path(args))
    return OfficialCalendar(load_overrides(path), overrides_path=path)


def _day(value: date | str | None, what: str) -> date:
    """The day an option names (already a date when argparse read it), or today."""
    if value is None:
        return date.today()
    try:
        return check_date(value, what) if isinstance(value, date) else parse_date(value, what)
    except ValueError as error:
        raise _Failed(str(error)) from None


def _open(args: argparse.Namespace, *, write: bool) -> Store:
    store = Store.open(_store_path(args), readonly=not write, create=False)
    if write and store.readonly:
        reason = store.readonly_reason or tr("数据当前只读")
        store.close()
        raise _Failed(tr("这一操作要写入审计记录，但{reason}", reason=reason))
    return store


def _emit(text: str, out: str | None) -> None:
    """``text`` to ``out``, or to the screen when it is None or "-" (the usual name of
    standard output, as for export stats; never a file called "-")."""
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    path = Path(out)
    make_private_folder(path.parent)  # 0700, the folders it makes on the way too
    write_file_atomically(path, text.encode("utf-8"))
    print(tr("已写入：{path}", path=path), file=sys.stderr)


# -- print -----------------------------------------------------------------------------------


@_guarded
def run_print(args: argparse.Namespace) -> int:
    """Print a slip with its reply slips."""
    calendar = _calendar(args)
    store = _open(args, write=args.unmasked)
    try:
        slip = find_slip(store, args.number, station=args.station)
        # Masked output records nothing and needs nobody signed in.
        actor = sign_in(store, args).actor if args.unmasked else ""
        text = export_slip(
            store,
            slip.id,
            actor=actor,
            fmt="html" if args.html else "text",
            unmasked=args.unmasked,
            calendar=calendar,
            where=str(Path(args.out).resolve())
            if args.out not in (None, "-")
            else chinese("屏幕"),  # the audit trail's words
        )
    finally:
        store.close()
    _emit(text, args.out)
    return 0


# -- overdue ---------------------------------------------------------------------------------


def _columns() -> tuple[tuple[str, int], ...]:
    """The board's columns: heading, width (a CJK character counts two; English words
    are longer than the Chinese)."""
    chinese = language() == "zh"
    return (
        (tr("编号"), 26),
        (tr("站点"), 6 if chinese else 7),
        (tr("事项"), 24),
        (tr("承办单位"), 18),
        (tr("包案领导"), 8 if chinese else 16),
        (tr("应办结"), 12),
        (tr("状态"), 14 if chinese else 28),
    )


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width:
            out = out[:-1] + "…" if out else ""
            used = _width(out)
            break
        out += ch
        used += w
    return out + " " * max(0, width - used)


#: A due date worked out for a year without holiday data.
DUE_SIGN = "*"
#: Working days overdue counted over a year without holiday data: the due date itself
#: may be settled (a 2026 slip seen on a day in 2027), only the count and 通报 are not.
COUNT_SIGN = "†"


def _clock_text(row) -> str:
    clock = row.clock
    if clock.state == "overdue":
        text = tr("超期{days}天", days=clock.days_overdue) + (tr("·通报") if clock.reported else "")
        text += COUNT_SIGN if clock.provisional else ""
    elif clock.state == "due_today":
        text = tr("今日到期")
    else:
        text = tr("预警·余{days}天", days=clock.days_left)
    return text


def _table(board: Board, day: date) -> str:
    columns = _columns()
    lines = [
        tr("{day} 超期督办看板：{counts}", day=day.isoformat(), counts=board_counts_text(board))
    ]
    if not board.rows:
        lines.append(tr("没有超期、今日到期或预警的交办单。"))
        return "\n".join(lines) + "\n"
    lines.append("  ".join(_cell(name, width) for name, width in columns).rstrip())
    lines.append("  ".join("-" * width for _, width in columns))
    for row in board.rows:
        due = row.due.date.isoformat() + (DUE_SIGN if row.provisional else "")
        values = (
            row.number,
            row.station_code,
            row.title,
            row.handling_unit,
            row.lead_official or "",
            due,
            _clock_text(row),
        )
        lines.append(
            "  ".join(_cell(v, w) for v, (_, w) in zip(values, columns, strict=True)).rstrip()
        )
    reasons = sorted({r.due.reason for r in board.rows if r.provisional and r.due.reason})
    if reasons:
        lines.append(
            tr("{sign} 到期日暂定：{reasons}。", sign=DUE_SIGN, reasons=clauses(reasons, tr("；")))
        )
    reasons = sorted({r.clock.reason for r in board.rows if r.count_provisional and r.clock.reason})
    if reasons:
        lines.append(
            tr(
                "{sign} 超期工作日数（是否通报）暂定：{reasons}。",
                sign=COUNT_SIGN,
                reasons=clauses(reasons, tr("；")),
            )
        )
    return "\n".join(lines) + "\n"


@_guarded
def run_overdue(args: argparse.Namespace) -> int:
    """The overdue board, as a table or JSON."""
    day = _day(args.on, tr("日期"))
    warn_days = args.warn_days
    if warn_days is None:  # the office's warning window, as on the 督办看板 screen
        from grassroots_tui.services.slip_rules import load_slip_rules
        from grassroots_tui.store.slip_rules_file import default_slip_rules_path

        warn_days = load_slip_rules(default_slip_rules_path(_store_path(args))).warn_days
    if warn_days < 0:
        raise _Failed(tr("预警天数不能为负数。"))
    calendar = _calendar(args)
    store = _open(args, write=False)
    try:
        if args.station and not any(
            s.get("code", "").upper() == args.station.upper() for s in store.raw("station")
        ):
            codes = tr("、").join(sorted(s.get("code", "") for s in store.raw("station")))
            raise _Failed(
                tr(
                    "没有站点代码为“{code}”的群工站（现有：{codes}）。",
                    code=args.station,
                    codes=codes or tr("无"),
                )
            )
        board = build_board(store, today=day, calendar=calendar, warn_days=warn_days)
    finally:
        store.close()
    board = filter_board(
        board, station=args.station, unit=args.unit, lead=args.lead, category=args.category
    )
    if args.json:
        print(json.dumps(board_json(board), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(_table(board, day))
    return 0


# -- remind ----------------------------------------------------------------------------------


@_guarded
def run_remind(args: argparse.Namespace) -> int:
    """The reminder notice; --record also records the reminder."""
    day = _day(args.on, tr("催办日期"))
    if args.record and not (args.by or "").strip():
        raise _Failed(tr("记录催办时要写明催办人：--by 姓名。"))
    calendar = _calendar(args)
    store = _open(args, write=args.record)
    try:
        slip = find_slip(store, args.number, station=args.station)
        signed = sign_in(store, args, action="slip.board") if args.record else None
        text = render_reminder(
            store, slip.id, today=day, calendar=calendar, fmt="html" if args.html else "text"
        )
        if signed is not None:
            record_reminder(
                store, slip.id, today=day, by=args.by, actor=signed.actor, calendar=calendar
            )
    finally:
        store.close()
    _emit(text, args.out)
    if args.record:
        print(
            tr(
                "已记录催办：{number}（{day}，催办人 {by}）",
                number=slip.number,
                day=day.isoformat(),
                by=args.by,
            ),
            file=sys.stderr,
        )
    return 0
