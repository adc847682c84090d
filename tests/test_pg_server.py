"""The throwaway PostgreSQL server the hub's tests run against (tests/pg_server.py, the
``postgres_dsn`` fixture in conftest.py): it is PostgreSQL, it takes connections only on
127.0.0.1, two connections share committed data, and stopping it leaves nothing behind."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from tests import pg_server

pytestmark = pytest.mark.slow


def test_it_takes_a_connection_and_is_postgresql(postgres_dsn: str) -> None:
    with psycopg.connect(postgres_dsn) as conn:
        version = conn.execute("select version()").fetchone()
        user = conn.execute("select current_user, current_setting('is_superuser')").fetchone()
    assert version is not None and version[0].startswith("PostgreSQL "), version
    assert user == ("postgres", "on")


def test_it_listens_on_127_0_0_1_only(postgres_dsn: str) -> None:
    params = conninfo_to_dict(postgres_dsn)
    assert params["host"] == "127.0.0.1"
    port = int(str(params["port"]))
    with psycopg.connect(postgres_dsn) as conn:
        row = conn.execute(
            "select current_setting('listen_addresses'), host(inet_server_addr()),"
            " current_setting('unix_socket_directories')"
        ).fetchone()
    assert row is not None
    listen, server_addr, sockets = row
    assert (listen, server_addr) == ("127.0.0.1", "127.0.0.1")
    # its unix socket is in its own temp folder, not the system's /var/run/postgresql
    assert Path(sockets, f".s.PGSQL.{port}").is_socket()
    assert "grassroots-pg-" in sockets
    # another loopback address (all of 127/8 is the loopback on Linux) is refused
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", port), timeout=2).close()
    socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_two_connections_see_each_others_committed_writes(postgres_dsn: str) -> None:
    table = sql.Identifier(f"t_{uuid.uuid4().hex}")
    with psycopg.connect(postgres_dsn) as a, psycopg.connect(postgres_dsn) as b:
        a.execute(sql.SQL("create table {} (n int primary key, who text)").format(table))
        a.commit()
        try:
            count = sql.SQL("select count(*) from {} where who = %s").format(table)
            insert = sql.SQL("insert into {} values (%s, %s)").format(table)

            a.execute(insert, (1, "a"))
            assert b.execute(count, ("a",)).fetchone() == (0,)  # not committed yet
            b.rollback()
            a.commit()
            assert b.execute(count, ("a",)).fetchone() == (1,)
            b.execute(insert, (2, "b"))
            b.commit()
            assert a.execute(count, ("b",)).fetchone() == (1,)
            a.commit()
        finally:
            a.rollback()
            a.execute(sql.SQL("drop table {}").format(table))
            a.commit()


def test_stop_frees_the_port_and_deletes_the_folder(postgres_dsn: str) -> None:
    """A second server of our own (postgres_dsn only so that this is skipped or fails
    like the others where there is no PostgreSQL)."""
    server = pg_server.start()
    try:
        assert server.dsn != postgres_dsn
        with psycopg.connect(server.dsn) as conn:
            conn.execute("select 1")
    finally:
        server.stop()
    assert not server.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.dsn, connect_timeout=2)
