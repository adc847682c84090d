"""`grassroots roster show | supervision report | leave notice`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import CheckItem, Rating, SupervisionCheck
from grassroots_tui.services import rosters as R
from tests.factories import STATION_ID
from tests.test_rosters import HL02, decide, generate, leave, open_store, shift

D = dt.date


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-rosters") / "g.json"
    store = open_store(path)
    try:
        generate(store)  # February 2026 at HL01: 张三, 李四, 王五 in turn
        R.clear_day(store, station_id=STATION_ID, day=D(2026, 2, 27), actor="站长")
        store.save(shift(D(2026, 2, 3), "staff-b", station_id=HL02), "setup")
        asked = R.request_leave(store, leave("staff-a", D(2026, 2, 10)), "张三")
        decide(store, asked.id, "staff-c")

        def check(code_id: str, day: D, hour: int) -> SupervisionCheck:
            return SupervisionCheck(
                station_id=code_id,
                supervisor_id="sup-1",
                date=day,
                time=dt.time(hour, 0),
                checked_items=[CheckItem.ATTENDANCE],
                rating=Rating.GOOD,
            )

        store.save_many(
            [
                check(STATION_ID, D(2026, 2, 3), 9),
                check(HL02, D(2026, 2, 3), 14),
                check(STATION_ID, D(2026, 2, 5), 9),
            ],
            actor="setup",
        )
    finally:
        store.close()
    return path


def test_roster_show_calendar(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["roster", "show", "--month", "2026-02", "--station", "HL01", "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "湘龙街道HL01群众工作站（HL01）2026年2月值班表"
    header = [c.strip() for c in lines[2].split("|")[1:8]]
    assert header == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    cells = [[c.strip() for c in line.split("|")[1:8]] for line in lines if line.startswith("|")]
    # Week of 2-09: 10 is 王五's (standing in for 张三); 14 is a make-up Saturday, 15 off.
    week = next(i for i, row in enumerate(cells) if row[0] == "9")
    assert cells[week] == ["9", "10", "11", "12", "13", "14 班", "15 休"]
    assert cells[week + 1][:6] == ["王五", "王五", "李四", "王五", "张三", "李四"]
    # 2-03: 李四 also on at HL02; 2-27: nobody.
    first = next(i for i, row in enumerate(cells) if row[0] == "2")
    assert cells[first][1] == "3 !" and cells[first + 1][1] == "李四!"
    last = next(i for i, row in enumerate(cells) if row[0] == "23 休")
    assert cells[last][4] == "27 !" and cells[last + 1][4] == "—"
    assert "缺口 2 处：" in out
    assert "  ! 2026-02-03 周二 李四 同一天也在 HL02 值班" in out
    assert "  ! 2026-02-27 周五 是工作日，没有安排值班人员" in out
    assert all(len(line) <= 80 for line in lines if line.startswith(("+", "|")))


def test_roster_show_every_station(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roster", "show", "--month", "2026-02", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "（HL01）2026年2月值班表" in out and "（HL02）2026年2月值班表" in out


def test_roster_show_year_without_data(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roster", "show", "--month", "2031-02", "--station", "HL01", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "注意：2031 年节假日数据缺失，暂按周末推算。" in out


def test_roster_show_refusals(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roster", "show", "--month", "2026-13", "--db", str(db)]) == 2
    assert "错误：月份“2026-13”无效" in capsys.readouterr().err
    assert main(["roster", "show", "--month", "2026-02", "--station", "XX9", "--db", str(db)]) == 2
    assert "没有站点代码为“XX9”的群工站" in capsys.readouterr().err


def test_supervision_report_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["supervision", "report", "--month", "2026-02", "--json", "--db", str(db)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2026-02" and data["target_per_day"] == 3
    [sup] = data["supervisors"]
    assert sup["name"] == "周督导"
    assert sup["days_supervised"] == 2
    assert sup["stations_checked"] == 3
    assert sup["days_below_target"] == 2
    assert [(d["date"], d["stations"]) for d in sup["days"]] == [
        ("2026-02-03", 2),
        ("2026-02-05", 1),
    ]


def test_supervision_report_text(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["supervision", "report", "--month", "2026-02", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2026年2月督导情况（目标：每人每个工作日督导不少于 3 个群工站）")
    assert lines[3].split() == ["周督导", "2", "3", "2"]
    assert lines[4].strip() == "2月3日 2站（未达标） · 2月5日 1站（未达标）"
    assert lines[-1] == "合计：督导 3 站次，未达标 2 天。"


def test_leave_notice(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leave", "notice", "张三", "--on", "2026-02-08", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    flat = "".join(line.strip() for line in out.splitlines())
    assert "请假代班公示" in flat.replace(" ", "") and "由王五代班" in flat
    assert not re.search(r"1[3-9]\d{9}", flat)
    target = tmp_path / "notice.html"
    assert main(["leave", "notice", "张三", "--html", "--out", str(target), "--db", str(db)]) == 0
    assert "<h1>请假代班公示</h1>" in target.read_text(encoding="utf-8")
    assert main(["leave", "notice", "赵六", "--db", str(db)]) == 2
    assert "错误：找不到“赵六”的请假申请" in capsys.readouterr().err
