"""Settings: the station, its staff (add, edit, retire), and the interface language."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Select, Static

from grassroots_tui.i18n import LANGUAGES, label, t
from grassroots_tui.models import Staff, Station
from grassroots_tui.services.auth import can
from grassroots_tui.services.masking import Masker
from grassroots_tui.services.pinyin import sort_key
from grassroots_tui.services.staff import retire_staff
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.dialogs.staff_form import StaffForm, StationForm
from grassroots_tui.tui.session import Session
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.form import literal, visible
from grassroots_tui.tui.workers import StoreWorkers


class SettingsScreen(StoreWorkers, ModalScreen[None]):
    CMDS = (
        Cmd("settings.station", "edit_station", "t"),
        Cmd("settings.add_staff", "add_staff", "a"),
        Cmd("settings.edit_staff", "edit_staff", "e"),
        Cmd("settings.retire_staff", "retire_staff", "r"),
        Cmd("settings.close", "close", "escape"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    SettingsScreen { align: center middle; }
    SettingsScreen > Vertical { width: 78; max-width: 100%; height: 22; border: round $accent; background: $surface; padding: 0 1; }
    SettingsScreen #staff-table { height: 1fr; }
    SettingsScreen #lang-row { height: 3; }
    SettingsScreen #lang-row Label { padding: 1 1 0 0; }
    SettingsScreen #lang-row Select { width: 20; }
    """

    def __init__(self, tab: str = "station") -> None:
        super().__init__()
        localize_bindings(self)
        self.tab = tab

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("settings.title"))
            yield Static("", id="station-info", markup=False)
            with Horizontal(id="lang-row"):
                yield Label(t("settings.language"))
                yield Select(
                    [(t(f"lang.{code}"), code) for code in LANGUAGES],
                    value=self.app.settings.lang,  # type: ignore[attr-defined]
                    allow_blank=False,
                    id="lang",
                )
            yield Label(t("settings.staff"))
            yield DataTable(cursor_type="row", id="staff-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            t("staff.name"), t("staff.role"), t("staff.phone"), t("staff.active"), t("staff.pin")
        )
        self.reload()
        if self.tab == "staff":
            table.focus()

    def reload(self) -> None:
        station = self.session.station
        if station is not None:
            station = self.session.store.get(Station, station.id) or station
            self.query_one("#station-info", Static).update(
                t(
                    "settings.station_line",
                    name=station.name,
                    code=station.code,
                    community=station.community,
                    street_office=station.street_office,
                    hours=f"{station.working_start:%H:%M}-{station.working_end:%H:%M}",
                )
            )
        masker = Masker()
        table = self.query_one(DataTable)
        table.clear()
        staff = [
            s
            for s in self.session.store.iter(Staff)
            if self.session.station_id is None or s.station_id == self.session.station_id
        ]
        for s in sorted(staff, key=lambda s: (not s.active, sort_key(s.name))):
            table.add_row(
                literal(s.name),
                label(s.role),
                literal(masker.phone(s.phone)),
                t("staff.yes") if s.active else t("staff.retired"),
                t("staff.yes") if s.pin_hash else "-",
                key=s.id,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        writable = not self.session.store.readonly
        if action == "edit_station":
            return (
                writable
                and self.session.station is not None
                and can(self.session.operator.role, "station.settings")
            )
        if action in {"add_staff", "edit_staff", "retire_staff"}:
            return writable and can(self.session.operator.role, "staff.manage")
        return True

    def _current_staff(self) -> Staff | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return self.session.store.get(Staff, key) if key else None

    def action_edit_station(self) -> None:
        station = self.session.store.get(Station, self.session.station_id or "")
        if station is not None:
            self.app.push_screen(StationForm(self.session, station), callback=self._station_saved)

    def _station_saved(self, station: Station | None) -> None:
        if station is not None:
            self.session.station = station
            self.reload()

    def action_add_staff(self) -> None:
        self.app.push_screen(StaffForm(self.session), callback=lambda _: self.reload())

    def action_edit_staff(self) -> None:
        staff = self._current_staff()
        if staff is not None:
            self.app.push_screen(StaffForm(self.session, staff), callback=lambda _: self.reload())

    def action_retire_staff(self) -> None:
        staff = self._current_staff()
        if staff is None or not staff.active:
            return
        session = self.session

        def done(_: object) -> None:
            self.notify(visible(t("staff.retired_done", name=staff.name)), markup=False)
            self.reload()

        self.in_thread(lambda: retire_staff(session.store, staff.id, session.actor), done=done)

    @on(Select.Changed, "#lang")
    def _language(self, event: Select.Changed) -> None:
        settings = self.app.settings  # type: ignore[attr-defined]
        if event.value and event.value != settings.lang:
            settings.lang = str(event.value)
            self.app._save_settings()  # type: ignore[attr-defined]
            self.notify(t("settings.language_restart"), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
