"""Commands about the store itself: check, backup, restore, demo."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from grassroots_tui.cli.sign_in import SignInFailed, add_sign_in_option, sign_in
from grassroots_tui.lang import chinese, tr
from grassroots_tui.services.argument_types import count_argument, date_argument
from grassroots_tui.services.auth import PermissionDenied
from grassroots_tui.services.disclosure import UnmaskedRefused, authorize_unmasked
from grassroots_tui.store import Store
from grassroots_tui.store.restore import restore_backup


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    check = subparsers.add_parser(
        "check", parents=[common], help=tr("检查数据：逐条校验文档和审计记录链，有问题时返回非零")
    )
    check.set_defaults(handler=run_check)

    backup = subparsers.add_parser("backup", parents=[common], help=tr("把整个数据备份成一个文件"))
    backup.add_argument(
        "--to",
        metavar="PATH",
        help=tr(
            "备份文件或文件夹（默认放在数据旁的备份文件夹）；拷到别处须登录，"
            "角色获准（默认只有站长），并先记入审计记录"
        ),
    )
    backup.add_argument(
        "--plain",
        action="store_true",
        help=tr("加密的数据拷到别处时也不加密（默认加密，并把钥匙文件一起拷过去）"),
    )
    add_sign_in_option(backup)
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser(
        "restore", parents=[common], help=tr("用备份替换当前数据（当前数据会先另存一份）")
    )
    restore.add_argument("backup", metavar="BACKUP", help=tr("备份文件"))
    restore.set_defaults(handler=run_restore)

    salvage = subparsers.add_parser(
        "salvage",
        parents=[common],
        help=tr(
            "抢救损坏的数据：把所有完好的记录写成旁边的一份新数据，并报告丢失了什么（原文件不动）"
        ),
    )
    salvage.add_argument(
        "--out",
        metavar="PATH",
        help=tr("新数据的主文件（默认：原主文件旁的 …-salvaged-日期-时间.json）"),
    )
    salvage.set_defaults(handler=run_salvage)

    demo = subparsers.add_parser("demo", parents=[common], help=tr("生成一份以今天为准的演示数据"))
    demo.add_argument("--today", type=date_argument(), help=tr("演示数据的“今天”，如 2026-11-26"))
    demo.add_argument(
        "--seed",
        type=count_argument(tr("随机种子"), 0, 999_999_999),
        default=2026,
        help=tr("随机种子（默认 2026）"),
    )
    demo.add_argument("--force", action="store_true", help=tr("已有数据时先删除再生成"))
    demo.add_argument(
        "--as",
        dest="replica",
        metavar="WHO",
        help=tr(
            "这台电脑是谁的：office（街道群工办）或群工站代码（如 HL01）；"
            "默认单机（一台电脑管全部）"
        ),
    )
    demo.set_defaults(handler=run_demo)


def _check_against_hub(db: str | None) -> tuple[str | None, list[str]]:
    """On a laptop enrolled with a hub: whether its audit chain matches the hub's copy."""
    from grassroots_tui.hub.audit_check import check_chain
    from grassroots_tui.hub.config import load_config
    from grassroots_tui.hub.engines import HubConnection, HubError, HubUnavailable
    from grassroots_tui.store.paths import StorePaths, default_store_path

    main = StorePaths.for_main(db or default_store_path()).main
    try:
        config = load_config(main)
        if config is None:
            return None, []
        with HubConnection.open(config.address) as hub, Store.open(main, readonly=True) as store:
            found = check_chain(store, hub, config.replica_id)
    except HubUnavailable as error:
        return tr("没有与汇总库核对审计记录：连不上汇总库（{error}）。", error=error), []
    except HubError as error:
        return None, [tr("与汇总库核对审计记录时出错：{error}", error=error)]
    return (
        tr(
            "审计记录与汇总库核对：汇总库保存到第 {head} 条，逐条比对 {compared} 条。",
            head=found.hub_head,
            compared=found.compared,
        ),
        found.findings,
    )


def run_check(args: argparse.Namespace) -> int:
    from grassroots_tui.services.check import check_report

    store = Store.open(args.db, readonly=True)
    try:
        report = check_report(store)
        total = sum(store.count(kind) for kind in store.kinds())
    finally:
        store.close()
    findings = [str(finding) for finding in report.findings]
    for sentence in report.checked:
        print(sentence)
    hub_sentence, hub_findings = _check_against_hub(args.db)
    if hub_sentence:
        print(hub_sentence)
    findings += hub_findings
    for finding in findings:
        print(finding)
    if findings:
        print(tr("共检查 {total} 条文档，发现 {count} 个问题。", total=total, count=len(findings)))
        return 1
    print(tr("共检查 {total} 条文档，没有发现问题。", total=total))
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """A backup beside the store needs nobody signed in (and works while the program is
    open). ``--to`` takes every resident's data somewhere else, unmasked: it needs a
    sign-in of a member whose role the station allows, and is recorded in the audit
    trail first (services/disclosure.py), so the store must be writable."""
    if not args.to:
        store = Store.open(args.db, readonly=True)
        try:
            target = store.backup()
        finally:
            store.close()
        print(tr("已备份到：{target}", target=target))
        return 0
    store = Store.open(args.db, create=False)
    try:
        signed = sign_in(store, args)
        total = sum(store.count(kind) for kind in store.kinds() if kind != "audit_entry")
        sealed = store.encrypted and not args.plain
        authorize_unmasked(
            store,
            signed.actor,
            chinese("备份整个数据到别处（已加密）")  # the audit trail's words
            if sealed
            else chinese("备份整个数据（含未遮蔽的个人信息，未加密）到别处"),
            total,
            where=str(Path(args.to).resolve()),
        )
        target = store.backup(to=args.to, plain=not sealed)
    except (SignInFailed, PermissionDenied, UnmaskedRefused) as error:
        print(tr("错误：{error}", error=error), file=sys.stderr)
        return 2
    finally:
        store.close()
    print(tr("已备份到：{target}", target=target))
    if not store.encrypted:
        print(
            tr(
                "提示：这份数据没有加密，拷到别处的备份也是明文；"
                "可用 “grassroots key encrypt” 加密。"
            )
        )
    elif sealed:
        print(
            tr(
                "备份已加密；钥匙文件一起拷到了 {keys}，打开时需要站点口令或恢复密钥。",
                keys=f"{target}.keys",
            )
        )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from grassroots_tui.store.paths import default_store_path

    store_path = Path(args.db) if args.db else default_store_path()
    kept = restore_backup(store_path, args.backup)
    print(tr("已用 {backup} 恢复数据：{store}", backup=args.backup, store=store_path))
    if kept:
        print(tr("被替换的数据另存在：{kept}", kept=kept))
    return 0


def run_salvage(args: argparse.Namespace) -> int:
    """0: nothing lost; 1: the new store is written, something was lost or is doubtful;
    2 (a StoreError, printed by main): nothing could be salvaged."""
    from grassroots_tui.store.paths import default_store_path
    from grassroots_tui.store.salvage import salvage_store

    store_path = Path(args.db) if args.db else default_store_path()
    report = salvage_store(store_path, out=args.out)
    print(report.text(), end="")
    return 0 if report.complete else 1


def run_demo(args: argparse.Namespace) -> int:
    from grassroots_tui.demo import write_demo_store
    from grassroots_tui.store.paths import default_store_path

    path = Path(args.db) if args.db else default_store_path()
    summary = write_demo_store(
        path,
        today=args.today or date.today(),
        seed=args.seed,
        force=args.force,
        replica=args.replica,
    )
    print(tr("演示数据已写入：{path}", path=path))
    print(summary)
    return 0
