"""``grassroots key``: encrypting the store and managing the ways to unlock it.

* ``key encrypt``: encrypt this laptop's store in place (a backup first), with a new
  station passphrase, and print the recovery key once;
* ``key status``: the cipher and every key slot;
* ``key passphrase``: change the station passphrase (nothing is re-encrypted);
* ``key recovery``: a new recovery key (``--replace`` removes the old ones);
* ``key keyfile PATH``: a key file that unlocks the store (for scripts, or a USB stick);
* ``key remove N``: remove key slot N.

A new passphrase is asked twice at the terminal, or taken from ``GRASSROOTS_NEW_PASSPHRASE``
by a script. What each slot is: :mod:`grassroots_tui.store.keyslots`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from grassroots_tui.lang import tr
from grassroots_tui.services.argument_types import count_argument, seconds_argument
from grassroots_tui.store import Store, StoreError, encryption
from grassroots_tui.store.keyslots import (
    KDF_TARGET_SECONDS,
    Passphrase,
    Secret,
    calibrate,
    new_key_file,
    new_recovery_key,
    passphrase_problem,
    secret_from_environment,
)
from grassroots_tui.store.sealing import CIPHERS, DEFAULT_CIPHER

ENV_NEW_PASSPHRASE = "GRASSROOTS_NEW_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    key = subparsers.add_parser("key", help=tr("数据加密：加密本机数据、更换站点口令、恢复密钥"))
    commands = key.add_subparsers(dest="key_command", metavar=tr("命令"), required=True)

    encrypt = commands.add_parser(
        "encrypt", parents=[common], help=tr("加密本机数据（先做备份），设置站点口令，显示恢复密钥")
    )
    encrypt.add_argument(
        "--cipher",
        choices=list(CIPHERS),
        default=DEFAULT_CIPHER,
        help=tr("加密算法（默认 aes-256-gcm；要求国密的单位选 sm4-gcm）"),
    )
    _kdf_argument(encrypt)
    encrypt.set_defaults(handler=run_encrypt)

    status = commands.add_parser("status", parents=[common], help=tr("加密算法和每个钥匙槽"))
    status.set_defaults(handler=run_status)

    change = commands.add_parser(
        "passphrase", parents=[common], help=tr("更换站点口令（不需要重新加密数据）")
    )
    _kdf_argument(change)
    change.set_defaults(handler=run_change)

    recovery = commands.add_parser("recovery", parents=[common], help=tr("生成新的恢复密钥"))
    recovery.add_argument("--replace", action="store_true", help=tr("同时删除原来的恢复密钥"))
    recovery.set_defaults(handler=run_recovery)

    keyfile = commands.add_parser(
        "keyfile", parents=[common], help=tr("生成一个能打开数据的密钥文件（供脚本或优盘使用）")
    )
    keyfile.add_argument("path", metavar="PATH", help=tr("密钥文件写到哪里（不能已存在）"))
    keyfile.set_defaults(handler=run_keyfile)

    remove = commands.add_parser("remove", parents=[common], help=tr("删除一个钥匙槽"))
    remove.add_argument(
        "slot",
        type=count_argument(tr("钥匙槽编号"), 1, 999),
        metavar="N",
        help=tr("钥匙槽编号（见 key status）"),
    )
    remove.set_defaults(handler=run_remove)


def _kdf_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kdf-seconds",
        type=seconds_argument(tr("口令计算时间"), 0.01, 60),
        default=KDF_TARGET_SECONDS,
        metavar="S",
        help=tr(
            "在本机用口令打开一次数据大约要多少秒（默认 {seconds}；越长越难被猜出）",
            seconds=KDF_TARGET_SECONDS,
        ),
    )


def _ask_new_passphrase(avoid: tuple[str, ...]) -> Passphrase:
    """A new passphrase from the script's environment, or typed twice."""
    ask = getpass.getpass
    given = os.environ.get(ENV_NEW_PASSPHRASE)
    if given is None:
        if not sys.stdin.isatty():
            raise StoreError(
                tr(
                    "需要新的站点口令：请在终端里运行，或由脚本设置环境变量 {variable}",
                    variable=ENV_NEW_PASSPHRASE,
                )
            )
        given = ask(tr("新的站点口令："))
        problem = passphrase_problem(given, avoid=avoid)
        if problem:
            raise StoreError(problem)
        if ask(tr("再输入一次：")) != given:
            raise StoreError(tr("站点口令：两次输入的不一样，没有做任何改动"))
    problem = passphrase_problem(given, avoid=avoid)
    if problem:
        raise StoreError(problem)
    return Passphrase(given)


