"""Without PostgreSQL the hub's tests are skipped and counted in the summary, except
under CI, where they fail: a CI run must never pass by skipping them.

Each test runs tests/test_pg_server.py in a pytest of its own, with a plugin that makes
tests/pg_server.py find no binaries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "from tests import pg_server\npg_server.find_bindir = lambda: None\n"

pytestmark = pytest.mark.slow


def run_without_postgres(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "no_postgres_here.py").write_text(PLUGIN, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(tmp_path)])
    if ci:
        env["CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no_postgres_here", "-p", "no:cacheprovider",
         "-q", "-rs", "tests/test_pg_server.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_without_postgres_the_hub_tests_are_skipped_and_counted(tmp_path: Path) -> None:
    done = run_without_postgres(tmp_path, ci=False)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "4 skipped" in out, out
    assert "4 PostgreSQL hub tests skipped: no PostgreSQL on this machine" in out, out


def test_without_postgres_under_ci_the_hub_tests_fail(tmp_path: Path) -> None:
    done = run_without_postgres(tmp_path, ci=True)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "4 errors" in out and "skipped" not in out, out
    assert "CI must run the PostgreSQL hub tests" in out, out
