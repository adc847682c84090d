"""The key bar at the foot of every screen."""

from __future__ import annotations

from textual import widgets


class Footer(widgets.Footer):
    """Textual's footer, without holding on to the keys it replaced.

    The footer composes its keys again whenever the bindings change (a screen shown, a
    dialog closed). Every key data-binds ``compact`` to the footer, and Textual lets go
    of a removed key's binding only when ``compact`` next changes, which it never does
    here: each change of screen left the old keys, and everything they had drawn, for
    the garbage collector to walk (bench/FINDINGS-app.md, tests/test_tui_faults.py).
    """

    async def recompose(self) -> None:
        await super().recompose()
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]
