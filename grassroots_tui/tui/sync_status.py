"""The program's side of the hub (docs/design.md#the-hub): on a laptop enrolled with the
hub (``<store>.hub.json`` beside its store), a sync runs in a thread worker, one at a
time, never on the UI thread:

- when the program starts;
- :data:`SAVE_DELAY` seconds after the last save (a new audit entry: every change, and
  every recorded access, adds one; a sync's own writes add none), noticed by a cheap
  poll of :attr:`Store.revisions` every :data:`POLL` seconds;
- every :data:`SYNC_EVERY` seconds;
- on demand (the palette's 立即同步, and after a conflict is resolved).

Each sync opens its own connection to the hub and closes it. It holds the store's lock
(``Store._mutex``, as the services hold it across read-decide-write) while it reads and
writes the store, so a save made meanwhile waits for it in its own worker.

The section bar shows the state (:meth:`SyncState.text`): "已同步 10:32", "3 条待上传",
"离线", "1 个冲突", joined by " · "; nothing on a store without a hub.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from grassroots_tui.i18n import t

# The hub, the models and the store are imported when a sync is set up: the app (which
# mixes in HubSyncApp) is imported before its sign-in screen, and they are not needed
# there (issue #19).
if TYPE_CHECKING:
    from grassroots_tui.hub.config import HubConfig
    from grassroots_tui.hub.sync import SyncReport
    from grassroots_tui.store import Store

#: Seconds between two syncs when nothing else asks for one.
SYNC_EVERY = 300.0
#: Seconds after the last save before the sync it asks for.
SAVE_DELAY = 3.0
#: Seconds between two looks at whether something was saved.
POLL = 1.0


def load_config(main: Any) -> HubConfig | None:
    """The hub settings beside the store (:func:`grassroots_tui.hub.config.load_config`)."""
    from grassroots_tui.hub.config import load_config as load

    return load(main)


def _told() -> tuple[type[BaseException], ...]:
    """Errors whose own message is written for the user (in Chinese)."""
    from grassroots_tui.hub.engines import HubError
    from grassroots_tui.models.errors import DocumentInvalid
    from grassroots_tui.store import StoreError

    return (HubError, StoreError, DocumentInvalid)


@dataclass
class SyncState:
    """What the section bar says about the hub."""

    running: bool = False
    #: When the last sync that reached the hub ended (the app's clock).
    last_ok: datetime | None = None
    #: The last attempt could not reach the hub.
    offline: bool = False
    #: The last attempt reached the hub and failed (the notice said why).
    failed: bool = False
    pending: int = 0
    conflicts: int = 0

    def text(self) -> str:
        """ "已同步 10:32 · 3 条待上传 · 1 个冲突", "离线 · 3 条待上传", …"""
        parts = []
        if self.offline:
            parts.append(t("sync.offline"))
        elif self.failed:
            parts.append(t("sync.failed_short"))
        elif self.running and self.last_ok is None:
            parts.append(t("sync.running"))
        elif self.last_ok is not None:
            parts.append(t("sync.synced", time=self.last_ok.strftime("%H:%M")))
        if self.pending:
            parts.append(t("sync.pending", count=self.pending))
        if self.conflicts:
            parts.append(t("sync.conflicts", count=self.conflicts))
        return " · ".join(parts)


@dataclass(frozen=True)
class Outcome:
    """What one sync came to (computed in the worker, shown on the UI thread)."""

    report: SyncReport | None = None
    offline: str | None = None
    error: BaseException | None = None
    #: (pending, conflicts) after it; None when they could not be counted.
    counted: tuple[int, int] | None = None


def counts(store: Store) -> tuple[int, int]:
    """(documents waiting to be pushed, open conflicts), under the store's lock."""
    with store._mutex:
        return len(store.pending()), len(store.hub_state.get("conflicts") or {})


def run_sync(store: Store, config: HubConfig, warm: Callable[[], object] | None = None) -> Outcome:
    """One sync with its own connection; never raises (runs in a thread worker). When
    it brought documents, ``warm`` runs next, still in the worker: what the screens derive
    from them (the slip clock, the residents' names) is worked out here, so the board
    opened after a pull does not pay for it."""
    from grassroots_tui.hub.engines import HubConnection, HubUnavailable
    from grassroots_tui.hub.sync import sync

    try:
        with HubConnection.open(config.address) as hub, store._mutex:
            report = sync(store, hub, config.replica_id)
    except HubUnavailable as error:
        return Outcome(offline=str(error), counted=_counted(store))
    except Exception as error:  # noqa: BLE001 - reported on the UI thread, logged
        return Outcome(error=error, counted=_counted(store))
    if warm is not None and report.changed:
        try:
            warm()
        except Exception:  # noqa: BLE001 - only a head start: the screen works it out itself
            pass
    return Outcome(report=report, counted=_counted(store))


def warm_views(store: Store, app: Any) -> None:
    """The derived views the office's board and lists need, computed now (cached by the
    store until a document they read changes)."""
    from grassroots_tui.services.masking import resident_names
    from grassroots_tui.services.slips.clock import timelines

    session = getattr(app, "session", None)
    if session is None:
        return
    timelines(store, session.calendar)
    resident_names(store)


def _counted(store: Store) -> tuple[int, int] | None:
    try:
        return counts(store)
    except Exception:  # noqa: BLE001 - a closed store: the counts stay as they were
        return None


