"""Pulling: the hub's revisions after a replica's cursor, in ``hub_seq`` order, one page at
a time. A station receives its station's documents and the shared ones (the list of
stations), the office everything."""

from __future__ import annotations

import gc
from collections.abc import Iterable
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
    return Page(_parsed(body for body, _seq in rows), int(rows[-1][1]) if rows else cursor)


def _parsed(bodies: Iterable[str]) -> list[dict[str, Any]]:
    """The page's documents, parsed with the cyclic garbage collector paused: a page makes
    tens of thousands of new dicts and lists (no cycles: JSON trees), and each batch of
    them set off a collection that walked everything the store already holds. The
    office's first pull of 100,000 spent more time there than in parsing (bench/hub.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [orjson.loads(body) for body in bodies]
    finally:
        if enabled:
            gc.enable()
