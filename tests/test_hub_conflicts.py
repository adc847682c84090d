"""Resolving a conflict with the hub (grassroots_tui/hub/conflicts.py), on SQLite and on a
real PostgreSQL: two laptops of one station change the same household, the second push is
a conflict; keeping the laptop's version, the hub's, or a field-by-field merge each ends
with the next sync accepted, the hub's conflict row resolved and still there, and the
revision that lost kept whole in the conflict table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from grassroots_tui.hub import conflicts as C
from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.replicas import enroll_replica
from grassroots_tui.hub.sync import sync
from grassroots_tui.models import Household
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household
from tests.hub_fixtures import hub_address_fixture, hub_fixture, laptop  # noqa: F401 - fixtures

HL01 = f"station:{STATION_ID}"


@dataclass
class Diverged:
    """Laptop ``a`` (whose push was the conflict) and laptop ``b`` (whose was taken)."""

    a: Store
    b: Store
    replica_id: str
    doc_id: str


def make_conflict(hub: HubConnection, tmp_path: Path) -> Diverged:
    """Laptop a registers a household and syncs; b, a copy of it, changes the number of
    people and the note and syncs first; a changes the people and the grid, and its push is
    a conflict."""
    replica, _ = enroll_replica(hub, HL01, by="x")
    a = laptop(tmp_path / "a.json", HL01)
    saved = a.save(household(), "李敏")
    sync(a, hub, replica.id)
    b = laptop(
        tmp_path / "b.json", HL01, {"household": {saved.id: a.get_raw("household", saved.id)}}
    )
    theirs = b.get(Household, saved.id)
    assert theirs is not None
    b.save(theirs.model_copy(update={"people": 7, "note": "周红补登"}), "周红")
    assert sync(b, hub, replica.id).verdicts == {"accepted": 1}
    mine = a.get(Household, saved.id)
    assert mine is not None
    a.save(mine.model_copy(update={"people": 9, "grid": "二网格"}), "李敏")
    report = sync(a, hub, replica.id)
    assert report.verdicts == {"conflict": 1}
    return Diverged(a, b, replica.id, saved.id)


def conflict_rows(hub: HubConnection, doc_id: str) -> list[tuple]:
    return hub.all(
        "SELECT pushed_hash, body, resolved_at, resolved_by, resolution FROM conflict "
        "WHERE doc_id = %s",
        (doc_id,),
    )


def hub_body(hub: HubConnection, doc_id: str) -> dict:
    return orjson.loads(hub.one("SELECT body FROM doc WHERE id = %s", (doc_id,))[0])


def test_the_open_conflict_is_listed_and_compared_field_by_field(
    hub: HubConnection, tmp_path: Path
) -> None:
    d = make_conflict(hub, tmp_path)
    (found,) = C.open_conflicts(d.a)
    assert (found.kind, found.id, found.reason) == ("household", d.doc_id, "diverged")
    assert found.resolvable and found.mine is not None and found.mine["people"] == 9
    theirs = C.hub_version(hub, "household", d.doc_id)
    assert theirs is not None and theirs["people"] == 7
    differing = {f.name: (f.mine, f.hub) for f in C.compare(found.mine, theirs) if f.differs}
    assert differing == {"people": (9, 7), "grid": ("二网格", "一网格"), "note": ("", "周红补登")}
    assert C.hub_version(hub, "household", "no-such-id") is None
    d.a.close()
    d.b.close()


@pytest.mark.parametrize(
    ("choice", "merged", "expected"),
    [
        (C.MINE, None, {"people": 9, "grid": "二网格", "note": ""}),
        (C.HUB, None, {"people": 7, "grid": "一网格", "note": "周红补登"}),
        (
            C.MERGE,
            {"people": C.MINE, "grid": C.MINE, "note": C.HUB},
            {"people": 9, "grid": "二网格", "note": "周红补登"},
        ),
    ],
)
def test_each_resolution_is_accepted_by_the_next_sync_and_nothing_is_lost(
    hub: HubConnection, tmp_path: Path, choice: str, merged: dict | None, expected: dict
) -> None:
    d = make_conflict(hub, tmp_path)
    (before,) = conflict_rows(hub, d.doc_id)
    lost_hash, lost_body = before[0], orjson.loads(before[1])
    hub_rev = hub_body(hub, d.doc_id)["rev"]

    new = C.resolve(
        d.a, hub, "household", d.doc_id, choice, "李敏#staff-limin", merged_fields=merged
    )
    assert {k: new[k] for k in expected} == expected
    assert new["acked_hash"] == hub_body(hub, d.doc_id)["rev_hash"]
    assert new["rev"] > hub_rev
    # Still listed until the push is acknowledged.
    assert [c.id for c in C.open_conflicts(d.a)] == [d.doc_id]
    # The resolution is audited like any change, by the person who chose.
    assert d.a.history("household", d.doc_id)[-1]["actor"] == "李敏#staff-limin"

    report = sync(d.a, hub, d.replica_id)
    assert report.verdicts == {"accepted": 1}, report.verdicts
    assert C.open_conflicts(d.a) == [] and d.a.pending() == []
    at_hub = hub_body(hub, d.doc_id)
    assert {k: at_hub[k] for k in expected} == expected

    # The conflict row is resolved, and kept whole: the losing revision is still there.
    ((pushed_hash, body, resolved_at, resolved_by, resolution),) = conflict_rows(hub, d.doc_id)
    assert resolved_at and resolved_by == "李敏#staff-limin"
    assert orjson.loads(resolution)["choice"] == choice
    assert pushed_hash == lost_hash and orjson.loads(body) == lost_body
    assert lost_body["people"] == 9

    # The other laptop receives the resolution.
    sync(d.b, hub, d.replica_id)
    theirs = d.b.get_raw("household", d.doc_id)
    assert theirs is not None and {k: theirs[k] for k in expected} == expected
    d.a.close()
    d.b.close()


def test_a_hub_changed_again_since_the_comparison_is_not_overwritten(
    hub: HubConnection, tmp_path: Path
) -> None:
    d = make_conflict(hub, tmp_path)
    with pytest.raises(HubError, match="重新打开比较"):
        C.resolve(d.a, hub, "household", d.doc_id, C.MINE, "x", expected_hub_hash="0" * 64)
    assert conflict_rows(hub, d.doc_id)[0][2] is None  # still open
    assert d.a.get_raw("household", d.doc_id)["people"] == 9  # nothing saved here
    d.a.close()
    d.b.close()


def test_a_merge_names_only_differing_fields(hub: HubConnection, tmp_path: Path) -> None:
    d = make_conflict(hub, tmp_path)
    with pytest.raises(HubError, match="address"):
        C.resolve(d.a, hub, "household", d.doc_id, C.MERGE, "x", merged_fields={"address": "hub"})
    with pytest.raises(HubError, match="未知的处理方式"):
        C.resolve(d.a, hub, "household", d.doc_id, "both", "x")
    assert conflict_rows(hub, d.doc_id)[0][2] is None
    d.a.close()
    d.b.close()


def test_keeping_a_deletion_made_here_deletes_it_at_the_hub(
    hub: HubConnection, tmp_path: Path
) -> None:
    d = make_conflict(hub, tmp_path)
    # Resolve by the hub's version first? No: this laptop deletes its copy, then keeps that.
    d.a.delete("household", d.doc_id, "李敏")
    sync(d.a, hub, d.replica_id)  # the tombstone is a conflict too (same document)
    C.resolve(d.a, hub, "household", d.doc_id, C.MINE, "李敏")
    assert sync(d.a, hub, d.replica_id).verdicts == {"accepted": 1}
    assert hub.one("SELECT deleted FROM doc WHERE id = %s", (d.doc_id,))[0] == 1
    assert C.open_conflicts(d.a) == []
    # Both refused revisions (the edit and the deletion) stay in the conflict table.
    assert len(conflict_rows(hub, d.doc_id)) == 2
    assert all(row[2] for row in conflict_rows(hub, d.doc_id))
    d.a.close()
    d.b.close()


def test_another_writers_conflict_is_not_offered_a_choice(tmp_path: Path) -> None:
    store = laptop(tmp_path / "a.json", HL01)
    store.record_push(
        [],
        {"household/x": {"kind": "household", "id": "x", "reason": "writer", "label": "不是本机"}},
    )
    (found,) = C.open_conflicts(store)
    assert not found.resolvable and found.mine is None
    store.close()
