"""The visit rate (走访率): hand-computed fixtures for every rule of the definition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from grassroots_tui.services.visit_rate import VisitRate, month_bounds, percentage, visit_rate

S1, S2 = "station-1", "station-2"


def hh(hid: str, station: str = S1, registered_on: str | None = None) -> dict:
    return {"id": hid, "kind": "household", "station_id": station, "registered_on": registered_on}


def v(hid: str, day: str, station: str = S1) -> dict:
    return {"id": f"v-{hid}-{day}", "kind": "visit", "station_id": station, "date": day,
            "household_id": hid}  # fmt: skip


HOUSEHOLDS = [
    hh("a"),
    hh("b", registered_on="2026-01-10"),
    hh("c", registered_on="2026-03-20"),  # registered in March, after its visit on 03-05
    hh("d", registered_on="2026-04-02"),  # registered after March: not in March's figures
    hh("e"),  # never visited
    hh("x", station=S2),
]
VISITS = [
    v("a", "2026-03-01"),
    v("a", "2026-03-15"),
    v("a", "2026-03-31"),  # three visits to one household in March count once
    v("b", "2026-02-10"),  # cumulative only
    v("c", "2026-03-05"),
    v("d", "2026-03-06"),  # household not registered by 03-31
    v("a", "2025-12-30"),  # last year
    v("b", "2026-04-01"),  # after the month
    v("x", "2026-03-10", station=S2),
    v("ghost", "2026-03-11"),  # no such household
]


def test_march_figures_for_one_station() -> None:
    rate = visit_rate(HOUSEHOLDS, VISITS, station_id=S1, month=(2026, 3))
    assert rate == VisitRate(
        registered=4,  # a, b, c, e
        visited_month=2,  # a, c
        visited_cumulative=3,  # a, b, c
        visits_month=4,  # a ×3, c
        visits_cumulative=5,  # + b in February
        rate_month=Decimal("50.00"),
        rate_cumulative=Decimal("75.00"),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        month_start=date(2026, 3, 1),
    )


def test_household_registered_after_its_visit_counts_once_registered() -> None:
    # In April d is registered, and its March visit falls within the cumulative period.
    april = visit_rate(HOUSEHOLDS, VISITS, station_id=S1, month=date(2026, 4, 17))
    assert april.registered == 5
    assert april.visited_month == 1  # b on 04-01
    assert april.visited_cumulative == 4  # a, b, c, d
    assert april.rate_cumulative == Decimal("80.00")
    assert april.rate_month == Decimal("20.00")


def test_all_stations() -> None:
    rate = visit_rate(HOUSEHOLDS, VISITS, station_id=None, month=(2026, 3))
    assert (rate.registered, rate.visited_month, rate.visited_cumulative) == (5, 3, 4)
    assert rate.visits_month == 5


def test_year_start_can_be_chosen() -> None:
    rate = visit_rate(
        HOUSEHOLDS, VISITS, station_id=S1, month=(2026, 3), year_start=date(2025, 12, 1)
    )
    assert rate.period_start == date(2025, 12, 1)
    assert rate.visits_cumulative == 6
    assert rate.visited_cumulative == 3
    with pytest.raises(ValueError):
        visit_rate(HOUSEHOLDS, VISITS, station_id=S1, month=(2026, 3), year_start=date(2026, 4, 1))


def test_rounding_half_up_with_decimal() -> None:
    # 5,813 of 7,119 is 81.6547…%, which rounds half-up to 81.65.
    assert percentage(5813, 7119) == Decimal("81.65")
    assert percentage(4083, 5000) == Decimal("81.66")
    assert percentage(1, 800) == Decimal("0.13")  # 0.125: half-up, not to even
    assert percentage(1, 1600) == Decimal("0.06")  # 0.0625
    assert percentage(2, 3) == Decimal("66.67")
    assert percentage(7119, 7119) == Decimal("100.00")


def test_large_figures_hand_computed() -> None:
    households = [hh(f"h{i}") for i in range(7119)]
    visits = [v(f"h{i}", "2026-09-03") for i in range(5813)]
    visits += [v(f"h{i}", "2026-02-03") for i in range(100)]  # repeats, earlier this year
    rate = visit_rate(households, visits, station_id=S1, month=(2026, 9))
    assert rate.visited_cumulative == 5813
    assert rate.visits_cumulative == 5913
    assert rate.rate_cumulative == Decimal("81.65")
    assert str(rate.rate_cumulative) == "81.65"


def test_no_registered_households_gives_zero() -> None:
    rate = visit_rate([], VISITS, station_id=S1, month=(2026, 3))
    assert rate.registered == 0
    assert rate.rate_month == rate.rate_cumulative == Decimal("0.00")
    assert rate.visited_month == rate.visits_month == 0


def test_date_objects_are_accepted_too() -> None:
    households = [{"id": "a", "station_id": S1, "registered_on": date(2026, 3, 1)}]
    visits = [{"id": "1", "station_id": S1, "date": date(2026, 3, 2), "household_id": "a"}]
    rate = visit_rate(households, visits, station_id=S1, month=(2026, 3))
    assert rate.rate_month == Decimal("100.00")


def test_month_bounds() -> None:
    assert month_bounds((2024, 2)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds(date(2026, 12, 9)) == (date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        month_bounds((2026, 13))
