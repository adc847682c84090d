"""Enrolling a laptop with the hub: its replica id, scope, writer and key (the key
authenticates and encrypts its USB bundles), on PostgreSQL its own database role and
password (:mod:`.roles`), and the list of replicas."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.hub import roles
from grassroots_tui.hub.config import replica_dsn
from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.schema import hub_meta, now_text
from grassroots_tui.lang import tr
from grassroots_tui.store.replica import scope_writer

ACTIVE = "active"
RETIRED = "retired"


@dataclass(frozen=True)
class ReplicaRecord:
    """A replica as the hub knows it."""

    id: str
    scope: str
    writer: str
    status: str
    enrolled_at: str
    last_push_at: str | None
    last_pull_at: str | None
    audit_seq: int
    audit_head: str | None
    #: Its PostgreSQL role (None on SQLite, or enrolled before roles).
    role_name: str | None = None

    @property
    def station_id(self) -> str | None:
        return None if self.writer == "office" else self.writer


@dataclass(frozen=True)
class Login:
    """The PostgreSQL role a replica connects as, and its password (given once, at
    enrolment: the hub keeps only its SCRAM verifier)."""

    role: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Enrolment:
    replica: ReplicaRecord
    #: base64 of 32 random bytes: authenticates and encrypts the replica's USB bundles.
    key: str
    #: Its own role on PostgreSQL; None on SQLite (a file has no roles).
    login: Login | None
    #: The hub's address as the laptop keeps it: on PostgreSQL the DSN of the enrolment
    #: with the replica's role and password instead of the admin's; the SQLite file's path.
    target: str = field(repr=False)


_COLUMNS = (
    "id, scope, writer, status, enrolled_at, last_push_at, last_pull_at, audit_seq, "
    "audit_head, role_name"
)


def enroll(hub: HubConnection, scope: str, *, by: str) -> Enrolment:
    """A new replica for ``scope`` ("office" or "station:<id>"), its key, which the hub
    keeps to open the replica's bundles, and on PostgreSQL its own ``LOGIN`` role
    ``gr_<id>`` with a new password and the privileges of :mod:`.roles`, all in one
    transaction. The connection must be the admin's (allowed to create roles). A laptop
    enrolled again (a new one for the same station) gets a new replica: both are listed."""
    writer = scope_writer(scope)
    if writer is None:
        raise HubError(tr("登记时要指定群工站（--station）或街道群工办（--office）。"))
    hub_meta(hub)
    replica_id = uuid.uuid4().hex[:16]
    key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    login: Login | None = None
    if hub.engine == "postgresql":
        roles.check_row_security(hub)
        roles.check_may_create_roles(hub)
        login = Login(roles.role_name(replica_id), roles.new_password())
    with hub.transaction():
        hub.execute(
            "INSERT INTO replica (id, scope, writer, status, enrolled_at, enrolled_by, key_b64, "
            "role_name, audit_seq) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0)",
            (
                replica_id,
                scope,
                writer,
                ACTIVE,
                now_text(),
                by,
                key,
                login.role if login else None,
            ),
        )
        if login is not None:
            roles.create_replica_role(hub, login.role, login.password)
    target = hub.address.target
    if login is not None:
        target = replica_dsn(target, login.role, login.password)
    return Enrolment(get_replica(hub, replica_id), key, login, target)


def enroll_replica(hub: HubConnection, scope: str, *, by: str) -> tuple[ReplicaRecord, str]:
    """:func:`enroll` for a caller that keeps only the replica and its key (on PostgreSQL
    the role is made all the same; its password is not kept)."""
    enrolment = enroll(hub, scope, by=by)
    return enrolment.replica, enrolment.key


def get_replica(hub: HubConnection, replica_id: str) -> ReplicaRecord:
    row = hub.one(f"SELECT {_COLUMNS} FROM replica WHERE id = %s", (replica_id,))
    if row is None:
        raise HubError(
            tr("汇总库里没有这台电脑的登记（{replica_id}）：请重新登记。", replica_id=replica_id)
        )
    return _record(row)


def list_replicas(hub: HubConnection) -> list[ReplicaRecord]:
    rows = hub.all(f"SELECT {_COLUMNS} FROM replica ORDER BY scope, enrolled_at")
    return [_record(r) for r in rows]


def _record(row: Any) -> ReplicaRecord:
    return ReplicaRecord(
        id=row[0],
        scope=row[1],
        writer=row[2],
        status=row[3],
        enrolled_at=row[4],
        last_push_at=row[5],
        last_pull_at=row[6],
        audit_seq=int(row[7] or 0),
        audit_head=row[8],
        role_name=row[9],
    )


def replica_key(hub: HubConnection, replica_id: str) -> bytes:
    row = hub.one("SELECT key_b64 FROM replica WHERE id = %s", (replica_id,))
    if row is None:
        raise HubError(tr("汇总库里没有这台电脑的登记（{replica_id}）。", replica_id=replica_id))
    return base64.b64decode(row[0])
