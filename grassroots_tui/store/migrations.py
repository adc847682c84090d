"""Upgrading stored documents to the models' current ``schema_version``.

A migration is a pure function registered for (kind, from_version); it returns the
document as it should be at from_version + 1. The store runs them on open, after
keeping a backup, when the versions recorded in the store differ from the models'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.store.errors import StoreError

Migration = Callable[[dict[str, Any]], dict[str, Any]]

MIGRATIONS: dict[tuple[str, int], Migration] = {}


def migration(kind: str, from_version: int) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        MIGRATIONS[(kind, from_version)] = fn
        return fn

    return register


def upgrade(doc: dict[str, Any], target: int) -> dict[str, Any]:
    """The document brought to ``target``, one registered step at a time."""
    kind = doc.get("kind", "?")
    version = int(doc.get("schema_version", 1))
    if version > target:
        raise StoreError(
            tr(
                "文档 {id}（{kind}）由更新版本的程序写入（结构版本 {version}），请升级程序。",
                id=doc.get("id"),
                kind=kind,
                version=version,
            )
        )
    while version < target:
        step = MIGRATIONS.get((kind, version))
        if step is None:
            raise StoreError(
                tr(
                    "无法把 {kind} 文档从结构版本 {version} 升级到 {target}：缺少迁移步骤。",
                    kind=kind,
                    version=version,
                    target=target,
                )
            )
        doc = step(dict(doc))
        version += 1
        doc["schema_version"] = version
    return doc


# -- the registered upgrades -------------------------------------------------------------------


@migration("handoff_slip", 1)
def _slip_state_from_steps(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema version 2: a slip no longer keeps its own state, number and dates; its steps
    (each a dated document) say where it stands. What a version-1 slip kept is moved,
    unchanged, into ``legacy``, from which the slip clock works out the steps the store
    never recorded (services/slips/clock.py); figures and boards are the same after."""
    kept = {name: doc.pop(name) for name in _SLIP_V1_FIELDS if name in doc}
    if kept:
        kept.setdefault("state", "drafted")
        kept["withdraw_reason"] = kept.get("withdraw_reason") or ""
        doc["legacy"] = kept
    return doc


#: What a slip of schema version 1 kept itself (models.slip.LEGACY_FIELDS).
_SLIP_V1_FIELDS = (
    "state",
    "number",
    "issue_date",
    "due_date",
    "original_due_date",
    "withdraw_reason",
)
