"""What every section screen shares: the section bar, localized bindings, workers."""

from __future__ import annotations

import gc
from bisect import bisect_left, insort_right
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable

from grassroots_tui.tui.commands import Cmd, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.styling import KeptStyles
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.record_table import RecordTable, Row
from grassroots_tui.tui.widgets.section_bar import SectionBar
from grassroots_tui.tui.workers import StoreWorkers


class SectionScreen(KeptStyles, StoreWorkers, Screen):
    """A section's main screen. Subclasses set SECTION and implement compose_body()."""

    SECTION = ""
    #: Lists open with the table focused, so single-key commands work at once;
    #: "/" goes to the filter.
    AUTO_FOCUS = "DataTable"

    def __init__(self) -> None:
        super().__init__(id=f"{self.SECTION}-screen")
        localize_bindings(self)

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        # Who is signed in may have changed since the section was last shown.
        if self.app.session is not None:  # type: ignore[attr-defined]
            self.query_one(SectionBar).refresh_bar()


class ListSectionScreen(SectionScreen):
    """A section whose body is a RecordTable of the operator's station's records.

    Rows are built by :meth:`build` in a thread worker (pinyin for tens of thousands of
    names takes a moment the first time) and handed to the table on the UI thread.
    """

    #: Filter and sort: in the help screen and the palette, not in the footer.
    LIST_CMDS = (
        Cmd("list.filter", "focus_filter", "slash", footer=False),
        Cmd("list.sort", "sort", "s", footer=False),
        Cmd("list.top", "first_row", "home", footer=False),
        Cmd("list.bottom", "last_row", "end", footer=False),
    )
    #: The action Enter on a row runs (through run_action, so check_action applies).
    CHOOSE_ACTION = ""

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def mine(self, kind: str) -> list[dict]:
        """Stored dicts of a kind, limited to the operator's station (all for the office)."""
        rows = self.session.store.raw(kind)
        station_id = self.session.station_id
        if station_id:
            rows = [r for r in rows if r.get("station_id") == station_id]
        return rows

    def others(self, kind: str) -> str | None:
        """Why the selected row's ``kind`` document may not be changed on this machine
        (another's: a replica writes only its own), or None. An edit key for such a row is
        not offered (:meth:`check_action` returns None for it)."""
        current = self.table.current_id
        raw = self.session.store.get_raw(kind, current) if current else None
        return self.session.store.may_write(raw) if raw is not None else None

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    #: A record to keep the cursor on once the pending reload lands: a later reload
    #: (say, on returning from the form that saved it) must not lose it.
    _keep: str | None = None

    #: Incremental reloads. A screen that sets ROW_KIND (its rows are documents of that
    #: kind) and implements build_context(), row_for() and row_order() gets them: after
    #: a change to ROW_KIND documents only, a reload rebuilds the rows of the changed
    #: documents, on the UI thread; any change to a CONTEXT_KINDS kind (what the context
    #: reads) rebuilds everything in a thread, as does a screen without ROW_KIND.
    ROW_KIND = ""
    CONTEXT_KINDS: tuple[str, ...] = ()
    #: A screen without ROW_KIND that names every kind its build() reads is built again
    #: only after a change to one of them (otherwise: after any change to the store).
    READS: tuple[str, ...] = ()
    #: At most this many changed documents are rebuilt in place.
    INCREMENTAL_LIMIT = 200
    #: What the last build made: the revisions it read, its context, the rows by id,
    #: and the same rows in row_order() (ascending; shown reversed with
    #: ROW_ORDER_REVERSE), which a changed row is taken out of and put back into by
    #: bisection rather than sorting every row again.
    _built: tuple[dict[str, int], Any, dict[str, Row], list[Row]] | None = None
    _built_for: str | None = None
    #: The revisions a full build under way was started at.
    _pending: dict[str, int | str] | None = None

    #: Who the list was last shown to: another person's sign-in clears its filter.
    _listed_for: str | None = None
    #: What the rows in the table were built from (the store's revisions, who, the day,
    #: build_key()): a reload with all of it unchanged builds nothing.
    _shown: dict[str, Any] | None = None

    def build_key(self) -> Any:
        """What else build() reads that can change while the screen is kept (a
        filter's choices, say); a reload with a different key builds the rows again."""
        return None

    def reload(self, keep: str | None = None) -> None:
        if keep is not None:
            self._keep = keep
        operator = self.session.operator.id
        if self._listed_for not in (None, operator):
            self.table.clear_filter()
        self._listed_for = operator
        if self._reload_in_place():
            return
        revisions: dict[str, Any] = {
            **self._revisions(),
            "operator": self.session.operator.id,
            "today": self.session.today(),
            "shown": self.build_key(),
        }
        if self._pending is not None and self._pending == revisions:
            return  # a build of this very state is under way (mount, then resume)
        if self._pending is None and self._shown == revisions:
            # Nothing the rows are made of has changed since they were built (back from
            # a dialog, or to this section): the list stands as it is (a full build of
            # the office's households took 120-180 ms at 100,000 documents).
            if self._keep is not None and self.table.move_to(self._keep):
                self._keep = None
            return
        self._pending = revisions

        def loaded(result: tuple[list[Row], Any], state: dict[str, Any] = revisions) -> None:
            rows, extra = result
            self._pending = None
            try:
                self.table.set_rows(rows, keep=self._keep)
            except NoMatches:  # taken down meanwhile (a sign-out, the program quitting)
                return
            self._shown = state
            self._keep = None
            self.loaded(extra)
            gc.freeze()  # tens of thousands of rows: out of the cyclic collector's walks

        self.in_thread(self.build, done=loaded, name="load-rows", exclusive=True)

    def on_worker_state_changed(self, event: Any) -> None:
        # (Textual calls StoreWorkers' handler too: each class's own on_ method runs.)
        if event.worker.name == "load-rows" and event.state.name in ("ERROR", "CANCELLED"):
            self._pending = None  # the next reload builds again

    def _revisions(self) -> dict[str, int]:
        store = self.session.store
        if not self.ROW_KIND:
            if self.READS:
                return {k: store.revisions.get(k, 0) for k in self.READS}
            return dict(store.revisions)
        return {k: store.revisions.get(k, 0) for k in (self.ROW_KIND, *self.CONTEXT_KINDS)}

    def _reload_in_place(self) -> bool:
        built = self._built
        if not self.ROW_KIND or built is None:
            return False
        revisions, context, by_id, ordered = built
        if self._built_for != self.session.operator.id:
            return False  # built for someone signed in before
        now = self._revisions()
        if any(now[k] != revisions[k] for k in self.CONTEXT_KINDS):
            return False
        store = self.session.store
        changed = store.changed_since(self.ROW_KIND, revisions[self.ROW_KIND])
        if changed is None or len(changed) > self.INCREMENTAL_LIMIT:
            return False
        if not changed:  # nothing new (say, back from a dialog that saved nothing)
            if self._keep is not None and self.table.move_to(self._keep):
                self._keep = None
            return True
        station_id = self.session.station_id
        key = self.row_order()
        for doc_id in changed:
            doc = store.get_raw(self.ROW_KIND, doc_id)
            row = None
            if doc is not None and (not station_id or doc.get("station_id") == station_id):
                row = self.row_for(doc, context)
            old = by_id.pop(doc_id, None)
            if old is not None and not _take_out(ordered, old, key):
                ordered = sorted(by_id.values(), key=key)  # not where it should be
            if row is not None:
                by_id[doc_id] = row
                insort_right(ordered, row, key=key)
        self._built = (now, context, by_id, ordered)
        self.table.set_rows(self._in_list_order(ordered), keep=self._keep)
        self._keep = None
        # The rest of the screen (the visit rate reads every visit of the station) once
        # the rows are painted: a thread started now would hold the interpreter lock
        # against the repaint, 20 ms of it at 100,000 documents (bench/FINDINGS-app.md).
        self.call_after_refresh(
            self.in_thread,
            lambda: self.extra(context),
            done=self.loaded,
            name="load-extra",
            exclusive=True,
        )
        return True

    def build(self) -> tuple[list[Row], Any]:
        """The table's rows, and anything else loaded() should show. Runs in a thread."""
        if not self.ROW_KIND:
            raise NotImplementedError
        revisions = self._revisions()
        operator = self.session.operator.id
        context = self.build_context()
        by_id: dict[str, Row] = {}
        for doc in self.mine(self.ROW_KIND):
            row = self.row_for(doc, context)
            if row is not None:
                by_id[row.id] = row
        ordered = sorted(by_id.values(), key=self.row_order())
        self._built = (revisions, context, by_id, ordered)
        self._built_for = operator
        return self._in_list_order(ordered), self.extra(context)

    def _in_list_order(self, ordered: list[Row]) -> list[Row]:
        """A copy of the rows in the order listed (the table keeps the list it is given)."""
        return ordered[::-1] if self.ROW_ORDER_REVERSE else list(ordered)

    # --- what an incremental screen implements ------------------------------------------

    ROW_ORDER_REVERSE = False

    def build_context(self) -> Any:
        """What row_for() needs besides the document (lookups of other kinds)."""
        return None

    def row_for(self, doc: dict, context: Any) -> Row | None:
        """The row of one stored document (None: not listed)."""
        raise NotImplementedError

    def row_order(self) -> Any:
        """The sort key of the rows as first listed."""
        return lambda row: row.id

    def extra(self, context: Any) -> Any:
        """Anything else loaded() shows (computed in a thread)."""
        return None

    def loaded(self, extra: Any) -> None:
        """Called on the UI thread after the rows are in the table."""

    def action_focus_filter(self) -> None:
        self.table.focus_filter()

    def action_sort(self) -> None:
        self.table.cycle_sort()

    # (Home and End in the list itself do the same: these are for the help screen, the
    # palette and a remapped key.)
    def action_first_row(self) -> None:
        self.table.query_one(DataTable).action_scroll_top()

    def action_last_row(self) -> None:
        self.table.query_one(DataTable).action_scroll_bottom()

    @on(RecordTable.Chosen)
    async def _row_chosen(self) -> None:
        if self.CHOOSE_ACTION:
            await self.run_action(self.CHOOSE_ACTION)


def _take_out(ordered: list[Row], row: Row, key: Any) -> bool:
    """Remove ``row`` (that very object) from ``ordered``, sorted by ``key``; False if
    it is not where its key says it should be."""
    i = bisect_left(ordered, key(row), key=key)
    while i < len(ordered) and ordered[i] is not row:
        if key(ordered[i]) != key(row):
            return False
        i += 1
    if i == len(ordered):
        return False
    del ordered[i]
    return True
