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


async def test_exporting_a_round_writes_its_list_as_csv_and_docx_masked(store):  # noqa: F811
    from grassroots_tui.services.documents.engine import document_text
    from grassroots_tui.services.masking import mask_name

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _to_hardship(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.screen.run_action("export")
        await settle(pilot)
    exports = store.paths.folder / "exports"
    (table,) = exports.glob("*.csv")
    (document,) = exports.glob("*.docx")
    text = document_text(document.read_bytes())
    heads = [h["head_of_household"] for h in store.raw("household")]
    listed = [r for r in table.read_text(encoding="utf-8-sig").splitlines()[1:] if r]
    assert len(listed) == 2 and "名单" in text and "困难等级" in text
    assert not any(head in text for head in heads if len(head) > 1)
    (found,) = store.raw("condolence_round")
    for item in found["items"]:
        head = store.get_raw("household", item["household_id"])["head_of_household"]
        assert mask_name(head) in text and head not in text
