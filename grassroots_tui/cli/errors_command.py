"""``grassroots errors``: the error log beside the store, for whoever maintains the
program; beside an encrypted store the tracebacks are sealed and shown only after the
store is unlocked (the passphrase is asked like any command's)."""

from __future__ import annotations

import argparse

from grassroots_tui.store.error_log import LOG_NAME, log_folder_for, read_log


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    command = subparsers.add_parser(
        "errors", parents=[common], help=f"显示数据文件夹中的错误日志（{LOG_NAME}）"
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = log_folder_for(args.db)
    text = read_log(folder)
    print(text.rstrip("\n") if text else f"没有错误日志（{folder / LOG_NAME}）。")
    return 0
