"""A full disk inside the running program: saving a visit fails with ENOSPC, the program
says so in Chinese, keeps running, does not list the unsaved visit, and saves it once
the disk has room again; and forms opened and closed all day leave nothing behind."""

from __future__ import annotations

import errno
import gc
import os
from pathlib import Path

import pytest
from textual._styles_cache import StylesCache
from textual.widgets import DataTable, Static

from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.visits import VisitsScreen
from tests.tui_fixtures import build_store, copied_store, make_app, settle, sign_in

SIZE = (80, 24)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    return build_store(folder / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as copy:
        yield copy


def rows(screen) -> list[list[str]]:
    table = screen.query_one("#visits-table #table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_visit_form(pilot) -> VisitForm:
    """From the visits list: a new visit to 王秀英's household, greeting and hardship typed."""
    await pilot.press("n", *"wxy", "enter")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, VisitForm)
    await pilot.press(*"很好", "tab", *"漏水")
    return form


def full_disk(monkeypatch: pytest.MonkeyPatch, journal: Path) -> list[int]:
    """os.write fails with ENOSPC for the store's journal only."""
    real = os.write
    refused: list[int] = []

    def write(fd: int, data) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target == str(journal):
            refused.append(fd)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)
    return refused


async def test_a_visit_saved_on_a_full_disk_is_refused_in_chinese_and_not_listed(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        before_rows = rows(app.screen)
        before_ids = {v["id"] for v in store.raw("visit")}
        tables_before = {k: dict(v) for k, v in store.tables.items()}
        form = await open_visit_form(pilot)

        refused = full_disk(monkeypatch, store.paths.journal)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert refused, "the save never reached the disk"
        # The program is still running, on the form, and says what happened in Chinese.
        assert app.is_running and app.screen is form
        shown = [n.message for n in app._notifications]
        assert any("磁盘空间已满" in m and "没有保存" in m for m in shown), shown
        message = str(form.query_one("#form-message", Static).content)
        assert "磁盘空间已满" in message
        # Nothing half-saved: memory is as it was.
        assert {k: dict(v) for k, v in store.tables.items()} == tables_before

        # Give up on this visit (what was typed is thrown away only when asked to): the
        # list does not show it.
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
        assert rows(app.screen) == before_rows
        assert {v["id"] for v in store.raw("visit")} == before_ids

        # Room again: the same work saves and is listed.
        monkeypatch.undo()
        await open_visit_form(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
        [new_id] = {v["id"] for v in store.raw("visit")} - before_ids
        assert len(rows(app.screen)) == len(before_rows) + 1
        assert app.screen.table.current_id == new_id


async def test_what_the_store_worked_around_is_shown_once(store) -> None:
    store.warnings.append("自动备份没有做成：磁盘空间已满")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert shown.count("自动备份没有做成：磁盘空间已满") == 1
        assert store.warnings == []  # handed over, not shown again
        app.show_store_warnings()
        assert [n.message for n in app._notifications].count("自动备份没有做成：磁盘空间已满") == 1


async def test_a_second_save_while_the_first_runs_saves_the_visit_once(store, monkeypatch) -> None:
    """Ctrl+S pressed twice (or Enter, then Ctrl+S) before the form closes: one visit."""
    saves: list[str] = []
    original = VisitForm.save

    def slow_save(self, built):
        saves.append(built.id)
        return original(self, built)

    monkeypatch.setattr(VisitForm, "save", slow_save)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        before_ids = {v["id"] for v in store.raw("visit")}
        form = await open_visit_form(pilot)
        form.action_submit()
        form.action_submit()  # before the first save has come back
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
        assert len(saves) == 1
        assert len({v["id"] for v in store.raw("visit")} - before_ids) == 1


async def test_a_save_that_failed_can_be_tried_again_from_the_same_form(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        before_ids = {v["id"] for v in store.raw("visit")}
        form = await open_visit_form(pilot)
        refused = full_disk(monkeypatch, store.paths.journal)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert refused and app.screen is form and not form.saving
        monkeypatch.undo()
        await pilot.press("ctrl+s")  # the same form, the same values
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
        [new_id] = {v["id"] for v in store.raw("visit")} - before_ids
        assert app.screen.table.current_id == new_id


def _style_caches() -> int:
    gc.collect()
    return sum(isinstance(o, StylesCache) for o in gc.get_objects())


async def _open_and_close_a_form(pilot) -> None:
    app = pilot.app
    screen = app.screen
    app.push_screen(VisitForm(screen.session, household_id="hh-01"))
    await pilot.pause()
    assert isinstance(app.screen, VisitForm)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, VisitsScreen)


async def test_closed_forms_do_not_pile_up(store) -> None:
    """Textual 8 keeps the style caches of up to 1,024 widgets after the widgets are
    gone (``StylesCache.get_inner_outer`` is memoized on the instance,
    Textualize/textual#6665), and a footer keeps the keys it replaced: every visit form
    left about 11,000 objects that each full garbage collection walked, a pause that
    grew with every save (bench/FINDINGS-app.md)."""
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await _open_and_close_a_form(pilot)
        await _open_and_close_a_form(pilot)
        after_two = _style_caches()
        for _ in range(6):
            await _open_and_close_a_form(pilot)
        after_eight = _style_caches()
        # A form has dozens of widgets: six more kept would be hundreds more caches.
        assert after_eight - after_two < 40, (after_two, after_eight)
