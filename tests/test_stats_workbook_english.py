"""The statistics workbook in English (issue #20 with the daily-use issue): sheet names,
headers, the period line, page headers and footers, the chart's titles, states and visit
kinds are English; Chinese remains only where it is the residents' and stations' own data.
The Chinese workbook is unchanged."""

from __future__ import annotations

import html
import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from grassroots_tui.lang import set_language
from grassroots_tui.services.statistics import month_stats, trend
from grassroots_tui.services.stats_export import export_stats
from tests.test_statistics import build

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    opened = build(tmp_path_factory.mktemp("stats-en") / "g.json")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _export(store: Any, lang: str, fmt: str = "xlsx") -> bytes:
    set_language(lang)
    stats = month_stats(store, year=2026, month=9)
    return export_stats(store, stats, fmt=fmt, trend_rows=trend(store, year=2026, month=9))


def _user_text(store: Any) -> str:
    """Every text the store holds, joined: what a resident or station wrote may be Chinese."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for table in store.tables:
        for doc in store.raw(table):
            walk(doc)
    return "\n".join(parts)


def test_the_english_workbook_says_nothing_in_chinese_but_the_data(store) -> None:
    data = _export(store, "en")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Summary",
        "Handoff slip",
        "Problems raised",
        "Visit record",
        "Trend",
    ]
    for sheet in book.worksheets:
        assert not CJK.search(sheet.title)
        assert not CJK.search(sheet.oddHeader.center.text or ""), sheet.title
        assert not CJK.search(sheet.oddFooter.center.text or ""), sheet.title
    summary = book["Summary"]
    header = [c.value for c in summary[5]]
    assert header[:3] == ["Station code", "Station name", "Households registered"]
    assert not any(CJK.search(str(v)) for v in header)
    assert summary["A1"].value == "2026-09 monthly statistics"
    assert summary["A2"].value.startswith("Period: 2026-01-01 to 2026-09-30")
    for name in ("Handoff slip", "Problems raised", "Visit record", "Trend"):
        head = [c.value for c in book[name][1]]
        assert head and not any(CJK.search(str(v)) for v in head), (name, head)
    # States and visit kinds are the program's words, not data.
    for name, column in (
        ("Handoff slip", "Status"),
        ("Problems raised", "Status"),
        ("Visit record", "Kind"),
    ):
        sheet = book[name]
        index = [c.value for c in sheet[1]].index(column)
        values = [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert values, name
        assert not [v for v in values if CJK.search(str(v))], (name, values)
    # Anywhere else, Chinese only as a piece of what the store holds (a name, a category).
    user = _user_text(store)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/theme/"):  # the theme's font names per script, not words
                continue
            # openpyxl writes characters beyond ASCII as references (&#23435;).
            text = html.unescape(archive.read(part).decode("utf-8"))
            if part.startswith("xl/charts/"):
                assert not CJK.search(text), part
            foreign = {run for run in CJK.findall(text) if run not in user}
            # The font's name is the one Chinese word a workbook needs (宋体).
            assert foreign <= {"宋体"}, (part, sorted(foreign)[:10])


def test_the_chinese_workbook_is_unchanged_by_the_english_one(store) -> None:
    _export(store, "en")
    book = load_workbook(io.BytesIO(_export(store, "zh")))
    assert book.sheetnames == ["汇总", "交办单", "反映问题", "走访记录", "趋势"]
    assert book["汇总"]["A1"].value == "2026-09 月度统计"
    assert [c.value for c in book["汇总"][5]][:3] == ["站点代码", "站名", "登记户数"]


def test_csv_and_markdown_speak_english_too(store) -> None:
    csv_text = _export(store, "en", "csv").decode("utf-8-sig")
    assert csv_text.startswith("Station code,Station name,Households registered")
    md = _export(store, "en", "md").decode("utf-8")
    assert md.startswith("# 2026-09 monthly statistics")
    user = _user_text(store)
    assert {run for run in CJK.findall(md) if run not in user} == set()


def test_the_rows_of_no_station_are_named_in_english() -> None:
    from grassroots_tui.services.statistics import GONE_ROW, OFFICE_ROW
    from grassroots_tui.services.stats_export import _ROW_NAMES

    assert {OFFICE_ROW, GONE_ROW} == _ROW_NAMES
    set_language("en")
    from grassroots_tui.lang import tr

    assert {tr(name) for name in _ROW_NAMES} == {"street office", "Stations removed"}
