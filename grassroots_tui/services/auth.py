"""Signing in with a PIN, and what each role may do.

PINs are short (4–8 digits) and are never stored: only a salted scrypt hash and its salt
(:func:`hash_pin`), checked in constant time (:func:`verify_pin`). Because a 4-digit PIN
is easy to guess, :class:`SignInGuard` makes a staff member wait after five wrong PINs in
a row: 60 seconds, doubling with every further wrong PIN, at most 15 minutes. Given the
store, the guard keeps its counts there (in the audit trail), so the wait survives a
restart of the program and applies to the command line too; without one, in memory.

Permissions (:func:`can`) by role (docs/design.md#glossary):

==================  ======  ====  ==========  ======
action              worker  head  supervisor  leader
==================  ======  ====  ==========  ======
read                yes     yes   yes         yes
visit.create        yes     yes
visit.edit          yes     yes
household.edit      yes     yes
household.import            yes
staff.manage                yes
station.settings            yes
slip.issue                  yes
slip.board                  yes   yes         yes
supervision.create                yes
undo                yes     yes   yes
==================  ======  ====  ==========  ======

队员 (worker) log visits and keep the household registry; 站长 (head) may do everything
at the station, including staff, settings and imports; 督导 (supervisor) read everything,
watch the slip board and record supervision checks; 包案领导 (leader) read and watch the
slip board.

Every write checks the one function :func:`require` (``require(role, action, kind)``),
which raises :class:`PermissionDenied` naming the action in Chinese. A change to a
document is named by what it does (``"create"``, ``"update"``, ``"delete"``) and the
document's kind; :data:`KIND_PERMISSIONS` says which action above each kind needs.
Services that are handed only the audit actor (``name#id``, see
:func:`grassroots_tui.models.audit.actor_label`) call :func:`require_actor`, which finds
the signed-in staff member's role in the store and then calls :func:`require`.

Output of residents' information unmasked (a print, an export, a copy of the store) is
not in this table: the station decides who may (``Station.unmasked_roles``), and
:func:`grassroots_tui.services.disclosure.authorize_unmasked` checks it and records it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.lang import N_, tr
from grassroots_tui.models import Staff, StaffRole

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "KIND_PERMISSIONS",
    "LOCKOUT_AFTER",
    "LOCKOUT_FIRST_SECONDS",
    "LOCKOUT_MAX_SECONDS",
    "PERMISSIONS",
    "PermissionDenied",
    "SignInGuard",
    "SIGNIN_CLEARED_NOTE",
    "SIGNIN_FAILED_NOTE",
    "SignInResult",
    "can",
    "guarded_delete",
    "guarded_save",
    "guarded_transaction",
    "check_pin_format",
    "hash_pin",
    "lockout_seconds",
    "permission_for",
    "require",
    "require_actor",
    "require_writes",
    "role_of_actor",
    "stored_failures",
    "verify_pin",
]

# --- PIN hashing -----------------------------------------------------------------------

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
SALT_BYTES = 16

_PIN_RE = re.compile(r"[0-9]{4,8}")


def check_pin_format(pin: str) -> str:
    """Return ``pin`` if it is 4 to 8 digits; raise :class:`ValueError` (in Chinese) if not."""
    if not isinstance(pin, str) or not _PIN_RE.fullmatch(pin):
        raise ValueError(tr("PIN 必须是 4 到 8 位数字"))
    return pin


def _scrypt(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=SCRYPT_DKLEN,
    )


def hash_pin(pin: str) -> tuple[str, str]:
    """Hash a PIN with a new random salt: returns ``(hash_hex, salt_hex)``.

    scrypt with n=2**14, r=8, p=1, 32 bytes. Raises :class:`ValueError` if the PIN is not
    4 to 8 digits.
    """
    check_pin_format(pin)
    salt = os.urandom(SALT_BYTES)
    return _scrypt(pin, salt).hex(), salt.hex()


def verify_pin(pin: str, pin_hash: str | None, pin_salt: str | None) -> bool:
    """True if ``pin`` hashes to ``pin_hash`` with ``pin_salt``; compared in constant time.

    A missing or malformed hash or salt is never a match.
    """
    if not isinstance(pin, str) or not pin_hash or not pin_salt:
        return False
    try:
        salt = bytes.fromhex(pin_salt)
        expected = bytes.fromhex(pin_hash)
    except ValueError:
        return False
    if len(expected) != SCRYPT_DKLEN:
        return False
    return hmac.compare_digest(_scrypt(pin, salt), expected)


# --- signing in ---------------------------------------------------------------------------

#: Wrong PINs in a row before the first wait.
LOCKOUT_AFTER = 5
LOCKOUT_FIRST_SECONDS = 60
LOCKOUT_MAX_SECONDS = 15 * 60

Clock = Callable[[], float]


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one sign-in attempt; ``message`` is shown to the user as it is."""

    ok: bool
    message: str
    #: Seconds until the next attempt is allowed (0 if it may be tried at once).
    wait_seconds: int = 0


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


