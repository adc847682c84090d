"""The visit form and the overdue board kept between openings (issue #19).

Composing a visit form took about half a second at every opening: the app keeps one per
session, refilled for each record (FormScreen.open_kept), and composes it and the board
ahead, off screen, once the first list is shown (GrassrootsApp.prepare_kept_screens).
A kept form must show exactly what a new one would: nothing of the last opening.
"""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from grassroots_tui.models import ProblemItem, ProblemState, Visit
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.dialogs.visit_form import VisitForm
from grassroots_tui.tui.screens.board import BoardScreen
from grassroots_tui.tui.screens.signin import SignInScreen
from grassroots_tui.tui.screens.visits import VisitsScreen
from tests.tui_fixtures import (
    HEAD_ID,
    WORKER_ID,
    make_app,
    settle,
    sign_in,
    store_fixture,  # noqa: F401 - the store fixture
    template_fixture,  # noqa: F401
)

SIZE = (100, 40)
KEPT = "kept-form:VisitForm"


def _kept(app) -> VisitForm | None:
    if not app.is_screen_installed(KEPT):
        return None
    form = app.get_screen(KEPT)
    assert isinstance(form, VisitForm)
    return form


async def _edit(pilot, visit_id: str) -> VisitForm:
    """Put the list's cursor on ``visit_id`` and press e; the form shown."""
    app = pilot.app
    screen = app.screen
    assert isinstance(screen, VisitsScreen)
    assert screen.table.move_to(visit_id)
    await pilot.pause()
    await pilot.press("e")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, VisitForm)
    assert form.visit.id == visit_id
    return form


def _fresh_values(app, visit_id: str) -> dict[str, str]:
    """What a newly composed form shows for the visit (composed off screen here)."""
    form = VisitForm(app.session, visit=app.store.get(Visit, visit_id))
    values = form._top_values()
    for index, problem in enumerate(form.visit.problems):
        values[f"p{index}_description"] = problem.description
        values[f"p{index}_category"] = problem.category
        values[f"p{index}_state"] = problem.state.value
        values[f"p{index}_solved_on"] = problem.solved_on.isoformat() if problem.solved_on else ""
    for index in range(len(form.visit.problems), form._problem_count()):
        values.update(
            {
                f"p{index}_description": "",
                f"p{index}_category": "",
                f"p{index}_state": ProblemState.PENDING.value,
                f"p{index}_solved_on": "",
            }
        )
    return values


def _assert_clean(form: VisitForm) -> None:
    """No message anywhere, nothing typed to lose, not saving, at the top."""
    for name, f in form.fields().items():
        assert f.error_text == "", name
        error = f.query_one(".field-error", Static)
        assert error.has_class("-empty") and str(error.content) == "", name
        assert not f.control.has_class("-invalid"), name
        assert not f.changed, name
    message = form.query_one("#form-message", Static)
    assert message.has_class("-empty") and str(message.content) == ""
    assert not form.saving and not form.changed()
    assert form.query_one("#form-fields").scroll_y == 0


async def test_form_and_board_are_composed_ahead_once_the_list_is_shown(store) -> None:
    # Fails if Textual's private App._register (GrassrootsApp.compose_ahead) stops
    # working: then both are composed only when first opened, slower (bench/).
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        await settle(pilot)
        form = _kept(app)
        assert form is not None and form.is_mounted
        assert form.fields() and form.session is app.session
        assert app.is_screen_installed(BoardScreen.NAME)
        board = app.get_screen(BoardScreen.NAME)
        assert board.is_mounted and board.query_one("#filter-station", Select) is not None
        assert form not in app.screen_stack and board not in app.screen_stack
        assert isinstance(app.screen, VisitsScreen)
        # Laid out off screen too (GrassrootsApp.draw_ahead: Textual's private
        # Screen._refresh_layout): its widgets have their sizes before it is shown.
        assert form.field("date").control.size.width > 0
        assert board.query_one("#filter-station", Select).size.width > 0

        # The first opening is that very form, showing the visit under the cursor.
        opened = await _edit(pilot, "visit-2")
        assert opened is form
        assert opened.values() == _fresh_values(app, "visit-2")
        _assert_clean(opened)
        await pilot.press("escape")
        await settle(pilot)
        # A reload of the list after a save prepares nothing again: the same two.
        app.screen.reload()
        await settle(pilot)
        assert _kept(app) is form and app.get_screen(BoardScreen.NAME) is board

        # And the board's first opening is the board composed ahead, with its rows.
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is board
        assert board.board is not None and board.generation == 1


