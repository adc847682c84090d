"""The key bar at the foot of every screen."""

from __future__ import annotations

from typing import Any

from textual import widgets


class Footer(widgets.Footer):
    """Textual's footer, composed again only when what it shows changes, and without
    holding on to the keys it replaced.

    Textual's footer composes its keys again whenever the bindings change (a screen
    shown, a dialog closed, a row highlighted), usually to the very same keys; each time
    it mounted and styled a dozen new widgets, about a third of the time it took to open
    a kept screen (the supervisors' board). On a screen that says so (``KEEP_FOOTER``,
    the board), :meth:`recompose` is skipped when everything :meth:`compose` reads is as
    it was the last time. Not everywhere: on the visits list, skipping it made the list
    after a save slower (42 → 75 ms at 1,000 documents, measured with bench.ui_probe;
    the reason was not found), so the other screens compose their footer as Textual does.

    Every key data-binds ``compact`` to the footer, and Textual lets go of a removed
    key's binding only when ``compact`` next changes, which it never does here: each
    change of screen left the old keys, and everything they had drawn, for the garbage
    collector to walk (bench/FINDINGS-app.md, tests/test_tui_faults.py).
    """

    _shown: tuple[Any, ...] | None = None

    def _showing(self) -> tuple[Any, ...]:
        """Everything :meth:`compose` reads to make its keys (Textual 8's footer)."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        keys = tuple(
            (
                key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.group,
                binding.tooltip,
                enabled,
                tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )
        return (
            self._bindings_ready,
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            palette,
            keys,
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        if getattr(self.screen, "KEEP_FOOTER", False):
            shown = self._showing()
            if shown == self._shown and self.children:
                return  # the same keys as now: nothing to do
            self._shown = shown
        await super().recompose()
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]