def lockout_seconds(failures: int) -> int:
    """The wait after ``failures`` wrong PINs in a row: 0 up to 4, then 60, 120, 240 … 900."""
    if failures < LOCKOUT_AFTER:
        return 0
    doublings = failures - LOCKOUT_AFTER
    if doublings >= 5:  # 60 * 2**4 = 960 already exceeds the cap
        return LOCKOUT_MAX_SECONDS
    return min(LOCKOUT_FIRST_SECONDS * 2**doublings, LOCKOUT_MAX_SECONDS)


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return tr("{minutes} 分 {seconds} 秒", minutes=minutes, seconds=rest)
    if minutes:
        return tr("{minutes} 分钟", minutes=minutes)
    return tr("{seconds} 秒", seconds=rest)


#: Audit notes of the sign-in failures a guard keeps in the store (action ``access`` on
#: the staff member's document): every wrong PIN, and the right PIN that ends a run.
#: Stored in the audit trail, so Chinese whatever the interface language.
SIGNIN_FAILED_NOTE = "登录失败：PIN 不正确"
SIGNIN_CLEARED_NOTE = "登录成功：此前输错 PIN 的次数清零"
#: Who the audit trail names for a sign-in that did not succeed: nobody is signed in.
SIGNIN_ACTOR = "登录（未登录）"


def _when(value: Any) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except (TypeError, ValueError):
        return None


def stored_failures(store: Any, staff_id: str) -> tuple[int, float]:
    """The wrong PINs in a row the store's audit trail holds for ``staff_id``, and until
    when (seconds since the epoch) the member must wait because of them (0.0 if not).

    A run ends at the right PIN that cleared it, or at a change of the member's PIN (a
    head resetting it): failures before that no longer count."""
    count = 0
    last: float | None = None
    for entry in reversed(store.history("staff", staff_id)):
        note = str(entry.get("note") or "")
        if entry.get("action") == "access" and note.startswith(SIGNIN_FAILED_NOTE):
            count += 1
            if last is None:
                last = _when(entry.get("at"))
        elif entry.get("action") == "access" and note.startswith(SIGNIN_CLEARED_NOTE):
            break
        elif "pin_hash" in (entry.get("changes") or {}):
            break
    wait = lockout_seconds(count)
    return count, (last + wait) if wait and last is not None else 0.0


