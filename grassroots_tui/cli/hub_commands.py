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
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.paths import StorePaths, default_store_path

#: Exit code of a sync that could not reach the hub (nothing changed; run it again later).
EXIT_OFFLINE = 3


def _address_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--dsn", metavar="URL", help="PostgreSQL 汇总库：postgresql://用户@主机/库名"
    )
    where.add_argument("--file", metavar="PATH", help="SQLite 汇总库文件（没有服务器的街道用）")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    hub = subparsers.add_parser("hub", help="街道群工办的汇总库：建库、登记电脑、查看状态")
    commands = hub.add_subparsers(dest="hub_command", metavar="命令", required=True)

    init = commands.add_parser("init", help="建立汇总库（已建好的不会改动）")
    _address_arguments(init)
    init.set_defaults(handler=_guarded(run_init), opens_store=False)

    enroll = commands.add_parser(
        "enroll", parents=[common], help="登记一台电脑：给它汇总库里的身份和密钥"
    )
    _address_arguments(enroll)
    who = enroll.add_mutually_exclusive_group(required=True)
    who.add_argument("--station", metavar="CODE", help="群工站代码（如 HL01）或编号")
    who.add_argument("--office", action="store_true", help="街道群工办的电脑")
    enroll.add_argument("--by", metavar="NAME", default="管理员", help="登记人（记入汇总库）")
    enroll.set_defaults(handler=_guarded(run_enroll))

    status = commands.add_parser("status", help="汇总库状态：各台电脑、最近上传、冲突、分叉")
    _address_arguments(status)
    status.set_defaults(handler=_guarded(run_status))

    epoch = commands.add_parser(
        "new-epoch", help="汇总库从备份恢复后运行：各台电脑下次同步时从头核对"
    )
    _address_arguments(epoch)
    epoch.set_defaults(handler=_guarded(run_new_epoch))
    bundle_commands.register_hub(commands)

    sync_cmd = subparsers.add_parser(
        "sync", parents=[common], help="与汇总库同步：上传本机填写的，下载发给本机的"
    )
    sync_cmd.set_defaults(handler=_guarded(run_sync, offline=True))


def _guarded(
    run: Callable[[argparse.Namespace], int], *, offline: bool = False
) -> Callable[[argparse.Namespace], int]:
    """The hub's errors as one Chinese line. ``offline``: a laptop's sync, for which an
    unreachable hub is a normal day (exit 3, nothing changed); for the office's commands
    it is an error (exit 2)."""

    def handler(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except HubUnavailable as error:
            if not offline:
                print(f"错误：{error}", file=sys.stderr)
                return 2
            print(f"离线：{error}（本机数据没有改动，稍后再同步即可）", file=sys.stderr)
            return EXIT_OFFLINE
        except HubError as error:
            print(f"错误：{error}", file=sys.stderr)
            return 2

    return handler


def _address(args: argparse.Namespace) -> HubAddress:
    return HubAddress.parse(dsn=args.dsn, file=args.file)


def run_init(args: argparse.Namespace) -> int:
    address = _address(args)
    with HubConnection.open(address, create=True) as hub:
        meta = init_hub(hub)
    print(f"汇总库已就绪：{address.shown}（结构版本 {meta['schema_version']}）。")
    return 0


def _station_id(store: Store, code: str) -> str:
    """The id of the station with ``code`` (or that id itself), from the laptop's store."""
    for station in store.raw("station"):
        if code in (station.get("code"), station.get("id")):
            return str(station["id"])
    known = "、".join(str(s.get("code")) for s in store.raw("station")) or "（本机还没有群工站）"
    raise StoreError(f"本机数据中没有代码为“{code}”的群工站（有：{known}）。")


def run_enroll(args: argparse.Namespace) -> int:
    address = _address(args)
    main = StorePaths.for_main(args.db or default_store_path()).main
    store = Store.open(main, daily_backup=False)
    try:
        scope = "office" if args.office else f"station:{_station_id(store, args.station)}"
        current = store.scope
        if current not in ("standalone", scope):
            raise StoreError(
                f"这份数据已登记为{store.replica.label}（{current}），不能再登记为 {scope}。"
            )
        if load_config(main) is not None:
            raise HubError(
                f"这台电脑已登记过汇总库（{config_path(main)}）。要换一台汇总库，先移走这个文件。"
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
    role = "" if login is None else f"，以汇总库角色 {login.role} 连接"
    print(
        f"已登记：{label}，本机在汇总库中的编号 {replica.id}{role}。"
        f"设置已写入 {saved}（仅本人可读）。"
    )
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
        names["office"] = "街道群工办"
    print(f"汇总库 {_address(args).shown}：{docs} 条记录，建于 {meta.get('created_at', '-')}")
    if not replicas:
        print("还没有登记任何电脑。")
        return 0
    for r in replicas:
        print(
            f"{r.id}  {names.get(r.scope, r.scope)}：最近上传 {r.last_push_at or '从未'}，"
            f"最近下载 {r.last_pull_at or '从未'}，未处理冲突 {conflicts.get(r.id, 0)} 个，"
            f"审计记录核对到第 {r.audit_seq} 条，分叉 {forks.get(r.id, 0)} 处"
            + ("" if r.status == "active" else f"（{r.status}）")
        )
    return 0


def run_new_epoch(args: argparse.Namespace) -> int:
    with HubConnection.open(_address(args)) as hub:
        hub_meta(hub)
        new_epoch(hub)
    print("已更新汇总库的纪元：各台电脑下次同步时会从头下载并核对。")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    main = StorePaths.for_main(args.db or default_store_path()).main
    config = load_config(main)
    if config is None:
        raise HubError(
            "这台电脑还没有登记到汇总库：请街道群工办运行 grassroots hub enroll 登记本机。"
        )
    store = Store.open(main)
    try:
        if store.readonly:
            raise StoreError(f"不能同步：{store.readonly_reason}")
        with HubConnection.open(config.address) as hub:
            report = sync(store, hub, config.replica_id)
    finally:
        store.close()
    print(f"同步完成：{report.summary()}。")
    if report.conflicts:
        print(f"有 {len(report.conflicts)} 个冲突等待处理（在程序的“冲突”页面选择保留哪个版本）。")
        return 1
    return 0
