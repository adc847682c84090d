"""The terminal program driven headless with Textual's Pilot, on a small fixed store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, OptionList, Static

from grassroots_tui.i18n import set_language
from grassroots_tui.models import Household, Staff, StaffRole, Visit
from grassroots_tui.services.auth import verify_pin
from grassroots_tui.store.files import read_header
from grassroots_tui.store.keyslots import KeySlots, Passphrase, RecoveryKey
from grassroots_tui.tui.dialogs.import_dialog import ImportDialog
from grassroots_tui.tui.dialogs.pick_household import PickHousehold
from grassroots_tui.tui.dialogs.recovery_key import RecoveryKeyDialog
from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.help import HelpScreen
from grassroots_tui.tui.screens.households import HouseholdsScreen
from grassroots_tui.tui.screens.setup import SetupScreen
from grassroots_tui.tui.screens.signin import SignInScreen
from grassroots_tui.tui.screens.visits import VisitsScreen
from tests import factories
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    HEAD_PIN,
    HOUSEHOLDS,
    RETIRED_ID,
    TODAY,
    WORKER_ID,
    build_store,
    make_app,
    make_settings,
    open_section,
    open_store,
    screen_text,
    settle,
    sign_in,
)

SIZE = (80, 24)
PASSPHRASE = "station passphrase 湘景"
ACTOR = f"{HEAD_NAME}#{HEAD_ID}"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The fixed store, built once per module (PIN hashing is slow on purpose)."""
    folder = tmp_path_factory.mktemp("template")
    return build_store(folder / "grassroots.json")


