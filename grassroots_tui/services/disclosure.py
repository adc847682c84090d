"""Unmasked output: who may print, export or copy residents' personal information whole,
and the audit record made before it happens (docs/design.md#personal-information).

Every list, print and export masks names, ID and phone numbers. Showing them whole is
an explicit choice (``--unmasked``, the "print unmasked" command, the reveal key of the
household form, ``backup --to``) and goes through the one function
:func:`authorize_unmasked`, whoever calls it (a screen, the command line, a script):

1. the operator must be a signed-in staff member (the audit actor ``name#id``), still
   active, with a PIN set: a name typed somewhere, or a member anyone could sign in as,
   is not enough to take residents' data out unmasked;
2. the operator's role must be one of the station's :attr:`Station.unmasked_roles`
   (default: the head, 站长, only; street-office staff, who belong to no station, use
   that default); otherwise :class:`~grassroots_tui.services.auth.PermissionDenied`
   ("队员无权输出未遮蔽的个人信息。");
3. the store must be writable, since the output is recorded first;
4. an audit record (action ``export``) says what, by whom, how many records and where
   to; only then does the caller produce the output.

Nothing here produces the output itself: the caller does, after this returns.
"""

from __future__ import annotations

from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models import StaffRole
from grassroots_tui.models.station import DEFAULT_UNMASKED_ROLES
from grassroots_tui.services.auth import PermissionDenied

__all__ = [
    "UNMASKED_ACTION",
    "UNMASKED_NOTE",
    "UnmaskedRefused",
    "authorize_unmasked",
    "may_unmask",
    "unmasked_roles",
]

#: How a refusal names the action: "队员无权输出未遮蔽的个人信息。" (the Chinese; the
#: refusals say it in the current language).
UNMASKED_ACTION = "输出未遮蔽的个人信息"
#: Every audit note of an unmasked output starts with this. The audit trail is stored,
#: so its notes are Chinese whatever the interface language.
UNMASKED_NOTE = "未遮蔽输出"


class UnmaskedRefused(ValueError):
    """Unmasked output refused for a reason other than the role (no sign-in, no PIN, a
    read-only store); the message says why, in Chinese."""


def unmasked_roles(store: Any, station_id: str | None) -> frozenset[StaffRole]:
    """The roles that may produce unmasked output at ``station_id``: the station's
    setting, or the default (站长 only) for the street office or an unknown station."""
    raw = store.get_raw("station", station_id) if station_id else None
    if raw is None or "unmasked_roles" not in raw:
        return frozenset(DEFAULT_UNMASKED_ROLES)
    roles: set[StaffRole] = set()
    for value in raw.get("unmasked_roles") or ():
        try:
            roles.add(StaffRole(value))
        except ValueError:
            continue  # a role this version does not know grants nothing
    return frozenset(roles)


def _signed_in_member(store: Any, actor: str) -> dict[str, Any]:
    """The active staff member an audit actor (``name#id``) names, or a refusal."""
    if not isinstance(actor, str) or "#" not in actor:
        raise UnmaskedRefused(
            tr(
                "输出未遮蔽的个人信息须由登录的工作人员进行（用本人姓名和 PIN 登录），"
                "以记入审计记录；未输出任何内容。"
            )
        )
    staff_id = actor.rsplit("#", 1)[1]
    raw = store.get_raw("staff", staff_id)
    if raw is None or not raw.get("active", True):
        raise UnmaskedRefused(
            tr(
                "{name} 不是在岗的工作人员，不能输出未遮蔽的个人信息。",
                name=actor.split("#", 1)[0],
            )
        )
    return raw


def may_unmask(store: Any, actor: str) -> bool:
    """Whether :func:`authorize_unmasked` would let ``actor`` through (role and PIN; the
    store's being writable aside): what a screen asks before offering the command."""
    try:
        member = _signed_in_member(store, actor)
    except UnmaskedRefused:
        return False
    role = StaffRole(member["role"])
    return bool(member.get("pin_hash")) and role in unmasked_roles(store, member.get("station_id"))


def authorize_unmasked(
    store: Any,
    actor: str,
    purpose: str,
    count: int,
    *,
    kind: str = "station",
    doc_id: str | None = None,
    where: str | None = None,
) -> None:
    """Check that ``actor`` may produce unmasked output and record it in the audit trail;
    the caller produces the output only after this returns.

    ``purpose`` says what is output ("打印交办单 湘龙群交〔2026〕第0015号（html）"),
    ``count`` how many residents' records it holds, ``where`` where it goes (a file, the
    screen). The audit entry (action ``export``) is on ``kind``/``doc_id`` (the slip, the
    round, the household; for a whole-store copy the operator's station).

    Raises :class:`~grassroots_tui.services.auth.PermissionDenied` when the role may
    not, :class:`UnmaskedRefused` when the operator is not a signed-in member with a PIN
    or the store cannot record it. Nothing is recorded then.
    """
    member = _signed_in_member(store, actor)
    role = StaffRole(member["role"])
    station_id = member.get("station_id")
    if role not in unmasked_roles(store, station_id):
        raise PermissionDenied(role, "read", tr("输出未遮蔽的个人信息"))
    if not member.get("pin_hash"):
        raise UnmaskedRefused(
            tr(
                "{name} 没有设置 PIN，不能输出未遮蔽的个人信息："
                "任何人都能以没有 PIN 的身份登录。请先在设置（F9）中设置 PIN。",
                name=member.get("name", ""),
            )
        )
    if getattr(store, "readonly", False):
        reason = getattr(store, "readonly_reason", None) or ""
        raise UnmaskedRefused(
            tr(
                "输出未遮蔽的个人信息须先记入审计记录，但数据当前只读，不能记录，因此未输出。{reason}",
                reason=reason,
            )
        )
    if count < 0:
        raise ValueError(tr("记录条数不能为负数"))
    note = f"{UNMASKED_NOTE}：{purpose}，共 {count} 条记录，操作人 {actor}"
    if where:
        note += f"，输出到 {where}"
    # A file name that is not UTF-8 (surrogate escapes) is kept, as backslash escapes.
    note = note.encode("utf-8", "backslashreplace").decode("utf-8")
    target = doc_id if doc_id is not None else (station_id or "")
    store.record_access(kind, target, actor, action="export", note=note)
