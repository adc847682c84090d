"""The two refusals every slip step can raise, with their reasons (in the interface
language, :func:`grassroots_tui.lang.tr`)."""

from __future__ import annotations

__all__ = ["SlipActionRefused", "SlipNotFound"]


class SlipActionRefused(ValueError):
    """A step that is not allowed for this slip now; the message says why."""


class SlipNotFound(SlipActionRefused):
    """The slip (or the visit/problem it should come from) does not exist."""
