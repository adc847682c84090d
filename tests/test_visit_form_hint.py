"""The visit form says what 解决日期 takes: the model's description (also in the schema)
when the pointer rests on the field, and a placeholder that follows the problem's state.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grassroots_tui.models import ProblemItem, ProblemState, Visit
from grassroots_tui.tui.dialogs.visit_form import DATE_FORMAT, SOLVED_ON_HINT, VisitForm
from tests.tui_fixtures import build_store, make_app, open_store, screen_text, settle, sign_in

SIZE = (80, 24)
SCHEMA = Path(__file__).parent.parent / "schemas" / "visit.schema.json"


def test_the_description_says_when_and_what_to_enter() -> None:
    hint = ProblemItem.model_fields["solved_on"].description
    assert hint == SOLVED_ON_HINT
    # What the validators and save_visit do: required for 后续解决, not before the visit,
    # the visit's date for 当场解决 left empty, nothing for the other states.
    for words in ("后续解决", "必填", "不早于走访日期", "2026-12-07", "当场解决", "走访日期"):
        assert words in hint
    for state in (ProblemState.PENDING, ProblemState.HANDED_OFF):
        assert state.label in hint
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$defs"]["ProblemItem"]["properties"]["solved_on"]["description"] == hint


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(template.parent, folder)
    opened = open_store(folder / template.name)
    yield opened
    opened.close()


async def test_the_form_shows_the_hint_and_a_placeholder_by_state(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n", *"wxy", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VisitForm)
        solved_on = form.field("p0_solved_on")
        assert solved_on.tooltip == SOLVED_ON_HINT
        assert solved_on.control.placeholder == ""  # 待办: no date
        form.field("p0_state").value = ProblemState.SOLVED_ON_SPOT.value
        await pilot.pause()
        assert solved_on.control.placeholder == "2026-11-26"  # left empty: the visit's date
        form.field("date").value = "2026-11-25"
        await pilot.pause()
        assert solved_on.control.placeholder == "2026-11-25"  # follows the visit's date
        form.field("p0_state").value = ProblemState.SOLVED_LATER.value
        await pilot.pause()
        assert solved_on.control.placeholder == DATE_FORMAT  # required
        assert "解决日期 YYYY-MM-DD" in " ".join(
            line for line in screen_text(app).splitlines() if "状态 后续解决" in line
        )


async def test_another_problem_row_can_be_added_and_is_saved(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n", *"wxy", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VisitForm)
        form.query_one("#add-problem").press()
        await settle(pilot)
        assert app.screen is form  # it used to close the program (IndexError)
        added = form.field("p3_description")
        assert form.focused is added.control
        assert form.field("p3_solved_on").tooltip == SOLVED_ON_HINT
        added.control.value = "楼道灯不亮"
        form.field("p3_category").value = "城市管理"
        form.field("p3_state").value = ProblemState.SOLVED_ON_SPOT.value
        await pilot.pause()
        assert form.field("p3_solved_on").control.placeholder == "2026-11-26"
        before = {v["id"] for v in store.raw("visit")}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    [new_id] = {v["id"] for v in store.raw("visit")} - before
    [problem] = store.get(Visit, new_id).problems
    assert (problem.description, problem.state) == ("楼道灯不亮", ProblemState.SOLVED_ON_SPOT)
    assert problem.solved_on.isoformat() == "2026-11-26"  # the visit's date, as the hint says
