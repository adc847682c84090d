"""Unlocking an encrypted store before a command (or the program) opens it.

When the store named by ``--db`` has key slots and this process does not hold its key,
the passphrase is asked at the terminal (not echoed), three tries; a recovery key typed
at the same prompt is recognised by its shape (13 groups of 4). A script with no
terminal sets ``GRASSROOTS_KEY_FILE`` or ``GRASSROOTS_PASSPHRASE`` instead (the store
reads them itself when it opens); with neither, opening says what is needed.

A plain store (no ``<store>.keys`` beside it) needs none of this: the key slots and the
cryptography under them are imported only when that file is there (issue #19: the
program's start).
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grassroots_tui.lang import tr
from grassroots_tui.store.errors import StoreKeyRequired
from grassroots_tui.store.paths import StorePaths, default_store_path

if TYPE_CHECKING:
    from grassroots_tui.store.keyslots import Secret

__all__ = ["TRIES", "prompt_secret", "unlock_before_opening"]

TRIES = 3
_RECOVERY_SHAPE = re.compile(r"\s*[A-Za-z2-7]{4}(?:[\s-]*[A-Za-z2-7]{4}){12}\s*")


def prompt_secret(text: str) -> Secret:
    """What was typed at the prompt: a recovery key when it has a recovery key's shape,
    otherwise a passphrase."""
    from grassroots_tui.store.keyslots import Passphrase, RecoveryKey

    return RecoveryKey(text) if _RECOVERY_SHAPE.fullmatch(text) else Passphrase(text)


def unlock_before_opening(
    db: str | Path | None,
    *,
    ask: Callable[[str], str] | None = None,
    interactive: Callable[[], bool] | None = None,
) -> None:
    """Unlock the store at ``db`` for this process when it is encrypted and locked, by
    asking at the terminal; does nothing for a plain store, one already unlocked, or
    when the environment gives the secret. Raises :class:`StoreKeyRequired` after
    :data:`TRIES` wrong answers."""
    paths = StorePaths.for_main(db or default_store_path())
    if not os.path.exists(paths.keys):  # a plain store (what reading the slots finds too)
        return
    from grassroots_tui.store import keyring
    from grassroots_tui.store.keyslots import (
        KeySlots,
        KeySlotsDamaged,
        WrongSecret,
        secret_from_environment,
        unlock,
    )

    try:
        slots = KeySlots.read(paths.keys)
    except KeySlotsDamaged:
        return  # opening the store reports it, with what to do
    if slots is None or keyring.sealer_for(slots.store_id) is not None:
        return
    if secret_from_environment() is not None or not (interactive or sys.stdin.isatty)():
        return
    for _ in range(TRIES):
        try:
            unlock(paths, prompt_secret((ask or getpass.getpass)(tr("站点口令（或恢复密钥）："))))
            return
        except WrongSecret as wrong:
            print(wrong, file=sys.stderr)
        except EOFError:
            break
    raise StoreKeyRequired(
        paths.main, tr("没有输入正确的站点口令，数据没有打开。{store}", store=paths.main)
    )
