"""The only code that touches the store's files: storage, locking, audit, backups.

The names below are imported when first used (PEP 562): importing any module of this
package (the user's settings, the key ring) runs this file first, and importing the
store itself, with every model, took about a third of a second of the program's start
before the sign-in screen (issue #19; bench/FINDINGS-app.md).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from grassroots_tui.store.store import (
        PendingDocument,
        Store,
        Transaction,
        audit_hash,
        open_store,
    )

_WHERE = {
    "NothingToUndo": "errors",
    "NotYourDocument": "errors",
    "StoreConflict": "errors",
    "StoreDamaged": "errors",
    "StoreError": "errors",
    "StoreFilesChanged": "errors",
    "StoreLocked": "errors",
    "StoreReadOnly": "errors",
    "StoreWriteFailed": "errors",
    "StorePaths": "paths",
    "default_store_path": "paths",
    "Replica": "replica",
    "PendingDocument": "store",
    "Store": "store",
    "Transaction": "store",
    "audit_hash": "store",
    "open_store": "store",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
