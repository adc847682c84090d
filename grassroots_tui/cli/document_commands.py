"""`grassroots document …`: the papers an office files, as Word (.docx) laid out as
official documents (GB/T 9704-2012), or PDF where LibreOffice is installed.

    grassroots document slip NUMBER [--station CODE] [--format docx|pdf] [--out FILE]
                             [--unmasked [--user NAME]]
    grassroots document remind NUMBER [--station CODE] [--on DATE] [--format docx|pdf] [--out FILE]
    grassroots document leave ID_OR_NAME [--on DATE] [--format docx|pdf] [--out FILE]
    grassroots document round ROUND [--station CODE] [--on DATE] [--format docx|pdf] [--out FILE]
                              [--unmasked [--user NAME]]
    grassroots document stats --month YYYY-MM [--station CODE] [--on DATE] [--format docx|pdf]
                              [--out FILE]
    grassroots document templates [--to DIR] [--force]

Each is filled from a template: the office's own in the ``templates`` folder beside the
store, else the built-in one; ``document templates`` copies the built-in ones there to
be changed in Word or WPS. A template that lacks a field is refused, naming it. The
file goes into the ``exports`` folder beside the store unless ``--out`` says where
(``-``: standard output, never a terminal). Residents' names, ID and phone numbers and a
family's hardship tier are masked; ``--unmasked`` (slips and rounds) is authorised and
recorded in the audit trail first, as for every unmasked output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from grassroots_tui.cli.hardship_commands import _station_id
from grassroots_tui.cli.sign_in import add_sign_in_option, sign_in
from grassroots_tui.cli.slip_commands import (
    _calendar,
    _day,
    _Failed,
    _guarded,
    _open,
    _store_path,
)
from grassroots_tui.lang import chinese, tr
from grassroots_tui.services.argument_types import date_argument, month_argument, parse_month
from grassroots_tui.services.documents import TEMPLATE_NAMES
from grassroots_tui.store.document_templates import templates_folder
from grassroots_tui.store.exports import write_export
from grassroots_tui.store.files import make_private_folder, write_file_atomically
from grassroots_tui.store.paths import StorePaths

FORMATS = ("docx", "pdf")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    document = subparsers.add_parser(
        "document",
        help=tr("公文格式的文件（Word 或 PDF）：交办单、催办通知书、公示、名单、统计报告"),
    )
    commands = document.add_subparsers(dest="document_command", metavar=tr("命令"))
    commands.required = True

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], help=help_text, description=help_text)

    def output(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="docx",
            help=tr("格式：docx（默认，Word/WPS 打开）或 pdf（需安装 LibreOffice）"),
        )
        parser.add_argument(
            "--out",
            metavar="FILE",
            help=tr("写入文件；“-”输出到标准输出（默认写入数据旁的 exports 文件夹）"),
        )

    def unmasked(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help=tr("不遮蔽姓名、身份证号、电话和困难等级：须登录且获准，并记入审计记录"),
        )
        add_sign_in_option(parser)

    def on(parser: argparse.ArgumentParser, what: str) -> None:
        parser.add_argument(
            "--on",
            type=date_argument(what),
            metavar="DATE",
            help=tr("{what}（默认今天）", what=what),
        )

    slip = command("slip", tr("交办单及其回复单（公文格式）"))
    slip.add_argument(
        "number", metavar="NUMBER", help=tr("交办单编号，完整编号或 2026-0015 这样的简写")
    )
    slip.add_argument("--station", metavar="CODE", help=tr("编号简写在几个站重复时，指定站点代码"))
    output(slip)
    unmasked(slip)
    slip.set_defaults(handler=run_slip)

    remind = command("remind", tr("催办通知书（公文格式，带文号）"))
    remind.add_argument("number", metavar="NUMBER", help=tr("交办单编号，完整编号或简写"))
    remind.add_argument(
        "--station", metavar="CODE", help=tr("编号简写在几个站重复时，指定站点代码")
    )
    on(remind, tr("催办日期"))
    output(remind)
    remind.set_defaults(handler=run_remind)

    leave = command("leave", tr("请假代班公示（公文格式）"))
    leave.add_argument("leave", metavar="ID_OR_NAME", help=tr("请假记录编号或请假人姓名"))
    on(leave, tr("公示日期"))
    output(leave)
    leave.set_defaults(handler=run_leave)

    round_ = command("round", tr("送温暖慰问名单（公文格式）"))
    round_.add_argument("round", metavar="ROUND", help=tr("慰问活动的编号或名称"))
    round_.add_argument("--station", metavar="CODE", help=tr("只在某个群工站的活动中找"))
    on(round_, tr("成文日期"))
    output(round_)
    unmasked(round_)
    round_.set_defaults(handler=run_round)

    stats = command("stats", tr("月度统计报告（公文格式，含综述）"))
    stats.add_argument(
        "--month", required=True, type=month_argument(), metavar="YYYY-MM", help=tr("统计月份")
    )
    stats.add_argument("--station", metavar="CODE", help=tr("只统计某个群工站（站点代码）"))
    on(stats, tr("统计到哪一天，也是成文日期"))
    output(stats)
    stats.set_defaults(handler=run_stats)

    templates = command("templates", tr("把内置模板复制到数据旁的 templates 文件夹，供修改"))
    templates.add_argument(
        "--to", metavar="DIR", help=tr("复制到哪个文件夹（默认数据旁的 templates）")
    )
    templates.add_argument("--force", action="store_true", help=tr("覆盖已有的同名模板"))
    templates.set_defaults(handler=run_templates)


def _actor(store: Any, args: argparse.Namespace) -> str:
    """Who is recorded for an unmasked output: the person signed in (cli/sign_in.py)."""
    return sign_in(store, args).actor


def _unmasked(store: Any, args: argparse.Namespace) -> dict[str, Any]:
    """What a document that may be unmasked is made with: who asked (signed in, only
    when unmasked), the templates, where it goes and its format, for the audit record."""
    return {
        "actor": _actor(store, args) if args.unmasked else "",
        "unmasked": args.unmasked,
        "folder": _templates(args),
        "where": _where(args),
        "fmt": args.format,
    }


def _where(args: argparse.Namespace) -> str:
    if args.out in (None, "-"):
        # the audit trail's words
        return chinese("标准输出") if args.out == "-" else chinese("exports 文件夹")
    return str(Path(args.out).resolve())


def _finish(args: argparse.Namespace, name: str, data: bytes) -> int:
    """``data`` (a .docx) as the chosen format, written where ``--out`` says."""
    if args.format == "pdf":
        from grassroots_tui.services.documents.pdf import PdfFailed, PdfUnavailable, to_pdf

        try:
            data = to_pdf(data, name=name)
        except (PdfUnavailable, PdfFailed) as error:
            raise _Failed(str(error)) from None
    if args.out == "-":
        if sys.stdout.isatty():
            raise _Failed(
                tr("{format} 文件不能输出到终端，请用 --out 指定文件。", format=args.format)
            )
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    paths = StorePaths.for_main(_store_path(args))
    # --out, or exports/ beside the store; either way owner-only folders, written whole.
    to = Path(args.out) if args.out else None
    path = write_export(paths, name, data, suffix=f".{args.format}", to=to)
    print(tr("已写入：{path}", path=path), file=sys.stderr)
    return 0


def _templates(args: argparse.Namespace) -> Path:
    return templates_folder(_store_path(args))


def _make(args: argparse.Namespace, make: Callable[[Any], tuple[str, bytes]], write: bool) -> int:
    """Open the store, ``make`` the document (its file name and .docx bytes), close the
    store, write the file."""
    store = _open(args, write=write)
    try:
        name, data = make(store)
    finally:
        store.close()
    return _finish(args, name, data)


@_guarded
def run_slip(args: argparse.Namespace) -> int:
    """交办单 and its reply slips."""
    from grassroots_tui.services.documents import export_slip_document
    from grassroots_tui.services.slips import find_slip

    calendar = _calendar(args)

    def make(store: Any) -> tuple[str, bytes]:
        slip = find_slip(store, args.number, station=args.station)
        data = export_slip_document(store, slip.id, calendar=calendar, **_unmasked(store, args))
        return f"交办单-{slip.number or slip.title}", data

    return _make(args, make, write=args.unmasked)


@_guarded
def run_remind(args: argparse.Namespace) -> int:
    """催办通知书."""
    from grassroots_tui.services.documents import reminder_document
    from grassroots_tui.services.slips import find_slip

    day = _day(args.on, tr("催办日期"))
    calendar = _calendar(args)

    def make(store: Any) -> tuple[str, bytes]:
        slip = find_slip(store, args.number, station=args.station)
        folder = _templates(args)
        data = reminder_document(store, slip.id, today=day, calendar=calendar, folder=folder)
        return f"催办通知书-{slip.number}", data

    return _make(args, make, write=False)


@_guarded
def run_leave(args: argparse.Namespace) -> int:
    """请假代班公示."""
    from grassroots_tui.services.documents import leave_document
    from grassroots_tui.services.rosters import find_leave

    on = _day(args.on, tr("公示日期"))

    def make(store: Any) -> tuple[str, bytes]:
        leave = find_leave(store, args.leave)
        return "请假代班公示", leave_document(store, leave.id, on=on, folder=_templates(args))

    return _make(args, make, write=False)


@_guarded
def run_round(args: argparse.Namespace) -> int:
    """A 送温暖 round's list."""
    from grassroots_tui.services.condolence import find_round
    from grassroots_tui.services.documents import export_round_document

    on = _day(args.on, tr("成文日期"))

    def make(store: Any) -> tuple[str, bytes]:
        found = find_round(store, args.round, station_id=_station_id(store, args.station))
        data = export_round_document(store, found.id, on=on, **_unmasked(store, args))
        return f"{found.title}名单", data

    return _make(args, make, write=args.unmasked)


