"""The hub commands: ``grassroots hub init | enroll | status | new-epoch`` (at the street
office) and ``grassroots sync`` (on a laptop enrolled with the hub)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import orjson

from grassroots_tui.cli import bundle_commands
from grassroots_tui.hub.config import HubConfig, config_path, load_config, save_config
from grassroots_tui.hub.engines import HubAddress, HubConnection, HubError, HubUnavailable
from grassroots_tui.hub.replicas import enroll, list_replicas
from grassroots_tui.hub.schema import hub_meta, init_hub, new_epoch
from grassroots_tui.hub.sync import sync
from grassroots_tui.lang import tr
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.paths import StorePaths, default_store_path

#: Exit code of a sync that could not reach the hub (nothing changed; run it again later).
EXIT_OFFLINE = 3


def _address_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--dsn", metavar="URL", help=tr("PostgreSQL 汇总库：postgresql://用户@主机/库名")
    )
    where.add_argument("--file", metavar="PATH", help=tr("SQLite 汇总库文件（没有服务器的街道用）"))


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    hub = subparsers.add_parser("hub", help=tr("街道群工办的汇总库：建库、登记电脑、查看状态"))
    commands = hub.add_subparsers(dest="hub_command", metavar=tr("命令"), required=True)

    init = commands.add_parser("init", help=tr("建立汇总库（已建好的不会改动）"))
    _address_arguments(init)
    init.set_defaults(handler=_guarded(run_init), opens_store=False)

    enroll = commands.add_parser(
        "enroll", parents=[common], help=tr("登记一台电脑：给它汇总库里的身份和密钥")
    )
    _address_arguments(enroll)
    who = enroll.add_mutually_exclusive_group(required=True)
    who.add_argument("--station", metavar="CODE", help=tr("群工站代码（如 HL01）或编号"))
    who.add_argument("--office", action="store_true", help=tr("街道群工办的电脑"))
    enroll.add_argument("--by", metavar="NAME", default="管理员", help=tr("登记人（记入汇总库）"))
    enroll.set_defaults(handler=_guarded(run_enroll))

    status = commands.add_parser("status", help=tr("汇总库状态：各台电脑、最近上传、冲突、分叉"))
    _address_arguments(status)
    status.set_defaults(handler=_guarded(run_status))

    epoch = commands.add_parser(
        "new-epoch", help=tr("汇总库从备份恢复后运行：各台电脑下次同步时从头核对")
    )
    _address_arguments(epoch)
    epoch.set_defaults(handler=_guarded(run_new_epoch))
    bundle_commands.register_hub(commands)

    sync_cmd = subparsers.add_parser(
        "sync", parents=[common], help=tr("与汇总库同步：上传本机填写的，下载发给本机的")
    )
    sync_cmd.set_defaults(handler=_guarded(run_sync, offline=True))


def _guarded(
    run: Callable[[argparse.Namespace], int], *, offline: bool = False
) -> Callable[[argparse.Namespace], int]:
    """The hub's errors as one line. ``offline``: a laptop's sync, for which an
    unreachable hub is a normal day (exit 3, nothing changed); for the office's commands
    it is an error (exit 2)."""

    def handler(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except HubUnavailable as error:
            if not offline:
                print(tr("错误：{error}", error=error), file=sys.stderr)
                return 2
            print(
                tr("离线：{error}（本机数据没有改动，稍后再同步即可）", error=error),
                file=sys.stderr,
            )
            return EXIT_OFFLINE
        except HubError as error:
            print(tr("错误：{error}", error=error), file=sys.stderr)
            return 2

    return handler


def _address(args: argparse.Namespace) -> HubAddress:
    return HubAddress.parse(dsn=args.dsn, file=args.file)


def run_init(args: argparse.Namespace) -> int:
    address = _address(args)
    with HubConnection.open(address, create=True) as hub:
        meta = init_hub(hub)
    print(
        tr(
            "汇总库已就绪：{hub}（结构版本 {version}）。",
            hub=address.shown,
            version=meta["schema_version"],
        )
    )
    return 0


def _station_id(store: Store, code: str) -> str:
    """The id of the station with ``code`` (or that id itself), from the laptop's store."""
    for station in store.raw("station"):
        if code in (station.get("code"), station.get("id")):
            return str(station["id"])
    known = tr("、").join(str(s.get("code")) for s in store.raw("station"))
    if not known:
        raise StoreError(
            tr("本机数据中没有代码为“{code}”的群工站（本机还没有群工站）。", code=code)
        )
    raise StoreError(
        tr("本机数据中没有代码为“{code}”的群工站（有：{known}）。", code=code, known=known)
    )


