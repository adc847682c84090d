"""`grassroots deadline` and `grassroots calendar`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grassroots_tui.cli import main


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "grassroots.json"


def _holidays(db: Path, content: object) -> Path:
    path = db.parent / "holidays.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def test_deadline_default_rule(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "2025-09-16", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "到期日期：2025-10-09" in out
    assert "期限规则：15日" in out
    assert "是否暂定：否" in out


def test_deadline_working_days(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "2025-09-26", "--rule", "15个工作日", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "到期日期：2025-10-23" in out and "15个工作日" in out


def test_deadline_provisional(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "2026-12-20", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "到期日期：2027-01-04" in out
    assert "是否暂定：是" in out
    assert "2027 年节假日数据缺失，暂按周末推算" in out
    assert str(db.parent / "holidays.json") in out


def test_deadline_uses_the_holiday_file_next_to_the_store(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _holidays(db, {"2027": {"holidays": {"2027-01-01": "元旦", "2027-01-04": "试用放假"}}})
    assert main(["deadline", "2026-12-20", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "到期日期：2027-01-05" in out and "是否暂定：否" in out


@pytest.mark.parametrize("bad", ["2026-13-01", "20261126", "明天", "2026-02-30"])
def test_deadline_bad_date(db: Path, bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", bad, "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"日期“{bad}”无效" in captured.err and "2026-11-26" in captured.err


@pytest.mark.parametrize("bad", ["两周", "0日", "15"])
def test_deadline_bad_rule(db: Path, bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "2026-01-05", "--rule", bad, "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"期限规则“{bad}”" in captured.err


def test_bad_holiday_file_is_reported(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _holidays(db, {"2027": {"holidays": {"2027-02-30": "春节"}}})
    assert main(["deadline", "2026-01-05", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：节假日文件") and "2027-02-30" in err
    assert main(["calendar", "--year", "2026", "--db", str(db)]) == 2


def test_calendar_lists_a_covered_year(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--year", "2026", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2004–2026" in out
    assert "2026-02-15 周日  春节" in out
    assert "2026-10-01 周四  国庆节" in out
    assert "2026-02-14 周六  春节调休" in out
    assert "2026-10-10 周六  国庆节调休" in out
    assert str(db.parent / "holidays.json") in out


def test_calendar_says_plainly_when_a_year_is_missing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "--year", "2027", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "缺少 2027 年的法定节假日数据" in out
    assert str(db.parent / "holidays.json") in out
    assert '"holidays"' in out and '"workdays"' in out


def test_calendar_with_override_year(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _holidays(
        db,
        {"2027": {"holidays": {"2027-01-01": "元旦"}, "workdays": {"2027-02-07": "春节调休"}}},
    )
    assert main(["calendar", "--year", "2027", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "补充的年份：2027" in out
    assert "2027-01-01 周五  元旦" in out
    assert "2027-02-07 周日  春节调休" in out
    assert "来源：节假日文件" in out


def test_calendar_bad_year(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--year", "明年", "--db", str(db)]) == 2
    assert "年份“明年”无效" in capsys.readouterr().err
