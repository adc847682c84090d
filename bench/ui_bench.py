"""The app-level benchmark (issue #8): the program at a street office's scale.

    python -m bench.run --only app [--sizes 1000,10000,100000] [--processes 5]

For each size it writes a street office's store (:mod:`bench.office`: 10 stations over
five years at 100k, households 10 %, visits 50 %, rosters 20 %, genuine audit entries),
the same documents in TinyDB's default JSONStorage and in SQLite, and then starts fresh
processes (:mod:`bench.ui_probe`):

- the program, signed in as a street-office supervisor (every station: 50,000 visits at
  100k) for the start, type-to-filter and overdue-board figures, and as a station head
  for the save figure (the supervisor may not log visits);
- the same data work with TinyDB and with SQLite (:mod:`bench.ui_engines`);
- the documents parsed into plain dicts, the memory floor.

Each figure is the median over every measurement of every process (``--processes``, at
least 5; the start figure has one measurement per process). The monthly statistics and
the .xlsx export are measured by :mod:`bench.stats_bench` on the same office store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
#: Issue #19's targets: the start within this many times a minimal Textual app's, at any
#: store size; signing in to the first list painted, the board's and an edit form's first
#: opening (seconds).
START_RATIO = 1.5
SIGNIN_TO_LIST_S = 0.300
BOARD_FIRST_S = 0.100
FORM_S = 0.150
#: The program's own imports for the floor beside the start (issue #19): everything the
#: old start imported before its sign-in screen.
PROGRAM_IMPORTS = (
    "import grassroots_tui.tui.app, grassroots_tui.store.store, grassroots_tui.models, "
    "grassroots_tui.tui.screens.visits"
)

#: The targets of issue #8 at 100k documents.
TARGETS = {
    "start_to_signin_s": 1.5,
    "save_to_table_s": 0.050,
    "board_s": 0.100,
    "filter_key_s": 0.050,
    "month_stats_s": 0.150,
    "xlsx_s": 2.0,
    "memory_ratio": 1.5,
    "growth": 3.0,
}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.9 * len(ordered))] if ordered else float("nan")


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """A probe in a fresh process; its JSON. The argument "T0" becomes the time the
    process was started (``time.time()``), from which it measures its start."""
    t0 = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "bench.ui_probe", *(f"{t0:.6f}" if a == "T0" else a for a in args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _wall(code: str, env: dict[str, str]) -> float:
    """Seconds from starting ``python -c CODE`` to its exit."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=300)
    return time.perf_counter() - t0


def measure_start(folder: Path, processes: int, env: dict[str, str], log: Callable) -> dict:
    """Issue #19: process start to the sign-in screen, beside a minimal Textual app
    started the same way and the floors, in fresh processes taking turns. The first
    process of each is *cold*: the first start after the store was written (no sign-in
    list kept beside it yet, as on a laptop's first start; the operating system's cache
    holds the files just written); the others are *warm*. Beside them, the same start
    through the command line's entry (``grassroots --db STORE``: bench/ui_probe.py's
    ``entry``), warm: after the cold start, so that the sign-in list is kept."""
    from bench import engines

    ours = str(engines.engine_path(folder, "ours"))
    kept = Path(ours + ".signin")
    kept.unlink(missing_ok=True)
    minimal: list[float] = []
    start: list[dict[str, Any]] = []
    entry: list[dict[str, Any]] = []
    for _ in range(processes + 1):
        minimal.append(_run(["minimal", "T0"], env)["start_s"])
        start.append(_run(["start", ours, "T0"], env))
        entry.append(_run(["entry", ours, "T0"], env))
    if start[0]["kept_list"] or not all(r["kept_list"] for r in start[1:]):
        raise RuntimeError("the sign-in list was kept before the cold start, or not after it")
    floors = {
        "import_textual_s": _median([_wall("import textual", env) for _ in range(processes)]),
        "import_app_s": _median(
            [_wall("import grassroots_tui.tui.app", env) for _ in range(processes)]
        ),
        "import_program_s": _median([_wall(PROGRAM_IMPORTS, env) for _ in range(processes)]),
        "parse_s": _median([_run(["parse", ours, "T0"], env)["parse_s"] for _ in range(processes)]),
    }
    warm = start[1:]
    result = {
        "minimal_cold_s": minimal[0],
        "minimal_warm_s": _median(minimal[1:]),
        "signin_cold_s": start[0]["start_to_signin_s"],
        "names_cold_s": start[0]["start_to_names_s"],
        "signin_warm_s": _median([r["start_to_signin_s"] for r in warm]),
        "names_warm_s": _median([r["start_to_names_s"] for r in warm]),
        "store_open_cold_s": start[0]["start_to_store_open_s"],
        "store_open_warm_s": _median([r["start_to_store_open_s"] for r in warm]),
        "ready_warm_s": _median([r["start_to_ready_s"] for r in warm]),
        "entry_signin_warm_s": _median([r["start_to_signin_s"] for r in entry]),
        "entry_names_warm_s": _median([r["start_to_names_s"] for r in entry]),
        "imported_before_signin": sorted(
            {m for r in start + entry for m in r["imported_before_signin"]}
        ),
        "processes": len(start),
        **floors,
    }
    log(
        f"  start: minimal {result['minimal_warm_s']:.2f} s, ours {result['names_warm_s']:.2f} s "
        f"(cold {result['names_cold_s']:.2f} s; store open behind it "
        f"{result['store_open_warm_s']:.2f} s); through `grassroots --db`: "
        f"{result['entry_names_warm_s']:.2f} s "
        f"({result['entry_names_warm_s'] / result['minimal_warm_s']:.2f}x)"
    )
    return result


