"""The sign-in screen comes first and the store opens behind it (issue #19).

The program shows the sign-in screen, listing the people kept from the last start
(tui/signin_list.py), while it opens the store in a thread; whoever signs in meanwhile
is signed in once it is open, checked against the store. These tests hold the opening
back with an event, so that the order is certain (no test here times anything). Also:
an error while opening is one clear message on the screen and in the log, never a
traceback; type-to-find; the cursor on the person who signed in last; and the modules
the first screen does not need are not imported before it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList, Static

from grassroots_tui.i18n import zh
from grassroots_tui.models.errors import BAD_DATE, REQUIRED
from grassroots_tui.store import Store, StoreDamaged
from grassroots_tui.store.settings import load_settings
from grassroots_tui.tui.launch import make_app
from grassroots_tui.tui.screens.signin import SignInScreen
from grassroots_tui.tui.signin_list import (
    keep,
    kept_path,
    people_of,
    read_first_tables,
    read_kept,
)
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    HEAD_ID,
    HEAD_NAME,
    HEAD_PIN,
    RETIRED_ID,
    WORKER_ID,
    WORKER_NAME,
    build_store,
    db_fixture,
    fixed_clock,
    isolate_environment,
    make_settings,
    screen_text,
    settle,
    template_fixture,
)

SIZE = (80, 24)
ROOT = Path(__file__).resolve().parent.parent


def _keep_list(db: Path) -> None:
    """The sign-in list a previous start kept beside the store."""
    store = Store.open(db, clock=fixed_clock, daily_backup=False)
    try:
        assert keep(store, people_of(store))
    finally:
        store.close()


class HeldOpener:
    """Opens the store only once :meth:`release` is called (or raises ``error``)."""

    def __init__(self, db: Path, error: BaseException | None = None) -> None:
        self.db = db
        self.error = error
        self.go = threading.Event()
        self.started = threading.Event()

    def __call__(self) -> Store:
        self.started.set()
        assert self.go.wait(30), "the test never let the store open"
        if self.error is not None:
            raise self.error
        return Store.open(self.db, clock=fixed_clock, daily_backup=False)

    def release(self) -> None:
        self.go.set()


def _app(db: Path, opener: HeldOpener, **settings):
    app = make_app(db, make_settings(**settings), opener=opener, clock=fixed_clock)
    app.animation_level = "none"
    return app


async def _until(pilot, ready, tries: int = 400) -> None:
    for _ in range(tries):
        if ready():
            return
        await pilot.pause(0.01)
    raise AssertionError("never happened")


def _message(app) -> str:
    return str(app.screen.query_one("#signin-message", Static).content)


def _names(app) -> list[str]:
    options = app.screen.query_one("#signin-staff", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def _highlighted(app) -> str | None:
    options = app.screen.query_one("#signin-staff", OptionList)
    index = options.highlighted
    return None if index is None else options.get_option_at_index(index).id


async def test_sign_in_is_shown_with_the_names_before_the_store_is_open(db: Path) -> None:
    _keep_list(db)
    opener = HeldOpener(db)
    app = _app(db, opener)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            assert not app.store_open
            names = _names(app)
            assert [name.split()[0] for name in names] == [HEAD_NAME, WORKER_NAME]
            assert "正在打开数据" in _message(app)

            # The person signs in before the store is open: told to wait, not refused.
            app.screen.query_one("#signin-staff", OptionList).highlighted = 0
            pin = app.screen.query_one("#signin-pin", Input)
            pin.focus()
            pin.value = HEAD_PIN
            await pilot.press("enter")
            await pilot.pause()
            assert not app.signed_in and isinstance(app.screen, SignInScreen)
            assert "打开后自动登录" in _message(app)
            await _until(pilot, opener.started.is_set)

            opener.release()
            await _until(pilot, lambda: app.signed_in)
            await settle(pilot)
            assert app.session.operator.id == HEAD_ID
            assert app.current_mode == "visits"
    finally:
        if app.store_open:
            app.store.close()


async def test_a_wrong_pin_typed_while_opening_is_refused_once_open(db: Path) -> None:
    _keep_list(db)
    opener = HeldOpener(db)
    app = _app(db, opener)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            pin = app.screen.query_one("#signin-pin", Input)
            pin.focus()
            pin.value = "0000"
            await pilot.press("enter")
            opener.release()
            await _until(pilot, lambda: app.store_open)
            await pilot.pause()
            assert not app.signed_in and isinstance(app.screen, SignInScreen)
            assert "PIN" in _message(app)
    finally:
        if app.store_open:
            app.store.close()


async def test_without_a_kept_list_the_snapshot_s_first_tables_list_the_staff(db: Path) -> None:
    """A first start (no list kept yet): the staff are read quickly from the snapshot's
    first tables (stations and staff come first in a store the program made), before
    the store is open; the list is kept for the next start once it is."""
    assert read_first_tables(db) is not None
    opener = HeldOpener(db)
    app = _app(db, opener)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            await _until(pilot, lambda: len(_names(app)) == 2)
            assert not app.store_open and "正在打开数据" in _message(app)
            opener.release()
            await _until(pilot, lambda: app.store_open)
            await settle(pilot)
            assert _message(app) == ""
    finally:
        if app.store_open:
            app.store.close()
    assert [p.id for p in read_kept(db)] == [HEAD_ID, WORKER_ID]


async def test_with_no_quick_list_the_names_come_when_the_store_opens(db: Path) -> None:
    """Neither a kept list nor a quick read (here: a snapshot that does not start with
    the stations and the staff): the names come when the store is open."""
    data = db.read_bytes()
    header, body = data.split(b"\n", 1)
    db.write_bytes(header + b"\n" + b'{"visit"' + body[len(b'{"station"') :])  # not read
    assert read_first_tables(db) is None
    opener = HeldOpener(db)
    app = _app(db, opener)
    db.write_bytes(data)  # the store itself opens as it was
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            assert _names(app) == []
            assert "正在打开数据" in _message(app)
            opener.release()
            await _until(pilot, lambda: len(_names(app)) == 2)
            assert _message(app) == ""
            await settle(pilot)
    finally:
        if app.store_open:
            app.store.close()


async def test_the_store_s_own_list_replaces_a_stale_kept_one(db: Path) -> None:
    _keep_list(db)
    store = Store.open(db, clock=fixed_clock, daily_backup=False)
    try:  # 张三 leaves after the list was kept
        worker = store.get("staff", WORKER_ID)
        store.save(worker.model_copy(update={"active": False}), actor="测试")
    finally:
        store.close()
    opener = HeldOpener(db)
    app = _app(db, opener, last_operator=WORKER_ID)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert len(_names(app)) == 2 and _highlighted(app) == WORKER_ID
            pin = app.screen.query_one("#signin-pin", Input)
            pin.focus()
            await pilot.press("enter")  # 张三, no PIN: waits for the store
            opener.release()
            await _until(pilot, lambda: len(_names(app)) == 1)
            await pilot.pause()
            assert not app.signed_in, "a person no longer on the staff signed in"
            assert "名单已更新" in _message(app)
            assert _highlighted(app) == HEAD_ID
            await settle(pilot)
    finally:
        if app.store_open:
            app.store.close()
    assert [p.id for p in read_kept(db)] == [HEAD_ID]


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (StoreDamaged(Path("x"), "数据文件已损坏：校验和不符。"), "数据文件已损坏：校验和不符。"),
        (RuntimeError("boom"), "程序遇到意外错误（RuntimeError）"),
    ],
)
async def test_an_error_while_opening_is_told_in_chinese_and_logged(
    db: Path, error: BaseException, shown: str, caplog: pytest.LogCaptureFixture
) -> None:
    _keep_list(db)
    opener = HeldOpener(db, error)
    app = _app(db, opener)
    caplog.set_level(logging.ERROR, logger="grassroots_tui")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        opener.release()
        await _until(pilot, lambda: app.open_failed is not None)
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        message = _message(app)
        assert message.startswith("数据没有打开：") and shown in message
        text = screen_text(app)
        assert "Traceback" not in text and "boom" not in text
        # Signing in is refused, saying why again; Ctrl+Q still quits.
        await pilot.press("enter")
        assert shown in _message(app)
        await pilot.press("ctrl+q")
    assert not app.store_open
    assert any(shown in record.getMessage() for record in caplog.records)
    if isinstance(error, RuntimeError):  # the traceback is in the error log beside the store
        log = (db.parent / "errors.log").read_text(encoding="utf-8")
        assert "RuntimeError" in log and "boom" in log


async def test_type_to_find_moves_to_the_person(db: Path) -> None:
    _keep_list(db)
    opener = HeldOpener(db)
    opener.release()
    app = _app(db, opener)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: app.store_open)
            await pilot.pause()
            assert _highlighted(app) == HEAD_ID  # nobody signed in before: the first
            await pilot.press("z")  # pinyin initial of 张三
            assert _highlighted(app) == WORKER_ID
            assert "查找：z" in _message(app)
            await pilot.press("backspace")
            await pilot.press("l", "m")  # 李敏's initials
            assert _highlighted(app) == HEAD_ID
            screen = app.screen
            screen._typed_at = 0.0  # a pause: the next key starts a new search
            await pilot.press("z", "h", "a", "n", "g")  # full pinyin
            assert _highlighted(app) == WORKER_ID
            screen._typed_at = 0.0
            app.screen.query_one(OptionList).post_message(events.Key("李", "李"))
            await pilot.pause()
            assert _highlighted(app) == HEAD_ID  # the name itself, in characters
            screen._typed_at = 0.0
            await pilot.press("q", "x")
            assert _highlighted(app) == HEAD_ID  # nobody: the cursor stays
            assert "没有匹配" in _message(app)
    finally:
        if app.store_open:
            app.store.close()


async def test_the_cursor_starts_on_who_signed_in_last_on_this_laptop(
    db: Path, tmp_path: Path
) -> None:
    _keep_list(db)
    opener = HeldOpener(db)
    opener.release()
    app = make_app(db, make_settings(last_operator=WORKER_ID), opener=opener, clock=fixed_clock)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert _highlighted(app) == WORKER_ID  # before the store is open
            await _until(pilot, lambda: app.store_open)
            await pilot.pause()
            assert _highlighted(app) == WORKER_ID  # and after
            app.screen.query_one("#signin-staff", OptionList).highlighted = 0
            pin = app.screen.query_one("#signin-pin", Input)
            pin.focus()
            pin.value = HEAD_PIN
            await pilot.press("enter")
            await _until(pilot, lambda: app.signed_in)
            await settle(pilot)
    finally:
        if app.store_open:
            app.store.close()
    # Kept in the user's settings (GRASSROOTS_CONFIG, in the test's folder), not the store.
    assert load_settings().last_operator == HEAD_ID
    assert HEAD_ID in (tmp_path / "config" / "settings.json").read_text(encoding="utf-8")


def test_the_kept_list_never_names_a_retired_person_and_is_private(db: Path) -> None:
    _keep_list(db)
    assert RETIRED_ID not in [p.id for p in read_kept(db)]
    assert kept_path(db).stat().st_mode & 0o077 == 0
    kept_path(db).write_bytes(b"{not json")
    assert read_kept(db) == []  # a damaged file lists nobody; the store's list follows


def test_the_chinese_catalog_s_own_copies_match_the_models() -> None:
    """zh.py no longer imports the models (issue #19): its copies of their texts."""
    from grassroots_tui.models import StaffRole

    assert zh.REQUIRED == REQUIRED and zh.BAD_DATE == BAD_DATE
    for role in StaffRole:
        assert zh.STRINGS[f"enum.StaffRole.{role.value}"] == role.label


def test_nothing_heavy_is_imported_before_the_sign_in_screen(db: Path) -> None:
    """In a fresh process, the program up to its sign-in screen (listing the kept
    names, the store held back) imports neither the models, pydantic nor the store
    itself, nor pypinyin, openpyxl or python-docx."""
    _keep_list(db)
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys, threading

        from grassroots_tui.store.settings import load_settings
        from grassroots_tui.tui.launch import make_app

        go = threading.Event()

        def opener():
            go.wait(30)
            from grassroots_tui.store import Store
            return Store.open({str(db)!r}, daily_backup=False)

        async def main():
            app = make_app({str(db)!r}, load_settings(), opener=opener)
            async with app.run_test() as pilot:
                while app.screen.id != "signin":
                    await pilot.pause()
                await pilot.pause()
                options = app.screen.query_one("#signin-staff")
                seen = sorted(
                    name for name in (
                        "pypinyin", "openpyxl", "docx", "pydantic", "cryptography",
                        "grassroots_tui.models", "grassroots_tui.store.store",
                        "grassroots_tui.services.auth", "grassroots_tui.hub.sync",
                    )
                    if name in sys.modules
                )
                go.set()
                while not app.store_open:
                    await pilot.pause()
                await app.workers.wait_for_complete()
                app.store.close()
                return {{"listed": options.option_count, "imported": seen}}

        print(json.dumps(asyncio.run(main())))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"listed": 2, "imported": []}


