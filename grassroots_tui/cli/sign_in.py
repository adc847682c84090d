"""Signing in on the command line (docs/cli-sign-in.md).

Commands that change data or output residents' information unmasked ask who you are
and your PIN, as the program's sign-in screen does, and record the person who signed in
in the audit trail (``name#id``), never a name typed on the command line:

- who: ``--user NAME_OR_ID``, else the environment variable ``GRASSROOTS_USER``, else,
  when standard input is a terminal, a prompt;
- the PIN: ``GRASSROOTS_PIN``, else, on a terminal, asked without echo (getpass). It is
  never an option, so that it does not show in the shell's history or in ``ps``.

The wrong PINs are counted in the store (:class:`~grassroots_tui.services.auth.SignInGuard`),
as on the sign-in screen: after five in a row the member must wait, across runs of the
command and of the program. So the store must be writable to sign in.

A member without a PIN signs in by name alone, as on the screen, with their role's
rights; unmasked output is refused to them (services/disclosure.py).

A refusal raises :class:`SignInFailed` (a :class:`ValueError`) with a message in the interface language;
the commands print it and exit with code 2, having written nothing else.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from grassroots_tui.lang import tr
from grassroots_tui.models import Staff
from grassroots_tui.models.audit import actor_label
from grassroots_tui.services.auth import SignInGuard, require

__all__ = [
    "ENV_PIN",
    "ENV_USER",
    "SignInFailed",
    "SignedIn",
    "add_sign_in_option",
    "sign_in",
]

ENV_USER = "GRASSROOTS_USER"
ENV_PIN = "GRASSROOTS_PIN"


class SignInFailed(ValueError):
    """Nobody could be signed in; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    """Who signed in: the staff member, and how the audit trail names them."""

    staff: Staff

    @property
    def actor(self) -> str:
        return actor_label(self.staff.name, self.staff.id)


def add_sign_in_option(parser: argparse.ArgumentParser) -> None:
    """The ``--user`` option of a command that signs in."""
    parser.add_argument(
        "--user",
        metavar="NAME",
        help=tr(
            "以谁的身份登录：工作人员姓名或编号（也可用环境变量 {user}）；"
            "PIN 在终端上询问，或取自环境变量 {pin}",
            user=ENV_USER,
            pin=ENV_PIN,
        ),
    )


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # closed, or no real file behind it
        return False


def _ask(prompt: str, stdin: TextIO) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = stdin.readline()
    if not line:
        raise SignInFailed(tr("没有输入工作人员姓名，未执行任何操作。"))
    return line.strip()


def _find(store: Any, wanted: str) -> Staff:
    members = [Staff.model_validate(raw) for raw in store.raw("staff")]
    by_id = [m for m in members if m.id == wanted]
    found = by_id or [m for m in members if m.name == wanted]
    active = [m for m in found if m.active]
    if not found:
        raise SignInFailed(tr("没有叫“{name}”的工作人员，不能登录。", name=wanted))
    if not active:
        raise SignInFailed(tr("{name} 已离任，不能登录。", name=wanted))
    if len(active) > 1:
        ids = tr("、").join(tr("{id}（{role}）", id=m.id, role=tr(m.role.label)) for m in active)
        raise SignInFailed(
            tr(
                "有 {count} 位在岗工作人员叫“{name}”，请用编号登录：{ids}。",
                count=len(active),
                name=wanted,
                ids=ids,
            )
        )
    return active[0]


def sign_in(
    store: Any,
    args: argparse.Namespace,
    *,
    action: str | None = None,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    read_pin: Callable[[str], str] | None = None,
) -> SignedIn:
    """Sign in on ``store`` (open for writing) as the command line says, or ask.

    ``action``, when given (one of :data:`~grassroots_tui.services.auth.ACTIONS`), is
    checked for the member's role at once, so that a refusal comes before any work.
    Raises :class:`SignInFailed` (or
    :class:`~grassroots_tui.services.auth.PermissionDenied`) with a message saying why.
    """
    environ = os.environ if environ is None else environ
    stdin = sys.stdin if stdin is None else stdin
    if getattr(store, "readonly", True):
        reason = getattr(store, "readonly_reason", None) or tr("数据当前只读。")
        raise SignInFailed(
            tr(
                "不能登录：这一操作要写入数据和审计记录，"
                "但{reason}（关闭正在使用这份数据的程序后再试。）",
                reason=reason,
            )
        )
    wanted = (getattr(args, "user", None) or environ.get(ENV_USER) or "").strip()
    terminal = _is_terminal(stdin)
    if not wanted:
        if not terminal:
            raise SignInFailed(
                tr(
                    "这一操作须登录：请用 --user 姓名（或环境变量 {user}）说明你是谁，"
                    "有 PIN 的用环境变量 {pin} 给出 PIN。未执行任何操作。",
                    user=ENV_USER,
                    pin=ENV_PIN,
                )
            )
        wanted = _ask(tr("工作人员姓名或编号："), stdin)
    staff = _find(store, wanted)
    pin = environ.get(ENV_PIN)
    if pin is None and staff.pin_hash is not None:
        if not terminal:
            raise SignInFailed(
                tr(
                    "{name} 设置了 PIN：请在终端上运行以输入 PIN，"
                    "或用环境变量 {pin} 给出。未执行任何操作。",
                    name=staff.name,
                    pin=ENV_PIN,
                )
            )
        reader = read_pin or (lambda prompt: getpass.getpass(prompt, stream=sys.stderr))
        try:
            pin = reader(tr("{name} 的 PIN：", name=staff.name))
        except EOFError:
            pin = ""
    result = SignInGuard().attempt(staff, pin or "", store)
    if not result.ok:
        raise SignInFailed(tr("{message}未执行任何操作。", message=result.message))
    if action is not None:
        require(staff.role, action)
    return SignedIn(staff)