def run_enroll(args: argparse.Namespace) -> int:
    address = _address(args)
    main = StorePaths.for_main(args.db or default_store_path()).main
    store = Store.open(main, daily_backup=False)
    try:
        scope = "office" if args.office else f"station:{_station_id(store, args.station)}"
        current = store.scope
        if current not in ("standalone", scope):
            raise StoreError(
                tr(
                    "这份数据已登记为{label}（{current}），不能再登记为 {scope}。",
                    label=store.replica.label,
                    current=current,
                    scope=scope,
                )
            )
        if load_config(main) is not None:
            raise HubError(
                tr(
                    "这台电脑已登记过汇总库（{config}）。要换一台汇总库，先移走这个文件。",
                    config=config_path(main),
                )
            )
        with HubConnection.open(address) as hub:
            enrolment = enroll(hub, scope, by=args.by)
        replica, login = enrolment.replica, enrolment.login
        if current != scope:
            store.enroll(scope, args.by)
        # On PostgreSQL the laptop keeps its own role's DSN, never the admin's.
        saved = save_config(
            main, HubConfig(address.engine, enrolment.target, replica.id, scope, enrolment.key)
        )
        label = store.replica.label
    finally:
        store.close()
    if login is None:
        done = tr(
            "已登记：{label}，本机在汇总库中的编号 {replica}。设置已写入 {saved}（仅本人可读）。",
            label=label,
            replica=replica.id,
            saved=saved,
        )
    else:
        done = tr(
            "已登记：{label}，本机在汇总库中的编号 {replica}，以汇总库角色 {role} 连接。"
            "设置已写入 {saved}（仅本人可读）。",
            label=label,
            replica=replica.id,
            role=login.role,
            saved=saved,
        )
    print(done)
    return 0


def run_status(args: argparse.Namespace) -> int:
    with HubConnection.open(_address(args)) as hub:
        meta = hub_meta(hub)
        replicas = list_replicas(hub)
        conflicts = dict(
            hub.all(
                "SELECT pushed_by, count(*) FROM conflict WHERE resolved_at IS NULL "
                "GROUP BY pushed_by"
            )
        )
        forks = dict(hub.all("SELECT replica, count(*) FROM fork GROUP BY replica"))
        docs = hub.one("SELECT count(*) FROM doc")[0]
        names = {
            f"station:{doc['id']}": str(doc.get("name") or doc["id"])
            for doc in (
                orjson.loads(body)
                for (body,) in hub.all("SELECT body FROM doc WHERE kind = 'station'")
            )
        }
        names["office"] = tr("街道群工办")
    print(
        tr(
            "汇总库 {hub}：{docs} 条记录，建于 {created}",
            hub=_address(args).shown,
            docs=docs,
            created=meta.get("created_at", "-"),
        )
    )
    if not replicas:
        print(tr("还没有登记任何电脑。"))
        return 0
    for r in replicas:
        never = tr("从未")
        print(
            tr(
                "{replica}  {name}：最近上传 {pushed}，最近下载 {pulled}，"
                "未处理冲突 {conflicts} 个，"
                "审计记录核对到第 {audit} 条，分叉 {forks} 处",
                replica=r.id,
                name=names.get(r.scope, r.scope),
                pushed=r.last_push_at or never,
                pulled=r.last_pull_at or never,
                conflicts=conflicts.get(r.id, 0),
                audit=r.audit_seq,
                forks=forks.get(r.id, 0),
            )
            + ("" if r.status == "active" else tr("（{status}）", status=r.status))
        )
    return 0


def run_new_epoch(args: argparse.Namespace) -> int:
    with HubConnection.open(_address(args)) as hub:
        hub_meta(hub)
        new_epoch(hub)
    print(tr("已更新汇总库的纪元：各台电脑下次同步时会从头下载并核对。"))
    return 0


def run_sync(args: argparse.Namespace) -> int:
    main = StorePaths.for_main(args.db or default_store_path()).main
    config = load_config(main)
    if config is None:
        raise HubError(
            tr("这台电脑还没有登记到汇总库：请街道群工办运行 grassroots hub enroll 登记本机。")
        )
    store = Store.open(main)
    try:
        if store.readonly:
            raise StoreError(tr("不能同步：{reason}", reason=store.readonly_reason))
        with HubConnection.open(config.address) as hub:
            report = sync(store, hub, config.replica_id)
    finally:
        store.close()
    print(tr("同步完成：{summary}。", summary=report.summary()))
    if report.conflicts:
        print(
            tr(
                "有 {count} 个冲突等待处理（在程序的“冲突”页面选择保留哪个版本）。",
                count=len(report.conflicts),
            )
        )
        return 1
    return 0
