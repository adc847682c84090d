"""What sync needs from the store: each revision's hash, the hash the hub acknowledged, and
the documents changed here since (待上传)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from grassroots_tui.models import Household
from grassroots_tui.services.check import check_report
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.files import read_snapshot, write_snapshot
from grassroots_tui.store.store import revision_hash
from tests.factories import STATION_ID, household, station


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "s.json", daily_backup=False)
    yield s
    s.close()


def _pending(s: Store, kind: str | None = None) -> dict[str, tuple[str, str | None, bool]]:
    return {p.id: (p.rev_hash, p.acked_hash, p.deleted) for p in s.pending(kind)}


def test_the_hash_is_sha256_of_the_sorted_document_without_the_sync_fields(store: Store) -> None:
    saved = store.save(household(), actor="a")
    raw = store.get_raw("household", saved.id)
    assert raw is not None and saved.rev_hash == raw["rev_hash"]
    body = {k: v for k, v in raw.items() if k not in ("rev_hash", "acked_hash", "sent_hashes")}
    assert (
        raw["rev_hash"]
        == hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    )
    # Key order, at any depth, does not matter; acked_hash does not count.
    shuffled = {k: raw[k] for k in reversed(list(raw))}
    assert revision_hash(shuffled) == raw["rev_hash"]
    nested = {"a": {"y": 1, "x": [{"q": 1, "p": 2}]}}
    assert revision_hash(nested) == revision_hash({"a": {"x": [{"p": 2, "q": 1}], "y": 1}})
    assert revision_hash({**raw, "acked_hash": "f" * 64}) == raw["rev_hash"]
    # Any change of content, rev or deletion mark does.
    assert revision_hash({**raw, "people": 4}) != raw["rev_hash"]
    assert revision_hash({**raw, "rev": 2}) != raw["rev_hash"]


def test_save_pending_acknowledge_and_save_again(store: Store) -> None:
    saved = store.save(household(), actor="a")
    assert _pending(store) == {saved.id: (saved.rev_hash, None, False)}
    assert saved.rev_hash is not None
    audit = store.count("audit_entry")
    assert store.acknowledge([("household", saved.id, saved.rev_hash)]) == 1
    assert store.pending() == []
    acked = store.get(Household, saved.id)
    assert acked is not None
    assert acked.acked_hash == saved.rev_hash
    assert (acked.rev, acked.rev_hash, acked.updated_at) == (1, saved.rev_hash, saved.updated_at)
    # Not a change: no audit entry, nothing to undo but the save itself.
    assert store.count("audit_entry") == audit
    assert store.last_undoable("a")[0]["action"] == "create"
    assert check_report(store).findings == []
    # Acknowledging again changes nothing.
    seq = store.position.seq
    assert store.acknowledge([("household", saved.id, saved.rev_hash)]) == 0
    assert store.position.seq == seq
    # A later save: pending again, based on what the hub has.
    again = store.save(acked.model_copy(update={"people": 6, "acked_hash": None}), actor="a")
    assert again.acked_hash == saved.rev_hash  # a local save never changes it
    assert _pending(store) == {saved.id: (again.rev_hash, saved.rev_hash, False)}
    # An undo is a local change too.
    store.acknowledge([("household", saved.id, again.rev_hash or "")])
    store.undo_last(actor="a")
    assert [p.id for p in store.pending("household")] == [saved.id]


def test_an_acknowledgement_of_an_older_revision_leaves_the_document_pending(
    store: Store,
) -> None:
    saved = store.save(household(), actor="a")
    newer = store.save(saved.model_copy(update={"people": 5}), actor="a")
    store.acknowledge([("household", saved.id, saved.rev_hash or "")])
    assert _pending(store) == {saved.id: (newer.rev_hash, saved.rev_hash, False)}


def test_tombstones_are_pending_and_acknowledged_like_documents(store: Store) -> None:
    saved = store.save(household(), actor="a")
    store.acknowledge([("household", saved.id, saved.rev_hash or "")])
    store.delete(Household, saved.id, actor="a")
    [tomb] = store.tombstones("household")
    assert _pending(store) == {saved.id: (tomb["rev_hash"], saved.rev_hash, True)}
    store.acknowledge([("household", saved.id, tomb["rev_hash"])])
    assert store.pending() == []
    assert store.tombstones("household")[0]["acked_hash"] == tomb["rev_hash"]
    assert check_report(store).findings == []


def test_hashes_and_acknowledgements_are_stable_across_reopen(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        acked = s.save(household("A"), actor="a")
        changed = s.save(household("B"), actor="a")
        s.acknowledge([("household", acked.id, acked.rev_hash or "")])
        hashes = {d["id"]: d["rev_hash"] for d in s.raw("household")}
        pending = _pending(s)
    assert set(pending) == {changed.id}
    for _ in range(2):  # from the journal, then from the compacted snapshot
        with Store.open(db, daily_backup=False) as s:
            assert {d["id"]: d["rev_hash"] for d in s.raw("household")} == hashes
            assert all(revision_hash(d) == d["rev_hash"] for d in s.raw("household"))
            assert _pending(s) == pending


def test_unknown_documents_are_refused_before_anything_is_acknowledged(store: Store) -> None:
    saved = store.save(household(), actor="a")
    with pytest.raises(StoreError, match="要同步的文档不在本机"):
        store.acknowledge([("household", saved.id, "x" * 64), ("household", "nope", "y" * 64)])
    assert store.get(Household, saved.id).acked_hash is None  # type: ignore[union-attr]


def test_a_replica_lists_only_the_documents_it_writes(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        s.save_many([station(), station("HL02")], actor="a")
        ours = s.save(household("A"), actor="a")
        s.save(household("B", station_id="station-hl02"), actor="a")
        s.enroll(f"station:{STATION_ID}", actor="a")
        # The stations were set up here while standalone: the office's documents.
        assert {p.id for p in s.pending()} == {ours.id}
        assert {p.id for p in s.pending("station")} == set()


def test_a_document_stored_before_hashes_is_pending_with_its_hash_worked_out(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        saved = s.save(household(), actor="a")
    snap = read_snapshot(db)
    doc = snap.tables["household"][saved.id]
    for name in ("writer", "deleted", "rev_hash", "acked_hash"):
        del doc[name]
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, daily_backup=False) as s:
        [pending] = s.pending()
        assert pending.rev_hash == revision_hash(doc) and pending.acked_hash is None
        s.acknowledge([("household", saved.id, pending.rev_hash)])
        assert s.pending() == []


def _pending_by_scanning(s: Store) -> set[tuple[str, str, str]]:
    """待上传 worked out by reading every document (the oracle for the kept index)."""
    found = set()
    for table, docs in s.tables.items():
        kind = table.removeprefix("_deleted:")
        if kind.startswith("_") or kind == "audit_entry":
            continue
        for doc in docs.values():
            digest = doc.get("rev_hash") or revision_hash(doc)
            if digest != doc.get("acked_hash"):
                found.add((kind, doc["id"], digest))
    return found


def test_pending_follows_every_kind_of_change_as_a_full_scan_does(store: Store) -> None:
    """pending() reads only the documents it noted as unacknowledged; after saves,
    updates, deletes, undo, acknowledgements and a pulled page it lists exactly what a
    scan of every document finds."""
    import random

    rng = random.Random(16)
    ids: list[str] = []
    store.pending()  # the index is built now, and kept from here on
    for step in range(120):
        roll = rng.random()
        live = [i for i in ids if store.get_raw("household", i) is not None]
        if roll < 0.35 or not live:
            ids.append(store.save(household(f"HL01-{step:04d}"), "a").id)
        elif roll < 0.55:
            doc = store.get(Household, rng.choice(live))
            store.save(doc.model_copy(update={"people": rng.randint(1, 9)}), "a")
        elif roll < 0.65:
            store.delete("household", rng.choice(live), "a")
        elif roll < 0.7:
            store.undo_last("a")
        else:
            chosen = rng.sample(store.pending(), k=min(3, len(store.pending())))
            store.acknowledge([(p.kind, p.id, p.rev_hash) for p in chosen])
        assert {(p.kind, p.id, p.rev_hash) for p in store.pending()} == _pending_by_scanning(
            store
        ), step


def test_a_pull_compacts_once_after_its_last_page(tmp_path: Path) -> None:
    """Inside compaction_deferred no save compacts, however long the journal grows; on
    leaving, the store compacts once if the journal is over its limit."""
    with Store.open(tmp_path / "s.json", daily_backup=False) as s:
        before = s.generation
        with s.compaction_deferred():
            for n in range(400):
                s.save(household(f"HL01-{n:04d}", note="x" * 3000), "a")
            assert s.generation == before
            assert s.paths.journal.stat().st_size > 1 << 20
        assert s.generation == before + 1
        assert s.paths.journal.stat().st_size < 1 << 16
