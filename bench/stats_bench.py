"""The monthly-statistics benchmark (issue #7): ours against SQLite queries.

    python -m bench.run --only stats [--sizes 1000,10000,100000]

For each size a fresh subprocess (``python -m bench.stats_bench measure FOLDER``) opens
the corpus as a store and measures, the store staying open as in the app:

- ``month_stats`` for the month holding the corpus's today (every station and the total),
  with the official calendar as the CLI passes it, and without a calendar;
- ``trend`` (twelve months) and ``export_stats(fmt="xlsx", trend_rows=...)``;
- the same core figures (total of all stations) computed by SQL over the same documents
  stored as JSON text in SQLite (``json_extract``, ``json_each``, expression indexes),
  on an open connection; each figure is checked against ``month_stats``.

It prints one JSON object on its last line, which :mod:`bench.run` collects.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench import engines
from bench.corpus import CORPUS_TODAY
from bench.store_bench import summary
from grassroots_tui.services.visit_rate import month_bounds

#: Targets of issue #7 (at 100k documents).
STATS_MS = 150.0
EXPORT_S = 2.0

#: The figures compared with SQLite (fields of ``statistics.Figures``, total row).
KEYS = (
    "households_registered",
    "households_visited_month",
    "households_visited_cumulative",
    "visits_month",
    "visits_cumulative",
    "issues_raised_month",
    "issues_raised_cumulative",
    "issues_resolved_month",
    "issues_resolved_cumulative",
    "slips_issued_month",
    "slips_issued_cumulative",
    "slips_replied_month",
    "slips_returned_month",
    "slips_extended_month",
    "media_reports_month",
    "media_reports_cumulative",
    "hardship_new_month",
    "supervision_checks_month",
)

#: Indexes added to the benchmark's SQLite file (``docs(id, kind, doc)``, see
#: :mod:`bench.engines`, which already has an index on ``kind``).
STATS_INDEXES = (
    "CREATE INDEX IF NOT EXISTS visit_date ON docs (json_extract(doc, '$.date')) "
    "WHERE kind = 'visit'",
    "CREATE INDEX IF NOT EXISTS slip_issue ON docs (json_extract(doc, '$.legacy.issue_date')) "
    "WHERE kind = 'handoff_slip'",
    "CREATE INDEX IF NOT EXISTS slip_problem ON docs (json_extract(doc, '$.problem_id')) "
    "WHERE kind = 'handoff_slip'",
    "CREATE INDEX IF NOT EXISTS reply_slip ON docs (json_extract(doc, '$.slip_id'), "
    "json_extract(doc, '$.reply_date')) WHERE kind = 'reply'",
)

# -- the SQL ---------------------------------------------------------------------------------
# Parameters: :first (month start), :end (month end), :start (1 January), ISO strings.

_REGISTERED = (
    "SELECT id FROM docs WHERE kind = 'household' "
    "AND coalesce(json_extract(doc, '$.registered_on'), '') <= :end"
)

SQL_HOUSEHOLDS = "SELECT count(*) FROM (" + _REGISTERED + ")"

SQL_VISITS = f"""
WITH reg AS MATERIALIZED ({_REGISTERED}),
v AS (
    SELECT json_extract(doc, '$.date') AS day, json_extract(doc, '$.household_id') AS hh
    FROM docs WHERE kind = 'visit' AND json_extract(doc, '$.date') BETWEEN :start AND :end
)
SELECT count(DISTINCT CASE WHEN day >= :first THEN hh END),
       count(DISTINCT hh),
       coalesce(sum(day >= :first), 0),
       count(*)
