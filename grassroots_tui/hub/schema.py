"""The hub's tables: the same plain SQL on PostgreSQL and SQLite, created idempotently
(``IF NOT EXISTS``) and versioned in ``hub_meta``. Bodies are JSON text in both engines
(the exact bytes a replica pushed); what the hub filters on has typed columns beside it.

=============  =====================================================================
table          what it holds
=============  =====================================================================
``doc``        every document's current revision: kind, id, scope (the station it is
               addressed to, "office", or "shared"), writer, rev, rev_hash, base_hash,
               deleted, schema_version, bkey (a business key: a slip number), body,
               hub_seq (unique, from the counter), pushed_by, received_at
``conflict``   every pushed revision the hub did not take, whole, with its base, the hub's
               hash then and the reason (diverged / writer / unique); never deleted
``replica``    each enrolled laptop: scope, writer, status, key, last push and pull, the
               head of its audit chain the hub verified
``audit_entry`` each replica's audit chain: the exact bytes that were hashed
``fork``       where a replica's chain forked (a restored or cloned laptop)
``hub_clock``  the one-row counter that hands out hub_seq inside the push transaction
``hub_meta``   schema version, epoch (a new one when the hub is restored)
=============  =====================================================================

On PostgreSQL, ``init`` also puts ``doc``, ``conflict``, ``replica``, ``audit_entry`` and
``fork`` under row level security, with the policies of :mod:`.roles`: each enrolled
laptop connects as its own role and the hub itself keeps it to its documents. The role
that runs ``init`` owns the tables and is not bound by them. An SQLite file has no roles:
whoever can open the file can change anything in it, so the office's machine keeps it and
stations meet it through USB bundles.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.roles import apply_row_security
from grassroots_tui.lang import tr

SCHEMA_VERSION = 1

_TABLES = (
    "CREATE TABLE IF NOT EXISTS hub_meta (name VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS hub_clock (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS replica (
        id VARCHAR(64) PRIMARY KEY,
        scope VARCHAR(140) NOT NULL,
        writer VARCHAR(128) NOT NULL,
        status VARCHAR(16) NOT NULL,
        enrolled_at VARCHAR(40) NOT NULL,
        enrolled_by TEXT,
        key_b64 TEXT NOT NULL,
        role_name VARCHAR(64),
        last_push_at VARCHAR(40),
        last_pull_at VARCHAR(40),
        audit_seq BIGINT NOT NULL DEFAULT 0,
        audit_head VARCHAR(64)
    )""",
    """CREATE TABLE IF NOT EXISTS doc (
        kind VARCHAR(64) NOT NULL,
        id VARCHAR(64) NOT NULL,
        scope VARCHAR(140) NOT NULL,
        writer VARCHAR(128) NOT NULL,
        rev INTEGER NOT NULL,
        rev_hash VARCHAR(64) NOT NULL,
        base_hash VARCHAR(64),
        deleted INTEGER NOT NULL,
        schema_version INTEGER NOT NULL,
        bkey VARCHAR(300),
        body TEXT NOT NULL,
        hub_seq BIGINT NOT NULL,
        pushed_by VARCHAR(64) NOT NULL,
        received_at VARCHAR(40) NOT NULL,
        PRIMARY KEY (kind, id)
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS doc_hub_seq ON doc (hub_seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS replica_role ON replica (role_name)",
    "CREATE INDEX IF NOT EXISTS doc_scope_seq ON doc (scope, hub_seq)",
    "CREATE INDEX IF NOT EXISTS doc_bkey ON doc (bkey)",
    """CREATE TABLE IF NOT EXISTS conflict (
        id VARCHAR(64) PRIMARY KEY,
        kind VARCHAR(64) NOT NULL,
        doc_id VARCHAR(64) NOT NULL,
        scope VARCHAR(140) NOT NULL,
        writer VARCHAR(128) NOT NULL,
        pushed_hash VARCHAR(64) NOT NULL,
        base_hash VARCHAR(64),
        hub_hash VARCHAR(64),
        reason VARCHAR(16) NOT NULL,
        pushed_by VARCHAR(64) NOT NULL,
        received_at VARCHAR(40) NOT NULL,
        body TEXT NOT NULL,
        resolved_at VARCHAR(40),
        resolved_by TEXT,
        resolution TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS conflict_doc ON conflict (kind, doc_id)",
    """CREATE TABLE IF NOT EXISTS audit_entry (
        replica VARCHAR(64) NOT NULL,
        seq BIGINT NOT NULL,
        hash VARCHAR(64) NOT NULL,
        prev_hash VARCHAR(64),
        body TEXT NOT NULL,
        received_at VARCHAR(40) NOT NULL,
        PRIMARY KEY (replica, seq, hash)
    )""",
    """CREATE TABLE IF NOT EXISTS fork (
        id VARCHAR(64) PRIMARY KEY,
        replica VARCHAR(64) NOT NULL,
        seq BIGINT NOT NULL,
        hub_head VARCHAR(64),
        new_head VARCHAR(64) NOT NULL,
        found_at VARCHAR(40) NOT NULL,
        handled_at VARCHAR(40),
        handled_by TEXT
    )""",
)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def init_hub(hub: HubConnection) -> dict[str, str]:
    """Create the hub's tables where missing, the counter row and the epoch; a hub made by
    a newer program is refused. Running it again changes nothing. Returns the hub's meta."""
    with hub.transaction():
        for statement in _TABLES:
            hub.execute(statement)
        apply_row_security(hub)
        meta = dict(hub.all("SELECT name, value FROM hub_meta"))
        version = int(meta.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise HubError(
                tr(
                    "汇总库由更新版本的程序建立（结构版本 {version}，本程序 {SCHEMA_VERSION}），"
                    "请升级程序。",
                    version=version,
                    SCHEMA_VERSION=SCHEMA_VERSION,
                )
            )
        if "schema_version" not in meta:
            hub.execute(
                "INSERT INTO hub_meta (name, value) VALUES (%s, %s)",
                ("schema_version", str(SCHEMA_VERSION)),
            )
        if "epoch" not in meta:
            hub.execute(
                "INSERT INTO hub_meta (name, value) VALUES (%s, %s)", ("epoch", uuid.uuid4().hex)
            )
            hub.execute(
                "INSERT INTO hub_meta (name, value) VALUES (%s, %s)", ("created_at", now_text())
            )
        if hub.one("SELECT seq FROM hub_clock WHERE id = 1") is None:
            hub.execute("INSERT INTO hub_clock (id, seq) VALUES (1, 0)")
    return hub_meta(hub)


def hub_meta(hub: HubConnection) -> dict[str, str]:
    """The hub's meta (schema_version, epoch, created_at); refused when the hub was never
    initialised or is newer than this program."""
    try:
        meta = dict(hub.all("SELECT name, value FROM hub_meta"))
    except HubError as error:
        raise HubError(
            tr(
                "{shown} 还不是汇总库：请先运行 grassroots hub init。（{error}）",
                shown=hub.address.shown,
                error=error,
            )
        ) from error
    if "epoch" not in meta:
        raise HubError(
            tr("{shown} 还不是汇总库：请先运行 grassroots hub init。", shown=hub.address.shown)
        )
    if int(meta.get("schema_version", "0")) > SCHEMA_VERSION:
        raise HubError(tr("汇总库由更新版本的程序建立，请升级程序。"))
    return meta


def new_epoch(hub: HubConnection) -> str:
    """Give a hub restored from a backup a new epoch: every replica then pulls from the
    start and compares hashes, instead of trusting a cursor the restore made wrong."""
    epoch = uuid.uuid4().hex
    with hub.transaction():
        hub.execute("UPDATE hub_meta SET value = %s WHERE name = 'epoch'", (epoch,))
    return epoch
