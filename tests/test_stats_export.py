"""Exports of the monthly statistics read back: xlsx, csv, json, md."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from grassroots_tui.services.statistics import month_stats, stats_json, trend
from grassroots_tui.services.stats_export import SUMMARY_COLUMNS, export_stats
from tests.test_statistics import build


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    opened = build(tmp_path_factory.mktemp("stats-export") / "g.json")
    yield opened
    opened.close()


def test_xlsx(store) -> None:
    stats = month_stats(store, year=2026, month=9)
    steps: list[str] = []
    data = export_stats(
        store,
        stats,
        fmt="xlsx",
        trend_rows=trend(store, year=2026, month=9),
        progress=steps.append,
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["汇总", "交办单", "反映问题", "走访记录", "趋势"]
    sheet = book["汇总"]
    assert sheet["A3"].value == stats.summary
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    expected = stats_json(stats)
    for row, station in zip(rows, [*expected["stations"], expected["total"]], strict=True):
        # a rate with nothing to divide by (null in the JSON) is a dash in the sheet
        expected_row = [station[key] for _, key in SUMMARY_COLUMNS]
        assert list(row[2:]) == ["—" if value is None else value for value in expected_row]
    assert rows[-1][0] == "合计"
    assert len(book["趋势"]._charts) == 1
    assert book["趋势"].max_row == 13
    texts = " ".join(str(v) for ws in book for r in ws.iter_rows(values_only=True) for v in r if v)
    assert "张桂兰" not in texts and "赵六" not in texts and "张**" in texts
    assert "完成" in steps


def test_xlsx_formula_text(store) -> None:
    from openpyxl import Workbook

    from grassroots_tui.services.stats_export import _put

    sheet = Workbook().active
    assert _put(sheet, 1, 1, "=1+1").data_type == "s"
    assert _put(sheet, 1, 2, "430121195803121234").number_format == "@"


def test_csv_bom_and_neutralised(store) -> None:
    stats = month_stats(store, year=2026, month=9)
    data = export_stats(store, stats, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("站点代码,站名,登记户数")
    assert stats.summary in text
    from dataclasses import replace

    evil = replace(stats, stations=[replace(stats.stations[0], name="=HYPERLINK(1)")])
    assert "'=HYPERLINK(1)" in export_stats(store, evil, fmt="csv").decode("utf-8-sig")


def test_json_and_md(store) -> None:
    stats = month_stats(store, year=2026, month=9)
    assert json.loads(export_stats(store, stats, fmt="json")) == stats_json(stats)
    md = export_stats(store, stats, fmt="md").decode()
    assert stats.summary in md and "| HL01 |" in md and "| 合计 |" in md
    with pytest.raises(ValueError):
        export_stats(store, stats, fmt="pdf")  # type: ignore[arg-type]
