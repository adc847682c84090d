"""送温暖: condolence rounds. A round is a checklist of every active case (or a tier);
mark each household done with what was given and by whom, and see how far it has come."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from grassroots_tui.i18n import label, t
from grassroots_tui.models import CondolenceRound, HardshipTier
from grassroots_tui.services.auth import can
from grassroots_tui.services.condolence import export_round, mark_done, round_progress, start_round
from grassroots_tui.services.documents import round_document
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.store.document_templates import templates_folder
from grassroots_tui.store.exports import write_export
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal
from grassroots_tui.tui.widgets.step_form import StepField, StepForm
from grassroots_tui.tui.workers import StoreWorkers


class RoundsScreen(StoreWorkers, ModalScreen[None]):
    CMDS = (
        Cmd("rounds.new", "new_round", "n"),
        Cmd("rounds.done", "mark_done", "d"),
        Cmd("rounds.export", "export", "x"),
        Cmd("rounds.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    RoundsScreen { align: center middle; }
    RoundsScreen > Vertical { width: 78; max-width: 100%; height: 22; border: round $accent; background: $surface; }
    RoundsScreen #rounds { height: 6; }
    RoundsScreen #items { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("rounds.title"))
            yield DataTable(cursor_type="row", id="rounds")
            yield Label("", id="round-progress")
            yield DataTable(cursor_type="row", id="items")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rounds", DataTable).add_columns(
            t("rounds.name"), t("rounds.started"), t("hardship.tier"), t("rounds.progress")
        )
        self.query_one("#items", DataTable).add_columns(
            t("household.no"),
            t("household.head"),
            t("rounds.done_mark"),
            t("rounds.given"),
            t("rounds.by"),
            t("hardship.date"),
        )
        self.reload()
        self.query_one("#rounds", DataTable).focus()

    def rounds(self) -> list[CondolenceRound]:
        rounds = [
            r
            for r in self.session.store.iter(CondolenceRound)
            if self.session.station_id is None or r.station_id == self.session.station_id
        ]
        return sorted(rounds, key=lambda r: r.started_on, reverse=True)

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one("#rounds", DataTable)
        keep = keep or self.current_round_id()
        table.clear()
        for r in self.rounds():
            done, total, percent = round_progress(r)
            table.add_row(
                literal(r.title),
                r.started_on.isoformat(),
                label(r.tier) if r.tier else t("rounds.all"),
                f"{done}/{total} {percent}%",
                key=r.id,
            )
        if keep:
            try:
                table.move_cursor(row=table.get_row_index(keep))
            except Exception:  # noqa: BLE001 - the round is gone
                pass
        self.show_items()

    def current_round_id(self) -> str | None:
        table = self.query_one("#rounds", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value

    @on(DataTable.RowHighlighted, "#rounds")
    def _round_moved(self) -> None:
        self.show_items()

    def show_items(self) -> None:
        items = self.query_one("#items", DataTable)
        items.clear()
        round_id = self.current_round_id()
        round_ = self.session.store.get(CondolenceRound, round_id) if round_id else None
        if round_ is None:
            self.query_one("#round-progress", Label).update("")
            return
        households = {h["id"]: h for h in self.session.store.raw("household")}
        masker = Masker()
        names = resident_names(self.session.store)  # what was given is free text
        for item in round_.items:
            h = households.get(item.household_id, {})
            items.add_row(
                literal(h.get("household_no", "?")),
                literal(masker.name(h.get("head_of_household", ""))),
                "✓" if item.done else "",
                literal(mask_text(item.given, masker, names)),
                literal(item.by or ""),
                item.done_on.isoformat() if item.done_on else "",
                key=item.case_id,
            )
        done, total, percent = round_progress(round_)
        self.query_one("#round-progress", Label).update(
            t("rounds.progress_line", done=done, total=total, percent=percent)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"new_round", "mark_done"}:
            return not self.session.store.readonly and can(
                self.session.operator.role, "household.edit"
            )
        return True

    def action_new_round(self) -> None:
        session = self.session
        station = session.station_id or next((s.id for s in session.stations()), None)

        def run(v: dict[str, Any]) -> CondolenceRound:
            tier = HardshipTier(v["tier"]) if v["tier"] else None
            return start_round(
                session.store,
                title=v["title"],
                started_on=v["on"],
                station_id=station,
                tier=tier,
                actor=session.actor,
            )

        self.app.push_screen(
            StepForm(
                "cmd.rounds.new",
                [
                    StepField(
                        "title",
                        "rounds.name",
                        t("rounds.default_title", year=session.today().year + 1),
                    ),
                    StepField("on", "rounds.started", session.today().isoformat(), kind="date"),
                    StepField(
                        "tier",
                        "hardship.tier",
                        "",
                        options=tuple((m.value, label(m)) for m in HardshipTier),
                        required=False,
                    ),
                ],
                run,
            ),
            callback=lambda r: self.reload(keep=r.id) if r else None,
        )

    def action_mark_done(self) -> None:
        session, round_id = self.session, self.current_round_id()
        items = self.query_one("#items", DataTable)
        if round_id is None or not items.row_count:
            return
        case_id = items.coordinate_to_cell_key(Coordinate(items.cursor_row, 0)).row_key.value
        assert case_id is not None  # each row is added with its case's id as key
        self.app.push_screen(
            StepForm(
                "cmd.rounds.done",
                [
                    StepField("given", "rounds.given"),
                    StepField("by", "rounds.by", session.operator.name),
                    StepField("on", "hardship.date", session.today().isoformat(), kind="date"),
                ],
                lambda v: mark_done(
                    session.store,
                    round_id,
                    case_id,
                    given=v["given"],
                    by=v["by"],
                    on=v["on"],
                    actor=session.actor,
                ),
            ),
            callback=lambda r: self.reload(keep=round_id) if r else None,
        )

    @on(DataTable.RowSelected, "#items")
    async def _item_chosen(self) -> None:
        # run_action is a coroutine: called without await, Enter did nothing at all.
        await self.run_action("mark_done")

    def action_export(self) -> None:
        session, round_id = self.session, self.current_round_id()
        if round_id is None:
            return
        round_ = session.store.get(CondolenceRound, round_id)

        def work():
            store = session.store
            name = round_.title if round_ else "round"
            text = export_round(store, round_id, fmt="csv")
            table = write_export(store.paths, name, text, suffix=".csv")
            # The list as an official document too, masked (the hardship tier as well).
            folder = templates_folder(store.paths.main)
            docx = round_document(store, round_id, on=session.today(), folder=folder)
            return f"{write_export(store.paths, name, docx, suffix='.docx')}、{table.name}"

        self.in_thread(
            work,
            done=lambda path: self.notify(
                t("rounds.exported", path=str(path)), markup=False, timeout=10
            ),
        )

    def action_close(self) -> None:
        self.dismiss(None)
