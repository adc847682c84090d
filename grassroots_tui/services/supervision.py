"""督导 (supervision): a supervisor's checks of stations, their rectifications (整改), and
the monthly report against the target (docs/design.md#glossary, 督导制度).

The rule: on mass-work days every supervisor checks :data:`TARGET_PER_DAY` (3) or more
stations a day. :func:`month_report` lists, per supervisor, each day they supervised with
the number of distinct stations checked that day; a day with fewer than three is below
target. Given a calendar, a check on a rest day is listed but never counts as below
target (the target is for working days).

- :func:`record_check` saves a check (new or edited) after checking the station and the
  supervisor exist and the supervisor is active staff with the role 督导 or 包案领导.
- :func:`set_rectification` marks one rectification done or open again.
- :func:`rectification_to_slip` turns one rectification into a draft handoff slip (source
  上级交办) and sets the item's ``slip_id``, both in one transaction.

Refusals are :class:`SupervisionRefused` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models import (
    RectificationState,
    SlipSource,
    SlipState,
    SlipView,
    StaffRole,
    Station,
    SupervisionCheck,
)
from grassroots_tui.models.base import OFFICE
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import pinyin
from grassroots_tui.services.auth import guarded_save, guarded_transaction
from grassroots_tui.services.slips import draft_slip, get_slip
from grassroots_tui.services.slips.clock import views as slip_views

__all__ = [
    "SUPERVISOR_ROLES",
    "TARGET_PER_DAY",
    "SupervisionRefused",
    "SupervisorDay",
    "SupervisorMonth",
    "checks_in_month",
    "get_check",
    "month_report",
    "open_rectifications",
    "record_check",
    "rectification_to_slip",
    "report_json",
    "set_rectification",
]

#: Stations each supervisor should check per working day (督导小组每人每天督导3个以上群工站).
TARGET_PER_DAY = 3
#: Roles that may be recorded as the supervisor of a check.
SUPERVISOR_ROLES = frozenset({StaffRole.SUPERVISOR.value, StaffRole.LEADER.value})
#: Category of a slip opened from a rectification.
RECTIFICATION_CATEGORY = "其他"


class SupervisionRefused(ValueError):
    """A supervision step that is not allowed; the message says why, in Chinese."""


@dataclass(frozen=True)
class SupervisorDay:
    """One day a supervisor checked at least one station: distinct stations that day.
    ``workday`` is False only when the report was given a calendar and the day is a rest
    day; such a day is never below target."""

    day: dt.date
    stations: int
    below_target: bool
    workday: bool = True


@dataclass(frozen=True)
class SupervisorMonth:
    """A supervisor's month. ``stations_checked`` is the sum over the days of the distinct
    stations checked each day (站次); ``distinct_stations`` counts each station once."""

    supervisor_id: str
    name: str
    days: list[SupervisorDay]
    stations_checked: int
    days_below_target: int
    distinct_stations: int = 0
    checks: int = 0
    station_ids: list[str] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _writing(store: Any) -> Any:
    lock = getattr(store, "_mutex", None)
    return lock if lock is not None else nullcontext()


def get_check(store: Any, check_id: str) -> SupervisionCheck:
    """The check, or :class:`SupervisionRefused`."""
    check = store.get(SupervisionCheck, check_id) if check_id else None
    if check is None:
        raise SupervisionRefused(
            tr("找不到督导记录（{check_id}），可能已被删除。", check_id=check_id)
        )
    return check


def _item(check: SupervisionCheck, item_id: str) -> int:
    for index, item in enumerate(check.rectifications):
        if item.id == item_id:
            return index
    raise SupervisionRefused(tr("督导记录中找不到这项整改（{item_id}）。", item_id=item_id))


def _staff_name(store: Any, staff_id: str) -> str:
    raw = store.get_raw("staff", staff_id)
    return str(raw.get("name")) if raw and raw.get("name") else staff_id


# -- recording -------------------------------------------------------------------------------


def record_check(store: Any, check: SupervisionCheck, actor: str) -> SupervisionCheck:
    """Save a check, new or edited. Refused when the station or the supervisor does not
    exist, the supervisor is not active or is neither 督导 nor 包案领导, or a
    rectification points to a slip that does not exist."""
    with _writing(store):
        if store.get_raw("station", check.station_id) is None:
            raise SupervisionRefused(
                tr("找不到被督导的群工站（{station_id}）。", station_id=check.station_id)
            )
        staff = store.get_raw("staff", check.supervisor_id)
        if staff is None:
            raise SupervisionRefused(
                tr(
                    "找不到督导人员（工作人员编号 {supervisor_id}）。",
                    supervisor_id=check.supervisor_id,
                )
            )
        name = staff.get("name", check.supervisor_id)
        if staff.get("active") is False:
            raise SupervisionRefused(tr("督导人员 {name} 已不在岗。", name=name))
        if staff.get("role") not in SUPERVISOR_ROLES:
            role = tr(StaffRole(staff["role"]).label) if staff.get("role") else tr("未知")
            raise SupervisionRefused(
                tr(
                    "{name} 的角色是“{role}”，只有督导或包案领导才能记为督导人员。",
                    name=name,
                    role=role,
                )
            )
        for item in check.rectifications:
            if item.slip_id and store.get_raw("handoff_slip", item.slip_id) is None:
                raise SupervisionRefused(
                    tr(
                        "整改事项“{description}”关联的交办单（{slip_id}）不存在。",
                        description=item.description,
                        slip_id=item.slip_id,
                    )
                )
        saved = guarded_save(store, check, actor)
    return saved


def set_rectification(
    store: Any, check_id: str, item_id: str, *, done: bool, actor: str
) -> SupervisionCheck:
    """Mark one rectification 已整改 (``done``) or 整改中 again."""
    with _writing(store):
        check = get_check(store, check_id)
        index = _item(check, item_id)
        state = RectificationState.DONE if done else RectificationState.OPEN
        if check.rectifications[index].state is state:
            return check
        data = check.to_json()
        data["rectifications"][index]["state"] = state.value
        saved = guarded_save(store, validate_model(SupervisionCheck, data), actor)
    return saved


def _title(text: str, limit: int = 30) -> str:
    first = re.split(r"[。；;！!？?\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    first = first.rstrip("，,、 ")
    title = f"督导整改：{first}"
    return title if len(title) <= limit else title[: limit - 1] + "…"


def rectification_to_slip(store: Any, check_id: str, item_id: str, *, actor: str) -> SlipView:
    """A draft handoff slip (source 上级交办, category 其他) for one rectification, linked
    back: the item's ``slip_id`` is set. The slip and the check are saved in one
    transaction. Refused when the item already has a slip that is not withdrawn, or is
    already done."""
    with _writing(store):
        check = get_check(store, check_id)
        index = _item(check, item_id)
        item = check.rectifications[index]
        if item.slip_id:
            earlier = (
                slip_views(store, None).get(item.slip_id)
                if store.get_raw("handoff_slip", item.slip_id)
                else None
            )
            if earlier is not None and earlier.state is not SlipState.WITHDRAWN:
                number = earlier.number or tr("草稿：{title}", title=earlier.title)
                raise SupervisionRefused(
                    tr("这项整改已经开了交办单（{number}），不能重复开单。", number=number)
                )
        if item.state is RectificationState.DONE:
            raise SupervisionRefused(tr("这项整改已经完成，不需要再开交办单。"))
        station = store.get(Station, check.station_id)
        if station is None:
            raise SupervisionRefused(
                tr("找不到被督导的群工站（{station_id}）。", station_id=check.station_id)
            )
        supervisor = _staff_name(store, check.supervisor_id)
        description = (
            f"{check.date.isoformat()} 督导（督导人员：{supervisor}）发现，"
            f"要求于 {item.due_date.isoformat()} 前整改：{item.description}"
        )
        slip = draft_slip(
            station,
            source=SlipSource.STREET_OFFICE,
            category=RECTIFICATION_CATEGORY,
            title=_title(item.description),
            description=description[:5000],
        )
        # The street office's slip to the station (上级交办): the office issues and closes
        # it, the station accepts and answers it.
        slip = slip.model_copy(update={"writer": OFFICE})
        data = check.to_json()
        data["rectifications"][index]["slip_id"] = slip.id
        linked = validate_model(SupervisionCheck, data)
        with guarded_transaction(store, actor) as tx:
            tx.save(slip)
            tx.save(linked)
    return get_slip(store, slip.id)


def open_rectifications(
    store: Any, *, station_id: str | None = None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(check, rectification) pairs still 整改中, earliest due first (stored dicts)."""
    found = []
    for check in store.raw("supervision_check"):
        if station_id is not None and check.get("station_id") != station_id:
            continue
        for item in check.get("rectifications") or []:
            if item.get("state") == RectificationState.OPEN.value:
                found.append((check, item))
    found.sort(key=lambda pair: (str(pair[1].get("due_date")), str(pair[0].get("date"))))
    return found


