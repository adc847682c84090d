"""``grassroots key …`` and unlocking from the command line: the prompt, the environment
for scripts, and what a wrong or missing passphrase says."""

from __future__ import annotations

import getpass
import io
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.demo.writing import write_demo_store
from grassroots_tui.store import StorePaths, keyring
from grassroots_tui.store.files import read_header
from grassroots_tui.store.keyslots import KeySlots

PASSPHRASE = "门前的老槐树 1998 年开花"
RECOVERY = re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{4}){12}\b")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.forget()
    for name in ("GRASSROOTS_PASSPHRASE", "GRASSROOTS_KEY_FILE", "GRASSROOTS_NEW_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)


def typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """The terminal's answers to getpass, in order; the prompts asked are returned."""
    asked: list[str] = []
    queue = list(answers)

    def ask(prompt: str = "") -> str:
        asked.append(prompt)
        return queue.pop(0)

    monkeypatch.setattr(getpass, "getpass", ask)
    monkeypatch.setattr(sys, "stdin", Terminal())
    return asked


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "grassroots.json"
    write_demo_store(path, date(2026, 11, 26))
    return path


def encrypted(db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """Encrypt ``db`` as a script would; the recovery key printed."""
    monkeypatch.setenv("GRASSROOTS_NEW_PASSPHRASE", PASSPHRASE)
    assert main(["key", "encrypt", "--db", str(db), "--kdf-seconds", "0.01"]) == 0
    monkeypatch.delenv("GRASSROOTS_NEW_PASSPHRASE")
    out = capsys.readouterr().out
    found = RECOVERY.findall(out)
    assert len(found) == 1, out
    keyring.forget()
    return found[0]


def test_key_encrypt_seals_the_store_and_prints_the_recovery_key_once(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recovery = encrypted(db, monkeypatch, capsys)
    assert "sealed" in (read_header(db) or {})
    slots = KeySlots.read(StorePaths.for_main(db).keys)
    assert slots is not None and sorted(slots.kinds()) == ["passphrase", "recovery"]
    # No terminal, no environment: the command says what is needed, exit code 2.
    assert main(["check", "--db", str(db)]) == 2
    assert "需要站点口令" in capsys.readouterr().err
    # The recovery key typed at the prompt opens it.
    asked = typed(monkeypatch, recovery)
    assert main(["check", "--db", str(db)]) == 0
    assert asked == ["站点口令（或恢复密钥）："]
    assert recovery not in capsys.readouterr().out  # shown once, at encryption only


def test_three_wrong_passphrases_open_nothing(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    encrypted(db, monkeypatch, capsys)
    asked = typed(monkeypatch, "wrong one 1", "wrong one 2", "wrong one 3")
    assert main(["check", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert len(asked) == 3 and err.count("站点口令不对") == 3
    assert "没有输入正确的站点口令" in err


def test_scripts_unlock_from_the_environment(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    encrypted(db, monkeypatch, capsys)
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", "a passphrase that is wrong")
    assert main(["check", "--db", str(db)]) == 2
    assert "来自环境变量" in capsys.readouterr().err
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", PASSPHRASE)
    assert main(["check", "--db", str(db)]) == 0
    key = db.parent.parent / "station.key"
    assert main(["key", "keyfile", str(key), "--db", str(db)]) == 0
    assert main(["key", "keyfile", str(key), "--db", str(db)]) == 2  # never overwritten
    capsys.readouterr()
    keyring.forget()
    monkeypatch.delenv("GRASSROOTS_PASSPHRASE")
    monkeypatch.setenv("GRASSROOTS_KEY_FILE", str(key))
    assert main(["key", "status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "AES-256-GCM" in out and "站点口令" in out and "恢复密钥" in out and "密钥文件" in out


def test_changing_the_passphrase_from_a_script(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    encrypted(db, monkeypatch, capsys)
    new = "换成 另一句 口令 river 42"
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("GRASSROOTS_NEW_PASSPHRASE", new)
    assert main(["key", "passphrase", "--db", str(db), "--kdf-seconds", "0.01"]) == 0
    assert "不需要重新加密" in capsys.readouterr().out
    keyring.forget()
    monkeypatch.delenv("GRASSROOTS_NEW_PASSPHRASE")
    assert main(["check", "--db", str(db)]) == 2  # the old passphrase no longer opens it
    capsys.readouterr()
    keyring.forget()
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", new)
    assert main(["check", "--db", str(db)]) == 0


def test_a_weak_new_passphrase_encrypts_nothing(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRASSROOTS_NEW_PASSPHRASE", "123456789012")
    before = db.read_bytes()
    assert main(["key", "encrypt", "--db", str(db)]) == 2
    assert "只有数字" in capsys.readouterr().err
    assert db.read_bytes() == before and not StorePaths.for_main(db).keys.exists()


def test_typing_a_new_passphrase_twice_at_the_terminal(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed(monkeypatch, PASSPHRASE, PASSPHRASE + "x")
    assert main(["key", "encrypt", "--db", str(db), "--kdf-seconds", "0.01"]) == 2
    assert "两次输入的不一样" in capsys.readouterr().err
    asked = typed(monkeypatch, PASSPHRASE, PASSPHRASE)
    assert (
        main(["key", "encrypt", "--db", str(db), "--kdf-seconds", "0.01", "--cipher", "sm4-gcm"])
        == 0
    )
    assert asked == ["新的站点口令：", "再输入一次："]
    assert (read_header(db) or {})["sealed"]["cipher"] == "sm4-gcm"
    assert "SM4-GCM" in capsys.readouterr().out


def test_a_backup_elsewhere_is_sealed_unless_asked_plain(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.models import StaffRole
    from grassroots_tui.store import Store
    from tests.sign_in_helpers import add_member, sign_in_env

    with Store.open(db, daily_backup=False) as store:
        station_id = next(iter(store.tables["station"]))
        add_member(store, "王站长", StaffRole.HEAD, "2468", station_id=station_id)
        some_id = next(iter(store.tables["household"].values()))["id_number"]
    encrypted(db, monkeypatch, capsys)
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", PASSPHRASE)
    sign_in_env(monkeypatch, "王站长", "2468")
    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["backup", "--db", str(db), "--to", str(usb / "sealed.json")]) == 0
    assert "备份已加密" in capsys.readouterr().out
    sealed = (usb / "sealed.json").read_bytes()
    assert "sealed" in (read_header(usb / "sealed.json") or {})
    assert some_id.encode() not in sealed and (usb / "sealed.json.keys").exists()
    assert main(["backup", "--db", str(db), "--to", str(usb / "plain.json"), "--plain"]) == 0
    capsys.readouterr()
    assert some_id.encode() in (usb / "plain.json").read_bytes()
    assert not (usb / "plain.json.keys").exists()
    with Store.open(db, readonly=True) as store:
        notes = [
            e["note"]
            for e in store.tables["audit_entry"].values()
            if "备份整个数据" in str(e.get("note"))
        ]
    assert any("已加密" in n for n in notes) and any("未加密" in n for n in notes)


def test_commands_that_open_no_store_ask_for_no_passphrase(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    encrypted(db, monkeypatch, capsys)
    asked = typed(monkeypatch)  # any prompt would pop from an empty queue and fail
    assert main(["template", "visits", "--db", str(db), "--out", str(tmp_path / "t.xlsx")]) == 0
    assert main(["deadline", "2026-11-26", "--db", str(db)]) == 0
    assert main(["completion", "bash"]) == 0
    assert asked == []
    capsys.readouterr()


def test_a_new_recovery_key_replaces_the_old_one_and_slots_are_removed_by_number(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.store.keyslots import RecoveryKey

    old = encrypted(db, monkeypatch, capsys)
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", PASSPHRASE)
    assert main(["key", "recovery", "--replace", "--db", str(db)]) == 0
    [new] = RECOVERY.findall(capsys.readouterr().out)
    slots = KeySlots.read(StorePaths.for_main(db).keys)
    assert slots is not None and sorted(slots.kinds()) == ["passphrase", "recovery"]
    assert slots.unlocks_with(RecoveryKey(new)) and not slots.unlocks_with(RecoveryKey(old))
    number = slots.unlocks_with(RecoveryKey(new))
    passphrase_slot = next(s["id"] for s in slots.slots if s["kind"] == "passphrase")
    assert main(["key", "remove", str(passphrase_slot), "--db", str(db)]) == 2
    assert "最后一个" in capsys.readouterr().err
    assert main(["key", "remove", str(number), "--db", str(db)]) == 0
    assert f"钥匙槽 {number} 已删除" in capsys.readouterr().out
    after = KeySlots.read(StorePaths.for_main(db).keys)
    assert after is not None and after.kinds() == ["passphrase"]
