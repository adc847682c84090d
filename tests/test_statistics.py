"""Monthly statistics (services/statistics.py) on a small hand-computed store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots_tui.models import (
    ProblemItem,
    Reply,
    Satisfaction,
    SlipCallback,
    SlipState,
    StationActivity,
)
from grassroots_tui.models.activity import ActivityType
from grassroots_tui.models.slip import SlipSource
from grassroots_tui.services.statistics import month_stats, stats_json, summary_sentence, trend
from grassroots_tui.store import Store
from tests.factories import household, legacy_slip, station, visit

D = dt.date
HL01, HL02 = "station-hl01", "station-hl02"


def slip(sid: str, issue: str, state: SlipState, *, station_id: str = HL01, **fields):
    values = dict(
        id=sid,
        station_id=station_id,
        number=sid,
        category="城市管理",
        title=f"事项{sid}",
        description="情况",
        handling_unit="街道城管中队",
        issue_date=D.fromisoformat(issue),
        state=state,
    )
    values.update(fields)
    return legacy_slip(**values)


def reply(sid: str, day: str) -> Reply:
    return Reply(slip_id=sid, reply_date=D.fromisoformat(day), result="已处理", handler="王")


def build(path: Path) -> Store:
    store = Store.open(path, daily_backup=False)
    docs = [
        station(),
        station("HL02"),
        household("HL01-0001", id="h1", registered_on=D(2026, 1, 1)),
        household("HL01-0002", id="h2", registered_on=D(2026, 1, 1)),
        household("HL01-0003", id="h3", registered_on=D(2026, 9, 25)),  # after its visit
        household("HL01-0004", id="h4", registered_on=D(2026, 10, 5)),  # after September
        household("HL02-0001", id="h5", station_id=HL02, head_of_household="赵六"),
        # h1: visited three times in September (one household, three visits)
        visit("h1", id="v1", date=D(2026, 9, 2)),
        visit(
            "h1",
            id="v2",
            date=D(2026, 9, 10),
            problems=[
                ProblemItem(id="p1", category="环境", description="灯", state="solved_on_spot"),
                ProblemItem(
                    id="p2",
                    category="环境",
                    description="路",
                    state="solved_later",
                    solved_on=D(2026, 10, 3),  # solved next month
                ),
                ProblemItem(
                    id="p3", category="环境", description="水", state="handed_off", slip_id="S2"
                ),
            ],
        ),
        visit(
            "h1",
            id="v3",
            date=D(2026, 9, 20),
            start_time=dt.time(19, 0),
            end_time=dt.time(19, 30),
            visit_kind="night",
        ),
        visit("h3", id="v4", date=D(2026, 9, 5)),  # registered 9-25, counts by month end
        visit("h4", id="v5", date=D(2026, 9, 6)),  # registered in October: left out
        visit(
            "h2",
            id="v6",
            date=D(2026, 3, 3),
            problems=[ProblemItem(id="p4", category="其他", description="x", state="pending")],
        ),
        visit("h5", id="v7", station_id=HL02, date=D(2026, 9, 8)),
        # slips: S1 issued in August, due 9-xx, replied on time; S2 from p3, closed
        slip("S1", "2026-08-25", SlipState.REPLIED),
        reply("S1", "2026-09-05"),
        slip("S2", "2026-09-10", SlipState.CLOSED, visit_id="v2", problem_id="p3"),
        reply("S2", "2026-09-15"),
        SlipCallback(slip_id="S2", date=D(2026, 9, 16), satisfaction=Satisfaction.SATISFIED),
        slip("S3", "2026-08-01", SlipState.ISSUED),  # open, due in August: overdue
        slip("S4", "2026-09-12", SlipState.ISSUED, source=SlipSource.HOTLINE),
        slip("S5", "2026-09-01", SlipState.ISSUED, station_id=HL02, source=SlipSource.WALK_IN),
        StationActivity(
            station_id=HL01,
            activity_type=ActivityType.MEDIA_REPORT,
            date=D(2026, 9, 3),
            title="报道",
            outlet="湘龙日报",
        ),
        StationActivity(
            station_id=HL02,
            activity_type=ActivityType.MEDIA_REPORT,
            date=D(2026, 4, 3),
            title="报道2",
            outlet="湘龙日报",
        ),
    ]
    store.save_many(docs, "测试")
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    opened = build(tmp_path_factory.mktemp("stats") / "g.json")
    yield opened
    opened.close()


def hl01(stats):
    return next(s for s in stats.stations if s.code == "HL01").figures


def test_visits_and_households(store) -> None:
    f = hl01(month_stats(store, year=2026, month=9))
    assert f.households_registered == 3  # h4 registered in October
    assert f.households_visited_month == 2  # h1 (three visits) and h3
    assert f.visits_month == 4  # v1 v2 v3 v4; v5 (unregistered) left out
    assert f.households_visited_cumulative == 3 and f.visits_cumulative == 5
    assert f.visit_rate_cumulative == Decimal("100.00")
    assert f.visits_by_kind["夜访"] == 1 and f.visits_by_kind["走访"] == 3
    assert f.off_hours_visits == 1


def test_issues_raised_and_resolved(store) -> None:
    sep = month_stats(store, year=2026, month=9)
    f = hl01(sep)
    # p1 p2 p3 from v2, S4 hotline; p4 in March
    assert f.issues_raised_month == 4 and f.issues_raised_cumulative == 5
    # p1 on the spot, p3 via closed S2; p2 solved in October, S4 open
    assert f.issues_resolved_month == 2 and f.issues_resolved_cumulative == 2
    oct_ = hl01(month_stats(store, year=2026, month=10))
    assert oct_.issues_resolved_month == 0 and oct_.issues_resolved_cumulative == 3
    assert sep.total.issues_raised_month == 5  # plus S5 walk-in at HL02


def test_slips(store) -> None:
    f = hl01(month_stats(store, year=2026, month=9))
    assert f.slips_issued_month == 2 and f.slips_issued_cumulative == 4
    assert f.slips_replied_month == 2
    # due in September: S1 (issued in August, replied on time), S2 (replied), S4 (not)
    assert f.slips_replied_on_time_month == 2 and f.on_time_rate == Decimal("66.67")
    assert f.slips_overdue_open == 2  # S3 (due in August) and S4 (due 9-27), both open
    assert f.satisfaction_rate == Decimal("100.00")
    assert f.media_reports_month == 1 and f.media_reports_cumulative == 1


def test_on_time_rate_counts_slips_due_in_month(store) -> None:
    f = hl01(month_stats(store, year=2026, month=8))
    # S3 due 8-16, never replied: 0 of 1; S1 due in September, not counted
    assert f.slips_replied_on_time_month == 0 and f.on_time_rate == Decimal("0.00")


def test_summary_sentences(store) -> None:
    stats = month_stats(store, year=2026, month=9)
    assert stats.summary == (
        "截至2026年9月底，共发出交办单5件，走访群众4户，累计走访率100.00%，"
        "累计反映问题6个，累计已解决2个，媒体报道2次。"
    )
    one = month_stats(store, year=2026, month=9, station_code="hl01")
    assert one.summary == (
        "截至2026年9月底，本站共发出交办单4件，走访群众3户，累计走访率100.00%，"
        "累计反映问题5个，累计已解决2个，媒体报道1次。"
    )
    assert summary_sentence(stats, station=stats.stations[0]) == one.summary


def test_json_and_trend(store) -> None:
    data = stats_json(month_stats(store, year=2026, month=9))
    assert data["month"] == "2026-09" and data["period_start"] == "2026-01-01"
    assert data["total"]["visit_rate_cumulative"] == 100.0
    assert data["stations"][0]["station"] == {"code": "HL01", "name": "湘龙街道HL01群众工作站"}
    rows = trend(store, year=2026, month=10, months=3)
    assert [m for m, _ in rows] == ["2026-08", "2026-09", "2026-10"]
    assert rows[1][1].visits_month == 5


def test_unknown_station(store) -> None:
    with pytest.raises(ValueError, match="HL09"):
        month_stats(store, year=2026, month=9, station_code="HL09")
