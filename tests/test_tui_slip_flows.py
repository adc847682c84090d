"""The slips screen on a station's laptop (issue 16): a slip the street office issued is
shown as the office's, the station's steps (accept, reply) are offered and work, the
office's steps are not offered and a key for one says who takes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import SlipSource, SlipState, SlipView, Station
from grassroots_tui.models.base import OFFICE
from grassroots_tui.services import slips
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.tui.screens.slips import SlipsScreen
from grassroots_tui.tui.widgets.step_form import StepForm
from tests import factories
from tests.tui_fixtures import build_store, copied_store, make_app, screen_text, settle, sign_in

SIZE = (120, 34)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


def office_slip(store) -> SlipView:
    """A slip the street office issued to HL01 on 2026-11-20."""
    draft = slips.draft_slip(
        store.get(Station, factories.STATION_ID),
        source=SlipSource.STREET_OFFICE,
        category="城市管理",
        title="背街小巷路灯不亮",
        description="督导发现背街小巷路灯不亮。",
        handling_unit="湘龙群众工作站",
    )
    saved = slips.save_draft(store, draft.model_copy(update={"writer": OFFICE}), "群工办")
    return slips.issue(
        store, saved.id, on=dt.date(2026, 11, 20), actor="群工办", calendar=OfficialCalendar()
    )


@pytest.fixture
def station_laptop(template, tmp_path):
    """The small store with a slip the office issued to HL01, enrolled as HL01's laptop."""
    with copied_store(template, tmp_path) as store:
        slip_id = office_slip(store).id
        store.enroll(f"station:{factories.STATION_ID}", "测试")
        yield store, slip_id


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_station_takes_its_steps_and_is_told_whose_the_others_are(station_laptop):
    store, slip_id = station_laptop
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SlipsScreen)
        screen.table.move_to(slip_id)
        await settle(pilot)
        text = screen_text(app)
        assert "由街道群工办填写，本机只能查看" in text
        footer = text.splitlines()[-1]
        assert "受理" in footer and "回复单" in footer and "申请延期" in footer
        assert "延期" not in footer.replace("申请延期", "") and "撤回" not in footer

        await pilot.press("x")  # extend: the office's step
        await settle(pilot)
        assert any("延期由街道群工办办理" in m for m in _messages(app)), _messages(app)
        assert not store.raw("slip_extension")

        await pilot.press("c")  # accept: the station's
        await settle(pilot)
        assert slips.get_slip(store, slip_id).state is SlipState.ACCEPTED
        (accepted,) = store.raw("slip_accept")
        assert accepted["writer"] == factories.STATION_ID


async def test_the_station_asks_for_more_time_and_the_office_approves_from_the_request(
    station_laptop,
):
    store, slip_id = station_laptop
    due = slips.get_slip(store, slip_id).due_date
    assert due is not None
    wanted = (due + dt.timedelta(days=10)).isoformat()
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SlipsScreen)
        screen.table.move_to(slip_id)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StepForm)
        form.field("reason").control.value = "等待配件到货"
        form.field("wanted_due_date").control.value = wanted
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen, getattr(form, "message_text", "")
        (request,) = store.raw("slip_extension_request")
        assert request["writer"] == factories.STATION_ID
        assert request["wanted_due_date"] == wanted
        assert slips.get_slip(store, slip_id).due_date == due  # not until it is approved
        assert f"申请延至 {wanted}，等待街道群工办批准" in screen_text(app)


async def test_the_office_approves_a_request_with_the_form_filled_from_it(template, tmp_path):
    with copied_store(template, tmp_path) as store:
        issued = office_slip(store)
        saved = issued
        assert issued.due_date is not None
        wanted = issued.due_date + dt.timedelta(days=7)
        slips.request_extension(
            store,
            saved.id,
            requested_on=dt.date(2026, 11, 24),
            reason="等待配件到货",
            wanted_due_date=wanted,
            by="李敏",
            actor="站里",
        )
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            await pilot.press("f4")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, SlipsScreen)
            screen.table.move_to(saved.id)
            await settle(pilot)
            await pilot.press("x")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, StepForm)
            assert form.field("reason").control.value == "等待配件到货"
            assert form.field("new_due_date").control.value == wanted.isoformat()
            assert form.field("requested_on").control.value == "2026-11-24"
            form.field("approver").control.value = "主任"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen, getattr(form, "message_text", "")
        (extension,) = store.raw("slip_extension")
        request_id = store.raw("slip_extension_request")[0]["id"]
        assert extension["request_id"] == request_id and extension["writer"] == OFFICE
        assert slips.get_slip(store, saved.id).due_date == wanted


@pytest.mark.parametrize("scope", [None, "office"])
async def test_an_edit_key_is_not_offered_for_anothers_household_or_visit(
    template, tmp_path, scope
):
    """On the office's machine a station's household and visit are shown, but the keys
    that would change them are not offered; on a standalone store they are."""
    from grassroots_tui.tui.screens.households import HouseholdsScreen
    from grassroots_tui.tui.screens.visits import VisitsScreen

    with copied_store(template, tmp_path) as store:
        if scope:
            store.enroll(scope, "测试")
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            visits = app.screen
            assert isinstance(visits, VisitsScreen) and visits.table.current_id
            await pilot.press("f3")
            await settle(pilot)
            households = app.screen
            assert isinstance(households, HouseholdsScreen) and households.table.current_id
            offered = (
                visits.check_action("edit_visit", ()),
                households.check_action("edit_household", ()),
            )
    assert offered == ((None, None) if scope else (True, True))
