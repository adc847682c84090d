"""值班: the station's duty roster as a month calendar, gaps marked; leave and substitutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import DataTable, Select, Static

from grassroots_tui.i18n import t
from grassroots_tui.services import rosters as service
from grassroots_tui.services.auth import can
from grassroots_tui.services.pinyin import sort_key
from grassroots_tui.services.text import listed, split_list
from grassroots_tui.tui.commands import Cmd, bindings
from grassroots_tui.tui.screens.base import SectionScreen
from grassroots_tui.tui.widgets.form import literal, visible
from grassroots_tui.tui.widgets.step_form import StepField, StepForm


class RostersScreen(SectionScreen):
    SECTION = "rosters"
    CMDS = (
        Cmd("rosters.prev", "month(-1)", "left_square_bracket"),
        Cmd("rosters.next", "month(1)", "right_square_bracket"),
        Cmd("rosters.generate", "generate", "g"),
        Cmd("rosters.edit", "edit_day", "e"),
        Cmd("rosters.leave", "leave", "l"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    RostersScreen #roster-head { height: 1; padding: 0 1; background: $boost; }
    RostersScreen #roster-station { height: 1; }
    RostersScreen #roster-grid { height: 1fr; }
    RostersScreen #roster-gaps { height: auto; max-height: 5; color: $error; padding: 0 1; }
    """

    def compose_body(self):
        yield Select([], prompt=t("rosters.station"), compact=True, id="roster-station")
        yield Static("", id="roster-head", markup=False)
        yield DataTable(cursor_type="cell", id="roster-grid", zebra_stripes=False)
        yield Static("", id="roster-gaps", markup=False)

    def on_mount(self) -> None:
        today = self.session.today()
        self.year, self.month = today.year, today.month
        stations = self.session.stations()
        select = self.query_one("#roster-station", Select)
        select.set_options([(literal(s.name), s.id) for s in stations])
        if stations:
            select.value = self.session.station_id or stations[0].id
        select.display = self.session.station is None  # office staff choose; a station sees its own
        grid = self.query_one(DataTable)
        for i in range(7):  # 7 narrow columns fit 80; names go one per line
            grid.add_column(t(f"rosters.weekday.{i}"), width=8)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def station_id(self) -> str | None:
        value = self.query_one("#roster-station", Select).value
        return None if value is Select.NULL else str(value)

    @on(Select.Changed, "#roster-station")
    def _station_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        station_id, year, month = self.station_id, self.year, self.month
        if station_id is None:
            return
        session = self.session
        self.in_thread(
            lambda: service.month_view(
                session.store,
                station_id=station_id,
                year=year,
                month=month,
                calendar=session.calendar,
            ),
            done=self._show,
            name="roster",
            exclusive=True,
        )

    def _show(self, days: list[Any]) -> None:
        staff = {s["id"]: s["name"] for s in self.session.store.raw("staff")}
        grid = self.query_one(DataTable)
        grid.clear()
        first = dt.date(self.year, self.month, 1)
        cells: list[Text] = [Text("") for _ in range(first.weekday())]
        gaps: list[str] = []
        lines_needed: list[int] = [1] * first.weekday()
        for day in days:
            names = [staff.get(i, "?") for i in day.staff_ids]
            cell = Text(f"{day.day.day:>2}", style="bold" if day.workday else "dim")
            if day.gaps:
                cell.append(" !", style="bold red")
                gaps.extend(f"{g.day.isoformat()} {g.message}" for g in day.gaps)
            if not day.workday and not names:
                cell.append(" " + t("rosters.rest"), style="dim")
            elif day.workday and day.day.weekday() >= 5:  # a make-up working weekend (调休)
                cell.append(" " + t("rosters.makeup"), style="bold")
            for name in names:
                cell.append("\n" + visible(name))
            cells.append(cell)
            lines_needed.append(1 + len(names))
        while len(cells) % 7:
            cells.append(Text(""))
            lines_needed.append(1)
        for week in range(len(cells) // 7):
            height = min(max(lines_needed[week * 7 : (week + 1) * 7]), 4)
            grid.add_row(*cells[week * 7 : (week + 1) * 7], height=height, key=f"w{week}")
        head = t("rosters.head", year=self.year, month=self.month, gaps=len(gaps))
        if any(day.provisional for day in days):  # no holiday data: 待定, like due dates
            head += t("rosters.provisional", year=self.year)
        self.query_one("#roster-head", Static).update(head)
        self.query_one("#roster-gaps", Static).update(literal("\n".join(gaps[:5])))

    def selected_day(self) -> dt.date | None:
        grid = self.query_one(DataTable)
        first = dt.date(self.year, self.month, 1)
        index = grid.cursor_row * 7 + grid.cursor_column - first.weekday()
        day = first + dt.timedelta(days=index)
        return day if day.month == self.month and index >= 0 else None

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"generate", "edit_day"}:
            if self.session.store.readonly or not can(self.session.operator.role, "staff.manage"):
                return False
            # A station's roster is the station's: on another machine it is shown only.
            replica = self.session.store.replica
            if not replica.standalone and replica.station_id != self.station_id:
                return None
        return True

    def action_month(self, step: int) -> None:
        month = self.month + step
        self.year, self.month = self.year + (month - 1) // 12, (month - 1) % 12 + 1
        self.reload()

    def _names(self) -> dict[str, str]:
        return {
            s["name"]: s["id"]
            for s in self.session.store.raw("staff")
            if s.get("active", True) and s.get("station_id") == self.station_id
        }

    def _ids(self, text: str) -> list[str]:
        names = self._names()
        unknown = [n for n in split_list(text) if n not in names]
        if unknown:
            raise ValueError(t("visit.unknown_staff", names=listed(unknown)))
        return [names[n] for n in split_list(text)]

    def action_generate(self) -> None:
        session, station_id, year, month = self.session, self.station_id, self.year, self.month
        if station_id is None:
            return
        members = sorted(self._names(), key=sort_key)

        def run(v: dict[str, Any]) -> list:
            return service.generate_month(
                session.store,
                station_id=station_id,
                year=year,
                month=month,
                staff_ids=self._ids(v["members"]),
                per_day=int(v["per_day"]),
                calendar=session.calendar,
                actor=session.actor,
                replace=v["replace"] == "yes",
            )

        self.app.push_screen(
            StepForm(
                "cmd.rosters.generate",
                [
                    StepField("members", "rosters.members", listed(members)),
                    StepField("per_day", "rosters.per_day", "1"),
                    StepField(
                        "replace",
                        "rosters.replace",
                        "no",
                        options=(("no", t("staff.no")), ("yes", t("staff.yes"))),
                    ),
                ],
                run,
            ),
            callback=lambda done: self.reload() if done is not None else None,
        )

    def action_edit_day(self) -> None:
        session, station_id, day = self.session, self.station_id, self.selected_day()
        if station_id is None or day is None:
            return
        current = next(
            (
                s
                for s in session.store.raw("duty_shift")
                if s["date"] == day.isoformat() and s.get("station_id") == station_id
            ),
            None,
        )
        staff = {s["id"]: s["name"] for s in session.store.raw("staff")}
        on_duty = listed(staff.get(i, "?") for i in (current or {}).get("staff_ids", []))
        self.app.push_screen(
            StepForm(
                "cmd.rosters.edit",
                [
                    StepField("members", "rosters.on_duty", on_duty),
                    StepField(
                        "note", "visit.notes", (current or {}).get("note", ""), required=False
                    ),
                ],
                lambda v: service.set_day(
                    session.store,
                    station_id=station_id,
                    day=day,
                    staff_ids=self._ids(v["members"]),
                    actor=session.actor,
                    note=v["note"] or "",
                ),
            ),
            callback=lambda done: self.reload() if done is not None else None,
        )

    def action_leave(self) -> None:
        from grassroots_tui.tui.screens.leave import LeaveScreen

        if self.station_id:
            self.app.push_screen(LeaveScreen(self.station_id), callback=lambda _: self.reload())
