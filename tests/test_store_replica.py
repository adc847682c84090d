"""Which replica a store is, and the one permission check at the store's lowest layer.

A store records its scope ("standalone", "office", "station:<id>") when it is created;
every document gets a writer when it is created and keeps it; a replica that is not
standalone refuses, through every write path, to change a document another party writes
(and a station, to create one for another station), and the refusal changes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query
from tinydb.table import Document as TinyDocument

from grassroots_tui.models import HandoffSlip, Household
from grassroots_tui.services.check import check_report
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.errors import NotYourDocument
from grassroots_tui.store.files import read_snapshot, write_snapshot
from grassroots_tui.store.replica import Replica
from grassroots_tui.store.restore import restore_backup
from grassroots_tui.store.salvage import salvage_store
from tests.factories import STATION_ID, household, legacy_slip, station

OTHER = "station-hl02"
HL01 = f"station:{STATION_ID}"


def slip(**fields: Any) -> HandoffSlip:
    values: dict[str, Any] = dict(
        station_id=STATION_ID,
        title="楼道灯不亮",
        description="三栋二单元楼道灯坏了",
        category="其他",
    )
    values.update(fields)
    return legacy_slip(**values)


def _mixed(db: Path) -> dict[str, str]:
    """A standalone store holding the office's documents and two stations'; its ids."""
    with Store.open(db, daily_backup=False) as s:
        s.save_many([station(), station("HL02")], actor="区管理员")
        ours = s.save(household("HL01-0001"), actor="李敏")
        theirs = s.save(household("HL02-0001", station_id=OTHER), actor="周红")
        office = s.save(slip(), actor="街道")  # written on this machine: by its station
        office_slip = s.save(slip(station_id=None, title="全街道排查"), actor="街道")
    return {"ours": ours.id, "theirs": theirs.id, "slip": office.id, "office": office_slip.id}


def _state(s: Store) -> tuple[Any, bytes, int]:
    return copy.deepcopy(s.tables), s.paths.journal.read_bytes(), s.position.seq


# --- the scope ------------------------------------------------------------------------------


def test_a_store_created_without_a_choice_is_standalone_and_says_so(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.json") as s:
        assert s.meta["scope"] == "standalone"
        assert s.replica == Replica("standalone", None, "单机")
        assert s.may_write(household(station_id=OTHER)) is None


def test_the_scope_is_written_at_creation_and_kept(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.json", scope=HL01) as s:
        s.save(station(), actor="a")
        assert s.replica == Replica(HL01, STATION_ID, "湘龙街道HL01群众工作站")
        assert s.replica.station_id == STATION_ID
    with Store.open(tmp_path / "s.json") as s:  # no scope asked: the recorded one
        assert s.replica.scope == HL01
    with Store.open(tmp_path / "s.json", scope=HL01) as s:
        assert s.replica.writer == STATION_ID
    assert read_snapshot(tmp_path / "s.json").tables["_meta"]["store"]["scope"] == HL01
    with Store.open(tmp_path / "o.json", scope="office") as s:
        assert s.replica == Replica("office", "office", "街道群工办")


def test_opening_with_another_scope_is_refused_in_chinese(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.json", scope=HL01).close()
    with pytest.raises(StoreError, match="不能作为街道群工办的数据（office）打开"):
        Store.open(tmp_path / "s.json", scope="office")
    Store.open(tmp_path / "old.json").close()  # standalone
    with pytest.raises(StoreError, match="单机数据要先登记"):
        Store.open(tmp_path / "old.json", scope=HL01)
    # The refusal let go of the store: it opens for writing again.
    with Store.open(tmp_path / "s.json") as s:
        assert not s.readonly
        s.save(household(), actor="a")


def test_a_scope_that_is_none_of_the_three_is_refused_before_any_file_is_made(
    tmp_path: Path,
) -> None:
    for wrong in ("station", "station:", "Office", "hub"):
        with pytest.raises(StoreError, match="无法识别的本机身份"):
            Store.open(tmp_path / "s.json", scope=wrong)
    assert not (tmp_path / "s.json").exists()


def test_a_store_written_before_scopes_is_standalone(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    with Store.open(db) as s:
        saved = s.save(household(), actor="a")
        office_doc = s.save(household(station_id=None), actor="a")
    snap = read_snapshot(db)
    del snap.tables["_meta"]["store"]["scope"]
    del snap.tables["_meta"]["store"]["writers_recorded"]
    for doc in snap.tables["household"].values():
        for name in ("writer", "deleted", "rev_hash", "acked_hash"):
            doc.pop(name)
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, scope="standalone") as s:
        assert s.replica.standalone
        # Opening records each document's writer, the one it always had (its station, or
        # the office for one without), after a backup; the documents are otherwise the same.
        got = s.get(Household, saved.id)
        assert got is not None and got.writer == STATION_ID and got.people == saved.people
        assert s.get_raw("household", office_doc.id)["writer"] == "office"
        assert list((tmp_path / "s.json.backups").glob("*pre-migration*"))
        again = s.save(got.model_copy(update={"people": 4}), actor="a")
        assert again.writer == STATION_ID  # kept on an update
        assert s.meta["writers_recorded"] is True


def test_a_save_over_a_document_without_a_writer_records_the_one_it_had(tmp_path: Path) -> None:
    """A document without a writer (written before writers) that is saved again gets the
    writer it always had, not the replica's: an update never changes the writer."""
    db = tmp_path / "s.json"
    with Store.open(db) as s:
        saved = s.save(household(), actor="a")
    snap = read_snapshot(db)
    snap.tables["household"][saved.id].pop("writer")
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db) as s:
        assert s.get_raw("household", saved.id).get("writer") is None  # migration already ran
        again = s.save(s.get(Household, saved.id).model_copy(update={"people": 5}), actor="a")
        assert again.writer == STATION_ID
        s.delete("household", saved.id, actor="a")
        assert s.tombstones("household")[0]["writer"] == STATION_ID


