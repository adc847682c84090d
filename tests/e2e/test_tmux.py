"""End to end: the real program in a real terminal (tmux, 80x24), driven by keystrokes.

Each test runs its own tmux server on a private socket (-L) with no config file, so a
user's tmux sessions are never touched, and kills that server however the test ends.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from grassroots_tui.models import Visit
from grassroots_tui.store import Store
from tests.tui_fixtures import HEAD_ID, HEAD_NAME, HEAD_PIN, build_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
EXIT_MARK = "GRASSROOTS-EXITED"


class Terminal:
    """One tmux server with one 80x24 window running a command."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"grassroots-e2e-{uuid.uuid4().hex[:12]}"
        self.env = env

    def start(self, command: str) -> None:
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "80",
            "-y",
            "24",
            # The shell keeps the pane open after the program ends, with its exit code.
            f"{command}; echo {EXIT_MARK}=$?; sleep 60",
        )

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-u", "-L", self.socket, "-f", os.devnull, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """Poll the screen until ``text`` shows up; fail with the screen if it never does."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        pytest.fail(f"{text!r} did not appear within {timeout} s; the screen:\n{screen}")

    def keys(self, *keys: str) -> None:
        """Named keys (Enter, Tab, C-s ...), then a short pause so key groups never merge."""
        self.tmux("send-keys", "-t", "e2e", *keys)
        time.sleep(0.15)

    def type(self, text: str) -> None:
        """Literal text (UTF-8, Chinese included)."""
        self.tmux("send-keys", "-t", "e2e", "-l", text)
        time.sleep(0.15)

    def kill(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            env=self.env,
            capture_output=True,
            timeout=10,
        )
        # tmux leaves the socket file behind.
        folder = Path(self.env.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)


def test_sign_in_log_a_visit_and_quit(tmp_path):
    db = build_store(tmp_path / "data" / "grassroots.json")
    env = {
        **os.environ,
        "GRASSROOTS_CONFIG": str(tmp_path / "config" / "settings.json"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TEXTUAL_ANIMATIONS": "none",
    }
    env.pop("TMUX", None)  # never talk to an enclosing tmux
    env.pop("TEXTUAL_THEME", None)
    command = " ".join(
        shlex.quote(part)
        for part in [
            "env",
            f"GRASSROOTS_CONFIG={env['GRASSROOTS_CONFIG']}",
            sys.executable,
            "-m",
            "grassroots_tui",
            "--db",
            str(db),
        ]
    )
    term = Terminal(env)
    try:
        term.start(f"cd {shlex.quote(str(ROOT))} && {command}")
        term.wait_for("请选择您是谁", timeout=30)
        term.keys("Enter")  # 李敏 comes first; Enter moves on to the PIN
        term.type(HEAD_PIN)
        term.keys("Enter")
        screen = term.wait_for("本月走访")
        assert f"{HEAD_NAME}（站长）" in screen

        term.keys("n")
        term.wait_for("选择住户")
        term.type("wxy")
        term.wait_for("wxy")
        term.keys("Enter")
        term.wait_for("问声好")
        for index, text in enumerate(("老人身体很好", "屋顶漏水", "希望多来看看", "加装扶手")):
            if index:
                term.keys("Tab")
            term.type(text)
            term.wait_for(text)
        term.keys("C-s")
        screen = term.wait_for("的走访已保存")
        assert "HL01-0002" in screen and "王**" in screen

        term.keys("C-q")
        term.wait_for(f"{EXIT_MARK}=0")
    finally:
        term.kill()

    # The settings went to the test's folder, never the user's.
    settings = json.loads(Path(env["GRASSROOTS_CONFIG"]).read_text(encoding="utf-8"))
    assert settings["last_operator"] == HEAD_ID

    store = Store.open(db, daily_backup=False)  # the program let go of the store
    try:
        assert not store.readonly
        [visit] = [v for v in store.all(Visit) if v.hardships == "屋顶漏水"]
        assert visit.household_id == "hh-02"
        assert visit.visitor_ids == [HEAD_ID]
        assert (visit.greeting, visit.opinions, visit.suggestions) == (
            "老人身体很好",
            "希望多来看看",
            "加装扶手",
        )
        [entry] = store.history("visit", visit.id)
        assert entry["actor"] == f"{HEAD_NAME}#{HEAD_ID}"
    finally:
        store.close()