FROM v WHERE hh IN (SELECT id FROM reg)
"""

_SLIPS = """
last_reply AS MATERIALIZED (
    SELECT json_extract(doc, '$.slip_id') AS slip_id,
           max(substr(json_extract(doc, '$.reply_date'), 1, 10)) AS last
    FROM docs WHERE kind = 'reply' GROUP BY 1
),
closing AS MATERIALIZED (
    SELECT slip_id, min(day) AS day FROM (
        SELECT json_extract(doc, '$.slip_id') AS slip_id,
               substr(json_extract(doc, '$.date'), 1, 10) AS day
        FROM docs WHERE kind = 'slip_callback'
          AND json_extract(doc, '$.satisfaction') <> 'unsatisfied'
        UNION ALL
        SELECT json_extract(doc, '$.slip_id'), substr(json_extract(doc, '$.closed_on'), 1, 10)
        FROM docs WHERE kind = 'slip_close'
    ) GROUP BY 1
),
first_issue AS MATERIALIZED (
    SELECT slip_id, min(day) AS day FROM (
        SELECT json_extract(doc, '$.slip_id') AS slip_id,
               substr(json_extract(doc, '$.issued_on'), 1, 10) AS day
        FROM docs WHERE kind = 'slip_issue'
        UNION ALL
        SELECT json_extract(doc, '$.slip_id'), substr(json_extract(doc, '$.returned_on'), 1, 10)
        FROM docs WHERE kind = 'slip_return'
    ) GROUP BY 1
),
slip AS MATERIALIZED (
    SELECT s.id AS id,
           json_extract(s.doc, '$.problem_id') AS problem_id,
           json_extract(s.doc, '$.legacy.state') AS state,
           json_extract(s.doc, '$.source') AS source,
           min(substr(json_extract(s.doc, '$.legacy.issue_date'), 1, 10),
               coalesce(f.day, '9999')) AS issued,
           (json_extract(s.doc, '$.legacy.state') = 'closed'
            AND ifnull(coalesce(c.day, r.last) <= :end, 0)) AS closed
    FROM docs s LEFT JOIN last_reply r ON r.slip_id = s.id
                LEFT JOIN closing c ON c.slip_id = s.id
                LEFT JOIN first_issue f ON f.slip_id = s.id
    WHERE s.kind = 'handoff_slip'
)"""

#: Problems of visits in the year to date (json_each over ``problems``) and
#: hotline / walk-in slips without a visit problem, each with "resolved by month end".
SQL_ISSUES = f"""
WITH {_SLIPS},
p AS (
    SELECT substr(json_extract(v.doc, '$.date'), 1, 10) AS day,
           json_extract(e.value, '$.state') AS state,
           json_extract(e.value, '$.solved_on') AS solved_on,
           json_extract(e.value, '$.slip_id') AS slip_id,
           json_extract(e.value, '$.id') AS pid
    FROM docs v, json_each(v.doc, '$.problems') e
    WHERE v.kind = 'visit' AND json_extract(v.doc, '$.date') BETWEEN :start AND :end
),
issue AS (
    SELECT day,
           CASE state
             WHEN 'solved_on_spot' THEN 1
             WHEN 'solved_later' THEN coalesce(
                 (SELECT closed FROM slip WHERE slip.id = p.slip_id),
                 coalesce(solved_on, '') <> '' AND substr(solved_on, 1, 10) <= :end)
             WHEN 'handed_off' THEN coalesce(
                 (SELECT closed FROM slip WHERE slip.id = p.slip_id),
                 (SELECT closed FROM slip WHERE slip.problem_id = p.pid LIMIT 1),
                 0)
             ELSE 0
           END AS solved
    FROM p
    UNION ALL
    SELECT issued, closed FROM slip
    WHERE issued BETWEEN :start AND :end AND coalesce(state, '') <> 'drafted'
      AND source IN ('hotline', 'walk_in') AND coalesce(problem_id, '') = ''
)
SELECT coalesce(sum(day >= :first), 0), count(*),
       coalesce(sum(solved AND day >= :first), 0), coalesce(sum(solved), 0)
