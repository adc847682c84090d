"""`grassroots import households FILE --station CODE`: import a household ledger.

Reads the file, shows what would change (the preview is made on a read-only view of the
store, so looking writes nothing), and writes only when confirmed: with ``--yes``, or by
answering "y" at the prompt. Without a terminal to ask on and without ``--yes`` nothing
is written. Writing needs a sign-in (:mod:`grassroots_tui.cli.sign_in`: ``--user`` or
GRASSROOTS_USER, and the PIN) of a member whose role may import (the head); the audit
trail names that person. Every failure is a message (in the interface language) on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from grassroots_tui.cli.sign_in import SignInFailed, add_sign_in_option, sign_in
from grassroots_tui.lang import language, tr
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.services.auth import PermissionDenied
from grassroots_tui.services.household_import import (
    ImportPreview,
    Ledger,
    apply_import,
    preview_import,
    read_ledger,
)
from grassroots_tui.services.ledger_reader import LedgerImportError, Progress
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.error_log import log_folder_for, logged_note

#: Exit codes: written (or nothing to write), not confirmed, error.
EXIT_OK = 0
EXIT_NOT_CONFIRMED = 1
EXIT_ERROR = 2

_FIELD_LABELS = {
    "household_no": "户号",
    "head_of_household": "户主姓名",
    "id_number": "身份证号",
    "phone": "联系电话",
    "address": "地址",
    "grid": "网格",
    "people": "人口数",
    "tags": "标签",
    "building": "楼栋",
    "unit": "单元",
    "door": "门牌号",
    "group": "村民小组",
    "registered_on": "登记日期",
    "note": "备注",
}


def _field_label(field: str) -> str:
    """A household field as the preview names it: the ledger's column header in Chinese,
    the field's title in English."""
    if language() == "zh":
        return _FIELD_LABELS.get(field, field)
    from grassroots_tui.models.household import Household

    info = Household.model_fields.get(field)
    return tr(info.title) if info is not None and info.title else field


class _Failed(Exception):
    """A reason to stop, already worded for the user."""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    imp = subparsers.add_parser(
        "import", help=tr("从表格导入台账（住户、走访、交办单、困难帮扶、媒体报道、三三工作法）")
    )
    kinds = imp.add_subparsers(dest="import_kind", metavar=tr("类型"))
    kinds.required = True
    households = kinds.add_parser(
        "households",
        parents=[common],
        help=tr("导入住户台账（.xlsx 或 .csv，中文表头）"),
        description=(
            tr(
                "导入住户台账：按户号新增或更新住户。先显示将要做的修改，确认后才写入；"
                "有被拒绝的行时默认不导入。"
            )
        ),
    )
    households.add_argument("file", metavar="FILE", help=tr("住户台账文件（.xlsx 或 .csv）"))
    add_import_options(households)
    households.set_defaults(handler=run_import_households)


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """The options every `grassroots import KIND FILE` takes: the station, --yes,
    --allow-rejected and the sign-in's."""
    parser.add_argument(
        "--station", required=True, metavar="CODE", help=tr("导入到哪个群工站（站点代码，如 HL01）")
    )
    parser.add_argument("--yes", "-y", action="store_true", help=tr("不再询问，直接导入"))
    parser.add_argument(
        "--allow-rejected",
        action="store_true",
        help=tr("有被拒绝的行时，仍导入其余各行（被拒绝的行不导入）"),
    )
    add_sign_in_option(parser)


@dataclass(frozen=True)
class ImportSteps:
    """What one kind of import does at each step of :func:`run_import` (the households'
    here, the other ledgers' in cli/ledger_commands.py); the steps' order, the two
    previews, the confirmation, the sign-in and the refusals are the same for all."""

    #: Names the command in the error log ("grassroots import households").
    context: str
    #: What a record is counted in: "户", "条".
    unit: str
    read: Callable[[], Any]
    #: (store, station id, the ledger read, today) → a preview
    preview: Callable[[Store, str, Any, date], Any]
    #: (the ledger read, the station, the preview) → prints it
    show: Callable[[Any, dict[str, Any], Any], None]
    #: the preview → what it would write, to tell whether the store changed since
    signature: Callable[[Any], Any]
    #: (store, preview, actor, allow_rejected) → a result with ``summary()``
    apply: Callable[[Store, Any, str, bool], Any]


def run_import_households(args: argparse.Namespace) -> int:
    return run_import(
        args,
        ImportSteps(
            context="grassroots import households",
            unit=tr("户"),
            read=lambda: read_ledger(args.file, terminal_progress()),
            preview=lambda store, station_id, ledger, today: preview_import(
                store.raw("household"), station_id, ledger, today
            ),
            show=_print_preview,
            signature=_signature,
            apply=lambda store, preview, actor, allow: apply_import(
                store, preview, actor, allow_rejected=allow
            ),
        ),
    )


def terminal_progress(stream: TextIO | None = None) -> Progress | None:
    """The line of the file read so far (the header is line 1), on one line of the
    terminal (standard error), at most twice a second and when done; None when standard error is not a terminal (a script's log
    gets no progress lines)."""
    out = stream or sys.stderr
    if not out.isatty():
        return None
    shown = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - shown[0] < 0.5:
            return
        shown[0] = now
        end = "\n" if done >= total else ""
        print(
            "\r" + tr("读取台账：第 {done:,} 行，共 {total:,} 行", done=done, total=total),
            end=end,
            file=out,
            flush=True,
        )

    return show


