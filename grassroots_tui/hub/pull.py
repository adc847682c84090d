"""Pulling: the hub's revisions after a replica's cursor, in ``hub_seq`` order, one page at
a time. A station receives its station's documents and the shared ones (the list of
stations), the office everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from grassroots_tui.hub.engines import HubConnection
from grassroots_tui.hub.push import SHARED
from grassroots_tui.hub.replicas import ReplicaRecord


@dataclass(frozen=True)
class Page:
    docs: list[dict[str, Any]]
    #: The hub_seq of the page's last document: the cursor once the page is kept.
    cursor: int


def scopes_of(replica: ReplicaRecord) -> tuple[str, ...] | None:
    """The hub scopes a replica receives (None: every scope, the office)."""
    if replica.station_id is None:
        return None
    return (replica.station_id, SHARED)


def pull_page(hub: HubConnection, replica: ReplicaRecord, cursor: int, limit: int) -> Page:
    scopes = scopes_of(replica)
    if scopes is None:
        rows = hub.all(
            "SELECT body, hub_seq FROM doc WHERE hub_seq > %s ORDER BY hub_seq LIMIT %s",
            (cursor, limit),
        )
    else:
        marks = ", ".join(["%s"] * len(scopes))
        rows = hub.all(
            f"SELECT body, hub_seq FROM doc WHERE scope IN ({marks}) AND hub_seq > %s "
            "ORDER BY hub_seq LIMIT %s",
            (*scopes, cursor, limit),
        )
    docs = [orjson.loads(body) for body, _seq in rows]
    return Page(docs, int(rows[-1][1]) if rows else cursor)