FROM issue
"""

SQL_SLIPS_ISSUED = f"""
WITH {_SLIPS}
SELECT coalesce(sum(issued >= :first), 0), count(*)
FROM slip WHERE issued BETWEEN :start AND :end AND coalesce(state, '') <> 'drafted'
"""

SQL_REPLIED = """
SELECT count(DISTINCT json_extract(doc, '$.slip_id')) FROM docs
WHERE kind = 'reply' AND substr(json_extract(doc, '$.reply_date'), 1, 10) BETWEEN :first AND :end
"""


def _dated(kind: str, field: str, where: str = "") -> str:
    return (
        f"SELECT count(*) FROM docs WHERE kind = '{kind}' {where} "
        f"AND substr(json_extract(doc, '$.{field}'), 1, 10) BETWEEN :first AND :end"
    )


SQL_MEDIA = """
SELECT coalesce(sum(day >= :first), 0), count(*) FROM (
    SELECT substr(json_extract(doc, '$.date'), 1, 10) AS day FROM docs
    WHERE kind = 'station_activity' AND json_extract(doc, '$.activity_type') = 'media_report'
) WHERE day BETWEEN :start AND :end
"""

#: (figure names, SQL) in the order run.
QUERIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("households_registered",), SQL_HOUSEHOLDS),
    (
        (
            "households_visited_month",
            "households_visited_cumulative",
            "visits_month",
            "visits_cumulative",
        ),
        SQL_VISITS,
    ),
    (
        (
            "issues_raised_month",
            "issues_raised_cumulative",
            "issues_resolved_month",
            "issues_resolved_cumulative",
        ),
        SQL_ISSUES,
    ),
    (("slips_issued_month", "slips_issued_cumulative"), SQL_SLIPS_ISSUED),
    (("slips_replied_month",), SQL_REPLIED),
    (("slips_returned_month",), _dated("slip_return", "returned_on")),
    (("slips_extended_month",), _dated("slip_extension", "requested_on")),
    (("media_reports_month", "media_reports_cumulative"), SQL_MEDIA),
    (("hardship_new_month",), _dated("hardship_case", "opened_on")),
    (("supervision_checks_month",), _dated("supervision_check", "date")),
)


def period(year: int, month: int) -> dict[str, str]:
    first, end = month_bounds((year, month))
    return {"first": first.isoformat(), "end": end.isoformat(), "start": f"{year:04d}-01-01"}


def sqlite_figures(conn: sqlite3.Connection, year: int, month: int) -> dict[str, int]:
    """The core figures (total of all stations) by SQL over the JSON documents."""
    params = period(year, month)
    out: dict[str, int] = {}
    for names, sql in QUERIES:
        row = conn.execute(sql, params).fetchone()
        out.update(zip(names, (int(x or 0) for x in row), strict=True))
    return out


def our_figures(stats: Any) -> dict[str, int]:
    return {key: int(getattr(stats.total, key)) for key in KEYS}


def sqlite_plans(conn: sqlite3.Connection, year: int, month: int) -> dict[str, str]:
    params = period(year, month)
    return {
        names[0]: "; ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        for names, sql in QUERIES
    }


# -- files -----------------------------------------------------------------------------------


def prepare(folder: Path, docs: list[dict[str, Any]], stamp: str) -> dict[str, int]:
    """The corpus as our store and as the SQLite file with the statistics indexes."""
    folder.mkdir(parents=True, exist_ok=True)
    ours = engines.engine_path(folder, "ours")
    engines.write_ours(ours, engines.our_tables(docs, stamp))
    path = engines.engine_path(folder, "sqlite")
    engines.write_sqlite(path, docs)
    conn = engines.sqlite_connect(path)
    try:
        for statement in STATS_INDEXES:
            conn.execute(statement)
        conn.execute("ANALYZE")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return {
        "ours": engines.disk_bytes(folder, "ours"),
        "sqlite": engines.disk_bytes(folder, "sqlite"),
    }


# -- the measurement (in its own process) ----------------------------------------------------


#: A measurement whose warm-up call alone takes longer than this many seconds counts that
#: call as its only run (n=1, shown in the report) instead of repeating it.
SLOW_S = 30.0


def _times(fn: Callable[[], Any], reps: int) -> tuple[list[float], Any]:
    gc.collect()
    start = time.perf_counter()
    result = fn()  # warm-up (imports, caches of the calendar)
    first = time.perf_counter() - start
    if first > SLOW_S:
        return [first], result
    times = []
    for _ in range(reps):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def _profile(fn: Callable[[], Any], limit: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(limit)
    text = out.getvalue()
    # Keep the table only; shorten the paths.
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    root = str(Path(__file__).resolve().parent.parent) + "/"
    return "\n".join(line.replace(root, "") for line in lines[start:] if line.strip())


def measure(
    folder: Path, reps: int, export_reps: int, today: date = CORPUS_TODAY
) -> dict[str, Any]:
    from grassroots_tui.services.statistics import month_stats, trend
    from grassroots_tui.services.stats_export import export_stats
    from grassroots_tui.services.workcalendar import OfficialCalendar

    year, month = today.year, today.month
    calendar = OfficialCalendar()
    store = engines.open_ours(engines.engine_path(folder, "ours"), readonly=True)
    conn = engines.sqlite_connect(engines.engine_path(folder, "sqlite"))
    try:
        result: dict[str, Any] = {"month": f"{year:04d}-{month:02d}"}
        result["docs"] = engines.count_docs(store.tables)
        result["stations"] = len(store.raw("station"))

        stats_t, stats = _times(
            lambda: month_stats(store, year=year, month=month, calendar=calendar), reps
        )
        plain_t, plain = _times(lambda: month_stats(store, year=year, month=month), reps)

        def cold() -> Any:
            store._derived.clear()  # as after a save: the cached indexes are built again
            return month_stats(store, year=year, month=month, calendar=calendar)

        cold_t, _ = _times(cold, reps)
        sql_t, sql = _times(lambda: sqlite_figures(conn, year, month), reps)
        trend_t, rows = _times(
            lambda: trend(store, year=year, month=month, months=12, calendar=calendar),
            export_reps,
        )
        export_t, data = _times(
            lambda: export_stats(store, stats, fmt="xlsx", trend_rows=rows, calendar=calendar),
            export_reps,
        )

        def whole() -> bytes:
            store._derived.clear()  # as in `grassroots export stats`: nothing cached yet
            s = month_stats(store, year=year, month=month, calendar=calendar)
            r = trend(store, year=year, month=month, months=12, calendar=calendar)
            return export_stats(store, s, fmt="xlsx", trend_rows=r, calendar=calendar)

        whole_t, _ = _times(whole, export_reps)

        ours = our_figures(stats)
        result["figures"] = {"ours": ours, "sqlite": sql}
        result["same"] = ours == sql
        result["differ"] = {k: [ours[k], sql[k]] for k in KEYS if ours[k] != sql[k]}
        result["same_without_calendar"] = our_figures(plain) == ours
        result["xlsx_bytes"] = len(data)
        result["time"] = {
            "month_stats": summary(stats_t),
            "month_stats_no_calendar": summary(plain_t),
            "month_stats_cold": summary(cold_t),
            "sqlite": summary(sql_t),
            "trend": summary(trend_t),
            "export": summary(export_t),
            "whole_export": summary(whole_t),
        }
        # Where the time goes: each SQL statement alone, and a profile of month_stats.
        params = period(year, month)
        per_query = {}
        for names, sql_text in QUERIES:
            times, _ = _times(lambda s=sql_text: conn.execute(s, params).fetchone(), reps)
            per_query[names[0]] = summary(times)["median"]
        result["sqlite_per_query"] = per_query
        result["sqlite_plans"] = sqlite_plans(conn, year, month)
        result["profile"] = _profile(
            lambda: month_stats(store, year=year, month=month, calendar=calendar)
        )
        return result
    finally:
        conn.close()
        store.close()


def run_measure(folder: Path, reps: int, export_reps: int) -> dict[str, Any]:
    """``measure`` in a fresh subprocess; its JSON result."""
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.stats_bench",
            "measure",
            str(folder),
            str(reps),
            str(export_reps),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- driving and reporting (called by bench.run --only stats) --------------------------------


def bench_size(n: int, seed: int, data: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Build the corpus of ``n`` documents, write it, measure it in a fresh process."""
    import os
    import shutil

    from bench.corpus import CORPUS_STAMP, make_corpus

    started = time.perf_counter()
    folder = data / f"stats-n{n}"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        log(f"\n== statistics, {n:,} documents ==")
        docs = make_corpus(n, seed)
        disk = prepare(folder, docs, CORPUS_STAMP)
        del docs
        gc.collect()
        os.sync()
        reps = 7 if n >= 100_000 else 11
        result = run_measure(folder, reps, 5)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.update(n=n, disk_bytes=disk, seconds=time.perf_counter() - started)
    t = result["time"]
    log(
        f"month_stats {_ms(t['month_stats']['median'])} ms, SQLite {_ms(t['sqlite']['median'])} ms, "
        f"trend {_ms(t['trend']['median'])} ms, xlsx {_ms(t['export']['median'])} ms, "
        f"same figures: {result['same']} {result['differ'] or ''}"
    )
    return result


