"""A store as the previous version wrote it (schema version 1 of ``handoff_slip``): each
slip kept its own state, number, dates and withdrawal reason as top-level fields, and
the store held no issue, acceptance, close or withdrawal documents.

Shared by the migration benchmark (:mod:`bench.migration`, on the benchmark corpus) and
the demo-store test (``tests/test_slip_migration.py``): both turn tables of today's
documents into their version-one form with :func:`version_one`, compute every figure and
board from it through :class:`DictStore`, write it, open it (which upgrades it) and
compare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from grassroots_tui.models import KINDS
from grassroots_tui.services.slips.clock import views
from grassroots_tui.store.store import META, META_ID

T = TypeVar("T")
Tables = dict[str, dict[str, dict[str, Any]]]

SLIP = "handoff_slip"
#: Steps that version 1 never recorded as documents of their own.
NEW_STEPS = ("slip_issue", "slip_accept", "slip_close", "slip_withdrawal")
#: The fields a slip of schema version 1 kept itself (models.slip.LEGACY_FIELDS).
V1_FIELDS = ("state", "number", "issue_date", "due_date", "original_due_date", "withdraw_reason")


class DictStore:
    """The read side of a store over plain dicts: what the figures and the board read.

    Like :meth:`Store.derived`, it keeps what the readers derive (the slips' timelines,
    the statistics' indexes) for as long as it lives: the tables must not change
    meanwhile (a board on each of many days then costs one replay of the slips, as on
    an open store)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._derived: dict[str, tuple[object, Any]] = {}

    def raw(self, kind: str) -> list[dict[str, Any]]:
        return list(self.tables.get(kind, {}).values())

    def get_raw(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        return self.tables.get(kind, {}).get(doc_id)

    def derived(
        self, name: str, kinds: Iterable[str], build: Callable[[], T], token: object = None
    ) -> T:
        cached = self._derived.get(name)
        if cached is not None and cached[0] is token:
            return cached[1]
        value = build()
        self._derived[name] = (token, value)
        return value


def tables_of(docs: Iterable[dict[str, Any]]) -> Tables:
    """``{kind: {id: doc}}`` of stored documents (dicts), in their order."""
    tables: Tables = {}
    for doc in docs:
        tables.setdefault(doc["kind"], {})[doc["id"]] = doc
    return tables


def version_one(tables: Tables) -> Tables:
    """``tables`` (documents as this version stores them: slips with dated steps, or with
    a ``legacy`` block as upgraded) as version 1 wrote them: every slip with
    ``schema_version`` 1 and the state, number, dates and withdrawal reason the slip clock
    works out for it today as fields of its own, no ``legacy`` block, and none of the
    :data:`NEW_STEPS` documents. ``tables`` is not changed; the slips are copies."""
    now = views(DictStore(tables), None)
    out: Tables = {kind: dict(table) for kind, table in tables.items() if kind not in NEW_STEPS}
    for slip_id, stored in tables.get(SLIP, {}).items():
        view = now[slip_id]
        slip = {key: value for key, value in stored.items() if key != "legacy"}
        slip.update(
            schema_version=1,
            state=view.state.value,
            number=view.number,
            issue_date=view.issue_date.isoformat() if view.issue_date else None,
            due_date=view.due_date.isoformat() if view.due_date else None,
            original_due_date=(
                view.original_due_date.isoformat() if view.original_due_date else None
            ),
            withdraw_reason=view.withdraw_reason,
        )
        out[SLIP][slip_id] = slip
    return out


def version_one_meta(created_at: str) -> dict[str, Any]:
    """The store's ``_meta`` record as version 1 left it: the schema versions of the
    kinds it knew, ``handoff_slip`` at 1 (so opening the store with this version
    upgrades it)."""
    versions = {kind: model.SCHEMA_VERSION for kind, model in KINDS.items()}
    for kind in NEW_STEPS:
        versions.pop(kind, None)
    versions[SLIP] = 1
    return {"id": META_ID, "created_at": created_at, "schema_versions": versions}


def with_meta(tables: Tables, created_at: str) -> Tables:
    """``tables`` with version 1's ``_meta`` record: what :func:`write_compacted_store`
    writes to make the store version 1 left."""
    return {**tables, META: {META_ID: version_one_meta(created_at)}}
