"""`grassroots import KIND FILE --station CODE` for the old ledgers (visits, slips,
hardship, media, three-threes) and `grassroots template KIND`.

The same steps as `grassroots import households` (:func:`.import_commands.run_import`):
the preview is made on a read-only view of the store, nothing is written until confirmed
(``--yes`` or "y" at the prompt), writing needs a sign-in of a member who may import,
the preview is made again on the store as it is when writing and must say the same, and
the write is one transaction. Every failure is a message (in the interface language) on stderr and exit
code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from grassroots_tui.cli.import_commands import (
    EXIT_ERROR,
    EXIT_OK,
    ImportSteps,
    _Failed,
    add_import_options,
    print_preview,
    run_import,
    station_label,
    terminal_progress,
)
from grassroots_tui.lang import tr
from grassroots_tui.services.household_import import HOUSEHOLD_COLUMNS
from grassroots_tui.services.ledger_import import (
    LedgerPreview,
    apply_ledger,
    preview_ledger,
    read_kind,
)
from grassroots_tui.services.ledger_kinds import KINDS
from grassroots_tui.services.ledger_reader import ColumnSet, Ledger
from grassroots_tui.services.ledger_template import template_bytes
from grassroots_tui.store.files import write_file_atomically

#: The templates `grassroots template` writes: the households' and every ledger kind's.
TEMPLATES: dict[str, ColumnSet] = {
    "households": HOUSEHOLD_COLUMNS,
    **{name: kind.columns for name, kind in KINDS.items()},
}


def ledger_name(kind: str) -> str:
    """The name of the ledger ``kind`` ("visits") in the interface language."""
    names = {
        "households": tr("住户台账"),
        "visits": tr("走访台账"),
        "slips": tr("交办单台账"),
        "hardship": tr("困难帮扶台账"),
        "media": tr("媒体报道台账"),
        "three-threes": tr("三三工作法台账"),
    }
    return names.get(kind) or TEMPLATES[kind].name


def _import_kinds(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of `grassroots import` (registered by cli/import_commands.py)."""
    parser = subparsers.choices["import"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("grassroots import has no kinds")  # pragma: no cover


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    kinds = _import_kinds(subparsers)
    for name in KINDS:
        sub = kinds.add_parser(
            name,
            parents=[common],
            help=tr(
                "导入{ledger}（.xlsx 或 .csv，中文表头；模板见 grassroots template {name}）",
                ledger=ledger_name(name),
                name=name,
            ),
            description=tr(
                "导入{ledger}：逐行导入，引用的住户（户号）和工作人员（姓名）必须已在本站登记。"
                "先显示将要新增、更新和拒绝的行，确认后才一次写入；有被拒绝的行时默认不导入。"
                "同一文件再导入一次不会重复。",
                ledger=ledger_name(name),
            ),
        )
        sub.add_argument(
            "file",
            metavar="FILE",
            help=tr("{ledger}文件（.xlsx 或 .csv）", ledger=ledger_name(name)),
        )
        add_import_options(sub)
        sub.set_defaults(handler=run_import_ledger, ledger_kind=name)

    template = subparsers.add_parser(
        "template",
        parents=[common],
        help=tr("写出台账的导入模板（.xlsx）"),
        description=(
            tr(
                "写出一种台账的导入模板（.xlsx）：表头、一行示例、下拉选项，"
                "另有一个工作表说明每一列怎么填。填好后用 grassroots import 导入。"
            )
        ),
    )
    template.add_argument(
        "kind", metavar="KIND", choices=list(TEMPLATES), help=tr("、").join(TEMPLATES)
    )
    template.add_argument(
        "--out", metavar="FILE", help=tr("写到哪个文件（默认当前文件夹下的「台账名模板.xlsx」）")
    )
    template.add_argument("--force", action="store_true", help=tr("文件已存在时覆盖"))
    template.set_defaults(handler=run_template, opens_store=False)


def run_import_ledger(args: argparse.Namespace) -> int:
    kind = KINDS[args.ledger_kind]
    return run_import(
        args,
        ImportSteps(
            context=f"grassroots import {kind.name}",
            unit=tr("条"),
            read=lambda: read_kind(args.file, kind, terminal_progress()),
            preview=lambda store, station_id, ledger, today: preview_ledger(
                store, station_id, ledger, kind, today
            ),
            show=_print_preview,
            signature=LedgerPreview.signature,
            apply=lambda store, preview, actor, allow: apply_ledger(
                store, preview, actor, allow_rejected=allow
            ),
        ),
    )


def _print_preview(_ledger: Ledger, station: dict[str, Any], preview: LedgerPreview) -> None:
    title = tr(
        "导入「{source}」（{ledger}）到 {station}：",
        source=preview.source,
        ledger=ledger_name(preview.kind.name),
        station=station_label(station),
    )
    updates = [
        tr("更新第 {rows} 行的记录", rows=tr("、").join(map(str, r.rows)))
        for r, _rev in preview.updates
    ]
    print_preview(title, preview, updates)


def run_template(args: argparse.Namespace) -> int:
    columns = TEMPLATES[args.kind]
    out = (
        Path(args.out) if args.out else Path(tr("{ledger}模板.xlsx", ledger=ledger_name(args.kind)))
    )
    try:
        if out.exists() and not args.force:
            raise _Failed(
                tr(
                    "文件「{file}」已存在，没有覆盖。请用 --out 换一个文件名，或加 --force 覆盖。",
                    file=out,
                )
            )
        if out.suffix.lower() != ".xlsx":
            raise _Failed(tr("模板是 Excel 文件，文件名应以 .xlsx 结尾：「{file}」。", file=out))
        write_file_atomically(out, template_bytes(columns))
    except _Failed as failed:
        print(tr("错误：{error}", error=failed), file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(
            tr("错误：无法写入「{file}」：{reason}。", file=out, reason=error.strerror or error),
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(tr("已写出{ledger}的导入模板：{file}", ledger=ledger_name(args.kind), file=out))
    return EXIT_OK
