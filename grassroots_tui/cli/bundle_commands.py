"""USB bundles from the command line, for a station with no network:
``grassroots bundle export | import`` on the station's laptop, and ``grassroots hub
import-bundle`` at the street office (added to the ``hub`` commands by
:func:`register_hub`). What a bundle holds and how it is sealed: :mod:`grassroots_tui.hub.bundles`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from grassroots_tui.cli import hub_commands
from grassroots_tui.hub.bundles import answer_bundle, export_bundle, import_answer
from grassroots_tui.hub.config import HubConfig, load_config
from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.lang import tr
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.paths import StorePaths, default_store_path


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    bundle = subparsers.add_parser(
        "bundle", help=tr("用优盘代替网络与汇总库同步：导出上传捆包，导入街道群工办的回执")
    )
    commands = bundle.add_subparsers(dest="bundle_command", metavar=tr("命令"), required=True)

    export = commands.add_parser(
        "export",
        parents=[common],
        help=tr("把本机要上传的记录写成一个加密的捆包（带到街道群工办导入）"),
    )
    export.add_argument(
        "--to", metavar="DIR", required=True, help=tr("写到哪个文件夹（如优盘上的文件夹）")
    )
    export.set_defaults(handler=_handled(run_export))

    take = commands.add_parser(
        "import", parents=[common], help=tr("导入街道群工办写出的回执捆包（导入两次也不会出错）")
    )
    take.add_argument("file", metavar="FILE", help=tr("回执捆包文件"))
    take.set_defaults(handler=_handled(run_import))


def register_hub(commands: argparse._SubParsersAction) -> None:
    """Add ``import-bundle`` to the ``hub`` commands (called by hub_commands.register)."""
    imp = commands.add_parser(
        "import-bundle",
        help=tr("导入群工站用优盘带来的上传捆包，并写出给它的回执捆包"),
    )
    # dest "bundle": the hub's own --file (an SQLite hub) is args.file
    imp.add_argument("bundle", metavar="FILE", help=tr("群工站的上传捆包文件"))
    hub_commands._address_arguments(imp)
    imp.add_argument(
        "--out", metavar="DIR", help=tr("回执捆包写到哪个文件夹（默认与上传捆包放在一起）")
    )
    imp.set_defaults(handler=hub_commands._guarded(run_import_bundle))


def _handled(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a station's bundle command: a refused bundle is one line, exit code 2."""

    def handler(args: argparse.Namespace) -> int:
        try:
            return int(run(args))
        except HubError as error:
            print(tr("错误：{error}", error=error), file=sys.stderr)
            return 2

    return handler


def _station(args: argparse.Namespace) -> tuple[Path, HubConfig]:
    main = StorePaths.for_main(args.db or default_store_path()).main
    config = load_config(main)
    if config is None:
        raise HubError(
            tr(
                "这台电脑还没有登记到汇总库：请街道群工办运行 grassroots hub enroll 登记本机"
                "（登记后才有加密捆包的密钥）。"
            )
        )
    return main, config


def _open(main: Path) -> Store:
    store = Store.open(main)
    if store.readonly:
        reason = store.readonly_reason
        store.close()
        raise StoreError(tr("不能处理捆包：{reason}", reason=reason))
    return store


def run_export(args: argparse.Namespace) -> int:
    main, config = _station(args)
    store = _open(main)
    try:
        done = export_bundle(store, config, args.to)
    finally:
        store.close()
    print(
        tr(
            "已写出上传捆包：{path}（记录 {documents} 条、审计记录 {audit} 条，"
            "已用本机密钥加密）。请把它带到街道群工办导入，再把回执捆包带回本机导入。",
            path=done.path,
            documents=done.documents,
            audit=done.audit,
        )
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    main, config = _station(args)
    store = _open(main)
    try:
        done = import_answer(store, config, args.file)
    finally:
        store.close()
    name = Path(args.file).name
    if done.skipped is not None:
        print(tr("回执 {name}：{skipped}，本机数据没有改动。", name=name, skipped=done.skipped))
        return 0
    report = done.report
    print(tr("已导入回执 {name}：{summary}。", name=name, summary=report.summary()))
    if report.conflicts:
        print(
            tr(
                "有 {count} 个冲突等待处理（在程序的“冲突”页面选择保留哪个版本）。",
                count=len(report.conflicts),
            )
        )
        return 1
    return 0


def run_import_bundle(args: argparse.Namespace) -> int:
    address = hub_commands._address(args)
    with HubConnection.open(address) as hub:
        done = answer_bundle(hub, args.bundle, args.out)
    report, v = done.report, done.report.verdicts
    text = tr(
        "已导入 {bundle}（{scope}）：上传 {pushed} 条（新增 {new}、相同 {same}、接受 {accepted}、"
        "冲突 {conflict}），回执中带回 {pulled} 条记录",
        bundle=Path(args.bundle).name,
        scope=done.scope,
        pushed=report.pushed,
        new=v["new"],
        same=v["same"],
        accepted=v["accepted"],
        conflict=v["conflict"],
        pulled=report.pulled,
    )
    if report.forks:
        text += tr("；发现审计记录分叉 {forks} 处（已记录）", forks=report.forks)
    print(tr("{text}。回执捆包已写出：{path}，请带回群工站导入。", text=text, path=done.path))
    return 0