# --- the writer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "household_writer", "office_slip_writer"),
    [
        (None, STATION_ID, "office"),
        ("office", "office", "office"),
        (HL01, STATION_ID, STATION_ID),
    ],
)
def test_each_replica_stamps_the_writer_of_what_it_creates(
    tmp_path: Path, scope: str | None, household_writer: str, office_slip_writer: str
) -> None:
    with Store.open(tmp_path / "s.json", scope=scope) as s:
        # Whatever the caller put there is replaced.
        h = s.save(household(writer="someone-else"), actor="a")
        o = s.save(slip(station_id=None), actor="a")
        assert (h.writer, o.writer) == (household_writer, office_slip_writer)
        # Kept on every update, whatever the model carries.
        h2 = s.save(h.model_copy(update={"people": 9, "writer": "forged"}), actor="a")
        assert h2.writer == household_writer
        assert check_report(s).findings == []


def test_writers_survive_reopen_backup_restore_and_salvage(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    ids = _mixed(db)
    expected = {ids["ours"]: STATION_ID, ids["theirs"]: OTHER}

    def writers(tables: dict[str, dict[str, Any]]) -> dict[str, str]:
        return {i: d["writer"] for i, d in tables["household"].items()}

    with Store.open(db, daily_backup=False) as s:
        assert writers(s.tables) == expected
        assert s.get_raw("handoff_slip", ids["office"])["writer"] == "office"
        kept = s.backup()
        s.save(household("HL01-0002"), actor="a")
    restore_backup(db, kept)
    with Store.open(db, daily_backup=False) as s:
        assert writers(s.tables) == expected
    report = salvage_store(db, tmp_path / "salvaged.json")
    assert writers(report.tables) == expected
    with Store.open(tmp_path / "salvaged.json", daily_backup=False) as s:
        assert writers(s.tables) == expected


# --- the permission check, through every write path -------------------------------------


def _enrolled(tmp_path: Path, scope: str) -> tuple[Store, dict[str, str]]:
    db = tmp_path / "s.json"
    ids = _mixed(db)
    store = Store.open(db, daily_backup=False)
    store.enroll(scope, actor="区管理员")
    return store, ids


def _writes(s: Store, doc_id: str) -> dict[str, Callable[[], object]]:
    """Every way the store can be asked to change (or delete) the household ``doc_id``
    (with a new household this replica may create, in the same transaction)."""
    new_station = s.replica.station_id or STATION_ID

    def current() -> Household:
        got = s.get(Household, doc_id)
        assert got is not None
        return got

    def in_transaction_save() -> None:
        with s.transaction("a") as tx:
            tx.save(
                household("NEW-1", station_id=new_station)
            )  # allowed alone: the whole transaction is refused
            tx.save(current().model_copy(update={"people": 8}))

    def in_transaction_delete() -> None:
        with s.transaction("a") as tx:
            tx.delete(Household, doc_id)

    return {
        "save": lambda: s.save(current().model_copy(update={"people": 8}), actor="a"),
        "save_many": lambda: s.save_many(
            [
                household("NEW-2", station_id=new_station),
                current().model_copy(update={"people": 8}),
            ],
            actor="a",
        ),
        "transaction save": in_transaction_save,
        "transaction delete": in_transaction_delete,
        "delete": lambda: s.delete(Household, doc_id, actor="a"),
        "tinydb update": lambda: s.table("household").update({"people": 8}, Query().id == doc_id),
        "tinydb remove": lambda: s.table("household").remove(Query().id == doc_id),
        "tinydb upsert": lambda: s.table("household").upsert(
            {**current().to_json(), "people": 8}, Query().id == doc_id
        ),
    }


@pytest.mark.parametrize(
    ("scope", "refused", "allowed"),
    [
        ("office", ["ours", "theirs"], []),
        (HL01, ["theirs"], ["ours"]),
        ("station:station-hl02", ["ours"], ["theirs"]),
    ],
)
def test_every_write_path_refuses_another_partys_document_and_changes_nothing(
    tmp_path: Path, scope: str, refused: list[str], allowed: list[str]
) -> None:
    store, ids = _enrolled(tmp_path, scope)
    with store:
        for role in refused:
            for path, write in _writes(store, ids[role]).items():
                before = _state(store)
                with pytest.raises(NotYourDocument, match="只能查看") as caught:
                    write()
                assert _state(store) == before, path
                assert isinstance(caught.value, ValueError)
                assert caught.value.reason == store.may_write(store.get_raw("household", ids[role]))
        for role in allowed:
            for path, write in _writes(store, ids[role]).items():
                if path in ("delete", "transaction delete", "tinydb remove"):
                    continue
                write()
            store.delete(Household, ids[role], actor="a")
            assert store.get_raw("household", ids[role]) is None
        assert check_report(store).findings == []


def test_the_reason_names_the_writer_and_this_machine(tmp_path: Path) -> None:
    store, ids = _enrolled(tmp_path, HL01)
    with store:
        assert store.may_write(store.get_raw("handoff_slip", ids["office"]) or {}) == (
            "这份交办单由街道群工办填写，本机（湘龙街道HL01群众工作站）只能查看。"
        )
        assert store.may_write(store.get(Household, ids["theirs"])) == (  # type: ignore[arg-type]
            "这份住户由湘龙街道HL02群众工作站填写，本机（湘龙街道HL01群众工作站）只能查看。"
        )
        assert store.may_write(store.get(Household, ids["ours"])) is None  # type: ignore[arg-type]
        # The office's slip addressed to this station is still the office's.
        assert store.may_write(store.get_raw("handoff_slip", ids["slip"]) or {}) is None


def test_a_station_refuses_to_create_or_move_a_document_into_another_station(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "s.json", scope=HL01) as s:
        s.save_many([station(), station("HL02")], actor="a")
        before = _state(s)
        with pytest.raises(NotYourDocument, match="属于湘龙街道HL02群众工作站"):
            s.save(household(station_id=OTHER), actor="a")
        inserted = household(station_id=OTHER).to_json()
        with pytest.raises(NotYourDocument):
            s.table("household").insert(TinyDocument(inserted, doc_id=inserted["id"]))
        assert _state(s) == before
        mine = s.save(household(), actor="a")
        with pytest.raises(NotYourDocument):
            s.save(mine.model_copy(update={"station_id": OTHER}), actor="a")
        # A document of no station is the station's own.
        assert s.save(slip(station_id=None), actor="a").writer == STATION_ID


def test_the_office_creates_for_any_station_and_writes_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "o.json", scope="office") as s:
        sent = s.save(slip(station_id=OTHER), actor="街道")
        assert sent.writer == "office"
        s.save(sent.model_copy(update={"title": "楼道灯不亮（补充）"}), actor="街道")
        s.delete(HandoffSlip, sent.id, actor="街道")


