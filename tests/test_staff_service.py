"""Setting up a station with its head, adding, changing and retiring staff."""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots_tui.models import Staff, StaffRole
from grassroots_tui.services.auth import SignInGuard, verify_pin
from grassroots_tui.services.staff import (
    active_staff,
    add_staff,
    create_station_with_head,
    retire_staff,
    update_staff,
)
from grassroots_tui.store import Store
from tests.factories import STATION_ID, station


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "station.json", daily_backup=False)
    yield s
    s.close()


@pytest.fixture
def setup(store: Store) -> tuple[Store, Staff]:
    _station, head = create_station_with_head(store, station(), "刘站长", "1357")
    return store, head


def test_create_station_with_head_in_one_transaction(store: Store) -> None:
    saved_station, head = create_station_with_head(
        store, station(), "刘站长", "1357", actor="群工办"
    )
    assert saved_station.id == STATION_ID and saved_station.rev == 1
    assert head.role is StaffRole.HEAD and head.station_id == STATION_ID and head.active
    assert head.created_by == "群工办"
    assert head.pin_hash and head.pin_salt and "1357" not in head.pin_hash
    assert verify_pin("1357", head.pin_hash, head.pin_salt)
    station_txn = store.history("station", saved_station.id)[0]["txn"]
    assert store.history("staff", head.id)[0]["txn"] == station_txn


def test_create_station_refusals(setup: tuple[Store, Staff]) -> None:
    store, _head = setup
    with pytest.raises(ValueError, match="已经存在"):
        create_station_with_head(store, station(), "另一个", None)
    with pytest.raises(ValueError, match="HL01"):
        create_station_with_head(store, station(id="station-new"), "另一个", None)
    with pytest.raises(ValueError, match="4 到 8 位数字"):
        create_station_with_head(store, station("HL02"), "王站长", "12")
    assert store.count("station") == 1 and store.count("staff") == 1


def test_head_without_pin(store: Store) -> None:
    _station, head = create_station_with_head(store, station(), "刘站长", None)
    assert head.pin_hash is None and head.created_by == "刘站长"
    assert SignInGuard().attempt(head, "").ok


def test_add_and_update_staff(setup: tuple[Store, Staff]) -> None:
    store, head = setup
    worker = add_staff(store, Staff(station_id=STATION_ID, name="李敏"), head.name, pin="2468")
    assert worker.role is StaffRole.WORKER and verify_pin("2468", worker.pin_hash, worker.pin_salt)
    with pytest.raises(ValueError, match="已经存在"):
        add_staff(store, worker, head.name)

    renamed = update_staff(store, worker.model_copy(update={"name": "李敏华"}), head.name)
    assert renamed.name == "李敏华" and renamed.rev == 2
    assert renamed.pin_hash == worker.pin_hash  # kept

    # a PIN hash smuggled in on the model is ignored; only pin= changes it
    sneaky = renamed.model_copy(update={"pin_hash": "00" * 32})
    assert update_staff(store, sneaky, head.name).pin_hash == worker.pin_hash
    latest = store.get("staff", worker.id)
    new_pin = update_staff(store, latest, head.name, pin="97531")
    assert verify_pin("97531", new_pin.pin_hash, new_pin.pin_salt)
    cleared = update_staff(store, new_pin, head.name, clear_pin=True)
    assert cleared.pin_hash is None and cleared.pin_salt is None

    with pytest.raises(ValueError, match="找不到"):
        update_staff(store, Staff(station_id=STATION_ID, name="无名"), head.name)


def test_last_active_head_cannot_leave(setup: tuple[Store, Staff]) -> None:
    store, head = setup
    with pytest.raises(ValueError, match="唯一在岗的站长"):
        retire_staff(store, head.id, "群工办")
    with pytest.raises(ValueError, match="唯一在岗的站长"):
        update_staff(store, head.model_copy(update={"role": StaffRole.WORKER}), "群工办")
    with pytest.raises(ValueError, match="唯一在岗的站长"):
        update_staff(store, head.model_copy(update={"active": False}), "群工办")

    second = add_staff(
        store, Staff(station_id=STATION_ID, name="陈副站长", role=StaffRole.HEAD), head.name
    )
    retired = retire_staff(store, head.id, "群工办")
    assert retired.active is False and retired.rev == 2
    assert retire_staff(store, head.id, "群工办").rev == 2  # already retired: unchanged
    with pytest.raises(ValueError, match="唯一在岗的站长"):
        retire_staff(store, second.id, "群工办")
    with pytest.raises(ValueError, match="找不到"):
        retire_staff(store, "nope", "群工办")


def test_retire_worker_and_active_staff_by_pinyin(setup: tuple[Store, Staff]) -> None:
    store, head = setup
    names = ["赵丽", "王芳", "张伟", "李强"]
    made = {n: add_staff(store, Staff(station_id=STATION_ID, name=n), head.name) for n in names}
    add_staff(store, Staff(station_id="station-xx", name="安娜"), head.name)
    retire_staff(store, made["王芳"].id, head.name)
    assert [s.name for s in active_staff(store, STATION_ID)] == ["李强", "刘站长", "张伟", "赵丽"]
    retired_one = store.get("staff", made["王芳"].id)
    assert not SignInGuard().attempt(retired_one, "").ok
