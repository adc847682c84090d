"""`grassroots template KIND` and `grassroots import KIND FILE` (issue #21): the template's
headers, sample row, dropdowns and explanation sheet; a filled template round-trips."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import Staff
from grassroots_tui.services.ledger_kinds import KINDS
from grassroots_tui.services.ledger_template import GUIDE_SHEET, LEDGER_SHEET, template_bytes
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station
from tests.sign_in_helpers import add_member, sign_in_env


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A station with two households, a worker 李明 and its head 陈站长, signed in."""
    path = tmp_path / "data" / "grassroots.json"
    with Store.open(path) as store:
        store.save(station(), actor="测试")
        store.save(household("0101"), actor="测试")
        store.save(household("0102", head_of_household="李建国"), actor="测试")
        store.save(Staff(id="staff-li", station_id=STATION_ID, name="李明"), actor="测试")
        add_member(store, "陈站长", staff_id="staff-head")
    sign_in_env(monkeypatch, "陈站长")
    return path


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_template_has_headers_a_sample_row_dropdowns_and_a_guide(name: str) -> None:
    kind = KINDS[name]
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(kind.columns)))
    assert book.sheetnames[:2] == [LEDGER_SHEET, GUIDE_SHEET]
    sheet = book[LEDGER_SHEET]
    titles = [c.title for c in kind.columns.columns]
    assert [cell.value for cell in sheet[1]] == titles
    examples = [c.example or None for c in kind.columns.columns]
    assert [cell.value for cell in sheet[2]] == examples and any(examples)
    # a dropdown on every column with choices, listing exactly them
    listed: dict[str, list[str]] = {}
    options = book["选项"]
    assert options.sheet_state == "hidden"
    for rule in sheet.data_validations.dataValidation:
        column = sheet[str(rule.sqref).split(":")[0]].column
        letter = (
            rule.formula1.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")
        )
        values = [c.value for c in options[letter][1:] if c.value is not None]
        listed[titles[column - 1]] = values
    wanted = {c.title: list(c.choices) for c in kind.columns.columns if c.choices}
    assert listed == wanted
    assert wanted or name == "media"  # a media report has no column with choices
    guide = book[GUIDE_SHEET]
    described = {row[0].value: row for row in guide.iter_rows(min_row=2) if row[0].value in titles}
    assert set(described) == set(titles)
    for column in kind.columns.columns:
        row = described[column.title]
        assert row[1].value == ("必填" if column.required else None)