@pytest.mark.parametrize("who", [HEAD_ID, WORKER_ID])
async def test_the_first_list_is_prepared_for_who_signed_in_last(db: Path, who: str) -> None:
    """While the PIN is typed, the visits list of the person under the cursor (who signed
    in last) is built; nothing is reachable until someone signs in; the person who does
    sees that list (or, anyone else, their own, built as usual)."""
    _keep_list(db)
    opener = HeldOpener(db)
    opener.release()
    app = _app(db, opener, last_operator=HEAD_ID)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: app.first_list is not None and app.first_list.built)
            prepared = app.first_list.screen
            assert not app.signed_in and app.first_list.person_id == HEAD_ID
            assert app.check_action("switch_section", ("visits",)) is False
            await pilot.press("f2", "f3")
            assert isinstance(app.screen, SignInScreen)
            options = app.screen.query_one("#signin-staff", OptionList)
            options.highlighted = options.get_option_index(who)
            pin = app.screen.query_one("#signin-pin", Input)
            pin.focus()
            pin.value = HEAD_PIN if who == HEAD_ID else ""
            await pilot.press("enter")
            await _until(pilot, lambda: app.signed_in and app.current_mode == "visits")
            await settle(pilot)
            assert app.session.operator.id == who
            assert (app.screen is prepared) == (who == HEAD_ID)
            assert {"visit-1", "visit-2", "visit-3"} <= {row.id for row in app.screen.table.rows}
    finally:
        if app.store_open:
            app.store.close()