async def test_a_reopened_form_shows_the_other_visit_and_nothing_of_the_last(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        form = await _edit(pilot, "visit-2")
        assert form.values() == _fresh_values(app, "visit-2")
        # Mess it up: typing, a field in error, the form's message, scrolled down, the
        # cursor on a problem; then discard it.
        end = form.field("end_time")
        end.control.focus()
        end.control.value = "09:00"
        form.field("greeting").control.value = "打字打到一半"
        await pilot.press("ctrl+s")  # refused: the end is before the start
        await settle(pilot)
        assert app.screen is form and form.field("end_time").error_text
        assert not form.query_one("#form-message", Static).has_class("-empty")
        form.field("p1_description").control.focus()
        form.query_one("#form-fields").scroll_end(animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # typed text: asked first
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)

        again = await _edit(pilot, "visit-3")
        assert again is form  # kept, not composed again
        assert again.values() == _fresh_values(app, "visit-3")
        assert "打字打到一半" not in str(again.values())
        _assert_clean(again)
        # The cursor on the first field, as a new edit form opens; the 09:00 end left
        # in error is neither shown nor checked again when the refill moved the cursor.
        assert again.focused is again.field("date").control
        assert isinstance(again.focused, Input)
        assert again.focused.cursor_position == len(again.focused.value)
        household = again.query_one("#visit-household", Static)
        assert household.display and "HL01-0006" in str(household.content)
        assert "HL01-0005" not in str(household.content)
        # Nothing typed: Esc closes at once.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)


async def test_cancel_after_typing_in_a_reused_form_still_asks(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        first = await _edit(pilot, "visit-1")
        await pilot.press("escape")
        await settle(pilot)
        form = await _edit(pilot, "visit-1")
        assert form is first
        await pilot.press(*"新写的")
        await pilot.pause()
        assert form.field("date").value.endswith("新写的")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep the form
        await pilot.pause()
        assert app.screen is form and form.field("date").value.endswith("新写的")
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, VisitsScreen)
        assert store.get(Visit, "visit-1").date.isoformat() == "2026-11-20"


async def test_problem_rows_follow_the_visit_shown(store) -> None:
    visit = store.get(Visit, "visit-2")
    handed = ProblemItem(
        id="problem-2", category="其他", description="路灯不亮", state=ProblemState.HANDED_OFF
    )
    third = ProblemItem(id="problem-3", category="其他", description="楼道堆物")
    many = visit.model_copy(update={"problems": [*visit.problems, handed, third]})
    store.save(many.model_copy(update={"id": "visit-many"}), actor="test")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        form = await _edit(pilot, "visit-many")
        assert len(form._rows()) == 4
        assert form.values() == _fresh_values(app, "visit-many")
        state = form.field("p1_state").control
        assert isinstance(state, Select)
        assert ProblemState.HANDED_OFF.value in {v for _t, v in state._options}
        await pilot.press("escape")
        await settle(pilot)

        again = await _edit(pilot, "visit-3")  # no problems: three empty rows
        assert again is form
        await pilot.pause()
        assert len(again._rows()) == 3
        assert again.values() == _fresh_values(app, "visit-3")
        assert "路灯不亮" not in str(again.values())
        state = again.field("p1_state").control
        assert isinstance(state, Select)
        assert ProblemState.HANDED_OFF.value not in {v for _t, v in state._options}
        category = again.field("p0_category").control
        assert isinstance(category, Select) and category.value is Select.NULL
        _assert_clean(again)
        await pilot.press("escape")
        await settle(pilot)

        third_time = await _edit(pilot, "visit-many")  # the rows come back, filled
        await settle(pilot)
        assert third_time is form
        assert third_time.values() == _fresh_values(app, "visit-many")


async def test_saves_through_a_reused_form_land_exactly_once(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        visits_before = store.count("visit")
        for round_, words in enumerate(("第一次", "第二次", "第三次")):
            form = await _edit(pilot, "visit-3")
            if round_:
                assert form is _kept(app)
            form.field("notes").control.value = words
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, VisitsScreen)
            assert store.get(Visit, "visit-3").notes == words
        updates = [e for e in store.history("visit", "visit-3") if e["action"] == "update"]
        assert len(updates) == 3
        assert store.count("visit") == visits_before

        # A new visit through the same kept form: one visit each, for its household.
        for household in ("hh-02", "hh-07"):
            form = VisitForm.open_kept(app, app.session, household_id=household)
            assert form is _kept(app)
            assert form.is_new and form.values()["greeting"] == ""
            app.push_screen(form, callback=app.screen._saved)
            await settle(pilot)
            assert form.focused is form.field("greeting").control
            form.field("greeting").control.value = "都好"
            await pilot.press("ctrl+s")
            await settle(pilot)
            mine = [v for v in store.raw("visit") if v["household_id"] == household]
            assert len(mine) == 1 and mine[0]["greeting"] == "都好"
        assert store.count("visit") == visits_before + 2


async def test_another_person_signing_in_gets_a_new_form(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        old = await _edit(pilot, "visit-2")
        old.field("greeting").control.value = "李敏打的字"
        await pilot.press("escape", "y")
        await settle(pilot)
        old_board = app.get_screen(BoardScreen.NAME)
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert not app.is_screen_installed(KEPT)
        assert not app.is_screen_installed(BoardScreen.NAME)
        await settle(pilot)
        assert not old.is_attached and not old_board.is_attached  # let go, not kept
        await sign_in(pilot, staff_id=WORKER_ID, pin="")
        await settle(pilot)
        new = await _edit(pilot, "visit-2")
        assert new is not old
        assert new.session is app.session and new.session.operator.id == WORKER_ID
        assert "李敏打的字" not in str(new.values())
        _assert_clean(new)
        assert app.get_screen(BoardScreen.NAME) is not old_board
        assert app.session.operator.id != HEAD_ID


async def test_a_kept_form_follows_a_theme_changed_while_it_was_away(store) -> None:
    # A kept form is not restyled whole when shown again (FormScreen.on_screen_resume),
    # unless the stylesheet changed meanwhile.
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        form = await _edit(pilot, "visit-1")
        box = form.query_one("#form-box")
        dark = box.styles.background
        await pilot.press("escape")
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
        again = await _edit(pilot, "visit-1")
        assert again is form
        light = again.query_one("#form-box").styles.background
        assert light != dark
        fresh = VisitForm(app.session, visit=app.store.get(Visit, "visit-1"))
        app.push_screen(fresh)
        await settle(pilot)
        assert fresh.query_one("#form-box").styles.background == light


async def test_a_form_kept_in_one_language_is_not_shown_in_another(store) -> None:
    from grassroots_tui.i18n import set_language

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        chinese = await _edit(pilot, "visit-1")
        await pilot.press("escape")
        await settle(pilot)
        set_language("en")
        try:
            english = await _edit(pilot, "visit-1")
            assert english is not chinese
            assert str(english.query_one("#form-title").content) == "Visit"
            assert _kept(app) is english
            await pilot.press("escape")
            await settle(pilot)
        finally:
            set_language("zh")


async def test_a_kept_form_that_cannot_be_refilled_gives_way_to_a_new_one(
    store, monkeypatch
) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        old = await _edit(pilot, "visit-1")
        await pilot.press("escape")
        await settle(pilot)

        def broken(self) -> None:
            raise RuntimeError("a refill that fails")

        monkeypatch.setattr(VisitForm, "refill", broken)
        new = await _edit(pilot, "visit-3")
        assert new is not old and _kept(app) is new
        assert new.values() == _fresh_values(app, "visit-3")
        assert not old.is_attached  # let go


def _drawn(app) -> list[list[tuple[str, object]]]:
    """The screen as drawn: every line's text and style, segment by segment."""
    from textual.widgets import Input

    for control in app.screen.query(Input):
        control.cursor_blink = False
    strips = app.screen._compositor.render_strips()
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


async def test_a_refilled_form_is_drawn_as_a_new_one_is(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        # Used for another record first, a field left in error, typed in, scrolled.
        used = await _edit(pilot, "visit-2")
        used.field("end_time").control.value = "09:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape", "y")
        await settle(pilot)
        for context in ({"visit": "visit-3"}, {"household_id": "hh-02"}):
            args: dict = (
                {"visit": store.get(Visit, context["visit"])} if "visit" in context else context
            )
            kept = VisitForm.open_kept(app, app.session, **args)
            assert kept is used
            app.push_screen(kept)
            await settle(pilot)
            await pilot.pause(0.1)
            reused = _drawn(app)
            app.pop_screen()
            await settle(pilot)
            fresh = VisitForm(app.session, **args)
            app.push_screen(fresh)
            await settle(pilot)
            await pilot.pause(0.1)
            assert _drawn(app) == reused, context
            app.pop_screen()
            await settle(pilot)