def test_the_cli_writes_a_template_and_refuses_to_overwrite_it(tmp_path, capsys) -> None:
    out = tmp_path / "走访模板.xlsx"
    assert main(["template", "visits", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == LEDGER_SHEET
    before = out.read_bytes()
    assert main(["template", "visits", "--out", str(out)]) == 2
    assert "已存在" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["template", "households", "--out", str(tmp_path / "住户.xlsx")]) == 0


def filled(tmp_path: Path, name: str, rows: list[dict[str, str]]) -> Path:
    """The template of ``name`` with its sample row replaced by ``rows`` (title → cell)."""
    out = tmp_path / f"{name}.xlsx"
    assert main(["template", name, "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    sheet = book[LEDGER_SHEET]
    titles = [cell.value for cell in sheet[1]]
    for offset, values in enumerate(rows):
        for index, title in enumerate(titles, start=1):
            sheet.cell(row=2 + offset, column=index).value = values.get(title)  # None clears
    book.save(out)
    return out


def test_a_filled_visit_template_round_trips_through_the_cli(tmp_path, db, capsys) -> None:
    path = filled(
        tmp_path,
        "visits",
        [
            {
                "户号": "0101",
                "走访日期": "2026-03-05",
                "开始时间": "09:30",
                "走访人员": "李明",
                "问声好": "问好",
                "问题类别": "环境卫生",
                "问题描述": "楼道堆物",
                "问题状态": "待办",
            },
            {
                "户号": "0101",
                "走访日期": "2026-03-05",
                "开始时间": "09:30",
                "问题类别": "其他",
                "问题描述": "路灯坏",
                "问题状态": "后续解决",
                "解决日期": "2026-03-09",
            },
            {
                "户号": "0102",
                "走访日期": "2026-03-06",
                "开始时间": "19:00",
                "走访方式": "夜访",
                "走访人员": "李明",
            },
        ],
    )
    args = [
        "import",
        "visits",
        str(path),
        "--station",
        "HL01",
        "--db",
        str(db),
        "--yes",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "将新增 2 条走访记录，更新 0 条，拒绝 0 行" in out and "已新增 2 条走访记录" in out
    with Store.open(db, readonly=True) as store:
        visits = sorted(store.raw("visit"), key=lambda v: v["date"])
    assert [len(v["problems"]) for v in visits] == [2, 0]
    assert {v["created_by"] for v in visits} == {"陈站长#staff-head"}  # who signed in
    assert visits[0]["problems"][1]["solved_on"] == "2026-03-09"
    assert visits[0]["greeting"] == "问好"  # the sample row's cells cleared, not kept
    assert visits[1]["visit_kind"] == "night"
    assert main(args) == 0  # again: nothing added
    again = capsys.readouterr().out
    assert "将新增 0 条走访记录" in again and "2 条已导入过且内容相同" in again
    assert "没有需要写入的修改" in again
    with Store.open(db, readonly=True) as store:
        assert len(store.raw("visit")) == 2


def test_a_filled_slip_template_round_trips(tmp_path, db, capsys) -> None:
    path = filled(
        tmp_path,
        "slips",
        [
            {
                "交办单编号": "湘龙群交〔2026〕第0001号",
                "类别": "环境卫生",
                "事项": "堆物",
                "情况描述": "楼道堆物",
                "承办单位": "物业办",
                "经办人": "王强",
                "交办日期": "2026-03-02",
                "回复日期": "2026-03-10",
                "办理结果": "已清理",
                "回访日期": "2026-03-12",
                "满意度": "满意",
                "状态": "已办结",
            },
        ],
    )
    args = ["import", "slips", str(path), "--station", "HL01", "--db", str(db), "--yes"]
    assert main(args) == 0
    with Store.open(db, readonly=True) as store:
        assert [i["number"] for i in store.raw("slip_issue")] == ["湘龙群交〔2026〕第0001号"]
        assert len(store.raw("reply")) == len(store.raw("slip_callback")) == 1


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_untouched_template_imports_its_sample_row(name, tmp_path, db, capsys) -> None:
    """The sample row is a consistent record: with household 0101 and staff 李明 it
    imports as exactly one record; importing it again adds nothing."""
    path = tmp_path / "样例.xlsx"
    assert main(["template", name, "--out", str(path)]) == 0
    args = ["import", name, str(path), "--station", "HL01", "--db", str(db), "--yes"]
    assert main(args) == 0, capsys.readouterr().err
    assert f"已新增 1 {KINDS[name].unit}" in capsys.readouterr().out
    assert main(args) == 0
    assert "1 条已导入过且内容相同" in capsys.readouterr().out


def test_a_sample_row_naming_an_unknown_household_changes_nothing(tmp_path, capsys) -> None:
    db = tmp_path / "data" / "empty.json"
    with Store.open(db) as store:
        store.save(station(), actor="测试")
        store.save(Staff(id="staff-li", station_id=STATION_ID, name="李明"), actor="测试")
    path = tmp_path / "样例.xlsx"
    assert main(["template", "hardship", "--out", str(path)]) == 0
    before = db.read_bytes()
    assert (
        main(["import", "hardship", str(path), "--station", "HL01", "--db", str(db), "--yes"]) == 2
    )
    captured = capsys.readouterr()
    assert "第 2 行  「户号」  本站没有户号为「0101」的住户" in captured.out
    assert "本次没有导入任何数据" in captured.err
    assert db.read_bytes() == before


def test_the_command_line_signs_in_and_a_worker_may_not_import(
    tmp_path, db, monkeypatch, capsys
) -> None:
    path = tmp_path / "样例.xlsx"
    assert main(["template", "media", "--out", str(path)]) == 0
    args = ["import", "media", str(path), "--station", "HL01", "--db", str(db), "--yes"]
    monkeypatch.delenv("GRASSROOTS_USER")
    before = Path(db).read_bytes()
    assert main(args) == 2
    assert "这一操作须登录" in capsys.readouterr().err
    assert main([*args, "--user", "李明"]) == 2
    assert "队员无权导入" in capsys.readouterr().err
    assert Path(db).read_bytes() == before


def test_an_unknown_kind_is_a_chinese_refusal(capsys) -> None:
    assert main(["import", "ledgers", "x.csv", "--station", "HL01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "visits" in err and "slips" in err