def test_undo_is_refused_when_the_document_is_no_longer_this_replicas(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        s.save(household(station_id=OTHER), actor="a")
        s.enroll(HL01, actor="区管理员")
        before = _state(s)
        with pytest.raises(NotYourDocument):
            s.undo_last(actor="a")
        assert _state(s) == before


def test_undo_of_ones_own_change_is_allowed_on_a_station(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.json", scope=HL01) as s:
        saved = s.save(household(), actor="a")
        s.save(saved.model_copy(update={"people": 7}), actor="a")
        s.undo_last(actor="a")
        assert s.get(Household, saved.id).people == 3  # type: ignore[union-attr]


# --- enrolling --------------------------------------------------------------------------------


def test_enrolling_a_standalone_store_is_audited_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "s.json"
    ids = _mixed(db)
    with Store.open(db, daily_backup=False) as s:
        head = s.meta["audit_head"]["seq"]
        replica = s.enroll(HL01, actor="区管理员")
        assert replica.scope == HL01 and s.replica == replica
        [entry] = [e for e in s.raw("audit_entry") if e["seq"] > head]
        assert (entry["action"], entry["actor"]) == ("enroll", "区管理员")
        assert entry["changes"] == {"scope": ["standalone", HL01]}
        assert s.meta["audit_head"]["seq"] == entry["seq"]
        # Enrolling is not a change that can be undone: the newest undoable is a save.
        assert s.last_undoable("街道")[0]["target_id"] == ids["office"]
        with pytest.raises(StoreError, match="不能再登记"):
            s.enroll("office", actor="区管理员")
    with Store.open(db, daily_backup=False) as s:
        assert s.replica.scope == HL01
        assert check_report(s).findings == []


def test_enrolling_needs_a_station_or_the_office(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.json") as s:
        with pytest.raises(StoreError, match="要指定群工站"):
            s.enroll("standalone", actor="a")
        with pytest.raises(StoreError, match="无法识别"):
            s.enroll("station:", actor="a")
        assert s.replica.standalone
