"""Push and pull through the hub, on SQLite and on a real PostgreSQL: verdicts by hash
(new, same, accepted, conflict), never by rev; what a station and the office receive; a
sync cut at each step and run again; the audit chain verified at the hub."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.push import push
from grassroots_tui.hub.replicas import enroll_replica, get_replica, list_replicas
from grassroots_tui.hub.schema import hub_meta, init_hub, new_epoch
from grassroots_tui.hub.sync import sync
from grassroots_tui.models import Household, Station
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station
from tests.hub_fixtures import hub_address_fixture, hub_fixture, laptop  # noqa: F401 - fixtures

HL01 = f"station:{STATION_ID}"
HL02_ID = "station-hl02"


class Cut(Exception):
    """The connection dropped at a chosen step."""


def cut_at(step: str):
    def cut(now: str) -> None:
        if now == step:
            raise Cut(step)

    return cut


def hub_rows(hub: HubConnection, table: str) -> int:
    return int(hub.one(f"SELECT count(*) FROM {table}")[0])


def test_init_is_idempotent_and_keeps_its_epoch(hub: HubConnection) -> None:
    first = hub_meta(hub)
    again = init_hub(hub)
    assert again["epoch"] == first["epoch"] and again["schema_version"] == "1"
    assert hub_rows(hub, "hub_clock") == 1
    assert new_epoch(hub) != first["epoch"]


def test_a_hub_never_initialised_is_named(tmp_path: Path) -> None:
    from grassroots_tui.hub.engines import HubAddress

    with HubConnection.open(HubAddress("sqlite", str(tmp_path / "x.sqlite")), create=True) as raw:
        with pytest.raises(HubError, match="还不是汇总库"):
            hub_meta(raw)


def test_a_station_pushes_and_the_office_pulls_it(hub: HubConnection, tmp_path: Path) -> None:
    office_replica, _ = enroll_replica(hub, "office", by="管理员")
    office = laptop(tmp_path / "office.json", "office")
    office.save(station(), "群工办")
    office.save(station("HL02"), "群工办")
    first = sync(office, hub, office_replica.id)
    assert first.verdicts["new"] == 2 and not first.conflicts

    hl01_replica, _ = enroll_replica(hub, HL01, by="管理员")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    got = sync(hl01, hub, hl01_replica.id)
    assert got.pulled == 2  # the list of stations is every replica's
    assert {s.code for s in hl01.all(Station)} == {"HL01", "HL02"}
    assert hl01.pending() == []  # what was pulled is not "to upload"

    saved = hl01.save(household(), "李敏")
    report = sync(hl01, hub, hl01_replica.id)
    assert report.verdicts["new"] == 1
    assert hl01.pending() == []

    back = sync(office, hub, office_replica.id)
    assert back.pulled == 1
    theirs = office.get(Household, saved.id)
    assert theirs is not None and theirs.people == saved.people and theirs.writer == STATION_ID
    # Read-only at the office: another's document.
    assert office.may_write(theirs) is not None

    # A second station receives neither HL01's household nor anything of the office's own.
    hl02_replica, _ = enroll_replica(hub, f"station:{HL02_ID}", by="管理员")
    hl02 = laptop(tmp_path / "hl02.json", f"station:{HL02_ID}")
    sync(hl02, hub, hl02_replica.id)
    assert hl02.get(Household, saved.id) is None and len(hl02.all(Station)) == 2
    for store in (office, hl01, hl02):
        store.close()


def test_an_update_is_accepted_and_a_sync_with_nothing_to_do_does_nothing(
    hub: HubConnection, tmp_path: Path
) -> None:
    replica, _ = enroll_replica(hub, HL01, by="x")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    saved = hl01.save(household(), "李敏")
    sync(hl01, hub, replica.id)
    hl01.save(saved.model_copy(update={"people": 5}), "李敏")
    report = sync(hl01, hub, replica.id)
    assert report.verdicts == {"accepted": 1}
    idle = sync(hl01, hub, replica.id)
    assert idle.pushed == 0 and idle.changed == 0
    body = hub.one("SELECT body, rev FROM doc WHERE id = %s", (saved.id,))
    assert '"people":5' in body[0] and body[1] == 2
    hl01.close()


def test_the_hub_refuses_anothers_document_as_a_conflict(
    hub: HubConnection, tmp_path: Path
) -> None:
    """A document whose writer is not the pusher is kept as a conflict, not taken."""
    replica, _ = enroll_replica(hub, HL01, by="x")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    saved = hl01.save(household(), "李敏")
    (item,) = hl01.pending()
    office_replica, _ = enroll_replica(hub, "office", by="x")
    result = push(hub, office_replica.id, [item])  # the office pushing HL01's household
    assert [(v.verdict, v.reason) for v in result.verdicts] == [("conflict", "writer")]
    assert hub_rows(hub, "doc") == 0 and hub_rows(hub, "conflict") == 1
    assert saved.id
    hl01.close()


def test_two_laptops_of_one_station_diverge_and_both_revisions_are_kept(
    hub: HubConnection, tmp_path: Path
) -> None:
    """A laptop restored from a backup (or cloned) edits a document the hub has a newer
    revision of: a conflict, never an overwrite, whatever the revs say."""
    replica, _ = enroll_replica(hub, HL01, by="x")
    a = laptop(tmp_path / "a.json", HL01)
    saved = a.save(household(), "李敏")
    sync(a, hub, replica.id)
    # The clone: same documents, same acknowledgements.
    b = laptop(
        tmp_path / "b.json", HL01, {"household": {saved.id: a.get_raw("household", saved.id)}}
    )
    a.save(a.get(Household, saved.id).model_copy(update={"people": 7}), "李敏")
    sync(a, hub, replica.id)
    # b makes two edits: its rev is higher than the hub's, and still it is a conflict.
    for people in (8, 9):
        b.save(b.get(Household, saved.id).model_copy(update={"people": people}), "周红")
    report = sync(b, hub, replica.id)
    assert report.verdicts == {"conflict": 1}
    assert f"household/{saved.id}" in report.conflicts
    assert '"people":7' in hub.one("SELECT body FROM doc WHERE id = %s", (saved.id,))[0]
    kept = hub.one("SELECT body, reason FROM conflict WHERE doc_id = %s", (saved.id,))
    assert '"people":9' in kept[0] and kept[1] == "diverged"
    # b's own change is not replaced by the pull: the conflict waits for a person.
    assert b.get(Household, saved.id).people == 9
    # Pushing again keeps one conflict row.
    sync(b, hub, replica.id)
    assert hub_rows(hub, "conflict") == 1
    a.close()
    b.close()


@pytest.mark.parametrize("step", ["mark_sent", "push", "record_push", "pull", "apply_pull"])
def test_a_sync_cut_at_any_step_is_run_again(hub: HubConnection, tmp_path: Path, step: str) -> None:
    replica, _ = enroll_replica(hub, HL01, by="x")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    hl01.save(station(), "x")
    saved = hl01.save(household(), "李敏")
    with pytest.raises(Cut):
        sync(hl01, hub, replica.id, cut=cut_at(step))
    report = sync(hl01, hub, replica.id)
    assert report.verdicts["conflict"] == 0
    assert hl01.pending() == []
    assert (
        hub.one("SELECT rev_hash FROM doc WHERE id = %s", (saved.id,))[0]
        == (hl01.get_raw("household", saved.id)["rev_hash"])
    )
    hl01.close()


def test_an_answer_lost_after_commit_and_an_edit_is_not_a_conflict(
    hub: HubConnection, tmp_path: Path
) -> None:
    """The push committed but the laptop never heard; the worker edits again; the next
    push builds on the revision it sent (sent_hashes), so it is accepted."""
    replica, _ = enroll_replica(hub, HL01, by="x")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    saved = hl01.save(household(), "李敏")
    with pytest.raises(Cut):
        sync(hl01, hub, replica.id, cut=cut_at("record_push"))
    assert hub_rows(hub, "doc") == 1  # it did commit
    hl01.save(hl01.get(Household, saved.id).model_copy(update={"people": 6}), "李敏")
    report = sync(hl01, hub, replica.id)
    assert report.verdicts == {"accepted": 1}
    hl01.close()


def test_deletes_travel_as_tombstones(hub: HubConnection, tmp_path: Path) -> None:
    replica, _ = enroll_replica(hub, HL01, by="x")
    office_replica, _ = enroll_replica(hub, "office", by="x")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    office = laptop(tmp_path / "office.json", "office")
    saved = hl01.save(household(), "李敏")
    sync(hl01, hub, replica.id)
    sync(office, hub, office_replica.id)
    assert office.get(Household, saved.id) is not None
    hl01.delete("household", saved.id, "李敏")
    assert sync(hl01, hub, replica.id).verdicts == {"accepted": 1}
    assert hub.one("SELECT deleted FROM doc WHERE id = %s", (saved.id,))[0] == 1
    sync(office, hub, office_replica.id)
    assert office.get(Household, saved.id) is None
    assert [t["id"] for t in office.tombstones("household")] == [saved.id]
    hl01.close()
    office.close()


def test_slip_numbers_are_unique_at_the_hub(hub: HubConnection, tmp_path: Path) -> None:
    """Two cloned laptops numbering different slips the same: the second is a conflict."""
    from grassroots_tui.models import SlipSource
    from grassroots_tui.services import slips as S
    from grassroots_tui.services.workcalendar import OfficialCalendar

    cal = OfficialCalendar()
    replica, _ = enroll_replica(hub, HL01, by="x")
    numbers = []
    for name in ("a", "b"):
        store = laptop(tmp_path / f"{name}.json", HL01)
        store.save(station(), "x")
        draft = S.draft_slip(
            store.get(Station, STATION_ID),
            source=SlipSource.HOTLINE,
            category="城市管理",
            title=f"路灯{name}",
            description="坏了",
            handling_unit="城管",
        )
        slip_id = S.save_draft(store, draft, "x").id
        numbers.append(
            S.issue(store, slip_id, on=dt.date(2026, 11, 2), actor="x", calendar=cal).number
        )
        report = sync(store, hub, replica.id)
        store.close()
        if name == "b":
            reasons = {(c["kind"], c["reason"]) for c in report.conflicts.values()}
            assert ("slip_issue", "unique") in reasons, reasons
    assert numbers[0] == numbers[1]


def test_the_audit_chain_is_verified_and_a_fork_is_recorded(
    hub: HubConnection, tmp_path: Path
) -> None:
    replica, _ = enroll_replica(hub, HL01, by="x")
    a = laptop(tmp_path / "a.json", HL01)
    a.save(household(), "李敏")
    sync(a, hub, replica.id)
    head = get_replica(hub, replica.id)
    entries = a.raw("audit_entry")
    assert head.audit_seq == max(e["seq"] for e in entries) and hub_rows(hub, "audit_entry") == len(
        entries
    )
    assert hub_rows(hub, "fork") == 0
    # A clone made now writes its own next entry; the original too: the chain forks.
    b_tables = {k: dict(v) for k, v in a.tables.items() if not k.startswith("_")}
    a.save(household("HL01-0002"), "李敏")
    sync(a, hub, replica.id)
    b = Store.open(tmp_path / "b.json", daily_backup=False, scope=HL01)
    b.close()
    assert b_tables  # (the clone itself is the simulation's; here the hub's check)
    tampered = dict(a.raw("audit_entry")[0])
    tampered["actor"] = "伪造"
    with pytest.raises(HubError, match="与它的摘要不符"):
        push(hub, replica.id, [], [tampered])
    assert [r.id for r in list_replicas(hub)] == [replica.id]
    a.close()


def test_the_offices_board_is_street_wide_after_a_pull(hub: HubConnection, tmp_path: Path) -> None:
    """Each station issues a slip on its own laptop; after the office pulls, its overdue
    board has both, each under its station; a station's board has only its own."""
    from grassroots_tui.models import SlipSource
    from grassroots_tui.services import slips as S
    from grassroots_tui.services.slip_board import build_board
    from grassroots_tui.services.workcalendar import OfficialCalendar

    cal = OfficialCalendar()
    office_replica, _ = enroll_replica(hub, "office", by="x")
    office = laptop(tmp_path / "office.json", "office")
    office.save(station(), "x")
    office.save(station("HL02"), "x")
    sync(office, hub, office_replica.id)
    issued: dict[str, str] = {}
    for code, station_id in (("HL01", STATION_ID), ("HL02", HL02_ID)):
        replica, _ = enroll_replica(hub, f"station:{station_id}", by="x")
        store = laptop(tmp_path / f"{code}.json", f"station:{station_id}")
        sync(store, hub, replica.id)
        draft = S.draft_slip(
            store.get(Station, station_id),
            source=SlipSource.HOTLINE,
            category="城市管理",
            title=f"{code} 路灯不亮",
            description="坏了",
            handling_unit="城管",
        )
        slip_id = S.save_draft(store, draft, "x").id
        S.issue(store, slip_id, on=dt.date(2026, 10, 1), actor="x", calendar=cal)
        issued[slip_id] = code
        sync(store, hub, replica.id)
        own = build_board(store, today=dt.date(2026, 12, 1), calendar=cal)
        assert {r.slip_id for r in own.rows} == {slip_id}
        store.close()
    assert build_board(office, today=dt.date(2026, 12, 1), calendar=cal).rows == []
    sync(office, hub, office_replica.id)
    board = build_board(office, today=dt.date(2026, 12, 1), calendar=cal)
    assert {r.slip_id: r.station_code for r in board.rows} == issued
    assert board.overdue == 2
    office.close()