def _ms(seconds: float) -> str:
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def render(results: list[dict[str, Any]], header: list[str]) -> str:
    """The markdown of ``bench/RESULTS-stats.md``; ``header``: date/command/machine bullets."""
    by_n = {r["n"]: r for r in results}
    big = by_n[max(by_n)]
    bt = big["time"]
    whole = bt["whole_export"]["median"]
    out = ["# Monthly statistics benchmarks (issue #7)", ""]
    out.append(
        "Written by `make bench` or `python -m bench.run --only stats` (`bench/stats_bench.py`); do not edit "
        "by hand. The store benchmarks are in [RESULTS-store.md](RESULTS-store.md), the app's in [RESULTS.md](RESULTS.md)."
    )
    out += ["", *header, ""]
    out.append("Times are medians in milliseconds; ratios are ours ÷ SQLite (below 1 is faster).")
    out += ["", "## Targets", ""]
    at = f"at {big['n']:,}"
    out.append(
        _table(
            ["target", "wanted", "measured", "met"],
            [
                [
                    f"`month_stats` for one month, every station and the total, {at}",
                    f"≤ {STATS_MS:g} ms",
                    f"{_ms(bt['month_stats']['median'])} ms",
                    _mark(bt["month_stats"]["median"] * 1000 <= STATS_MS),
                ],
                [
                    f"the same with nothing kept (first use after opening; after a save only what it touched is built again), {at}",
                    f"≤ {STATS_MS:g} ms",
                    f"{_ms(bt['month_stats_cold']['median'])} ms",
                    _mark(bt["month_stats_cold"]["median"] * 1000 <= STATS_MS),
                ],
                [
                    f"`export_stats` .xlsx with the 12-month trend rows given, {at}",
                    f"≤ {EXPORT_S:g} s",
                    f"{bt['export']['median']:.2f} s",
                    _mark(bt["export"]["median"] <= EXPORT_S),
                ],
                [
                    f"the whole .xlsx path (`month_stats` + `trend` + `export_stats`), {at}",
                    f"≤ {EXPORT_S:g} s",
                    f"{whole:.2f} s",
                    _mark(whole <= EXPORT_S),
                ],
                [
                    "SQLite gives the same figures (every size)",
                    "same",
                    "same" if all(r["same"] for r in results) else "differ",
                    _mark(all(r["same"] for r in results)),
                ],
            ],
        )
    )
    out += ["", "## Times", ""]
    rows = []
    for r in results:
        t = r["time"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{r['figures']['ours']['visits_cumulative']:,}",
                str(r["stations"]),
                f"{_ms(t['month_stats']['median'])} (n={t['month_stats']['n']})",
                _ms(t["month_stats_cold"]["median"]),
                _ms(t["month_stats_no_calendar"]["median"]),
                f"{_ms(t['sqlite']['median'])} (n={t['sqlite']['n']})",
                _ratio(t["month_stats"]["median"], t["sqlite"]["median"]),
                f"{_ms(t['trend']['median'])} (n={t['trend']['n']})",
                f"{_ms(t['export']['median'])} (n={t['export']['n']})",
                f"{_ms(t['whole_export']['median'])} (n={t['whole_export']['n']})",
                f"{r['xlsx_bytes'] / 1e3:,.0f}",
                _mark(r["same"]),
            ]
        )
    out.append(
        _table(
            [
                "documents",
                "visits in the year",
                "stations",
                "ours `month_stats` (calendar)",
                "ours, nothing kept",
                "ours, no calendar",
                "SQLite, the same core figures",
                "ours/SQLite",
                "`trend` 12 months",
                "`export_stats` xlsx",
                "stats + trend + xlsx",
                "xlsx kB",
                "same figures",
            ],
            rows,
        )
    )
    out.append("")
    out.append(
        f"Month: {big['month']} (the corpus's today is {CORPUS_TODAY.isoformat()}). Ours: "
        "`month_stats(store, year=, month=, calendar=OfficialCalendar())` — every station "
        "and the total, all 32 figures of each — on a store opened read-only from the "
        "corpus (the store stays open, as in the app, and keeps the indexes the figures "
        "are computed from until a document they read changes); one warm-up call, "
        "`gc.collect()` "
        'before each timed one. "Nothing kept": every kept index dropped before each call, '
        "as on the first use after opening the store; a save drops only the indexes of the "
        "kinds it changed (a visit: the sorted visits, not the households or the slips' due "
        f"dates), so this is the slowest case (a call slower than {SLOW_S:g} s is timed once, "
        "its first "
        'call: n=1). "No calendar": `calendar=None`. SQLite: the core figures '
        "of the total only (listed below) on an open connection, each statement run and "
        "fetched; `bench/engines.py`'s file (`docs(id, kind, doc)`, JSON text, index on "
        "`kind`) plus expression indexes on the visit date, the slip issue date and problem "
        "id, and (slip id, reply date) of replies, then `ANALYZE`. Note that the comparison "
        "favours SQLite: ours computes every figure of every station and the total, SQLite "
        'only the core figures of the total. `export_stats(store, stats, fmt="xlsx", '
        "trend_rows=trend(...), calendar=...)` is timed with the trend rows already "
        'computed; "stats + trend + xlsx" is what the CLI\'s `export stats --format xlsx` '
        "does after opening the store (timed with nothing kept). Every size runs in its own fresh process."
    )
    out += ["", "## The figures compared", ""]
    keys = list(big["figures"]["ours"])
    rows = [
        [
            f"`{k}`",
            *(f"{r['figures']['ours'][k]:,} / {r['figures']['sqlite'][k]:,}" for r in results),
        ]
        for k in keys
    ]
    out.append(_table(["figure (total)", *(f"{r['n']:,}: ours / SQLite" for r in results)], rows))
    out.append("")
    out.append(
        "Definitions as in `grassroots_tui/services/statistics.py`. In SQL: registered = "
        "households with `registered_on` empty or ≤ month end; visits = visits dated in the "
        "period whose household is registered (`IN` the registered set); issues = "
        "`json_each(doc, '$.problems')` of visits dated in the year to date, plus "
        "hotline/walk-in slips without `problem_id` issued in the period (not drafts); "
        "resolved = 当场解决, 后续解决 with `solved_on` ≤ month end, 已交办 whose slip (by "
        "`slip_id`, else by `problem_id`) is closed with its last reply ≤ month end, and "
        "such a closed walk-in slip; the rest are plain counts of dated documents."
    )
    out += ["", f"## SQLite per statement at {big['n']:,} (median ms) and plan", ""]
    rows = [
        [f"`{name}`…", _ms(big["sqlite_per_query"][name]), f"`{big['sqlite_plans'][name]}`"]
        for name in big["sqlite_per_query"]
    ]
    out.append(_table(["statement (first figure)", "ms", "plan"], rows))
    out += ["", f"## Profile of one `month_stats` at {big['n']:,} (cProfile, by own time)", ""]
    out += ["```", big["profile"], "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats_bench")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure")
    m.add_argument("folder", type=Path)
    m.add_argument("reps", type=int)
    m.add_argument("export_reps", type=int)
    args = parser.parse_args(argv)
    if args.command == "measure":
        print(json.dumps(measure(args.folder, args.reps, args.export_reps), ensure_ascii=False))


if __name__ == "__main__":
    main()
