"""Kill -9 a writer at random moments; every save it acknowledged must survive."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grassroots_tui.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _kill_rounds(tmp_path: Path, rounds: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    db = tmp_path / "crash.json"
    acknowledged: set[str] = set()
    for round_no in range(rounds):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", str(db), f"R{round_no}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready.strip() == b"READY", child.stderr.read() if child.stderr else ready
        time.sleep(rng.uniform(0.02, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate()
        lines = out.split(b"\n")
        # The last piece may be a half-printed id: only whole lines were acknowledged.
        acknowledged.update(line.decode() for line in lines[:-1] if line)
        store = Store.open(db, daily_backup=False)
        try:
            missing = acknowledged - set(store.tables.get("household", {}))
            assert not missing, f"round {round_no}: {len(missing)} acknowledged saves lost"
        finally:
            store.close()
    return rounds, len(acknowledged)


@pytest.mark.slow
def test_acknowledged_saves_survive_sigkill(tmp_path: Path) -> None:
    rounds, saved = _kill_rounds(tmp_path, rounds=20, seed=20261126)
    assert saved > rounds  # the children did get saves acknowledged between kills


@pytest.mark.soak
def test_acknowledged_saves_survive_many_sigkills(tmp_path: Path) -> None:
    kills = int(os.environ.get("GRASSROOTS_KILLS", "200"))
    rounds, saved = _kill_rounds(tmp_path, rounds=kills, seed=1)
    assert saved > rounds
