"""Signing in on the command line (issue 18 §3, docs/cli-sign-in.md): a command that
writes or prints unmasked asks who you are and your PIN, or takes them from
GRASSROOTS_USER and GRASSROOTS_PIN; the audit trail records who signed in, never a
name typed on the command line; a wrong PIN is a Chinese message, exit code 2, and
nothing of the command is done."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import SlipSource, StaffRole
from grassroots_tui.services import slips as S
from grassroots_tui.services.auth import SIGNIN_FAILED_NOTE
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import household, station
from tests.sign_in_helpers import add_member, sign_in_env

CAL = OfficialCalendar()
HEAD = "王站长#staff-head"


class _Terminal(io.StringIO):
    """A stdin that says it is a terminal, with the user's lines already typed."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("cli-sign-in") / "data" / "g.json"
    with Store.open(db, daily_backup=False) as store:
        store.save_many([station(), household()], actor="setup")
        draft = S.draft_slip(
            store.get("station", "station-hl01"),
            source=SlipSource.WALK_IN,
            category="物业纠纷",
            title="路灯不亮",
            description="路灯不亮，张桂兰反映，电话 13874561234",
            person_name="张桂兰",
            handling_unit="湘龙物业公司",
        )
        slip = S.save_draft(store, draft, "setup")
        number = S.issue(store, slip.id, on=dt.date(2026, 11, 2), actor="setup", calendar=CAL)
        add_member(store, "王站长", StaffRole.HEAD, "2468", staff_id="staff-head")
        add_member(store, "张三", StaffRole.WORKER, "1357", staff_id="staff-worker")
        add_member(store, "赵书记", StaffRole.LEADER, None, staff_id="staff-leader")
    assert number.number is not None
    return db, number.number


