"""PostgreSQL roles for the replicas: the hub itself enforces who writes and reads what
(docs/design.md#the-hub), so a laptop running a changed program still cannot push another's
document or pull another station's.

Plain SQL only (roles, ``GRANT``, row level security policies, ``current_user``; no
extension, no function): what PostgreSQL and the databases derived from it accept.

- :func:`apply_row_security` (at ``hub init``): row level security on ``doc``,
  ``conflict``, ``replica``, ``audit_entry``, ``fork`` and ``hub_clock``, with policies
  keyed on ``replica.role_name = current_user``. The admin who ran ``init`` owns the tables, and an
  owner is not subject to row level security (it is not FORCEd): the office's
  administration sees and does everything, as before.
- :func:`create_replica_role` (at ``hub enroll``): a ``LOGIN`` role ``gr_<replica id>``
  with a random password (sent to the server as a SCRAM verifier, never as text) and the
  few privileges a sync needs.

What a replica's role may do, through the hub itself:

===============  ==========================================================================
``doc``          SELECT rows of its scopes (a station: its own station and ``shared``; the
                 office: every scope) and rows it wrote; INSERT rows whose writer is its
                 writer, pushed by itself, and (a station) addressed to its own station, to
                 ``shared`` or to no station (``office``), as the store allows, numbered
                 with a ``hub_seq`` the counter has handed out; UPDATE only rows whose
                 writer is its writer, likewise, and never ``kind`` or ``id``
``conflict``     INSERT and SELECT rows it pushed; UPDATE only ``resolved_at``,
                 ``resolved_by`` and ``resolution`` of them (resolving a conflict)
``replica``      SELECT its own row; UPDATE only ``last_push_at``, ``last_pull_at``,
                 ``audit_seq`` and ``audit_head`` of it
``audit_entry``  INSERT and SELECT its own entries
``fork``         INSERT its own
``hub_clock``    SELECT, and UPDATE its counter only forward (every push takes its numbers
                 from it), by at most :data:`MAX_TAKE`
``hub_meta``     SELECT
===============  ==========================================================================

No DELETE or TRUNCATE anywhere. A retired replica's role reads and writes no document.
Because the counter only moves forward and a document's ``hub_seq`` must be one it has
handed out, no replica can make another's revisions land behind a pull cursor, nor take
the numbers the next push will be given (only its own revisions can it misnumber).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.lang import tr

#: Tables under row level security.
SECURED_TABLES = ("doc", "conflict", "replica", "audit_entry", "fork", "hub_clock")
#: The counter as it stood before the statement that reads it (a view: read with its
#: owner's rights, so a policy of ``hub_clock`` can read it without recursion).
CLOCK_VIEW = "gr_clock"
_CLOCK = f"SELECT c.seq FROM {CLOCK_VIEW} c"
#: The most numbers one push may take from the counter.
MAX_TAKE = 100_000_000
#: Every replica role's name: ``gr_`` and the replica id.
ROLE_PREFIX = "gr_"
_ROLE_NAME = re.compile(r"^gr_[0-9a-f]{8,32}$")

#: The replica rows of the connected role (a replica that is active).
_ME = "SELECT r.{column} FROM replica r WHERE r.role_name = current_user AND r.status = 'active'"
_MY_IDS = _ME.format(column="id")
_MY_WRITER = _ME.format(column="writer")
_I_AM_OFFICE = f"EXISTS ({_ME.format(column='id')} AND r.writer = 'office')"
_I_AM_ACTIVE = f"EXISTS ({_MY_IDS})"
#: A doc row the role may read: its scopes, or its own writing.
_DOC_VISIBLE = (
    f"({_I_AM_OFFICE} OR scope IN ({_MY_WRITER}) OR writer IN ({_MY_WRITER})"
    f" OR (scope = 'shared' AND {_I_AM_ACTIVE}))"
)
#: A doc row the role may have written: its writer, pushed by itself; a station's addressed
#: to its own station, to every replica ("shared") or to none ("office"), as
#: Store.may_write allows.
_DOC_WRITABLE = (
    f"(writer IN ({_MY_WRITER}) AND pushed_by IN ({_MY_IDS})"
    f" AND ({_I_AM_OFFICE} OR scope IN ({_MY_WRITER}) OR scope IN ('shared', 'office'))"
    f" AND hub_seq <= ({_CLOCK}))"
)
_MINE = f"IN ({_MY_IDS})"

#: (name, table, command, USING, WITH CHECK)
POLICIES: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("gr_doc_read", "doc", "SELECT", _DOC_VISIBLE, None),
    ("gr_doc_insert", "doc", "INSERT", None, _DOC_WRITABLE),
    ("gr_doc_update", "doc", "UPDATE", f"writer IN ({_MY_WRITER})", _DOC_WRITABLE),
    ("gr_conflict_read", "conflict", "SELECT", f"pushed_by {_MINE}", None),
    ("gr_conflict_insert", "conflict", "INSERT", None, f"pushed_by {_MINE}"),
    ("gr_conflict_resolve", "conflict", "UPDATE", f"pushed_by {_MINE}", f"pushed_by {_MINE}"),
    ("gr_replica_read", "replica", "SELECT", "role_name = current_user", None),
    (
        "gr_replica_update",
        "replica",
        "UPDATE",
        "role_name = current_user",
        "role_name = current_user",
    ),
    ("gr_audit_read", "audit_entry", "SELECT", f"replica {_MINE}", None),
    ("gr_audit_insert", "audit_entry", "INSERT", None, f"replica {_MINE}"),
    ("gr_fork_insert", "fork", "INSERT", None, f"replica {_MINE}"),
    ("gr_clock_read", "hub_clock", "SELECT", "true", None),
    (
        "gr_clock_take",
        "hub_clock",
        "UPDATE",
        "id = 1",
        f"id = 1 AND seq > ({_CLOCK}) AND seq <= ({_CLOCK}) + {MAX_TAKE}",
    ),
)

#: The columns of ``doc`` a push updates (never its key).
DOC_UPDATE_COLUMNS = (
    "scope, writer, rev, rev_hash, base_hash, deleted, schema_version, bkey, body, hub_seq, "
    "pushed_by, received_at"
)
#: The columns of a conflict it pushed that a replica sets when a person resolves it.
CONFLICT_UPDATE_COLUMNS = "resolved_at, resolved_by, resolution"
#: The columns of its own ``replica`` row a replica keeps up to date.
REPLICA_UPDATE_COLUMNS = "last_push_at, last_pull_at, audit_seq, audit_head"
#: The privileges of every replica role.
GRANTS = (
    "GRANT SELECT, INSERT ON doc TO {role}",
    f"GRANT UPDATE ({DOC_UPDATE_COLUMNS}) ON doc TO {{role}}",
    "GRANT SELECT, INSERT ON conflict TO {role}",
    f"GRANT UPDATE ({CONFLICT_UPDATE_COLUMNS}) ON conflict TO {{role}}",
    "GRANT SELECT ON replica TO {role}",
    f"GRANT UPDATE ({REPLICA_UPDATE_COLUMNS}) ON replica TO {{role}}",
    "GRANT SELECT, INSERT ON audit_entry TO {role}",
    "GRANT INSERT ON fork TO {role}",
    "GRANT SELECT, UPDATE (seq) ON hub_clock TO {role}",
    f"GRANT SELECT ON {CLOCK_VIEW} TO {{role}}",
    "GRANT SELECT ON hub_meta TO {role}",
)


def apply_row_security(hub: HubConnection) -> None:
    """Row level security and the policies, on PostgreSQL (inside ``init``'s transaction).
    Idempotent: the policies are dropped and made again, so a newer program's take effect."""
    if hub.engine != "postgresql":
        return
    hub.execute(f"CREATE OR REPLACE VIEW {CLOCK_VIEW} AS SELECT seq FROM hub_clock WHERE id = 1")
    for table in SECURED_TABLES:
        hub.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for name, table, command, using, check in POLICIES:
        hub.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        statement = f"CREATE POLICY {name} ON {table} FOR {command}"
        if using is not None:
            statement += f" USING ({using})"
        if check is not None:
            statement += f" WITH CHECK ({check})"
        hub.execute(statement)


def check_row_security(hub: HubConnection) -> None:
    """Refuse to hand out a role on a hub whose tables are not under the policies (made by
    an older program): the role would see and write everything."""
    marks = ", ".join(["%s"] * len(SECURED_TABLES))
    rows = hub.all(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relname IN ({marks})",
        SECURED_TABLES,
    )
    secured = {name for (name,) in rows}
    policies = {
        name
        for (name,) in hub.all(
            "SELECT policyname FROM pg_policies WHERE schemaname = current_schema()"
        )
    }
    missing = [t for t in SECURED_TABLES if t not in secured] + [
        p[0] for p in POLICIES if p[0] not in policies
    ]
    if missing:
        raise HubError(
            tr(
                "汇总库还没有按电脑分开的访问规则（{missing}）："
                "请先用管理员账号再运行一次 grassroots hub init，再登记电脑。",
                missing=tr("、").join(missing),
            )
        )


def role_name(replica_id: str) -> str:
    name = ROLE_PREFIX + replica_id
    if not _ROLE_NAME.match(name):
        raise HubError(tr("电脑编号 {replica_id} 不能用作汇总库角色名。", replica_id=replica_id))
    return name


def new_password() -> str:
    """A random password (192 bits) of letters, digits, ``-`` and ``_``: nothing to escape
    in a DSN."""
    return secrets.token_urlsafe(24)


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """What PostgreSQL stores for ``password`` under SCRAM-SHA-256 (RFC 5802, 7677), made
    here so the password itself never reaches the server or its statement log. The password
    is ASCII, so SASLprep leaves it as it is."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def check_may_create_roles(hub: HubConnection) -> None:
    row = hub.one("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user", ())
    if not row or not row[0]:
        raise HubError(
            tr(
                "登记电脑要用能建立数据库角色的管理员账号（CREATEROLE）连接汇总库："
                "每台电脑在汇总库里有自己的角色。"
            )
        )


def create_replica_role(hub: HubConnection, role: str, password: str) -> None:
    """The replica's ``LOGIN`` role with its privileges (inside the enrolment's transaction:
    on PostgreSQL a role is made and granted transactionally)."""
    if not _ROLE_NAME.match(role):
        raise HubError(tr("不能用 {role} 作汇总库角色名。", role=role))
    verifier = scram_verifier(password)
    hub.execute(
        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
        f"NOBYPASSRLS PASSWORD '{verifier}'"
    )
    # PUBLIC has these by default; a database or schema that took them away gets them
    # back for this role only.
    if not hub.one("SELECT has_database_privilege(%s, current_database(), 'CONNECT')", (role,))[0]:
        database = hub.one("SELECT current_database()")[0]
        hub.execute(f'GRANT CONNECT ON DATABASE "{_identifier(database)}" TO {role}')
    if not hub.one("SELECT has_schema_privilege(%s, current_schema(), 'USAGE')", (role,))[0]:
        schema = hub.one("SELECT current_schema()")[0]
        hub.execute(f'GRANT USAGE ON SCHEMA "{_identifier(schema)}" TO {role}')
    for grant in GRANTS:
        hub.execute(grant.format(role=role))


def _identifier(name: str) -> str:
    """``name`` for use between double quotes."""
    return str(name).replace('"', '""')
