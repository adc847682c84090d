"""Deletes leave tombstones: the document's last revision, marked deleted, kept for the hub
and left out of every read; undo brings the document back; check proves them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query
from tinydb.table import Document as TinyDocument

from grassroots_tui.models import Household
from grassroots_tui.services.check import check_report
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.store import Store, StoreConflict
from grassroots_tui.store.files import read_snapshot, write_snapshot
from grassroots_tui.store.store import revision_hash, tombs_of
from tests.factories import household, station, visit


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "s.json", daily_backup=False)
    yield s
    s.close()


def _reads(s: Store, doc_id: str) -> dict[str, Any]:
    """What every read API says about the household ``doc_id``."""
    return {
        "get_raw": s.get_raw("household", doc_id),
        "get": s.get(Household, doc_id),
        "raw": [d for d in s.raw("household") if d["id"] == doc_id],
        "iter": [d for d in s.iter(Household) if d.id == doc_id],
        "all": [d for d in s.all("household") if d.id == doc_id],
        "search": s.search("household", Query().id == doc_id),
        "table search": s.table("household").search(Query().id == doc_id),
        "table all": [d for d in s.table("household").all() if d["id"] == doc_id],
        "table get": s.table("household").get(doc_id=doc_id),
        "derived": [
            d
            for d in s.derived("ids", ["household"], lambda: [x["id"] for x in s.raw("household")])
            if d == doc_id
        ],
    }


GONE = {
    "get_raw": None,
    "get": None,
    "raw": [],
    "iter": [],
    "all": [],
    "search": [],
    "table search": [],
    "table all": [],
    "table get": None,
    "derived": [],
}


def test_a_delete_leaves_a_tombstone_no_read_shows(store: Store) -> None:
    kept = store.save(household("A"), actor="a")
    saved = store.save(household("B", note="独居"), actor="a")
    store.derived("ids", ["household"], lambda: [x["id"] for x in store.raw("household")])
    revision = store.revisions["household"]
    live = store.get_raw("household", saved.id)
    store.delete(Household, saved.id, actor="王强")
    assert _reads(store, saved.id) == GONE
    assert store.count("household") == 1 and store.kinds() == ["household", "audit_entry"]
    assert store.changed_since("household", revision) == {saved.id}
    [tomb] = store.tombstones(Household)
    assert tomb == {
        **live,  # type: ignore[dict-item]
        "rev": 2,
        "deleted": True,
        "updated_by": "王强",
        "updated_at": tomb["updated_at"],
        "rev_hash": revision_hash(tomb),
    }
    assert tomb["note"] == "独居" and tomb["writer"] == saved.writer
    [entry] = [e for e in store.history("household", saved.id) if e["action"] == "delete"]
    assert entry["before"] == live and entry["target_rev"] == 2
    assert store.get(Household, kept.id) is not None
    assert check_report(store).findings == []


def test_tombstones_survive_reopen_and_check_passes(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        saved = s.save(household(), actor="a")
        s.delete(Household, saved.id, actor="a")
        tomb = s.tombstones("household")
    assert read_snapshot(db).tables[tombs_of("household")] == {saved.id: tomb[0]}
    with Store.open(db, daily_backup=False) as s:
        assert s.tombstones("household") == tomb
        assert _reads(s, saved.id) == GONE
        report = check_report(s)
        assert report.findings == []
        assert "已删除的 1 条记录与删除时的内容一致" in "\n".join(report.checked)


def test_undo_of_a_delete_brings_it_back_as_a_new_revision(store: Store) -> None:
    saved = store.save(household(), actor="a")
    store.delete(Household, saved.id, actor="a")
    store.undo_last(actor="a")
    back = store.get(Household, saved.id)
    assert back is not None and back.rev == 3 and not back.deleted
    assert back.created_at == saved.created_at
    assert store.tombstones("household") == []
    # Redo deletes it again: a fourth revision, a tombstone once more.
    store.redo_last(actor="a")
    assert store.get_raw("household", saved.id) is None
    assert [t["rev"] for t in store.tombstones("household")] == [4]
    assert check_report(store).findings == []


def test_undo_of_a_creation_leaves_a_tombstone(store: Store) -> None:
    saved = store.save(household(), actor="a")
    store.undo_last(actor="a")
    assert _reads(store, saved.id) == GONE
    assert [(t["id"], t["rev"], t["deleted"]) for t in store.tombstones("household")] == [
        (saved.id, 2, True)
    ]
    store.redo_last(actor="a")  # the creation again, over its tombstone
    assert store.get(Household, saved.id).rev == 3  # type: ignore[union-attr]
    assert check_report(store).findings == []


def test_saving_over_a_tombstone_is_refused_and_changes_nothing(store: Store) -> None:
    saved = store.save(household(), actor="a")
    store.delete(Household, saved.id, actor="a")
    before = copy.deepcopy(store.tables), store.paths.journal.read_bytes()
    with pytest.raises(StoreConflict, match="已被删除"):
        store.save(saved, actor="a")
    with pytest.raises(StoreConflict, match="已被删除"):
        store.save(saved.model_copy(update={"rev": 0}), actor="a")
    inserted = saved.to_json()
    with pytest.raises(StoreConflict, match="已被删除"):
        store.table("household").insert(TinyDocument(inserted, doc_id=saved.id))
    with pytest.raises(StoreConflict, match="不存在"):
        store.delete(Household, saved.id, actor="a")
    assert (store.tables, store.paths.journal.read_bytes()) == before


def test_a_removal_through_tinydb_leaves_a_tombstone(store: Store) -> None:
    saved = store.save(household("A"), actor="a")
    store.table("household").remove(Query().household_no == "A")
    assert _reads(store, saved.id) == GONE
    assert [t["id"] for t in store.tombstones("household")] == [saved.id]
    # drop_tables cannot reach tombstones, the audit trail or the meta.
    store.db.drop_tables()
    assert store.tombstones("household") and store.raw("audit_entry") and store.meta
    assert check_report(store).findings == []


def test_a_deleted_household_no_longer_counts_in_the_statistics(store: Store) -> None:
    store.save(station(), actor="a")
    kept = store.save(household("A"), actor="a")
    gone = store.save(household("B"), actor="a")
    store.save_many([visit(kept.id), visit(gone.id)], actor="a")

    def figures() -> tuple[int, int]:
        total = month_stats(store, year=2026, month=11).total
        return total.households_registered, total.households_visited_month

    assert figures() == (2, 2)
    for v in [v for v in store.raw("visit") if v["household_id"] == gone.id]:
        store.delete("visit", v["id"], actor="a")
    store.delete(Household, gone.id, actor="a")
    assert figures() == (1, 1)
    store.undo_last(actor="a")
    assert figures() == (2, 1)


# --- check finds tombstones changed by hand --------------------------------------------------


def _deleted_store(db: Path) -> str:
    with Store.open(db, daily_backup=False) as s:
        s.save(household("A"), actor="a")
        saved = s.save(household("B"), actor="a")
        s.delete(Household, saved.id, actor="a")
    return saved.id


def _edit(db: Path, change) -> list[tuple[str, str, str]]:
    snap = read_snapshot(db)
    change(snap.tables)
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, readonly=True) as s:
        return [(f.kind, f.doc_id, f.message) for f in check_report(s).findings]


def test_check_names_a_tombstone_edited_removed_or_added_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    doc_id = _deleted_store(db)
    tombs = tombs_of("household")

    def edit(tables: dict) -> None:
        tables[tombs][doc_id]["head_of_household"] = "李四"

    [(kind, found, message)] = _edit(db, edit)
    assert (kind, found) == ("household", doc_id) and "已删除的记录：" in message

    def remove(tables: dict) -> None:
        tables[tombs][doc_id]["head_of_household"] = "张桂兰"
        del tables[tombs][doc_id]

    [(kind, found, message)] = _edit(db, remove)
    assert found == doc_id and "删除后留下的记录不见了" in message

    def put_back(tables: dict) -> None:
        tables[tombs][doc_id] = dict(tables["household"][next(iter(tables["household"]))])
        tables[tombs][doc_id].update(id=doc_id, deleted=True)
        added = household("C").to_json() | {"rev": 2, "deleted": True}
        tables[tombs][added["id"]] = added

    findings = _edit(db, put_back)
    assert {f[1] for f in findings} == {doc_id, *[i for i in read_snapshot(db).tables[tombs]]}
    assert any("没有任何审计记录" in f[2] for f in findings)


def test_check_names_a_live_document_marked_deleted(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    _deleted_store(db)

    def mark(tables: dict) -> None:
        next(iter(tables["household"].values()))["deleted"] = True

    findings = _edit(db, mark)
    assert any("标为已删除，却在现有记录中" in f[2] for f in findings)