@pytest.fixture
def db(template: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    for name in ("GRASSROOTS_USER", "GRASSROOTS_PIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal unless a test says so
    folder = tmp_path / "data"
    shutil.copytree(template[0].parent, folder)
    return folder / template[0].name


@pytest.fixture
def number(template: tuple[Path, str]) -> str:
    return template[1]


def exports(db: Path) -> list[dict]:
    with Store.open(db, readonly=True) as store:
        return [e for e in store.raw("audit_entry") if e["action"] == "export"]


def reminders(db: Path) -> int:
    with Store.open(db, readonly=True) as store:
        return store.count("slip_reminder")


def print_unmasked(db: Path, number: str, *extra: str) -> list[str]:
    return ["slips", "print", number, "--db", str(db), "--unmasked", *extra]


def test_the_audit_trail_names_who_signed_in(db: Path, number: str, monkeypatch, capsys) -> None:
    sign_in_env(monkeypatch, "王站长", "2468")
    assert main(print_unmasked(db, number)) == 0
    assert "张桂兰" in capsys.readouterr().out
    (entry,) = exports(db)
    assert entry["actor"] == HEAD
    assert entry["note"].startswith("未遮蔽输出：") and "共 1 条记录" in entry["note"]


def test_actor_on_the_command_line_is_gone(db: Path, number: str, capsys) -> None:
    assert main(print_unmasked(db, number, "--actor", "雷东武")) == 2
    assert "无法识别的参数：--actor" in capsys.readouterr().err
    assert exports(db) == []


def test_a_wrong_pin_is_exit_2_and_nothing_is_done(
    db: Path, number: str, monkeypatch, capsys
) -> None:
    sign_in_env(monkeypatch, "王站长", "0000")
    assert main(print_unmasked(db, number)) == 2
    captured = capsys.readouterr()
    assert captured.err == "错误：PIN 不正确，还可以再试 4 次。未执行任何操作。\n"
    assert "张桂兰" not in captured.out and captured.out == ""
    assert exports(db) == []
    args = ["slips", "remind", number, "--db", str(db), "--record", "--by", "赵督导"]
    assert main(args) == 2
    assert "PIN 不正确，还可以再试 3 次" in capsys.readouterr().err
    assert reminders(db) == 0


def test_five_wrong_pins_lock_the_command_line_across_runs(
    db: Path, number: str, monkeypatch, capsys
) -> None:
    sign_in_env(monkeypatch, "王站长", "0000")
    for _ in range(5):
        assert main(print_unmasked(db, number)) == 2
    assert "已连续输错 5 次，请 1 分钟后再试" in capsys.readouterr().err
    sign_in_env(monkeypatch, "王站长", "2468")
    assert main(print_unmasked(db, number)) == 2
    assert "PIN 输错次数过多" in capsys.readouterr().err
    assert exports(db) == []
    with Store.open(db, readonly=True) as store:
        notes = [e["note"] for e in store.history("staff", "staff-head")]
    assert sum(n.startswith(SIGNIN_FAILED_NOTE) for n in notes if n) == 5


def test_without_a_terminal_or_environment_it_says_how_to_sign_in(
    db: Path, number: str, capsys
) -> None:
    assert main(print_unmasked(db, number)) == 2
    err = capsys.readouterr().err
    assert "须登录" in err and "--user" in err and "GRASSROOTS_USER" in err
    assert exports(db) == []
    # A member with a PIN, named but with no PIN given and no terminal to ask on.
    assert main(print_unmasked(db, number, "--user", "王站长")) == 2
    assert "GRASSROOTS_PIN" in capsys.readouterr().err


def test_at_a_terminal_it_asks_the_name_and_the_pin_unechoed(
    db: Path, number: str, monkeypatch, capsys
) -> None:
    asked: list[str] = []

    def getpass(prompt: str, stream=None) -> str:
        asked.append(prompt)
        return "2468"

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr(sys, "stdin", _Terminal("staff-head\n"))  # by staff id
    assert main(print_unmasked(db, number)) == 0
    captured = capsys.readouterr()
    assert "工作人员姓名或编号：" in captured.err  # prompts on stderr, the slip on stdout
    assert asked == ["王站长 的 PIN："]
    assert exports(db)[0]["actor"] == HEAD


def test_a_worker_may_not_print_unmasked(db: Path, number: str, monkeypatch, capsys) -> None:
    sign_in_env(monkeypatch, "张三", "1357")
    assert main(print_unmasked(db, number)) == 2
    assert capsys.readouterr().err == "错误：队员无权输出未遮蔽的个人信息。\n"
    assert exports(db) == []


def test_a_member_without_a_pin_writes_with_their_role_but_never_unmasked(
    db: Path, number: str, monkeypatch, capsys
) -> None:
    sign_in_env(monkeypatch, "赵书记", None)
    args = ["slips", "remind", number, "--db", str(db), "--on", "2026-11-26"]
    assert main([*args, "--record", "--by", "赵书记"]) == 0
    with Store.open(db, readonly=True) as store:
        (reminder,) = store.raw("slip_reminder")
    assert reminder["created_by"] == "赵书记#staff-leader"
    monkeypatch.setattr(
        "grassroots_tui.services.disclosure.unmasked_roles",
        lambda store, station_id: frozenset(StaffRole),
    )
    assert main(print_unmasked(db, number)) == 2
    assert "赵书记 没有设置 PIN" in capsys.readouterr().err
    assert exports(db) == []


def test_a_worker_may_not_import_a_ledger(db: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "户号,户主姓名,身份证号,联系电话,地址,网格,人口数,标签\nHL01-0009,刘芳,,,湘龙小区1栋,一网格,2,\n",
        encoding="utf-8",
    )
    sign_in_env(monkeypatch, "张三", "1357")
    argv = ["import", "households", str(ledger), "--station", "HL01", "--db", str(db), "--yes"]
    assert main(argv) == 2
    assert "队员无权导入住户台账" in capsys.readouterr().err
    with Store.open(db, readonly=True) as store:
        assert store.count("household") == 1


def test_an_unknown_or_ambiguous_name_is_refused(
    db: Path, number: str, monkeypatch, capsys
) -> None:
    sign_in_env(monkeypatch, "雷东武", "2468")
    assert main(print_unmasked(db, number)) == 2
    assert "没有叫“雷东武”的工作人员" in capsys.readouterr().err
    with Store.open(db, daily_backup=False) as store:
        add_member(store, "王站长", StaffRole.WORKER, "1111", staff_id="staff-other-wang")
    sign_in_env(monkeypatch, "王站长", "2468")
    assert main(print_unmasked(db, number)) == 2
    err = capsys.readouterr().err
    assert "有 2 位在岗工作人员叫“王站长”，请用编号登录" in err and "staff-head" in err
    sign_in_env(monkeypatch, "staff-head", "2468")
    assert main(print_unmasked(db, number)) == 0


def test_backup_to_another_place_needs_the_head_and_is_recorded_first(
    db: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    target = tmp_path / "usb" / "copy.json"
    assert main(["backup", "--db", str(db), "--to", str(target)]) == 2
    assert "须登录" in capsys.readouterr().err
    sign_in_env(monkeypatch, "张三", "1357")
    assert main(["backup", "--db", str(db), "--to", str(target)]) == 2
    assert capsys.readouterr().err == "错误：队员无权输出未遮蔽的个人信息。\n"
    assert not target.exists() and not target.parent.exists()
    assert exports(db) == []
    sign_in_env(monkeypatch, "王站长", "2468")
    assert main(["backup", "--db", str(db), "--to", str(target)]) == 0
    assert "已备份到" in capsys.readouterr().out
    (entry,) = exports(db)
    assert entry["actor"] == HEAD and "备份整个数据" in entry["note"]
    assert str(target.resolve()) in entry["note"]
    # A backup beside the store is no disclosure: nobody signs in, nothing recorded.
    for name in ("GRASSROOTS_USER", "GRASSROOTS_PIN"):
        monkeypatch.delenv(name)
    assert main(["backup", "--db", str(db)]) == 0
    assert len(exports(db)) == 1


def test_a_store_held_by_the_program_cannot_sign_in(
    db: Path, number: str, monkeypatch, capsys
) -> None:
    sign_in_env(monkeypatch, "王站长", "2468")
    with Store.open(db, daily_backup=False):
        assert main(["backup", "--db", str(db), "--to", str(db.parent / "x.json")]) == 2
        assert "不能登录" in capsys.readouterr().err
