"""The statistics screen shows the service's figures and exports them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from grassroots_tui.services.statistics import month_stats
from grassroots_tui.tui.screens.statistics import StatisticsScreen
from tests import factories
from tests.tui_fixtures import (
    TODAY,
    build_store,
    copied_store,
    make_app,
    open_section,
    screen_text,
    settle,
)

SIZE = (80, 24)


@pytest.fixture
def store(tmp_path):
    template = build_store(tmp_path / "t" / "grassroots.json")
    with copied_store(template, tmp_path) as store:
        yield store


async def test_the_screen_shows_the_months_figures_and_exports_them(store):
    # November is in progress on the fixed clock's day (26 November): counted up to it.
    expected = month_stats(store, year=2026, month=11, station_code="HL01", today=TODAY)
    assert expected.summary.startswith("截至2026年11月26日，本站共")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f8")
        assert isinstance(app.screen, StatisticsScreen)
        text = screen_text(app)
        assert "2026年11月工作统计" in text
        assert expected.summary[:20] in text
        figures = expected.stations[0].figures
        # (the bar at the left of the list with the focus is not part of a row)
        row = next(
            line.lstrip("▌ ")
            for line in text.splitlines()
            if line.lstrip("▌ ").startswith("走访次数")
        )
        assert row.split()[1:] == [str(figures.visits_month), str(figures.visits_cumulative)]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+s")  # xlsx, the default
        await settle(pilot)
    written = list((store.paths.folder / "exports").glob("*.xlsx"))
    assert len(written) == 1
    # Named as `grassroots export stats` names it.
    assert written[0].name.startswith(f"月度统计-HL01-{expected.month}-")  # the station's
    book = openpyxl.load_workbook(written[0])
    assert "汇总" in book.sheetnames
    assert book["汇总"]["A3"].value == expected.summary


async def test_the_month_exports_as_a_word_report_too(store):
    from grassroots_tui.services.documents.engine import document_text

    expected = month_stats(store, year=2026, month=11, station_code="HL01", today=TODAY)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f8")
        await settle(pilot)  # the figures shown
        app.screen._export("docx")
        await settle(pilot)
    (written,) = (store.paths.folder / "exports").glob("*.docx")
    assert written.name.startswith(f"月度统计-HL01-{expected.month}-")
    text = document_text(written.read_bytes())
    assert expected.summary in text and "2026年11月群众工作统计（截至26日）" in text


async def test_previous_month_moves_the_figures(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f8")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "2026年10月工作统计" in screen_text(app)
        assert "截至2026年10月底" in screen_text(app)


async def test_the_month_in_progress_counts_to_today_and_the_next_is_refused(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f8")
        await settle(pilot)
        assert "截至2026年11月26日" in screen_text(app)
        assert app.screen.stats.period_end == TODAY
        assert app.screen.stats.rounding == "ROUND_HALF_UP"  # no office file: half-up
        await pilot.press("right_square_bracket")  # December has not begun
        await settle(pilot)
        assert "2026年11月工作统计" in screen_text(app)
        assert app.screen.stats.period_end == TODAY


def _thirteen_households(store) -> None:
    """Five more households: 3 of 13 visited by November, 23.0769…%, which half-up makes
    23.08% and truncation 23.07%."""
    store.save_many(
        [
            factories.household(
                f"HL01-09{n:02d}",
                id=f"hh-extra-{n}",
                id_number=factories.id_number(seq=f"9{n:02d}"),
                registered_on=dt.date(2026, 1, 5),
            )
            for n in range(1, 6)
        ],
        actor="setup",
    )


async def test_the_offices_file_decides_how_the_screen_rounds_rates(store):
    _thirteen_households(store)
    half_up = month_stats(store, year=2026, month=11, station_code="HL01", today=TODAY)
    assert half_up.stations[0].figures.visit_rate_cumulative == Decimal("23.08")
    rules = store.paths.main.with_name("slip_rules.json")  # the office's file, beside the store
    rules.write_text('{"rate_rounding": "ROUND_DOWN"}', encoding="utf-8")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f8")
        await settle(pilot)
        assert app.screen.stats.rounding == "ROUND_DOWN"
        row = next(line for line in screen_text(app).splitlines() if "累计走访率" in line)
        assert "23.07%" in row and "23.08" not in row
