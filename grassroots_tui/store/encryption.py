"""An encrypted store: unlocking it to open, encrypting a plain one in place, its key slots.

A store is encrypted when it has a key slots file (``<main>.keys``,
:mod:`grassroots_tui.store.keyslots`). Its main file, every journal line and every backup
are then sealed with its data key (:mod:`grassroots_tui.store.files` seals whatever it
writes for a store whose key this process holds, :mod:`grassroots_tui.store.keyring`).

Encrypting a plain store (:func:`encrypt`) is crash-safe at every step:

1. a backup of the store as it is (the "backup first");
2. the key slots file, written atomically: from here on the store needs the passphrase;
3. a compaction: a sealed main file and a sealed journal, each renamed into place;
4. every backup, the one of step 1 included, sealed in place.

A crash after step 2 leaves plain files beside a key slots file: the next open (with the
passphrase) finishes steps 3 and 4 (:func:`finish`) before anything else. Blocks of the
old plain files may stay on the disk until they are overwritten (the file system decides),
which is why a new store is best encrypted at setup, before any resident is entered.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from grassroots_tui.lang import tr
from grassroots_tui.models.errors import listing
from grassroots_tui.store import backups, keyring
from grassroots_tui.store.errors import StoreError, StoreKeyRequired, StoreReadOnly
from grassroots_tui.store.files import write_file_atomically
from grassroots_tui.store.keyslots import (
    KdfParams,
    KeySlots,
    KeySlotsDamaged,
    Passphrase,
    Secret,
    WrongSecret,
    passphrase_problem,
    secret_from_environment,
    unlock,
)
from grassroots_tui.store.log import log_event
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.sealing import CIPHERS, DEFAULT_CIPHER, Sealer

if TYPE_CHECKING:
    from grassroots_tui.store.store import Store

__all__ = [
    "add_slot",
    "change_passphrase",
    "copy_beside_backups",
    "encrypt",
    "finish",
    "key_slots_for_open",
    "needs_finishing",
    "remove_slot",
    "unlocked_slots",
]

BEFORE_ENCRYPTION = "before-encryption"


def key_slots_for_open(paths: StorePaths) -> KeySlots | None:
    """The store's key slots when it is encrypted, with its key unlocked for this
    process (from the environment if it was not yet); None for a plain store.

    Raises :class:`StoreKeyRequired` when the key is not unlocked and the environment does
    not unlock it, or the key slots file cannot be read."""
    try:
        slots = KeySlots.read(paths.keys)
    except KeySlotsDamaged as damaged:
        raise StoreKeyRequired(paths.main, str(damaged)) from None
    if slots is None or keyring.sealer_for(slots.store_id) is not None:
        return slots
    secret = secret_from_environment()
    if secret is None:
        raise StoreKeyRequired(paths.main)
    try:
        unlock(paths, secret)
    except WrongSecret as wrong:
        raise StoreKeyRequired(
            paths.main, tr("{reason}（来自环境变量）：{file}", reason=wrong, file=paths.main)
        ) from None
    return slots


def unlocked_slots(store: Store) -> tuple[KeySlots, Sealer]:
    """The key slots of an encrypted, unlocked store and its key; StoreError when the
    store is not encrypted."""
    slots = KeySlots.read(store.paths.keys)
    sealer = keyring.sealer_for(store.position.store_id)
    if slots is None or sealer is None:
        raise StoreError(
            tr("这份数据没有加密（可用 “{command}” 加密）", command="grassroots key encrypt")
        )
    return slots, sealer


def needs_finishing(store: Store) -> bool:
    """Whether an encrypted store still has plain files (an encryption interrupted)."""
    return not store.sealed or bool(backups.plain_backups(store.paths, store.position.store_id))


def finish(store: Store) -> int:
    """Seal the plain files of an encrypted store: the main file and the journal by a
    compaction, then the backups; how many backups were sealed."""
    store.compact()
    sealed = backups.reseal(store.paths, store.position.store_id)
    log_event(store.paths.log, f"sealed the main file, the journal and {len(sealed)} backups")
    return len(sealed)


def encrypt(
    store: Store,
    passphrase: Passphrase,
    *,
    cipher: str = DEFAULT_CIPHER,
    kdf: KdfParams | None = None,
    avoid: tuple[str, ...] = (),
) -> KeySlots:
    """Encrypt a plain store in place (see the module notes) with a new data key opened
    by ``passphrase``; its key slots. Refuses a weak passphrase (``avoid``: words a
    guesser would try first) and a store that is encrypted already."""
    if store.readonly:
        raise StoreReadOnly(store.readonly_reason or tr("数据以只读方式打开，不能加密"))
    if store.paths.keys.exists():
        raise StoreError(
            tr("这份数据已经加密了；要换口令请用 “{command}”", command="grassroots key passphrase")
        )
    if cipher not in CIPHERS:
        raise StoreError(
            tr(
                "加密算法：不支持 {cipher}（可选 {choices}）",
                cipher=cipher,
                choices=listing(list(CIPHERS)),
            )
        )
    problem = passphrase_problem(passphrase.text, avoid=avoid)
    if problem:
        raise StoreError(problem)
    store.backup(reason=BEFORE_ENCRYPTION)
    sealer = Sealer.new(cipher)
    slots = KeySlots.create(store.paths.keys, store.position.store_id, sealer, passphrase, kdf)
    keyring.remember(store.position.store_id, sealer)
    store.key_slots = slots
    copy_beside_backups(store.paths)
    finish(store)
    log_event(store.paths.log, f"encrypted with {CIPHERS[cipher]}")
    return slots


def add_slot(store: Store, secret: Secret, *, kdf: KdfParams | None = None) -> int:
    """A new slot opening the store with ``secret`` (a passphrase is checked for
    strength first); its number."""
    slots, sealer = unlocked_slots(store)
    if isinstance(secret, Passphrase):
        problem = passphrase_problem(secret.text)
        if problem:
            raise StoreError(problem)
    number = slots.add(sealer, secret, kdf=kdf)
    copy_beside_backups(store.paths)
    return number


def remove_slot(store: Store, number: int) -> None:
    """Remove key slot ``number`` (see :meth:`KeySlots.remove` for what cannot go)."""
    slots, _sealer = unlocked_slots(store)
    try:
        slots.remove(number)
    except ValueError as refused:
        raise StoreError(tr("钥匙槽 {number}：{reason}", number=number, reason=refused)) from None
    copy_beside_backups(store.paths)


def change_passphrase(
    store: Store, current: Passphrase, new: Passphrase, *, kdf: KdfParams | None = None
) -> int:
    """Replace the passphrase slot ``current`` opens with one for ``new``; the new slot's
    number. Nothing else changes: the data key, and so every file, stays as it is."""
    slots, _sealer = unlocked_slots(store)
    old = slots.unlocks_with(current)
    if old is None:
        raise StoreError(tr("现在的站点口令不对，没有做任何改动"))
    number = add_slot(store, new, kdf=kdf)
    remove_slot(store, old)
    return number


def copy_beside_backups(paths: StorePaths) -> Path:
    """A spare copy of the key slots file in the backups folder, kept current with every
    change: when ``.keys`` is lost or damaged, this copy opens the store and every backup
    with the same passphrase or recovery key."""
    target = backups.ensure_folder(paths) / paths.keys.name
    write_file_atomically(target, paths.keys.read_bytes())
    return target
