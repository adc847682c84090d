"""Child process for the two-process test: holds the store and writes on command.

Reads commands from stdin: "save N" saves N households and prints their ids, "quit"
closes the store. Prints "READY" once it holds the store.
"""

from __future__ import annotations

import sys

from grassroots_tui.store import Store
from tests.factories import household


def main() -> None:
    store = Store.open(sys.argv[1])
    print("READY", "readonly" if store.readonly else "writer", flush=True)
    count = 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "save":
            for _ in range(int(words[1])):
                count += 1
                doc = household(f"W-{count:05d}")
                store.save(doc, actor="writer")
                print(doc.id, flush=True)
            print("DONE", flush=True)
        elif words[0] == "quit":
            break
    store.close()
    print("CLOSED", flush=True)


if __name__ == "__main__":
    main()
