"""Each laptop's own PostgreSQL role, and the hub itself holding it to its documents
(hub/roles.py): through its own connection, with raw SQL or our push, a station reads only
its scope and writes only what it wrote; the office reads everything and writes only the
office's. PostgreSQL only (an SQLite file has no roles); each test gets a new database on
the session's throwaway server, and the roles it made are dropped after it."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from grassroots_tui.cli import main
from grassroots_tui.hub import conflicts as C
from grassroots_tui.hub import push as push_module
from grassroots_tui.hub.config import load_config, replica_dsn
from grassroots_tui.hub.engines import HubAddress, HubConnection, HubError
from grassroots_tui.hub.push import push
from grassroots_tui.hub.replicas import Enrolment, enroll, get_replica
from grassroots_tui.hub.roles import MAX_TAKE, POLICIES, SECURED_TABLES
from grassroots_tui.hub.schema import init_hub
from grassroots_tui.hub.sync import sync
from grassroots_tui.models import Household, Station
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station
from tests.hub_fixtures import _database_dsn, laptop

HL01 = f"station:{STATION_ID}"
HL02_ID = "station-hl02"
HL02 = f"station:{HL02_ID}"
TODAY = "2026-11-26"

Refused = psycopg.errors.InsufficientPrivilege  # 42501: a policy or a missing privilege


def new_database(server_dsn: str) -> tuple[str, str]:
    name = f"hub_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return name, _database_dsn(server_dsn, name)


def drop_database(server_dsn: str, name: str, roles: list[str]) -> None:
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for role in roles:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


@pytest.fixture(name="admin")
def admin_fixture(postgres_dsn: str) -> Iterator[HubConnection]:
    """An initialised hub in a new database, open as the admin (the superuser here)."""
    name, dsn = new_database(postgres_dsn)
    hub = HubConnection.open(HubAddress("postgresql", dsn))
    init_hub(hub)
    yield hub
    roles = [r for (r,) in hub.all("SELECT role_name FROM replica WHERE role_name IS NOT NULL")]
    hub.close()
    drop_database(postgres_dsn, name, roles)


def as_replica(enrolment: Enrolment) -> HubConnection:
    """The hub as the laptop reaches it: its own role's DSN."""
    return HubConnection.open(HubAddress("postgresql", enrolment.target))


def raw(enrolment: Enrolment) -> psycopg.Connection[Any]:
    return psycopg.connect(enrolment.target, autocommit=True)


def count(hub: HubConnection, table: str) -> int:
    return int(hub.one(f"SELECT count(*) FROM {table}")[0])


_DOC_INSERT = (
    "INSERT INTO doc (kind, id, scope, writer, rev, rev_hash, base_hash, deleted, "
    "schema_version, bkey, body, hub_seq, pushed_by, received_at) "
    "VALUES (%s, %s, %s, %s, 1, %s, NULL, 0, 1, NULL, %s, %s, %s, 'now')"
)


INSERTS = {
    "conflict": "INSERT INTO conflict (id, kind, doc_id, scope, writer, pushed_hash, base_hash, "
    "hub_hash, reason, pushed_by, received_at, body) "
    "VALUES (%s, 'household', 'd', 's', 'w', 'h', NULL, NULL, 'writer', %s, 'now', '{}')",
    "audit_entry": "INSERT INTO audit_entry (replica, seq, hash, prev_hash, body, received_at) "
    "VALUES (%s, %s, %s, %s, %s, %s)",
    "fork": "INSERT INTO fork (id, replica, seq, hub_head, new_head, found_at) "
    "VALUES (%s, %s, %s, %s, %s, %s)",
}


def conflict_values(conflict_id: str, pushed_by: str) -> tuple[str, str]:
    return (conflict_id, pushed_by)


def doc_values(doc_id: str, scope: str, writer: str, pushed_by: str, seq: int) -> tuple:
    body = orjson.dumps({"kind": "household", "id": doc_id, "writer": writer}).decode()
    return ("household", doc_id, scope, writer, uuid.uuid4().hex, body, seq, pushed_by)


