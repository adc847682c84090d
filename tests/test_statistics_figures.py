"""Issue 15 §1, the figures: what a rate with nothing to divide by shows, how rates are
rounded, the 合计 row as the sum of the rows, and a month in progress counted to today.

The small hand-computed store is :func:`tests.test_statistics.build`; the demo-store
checks compare with the independent oracle ``tests/stats_reference.py``.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from grassroots_tui.cli import main
from grassroots_tui.demo import build_demo, write_demo_store
from grassroots_tui.models import SlipState
from grassroots_tui.services.slip_board import build_board
from grassroots_tui.services.slip_rules import load_slip_rules
from grassroots_tui.services.statistics import month_stats, rate, stats_json
from grassroots_tui.services.stats_export import SUMMARY_COLUMNS, export_stats, summary_rows
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from grassroots_tui.store.settings import load_settings, save_settings
from grassroots_tui.store.slip_rules_file import RATE_ROUNDINGS, SlipRulesInvalid
from grassroots_tui.tui.screens.statistics import _show
from tests import stats_reference
from tests.factories import station
from tests.test_statistics import D, build, slip
from tests.test_statistics_reference import TODAY, DictStore, _figures, _tables


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    opened = build(tmp_path_factory.mktemp("stats-figures") / "g.json")
    yield opened
    opened.close()


def _column(title: str) -> int:
    return 2 + [t for t, _ in SUMMARY_COLUMNS].index(title)


# -- 1. a rate with nothing to divide by -----------------------------------------------------


def test_a_rate_with_nothing_to_divide_by_is_none_and_a_real_zero_stays_zero(store) -> None:
    october = month_stats(store, year=2026, month=10)
    # No slip falls due in October and no call-back is dated in it, at either station.
    assert october.total.on_time_rate is None and october.total.satisfaction_rate is None
    assert all(s.figures.on_time_rate is None for s in october.stations)
    hl02 = next(s for s in month_stats(store, year=2026, month=9).stations if s.code == "HL02")
    assert hl02.figures.satisfaction_rate is None  # no call-back at HL02
    assert hl02.figures.on_time_rate == Decimal("0.00")  # S5 was due and not answered


def test_a_missing_rate_is_null_empty_or_a_dash_in_every_output(store) -> None:
    stats = month_stats(store, year=2026, month=10)
    assert stats_json(stats)["total"]["on_time_rate"] is None
    assert json.loads(export_stats(store, stats, fmt="json"))["total"]["satisfaction_rate"] is None

    rows = list(csv.reader(io.StringIO(export_stats(store, stats, fmt="csv").decode("utf-8-sig"))))
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[_column("按时回复率(%)")] == "" and total[_column("满意率(%)")] == ""
    assert total[_column("累计走访率(%)")] not in ("", "0.00")

    md = export_stats(store, stats, fmt="md").decode()
    total_line = next(line for line in md.splitlines() if line.startswith("| 合计 |"))
    cells = [c.strip() for c in total_line.strip("|").split("|")]
    assert cells[_column("按时回复率(%)")] == "—" and cells[_column("满意率(%)")] == "—"

    book = load_workbook(io.BytesIO(export_stats(store, stats, fmt="xlsx")))
    sheet_rows = list(book["汇总"].iter_rows(min_row=6, values_only=True))
    total_row = next(row for row in sheet_rows if row[0] == "合计")
    assert total_row[_column("按时回复率(%)")] == "—" and total_row[_column("满意率(%)")] == "—"

    assert _show(stats.total, "on_time_rate") == "—"
    assert _show(stats.total, "visit_rate_cumulative").endswith("%")


def test_the_sentence_shows_a_dash_for_a_visit_rate_with_no_household() -> None:
    empty = DictStore({"station": {"s": station().model_dump(mode="json")}})
    stats = month_stats(empty, year=2026, month=9)
    assert stats.total.visit_rate_cumulative is None
    assert "累计走访率—，" in stats.summary and "0.00" not in stats.summary


# -- 2. the office chooses how rates are rounded ---------------------------------------------


@pytest.mark.parametrize("rule", sorted(RATE_ROUNDINGS))
def test_every_rounding_rule_agrees_with_the_exact_oracle(rule: str) -> None:
    for whole in range(1, 121):
        for part in range(whole + 1):
            assert rate(part, whole, rule) == stats_reference._rate(part, whole, rule), (
                part,
                whole,
            )
    assert rate(0, 0, rule) is None


def test_the_rules_give_the_figures_an_office_may_have_reported() -> None:
    assert rate(5813, 7119) == Decimal("81.65")  # half-up, the default
    assert rate(5813, 7119, "ROUND_UP") == Decimal("81.66")  # the source passage's figure
    assert rate(5813, 7119, "ROUND_DOWN") == Decimal("81.65")
    assert rate(1, 32, "ROUND_HALF_UP") == Decimal("3.13")  # 3.125 exactly
    assert rate(1, 32, "ROUND_HALF_EVEN") == Decimal("3.12")
    assert rate(3, 32, "ROUND_HALF_EVEN") == Decimal("9.38")  # 9.375
    with pytest.raises(ValueError, match="ROUND_HALF_EVEN"):
        rate(1, 3, "四舍五入")


@pytest.fixture(scope="module")
def demo() -> DictStore:
    return DictStore(_tables(1))


@pytest.mark.parametrize("rule", ["ROUND_DOWN", "ROUND_HALF_EVEN", "ROUND_UP", "ROUND_05UP"])
def test_the_rule_reaches_every_rate_of_every_row(demo, rule: str) -> None:
    ours = month_stats(demo, year=2026, month=9, rounding=rule)
    oracle = stats_reference.month_stats(demo, year=2026, month=9, rounding=rule)
    assert ours.rounding == rule and stats_json(ours)["rounding"] == rule
    assert _figures(ours) == _figures(oracle)
    half_up = month_stats(demo, year=2026, month=9)
    assert _figures(half_up) != _figures(ours)  # the rule changed something


def test_the_offices_file_holds_the_rule(tmp_path) -> None:
    path = tmp_path / "slip_rules.json"
    assert load_slip_rules(path).rate_rounding == "ROUND_HALF_UP"  # no file: the default
    path.write_text('{"warn_days": 5}', encoding="utf-8")
    assert load_slip_rules(path).rate_rounding == "ROUND_HALF_UP"  # not set: the default
    path.write_text('{"rate_rounding": " round_down "}', encoding="utf-8")
    assert load_slip_rules(path).rate_rounding == "ROUND_DOWN"
    for wrong in ('"四舍五入"', "2", "null"):
        path.write_text(f'{{"rate_rounding": {wrong}}}', encoding="utf-8")
        with pytest.raises(SlipRulesInvalid) as caught:
            load_slip_rules(path)
        message = str(caught.value)
        assert str(path) in message and "rate_rounding" in message and wrong in message
        assert all(rule in message for rule in RATE_ROUNDINGS)


def test_a_rule_left_in_the_users_settings_is_reported_and_not_kept(tmp_path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"rate_rounding": "ROUND_DOWN", "lang": "en"}', encoding="utf-8")
    settings = load_settings(path)
    assert settings.lang == "en" and not hasattr(settings, "rate_rounding")
    assert '"rate_rounding": "ROUND_DOWN"' in settings.problem
    assert "slip_rules.json" in settings.problem
    save_settings(settings, path)
    assert "rate_rounding" not in json.loads(path.read_text(encoding="utf-8"))
    assert load_settings(path).problem is None


def test_the_export_command_rounds_by_the_offices_file(tmp_path, monkeypatch, capsys) -> None:
    db = tmp_path / "g.json"
    build(db).close()
    # The user's own settings say otherwise: not the office's rule, only reported.
    config = tmp_path / "settings.json"
    config.write_text('{"rate_rounding": "ROUND_UP"}', encoding="utf-8")
    monkeypatch.setenv("GRASSROOTS_CONFIG", str(config))
    (tmp_path / "slip_rules.json").write_text('{"rate_rounding": "ROUND_DOWN"}', encoding="utf-8")
    out = tmp_path / "s.json"
    argv = ["export", "stats", "--db", str(db), "--month", "2026-09", "--station", "HL01"]
    assert main([*argv, "--format", "json", "--out", str(out)]) == 0
    assert "slip_rules.json" in capsys.readouterr().err  # the notice about settings.json
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["rounding"] == "ROUND_DOWN"
    assert data["total"]["on_time_rate"] == 66.66  # 2 of 3; half-up gives 66.67
    md = tmp_path / "s.md"
    assert main([*argv, "--format", "md", "--out", str(md)]) == 0
    assert "比率保留两位小数，截尾" in md.read_text(encoding="utf-8")
    # A rule the office's file gets wrong stops the export, naming the file and the key.
    (tmp_path / "slip_rules.json").write_text('{"rate_rounding": "截尾"}', encoding="utf-8")
    capsys.readouterr()
    assert main([*argv, "--format", "json", "--out", str(tmp_path / "t.json")]) == 2
    err = capsys.readouterr().err
    assert "slip_rules.json" in err and "rate_rounding" in err and "ROUND_DOWN" in err
    assert not (tmp_path / "t.json").exists()


# -- 3. the 合计 row is the sum of the rows above it --------------------------------------------

#: Not additive by definition: a visit logged by one station to another's household counts
#: in the total's kinds and off-hours visits but in neither station's (see the module notes).
_NOT_SUMMED = {"visits_by_kind", "off_hours_visits"}


def _demo_unperturbed() -> DictStore:
    tables: dict[str, dict[str, dict]] = {}
    for doc in build_demo(TODAY, seed=3, scale=0.3):
        raw = doc.model_dump(mode="json")
        tables.setdefault(raw["kind"], {})[raw["id"]] = raw
    return DictStore(tables)


@pytest.mark.parametrize("which", ["demo", "perturbed"])
@pytest.mark.parametrize("month", [(2026, 3), (2026, 9), (2026, 11)])
def test_each_count_of_the_total_is_the_sum_of_the_rows(demo, which: str, month) -> None:
    store = demo if which == "perturbed" else _demo_unperturbed()
    year, number = month
    stats = month_stats(store, year=year, month=number)
    rows = [row.figures for row in stats.rows]
    names = [row.name for row in stats.rows]
    if which == "perturbed":  # its office documents and removed station have rows
        assert names[-2:] == ["街道群工办", "已删除的站点"]
    for name, value in vars(stats.total).items():
        if name in _NOT_SUMMED or value is None or isinstance(value, Decimal):
            continue
        if isinstance(value, dict):
            summed: dict = {}
            for f in rows:
                for key, amount in getattr(f, name).items():
                    summed[key] = summed.get(key, 0) + amount
            assert {k: v for k, v in summed.items() if v} == {k: v for k, v in value.items() if v}
        else:
            assert sum(getattr(f, name) for f in rows) == value, name
    # A rate of the total is worked from the summed counts, not summed or averaged.
    visited = sum(f.households_visited_cumulative for f in rows)
    registered = sum(f.households_registered for f in rows)
    assert stats.total.visit_rate_cumulative == stats_reference._rate(visited, registered)
    # ...and the exported 合计 row is that total, below the rows it adds up.
    table = summary_rows(stats)
    assert [r[1] for r in table[1:-1]] == names and table[-1][0] == "合计"
    for column in range(2, len(table[0])):
        title = table[0][column]
        if "率" not in title:
            assert sum(r[column] for r in table[1:-1]) == table[-1][column], title


# -- 4. a month in progress is counted up to today -------------------------------------------

DEC_6 = D(2026, 12, 6)


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory):
    """The small store, and on 3 December a slip due on the 18th (15日), still open."""
    opened = build(tmp_path_factory.mktemp("stats-december") / "g.json")
    opened.save_many([slip("S6", "2026-12-03", SlipState.ISSUED)], "测试")
    yield opened
    opened.close()


def test_a_slip_due_later_in_the_month_is_not_overdue_today(december) -> None:
    stats = month_stats(december, year=2026, month=12, today=DEC_6)
    assert stats.period_end == DEC_6
    assert stats.summary.startswith("截至2026年12月6日，共发出交办单6件")
    hl01 = next(s for s in stats.stations if s.code == "HL01").figures
    assert hl01.slips_overdue_open == 2  # S3 and S4; not S6, due on the 18th
    assert hl01.on_time_rate is None  # nothing has fallen due in December yet
    assert stats == stats_reference.month_stats(december, year=2026, month=12, today=DEC_6)
    # Counted to the month's last day (no today: a closed month) S6 would be overdue.
    closed = month_stats(december, year=2026, month=12)
    assert closed.summary.startswith("截至2026年12月底")
    assert next(s for s in closed.stations if s.code == "HL01").figures.slips_overdue_open == 3
    # After the month, today changes nothing.
    assert month_stats(december, year=2026, month=11, today=DEC_6) == month_stats(
        december, year=2026, month=11
    )


def test_days_overdue_in_the_workbook_stop_at_today(december) -> None:
    stats = month_stats(december, year=2026, month=12, today=DEC_6)
    book = load_workbook(io.BytesIO(export_stats(december, stats, fmt="xlsx")))
    rows = {row[1]: row for row in book["交办单"].iter_rows(min_row=2, values_only=True)}
    assert rows["S6"][-1] == 0  # due 12-18
    due = rows["S4"][-2].date()  # late September: a date cell
    assert rows["S4"][-1] == (DEC_6 - due).days  # to the 6th, not to 31 December
    assert "2026-01-01 至 2026-12-06" in book["汇总"]["A2"].value


def test_a_month_not_begun_is_refused(december) -> None:
    with pytest.raises(ValueError, match="还没有开始"):
        month_stats(december, year=2027, month=1, today=DEC_6)


@pytest.fixture(scope="module")
def demo_on_disk(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("stats-demo") / "grassroots.json"
    write_demo_store(path, DEC_6)
    return path


def test_overdue_agrees_with_the_board_and_the_command_today(demo_on_disk, capsys) -> None:
    calendar = OfficialCalendar()
    with Store.open(demo_on_disk, daily_backup=False, readonly=True) as store:
        stats = month_stats(store, year=2026, month=12, calendar=calendar, today=DEC_6)
        oracle = stats_reference.month_stats(
            store, year=2026, month=12, calendar=calendar, today=DEC_6
        )
        board = build_board(store, today=DEC_6, calendar=calendar)
        old_way = month_stats(store, year=2026, month=12, calendar=calendar)  # to the 31st
    assert _figures(stats) == _figures(oracle)
    argv = ["--db", str(demo_on_disk)]
    assert main(["slips", "overdue", *argv, "--on", "2026-12-06", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    command = sum(row["clock"] == "overdue" for row in listed)
    out = ["--format", "json", "--out", "-", "--on", "2026-12-06"]
    assert main(["export", "stats", *argv, "--month", "2026-12", *out]) == 0
    exported = json.loads(capsys.readouterr().out)["total"]["slips_overdue_open"]
    assert board.overdue > 0
    assert stats.total.slips_overdue_open == board.overdue == command == exported
    assert sum(row.figures.slips_overdue_open for row in stats.rows) == board.overdue
    # Counting to the month's last day took in slips not yet due on the 6th.
    assert old_way.total.slips_overdue_open > board.overdue


def test_the_office_row_and_its_slips_in_the_workbook(tmp_path) -> None:
    store = build(tmp_path / "g.json")
    try:  # a slip the street office issued itself (no station)
        store.save_many([slip("S9", "2026-09-02", SlipState.ISSUED, station_id=None)], "测试")
        stats = month_stats(store, year=2026, month=9)
        book = load_workbook(io.BytesIO(export_stats(store, stats, fmt="xlsx")))
    finally:
        store.close()
    assert [row.name for row in stats.others] == ["街道群工办"]
    assert stats.others[0].figures.slips_issued_cumulative == 1
    summary = list(book["汇总"].iter_rows(min_row=6, values_only=True))
    assert [row[1] for row in summary][-2:] == ["街道群工办", None]
    column = _column("累计交办单")
    assert sum(row[column] for row in summary[:-1]) == summary[-1][column] == 6
    listed = list(book["交办单"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == stats.total.slips_issued_cumulative  # every slip 合计 counts
    assert next(row for row in listed if row[1] == "S9")[0] == "街道群工办"
