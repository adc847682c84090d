"""Blocking work (saving, loading, importing) runs in thread workers.

Screens mix in :class:`StoreWorkers` and call ``self.in_thread(fn, done=...)``: ``fn``
runs in a thread, ``done(result)`` runs back on the UI thread, and any error reaches the
user as one clear notice, never a traceback. One handler serves every screen because
Textual's Worker.StateChanged does not bubble. An unexpected error's traceback goes to the
error log in the store's folder, and the notice names the file
(:mod:`grassroots_tui.store.error_log`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual._context import active_app
from textual.worker import Worker, WorkerState

from grassroots_tui.i18n import t

log = logging.getLogger("grassroots_tui")


def expected_errors() -> tuple[type[BaseException], ...]:
    """Errors whose own message is written for the user. (Imported when first needed:
    the models and the store are not imported before the sign-in screen, issue #19.)"""
    from grassroots_tui.models.errors import DocumentInvalid
    from grassroots_tui.store import StoreError

    return (StoreError, DocumentInvalid, ValueError, OSError)


def __getattr__(name: str) -> object:
    if name == "EXPECTED":
        return expected_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def friendly_error(error: BaseException, log_folder: Path | None = None) -> str:
    """The message a user should see for an error (Chinese or English, never a traceback).

    An unexpected error's traceback is written to the error log in ``log_folder`` (by
    default the running program's, :func:`running_log_folder`), and the message names
    the file."""
    from pydantic import ValidationError

    from grassroots_tui.store import StoreError

    if isinstance(error, ValidationError):
        return t("error.invalid")
    if isinstance(error, OSError) and not isinstance(error, StoreError):
        return t("error.os", reason=error.strerror or str(error))
    if isinstance(error, expected_errors()):
        return str(error)
    return unexpected_error_text("error.unexpected", error, log_folder or running_log_folder())


def running_log_folder() -> Path | None:
    """The error log's folder of the program running in this context (the store's), if
    any. Textual keeps the running app in a context variable on the UI thread."""
    app = active_app.get(None)
    folder = getattr(app, "error_log_folder", None)
    return folder if isinstance(folder, Path) else None


def unexpected_error_text(key: str, error: BaseException, folder: Path | None) -> str:
    """The message ``key`` for an unexpected ``error``, after its traceback is written to
    the error log in ``folder``; the message names the file (or says why it could not
    be written)."""
    message = t(key, kind=type(error).__name__)
    if folder is None:
        log.error("unexpected error", exc_info=error)
        return message
    from grassroots_tui.store.error_log import record_unexpected

    try:
        path = record_unexpected(error, folder)
    except OSError as failed:
        return f"{message}{t('error.log_failed', reason=failed.strerror or str(failed))}"
    return f"{message}{t('error.logged', path=str(path))}"


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

    def _taking_results(self) -> bool:
        """Whether a finished thread's result may still be shown here: not on a screen
        being taken down (a sign-out, the program quitting) while it ran, whose widgets
        may be gone already (a section prepared ahead, its rows built meanwhile)."""
        if getattr(self, "_closing", False) or getattr(self, "_closed", False):
            return False
        return bool(getattr(self, "is_attached", True))

    # A plain `on_` method, not @on: Textual collects @on handlers only on its own
    # classes, but it calls the `on_worker_state_changed` of every class in the MRO.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        callbacks = getattr(self, "_done_callbacks", {})
        if event.state is WorkerState.SUCCESS:
            callback = callbacks.pop(event.worker, None)
            if callback is not None and self._taking_results():
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
