"""The sign-in screen's wait after five wrong PINs survives closing the program: the
wrong PINs are counted in the store (issue 18 §4), not in the running program."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static

from grassroots_tui.tui.screens.signin import SignInScreen
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    HEAD_ID,
    HEAD_PIN,
    build_store,
    db_fixture,
    isolate_environment,
    make_app,
    template_fixture,
)
from tests.tui_fixtures import open_store as open_fixed_store

SIZE = (80, 24)


async def _attempt(pilot, pin: str) -> str:
    screen = pilot.app.screen
    options = screen.query_one("#signin-staff", OptionList)
    options.highlighted = options.get_option_index(HEAD_ID)
    box = screen.query_one("#signin-pin", Input)
    box.value = pin
    box.focus()
    await pilot.press("enter")
    await pilot.pause()
    return str(screen.query_one("#signin-message", Static).content)


async def test_five_wrong_pins_still_wait_after_the_program_is_opened_again(db: Path) -> None:
    store = open_fixed_store(db)
    try:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for _ in range(5):
                message = await _attempt(pilot, "0000")
            assert "已连续输错 5 次" in message
    finally:
        store.close()

    store = open_fixed_store(db)  # the program started again: a new store, a new guard
    try:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            message = await _attempt(pilot, HEAD_PIN)
            assert message == "PIN 输错次数过多，请 1 分钟后再试。"
            assert isinstance(app.screen, SignInScreen) and app.session is None
    finally:
        store.close()
