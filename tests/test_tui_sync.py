"""The program's side of the hub, through the pilot, against an SQLite hub in the test's
folder: the section bar's sync status ("3 条待上传", "已同步 10:00", "离线", "1 个冲突"),
the sync after a save, and the conflicts screen (both versions side by side, keep-mine
from the keyboard; a worker sees it read-only). Time is never waited for: each sync is
asked for directly (HubSync.trigger, HubSync.poll) and the workers are awaited."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from textual.widgets import DataTable

from grassroots_tui.hub.config import HubConfig, save_config
from grassroots_tui.hub.engines import HubAddress, HubConnection
from grassroots_tui.hub.replicas import enroll_replica
from grassroots_tui.hub.schema import init_hub
from grassroots_tui.hub.sync import sync
from grassroots_tui.models import Household
from grassroots_tui.store import Store
from grassroots_tui.tui import sync_status
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.screens.conflicts import ConflictsScreen
from tests import factories
from tests.hub_fixtures import laptop
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    WORKER_ID,
    build_store,
    copied_store,
    make_app,
    screen_text,
    settle,
    sign_in,
)

SIZE = (140, 40)
HL01 = f"station:{factories.STATION_ID}"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture(autouse=True)
def _no_timers(monkeypatch):
    """The timers never fire during a test: each sync is asked for by the test."""
    monkeypatch.setattr(sync_status, "POLL", 3600.0)
    monkeypatch.setattr(sync_status, "SYNC_EVERY", 3600.0)


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as store:
        yield store


def enroll_with_hub(store: Store, folder: Path) -> tuple[Path, str]:
    """An SQLite hub in ``folder``, the store enrolled with it as HL01's laptop (its
    settings beside it) and synced once. Returns the hub file and the replica id."""
    path = folder / "hub.sqlite"
    with HubConnection.open(HubAddress("sqlite", str(path)), create=True) as hub:
        init_hub(hub)
        replica, key = enroll_replica(hub, HL01, by="测试")
        if store.scope != HL01:
            store.enroll(HL01, "测试")
        save_config(store.paths.main, HubConfig("sqlite", str(path), replica.id, HL01, key))
        sync(store, hub, replica.id)
    assert store.pending() == []
    return path, replica.id


def diverge(
    store: Store,
    hub_path: Path,
    replica_id: str,
    folder: Path,
    doc_id: str,
    theirs: dict,
    mine: dict,
) -> None:
    """Another laptop of the station (a copy of this one) changes the household ``doc_id``
    and syncs first; this one changes it too: its push is a conflict."""
    raw = store.get_raw("household", doc_id)
    other = laptop(folder / "other" / "b.json", HL01, {"household": {doc_id: raw}})
    with HubConnection.open(HubAddress("sqlite", str(hub_path))) as hub:
        changed = other.get(Household, doc_id)
        assert changed is not None
        other.save(changed.model_copy(update=theirs), "周红")
        assert sync(other, hub, replica_id).verdicts == {"accepted": 1}
        other.close()
        here = store.get(Household, doc_id)
        assert here is not None
        store.save(here.model_copy(update=mine), f"{HEAD_NAME}#{HEAD_ID}")
        assert sync(store, hub, replica_id).verdicts["conflict"] == 1


def header(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_the_header_shows_what_waits_then_the_sync_and_offline(store, tmp_path) -> None:
    hub_path, _ = enroll_with_hub(store, tmp_path)
    for number in ("hh-01", "hh-02", "hh-03"):
        home = store.get(Household, number)
        assert home is not None
        store.save(home.model_copy(update={"people": 6}), "测试")
    away = hub_path.with_name("away.sqlite")
    hub_path.rename(away)  # the hub cannot be reached when the program starts
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert app.hub_sync is not None and app.hub_sync.finished == 1
        assert "离线 · 3 条待上传" in header(app), header(app)

        away.rename(hub_path)
        app.hub_sync.trigger()
        await settle(pilot)
        assert "已同步 10:00" in header(app), header(app)
        assert "待上传" not in header(app) and "离线" not in header(app)
        assert store.pending() == []

        hub_path.unlink()
        app.hub_sync.trigger()
        await settle(pilot)
        assert "离线" in header(app) and "已同步" not in header(app), header(app)


async def test_a_save_is_synced_after_the_delay(store, tmp_path, monkeypatch) -> None:
    hub_path, _ = enroll_with_hub(store, tmp_path)
    monkeypatch.setattr(sync_status, "SAVE_DELAY", 0.0)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        hub_sync = app.hub_sync
        assert hub_sync is not None
        before = hub_sync.finished
        home = store.get(Household, "hh-04")
        assert home is not None
        store.save(home.model_copy(update={"people": 5}), "测试")
        hub_sync.poll()  # notices the save (and counts what waits)
        await settle(pilot)
        assert "1 条待上传" in header(app), header(app)
        assert hub_sync.finished == before
        hub_sync.poll()  # the delay is over: a sync
        await settle(pilot)
        assert hub_sync.finished == before + 1 and store.pending() == []
        assert "已同步 10:00" in header(app)
    with HubConnection.open(HubAddress("sqlite", str(hub_path))) as hub:
        body = orjson.loads(hub.one("SELECT body FROM doc WHERE id = 'hh-04'")[0])
    assert body["people"] == 5


async def test_a_store_without_a_hub_shows_no_sync_status(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert app.hub_sync is None
        text = header(app)
        assert "同步" not in text and "待上传" not in text and "离线" not in text
        await pilot.press("f10")
        await settle(pilot)
        assert not isinstance(app.screen, ConflictsScreen)


async def test_the_head_keeps_mine_from_the_keyboard(store, tmp_path) -> None:
    hub_path, replica_id = enroll_with_hub(store, tmp_path)
    diverge(
        store,
        hub_path,
        replica_id,
        tmp_path,
        "hh-01",
        theirs={"people": 7, "note": "周红补登"},
        mine={"people": 9, "grid": "三网格"},
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert "1 个冲突" in header(app), header(app)
        await pilot.press("f10")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        text = screen_text(app)
        # The document, masked; both versions side by side, the differing fields marked.
        assert "HL01-0001 张**" in text and "张桂兰" not in text
        assert "两边都改过" in text
        assert "本机版本：李敏" in text and "汇总库版本：周红" in text
        table = screen.query_one("#conflicts-diff", DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        rows = {row[1]: row for row in cells if row[0] == "≠"}
        assert set(rows) == {"家庭人口", "网格", "备注"}, rows
        assert rows["家庭人口"][2:4] == ["9", "7"]
        assert rows["备注"][2:4] == ["—", "周红补登"]
        footer = text.splitlines()[-1]
        assert "保留本机" in footer and "保留汇总库" in footer and "逐项合并" in footer

        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)  # the resolution, then the sync it asks for
        assert app.screen is screen
        assert "没有未处理的冲突" in screen_text(app)
        assert store.hub_state["conflicts"] == {} and store.pending() == []
        assert "冲突" not in header_of_section(app)
    with HubConnection.open(HubAddress("sqlite", str(hub_path))) as hub:
        body = orjson.loads(hub.one("SELECT body FROM doc WHERE id = 'hh-01'")[0])
        rows = hub.all("SELECT resolved_at, resolved_by, resolution, body FROM conflict")
    assert (body["people"], body["grid"], body["note"]) == (9, "三网格", "")
    ((resolved_at, resolved_by, resolution, lost),) = rows
    assert resolved_at and resolved_by == f"{HEAD_NAME}#{HEAD_ID}"
    assert orjson.loads(resolution)["choice"] == "mine"
    assert orjson.loads(lost)["people"] == 9  # the refused revision, kept whole


def header_of_section(app) -> str:
    """The section bar of the section screen under the conflicts screen."""
    from grassroots_tui.tui.widgets.section_bar import SectionBar

    for screen in reversed(app.screen_stack):
        for bar in screen.query(SectionBar):
            return str(bar.render_bar().plain)
    return ""


async def test_a_worker_sees_the_conflict_and_gets_no_resolve_keys(store, tmp_path) -> None:
    hub_path, replica_id = enroll_with_hub(store, tmp_path)
    diverge(store, hub_path, replica_id, tmp_path, "hh-02", {"people": 4}, {"people": 5})
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, WORKER_ID, "")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        text = screen_text(app)
        assert "只能查看" in text and "HL01-0002 王**" in text
        footer = text.splitlines()[-1]
        assert "保留本机" not in footer and "保留汇总库" not in footer and "合并" not in footer
        for action in ("keep_mine", "keep_hub", "merge", "pick", "save_merge"):
            assert screen.check_action(action, ()) is False, action
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen  # no question asked, nothing done
    assert len(store.hub_state["conflicts"]) == 1


async def test_the_head_merges_field_by_field_from_the_keyboard(store, tmp_path) -> None:
    hub_path, replica_id = enroll_with_hub(store, tmp_path)
    diverge(
        store,
        hub_path,
        replica_id,
        tmp_path,
        "hh-03",
        theirs={"people": 7, "note": "周红补登"},
        mine={"people": 9},
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        await pilot.press("e")  # merge: every differing field keeps mine at first
        await pilot.pause()
        assert screen.picks == {"people": "mine", "note": "mine"}
        table = screen.query_one("#conflicts-diff")
        table.move_cursor(row=[d.name for d in screen._shown_diffs()].index("note"))
        await pilot.press("space")  # the note: the hub's
        await pilot.pause()
        assert screen.picks == {"people": "mine", "note": "hub"}
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert store.hub_state["conflicts"] == {}
    with HubConnection.open(HubAddress("sqlite", str(hub_path))) as hub:
        body = orjson.loads(hub.one("SELECT body FROM doc WHERE id = 'hh-03'")[0])
        (resolution,) = hub.one("SELECT resolution FROM conflict")
    assert (body["people"], body["note"]) == (9, "周红补登")
    assert orjson.loads(resolution)["from_hub"] == ["note"]


def test_a_sync_that_brought_documents_works_out_the_views_in_the_worker(store, tmp_path) -> None:
    """After a pull that changed documents, the worker computes what the board and lists
    derive (warm); a sync that brought nothing does not."""
    hub_file, _replica = enroll_with_hub(store, tmp_path)
    config = sync_status.load_config(store.paths.main)
    assert config is not None
    calls: list[str] = []
    idle = sync_status.run_sync(store, config, lambda: calls.append("warm"))
    assert idle.report is not None and idle.report.changed == 0 and calls == []

    # The office sends HL01 a household it wrote: the next sync brings it.
    with HubConnection.open(HubAddress("sqlite", str(hub_file))) as hub:
        office_replica, _ = enroll_replica(hub, "office", by="测试")
        office = laptop(tmp_path / "office.json", "office")
        office.save(factories.household("HL01-0900", station_id=factories.STATION_ID), "群工办")
        sync(office, hub, office_replica.id)
        office.close()
    brought = sync_status.run_sync(store, config, lambda: calls.append("warm"))
    assert brought.report is not None and brought.report.changed == 1
    assert calls == ["warm"]
