"""`grassroots import KIND FILE --station CODE` for the old ledgers (visits, slips,
hardship, media, three-threes) and `grassroots template KIND`.

The same habits as `grassroots import households` (cli/import_commands.py): the preview
is made on a read-only view of the store, nothing is written until confirmed (``--yes``
or "y" at the prompt), the preview is made again on the store as it is when writing and
must say the same, and the write is one transaction. Every failure is a Chinese message
on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from grassroots_tui.cli.import_commands import (
    EXIT_ERROR,
    EXIT_NOT_CONFIRMED,
    EXIT_OK,
    _confirmed,
    _Failed,
    _station,
    _store_path,
)
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.services.auth import PermissionDenied
from grassroots_tui.services.household_import import HOUSEHOLD_COLUMNS
from grassroots_tui.services.ledger_import import (
    LedgerPreview,
    apply_ledger,
    preview_ledger,
    read_kind,
)
from grassroots_tui.services.ledger_kinds import KINDS
from grassroots_tui.services.ledger_reader import ColumnSet, LedgerImportError
from grassroots_tui.services.ledger_template import template_bytes
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.error_log import log_folder_for, logged_note
from grassroots_tui.store.files import write_file_atomically

#: The templates `grassroots template` writes: the households' and every ledger kind's.
TEMPLATES: dict[str, ColumnSet] = {
    "households": HOUSEHOLD_COLUMNS,
    **{name: kind.columns for name, kind in KINDS.items()},
}


def _import_kinds(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of `grassroots import` (registered by cli/import_commands.py)."""
    parser = subparsers.choices["import"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("grassroots import has no kinds")  # pragma: no cover


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    kinds = _import_kinds(subparsers)
    for name, kind in KINDS.items():
        sub = kinds.add_parser(
            name,
            parents=[common],
            help=f"导入{kind.label}（.xlsx 或 .csv，中文表头；模板见 grassroots template {name}）",
            description=(
                f"导入{kind.label}：按{kind.columns.hint.removeprefix('表头应包含 ').split('，')[0]}"
                "等列逐行导入，引用的住户（户号）和工作人员（姓名）必须已在本站登记。先显示将要新增、"
                "更新和拒绝的行，确认后才一次写入；有被拒绝的行时默认不导入。同一文件再导入一次不会重复。"
            ),
        )
        sub.add_argument("file", metavar="FILE", help=f"{kind.label}文件（.xlsx 或 .csv）")
        sub.add_argument(
            "--station", required=True, metavar="CODE", help="导入到哪个群工站（站点代码，如 HL01）"
        )
        sub.add_argument("--yes", "-y", action="store_true", help="不再询问，直接导入")
        sub.add_argument(
            "--allow-rejected",
            action="store_true",
            help="有被拒绝的行时，仍导入其余各条（被拒绝的不导入）",
        )
        sub.add_argument("--actor", metavar="NAME", help="记入审计记录的操作人（默认当前用户）")
        sub.set_defaults(handler=run_import_ledger, ledger_kind=name)

    template = subparsers.add_parser(
        "template",
        parents=[common],
        help="写出台账的导入模板（.xlsx）",
        description=(
            "写出一种台账的导入模板（.xlsx）：表头、一行示例、下拉选项，"
            "另有一个工作表说明每一列怎么填。填好后用 grassroots import 导入。"
        ),
    )
    template.add_argument(
        "kind", metavar="KIND", choices=list(TEMPLATES), help="、".join(TEMPLATES)
    )
    template.add_argument(
        "--out", metavar="FILE", help="写到哪个文件（默认当前文件夹下的「台账名模板.xlsx」）"
    )
    template.add_argument("--force", action="store_true", help="文件已存在时覆盖")
    template.set_defaults(handler=run_template)


def run_import_ledger(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _Failed as failed:
        print(f"错误：{failed}", file=sys.stderr)
    except (LedgerImportError, StoreError, DocumentInvalid, PermissionDenied) as error:
        print(f"错误：{error}", file=sys.stderr)
    except OSError as error:
        print(f"错误：读写文件失败：{error.strerror or error}。", file=sys.stderr)
    except Exception as error:  # noqa: BLE001 - never a traceback for the user
        note = logged_note(error, log_folder_for(args.db), context="grassroots import")
        print(
            f"错误：导入时发生意外错误（{type(error).__name__}：{error}）。没有写入任何数据。{note}",
            file=sys.stderr,
        )
    return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    kind = KINDS[args.ledger_kind]
    ledger = read_kind(args.file, kind)
    today = date.today()
    store_path = _store_path(args)

    store = Store.open(store_path, readonly=True, create=False)
    try:
        station = _station(store, args.station)
        preview = preview_ledger(store, station["id"], ledger, kind, today)
    finally:
        store.close()

    _print_preview(preview, station.get("name") or station.get("code"), station.get("code"))
    rejected = len(preview.rejected_rows)
    if rejected and not args.allow_rejected:
        good = len(preview.adds) + len(preview.updates)
        raise _Failed(
            f"有 {rejected} 行被拒绝，本次没有导入任何数据。请改正后重新导入；"
            f"或加 --allow-rejected 只导入其余 {good} 条。"
        )
    if not preview.has_changes:
        print("没有需要写入的修改。")
        return EXIT_OK
    if not args.yes and not _confirmed():
        return EXIT_NOT_CONFIRMED
    expected = preview.signature()
    del preview

    store = Store.open(store_path, create=False)
    try:
        if store.readonly:
            raise _Failed(f"不能导入：{store.readonly_reason or '数据是只读的。'}")
        fresh = preview_ledger(store, station["id"], ledger, kind, today)
        if fresh.signature() != expected:
            raise _Failed("预览之后数据已被修改，本次没有导入任何数据。请重新运行导入命令。")
        result = apply_ledger(store, fresh, _actor(args), allow_rejected=args.allow_rejected)
    finally:
        store.close()
    print(result.summary())
    return EXIT_OK


def _print_preview(preview: LedgerPreview, name: object, code: object) -> None:
    print(f"导入「{preview.source}」（{preview.kind.label}）到 {name}（{code}）：")
    print(preview.summary())
    for warning in preview.warnings:
        print(f"提示：{warning}")
    if preview.rejected:
        print("被拒绝的行：")
        for problem in preview.rejected:
            print(f"  第 {problem.row} 行  「{problem.column}」  {problem.reason}")
    for record, _rev in preview.updates:
        print(f"  更新第 {'、'.join(str(n) for n in record.rows)} 行的记录")


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return str(args.actor)
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (containers, services)
        return "命令行导入"


def run_template(args: argparse.Namespace) -> int:
    columns = TEMPLATES[args.kind]
    out = Path(args.out) if args.out else Path(f"{columns.name}模板.xlsx")
    try:
        if out.exists() and not args.force:
            raise _Failed(
                f"文件「{out}」已存在，没有覆盖。请用 --out 换一个文件名，或加 --force 覆盖。"
            )
        if out.suffix.lower() != ".xlsx":
            raise _Failed(f"模板是 Excel 文件，文件名应以 .xlsx 结尾：「{out}」。")
        write_file_atomically(out, template_bytes(columns))
    except _Failed as failed:
        print(f"错误：{failed}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"错误：无法写入「{out}」：{error.strerror or error}。", file=sys.stderr)
        return EXIT_ERROR
    print(f"已写出{columns.name}的导入模板：{out}")
    return EXIT_OK