def _avoid_words(store: Store) -> tuple[str, ...]:
    words: list[str] = []
    for station in store.tables.get("station", {}).values():
        words += [str(station.get("name") or ""), str(station.get("code") or "")]
    return tuple(word for word in words if word)


def _open_writable(db: str | None) -> Store:
    store = Store.open(db, create=False)
    if store.readonly:
        reason = store.readonly_reason or ""
        store.close()
        raise StoreError(tr("不能修改加密设置：{reason}", reason=reason))
    return store


def _print_recovery(text: str) -> None:
    print(
        tr(
            "恢复密钥（只显示这一次，请抄在纸上交街道群工办保管，不要存在这台电脑上）：\n"
            "\n    {key}\n\n"
            "忘记站点口令、又没有恢复密钥时，数据就再也打不开了，任何人都无法找回。",
            key=text,
        )
    )


def run_encrypt(args: argparse.Namespace) -> int:
    with _open_writable(args.db) as store:
        passphrase = _ask_new_passphrase(_avoid_words(store))
        kdf = calibrate(args.kdf_seconds)
        encryption.encrypt(store, passphrase, cipher=args.cipher, kdf=kdf)
        recovery = new_recovery_key()
        encryption.add_slot(store, recovery)
        print(
            tr(
                "数据已用 {cipher} 加密：主文件、日志和全部备份。"
                "以后打开时需要站点口令（本机约 {passes} 轮、{mib} MiB）。",
                cipher=CIPHERS[args.cipher],
                passes=kdf.passes,
                mib=kdf.memory_kib // 1024,
            )
        )
        _print_recovery(recovery.text)
    return 0


def run_status(args: argparse.Namespace) -> int:
    with Store.open(args.db, readonly=True, create=False) as store:
        slots, _sealer = encryption.unlocked_slots(store)
        print(
            tr(
                "加密算法：{cipher}（密钥编号 {key}）",
                cipher=CIPHERS[slots.cipher],
                key=slots.key_id,
            )
        )
        for slot in slots.slots:
            kdf = slot.get("kdf", {})
            cost = (
                tr(
                    "Argon2id {mib} MiB × {passes} 轮",
                    mib=kdf.get("memory_kib", 0) // 1024,
                    passes=kdf.get("passes"),
                )
                if kdf.get("name") == "argon2id"
                else "HKDF-SHA256"
            )
            made = str(slot.get("created_at", ""))[:10]
            print(f"  {slot.get('id')}  {slot.get('label')}  {made}  {cost}")
    return 0


def run_change(args: argparse.Namespace) -> int:
    with _open_writable(args.db) as store:
        if sys.stdin.isatty():
            current: Secret | None = Passphrase(getpass.getpass(tr("现在的站点口令：")))
        else:
            current = secret_from_environment()
        if not isinstance(current, Passphrase):
            raise StoreError(
                tr("需要现在的站点口令：请在终端里运行，或由脚本设置环境变量 GRASSROOTS_PASSPHRASE")
            )
        new = _ask_new_passphrase(_avoid_words(store))
        encryption.change_passphrase(store, current, new, kdf=calibrate(args.kdf_seconds))
        print(tr("站点口令已更换；数据不需要重新加密。"))
    return 0


def run_recovery(args: argparse.Namespace) -> int:
    with _open_writable(args.db) as store:
        slots, _sealer = encryption.unlocked_slots(store)
        old = [int(slot["id"]) for slot in slots.slots if slot.get("kind") == "recovery"]
        recovery = new_recovery_key()
        encryption.add_slot(store, recovery)
        if args.replace:
            for number in old:
                encryption.remove_slot(store, number)
        _print_recovery(recovery.text)
    return 0


def run_keyfile(args: argparse.Namespace) -> int:
    path = Path(args.path).expanduser()
    with _open_writable(args.db) as store:
        encryption.unlocked_slots(store)
        try:
            key_file = new_key_file(path)
        except FileExistsError:
            raise StoreError(tr("密钥文件：{path} 已存在，不会覆盖", path=path)) from None
        number = encryption.add_slot(store, key_file)
        print(
            tr(
                "密钥文件已写到 {path}（钥匙槽 {number}）。它和站点口令一样能打开数据，"
                "请妥善保管。",
                path=path,
                number=number,
            )
        )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with _open_writable(args.db) as store:
        encryption.remove_slot(store, args.slot)
        print(tr("钥匙槽 {slot} 已删除。", slot=args.slot))
    return 0
