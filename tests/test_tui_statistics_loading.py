"""The statistics screen appears at once, a loading indicator over its table, and fills
in its figures when their computation (in a thread) is done; a computation that fails is
said on the screen in the interface language, never as a traceback (issue #19)."""

from __future__ import annotations

import re
import threading

import pytest
from textual.widgets import DataTable, Static

from grassroots_tui.i18n import set_language, t
from grassroots_tui.services import statistics as service
from grassroots_tui.tui.screens.statistics import ROWS, StatisticsScreen
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    build_store,
    make_app,
    screen_text,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

SIZE = (80, 24)
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


async def _press_f8(pilot) -> StatisticsScreen:
    await sign_in(pilot)
    await settle(pilot)
    await pilot.press("f8")
    for _ in range(5):
        await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StatisticsScreen)
    return screen


def _summary(screen: StatisticsScreen) -> str:
    return str(screen.query_one("#stats-summary", Static).render())


async def test_the_screen_shows_before_its_figures_then_fills_them_in(store, monkeypatch):
    release = threading.Event()
    asked = threading.Event()
    computed = service.month_stats

    def waiting(*args, **kwargs):
        asked.set()
        assert release.wait(30), "the test never let the computation go on"
        return computed(*args, **kwargs)

    monkeypatch.setattr(service, "month_stats", waiting)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        try:
            screen = await _press_f8(pilot)
            table = screen.query_one(DataTable)
            # Shown: its title and frame drawn, the figures not there yet.
            assert "2026年11月工作统计" in screen_text(app)
            assert table.loading and table.row_count == 0
            assert _summary(screen) == t("stats.computing")
            assert screen.stats is None
            assert asked.wait(10), "the computation did not start"
            assert table.loading and table.row_count == 0  # still waiting on the event
        finally:
            release.set()
        await settle(pilot)
        assert not table.loading
        assert table.row_count == len(ROWS)
        assert screen.stats is not None
        assert _summary(screen) == screen.stats.summary
        assert "走访次数" in screen_text(app)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_computation_that_fails_is_said_on_the_screen(store, monkeypatch, lang):
    set_language(lang)

    def broken(*args, **kwargs):
        raise ValueError(t("stats.not_begun", year=2026, month=13))

    monkeypatch.setattr(service, "month_stats", broken)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _press_f8(pilot)
        await settle(pilot)
        table = screen.query_one(DataTable)
        assert not table.loading and table.row_count == 0
        reason = t("stats.not_begun", year=2026, month=13)
        assert _summary(screen) == t("stats.failed", reason=reason)
        said = [n.message for n in app._notifications]
        assert said == [reason]
        assert "Traceback" not in screen_text(app)
        # Export waits for figures.
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen
        assert t("stats.not_ready") in [n.message for n in app._notifications]


async def test_an_unexpected_error_names_the_error_log_in_english(store, monkeypatch):
    set_language("en")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "month_stats", broken)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _press_f8(pilot)
        await settle(pilot)
        summary = _summary(screen)
        assert summary.startswith("The figures could not be computed: ")
        assert "RuntimeError" in summary and "boom" not in summary
        assert not HAN.search(summary.split(str(store.paths.folder))[0]), summary
        log = store.paths.folder / "errors.log"
        assert str(log) in summary and "boom" in log.read_text(encoding="utf-8")
