"""The command line: --db before or after the command, errors without tracebacks."""

from __future__ import annotations

from pathlib import Path

from grassroots_tui.cli import main
from grassroots_tui.store import Store
from tests.factories import household
from tests.sign_in_helpers import add_member, sign_in_env


def _store_with_one(tmp_path: Path) -> Path:
    db = tmp_path / "s.json"
    with Store.open(db) as s:
        s.save(household(), actor="t")
    return db


def test_db_works_before_and_after_the_command(tmp_path: Path, capsys) -> None:
    db = _store_with_one(tmp_path)
    for argv in (["--db", str(db), "check"], ["check", "--db", str(db)]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "没有发现问题" in out and "共检查" in out


def test_check_exits_non_zero_and_names_the_document(tmp_path: Path, capsys) -> None:
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    db = _store_with_one(tmp_path)
    snap = read_snapshot(db)
    doc_id, doc = next(iter(snap.tables["household"].items()))
    doc["people"] = 0
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    assert main(["check", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert doc_id in out and "家庭人口" in out


def test_a_damaged_store_gives_a_chinese_message_and_exit_2(tmp_path: Path, capsys) -> None:
    db = _store_with_one(tmp_path)
    db.write_bytes(db.read_bytes()[:-3])
    assert main(["check", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "已损坏" in err and "Traceback" not in err


def test_backup_then_restore_round_trip(tmp_path: Path, capsys, monkeypatch) -> None:
    db = _store_with_one(tmp_path)
    with Store.open(db) as s:
        add_member(s, "李敏")  # a copy taken elsewhere needs the head signed in
    sign_in_env(monkeypatch, "李敏")
    target = tmp_path / "usb" / "b.json"
    assert main(["backup", "--db", str(db), "--to", str(target)]) == 0
    assert target.exists()
    with Store.open(db) as s:
        s.save(household("LATER"), actor="t")
    assert main(["restore", str(target), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "已用" in out and "另存在" in out
    with Store.open(db, readonly=True) as s:
        assert [d["household_no"] for d in s.raw("household")] == ["HL01-0001"]


def test_a_missing_store_is_an_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    assert main(["check", "--db", str(tmp_path / "nope.json")]) == 2
    assert "找不到数据文件" in capsys.readouterr().err


def test_an_unwritable_data_folder_is_a_message_not_a_traceback(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["demo", "--db", str(blocker / "g.json")]) == 2
    err = capsys.readouterr().err
    assert "文件操作失败" in err and "Traceback" not in err
