"""The three engines compared, each doing the same work on the same documents.

- **ours**: the journaled store (:class:`grassroots_tui.store.Store`). A corpus is written
  as a compacted store directly: one snapshot via :func:`files.write_snapshot` plus an
  empty journal, with the ``_meta`` record a store opened by this version has (so opening
  it migrates nothing). No audit entries: the corpus is ``n`` documents exactly.
- **raw**: the same JSON tables (byte for byte the snapshot's body) in a plain file, read
  and parsed with ``orjson.loads``: the floor for "open and have everything readable".
- **tinydb**: TinyDB 4.x with its default ``JSONStorage`` (stdlib ``json``, default
  arguments, so non-ASCII text is written as ``\\uXXXX`` escapes), one table per kind,
  TinyDB's integer document ids.
- **sqlite**: one table ``docs(id TEXT PRIMARY KEY, kind TEXT, doc TEXT)`` holding the
  documents as JSON text, ``journal_mode=WAL`` and ``synchronous=FULL`` (a commit is
  durable), an index on ``kind`` and a partial expression index on
  ``json_extract(doc, '$.legacy.due_date')`` for slips.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

from bench.corpus import OPEN_STATE_VALUES, is_overdue
from grassroots_tui.models import KINDS, Document
from grassroots_tui.store import Store
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.store import META, META_ID, write_compacted_store

SLIP = "handoff_slip"
VISIT = "visit"
ENGINES = ("ours", "raw", "tinydb", "sqlite")
FILE_NAMES = {
    "ours": "ours.json",
    "raw": "raw.json",
    "tinydb": "tinydb.json",
    "sqlite": "sqlite.db",
}


def engine_path(folder: Path, engine: str) -> Path:
    return folder / FILE_NAMES[engine]


def group(docs: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        tables.setdefault(doc["kind"], []).append(doc)
    return tables


def our_tables(docs: Iterable[dict[str, Any]], stamp: str) -> dict[str, dict[str, Any]]:
    """``{kind: {id: doc}}`` as the store holds it, with the store's ``_meta`` record."""
    tables: dict[str, dict[str, Any]] = {
        kind: {doc["id"]: doc for doc in kind_docs} for kind, kind_docs in group(docs).items()
    }
    tables[META] = {
        META_ID: {
            "id": META_ID,
            "created_at": stamp,
            "schema_versions": {kind: model.SCHEMA_VERSION for kind, model in KINDS.items()},
            # Every document's writer is the one it always had (writer_of): nothing to
            # record on open, as in a store this version wrote.
            "writers_recorded": True,
        }
    }
    return tables


# --- writing a corpus ------------------------------------------------------------------


