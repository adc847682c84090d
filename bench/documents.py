"""The paper outputs' benchmark (issue #20): the printable workbook and the .docx documents
at a street office's scale, each beside a naive way of making the same file.

    python -m bench.documents [--size 100000] [--reps 5] [--seed 2026] [--keep]

Builds the demo-proportioned corpus of ``--size`` documents (:func:`bench.corpus.make_corpus`,
as the statistics benchmark does), writes it as our store under ``bench/data/``, and
measures in a fresh process with the store open read-only (as ``grassroots export
stats`` and ``grassroots document`` open it):

- the month's .xlsx: ``export_stats`` with the twelve-month trend given (every table
  styled for print: borders, fonts, number formats, widths), and the whole command path
  (``month_stats`` + ``trend`` + ``export_stats`` with nothing kept); beside the naive
  styling, each cell's font, border, alignment and number format set through openpyxl's
  attributes (what the first version of this change did);
- a .docx slip with its reply slips (``slip_document``): the first in the process
  (templates read, residents' names indexed) and the median after a warm-up call (as
  every figure here: ``bench.stats_bench._times``); beside the
  naive way, building the layout in code with python-docx for every slip instead of
  filling a template; also a reminder notice and the month's report;
- one PDF through LibreOffice headless, when ``soffice`` is installed (for scale; a
  fresh LibreOffice each time).

Writes ``bench/RESULTS-documents.md`` and ``bench/RESULTS-documents.json``.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.stats_bench import _times

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
RESULTS = BENCH / "RESULTS-documents.md"
RESULTS_JSON = BENCH / "RESULTS-documents.json"
XLSX_S = 2.0
DOCX_MS = 200.0


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def _naive_add(self: Any, values: list[Any]) -> None:
    """The naive styling of a table row: every cell's style set through attributes."""
    from datetime import date

    from openpyxl.styles import Alignment, Border, Font, Side

    from grassroots_tui.services import stats_export as x

    self.row += 1
    thin = Side(style="thin", color="000000")
    for index, value in enumerate(values):
        cell = self.sheet.cell(row=self.row, column=index + 1)
        if isinstance(value, str) and x._DATE_TEXT.match(value):
            cell.value = date.fromisoformat(value)
            cell.number_format = x.DATE_FORMAT
        else:
            cell.value = float(value) if hasattr(value, "as_tuple") else value
            if hasattr(value, "as_tuple") or isinstance(value, float):
                cell.number_format = x.RATE_FORMAT
        cell.font = Font(name=x.XLSX_FONT, size=10, charset=x.XLSX_FONT_CHARSET)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(vertical="top")
        width = x.display_width(str(value)) if value is not None else 0
        self.widths[index] = max(self.widths[index], width)


def _naive_slip(store: Any, slip_id: str, calendar: Any) -> bytes:
    """The same document with its layout built in code for every slip (no template)."""
    from grassroots_tui.services import documents
    from grassroots_tui.services.documents import build_templates
    from grassroots_tui.services.documents.engine import Template

    built: dict[str, bytes] = {}
    for kind, make in (("slip", build_templates.slip), ("reply", build_templates.reply)):
        out = io.BytesIO()
        make().save(out)
        built[kind] = out.getvalue()
    original = documents.template
    try:
        documents.template = lambda kind, folder=None: Template(kind, built[kind])  # type: ignore[assignment]
        return documents.slip_document(store, slip_id, calendar=calendar)
    finally:
        documents.template = original  # type: ignore[assignment]


def _first(run: Callable[[], Any]) -> list[float]:
    """The time of one call (the first in the process)."""
    gc.collect()
    start = time.perf_counter()
    run()
    return [time.perf_counter() - start]


#: The commit before issue #20: its export_stats is measured alternately with ours, so
#: that a loaded machine slows both alike and the ratio stays readable.
BEFORE = "06a443b"


