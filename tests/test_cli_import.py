"""`grassroots import households FILE --station CODE [--db PATH] [--yes]`."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import Household, Staff, StaffRole
from grassroots_tui.services.auth import hash_pin
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, id_number, station

HEADER = ["户号", "户主姓名", "身份证号", "联系电话", "地址", "网格", "人口数", "标签"]
ROWS = [
    [
        "HL01-0001",
        "张桂兰",
        id_number(seq="101"),
        "13874561234",
        "湘龙小区3栋301",
        "一网格",
        "3",
        "",
    ],
    [
        "HL01-0002",
        "李建国",
        id_number(seq="202"),
        "0731-84012345",
        "湘龙小区1栋102",
        "",
        "4",
        "低保",
    ],
]


class _Terminal(io.StringIO):
    """A stdin that says it is a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def store_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def households(db: Path) -> dict[str, Household]:
    with Store.open(db, readonly=True) as store:
        return {h.household_no: h for h in store.iter(Household)}


HEAD_ID = "staff-limin"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two stations and a head, 李敏 (PIN 2468), signed in through the environment."""
    path = tmp_path / "data" / "grassroots.json"
    pin_hash, pin_salt = hash_pin("2468")
    with Store.open(path) as store:
        store.save(station(), actor="测试")
        store.save(station("HL02"), actor="测试")
        head = Staff(
            id=HEAD_ID,
            station_id=STATION_ID,
            name="李敏",
            role=StaffRole.HEAD,
            pin_hash=pin_hash,
            pin_salt=pin_salt,
        )
        store.save(head, actor="测试")
    monkeypatch.setenv("GRASSROOTS_USER", "李敏")
    monkeypatch.setenv("GRASSROOTS_PIN", "2468")
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "住户台账.csv", [HEADER, *ROWS])


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def run(*args: str) -> int:
    return main(["import", "households", *args])


def test_with_yes_imports(db: Path, ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(ledger), "--station", "HL01", "--db", str(db), "--yes") == 0
    out = capsys.readouterr().out
    assert "将新增 2 户，更新 0 户，拒绝 0 行" in out
    assert "已新增 2 户，更新 0 户" in out
    stored = households(db)
    assert set(stored) == {"HL01-0001", "HL01-0002"}
    assert all(h.station_id == STATION_ID for h in stored.values())
    assert stored["HL01-0002"].tags == ["低保"]


def test_station_code_is_case_insensitive_and_actor_is_recorded(
    db: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GRASSROOTS_USER")
    assert run(str(ledger), "--station", "hl02", "--db", str(db), "-y", "--user", "李敏") == 0
    stored = households(db)
    assert {h.station_id for h in stored.values()} == {"station-hl02"}
    # The person who signed in, name and staff id, as on the screen.
    assert {h.created_by for h in stored.values()} == {f"李敏#{HEAD_ID}"}


def test_without_yes_on_a_pipe_nothing_is_written(
    db: Path, ledger: Path, no_tty: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_bytes(db.parent)
    assert run(str(ledger), "--station", "HL01", "--db", str(db)) == 1
    captured = capsys.readouterr()
    assert "将新增 2 户" in captured.out
    assert "未写入任何数据" in captured.err and "--yes" in captured.err
    assert store_bytes(db.parent) == before
    assert households(db) == {}


def test_at_a_terminal_it_asks(
    db: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    before = store_bytes(db.parent)
    assert run(str(ledger), "--station", "HL01", "--db", str(db)) == 1
    out = capsys.readouterr().out
    assert "确认导入？[y/N]" in out and "已取消" in out
    assert store_bytes(db.parent) == before

    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    assert run(str(ledger), "--station", "HL01", "--db", str(db)) == 0
    assert "已新增 2 户" in capsys.readouterr().out
    assert len(households(db)) == 2


def test_updates_list_the_changed_fields(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db) as store:
        store.save(
            household(
                "HL01-0001",
                id_number=ROWS[0][2],
                address=ROWS[0][4],
                phone="13900001111",
                people=2,
                tags=["独居老人"],
            ),
            actor="a",
        )
    path = write_csv(tmp_path / "更新.csv", [HEADER, ROWS[0]])
    assert run(str(path), "--station", "HL01", "--db", str(db), "--yes") == 0
    out = capsys.readouterr().out
    assert "将新增 0 户，更新 1 户，拒绝 0 行" in out
    assert "更新 HL01-0001：联系电话、人口数" in out
    assert "13874561234" not in out  # the preview names fields, not personal values
    stored = households(db)["HL01-0001"]
    assert stored.phone == "13874561234" and stored.people == 3 and stored.rev == 2
    assert stored.tags == ["独居老人"]  # a blank cell erases nothing


def test_unknown_station_names_the_codes_that_exist(
    db: Path, ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_bytes(db.parent)
    assert run(str(ledger), "--station", "XX99", "--db", str(db), "--yes") == 2
    captured = capsys.readouterr()
    assert "XX99" in captured.err and "HL01、HL02" in captured.err
    assert "Traceback" not in captured.err
    assert store_bytes(db.parent) == before


def test_rejected_rows_are_listed_and_nothing_is_written(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = list(ROWS[1])
    bad[2] = bad[2][:-1] + ("0" if bad[2][-1] != "0" else "1")
    path = write_csv(
        tmp_path / "有错.csv", [HEADER, ROWS[0], bad, ["HL01-0001", "王五", "", "", "某处"]]
    )
    before = store_bytes(db.parent)
    assert run(str(path), "--station", "HL01", "--db", str(db), "--yes") == 2
    captured = capsys.readouterr()
    assert "将新增 1 户，更新 0 户，拒绝 2 行" in captured.out
    assert "第 3 行  「身份证号」  校验码错误，应为" in captured.out
    assert "第 4 行  「户号」  与第 2 行户号重复" in captured.out
    assert "有 2 行被拒绝" in captured.err and "--allow-rejected" in captured.err
    assert store_bytes(db.parent) == before

    assert run(str(path), "--station", "HL01", "--db", str(db), "--yes", "--allow-rejected") == 0
    assert set(households(db)) == {"HL01-0001"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "空文件"),
        (bytes(range(256)) * 8, "不是"),
        ("今天走访了五户居民，情况良好。\n".encode(), "缺少必需的列"),
        ("户号,地址\nHL01-0001,某处\n".encode(), "「户主姓名」"),
    ],
    ids=["empty", "binary", "prose", "missing-header"],
)
def test_a_bad_file_is_a_chinese_error_and_changes_nothing(
    db: Path, tmp_path: Path, content: bytes, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "台账.csv"
    path.write_bytes(content)
    before = store_bytes(db.parent)
    assert run(str(path), "--station", "HL01", "--db", str(db), "--yes") == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("错误：") and expected in captured.err
    assert "台账.csv" in captured.err
    assert "Traceback" not in captured.err
    assert store_bytes(db.parent) == before


def test_a_missing_store_is_not_created(
    tmp_path: Path, ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nowhere" / "grassroots.json"
    assert run(str(ledger), "--station", "HL01", "--db", str(db), "--yes") == 2
    assert "找不到数据文件" in capsys.readouterr().err
    assert not db.exists()


def test_nothing_to_change(db: Path, ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(ledger), "--station", "HL01", "--db", str(db), "--yes") == 0
    capsys.readouterr()
    before = store_bytes(db.parent)
    assert run(str(ledger), "--station", "HL01", "--db", str(db), "--yes") == 0
    out = capsys.readouterr().out
    assert "2 户与现有数据相同" in out and "没有需要写入的修改" in out
    assert store_bytes(db.parent) == before


def test_a_store_held_by_another_writer_is_refused(
    db: Path, ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db) as holder:
        before = holder.count(Household)
        assert run(str(ledger), "--station", "HL01", "--db", str(db), "--yes") == 2
        err = capsys.readouterr().err
        assert err.startswith("错误：") and "Traceback" not in err
        assert holder.count(Household) == before
    assert households(db) == {}


def test_an_unexpected_failure_is_still_a_chinese_message(
    db: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.cli import import_commands

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(import_commands, "apply_import", broken)
    before = store_bytes(db.parent)
    assert run(str(ledger), "--station", "HL01", "--db", str(db), "--yes") == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "没有写入任何数据" in err
    after = store_bytes(db.parent)
    # The traceback goes to the error log beside the store, which the message names.
    assert "RuntimeError: boom" in after.pop("errors.log").decode()
    assert f"详细信息已写入 {db.parent / 'errors.log'}" in err
    assert after == before


def test_a_long_ledger_shows_its_progress_on_a_terminal_only(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [[f"HL01-{n:05d}", "张三", "", "", "湘龙村", "", "", ""] for n in range(1_200)]
    long_ledger = write_csv(tmp_path / "长台账.csv", [HEADER, *rows])
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run(str(long_ledger), "--station", "HL01", "--db", str(db), "--yes") == 0
    shown = terminal.getvalue()
    # Lines counted as they are read (the header is line 1), the last the whole file, ended
    # by a newline.
    assert shown.startswith("\r读取台账：第 100 行")
    assert shown.endswith("\r读取台账：第 1,201 行，共 1,201 行\n")
    assert len(households(db)) == 1_200
    # Not a terminal (a script's log): no progress lines at all.
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    second = write_csv(tmp_path / "第二份.csv", [HEADER, *rows[:300]])
    assert run(str(second), "--station", "HL01", "--db", str(db), "--yes") == 0
    assert "读取台账" not in sys.stderr.getvalue()
