"""Enrolling a laptop with the hub: its replica id, scope, writer and key (the key
authenticates and encrypts its USB bundles), and the list of replicas."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.schema import hub_meta, now_text
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

    @property
    def station_id(self) -> str | None:
        return None if self.writer == "office" else self.writer


_COLUMNS = (
    "id, scope, writer, status, enrolled_at, last_push_at, last_pull_at, audit_seq, audit_head"
)


def enroll_replica(hub: HubConnection, scope: str, *, by: str) -> tuple[ReplicaRecord, str]:
    """A new replica for ``scope`` ("office" or "station:<id>"), and its key (base64, 32
    random bytes), which the hub keeps to open the replica's bundles. A laptop enrolled
    again (a new one for the same station) gets a new replica: both are listed."""
    writer = scope_writer(scope)
    if writer is None:
        raise HubError("登记时要指定群工站（--station）或街道群工办（--office）。")
    hub_meta(hub)
    replica_id = uuid.uuid4().hex[:16]
    key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    with hub.transaction():
        hub.execute(
            "INSERT INTO replica (id, scope, writer, status, enrolled_at, enrolled_by, key_b64, "
            "audit_seq) VALUES (%s, %s, %s, %s, %s, %s, %s, 0)",
            (replica_id, scope, writer, ACTIVE, now_text(), by, key),
        )
    return get_replica(hub, replica_id), key


def get_replica(hub: HubConnection, replica_id: str) -> ReplicaRecord:
    row = hub.one(f"SELECT {_COLUMNS} FROM replica WHERE id = %s", (replica_id,))
    if row is None:
        raise HubError(f"汇总库里没有这台电脑的登记（{replica_id}）：请重新登记。")
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
    )


def replica_key(hub: HubConnection, replica_id: str) -> bytes:
    row = hub.one("SELECT key_b64 FROM replica WHERE id = %s", (replica_id,))
    if row is None:
        raise HubError(f"汇总库里没有这台电脑的登记（{replica_id}）。")
    return base64.b64decode(row[0])
