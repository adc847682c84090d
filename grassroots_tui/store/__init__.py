"""The only code that touches the store's files: storage, locking, audit, backups."""

from grassroots_tui.store.errors import (
    NothingToUndo,
    StoreConflict,
    StoreDamaged,
    StoreError,
    StoreFilesChanged,
    StoreLocked,
    StoreReadOnly,
    StoreWriteFailed,
)
from grassroots_tui.store.paths import StorePaths, default_store_path
from grassroots_tui.store.store import Store, Transaction, audit_hash, open_store

__all__ = [
    "NothingToUndo",
    "Store",
    "StoreConflict",
    "StoreDamaged",
    "StoreError",
    "StoreFilesChanged",
    "StoreLocked",
    "StorePaths",
    "StoreReadOnly",
    "StoreWriteFailed",
    "Transaction",
    "audit_hash",
    "default_store_path",
    "open_store",
]
