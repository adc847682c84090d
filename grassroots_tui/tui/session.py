"""Who is working, at which station, on which store: what every screen needs to know."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from grassroots_tui.models import Staff, Station
from grassroots_tui.models.audit import actor_label
from grassroots_tui.services.slip_rules import SlipRules, load_slip_rules
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from grassroots_tui.store.calendar_overrides import default_overrides_path, load_overrides
from grassroots_tui.store.slip_rules_file import default_slip_rules_path


def _now() -> datetime:
    return datetime.now().astimezone()


@dataclass
class Session:
    store: Store
    operator: Staff
    #: The operator's station; None for street-office staff, who see every station.
    station: Station | None
    clock: Callable[[], datetime] = _now
    #: The audit trail's position when this sign-in began: undo and redo reach only
    #: the operator's own changes after it (services/undo.py).
    signed_in_seq: int = 0

    @property
    def actor(self) -> str:
        """What goes into the audit trail: the operator's name and id."""
        return actor_label(self.operator.name, self.operator.id)

    def today(self) -> date:
        return self.clock().date()

    @property
    def station_id(self) -> str | None:
        return self.station.id if self.station else None

    @cached_property
    def calendar(self) -> OfficialCalendar:
        """The official calendar plus the office's holiday file beside the store."""
        path = default_overrides_path(self.store.paths.main)
        try:
            overrides = load_overrides(path)
        except ValueError:
            overrides = {}  # `grassroots calendar` explains what is wrong with the file
        return OfficialCalendar(overrides, overrides_path=path)

    @cached_property
    def slip_rules(self) -> SlipRules:
        """The office's categories and deadline rules (slip_rules.json beside the store).

        A file with a mistake is not used; :attr:`slip_rules_problem` says what is wrong.
        """
        try:
            return load_slip_rules(default_slip_rules_path(self.store.paths.main))
        except ValueError as error:
            self.slip_rules_problem = str(error)
            return SlipRules()

    slip_rules_problem: str | None = None

    def is_workday(self, day: date) -> bool:
        """Working day in the official calendar; weekends only for a year without data."""
        return self.calendar.is_workday_or_weekend_guess(day)[0]

    def stations(self) -> list[Station]:
        return sorted(self.store.iter(Station), key=lambda s: s.code)
