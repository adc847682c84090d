"""Issue #19, the frictions left: a household's whole history on a screen, appointments
that give their time and say when they are missed, the hardship form's household picker
and causes to check, lists that use the width and say how they are sorted, a header that
always says read-only, offline and who, key map entries checked, and help, dropdowns,
dates and the first start's slip number plain to read."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from textual.widgets import DataTable, Input, Select, SelectionList

from grassroots_tui.models import (
    Appointment,
    HardshipCase,
    HardshipCause,
    SlipSource,
    Station,
    VisitKind,
)
from grassroots_tui.services import slips
from grassroots_tui.store import StoreError
from grassroots_tui.tui.dialogs.appointments import AppointmentsDialog
from grassroots_tui.tui.dialogs.hardship_forms import CaseForm
from grassroots_tui.tui.dialogs.pick_household import PickHousehold
from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.hardship import HardshipScreen
from grassroots_tui.tui.screens.household_history import HouseholdHistoryScreen
from grassroots_tui.tui.screens.households import HouseholdsScreen
from grassroots_tui.tui.screens.setup import SetupScreen, slip_number_format
from grassroots_tui.tui.screens.slips import SlipsScreen
from grassroots_tui.tui.screens.visits import VisitsScreen
from grassroots_tui.tui.widgets.record_table import fill_widths
from tests import factories
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    HEAD_ID,
    STATION_ID,
    TODAY,
    WORKER_ID,
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
WIDE = (120, 30)


def _header(screen) -> str:
    table = screen.table.query_one(DataTable)
    return " | ".join(column.label.plain for column in table.ordered_columns)


def _shown_cells(screen, row_id: str) -> list[str]:
    table = screen.table.query_one(DataTable)
    return [cell.plain for cell in table.get_row(row_id)]


# --- 1. a household's history is a screen of its own --------------------------------------


async def test_enter_on_a_household_opens_its_whole_history_and_esc_comes_back(store):
    # More visits than the old pane's five, each listed.
    store.save_many(
        [
            factories.visit(
                "hh-05",
                WORKER_ID,
                id=f"visit-extra-{day}",
                date=dt.date(2026, 9, day),
                hardships=f"九月{day}日反映的事",
            )
            for day in range(1, 8)
        ],
        actor="测试",
    )
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        households = await open_section(pilot, "f3", HouseholdsScreen)
        assert households.table.move_to("hh-05")
        await pilot.press("enter")
        await settle(pilot)
        history = app.screen
        assert isinstance(history, HouseholdHistoryScreen)
        # A screen, not a pane: the whole terminal.
        assert history.size == app.size
        shown = screen_text(app)
        assert "李敏（站长）" in shown.splitlines()[0]  # the header, as on every screen
        assert "HL01-0005" in shown and "李**" in shown
        assert "走访（8 次）" in shown
        body = history.query_one("#history-body")
        text = "\n".join(
            str(static.render()) for static in body.query("Static")
        )  # all of it, seen or scrolled to
        for day in range(1, 8):
            assert f"九月{day}日反映的事" in text
        assert "低保申请材料不会填" in text and "反映问题（1 个）" in text
        assert "交办单（0 件）" in text and "困难帮扶档案（0 个）" in text
        assert app.focused is body  # the arrows and PgDn scroll it at once
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is households and households.table.current_id == "hh-05"
        await pilot.press("h")  # the key of its own, in the footer and the help
        await settle(pilot)
        assert isinstance(app.screen, HouseholdHistoryScreen)


# --- 2. appointments --------------------------------------------------------------------------


async def test_an_appointment_past_its_time_today_is_missed_and_its_visit_takes_its_time(store):
    morning = Appointment(
        id="appt-morning",
        station_id=STATION_ID,
        household_id="hh-03",
        requested_by="欧阳娜娜",
        requested_at=dt.datetime(2026, 11, 20, 9, 0).astimezone(),
        planned_date=TODAY,
        planned_time=dt.time(9, 0),  # the clock says 10:00
        reason="门锁坏了",
    )
    store.save(morning, actor="测试")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f2", VisitsScreen)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppointmentsDialog)
        table = dialog.query_one(DataTable)
        states = {key.value: table.get_row(key)[1] for key in table.rows}
        assert states == {"appt-morning": "已错过", "appt-missed": "已错过", "appt-today": "今天"}
        table.move_cursor(row=table.get_row_index("appt-today"))  # 15:00 today
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, VisitForm)
        assert form.field("start_time").value == "15:00"
        assert form.field("end_time").value == "15:30"
        assert form.field("date").value == "2026-11-26"
        assert form.field("visit_kind").value == VisitKind.APPOINTMENT.value


# --- 3. the hardship form: the household picker, causes to check -------------------------------


async def test_a_hardship_case_is_opened_for_a_picked_household_with_causes_checked(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f5", HardshipScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PickHousehold)  # the visit form's own picker
        await pilot.press(*"oyn")  # 欧阳娜娜 by her initials
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CaseForm) and form.household.id == "hh-03"
        assert "HL01-0003" in screen_text(app)
        causes = form.field("causes").control
        assert isinstance(causes, SelectionList)
        assert causes.option_count == len(HardshipCause)
        causes.focus()
        await pilot.pause()
        await pilot.press("space", "down", "down", "space")  # 疾病, 失业
        await pilot.pause()
        assert form.field("causes").value == "illness、unemployment"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CaseForm)
    [case] = store.all(HardshipCase)
    assert case.household_id == "hh-03"
    assert case.causes == [HardshipCause.ILLNESS, HardshipCause.UNEMPLOYMENT]


# --- 4. lists: the sort arrow, the width used -------------------------------------------------


def test_the_room_left_goes_to_the_columns_whose_text_is_cut():
    # (own widths, the text's widths, the room): a column is as wide as its text up to
    # its own width; the room left goes to text that would be cut, then back to the
    # columns' own widths.
    assert fill_widths([10, 6, 12], [10, 4, 40], 60) == [10, 6, 40]
    assert fill_widths([10, 6, 12], [10, 4, 40], 30) == [10, 4, 16]
    assert fill_widths([10, 6, 12], [30, 4, 40], 48) == [21, 4, 23]
    assert fill_widths([10, 6], [10, 4], 20) == [10, 6]  # nothing cut: the rest empty
    assert fill_widths([12, 8, 12], [8, 10, 13], 32) == [9, 10, 13]
    assert fill_widths([12, 8, 12], [8, 10, 13], 30, floor=[4, 4, 4]) == [8, 9, 13]
    # Short of room: the cut ones give back first, the widest first, down to their titles.
    assert fill_widths([10, 20], [10, 40], 24, floor=[4, 4]) == [10, 14]
    assert fill_widths([10, 20], [10, 40], 10, floor=[4, 4]) == [6, 4]


async def test_the_sorted_column_has_an_arrow_in_its_header(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_section(pilot, "f3", HouseholdsScreen)
        assert "▲" not in _header(screen) and "▼" not in _header(screen)
        await pilot.press("s")
        await pilot.pause()
        assert _header(screen).startswith("户号 ▲ | 户主 |")
        await pilot.press("s")
        await pilot.pause()
        assert _header(screen).startswith("户号 ▼ | 户主 |")
        await pilot.press("s")
        await pilot.pause()
        assert _header(screen).startswith("户号 | 户主 ▲ |")
        assert "户主 ▲" in screen_text(app)


LONG_TITLE = "小区东门路灯不亮居民夜间出行很不方便"


def _long_draft(store):
    station = store.get(Station, factories.STATION_ID)
    draft = slips.draft_slip(
        station,
        source=SlipSource.HOTLINE,
        category="城市管理",
        title=LONG_TITLE,
        description="居民反映多次。",
        handling_unit="街道城管办",
    )
    return slips.save_draft(store, draft, "测试")


async def test_a_list_uses_the_width_there_is_and_a_cut_text_ends_in_an_ellipsis(store):
    draft = _long_draft(store)
    app = make_app(store)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_section(pilot, "f4", SlipsScreen)
        assert LONG_TITLE in _shown_cells(screen, draft.id)  # whole at 120 columns
        assert LONG_TITLE in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        cells = _shown_cells(screen, draft.id)
        [title] = [cell for cell in cells if cell.startswith("小区东门")]
        assert title.endswith("…") and LONG_TITLE.startswith(title.removesuffix("…"))
        assert title in screen_text(app)  # (the detail pane below has it whole)
        # Cut to its column: nothing pushed off the right edge to scroll to.
        table = screen.table.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        await pilot.resize_terminal(*WIDE)
        await settle(pilot)
        assert LONG_TITLE in _shown_cells(screen, draft.id)


# --- 5. the header, the error notice --------------------------------------------------------


async def test_the_header_says_who_and_standalone_or_read_only_at_all_times(store, tmp_path):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f3")
        first = screen_text(app).splitlines()[0]
        assert "李敏（站长）" in first and "单机" in first and "只读" not in first
        await pilot.press("f4", "b")  # a screen over the section (the board) has it too
        await settle(pilot)
        first = screen_text(app).splitlines()[0]
        assert "李敏（站长）" in first and "单机" in first
    from tests.tui_fixtures import open_store

    readonly = open_store(store.paths.main)  # the store is held: this one is read-only
    try:
        assert readonly.readonly
        app = make_app(readonly)
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            app.clear_notifications()  # the notice fades; the header stays
            for key in ("f2", "f4", "f5"):
                await pilot.press(key)
                await settle(pilot)
                first = screen_text(app).splitlines()[0]
                assert "只读" in first and "李敏（站长）" in first, key
    finally:
        readonly.close()


async def test_an_error_notice_goes_once_the_error_is_fixed_and_saved(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        app.notify("别的提示", severity="error", title="另一件事")  # not the form's: kept
        form = VisitForm(app.session, household_id="hh-01")
        app.push_screen(form)
        await pilot.pause()
        real_save = form.save
        failures = [StoreError("磁盘已满，保存失败")]

        def save(built):
            if failures:
                raise failures.pop()
            return real_save(built)

        form.save = save  # type: ignore[method-assign]
        form.field("greeting").control.value = "身体很好"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert any("磁盘已满" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")  # fixed (the disk has room again): saved
        await settle(pilot)
        assert app.screen is not form
        messages = [n.message for n in app._notifications]
        assert not any("磁盘已满" in m for m in messages)
        assert "别的提示" in messages


# --- 6. the key map --------------------------------------------------------------------------


async def test_a_bad_key_map_entry_is_named_at_start_and_the_default_kept(store):
    keymap = {
        "visits.nothing": "x",  # no such command
        "visits.edit": "ctrl+nonsense",  # no such key
        "visits.appointments": "n",  # 新增走访's key
        "list.bottom": "ctrl+e",  # fine
    }
    app = make_app(store, make_settings(keymap=keymap))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        notices = [n.message for n in app._notifications if n.title == "按键设置有误"]
        assert len(notices) == 3, notices
        assert any('"visits.nothing": "x"' in m and "没有这个命令编号" in m for m in notices)
        assert any('"visits.edit": "ctrl+nonsense"' in m and "无法识别" in m for m in notices)
        assert any(
            '"visits.appointments": "n"' in m and "新增走访" in m and "visits.new" in m
            for m in notices
        )
        # The defaults stay: n a new visit, a the appointments, e the edit; ctrl+e applies.
        assert app._keymap == {"list.bottom": "ctrl+e"}
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PickHousehold)
        await pilot.press("escape", "a")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsDialog)


# --- 7. help, dropdowns, dates, the first start -------------------------------------------


async def test_the_help_shows_every_commands_id_at_80_columns(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f3")
        await pilot.press("f1")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        ids = [table.get_row_at(i)[2] for i in range(table.row_count)]
        assert "households.history" in ids and "app.quit" in ids
        shown = screen_text(app)
        for command in ids[:12]:  # the rows on the screen
            assert command in shown, command


async def test_dropdowns_are_framed_and_a_date_is_never_cut(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        form = VisitForm(app.session, household_id="hh-01")
        app.push_screen(form)
        await pilot.pause()
        date = form.field("date").control
        assert isinstance(date, Input)
        assert date.content_region.width > cell_len("2026-11-26")
        kind = form.field("visit_kind").control
        assert isinstance(kind, Select)
        kind.focus()
        await pilot.press("enter")  # open the dropdown
        await pilot.pause()
        overlay = kind.query_one("SelectOverlay")
        assert overlay.styles.border_top[0] == "round"
        await pilot.press("escape")
        await pilot.pause()
    # A date shares a row with two dropdowns in the hardship form: not cut there either.
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        form = CaseForm(app.session, "hh-01")
        app.push_screen(form)
        await pilot.pause()
        assert form.field("opened_on").control.content_region.width > cell_len("2026-11-26")
        assert "2026-11-26" in screen_text(app)


def test_an_example_slip_number_becomes_its_pattern():
    assert slip_number_format("湘龙群交〔2026〕第0001号", 2026) == "湘龙群交〔{year}〕第{seq:04d}号"
    assert slip_number_format("交[2026]HL01-0001号", 2026) == "交[{year}]HL01-{seq:04d}号"
    assert slip_number_format("XJ-12", 2026) == "XJ-{seq:02d}"
    assert slip_number_format("交〔2026〕号", 2026) is None  # no sequence number
    assert slip_number_format("a{b}2026-01", 2026) == "a{{b}}{year}-{seq:02d}"


async def test_first_start_shows_an_example_slip_number_and_saves_its_pattern(tmp_path):
    from tests.tui_fixtures import open_store

    store = open_store(tmp_path / "fresh" / "grassroots.json")
    try:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            form = app.screen
            assert isinstance(form, SetupScreen)
            field = form.field("slip_number_format")
            assert field.value == "湘龙群交〔2026〕第0001号"
            assert "{" not in screen_text(app)
            assert "交办单编号样例" in screen_text(app)
            pin, again = form.field("pin").control, form.field("pin_again").control
            assert (again.password, again.max_length) == (pin.password, pin.max_length)
            field.control.value = "交[2026]HL01-0001号"
            station = {
                "name": "湘景社区群众工作站",
                "code": "hl01",
                "community": "湘景社区",
                "street_office": "湘龙街道",
            }
            built = form.build(form.values() | station)
            assert built[0].slip_number_format == "交[{year}]HL01-{seq:04d}号"
            field.control.value = "交办单"
            form.check()
            await pilot.pause()
            assert form.field("slip_number_format").error_text == "编号里要有序号，如 第0001号"
    finally:
        store.close()


async def test_the_station_form_edits_the_slip_number_as_an_example_too(store):
    from grassroots_tui.tui.dialogs.staff_form import StationForm

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        station = store.get(Station, STATION_ID)
        form = StationForm(app.session, station)
        app.push_screen(form)
        await pilot.pause()
        field = form.field("slip_number_format")
        assert field.value == station.slip_number_format.format(year=2026, seq=1)
        assert form.build(form.values()).slip_number_format == station.slip_number_format
        field.control.value = "交[2026]HL01-0001号"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert store.get(Station, STATION_ID).slip_number_format == "交[{year}]HL01-{seq:04d}号"
