"""Hostile text is stored and shown exactly as typed, never read as markup.

Decisions (documented in README's hardening notes and /tmp/guarantees/hostile.md):

- Text is stored exactly as typed, control characters included (\\x00–\\x1f, \\x7f, ESC
  sequences): the store is JSON, which escapes them, so they round-trip byte for byte.
  The one normalisation is the models' own: leading and trailing whitespace (space, tab,
  CR, LF) of a text field is trimmed; whitespace inside the text is kept.
- Length limits are the models' (名字 50, 住址 200, 备注 5,000 characters): a 10,000-
  character note is refused with a message naming the field, it is not cut silently.
- On screen, Rich markup ("[bold]红[/bold]", "[link=x]", an unbalanced "[/]") appears
  literally, and no ESC byte ever reaches the terminal from a user's text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Static

from grassroots_tui.models import Household, Visit
from grassroots_tui.models.errors import DocumentInvalid, validate_model
from tests import factories
from tests.tui_fixtures import (
    HEAD_ID,
    STATION_ID,
    build_store,
    make_app,
    open_store,
    screen_text,
    settle,
    sign_in,
)

MARKUP = "[bold]红[/bold] [link=x]链[/link] 未闭合[/] [red"
CONTROL = "甲\x00乙\x01丙\x1b[31m丁\x7f戊\x08己\x07庚"
EMOJI_CJK = "👨\u200d👩\u200d👧 𠀀𪚥𰻞"
#: A head's name fits the 50-character limit.
NAME = "[bold]红[/bold]𠀀👨\u200d👩\u200d👧"
ADDRESS = f"{MARKUP} {EMOJI_CJK} {CONTROL}"
NOTE = ("备注[i]斜[/i]\x1b[0m\t制表\n第二行 " * 300)[:4999] + "末"
#: CONTROL as the screen shows it: each control character as its Unicode picture.
CONTROL_SHOWN = "甲␀乙␁丙␛[31m丁␡戊␈己␇庚"
VISIT_TEXT = f"问疾苦 {MARKUP} {CONTROL} {EMOJI_CJK}"
SIZE = (160, 40)

HOSTILE_ID = "hh-hostile"
VISIT_ID = "visit-hostile"


def _hostile_household() -> Household:
    return factories.household(
        "HL01-9999",
        id=HOSTILE_ID,
        head_of_household=NAME,
        address=ADDRESS,
        note=NOTE,
        grid="[b]网格[/b]",
        tags=["[red]标签[/red]"],
    )


def _hostile_visit() -> Visit:
    return factories.visit(
        HOSTILE_ID, HEAD_ID, id=VISIT_ID, hardships=VISIT_TEXT, notes=NOTE, greeting=MARKUP
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("literal")
    path = build_store(folder / "grassroots.json")
    store = open_store(path)
    try:
        store.save_many([_hostile_household(), _hostile_visit()], actor="测试")
    finally:
        store.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    return folder / template.name


# -- the store --------------------------------------------------------------------------------


def test_hostile_text_round_trips_exactly_through_the_store_after_reopening(db: Path) -> None:
    store = open_store(db)
    try:
        household = store.get(Household, HOSTILE_ID)
        visit = store.get(Visit, VISIT_ID)
    finally:
        store.close()
    assert household is not None and visit is not None
    assert household.head_of_household == NAME
    assert household.address == ADDRESS
    assert household.note == NOTE and len(NOTE) == 5000
    assert household.grid == "[b]网格[/b]" and household.tags == ["[red]标签[/red]"]
    assert visit.hardships == VISIT_TEXT and visit.notes == NOTE and visit.greeting == MARKUP
    # Every control character survived, ESC included.
    for ch in "\x00\x01\x1b\x7f\x08\x07":
        assert ch in household.address


def test_hostile_text_is_written_as_escaped_json_not_raw_control_bytes(db: Path) -> None:
    """Whatever the store's files hold, a raw ESC or NUL never appears in them."""
    files = [p for p in db.parent.rglob("*") if p.is_file()]
    assert files
    found = False
    for path in files:
        data = path.read_bytes()
        assert b"\x1b" not in data and b"\x00" not in data, path.name
        if "𪚥".encode() in data or "\\ud869\\udea5" in data.decode("utf-8", "replace"):
            found = True
    assert found, "the hostile household is in none of the store's files"


def test_surrounding_whitespace_is_trimmed_and_inner_whitespace_kept() -> None:
    typed = " \t 前\t中\r\n后\x00 \n"
    household = factories.household(address=typed)
    assert household.address == "前\t中\r\n后\x00"


@pytest.mark.parametrize(
    ("field", "title", "limit"),
    [("note", "备注", 5000), ("address", "住址", 200), ("head_of_household", "户主", 50)],
)
def test_too_long_text_is_refused_naming_the_field_not_cut(
    field: str, title: str, limit: int
) -> None:
    data = factories.household().to_json()
    data[field] = "长" * 10_000
    with pytest.raises(DocumentInvalid) as caught:
        validate_model(Household, data)
    problems = [p for p in caught.value.problems if p.field == field]
    assert len(problems) == 1, caught.value.problems
    assert problems[0].label == title
    assert f"不能超过 {limit} 个字" in problems[0].message
    # Exactly the limit is accepted, unchanged.
    data[field] = "长" * (limit - 1) + "𪚥"
    assert getattr(validate_model(Household, data), field) == data[field]


def test_literal_shows_markup_as_typed_and_control_characters_as_pictures() -> None:
    from rich.console import Console

    from grassroots_tui.tui.widgets.form import literal

    shown = literal(ADDRESS)
    assert isinstance(shown, Text) and not shown.spans
    assert shown.plain == f"{MARKUP} {EMOJI_CJK} {CONTROL_SHOWN}"
    # A Text keeps its styles, in place.
    styled = Text("a\x1bb", style="bold")
    styled.stylize("red", 2, 3)
    again = literal(styled)
    assert again.plain == "a␛b" and again.spans == styled.spans and styled.plain == "a\x1bb"
    # Rendered to a terminal: the markup is there as typed, no ESC but Rich's own styles.
    console = Console(width=300, force_terminal=True, color_system=None)
    with console.capture() as captured:
        console.print(shown)
    out = captured.get()
    assert "[bold]红[/bold] [link=x]链[/link]" in out
    assert "\x1b" not in out


# -- the screen -------------------------------------------------------------------------------


def _cells(screen, table_id: str) -> list[list[str]]:
    table = screen.query_one(f"#{table_id} #table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _shown_line(text: str) -> str:
    """The part of the hostile address that fits on one line of the list."""
    return text.split("\n")[0]


async def test_households_list_detail_and_form_show_hostile_text_literally(db: Path) -> None:
    store = open_store(db)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            await pilot.press("f3")
            await settle(pilot)
            screen = app.screen
            table = screen.query_one("#households-table #table", DataTable)
            table.move_cursor(row=table.get_row_index(HOSTILE_ID))
            await settle(pilot)

            # The list: the address column as typed, markup and all.
            row = next(r for r in _cells(screen, "households-table") if r[0] == "HL01-9999")
            # (cut to the room the column has, with "…": the whole in the row itself)
            whole = f"{MARKUP} {EMOJI_CJK} {CONTROL_SHOWN}"
            assert row[5] == whole or (
                row[5].endswith("…") and whole.startswith(row[5].removesuffix("…"))
            )
            [listed] = [r for r in screen.table.rows if r.id == HOSTILE_ID]
            assert listed.shown_cells()[5].plain == whole
            assert row[2] == "[b]网格[/b]" and row[4] == "[red]标签[/red]"
            shown = screen_text(app)
            assert "[bold]红[/bold] [link=x]链[/link] 未闭合[/]" in shown
            assert "[b]网格[/b]" in shown
            assert "\x1b" not in shown and "\x00" not in shown

            # The detail pane under the list.
            detail = screen.query_one("#households-table #detail-text", Static)
            content = detail.content
            plain = content.plain if isinstance(content, Text) else str(content)
            assert MARKUP in plain and "𪚥" in plain and CONTROL_SHOWN in plain
            assert MARKUP in shown

            # The edit form: every field holds the text exactly as stored.
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert form.query_one("#input-head_of_household", Input).value == NAME
            assert form.query_one("#input-address", Input).value == ADDRESS
            assert form.query_one("#input-grid", Input).value == "[b]网格[/b]"
            shown = screen_text(app)
            assert "[bold]红[/bold]" in shown
            assert "\x1b" not in shown and "\x00" not in shown
            # Saving the form unchanged keeps the text unchanged.
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
    finally:
        store.close()

    store = open_store(db)
    try:
        again = store.get(Household, HOSTILE_ID)
    finally:
        store.close()
    assert again is not None
    assert again.head_of_household == NAME and again.address == ADDRESS and again.note == NOTE


async def test_a_new_household_typed_with_markup_is_saved_and_listed_literally(db: Path) -> None:
    store = open_store(db)
    app = make_app(store)
    typed = "[bold]新[/bold]\x1b[31m户"
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            await pilot.press("f3")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            form.query_one("#input-household_no", Input).value = "HL01-7777"
            form.query_one("#input-head_of_household", Input).value = typed
            form.query_one("#input-address", Input).value = f"{MARKUP}{EMOJI_CJK}"
            await pilot.press("ctrl+s")
            await settle(pilot)
            saved = [h for h in store.raw("household") if h["household_no"] == "HL01-7777"]
            assert len(saved) == 1
            assert saved[0]["head_of_household"] == typed
            assert saved[0]["address"] == f"{MARKUP}{EMOJI_CJK}"
            shown = screen_text(app)
            assert f"{MARKUP}{EMOJI_CJK}"[:30] in shown.replace("\n", "")
            assert "\x1b" not in shown
    finally:
        store.close()


async def _visits_screen_text(db: Path, *, form: bool) -> tuple[str, dict[str, str]]:
    store = open_store(db)
    app = make_app(store)
    values: dict[str, str] = {}
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            await settle(pilot)
            table = app.screen.query_one("#visits-table #table", DataTable)
            table.move_cursor(row=table.get_row_index(VISIT_ID))
            await settle(pilot)
            if form:
                await pilot.press("e")
                await settle(pilot)
                values = {i.id or "": i.value for i in app.screen.query(Input)}
            return screen_text(app), values
    finally:
        store.close()


async def test_visit_detail_shows_markup_literally(db: Path) -> None:
    shown, _ = await _visits_screen_text(db, form=False)
    assert "[bold]红[/bold] [link=x]链[/link] 未闭合[/] [red" in shown


async def test_visit_detail_keeps_esc_off_the_terminal(db: Path) -> None:
    shown, _ = await _visits_screen_text(db, form=False)
    assert "\x1b" not in shown and "\x00" not in shown


async def test_visit_form_holds_hostile_text_exactly_and_shows_it_literally(db: Path) -> None:
    shown, values = await _visits_screen_text(db, form=True)
    assert values["input-notes"] == NOTE
    assert values["input-greeting"] == MARKUP
    assert values["input-hardships"] == VISIT_TEXT
    assert "[bold]红[/bold]" in shown
    assert "\x1b" not in shown and "\x00" not in shown


async def test_household_picker_and_save_notice_show_hostile_text_literally(db: Path) -> None:
    from textual.widgets import OptionList

    from tests.test_tui_pilot import notices

    store = open_store(db)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot)
            await pilot.press("n")
            await settle(pilot)
            app.screen.query_one("#pick-query", Input).value = "HL01-9999"
            await settle(pilot)
            options = app.screen.query_one(OptionList)
            assert options.option_count == 1
            prompt = options.get_option_at_index(0).prompt
            assert isinstance(prompt, Text) and MARKUP in prompt.plain and not prompt.spans
            shown = screen_text(app)
            assert "[link=x]链[/link] 未闭合[/]" in shown and "\x1b" not in shown
            await pilot.press("escape")
            await pilot.press("f3")
            await settle(pilot)
            table = app.screen.query_one("#households-table #table", DataTable)
            table.move_cursor(row=table.get_row_index(HOSTILE_ID))
            await pilot.press("e")
            await settle(pilot)
            app.screen.query_one("#input-household_no", Input).value = "[b]新\x1b[31m号"
            await pilot.press("ctrl+s")
            await settle(pilot)
            saved = [n for n in notices(app) if "新" in n]
            assert saved and "[b]新␛[31m号" in saved[-1] and "\x1b" not in saved[-1]
            assert "[b]新" in screen_text(app)
    finally:
        store.close()
    store = open_store(db)
    try:
        again = store.get(Household, HOSTILE_ID)
    finally:
        store.close()
    assert again is not None and again.household_no == "[b]新\x1b[31m号"


def test_station_id_is_the_fixture_station() -> None:
    # Guard for the fixtures above: the hostile household lives in the signed-in station.
    assert _hostile_household().station_id == STATION_ID
    assert json.loads(json.dumps(_hostile_household().to_json()))["address"] == ADDRESS