def prepare(folder: Path, n: int, seed: int) -> dict[str, Any]:
    """The office store and the same documents for the other engines."""
    from bench import engines
    from bench.office import write_office_store

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    docs = write_office_store(engines.engine_path(folder, "ours"), n, seed)
    engines.write_tinydb(engines.engine_path(folder, "tinydb"), docs)
    engines.write_sqlite(engines.engine_path(folder, "sqlite"), docs)
    engines.engine_path(folder, "raw").write_bytes(orjson.dumps(engines.our_tables(docs, "bench")))
    staff = [d for d in docs if d["kind"] == "staff"]
    office = next(s for s in staff if not s.get("station_id") and s["role"] == "supervisor")
    head = next(s for s in staff if s["role"] == "head")
    visits_of_head = sum(
        1 for d in docs if d["kind"] == "visit" and d.get("station_id") == head["station_id"]
    )
    return {
        "office_staff": office["id"],
        "head_staff": head["id"],
        "visits": sum(1 for d in docs if d["kind"] == "visit"),
        "visits_of_head_station": visits_of_head,
        "build_s": time.perf_counter() - started,
    }


def measure(folder: Path, n: int, plan: dict[str, Any], processes: int, log: Callable) -> dict:
    from bench import engines

    env = dict(os.environ)
    env["GRASSROOTS_CONFIG"] = str(folder / "settings.json")
    env["TEXTUAL_ANIMATIONS"] = "none"
    ours = str(engines.engine_path(folder, "ours"))
    result: dict[str, Any] = {"n": n, **plan}
    office: list[dict[str, Any]] = []
    station: list[dict[str, Any]] = []
    started = time.perf_counter()
    result["start"] = measure_start(folder, processes, env, log)
    for i in range(processes):
        office.append(
            _run(["app", ours, plan["office_staff"], "T0", "--figures=filter,board"], env)
        )
        station.append(_run(["app", ours, plan["head_staff"], "T0", "--figures=form,save"], env))
        log(f"  app process {i + 1}/{processes} done ({time.perf_counter() - started:.0f} s)")
    result["ours"] = {
        "start_to_signin_s": _median([r["start_to_signin_s"] for r in office + station]),
        "store_open_s": _median([r["store_open_s"] for r in office + station]),
        "signin_to_visits_office_s": _median([r["signin_to_visits_s"] for r in office]),
        "signin_to_visits_station_s": _median([r["signin_to_visits_s"] for r in station]),
        "start_to_visits_office_s": _median([r["start_to_visits_s"] for r in office]),
        "filter_key_s": _median([x for r in office for x in r["filter_key_s"]]),
        "filter_n": sum(len(r["filter_key_s"]) for r in office),
        "filter_p90_s": _p90([x for r in office for x in r["filter_key_s"]]),
        "board_s": _median([x for r in office for x in r["board_s"]]),
        "board_first_s": _median([r["board_s"][0] for r in office]),
        "board_n": sum(len(r["board_s"]) for r in office),
        "form_first_s": _median([r["form_s"][0] for r in station]),
        "form_s": _median([x for r in station for x in r["form_s"][1:]]),
        "board_rows": office[0]["board_rows"],
        "save_to_table_s": _median([x for r in station for x in r["save_to_table_s"]]),
        "save_n": sum(len(r["save_to_table_s"]) for r in station),
        "save_p90_s": _p90([x for r in station for x in r["save_to_table_s"]]),
        "visits_in_office_list": office[0]["visits_in_list"],
        "peak_rss_mb": _median([r["peak_rss_mb"] for r in office]),
        "rss_before_open_mb": _median([r["rss_before_open_mb"] for r in office]),
    }
    for engine in ("tinydb", "sqlite", "dicts"):
        path = str(engines.engine_path(folder, "raw" if engine == "dicts" else engine))
        runs = [_run(["engine", engine, path, "T0", "--reps=5"], env) for _ in range(processes)]
        summary: dict[str, Any] = {
            "start_s": _median([r["start_s"] for r in runs]),
            "peak_rss_mb": _median([r["peak_rss_mb"] for r in runs]),
        }
        if "rss_before_mb" in runs[0]:
            summary["rss_before_mb"] = _median([r["rss_before_mb"] for r in runs])
        for key in ("save_s", "filter_s", "board_s"):
            if key in runs[0]:
                summary[key] = _median([x for r in runs for x in r[key]])
        result[engine] = summary
        log(f"  {engine} done ({time.perf_counter() - started:.0f} s)")
    return result


