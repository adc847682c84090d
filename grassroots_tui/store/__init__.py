"""The only code that touches the store's files: storage, locking, audit, backups."""

from grassroots_tui.store.errors import (
    NothingToUndo,
    NotYourDocument,
    StoreConflict,
    StoreDamaged,
    StoreError,
    StoreFilesChanged,
    StoreLocked,
    StoreReadOnly,
    StoreWriteFailed,
)
from grassroots_tui.store.paths import StorePaths, default_store_path
from grassroots_tui.store.replica import Replica
from grassroots_tui.store.store import PendingDocument, Store, Transaction, audit_hash, open_store

__all__ = [
    "NotYourDocument",
    "NothingToUndo",
    "PendingDocument",
    "Replica",
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