class HubSync:
    """The app's syncs with the hub and their state. Made by :meth:`for_app` (None on a
    store without a hub); :meth:`start` once the app is mounted."""

    def __init__(
        self,
        app: Any,
        store: Store,
        config: HubConfig,
        clock: Callable[[], datetime],
        on_change: Callable[[], None],
    ) -> None:
        self.app = app
        self.store = store
        self.config = config
        self.clock = clock
        self.on_change = on_change
        self.state = SyncState(last_ok=_last_pull(store))
        self._again = False
        self._seen = store.revisions.get("audit_entry", 0)
        self._saved_at: float | None = None
        #: How many syncs have ended.
        self.finished = 0
        #: Called after each sync, on the UI thread (the conflicts screen lists again).
        self.watchers: list[Callable[[], None]] = []

    @classmethod
    def for_app(cls, app: Any, on_change: Callable[[], None]) -> HubSync | None:
        """The app's sync when its store has a hub (and may be written), else None. A hub
        settings file that cannot be read is told once, as a warning."""
        from grassroots_tui.hub.engines import HubError

        store: Store = app.store
        try:
            config = load_config(store.paths.main)
        except HubError as error:
            app.notify(str(error), severity="warning", timeout=15, markup=False)
            return None
        if config is None or store.readonly:
            return None
        return cls(app, store, config, app.clock, on_change)

    def start(self) -> None:
        self.app.set_interval(POLL, self.poll, name="hub-sync-poll")
        self.app.set_interval(SYNC_EVERY, self.trigger, name="hub-sync-every")
        self.recount()
        self.trigger()

    # --- asking for a sync ----------------------------------------------------------------

    def poll(self) -> None:
        """A save since the last look starts the delay; the delay over, a sync."""
        seen = self.store.revisions.get("audit_entry", 0)
        if seen != self._seen:
            self._seen = seen
            self._saved_at = time.monotonic()
            self.recount()
        elif self._saved_at is not None and time.monotonic() - self._saved_at >= SAVE_DELAY:
            self._saved_at = None
            self.trigger()

    def trigger(self) -> None:
        """Sync now, or once more after the sync under way."""
        if self.state.running:
            self._again = True
            return
        self.state.running = True
        self._again = False
        self.on_change()
        self.app.in_thread(
            lambda: run_sync(self.store, self.config, lambda: warm_views(self.store, self.app)),
            done=self._ended,
            name="hub-sync",
        )

    def recount(self) -> None:
        """Count what waits to be pushed again (in a worker), and show it."""

        def shown(result: tuple[int, int]) -> None:
            self.state.pending, self.state.conflicts = result
            self.on_change()

        self.app.in_thread(lambda: counts(self.store), done=shown, name="hub-sync-count")

    # --- what a sync came to --------------------------------------------------------------

    def _ended(self, outcome: Outcome) -> None:
        state = self.state
        state.running = False
        if outcome.counted is not None:
            state.pending, state.conflicts = outcome.counted
        state.offline = outcome.offline is not None
        state.failed = outcome.error is not None
        if outcome.report is not None:
            state.last_ok = self.clock()
        if outcome.error is not None:
            self._tell(outcome.error)
        self.finished += 1
        self.on_change()
        for watcher in list(self.watchers):
            watcher()
        if self._again:
            self.trigger()

    def _tell(self, error: BaseException) -> None:
        """A failure that is not "offline": the error log and one notice, no traceback."""
        reason = (
            str(error)
            if isinstance(error, _told())
            else t("sync.unexpected", kind=type(error).__name__)
        )
        from grassroots_tui.store.error_log import record_unexpected

        try:
            path = record_unexpected(error, self.store.paths.folder, context="hub sync")
            where = t("error.logged", path=str(path))
        except OSError as failed:
            where = t("error.log_failed", reason=failed.strerror or str(failed))
        self.app.notify(
            t("sync.failed", reason=reason) + where,
            title=t("error.title"),
            severity="error",
            timeout=15,
            markup=False,
        )


def _last_pull(store: Store) -> datetime | None:
    """When this laptop last pulled from the hub (an earlier session), in local time."""
    value = store.hub_state.get("last_pull")
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone()
    except ValueError:
        return None


#: The app's actions that need a hub.
HUB_ACTIONS = frozenset({"conflicts", "sync_now"})


class HubSyncApp:
    """What the app does about the hub (mixed into the app): it starts the syncs, gives the
    section bar its status, and opens the conflicts screen (the palette's 同步冲突, F10)."""

    hub_sync: HubSync | None = None

    def start_hub_sync(self) -> None:
        """Called once the app is mounted: nothing happens on a store without a hub."""
        self.hub_sync = HubSync.for_app(self, self.refresh_sync_status)
        if self.hub_sync is not None:
            self.hub_sync.start()

    def sync_status_text(self) -> str:
        """What the section bar says about the hub ("" without one)."""
        return self.hub_sync.state.text() if self.hub_sync is not None else ""

    def refresh_sync_status(self) -> None:
        """Draw the section bars of the screens shown again, with the new status."""
        from grassroots_tui.tui.widgets.section_bar import SectionBar

        app: Any = self
        for screen in app.screen_stack:
            for bar in screen.query(SectionBar):
                bar.refresh_bar()

    def action_sync_now(self) -> None:
        if self.hub_sync is not None:
            self.hub_sync.trigger()

    def action_conflicts(self) -> None:
        from grassroots_tui.tui.screens.conflicts import ConflictsScreen

        app: Any = self
        if self.hub_sync is not None and not isinstance(app.screen, ConflictsScreen):
            app.push_screen(ConflictsScreen(self.hub_sync))
