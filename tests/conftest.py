"""Every test runs isolated: no real settings file, no inherited theme, Chinese first,
and in its own working folder, so a relative path in a command never writes into the
checkout.

The hub's tests get a real PostgreSQL that the session starts itself (``postgres_dsn``,
tests/pg_server.py). Where this machine has no PostgreSQL they are skipped, loudly (a
warning, and a count at the end of the summary; without -q the header says so too);
under CI (``CI`` set) they fail instead, since .ci/run installs PostgreSQL.

``make test`` runs the tests on every core with pytest-xdist (``-n auto``; pyproject's
``--dist loadgroup``). Each worker is a session of its own: its own PostgreSQL server
(a temp folder and a free port of its own, so one worker's databases, roles and
pg_hba.conf never meet another's), tmp_path under its own base folder, and no state
shared but the read-only checkout. The tests of a group in :data:`XDIST_GROUPS` run one
after another on one worker, and on a worker the tests that start subprocesses
(``slow``) go first, so that no long one is left for the end while the other worker
idles. ``-n0`` (or no ``-n``) runs everything in this one process, in file order."""

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

#: Tests (by file, or folder ending in /) that share one xdist worker, one after another:
#: the screen walk's four tests share the walks its module computes once per process (a
#: minute or more), and the tmux journeys, which wait on a real terminal against the
#: clock, never run two at a time.
XDIST_GROUPS = {
    "tests/test_tui_snapshots.py": "screen-walk",
    "tests/e2e/": "tmux",
}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(config.rootpath).as_posix()
        for place, group in XDIST_GROUPS.items():
            if where == place or (place.endswith("/") and where.startswith(place)):
                item.add_marker(pytest.mark.xdist_group(group))
    if hasattr(config, "workerinput"):  # an xdist worker: every worker sorts alike
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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
    """One throwaway PostgreSQL server for the whole session (under xdist, one per
    worker, started when the worker first needs it), on 127.0.0.1."""
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
    server = pg_server.start(label=os.environ.get("PYTEST_XDIST_WORKER", "main"))
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
