"""The `grassroots` command: opens the program, or runs a headless command.

Each command lives in a module of this package that offers ``register(subparsers,
common)``; main() adds them all, runs the chosen one and turns the program's own errors
into a message on stderr and exit code 2, never a traceback. A command line naming no
command (only ``--db``, ``--lang``, ``--version``: :func:`opens_program`) is parsed
without them: opening the program imports none of the commands' modules, nor the models,
pydantic or the documents' libraries they need (issue #19: the program starts within 1.5×
a minimal Textual app). A command line the
parser refuses (a missing argument, a date out of range: see
:mod:`grassroots_tui.services.argument_types`) is one line naming the argument and the
command that shows the usage, also with exit code 2.

Everything is said in the language chosen before the parser is built
(:func:`language_asked`: ``--lang``, ``GRASSROOTS_LANG``, the user's settings, else
Chinese), ``-h`` and argparse's own words included (:mod:`.argparse_words`).

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
from importlib import import_module
from types import ModuleType
from typing import Any, NoReturn

from grassroots_tui import __version__
from grassroots_tui.cli.argparse_words import speaking
from grassroots_tui.cli.unlock import unlock_before_opening
from grassroots_tui.lang import LANGUAGES, language, set_language, tr
from grassroots_tui.store.errors import StoreError

#: The modules of the commands, in the order help lists them; imported only when the
#: command line may name one (:func:`build_parser`).
COMMAND_MODULES = (
    "store_commands",
    "calendar_commands",
    "import_commands",
    "ledger_commands",
    "slip_commands",
    "hardship_commands",
    "roster_commands",
    "export_commands",
    "document_commands",
    "hub_commands",
    "bundle_commands",
    "key_commands",
    "errors_command",
    "completion_commands",
)


def command_modules() -> list[ModuleType]:
    """The commands' modules (importing them: the models, pydantic, cryptography …)."""
    return [import_module(f"{__name__}.{name}") for name in COMMAND_MODULES]


#: The environment variable naming the language when the command line does not.
LANG_VARIABLE = "GRASSROOTS_LANG"


_ARGUMENT = re.compile(r"argument (?P<name>.+?): (?P<message>.*)", re.DOTALL)


def usage_error_text(message: str) -> str:
    """argparse's error ``message`` (its own words already in the interface language, see
    :mod:`~grassroots_tui.cli.argparse_words`) as one sentence, the argument named last:
    "argument --year: 年份“99999”无效：…。" → "年份“99999”无效：…（参数 --year）。"."""
    found = _ARGUMENT.fullmatch(message)
    name, text = (found["name"], found["message"]) if found else (None, message)
    text = _clip(text).rstrip("。.")
    if name:
        return tr("{text}（参数 {name}）。", text=text, name=name)
    return tr("{text}。", text=text)


#: Exit code when standard output is a pipe closed before everything was written.
EXIT_PIPE_CLOSED = 141