def stats_on_office(folder: Path, log: Callable) -> dict[str, Any]:
    """Monthly statistics and the .xlsx export on the office store (bench.stats_bench)."""
    from bench import engines
    from bench.stats_bench import STATS_INDEXES, run_measure

    log("  statistics on the office store")
    conn = engines.sqlite_connect(engines.engine_path(folder, "sqlite"))
    try:
        for statement in STATS_INDEXES:
            conn.execute(statement)
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    return run_measure(folder, 7, 5)


def bench_size(n: int, seed: int, data: Path, processes: int, log: Callable) -> dict[str, Any]:
    folder = data / f"app-n{n}"
    log(f"\n== app, {n:,} documents ==")
    try:
        plan = prepare(folder, n, seed)
        log(f"  office store written in {plan['build_s']:.1f} s")
        # Statistics first: the probes below save visits into every engine's files.
        stats = stats_on_office(folder, log)
        result = measure(folder, n, plan, processes, log)
        result["stats"] = stats
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


# -- the report ------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_issue19(results: list[dict[str, Any]]) -> list[str]:
    """Issue #19's section: the start beside a minimal Textual app, at every size, cold
    and warm; signing in to the first list; the board's and an edit form's first opening."""
    sized = [r for r in sorted(results, key=lambda r: r["n"]) if "start" in r]
    if not sized:
        return []
    target_rows = []
    for r in sized:
        st = r["start"]
        for when in ("cold", "warm"):
            ratio = st[f"names_{when}_s"] / st[f"minimal_{when}_s"]
            target_rows.append(
                [
                    f"start → sign-in listing the staff, {r['n']:,} documents, {when}",
                    f"≤ {START_RATIO:g}× the minimal app",
                    f"{st[f'names_{when}_s']:.2f} s ÷ {st[f'minimal_{when}_s']:.2f} s = "
                    f"{ratio:.2f}×"
                    + (
                        f" (the screen itself at {st['signin_cold_s']:.2f} s = "
                        f"{st['signin_cold_s'] / st['minimal_cold_s']:.2f}×)"
                        if when == "cold"
                        else ""
                    ),
                    _mark(ratio <= START_RATIO),
                ]
            )
    for r in sized:
        o = r["ours"]
        for who, key in (("a station", "station"), ("the office", "office")):
            value = o[f"signin_to_visits_{key}_s"]
            target_rows.append(
                [
                    f"sign-in → the first list painted, {who} "
                    f"({r['visits_of_head_station'] if key == 'station' else r['visits']:,} "
                    f"visits), {r['n']:,} documents",
                    f"≤ {SIGNIN_TO_LIST_S * 1000:.0f} ms",
                    f"{_ms(value)} ms",
                    _mark(value <= SIGNIN_TO_LIST_S),
                ]
            )
    for r in sized:
        o = r["ours"]
        target_rows.append(
            [
                f"the board's first opening, {r['n']:,} documents",
                f"≤ {BOARD_FIRST_S * 1000:.0f} ms",
                f"{_ms(o['board_first_s'])} ms (opened again: {_ms(o['board_s'])} ms)",
                _mark(o["board_first_s"] <= BOARD_FIRST_S),
            ]
        )
        target_rows.append(
            [
                f"opening a visit's edit form, {r['n']:,} documents",
                f"≤ {FORM_S * 1000:.0f} ms",
                f"{_ms(o['form_first_s'])} ms the first time, {_ms(o['form_s'])} ms after",
                _mark(max(o["form_first_s"], o["form_s"]) <= FORM_S),
            ]
        )
    rows = []
    for r in sized:
        st = r["start"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{st['minimal_cold_s']:.2f} / {st['minimal_warm_s']:.2f}",
                f"{st['signin_cold_s']:.2f} / {st['signin_warm_s']:.2f}",
                f"{st['names_cold_s']:.2f} / {st['names_warm_s']:.2f}",
                f"{st['store_open_cold_s']:.2f} / {st['store_open_warm_s']:.2f}",
                f"{st['ready_warm_s']:.2f}",
                f"{st['import_textual_s']:.2f} / {st['import_app_s']:.2f} / "
                f"{st['import_program_s']:.2f}",
                f"{_ms(st['parse_s'])} ms",
                ", ".join(st["imported_before_signin"]) or "none of them",
            ]
        )
    return [
        "## Issue #19: the start, signing in, the first screens",
        _table(["what", "target", "measured", "met"], target_rows),
        "Seconds from process start (cold / warm). *Cold* is the first process after the "
        "store was written: no sign-in list is kept beside it yet (a laptop's first start), "
        "so the staff are listed from the snapshot's first tables, read before the app "
        "starts (a few milliseconds); one process, so the cold figures are single "
        "measurements. *Warm* is the median of the next starts, listing the kept list. The minimal app is a Textual app of one label "
        "started the same way (`python -m bench.ui_probe minimal`, `run_test()`); both are "
        "timed to the first frame handed to the terminal. *Store open* and *ready* (the "
        "first list's modules imported and its pinyin worked out) happen behind the sign-in "
        "screen, while the person finds their name and types the PIN; signing in earlier "
        "waits for them (the figures below sign in once ready). Floors: wall time of "
        "`python -c 'import textual'`, of `import grassroots_tui.tui.app` (what the "
        "sign-in screen needs) and of the program's imports before issue #19 "
        f"(`{PROGRAM_IMPORTS}`); parse: reading the snapshot and `orjson.loads` of it.",
        _table(
            [
                "documents",
                "minimal Textual app",
                "ours: sign-in screen",
                "ours: staff listed",
                "store open behind it",
                "ready",
                "floor: import textual / the app / the whole program",
                "floor: parse",
                "heavy modules imported before the sign-in screen (pypinyin, openpyxl, "
                "docx, pydantic, the models)",
            ],
            rows,
        ),
    ]


