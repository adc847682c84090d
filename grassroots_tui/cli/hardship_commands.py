"""`grassroots hardship …`: reviews and call-backs due, and the festival rounds (送温暖).

    grassroots hardship due [--on 2026-12-01] [--station HL01] [--within 14] [--json]
    grassroots hardship round list [--station HL01] [--json]
    grassroots hardship round export 2027年春节慰问 [--station HL01] [--out FILE]
                                     [--format csv|md] [--encoding utf-8|gb18030]
                                     [--unmasked [--user NAME]]

Residents' names and phone numbers are masked; ``--unmasked`` (round export only) shows
them whole to a signed-in member whose role the station allows (the head by default;
:mod:`grassroots_tui.cli.sign_in`), and is first recorded in the audit trail under that
person, so it needs the store open for writing. A CSV file is written as UTF-8 with BOM,
or GB18030 with ``--encoding gb18030``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from grassroots_tui.cli.sign_in import add_sign_in_option, sign_in
from grassroots_tui.cli.slip_commands import _cell, _day, _Failed, _guarded, _open
from grassroots_tui.lang import chinese, language, tr
from grassroots_tui.models import HardshipTier
from grassroots_tui.services.argument_types import date_argument, days_argument
from grassroots_tui.services.condolence import (
    encode_export,
    export_round,
    find_round,
    round_progress,
)
from grassroots_tui.services.hardship import DueItem, due_items
from grassroots_tui.services.masking import Masker
from grassroots_tui.store import Store
from grassroots_tui.store.files import make_private_folder, write_file_atomically


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    hardship = subparsers.add_parser("hardship", help=tr("困难帮扶：待复核、待回访，送温暖名单"))
    commands = hardship.add_subparsers(dest="hardship_command", metavar=tr("命令"))
    commands.required = True

    due = commands.add_parser(
        "due",
        parents=[common],
        help=tr("到期和超期的复核、脱困回访，超期最久的在前（姓名遮蔽）"),
    )
    due.add_argument(
        "--on",
        type=date_argument(),
        metavar="DATE",
        help=tr("按哪一天看（默认今天），如 2026-12-01"),
    )
    due.add_argument("--station", metavar="CODE", help=tr("只看某个群工站（站点代码，如 HL01）"))
    due.add_argument(
        "--within",
        type=days_argument(),
        default=14,
        metavar="N",
        help=tr("列出几天内到期的（默认 14，最多 365）"),
    )
    due.add_argument("--json", action="store_true", help=tr("输出 JSON"))
    due.set_defaults(handler=run_due)

    rounds = commands.add_parser("round", help=tr("送温暖：列出活动、导出慰问名单"))
    round_commands = rounds.add_subparsers(dest="round_command", metavar=tr("命令"))
    round_commands.required = True

    listing = round_commands.add_parser("list", parents=[common], help=tr("列出送温暖活动及进度"))
    listing.add_argument("--station", metavar="CODE", help=tr("只看某个群工站（站点代码）"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON"))
    listing.set_defaults(handler=run_round_list)

    export = round_commands.add_parser(
        "export",
        parents=[common],
        help=tr("导出慰问名单（CSV 或 Markdown，个人信息默认遮蔽）"),
        description=tr(
            "导出送温暖慰问名单。个人信息默认遮蔽；--unmasked 输出完整信息，并记入审计记录。"
        ),
    )
    export.add_argument("round", metavar="ROUND", help=tr("活动名称（如 2027年春节慰问）或编号"))
    export.add_argument("--station", metavar="CODE", help=tr("名称在几个站重复时，指定站点代码"))
    export.add_argument(
        "--out", metavar="FILE", help=tr("写入文件（默认输出到屏幕；“-”为标准输出，可接管道）")
    )
    export.add_argument(
        "--format", choices=["csv", "md"], default="csv", help=tr("格式：csv（默认）或 md")
    )
    export.add_argument(
        "--encoding",
        choices=["utf-8", "gb18030"],
        default="utf-8",
        help=tr("CSV 写入文件时的编码：utf-8（默认，带 BOM）或 gb18030（较旧的系统）"),
    )
    export.add_argument(
        "--unmasked", action="store_true", help=tr("不遮蔽姓名和电话（记入审计记录）")
    )
    add_sign_in_option(export)
    export.set_defaults(handler=run_round_export)


# -- shared ----------------------------------------------------------------------------------


def _station_id(store: Store, code: str | None) -> str | None:
    if not code:
        return None
    wanted = code.strip().upper()
    for station in store.raw("station"):
        if station["id"] == code or str(station.get("code", "")).upper() == wanted:
            return station["id"]
    codes = tr("、").join(sorted(str(s.get("code", "")) for s in store.raw("station"))) or tr("无")
    raise _Failed(tr("没有站点代码为“{code}”的群工站（现有：{codes}）。", code=code, codes=codes))


def _state_text(item: DueItem, today: date) -> str:
    if item.days_overdue > 0:
        return tr("超期{days}天", days=item.days_overdue)
    if item.due == today:
        return tr("今日到期")
    return tr("{days}天后到期", days=item.days_left(today))


def due_rows(store: Store, items: list[DueItem], today: date) -> list[dict[str, Any]]:
    """The due items as JSON-ready dicts, names masked."""
    masker = Masker()
    homes = {h["id"]: h for h in store.raw("household")}
    stations = {s["id"]: s for s in store.raw("station")}
    staff = {s["id"]: s.get("name", "") for s in store.raw("staff")}
    rows = []
    for item in items:
        case = store.get_raw("hardship_case", item.case_id) or {}
        home = homes.get(item.household_id, {})
        tier = HardshipTier(case["tier"]) if case.get("tier") else None
        rows.append(
            {
                "case_id": item.case_id,
                "household_id": item.household_id,
                "household_no": home.get("household_no", ""),
                "head_of_household": masker.name(home.get("head_of_household")),
                "station": stations.get(case.get("station_id"), {}).get("code", ""),
                "tier": tier.value if tier else None,
                "tier_label": tr(tier.label) if tier else "",
                "paired_cadre": staff.get(case.get("paired_cadre"), case.get("paired_cadre")),
                "what": item.what,
                "what_label": tr("复核") if item.what == "review" else tr("脱困回访"),
                "due": item.due.isoformat(),
                "days_overdue": item.days_overdue,
                "days_left": item.days_left(today),
                "state": _state_text(item, today),
            }
        )
    return rows


def _due_columns() -> tuple[tuple[str, int], ...]:
    """The due table's columns: heading, width (a CJK character counts two; English words
    are longer than the Chinese)."""
    chinese = language() == "zh"
    return (
        (tr("事项"), 8 if chinese else 9),
        (tr("站点"), 6 if chinese else 7),
        (tr("户号"), 12 if chinese else 16),
        (tr("户主"), 8 if chinese else 17),
        (tr("等级"), 8 if chinese else 22),
        (tr("帮扶责任人"), 10 if chinese else 15),
        (tr("应办日期"), 10),
        (tr("状态"), 12 if chinese else 20),
    )


_DUE_KEYS = (
    "what_label",
    "station",
    "household_no",
    "head_of_household",
    "tier_label",
    "paired_cadre",
    "due",
    "state",
)


def _due_table(rows: list[dict[str, Any]], today: date, within: int) -> str:
    overdue = sum(1 for r in rows if r["days_overdue"] > 0)
    columns = _due_columns()
    lines = [
        tr(
            "{today} 困难帮扶待办：超期 {overdue} · {within} 天内到期 {due}",
            today=today.isoformat(),
            overdue=overdue,
            within=within,
            due=len(rows) - overdue,
        )
    ]
    if not rows:
        lines.append(tr("没有到期或超期的复核和脱困回访。"))
        return "\n".join(lines) + "\n"
    lines.append("  ".join(_cell(name, width) for name, width in columns).rstrip())
    lines.append("  ".join("-" * width for _, width in columns))
    for row in rows:
        cells = (str(row[key] or "") for key in _DUE_KEYS)
        lines.append(
            "  ".join(_cell(v, w) for v, (_, w) in zip(cells, columns, strict=True)).rstrip()
        )
    return "\n".join(lines) + "\n"


# -- due -------------------------------------------------------------------------------------


@_guarded
def run_due(args: argparse.Namespace) -> int:
    """Reviews and call-backs due or overdue, as a table or JSON."""
    day = _day(args.on, tr("日期"))
    if args.within < 0:
        raise _Failed(tr("天数不能为负数。"))
    store = _open(args, write=False)
    try:
        station_id = _station_id(store, args.station)
        items = due_items(store, today=day, station_id=station_id, within_days=args.within)
        rows = due_rows(store, items, day)
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(_due_table(rows, day, args.within))
    return 0


# -- rounds ----------------------------------------------------------------------------------


@_guarded
def run_round_list(args: argparse.Namespace) -> int:
    """The rounds with their progress, newest first."""
    store = _open(args, write=False)
    try:
        station_id = _station_id(store, args.station)
        codes = {s["id"]: s.get("code", "") for s in store.raw("station")}
        rounds = [
            r
            for r in store.iter("condolence_round")
            if station_id is None or r.station_id == station_id
        ]
    finally:
        store.close()
    rounds.sort(key=lambda r: (r.started_on, r.title), reverse=True)  # type: ignore[attr-defined]
    rows = []
    for r in rounds:
        done, total, percent = round_progress(r)  # type: ignore[arg-type]
        rows.append(
            {
                "id": r.id,
                "title": r.title,  # type: ignore[attr-defined]
                "station": codes.get(r.station_id, ""),
                "started_on": r.started_on.isoformat(),  # type: ignore[attr-defined]
                "tier": r.tier.value if r.tier else None,  # type: ignore[attr-defined]
                "done": done,
                "total": total,
                "percent": str(percent),
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(tr("还没有送温暖活动。"))
        return 0
    for row in rows:
        print(
            f"{row['started_on']}  {row['station']:<6}  {row['title']}  "
            + tr(
                "已慰问 {done}/{total} 户（{percent}%）",
                done=row["done"],
                total=row["total"],
                percent=row["percent"],
            )
        )
    return 0


@_guarded
def run_round_export(args: argparse.Namespace) -> int:
    """A round's checklist as CSV or Markdown; ``--out -`` (or no --out) is stdout."""
    if args.out == "-":  # the usual name of standard output, not a file called "-"
        args.out = None
    store = _open(args, write=args.unmasked)
    try:
        station_id = _station_id(store, args.station)
        found = find_round(store, args.round, station_id=station_id)
        actor = sign_in(store, args).actor if args.unmasked else None
        text = export_round(
            store,
            found.id,
            fmt=args.format,
            unmasked=args.unmasked,
            actor=actor,
            where=str(Path(args.out).resolve()) if args.out else chinese("屏幕"),  # audit trail
        )
    finally:
        store.close()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    path = Path(args.out)
    make_private_folder(path.parent)  # 0700, the folders it makes on the way too
    write_file_atomically(path, encode_export(text, args.format, args.encoding))
    print(tr("已写入：{path}", path=path), file=sys.stderr)
    return 0
