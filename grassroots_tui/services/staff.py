"""Staff (工作人员): setting up a station with its head, adding, changing and retiring staff.

Every write here checks the signed-in role first
(:func:`grassroots_tui.services.auth.require_actor`). PINs are hashed here (:func:`grassroots_tui.services.auth.hash_pin`) and never stored or
returned in the clear. Retired staff are kept, marked not active (不在岗), so that the
visits and slips they signed still name them. A station always keeps at least one active
head (站长): the last one can be neither retired nor given another role.
"""

from __future__ import annotations

from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models import Staff, StaffRole, Station
from grassroots_tui.services import pinyin
from grassroots_tui.services.auth import hash_pin, require_actor
from grassroots_tui.store import Store

__all__ = [
    "active_staff",
    "add_staff",
    "create_station_with_head",
    "retire_staff",
    "update_staff",
    "update_station",
]


def _pin_fields(pin: str | None) -> dict[str, str | None]:
    """``pin_hash``/``pin_salt`` for ``pin``; no PIN (None or "") gives neither."""
    if pin is None or pin == "":
        return {"pin_hash": None, "pin_salt": None}
    pin_hash, pin_salt = hash_pin(pin)  # raises ValueError for a malformed PIN
    return {"pin_hash": pin_hash, "pin_salt": pin_salt}


def create_station_with_head(
    store: Store,
    station: Station,
    head_name: str,
    pin: str | None,
    actor: str | None = None,
) -> tuple[Station, Staff]:
    """Save a new station and its head (站长) in one transaction; returns both as stored.

    The head belongs to the station and has role head; ``pin`` (4–8 digits, or None/""
    for none) is stored hashed. ``actor`` defaults to the head's name. Refused with a
    Chinese :class:`ValueError` if the station exists already or its code is taken, or if
    the PIN is malformed.
    """
    require_actor(store, actor or head_name, "create", "station")
    if store.get_raw(Station, station.id) is not None:
        raise ValueError(tr("群工站“{name}”已经存在。", name=station.name))
    for raw in store.raw(Station):
        if raw.get("code") == station.code:
            raise ValueError(
                tr("站点代码 {code} 已被“{name}”使用。", code=station.code, name=raw.get("name"))
            )
    head = Staff(
        station_id=station.id,
        name=head_name,
        role=StaffRole.HEAD,
        **_pin_fields(pin),
    )
    with store.transaction(actor or head.name) as tx:
        tx.save(station)
        tx.save(head)
    saved_station = store.get(Station, station.id)
    saved_head = store.get(Staff, head.id)
    assert isinstance(saved_station, Station) and isinstance(saved_head, Staff)
    return saved_station, saved_head


def add_staff(store: Store, staff: Staff, actor: str, *, pin: str | None = None) -> Staff:
    """Save a new staff member; ``pin`` (if given) is stored hashed. Returns it as stored.

    Refused with a Chinese :class:`ValueError` if a staff member with that id exists
    (use :func:`update_staff`) or the PIN is malformed.
    """
    require_actor(store, actor, "create", "staff")
    if store.get_raw(Staff, staff.id) is not None:
        raise ValueError(tr("工作人员“{name}”已经存在。", name=staff.name))
    if pin:
        staff = staff.model_copy(update=_pin_fields(pin))
    saved = store.save(staff, actor)
    assert isinstance(saved, Staff)
    return saved


def _is_active_head(raw: dict[str, Any] | Staff) -> bool:
    if isinstance(raw, Staff):
        return raw.active and raw.role is StaffRole.HEAD
    return bool(raw.get("active", True)) and raw.get("role") == StaffRole.HEAD.value


def _check_not_last_head(store: Store, old: dict[str, Any], *, leaving: bool) -> None:
    """Refuse the change (``leaving``: the member leaves, else leaves or changes role) if
    ``old`` is the only active head of its station."""
    if not _is_active_head(old):
        return
    station_id = old.get("station_id")
    others = [
        raw
        for raw in store.raw(Staff)
        if raw["id"] != old["id"] and raw.get("station_id") == station_id and _is_active_head(raw)
    ]
    if not others:
        raise ValueError(
            tr("{name}是本站唯一在岗的站长，不能离任；请先任命新的站长。", name=old.get("name"))
            if leaving
            else tr(
                "{name}是本站唯一在岗的站长，不能离任或改任其他角色；请先任命新的站长。",
                name=old.get("name"),
            )
        )


def update_staff(
    store: Store,
    staff: Staff,
    actor: str,
    *,
    pin: str | None = None,
    clear_pin: bool = False,
) -> Staff:
    """Save changes to an existing staff member; returns it as stored.

    ``pin`` sets a new PIN (hashed); ``clear_pin`` removes the PIN (signing in then needs
    none). Otherwise the stored PIN is kept, whatever ``staff.pin_hash`` says. Refused
    with a Chinese :class:`ValueError` if there is no such staff member, if the change
    would leave the station without an active head, or if the PIN is malformed. A change
    made meanwhile by someone else raises :class:`StoreConflict` from the store.
    """
    require_actor(store, actor, "update", "staff")
    old = store.get_raw(Staff, staff.id)
    if old is None:
        raise ValueError(tr("找不到工作人员“{name}”。", name=staff.name))
    leaves_headship = not _is_active_head(staff) or staff.station_id != old.get("station_id")
    if leaves_headship:
        _check_not_last_head(store, old, leaving=False)
    if pin:
        update = _pin_fields(pin)
    elif clear_pin:
        update = _pin_fields(None)
    else:
        update = {"pin_hash": old.get("pin_hash"), "pin_salt": old.get("pin_salt")}
    saved = store.save(staff.model_copy(update=update), actor)
    assert isinstance(saved, Staff)
    return saved


def retire_staff(store: Store, staff_id: str, actor: str) -> Staff:
    """Mark a staff member retired (not active); returns them as stored.

    Retiring someone already retired changes nothing. Refused with a Chinese
    :class:`ValueError` if there is no such staff member or they are the station's last
    active head.
    """
    require_actor(store, actor, "update", "staff")
    old = store.get_raw(Staff, staff_id)
    if old is None:
        raise ValueError(tr("找不到工作人员（编号 {staff_id}）。", staff_id=staff_id))
    staff = Staff.model_validate(old)
    if not staff.active:
        return staff
    _check_not_last_head(store, old, leaving=True)
    saved = store.save(staff.model_copy(update={"active": False}), actor)
    assert isinstance(saved, Staff)
    return saved


def update_station(store: Store, station: Station, actor: str) -> Station:
    """Save changes to the station's settings; returns it as stored. Only a role that may
    change the station's settings (站长)."""
    require_actor(store, actor, "update", "station")
    saved = store.save(station, actor)
    assert isinstance(saved, Station)
    return saved


def active_staff(store: Store, station_id: str | None) -> list[Staff]:
    """The active staff of ``station_id`` (None: those of the street office), by pinyin name."""
    found = [
        Staff.model_validate(raw)
        for raw in store.raw(Staff)
        if raw.get("station_id") == station_id and raw.get("active", True)
    ]
    found.sort(key=lambda s: (pinyin.sort_key(s.name), s.id))
    return found
