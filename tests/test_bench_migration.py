"""The slip upgrade's comparison on the benchmark corpus (``python -m bench.migration``,
100,000 documents; bench/RESULTS-migration.md) runs the same code here at a small size:
every figure of every month, the board on every day and every slip as listed are the
same after the upgrade, with slips in every state compared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bench import migration
from bench.corpus import CORPUS_TODAY, make_corpus
from bench.version_one import NEW_STEPS, SLIP, DictStore, tables_of, version_one
from grassroots_tui.demo import CST
from grassroots_tui.models.slip import SlipState
from grassroots_tui.services.slips.clock import OPEN_STATES
from grassroots_tui.services.workcalendar import OfficialCalendar

N = 3000


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return migration.run(N, tmp_path_factory.mktemp("migration"))


def test_nothing_differs_after_the_upgrade(result) -> None:
    assert result["differences"] == []


def test_slips_in_every_state_were_compared(result) -> None:
    assert set(result["slip_states"]) == {state.value for state in SlipState}
    assert result["slips_compared"] == result["slips"] > 0
    # The board had slips in every open state on some day.
    assert set(result["board_states"]) == {state.value for state in OPEN_STATES}


def test_every_month_and_every_day_were_compared(result) -> None:
    assert result["months"][0] == "2025-11" and result["months"][-1] == "2026-11"
    assert len(result["months"]) == 13
    assert result["first_day"] == "2025-11-01" and result["last_day"] == "2026-12-26"
    assert result["days_compared"] == 421
    assert result["board_rows_compared"] > result["days_compared"]
    assert result["figures_compared"] > 13 * 30
    assert result["backups"], "the upgrade keeps a backup first"


def test_the_comparison_sees_a_slip_that_changed() -> None:
    """A version-one store with one open slip issued a week earlier: the comparison names
    the slip on the board and in the list (the check can fail)."""
    tables = version_one(tables_of(make_corpus(N)))
    assert not any(kind in tables for kind in NEW_STEPS)
    slip_id, slip = next(
        (slip_id, slip)
        for slip_id, slip in tables[SLIP].items()
        if slip["state"] == "issued" and slip["issue_date"]
    )
    earlier = (dt.date.fromisoformat(slip["issue_date"]) - dt.timedelta(days=7)).isoformat()
    moved = {**tables, SLIP: {**tables[SLIP], slip_id: {**slip, "issue_date": earlier}}}
    span = migration.Span.of(CORPUS_TODAY)
    calendar = OfficialCalendar()
    before = migration.compute(DictStore(tables), span, calendar, CORPUS_TODAY)
    after = migration.compute(DictStore(moved), span, calendar, CORPUS_TODAY)
    found = migration.differences(before, after)
    assert any(d.what == "slip" and d.where == slip_id for d in found)
    assert any(d.what == "board" and d.where.endswith(slip_id) for d in found)


def test_the_command_writes_its_report_and_exits_0(tmp_path: Path) -> None:
    report = tmp_path / "RESULTS-migration.md"
    assert migration.main(["--n", "500", "--results", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "`python -m bench.migration --n 500 --results" in text
    assert "**Result: 0 differences" in text


def test_the_figures_do_not_depend_on_the_clock_of_the_upgrade(tmp_path: Path) -> None:
    """The corpus's documents are stamped 2026-11-26 08:00; a machine whose clock says
    2026-01-01 (reset, or behind the machine that wrote them) upgrades the store."""
    behind = dt.datetime(2026, 1, 1, tzinfo=CST)
    found = migration.run(N, tmp_path, clock=lambda: behind)["differences"]
    assert found == []
