"""TinyDB on our own storage.

The tables live in memory as ``{kind: {id: document}}``. TinyDB reads them through
:class:`JournaledStorage` without copying. Writes made through TinyDB's own table API
(insert, update, remove…) are turned into journal operations by
:class:`JournaledTable`, so nothing ever rewrites the whole file; the store's own fast
path (``Store.save``) hands operations to the same ``commit`` directly.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from grassroots_tui.models.base import new_id

#: A journal operation: ("put", kind, id, document) or ("del", kind, id).
Op = list


class Engine(Protocol):
    tables: dict[str, dict[str, dict[str, Any]]]

    def commit_ops(self, ops: list[Op]) -> None: ...


class JournaledStorage(Storage):
    """A TinyDB storage whose data is the engine's live in-memory tables."""

    def __init__(self, engine: Engine) -> None:
        # A weak reference: the store holds its TinyDB layer, and a cycle back to the
        # store would keep every document of a closed store until a full garbage
        # collection, which documents parsed by orjson never bring on (280 MB per closed
        # store at 100,000 documents).
        self._engine = weakref.proxy(engine)

    def read(self) -> dict[str, dict[str, Any]]:
        return self._engine.tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """A whole-database write (TinyDB's drop_tables and friends): journal the difference."""
        current = self._engine.tables
        ops: list[Op] = []
        for name, table in current.items():
            new_table = data.get(name, {})
            ops.extend(["del", name, doc_id] for doc_id in table.keys() - new_table.keys())
        for name, table in data.items():
            old_table = current.get(name, {})
            for doc_id, doc in table.items():
                old = old_table.get(doc_id)
                if doc is not old and doc != old:
                    ops.append(["put", name, doc_id, doc])
        if ops:
            self._engine.commit_ops(ops)

    def commit_ops(self, ops: list[Op]) -> None:
        self._engine.commit_ops(ops)

    def close(self) -> None:
        pass


class _Draft(dict):
    """A copy of a table that TinyDB's updaters may change freely.

    Documents are deep-copied when first looked up, so an updater that mutates a document
    in place never touches the live table before the journal write has succeeded.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        super().__init__(raw)
        self._copied: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if key not in self._copied:
            value = copy.deepcopy(value)
            dict.__setitem__(self, key, value)
            self._copied.add(key)
        return value


class JournaledTable(Table):
    """A TinyDB table keyed by the documents' UUIDs whose writes go to the journal."""

    # TinyDB infers ``type[int]`` from its default, but document_id_class is its documented
    # hook for other id types; these tables key documents by their UUID strings.
    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> str:
        return new_id()

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        raw = self._read_table()
        draft = _Draft(raw)
        updater(draft)
        ops: list[Op] = [["del", self.name, doc_id] for doc_id in raw.keys() - draft.keys()]
        for doc_id, doc in dict.items(draft):
            old = raw.get(doc_id)
            if doc is not old and doc != old:
                ops.append(["put", self.name, str(doc_id), doc])
        if ops:
            self._storage.commit_ops(ops)  # type: ignore[attr-defined]
        self.clear_cache()


class StoreDB(TinyDB):
    table_class = JournaledTable
