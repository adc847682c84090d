"""Run the benchmarks: ``make bench`` runs them all.

    python -m bench.run [--only store|stats|app|start|screens|hub|migration|crypto|documents]
                        [--sizes 1000,10000,100000]
                        [--seed 2026]

- **app** (issue #8, :mod:`bench.ui_bench`): the program itself at a street office's
  scale, headless, beside TinyDB's default storage and SQLite: ``bench/RESULTS.md``;
- **start** (issue #19, part of **app**): process start to the sign-in screen beside a
  minimal Textual app, cold and warm, with its floors: ``bench/RESULTS-start.md``;
- **screens** (issue #19, :mod:`bench.screen_changes`): every screen change, shown and
  with its data, beside an empty Textual screen: ``bench/RESULTS-screens.md``;
- **store** (the foundation issue): save, open, query, memory: ``bench/RESULTS-store.md``
  (``--quick``: fewer repetitions, 1k and 10k; ``--output`` another file);
- **stats** (issue #7, :mod:`bench.stats_bench`): the monthly figures and the .xlsx
  export beside SQLite: ``bench/RESULTS-stats.md``;
- **hub** (:mod:`bench.hub`): push and pull at a 100,000-document hub on SQLite and on a
  PostgreSQL it starts, beside a naive full upload and download: ``bench/RESULTS-hub.md``;
- **migration** (:mod:`bench.migration`): every figure and the board on every day
  before and after the slip schema upgrade, on the 100,000-document corpus:
  ``bench/RESULTS-migration.md``;
- **crypto** (:mod:`bench.crypto`): the encrypted store (AES-256-GCM and SM4-GCM) beside
  the plain one and the floor of decrypting and parsing the same bytes:
  ``bench/RESULTS-crypto.md``;
- **documents** (:mod:`bench.documents`): the printable workbook and the .docx documents
  beside the naive way of making each: ``bench/RESULTS-documents.md``.

For each size: build the corpus, write it for every engine under ``bench/data/`` (which
is git-ignored), run every measurement in fresh subprocesses, delete the files. Prints a
table per measurement as it goes and writes the report at the end (``--quick``: fewer
repetitions, and only 1k and 10k unless ``--sizes`` is given).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sqlite3
import sys
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import stats_bench
from bench.corpus import (
    CORPUS_STAMP,
    CORPUS_TODAY,
    DEFAULT_SEED,
    OPEN_STATE_VALUES,
    expected_overdue,
    kind_counts,
    make_corpus,
)
from bench.engines import write_all
from bench.store_bench import run_worker, summary

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
FINDINGS = BENCH / "FINDINGS.md"
BIG = 100_000
STATS_RESULTS = BENCH / "RESULTS-stats.md"

# Targets (from the foundation issue).
SAVE_MS = 2.0
SAVE_GROWTH = 2.0
OPEN_RATIO = 1.5
QUERY_MS = 5.0
MEMORY_RATIO = 1.5


def plan(n: int, quick: bool) -> dict[str, int]:
    """Repetitions per measurement: fewer for the slow TinyDB default at 100k."""
    big = n >= BIG
    if quick:
        return dict(open=3, slow_open=3, query=20, slow_query=3, saves=20, slow_saves=5)
    return dict(
        open=7,
        slow_open=3 if big else 5,
        query=100,
        slow_query=3 if big else 5,
        saves=50,
        slow_saves=5 if big else 20,
    )


def bench_size(n: int, seed: int, quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    reps = plan(n, quick)
    folder = DATA / f"n{n}"
    shutil.rmtree(folder, ignore_errors=True)
    result: dict[str, Any] = {"n": n, "reps": reps}
    try:
        log(f"\n== {n:,} documents ==")
        docs = make_corpus(n, seed)
        counts = kind_counts(docs)
        expected = sorted(expected_overdue(docs, CORPUS_TODAY))
        result["corpus"] = {
            "kinds": dict(counts.most_common()),
            "corpus_seconds": time.perf_counter() - started,
        }
        result["disk_bytes"] = write_all(folder, docs, CORPUS_STAMP)
        del docs
        gc.collect()
        # Let the kernel write the new files back now, not during the measurements.
        os.sync()
        log(f"corpus built and written in {time.perf_counter() - started:.1f} s")

        # One timed open per fresh process, the engines taking turns (round-robin), so
        # that a slow spell of the machine does not land on one engine only.
        open_engines = ("ours", "ours_ro", "raw", "tinydb", "sqlite")
        times: dict[str, list[float]] = {engine: [] for engine in open_engines}
        for round_ in range(reps["open"]):
            for engine in open_engines:
                if engine == "tinydb" and round_ >= reps["slow_open"]:
                    continue
                done = run_worker("open", engine, str(folder), "1")
                if done["docs"] != n:
                    raise RuntimeError(f"{engine} opened {done['docs']} documents, not {n}")
                times[engine] += done["times"]
        opened = {engine: summary(times[engine]) for engine in open_engines}
        log(
            "open   "
            + ", ".join(f"{engine} {ms(opened[engine]['median'])} ms" for engine in open_engines)
        )
        result["open"] = opened

        memory: dict[str, Any] = {}
        for engine in ("ours", "raw", "tinydb"):
            memory[engine] = {
                **run_worker("memory", engine, str(folder), "tracemalloc"),
                **run_worker("memory", engine, str(folder), "rss"),
            }
            log(f"memory {engine:8} peak {mb(memory[engine]['peak'])} MB")
        result["memory"] = memory

        ops = run_worker(
            "ops",
            str(folder),
            "--query-reps",
            str(reps["query"]),
            "--slow-query-reps",
            str(reps["slow_query"]),
            "--saves",
            str(reps["saves"]),
            "--slow-saves",
            str(reps["slow_saves"]),
        )
        query = ops["query"]
        query["matches_corpus"] = query.pop("ids") == expected
        for name in ("ours_scan", "ours_tinydb", "tinydb", "sqlite"):
            log(f"query {name:11} {ms(query[name]['median'])} ms")
        for name in ("ours", "disk_floor", "tinydb", "sqlite"):
            log(f"save {name:10} {ms(ops['save'][name]['median'])} ms")
        result.update(ops)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["seconds"] = time.perf_counter() - started
    log(f"{n:,} done in {result['seconds']:.0f} s")
    return result


# --- formatting ------------------------------------------------------------------------


def log(text: str) -> None:
    print(text, flush=True)


def ms(seconds: float) -> str:
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    if value >= 0.1:
        return f"{value:.3f}"
    return f"{value:.4f}"


def mb(size: float) -> str:
    return f"{size / 1e6:,.1f}"


def ratio(a: float, b: float) -> str:
    if not b:
        return "–"
    value = a / b
    if value >= 0.1:
        return f"{value:.2f}×"
    return f"{value:.2g}× (1/{1 / value:,.0f})"


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": f"os.cpu_count() = {os.cpu_count()}" + (f" ({model})" if model else ""),
        "memory": memory,
        "platform": platform.platform(),
        "filesystem": filesystem(DATA),
        "python": f"Python {platform.python_version()} ({platform.python_implementation()})",
        "libraries": (
            f"tinydb {version('tinydb')}, orjson {version('orjson')}, "
            f"SQLite {sqlite3.sqlite_version}"
        ),
    }


def filesystem(path: Path) -> str:
    """The file system the data folder is on (from /proc/mounts; best effort)."""
    try:
        target = str(path.resolve())
        best = ("", "")
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, kind, *_ = line.split()
            if (target + "/").startswith(mount.rstrip("/") + "/") and len(mount) >= len(best[0]):
                best = (mount, f"{kind} on {device} (mounted at {mount})")
        return best[1]
    except OSError:
        return ""


def command_line(argv: list[str]) -> str:
    direct = "python -m bench.run" + "".join(f" {arg}" for arg in argv)
    return f"make bench  (runs `.venv/bin/{direct}`)" if os.environ.get("MAKELEVEL") else direct


def render(results: list[dict[str, Any]], argv: list[str], quick: bool, seed: int) -> str:
    info = machine()
    by_n = {r["n"]: r for r in results}
    first = by_n.get(min(by_n)) if by_n else None
    out: list[str] = []
    out.append("# Store benchmarks (the foundation issue)")
    out.append("")
    out.append(
        "Written by `bench/run.py`; do not edit by hand (the notes at the end come from "
        "`bench/FINDINGS.md`)."
    )
    out.append("")
    out.append(f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}")
    out.append(f"- Command: `{command_line(argv)}`" + (" — quick run" if quick else ""))
    out.append(f"- Machine: {info['cpus']}, {info['memory']}; {info['platform']}")
    out.append(f"- Data folder file system: {info['filesystem']}")
    out.append(f"- {info['python']}; {info['libraries']}")
    out.append(
        f"- Corpus seed {seed}, today = {CORPUS_TODAY.isoformat()}; "
        f"total run time {sum(r['seconds'] for r in results):.0f} s"
    )
    out.append(
        "- The app at a street office's scale (issue #8): [RESULTS.md](RESULTS.md); the "
        "monthly statistics (issue #7): [RESULTS-stats.md](RESULTS-stats.md)"
    )
    out.append("")
    out.append(
        "Times are medians in milliseconds; ratios are ours ÷ the other (below 1 is faster)."
    )
    out.append("")

    out.append("## Targets")
    out.append("")
    out.append(targets(by_n, first))
    out.append("")

    out.append("## Corpus")
    out.append("")
    rows = []
    for r in results:
        kinds = r["corpus"]["kinds"]
        disk = r["disk_bytes"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{kinds.get('visit', 0):,}",
                f"{kinds.get('household', 0):,}",
                f"{kinds.get('handoff_slip', 0):,}",
                f"{r['query']['overdue']:,}",
                f"{len(kinds)}",
                mb(disk["ours"]),
                mb(disk["raw"]),
                mb(disk["tinydb"]),
                mb(disk["sqlite"]),
            ]
        )
    out.append(
        table(
            [
                "documents",
                "visits",
                "households",
                "slips",
                "overdue slips",
                "kinds",
                "ours MB",
                "raw JSON MB",
                "TinyDB MB",
                "SQLite MB",
            ],
            rows,
        )
    )
    out.append("")

    out.append("## 1. Save one document durably")
    out.append("")
    rows = []
    for r in results:
        s = r["save"]
        ours = s["ours"]["median"]
        growth = ours / first["save"]["ours"]["median"] if first else 0
        rows.append(
            [
                f"{r['n']:,}",
                f"{ms(ours)} (p90 {ms(s['ours']['p90'])}, max {ms(s['ours']['max'])}; n={s['ours']['n']})",
                f"{ms(s['disk_floor']['median'])} ({s['journal_bytes_per_save']:,} B)",
                f"{ms(s['tinydb']['median'])} (n={s['tinydb']['n']})",
                f"{ms(s['sqlite']['median'])} (n={s['sqlite']['n']})",
                ratio(ours, s["tinydb"]["median"]),
                ratio(ours, s["sqlite"]["median"]),
                f"{mark(ours * 1000 <= SAVE_MS)} / {growth:.2f}× {mark(growth <= SAVE_GROWTH)}",
            ]
        )
    out.append(
        table(
            [
                "documents",
                "ours",
                "disk floor (append + fdatasync of one journal line)",
                "TinyDB default",
                "SQLite WAL FULL",
                "ours/TinyDB",
                "ours/SQLite",
                f"ours ≤ {SAVE_MS:g} ms / ≤ {SAVE_GROWTH:g}× its 1k figure",
            ],
            rows,
        )
    )
    out.append("")
    out.append(
        "Ours is the whole `Store.save(visit_model, actor)`: validation of the model, the "
        "audit entry (hash-chained, sha256), one checksummed journal line with the document "
        "and its audit entry, `fdatasync`, applying it in memory, and returning the saved "
        "model. TinyDB default is `db.table('visit').insert(dict)`: it reads and parses the "
        "whole file, then rewrites all of it in place (`json.dumps`, write, flush, `fsync`, "
        "truncate). SQLite is `INSERT` of the JSON text + `COMMIT` (WAL, `synchronous=FULL`: "
        "the WAL is fsync'd at each commit). Each engine gets the same new visit documents "
        "(ids not in the store); one untimed warm-up save each. Ours, the disk floor and "
        "SQLite take turns save by save (so a slow spell of the disk hits all three); "
        "`os.sync()` runs before, so no write-back of the corpus files competes."
    )
    out.append("")

    out.append("## 2. Open the store and have every document readable")
    out.append("")
    rows = []
    for r in results:
        o = r["open"]
        ours, floor = o["ours"]["median"], o["raw"]["median"]
        rows.append(
            [
                f"{r['n']:,}",
                ms(ours),
                ms(o["ours_ro"]["median"]),
                ms(floor),
                ratio(ours, floor),
                f"{ms(o['tinydb']['median'])} (n={o['tinydb']['n']})",
                ratio(ours, o["tinydb"]["median"]),
                ms(o["sqlite"]["median"]),
                ratio(ours, o["sqlite"]["median"]),
                mark(ours <= OPEN_RATIO * floor),
            ]
        )
    out.append(
        table(
            [
                "documents",
                "ours `Store.open`",
                "ours read-only",
                "raw floor (read + `orjson.loads`)",
                "ours/floor",
                "TinyDB default",
                "ours/TinyDB",
                "SQLite SELECT all + parse",
                "ours/SQLite",
                f"ours ≤ {OPEN_RATIO:g}× floor",
            ],
            rows,
        )
    )
    out.append("")
    out.append(
        "Ours: `Store.open(path, daily_backup=False)` on a compacted store (snapshot + empty "
        "journal): take the writer lock, read and checksum the snapshot, parse it, read the "
        "journal, check the schema versions; the store is closed after the timer stops (no "
        "compaction: nothing was written). Read-only: `Store.open(path, readonly=True)`, no "
        "lock. Floor: `orjson.loads(path.read_bytes())` of a file holding exactly the "
        "snapshot's body. TinyDB default: `TinyDB(path)` and one `db.storage.read()` "
        "(stdlib `json.load` of the whole file) — through the table API, each "
        "`db.table(kind).all()` would parse the whole file again. SQLite: connect, set the "
        "pragmas, `SELECT id, kind, doc FROM docs`, `orjson.loads` of each row into "
        "`{kind: {id: doc}}`. Every timed open is the first one in a fresh process; median "
        f"of n = {first['open']['ours']['n'] if first else '?'} processes per engine (fewer "
        "for TinyDB default at 100k, shown)."
    )
    out.append("")

    out.append("## 3. Find every overdue slip")
    out.append("")
    rows = []
    for r in results:
        q = r["query"]
        ours = q["ours_scan"]["median"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{q['slips']:,} / {q['overdue']:,}",
                ms(ours),
                ms(q["ours_tinydb"]["median"]),
                f"{ms(q['tinydb']['median'])} (n={q['tinydb']['n']})",
                ms(q["sqlite"]["median"]),
                ratio(ours, q["tinydb"]["median"]),
                ratio(ours, q["sqlite"]["median"]),
                mark(q["same_set"] and q["matches_corpus"]),
                mark(ours * 1000 <= QUERY_MS),
            ]
        )
    out.append(
        table(
            [
                "documents",
                "slips / overdue",
                "ours scan of `store.raw`",
                "ours TinyDB Query",
                "TinyDB default Query",
                "SQLite with index",
                "ours scan/TinyDB",
                "ours scan/SQLite",
                "same set",
                f"ours ≤ {QUERY_MS:g} ms",
            ],
            rows,
        )
    )
    out.append("")
    plan_text = results[-1]["query"]["sqlite_plan"] if results else ""
    out.append(
        "Overdue: the slip's kept `due_date` set and before today, its `state` one of the slip clock's open "
        f"states ({', '.join(OPEN_STATE_VALUES)}). Ours scan: "
        "`[d for d in store.raw('handoff_slip') if is_overdue(d, today)]`. Ours TinyDB: "
        "`store.table('handoff_slip').search(query)`. TinyDB default: "
        "`db.table('handoff_slip').search(query)` — it reads and parses the whole file. "
        "TinyDB's query cache is cleared before every search (otherwise a repeated search "
        "is a dictionary lookup). SQLite: `SELECT doc … WHERE kind = 'handoff_slip' AND "
        "json_extract(doc, '$.legacy.due_date') < ? AND json_extract(doc, '$.legacy.state') IN (…)` "
        f"and `orjson.loads` of each row; plan: `{plan_text}` (after `ANALYZE`). "
        "Every engine returns the same ids, and they are the ones computed from the corpus "
        'directly ("same set"). One warm-up query each, then the median.'
    )
    out.append("")

    out.append("## 4. Peak memory while opening")
    out.append("")
    rows = []
    for r in results:
        m = r["memory"]
        ours, raw, tiny = m["ours"], m["raw"], m["tinydb"]
        rows.append(
            [
                f"{r['n']:,}",
                mb(ours["peak"]),
                mb(raw["peak"]),
                ratio(ours["peak"], raw["peak"]),
                mb(tiny["peak"]),
                ratio(ours["peak"], tiny["peak"]),
                f"{mb(ours['retained'])} / {mb(raw['retained'])} / {mb(tiny['retained'])}",
                f"{mb(ours['rss_peak_delta'])} / {mb(raw['rss_peak_delta'])} / "
                f"{mb(tiny['rss_peak_delta'])}",
                mark(ours["peak"] <= MEMORY_RATIO * raw["peak"]),
            ]
        )
    out.append(
        table(
            [
                "documents",
                "ours peak MB",
                "orjson dicts peak MB",
                "ours/orjson",
                "TinyDB default peak MB",
                "ours/TinyDB",
                "retained after open MB (ours / orjson / TinyDB)",
                "peak RSS growth MB (ours / orjson / TinyDB)",
                f"ours ≤ {MEMORY_RATIO:g}× orjson",
            ],
            rows,
        )
    )
    out.append("")
    out.append(
        "Method: every figure comes from its own fresh process (`python -m bench.store_bench "
        "memory ENGINE FOLDER MODE`) that imports everything first, runs `gc.collect()`, "
        "and then opens once. *Peak* and *retained* are `tracemalloc.get_traced_memory()` "
        "(peak, current) taken right after the open, tracing started just before it: every "
        "allocation made through Python's allocators — the file's bytes, the parsed dicts "
        "and strings, the store's own objects. *Retained* is what is still held while the "
        "documents are open. *Peak RSS growth* is a second process without tracemalloc: "
        "the kernel's resident high-water mark after the open (`VmHWM`, reset through "
        "`/proc/self/clear_refs` just before it) minus the resident size just before it: "
        "a cross-check that sees allocations outside Python's allocators and only the "
        "memory actually touched. The orjson figure is "
        "`orjson.loads(path.read_bytes())` of the same tables: the same documents parsed "
        "into plain dicts. MB = 10⁶ bytes."
    )
    out.append("")

    out.append("## Method and counting")
    out.append("")
    out.append(
        "- Corpus: `bench.corpus.make_corpus(n, seed)` builds the demo "
        "(`build_demo(today, seed, scale)`) at the smallest scale ≥ 1.0 that holds n "
        "documents and keeps exactly n by stratified sampling: every kind keeps its share "
        "(largest-remainder quotas), the documents kept within a kind are the first of a "
        "seeded shuffle, and they stay in the demo's order. They are stored dicts as "
        "`Store.save` would leave them (rev 1, created/updated stamped)."
    )
    out.append(
        "- Writing: ours as a compacted store written directly (`files.write_snapshot` plus "
        "an empty journal, and the `_meta` record so that opening migrates nothing), TinyDB "
        "with one `JSONStorage.write` of what `insert_multiple` per kind would leave, SQLite "
        "with one `executemany` transaction, then the indexes, `ANALYZE` and a WAL "
        "checkpoint. Files live in `bench/data/nN/` and are deleted after each size."
    )
    out.append(
        "- Audit entries: the N documents of the pre-built store are N user documents and "
        "no audit entries (plus the one `_meta` record, not counted). A real store carries "
        "at least one audit entry per change, so a store that reached N documents through "
        "the program is larger than these. Each save made during the benchmark adds its own "
        "audit entry to ours (in the same journal line: the journal bytes per save include "
        "it); TinyDB default and SQLite save the document only. The query runs before any "
        "save, on exactly N documents."
    )
    out.append(
        "- Processes: every timed open runs in its own fresh subprocess (imports done "
        "before the timer; no warm-up open: a user's program opens the store once, at "
        "start), the engines taking turns round-robin; each memory figure comes from its "
        "own fresh subprocess; the query and save measurements run in one fresh subprocess per size that "
        "holds the three engines open (ours in memory, as the app does). Python's garbage "
        "collector stays on. Files are in the page cache (just written): no cold-disk reads."
    )
    out.append(
        "- Durability: ours fdatasyncs each journal line; SQLite fsyncs its WAL at each "
        "commit (`synchronous=FULL`). TinyDB 4.9's `JSONStorage.write` does call "
        "`flush()` + `os.fsync()`, but it rewrites the file in place (seek 0, write, "
        "truncate) without a temporary file: a crash during a save can leave a torn, "
        "unreadable database."
    )
    out.append("")
    if FINDINGS.exists():
        out.append(FINDINGS.read_text(encoding="utf-8").strip())
        out.append("")
    return "\n".join(out)


def targets(by_n: dict[int, dict[str, Any]], first: dict[str, Any] | None) -> str:
    if not by_n:
        return ""
    n = max(by_n)
    r = by_n[n]
    save = r["save"]["ours"]["median"]
    growth = save / first["save"]["ours"]["median"] if first else 0
    open_ratio = r["open"]["ours"]["median"] / r["open"]["raw"]["median"]
    query = r["query"]["ours_scan"]["median"]
    mem = r["memory"]["ours"]["peak"] / r["memory"]["raw"]["peak"]
    at = f"at {n:,}"
    rows = [
        [
            f"save one document, median {at}",
            f"≤ {SAVE_MS:g} ms",
            f"{ms(save)} ms",
            mark(save * 1000 <= SAVE_MS),
        ],
        [
            f"save {at} vs ours at {first['n']:,}" if first else "save growth",
            f"≤ {SAVE_GROWTH:g}×",
            f"{growth:.2f}×",
            mark(growth <= SAVE_GROWTH),
        ],
        [
            f"open {at}, ours ÷ raw orjson floor",
            f"≤ {OPEN_RATIO:g}×",
            f"{open_ratio:.2f}×",
            mark(open_ratio <= OPEN_RATIO),
        ],
        [
            f"overdue slips {at}, ours scan",
            f"≤ {QUERY_MS:g} ms",
            f"{ms(query)} ms",
            mark(query * 1000 <= QUERY_MS),
        ],
        [
            "overdue slips: all engines return the same set (every size)",
            "same",
            "same" if all(x["query"]["same_set"] for x in by_n.values()) else "differ",
            mark(
                all(x["query"]["same_set"] and x["query"]["matches_corpus"] for x in by_n.values())
            ),
        ],
        [
            f"peak memory while opening {at}, ours ÷ orjson dicts",
            f"≤ {MEMORY_RATIO:g}×",
            f"{mem:.2f}×",
            mark(mem <= MEMORY_RATIO),
        ],
    ]
    return table(["target", "wanted", "measured", "met"], rows)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", help="comma-separated document counts (1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (1k and 10k)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS-store.md")
    parser.add_argument(
        "--only",
        choices=[
            "store",
            "stats",
            "app",
            "start",
            "screens",
            "hub",
            "migration",
            "crypto",
            "documents",
        ],
        help="one benchmark only",
    )
    parser.add_argument("--processes", type=int, default=5, help="app: processes per figure")
    parser.add_argument(
        "--render", action="store_true", help="app: write RESULTS.md again from RESULTS.json"
    )
    args = parser.parse_args(argv)
    if args.render:
        render_app()
        return
    default = "1000,10000" if args.quick else "1000,10000,100000"
    sizes = sorted({int(s.replace("_", "")) for s in (args.sizes or default).split(",")})
    DATA.mkdir(exist_ok=True)
    if args.only in (None, "hub"):  # bench/hub.py: both hub engines, at --sizes' largest
        from bench import hub

        hub.run(
            max(sizes) if args.sizes else hub.BIG,
            ["sqlite", "postgresql"],
            args.seed,
            argv,
            command=command_line(argv),
        )
        if args.only == "hub":
            return
    if args.only in (None, "store"):
        run_store(sizes, args, argv)
    if args.only in (None, "stats"):
        run_stats(sizes, args.seed, argv)
    if args.only in (None, "app"):
        run_app(sizes, args.seed, max(5, args.processes), argv)
    if args.only == "start":  # (part of app; alone: bench/RESULTS-start.md)
        run_start(sizes, args.seed, max(5, args.processes), argv)
    if args.only in (None, "screens"):  # bench/RESULTS-screens.md
        from bench import screen_changes

        screen_changes.main(["--sizes", ",".join(str(n) for n in sizes)])
    if args.only in (None, "migration"):
        from bench import migration

        if migration.main(["--n", str(max(sizes))]) != 0:
            raise SystemExit("bench.migration: figures differ before and after the upgrade")
    if args.only in (None, "crypto"):
        from bench import crypto

        crypto.main(["--n", str(max(sizes)), "--seed", str(args.seed)])
    if args.only in (None, "documents"):
        from bench import documents

        documents.main(["--size", str(max(sizes)), "--seed", str(args.seed)])


def render_app() -> None:
    """Write bench/RESULTS.md again from bench/RESULTS.json (after a change to the report)."""
    from bench import ui_bench

    path = BENCH / "RESULTS.md"
    saved = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    path.write_text(ui_bench.render(saved["results"], saved["header"]), encoding="utf-8")
    log(f"written: {path}")


def run_app(sizes: list[int], seed: int, processes: int, argv: list[str]) -> None:
    """The app-level benchmark (issue #8): bench/RESULTS.md (and .json)."""
    from bench import ui_bench

    started = time.perf_counter()
    results = [ui_bench.bench_size(n, seed, DATA, processes, log) for n in sizes]
    info = machine()
    header = "\n".join(
        [
            "# App benchmarks: the program at a street office's scale (issue #8)",
            "",
            "Written by `bench/run.py` (`bench/ui_bench.py`); do not edit by hand. The store "
            "benchmarks are in [RESULTS-store.md](RESULTS-store.md), the statistics on the "
            "demo-proportioned corpus in [RESULTS-stats.md](RESULTS-stats.md); what was slow "
            "and what fixed it is at the end (from `bench/FINDINGS-app.md`).",
            "",
            f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- Command: `{command_line(argv)}`",
            f"- Machine: {info['cpus']}, {info['memory']}; {info['platform']}",
            f"- {info['python']}; {info['libraries']}, textual {version('textual')}",
            f"- Store: bench/office.py, seed {seed}, today = {CORPUS_TODAY.isoformat()}; "
            f"{processes} fresh processes per figure and engine; total run time "
            f"{time.perf_counter() - started:.0f} s",
        ]
    )
    path = BENCH / "RESULTS.md"
    # The figures first, so that a failure to render them loses no run.
    path.with_suffix(".json").write_text(
        json.dumps({"header": header, "results": results}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    report = ui_bench.render(results, header)
    path.write_text(report, encoding="utf-8")
    log("\n" + report)
    log(f"\nwritten: {path}")


def run_start(sizes: list[int], seed: int, processes: int, argv: list[str]) -> None:
    """Issue #19's start figures alone (part of --only app): bench/RESULTS-start.md."""
    from bench import ui_bench
    from bench.engines import engine_path
    from bench.office import write_office_store

    started = time.perf_counter()
    env = dict(os.environ)
    env["TEXTUAL_ANIMATIONS"] = "none"
    results = []
    for n in sizes:
        folder = DATA / f"start-n{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        env["GRASSROOTS_CONFIG"] = str(folder / "settings.json")
        try:
            log(f"\n== start, {n:,} documents ==")
            write_office_store(engine_path(folder, "ours"), n, seed)
            results.append({"n": n, "start": ui_bench.measure_start(folder, processes, env, log)})
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    info = machine()
    lines = [
        "# Start benchmarks (issue #19): process start to the sign-in screen",
        "",
        "Written by `bench/run.py --only start`; do not edit by hand. The whole app "
        "benchmark, these figures included, is in [RESULTS.md](RESULTS.md).",
        "",
        f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Command: `{command_line(argv)}`",
        f"- Machine: {info['cpus']}, {info['memory']}; {info['platform']}",
        f"- {info['python']}, textual {version('textual')}",
        f"- Store: bench/office.py, seed {seed}; {processes} warm processes after one cold "
        f"one per size; total run time {time.perf_counter() - started:.0f} s",
        '- "ours": the program as `grassroots` starts it once its command line is read '
        '(tui/launch.make_app); "`grassroots --db`": the same through the command '
        "line's entry (grassroots_tui.cli.main, what `python -m grassroots_tui --db STORE` "
        "runs: the language asked, the command line parsed, the key slots looked for), "
        "warm (after the cold start); each a fresh process started as the minimal app is "
        "(bench/ui_probe.py)",
        "",
    ]
    rows = []
    for r in results:
        st = r["start"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{st['minimal_cold_s']:.2f} / {st['minimal_warm_s']:.2f}",
                f"{st['signin_cold_s']:.2f} / {st['signin_warm_s']:.2f}",
                f"{st['names_cold_s']:.2f} / {st['names_warm_s']:.2f}",
                f"{st['names_cold_s'] / st['minimal_cold_s']:.2f}× / "
                f"{st['names_warm_s'] / st['minimal_warm_s']:.2f}× "
                + mark(st["names_warm_s"] <= ui_bench.START_RATIO * st["minimal_warm_s"]),
                f"{st['entry_names_warm_s']:.2f} s, "
                f"{st['entry_names_warm_s'] / st['minimal_warm_s']:.2f}× "
                + mark(st["entry_names_warm_s"] <= ui_bench.START_RATIO * st["minimal_warm_s"]),
                f"{st['store_open_cold_s']:.2f} / {st['store_open_warm_s']:.2f}",
                f"{st['import_textual_s']:.2f} / {st['import_app_s']:.2f} / "
                f"{st['import_program_s']:.2f}",
                f"{ms(st['parse_s'])} ms",
                ", ".join(st["imported_before_signin"]) or "none",
            ]
        )
    lines.append(
        table(
            [
                "documents",
                "minimal app (cold / warm, s)",
                "ours: sign-in screen",
                "ours: staff listed",
                f"ratio (≤ {ui_bench.START_RATIO:g}×)",
                "`grassroots --db` (warm): staff listed, ratio",
                "store open behind it",
                "floor: import textual / the app / the whole program",
                "floor: parse",
                "heavy modules before sign-in",
            ],
            rows,
        )
    )
    path = BENCH / "RESULTS-start.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.with_suffix(".json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    log("\n" + "\n".join(lines))
    log(f"\nwritten: {path}")


def run_store(sizes: list[int], args: argparse.Namespace, argv: list[str]) -> None:
    """The store benchmarks (the foundation issue): bench/RESULTS-store.md."""
    results = [bench_size(n, args.seed, args.quick) for n in sizes]
    report = render(results, argv, args.quick, args.seed)
    args.output.write_text(report + "\n", encoding="utf-8")
    (args.output.with_suffix(".json")).write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    log("\n" + report)
    log(f"\nwritten: {args.output}")


def run_stats(sizes: list[int], seed: int, argv: list[str]) -> None:
    """The statistics benchmark (issue #7): bench/RESULTS-stats.md (and .json)."""
    results = [stats_bench.bench_size(n, seed, DATA, log) for n in sizes]
    info = machine()
    header = [
        f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Command: `{command_line(argv)}`",
        f"- Machine: {info['cpus']}, {info['memory']}; {info['platform']}",
        f"- {info['python']}; {info['libraries']}, openpyxl {version('openpyxl')}",
        f"- Corpus seed {seed}, today = {CORPUS_TODAY.isoformat()}; "
        f"total run time {sum(r['seconds'] for r in results):.0f} s",
    ]
    report = stats_bench.render(results, header)
    STATS_RESULTS.write_text(report + "\n", encoding="utf-8")
    STATS_RESULTS.with_suffix(".json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    log("\n" + report)
    log(f"\nwritten: {STATS_RESULTS}")


if __name__ == "__main__":
    main()
