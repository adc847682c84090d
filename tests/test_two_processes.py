"""Two processes on one store, 1,000 save attempts each, really in parallel (issue 9).

The writer (:mod:`tests.hold_writer`) holds the store and saves 1,000 households. The
second process opens the same store while the writer holds it, so it is read-only, and
makes 1,000 attempts to write (save, save_many, delete, a transaction, an audit record),
each one paced to land just after the writer's journal has grown: the attempts are
interleaved with the writer's saves, not before or after them. Every attempt must raise
:class:`StoreReadOnly` with a Chinese message naming the holder (its process id); after
both end every save the writer acknowledged is there and ``check_store`` is clean.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grassroots_tui.services.check import check_store
from grassroots_tui.store import Store

ROOT = Path(__file__).resolve().parent.parent
ATTEMPTS = 1000

#: The read-only process. argv: store path, number of attempts. Prints READY, waits for a
#: line on stdin, then makes its attempts and prints one JSON line with what happened.
READER = r"""
import json, os, sys, time
from grassroots_tui.store import Store, StoreReadOnly
from grassroots_tui.store.paths import StorePaths
from tests.factories import household

path, attempts = sys.argv[1], int(sys.argv[2])
journal = StorePaths.for_main(path).journal
store = Store.open(path)
print("READY", json.dumps({"readonly": store.readonly, "reason": store.readonly_reason}),
      flush=True)
sys.stdin.readline()
victim = next(iter(store.tables.get("household", {})), "no-such-id")

def attempt(n):
    doc = household(f"R-{n:05d}")
    way = n % 5
    if way == 0:
        store.save(doc, actor="reader")
    elif way == 1:
        store.save_many([doc, household(f"R-{n:05d}b")], actor="reader")
    elif way == 2:
        store.delete("household", victim, actor="reader")
    elif way == 3:
        with store.transaction("reader") as tx:
            tx.save(doc)
    else:
        store.record_access("household", victim, "reader", note="test")

def size():
    try:
        return os.stat(journal).st_size
    except OSError:
        return -1

refused, other, interleaved, messages = 0, [], 0, set()
last = size()
for n in range(attempts):
    # Wait (briefly) for the writer's next save, so this attempt lands between two of its.
    deadline = time.monotonic() + 0.005
    while (now := size()) == last and time.monotonic() < deadline:
        pass
    if now != last:
        interleaved += 1
    last = now
    try:
        attempt(n)
    except StoreReadOnly as error:
        refused += 1
        messages.add(str(error))
    except Exception as error:  # noqa: BLE001
        other.append(f"{type(error).__name__}: {error}")
store.close()
print(json.dumps({"refused": refused, "other": other[:5], "interleaved": interleaved,
                  "messages": sorted(messages)[:5]}, ensure_ascii=False), flush=True)
"""


def _until_done(stream) -> list[str]:
    """The writer's acknowledged ids up to its DONE line (fails if it dies first)."""
    ids = []
    while (line := stream.readline()) != "DONE\n":
        assert line, "the writer ended before it was done"
        ids.append(line.strip())
    return ids


@pytest.mark.slow
def test_read_only_process_is_refused_every_save_while_the_writer_loses_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shared.json"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.hold_writer", str(db)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    reader = None
    try:
        assert writer.stdin and writer.stdout
        assert writer.stdout.readline().split() == ["READY", "writer"]
        writer.stdin.write("save 5\n")  # something in the store before the reader opens it
        writer.stdin.flush()
        first = _until_done(writer.stdout)
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(db), str(ATTEMPTS)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert reader.stdin and reader.stdout
        ready = reader.stdout.readline().split(" ", 1)
        assert ready[0] == "READY", reader.stderr.read() if reader.stderr else ready
        opened = json.loads(ready[1])
        assert opened["readonly"] is True
        assert f"进程 {writer.pid}" in opened["reason"] and "只读" in opened["reason"]

        # Both start at once: the writer's 1,000 saves and the reader's 1,000 attempts.
        writer.stdin.write(f"save {ATTEMPTS}\n")
        writer.stdin.flush()
        reader.stdin.write("go\n")
        reader.stdin.flush()
        saved = _until_done(writer.stdout)
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        result = json.loads(out.strip().splitlines()[-1])
        writer.stdin.write("quit\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "CLOSED"
        assert writer.wait(timeout=30) == 0
    finally:
        for child in (writer, reader):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()

    assert result["other"] == []
    assert result["refused"] == ATTEMPTS
    for message in result["messages"]:
        assert "只读" in message and f"进程 {writer.pid}" in message, message
    assert result["messages"]
    # Really in parallel: a good share of the attempts came right after a writer's save.
    assert result["interleaved"] >= 100, result

    assert len(saved) == ATTEMPTS and len(set(saved)) == ATTEMPTS
    store = Store.open(db, daily_backup=False)
    try:
        assert not store.readonly
        households = store.tables["household"]
        missing = set(first + saved) - set(households)
        assert not missing, f"{len(missing)} acknowledged saves lost"
        assert len(households) == 5 + ATTEMPTS
        assert not any(str(h["household_no"]).startswith("R-") for h in households.values())
        assert check_store(store) == []
    finally:
        store.close()
    print(
        f"two processes: writer saved {len(saved) + 5}, reader refused {result['refused']}"
        f"/{ATTEMPTS} ({result['interleaved']} interleaved), lost 0"
    )
