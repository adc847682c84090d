"""`grassroots export stats`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grassroots_tui.cli import main
from tests.test_statistics import build


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-export") / "g.json"
    build(path).close()
    return path


def test_default_xlsx_in_exports_folder(db: Path, capsys) -> None:
    assert main(["export", "stats", "--db", str(db), "--month", "2026-09"]) == 0
    files = list((db.parent / "exports").glob("月度统计-2026-09-*.xlsx"))
    assert len(files) == 1
    assert load_workbook(files[0])["汇总"]["A3"].value.startswith("截至2026年9月底")
    assert "已写入" in capsys.readouterr().err


def test_json_to_stdout_for_station(db: Path, capsys) -> None:
    argv = ["export", "stats", "--db", str(db), "--month", "2026-09", "--station", "HL01"]
    assert main([*argv, "--format", "json", "--out", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"].startswith("截至2026年9月底，本站共发出交办单4件")
    assert [s["station"]["code"] for s in data["stations"]] == ["HL01"]


def test_csv_out_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    argv = ["export", "stats", "--db", str(db), "--month", "2026-09", "--format", "csv"]
    assert main([*argv, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_month(db: Path, capsys) -> None:
    assert main(["export", "stats", "--db", str(db), "--month", "2026-13"]) != 0
    assert "月份" in capsys.readouterr().err
