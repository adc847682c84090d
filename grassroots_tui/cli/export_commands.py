"""`grassroots export stats`: the monthly statistics as a file.

    grassroots export stats --month 2026-09 [--station HL01] [--format xlsx|csv|json|md]
                            [--out PATH] [--on DATE] [--encoding utf-8|gb18030]

Excel (.xlsx) is the default; a CSV is UTF-8 with BOM, or GB18030 with ``--encoding
gb18030`` for older systems. Without ``--out`` the file goes into the ``exports``
folder beside the store; ``--out -`` writes a text format to the screen (an .xlsx is
refused on a terminal). Residents' names in the detail sheets are masked. The month in
progress is counted up to today (``--on`` names another day), never to its last day.
Rates are rounded by the office's rule, ``rate_rounding`` in slip_rules.json beside the
store, as on the screen; a mistake in that file stops the export.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from grassroots_tui.cli.slip_commands import _calendar, _Failed, _guarded, _open, _store_path
from grassroots_tui.i18n import t
from grassroots_tui.lang import tr
from grassroots_tui.services.argument_types import date_argument, month_argument, parse_month
from grassroots_tui.services.slip_rules import load_slip_rules
from grassroots_tui.services.statistics import month_stats, trend
from grassroots_tui.services.stats_export import default_name, export_stats
from grassroots_tui.store.exports import write_export
from grassroots_tui.store.settings import load_settings
from grassroots_tui.store.slip_rules_file import default_slip_rules_path


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    export = subparsers.add_parser("export", help=tr("导出：月度统计报表"))
    commands = export.add_subparsers(dest="export_command", metavar=tr("命令"))
    commands.required = True
    stats = commands.add_parser(
        "stats",
        parents=[common],
        help=tr("导出月度统计（Excel、CSV、JSON 或 Markdown）"),
        description=tr("导出某月的统计：各站一行、合计一行，本月和累计（自 1 月 1 日起）。"),
    )
    stats.add_argument(
        "--month",
        required=True,
        type=month_argument(),
        metavar="YYYY-MM",
        help=tr("统计月份，如 2026-09"),
    )
    stats.add_argument("--station", metavar="CODE", help=tr("只统计某个群工站（站点代码）"))
    stats.add_argument(
        "--format",
        choices=["xlsx", "csv", "json", "md"],
        default="xlsx",
        help=tr("格式：xlsx（默认）、csv、json 或 md"),
    )
    stats.add_argument(
        "--out",
        metavar="PATH",
        help=tr("写入文件；“-”输出到屏幕（默认写入数据旁的 exports 文件夹）"),
    )
    stats.add_argument(
        "--encoding",
        choices=["utf-8", "gb18030"],
        default=None,
        help=tr(
            "CSV 的编码：utf-8（默认，带 BOM，Excel 和 WPS 都能直接打开）或 gb18030（较旧的系统）"
        ),
    )
    stats.add_argument(
        "--on",
        type=date_argument(),
        metavar="DATE",
        help=tr("统计到哪一天（默认今天）：当月只统计到这一天，如 2026-12-06"),
    )
    stats.set_defaults(handler=run_stats)


def _month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as error:
        raise _Failed(str(error)) from None


@_guarded
def run_stats(args: argparse.Namespace) -> int:
    """The month's statistics written as a file (or to stdout)."""
    year, month = _month(args.month)
    if args.encoding is not None and args.format != "csv":
        raise _Failed(t("documents.encoding_csv_only"))
    to_stdout = args.out == "-"
    if to_stdout and args.format == "xlsx" and sys.stdout.isatty():
        raise _Failed(tr("Excel 文件不能输出到终端，请用 --out 指定文件，或选 csv、json、md。"))
    calendar = _calendar(args)
    # The office's rule for rounding rates, as on the screen; a faulty file stops here.
    rules = load_slip_rules(default_slip_rules_path(_store_path(args)))
    settings = load_settings()  # only to pass on its notices (a rate_rounding left in it)
    if settings.problem:
        print(settings.problem, file=sys.stderr)
    given: dict[str, Any] = {
        "station_code": args.station,
        "calendar": calendar,
        "rounding": rules.rate_rounding,
        "today": args.on or date.today(),  # the month in progress counts up to today
    }
    store = _open(args, write=False)
    try:
        stats = month_stats(store, year=year, month=month, **given)
        rows = None
        if args.format == "xlsx":
            rows = trend(store, year=year, month=month, **given)
        data = export_stats(
            store,
            stats,
            fmt=args.format,
            trend_rows=rows,
            calendar=calendar,
            encoding=args.encoding or "utf-8",
        )
        paths = store.paths
    finally:
        store.close()
    if to_stdout:
        out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if out is not None:
            sys.stdout.flush()
            out.write(data)
            out.flush()
        else:  # a captured text stream
            text = data.decode(args.encoding or "utf-8-sig") if args.format != "xlsx" else ""
            sys.stdout.write(text.removeprefix("\ufeff"))
        return 0
    # --out, or exports/ beside the store; either way owner-only folders, written whole.
    name = default_name(stats, args.station.upper() if args.station else None)
    to = Path(args.out) if args.out else None
    path = write_export(paths, name, data, suffix=f".{args.format}", to=to)
    print(tr("已写入：{path}", path=path), file=sys.stderr)
    print(stats.summary, file=sys.stderr)
    return 0
