"""The measurements. Each runs in a fresh subprocess (``python -m bench.store_bench``) so
that no engine pays for the heap another one left behind, and memory is measured from a
clean start:

- ``open ENGINE FOLDER REPS``: open the files and have every document readable;
- ``memory ENGINE FOLDER tracemalloc|rss``: the memory that takes;
- ``ops FOLDER …``: the overdue-slip query on every engine, then saves on every engine.

Each prints one JSON object on its last line of output; :mod:`bench.run` collects them.
Times are ``time.perf_counter`` seconds. Files are read from a warm page cache (they
were just written): the figures are CPU and fsync costs, not cold-disk reads.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import engines
from bench.corpus import CORPUS_TODAY, fresh_visits, stamped

ACTOR = "基准测试"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def summary(times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "n": len(times),
        "median": statistics.median(times),
        "min": ordered[0],
        "max": ordered[-1],
        "p90": ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))],
    }


# --- open ------------------------------------------------------------------------------


def _open_once(engine: str, folder: Path) -> tuple[float, int, Callable[[], None]]:
    """Open ``engine``'s files once: (seconds, documents readable, how to close)."""
    path = engines.engine_path(folder, engine.removesuffix("_ro"))
    if engine in ("ours", "ours_ro"):
        seconds, store = _timed(lambda: engines.open_ours(path, readonly=engine == "ours_ro"))
        if store._journal_has_records():  # opening must not have written anything
            raise RuntimeError("opening the store wrote to its journal")
        return seconds, engines.count_docs(store.tables), store.close
    if engine == "raw":
        seconds, tables = _timed(lambda: engines.open_raw(path))
        return seconds, engines.count_docs(tables), lambda: None
    if engine == "tinydb":
        seconds, (db, tables) = _timed(lambda: engines.open_tinydb(path))
        return seconds, engines.count_docs(tables), db.close
    if engine == "sqlite":
        seconds, (conn, tables) = _timed(lambda: engines.open_sqlite(path))
        return seconds, engines.count_docs(tables), conn.close
    raise ValueError(engine)


def measure_open(engine: str, folder: Path, reps: int = 1) -> dict[str, Any]:
    """``reps`` timed opens in this process (no warm-up), everything freed in between.

    :mod:`bench.run` runs one open per fresh process, as a user's program does when it
    starts: the first open pays for growing the heap, and so does the floor's.
    """
    times: list[float] = []
    docs = 0
    for _ in range(reps):
        gc.collect()
        seconds, docs, close = _open_once(engine, folder)
        close()
        del close
        times.append(seconds)
    return {"engine": engine, "docs": docs, "times": times, **summary(times)}


# --- memory ----------------------------------------------------------------------------


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process's resident size (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _peak_rss_bytes() -> int:
    """VmHWM (the resident high-water mark), or ``ru_maxrss`` where there is none."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_memory(engine: str, folder: Path, mode: str) -> dict[str, Any]:
    """Peak memory while opening, in this fresh process (imports done beforehand).

    ``tracemalloc``: the peak and the still-allocated (retained) bytes traced by Python's
    allocators between start and the end of the open. ``rss``: the process's peak
    resident size (``ru_maxrss``) minus its resident size just before opening, without
    tracemalloc (which has its own overhead). The high-water mark is reset just before
    opening, so what the imports left behind does not hide the open's own peak.
    """
    path = engines.engine_path(folder, engine)
    openers: dict[str, Callable[[], Any]] = {
        "ours": lambda: engines.open_ours(path),
        "raw": lambda: engines.open_raw(path),
        "tinydb": lambda: engines.open_tinydb(path),
        "sqlite": lambda: engines.open_sqlite(path),
    }
    opener = openers[engine]
    gc.collect()
    if mode == "tracemalloc":
        tracemalloc.start()
        result = opener()
        retained, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del result
        return {"engine": engine, "peak": peak, "retained": retained}
    reset = _reset_peak_rss()
    before = _rss_bytes()
    result = opener()
    peak_rss = _peak_rss_bytes()
    after = _rss_bytes()
    del result
    return {
        "engine": engine,
        "rss_peak_delta": peak_rss - before,
        "rss_retained": after - before,
        "rss_peak_reset": reset,
    }


# --- the overdue query and saves -------------------------------------------------------


def _repeat(fn: Callable[[], Any], reps: int) -> tuple[dict[str, Any], Any]:
    """One warm-up call, then ``reps`` timed calls; returns the summary and a result."""
    result = fn()
    times = []
    for _ in range(reps):
        seconds, result = _timed(fn)
        times.append(seconds)
    return summary(times), result


def _ids(docs: list[dict[str, Any]]) -> list[str]:
    return sorted(doc["id"] for doc in docs)


class _DiskProbe:
    """Appending a line to a file and fdatasync'ing it: what any durable save pays."""

    def __init__(self, folder: Path, line_bytes: int) -> None:
        self.path = folder / "fsync.probe"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.line = b"x" * (line_bytes - 1) + b"\n"
        self.sync = getattr(os, "fdatasync", os.fsync)

    def append(self) -> None:
        os.write(self.fd, self.line)
        self.sync(self.fd)

    def close(self) -> None:
        os.close(self.fd)
        self.path.unlink()


