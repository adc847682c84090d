"""Ctrl+Z and Ctrl+Y in the program (issue 15 §3): the three incidents, each replayed
through the keys, and the question that names the change before it is undone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import Staff, StaffRole, Station
from grassroots_tui.models.audit import actor_label
from grassroots_tui.services.auth import verify_pin
from grassroots_tui.services.staff import create_station_with_head, update_staff
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from tests import factories
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    HEAD_PIN,
    STATION_ID,
    WORKER_ID,
    WORKER_NAME,
    build_store,
    copied_store,
    make_app,
    open_store,
    settle,
    sign_in,
)

SIZE = (100, 30)
HEAD = actor_label(HEAD_NAME, HEAD_ID)
WORKER = actor_label(WORKER_NAME, WORKER_ID)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    return build_store(folder / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as copy:
        yield copy


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


def a_visit(household_id: str, visitor: str, **fields):
    fields.setdefault("date", dt.date(2026, 11, 26))
    fields.setdefault("start_time", dt.time(10, 30))
    fields.setdefault("end_time", dt.time(11, 0))
    return factories.visit(household_id, visitor, **fields)


async def undo_and_confirm(pilot, key: str = "ctrl+z") -> None:
    await pilot.press(key)
    await settle(pilot)
    if isinstance(pilot.app.screen, ConfirmDialog):
        await pilot.press("y")
    await settle(pilot)


async def test_a_heads_second_undo_after_an_import_keeps_the_station_and_the_head(tmp_path):
    """Incident 1: set up, sign in, import, Ctrl+Z twice deleted the station and its head."""
    store = open_store(tmp_path / "new" / "grassroots.json")
    try:
        made, head = create_station_with_head(
            store, factories.station(), "李敏", "1357", actor="李敏（首次设置）"
        )
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot, head.id, "1357")
            ledger = [factories.household(f"HL01-{n:04d}") for n in range(1, 61)]
            store.save_many(ledger, actor=app.session.actor)  # what the import writes
            await undo_and_confirm(pilot)
            assert store.count("household") == 0
            await undo_and_confirm(pilot)
            assert store.get(Station, made.id) is not None
            assert store.get(Staff, head.id) is not None
            assert notices(app)[-2:] == [
                "已撤销：新增住户 HL01-0001 张** 等 60 条记录。",
                "没有可以撤销的修改。",
            ]
    finally:
        store.close()


async def test_a_heads_undo_leaves_a_colleagues_new_visit_alone(store):
    """Incident 2: the head's Ctrl+Z deleted the visit a colleague had just logged."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, WORKER_ID, "")
        visit = store.save(a_visit("hh-03", WORKER_ID), actor=app.session.actor)
        app.action_sign_out()
        await settle(pilot)
        await sign_in(pilot, HEAD_ID, HEAD_PIN)
        await undo_and_confirm(pilot)
        assert store.get_raw("visit", visit.id) is not None
        assert "没有可以撤销的修改。" in notices(app)


async def test_a_leaders_undo_cannot_take_back_the_heads_new_pin(store):
    """Incident 3: a read-only 包案领导's Ctrl+Z removed the head's new PIN."""
    leader = store.save(
        Staff(id="staff-leader", station_id=STATION_ID, name="王书记", role=StaffRole.LEADER),
        actor="测试数据",
    )
    head = store.get(Staff, HEAD_ID)
    head = update_staff(store, head, "测试数据", clear_pin=True)
    head = update_staff(store, head, HEAD, pin="8642")  # the head's new PIN
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, leader.id, "")
        await undo_and_confirm(pilot)
        now = store.get(Staff, HEAD_ID)
        assert now.pin_hash == head.pin_hash and verify_pin("8642", now.pin_hash, now.pin_salt)
        assert "包案领导无权撤销或恢复修改。" in notices(app)


async def test_the_head_cannot_undo_their_own_pin_change_either(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, HEAD_ID, HEAD_PIN)
        head = update_staff(store, store.get(Staff, HEAD_ID), app.session.actor, pin="8642")
        await undo_and_confirm(pilot)
        assert store.get(Staff, HEAD_ID).pin_hash == head.pin_hash
        assert "不能撤销 PIN 的更改；请在设置中重新设置 PIN。" in notices(app)


async def test_undo_asks_first_naming_the_change_and_redo_brings_it_back(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, HEAD_ID, HEAD_PIN)
        visit = store.save(a_visit("hh-02", HEAD_ID), actor=app.session.actor)
        await pilot.press("ctrl+z")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.question == "撤销：新增走访 王** 2026-11-26 10:30？"
        assert "王秀英" not in dialog.question
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert store.get_raw("visit", visit.id) is not None

        await undo_and_confirm(pilot)
        assert store.get_raw("visit", visit.id) is None
        assert "已撤销：新增走访 王** 2026-11-26 10:30。" in notices(app)

        await pilot.press("ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "恢复：新增走访 王** 2026-11-26 10:30？"
        await pilot.press("y")
        await settle(pilot)
        assert store.get_raw("visit", visit.id) is not None
        assert "已恢复：新增走访 王** 2026-11-26 10:30。" in notices(app)
        undo, redo = [e for e in store.history("visit", visit.id) if e["action"] == "undo"]
        assert redo["undoes"] == undo["txn"] and redo["actor"] == HEAD


async def test_redo_is_in_the_command_palette(store):
    from textual.command import CommandList, CommandPalette

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, HEAD_ID, HEAD_PIN)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"hf")
        hits: list[str] = []
        for _ in range(40):  # the palette searches in the background
            await pilot.pause(0.05)
            commands = app.screen.query_one(CommandList)
            hits = [commands.get_option_at_index(i).hit.text for i in range(commands.option_count)]
            if "恢复" in hits:
                break
        assert "恢复" in hits