def render(results: list[dict[str, Any]], header: list[str]) -> str:
    by_n = {r["n"]: r for r in results}
    big = by_n[max(by_n)]
    small = by_n[min(by_n)]
    o, s = big["ours"], big["stats"]["time"]
    # Memory for the documents: the peak less what the process held before reading any
    # (the interpreter; for the app also Textual and the program itself).
    ours_data = o["peak_rss_mb"] - o["rss_before_open_mb"]
    dicts_data = big["dicts"]["peak_rss_mb"] - big["dicts"]["rss_before_mb"]
    memory_ratio = ours_data / dicts_data if dicts_data > 0 else float("nan")
    interactive = ("save_to_table_s", "board_s", "filter_key_s")
    growth = {k: o[k] / small["ours"][k] for k in interactive}
    stats_ms = s["month_stats"]["median"]
    xlsx = s["whole_export"]["median"]
    start_big = big.get("start")
    first_screen = start_big["names_warm_s"] if start_big else o["start_to_signin_s"]
    target_rows = [
        [
            "process start to the first screen showing data (sign-in, staff listed)",
            "≤ 1.5 s",
            f"{first_screen:.2f} s",
            _mark(first_screen <= 1.5),
        ],
        [
            "Enter on a filled visit form to the visit in the table",
            "≤ 50 ms",
            f"{_ms(o['save_to_table_s'])} ms",
            _mark(o["save_to_table_s"] <= 0.050),
        ],
        [
            "opening the supervisors' overdue board",
            "≤ 100 ms",
            f"{_ms(o['board_s'])} ms",
            _mark(o["board_s"] <= 0.100),
        ],
        [
            f"one keystroke of type-to-filter over {o['visits_in_office_list']:,} visits",
            "≤ 50 ms",
            f"{_ms(o['filter_key_s'])} ms",
            _mark(o["filter_key_s"] <= 0.050),
        ],
        [
            "all monthly figures for one month",
            "≤ 150 ms",
            f"{_ms(stats_ms)} ms",
            _mark(stats_ms <= 0.150),
        ],
        [
            ".xlsx export of one month (figures, trend and workbook)",
            "≤ 2 s",
            f"{xlsx:.2f} s",
            _mark(xlsx <= 2.0),
        ],
        [
            "peak memory for the documents ÷ the same documents parsed into plain dicts "
            "(each process's peak less what it held before reading any)",
            "≤ 1.5×",
            f"{memory_ratio:.2f}× ({ours_data:.0f} MB ÷ {dicts_data:.0f} MB; whole processes "
            f"{o['peak_rss_mb']:.0f} MB and {big['dicts']['peak_rss_mb']:.0f} MB)",
            _mark(memory_ratio <= 1.5),
        ],
    ]
    for key, title in (
        ("save_to_table_s", "save"),
        ("board_s", "board"),
        ("filter_key_s", "filter keystroke"),
    ):
        target_rows.append(
            [
                f"growth: {title} at {big['n']:,} ÷ at {small['n']:,}",
                "≤ 3×",
                f"{growth[key]:.2f}×",
                _mark(growth[key] <= 3.0),
            ]
        )
    rows = []
    for n, r in sorted(by_n.items()):
        ro = r["ours"]
        rows.append(
            [
                f"{n:,}",
                f"{r['visits']:,}",
                f"{ro['start_to_signin_s']:.2f} s / {r['tinydb']['start_s']:.2f} / {r['sqlite']['start_s']:.2f}",
                f"{ro['signin_to_visits_station_s']:.2f} / {ro['signin_to_visits_office_s']:.2f} s",
                f"{_ms(ro['save_to_table_s'])} (p90 {_ms(ro['save_p90_s'])}) / {_ms(r['tinydb']['save_s'])} / {_ms(r['sqlite']['save_s'])}",
                f"{_ms(ro['filter_key_s'])} (p90 {_ms(ro['filter_p90_s'])}) / {_ms(r['tinydb']['filter_s'])} / {_ms(r['sqlite']['filter_s'])}",
                f"{_ms(ro['board_s'])} / {_ms(r['tinydb']['board_s'])} / {_ms(r['sqlite']['board_s'])}",
                f"{_ms(r['stats']['time']['month_stats']['median'])} / {_ms(r['stats']['time']['sqlite']['median'])}",
                f"{r['stats']['time']['whole_export']['median']:.2f} s",
                f"{ro['peak_rss_mb']:.0f} / {r['tinydb']['peak_rss_mb']:.0f} / {r['sqlite']['peak_rss_mb']:.0f} / {r['dicts']['peak_rss_mb']:.0f}",
            ]
        )
    ratio_rows = []
    for n, r in sorted(by_n.items()):
        ro = r["ours"]
        ratio_rows.append(
            [
                f"{n:,}",
                _ratio(ro["save_to_table_s"], r["tinydb"]["save_s"]),
                _ratio(ro["save_to_table_s"], r["sqlite"]["save_s"]),
                _ratio(ro["filter_key_s"], r["tinydb"]["filter_s"]),
                _ratio(ro["filter_key_s"], r["sqlite"]["filter_s"]),
                _ratio(ro["board_s"], r["tinydb"]["board_s"]),
                _ratio(ro["board_s"], r["sqlite"]["board_s"]),
                _ratio(
                    r["stats"]["time"]["month_stats"]["median"],
                    r["stats"]["time"]["sqlite"]["median"],
                ),
                _ratio(
                    ro["peak_rss_mb"] - ro["rss_before_open_mb"],
                    r["dicts"]["peak_rss_mb"] - r["dicts"]["rss_before_mb"],
                ),
            ]
        )
    parts = [
        header,
        *render_issue19(results),
        "## Targets (issue #8, at 100,000 documents)",
        _table(["what", "target", "measured", "met"], target_rows),
        "## Figures: ours / TinyDB default / SQLite (milliseconds unless marked)",
        _table(
            [
                "documents",
                "visits",
                "start → sign-in (TinyDB, SQLite: start → first list)",
                "sign-in → visits list (station / office)",
                "save → in table",
                "filter keystroke",
                "overdue board",
                "month_stats / SQLite",
                "stats + trend + .xlsx",
                "peak RSS MB (ours / TinyDB / SQLite / dicts)",
            ],
            rows,
        ),
        "## Ratios (ours ÷ the other; below 1 is faster)",
        _table(
            [
                "documents",
                "save ÷ TinyDB",
                "save ÷ SQLite",
                "filter ÷ TinyDB",
                "filter ÷ SQLite",
                "board ÷ TinyDB",
                "board ÷ SQLite",
                "stats ÷ SQLite",
                "memory for the documents ÷ dicts",
            ],
            ratio_rows,
        ),
    ]
    findings = Path(__file__).with_name("FINDINGS-app.md")
    if findings.exists():
        parts.append(findings.read_text(encoding="utf-8").strip())
    return "\n\n".join(parts) + "\n"