def write_all(folder: Path, docs: list[dict[str, Any]], stamp: str) -> dict[str, int]:
    """Write ``docs`` for every engine into ``folder``; returns each engine's bytes on disk."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = our_tables(docs, stamp)
    write_ours(engine_path(folder, "ours"), tables)
    engine_path(folder, "raw").write_bytes(orjson.dumps(tables))
    write_tinydb(engine_path(folder, "tinydb"), docs)
    write_sqlite(engine_path(folder, "sqlite"), docs)
    return {engine: disk_bytes(folder, engine) for engine in ENGINES}


def disk_bytes(folder: Path, engine: str) -> int:
    path = engine_path(folder, engine)
    companions = {
        "ours": [StorePaths.for_main(path).journal],
        "sqlite": [path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")],
    }.get(engine, [])
    return sum(p.stat().st_size for p in [path, *companions] if p.exists())


def write_ours(main: Path, tables: dict[str, dict[str, Any]], generation: int = 1) -> None:
    """A compacted store: the snapshot written directly, then an empty journal."""
    write_compacted_store(main, tables)


def write_tinydb(path: Path, docs: list[dict[str, Any]]) -> None:
    """What ``insert_multiple`` per kind would leave, written with one storage write."""
    data = {
        kind: {str(number): doc for number, doc in enumerate(kind_docs, 1)}
        for kind, kind_docs in group(docs).items()
    }
    storage = JSONStorage(str(path))
    try:
        storage.write(data)
    finally:
        storage.close()


SQLITE_SCHEMA = (
    "CREATE TABLE docs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, doc TEXT NOT NULL)",
    "CREATE INDEX docs_kind ON docs (kind)",
    "CREATE INDEX slips_due ON docs (json_extract(doc, '$.legacy.due_date')) WHERE kind = 'handoff_slip'",
)


def sqlite_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def write_sqlite(path: Path, docs: list[dict[str, Any]]) -> None:
    conn = sqlite_connect(path)
    try:
        for statement in SQLITE_SCHEMA:
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO docs (id, kind, doc) VALUES (?, ?, ?)",
            ((d["id"], d["kind"], orjson.dumps(d).decode()) for d in docs),
        )
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# --- open and read everything ----------------------------------------------------------


def open_ours(main: Path, readonly: bool = False) -> Store:
    return Store.open(main, daily_backup=False, readonly=readonly, create=False)


def open_raw(path: Path) -> dict[str, dict[str, Any]]:
    return orjson.loads(path.read_bytes())


def open_tinydb(path: Path) -> tuple[TinyDB, dict[str, dict[str, Any]]]:
    """TinyDB opened and every table read: one read of the storage (one parse).

    Going through the table API instead (``db.table(name).all()`` for each table) parses
    the whole file once per table, because the default storage caches nothing.
    """
    db = TinyDB(str(path))
    return db, db.storage.read() or {}


def open_sqlite(path: Path) -> tuple[sqlite3.Connection, dict[str, dict[str, Any]]]:
    conn = sqlite_connect(path)
    tables: dict[str, dict[str, Any]] = {}
    loads = orjson.loads
    for doc_id, kind, text in conn.execute("SELECT id, kind, doc FROM docs"):
        table = tables.get(kind)
        if table is None:
            table = tables[kind] = {}
        table[doc_id] = loads(text)
    return conn, tables


def count_docs(tables: dict[str, dict[str, Any]]) -> int:
    return sum(len(table) for name, table in tables.items() if name != META)


# --- the overdue-slip query ------------------------------------------------------------


def overdue_ours_scan(store: Store, today: str) -> list[dict[str, Any]]:
    """What the app does: scan the stored slip dicts."""
    return [doc for doc in store.raw(SLIP) if is_overdue(doc, today)]


def overdue_query(today: str):
    """The TinyDB query for overdue slips (due date set and before today, still open)."""
    slip = Query()
    return (
        (slip.legacy.due_date != None)  # noqa: E711 - TinyDB's query language
        & (slip.legacy.due_date < today)
        & slip.legacy.state.one_of(list(OPEN_STATE_VALUES))
    )


def overdue_ours_tinydb(store: Store, today: str) -> list[dict[str, Any]]:
    """The same through TinyDB's Query on the store's table (its query cache cleared)."""
    table = store.table(SLIP)
    table.clear_cache()
    return table.search(overdue_query(today))


def overdue_tinydb(db: TinyDB, today: str) -> list[dict[str, Any]]:
    """TinyDB default: the table's query cache cleared, so the file is read and parsed."""
    table = db.table(SLIP)
    table.clear_cache()
    return table.search(overdue_query(today))


OVERDUE_SQL = (
    "SELECT doc FROM docs WHERE kind = 'handoff_slip' "
    "AND json_extract(doc, '$.legacy.due_date') < ? "
    "AND json_extract(doc, '$.legacy.state') IN ({})".format(
        ", ".join(f"'{state}'" for state in OPEN_STATE_VALUES)
    )
)


def overdue_sqlite(conn: sqlite3.Connection, today: str) -> list[dict[str, Any]]:
    loads = orjson.loads
    return [loads(text) for (text,) in conn.execute(OVERDUE_SQL, (today,))]


def sqlite_plan(conn: sqlite3.Connection, today: str) -> str:
    rows = conn.execute("EXPLAIN QUERY PLAN " + OVERDUE_SQL, (today,)).fetchall()
    return "; ".join(row[-1] for row in rows)


# --- saving one document ---------------------------------------------------------------


def save_ours(store: Store, doc: Document, actor: str) -> None:
    store.save(doc, actor)


def save_tinydb(db: TinyDB, data: dict[str, Any]) -> None:
    db.table(data["kind"]).insert(data)


def save_sqlite(conn: sqlite3.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO docs (id, kind, doc) VALUES (?, ?, ?)",
        (data["id"], data["kind"], orjson.dumps(data).decode()),
    )
    conn.commit()
