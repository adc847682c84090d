"""Screens kept and shown again and again, styled once (issue #19).

Textual restyles every widget of a screen each time it is shown again (a third of a kept
form's opening), and the first time a section is switched to it parses the whole
stylesheet again, twice (``App.switch_mode``: about 0.2 s at the office's scale). Neither
is needed while the app's stylesheet is the one the screen was styled in: a screen's
own changes (its classes, the focus) restyle what they touch as they happen, and the
app's count of stylesheet changes (the theme, the CSS) says when it is not. That count
is Textual's own, private (``App._css_update_count``); without it every screen is
restyled as Textual does.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.message_pump import MessagePump


def css_generation(app: Any) -> int | None:
    """Which state of the app's stylesheet the screens are styled in (None: unknown)."""
    count = getattr(app, "_css_update_count", None)
    return count if isinstance(count, int) else None


def mark_styled(app: Any, screen: Any, generation: int | None) -> None:
    """Tell Textual that ``screen`` is (or, about to be mounted, will be) styled in the
    stylesheet of ``generation`` when that is still the app's, so that switching to it
    does not parse the whole stylesheet again. A screen is styled as it is mounted, in
    the stylesheet of that moment."""
    if generation is not None and generation == css_generation(app):
        screen._css_update_count = generation


class KeptStyles(MessagePump):
    """For a Screen kept and shown again (a mixin, listed before the Screen class): not
    restyled whole on resume unless the app's stylesheet changed since it was last
    styled. (Its handlers run before Textual's own, which reads the event's flag; a
    MessagePump so that its handlers are found, beside the screen's own.)"""

    #: The app's stylesheet generation the screen was last styled in.
    _styled_at: int | None = None

    @on(events.Mount)
    def _styled_as_mounted(self) -> None:
        self._styled_at = css_generation(self.app)

    @on(events.ScreenResume)
    def _keep_styles(self, event: events.ScreenResume) -> None:
        now = css_generation(self.app)
        if now is not None and self._styled_at == now:
            event.refresh_styles = False
        self._styled_at = now