@_guarded
def run_stats(args: argparse.Namespace) -> int:
    """The month's statistics report."""
    from grassroots_tui.services.documents import stats_document
    from grassroots_tui.services.slip_rules import load_slip_rules
    from grassroots_tui.services.statistics import month_stats
    from grassroots_tui.store.slip_rules_file import default_slip_rules_path

    try:
        year, month = parse_month(args.month)
    except ValueError as error:
        raise _Failed(str(error)) from None
    on = args.on or date.today()
    calendar = _calendar(args)
    rules = load_slip_rules(default_slip_rules_path(_store_path(args)))

    def make(store: Any) -> tuple[str, bytes]:
        stats = month_stats(
            store,
            year=year,
            month=month,
            station_code=args.station,
            calendar=calendar,
            rounding=rules.rate_rounding,
            today=on,
        )
        code = f"-{args.station.upper()}" if args.station else ""
        name = f"月度统计报告{code}-{stats.month}"
        return name, stats_document(store, stats, on=on, folder=_templates(args))

    return _make(args, make, write=False)


@_guarded
def run_templates(args: argparse.Namespace) -> int:
    """Copy the built-in templates beside the store, to be changed there."""
    from grassroots_tui.services.documents import template

    folder = Path(args.to) if args.to else _templates(args)
    make_private_folder(folder)
    written, kept = [], []
    for kind, name in TEMPLATE_NAMES.items():
        path = folder / name
        if path.exists() and not args.force:
            kept.append(name)
            continue
        write_file_atomically(path, template(kind).data)
        written.append(name)
    for name in written:
        print(tr("已写入：{path}", path=folder / name), file=sys.stderr)
    if kept:
        print(
            tr("已有，未覆盖（要覆盖请加 --force）：{names}", names=tr("、").join(kept)),
            file=sys.stderr,
        )
    return 0
