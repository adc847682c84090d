"""Child process for the crash tests: saves documents forever, reporting each one.

Usage: python -m tests.crash_writer STORE_PATH PREFIX

Before each operation it prints "BEGIN <operation>" (flushed); after every save returns
it prints the document's id and flushes, so every id the parent has read was
acknowledged. Every 5th save it compacts and every 11th it writes a backup, each between
"BEGIN compact"/"END compact" and "BEGIN backup"/"END backup", so kills also land during
compaction and snapshotting. A kill whose last whole line is a BEGIN landed mid-operation
(:func:`begin` and :func:`end` are shared by the other crash children).
"""

from __future__ import annotations

import sys

from grassroots_tui.store import Store
from grassroots_tui.store import store as store_module
from tests.factories import household


def begin(operation: str) -> None:
    """Tell the parent an operation starts now (flushed before it does)."""
    print(f"BEGIN {operation}", flush=True)


def end(operation: str) -> None:
    """Tell the parent an operation has returned."""
    print(f"END {operation}", flush=True)


def main() -> None:
    path, prefix = sys.argv[1], sys.argv[2]
    store_module.COMPACT_MIN_BYTES = 16 * 1024  # compact often
    store = Store.open(path)
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        doc = household(f"{prefix}-{n:05d}")
        begin("save")
        store.save(doc, actor="crash-test")
        print(doc.id, flush=True)  # the save's end, and its acknowledgement
        if n % 5 == 0:
            begin("compact")
            store.compact()
            end("compact")
        if n % 11 == 0:
            begin("backup")
            store.backup(reason="crash-test")
            end("backup")


if __name__ == "__main__":
    main()
