"""`grassroots slips overdue | print | remind`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import SlipSource
from grassroots_tui.services import slips as S
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import household, station
from tests.sign_in_helpers import actor_of, add_member, sign_in_env

CAL = OfficialCalendar()


def _issue(store: Store, station_id: str, on: str, title: str, **fields) -> str:
    draft = S.draft_slip(
        store.get("station", station_id),
        source=SlipSource.WALK_IN,
        category=fields.pop("category", "物业纠纷"),
        title=title,
        description=f"{title}，张桂兰反映，电话 13874561234",
        handling_unit=fields.pop("unit", "湘龙物业公司"),
        **fields,
    )
    slip = S.save_draft(store, draft, "setup")
    return S.issue(store, slip.id, on=dt.date.fromisoformat(on), actor="setup", calendar=CAL).number


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "g.json"
    with Store.open(path, daily_backup=False) as store:
        home = household()
        hl02 = station("HL02", slip_number_format="高沙群交〔{year}〕{seq:03d}号")
        store.save_many([station(), hl02, home], actor="setup")
        _issue(store, "station-hl01", "2026-10-20", "路灯不亮", person_name="张桂兰")  # due 11-04
        _issue(store, "station-hl02", "2026-11-11", "垃圾清运", unit="街道环卫所")  # due 11-26
        _issue(store, "station-hl01", "2026-11-20", "井盖缺失")  # due 12-07
    return path


def test_overdue_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slips", "overdue", "--db", str(db), "--on", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == (
        "2026-11-26 超期督办看板：超期 1（通报 1） · 今日到期 1 · 预警 0 · 到期日暂定 0"
    )
    assert lines[1].split() == ["编号", "站点", "事项", "承办单位", "包案领导", "应办结", "状态"]
    assert "湘龙群交〔2026〕第0001号" in lines[3] and "超期22天·通报" in lines[3]
    assert "2026-11-04" in lines[3] and "HL01" in lines[3]
    assert "今日到期" in lines[4] and "街道环卫所" in lines[4] and "HL02" in lines[4]
    assert "井盖缺失" not in out


def test_overdue_json_keys_and_station_filter(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["slips", "overdue", "--db", str(db), "--on", "2026-11-26", "--json"]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2
    assert {
        "number",
        "station",
        "unit",
        "lead_official",
        "due_date",
        "provisional",
        "days_overdue",
        "state",
    } <= set(rows[0])
    assert rows[0]["days_overdue"] == 22 and rows[0]["due_date"] == "2026-11-04"
    assert main([*argv, "--station", "hl02"]) == 0
    (only,) = json.loads(capsys.readouterr().out)
    assert only["station"] == "HL02" and only["unit"] == "街道环卫所"
    assert main([*argv, "--unit", "物业"]) == 0
    assert [r["station"] for r in json.loads(capsys.readouterr().out)] == ["HL01"]


def test_overdue_on_another_day(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slips", "overdue", "--db", str(db), "--on", "2026-10-25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["slips", "overdue", "--db", str(db), "--on", "2026-12-08", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["days_overdue"] for r in rows] == [34, 12, 1]
    assert main(["slips", "overdue", "--db", str(db), "--on", "2026-10-25"]) == 0
    assert "没有超期、今日到期或预警的交办单" in capsys.readouterr().out


def test_overdue_errors(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slips", "overdue", "--db", str(db), "--on", "11/26"]) == 2
    assert "日期“11/26”无效" in capsys.readouterr().err
    assert main(["slips", "overdue", "--db", str(db), "--station", "ZZ9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "ZZ9" in err and "HL01" in err
    missing = db.parent / "none" / "g.json"
    assert main(["slips", "overdue", "--db", str(missing)]) == 2
    assert "找不到数据文件" in capsys.readouterr().err


def test_print_to_a_file_masked(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "printed" / "slip.txt"
    number = "湘龙群交〔2026〕第0001号"
    assert main(["slips", "print", number, "--db", str(db), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "交 办 单" in text and number in text and "张**" in text
    assert "张桂兰" not in text and "13874561234" not in text
    assert capsys.readouterr().out == ""
    assert main(["slips", "print", "2026-0001", "--station", "HL01", "--db", str(db)]) == 0
    assert number in capsys.readouterr().out


def test_print_unmasked_html_is_recorded(tmp_path: Path, capsys, monkeypatch) -> None:
    db = tmp_path / "g.json"
    with Store.open(db, daily_backup=False) as store:
        store.save_many([station(), household()], actor="setup")
        number = _issue(store, "station-hl01", "2026-11-02", "路灯不亮", person_name="张桂兰")
        head = add_member(store, "王站长")
    out = tmp_path / "slip.html"
    argv = ["slips", "print", number, "--db", str(db), "--html", "--unmasked", "--out", str(out)]
    sign_in_env(monkeypatch, "王站长")
    assert main(argv) == 0
    assert capsys.readouterr().err == f"已写入：{out}\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "张桂兰" in page
    with Store.open(db, readonly=True) as store:
        slip = S.find_slip(store, number)
        (entry,) = [e for e in store.history("handoff_slip", slip.id) if e["action"] == "export"]
    assert entry["actor"] == actor_of(head) and str(out.resolve()) in entry["note"]

    holder = Store.open(db, daily_backup=False)  # another writer holds the store
    try:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("错误：") and "审计记录" in err
    finally:
        holder.close()


def test_print_unknown_number(db: Path, capsys) -> None:
    assert main(["slips", "print", "2030-0001", "--db", str(db)]) == 2
    assert "找不到编号为“2030-0001”的交办单" in capsys.readouterr().err


def test_remind_prints_and_records(tmp_path: Path, capsys, monkeypatch) -> None:
    db = tmp_path / "g.json"
    with Store.open(db, daily_backup=False) as store:
        store.save_many([station(), household()], actor="setup")
        number = _issue(store, "station-hl01", "2026-11-02", "路灯不亮")
        head = add_member(store, "王站长")
    sign_in_env(monkeypatch, "王站长")
    argv = ["slips", "remind", number, "--db", str(db), "--on", "2026-11-26"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "催 办 通 知 书" in out and "湘龙物业公司：" in out and "已超期9天" in out
    assert main([*argv, "--record"]) == 2
    assert "--by" in capsys.readouterr().err
    target = tmp_path / "notice.html"
    assert main([*argv, "--record", "--by", "赵督导", "--html", "--out", str(target)]) == 0
    assert "<h1>催办通知书</h1>" in target.read_text(encoding="utf-8")
    with Store.open(db, readonly=True) as store:
        (reminder,) = store.raw("slip_reminder")
    assert reminder["by"] == "赵督导" and reminder["days_overdue"] == 9
    assert reminder["created_by"] == actor_of(head)  # who signed in, not the 催办人


def test_overdue_takes_the_warning_window_from_the_offices_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(db.parent, folder)
    argv = ["slips", "overdue", "--db", str(folder / db.name), "--on", "2026-12-01"]

    def warned(*flags: str) -> list[str]:
        assert main([*argv, "--json", *flags]) == 0
        rows = json.loads(capsys.readouterr().out)
        return [r["number"] for r in rows if r["clock"] == "warning"]

    assert warned() == []  # 井盖缺失 is due 12-07, in 6 days; the built-in window is 3
    (folder / "slip_rules.json").write_text('{"warn_days": 7}', encoding="utf-8")
    assert warned() == ["湘龙群交〔2026〕第0002号"]  # the office's 7 days, as on the screen
    assert main(argv) == 0  # the table too
    row = next(line for line in capsys.readouterr().out.splitlines() if "井盖缺失" in line)
    assert "预警·余6天" in row
    assert warned("--warn-days", "3") == []  # the flag still wins
    (folder / "slip_rules.json").write_text('{"warn_days": "七"}', encoding="utf-8")
    assert main(argv) == 2  # a faulty file is named, not silently replaced by 3
    err = capsys.readouterr().err
    assert "slip_rules.json" in err and "warn_days" in err