# -- the month report ------------------------------------------------------------------------


def checks_in_month(store: Any, year: int, month: int) -> list[dict[str, Any]]:
    """The stored checks dated in the month, by date and time."""
    if not 1 <= month <= 12:
        raise SupervisionRefused(tr("月份无效：{year}年{month}月", year=year, month=month))
    prefix = f"{year:04d}-{month:02d}-"
    found = [r for r in store.raw("supervision_check") if str(r.get("date", "")).startswith(prefix)]
    found.sort(key=lambda r: (str(r.get("date")), str(r.get("time"))))
    return found


def month_report(
    store: Any, *, year: int, month: int, calendar: Any | None = None
) -> list[SupervisorMonth]:
    """Per supervisor: each day they supervised, the distinct stations that day, and
    whether it is below :data:`TARGET_PER_DAY`. Every active 督导 appears (with no days
    if they checked nothing), and anyone else who recorded a check in the month; sorted
    by pinyin of the name. With ``calendar``, a rest-day check is listed with
    ``workday=False`` and is not below target (years without data: weekends only)."""
    per_day: dict[str, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
    counts: dict[str, int] = defaultdict(int)
    for raw in checks_in_month(store, year, month):
        per_day[raw["supervisor_id"]][_date(raw["date"])].add(raw["station_id"])
        counts[raw["supervisor_id"]] += 1
    people = {
        r["id"]
        for r in store.raw("staff")
        if r.get("role") == StaffRole.SUPERVISOR.value and r.get("active", True)
    }
    people |= set(per_day)
    report: list[SupervisorMonth] = []
    for supervisor_id in people:
        days: list[SupervisorDay] = []
        seen: set[str] = set()
        for day, stations in sorted(per_day.get(supervisor_id, {}).items()):
            workday = True
            if calendar is not None:
                workday = calendar.is_workday_or_weekend_guess(day)[0]
            days.append(
                SupervisorDay(
                    day=day,
                    stations=len(stations),
                    below_target=workday and len(stations) < TARGET_PER_DAY,
                    workday=workday,
                )
            )
            seen |= stations
        report.append(
            SupervisorMonth(
                supervisor_id=supervisor_id,
                name=_staff_name(store, supervisor_id),
                days=days,
                stations_checked=sum(d.stations for d in days),
                days_below_target=sum(1 for d in days if d.below_target),
                distinct_stations=len(seen),
                checks=counts.get(supervisor_id, 0),
                station_ids=sorted(seen),
            )
        )
    report.sort(key=lambda m: (pinyin.sort_key(m.name), m.supervisor_id))
    return report


def report_json(
    report: list[SupervisorMonth], *, year: int | None = None, month: int | None = None
) -> dict[str, Any]:
    """The report as a JSON-ready dict: the target and one entry per supervisor."""
    out: dict[str, Any] = {}
    if year is not None and month is not None:
        out["month"] = f"{year:04d}-{month:02d}"
    out["target_per_day"] = TARGET_PER_DAY
    out["supervisors"] = [
        {
            "supervisor_id": m.supervisor_id,
            "name": m.name,
            "days_supervised": len(m.days),
            "stations_checked": m.stations_checked,
            "distinct_stations": m.distinct_stations,
            "checks": m.checks,
            "days_below_target": m.days_below_target,
            "days": [
                {
                    "date": d.day.isoformat(),
                    "stations": d.stations,
                    "below_target": d.below_target,
                    "workday": d.workday,
                }
                for d in m.days
            ],
        }
        for m in report
    ]
    return out
