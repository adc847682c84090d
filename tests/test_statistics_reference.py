"""The one-pass statistics agree with the plain per-station oracle on every figure.

``tests/stats_reference.py`` is the first implementation, which filters each table once
per station straight from the definitions; the service walks each table once and counts
for every station at a time over prepared, cached indexes. The demo store is perturbed
(visits logged by another station than the household's, households registered after
their visits, documents of a station that no longer exists, problems and slips in every
state) so that the cases where a shortcut could go wrong are all present.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import date
from typing import Any

import pytest

from grassroots_tui.services.demo import build_demo
from grassroots_tui.services.statistics import month_stats, trend
from grassroots_tui.services.workcalendar import OfficialCalendar
from tests import stats_reference

TODAY = date(2026, 11, 26)


class DictStore:
    """The read side of a store over plain dicts (what the statistics use)."""

    def __init__(self, tables: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.tables = tables

    def raw(self, kind: str) -> list[dict[str, Any]]:
        return list(self.tables.get(kind, {}).values())

    def get_raw(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        return self.tables.get(kind, {}).get(doc_id)


def _tables(seed: int) -> dict[str, dict[str, dict[str, Any]]]:
    rng = random.Random(seed)
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in build_demo(TODAY, seed=seed, scale=0.5):
        raw = doc.model_dump(mode="json")
        tables.setdefault(raw["kind"], {})[raw["id"]] = raw
    stations = [s["id"] for s in tables["station"].values()]
    for visit in tables["visit"].values():
        if rng.random() < 0.05:  # logged by a neighbouring station
            visit["station_id"] = rng.choice(stations)
    for household in tables["household"].values():
        roll = rng.random()
        if roll < 0.03:  # registered later than its first visits
            household["registered_on"] = f"2026-{rng.randint(3, 12):02d}-{rng.randint(1, 28):02d}"
        elif roll < 0.05:  # registered on the last day of a month
            household["registered_on"] = rng.choice(["2026-01-31", "2026-06-30", "2026-09-30"])
        elif roll < 0.08:
            household["registered_on"] = None
        elif roll < 0.10:  # of a station since removed
            household["station_id"] = "station-gone"
    for slip in list(tables.get("handoff_slip", {}).values())[::7]:
        slip["station_id"] = "station-gone"
    for slip in list(tables.get("handoff_slip", {}).values())[3::11]:
        slip["station_id"] = None  # the street office's own slips
    for kind in ("station_activity", "hardship_case", "assistance", "leave_request"):
        for doc in list(tables.get(kind, {}).values())[1::5]:
            doc["station_id"] = None  # the office's own media reports, cases, leave
    return tables


@pytest.fixture(scope="module", params=[1, 2])
def store(request) -> DictStore:
    return DictStore(_tables(request.param))


def _figures(stats: Any) -> list[dict[str, Any]]:
    """The total and every row: the stations, the office's own, the removed stations'."""
    return [asdict(stats.total)] + [
        {"station": (s.station_id, s.name), **asdict(s.figures)} for s in stats.rows
    ]


@pytest.mark.parametrize("month", [(2026, 1), (2026, 6), (2026, 9), (2026, 11), (2025, 12)])
@pytest.mark.parametrize("with_calendar", [True, False])
def test_every_figure_of_every_station_matches_the_oracle(store, month, with_calendar) -> None:
    calendar = OfficialCalendar() if with_calendar else None
    year, number = month
    ours = month_stats(store, year=year, month=number, calendar=calendar)
    oracle = stats_reference.month_stats(store, year=year, month=number, calendar=calendar)
    assert ours.summary == oracle.summary
    assert _figures(ours) == _figures(oracle)
    assert ours.total.visits_cumulative > 0  # the comparison compared something


def test_one_station_and_another_year_start_match_the_oracle(store) -> None:
    code = store.raw("station")[-1]["code"]
    args = {"year": 2026, "month": 10, "station_code": code, "year_start": date(2026, 4, 1)}
    ours = month_stats(store, **args)
    oracle = stats_reference.month_stats(store, **args)
    assert ours.summary == oracle.summary and "本站" in ours.summary
    assert _figures(ours) == _figures(oracle)


def test_trend_matches_the_oracle(store) -> None:
    # Each month of the trend is that month's own statistics (its own reporting year).
    ours = trend(store, year=2026, month=11, months=12)
    months = [(2025, 12)] + [(2026, m) for m in range(1, 12)]
    assert [m for m, _ in ours] == [f"{y}-{m:02d}" for y, m in months]
    oracle = [stats_reference.month_stats(store, year=y, month=m).total for y, m in months]
    assert [asdict(f) for _, f in ours] == [asdict(f) for f in oracle]


def test_a_reporting_year_that_starts_the_year_before_matches_the_oracle(store) -> None:
    # The prepared visits start at the earliest reporting year asked for: here October
    # of the year before, and then again with the ordinary year (another floor).
    for start in (date(2025, 10, 1), None):
        args = {"year": 2026, "month": 2, "year_start": start}
        ours = month_stats(store, **args)
        oracle = stats_reference.month_stats(store, **args)
        assert _figures(ours) == _figures(oracle)
    assert month_stats(
        store, year=2026, month=2, year_start=date(2025, 10, 1)
    ).total.visits_cumulative > (month_stats(store, year=2026, month=2).total.visits_cumulative)
