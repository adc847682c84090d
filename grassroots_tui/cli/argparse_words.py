"""argparse's own words ("usage: ", "options", "show this help message and exit", "the
following arguments are required: …") in the interface language.

argparse asks gettext for them: it calls its module-level ``_`` and ``ngettext``
(``from gettext import gettext as _, ngettext``), and with no catalog installed gettext
hands the English back. A compiled ``.mo`` for one library's two dozen messages would need
a ``msgfmt`` step; instead, :func:`speaking` points argparse's ``_`` and ``ngettext`` at
:data:`CHINESE` for as long as one of our parsers is built, parses or writes its help
(:class:`grassroots_tui.cli.Parser` wraps those methods in it), and puts gettext's back
afterwards, so another parser in the same process (pytest's own) keeps its English. In
English the words are argparse's own.

The ids are the messages of Python 3.11's argparse (the oldest the program supports);
one a later Python words differently stays English. ``tests/test_messages_cli.py`` runs
every help text and the common refusals in Chinese and fails on argparse's English.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from grassroots_tui import lang

#: argparse's message → its Chinese (the same %-placeholders).
CHINESE: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示这段帮助后退出",
    "show program's version number and exit": "显示版本后退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "缺少参数的值",
    "expected at most one argument": "最多只能给一个值",
    "expected at least one argument": "缺少参数的值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r，可选：%(choices)s",
    "invalid %(type)s value: %(value)r": "值 %(value)r 无效",
    "ignored explicit argument %r": "这个参数不带值（收到 %r）",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 不明确，可能是：%(matches)s"
    ),
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出参数 %s 中的一个",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "没有命令 %(parser_name)r，可选：%(choices)s"
    ),
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}
#: ngettext's (singular, plural) → the Chinese, which has one form.
CHINESE_PLURALS: dict[tuple[str, str], str] = {
    ("expected %s argument", "expected %s arguments"): "需要 %s 个值",
}


def _chinese_gettext(message: str) -> str:
    return CHINESE.get(message, message) if message else message


def _chinese_ngettext(singular: str, plural: str, n: int) -> str:
    chinese = CHINESE_PLURALS.get((singular, plural))
    return chinese if chinese is not None else gettext.ngettext(singular, plural, n)


@contextmanager
def speaking() -> Iterator[None]:
    """Within: argparse says its own words in the current language (see the module)."""
    if lang.language() != "zh":
        yield
        return
    names = vars(argparse)  # the module's globals, where its functions look the two up
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = _chinese_gettext, _chinese_ngettext
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved
