"""The household form shows the ID and phone numbers masked (issue 18 §5): editing needs
no reveal; Ctrl+R shows them whole only to a role the station allows, after the audit
trail has recorded it, and tells anyone else why not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from grassroots_tui.models import Household
from grassroots_tui.services.masking import mask_id
from grassroots_tui.tui.screens.households import HouseholdsScreen, MaskedHouseholdForm
from tests import factories
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    WORKER_ID,
    build_store,
    isolate_environment,
    make_app,
    open_store,
    screen_text,
    settle,
    sign_in,
)

SIZE = (100, 30)
WHOLE_ID = factories.id_number(seq="101")
WHOLE_PHONE = "13874561000"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    isolate_environment(monkeypatch, tmp_path)
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    opened = open_store(folder / template.name)
    yield opened
    opened.close()


def _exports(store) -> list[dict]:
    return [e for e in store.raw("audit_entry") if e["action"] == "export"]


async def _open_form(pilot, staff_id: str, pin: str) -> MaskedHouseholdForm:
    await sign_in(pilot, staff_id, pin)
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HouseholdsScreen)
    assert pilot.app.screen.table.current_id == "hh-01"
    await pilot.press("e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, MaskedHouseholdForm)
    return form


def _value(form: MaskedHouseholdForm, name: str) -> str:
    return form.query_one(f"#input-{name}", Input).value


async def test_a_worker_edits_with_the_numbers_masked_and_may_not_reveal(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_form(pilot, WORKER_ID, "")
        assert _value(form, "id_number") == mask_id(WHOLE_ID)
        assert WHOLE_ID not in _value(form, "id_number") and "*" in _value(form, "id_number")
        assert _value(form, "phone") == "138****1000"
        text = screen_text(app)
        assert WHOLE_ID not in text and WHOLE_PHONE not in text
        await pilot.press("ctrl+r")
        await pilot.pause()
        message = str(form.query_one("#form-message", Static).content)
        assert message == "队员无权输出未遮蔽的个人信息。"
        assert WHOLE_PHONE not in _value(form, "phone")
        assert _exports(store) == []
        # Edit another field and save: the masked numbers are kept as stored.
        form.query_one("#input-people", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HouseholdsScreen)
    saved = store.get(Household, "hh-01")
    assert saved.people == 5 and saved.id_number == WHOLE_ID and saved.phone == WHOLE_PHONE


async def test_typing_a_new_number_replaces_the_masked_one(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_form(pilot, WORKER_ID, "")
        phone = form.query_one("#input-phone", Input)
        phone.focus()
        await pilot.pause()
        await pilot.press(*"13900009999")  # its masked text is selected: typing replaces it
        assert phone.value == "13900009999"
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = store.get(Household, "hh-01")
    assert saved.phone == "13900009999" and saved.id_number == WHOLE_ID
    assert _exports(store) == []


async def test_the_head_reveals_after_the_audit_trail_records_it(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_form(pilot, HEAD_ID, "2468")
        assert WHOLE_ID not in screen_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert _value(form, "id_number") == WHOLE_ID
        assert _value(form, "phone") == WHOLE_PHONE
        (entry,) = _exports(store)
        assert entry["actor"] == f"{HEAD_NAME}#{HEAD_ID}"
        assert entry["target_kind"] == "household" and entry["target_id"] == "hh-01"
        assert "HL01-0001" in entry["note"] and "共 1 条记录" in entry["note"]
        await pilot.press("ctrl+r")  # nothing left masked: not recorded twice
        await pilot.pause()
        assert len(_exports(store)) == 1
        await pilot.press("escape")
        await settle(pilot)
    assert store.get(Household, "hh-01").id_number == WHOLE_ID
