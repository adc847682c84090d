"""Staff to sign in as in tests of the command line and of unmasked output."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots_tui.models import Staff, StaffRole
from grassroots_tui.models.audit import actor_label
from grassroots_tui.services.auth import hash_pin
from tests.factories import STATION_ID


def add_member(
    store: Any,
    name: str,
    role: StaffRole = StaffRole.HEAD,
    pin: str | None = "2468",
    *,
    station_id: str | None = STATION_ID,
    staff_id: str | None = None,
) -> Staff:
    """Save a staff member (with ``pin`` hashed, if any) straight into ``store``."""
    pin_hash, pin_salt = hash_pin(pin) if pin else (None, None)
    fields: dict[str, Any] = {"id": staff_id} if staff_id else {}
    member = Staff(
        station_id=station_id,
        name=name,
        role=role,
        pin_hash=pin_hash,
        pin_salt=pin_salt,
        **fields,
    )
    store.save(member, actor="测试")
    return member


def actor_of(member: Staff) -> str:
    """How the audit trail names ``member`` once signed in."""
    return actor_label(member.name, member.id)


def sign_in_env(monkeypatch: pytest.MonkeyPatch, user: str, pin: str | None = "2468") -> None:
    """Sign the command line in as ``user`` through the environment, as a script does."""
    monkeypatch.setenv("GRASSROOTS_USER", user)
    if pin is None:
        monkeypatch.delenv("GRASSROOTS_PIN", raising=False)
    else:
        monkeypatch.setenv("GRASSROOTS_PIN", pin)
