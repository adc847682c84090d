"""The hub on both engines (import ``hub_fixture`` and ``hub_address_fixture`` into a test
module to use the fixtures ``hub`` and ``hub_address``): ``hub_address`` gives each test a new, empty hub, an SQLite
file or a new database on the session's throwaway PostgreSQL (tests/pg_server.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grassroots_tui.hub.engines import HubAddress, HubConnection
from grassroots_tui.hub.schema import init_hub
from grassroots_tui.store import Store
from grassroots_tui.store.store import write_compacted_store

ENGINES = ("sqlite", "postgresql")


def _database_dsn(server_dsn: str, name: str) -> str:
    head, _, _db = server_dsn.rpartition("/")
    return f"{head}/{name}"


@pytest.fixture(name="hub_address", params=ENGINES)
def hub_address_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubAddress]:
    if request.param == "sqlite":
        yield HubAddress("sqlite", str(tmp_path / "hub.sqlite"))
        return
    import psycopg

    server_dsn: str = request.getfixturevalue("postgres_dsn")
    name = f"hub_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield HubAddress("postgresql", _database_dsn(server_dsn, name))
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(name="hub")
def hub_fixture(hub_address: HubAddress) -> Iterator[HubConnection]:
    """An initialised hub, open."""
    conn = HubConnection.open(hub_address, create=True)
    init_hub(conn)
    yield conn
    conn.close()


def laptop(path: Path, scope: str, tables: dict[str, dict[str, Any]] | None = None) -> Store:
    """A new laptop's store of ``scope``, holding ``tables`` if given."""
    if tables:
        write_compacted_store(path, tables)
        store = Store.open(path, daily_backup=False)
        store.enroll(scope, "测试")
        return store
    return Store.open(path, daily_backup=False, scope=scope)
