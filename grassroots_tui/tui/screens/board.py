"""督办看板: every slip that is overdue or about to be, across every station, most late
first; filter it, open a slip's history, and send a reminder notice."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Select, Static

from grassroots_tui.i18n import label, t
from grassroots_tui.models import HandoffSlip, SlipReminder
from grassroots_tui.services.auth import can
from grassroots_tui.services.documents import reminder_document
from grassroots_tui.services.slip_board import Board, build_board, filter_board
from grassroots_tui.services.slip_print import record_reminder, render_reminder
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.slips import get_slip
from grassroots_tui.store.document_templates import templates_folder
from grassroots_tui.store.exports import write_export
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.screens.slip_rows import clock_text, describe_slip, short_number
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.styling import KeptStyles
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.record_table import Column, RecordTable, Row
from grassroots_tui.tui.widgets.section_bar import SectionBar
from grassroots_tui.tui.workers import StoreWorkers

FILTERS = ("station", "unit", "lead", "category")


class BoardScreen(KeptStyles, StoreWorkers, Screen[None]):
    #: The board is kept and opened again and again with the same keys: its footer is
    #: not composed again when they have not changed (tui/widgets/footer.py).
    KEEP_FOOTER = True

    CMDS = (
        Cmd("board.remind", "remind", "m"),
        Cmd("board.refresh", "refresh", "f5", footer=False),
        Cmd("board.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    AUTO_FOCUS = "DataTable"
    DEFAULT_CSS = """
    BoardScreen #board-counts { height: 1; padding: 0 1; background: $boost; }
    BoardScreen #board-filters { height: 1; }
    BoardScreen #board-filters Select { width: 1fr; }
    """

    NAME = "board"
    #: Board data kinds: a change to one of them builds the board again. The titles are
    #: masked with every registered resident's name (masking.RESIDENT_NAME_FIELDS), so
    #: the kinds that hold residents' names are among them.
    KINDS = (
        "handoff_slip",
        "slip_extension",
        "slip_callback",
        "station",
        "staff",
        "household",
        "hardship_case",
        "appointment",
    )

    def __init__(self) -> None:
        super().__init__(id="board")
        localize_bindings(self)
        self.board: Board | None = None
        #: How many times the board was built and shown (each opening builds it afresh).
        self.generation = 0
        self._options: dict[str, list[str]] = {}
        #: The reminder key was pressed before the board's first rows came: it is done
        #: (or refused, saying why) once they are shown, not lost.
        self._remind_waiting = False

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield SectionBar("slips")  # who, read-only, sync: on every screen
        yield Static(t("board.title"), id="board-title")
        yield Static("", id="board-counts", markup=False)
        with Horizontal(id="board-filters"):
            for name in FILTERS:
                yield Select(
                    [], prompt=t(f"board.filter.{name}"), compact=True, id=f"filter-{name}"
                )
        yield RecordTable(
            [
                Column("number", t("slip.number"), 9),
                Column("station", t("board.station"), 6),
                Column("title", t("slip.title"), 12),
                Column("unit", t("slip.unit"), 8),
                Column("lead", t("slip.lead"), 6),
                Column("due", t("slip.due"), 10),
                Column("clock", t("slip.clock"), 12),
            ],
            detail=self.describe,
            id="board-table",
        )
        yield Footer()

    def on_screen_resume(self) -> None:
        # (Kept between openings: not restyled whole, see KeptStyles.)
        # Each opening (the screen is kept between them) shows the board as of now.
        self.query_one(SectionBar).refresh_bar()
        self.action_refresh()

    def action_refresh(self) -> None:
        session = self.session
        store, today, warn = session.store, session.today(), session.slip_rules.warn_days

        def build() -> Board:
            return store.derived(
                f"board:{today.isoformat()}:{warn}",
                self.KINDS,
                lambda: build_board(store, today=today, calendar=session.calendar, warn_days=warn),
                token=session.calendar,
            )

        self.in_thread(build, done=self._built, name="board", exclusive=True)

    def _built(self, board: Board) -> None:
        self.generation += 1
        if board is self.board:
            return  # nothing changed since it was last shown (the store kept it)
        self.board = board
        options = {
            "station": sorted({r.station_code for r in board.rows}),
            "unit": sorted({r.handling_unit for r in board.rows if r.handling_unit}),
            "lead": sorted({r.lead_official for r in board.rows if r.lead_official}),
            "category": sorted({r.category for r in board.rows}),
        }
        shown = {"category": category_name}
        for name, values in options.items():
            if self._options.get(name) == values:
                continue  # rebuilding a drop-down's options is costly: only when they change
            self._options[name] = values
            select = self.query_one(f"#filter-{name}", Select)
            current = select.value
            select.set_options([(literal(shown.get(name, str)(v)), v) for v in values])
            if current in values:
                select.value = current
        self._show()
        if self._remind_waiting:
            self._remind_waiting = False
            self.call_after_refresh(self._remind_pressed)

    def _remind_pressed(self) -> None:
        if self.check_action("remind", ()) is True:
            self.action_remind()
        else:
            self.notify(self._remind_refusal(), markup=False, severity="warning")

    def _filters(self) -> dict[str, str | None]:
        values = {}
        for name in FILTERS:
            value = self.query_one(f"#filter-{name}", Select).value
            values[name] = None if value is Select.NULL else str(value)
        return values

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self._show()

    def _show(self) -> None:
        if self.board is None:
            return
        board = filter_board(self.board, **self._filters())
        self.query_one("#board-counts", Static).update(
            t(
                "board.counts",
                overdue=board.overdue,
                due_today=board.due_today,
                warning=board.warning,
                provisional=board.provisional,
                reported=board.reported,
            )
        )
        rows = []
        for index, r in enumerate(board.rows):
            rows.append(
                Row(
                    r.slip_id,
                    [
                        short_number(r.number),
                        r.station_code,
                        r.title,
                        r.handling_unit,
                        r.lead_official or "",
                        r.due.date.isoformat(),
                        clock_text(r.clock, r.due.provisional),
                    ],
                    " ".join(
                        [
                            r.number,
                            r.station_code,
                            r.title,
                            r.handling_unit,
                            r.lead_official or "",
                            r.category,
                            category_name(r.category),
                            label(r.state),
                        ]
                    ).lower(),
                    [
                        r.number,
                        r.station_code,
                        r.title,
                        r.handling_unit,
                        r.lead_official or "",
                        r.due.date.isoformat(),
                        index,
                    ],
                )
            )
        self.query_one(RecordTable).set_rows(rows)

    def describe(self, slip_id: str) -> Text:
        store = self.session.store
        slip = (
            get_slip(store, slip_id, self.session.calendar)
            if store.get_raw(HandoffSlip, slip_id)
            else None
        )
        row = next(
            (r for r in (self.board.rows if self.board else []) if r.slip_id == slip_id), None
        )
        if slip is None or row is None:
            return Text("")
        due_text = row.due.date.isoformat() + (
            f"（{row.due.reason}）" if row.due.provisional else ""
        )
        return describe_slip(store, slip, due_text, clock_text(row.clock, row.due.provisional))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remind":
            if self.session.store.readonly or not can(self.session.operator.role, "slip.board"):
                return False
            slip_id = self.query_one(RecordTable).current_id if self.is_mounted else None
            row = next(
                (r for r in (self.board.rows if self.board else []) if r.slip_id == slip_id), None
            )
            return None if row is None or row.clock.state != "overdue" else True
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        """The reminder key, when no reminder can be written now, says why."""
        for namespace, bindings_map in self._binding_chain:
            if namespace is not self:
                continue
            for binding in bindings_map.key_to_bindings.get(event.key, ()):
                if binding.action != "remind" or self.check_action("remind", ()) is True:
                    continue
                event.stop()
                event.prevent_default()
                if self.check_action("remind", ()) is False:  # read-only, or not this role
                    self.notify(self._remind_refusal(), markup=False, severity="warning")
                elif self.board is None:
                    self._remind_waiting = True  # the rows are on their way
                else:  # the table's cursor may not have settled on the rows just shown
                    self.call_after_refresh(self._remind_pressed)
                return

    def _remind_refusal(self) -> str:
        session = self.session
        if session.store.readonly:
            return t("board.remind.readonly")
        if not can(session.operator.role, "slip.board"):
            return t("board.remind.role", role=label(session.operator.role))
        return t("board.remind.not_overdue")

    def action_remind(self) -> None:
        """Ask first, naming the slip, and warn when it was already reminded today."""
        slip_id = self.query_one(RecordTable).current_id
        row = next(
            (r for r in (self.board.rows if self.board else []) if r.slip_id == slip_id), None
        )
        if slip_id is None or row is None:
            return
        today = self.session.today()
        sent_today = any(
            r.get("slip_id") == slip_id and str(r.get("sent_on")) == today.isoformat()
            for r in self.session.store.raw(SlipReminder.KIND)
        )
        question = t("board.remind.confirm", number=row.number, title=row.title)
        if sent_today:
            question += "\n" + t("board.remind.again")

        def answered(yes: bool | None) -> None:
            if yes:
                self._remind(slip_id)

        self.app.push_screen(ConfirmDialog(question), callback=answered)

    def _remind(self, slip_id: str) -> None:
        session = self.session
        store, today, calendar = session.store, session.today(), session.calendar

        def work():
            notice = render_reminder(store, slip_id, today=today, calendar=calendar)
            record_reminder(
                store,
                slip_id,
                today=today,
                by=session.operator.name,
                actor=session.actor,
                calendar=calendar,
            )
            number = (
                get_slip(store, slip_id).number if store.get_raw(HandoffSlip, slip_id) else None
            )
            name = f"催办-{number or slip_id}"
            text = write_export(store.paths, name, notice)
            # The 催办通知书 as an official document, numbered as the reminder just recorded.
            folder = templates_folder(store.paths.main)
            docx = reminder_document(store, slip_id, today=today, calendar=calendar, folder=folder)
            return f"{write_export(store.paths, name, docx, suffix='.docx')}、{text.name}"

        def done(path) -> None:
            self.notify(t("board.reminded", path=str(path)), markup=False, timeout=10)
            self.action_refresh()

        self.in_thread(work, done=done, name="remind")

    def action_close(self) -> None:
        self.dismiss(None)
