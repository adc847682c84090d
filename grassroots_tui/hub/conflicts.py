"""Resolving a conflict with the hub (docs/design.md#the-hub): a revision this laptop
pushed that the hub did not take because the hub's revision had changed meanwhile
(another laptop of the same station, or this one restored from a backup).

A person who may (the station head, checked by the caller: the hub layer knows no role)
compares the two versions field by field (:func:`compare`) and keeps one:

- *mine*: the laptop's content, as a new revision based on the hub's;
- *hub*: the hub's content, as a new revision of the laptop based on the hub's;
- *merge*: for each differing field, one side or the other; a new revision likewise.

Every resolution is a new revision of the laptop (:meth:`Store.rebase`: its
``acked_hash`` is the hub's hash, so the next push is *accepted*), and the hub's
conflict rows of the document are marked resolved (when, by whom, how), never deleted:
the revision that lost stays in ``conflict``. The laptop's list of open conflicts
(``store.hub_state["conflicts"]``) loses the document when the next push is
acknowledged (:meth:`Store.record_push`).

Only a *diverged* conflict is resolved here: one of another's document or of a slip
number already taken is not a choice between two versions (:data:`RESOLVABLE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.push import DIVERGED, LOCAL_FIELDS, REASON_LABELS
from grassroots_tui.hub.schema import now_text
from grassroots_tui.lang import tr
from grassroots_tui.store import Store
from grassroots_tui.store.store import BOOKKEEPING

MINE, HUB, MERGE = "mine", "hub", "merge"
CHOICES = (MINE, HUB, MERGE)
#: The reasons a person can settle by choosing between the two versions.
RESOLVABLE = frozenset({DIVERGED})
#: Fields that are not the document's content: the store's own, and its station.
NOT_CONTENT = BOOKKEEPING | {"writer", *LOCAL_FIELDS}


@dataclass(frozen=True)
class OpenConflict:
    """One open conflict as the laptop knows it: the document, why, and its revision here
    (live, or its tombstone; None when the laptop no longer holds it)."""

    kind: str
    id: str
    reason: str
    reason_label: str
    pushed_hash: str | None
    hub_hash: str | None
    mine: dict[str, Any] | None

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}"

    @property
    def resolvable(self) -> bool:
        return self.reason in RESOLVABLE and self.mine is not None


@dataclass(frozen=True)
class FieldDiff:
    """One field of the two versions: the laptop's value, the hub's, whether they differ."""

    name: str
    mine: Any
    hub: Any

    @property
    def differs(self) -> bool:
        return self.mine != self.hub


def _stored(store: Store, kind: str, doc_id: str) -> dict[str, Any] | None:
    live = store.get_raw(kind, doc_id)
    if live is not None:
        return live
    return next((t for t in store.tombstones(kind) if t.get("id") == doc_id), None)


def open_conflicts(store: Store) -> list[OpenConflict]:
    """The laptop's open conflicts (from its last push's answer), oldest kind first."""
    found = []
    for key, entry in sorted((store.hub_state.get("conflicts") or {}).items()):
        kind = str(entry.get("kind") or key.split("/", 1)[0])
        doc_id = str(entry.get("id") or key.split("/", 1)[-1])
        reason = str(entry.get("reason") or "")
        found.append(
            OpenConflict(
                kind=kind,
                id=doc_id,
                reason=reason,
                reason_label=str(entry.get("label") or REASON_LABELS.get(reason, reason)),
                pushed_hash=entry.get("pushed_hash"),
                hub_hash=entry.get("hub_hash"),
                mine=_stored(store, kind, doc_id),
            )
        )
    return found


def hub_version(hub: HubConnection, kind: str, doc_id: str) -> dict[str, Any] | None:
    """The hub's current revision of a document (its body, a tombstone when deleted), or
    None when the hub has none."""
    row = hub.one("SELECT body FROM doc WHERE kind = %s AND id = %s", (kind, doc_id))
    if row is None:
        return None
    body = row[0]
    return dict(orjson.loads(body if isinstance(body, (bytes, str)) else str(body)))


def content(doc: dict[str, Any] | None) -> dict[str, Any]:
    """A revision's content: every field but the store's own bookkeeping."""
    return {k: v for k, v in (doc or {}).items() if k not in NOT_CONTENT}


def compare(mine: dict[str, Any] | None, hub: dict[str, Any] | None) -> list[FieldDiff]:
    """The two versions field by field, in the laptop's field order, then the hub's."""
    left, right = content(mine), content(hub)
    names = list(dict.fromkeys([*left, *right]))
    return [FieldDiff(name, left.get(name), right.get(name)) for name in names]


def _resolved_content(
    conflict: OpenConflict,
    theirs: dict[str, Any],
    choice: str,
    merged_fields: Mapping[str, str] | None,
) -> dict[str, Any] | None:
    """The content the resolution keeps (None: the document stays or becomes deleted)."""
    mine = conflict.mine or {}
    if choice == MINE:
        kept = mine
    elif choice == HUB:
        kept = theirs
    else:
        if mine.get("deleted") or theirs.get("deleted"):
            raise HubError(tr("有一边已删除的记录不能逐项合并：请选择保留本机的或汇总库的版本。"))
        picks = dict(merged_fields or {})
        unknown = sorted(set(picks) - {d.name for d in compare(mine, theirs) if d.differs})
        if unknown:
            raise HubError(
                tr("这些字段两边相同或不存在，不能选择：{fields}。", fields=tr("、").join(unknown))
            )
        wrong = sorted(name for name, side in picks.items() if side not in (MINE, HUB))
        if wrong:
            raise HubError(
                tr("合并时每个字段要选“本机”或“汇总库”：{fields}。", fields=tr("、").join(wrong))
            )
        kept = dict(mine)
        for name, side in picks.items():
            if side == HUB:
                if name in theirs:
                    kept[name] = theirs[name]
                else:
                    kept.pop(name, None)
    if kept.get("deleted"):
        return None
    result = content(kept)
    result["rev"] = max(int(mine.get("rev") or 0), int(theirs.get("rev") or 0))
    return result


def resolve(
    store: Store,
    hub: HubConnection,
    kind: str,
    doc_id: str,
    choice: str,
    actor: str,
    *,
    merged_fields: Mapping[str, str] | None = None,
    expected_hub_hash: str | None = None,
) -> dict[str, Any]:
    """Resolve the open conflict of one document: ``choice`` is :data:`MINE`,
    :data:`HUB` or :data:`MERGE` (with ``merged_fields``: field → MINE or HUB for the
    fields that differ; those not named keep the laptop's value).

    The laptop saves a new revision based on the hub's current one (:meth:`Store.rebase`)
    and the hub's open conflict rows of the document are marked resolved, in one hub
    transaction committed after the laptop's save. ``expected_hub_hash``: the hub's
    revision the person compared with; if the hub has another by now, nothing is done
    and :class:`HubError` says to compare again. Returns the laptop's new revision.
    The caller checks that ``actor`` may resolve conflicts."""
    if choice not in CHOICES:
        raise HubError(tr("未知的处理方式：{choice}", choice=choice))
    conflict = next((c for c in open_conflicts(store) if (c.kind, c.id) == (kind, doc_id)), None)
    if conflict is None:
        raise HubError(tr("这份记录没有未处理的冲突（可能已经处理过了）。"))
    if conflict.mine is None:
        raise HubError(tr("本机已没有这份记录，无法处理这个冲突。"))
    if conflict.reason not in RESOLVABLE:
        raise HubError(
            tr(
                "这个冲突（{reason}）不是两个版本之间的选择，请联系街道群工办处理。",
                reason=tr(conflict.reason_label),
            )
        )
    with hub.transaction():
        theirs = hub_version(hub, kind, doc_id)
        if theirs is None:
            raise HubError(tr("汇总库里已没有这份记录，无法按汇总库的版本处理。"))
        hub_hash = str(theirs.get("rev_hash") or "")
        if expected_hub_hash is not None and hub_hash != expected_hub_hash:
            raise HubError(tr("汇总库上的版本刚刚又有了改动，请重新打开比较后再处理。"))
        kept = _resolved_content(conflict, theirs, choice, merged_fields)
        hub.execute(
            "UPDATE conflict SET resolved_at = %s, resolved_by = %s, resolution = %s "
            "WHERE kind = %s AND doc_id = %s AND resolved_at IS NULL",
            (now_text(), actor, _resolution_text(choice, merged_fields, hub_hash), kind, doc_id),
        )
        # The laptop's save last: if it is refused, the hub's rows stay open (rolled back).
        return store.rebase(kind, doc_id, kept, hub_hash, actor)


def _resolution_text(choice: str, merged_fields: Mapping[str, str] | None, hub_hash: str) -> str:
    """What the hub records as the resolution: the choice, the fields taken from the hub
    when merging, and the hub revision the new one is based on (JSON)."""
    record: dict[str, Any] = {"choice": choice, "based_on": hub_hash}
    if choice == MERGE:
        record["from_hub"] = sorted(k for k, v in (merged_fields or {}).items() if v == HUB)
    return orjson.dumps(record).decode("utf-8")