def _before_module() -> Any:
    """stats_export as it was at :data:`BEFORE` (from git), or None outside a clone."""
    import importlib.util

    try:
        text = subprocess.run(
            ["git", "show", f"{BEFORE}:grassroots_tui/services/stats_export.py"],
            capture_output=True,
            text=True,
            check=True,
            cwd=BENCH.parent,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("stats_export_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(text, f"{BEFORE}:stats_export.py", "exec"), module.__dict__)
    return module


def measure(folder: Path, reps: int) -> dict[str, Any]:
    from bench import engines
    from bench.corpus import CORPUS_TODAY
    from grassroots_tui.services import documents
    from grassroots_tui.services import stats_export as x
    from grassroots_tui.services.documents.pdf import find_soffice, to_pdf
    from grassroots_tui.services.slips.clock import views
    from grassroots_tui.services.statistics import month_stats, trend
    from grassroots_tui.services.workcalendar import OfficialCalendar

    today = CORPUS_TODAY
    calendar = OfficialCalendar()
    store = engines.open_ours(engines.engine_path(folder, "ours"), readonly=True)
    result: dict[str, Any] = {"docs": engines.count_docs(store.tables), "month": str(today)[:7]}
    try:
        year, month = today.year, today.month
        stats = month_stats(store, year=year, month=month, calendar=calendar, today=today)
        rows = trend(store, year=year, month=month, calendar=calendar, today=today)

        def xlsx() -> bytes:
            return x.export_stats(store, stats, fmt="xlsx", trend_rows=rows, calendar=calendar)

        ours_t, data = _times(xlsx, reps)
        real_add = x._Table.add
        x._Table.add = _naive_add  # type: ignore[method-assign]
        try:
            naive_t, naive_data = _times(xlsx, reps)
        finally:
            x._Table.add = real_add  # type: ignore[method-assign]

        def whole() -> bytes:
            store._derived.clear()  # as in `grassroots export stats`: nothing kept yet
            s = month_stats(store, year=year, month=month, calendar=calendar, today=today)
            r = trend(store, year=year, month=month, calendar=calendar, today=today)
            return x.export_stats(store, s, fmt="xlsx", trend_rows=r, calendar=calendar)

        whole_t, _ = _times(whole, reps)
        before = _before_module()
        pairs: list[tuple[float, float]] = []
        if before is not None:
            for _ in range(reps):  # ours and before, one after the other
                (ours_once,), _ = _times(xlsx, 1)
                (then,), _ = _times(
                    lambda: before.export_stats(
                        store, stats, fmt="xlsx", trend_rows=rows, calendar=calendar
                    ),
                    1,
                )
                pairs.append((ours_once, then))
        result["load"] = [round(x, 2) for x in __import__("os").getloadavg()]
        result["xlsx"] = {
            "rows": {name: book_rows for name, book_rows in _sheet_rows(data).items()},
            "bytes": len(data),
            "naive_bytes": len(naive_data),
            "ours_ms": _median_ms(ours_t),
            "naive_ms": _median_ms(naive_t),
            "whole_ms": _median_ms(whole_t),
            "alternate_ours_ms": _median_ms([a for a, _ in pairs]) if pairs else None,
            "alternate_before_ms": _median_ms([b for _, b in pairs]) if pairs else None,
        }

        slips = [v for v in views(store, calendar).values() if v.number and v.household_id]
        replied = {r["slip_id"] for r in store.raw("reply")}
        slip = next(v for v in sorted(slips, key=lambda v: v.number or "") if v.id in replied)
        first_t = _first(lambda: documents.slip_document(store, slip.id, calendar=calendar))
        slip_t, slip_data = _times(
            lambda: documents.slip_document(store, slip.id, calendar=calendar), reps * 4
        )
        naive_slip_t, _ = _times(lambda: _naive_slip(store, slip.id, calendar), reps * 2)
        open_slip = next(v for v in slips if v.state.value == "issued")
        remind_t, _ = _times(
            lambda: documents.reminder_document(
                store, open_slip.id, today=today, calendar=calendar
            ),
            reps * 2,
        )
        report_t, _ = _times(lambda: documents.stats_document(store, stats, on=today), reps * 2)
        result["docx"] = {
            "slip_pages": 1 + len([r for r in store.raw("reply") if r["slip_id"] == slip.id]),
            "slip_first_ms": _median_ms(first_t),
            "slip_ms": _median_ms(slip_t),
            "slip_naive_ms": _median_ms(naive_slip_t),
            "slip_bytes": len(slip_data),
            "reminder_ms": _median_ms(remind_t),
            "report_ms": _median_ms(report_t),
        }
        soffice = find_soffice()
        if soffice is not None:
            pdf_t, pdf = _times(lambda: to_pdf(slip_data, soffice=soffice), 2)
            result["pdf"] = {"ms": _median_ms(pdf_t), "bytes": len(pdf)}
    finally:
        store.close()
    return result


def _sheet_rows(data: bytes) -> dict[str, int]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: sheet.max_row or 0 for sheet in book.worksheets}


def _build(size: int, seed: int) -> Path:
    from bench import engines
    from bench.corpus import CORPUS_STAMP, make_corpus

    folder = DATA / f"documents-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    docs = make_corpus(size, seed)
    engines.write_ours(engines.engine_path(folder, "ours"), engines.our_tables(docs, CORPUS_STAMP))
    return folder


def report(result: dict[str, Any], command: str, seconds: float) -> str:
    xlsx, docx = result["xlsx"], result["docx"]
    sheets = ", ".join(f"{name} {rows:,}" for name, rows in xlsx["rows"].items())
    ok = "✓" if xlsx["whole_ms"] <= XLSX_S * 1000 else "✗"
    ok_docx = "✓" if docx["slip_ms"] <= DOCX_MS else "✗"
    pdf = result.get("pdf")
    lines = [
        "# Paper outputs: the printable workbook and the .docx documents (issue #20)",
        "",
        "Written by `python -m bench.documents` (`bench/documents.py`); do not edit by hand.",
        "",
        f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Command: `{command}`",
        f"- Machine: {platform.platform()}, {__import__('os').cpu_count()} cores",
        f"- Python {platform.python_version()}; openpyxl {version('openpyxl')}, "
        f"python-docx {version('python-docx')}",
        f"- Corpus: {result['docs']:,} documents (bench.corpus, demo-proportioned), month "
        f"{result['month']}; total run time {seconds:.0f} s",
        "",
        "Medians in milliseconds, each in a fresh process on the store opened read-only.",
        "",
        "## Targets",
        "",
        "| target | wanted | measured | met |",
        "|---|---|---|---|",
        f"| the month's .xlsx, the whole command path (`month_stats` + `trend` + `export_stats`, "
        f"nothing kept) | ≤ 2 s | {xlsx['whole_ms'] / 1000:.2f} s | {ok} |",
        f"| a .docx slip with its reply slips ({docx['slip_pages']} pages) | ≤ 200 ms | "
        f"{docx['slip_ms']:.0f} ms | {ok_docx} |",
        "",
        "## Beside the naive way",
        "",
        "| | ours | naive | naive ÷ ours |",
        "|---|---|---|---|",
        f"| `export_stats` .xlsx, styled for print (trend given) | {xlsx['ours_ms']:,.0f} | "
        f"{xlsx['naive_ms']:,.0f} | {xlsx['naive_ms'] / xlsx['ours_ms']:.2f}× |",
        f"| .docx slip with its replies | {docx['slip_ms']:.1f} | {docx['slip_naive_ms']:.1f} | "
        f"{docx['slip_naive_ms'] / docx['slip_ms']:.2f}× |",
        "",
        *_before_lines(xlsx, result.get("load")),
        f"The workbook's sheets (rows): {sheets}; {xlsx['bytes'] / 1024:,.0f} kB.",
        "",
        "Naive .xlsx: each cell's font, border, alignment and number format set through "
        "openpyxl's attributes (each assignment looks its style up again); ours styles one "
        "prototype cell per kind (text, number, rate, date) and every cell of that kind "
        "shares its style array, whose hash is computed once; the detail sheets' rows are "
        "written straight as the sheet's XML (the same cells, read back) and put into the "
        "workbook as openpyxl saves it.",
        "Naive .docx: the layout built in code with python-docx for every slip (what a "
        "program without templates does) and then filled; ours opens the shipped template.",
        "",
        "## Other documents",
        "",
        "| | ms |",
        "|---|---|",
        f"| the first slip in a fresh process (templates read, residents' names indexed) | "
        f"{docx['slip_first_ms']:.1f} |",
        f"| a 催办通知书 | {docx['reminder_ms']:.1f} |",
        f"| the month's statistics report | {docx['report_ms']:.1f} |",
    ]
    if pdf:
        lines.append(
            f"| the slip as PDF through LibreOffice headless (a fresh soffice each time) | "
            f"{pdf['ms']:,.0f} |"
        )
    else:
        lines.append("| PDF | LibreOffice not installed: not measured |")
    lines += [
        "",
        "No unit test asserts a time; these figures are from this command only.",
        "",
    ]
    return "\n".join(lines)


def _before_lines(xlsx: dict[str, Any], load: list[float] | None) -> list[str]:
    if not xlsx.get("alternate_before_ms"):
        return []
    ours, then = xlsx["alternate_ours_ms"], xlsx["alternate_before_ms"]
    return [
        f"Beside the export before issue #20 (commit {BEFORE}: no print layout, no styles), "
        f"run alternately with ours in the same process so that a busy machine slows both "
        f"alike: ours {ours:,.0f} ms, before {then:,.0f} ms ({ours / then:.2f}×). "
        f"Load average during the run (1, 5, 15 min): {load}; this machine has 2 cores "
        "and other work ran on it, so absolute times vary by up to 2× between runs.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.documents")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="keep the corpus under bench/data/ and use it again"
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.reps), ensure_ascii=False))
        return 0
    started = time.perf_counter()
    folder = DATA / f"documents-{args.size}"
    if not (args.keep and folder.exists()):
        folder = _build(args.size, args.seed)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.documents",
                "--measure",
                str(folder),
                "--reps",
                str(args.reps),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    command = "python -m bench.documents" + (f" --size {args.size}" if args.size != 100_000 else "")
    text = report(result, command, time.perf_counter() - started)
    RESULTS.write_text(text, encoding="utf-8")
    RESULTS_JSON.write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
