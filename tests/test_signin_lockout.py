"""The wait after five wrong PINs survives a restart (issue 18 §4): the guard keeps the
wrong PINs in the store's audit trail, so a new guard on the store opened again, as a
restarted program or another run of the command line has, still makes the member wait."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from grassroots_tui.models import Staff, StaffRole
from grassroots_tui.services.auth import (
    LOCKOUT_AFTER,
    SIGNIN_CLEARED_NOTE,
    SIGNIN_FAILED_NOTE,
    SignInGuard,
    stored_failures,
)
from grassroots_tui.services.staff import update_staff
from grassroots_tui.store import Store
from tests.factories import station
from tests.sign_in_helpers import actor_of, add_member


class Clock:
    """A settable wall clock for the store (the guard then uses the store's)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 9, 0).astimezone()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "g.json"
    with Store.open(path, daily_backup=False) as store:
        store.save(station(), actor="测试")
        add_member(store, "李敏", StaffRole.HEAD, "2468", staff_id="staff-head")
        add_member(store, "张三", StaffRole.WORKER, "1357", staff_id="staff-worker")
    return path


def _member(store: Store, staff_id: str) -> Staff:
    found = store.get(Staff, staff_id)
    assert found is not None
    return found


def test_five_wrong_pins_then_a_restart_still_waits(db: Path) -> None:
    clock = Clock()
    with Store.open(db, daily_backup=False, clock=clock) as store:
        head = _member(store, "staff-head")
        guard = SignInGuard()
        results = [guard.attempt(head, "0000", store) for _ in range(LOCKOUT_AFTER)]
        assert [r.ok for r in results] == [False] * LOCKOUT_AFTER
        assert results[-1].wait_seconds == 60
    clock.now += timedelta(seconds=20)
    # The program closed and opened again: a new store object, a new guard.
    with Store.open(db, daily_backup=False, clock=clock) as store:
        head = _member(store, "staff-head")
        guard = SignInGuard()
        assert guard.failures(head.id, store) == LOCKOUT_AFTER
        assert guard.wait_seconds(head.id, store) == 40
        refused = guard.attempt(head, "2468", store)  # even the right PIN waits
        assert not refused.ok and refused.wait_seconds == 40
        assert refused.message == "PIN 输错次数过多，请 40 秒后再试。"
        # Another member is not held up.
        assert guard.attempt(_member(store, "staff-worker"), "1357", store).ok
    clock.now += timedelta(seconds=41)
    with Store.open(db, daily_backup=False, clock=clock) as store:
        head = _member(store, "staff-head")
        sixth = SignInGuard().attempt(head, "0000", store)
        assert not sixth.ok and sixth.wait_seconds == 120  # the run goes on: doubled
    clock.now += timedelta(seconds=121)
    with Store.open(db, daily_backup=False, clock=clock) as store:
        head = _member(store, "staff-head")
        assert SignInGuard().attempt(head, "2468", store).ok
        assert stored_failures(store, head.id) == (0, 0.0)
        notes = [e["note"] for e in store.history("staff", head.id) if e["action"] == "access"]
    assert sum(note.startswith(SIGNIN_FAILED_NOTE) for note in notes) == 6
    assert notes[-1] == SIGNIN_CLEARED_NOTE


def test_the_record_names_nobody_signed_in_and_says_which_try(db: Path) -> None:
    with Store.open(db, daily_backup=False) as store:
        worker = _member(store, "staff-worker")
        SignInGuard().attempt(worker, "9999", store)
        SignInGuard().attempt(worker, "9999", store)
        entries = [e for e in store.history("staff", worker.id) if e["action"] == "access"]
    assert [e["note"] for e in entries] == [
        f"{SIGNIN_FAILED_NOTE}（张三，连续第 1 次）",
        f"{SIGNIN_FAILED_NOTE}（张三，连续第 2 次）",
    ]
    assert all(e["actor"] != actor_of(worker) for e in entries)  # not signed in


def test_a_right_pin_without_failures_writes_nothing(db: Path) -> None:
    with Store.open(db, daily_backup=False) as store:
        before = store.count("audit_entry")
        assert SignInGuard().attempt(_member(store, "staff-head"), "2468", store).ok
        assert store.count("audit_entry") == before


def test_a_new_pin_set_by_the_head_ends_the_wait(db: Path) -> None:
    clock = Clock()
    with Store.open(db, daily_backup=False, clock=clock) as store:
        worker = _member(store, "staff-worker")
        for _ in range(LOCKOUT_AFTER):
            SignInGuard().attempt(worker, "0000", store)
        assert SignInGuard().wait_seconds(worker.id, store) == 60
        head = _member(store, "staff-head")
        update_staff(store, worker, actor_of(head), pin="8642")
        assert SignInGuard().wait_seconds(worker.id, store) == 0
        assert SignInGuard().attempt(_member(store, worker.id), "8642", store).ok


def test_a_read_only_store_counts_in_memory_and_still_honours_the_stored_wait(
    db: Path,
) -> None:
    clock = Clock()
    with Store.open(db, daily_backup=False, clock=clock) as store:
        for _ in range(LOCKOUT_AFTER):
            SignInGuard().attempt(_member(store, "staff-head"), "0000", store)
    clock.now += timedelta(seconds=30)
    with Store.open(db, readonly=True, clock=clock) as reader:
        head = _member(reader, "staff-head")
        guard = SignInGuard(clock=lambda: clock().timestamp())
        assert guard.failures(head.id, reader) == LOCKOUT_AFTER
        assert guard.wait_seconds(head.id, reader) == 30
        assert not guard.attempt(head, "2468", reader).ok
        clock.now += timedelta(seconds=31)
        before = reader.count("audit_entry")
        sixth = guard.attempt(head, "0000", reader)
        assert not sixth.ok and sixth.wait_seconds == 120  # counted on, in memory
        assert reader.count("audit_entry") == before  # nothing could be recorded
        clock.now += timedelta(seconds=121)
        assert guard.attempt(head, "2468", reader).ok
