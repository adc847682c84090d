"""三三工作法 (services/three_threes.py): what counts for each station and period, and
media reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import ActivityType, ResponsibilityPair, StationActivity
from grassroots_tui.services import three_threes as T
from grassroots_tui.store import Store
from tests.factories import station

D = dt.date
HL01, HL02, HL03 = (station(code).id for code in ("HL01", "HL02", "HL03"))
PAIRS = [ResponsibilityPair(responsible="张三", target="李某")]


def activity(
    station_id: str, kind: ActivityType, day: D, period: str | None = None, **fields
) -> StationActivity:
    values = dict(
        station_id=station_id,
        activity_type=kind,
        date=day,
        title=f"{kind.label}活动",
        period=period,
    )
    values.update(fields)
    return StationActivity(**values)


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "g.json", daily_backup=False)
    s.save_many(
        [
            station("HL01"),
            station("HL02"),
            station("HL03"),
            # HL01: everything, in 2026 (Q3 by date or by period)
            activity(
                HL01, ActivityType.CULTURAL, D(2026, 7, 15), "2026", resident_representatives=True
            ),
            activity(HL01, ActivityType.PETITION_STABILITY, D(2026, 1, 5), "2026Q3", pairs=PAIRS),
            activity(HL01, ActivityType.HARDSHIP_ACTIVITY, D(2026, 8, 10)),
            # HL02: a cultural activity without resident representatives, an arrangement
            # without one-to-one pairs, a hardship activity of the year before
            activity(HL02, ActivityType.CULTURAL, D(2026, 9, 17), participants=300),
            activity(HL02, ActivityType.PETITION_STABILITY, D(2026, 3, 1)),
            activity(HL02, ActivityType.HARDSHIP_ACTIVITY, D(2026, 2, 1), "2025"),
            # media reports never count as one of the three
            activity(HL03, ActivityType.MEDIA_REPORT, D(2026, 9, 1), outlet="星沙时报"),
            activity(HL01, ActivityType.MEDIA_REPORT, D(2026, 6, 30), outlet="湖南日报"),
            activity(HL01, ActivityType.MEDIA_REPORT, D(2026, 10, 1), outlet="湖南电台"),
        ],
        actor="setup",
    )
    yield s
    s.close()


def by_code(store: Store, period: str) -> dict[str, T.Completion]:
    return {c.station_code: c for c in T.completion(store, period=period)}


def test_completion_for_the_year(store: Store) -> None:
    done = by_code(store, "2026")
    assert list(done) == ["HL01", "HL02", "HL03"]
    hl01 = done["HL01"]
    assert (hl01.cultural, hl01.petition_stability, hl01.hardship_activity) == (True, True, True)
    assert hl01.missing == [] and hl01.complete and hl01.period == "2026"
    assert done["HL03"].missing == ["群众文化活动", "信访维稳", "困难帮扶活动"]


def test_cultural_without_resident_representatives_does_not_count(store: Store) -> None:
    hl02 = by_code(store, "2026")["HL02"]
    assert hl02.cultural is False
    assert hl02.petition_stability is False  # no one-to-one pairs
    assert hl02.hardship_activity is False  # its period field says 2025
    assert hl02.missing == ["群众文化活动", "信访维稳", "困难帮扶活动"]
    assert hl02.notes == [
        "有 1 次群众文化活动，但没有居民代表参加，不计入",
        "信访维稳安排没有一对一联点到人，不计入",
    ]
    assert by_code(store, "2025")["HL02"].hardship_activity is True


def test_period_field_first_then_date(store: Store) -> None:
    q3 = by_code(store, "2026q3")["HL01"]  # lower case is accepted
    assert q3.period == "2026Q3"
    assert q3.petition_stability  # dated January, but its period is 2026Q3
    assert q3.cultural  # period "2026" is broader than Q3: its date (July) decides
    assert q3.hardship_activity  # no period: August
    q1 = by_code(store, "2026Q1")["HL01"]
    assert q1.missing == ["群众文化活动", "信访维稳", "困难帮扶活动"]
    assert by_code(store, "2026-08")["HL01"].missing == ["群众文化活动", "信访维稳"]
    assert T.in_period({"period": "2026-09", "date": "2026-01-01"}, "2026Q3")
    assert not T.in_period({"period": "2026-09", "date": "2026-08-01"}, "2026Q2")


def test_bad_period_is_refused(store: Store) -> None:
    with pytest.raises(T.ThreeThreesRefused, match="考核期间“2026Q5”无效"):
        T.completion(store, period="2026Q5")
    assert T.period_range("2026Q4") == (D(2026, 10, 1), D(2026, 12, 31))
    assert T.period_range("2026-02") == (D(2026, 2, 1), D(2026, 2, 28))


def test_media_reports(store: Store) -> None:
    every = T.media_reports(store, station_id=None, start=D(2026, 6, 30), end=D(2026, 9, 30))
    assert [(r.date, r.outlet) for r in every] == [
        (D(2026, 6, 30), "湖南日报"),
        (D(2026, 9, 1), "星沙时报"),
    ]
    mine = T.media_reports(store, station_id=HL01, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert [r.outlet for r in mine] == ["湖南日报", "湖南电台"]
    assert all(isinstance(r, StationActivity) for r in mine)
