"""The slips section: a slip from a visit's problem, its steps, the supervisors' board."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Select

from grassroots_tui.models import HandoffSlip, SlipReminder, SlipSource, SlipState, Station, Visit
from grassroots_tui.services import slips
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.dialogs.slip_form import SlipForm
from grassroots_tui.tui.screens.board import BoardScreen
from grassroots_tui.tui.screens.slips import SlipsScreen
from grassroots_tui.tui.widgets.record_table import RecordTable
from tests import factories
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    build_store,
    copied_store,
    make_app,
    no_blink,
    open_section,
    screen_text,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)

SIZE = (80, 24)


def _issued(store, station: Station, title: str, on: dt.date, unit: str) -> HandoffSlip:
    draft = slips.draft_slip(
        station,
        source=SlipSource.STREET_OFFICE,
        category="城市管理",
        title=title,
        description=f"{title}，居民反映多次。",
        handling_unit=unit,
    )
    saved = slips.save_draft(store, draft, "测试")
    return slips.issue(store, saved.id, on=on, actor="测试", calendar=OfficialCalendar())


@pytest.fixture
def board_store(store):
    """Two stations with slips: two overdue at HL01, one due soon at HL02, one long ago closed."""
    hl01 = store.get(Station, factories.STATION_ID)
    hl02 = store.save(
        factories.station(
            "HL02",
            name="高沙社区群众工作站",
            community="高沙社区",
            slip_number_format="高沙群交〔{year}〕第{seq:03d}号",
        ),
        actor="测试",
    )
    _issued(store, hl01, "路灯不亮", dt.date(2026, 10, 9), "街道城管办")  # far overdue
    _issued(store, hl01, "垃圾清运", dt.date(2026, 11, 2), "街道环卫所")  # overdue a little
    _issued(store, hl02, "沟渠堵塞", dt.date(2026, 11, 12), "县水利局")  # due within days
    return store


async def test_a_slip_from_a_visits_pending_problem_then_issued(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert app.screen.table.move_to("visit-2")
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SlipForm)
        assert "低保申请材料不会填" in form.field("description").value  # prefilled
        form.field("handling_unit").value = "街道民政办"
        await pilot.press("ctrl+s")
        await settle(pilot)
        drafts = [slips.get_slip(store, s.id) for s in store.iter("handoff_slip")]
        assert len(drafts) == 1 and drafts[0].state is SlipState.DRAFTED
        assert (drafts[0].visit_id, drafts[0].problem_id) == ("visit-2", "problem-1")

        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SlipsScreen)
        assert app.screen.table.move_to(drafts[0].id)
        await pilot.press("i")
        await settle(pilot)
        # A number is taken for ever: the program says which, and when it falls due,
        # and issues nothing until asked to.
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert "湘龙群交〔2026〕第0001号" in question and "2026-12-" in question, question
        assert slips.get_slip(store, drafts[0].id).state is SlipState.DRAFTED
        await pilot.press("y")
        await settle(pilot)
        issued = slips.get_slip(store, drafts[0].id)
        assert issued.state is SlipState.ISSUED
        assert issued.number == "湘龙群交〔2026〕第0001号"
        assert issued.issue_date == dt.date(2026, 11, 26)
        problem = store.get(Visit, "visit-2").problems[0]
        assert (problem.state.value, problem.slip_id) == ("handed_off", issued.id)
        assert "2026-0001" in screen_text(app)


async def test_a_step_the_state_does_not_allow_is_not_offered(store):
    app = make_app(store)
    station = store.get(Station, factories.STATION_ID)
    slips.save_draft(
        store,
        slips.draft_slip(
            station,
            source=SlipSource.HOTLINE,
            category="其他",
            title="噪音扰民",
            description="夜间施工",
        ),
        "测试",
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4")
        screen = app.screen
        # A draft can be issued, but not replied to or closed.
        assert screen.check_action("step", ("issue",)) is True
        assert screen.check_action("step", ("reply",)) is None
        assert screen.check_action("step", ("close",)) is None


async def test_the_board_counts_filters_and_writes_a_reminder(board_store):
    app = make_app(board_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4")
        await pilot.press("b")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        text = screen_text(app)
        assert "超期 2" in text and "预警 1" in text
        table = board.query_one(RecordTable)
        assert len(table.shown) == 3
        # Most overdue first.
        first = slips.get_slip(board_store, table.shown[0].id)
        assert first.title == "路灯不亮"

        board.query_one("#filter-station", Select).value = "HL02"
        await pilot.pause()
        assert [board_store.get(HandoffSlip, r.id).title for r in table.shown] == ["沟渠堵塞"]
        assert board.check_action("remind", ()) is None  # not overdue: no reminder

        board.query_one("#filter-station", Select).clear()
        await pilot.pause()
        table.move_to(first.id)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("y")  # the question naming the slip
        await settle(pilot)
        reminders = [r for r in board_store.iter("slip_reminder") if r.slip_id == first.id]
        assert len(reminders) == 1 and reminders[0].days_overdue > 0
        assert isinstance(reminders[0], SlipReminder)
        written = list((board_store.paths.folder / "exports").glob("催办-*.txt"))
        assert len(written) == 1
        notice = written[0].read_text(encoding="utf-8")
        assert "催 办 通 知 书" in notice and "街道城管办" in notice and first.number in notice
        (document,) = (board_store.paths.folder / "exports").glob("催办-*.docx")
        from grassroots_tui.services.documents import reminder_number
        from grassroots_tui.services.documents.engine import document_text

        text = document_text(document.read_bytes())
        number = reminder_number(board_store, first, reminders[0].sent_on)  # the one recorded
        assert "催办通知书" in text and "街道城管办：" in text and number in text


async def test_printing_masks_by_default_and_unmasked_printing_is_audited(board_store):
    """The slip names its resident in the 当事人 field, its title and its description, with
    their ID and phone numbers: the default print masks every one of them, the unmasked
    print shows them whole and is the only one recorded."""
    home = board_store.get_raw("household", "hh-01")
    name, id_number, phone = home["head_of_household"], home["id_number"], home["phone"]
    draft = slips.draft_slip(
        board_store.get(Station, factories.STATION_ID),
        source=SlipSource.VISIT,
        category="城市管理",
        title=f"{name}反映路灯不亮（电话{phone}）",
        description=f"{name}（身份证{id_number}）反映楼下路灯不亮。",
        household_id="hh-01",
        person_name=name,
        handling_unit="街道城管办",
    )
    saved = slips.save_draft(board_store, draft, "测试")
    slip = slips.issue(
        board_store, saved.id, on=dt.date(2026, 11, 2), actor="测试", calendar=OfficialCalendar()
    )
    app = make_app(board_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4")
        assert app.screen.table.move_to(slip.id)
        await pilot.press("p")
        await settle(pilot)
        await app.screen.run_action("print_slip(True)")
        await settle(pilot)
    pages = [
        p.read_text(encoding="utf-8")
        for p in sorted((board_store.paths.folder / "exports").glob("*.html"))
    ]
    assert len(pages) == 2 and all("交办单" in page for page in pages)
    whole = (name, id_number, phone)
    masked = [page for page in pages if not any(value in page for value in whole)]
    unmasked = [page for page in pages if all(value in page for value in whole)]
    assert len(masked) == 1 and len(unmasked) == 1, "one page masked, one whole"
    assert "张**" in masked[0] and f"{phone[:3]}****{phone[-4:]}" in masked[0]
    assert f"{id_number[:4]}**********{id_number[-4:]}" in masked[0]
    # The official documents beside the pages: one masked, one whole.
    from grassroots_tui.services.documents.engine import document_text

    documents = [
        document_text(p.read_bytes())
        for p in sorted((board_store.paths.folder / "exports").glob("*.docx"))
    ]
    assert len(documents) == 2 and all("交办单" in text for text in documents)
    assert sum(all(value in text for value in whole) for text in documents) == 1
    assert sum(not any(value in text for value in whole) for text in documents) == 1
    # The unmasked print is recorded once for each file it wrote (the page, the .docx).
    exports = [e for e in board_store.history("handoff_slip", slip.id) if e["action"] == "export"]
    assert len(exports) == 2 and all("未遮蔽" in e["note"] for e in exports)
    assert sorted("docx" in e["note"] for e in exports) == [False, True]


async def test_the_board_is_kept_between_openings_and_shows_each_one_as_of_now(board_store):
    app = make_app(board_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4")
        await pilot.press("b")
        await settle(pilot)
        first = app.screen
        assert isinstance(first, BoardScreen) and first.generation == 1
        assert "超期 2" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SlipsScreen)

        hl01 = board_store.get(Station, factories.STATION_ID)
        _issued(board_store, hl01, "井盖松动", dt.date(2026, 10, 20), "街道城管办")
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is first  # the same screen, not built again
        assert first.generation == 2  # but the board is built as of now
        assert "超期 3" in screen_text(app)

        await pilot.press("escape")
        await settle(pilot)
        app.action_sign_out()
        await settle(pilot)
        assert not app.is_screen_installed(BoardScreen.NAME)  # the next operator's own board


async def test_the_boards_footer_is_kept_when_it_is_opened_again_with_the_same_keys(
    board_store,
) -> None:
    """The board is opened again and again with the same keys: its footer's keys are the
    same widgets, not composed again (tui/widgets/footer.py). The slips list, which does
    not keep its footer, composes it again as Textual does."""
    from grassroots_tui.tui.widgets.footer import Footer

    app = make_app(board_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4")
        slips_footer = app.screen.query_one(Footer)
        await pilot.press("b")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        keys = list(board.query_one(Footer).children)
        assert keys
        await pilot.press("escape")
        await settle(pilot)
        slips_keys = list(slips_footer.children)
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is board and list(board.query_one(Footer).children) == keys
        await pilot.press("escape")
        await settle(pilot)
        assert list(slips_footer.children) != slips_keys  # composed again on its return


async def test_the_reminder_key_pressed_before_the_boards_rows_come_is_not_lost(
    board_store, monkeypatch
):
    """m pressed the instant the board opens, while its rows are still built in a thread,
    asks about the most overdue slip once they are shown (it used to say "not overdue")."""
    import threading

    from grassroots_tui.tui.screens import board as board_module

    release = threading.Event()
    real = board_module.build_board

    def held(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(board_module, "build_board", held)
    app = make_app(board_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_section(pilot, "f4")
        await pilot.press("b")
        await pilot.pause()
        board = app.screen
        assert isinstance(board, BoardScreen) and board.board is None  # rows not there yet
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "路灯不亮" in screen_text(app)  # the most overdue slip, named
        await pilot.press("n")
        await settle(pilot)
        assert list(board_store.iter("slip_reminder")) == []  # asked, and nothing written
