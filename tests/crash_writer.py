"""Child process for the crash tests: saves documents forever, reporting each one.

Usage: python -m tests.crash_writer STORE_PATH PREFIX

After every save returns it prints the document's id and flushes, so everything the
parent has read was acknowledged. Every 5th save it compacts and every 11th it writes a
backup, so kills also land during compaction and snapshotting.
"""

from __future__ import annotations

import sys

from grassroots_tui.store import Store
from grassroots_tui.store import store as store_module
from tests.factories import household


def main() -> None:
    path, prefix = sys.argv[1], sys.argv[2]
    store_module.COMPACT_MIN_BYTES = 16 * 1024  # compact often
    store = Store.open(path)
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        doc = household(f"{prefix}-{n:05d}")
        store.save(doc, actor="crash-test")
        print(doc.id, flush=True)
        if n % 5 == 0:
            store.compact()
        if n % 11 == 0:
            store.backup(reason="crash-test")


if __name__ == "__main__":
    main()
