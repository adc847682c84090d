"""An unexpected error leaves its traceback in errors.log in the store's folder (0600),
and the one line the user sees names that file; no traceback reaches the screen."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from grassroots_tui.store import error_log
from grassroots_tui.store.error_log import (
    LOG_NAME,
    log_folder_for,
    read_log,
    record_unexpected,
    unexpected_message,
)
from tests.tui_fixtures import build_store, make_app, open_store, sign_in

SECRET = "张桂兰 430121195803121234"


def _raise(message: str = "boom") -> None:
    raise ZeroDivisionError(message)


def _caught(message: str = "boom") -> ZeroDivisionError:
    try:
        _raise(message)
    except ZeroDivisionError as error:
        return error
    raise AssertionError("not raised")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_traceback_is_appended_to_errors_log_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)  # the file must be 0600 whatever the umask
    try:
        first = record_unexpected(_caught("first"), tmp_path, context="grassroots check")
        second = record_unexpected(_caught("second"), tmp_path)
    finally:
        os.umask(old)
    assert first == second == tmp_path / LOG_NAME
    assert _mode(first) == 0o600
    text = first.read_text(encoding="utf-8")
    assert text.count("Traceback (most recent call last):") == 2
    assert "where: grassroots check" in text
    assert "in _raise" in text and "ZeroDivisionError: first" in text
    assert text.index("first") < text.index("ZeroDivisionError: second")


def test_a_log_that_was_made_readable_by_others_is_narrowed_again(tmp_path: Path) -> None:
    log = tmp_path / LOG_NAME
    log.write_text("old\n", encoding="utf-8")
    log.chmod(0o644)
    record_unexpected(_caught(), tmp_path)
    assert _mode(log) == 0o600
    assert log.read_text(encoding="utf-8").startswith("old\n")


def test_the_log_is_kept_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(error_log, "MAX_BYTES", 2_000)
    for n in range(20):
        record_unexpected(_caught(f"error {n}"), tmp_path)
    log, older = tmp_path / LOG_NAME, tmp_path / (LOG_NAME + ".1")
    assert log.stat().st_size < 4_000 and older.stat().st_size < 4_000
    assert "error 19" in log.read_text(encoding="utf-8")
    assert _mode(older) == 0o600


def test_a_missing_folder_falls_back_to_the_default_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "user-data" / "grassroots-tui" / "grassroots.json"
    monkeypatch.setattr(error_log, "default_store_path", lambda: default)
    written = record_unexpected(_caught(), tmp_path / "no" / "such" / "folder")
    assert written == default.parent / LOG_NAME
    assert _mode(default.parent) == 0o700
    assert not (tmp_path / "no").exists()  # a mistyped --db folder is never made


def test_the_folder_of_a_store_is_its_main_files_folder(tmp_path: Path) -> None:
    assert log_folder_for(tmp_path / "x" / "s.json") == tmp_path / "x"
    assert log_folder_for(None) == error_log.default_store_path().parent


def test_the_message_names_the_file_and_holds_no_traceback(tmp_path: Path) -> None:
    message = unexpected_message(_caught(), tmp_path)
    assert str(tmp_path / LOG_NAME) in message
    assert message.startswith("错误：发生了意外错误（ZeroDivisionError：boom）。")
    assert "Traceback" not in message and "\n" not in message


def test_when_no_log_can_be_written_the_message_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(error_log, "default_store_path", lambda: blocker / "grassroots.json")
    message = unexpected_message(_caught(), tmp_path / "missing")
    assert "无法写入错误日志" in message and "ZeroDivisionError" in message


# --- the command line -----------------------------------------------------------------


def test_an_unexpected_error_in_an_import_is_logged_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.cli import import_commands, main

    def broken(*args: object) -> int:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(import_commands, "_run", broken)
    db = tmp_path / "data" / "grassroots.json"
    db.parent.mkdir()
    assert main(["import", "households", "ledger.csv", "--station", "HL01", "--db", str(db)]) == 2
    out, err = capfd.readouterr()
    log = db.parent / LOG_NAME
    assert "导入时发生意外错误（ZeroDivisionError：boom）。没有写入任何数据。" in err
    assert f"详细信息已写入 {log}" in err
    assert "Traceback" not in out + err
    text = log.read_text(encoding="utf-8")
    assert "where: grassroots import households" in text
    assert "Traceback (most recent call last):" in text and "in broken" in text
    assert _mode(log) == 0o600


def test_an_unexpected_error_in_a_command_is_logged_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.cli import calendar_commands, main

    def broken(args) -> int:
        raise ZeroDivisionError(SECRET)

    monkeypatch.setattr(calendar_commands, "run_calendar", broken)
    db = tmp_path / "data" / "grassroots.json"
    db.parent.mkdir()
    assert main(["calendar", "--db", str(db)]) == 2
    out, err = capfd.readouterr()
    log = db.parent / LOG_NAME
    assert f"详细信息已写入 {log}" in err
    assert "Traceback" not in out + err
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in text and "in broken" in text
    assert _mode(log) == 0o600


# --- the program ------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path):
    main_file = build_store(tmp_path / "data" / "grassroots.json")
    store = open_store(main_file)
    yield store
    store.close()


async def test_an_unexpected_error_in_a_worker_is_logged_and_the_notice_names_the_file(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(store)
    notices: list[str] = []
    log = store.paths.folder / LOG_NAME
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        monkeypatch.setattr(app, "notify", lambda message, **_: notices.append(message))
        app.in_thread(lambda: _raise(SECRET), name="broken")
        for _ in range(50):
            await pilot.pause(0.02)
            if notices:
                break
    assert len(notices) == 1
    assert notices[0].startswith("程序遇到意外错误（ZeroDivisionError），这次操作没有完成")
    assert f"详细信息已写入 {log}" in notices[0]
    assert "Traceback" not in notices[0] and SECRET not in notices[0]
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in text and SECRET in text
    assert _mode(log) == 0o600


async def test_an_error_no_handler_caught_closes_the_program_with_one_line_naming_the_log(
    store, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.tui.app import GrassrootsApp

    def broken_help(self) -> None:
        _raise(SECRET)

    monkeypatch.setattr(GrassrootsApp, "action_help", broken_help)
    app = make_app(store)
    log = store.paths.folder / LOG_NAME
    with pytest.raises(ZeroDivisionError):  # run_test hands the error on to the test
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("f1")
            await pilot.pause()
    assert app.return_code == 1
    out, err = capfd.readouterr()
    shown = out + err
    assert "程序遇到意外错误（ZeroDivisionError）而关闭" in shown
    assert f"详细信息已写入 {log}" in shown
    assert "Traceback" not in shown and SECRET not in shown and "broken_help" not in shown
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in text and "in broken_help" in text
    assert _mode(log) == 0o600


def test_beside_an_encrypted_store_the_trace_is_sealed_and_shown_once_unlocked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.cli import main
    from grassroots_tui.store import Store, keyring
    from grassroots_tui.store.encryption import encrypt
    from grassroots_tui.store.keyslots import KdfParams, Passphrase, unlock

    db = tmp_path / "data" / "grassroots.json"
    passphrase = Passphrase("错误日志 也要加密 2026")
    with Store.open(db, daily_backup=False) as store:
        encrypt(store, passphrase, kdf=KdfParams(memory_kib=64, passes=1))
        paths = store.paths
    secret = "张桂兰 430121195803121234"
    try:
        raise ValueError(f"bad input {secret}")
    except ValueError as error:
        path = record_unexpected(error, db.parent, context="grassroots import")
    keyring.forget()
    try:
        raise ValueError(f"before unlocking {secret}")
    except ValueError as error:
        record_unexpected(error, db.parent)
    raw = path.read_bytes()
    assert secret.encode() not in raw and b"430121195803121234" not in raw
    assert b"where: grassroots import" in raw and raw.count(b"sealed: ") == 1
    assert b"ValueError (the store is encrypted and was not unlocked" in raw
    assert "sealed: open the store" in read_log(db.parent)  # locked: not shown
    unlock(paths, passphrase)
    out = tmp_path / "for-maintainer.log"
    assert main(["errors", "--db", str(db), "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "共 2 条" in shown and "grassroots import  ValueError" in shown
    assert "Traceback" not in shown and secret not in shown  # never a traceback on screen
    written = out.read_text(encoding="utf-8")
    assert f"ValueError: bad input {secret}" in written and "before unlocking" not in written
    assert _mode(out) == 0o600


def test_beside_a_plain_store_the_log_is_shown_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from grassroots_tui.cli import main

    try:
        raise KeyError("plain trace")
    except KeyError as error:
        record_unexpected(error, tmp_path)
    assert main(["errors", "--db", str(tmp_path / "grassroots.json")]) == 0
    shown = capsys.readouterr().out
    assert "共 1 条" in shown and "KeyError" in shown and "Traceback" not in shown
