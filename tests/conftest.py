"""Every test runs isolated: no real settings file, no inherited theme, Chinese first,
and in its own working folder, so a relative path in a command never writes into the
checkout.

The hub's tests get a real PostgreSQL that the session starts itself (``postgres_dsn``,
tests/pg_server.py). Where this machine has no PostgreSQL they are skipped, loudly (a
warning, and a count at the end of the summary; without -q the header says so too);
under CI (``CI`` set) they fail instead, since .ci/run installs PostgreSQL."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

from grassroots_tui.i18n import set_language
from grassroots_tui.store import keyring
from tests import pg_server
from tests.tui_fixtures import isolate_environment

#: Starts the reason of every skipped PostgreSQL test, so the summary can count them.
PG_SKIP = "PostgreSQL hub test skipped:"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    isolate_environment(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    yield
    set_language("zh")  # a test that switched to English must not leak it
    # Keys are kept per process by store id, and some tests make stores with the same
    # (deterministic) id: a key one test unlocked must not seal another test's files.
    keyring.forget()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg_server.PgServer]:
    """One throwaway PostgreSQL server for the whole session, on 127.0.0.1."""
    reason = pg_server.unavailable_reason()
    if reason:
        if in_ci():
            pytest.fail(
                f"CI must run the PostgreSQL hub tests, but: {reason}. "
                ".ci/run installs PostgreSQL with apt-get; see its output.",
                pytrace=False,
            )
        warnings.warn(f"{PG_SKIP} {reason}", stacklevel=1)
        pytest.skip(f"{PG_SKIP} {reason}")
    server = pg_server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server: pg_server.PgServer) -> str:
    """``postgresql://postgres@127.0.0.1:PORT/postgres``: superuser, trust auth."""
    return postgres_server.dsn


def pytest_report_header(config: pytest.Config) -> str:
    reason = pg_server.unavailable_reason()
    if reason is None:
        return f"postgresql: {pg_server.find_bindir()} (the hub tests start their own server)"
    then = "they FAIL (CI is set)" if in_ci() else "they are SKIPPED"
    return f"postgresql: unusable, {reason}; {then}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    reasons = [
        report.longrepr[2]
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and PG_SKIP in report.longrepr[2]
    ]
    if reasons:
        why = reasons[0].split(PG_SKIP, 1)[1].strip()
        terminalreporter.write_sep(
            "!", f"{len(reasons)} PostgreSQL hub tests skipped: {why}", yellow=True, bold=True
        )
