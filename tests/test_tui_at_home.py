"""Issue #19, a program a station worker is at home in: nothing irreversible on one key,
the cursor always visible, things found where they are looked for, one wording."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.color import Color
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from grassroots_tui.i18n import set_language
from grassroots_tui.models import SlipSource, SlipState, Staff, Station
from grassroots_tui.services import slips
from grassroots_tui.services.auth import verify_pin
from grassroots_tui.services.slips import SlipActionRefused
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.tui.dialogs.appointment_form import AppointmentForm
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.dialogs.hardship_forms import CaseForm
from grassroots_tui.tui.dialogs.household_form import HouseholdForm
from grassroots_tui.tui.dialogs.slip_form import SlipForm
from grassroots_tui.tui.dialogs.staff_form import StaffForm, StationForm, pin_problems
from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.slips import SlipsScreen
from grassroots_tui.tui.screens.visits import VisitsScreen
from grassroots_tui.tui.widgets.record_table import RecordTable
from grassroots_tui.tui.widgets.step_form import StepField, StepForm
from tests import factories
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    HEAD_ID,
    HEAD_PIN,
    WORKER_ID,
    build_store,
    copied_store,
    make_app,
    make_settings,
    open_section,
    screen_text,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

SIZE = (80, 24)


#: The fields of a slip's return (退单): a date filled in, a reason to type.
RETURN_STEPS = [
    StepField("on", "slip.returned_on", "2026-11-26", kind="date"),
    StepField("reason", "slip.reason"),
]


def _draft(store, title: str = "路灯不亮", unit: str | None = "街道城管办"):
    station = store.get(Station, factories.STATION_ID)
    draft = slips.draft_slip(
        station,
        source=SlipSource.HOTLINE,
        category="城市管理",
        title=title,
        description=f"{title}，居民反映多次。",
        handling_unit=unit,
    )
    return slips.save_draft(store, draft, "测试")


async def _signed_in(pilot, staff_id: str = HEAD_ID, pin: str = HEAD_PIN):
    """Sign in and wait for the list: the visits screen."""
    await sign_in(pilot, staff_id, pin)
    await settle(pilot)
    return pilot.app.screen


async def _opened(pilot, make_form):
    """Sign in and open the form ``make_form(session)`` makes; the form."""
    app = pilot.app
    await _signed_in(pilot)
    form = make_form(app.session)
    app.push_screen(form)
    await pilot.pause()
    assert app.screen is form
    return form


def _fill(form, **values: str) -> None:
    """Put each value in its field, as if typed."""
    for name, value in values.items():
        form.field(name).control.value = value


async def _saved(pilot) -> None:
    """Ctrl+S, and wait for the save (or the form's refusal)."""
    await pilot.press("ctrl+s")
    await settle(pilot)


async def _new_visit_form(pilot) -> VisitForm:
    return await _opened(pilot, lambda session: VisitForm(session, household_id="hh-01"))


# --- 1. nothing irreversible on one key ---------------------------------------------------


async def test_escape_on_an_untouched_form_closes_it_at_once(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _new_visit_form(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)


async def test_escape_on_a_typed_form_asks_and_keeps_it_unless_told_to_discard(store):
    visits_before = len(store.raw("visit"))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        await pilot.press(*"问候了")
        assert form.field("greeting").value == "问候了"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "放弃" in app.screen.question
        # Enter on the question keeps the form: its default is 否.
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and form.field("greeting").value == "问候了"
        # So does a second Esc.
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is form and form.field("greeting").value == "问候了"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
    assert len(store.raw("visit")) == visits_before


async def test_what_the_program_fills_in_is_not_a_change_that_asks(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        form.field("notes").value = "由程序填入"  # as a rule or a revealed number is
        await pilot.pause()
        assert not form.changed()
        await pilot.press(*"x", "backspace")  # typed, then taken back: as it opened
        assert not form.changed()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)


async def test_quitting_with_a_typed_form_asks_and_no_keeps_the_program(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        await pilot.press(*"问候了")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "走访记录" in app.screen.question and "退出" in app.screen.question
        await pilot.press("ctrl+q")  # asked already: not a second question
        await pilot.pause()
        assert len([s for s in app.screen_stack if isinstance(s, ConfirmDialog)]) == 1
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and app.screen is form
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
        assert not app.is_running


async def test_quitting_with_an_untouched_form_does_not_ask(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _new_visit_form(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_issuing_shows_the_number_it_takes_and_no_issues_nothing(store):
    draft = _draft(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f4", SlipsScreen)
        assert screen.table.move_to(draft.id)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert "湘龙群交〔2026〕第0001号" in question and "路灯不亮" in question
        assert "永不再用" in question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert slips.get_slip(store, draft.id).state is SlipState.DRAFTED
        assert not store.raw("slip_issue")


def test_a_number_taken_after_it_was_shown_is_not_given_unseen(store):
    first, second = _draft(store, "路灯不亮"), _draft(store, "井盖松动")
    on, calendar = dt.date(2026, 11, 26), OfficialCalendar()
    shown, due = slips.issue_preview(store, first.id, on=on, calendar=calendar)
    assert shown == "湘龙群交〔2026〕第0001号" and due.date > on
    assert not store.raw("slip_issue")  # a preview writes nothing
    slips.issue(store, second.id, on=on, actor="测试", calendar=calendar)  # takes 0001
    with pytest.raises(SlipActionRefused) as refused:
        slips.issue(store, first.id, on=on, actor="测试", calendar=calendar, expected_number=shown)
    assert "第0001号" in str(refused.value) and "第0002号" in str(refused.value)
    assert slips.get_slip(store, first.id).state is SlipState.DRAFTED
    issued = slips.issue(
        store,
        first.id,
        on=on,
        actor="测试",
        calendar=calendar,
        expected_number="湘龙群交〔2026〕第0002号",
    )
    assert issued.number == "湘龙群交〔2026〕第0002号"


def test_a_slip_that_cannot_be_issued_is_refused_before_asking(store):
    draft = _draft(store, unit=None)
    with pytest.raises(SlipActionRefused, match="承办单位"):
        slips.issue_preview(store, draft.id, on=dt.date(2026, 11, 26), calendar=OfficialCalendar())


async def test_a_reminder_is_written_only_when_the_question_is_answered_yes(store):
    draft = _draft(store)
    slips.issue(store, draft.id, on=dt.date(2026, 10, 9), actor="测试", calendar=OfficialCalendar())
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4", SlipsScreen)
        await pilot.press("b")
        await settle(pilot)
        board = app.screen
        assert board.query_one(RecordTable).move_to(draft.id)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "路灯不亮" in app.screen.question
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is board
        assert not store.raw("slip_reminder")
        assert not (store.paths.folder / "exports").exists() or not list(
            (store.paths.folder / "exports").glob("催办-*")
        )


# --- 2. where am I ------------------------------------------------------------------------


def _error(form, name: str) -> str:
    return str(form.field(name).query_one(".field-error", Static).content)


async def test_an_edited_visit_opens_on_its_first_field_a_new_one_where_typing_starts(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        assert app.focused is form.field("greeting").control
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.table.move_to("visit-1")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, VisitForm) and not form.is_new
        assert app.focused is form.field("date").control


async def test_every_form_opens_with_the_cursor_on_a_field(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in(pilot)
        session = app.session
        staff = store.get(Staff, HEAD_ID)
        station = store.get(Station, factories.STATION_ID)
        for form, first in (
            (HouseholdForm(session), "household_no"),
            (StaffForm(session, staff), "name"),
            (StationForm(session, station), "name"),
            (CaseForm(session, "hh-01"), "opened_on"),
            (AppointmentForm(session, "hh-01"), "reason"),
            (StepForm("cmd.slips.return", RETURN_STEPS, lambda v: None), "reason"),
            (SlipForm(session, _draft(store, unit=None)), "handling_unit"),
        ):
            app.push_screen(form)
            await pilot.pause()
            assert app.focused is form.field(first).control, type(form).__name__
            app.pop_screen()
            await pilot.pause()


async def test_the_focused_field_has_a_bar_and_its_label_stands_out(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        focused, other = form.field("greeting"), form.field("hardships")
        accent = Color.parse(app.current_theme.accent)

        def near(color: Color, other: Color) -> bool:  # the theme's colour, rounded
            return all(abs(a - b) <= 2 for a, b in zip(color.rgb, other.rgb, strict=True))

        def bar(field) -> Color:
            kind, color = field.query_one(Horizontal).styles.border_left
            assert kind
            return color

        assert near(bar(focused), accent) and not near(bar(other), accent)
        label_on = focused.query_one(Label).styles
        label_off = other.query_one(Label).styles
        assert near(label_on.background, accent) and not near(label_off.background, accent)
        assert "bold" in str(label_on.text_style)
        await pilot.press("tab")  # the bar moves with the cursor
        await pilot.pause()
        assert near(bar(other), accent) and not near(bar(focused), accent)


def _row_styles(app, text: str) -> list:
    """The styles of the segments of the screen line holding ``text``."""
    for strip in app.screen._compositor.render_strips():
        if text in strip.text:
            # (the list's bar at its left is not part of the row)
            return [seg.style for seg in strip if seg.text.strip() not in ("", "▌")]
    raise AssertionError(f"{text} not on screen")


async def test_the_selected_row_is_a_bold_bar_with_or_without_the_focus(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _signed_in(pilot)
        assert screen.table.move_to("visit-2")  # 2026-11-24, the first row
        await pilot.pause()
        for where in ("table", "filter"):
            if where == "filter":
                await pilot.press("slash")
                await pilot.pause()
                assert isinstance(app.focused, Input)
            selected = _row_styles(app, "2026-11-24")
            others = _row_styles(app, "2026-11-20")
            assert all(style.bold for style in selected), where
            assert not any(style.bold for style in others), where
            assert {s.bgcolor for s in selected}.isdisjoint({s.bgcolor for s in others})


async def test_a_failed_save_shows_every_fields_problem_at_once_and_goes_to_the_first(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_visit_form(pilot)
        _fill(form, visitors="李敏、不认识", start_time="25:00", date="2026-13-01")
        form.field("greeting").control.focus()
        await _saved(pilot)
        assert app.screen is form
        # All three at once, each under its own field, whichever is found first.
        assert "不认识" in _error(form, "visitors")
        assert "25:00" in _error(form, "start_time")
        assert "2026-13-01" in _error(form, "date")
        assert str(form.query_one("#form-message", Static).content) == "请先改正标出的项目。"
        assert app.focused is form.field("date").control  # the first, top to bottom
        lines = screen_text(app).splitlines()
        [row] = [i for i, line in enumerate(lines) if "2026-13-01" in line and "日期" in line]
        assert "「2026-13-01」" in lines[row + 1]  # beneath it, on screen


async def test_a_staff_forms_pin_problem_is_under_the_pin_with_the_others(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _opened(pilot, lambda session: StaffForm(session))
        _fill(form, pin="12", phone="123")
        await _saved(pilot)
        assert app.screen is form
        assert "4 到 8 位数字" in _error(form, "pin")
        assert "手机" in _error(form, "phone") or "电话" in _error(form, "phone")
        assert _error(form, "name")  # required, said at the same time
        assert app.focused is form.field("name").control


async def test_a_step_forms_problems_are_under_their_fields_at_once(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _opened(
            pilot,
            lambda session: StepForm("cmd.slips.return", RETURN_STEPS, lambda v: pytest.fail()),
        )
        form.field("on").control.value = "2026-02-30"
        await _saved(pilot)
        assert _error(form, "on") and _error(form, "reason")
        assert str(form.query_one("#form-message", Static).content) == "请先改正标出的项目。"
        assert app.focused is form.field("on").control


# --- 3. finding things ----------------------------------------------------------------------


def _shown_ids(screen) -> list[str]:
    return [row.id for row in screen.table.shown]


async def test_a_new_draft_is_at_the_top_of_the_slips_and_selected(store):
    issued = _draft(store, "井盖松动")
    slips.issue(
        store, issued.id, on=dt.date(2026, 11, 2), actor="测试", calendar=OfficialCalendar()
    )
    older = _draft(store, "树枝挡路")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f4", SlipsScreen)
        assert _shown_ids(screen)[0] == older.id  # a draft above the numbered slips
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SlipForm)
        await pilot.press(*"路灯不亮")
        form.field("description").control.value = "三栋门前路灯不亮"
        await _saved(pilot)
        assert app.screen is screen
        (new,) = [s["id"] for s in store.raw("handoff_slip") if s["title"] == "路灯不亮"]
        assert _shown_ids(screen)[:3] == [new, older.id, issued.id]
        assert screen.table.current_id == new
        assert screen.table.query_one(DataTable).cursor_row == 0


async def test_the_visits_filter_finds_a_problems_text(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _signed_in(pilot)
        await pilot.press("slash", *"材料不会填")
        await pilot.pause()
        assert _shown_ids(screen) == ["visit-2"]
        screen.table.query_one("#table-filter", Input).value = "社会保障"  # its category
        await pilot.pause()
        assert _shown_ids(screen) == ["visit-2"]


async def test_home_and_end_go_to_the_first_and_last_row(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f3")
        table = screen.table.query_one(DataTable)
        assert table.row_count == 8 and table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 7 and screen.table.current_id == "hh-08"
        await pilot.press("home")
        assert table.cursor_row == 0 and screen.table.current_id == "hh-01"


async def test_the_filter_is_emptied_when_another_person_signs_in(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _signed_in(pilot)
        await pilot.press("slash", *"HL01-0005")
        await pilot.pause()
        assert _shown_ids(screen) == ["visit-2"]
        await pilot.press("enter")  # back to the list, the filter kept
        app.action_sign_out()
        await pilot.pause()
        await _signed_in(pilot, WORKER_ID, pin="")
        assert app.screen is screen
        assert screen.table.query_one("#table-filter", Input).value == ""
        assert sorted(_shown_ids(screen)) == ["visit-1", "visit-2", "visit-3"]


async def test_the_filter_is_kept_when_the_same_person_signs_in_again(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _signed_in(pilot)
        await pilot.press("slash", *"HL01-0005", "enter")
        app.action_sign_out()
        await pilot.pause()
        await _signed_in(pilot)
        assert screen.table.query_one("#table-filter", Input).value == "HL01-0005"
        assert _shown_ids(screen) == ["visit-2"]


# --- 4. one wording -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pin", "again", "expected"),
    [
        ("", "", {}),
        ("2468", "2468", {}),
        ("2468", "", {"pin_again": "必填，不能为空"}),
        ("2468", "2469", {"pin_again": "与第一次输入的 PIN 不一致"}),
        ("", "2468", {"pin_again": "与第一次输入的 PIN 不一致"}),
        # the second as strict as the first: what a PIN must be, not only "differs"
        ("2468", "24a8", {"pin_again": "PIN 必须是 4 到 8 位数字"}),
        ("12", "12", {"pin": "PIN 必须是 4 到 8 位数字", "pin_again": "PIN 必须是 4 到 8 位数字"}),
    ],
)
def test_the_pin_typed_again_is_held_to_the_pins_rule(pin, again, expected):
    set_language("zh")
    assert pin_problems(pin, again) == expected


async def test_a_staff_pin_is_saved_only_when_typed_twice_alike(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _opened(pilot, lambda session: StaffForm(session, store.get(Staff, WORKER_ID)))
        _fill(form, pin="1357", pin_again="1375")
        await _saved(pilot)
        assert app.screen is form and _error(form, "pin_again") == "与第一次输入的 PIN 不一致"
        assert app.focused is form.field("pin_again").control
        form.field("pin_again").control.value = "1357"  # typed again, alike
        await _saved(pilot)
        assert app.screen is not form
    saved = store.get(Staff, WORKER_ID)
    assert verify_pin("1357", saved.pin_hash, saved.pin_salt)


async def test_a_case_forms_causes_are_said_under_them_with_the_others_at_once(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _opened(pilot, lambda session: CaseForm(session, "hh-01"))
        _fill(form, opened_on="2026-13-01")
        await _saved(pilot)
        assert app.screen is form
        assert _error(form, "causes") == "请至少选择一个致困原因"  # no 。 under a field
        assert _error(form, "opened_on")
        # nothing left for the summary to name in the model's words (致困原因[1])
        assert str(form.query_one("#form-message", Static).content) == "请先改正标出的项目。"
        assert app.focused is form.field("opened_on").control


async def test_first_and_last_row_are_in_the_help_and_follow_a_remapped_key(store):
    app = make_app(store, make_settings(keymap={"list.bottom": "ctrl+e"}))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f3")
        table = screen.table.query_one(DataTable)
        await pilot.press("ctrl+e")
        assert table.cursor_row == 7
        await pilot.press("f1")
        await pilot.pause()
        shown = screen_text(app)
        assert "第一行" in shown and "最后一行" in shown


async def test_closing_a_slip_asks_first(store):
    draft = _draft(store)
    on, calendar = dt.date(2026, 11, 20), OfficialCalendar()
    slips.issue(store, draft.id, on=on, actor="测试", calendar=calendar)
    slips.reply(
        store,
        draft.id,
        reply_date=on,
        result="已修好",
        policy_basis="",
        handler="王工",
        signer=None,
        actor="测试",
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f4", SlipsScreen)
        assert screen.table.move_to(draft.id)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "第0001号" in app.screen.question and "路灯不亮" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert slips.get_slip(store, draft.id).state is SlipState.REPLIED
        await pilot.press("d", "y")
        await settle(pilot)
        assert slips.get_slip(store, draft.id).state is SlipState.CLOSED