@pytest.fixture
def db(template, tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    return folder / template.name


@pytest.fixture
def store(db):
    store = open_store(db)
    yield store
    store.close()


def table_rows(screen, table_id: str) -> list[list[str]]:
    table = screen.query_one(f"#{table_id} #table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def status(screen, table_id: str) -> str:
    return str(screen.query_one(f"#{table_id} #table-status", Static).content)


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def palette_hits(pilot, query: str) -> list[str]:
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)

    def found() -> list[str]:
        """The hits listed (not the palette's "no matches" line, which is no hit)."""
        commands = app.screen.query_one(CommandList)
        options = [commands.get_option_at_index(i) for i in range(commands.option_count)]
        return [option.hit.text for option in options if hasattr(option, "hit")]

    hits: list[str] = []
    for _ in range(40):  # the palette searches in the background
        await pilot.pause(0.05)
        hits = found()
        if hits:
            await pilot.pause(0.1)  # let slower providers add theirs
            return found()
    return hits


# --- signing in -------------------------------------------------------------------------


async def test_sign_in_with_the_right_pin_opens_the_visits_screen(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.session is None
        # Keyboard only: the staff list has focus, 李敏 (the head) comes first.
        await pilot.press("enter")  # choose 李敏: the PIN box gets focus
        assert app.screen.focused is app.screen.query_one("#signin-pin", Input)
        await pilot.press(*HEAD_PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)
        assert app.current_mode == "visits"
        assert app.session.operator.id == HEAD_ID
        assert app.session.station_id == factories.STATION_ID
        bar = screen_text(app).splitlines()[0]
        assert "李敏（站长）" in bar and "2026-11-26" in bar
        assert app.settings.last_operator == HEAD_ID


async def test_worker_without_pin_signs_in_with_an_empty_pin(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)
        assert app.session.operator.id == WORKER_ID


async def test_five_wrong_pins_make_the_staff_member_wait(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        message = app.screen.query_one("#signin-message", Static)
        pin_box = app.screen.query_one("#signin-pin", Input)

        async def attempt(pin: str) -> str:
            pin_box.value = pin
            await pilot.press("enter")
            await pilot.pause()
            assert pin_box.value == ""  # the PIN box is cleared after every attempt
            return str(message.content)

        for number in range(1, 5):
            assert await attempt("0000") == f"PIN 不正确，还可以再试 {5 - number} 次。"
        fifth = await attempt("0000")
        assert "已连续输错 5 次" in fifth and "请 1 分钟后再试" in fifth
        # While waiting even the right PIN is refused.
        assert "输错次数过多" in await attempt(HEAD_PIN)
        assert isinstance(app.screen, SignInScreen)
        assert app.session is None
        assert "PIN 输错次数过多" in screen_text(app)


async def test_retired_staff_are_not_offered(store):
    assert store.get(Staff, RETIRED_ID).active is False
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#signin-staff", OptionList)
        offered = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert offered == [HEAD_ID, WORKER_ID]
        assert "王五" not in screen_text(app)


async def test_first_start_walks_through_setup_and_creates_station_and_head(tmp_path):
    store = open_store(tmp_path / "new" / "grassroots.json")
    try:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen)
            assert app.screen.focused is app.screen.field("name").control
            # Every field by keyboard, in order; prefilled times and format are kept.
            await pilot.press(
                *"湘景站",
                "tab",
                *"hl02",
                "tab",
                *"湘景",
                "tab",
                *"湘龙",
                "tab",
                "tab",
                "tab",
                "tab",
                *"李敏",
                "tab",
                *"1357",
                "tab",
                *"1357",
                "tab",
                *PASSPHRASE,
                "tab",
                *PASSPHRASE,
                "ctrl+s",
            )
            await settle(pilot)
            # The store is encrypted before anything is in it; the recovery key shows once.
            assert isinstance(app.screen, RecoveryKeyDialog)
            shown = str(app.screen.query_one("#recovery-key", Static).content)
            slots = KeySlots.read(store.paths.keys)
            assert slots is not None and slots.unlocks_with(RecoveryKey(shown)) is not None
            assert slots.unlocks_with(Passphrase(PASSPHRASE)) is not None
            assert "sealed" in (read_header(store.paths.main) or {})
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            assert "群工站已建立，请登录。" in notices(app)
            [station] = store.all("station")
            assert (station.name, station.code, station.community, station.street_office) == (
                "湘景站",
                "HL02",
                "湘景",
                "湘龙",
            )
            assert station.working_start.strftime("%H:%M") == "08:30"
            [head] = store.all("staff")
            assert (head.name, head.role, head.station_id) == ("李敏", StaffRole.HEAD, station.id)
            assert verify_pin("1357", head.pin_hash, head.pin_salt)
            # ... and the new head signs in with that PIN.
            await pilot.press("enter", *"1357", "enter")
            await pilot.pause()
            assert isinstance(app.screen, VisitsScreen)
            assert app.session.operator.id == head.id
    finally:
        store.close()


SETUP_VALUES = {
    "name": "湘景社区群众工作站",
    "code": "HL02",
    "community": "湘景社区",
    "street_office": "湘龙街道",
    "head_name": "李敏",
    "passphrase": PASSPHRASE,
    "passphrase_again": PASSPHRASE,
}


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"pin": "1357", "pin_again": "1358"}, "pin_again", "与第一次输入的 PIN 不一致"),
        ({"pin_again": "1357"}, "pin_again", "与第一次输入的 PIN 不一致"),
        ({"pin": "1357", "pin_again": "13x7"}, "pin_again", "PIN 必须是 4 到 8 位数字"),
        (
            {"passphrase": "20261207", "passphrase_again": "20261207"},
            "passphrase",
            "站点口令：不能只有数字（这不是 PIN），请用一句好记的话，比如几个词连在一起",
        ),
        ({"passphrase_again": PASSPHRASE + "!"}, "passphrase_again", "两次输入的站点口令不一致"),
    ],
)
async def test_setup_refusals_sit_under_their_field_and_write_nothing(
    tmp_path, typed, field, message
):
    store = open_store(tmp_path / "new" / "grassroots.json")
    try:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            form = app.screen
            for name, value in {**SETUP_VALUES, **typed}.items():
                form.field(name).value = value
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            error = form.field(field).query_one(".field-error", Static)
            assert str(error.content) == message
            assert store.count("station") == 0 and store.count("staff") == 0
            assert not store.encrypted
    finally:
        store.close()


# --- visits -----------------------------------------------------------------------------


async def test_log_a_visit_with_the_keyboard_alone(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        before = {v["id"] for v in store.raw("visit")}
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PickHousehold)
        await pilot.press(*"wxy")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1
        assert "王**" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VisitForm)
        assert app.screen.focused is app.screen.field("greeting").control
        await pilot.press(*"很好", "tab", *"漏水", "tab", *"常来", "tab", *"扶手", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)

        [new_id] = {v["id"] for v in store.raw("visit")} - before
        visit = store.get(Visit, new_id)
        assert visit.household_id == "hh-02"
        assert visit.visitor_ids == [HEAD_ID]
        assert (
            visit.date,
            visit.start_time.strftime("%H:%M"),
            visit.end_time.strftime("%H:%M"),
        ) == (TODAY, "10:00", "10:30")
        assert (visit.greeting, visit.hardships, visit.opinions, visit.suggestions) == (
            "很好",
            "漏水",
            "常来",
            "扶手",
        )
        [entry] = store.history("visit", new_id)
        assert (entry["actor"], entry["action"]) == (ACTOR, "create")
        assert visit.created_by == ACTOR

        assert "2026-11-26 的走访已保存。" in notices(app)
        rows = table_rows(app.screen, "visits-table")
        assert rows[0][:5] == ["2026-11-26", "10:00", "走访", "HL01-0002", "王**"]
        assert app.screen.table.current_id == new_id
        assert "本月走访 3 户" in str(app.screen.query_one("#visit-rate", Static).content)


