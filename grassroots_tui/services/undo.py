"""Undo and redo for a signed-in staff member: only their own changes of this sign-in,
only what their role may change, named before it is done.

    pending = plan(store, actor, role, after_seq=session.signed_in_seq)   # what, in words
    ask("撤销：" + pending.text + "？")
    run(store, actor, role, pending, after_seq=session.signed_in_seq)

:func:`plan` finds the change (the store's :meth:`Store.undo_last` rules: the actor's
own, after the sign-in's audit position, never the creation of a station or a head nor a
PIN change), checks with :func:`grassroots_tui.services.auth.require` that the role may
make what the undo does, and describes it with resident names masked. :func:`run` undoes
exactly that change (the store refuses if another came in between). Redo is the undo of
the undo, audited as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grassroots_tui.lang import language, tr
from grassroots_tui.models import KINDS, StaffRole
from grassroots_tui.services.auth import require
from grassroots_tui.services.masking import mask_name
from grassroots_tui.store import Store

__all__ = ["PendingUndo", "audit_position", "describe", "plan", "run"]

_OPPOSITE = {"create": "delete", "delete": "create", "update": "update"}
#: Shorter names than the models' labels, where the label reads badly after 新增/修改.
_SHORT = {"visit": "走访", "appointment": "预约走访"}


@dataclass(frozen=True)
class PendingUndo:
    """The change an undo (or redo) would take back, as found by :func:`plan`."""

    txn: str
    #: "新增走访 王** 2026-12-06 10:30" (for a redo, the change it brings back).
    text: str
    #: Documents it touches.
    count: int
    redo: bool = False


def _stored_role(store: Store, actor: str, role: StaffRole | str) -> StaffRole | str:
    """The role the store holds for the staff member ``actor`` names (``name#id``), or
    ``role`` when the actor names no member the store holds."""
    if "#" in actor:
        raw = store.get_raw("staff", actor.rsplit("#", 1)[1])
        if raw is not None:
            return StaffRole(raw["role"])
    return role


def audit_position(store: Store) -> int:
    """The newest audit entry's number: what a sign-in remembers as its start."""
    head = store.meta.get("audit_head") or {}
    if "seq" in head:
        return int(head["seq"])
    # A store written before the head was recorded: its newest entry (entries are kept
    # in the order they were written).
    entries = store.tables.get("audit_entry") or {}
    return int(next(reversed(entries.values()))["seq"]) if entries else 0


def _kind_label(kind: str) -> str:
    """The kind's name in the current language, as placed in a sentence (in Chinese,
    the shorter one of :data:`_SHORT` where there is one; in English, in lower case:
    "adding the visit record")."""
    if kind in _SHORT and language() == "zh":
        return _SHORT[kind]
    model = KINDS.get(kind)
    name = tr(getattr(model, "LABEL", "") or kind) if model is not None else kind
    if language() != "zh" and name[:1].isupper() and not name[1:2].isupper():
        name = name[0].lower() + name[1:]
    return name


def _document(store: Store, entry: dict[str, Any]) -> dict[str, Any]:
    """The document as the entry knows it: now, or before it was deleted, or as written."""
    current = store.get_raw(entry["target_kind"], entry["target_id"])
    if current is not None:
        return current
    if entry.get("before"):
        return entry["before"]
    return {name: pair[1] for name, pair in (entry.get("changes") or {}).items()}


def _what(store: Store, kind: str, doc: dict[str, Any]) -> str:
    """A few words naming one document; resident names masked."""
    if kind in ("visit", "appointment"):
        household = store.get_raw("household", doc.get("household_id") or "") or {}
        day = doc.get("date") or doc.get("planned_date") or ""
        time = str(doc.get("start_time") or doc.get("planned_time") or "")[:5]
        return " ".join(
            part for part in (mask_name(household.get("head_of_household")), day, time) if part
        )
    if kind == "household":
        return " ".join(
            part
            for part in (doc.get("household_no"), mask_name(doc.get("head_of_household")))
            if part
        )
    if kind == "handoff_slip":
        return str(doc.get("number") or doc.get("title") or "")
    if kind == "staff":
        return str(doc.get("name") or "")
    for name in ("date", "on", "requested_on", "planned_date", "month"):
        if doc.get(name):
            return str(doc[name])
    return ""


def describe(store: Store, entries: list[dict[str, Any]], *, redo: bool = False) -> str:
    """What a change did, in a few words: "新增走访 王** 2026-12-06 10:30" (in English
    "adding the visit record (王** 2026-12-06 10:30)", to follow "Undo"), with "等 N 条记录"
    when it touched several documents. For a redo, the change it restores."""
    first = entries[0]
    effect = first["effect"]
    if redo:  # the entries are the undo's; say what the original change did
        effect = _OPPOSITE[effect]
    kind = first["target_kind"]
    what = _what(store, kind, _document(store, first))
    values = {"kind": _kind_label(kind), "what": what}
    # Said after 撤销：/ "Undo …?" and 已撤销：/ "Undone: …." (the TUI's app.undo_ask ...).
    if effect == "create":
        text = tr("新增{kind} {what}", **values) if what else tr("新增一条{kind}", **values)
    elif effect == "update":
        text = tr("修改{kind} {what}", **values) if what else tr("修改一条{kind}", **values)
    elif effect == "delete":
        text = tr("删除{kind} {what}", **values) if what else tr("删除一条{kind}", **values)
    else:
        text = f"{effect} {values['kind']} {what}"
    text = text.rstrip()
    if len(entries) > 1:
        text += tr(" 等 {count} 条记录", count=len(entries))
    return text


def _check(role: StaffRole | str, entries: list[dict[str, Any]]) -> None:
    require(role, "undo")
    for entry in entries:
        # Undoing a creation deletes, undoing a deletion creates: what the role must be
        # allowed to do is what the undo itself does.
        require(role, _OPPOSITE[entry["effect"]], entry["target_kind"])


def plan(
    store: Store,
    actor: str,
    role: StaffRole | str,
    *,
    after_seq: int | None,
    redo: bool = False,
) -> PendingUndo:
    """The change :func:`run` would take back (with ``redo``: bring back). Raises
    :class:`PermissionDenied` if the role may not, and the store's errors (nothing to
    undo, a station, a head or a PIN) with their Chinese messages.

    For an actor (``name#id``) the store holds as a staff member, the role is the one
    the store holds for them, whatever ``role`` says: no caller can claim another."""
    role = _stored_role(store, actor, role)
    require(role, "undo")
    entries = store.last_undoable(actor, after_seq=after_seq, redo=redo)
    _check(role, entries)
    return PendingUndo(entries[0]["txn"], describe(store, entries, redo=redo), len(entries), redo)


def run(
    store: Store,
    actor: str,
    role: StaffRole | str,
    pending: PendingUndo,
    *,
    after_seq: int | None,
) -> list[tuple[str, str]]:
    """Undo (or redo) exactly the change ``pending`` names; the same checks again."""
    role = _stored_role(store, actor, role)
    require(role, "undo")
    entries = store.last_undoable(actor, after_seq=after_seq, redo=pending.redo)
    _check(role, entries)
    if pending.redo:
        return store.redo_last(actor, after_seq=after_seq, txn=pending.txn)
    return store.undo_last(actor, after_seq=after_seq, txn=pending.txn)
