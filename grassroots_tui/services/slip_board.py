"""督办看板: every open slip of every station that is overdue, due today or inside the
warning window, most late first, with the counts a supervisor reads first.

Nothing here is stored: each row's state, effective due date and clock come from the
slip clock (:mod:`grassroots_tui.services.slips.clock`), worked out for ``today``, with
the office's warning window (``warn_days`` in its settings file).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models.slip import SlipState
from grassroots_tui.services.deadlines import Due, SlipClock
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.slips.clock import timelines
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

__all__ = ["Board", "BoardRow", "board_counts_text", "board_json", "build_board", "filter_board"]


@dataclass(frozen=True)
class BoardRow:
    """One slip on the board. ``lead_official`` is the lead official's name;
    ``lead_official_id`` the staff id stored on the slip."""

    slip_id: str
    number: str
    station_code: str
    station_name: str
    title: str
    category: str
    handling_unit: str
    lead_official: str | None
    state: SlipState
    due: Due
    clock: SlipClock
    lead_official_id: str | None = None
    station_id: str | None = None

    @property
    def provisional(self) -> bool:
        """The due date itself rests on a year without holiday data (待定).

        Only the due date: on a day in 2027 a slip due in 2026 has a settled due date;
        what rests on 2027 then is the count of working days overdue (and so 通报), which
        :attr:`count_provisional` says."""
        return self.due.provisional

    @property
    def count_provisional(self) -> bool:
        """The working days overdue (and so 通报) were counted over a year without
        holiday data, from weekends only."""
        return self.clock.provisional


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    overdue: int
    due_today: int
    warning: int
    provisional: int
    reported: int

    @property
    def total(self) -> int:
        return len(self.rows)


def _lateness(row: BoardRow) -> tuple[Any, ...]:
    # Most overdue first: days_left ascending (negative when late), then number.
    return (row.clock.days_left, row.station_code, row.number)


def _counted(rows: list[BoardRow]) -> Board:
    rows = sorted(rows, key=_lateness)
    return Board(
        rows=rows,
        overdue=sum(r.clock.state == "overdue" for r in rows),
        due_today=sum(r.clock.state == "due_today" for r in rows),
        warning=sum(r.clock.state == "warning" for r in rows),
        provisional=sum(r.provisional for r in rows),
        reported=sum(r.clock.reported for r in rows),
    )


def build_board(
    store: Store, *, today: dt.date, calendar: OfficialCalendar, warn_days: int = 3
) -> Board:
    """Every open slip (已交办/已受理/已延期/重办) of every station whose clock on
    ``today`` is 预警, 今日到期 or 超期.

    A title is free text and may name the resident or carry an ID or phone number: it is
    masked like a printed slip (:func:`masking.mask_text` with every registered resident's
    name, docs/design.md#personal-information)."""
    masker = Masker()
    residents = resident_names(store)
    stations = {s["id"]: s for s in store.raw("station")}
    staff = {s["id"]: s.get("name") for s in store.raw("staff")}
    lines = timelines(store, calendar)
    rows: list[BoardRow] = []
    for raw in store.raw("handoff_slip"):
        line = lines[raw["id"]]
        clock = line.clock_on(today, warn_days=warn_days, calendar=calendar)
        if clock is None or clock.state == "ok":
            continue
        due = line.due_on(today)
        assert due is not None  # an open slip has a due date
        station = stations.get(raw.get("station_id")) or {}
        lead_id = raw.get("lead_official")
        rows.append(
            BoardRow(
                slip_id=raw["id"],
                number=line.number or "",
                station_code=station.get("code", ""),
                station_name=station.get("name", ""),
                title=mask_text(raw.get("title") or "", masker, residents),
                category=raw.get("category", ""),
                handling_unit=raw.get("handling_unit") or "",
                lead_official=(staff.get(lead_id) or lead_id) if lead_id else None,
                state=line.state_on(today),
                due=due,
                clock=clock,
                lead_official_id=lead_id,
                station_id=raw.get("station_id"),
            )
        )
    return _counted(rows)


def _norm(text: str | None) -> str:
    return "".join((text or "").split()).casefold()


def filter_board(
    board: Board,
    *,
    station: str | None = None,
    unit: str | None = None,
    lead: str | None = None,
    category: str | None = None,
) -> Board:
    """The board narrowed, with its counts recomputed.

    ``station``: station code (or id), any case; ``unit``: part of the handling unit's
    name; ``lead``: the lead official's staff id or name; ``category``: the category.
    Empty or None filters are ignored.
    """
    rows = board.rows
    if station:
        want = _norm(station)
        rows = [r for r in rows if want in (_norm(r.station_code), _norm(r.station_id))]
    if unit:
        want = _norm(unit)
        rows = [r for r in rows if want in _norm(r.handling_unit)]
    if lead:
        want = _norm(lead)
        rows = [r for r in rows if want in (_norm(r.lead_official), _norm(r.lead_official_id))]
    if category:
        want = _norm(category)
        rows = [r for r in rows if _norm(r.category) == want]
    return _counted(list(rows))


def board_json(board: Board) -> list[dict[str, Any]]:
    """The rows as plain JSON-ready dicts. ``state`` is the slip's state; ``clock`` is
    overdue / due_today / warning."""
    return [
        {
            "number": r.number,
            "station": r.station_code,
            "station_name": r.station_name,
            "title": r.title,
            "category": r.category,
            "unit": r.handling_unit,
            "lead_official": r.lead_official,
            "due_date": r.due.date.isoformat(),
            "provisional": r.provisional,
            "provisional_reason": r.due.reason if r.provisional else None,
            "working_days_provisional": r.count_provisional,
            "working_days_reason": r.clock.reason if r.count_provisional else None,
            "days_left": r.clock.days_left,
            "days_overdue": r.clock.days_overdue,
            "working_days_overdue": r.clock.working_days_overdue,
            "reported": r.clock.reported,
            "clock": r.clock.state,
            "clock_label": r.clock.label,
            "state": r.state.value,
        }
        for r in board.rows
    ]


def board_counts_text(board: Board) -> str:
    """ "超期 4（通报 2） · 今日到期 1 · 预警 3 · 暂定 0": the counts in one line."""
    return tr(
        "超期 {overdue}（通报 {reported}） · 今日到期 {today} · 预警 {warning} · 到期日暂定 {provisional}",
        overdue=board.overdue,
        reported=board.reported,
        today=board.due_today,
        warning=board.warning,
        provisional=board.provisional,
    )
