"""`grassroots hardship due | round list | round export`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.services import condolence as C
from grassroots_tui.services import hardship as H
from grassroots_tui.store import Store
from tests.factories import STATION_ID
from tests.sign_in_helpers import add_member, sign_in_env
from tests.test_hardship import open_store, opened

D = dt.date
TITLE = "2026年冬季送温暖"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-hardship") / "g.json"
    store = open_store(path)
    try:
        opened(store, "home-1", opened=D(2026, 9, 10))  # review due 10-10: 47 days late
        exited = opened(store, "home-2", opened=D(2026, 5, 1))
        H.exit_case(store, exited.id, on=D(2026, 5, 20), reason="就业", actor="站长")
        opened(store, "home-3", opened=D(2026, 11, 1))  # review due 12-01: in 5 days
        opened(store, "home-4", opened=D(2026, 10, 26))  # HL02, review due today
        found = C.start_round(
            store,
            title=TITLE,
            started_on=D(2026, 11, 20),
            station_id=STATION_ID,
            tier=None,
            actor="站长",
        )
        case_id = found.items[0].case_id
        C.mark_done(
            store, found.id, case_id, given="棉被", by="刘帮扶", on=D(2026, 11, 21), actor="x"
        )
        add_member(store, "王站长", staff_id="staff-wang")
    finally:
        store.close()
    return path


def test_due_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardship", "due", "--db", str(db), "--on", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "2026-11-26 困难帮扶待办：超期 2 · 14 天内到期 2"
    assert lines[1].split() == [
        "事项",
        "站点",
        "户号",
        "户主",
        "等级",
        "帮扶责任人",
        "应办日期",
        "状态",
    ]
    body = lines[3:]
    assert len(body) == 4
    assert body[0].split() == [
        "复核",
        "HL01",
        "HL01-0001",
        "张**",
        "深度困难",
        "刘帮扶",
        "2026-10-10",
        "超期47天",
    ]
    assert "脱困回访" in body[1] and "HL01-0002" in body[1] and "超期6天" in body[1]
    assert "HL02-0001" in body[2] and "今日到期" in body[2]
    assert "HL01-0003" in body[3] and "5天后到期" in body[3]
    assert "张桂兰" not in out and "李四" not in out and "王五" not in out


def test_due_json_keys_and_filters(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["hardship", "due", "--db", str(db), "--on", "2026-11-26", "--json"]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4
    assert {
        "case_id",
        "household_id",
        "household_no",
        "head_of_household",
        "station",
        "tier",
        "tier_label",
        "paired_cadre",
        "what",
        "what_label",
        "due",
        "days_overdue",
        "days_left",
        "state",
    } == set(rows[0])
    first = rows[0]
    assert (first["what"], first["due"], first["days_overdue"]) == ("review", "2026-10-10", 47)
    assert first["head_of_household"] == "张**" and first["paired_cadre"] == "刘帮扶"
    assert rows[1]["what"] == "callback" and rows[1]["due"] == "2026-11-20"
    assert "张桂兰" not in json.dumps(rows, ensure_ascii=False)
    assert main([*argv, "--station", "hl02"]) == 0
    (only,) = json.loads(capsys.readouterr().out)
    assert only["station"] == "HL02" and only["days_overdue"] == 0 and only["days_left"] == 0
    assert main([*argv, "--within", "0"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_due_errors(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardship", "due", "--db", str(db), "--station", "XX9"]) == 2
    assert "错误：没有站点代码为“XX9”的群工站" in capsys.readouterr().err
    assert main(["hardship", "due", "--db", str(db), "--on", "2026/11/26"]) == 2
    assert "错误：日期“2026/11/26”无效" in capsys.readouterr().err


def _exports(db: Path) -> int:
    with Store.open(db, readonly=True) as store:
        return sum(1 for e in store.raw("audit_entry") if e["action"] == "export")


def test_round_list_and_masked_export(db: Path, tmp_path: Path, capsys) -> None:
    exports = _exports(db)
    assert main(["hardship", "round", "list", "--db", str(db)]) == 0
    assert f"{TITLE}  已慰问 1/2 户（50.00%）" in capsys.readouterr().out
    out = tmp_path / "名单.csv"
    argv = ["hardship", "round", "export", TITLE, "--db", str(db), "--out", str(out)]
    assert main(argv) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("序号,户号,户主") and "张**" in text and "张桂兰" not in text
    assert main(["hardship", "round", "export", TITLE, "--db", str(db), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith(f"# {TITLE}") and "王*" in md and "王五" not in md
    assert _exports(db) == exports  # masked output is not recorded


def test_unmasked_export_is_recorded(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["hardship", "round", "export", TITLE, "--db", str(db), "--format", "md"]
    sign_in_env(monkeypatch, "王站长")
    assert main([*argv, "--unmasked"]) == 0
    assert "张桂兰" in capsys.readouterr().out
    with Store.open(db, readonly=True) as store:
        entry = [e for e in store.raw("audit_entry") if e["action"] == "export"][-1]
    assert entry["actor"] == "王站长#staff-wang" and entry["target_kind"] == "condolence_round"
    assert "共 2 条记录" in entry["note"]
    assert main(["hardship", "round", "export", "没有这个活动", "--db", str(db)]) == 2
    assert "错误：找不到名称为“没有这个活动”的送温暖活动" in capsys.readouterr().err
