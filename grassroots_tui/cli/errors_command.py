"""``grassroots errors``: the error log beside the store, for whoever maintains the
program. On screen, one line per error (when, where, what kind), never a traceback;
``--out FILE`` writes the whole log there (owner only), with every traceback sealed
beside an encrypted store opened (the passphrase is asked like any command's)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grassroots_tui.lang import tr
from grassroots_tui.store.error_log import LOG_NAME, log_folder_for, read_log, summary_lines
from grassroots_tui.store.files import make_private_folder, write_file_atomically


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    command = subparsers.add_parser(
        "errors",
        parents=[common],
        help=tr(
            "数据文件夹中的错误日志（{log}）：每条一行；--out 写出完整内容交维护人员", log=LOG_NAME
        ),
    )
    command.add_argument(
        "--out", metavar="FILE", help=tr("把完整的错误日志（含打开的加密部分）写到这个文件")
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = log_folder_for(args.db)
    text = read_log(folder)
    if not text:
        print(tr("没有错误日志（{log}）。", log=folder / LOG_NAME))
        return 0
    lines = summary_lines(text)
    print(tr("错误日志 {log}：共 {count} 条", log=folder / LOG_NAME, count=len(lines)))
    for line in lines:
        print(f"  {line}")
    if args.out:
        out = Path(args.out)
        make_private_folder(out.parent)
        write_file_atomically(out, text.encode("utf-8"))
        print(tr("完整内容已写到 {out}（只有本人可读），请交给维护人员。", out=out))
    else:
        print(tr("完整内容（含每条的出错位置）：grassroots errors --out 文件名"))
    return 0