def measure_ops(
    folder: Path, *, query_reps: int, slow_query_reps: int, saves: int, slow_saves: int
) -> dict[str, Any]:
    today = CORPUS_TODAY.isoformat()
    out: dict[str, Any] = {}
    os.sync()  # nothing of the corpus files still waiting to be written back
    store = engines.open_ours(engines.engine_path(folder, "ours"))
    db = engines.TinyDB(str(engines.engine_path(folder, "tinydb")))
    conn = engines.sqlite_connect(engines.engine_path(folder, "sqlite"))
    try:
        # 1. the overdue-slip query, before any save: every engine holds the n documents.
        query: dict[str, Any] = {"slips": store.count(engines.SLIP)}
        ids: dict[str, list[str]] = {}
        for name, fn, reps in (
            ("ours_scan", lambda: engines.overdue_ours_scan(store, today), query_reps),
            ("ours_tinydb", lambda: engines.overdue_ours_tinydb(store, today), query_reps),
            ("tinydb", lambda: engines.overdue_tinydb(db, today), slow_query_reps),
            ("sqlite", lambda: engines.overdue_sqlite(conn, today), query_reps),
        ):
            gc.collect()
            query[name], result = _repeat(fn, reps)
            ids[name] = _ids(result)
        query["overdue"] = len(ids["ours_scan"])
        query["same_set"] = all(found == ids["ours_scan"] for found in ids.values())
        query["ids"] = ids["ours_scan"]
        query["sqlite_plan"] = engines.sqlite_plan(conn, today)
        out["query"] = query

        # 2. saves: the same new visits on every engine, one warm-up save each. Ours, the
        # disk floor and SQLite take turns, save by save, so that they meet the same disk;
        # TinyDB default (slow, and writing the whole file each time) comes after them.
        visits = fresh_visits(1 + max(saves, slow_saves))
        dicts = [stamped(visit) for visit in visits]
        save: dict[str, Any] = {}
        journal = store.paths.journal
        before = journal.stat().st_size
        engines.save_ours(store, visits[0], ACTOR)
        probe = _DiskProbe(folder, journal.stat().st_size - before)
        probe.append()
        engines.save_sqlite(conn, dicts[0])
        times: dict[str, list[float]] = {"ours": [], "disk_floor": [], "sqlite": []}
        gc.collect()
        try:
            for visit, data in zip(visits[1 : 1 + saves], dicts[1 : 1 + saves], strict=True):
                for name, fn in (
                    ("ours", lambda v=visit: engines.save_ours(store, v, ACTOR)),
                    ("disk_floor", probe.append),
                    ("sqlite", lambda d=data: engines.save_sqlite(conn, d)),
                ):
                    times[name].append(_timed(fn)[0])
        finally:
            probe.close()
        save.update({name: summary(found) for name, found in times.items()})
        save["journal_bytes_per_save"] = (journal.stat().st_size - before) // (1 + saves)
        gc.collect()
        tinydb_times = []
        for index, data in enumerate(dicts[: 1 + slow_saves]):
            seconds, _ = _timed(lambda d=data: engines.save_tinydb(db, d))
            if index:
                tinydb_times.append(seconds)
        save["tinydb"] = summary(tinydb_times)
        out["save"] = save
    finally:
        conn.close()
        db.close()
        store.close()
    return out


# --- profiling (used when a target is missed) ------------------------------------------


def profile(what: str, folder: Path, reps: int) -> str:
    """A cProfile of ``reps`` opens or saves of ours, top functions by cumulative time."""
    import cProfile
    import io
    import pstats

    main = engines.engine_path(folder, "ours")
    profiler = cProfile.Profile()
    if what == "open":
        for _ in range(reps):
            profiler.enable()
            store = engines.open_ours(main)
            profiler.disable()
            store.close()
    else:
        store = engines.open_ours(main)
        visits = fresh_visits(reps, seed=int(time.time()))  # never saved here before
        profiler.enable()
        for visit in visits:
            engines.save_ours(store, visit, ACTOR)
        profiler.disable()
        store.close()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
    return stream.getvalue()


# --- running in a subprocess -----------------------------------------------------------


def run_worker(*args: str) -> dict[str, Any]:
    """Run ``python -m bench.store_bench ARGS`` and return the JSON it printed last."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.store_bench", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.store_bench")
    sub = parser.add_subparsers(dest="command", required=True)
    p_open = sub.add_parser("open")
    p_open.add_argument("engine", choices=[*engines.ENGINES, "ours_ro"])
    p_open.add_argument("folder", type=Path)
    p_open.add_argument("reps", type=int)
    p_mem = sub.add_parser("memory")
    p_mem.add_argument("engine", choices=engines.ENGINES)
    p_mem.add_argument("folder", type=Path)
    p_mem.add_argument("mode", choices=["tracemalloc", "rss"])
    p_ops = sub.add_parser("ops")
    p_ops.add_argument("folder", type=Path)
    p_ops.add_argument("--query-reps", type=int, default=50)
    p_ops.add_argument("--slow-query-reps", type=int, default=5)
    p_ops.add_argument("--saves", type=int, default=50)
    p_ops.add_argument("--slow-saves", type=int, default=20)
    p_prof = sub.add_parser("profile")
    p_prof.add_argument("what", choices=["open", "save"])
    p_prof.add_argument("folder", type=Path)
    p_prof.add_argument("reps", type=int)
    args = parser.parse_args(argv)
    if args.command == "open":
        result: Any = measure_open(args.engine, args.folder, args.reps)
    elif args.command == "memory":
        result = measure_memory(args.engine, args.folder, args.mode)
    elif args.command == "ops":
        result = measure_ops(
            args.folder,
            query_reps=args.query_reps,
            slow_query_reps=args.slow_query_reps,
            saves=args.saves,
            slow_saves=args.slow_saves,
        )
    else:
        print(profile(args.what, args.folder, args.reps))
        return
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
