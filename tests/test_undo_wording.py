"""How the undo question names the change (services/undo.describe, said after "撤销："
and "Undo"): Chinese as before, English a sentence ("Undo adding the visit record
(王** 2026-12-06 10:30)?"), never "Added Visit record"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.i18n import set_language
from grassroots_tui.models import StaffRole
from grassroots_tui.services import undo as U
from grassroots_tui.store import Store
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from tests.factories import household, visit
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    HEAD_ID,
    HEAD_PIN,
    make_app,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

WORKER = "张三#staff-worker"


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


@pytest.fixture(name="station")
def station_fixture(tmp_path: Path):
    s = Store.open(tmp_path / "station.json", daily_backup=False)
    yield s
    s.close()


def _a_visit(store: Store) -> None:
    home = store.save(household("HL01-0002", head_of_household="王秀英"), actor="导入")
    store.save(
        visit(
            home.id,
            date=dt.date(2026, 12, 6),
            start_time=dt.time(10, 30),
            end_time=dt.time(11, 0),
        ),
        actor=WORKER,
    )


def _said(store: Store, lang: str, *, redo: bool = False) -> str:
    set_language(lang)
    return U.plan(store, WORKER, StaffRole.WORKER, after_seq=0, redo=redo).text


def test_a_new_visit_is_named_in_either_language(station: Store) -> None:
    _a_visit(station)
    assert _said(station, "zh") == "新增走访 王** 2026-12-06 10:30"
    assert _said(station, "en") == "adding the visit record (王** 2026-12-06 10:30)"
    U.run(
        station,
        WORKER,
        StaffRole.WORKER,
        U.plan(station, WORKER, "worker", after_seq=0),
        after_seq=0,
    )
    # A redo names the change it brings back, the same words.
    assert _said(station, "en", redo=True) == "adding the visit record (王** 2026-12-06 10:30)"
    assert _said(station, "zh", redo=True) == "新增走访 王** 2026-12-06 10:30"


def test_a_change_and_a_deletion_of_a_household(station: Store) -> None:
    home = station.save(household("HL01-0007", head_of_household="陈志强"), actor="导入")
    home = station.save(home.model_copy(update={"address": "一号楼"}), actor=WORKER)
    assert _said(station, "en") == "changing the household (HL01-0007 陈**)"
    assert _said(station, "zh") == "修改住户 HL01-0007 陈**"
    station.delete(type(home), home.id, actor=WORKER)
    assert _said(station, "en") == "deleting the household (HL01-0007 陈**)"
    assert _said(station, "zh") == "删除住户 HL01-0007 陈**"


def test_a_change_with_nothing_to_name_it_by() -> None:
    entry = {"effect": "create", "target_kind": "duty_shift", "target_id": "x", "changes": {}}

    class Empty:
        def get_raw(self, kind, doc_id):
            return None

    set_language("en")
    assert U.describe(Empty(), [entry]) == "adding the duty shift"  # type: ignore[arg-type]
    set_language("zh")
    assert U.describe(Empty(), [entry]) == "新增一条值班"  # type: ignore[arg-type]


async def test_the_program_asks_in_english(store) -> None:
    set_language("en")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, HEAD_ID, HEAD_PIN)
        store.save(
            visit(
                "hh-02",
                HEAD_ID,
                date=dt.date(2026, 11, 26),
                start_time=dt.time(10, 30),
                end_time=dt.time(11, 0),
            ),
            actor=app.session.actor,
        )
        await pilot.press("ctrl+z")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.question == "Undo adding the visit record (王** 2026-11-26 10:30)?"
        await pilot.press("y")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert "Undone: adding the visit record (王** 2026-11-26 10:30)." in messages
