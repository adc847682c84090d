"""Issue 15 §1, the figures: what a rate with nothing to divide by shows, how rates are
rounded, the 合计 row as the sum of the rows, and a month in progress counted to today.

The small hand-computed store is :func:`tests.test_statistics.build`; the demo-store
checks compare with the independent oracle ``tests/stats_reference.py``.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from grassroots_tui.services.statistics import month_stats, stats_json
from grassroots_tui.services.stats_export import SUMMARY_COLUMNS, export_stats
from grassroots_tui.tui.screens.statistics import _show
from tests.factories import station
from tests.test_statistics import build
from tests.test_statistics_reference import DictStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    opened = build(tmp_path_factory.mktemp("stats-figures") / "g.json")
    yield opened
    opened.close()


def _column(title: str) -> int:
    return 2 + [t for t, _ in SUMMARY_COLUMNS].index(title)


# -- 1. a rate with nothing to divide by -----------------------------------------------------


def test_a_rate_with_nothing_to_divide_by_is_none_and_a_real_zero_stays_zero(store) -> None:
    october = month_stats(store, year=2026, month=10)
    # No slip falls due in October and no call-back is dated in it, at either station.
    assert october.total.on_time_rate is None and october.total.satisfaction_rate is None
    assert all(s.figures.on_time_rate is None for s in october.stations)
    hl02 = next(s for s in month_stats(store, year=2026, month=9).stations if s.code == "HL02")
    assert hl02.figures.satisfaction_rate is None  # no call-back at HL02
    assert hl02.figures.on_time_rate == Decimal("0.00")  # S5 was due and not answered


def test_a_missing_rate_is_null_empty_or_a_dash_in_every_output(store) -> None:
    stats = month_stats(store, year=2026, month=10)
    assert stats_json(stats)["total"]["on_time_rate"] is None
    assert json.loads(export_stats(store, stats, fmt="json"))["total"]["satisfaction_rate"] is None

    rows = list(csv.reader(io.StringIO(export_stats(store, stats, fmt="csv").decode("utf-8-sig"))))
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[_column("按时回复率(%)")] == "" and total[_column("满意率(%)")] == ""
    assert total[_column("累计走访率(%)")] not in ("", "0.00")

    md = export_stats(store, stats, fmt="md").decode()
    total_line = next(line for line in md.splitlines() if line.startswith("| 合计 |"))
    cells = [c.strip() for c in total_line.strip("|").split("|")]
    assert cells[_column("按时回复率(%)")] == "—" and cells[_column("满意率(%)")] == "—"

    book = load_workbook(io.BytesIO(export_stats(store, stats, fmt="xlsx")))
    sheet_rows = list(book["汇总"].iter_rows(min_row=6, values_only=True))
    total_row = next(row for row in sheet_rows if row[0] == "合计")
    assert total_row[_column("按时回复率(%)")] == "—" and total_row[_column("满意率(%)")] == "—"

    assert _show(stats.total, "on_time_rate") == "—"
    assert _show(stats.total, "visit_rate_cumulative").endswith("%")


def test_the_sentence_shows_a_dash_for_a_visit_rate_with_no_household() -> None:
    empty = DictStore({"station": {"s": station().model_dump(mode="json")}})
    stats = month_stats(empty, year=2026, month=9)
    assert stats.total.visit_rate_cumulative is None
    assert "累计走访率—，" in stats.summary and "0.00" not in stats.summary