@dataclasses.dataclass
class Hub:
    """A hub with the office, HL01 and HL02 enrolled, and one document of each at the hub:
    HL01's and HL02's households, an office document addressed to HL01, and the shared
    list of stations."""

    admin: HubConnection
    office: Enrolment
    hl01: Enrolment
    hl02: Enrolment
    docs: dict[str, str]


@pytest.fixture(name="three")
def three_fixture(admin: HubConnection) -> Hub:
    office = enroll(admin, "office", by="管理员")
    hl01 = enroll(admin, HL01, by="管理员")
    hl02 = enroll(admin, HL02, by="管理员")
    docs = {
        "hl01": ("household", STATION_ID, STATION_ID, hl01.replica.id),
        "hl02": ("household", HL02_ID, HL02_ID, hl02.replica.id),
        "office_to_hl01": ("household", STATION_ID, "office", office.replica.id),
        "shared": ("station", "shared", "office", office.replica.id),
        "office_own": ("household", "office", "office", office.replica.id),
    }
    ids = {}
    with admin.transaction():
        for seq, (name, (kind, scope, writer, by)) in enumerate(docs.items(), start=1):
            ids[name] = f"{name}-{uuid.uuid4().hex[:8]}"
            values = list(doc_values(ids[name], scope, writer, by, seq))
            values[0] = kind
            admin.execute(_DOC_INSERT, values)
        admin.execute("UPDATE hub_clock SET seq = %s", (len(docs),))
    return Hub(admin, office, hl01, hl02, ids)


# -- init and enrolment -----------------------------------------------------------------


def test_init_puts_the_tables_under_row_security_and_is_idempotent(admin: HubConnection) -> None:
    def secured() -> dict[str, tuple[bool, bool]]:
        rows = admin.all(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r'",
            (list(SECURED_TABLES),),
        )
        return {name: (on, forced) for name, on, forced in rows}

    # On, and not forced: the owner (the admin) is not bound.
    assert secured() == {t: (True, False) for t in SECURED_TABLES}
    names = {p for (p,) in admin.all("SELECT policyname FROM pg_policies")}
    assert names == {p[0] for p in POLICIES}
    init_hub(admin)
    assert secured() == {t: (True, False) for t in SECURED_TABLES}
    assert count(admin, "pg_policies") == len(POLICIES)