async def test_form_error_is_shown_next_to_the_field_and_nothing_is_saved(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n", *"wxy", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VisitForm)
        end = form.field("end_time")
        end.control.focus()
        end.control.value = "09:00"  # before the 10:00 start
        await pilot.press("tab")  # leaving the field checks it
        await pilot.pause()
        error = end.query_one(".field-error", Static)
        assert str(error.content) == "不能早于开始时间"
        assert "-empty" not in error.classes
        assert end.control.has_class("-invalid")
        assert form.field("start_time").query_one(".field-error", Static).has_class("-empty")
        # The message is on screen beneath the field, and what was typed stays visible.
        lines = screen_text(app).splitlines()
        [row] = [i for i, line in enumerate(lines) if "结束" in line]
        assert "结束 09:00" in lines[row]
        assert "不能早于开始时" in lines[row + 1]

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one("#form-message", Static).content) == "请先改正标出的项目。"
        assert store.count("visit") == 3

        # Correcting the field clears its message (messages are redrawn only when they
        # change, so a cleared one must not stay behind), and the form saves.
        end.control.focus()
        end.control.value = "10:40"
        await pilot.press("tab")
        await pilot.pause()
        assert str(error.content) == "" and error.has_class("-empty")
        assert not end.control.has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
        assert store.count("visit") == 4


