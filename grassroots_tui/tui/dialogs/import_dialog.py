"""Importing a ledger: choose its kind (households, visits, slips, hardship cases, media
reports, the three-threes) and the file, see the preview, then confirm.

Nothing is written until the user confirms; the import is one transaction.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from grassroots_tui.i18n import t
from grassroots_tui.services.household_import import apply_import, preview_import, read_ledger
from grassroots_tui.services.ledger_import import (
    LedgerPreview,
    apply_ledger,
    preview_ledger,
    read_kind,
)
from grassroots_tui.services.ledger_kinds import KINDS
from grassroots_tui.services.text import listed
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.workers import StoreWorkers, friendly_error

#: The kind the dialog opens with: the household ledger (the other kinds are in KINDS).
HOUSEHOLDS = "households"


class ImportDialog(StoreWorkers, ModalScreen[int | None]):
    CMDS = (Cmd("import.close", "close", "escape"),)
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    ImportDialog { align: center middle; }
    ImportDialog > Vertical { width: 78; max-width: 100%; height: 26; border: round $accent; background: $surface; padding: 0 1; }
    ImportDialog #import-preview { height: 1fr; }
    ImportDialog #import-buttons { height: auto; align-horizontal: right; }
    ImportDialog #import-buttons Button { margin-left: 1; }
    """

    def __init__(self, session: Session, path: str = "") -> None:
        super().__init__()
        localize_bindings(self)
        self.session = session
        self.initial_path = path
        self.preview = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("import.title"))
            kinds = [(t("import.kind.households"), HOUSEHOLDS)]
            kinds += [(t(f"import.kind.{name}"), name) for name in KINDS]
            yield Select(kinds, value=HOUSEHOLDS, allow_blank=False, id="import-kind")
            yield Input(self.initial_path, placeholder=t("import.path_hint"), id="import-path")
            yield ProgressBar(total=100, show_eta=False, id="import-progress")
            with VerticalScroll(id="import-preview"):
                yield Static(t("import.explain"), id="import-text", markup=False)
            with Horizontal(id="import-buttons"):
                yield Button(t("import.preview"), id="import-preview-button")
                yield Button(
                    t("import.confirm"), variant="primary", id="import-confirm", disabled=True
                )
                yield Button(t("form.cancel"), id="import-cancel")

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    @property
    def kind(self) -> str:
        """The kind of ledger chosen: "households" or a key of :data:`KINDS`."""
        value = self.query_one("#import-kind", Select).value
        return value if isinstance(value, str) else HOUSEHOLDS

    @on(Select.Changed, "#import-kind")
    def _kind_changed(self) -> None:
        self.preview = None
        self.query_one("#import-confirm", Button).disabled = True
        kind = KINDS.get(self.kind)
        if kind is None:
            self._say(t("import.explain"))
            return
        required = listed(kind.columns.by_field[f].title for f in kind.columns.required)
        self._say(t("import.explain_ledger", required=required, kind=kind.name))

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-preview-button")
    def _preview(self) -> None:
        path = Path(self.query_one("#import-path", Input).value.strip()).expanduser()
        session = self.session
        station_id = session.station_id
        if station_id is None:
            self._say(t("import.need_station"))
            return
        bar = self.query_one(ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        kind = KINDS.get(self.kind)

        def work():
            if kind is not None:
                return preview_ledger(
                    session.store,
                    station_id,
                    read_kind(path, kind, progress),
                    kind,
                    session.today(),
                    progress=progress,
                )
            ledger = read_ledger(path, progress=progress)
            return preview_import(
                session.store.raw("household"),
                station_id,
                ledger,
                session.today(),
                progress=progress,
            )

        self.in_thread(work, done=self._previewed, name="import-preview")

    def _previewed(self, preview) -> None:
        self.preview = preview
        lines = [preview.summary()]
        for problem in preview.rejected[:200]:
            lines.append(
                t(
                    "import.rejected_row",
                    row=problem.row,
                    column=problem.column,
                    reason=problem.reason,
                )
            )
        for warning in preview.warnings[:50]:
            lines.append(f"! {warning}")
        self._say("\n".join(lines))
        writable = bool(preview.adds or preview.updates) and not self.session.store.readonly
        self.query_one("#import-confirm", Button).disabled = not writable

    @on(Button.Pressed, "#import-confirm")
    def _confirm(self) -> None:
        preview, session = self.preview, self.session
        if preview is None:
            return
        self.query_one("#import-confirm", Button).disabled = True

        added, updated = len(preview.adds), len(preview.updates)
        ledger = isinstance(preview, LedgerPreview)

        def done(result) -> None:
            key = "import.done_records" if ledger else "import.done"
            self.notify(t(key, added=added, updated=updated), markup=False)
            self.dismiss(added + updated)

        def work():
            if ledger:
                return apply_ledger(session.store, preview, session.actor, allow_rejected=True)
            return apply_import(session.store, preview, session.actor, allow_rejected=True)

        self.in_thread(work, done=done, name="import-apply")

    def on_worker_state_changed(self, event) -> None:
        if event.worker.name.startswith("import") and event.state.name == "ERROR":
            self._say(friendly_error(event.worker.error))

    def _say(self, text: str) -> None:
        self.query_one("#import-text", Static).update(text)

    @on(Button.Pressed, "#import-cancel")
    def action_close(self) -> None:
        self.dismiss(None)
