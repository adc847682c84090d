"""The statistics workbook as an office prints it, read back with openpyxl (issue #20):
page setup, column widths from the content, number formats, real dates, frozen and
repeated headers, a named CJK font, borders, and the trend chart's lines and axes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from grassroots_tui.services.statistics import month_stats, trend
from grassroots_tui.services.stats_export import (
    DATE_FORMAT,
    RATE_FORMAT,
    XLSX_FONT,
    display_width,
    export_stats,
    partial_month,
)
from tests.test_statistics import build


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    opened = build(tmp_path_factory.mktemp("stats-print") / "g.json")
    yield opened
    opened.close()


def workbook(store, *, month: int = 9, today: dt.date | None = None):
    stats = month_stats(store, year=2026, month=month, today=today)
    rows = trend(store, year=2026, month=month, today=today)
    data = export_stats(store, stats, fmt="xlsx", trend_rows=rows)
    return stats, load_workbook(io.BytesIO(data))


def test_every_sheet_prints_a4_landscape_one_page_wide_with_titles_and_page_numbers(
    store,
) -> None:
    _stats, book = workbook(store)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9  # A4
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        assert "2026-09" in sheet.oddHeader.center.text
        assert XLSX_FONT in (sheet.oddHeader.center.font or "")
    assert book["汇总"].print_title_rows == "$5:$5"
    assert book["交办单"].print_title_rows == "$1:$1"
    assert book["走访记录"].print_title_rows == "$1:$1"


def test_headers_are_frozen(store) -> None:
    _stats, book = workbook(store)
    assert book["汇总"].freeze_panes == "C6"  # the header row, code and name
    for name in ("交办单", "反映问题", "走访记录", "趋势"):
        assert book[name].freeze_panes == "A2", name


def test_column_widths_follow_the_display_width_cjk_counting_double(store) -> None:
    _stats, book = workbook(store)
    for sheet in book.worksheets:
        header_row = 5 if sheet.title == "汇总" else 1
        for column in range(1, sheet.max_column + 1):
            letter = get_column_letter(column)
            width = sheet.column_dimensions[letter].width
            assert width and width >= 6, (sheet.title, letter)
            for row in range(header_row + 1, sheet.max_row + 1):
                value = sheet.cell(row=row, column=column).value
                if isinstance(value, str) and display_width(value) <= 60:
                    assert width >= display_width(value), (sheet.title, letter, value)
    # A station's Chinese name (10 characters) takes 20 columns, not 10.
    assert book["汇总"].column_dimensions["B"].width >= 20
    assert display_width("湘龙街道") == 8 and display_width("HL01") == 4


def test_rates_show_two_decimals_and_dates_are_date_cells(store) -> None:
    stats, book = workbook(store)
    sheet = book["汇总"]
    header = [c.value for c in sheet[5]]
    rate_columns = [i for i, title in enumerate(header) if "率" in str(title)]
    assert len(rate_columns) == 3
    rates = 0
    for row in sheet.iter_rows(min_row=6):
        for index in rate_columns:
            cell = row[index]
            if isinstance(cell.value, int | float):  # 100.0 reads back as 100
                assert cell.number_format == RATE_FORMAT, cell.coordinate
                rates += 1
    assert rates >= 7
    assert sheet["F6"].value == 100 and sheet["F6"].number_format == "0.00"  # shows 100.00
    dated = 0
    for name, column in (("交办单", 3), ("交办单", 8), ("走访记录", 2), ("反映问题", 2)):
        for (cell,) in book[name].iter_rows(min_row=2, min_col=column, max_col=column):
            if cell.value in (None, ""):
                continue
            assert isinstance(cell.value, dt.datetime), (name, cell.value)
            assert cell.number_format == DATE_FORMAT
            dated += 1
    assert dated > 3


def test_a_cjk_font_is_named_with_its_character_set_and_tables_have_borders(store) -> None:
    _stats, book = workbook(store)
    for sheet in book.worksheets:
        header_row = 5 if sheet.title == "汇总" else 1
        for row in sheet.iter_rows(min_row=header_row, max_row=min(sheet.max_row, 20)):
            for cell in row:
                if cell.value is None:
                    continue
                if sheet.title == "趋势" and cell.row > 13:
                    continue  # the note under the table
                assert cell.font.name == XLSX_FONT, (sheet.title, cell.coordinate)
                assert cell.font.charset == 134  # GB2312: a simplified-Chinese face
                assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
        assert all(c.font.b for c in sheet[header_row] if c.value is not None)
    assert book["汇总"]["A1"].font.name == XLSX_FONT  # the title, outside the table
    assert book._fonts[0].name == XLSX_FONT  # the workbook's default


def test_the_chart_draws_straight_lines_on_visible_titled_axes(store) -> None:
    _stats, book = workbook(store)
    (chart,) = book["趋势"]._charts
    assert len(chart.series) == 3
    for series in chart.series:
        assert series.smooth is False
    for axis in (chart.x_axis, chart.y_axis):
        assert axis.delete is False
        assert axis.title is not None
    assert chart.y_axis.scaling.min == 0


def test_a_month_in_progress_is_marked_partial(store) -> None:
    stats, book = workbook(store, month=12, today=dt.date(2026, 12, 6))
    assert partial_month(stats)
    sheet = book["趋势"]
    labels = [c.value for (c,) in sheet.iter_rows(min_row=2, max_row=13, max_col=1)]
    assert labels[-1] == "2026-12（截至6日）"
    assert labels[-2] == "2026-11"
    notes = [c.value for (c,) in sheet.iter_rows(min_row=14, max_col=1) if c.value]
    assert any("2026-12-06" in note for note in notes)
    (chart,) = sheet._charts
    for series in chart.series:  # the segment into the partial month is dashed
        (point,) = series.dPt
        assert point.idx == 11
        assert point.spPr.ln.prstDash == "dash"
    # A finished month is not marked.
    done, book = workbook(store, month=11, today=dt.date(2026, 12, 6))
    assert not partial_month(done)
    labels = [c.value for (c,) in book["趋势"].iter_rows(min_row=2, max_row=13, max_col=1)]
    assert labels[-1] == "2026-11"
    assert all(not s.dPt for s in book["趋势"]._charts[0].series)


def test_csv_is_utf8_with_bom_by_default_and_gb18030_on_request(store) -> None:
    stats = month_stats(store, year=2026, month=9)
    utf8 = export_stats(store, stats, fmt="csv")
    assert utf8.startswith(b"\xef\xbb\xbf")
    gb = export_stats(store, stats, fmt="csv", encoding="gb18030")
    assert not gb.startswith(b"\xef\xbb\xbf")
    assert gb.decode("gb18030") == utf8.decode("utf-8-sig")
    assert "站点代码" in gb.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")


def test_the_command_writes_gb18030_on_request_and_only_for_csv(store, tmp_path) -> None:
    import contextlib

    from grassroots_tui.cli import main

    db = str(store.paths.main)
    out = tmp_path / "s.csv"
    err = io.StringIO()
    argv = ["export", "stats", "--month", "2026-09", "--format", "csv", "--db", db]
    with contextlib.redirect_stderr(err):
        assert main([*argv, "--encoding", "gb18030", "--out", str(out)]) == 0, err.getvalue()
    assert out.read_bytes().decode("gb18030").startswith("站点代码,站名")
    with contextlib.redirect_stderr(err):
        assert main([*argv, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with contextlib.redirect_stderr(err):
        code = main([*argv[:-4], "--format", "xlsx", "--encoding", "gb18030", "--db", db])
    assert code == 2 and "--encoding 只用于 CSV" in err.getvalue()