class Parser(argparse.ArgumentParser):
    """An ArgumentParser (and, through ``add_subparsers``, its subcommands' parsers)
    whose help is in the interface language, argparse's own words included, and whose
    errors are one line: "错误：…。查看用法：grassroots roster show -h"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with speaking():
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        with speaking():
            return super().add_subparsers(**kwargs)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        with speaking():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        with speaking():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with speaking():
            return super().format_usage()

    def format_help(self) -> str:
        with speaking():
            text = super().format_help()
        if language() == "zh":  # "选项：", not argparse's "选项:"
            for group in self._action_groups:
                text = text.replace(f"\n{group.title}:\n", f"\n{group.title}：\n")
        return text

    def error(self, message: str) -> NoReturn:
        self.exit(
            2,
            tr(
                "错误：{message}查看用法：{prog} -h",
                message=usage_error_text(message),
                prog=self.prog,
            )
            + "\n",
        )


def language_asked(argv: Sequence[str]) -> str:
    """The language to speak: ``--lang en`` (or ``--lang=en``) anywhere on the command
    line, the last one winning; else the environment variable ``GRASSROOTS_LANG``; else the
    language the user chose in the program (its settings file); else Chinese. A value
    that is no language is passed over here (the parser then refuses it)."""
    asked = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        else:
            continue
        if value in LANGUAGES:
            asked = value
    if asked:
        return asked
    environment = os.environ.get(LANG_VARIABLE, "").strip().lower()
    if environment in LANGUAGES:
        return environment
    from grassroots_tui.store.settings import load_settings

    try:
        return load_settings().lang
    except Exception:  # noqa: BLE001 - a settings file that cannot be read is reported by the program
        return "zh"


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line, its texts in the current language (set it first). Without
    ``commands``, only the program's own options (see :func:`opens_program`)."""
    common = Parser(add_help=False)
    # SUPPRESS: a subcommand's own --db must not overwrite one given before the command.
    common.add_argument(
        "--db",
        metavar=tr("路径"),
        default=argparse.SUPPRESS,
        help=tr("数据文件（主文件）路径；日志、锁和备份放在它旁边。默认在用户数据文件夹。"),
    )
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=tr(
            "界面语言：zh 中文（默认）或 en 英文；也可用环境变量 {variable}", variable=LANG_VARIABLE
        ),
    )
    parser = Parser(
        prog="grassroots",
        description=tr("群众工作站工作台账。不带命令时打开终端界面。"),
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"grassroots {__version__}",
        help=tr("显示版本后退出"),
    )
    if not commands:
        parser.set_defaults(command=None)
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar=tr("命令"))
    for module in command_modules():
        module.register(subparsers, common)
    return parser


#: The options of ``grassroots`` itself that take a value.
_PROGRAM_OPTIONS = ("--db", "--lang")


def opens_program(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is only the program's own options, spelled out in full and each
    valid (``--db PATH``, ``--db=PATH``, ``--lang zh|en``, ``--version``): it opens the
    program (or prints its version), and parsing it needs none of the commands. Anything
    else (a command, ``-h``, an abbreviation, ``--``, a value missing, or one argparse
    might take for an option or refuse) is left to the whole parser, which gives the same
    answer or the error, so a False here is never wrong, only slower."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--version":
            index += 1
            continue
        name, equals, value = word.partition("=")
        if name not in _PROGRAM_OPTIONS:
            return False
        if equals:
            index += 1
        elif index + 1 < len(argv):
            value = argv[index + 1]
            if value.startswith("-"):
                return False
            index += 2
        else:
            return False
        if name == "--lang" and value not in LANGUAGES:
            return False
    return True


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
    words = list(sys.argv[1:] if argv is None else argv)
    chosen = language_asked(words)
    set_language(chosen)
    parser = build_parser(commands=not opens_program(words))
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # a usage error (2, already printed), --help or --version (0)
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    if not hasattr(args, "db"):  # --db given nowhere (its default is SUPPRESS, see above)
        args.db = None
    args.lang = chosen  # the program opened keeps it (tui.launch)
    try:
        if getattr(args, "opens_store", True):  # template, completion … open no store
            unlock_before_opening(args.db)
        if args.command is None:
            from grassroots_tui.tui.launch import launch

            return launch(args)
        return int(args.handler(args) or 0)
    except StoreError as error:
        print(tr("错误：{error}", error=error), file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # not a file operation that failed: see main()
    except OSError as error:
        reason = error.strerror or error
        if getattr(error, "filename", None):
            message = tr(
                "错误：文件操作失败（{file}）：{reason}", file=error.filename, reason=reason
            )
        else:
            message = tr("错误：文件操作失败：{reason}", reason=reason)
        print(message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the last resort: a message, never a traceback
        if _invalid_document(error):
            print(tr("错误：{error}", error=error), file=sys.stderr)
            return 2
        from grassroots_tui.store.error_log import log_folder_for, unexpected_message

        folder = log_folder_for(args.db)
        print(
            unexpected_message(error, folder, context=f"grassroots {args.command}"),
            file=sys.stderr,
        )
        return 2


def _invalid_document(error: Exception) -> bool:
    """A document the models refused (:class:`~grassroots_tui.models.errors.DocumentInvalid`,
    a ValueError): the program's own error, said in one line. Without the models imported
    (opening the program does not import them) nothing can have raised one."""
    errors = sys.modules.get("grassroots_tui.models.errors")
    return errors is not None and isinstance(error, errors.DocumentInvalid)


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
