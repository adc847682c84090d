"""PIN hashing, the sign-in guard's waiting periods, and role permissions."""

from __future__ import annotations

import pytest

from grassroots_tui.models import Staff, StaffRole
from grassroots_tui.services import auth
from grassroots_tui.services.auth import (
    ACTIONS,
    SignInGuard,
    can,
    check_pin_format,
    hash_pin,
    lockout_seconds,
    verify_pin,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def hashed() -> tuple[str, str]:
    return hash_pin("2468")


def member(hashed: tuple[str, str] | None, **fields) -> Staff:
    values = dict(id="staff-1", station_id="station-hl01", name="李敏")
    if hashed is not None:
        values.update(pin_hash=hashed[0], pin_salt=hashed[1])
    values.update(fields)
    return Staff(**values)


def test_hash_is_salted_scrypt_hex(hashed: tuple[str, str]) -> None:
    pin_hash, pin_salt = hashed
    assert len(pin_hash) == 64 and len(pin_salt) == 32
    int(pin_hash, 16), int(pin_salt, 16)
    again = hash_pin("2468")
    assert again != hashed  # a new salt each time
    assert "2468" not in pin_hash


def test_verify(hashed: tuple[str, str]) -> None:
    assert verify_pin("2468", *hashed)
    assert not verify_pin("2469", *hashed)
    assert not verify_pin("", *hashed)
    assert not verify_pin("2468", None, None)
    assert not verify_pin("2468", "not hex", hashed[1])
    assert not verify_pin("2468", hashed[0], "zz")
    assert not verify_pin("2468", "abcd", hashed[1])


@pytest.mark.parametrize("pin", ["1234", "00000000", "123456"])
def test_pin_format_ok(pin: str) -> None:
    assert check_pin_format(pin) == pin


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 1234", "１２３４", None])
def test_pin_format_refused_in_chinese(pin) -> None:
    with pytest.raises(ValueError, match="4 到 8 位数字"):
        check_pin_format(pin)
    if isinstance(pin, str):
        with pytest.raises(ValueError):
            hash_pin(pin)


def test_lockout_schedule() -> None:
    assert [lockout_seconds(n) for n in range(1, 12)] == [
        0, 0, 0, 0, 60, 120, 240, 480, 900, 900, 900,
    ]  # fmt: skip


def test_lockout_progression_with_fake_clock(hashed: tuple[str, str]) -> None:
    clock = FakeClock()
    guard = SignInGuard(clock)
    staff = member(hashed)
    for left in (4, 3, 2, 1):
        result = guard.attempt(staff, "0000")
        assert not result.ok and result.wait_seconds == 0
        assert f"还可以再试 {left} 次" in result.message
    fifth = guard.attempt(staff, "0000")
    assert (fifth.ok, fifth.wait_seconds) == (False, 60)
    assert "1 分钟" in fifth.message

    # while waiting even the right PIN is refused, and the refusal does not count
    clock.advance(59.5)
    waiting = guard.attempt(staff, "2468")
    assert not waiting.ok and waiting.wait_seconds == 1
    assert guard.failures(staff.id) == 5

    clock.advance(0.5)
    sixth = guard.attempt(staff, "0000")
    assert sixth.wait_seconds == 120
    clock.advance(120)
    assert guard.attempt(staff, "0000").wait_seconds == 240
    clock.advance(240)
    assert guard.attempt(staff, "0000").wait_seconds == 480
    clock.advance(480)
    assert guard.attempt(staff, "0000").wait_seconds == 900  # capped at 15 minutes
    clock.advance(900)
    tenth = guard.attempt(staff, "0000")
    assert tenth.wait_seconds == 900
    assert "15 分钟" in tenth.message

    clock.advance(900)
    ok = guard.attempt(staff, "2468")
    assert ok.ok and ok.wait_seconds == 0
    assert guard.failures(staff.id) == 0
    # the count starts again from zero
    assert "还可以再试 4 次" in guard.attempt(staff, "0000").message


def test_guard_counts_per_staff_member(hashed: tuple[str, str]) -> None:
    guard = SignInGuard(FakeClock())
    one, two = member(hashed), member(hashed, id="staff-2", name="王芳")
    for _ in range(5):
        guard.attempt(one, "0000")
    assert guard.wait_seconds(one.id) == 60
    assert guard.attempt(two, "2468").ok


def test_no_pin_signs_in_with_anything() -> None:
    guard = SignInGuard(FakeClock())
    staff = member(None)
    assert guard.attempt(staff, "").ok
    assert guard.attempt(staff, None).ok
    assert guard.attempt(staff, "9999").ok


def test_retired_member_is_refused(hashed: tuple[str, str]) -> None:
    guard = SignInGuard(FakeClock())
    result = guard.attempt(member(hashed, active=False), "2468")
    assert not result.ok
    assert "离任" in result.message
    assert not guard.attempt(member(None, active=False), "").ok


def test_permission_table() -> None:
    table = {
        StaffRole.WORKER: {"read", "visit.create", "visit.edit", "household.edit", "undo"},
        StaffRole.HEAD: set(ACTIONS) - {"supervision.create"},
        StaffRole.SUPERVISOR: {"read", "slip.board", "supervision.create", "undo"},
        StaffRole.LEADER: {"read", "slip.board"},
    }
    for role, allowed in table.items():
        for action in ACTIONS:
            assert can(role, action) is (action in allowed), (role, action)


def test_can_accepts_values_and_labels_and_refuses_unknowns() -> None:
    assert can("head", "staff.manage")
    assert can("站长", "household.import")
    assert not can("队员", "staff.manage")
    with pytest.raises(ValueError, match="未知的操作"):
        can("head", "staff.delete")
    with pytest.raises(ValueError, match="未知的角色"):
        can("boss", "read")


def test_scrypt_parameters() -> None:
    assert (auth.SCRYPT_N, auth.SCRYPT_R, auth.SCRYPT_P, auth.SCRYPT_DKLEN) == (2**14, 8, 1, 32)