def test_a_document_stored_before_hashes_syncs_with_its_hash(
    hub: HubConnection, tmp_path: Path
) -> None:
    """A revision written before revision hashes has none stored: it is pushed with the
    hash computed for it, so every replica that pulls it accepts it."""
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    replica, _ = enroll_replica(hub, HL01, by="x")
    office_replica, _ = enroll_replica(hub, "office", by="x")
    db = tmp_path / "hl01.json"
    with laptop(db, HL01) as hl01:
        saved = hl01.save(household(), "李敏")
        hl01.compact()
    snap = read_snapshot(db)
    del snap.tables["household"][saved.id]["rev_hash"]
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, daily_backup=False) as hl01:
        assert sync(hl01, hub, replica.id).verdicts == {"new": 1}
        assert sync(hl01, hub, replica.id).pushed == 0  # acknowledged: nothing left
    office = laptop(tmp_path / "office.json", "office")
    assert sync(office, hub, office_replica.id).pulled == 1
    assert office.get(Household, saved.id) is not None
    office.close()


def test_a_pull_after_a_push_brings_no_body_the_laptop_holds(
    hub: HubConnection, tmp_path: Path
) -> None:
    """The station's own new revisions come back in its pull: their hashes are read, their
    bodies are not, and the cursor still passes them; a revision it does not hold (its
    office-issued document) comes whole."""
    from grassroots_tui.hub.pull import pull_page

    replica, _ = enroll_replica(hub, HL01, by="x")
    office_replica, _ = enroll_replica(hub, "office", by="x")
    hl01 = laptop(tmp_path / "hl01.json", HL01)
    for n in range(5):
        hl01.save(household(f"HL01-{n:04d}"), "李敏")
    office = laptop(tmp_path / "office.json", "office")
    theirs = office.save(household("HL01-0900", station_id=STATION_ID), "群工办")
    sync(office, hub, office_replica.id)
    report = sync(hl01, hub, replica.id)
    assert report.verdicts == {"new": 5} and report.pulled == 6
    assert hl01.get(Household, theirs.id) is not None
    record = get_replica(hub, replica.id)
    page = pull_page(hub, record, 0, 100, hl01.holds)
    assert page.covered == 6 and page.docs == []  # everything held now
    fresh = pull_page(hub, record, 0, 100, lambda *_: False)  # a first pull: one range read
    assert len(fresh.docs) == 6 and fresh.cursor == page.cursor
    one = pull_page(hub, record, 0, 100, lambda _k, doc_id, _h: doc_id != theirs.id)  # by id
    assert [d["id"] for d in one.docs] == [theirs.id] and one.covered == 6
    hl01.close()
    office.close()
