"""The data keys this process has unlocked, by the store they belong to.

A store's files name the store they belong to (``store_id``) and say whether they are
sealed. Reading a sealed file asks :func:`sealer_for` for that store's key; writing any
file of a store asks it too, and seals when there is one. So once a store is unlocked,
everything the process writes for it (the main file, every journal line, every backup)
is sealed, without each writer being told; a store that was never unlocked in this
process cannot be read, only reported as locked.

Keys come here from the store's key slots file
(:func:`grassroots_tui.store.keyslots.unlock`).
"""

from __future__ import annotations

from grassroots_tui.store.sealing import Sealer

__all__ = ["forget", "remember", "sealer_for"]

_UNLOCKED: dict[str, Sealer] = {}


def remember(store_id: str, sealer: Sealer) -> None:
    _UNLOCKED[store_id] = sealer


def sealer_for(store_id: str) -> Sealer | None:
    """The unlocked data key of store ``store_id``; None when it is not unlocked (or not
    encrypted)."""
    return _UNLOCKED.get(store_id) if store_id else None


def forget(store_id: str | None = None) -> None:
    """Drop one store's key from this process, or every key."""
    if store_id is None:
        _UNLOCKED.clear()
    else:
        _UNLOCKED.pop(store_id, None)
