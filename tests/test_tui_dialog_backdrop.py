"""A dialog shows the screen behind it dimmed, as Textual's ModalScreen does; a full
screen stays opaque (issue #19)."""

from __future__ import annotations

from textual.screen import ModalScreen

from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.screens.help import HelpScreen
from tests.tui_fixtures import (  # noqa: F401 - fixtures
    build_store,
    make_app,
    screen_text,
    settle,
    sign_in,
    store_fixture,
    template_fixture,
)


async def test_a_dialog_is_translucent_and_a_full_screen_opaque(store):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        behind = app.screen
        assert not isinstance(behind, ModalScreen)
        assert behind.styles.background.a == 1
        behind_text = screen_text(app)
        for dialog in (ConfirmDialog("？"), HelpScreen(behind)):
            await app.push_screen(dialog)
            await pilot.pause()
            assert app.screen is dialog
            assert 0 < dialog.styles.background.a < 1, dialog.styles.background
            # What the list showed is still there around the dialog: its first line.
            first = behind_text.splitlines()[0].strip()
            assert first and first in screen_text(app), screen_text(app)
            app.pop_screen()
            await pilot.pause()
        assert app.screen is behind and behind.styles.background.a == 1
