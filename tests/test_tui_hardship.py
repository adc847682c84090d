"""The hardship section: masked list with filters, a case view that records the access,
records added through the case view, and a condolence round's checklist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Select

from grassroots_tui.models import CaseStatus, HardshipCase, HardshipTier
from grassroots_tui.services import hardship
from grassroots_tui.tui.screens.condolence import RoundsScreen
from grassroots_tui.tui.screens.hardship import HardshipScreen
from grassroots_tui.tui.screens.hardship_case import CaseView
from grassroots_tui.tui.widgets.record_table import RecordTable
from grassroots_tui.tui.widgets.step_form import StepForm
from tests.tui_fixtures import (
    add_hardship_cases,
    build_store,
    copied_store,
    make_app,
    open_section,
    open_store,
    screen_text,
    settle,
)

SIZE = (80, 24)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = build_store(tmp_path_factory.mktemp("template") / "grassroots.json")
    store = open_store(path)
    try:
        add_hardship_cases(store)
    finally:
        store.close()
    return path


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as store:
        yield store


async def _to_hardship(pilot) -> HardshipScreen:
    await open_section(pilot, "f5")
    screen = pilot.app.screen
    assert isinstance(screen, HardshipScreen)
    return screen


async def test_the_list_masks_names_and_filters_by_tier(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_hardship(pilot)
        table = screen.query_one(RecordTable)
        assert len(table.shown) == 2
        text = screen_text(app)
        heads = [store.get_raw("household", h)["head_of_household"] for h in ("hh-02", "hh-03")]
        assert not any(head in text for head in heads), "full names must not show in the list"
        assert "300.00" in text
        screen.query_one("#filter-tier", Select).value = HardshipTier.DEEP.value
        await settle(pilot)
        assert [r.id for r in table.shown] == ["case-hh-02"]


async def test_opening_a_case_is_recorded_and_assistance_is_added_from_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_hardship(pilot)
        screen.table.move_to("case-hh-02")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, CaseView)
        accesses = [
            e for e in store.history("hardship_case", "case-hh-02") if e["action"] == "access"
        ]
        assert len(accesses) == 1 and accesses[0]["actor"].startswith("李敏")
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StepForm)
        assert form.focused is form.field("amount").control  # the amount is what you type first
        form.field("amount").value = "200.50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseView)
        assert hardship.case_total(store, "case-hh-02") == Decimal("500.50")
        assert "500.50" in screen_text(app)


async def test_exit_then_relapse_from_the_case_view(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_hardship(pilot)
        screen.table.move_to("case-hh-03")
        await pilot.press("o")
        await pilot.pause()
        view = app.screen
        assert view.check_action("relapse", ()) is None  # not before an exit
        await pilot.press("x")
        await pilot.pause()
        app.screen.field("reason").value = "已就业，收入稳定"
        await pilot.press("ctrl+s")
        await settle(pilot)
        case = store.get(HardshipCase, "case-hh-03")
        assert case.status is CaseStatus.EXITED and case.callback_on == dt.date(2027, 5, 26)
        assert view.check_action("relapse", ()) is True
        await view.run_action("relapse")
        await pilot.pause()
        app.screen.field("findings").value = "再次失业"
        await pilot.press("ctrl+s")
        await settle(pilot)
        case = store.get(HardshipCase, "case-hh-03")
        assert case.status is CaseStatus.ACTIVE
        assert hardship.case_total(store, "case-hh-03") == Decimal("300.00")  # history intact


async def test_a_condolence_round_is_a_checklist_with_progress(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _to_hardship(pilot)
        await pilot.press("r")
        await pilot.pause()
        rounds = app.screen
        assert isinstance(rounds, RoundsScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")  # default title 2027年春节慰问, today, every tier
        await settle(pilot)
        assert "已慰问 0 / 2 户（0.00%）" in screen_text(app)
        rounds.query_one("#items").focus()
        await pilot.press("d")
        await pilot.pause()
        app.screen.field("given").value = "大米一袋、慰问金 200 元"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已慰问 1 / 2 户（50.00%）" in screen_text(app)
        saved = next(iter(store.iter("condolence_round")))
        assert saved.title == "2027年春节慰问" and sum(i.done for i in saved.items) == 1


async def test_totals_by_source_form_and_month(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _to_hardship(pilot)
        await pilot.press("t")
        await pilot.pause()
        text = screen_text(app)
        assert "帮扶记录 2 条，合计 600.00 元" in text
        rows = {
            table_id: [
                tuple(map(str, app.screen.query_one(table_id).get_row_at(i)))
                for i in range(app.screen.query_one(table_id).row_count)
            ]
            for table_id in ("#by-source", "#by-month")
        }
        assert ("民政", "600.00") in rows["#by-source"]
        assert rows["#by-month"] == [("2026-05", "600.00")]


@pytest.mark.parametrize("scope", [None, "office"])
async def test_on_the_offices_machine_a_stations_case_is_shown_not_changed(store, scope):
    if scope:
        store.enroll(scope, "测试")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_hardship(pilot)
        screen.table.move_to("case-hh-02")
        await pilot.press("o")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, CaseView)
        offered = view.check_action("assistance", ())
    assert offered is (None if scope else True)
