"""Two processes on one store: the second is read-only, and nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grassroots_tui.store import Store, StoreReadOnly
from tests.factories import household

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_second_process_is_read_only_and_nothing_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "shared.json"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.hold_writer", str(db)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin and writer.stdout
    assert writer.stdout.readline().split() == ["READY", "writer"]

    def command(line: str) -> list[str]:
        writer.stdin.write(line + "\n")
        writer.stdin.flush()
        out = []
        while (got := writer.stdout.readline().strip()) not in ("DONE", "CLOSED"):
            out.append(got)
        return out

    first = command("save 10")
    second = Store.open(db)
    try:
        assert second.readonly
        assert str(writer.pid) in (second.readonly_reason or "")
        assert "只读" in (second.readonly_reason or "")
        assert set(first) <= set(second.tables["household"])
        with pytest.raises(StoreReadOnly, match="只读"):
            second.save(household("R-1"), actor="reader")
        more = command("save 10")
    finally:
        second.close()
    command("quit")
    assert writer.wait(timeout=30) == 0
    reopened = Store.open(db)
    try:
        assert not reopened.readonly
        assert set(first + more) <= set(reopened.tables["household"])
        assert not any(d["household_no"] == "R-1" for d in reopened.raw("household"))
    finally:
        reopened.close()


def test_a_second_open_in_the_same_process_is_read_only(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    with Store.open(db) as first, Store.open(db) as second:
        assert not first.readonly
        assert second.readonly
        assert f"进程 {os.getpid()}" in (second.readonly_reason or "")
