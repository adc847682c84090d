"""A year without holiday data makes things 待定 (provisional) exactly where they rest on it.

- A roster of a month in such a year is marked 待定 with the reason (the CLI's title, the
  TUI's head), like a due date in that year; a month with data is not.
- The overdue board seen on a day in 2027 does not call a 2026 due date provisional: the
  due date is settled, only the working days overdue (and so 通报) rest on 2027, and the
  board says that instead (†, ``working_days_provisional``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import SlipState
from grassroots_tui.services import rosters as R
from grassroots_tui.services.slip_board import board_counts_text, board_json, build_board
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from grassroots_tui.tui.screens.rosters import RostersScreen
from tests.factories import STATION_ID, station
from tests.test_slip_board import slip
from tests.test_tui_rosters import SIZE, store, template  # noqa: F401
from tests.tui_fixtures import make_app, open_section, settle

D = dt.date.fromisoformat
CAL = OfficialCalendar()
REASON = "2027 年节假日数据缺失，暂按周末推算"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "g.json"
    with Store.open(path, daily_backup=False) as s:
        s.save_many(
            [
                station(),
                slip("S26", STATION_ID, "2026-12-01", SlipState.ISSUED),  # due 2026-12-16
                slip("S27", STATION_ID, "2026-12-25", SlipState.ISSUED),  # due 2027-01-11
            ],
            actor="setup",
        )
    return path


def test_a_2026_due_date_seen_in_2027_is_not_provisional(db: Path) -> None:
    with Store.open(db, daily_backup=False) as s:
        board = build_board(s, today=D("2027-01-20"), calendar=CAL)
    rows = {r.number: r for r in board.rows}
    settled, guessed = rows["S26"], rows["S27"]
    assert settled.due.date == D("2026-12-16") and not settled.provisional
    assert settled.count_provisional  # the working days since run into 2027
    assert guessed.due.date == D("2027-01-11") and guessed.provisional
    assert board.provisional == 1 and board_counts_text(board).endswith("到期日暂定 1")
    as_json = {r["number"]: r for r in board_json(board)}
    assert as_json["S26"]["provisional"] is False and as_json["S26"]["provisional_reason"] is None
    assert as_json["S26"]["working_days_provisional"] is True
    assert as_json["S26"]["working_days_reason"] == REASON
    assert as_json["S27"]["provisional"] is True and as_json["S27"]["provisional_reason"] == REASON


def test_the_cli_board_marks_only_provisional_due_dates(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["slips", "overdue", "--db", str(db), "--on", "2027-01-20"]) == 0
    out = capsys.readouterr().out
    line26 = next(line for line in out.splitlines() if line.startswith("S26"))
    line27 = next(line for line in out.splitlines() if line.startswith("S27"))
    assert "2026-12-16 " in line26 and "2026-12-16*" not in line26
    assert "2027-01-11*" in line27
    assert "†" in line26
    assert f"* 到期日暂定：{REASON}。" in out
    assert f"† 超期工作日数（是否通报）暂定：{REASON}。" in out
    assert main(["slips", "overdue", "--db", str(db), "--on", "2026-12-20", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)  # in 2026 nothing rests on 2027
    assert row["number"] == "S26" and not row["provisional"]
    assert not row["working_days_provisional"]


def test_a_roster_in_a_year_without_data_is_provisional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "g.json"
    with Store.open(path, daily_backup=False) as s:
        s.save(station(), actor="setup")
        january = R.month_view(s, station_id=STATION_ID, year=2027, month=1, calendar=CAL)
        december = R.month_view(s, station_id=STATION_ID, year=2026, month=12, calendar=CAL)
    assert all(day.provisional for day in january)
    assert not any(day.provisional for day in december)
    assert main(["roster", "show", "--db", str(path), "--month", "2027-01"]) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert title.endswith(f"2027年1月值班表（待定：{REASON}）")
    assert main(["roster", "show", "--db", str(path), "--month", "2026-12"]) == 0
    assert "待定" not in capsys.readouterr().out


async def test_the_roster_screen_says_a_2027_month_is_provisional(store) -> None:  # noqa: F811
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f6")
        screen = app.screen
        assert isinstance(screen, RostersScreen)
        head = screen.query_one("#roster-head")
        await settle(pilot)
        assert "2026年11月" in str(head.content) and "待定" not in str(head.content)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert str(head.content).startswith("2027年1月值班表")
        assert "（待定：2027 年节假日数据缺失，暂按周末推算）" in str(head.content)
