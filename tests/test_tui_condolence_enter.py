"""Enter on an item of a condolence round opens the "mark done" form, as `d` does.

The handler once called ``run_action`` without awaiting it, so Enter did nothing."""

from __future__ import annotations

from grassroots_tui.tui.screens.condolence import RoundsScreen
from grassroots_tui.tui.widgets.step_form import StepForm
from tests.test_tui_hardship import SIZE, _to_hardship, store, template  # noqa: F401
from tests.tui_fixtures import make_app, screen_text, settle


async def test_enter_on_a_round_item_marks_it_done(store):  # noqa: F811
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _to_hardship(pilot)
        await pilot.press("r")
        await pilot.pause()
        rounds = app.screen
        assert isinstance(rounds, RoundsScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        rounds.query_one("#items").focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StepForm), "Enter on an item must open the form"
        app.screen.field("given").value = "大米一袋"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is rounds
        assert "已慰问 1 / 2 户（50.00%）" in screen_text(app)
