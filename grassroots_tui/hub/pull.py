"""Pulling: the hub's revisions after a replica's cursor, in ``hub_seq`` order, one page at
a time. A station receives its station's documents and the shared ones (the list of
stations), the office everything."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
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
    #: How many revisions the page covered (``docs`` leaves out those the laptop holds).
    rows: int = -1

    @property
    def covered(self) -> int:
        return len(self.docs) if self.rows < 0 else self.rows


#: ``held(kind, id, rev_hash)``: the laptop already holds this revision, acknowledged.
Held = Callable[[str, str, str], bool]


def scopes_of(replica: ReplicaRecord) -> tuple[str, ...] | None:
    """The hub scopes a replica receives (None: every scope, the office)."""
    if replica.station_id is None:
        return None
    return (replica.station_id, SHARED)


def pull_page(
    hub: HubConnection,
    replica: ReplicaRecord,
    cursor: int,
    limit: int,
    held: Held | None = None,
) -> Page:
    """The next page after ``cursor``. With ``held``, the page's hashes are read first and
    only the bodies the laptop does not hold are fetched: after a push, a station's pull
    brings its own new revisions back, and they need no body (a week's 500 documents).
    When most of the page is wanted (a first pull), its bodies come in one read of the
    page's range instead of by id. A document updated at the hub between the two reads has
    moved past the page: its new revision comes with a later page."""
    scopes = scopes_of(replica)
    where = "hub_seq > %s"
    params: list[Any] = [cursor]
    if scopes is not None:
        where = f"scope IN ({', '.join(['%s'] * len(scopes))}) AND hub_seq > %s"
        params = [*scopes, cursor]
    if held is None:
        rows = hub.all(
            f"SELECT body, hub_seq FROM doc WHERE {where} ORDER BY hub_seq LIMIT %s",
            (*params, limit),
        )
        return Page(
            _parsed(body for body, _seq in rows), int(rows[-1][1]) if rows else cursor, len(rows)
        )
    heads = hub.all(
        f"SELECT kind, id, rev_hash, hub_seq FROM doc WHERE {where} ORDER BY hub_seq LIMIT %s",
        (*params, limit),
    )
    wanted = [
        (kind, doc_id) for kind, doc_id, digest, _seq in heads if not held(kind, doc_id, digest)
    ]
    bodies: dict[tuple[str, str], str] = {}
    if heads and len(wanted) * 2 > len(heads):
        # Most of the page is wanted (a first pull): its bodies in one range read.
        last = int(heads[-1][3])
        held_keys = {(k, i) for k, i, _h, _s in heads} - set(wanted)
        for kind, doc_id, body in hub.all(
            f"SELECT kind, id, body FROM doc WHERE {where} AND hub_seq <= %s",
            (*params, last),
        ):
            if (kind, doc_id) not in held_keys:
                bodies[(kind, doc_id)] = body
        wanted = [key for key in wanted if key in bodies]
    by_kind: dict[str, list[str]] = {}
    for kind, doc_id in wanted:
        if (kind, doc_id) not in bodies:
            by_kind.setdefault(kind, []).append(doc_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for doc_id, body in hub.all(
                f"SELECT id, body FROM doc WHERE kind = %s AND id IN ({marks})", (kind, *chunk)
            ):
                bodies[(kind, doc_id)] = body
    return Page(
        _parsed(bodies[key] for key in wanted if key in bodies),
        int(heads[-1][3]) if heads else cursor,
        len(heads),
    )


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