def test_enrolment_makes_a_login_role_and_a_dsn_with_it(admin: HubConnection) -> None:
    enrolment = enroll(admin, HL01, by="管理员")
    assert enrolment.login is not None
    role = enrolment.login.role
    assert role == f"gr_{enrolment.replica.id}" == enrolment.replica.role_name
    flags = admin.one(
        "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
        "FROM pg_roles WHERE rolname = %s",
        (role,),
    )
    assert tuple(flags) == (True, False, False, False, False, False)
    # The server holds a SCRAM verifier, never the password.
    (stored,) = admin.one("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,))
    assert stored.startswith("SCRAM-SHA-256$4096:") and enrolment.login.password not in stored
    assert len(enrolment.login.password) >= 32
    # The laptop's DSN: the role and its password, the admin's host and database.
    assert enrolment.target.startswith(f"postgresql://{role}:{enrolment.login.password}@")
    admin_dsn = admin.address.target
    assert enrolment.target.rpartition("@")[2] == admin_dsn.rpartition("@")[2]
    assert "postgres@" not in enrolment.target
    assert enrolment.login.password not in repr(enrolment)
    with as_replica(enrolment) as hub:
        assert hub.one("SELECT current_user")[0] == role
        assert get_replica(hub, enrolment.replica.id).writer == STATION_ID


def test_the_password_is_what_the_server_checks(admin: HubConnection, postgres_server: Any) -> None:
    """With password authentication for the new role (the test server trusts everyone
    else), its own password lets it in and another does not."""
    enrolment = enroll(admin, HL01, by="管理员")
    assert enrolment.login is not None
    role = enrolment.login.role
    hba = Path(postgres_server.datadir) / "pg_hba.conf"
    before = hba.read_text()
    wrong = replica_dsn(admin.address.target, role, "not-the-password")
    try:
        hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + before)
        admin.execute("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 10
        while True:  # the reload is a signal: wait until the wrong password is refused
            try:
                psycopg.connect(wrong, connect_timeout=2).close()
            except psycopg.OperationalError as error:
                assert "password authentication failed" in str(error)
                break
            assert time.monotonic() < deadline, "pg_hba.conf was not reloaded"
            time.sleep(0.1)
        with psycopg.connect(enrolment.target, connect_timeout=5) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (role,)
    finally:
        hba.write_text(before)
        admin.execute("SELECT pg_reload_conf()")


def test_enrolment_refuses_a_hub_whose_tables_are_not_secured(admin: HubConnection) -> None:
    """A hub made before roles would let a role see and write everything: enrolment asks
    for ``hub init`` first, and then works."""
    admin.execute("ALTER TABLE doc DISABLE ROW LEVEL SECURITY")
    with pytest.raises(HubError, match="grassroots hub init"):
        enroll(admin, HL01, by="管理员")
    assert count(admin, "replica") == 0
    init_hub(admin)
    assert enroll(admin, HL01, by="管理员").login is not None


def test_enrolment_needs_an_admin_who_may_create_roles(postgres_dsn: str) -> None:
    owner = f"hubowner_{uuid.uuid4().hex[:8]}"
    name, dsn = new_database(postgres_dsn)
    try:
        with psycopg.connect(_database_dsn(postgres_dsn, name), autocommit=True) as su:
            su.execute(f"CREATE ROLE {owner} LOGIN")
            su.execute(f"ALTER DATABASE {name} OWNER TO {owner}")
            su.execute(f"ALTER SCHEMA public OWNER TO {owner}")
        as_owner = replica_dsn(dsn, owner, "x")
        with HubConnection.open(HubAddress("postgresql", as_owner)) as hub:
            init_hub(hub)
            with pytest.raises(HubError, match="CREATEROLE"):
                enroll(hub, HL01, by="管理员")
            assert count(hub, "replica") == 0
    finally:
        drop_database(postgres_dsn, name, [owner])


def test_replica_dsn_keeps_the_address_and_drops_who_connects() -> None:
    got = replica_dsn(
        "postgresql://admin:secret@hub.example:6543/grassroots?sslmode=require&user=admin"
        "&password=secret&options=-csearch_path%3Dhub",
        "gr_0123456789abcdef",
        "p-w_d",
    )
    assert got == (
        "postgresql://gr_0123456789abcdef:p-w_d@hub.example:6543/grassroots"
        "?sslmode=require&options=-csearch_path%3Dhub"
    )
    assert replica_dsn("postgres://h/db", "gr_00000000", "x") == "postgres://gr_00000000:x@h/db"


# -- a station through its own role ----------------------------------------------------------


def test_a_station_pushes_its_own_and_pulls_only_its_scope(
    admin: HubConnection, tmp_path: Path
) -> None:
    office_e = enroll(admin, "office", by="管理员")
    hl01_e = enroll(admin, HL01, by="管理员")
    hl02_e = enroll(admin, HL02, by="管理员")
    office = laptop(tmp_path / "office.json", "office")
    office.save(station(), "群工办")
    office.save(station("HL02"), "群工办")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    hl02 = laptop(tmp_path / "hl02.json", HL02)
    with as_replica(office_e) as hub:
        assert sync(office, hub, office_e.replica.id).verdicts == {"new": 2}
    saved = hl01.save(household(), "李敏")
    with as_replica(hl01_e) as hub:
        report = sync(hl01, hub, hl01_e.replica.id)
    # The two stations and its own household (back, unchanged).
    assert report.verdicts == {"new": 1} and report.changed == 2 and not report.conflicts
    theirs = hl02.save(household("HL02-0001", station_id=HL02_ID), "周红")
    with as_replica(hl02_e) as hub:
        report = sync(hl02, hub, hl02_e.replica.id)
    assert report.verdicts == {"new": 1} and report.changed == 2  # the stations, not HL01's
    assert hl02.get(Household, saved.id) is None
    # An update of its own is accepted; the audit chain and the replica row move on.
    hl01.save(hl01.get(Household, saved.id).model_copy(update={"people": 6}), "李敏")
    with as_replica(hl01_e) as hub:
        assert sync(hl01, hub, hl01_e.replica.id).verdicts == {"accepted": 1}
        assert count(hub, "doc") == 3  # its household and the two stations: not HL02's
    mine = get_replica(admin, hl01_e.replica.id)
    assert mine.audit_seq > 0 and mine.last_push_at and mine.last_pull_at
    assert count(admin, "audit_entry") > 0
    # The office, through its own role, receives both households.
    with as_replica(office_e) as hub:
        assert sync(office, hub, office_e.replica.id).pulled == 2
    assert {h.id for h in office.all(Household)} == {saved.id, theirs.id}
    assert office.get(Household, saved.id).people == 6
    assert {s.code for s in hl01.all(Station)} == {"HL01", "HL02"}
    for store in (office, hl01, hl02):
        store.close()


def test_a_station_cannot_read_anothers_documents_with_raw_sql(three: Hub) -> None:
    with raw(three.hl01) as conn:
        seen = {r[0] for r in conn.execute("SELECT id FROM doc").fetchall()}
        assert seen == {
            three.docs["hl01"],
            three.docs["office_to_hl01"],
            three.docs["shared"],
        }
        hidden = (three.docs["hl02"], three.docs["office_own"])
        assert (
            conn.execute("SELECT * FROM doc WHERE id = ANY(%s)", (list(hidden),)).fetchall() == []
        )
        # Only its own replica row; no other's conflicts, audit entries.
        assert conn.execute("SELECT id FROM replica").fetchall() == [(three.hl01.replica.id,)]
        assert conn.execute("SELECT count(*) FROM conflict").fetchone() == (0,)
        with pytest.raises(Refused):
            conn.execute("SELECT * FROM fork")


def test_a_station_cannot_write_anothers_document_with_raw_sql(three: Hub) -> None:
    me, other, office = three.hl01.replica.id, three.hl02.replica.id, three.office.replica.id
    before = three.admin.all("SELECT id, rev_hash, writer, scope FROM doc ORDER BY id")
    refused_inserts = [
        doc_values("forged-1", HL02_ID, HL02_ID, me, 100),  # another writer
        doc_values("forged-2", HL02_ID, HL02_ID, other, 101),  # ... claiming its push
        doc_values("forged-3", STATION_ID, "office", me, 102),  # the office's
        doc_values("forged-4", HL02_ID, STATION_ID, me, 103),  # addressed to another station
        doc_values("forged-5", STATION_ID, STATION_ID, other, 104),  # pushed by another
    ]
    with raw(three.hl01) as conn:
        for values in refused_inserts:
            with pytest.raises(Refused, match="row-level security"), conn.transaction():
                conn.execute(_DOC_INSERT, values)
        # Updating its own document into another's is refused...
        with pytest.raises(Refused, match="row-level security"), conn.transaction():
            conn.execute("UPDATE doc SET writer = %s WHERE id = %s", (HL02_ID, three.docs["hl01"]))
        with pytest.raises(Refused, match="row-level security"), conn.transaction():
            conn.execute(
                "UPDATE doc SET scope = %s, hub_seq = hub_seq WHERE id = %s",
                (HL02_ID, three.docs["hl01"]),
            )
        # ... and another's document, seen or not, is not there to update.
        for name in ("hl02", "office_to_hl01", "shared", "office_own"):
            cur = conn.execute(
                "UPDATE doc SET body = '{}', writer = %s, pushed_by = %s WHERE id = %s",
                (STATION_ID, me, three.docs[name]),
            )
            assert cur.rowcount == 0, name
        # Its key is not for changing, even of its own document.
        with pytest.raises(Refused, match="permission denied"), conn.transaction():
            conn.execute("UPDATE doc SET id = 'renamed' WHERE id = %s", (three.docs["hl01"],))
        # What it may do: insert and update its own, pushed by itself.
        conn.execute("UPDATE hub_clock SET seq = seq + 2")  # numbers 6 and 7
        conn.execute(_DOC_INSERT, doc_values("mine-1", STATION_ID, STATION_ID, me, 6))
        conn.execute(_DOC_INSERT, doc_values("mine-2", "office", STATION_ID, me, 7))
        cur = conn.execute(
            "UPDATE doc SET body = '{}', pushed_by = %s WHERE id = %s", (me, three.docs["hl01"])
        )
        assert cur.rowcount == 1
    after = three.admin.all("SELECT id, rev_hash, writer, scope FROM doc ORDER BY id")
    assert [r for r in after if not r[0].startswith("mine-")] == before
    assert office  # (the office's replica id is among those refused above)


def test_a_station_cannot_change_the_bookkeeping_with_raw_sql(three: Hub) -> None:
    me, other = three.hl01.replica.id, three.hl02.replica.id
    with raw(three.hl01) as conn:
        # Another replica's row is not there to update; its own only in four columns.
        cur = conn.execute("UPDATE replica SET last_push_at = 'x' WHERE id = %s", (other,))
        assert cur.rowcount == 0
        assert (
            conn.execute(
                "UPDATE replica SET last_pull_at = 'now', audit_seq = 0 WHERE id = %s", (me,)
            ).rowcount
            == 1
        )
        for column, value in (
            ("writer", HL02_ID),
            ("scope", HL02),
            ("status", "active"),
            ("role_name", "gr_00000000"),
            ("key_b64", "x"),
        ):
            with pytest.raises(Refused, match="permission denied"), conn.transaction():
                conn.execute(f"UPDATE replica SET {column} = %s WHERE id = %s", (value, me))
        # Conflicts, audit entries and forks only of its own pushes.
        for table, values in (
            ("conflict", conflict_values("c1", other)),
            ("audit_entry", (other, 1, "h", None, "{}", "now")),
            ("fork", ("f1", other, 1, None, "h", "now")),
        ):
            with pytest.raises(Refused, match="row-level security"), conn.transaction():
                conn.execute(INSERTS[table], values)
        with pytest.raises(Refused), conn.transaction():
            conn.execute(
                "INSERT INTO replica (id, scope, writer, status, enrolled_at, key_b64) "
                "VALUES ('x', 'office', 'office', 'active', 'now', 'k')"
            )
        # Nothing is deleted, the meta is not rewritten, the rules are not switched off.
        for table in (*SECURED_TABLES, "hub_meta", "hub_clock"):
            with pytest.raises(Refused), conn.transaction():
                conn.execute(f"DELETE FROM {table}")
            with pytest.raises(Refused), conn.transaction():
                conn.execute(f"TRUNCATE {table}")
        for statement in (
            "UPDATE hub_meta SET value = 'x' WHERE name = 'epoch'",
            "INSERT INTO hub_meta (name, value) VALUES ('x', 'y')",
            "ALTER TABLE doc DISABLE ROW LEVEL SECURITY",
            "DROP POLICY gr_doc_read ON doc",
            "CREATE POLICY gr_mine ON doc FOR SELECT USING (true)",
        ):
            with pytest.raises(psycopg.errors.Error), conn.transaction():
                conn.execute(statement)
    assert count(three.admin, "doc") == 5 and count(three.admin, "hub_meta") == 3
    assert count(three.admin, "conflict") == count(three.admin, "fork") == 0


def test_a_station_resolves_only_its_own_conflicts(three: Hub) -> None:
    """Resolving a conflict marks the hub's rows of the document (hub/conflicts.py): a
    station may mark those it pushed, and change nothing else of them."""
    me, other = three.hl01.replica.id, three.hl02.replica.id
    three.admin.execute(INSERTS["conflict"], conflict_values("mine", me))
    three.admin.execute(INSERTS["conflict"], conflict_values("theirs", other))
    with raw(three.hl01) as conn:
        assert conn.execute("SELECT id FROM conflict").fetchall() == [("mine",)]
        cur = conn.execute(
            "UPDATE conflict SET resolved_at = 'now', resolved_by = '李敏', resolution = '{}' "
            "WHERE kind = 'household' AND doc_id = 'd' AND resolved_at IS NULL"
        )
        assert cur.rowcount == 1
        for column in ("body", "pushed_by", "reason", "doc_id"):
            with pytest.raises(Refused, match="permission denied"), conn.transaction():
                conn.execute(f"UPDATE conflict SET {column} = 'x'")
    resolved = three.admin.all("SELECT id, resolved_by FROM conflict ORDER BY id")
    assert resolved == [("mine", "李敏"), ("theirs", None)]


def test_a_diverged_conflict_is_resolved_through_the_laptops_role(
    admin: HubConnection, tmp_path: Path
) -> None:
    """Two laptops of one station, each its own role: the second's push is a conflict,
    and it resolves it (hub/conflicts.py) through its own role: its conflict row marked,
    its next push accepted."""
    first, second = enroll(admin, HL01, by="x"), enroll(admin, HL01, by="x")
    a = laptop(tmp_path / "a.json", HL01)
    saved = a.save(household(), "李敏")
    with as_replica(first) as hub:
        sync(a, hub, first.replica.id)
    b = laptop(
        tmp_path / "b.json", HL01, {"household": {saved.id: a.get_raw("household", saved.id)}}
    )
    a.save(a.get(Household, saved.id).model_copy(update={"people": 7}), "李敏")
    with as_replica(first) as hub:
        assert sync(a, hub, first.replica.id).verdicts == {"accepted": 1}
    b.save(b.get(Household, saved.id).model_copy(update={"people": 9}), "周红")
    with as_replica(second) as hub:
        assert sync(b, hub, second.replica.id).verdicts == {"conflict": 1}
        C.resolve(b, hub, "household", saved.id, C.MINE, "周红")
        assert sync(b, hub, second.replica.id).verdicts == {"accepted": 1}
    assert admin.all("SELECT pushed_by, resolved_by FROM conflict") == [(second.replica.id, "周红")]
    assert '"people":9' in admin.one("SELECT body FROM doc WHERE id = %s", (saved.id,))[0]
    a.close()
    b.close()


def test_the_counter_only_moves_forward_and_numbers_are_taken_from_it(three: Hub) -> None:
    """A station cannot put the counter back (a revision numbered behind a pull cursor
    would never be pulled) nor number a document with what the counter has not handed
    out (the next push would find its number taken)."""
    me = three.hl01.replica.id
    with raw(three.hl01) as conn:
        for statement in (
            "UPDATE hub_clock SET seq = 0",
            "UPDATE hub_clock SET seq = seq",
            f"UPDATE hub_clock SET seq = seq + {MAX_TAKE + 1}",
            "UPDATE hub_clock SET id = 2",
        ):
            with pytest.raises(Refused), conn.transaction():
                conn.execute(statement)
        with pytest.raises(Refused, match="row-level security"), conn.transaction():
            conn.execute(_DOC_INSERT, doc_values("ahead", STATION_ID, STATION_ID, me, 6))
        with pytest.raises(Refused, match="row-level security"), conn.transaction():
            conn.execute("UPDATE doc SET hub_seq = 1000 WHERE id = %s", (three.docs["hl01"],))
        with conn.transaction():
            conn.execute("UPDATE hub_clock SET seq = seq + 3")
            conn.execute(_DOC_INSERT, doc_values("taken", STATION_ID, STATION_ID, me, 8))
    assert three.admin.one("SELECT seq FROM hub_clock")[0] == 8
    # The admin is not bound.
    three.admin.execute("UPDATE hub_clock SET seq = 8")


# -- our push, through a station's role, of another station's document ----------------------


def test_our_push_of_another_stations_document_is_a_conflict(three: Hub, tmp_path: Path) -> None:
    """Through HL01's role, our push of (1) a document HL02 wrote and (2) a document HL01
    claims as its own under the id of HL02's (which HL01 cannot see): both conflicts of
    reason "writer", kept whole; the hub's documents untouched, no error."""
    admin, me = three.admin, three.hl01.replica.id
    before = admin.all("SELECT id, rev_hash, writer, body FROM doc ORDER BY id")
    base = household(station_id=HL02_ID).model_dump(mode="json")
    theirs = {**base, "id": "theirs", "writer": HL02_ID}
    (copied,) = laptop(tmp_path / "hl02.json", HL02, {"household": {"theirs": theirs}}).pending()
    claimed = {**base, "id": three.docs["hl02"], "station_id": STATION_ID, "writer": STATION_ID}
    hl01 = laptop(tmp_path / "hl01.json", HL01, {"household": {claimed["id"]: claimed}})
    (claim,) = hl01.pending()
    with as_replica(three.hl01) as hub:
        result = push(hub, me, [copied, claim])
    assert [(v.id, v.verdict, v.reason) for v in result.verdicts] == [
        ("theirs", "conflict", "writer"),
        (three.docs["hl02"], "conflict", "writer"),
    ]
    assert admin.all("SELECT id, rev_hash, writer, body FROM doc ORDER BY id") == before
    kept = admin.all("SELECT doc_id, pushed_by, reason, hub_hash FROM conflict ORDER BY doc_id")
    assert sorted(kept) == sorted(
        [("theirs", me, "writer", None), (three.docs["hl02"], me, "writer", None)]
    )
    # Pushed again: the same two conflicts, nothing more.
    with as_replica(three.hl01) as hub:
        push(hub, me, [copied, claim])
    assert count(admin, "conflict") == 2
    hl01.close()


def test_a_changed_client_is_refused_by_the_hub_and_nothing_is_written(
    three: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program changed to call itself HL02 passes its own check: the hub refuses the
    INSERT, the push ends in a Chinese error and the whole transaction is rolled back."""
    admin, me = three.admin, three.hl01.replica.id
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    hl01.save(household(), "李敏")  # HL01's own, first in the push
    forged = household("HL02-0009", station_id=HL02_ID).model_dump(mode="json")
    forged = {**forged, "writer": HL02_ID}
    hl01_items = hl01.pending()
    (forged_item,) = laptop(
        tmp_path / "forged.json", HL02, {"household": {forged["id"]: forged}}
    ).pending()
    real = push_module.get_replica

    def lying(hub: HubConnection, replica_id: str):
        return dataclasses.replace(real(hub, replica_id), writer=HL02_ID)

    monkeypatch.setattr(push_module, "get_replica", lying)
    snapshot = {
        t: admin.all(f"SELECT * FROM {t} ORDER BY 1") for t in (*SECURED_TABLES, "hub_clock")
    }
    with as_replica(three.hl01) as hub:
        with pytest.raises(HubError, match="汇总库拒绝了"):
            push(hub, me, [*hl01_items, forged_item])
    for table, rows in snapshot.items():
        assert admin.all(f"SELECT * FROM {table} ORDER BY 1") == rows, table
    hl01.close()


def test_a_retired_replica_reads_and_pushes_nothing(three: Hub, tmp_path: Path) -> None:
    three.admin.execute(
        "UPDATE replica SET status = 'retired' WHERE id = %s", (three.hl01.replica.id,)
    )
    with raw(three.hl01) as conn:
        assert conn.execute("SELECT count(*) FROM doc").fetchone() == (0,)
        with pytest.raises(Refused), conn.transaction():
            conn.execute(
                _DOC_INSERT,
                doc_values("late", STATION_ID, STATION_ID, three.hl01.replica.id, 99),
            )
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    hl01.save(household(), "李敏")
    with as_replica(three.hl01) as hub, pytest.raises(HubError, match="已停用"):
        sync(hl01, hub, three.hl01.replica.id)
    hl01.close()


# -- the office's role --------------------------------------------------------------------


def test_the_office_reads_everything_and_writes_only_its_own(three: Hub, tmp_path: Path) -> None:
    admin, office_id = three.admin, three.office.replica.id
    with raw(three.office) as conn:
        assert {r[0] for r in conn.execute("SELECT id FROM doc")} == set(three.docs.values())
        for writer, scope in ((STATION_ID, STATION_ID), (HL02_ID, "office")):
            with pytest.raises(Refused, match="row-level security"), conn.transaction():
                conn.execute(_DOC_INSERT, doc_values(f"o-{writer}", scope, writer, office_id, 200))
        for name in ("hl01", "hl02"):
            cur = conn.execute(
                "UPDATE doc SET body = '{}', writer = 'office', pushed_by = %s WHERE id = %s",
                (office_id, three.docs[name]),
            )
            assert cur.rowcount == 0
        # Its own, addressed to a station or to itself.
        conn.execute("UPDATE hub_clock SET seq = seq + 1")
        conn.execute(_DOC_INSERT, doc_values("o-1", HL02_ID, "office", office_id, 6))
        assert (
            conn.execute(
                "UPDATE doc SET body = '{}', pushed_by = %s WHERE id = %s",
                (office_id, three.docs["office_own"]),
            ).rowcount
            == 1
        )
        assert conn.execute("SELECT id FROM replica").fetchall() == [(office_id,)]
    # Our push of a station's document through the office's role: a conflict.
    office = laptop(tmp_path / "office.json", "office")
    theirs = household().model_dump(mode="json")
    hl01 = laptop(tmp_path / "hl01.json", HL01, {"household": {theirs["id"]: theirs}})
    with as_replica(three.office) as hub:
        result = push(hub, office_id, hl01.pending())
        assert [(v.verdict, v.reason) for v in result.verdicts] == [("conflict", "writer")]
        office.save(station("HL03"), "群工办")
        assert [v.verdict for v in push(hub, office_id, office.pending()).verdicts] == ["new"]
    assert admin.one("SELECT writer FROM doc WHERE id = 'station-hl03'")[0] == "office"
    assert admin.one("SELECT count(*) FROM doc WHERE id = %s", (theirs["id"],))[0] == 0
    office.close()
    hl01.close()


# -- the command line ---------------------------------------------------------------------


def test_enrol_from_the_command_line_keeps_the_roles_dsn(
    admin: HubConnection, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = admin.address.target
    db = str(tmp_path / "hl01" / "g.json")
    assert main(["demo", "--db", db, "--as", "HL01", "--today", TODAY]) == 0
    assert main(["hub", "enroll", "--dsn", dsn, "--station", "HL01", "--db", db]) == 0
    config = load_config(db)
    assert config is not None
    role = f"gr_{config.replica_id}"
    assert role in capsys.readouterr().out
    assert config.target.startswith(f"postgresql://{role}:") and "postgres@" not in config.target
    assert main(["sync", "--db", db]) == 0
    assert "同步完成" in capsys.readouterr().out
    with Store.open(db, daily_backup=False, readonly=True) as store:
        assert store.pending() == []
    pushed = admin.all("SELECT DISTINCT pushed_by, writer FROM doc")
    assert pushed == [(config.replica_id, config.scope.removeprefix("station:"))]