def run_import(args: argparse.Namespace, steps: ImportSteps) -> int:
    """Import ``args.file`` into the station ``args.station`` by ``steps``; the exit code."""
    try:
        return _run(args, steps)
    except _Failed as failed:
        print(tr("错误：{error}", error=failed), file=sys.stderr)
    except (
        LedgerImportError,
        StoreError,
        DocumentInvalid,
        SignInFailed,
        PermissionDenied,
    ) as error:
        print(tr("错误：{error}", error=error), file=sys.stderr)
    except OSError as error:
        print(tr("错误：读写文件失败：{reason}。", reason=error.strerror or error), file=sys.stderr)
    except Exception as error:  # noqa: BLE001 - never a traceback for the user
        note = logged_note(error, log_folder_for(args.db), context=steps.context)
        print(
            tr(
                "错误：导入时发生意外错误（{kind}：{error}）。没有写入任何数据。{note}",
                kind=type(error).__name__,
                error=error,
                note=note,
            ),
            file=sys.stderr,
        )
    return EXIT_ERROR


def _run(args: argparse.Namespace, steps: ImportSteps) -> int:
    ledger = steps.read()
    today = date.today()
    store_path = _store_path(args)

    # Look first, on a read-only view: nothing is written while the user decides.
    store = Store.open(store_path, readonly=True, create=False)
    try:
        station = _station(store, args.station)
        preview = steps.preview(store, station["id"], ledger, today)
    finally:
        store.close()

    steps.show(ledger, station, preview)
    rejected = len(preview.rejected_rows)
    if rejected and not args.allow_rejected:
        good = len(preview.adds) + len(preview.updates)
        raise _Failed(
            tr(
                "有 {rejected} 行被拒绝，本次没有导入任何数据。请改正后重新导入；"
                "或加 --allow-rejected 只导入其余 {good} {unit}。",
                rejected=rejected,
                good=good,
                unit=steps.unit,
            )
        )
    if not preview.has_changes:
        print(tr("没有需要写入的修改。"))
        return EXIT_OK
    if not args.yes and not _confirmed():
        return EXIT_NOT_CONFIRMED
    # Only its signature is needed from here: let its documents go before the second
    # preview makes them again (at 50,000 rows each preview holds about 100 MB).
    expected = steps.signature(preview)
    del preview

    # No daily backup on this open: a refused sign-in must leave the folder as it was.
    store = Store.open(store_path, create=False, daily_backup=False)
    try:
        if store.readonly:
            raise _Failed(
                tr("不能导入：{reason}", reason=store.readonly_reason or tr("数据是只读的。"))
            )
        actor = sign_in(store, args, action="household.import").actor
        # The store may have changed since the preview: make it again, on what is there now.
        fresh = steps.preview(store, station["id"], ledger, today)
        if steps.signature(fresh) != expected:
            raise _Failed(tr("预览之后数据已被修改，本次没有导入任何数据。请重新运行导入命令。"))
        result = steps.apply(store, fresh, actor, args.allow_rejected)
    finally:
        store.close()
    print(result.summary())
    return EXIT_OK


def _signature(preview: ImportPreview) -> tuple:
    return (
        [h.household_no for h in preview.adds],
        [(h.id, h.rev, sorted(changes)) for h, changes in preview.updates],
        preview.unchanged,
        preview.rejected,
    )


def _store_path(args: argparse.Namespace) -> Path:
    from grassroots_tui.store.paths import default_store_path

    return Path(args.db) if args.db else default_store_path()


def _station(store: Store, code: str) -> dict[str, Any]:
    wanted = code.strip().upper()
    stations = store.raw("station")
    for station in stations:
        if str(station.get("code", "")).upper() == wanted:
            return station
    codes = sorted(str(s.get("code", "")) for s in stations if s.get("code"))
    if codes:
        raise _Failed(
            tr(
                "找不到站点代码「{code}」。现有的站点代码：{codes}。",
                code=code,
                codes=tr("、").join(codes),
            )
        )
    raise _Failed(tr("找不到站点代码「{code}」：数据中还没有任何群工站。", code=code))


def _print_preview(ledger: Ledger, station: dict[str, Any], preview: ImportPreview) -> None:
    updates = [
        tr(
            "更新 {household}：{fields}",
            household=household.household_no,
            fields=tr("、").join(_field_label(f) for f in changes),
        )
        for household, changes in preview.updates
    ]
    print_preview(
        tr("导入「{source}」到 {station}：", source=ledger.source, station=station_label(station)),
        preview,
        updates,
    )


def station_label(station: dict[str, Any]) -> str:
    """ "湘龙街道HL01群众工作站（HL01）"."""
    return tr(
        "{name}（{code}）",
        name=station.get("name") or station.get("code"),
        code=station.get("code"),
    )


def print_preview(title: str, preview: Any, updates: list[str]) -> None:
    """A preview as the command line shows it: ``title``, the summary, the warnings,
    every refused row (row, column, reason), then ``updates`` a line each."""
    print(title)
    print(preview.summary())
    for warning in preview.warnings:
        print(tr("提示：{warning}", warning=warning))
    if preview.rejected:
        print(tr("被拒绝的行："))
        for problem in preview.rejected:
            print(
                tr(
                    "  第 {row} 行  「{column}」  {reason}",
                    row=problem.row,
                    column=problem.column,
                    reason=problem.reason,
                )
            )
    for line in updates:
        print(f"  {line}")


def _confirmed() -> bool:
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        print(
            tr("未写入任何数据：没有可以确认的终端。核对无误后，加 --yes 重新运行即可导入。"),
            file=sys.stderr,
        )
        return False
    try:
        answer = input(tr("确认导入？[y/N] "))
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes", "是", "确认"):
        return True
    print(tr("已取消，未写入任何数据。"))
    return False