@dataclass
class SignInGuard:
    """Counts wrong PINs per staff id and enforces the waiting periods.

    ``clock`` returns seconds (``time.time`` by default; tests pass a fake). While a
    staff member must wait, attempts are refused without checking the PIN and do not
    count. A right PIN clears the count.

    Given a writable ``store`` (:meth:`attempt`), the counts are kept in the store, so
    that closing and opening the program (or running the command line again) does not
    start them afresh: each wrong PIN is an audit entry on the member's document (action
    ``access``, note :data:`SIGNIN_FAILED_NOTE`), the right PIN after wrong ones another
    (:data:`SIGNIN_CLEARED_NOTE`); times are then the store's clock. Without a store the
    counts are kept in memory; on a read-only one (which cannot record more) too, starting
    from what the store holds, so its wait still holds (``clock`` must then be the wall
    clock, as the default is).
    """

    clock: Clock = time.time
    _failures: dict[str, _Failures] = field(default_factory=dict, init=False, repr=False)

    @staticmethod
    def _persists(store: Any) -> bool:
        return store is not None and not getattr(store, "readonly", True)

    def _state(self, staff_id: str, store: Any) -> tuple[_Failures | None, float]:
        """The member's failures and the time now, from the store when it keeps them."""
        if self._persists(store):
            count, until = stored_failures(store, staff_id)
            return _Failures(count, until), store.clock().timestamp()
        if store is not None and staff_id not in self._failures:
            # A read-only store cannot record more, but its wait still holds: counting
            # goes on in memory from what it holds (its times and the clock are both
            # wall-clock seconds).
            count, until = stored_failures(store, staff_id)
            if count:
                self._failures[staff_id] = _Failures(count, until)
        return self._failures.get(staff_id), self.clock()

    def wait_seconds(self, staff_id: str, store: Any = None) -> int:
        """Whole seconds this staff member must still wait (0 if none)."""
        state, now = self._state(staff_id, store)
        if state is None:
            return 0
        return max(0, math.ceil(state.locked_until - now))

    def failures(self, staff_id: str, store: Any = None) -> int:
        """Wrong PINs in a row so far."""
        state, _now = self._state(staff_id, store)
        return 0 if state is None else state.count

    def reset(self, staff_id: str) -> None:
        """Forget the wrong PINs of one staff member (for example after a head resets a PIN)."""
        self._failures.pop(staff_id, None)

    def _succeeded(self, staff: Staff, store: Any) -> SignInResult:
        self.reset(staff.id)
        if self._persists(store) and stored_failures(store, staff.id)[0]:
            store.record_access("staff", staff.id, SIGNIN_ACTOR, note=SIGNIN_CLEARED_NOTE)
        return SignInResult(True, tr("{name}，欢迎使用。", name=staff.name))

    def attempt(self, staff: Staff, pin: str | None, store: Any = None) -> SignInResult:
        """Try to sign ``staff`` in with ``pin``; with ``store``, the counts are the
        store's (see the class notes).

        A retired member (``active=False``) is refused. A member without a PIN signs in
        with any PIN, empty included.
        """
        if not staff.active:
            return SignInResult(False, tr("{name} 已离任，不能登录。", name=staff.name))
        wait = self.wait_seconds(staff.id, store)
        if wait:
            return SignInResult(
                False, tr("PIN 输错次数过多，请 {wait}后再试。", wait=_duration(wait)), wait
            )
        if staff.pin_hash is None:
            return self._succeeded(staff, store)
        if verify_pin(pin or "", staff.pin_hash, staff.pin_salt):
            return self._succeeded(staff, store)
        if self._persists(store):
            count = stored_failures(store, staff.id)[0] + 1
            store.record_access(
                "staff",
                staff.id,
                SIGNIN_ACTOR,
                note=f"{SIGNIN_FAILED_NOTE}（{staff.name}，连续第 {count} 次）",
            )
        else:
            state = self._failures.setdefault(staff.id, _Failures())
            state.count += 1
            count = state.count
            if lockout_seconds(count):
                state.locked_until = self.clock() + lockout_seconds(count)
        wait = lockout_seconds(count)
        if wait:
            return SignInResult(
                False,
                tr(
                    "PIN 不正确，已连续输错 {count} 次，请 {wait}后再试。",
                    count=count,
                    wait=_duration(wait),
                ),
                wait,
            )
        left = LOCKOUT_AFTER - count
        return SignInResult(False, tr("PIN 不正确，还可以再试 {left} 次。", left=left))


# --- permissions --------------------------------------------------------------------------

#: Every action :func:`can` knows.
ACTIONS: tuple[str, ...] = (
    "read",
    "visit.create",
    "visit.edit",
    "household.edit",
    "household.import",
    "staff.manage",
    "station.settings",
    "slip.issue",
    "slip.board",
    "supervision.create",
    "undo",
)

PERMISSIONS: dict[StaffRole, frozenset[str]] = {
    StaffRole.WORKER: frozenset({"read", "visit.create", "visit.edit", "household.edit", "undo"}),
    StaffRole.HEAD: frozenset(
        {
            "read",
            "visit.create",
            "visit.edit",
            "household.edit",
            "household.import",
            "staff.manage",
            "station.settings",
            "slip.issue",
            "slip.board",
            "undo",
        }
    ),
    StaffRole.SUPERVISOR: frozenset({"read", "slip.board", "supervision.create", "undo"}),
    StaffRole.LEADER: frozenset({"read", "slip.board"}),
}