async def test_appointment_due_today_is_listed_and_becomes_a_visit(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("a")
        await pilot.pause()
        table = app.screen.query_one("#appointments-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[1] for r in rows] == ["已错过", "今天"]
        assert rows[1][2:4] == ["HL01-0002", "王**"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VisitForm)
        assert app.screen.field("visit_kind").value == "appointment"
        app.screen.field("greeting").value = "已上门查看"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.get_raw("appointment", "appt-today")["state"] == "done"
        visit_id = store.get_raw("appointment", "appt-today")["visit_id"]
        assert store.get(Visit, visit_id).appointment_id == "appt-today"


# --- households list --------------------------------------------------------------------


async def test_typing_pinyin_initials_narrows_the_households_and_names_stay_masked(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f3")
        screen = app.screen
        assert isinstance(screen, HouseholdsScreen)
        assert len(table_rows(screen, "households-table")) == 8
        await pilot.press("slash", *"oynn")
        await pilot.pause()
        rows = table_rows(screen, "households-table")
        assert [r[:2] for r in rows] == [["HL01-0003", "欧阳**"]]
        assert status(screen, "households-table").startswith("1 / 8 条")
        text = screen_text(app)
        assert "欧阳**" in text and "欧阳娜娜" not in text
        # Names are never shown whole, in the table or the detail pane.
        for _hid, _no, name, *_rest in HOUSEHOLDS:
            assert name not in text
        await pilot.press("x")  # "oynnx" matches nothing
        await pilot.pause()
        assert table_rows(screen, "households-table") == []
        screen.query_one("#households-table #table-filter", Input).value = "zs"
        await pilot.pause()  # 张三丰 only (张桂兰 is zgl)
        assert [r[0] for r in table_rows(screen, "households-table")] == ["HL01-0004"]


async def test_sorting_by_a_column(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f3")
        screen = app.screen

        def numbers() -> list[str]:
            return [r[0] for r in table_rows(screen, "households-table")]

        ascending = [f"HL01-000{i}" for i in range(1, 9)]
        assert numbers() == ascending
        await pilot.press("s")  # by 户号, ascending
        await pilot.pause()
        assert numbers() == ascending
        assert "按“户号”排序↑" in status(screen, "households-table")
        await pilot.press("s")  # again: descending
        await pilot.pause()
        assert numbers() == ascending[::-1]
        assert "按“户号”排序↓" in status(screen, "households-table")
        # Clicking the 户主 header sorts by the name's pinyin.
        assert await pilot.click("#households-table #table", offset=(16, 0))
        await pilot.pause()
        assert "按“户主”排序↑" in status(screen, "households-table")
        # 陈 chen, 李 li, 刘 liu, 欧阳 ouyang, 王 wang, 张桂兰 zhang gui, 张三丰 zhang san, 赵 zhao
        assert numbers() == [
            "HL01-0007",
            "HL01-0005",
            "HL01-0006",
            "HL01-0003",
            "HL01-0002",
            "HL01-0001",
            "HL01-0004",
            "HL01-0008",
        ]


# --- palette, help, keymap ----------------------------------------------------------------


async def test_palette_finds_the_visits_section_by_initials(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f3")
        hits = await palette_hits(pilot, "zf")
        assert hits[0] == "走访"
        assert "新增住户" not in hits
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "visits"
        assert isinstance(app.screen, VisitsScreen)


async def test_palette_finds_a_household_by_initials_and_opens_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        hits = await palette_hits(pilot, "zsf")
        assert hits[0].startswith("住户 HL01-0004 张**")
        assert not any("张三丰" in hit for hit in hits)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "households"
        assert app.screen.table.current_id == "hh-04"


async def test_help_screen_lists_commands_with_their_keys(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        rows = {  # (the id third: seen without scrolling sideways)
            str(table.get_row_at(i)[2]): [str(c) for c in table.get_row_at(i)]
            for i in range(table.row_count)
        }
        assert rows["visits.new"][:2] == ["新增走访", "n"]
        assert rows["list.filter"][:2] == ["筛选", "/"]
        assert rows["app.help"][:2] == ["帮助", "f1 / ?"]
        assert rows["app.undo"][:2] == ["撤销", "^z"]
        assert rows["go.households"][:2] == ["住户", "f3"]
        assert rows["app.staff"][1] == "-"  # palette only
        assert list(rows)[0] == "visits.new"  # the screen's own commands first
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)


async def test_keymap_override_rebinds_new_visit(store):
    app = make_app(store, make_settings(keymap={"visits.new": "ctrl+n"}))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)  # the old key does nothing now
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, PickHousehold)
        await pilot.press("escape", "f1")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        keys = {
            str(table.get_row_at(i)[2]): str(table.get_row_at(i)[1]) for i in range(table.row_count)
        }
        assert keys["visits.new"] == "^n"
        assert keys["visits.edit"] == "e"


# --- import, undo -------------------------------------------------------------------------


def _ledger(folder: Path) -> Path:
    good = factories.id_number(seq="201")
    bad = good[:-1] + ("1" if good[-1] == "0" else "0")
    path = folder / "台账.csv"
    path.write_text(
        "户号,户主姓名,身份证号,地址\n"
        f"HL01-0101,孙立新,{good},湘龙小区9栋101\n"
        f"HL01-0102,周美玲,{bad},湘龙小区9栋102\n"
        "HL01-0101,吴海,,湘龙小区9栋103\n"
        "HL01-0103,郑国强,,湘龙小区9栋104\n",
        encoding="utf-8",
    )
    return path


async def test_import_previews_row_problems_and_writes_only_when_confirmed(store, tmp_path):
    ledger = _ledger(tmp_path)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f3", "i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        dialog.query_one("#import-path", Input).value = str(ledger)
        await pilot.press("enter")
        await settle(pilot)
        text = str(dialog.query_one("#import-text", Static).content)
        assert text.startswith("将新增 2 户，更新 0 户，拒绝 2 行")
        assert "第 3 行「身份证号」校验码错误" in text
        assert "第 4 行「户号」与第 2 行户号重复" in text
        assert store.count("household") == 8  # a preview writes nothing
        confirm = dialog.query_one("#import-confirm")
        assert not confirm.disabled

        await pilot.click("#import-confirm")
        await settle(pilot)
        assert isinstance(app.screen, HouseholdsScreen)
        heads = {h["household_no"]: h["head_of_household"] for h in store.raw("household")}
        assert len(heads) == 10
        assert heads["HL01-0101"] == "孙立新" and heads["HL01-0103"] == "郑国强"
        assert "HL01-0102" not in heads and "吴海" not in heads.values()
        added = [
            h for h in store.raw("household") if h["household_no"] in ("HL01-0101", "HL01-0103")
        ]
        assert all(h["created_by"] == ACTOR for h in added)
        assert "导入完成：新增 2 户，更新 0 户。" in notices(app)
        assert status(app.screen, "households-table").startswith("10 / 10 条")


async def test_undo_after_saving_a_household_removes_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f3", "n")
        await pilot.pause()
        form = app.screen
        assert form.focused is form.field("household_no").control  # typing starts at once
        await pilot.press(*"HL01-0200")
        assert form.field("household_no").value == "HL01-0200"
        form.field("head_of_household").value = "钱多多"
        form.field("address").value = "湘龙小区10栋101"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HouseholdsScreen)
        [saved] = [h for h in store.raw("household") if h["household_no"] == "HL01-0200"]
        assert (saved["head_of_household"], saved["address"]) == ("钱多多", "湘龙小区10栋101")
        assert screen.table.current_id == saved["id"]
        assert "住户 HL01-0200 已保存。" in notices(app)

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.screen.question == "撤销：新增住户 HL01-0200 钱**？"
        await pilot.press("y")
        await settle(pilot)
        assert store.get(Household, saved["id"]) is None
        assert store.count("household") == 8
        assert "HL01-0200" not in [r[0] for r in table_rows(screen, "households-table")]
        assert "已撤销：新增住户 HL01-0200 钱**。" in notices(app)
        undo = store.history("household", saved["id"])[-1]
        assert (undo["action"], undo["actor"]) == ("undo", ACTOR)


# --- read-only, sections, language --------------------------------------------------------


async def test_read_only_store_offers_no_writing_and_says_who_holds_it(db):
    import os

    holder = open_store(db)
    store = open_store(db)
    try:
        assert store.readonly and not holder.readonly
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            [notice] = [n for n in app._notifications if n.title == "只读模式"]
            assert "数据已被另一个程序打开" in notice.message
            assert f"进程 {os.getpid()}" in notice.message
            visits = app.screen
            for action in ("new_visit", "edit_visit", "appointments", "slip_from_problem"):
                assert visits.check_action(action, ()) is False, action
            assert visits.check_action("focus_filter", ()) is True
            assert app.check_action("undo", ()) is False
            footer = screen_text(app).splitlines()[-1]
            assert "新增走访" not in footer and "撤销" not in footer
            await pilot.press("n", "a", "ctrl+z")
            await pilot.pause()
            assert app.screen is visits
            await pilot.press("enter")  # on a row: would open the edit form
            await pilot.pause()
            assert app.screen is visits

            await pilot.press("f3")
            await pilot.pause()
            households = app.screen
            for action in ("new_household", "edit_household", "import_ledger", "visit_household"):
                assert households.check_action(action, ()) is False, action
            await pilot.press("n", "e", "i", "v")
            await pilot.pause()
            assert app.screen is households
            await pilot.press("enter")  # the household's history: reading it is allowed
            await pilot.pause()
            assert type(app.screen).__name__ == "HouseholdHistoryScreen"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is households
            hits = await palette_hits(pilot, "xz")
            assert "新增住户" not in hits and "新增走访" not in hits
            assert not [n for n in app._notifications if n.severity == "error"]
    finally:
        store.close()
        holder.close()


async def test_switching_sections_with_function_keys_keeps_their_state(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        visits = app.screen
        await pilot.press("f3")
        await pilot.pause()
        households = app.screen
        assert isinstance(households, HouseholdsScreen) and app.current_mode == "households"
        await pilot.press("slash")
        households.query_one("#table-filter", Input).value = "wxy"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is visits and app.current_mode == "visits"
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is households
        assert [r[0] for r in table_rows(households, "households-table")] == ["HL01-0002"]
        bar = screen_text(app).splitlines()[1]
        assert "住户 f3" in bar


async def test_every_section_key_opens_its_own_screen(store):
    from grassroots_tui.tui.app import SCREENS
    from grassroots_tui.tui.sections import SECTIONS

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        for section in SECTIONS:
            await pilot.press(section.key)
            await settle(pilot)
            assert app.current_mode == section.mode
            assert isinstance(app.screen, SCREENS[section.mode]), section.mode


async def test_sections_need_a_signed_in_user(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3", "f4", "f9", "ctrl+z")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.current_mode == "_default"


async def test_english_interface(store):
    set_language("en")  # as --lang en does; the autouse fixture resets to Chinese
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Who are you?" in screen_text(app)
        await sign_in(pilot)
        text = screen_text(app)
        for shown in (
            "Visits f2",
            "Homes f3",
            "Month 2 hh",
            "Date",
            "Kind",
            "Night",
            "Visitors",
            "n New visit",
            "Filter: text",
            "3 / 3",
        ):
            assert shown in text, shown
        for chinese in ("走访 f2", "本月走访", "新增走访", "筛选", "夜访", "条"):
            assert chinese not in text, chinese
        await pilot.press("f1")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        assert [str(c) for c in table.get_row_at(0)][:2] == ["New visit", "n"]
