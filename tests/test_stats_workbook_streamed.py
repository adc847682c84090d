"""The detail sheets' rows are written straight as the sheet's XML (``_Table(streamed=
True)``), not cell by cell through openpyxl. Read back, they must be exactly what
openpyxl's own cells would have made: the oracle is the same rows written the slow way,
in the same workbook layout, compared cell by cell (value, type, format, font, border)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from grassroots_tui.services.stats_export import _save, _Table, _workbook

#: Rows with every kind of value a detail sheet holds, and the awkward ones: markup
#: characters, edge spaces, control characters, formula-like and ID-like text, a date,
#: a rate, an empty string, None, zero and a large number.
ROWS: list[list[object]] = [
    ["HL01", "交[2026]HL01-0001号", "2026-09-03", "民生", "路灯 <坏了> & 积水", 3, Decimal("25.5")],
    ["HL02", "  前后有空格  ", "2026-09-30", "=1+1", "-5 折", 0, 12.25],
    ["HL03", "430102199001011234", "", "换行\n第二行", "控制\x07字符", None, Decimal("0")],
    ["街道群工办", "@某人", "2026-1-3", "+86 138", "ok", 123456789, None],
]
HEADER = ["站点", "编号", "日期", "类别", "事项", "数", "率"]


def _book(streamed: bool) -> bytes:
    book = _workbook()
    book.active.title = "头"
    sheet = book.create_sheet("明细")
    table = _Table(sheet, HEADER, streamed=streamed)
    for row in ROWS:
        table.add(row)
    table.finish(title="明细")
    splices = [table.splice()] if streamed else []
    book.create_sheet("后")["A1"] = "after"  # a sheet after the streamed one is untouched
    return _save(book, splices)


def _cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [
            (
                c.coordinate,
                c.value,
                c.data_type,
                c.number_format,
                c.font.name,
                c.font.b,
                c.border.left.style,
                c.alignment.horizontal,
            )
            for row in sheet.iter_rows()
            for c in row
        ]
        for sheet in book.worksheets
    }


def test_streamed_rows_read_back_as_openpyxl_would_have_written_them() -> None:
    slow, fast = _cells(_book(streamed=False)), _cells(_book(streamed=True))
    assert list(fast) == ["头", "明细", "后"]
    assert len(fast["明细"]) == len(HEADER) * (len(ROWS) + 1)
    assert fast == slow


def test_the_streamed_sheet_covers_its_rows_and_keeps_text_as_text() -> None:
    sheet = load_workbook(io.BytesIO(_book(streamed=True)))["明细"]
    assert sheet.dimensions == f"A1:G{len(ROWS) + 1}"
    assert sheet["E2"].value == "路灯 <坏了> & 积水"
    assert sheet["B3"].value == "  前后有空格  "  # edge spaces kept
    assert sheet["D3"].value == "=1+1" and sheet["D3"].data_type == "s"  # never a formula
    assert sheet["B4"].value == "430102199001011234" and sheet["B4"].number_format == "@"
    assert sheet["E4"].value == "控制字符"  # a character XML cannot hold is left out
    assert sheet["C2"].is_date and sheet["C2"].value.isoformat().startswith("2026-09-03")
    assert sheet["G2"].value == pytest.approx(25.5) and sheet["G2"].number_format == "0.00"


def test_a_sheet_that_was_not_written_is_an_error_not_a_silent_loss() -> None:
    book = _workbook()
    table = _Table(book.active, HEADER, streamed=True)
    table.add(ROWS[0])
    orphan = _workbook()  # a table of another workbook is never written by this one
    with pytest.raises(RuntimeError, match="not written"):
        _save(orphan, [table.splice()])
