"""The `grassroots` command: opens the program, or runs a headless command.

Each command lives in a module of this package that offers ``register(subparsers,
common)``; main() adds them all, runs the chosen one and turns the program's own errors
into a Chinese message on stderr and exit code 2, never a traceback. A command line the
parser refuses (a missing argument, a date out of range: see
:mod:`grassroots_tui.services.argument_types`) is one Chinese line naming the argument
and the command that shows the usage, also with exit code 2. ``-h`` is in Chinese too.

Output piped into a program that stops reading early (``grassroots slips overdue | head``)
ends quietly: no message, no traceback, exit code 141 (128 + SIGPIPE, what a shell
reports for a program the closed pipe stopped).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from grassroots_tui import __version__
from grassroots_tui.cli import (
    bundle_commands,
    calendar_commands,
    completion_commands,
    document_commands,
    errors_command,
    export_commands,
    hardship_commands,
    hub_commands,
    import_commands,
    key_commands,
    ledger_commands,
    roster_commands,
    slip_commands,
    store_commands,
)
from grassroots_tui.cli.unlock import unlock_before_opening
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.store import StoreError
from grassroots_tui.store.error_log import log_folder_for, unexpected_message

COMMAND_MODULES = [
    store_commands,
    calendar_commands,
    import_commands,
    ledger_commands,
    slip_commands,
    hardship_commands,
    roster_commands,
    export_commands,
    document_commands,
    hub_commands,
    bundle_commands,
    key_commands,
    errors_command,
    completion_commands,
]


_ARGUMENT = re.compile(r"argument (?P<name>.+?): (?P<message>.*)", re.DOTALL)
#: argparse's own messages (Python 3.11), in Chinese.
_ARGPARSE_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"the following arguments are required: (.*)", re.DOTALL), r"缺少必需的参数：\1"),
    (re.compile(r"unrecognized arguments: (.*)", re.DOTALL), r"无法识别的参数：\1"),
    (re.compile(r"expected one argument"), "缺少参数的值"),
    (re.compile(r"expected at least one argument"), "缺少参数的值"),
    (
        re.compile(r"invalid choice: (.*) \(choose from (.*)\)", re.DOTALL),
        r"无效的选项 \1，可选：\2",
    ),
    (re.compile(r"invalid \S+ value: (.*)", re.DOTALL), r"值 \1 无效"),
    (re.compile(r"ignored explicit argument (.*)", re.DOTALL), r"这个参数不带值（收到 \1）"),
    (
        re.compile(r"ambiguous option: (\S+) could match (.*)", re.DOTALL),
        r"选项 \1 不明确，可能是：\2",
    ),
    (re.compile(r"not allowed with argument (.*)", re.DOTALL), r"不能与参数 \1 同时使用"),
)


def usage_error_text(message: str) -> str:
    """argparse's error ``message`` as one Chinese sentence, the argument named last:
    "argument --year: 年份“99999”无效：…。" → "年份“99999”无效：…（参数 --year）。"."""
    found = _ARGUMENT.fullmatch(message)
    name, text = (found["name"], found["message"]) if found else (None, message)
    for pattern, chinese in _ARGPARSE_PHRASES:
        if pattern.fullmatch(text):
            text = pattern.sub(chinese, text)
            break
    text = _clip(text).rstrip("。")
    return f"{text}（参数 {name}）。" if name else f"{text}。"


#: Exit code when standard output is a pipe closed before everything was written.
EXIT_PIPE_CLOSED = 141


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help with "用法：" instead of "usage: "."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser (and, through ``add_subparsers``, its subcommands' parsers)
    whose help is in Chinese and whose errors are one Chinese line: "错误：…。查看用法：
    grassroots roster show -h"."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        # argparse's own headings and -h text (gettext would need a catalog installed)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if "-h" in action.option_strings:
                action.help = "显示这段帮助后退出"

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"错误：{usage_error_text(message)}查看用法：{self.prog} -h\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own --db must not overwrite one given before the command.
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="数据文件（主文件）路径；日志、锁和备份放在它旁边。默认在用户数据文件夹。",
    )
    parser = ChineseArgumentParser(
        prog="grassroots",
        description="群众工作站工作台账。不带命令时打开终端界面。",
        parents=[common],
    )
    parser.add_argument(
        "--version", action="version", version=f"grassroots {__version__}", help="显示版本后退出"
    )
    parser.add_argument("--lang", choices=["zh", "en"], help="界面语言（默认中文）")
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for module in COMMAND_MODULES:
        module.register(subparsers, common)
    return parser


def _tolerant_output() -> None:
    """Print any text, even a file name or argument that is not valid UTF-8.

    Arguments that are not UTF-8 reach Python as surrogate escapes (U+DCFF for the byte 0xFF); echoing
    one in a message would raise UnicodeEncodeError on a strict stream (stdout, or a
    pipe). Such characters are written as backslash escapes instead.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors="backslashreplace")
        except Exception:  # noqa: BLE001 - a stream that cannot be changed is left alone
            pass


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here at the latest, not at exit
        return code
    except BrokenPipeError:
        return _pipe_closed()


def _pipe_closed() -> int:
    """Standard output's reader has gone (``| head``): stop quietly. What is still
    buffered would fail again when Python flushes it at exit ("Exception ignored …"), so
    standard output is pointed at the null device first."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no real file behind stdout
        pass
    return EXIT_PIPE_CLOSED


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # a usage error (2, already printed), --help or --version (0)
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    if not hasattr(args, "db"):  # --db given nowhere (its default is SUPPRESS, see above)
        args.db = None
    try:
        if getattr(args, "opens_store", True):  # template, completion … open no store
            unlock_before_opening(args.db)
        if args.command is None:
            from grassroots_tui.tui.launch import launch

            return launch(args)
        return int(args.handler(args) or 0)
    except (StoreError, DocumentInvalid) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # not a file operation that failed: see main()
    except OSError as error:
        where = f"（{error.filename}）" if getattr(error, "filename", None) else ""
        print(f"错误：文件操作失败{where}：{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the last resort: a message, never a traceback
        folder = log_folder_for(args.db)
        print(
            unexpected_message(error, folder, context=f"grassroots {args.command}"),
            file=sys.stderr,
        )
        return 2


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
