"""The schema-2 upgrade on the benchmark corpus: every figure of every month and the
overdue board on every day are the same before and after (issue 16, "Existing stores
migrate"; ``tests/test_slip_migration.py`` checks the same on the demo store).

``python -m bench.migration [--n 100000] [--seed 2026] [--step 1]``:

1. build the corpus of ``n`` documents (:func:`bench.corpus.make_corpus`) and turn it
   into the store version 1 wrote (:func:`bench.version_one.version_one`: each slip with
   its own state, number and dates, ``schema_version`` 1, no issue, acceptance, close or
   withdrawal documents; ``_meta`` saying ``handoff_slip`` is at version 1);
2. compute, from those tables (:class:`bench.version_one.DictStore`), ``month_stats``
   for every month from the corpus's first (a year before its today) to today's, every
   row (each station, the office's own, removed stations') and the total, every field,
   and the summary sentence; the overdue board (``build_board`` + ``board_json``) on
   every ``step``-th day from the first of that first month to 30 days after today; and
   each slip as the slip list shows it today (state, number, dates, due date);
3. write the store (``write_compacted_store``), open it with ``Store.open`` (which keeps
   a backup and upgrades every slip: the migration time is this cold open), compute the
   same from the opened store, and compare; then close it and time opening the upgraded
   store again (median of 3).

Prints the counts and writes ``bench/RESULTS-migration.md``; exits 1 if anything
differs (each difference names the month, row and figure, or the day and slip).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import CORPUS_STAMP, CORPUS_TODAY, DEFAULT_SEED, make_corpus
from bench.version_one import SLIP, DictStore, tables_of, version_one, with_meta
from grassroots_tui.services.slip_board import board_json, build_board
from grassroots_tui.services.slips.clock import views
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from grassroots_tui.store.store import write_compacted_store

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS-migration.md"
DEFAULT_N = 100_000
#: The board is compared up to this many days after the corpus's today (slips coming due).
DAYS_AFTER = 30
#: What the slip list shows of a slip (its view), compared slip by slip today.
VIEW_FIELDS = (
    "state",
    "number",
    "issue_date",
    "first_issue_date",
    "due_date",
    "original_due_date",
    "withdraw_reason",
)


@dataclasses.dataclass
class Span:
    """The months whose figures and the days whose board are compared."""

    months: list[tuple[int, int]]
    days: list[dt.date]

    @classmethod
    def of(cls, today: dt.date, step: int = 1) -> Span:
        """Every month from the one a year before ``today`` to today's (the corpus's
        documents are dated within the year up to today), and every ``step``-th day
        from the first of that month to :data:`DAYS_AFTER` days after ``today``."""
        first = (today.year - 1, today.month)
        months = []
        year, month = first
        while (year, month) <= (today.year, today.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        start = dt.date(*first, 1)
        end = today + dt.timedelta(days=DAYS_AFTER)
        days = [start + dt.timedelta(days=i) for i in range(0, (end - start).days + 1, step)]
        return cls(months, days)


@dataclasses.dataclass
class Computed:
    """Everything compared, as plain values keyed for the report."""

    #: (month, row, figure) → value; row "合计" is the total, figure "summary" the sentence.
    figures: dict[tuple[str, str, str], Any]
    #: day → the board's rows (board_json), each with the slip's id.
    boards: dict[dt.date, list[tuple[str, dict[str, Any]]]]
    #: slip id → what the slip list shows of it today.
    slips: dict[str, dict[str, Any]]


def compute(store: Any, span: Span, calendar: OfficialCalendar, today: dt.date) -> Computed:
    figures: dict[tuple[str, str, str], Any] = {}
    for year, month in span.months:
        stats = month_stats(store, year=year, month=month, calendar=calendar, today=today)
        label = f"{year}-{month:02d}"
        rows = [(row.code or row.name, row.figures) for row in stats.rows]
        for name, row_figures in [*rows, ("合计", stats.total)]:
            for field, value in dataclasses.asdict(row_figures).items():
                figures[(label, name, field)] = value
        figures[(label, "合计", "summary")] = stats.summary
    boards: dict[dt.date, list[tuple[str, dict[str, Any]]]] = {}
    for day in span.days:
        board = build_board(store, today=day, calendar=calendar)
        rows_json = board_json(board)
        boards[day] = [(row.slip_id, js) for row, js in zip(board.rows, rows_json, strict=True)]
    slips = {
        slip_id: {name: getattr(view, name) for name in VIEW_FIELDS}
        for slip_id, view in views(store, calendar).items()
    }
    return Computed(figures, boards, slips)


@dataclasses.dataclass(frozen=True)
class Difference:
    what: str  # "figure", "board" or "slip"
    where: str  # month/row/figure, day/slip id, or slip id
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.what} {self.where}: before {self.before!r}, after {self.after!r}"


def differences(before: Computed, after: Computed) -> list[Difference]:
    out: list[Difference] = []
    for key in sorted(before.figures.keys() | after.figures.keys()):
        old, new = before.figures.get(key, "—"), after.figures.get(key, "—")
        if old != new:
            out.append(Difference("figure", "/".join(key), old, new))
    for day in sorted(before.boards.keys() | after.boards.keys()):
        old_rows, new_rows = before.boards.get(day, []), after.boards.get(day, [])
        if old_rows == new_rows:
            continue
        old_by, new_by = dict(old_rows), dict(new_rows)
        found = False
        for slip_id in sorted(old_by.keys() | new_by.keys()):
            if old_by.get(slip_id) != new_by.get(slip_id):
                found = True
                where = f"{day.isoformat()}/{slip_id}"
                out.append(Difference("board", where, old_by.get(slip_id), new_by.get(slip_id)))
        if not found:  # the same rows in another order
            order = [slip_id for slip_id, _ in old_rows], [slip_id for slip_id, _ in new_rows]
            out.append(Difference("board", f"{day.isoformat()}/order", *order))
    for slip_id in sorted(before.slips.keys() | after.slips.keys()):
        old_view, new_view = before.slips.get(slip_id), after.slips.get(slip_id)
        if old_view != new_view:
            out.append(Difference("slip", slip_id, old_view, new_view))
    return out


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run(
    n: int,
    folder: Path,
    *,
    seed: int = DEFAULT_SEED,
    step: int = 1,
    clock: Callable[[], dt.datetime] | None = None,
    log: Callable[[str], None] = lambda _line: None,
) -> dict[str, Any]:
    """Build, compute, upgrade, compute again and compare (see the module notes).
    ``folder`` receives the store (``g.json``) and its backups; ``clock``: the upgrading
    store's clock (None: the machine's)."""
    today = CORPUS_TODAY
    calendar = OfficialCalendar()
    span = Span.of(today, step)
    started = time.perf_counter()

    build_s, docs = _timed(lambda: make_corpus(n, seed=seed))
    tables = version_one(tables_of(docs))
    slips = tables.get(SLIP, {})
    documents = sum(len(table) for table in tables.values())
    states = Counter(slip["state"] for slip in slips.values())
    log(f"corpus: n={n}, {documents:,} documents, {len(slips):,} slips ({build_s:.1f} s)")

    before_s, before = _timed(lambda: compute(DictStore(tables), span, calendar, today))
    log(f"before: {len(before.figures):,} figures, {len(before.boards)} boards ({before_s:.1f} s)")

    main = folder / "g.json"
    write_compacted_store(main, with_meta(tables, CORPUS_STAMP))
    kwargs: dict[str, Any] = {} if clock is None else {"clock": clock}
    migrate_s, store = _timed(lambda: Store.open(main, daily_backup=False, create=False, **kwargs))
    try:
        if store.readonly:
            raise RuntimeError(f"the store opened read-only: {store.readonly_reason}")
        upgraded = [
            slip_id
            for slip_id in slips
            if (store.get_raw(SLIP, slip_id) or {}).get("schema_version") != 2
            or "legacy" not in (store.get_raw(SLIP, slip_id) or {})
            or "state" in (store.get_raw(SLIP, slip_id) or {})
        ]
        if upgraded:
            raise RuntimeError(f"{len(upgraded)} slips not upgraded, e.g. {upgraded[:3]}")
        rewritten = sum(
            1
            for kind in tables
            for doc in store.tables.get(kind, {}).values()
            if doc.get("updated_by") == "system:migration"
        )
        backups = sorted(p.name for p in (folder / "g.json.backups").glob("*pre-migration*"))
        log(f"upgrade: opened in {migrate_s:.2f} s, {rewritten:,} documents rewritten; {backups}")
        after_s, after = _timed(lambda: compute(store, span, calendar, today))
        log(f"after: computed in {after_s:.1f} s")
    finally:
        store.close()

    opens = []
    for _ in range(3):
        seconds, again = _timed(lambda: Store.open(main, daily_backup=False, create=False))
        again.close()
        opens.append(seconds)

    found = differences(before, after)
    board_rows = sum(len(rows) for rows in before.boards.values())
    on_board = {slip_id for rows in before.boards.values() for slip_id, _ in rows}
    board_states = Counter(js["state"] for rows in before.boards.values() for _slip_id, js in rows)
    return {
        "n": n,
        "seed": seed,
        "today": today.isoformat(),
        "documents": documents,
        "slips": len(slips),
        "slip_states": dict(sorted(states.items())),
        "months": [f"{y}-{m:02d}" for y, m in span.months],
        "first_day": span.days[0].isoformat(),
        "last_day": span.days[-1].isoformat(),
        "step": step,
        "figures_compared": len(before.figures),
        "days_compared": len(before.boards),
        "board_rows_compared": board_rows,
        "slips_on_a_board": len(on_board),
        "board_states": dict(sorted(board_states.items())),
        "slips_compared": len(before.slips),
        "differences": [str(d) for d in found],
        "backups": backups,
        "rewritten": rewritten,
        "build_s": build_s,
        "before_s": before_s,
        "migration_s": migrate_s,
        "after_s": after_s,
        "open_s": statistics.median(opens),
        "opens_s": opens,
        "total_s": time.perf_counter() - started,
    }


def _niceness() -> int:
    try:
        return os.nice(0)
    except OSError:  # pragma: no cover
        return 0


def render(result: dict[str, Any], command: str) -> str:
    r = result
    ok = not r["differences"]
    states = ", ".join(f"{state} {count:,}" for state, count in r["slip_states"].items())
    board_states = ", ".join(f"{state} {count:,}" for state, count in r["board_states"].items())
    every = "every day" if r["step"] == 1 else f"every {r['step']}th day"
    lines = [
        "# Slip upgrade (schema 1 → 2) on the benchmark corpus",
        "",
        "Written by `python -m bench.migration` (`bench/migration.py`); do not edit by hand. "
        "The same comparison on the demo store is `tests/test_slip_migration.py`.",
        "",
        f"- Date: {dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}",
        f"- Command: `{command}`",
        f"- Machine: os.cpu_count() = {os.cpu_count()}; {platform.platform()}; "
        f"Python {platform.python_version()}; niceness {_niceness()}",
        f"- Corpus: n = {r['n']:,}, seed {r['seed']}, today = {r['today']}: "
        f"{r['documents']:,} documents in the version-one store, {r['slips']:,} slips",
        "",
        f"**Result: {len(r['differences'])} differences — "
        + ("every figure and every board is the same after the upgrade.**" if ok else "FAILED.**"),
        "",
        "| | |",
        "|---|---|",
        f"| slips (state in the version-one store) | {r['slips']:,} ({states}) |",
        f"| months compared | {len(r['months'])} ({r['months'][0]} … {r['months'][-1]}) |",
        f"| figures compared (each field of each row and the total, and the summary, "
        f"per month) | {r['figures_compared']:,} |",
        f"| days whose board is compared ({every}, {r['first_day']} … {r['last_day']}) "
        f"| {r['days_compared']:,} |",
        f"| board rows compared | {r['board_rows_compared']:,} "
        f"({r['slips_on_a_board']:,} slips; {board_states}) |",
        f"| slips compared as the slip list shows them today | {r['slips_compared']:,} |",
        f"| differences | {len(r['differences'])} |",
        f"| building the corpus | {r['build_s']:.1f} s |",
        f"| computing everything before / after | {r['before_s']:.1f} s / {r['after_s']:.1f} s |",
        f"| migration (cold `Store.open`: load, backup, upgrade every slip) "
        f"| {r['migration_s']:.2f} s |",
        f"| documents the upgrade rewrote (every slip; and any document stored without "
        f"a writer) | {r['rewritten']:,} |",
        f"| opening the upgraded store afterwards (median of 3) | {r['open_s']:.2f} s |",
        f"| total run time | {r['total_s']:.0f} s |",
        "",
        f"Backup kept before the upgrade: {', '.join(r['backups']) or 'none'}.",
    ]
    if r["n"] != r["documents"]:
        lines += [
            "",
            f"`make_corpus({r['n']})` gives {r['documents']:,} documents, not {r['n']:,}: "
            "the corpus leaves out the slip steps after choosing the demo's scale "
            "(`bench/corpus.py`), so above about 2,500 it falls short of n.",
        ]
    if r["differences"]:
        lines += ["", "## Differences (first 50)", ""]
        lines += [f"- {d}" for d in r["differences"][:50]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.migration", description=__doc__)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="corpus size (100000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--step", type=int, default=1, help="compare the board every Nth day")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the report to write")
    given = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(given)
    command = shlex.join(["python", "-m", "bench.migration", *given])
    with tempfile.TemporaryDirectory(prefix="bench-migration-") as tmp:
        result = run(args.n, Path(tmp), seed=args.seed, step=args.step, log=print)
    for line in result["differences"][:20]:
        print("DIFFERENT:", line)
    print(
        f"slips {result['slips']:,}; figures compared {result['figures_compared']:,}; "
        f"days compared {result['days_compared']}; board rows {result['board_rows_compared']:,}; "
        f"differences {len(result['differences'])}; migration {result['migration_s']:.2f} s; "
        f"open afterwards {result['open_s']:.2f} s"
    )
    args.results.write_text(render(result, command), encoding="utf-8")
    print(f"wrote {args.results}")
    return 1 if result["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
