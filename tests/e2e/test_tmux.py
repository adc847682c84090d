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
from collections.abc import Callable
from pathlib import Path

import pytest

from grassroots_tui.models import Visit
from grassroots_tui.store import Store
from tests.conftest import in_ci
from tests.tui_fixtures import HEAD_ID, HEAD_NAME, HEAD_PIN, build_store

pytestmark = [
    pytest.mark.slow,
    # Under CI (.ci/run installs tmux) a missing tmux fails the tests rather than skip them.
    pytest.mark.skipif(
        shutil.which("tmux") is None and not in_ci(), reason="tmux is not installed"
    ),
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

    def cursor(self) -> tuple[int, int]:
        """Where the terminal cursor is (column, row): Textual puts it in the focused input."""
        x, y = self.tmux("display-message", "-p", "-t", "e2e", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def wait_until(self, check: Callable[[str], bool], what: str, timeout: float = 15.0) -> str:
        """Poll the screen until ``check(screen)`` holds; fail showing the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{what}: not within {timeout} s; cursor at {self.cursor()}, "
                    f"the last screen:\n{screen}"
                )
            time.sleep(0.05)

    def wait_for(self, *texts: str, timeout: float = 15.0) -> str:
        """Poll the screen until every one of ``texts`` shows up."""
        return self.wait_until(
            lambda screen: all(text in screen for text in texts),
            f"waited for {texts!r}",
            timeout,
        )

    def wait_for_cursor_on(self, text: str, timeout: float = 15.0) -> str:
        """Poll until the cursor (the focused input) is on the line that shows ``text``."""

        def there(screen: str) -> bool:
            lines = screen.split("\n")
            _x, y = self.cursor()
            return y < len(lines) and text in lines[y]

        return self.wait_until(there, f"waited for the cursor on the line of {text!r}", timeout)

    def keys(self, *keys: str) -> None:
        """Named keys (Enter, Tab, C-s ...); the caller then waits for what they do."""
        self.tmux("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        """Literal text (UTF-8, Chinese included)."""
        self.tmux("send-keys", "-t", "e2e", "-l", text)

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
        term.wait_for("请选择您是谁", "李敏", timeout=30)
        term.keys("Enter")  # 李敏 comes first; Enter moves on to the PIN
        term.wait_for_cursor_on("4-8 位数字")  # the PIN input has the focus
        term.type(HEAD_PIN)
        term.wait_for("•" * len(HEAD_PIN))
        term.keys("Enter")
        # The header with who signed in may be painted after the figures: wait for both.
        term.wait_for("本月走访", f"{HEAD_NAME}（站长）", timeout=30)

        term.keys("n")
        term.wait_for("选择住户", "HL01-0001")
        term.type("wxy")
        # Not just "wxy": the placeholder shows it too. The list narrows to one household.
        term.wait_until(
            lambda screen: "HL01-0002" in screen and "HL01-0001" not in screen,
            "the search 'wxy' narrowed the list to HL01-0002",
        )
        term.keys("Enter")
        term.wait_for("问声好", "HL01-0002")
        fields = ("问声好", "问疾苦", "问意见", "问建议")
        texts = ("老人身体很好", "屋顶漏水", "希望多来看看", "加装扶手")
        for index, (label, text) in enumerate(zip(fields, texts, strict=True)):
            if index:
                term.keys("Tab")
            term.wait_for_cursor_on(label)
            term.type(text)
            term.wait_until(
                lambda screen, label=label, text=text: any(
                    label in line and text in line for line in screen.split("\n")
                ),
                f"{text!r} typed into {label}",
            )
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
