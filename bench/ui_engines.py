"""The app's figures done the plain way, with TinyDB's default storage and with SQLite.

Each function runs in a fresh process (``python -m bench.ui_probe engine NAME PATH T0``)
and does the data work behind one of the app's figures, the way a competent engineer
would with that engine and no cache of our own:

- **start**: process start to the data of the first list (the newest 500 visits of every
  station, with the household of each) in memory;
- **save**: insert one visit durably, then read the newest 500 visits again (the list);
- **filter**: the visits whose text holds a typed query, newest 500 (one keystroke);
- **board**: every slip overdue or due within 3 days and not closed or replied;
- **memory**: peak RSS after the start work.

SQLite: ``docs(id, kind, doc)`` with JSON text (bench/engines.py), with indexes on the
visit date and the slip due date. TinyDB: ``TinyDB(path)`` with its default
JSONStorage (every query reads and parses the whole file).
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any

import orjson

from bench.corpus import CORPUS_TODAY, OPEN_STATE_VALUES

LIMIT = 500
QUERY = "HL01"
SOON = "2026-11-29"  # today + 3 days: the board's "due soon"
TODAY = CORPUS_TODAY.isoformat()
VISIT_INDEX = (
    "CREATE INDEX IF NOT EXISTS visit_date ON docs (json_extract(doc, '$.date')) "
    "WHERE kind = 'visit'"
)


def _rss_mb() -> float:
    """Peak resident memory of this process so far, MB.

    From the kernel's high-water mark of this program's memory (``VmHWM``), which starts
    afresh at ``exec``; ``ru_maxrss`` does not: a child started by a parent holding a
    gigabyte reports the parent's gigabyte."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    """Resident memory of this process now, MB (Linux; the peak elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return _rss_mb()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _timed(reps: int, work: Any) -> tuple[list[float], Any]:
    """``work(i)`` run ``reps`` times: the seconds of each run, and the last result."""
    times, result = [], None
    for i in range(reps):
        start = time.perf_counter()
        result = work(i)
        times.append(time.perf_counter() - start)
    return times, result


def _new_visit(number: int, template: dict[str, Any]) -> dict[str, Any]:
    doc = dict(template)
    doc["id"] = f"bench-visit-{os.getpid()}-{number}"
    doc["date"] = TODAY
    return doc


# -- TinyDB, default storage -----------------------------------------------------------------


def tinydb(path: Path, t0: float, reps: int) -> dict[str, Any]:
    from tinydb import Query, TinyDB

    db = TinyDB(str(path))

    def newest() -> list[dict[str, Any]]:
        visits = sorted(db.table("visit").all(), key=lambda v: v["date"], reverse=True)
        homes = {h["id"]: h for h in db.table("household").all()}
        return [(v, homes.get(v["household_id"])) for v in visits[:LIMIT]]

    out: dict[str, Any] = {}
    rows = newest()
    out["start_s"] = time.time() - t0
    out["rows"] = len(rows)
    out["peak_rss_mb"] = _rss_mb()
    template = rows[0][0]

    def save(i: int) -> None:
        db.table("visit").insert(_new_visit(i, template))
        newest()

    def search(_i: int) -> list[dict[str, Any]]:
        # As the app's list: the visit's own text or its household's number.
        wanted = QUERY.lower()
        numbers = {h["id"]: h.get("household_no", "").lower() for h in db.table("household")}
        found = db.table("visit").search(
            lambda doc, w=wanted: (
                w in numbers.get(doc.get("household_id"), "")
                or w in orjson.dumps(doc).decode().lower()
            )
        )
        return sorted(found, key=lambda v: v["date"], reverse=True)[:LIMIT]

    slip = Query()

    def board(_i: int) -> list[dict[str, Any]]:
        return db.table("handoff_slip").search(
            (slip.legacy.due_date.exists())
            & slip.legacy.due_date.test(lambda d: d is not None and d <= SOON)
            & slip.legacy.state.one_of(list(OPEN_STATE_VALUES))
        )

    out["save_s"], _ = _timed(reps, save)
    out["filter_s"], found = _timed(reps, search)
    out["filter_matches"] = len(found)
    out["board_s"], rows = _timed(reps, board)
    out["board_rows"] = len(rows)
    db.close()
    return out


# -- SQLite ----------------------------------------------------------------------------------


def sqlite(path: Path, t0: float, reps: int) -> dict[str, Any]:
    from bench import engines

    conn = engines.sqlite_connect(path)
    conn.execute(VISIT_INDEX)
    conn.commit()
    newest_sql = (
        "SELECT v.doc, h.doc FROM docs v LEFT JOIN docs h "
        "ON h.id = json_extract(v.doc, '$.household_id') "
        "WHERE v.kind = 'visit' ORDER BY json_extract(v.doc, '$.date') DESC LIMIT ?"
    )

    def newest() -> list[tuple[Any, Any]]:
        return [
            (orjson.loads(v), orjson.loads(h) if h else None)
            for v, h in conn.execute(newest_sql, (LIMIT,))
        ]

    out: dict[str, Any] = {}
    rows = newest()
    out["start_s"] = time.time() - t0
    out["rows"] = len(rows)
    out["peak_rss_mb"] = _rss_mb()
    template = rows[0][0]

    def save(i: int) -> None:
        doc = _new_visit(i, template)
        conn.execute(
            "INSERT INTO docs (id, kind, doc) VALUES (?, 'visit', ?)",
            (doc["id"], orjson.dumps(doc).decode()),
        )
        conn.commit()
        newest()

    def search(_i: int) -> list[Any]:
        # As the app's list: the visit's own text or its household's number.
        return conn.execute(
            "SELECT v.doc FROM docs v JOIN docs h "
            "ON h.id = json_extract(v.doc, '$.household_id') "
            "WHERE v.kind = 'visit' "
            "AND (json_extract(h.doc, '$.household_no') LIKE ? OR v.doc LIKE ?) "
            "ORDER BY json_extract(v.doc, '$.date') DESC LIMIT ?",
            (f"%{QUERY}%", f"%{QUERY}%", LIMIT),
        ).fetchall()

    placeholders = ",".join("?" for _ in OPEN_STATE_VALUES)

    def board(_i: int) -> list[Any]:
        return conn.execute(
            "SELECT doc FROM docs WHERE kind = 'handoff_slip' "
            "AND json_extract(doc, '$.legacy.due_date') <= ? "
            f"AND json_extract(doc, '$.legacy.state') IN ({placeholders})",
            (SOON, *OPEN_STATE_VALUES),
        ).fetchall()

    out["save_s"], _ = _timed(reps, save)
    out["filter_s"], found = _timed(reps, search)
    out["filter_matches"] = len(found)
    out["board_s"], rows = _timed(reps, board)
    out["board_rows"] = len(rows)
    conn.close()
    return out


def plain_dicts(path: Path, t0: float, reps: int) -> dict[str, Any]:
    """The memory floor: the same documents parsed into plain dicts (``orjson.loads`` of
    the JSON text of every document, kept in lists by kind), and the time to do so."""
    before = resident_mb()
    tables = orjson.loads(path.read_bytes())
    return {
        "start_s": time.time() - t0,
        "peak_rss_mb": _rss_mb(),
        "rss_before_mb": before,
        "kinds": len(tables),
    }


ENGINES = {"tinydb": tinydb, "sqlite": sqlite, "dicts": plain_dicts}