def can(role: StaffRole | str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (see the table in this module's docstring).

    ``role`` may be a :class:`StaffRole` or its value or Chinese label ("站长"). An
    unknown role or action raises :class:`ValueError`, so a misspelt action is caught
    instead of silently denied.
    """
    if action not in ACTIONS:
        raise ValueError(tr("未知的操作：{action}", action=action))
    try:
        member = StaffRole(role)
    except ValueError:
        raise ValueError(tr("未知的角色：{role}", role=role)) from None
    return action in PERMISSIONS[member]


#: What each action is called in a refusal ("包案领导无权修改工作人员"), in Chinese; the
#: refusals themselves are said by :func:`_refused`.
ACTION_LABELS: dict[str, str] = {
    "read": "查看",
    "visit.create": "新增走访",
    "visit.edit": "修改走访",
    "household.edit": "修改住户和帮扶记录",
    "household.import": "导入住户台账",
    "staff.manage": "管理工作人员和值班",
    "station.settings": "修改站点设置",
    "slip.issue": "办理交办单",
    "slip.board": "催办",
    "supervision.create": "记录督导",
    "undo": "撤销或恢复修改",
}

#: Which action a change to each kind of document needs: one action for every change,
#: or ``{"create": ..., "update": ..., "delete": ...}``; a tuple means any one of them.
#: The same actions the screens ask :func:`can` about before offering the command.
KIND_PERMISSIONS: dict[str, str | dict[str, str | tuple[str, ...]]] = {
    "visit": {"create": "visit.create", "update": "visit.edit", "delete": "visit.edit"},
    "appointment": {"create": "visit.create", "update": "visit.edit", "delete": "visit.edit"},
    "household": "household.edit",
    "hardship_case": "household.edit",
    "assistance": "household.edit",
    "hardship_review": "household.edit",
    "condolence_round": "household.edit",
    "station_activity": "household.edit",
    "staff": "staff.manage",
    "duty_shift": "staff.manage",
    "leave_request": "staff.manage",
    "station": "station.settings",
    # A supervisor turns a rectification into a draft slip (services/supervision.py).
    "handoff_slip": {
        "create": ("slip.issue", "supervision.create"),
        "update": "slip.issue",
        "delete": "slip.issue",
    },
    "reply": "slip.issue",
    "slip_extension": "slip.issue",
    "slip_extension_request": "slip.issue",
    "slip_return": "slip.issue",
    "slip_callback": "slip.issue",
    "slip_issue": "slip.issue",
    "slip_accept": "slip.issue",
    "slip_close": "slip.issue",
    "slip_withdrawal": "slip.issue",
    "slip_reminder": "slip.board",
    "supervision_check": "supervision.create",
}

_CHANGE_LABELS = {"create": "新增", "update": "修改", "delete": "删除"}


#: What each refused action says (message ids; the role's shown name goes in {role}).
_REFUSALS: dict[str, str] = {
    "read": N_("{role}无权查看。"),
    "visit.create": N_("{role}无权新增走访。"),
    "visit.edit": N_("{role}无权修改走访。"),
    "household.edit": N_("{role}无权修改住户和帮扶记录。"),
    "household.import": N_("{role}无权导入住户台账。"),
    "staff.manage": N_("{role}无权管理工作人员和值班。"),
    "station.settings": N_("{role}无权修改站点设置。"),
    "slip.issue": N_("{role}无权办理交办单。"),
    "slip.board": N_("{role}无权催办。"),
    "supervision.create": N_("{role}无权记录督导。"),
    "undo": N_("{role}无权撤销或恢复修改。"),
}


def _refused(role: str, action: str) -> str:
    """ "包案领导无权修改工作人员。": ``role`` (its shown name) may not do ``action``."""
    template = _REFUSALS.get(action)
    if template is None:
        return tr("{role}无权{what}。", role=role, what=action)
    return tr(template, role=role)


def _change_of(change: str, kind: str) -> str:
    """ "新增走访记录": a change to a document of ``kind``, as a refusal names it."""
    label = tr(_kind_label(kind))
    if change == "create":
        return tr("新增{kind}", kind=label)
    if change == "update":
        return tr("修改{kind}", kind=label)
    return tr("删除{kind}", kind=label)


class PermissionDenied(ValueError):
    """A role may not do what was asked; the message names the role and the action."""

    def __init__(self, role: StaffRole | str, action: str, what: str | None = None) -> None:
        """``what``, when given, names what was refused in the current language (a change
        to a kind of document, unmasked output); else the action's own name does."""
        self.role = role
        self.action = action
        try:
            role_label = tr(StaffRole(role).label)
        except ValueError:
            role_label = str(role)
        if what is None:
            super().__init__(_refused(role_label, action))
        else:
            super().__init__(tr("{role}无权{what}。", role=role_label, what=what))


def permission_for(kind: str, change: str) -> str | tuple[str, ...]:
    """The action (one of :data:`ACTIONS`) that a ``change`` ("create", "update",
    "delete") to a document of ``kind`` needs. A kind nobody may change by hand (the
    audit trail, the store's own record) raises :class:`ValueError`."""
    needed = KIND_PERMISSIONS.get(kind)
    if needed is None:
        raise ValueError(tr("不能修改这类记录：{kind}", kind=kind))
    if isinstance(needed, dict):
        if change not in needed:
            raise ValueError(tr("未知的修改：{change}", change=change))
        return needed[change]
    return needed


def _kind_label(kind: str) -> str:
    from grassroots_tui.models import KINDS

    model = KINDS.get(kind)
    return (getattr(model, "LABEL", "") or kind) if model is not None else kind


def require(role: StaffRole | str, action: str, kind: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may do ``action``.

    ``action`` is one of :data:`ACTIONS`, or, with ``kind``, a change ("create",
    "update", "delete") to a document of that kind (see :data:`KIND_PERMISSIONS`). An
    unknown role, action or kind raises :class:`ValueError`.
    """
    what = None
    if kind is not None and action in _CHANGE_LABELS:
        needed = permission_for(kind, action)
        what = _change_of(action, kind)
    else:
        needed = action
    choices = needed if isinstance(needed, tuple) else (needed,)
    if not any(can(role, choice) for choice in choices):
        raise PermissionDenied(role, choices[0], what)


def role_of_actor(store: Any, actor: str) -> StaffRole | None:
    """The role of the staff member an audit actor names (``name#id``), or None when the
    actor names no staff member (the demo, a first-start setup, the store used from
    Python). The program and the command line always sign in first and pass ``name#id``.

    An actor written as ``name#id`` whose id is no staff member, or one retired, is
    refused with :class:`PermissionDenied`: it cannot be a signed-in member.
    """
    if "#" not in actor:
        return None
    staff_id = actor.rsplit("#", 1)[1]
    raw = store.get_raw("staff", staff_id)
    if raw is None or not raw.get("active", True):
        raise PermissionDenied(actor.split("#", 1)[0], "read", tr("写入（不是在岗的工作人员）"))
    return StaffRole(raw["role"])


def require_actor(store: Any, actor: str, action: str, kind: str | None = None) -> None:
    """:func:`require` for the staff member signed in as ``actor`` (``name#id``).

    An actor that names no staff member (the demo, a first-start setup, the store used
    from Python) is not checked; the program and the command line (cli/sign_in.py) always
    pass the member who signed in.
    """
    role = role_of_actor(store, actor)
    if role is not None:
        require(role, action, kind)


def require_writes(store: Any, actor: str, saves: Any = (), deletes: Any = ()) -> None:
    """:func:`require_actor` for every document about to be saved (a creation or an
    update, as the store holds it now) and every (kind, id) about to be deleted."""
    role = role_of_actor(store, actor)
    if role is None:
        return
    for doc in saves:
        exists = store.get_raw(doc.KIND, doc.id) is not None
        require(role, "update" if exists else "create", doc.KIND)
    for kind, _doc_id in deletes:
        require(role, "delete", kind)


def guarded_save(store: Any, doc: Any, actor: str) -> Any:
    """``store.save(doc, actor)`` after :func:`require_writes`."""
    require_writes(store, actor, [doc])
    return store.save(doc, actor)


def guarded_delete(store: Any, kind: str, doc_id: str, actor: str) -> None:
    """``store.delete(kind, doc_id, actor)`` after :func:`require_writes`."""
    require_writes(store, actor, deletes=[(kind, doc_id)])
    store.delete(kind, doc_id, actor)


class _GuardedTransaction:
    """A store transaction whose every save and delete is checked before it is staged."""

    def __init__(self, tx: Any, role: StaffRole) -> None:
        self._tx = tx
        self._role = role

    def save(self, doc: Any) -> None:
        exists = self._tx.store.get_raw(doc.KIND, doc.id) is not None
        require(self._role, "update" if exists else "create", doc.KIND)
        self._tx.save(doc)

    def delete(self, kind: Any, doc_id: str) -> None:
        require(self._role, "delete", kind if isinstance(kind, str) else kind.KIND)
        self._tx.delete(kind, doc_id)


@contextmanager
def guarded_transaction(store: Any, actor: str) -> Iterator[Any]:
    """``store.transaction(actor)`` whose saves and deletes are checked first: one that
    is refused raises :class:`PermissionDenied` and nothing of the transaction is written."""
    role = role_of_actor(store, actor)
    with store.transaction(actor) as tx:
        yield tx if role is None else _GuardedTransaction(tx, role)
