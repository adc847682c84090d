"""Blocking work (saving, loading, importing) runs in thread workers.

Screens mix in :class:`StoreWorkers` and call ``self.in_thread(fn, done=...)``: ``fn``
runs in a thread, ``done(result)`` runs back on the UI thread, and any error reaches the
user as one clear notice, never a traceback. One handler serves every screen because
Textual's Worker.StateChanged does not bubble.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from textual.worker import Worker, WorkerState

from grassroots_tui.i18n import t
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.store import StoreError

log = logging.getLogger("grassroots_tui")

#: Errors whose own message is written for the user.
EXPECTED = (StoreError, DocumentInvalid, ValueError, OSError)


def friendly_error(error: BaseException) -> str:
    """The message a user should see for an error (Chinese or English, never a traceback)."""
    if isinstance(error, ValidationError):
        return t("error.invalid")
    if isinstance(error, OSError) and not isinstance(error, StoreError):
        return t("error.os", reason=error.strerror or str(error))
    if isinstance(error, EXPECTED):
        return str(error)
    log.exception("unexpected error", exc_info=error)
    return t("error.unexpected", kind=type(error).__name__)


class StoreWorkers:
    """Mixin for screens and the app: run blocking calls in a thread, report errors."""

    _done_callbacks: dict[Worker, Callable[[Any], None]]

    def in_thread(
        self,
        fn: Callable[[], Any],
        *,
        done: Callable[[Any], None] | None = None,
        name: str = "store",
        exclusive: bool = False,
    ) -> Worker:
        """Run ``fn`` in a thread; ``done(result)`` back on the UI thread. With
        ``exclusive``, an earlier worker of the same name is cancelled (its result dropped)."""
        worker = self.run_worker(  # type: ignore[attr-defined]
            fn, thread=True, exit_on_error=False, name=name, group=name, exclusive=exclusive
        )
        if not hasattr(self, "_done_callbacks"):
            self._done_callbacks = {}
        if done is not None:
            self._done_callbacks[worker] = done
        return worker

    # A plain `on_` method, not @on: Textual collects @on handlers only on its own
    # classes, but it calls the `on_worker_state_changed` of every class in the MRO.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        callbacks = getattr(self, "_done_callbacks", {})
        if event.state is WorkerState.SUCCESS:
            callback = callbacks.pop(event.worker, None)
            if callback is not None:
                callback(event.worker.result)
        elif event.state is WorkerState.ERROR:
            callbacks.pop(event.worker, None)
            error = event.worker.error
            self.notify(  # type: ignore[attr-defined]
                friendly_error(error) if error else t("error.unexpected", kind="?"),
                title=t("error.title"),
                severity="error",
                markup=False,
                timeout=10,
            )
            show = getattr(self.app, "show_store_warnings", None)  # type: ignore[attr-defined]
            if show is not None:
                show()
        elif event.state is WorkerState.CANCELLED:
            callbacks.pop(event.worker, None)
