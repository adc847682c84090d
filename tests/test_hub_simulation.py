"""The proof that nothing is lost: ten stations and the office through a real hub for 40
business days (tests/hub_simulation.py), on SQLite and on PostgreSQL, with cut syncs,
offline days, a laptop restored from a week-old copy, a cloned laptop and the office
pushing a station's document by force. ``pytest -s`` shows the figures.

One station (HL08) has no network and syncs only by USB bundles.

``make soak`` runs it longer: ``GRASSROOTS_HUB_DAYS`` business days (120) for each of
``GRASSROOTS_HUB_SEEDS`` seeds (3)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from grassroots_tui.hub.engines import HubAddress, HubConnection
from grassroots_tui.hub.replicas import enroll_replica, get_replica
from grassroots_tui.hub.sync import sync
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household
from tests.hub_fixtures import hub_address_fixture, hub_fixture  # noqa: F401 - fixtures
from tests.hub_simulation import Cut, Simulation, cutter

DAYS = 40
SOAK_DAYS = int(os.environ.get("GRASSROOTS_HUB_DAYS", "120"))
SOAK_SEEDS = int(os.environ.get("GRASSROOTS_HUB_SEEDS", "3"))


def show(capsys: pytest.CaptureFixture[str], title: str, lines: list[str]) -> None:
    with capsys.disabled():
        print(f"\n[hub simulation] {title}")
        for line in lines:
            print(f"  {line}")


def test_nothing_is_lost_in_forty_days(
    hub_address: HubAddress, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = Simulation(hub_address, tmp_path, seed=20260302, days=DAYS, per_day=1)
    sim.run()
    figures = sim.verify()
    show(capsys, f"{hub_address.engine}, seed 20260302", figures.lines())
    assert figures.lost == 0 and figures.rounds <= 3
    assert figures.cuts["record_push"] and figures.cuts["apply_pull"]
    assert figures.cuts["push"] + figures.cuts["mark_sent"]


@pytest.mark.soak
@pytest.mark.parametrize("seed", range(1, SOAK_SEEDS + 1))
def test_nothing_is_lost_over_months(
    hub_address: HubAddress, tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    sim = Simulation(hub_address, tmp_path, seed=seed, days=SOAK_DAYS, per_day=2)
    sim.run()
    figures = sim.verify()
    show(capsys, f"{hub_address.engine}, seed {seed}, {SOAK_DAYS} days", figures.lines())
    assert figures.lost == 0 and figures.rounds <= 3


def test_a_clone_does_not_wedge_the_retry_of_a_push_whose_answer_was_lost(
    hub: HubConnection, tmp_path: Path
) -> None:
    """Found by the simulation. Laptop A pushes three saves and the answer is lost (the
    push committed); its clone B, one save behind, pushes (a fork: the head is now B's,
    lower than A's entries); A's retry must go through."""
    replica, _ = enroll_replica(hub, f"station:{STATION_ID}", by="x")
    a_main = tmp_path / "a" / "g.json"
    a = Store.open(a_main, daily_backup=False, scope=f"station:{STATION_ID}")
    a.save(household("HL01-0001"), "李敏")
    sync(a, hub, replica.id)
    a.close()
    shutil.copytree(a_main.parent, tmp_path / "b", ignore=shutil.ignore_patterns("*.lock"))
    a = Store.open(a_main, daily_backup=False)
    b = Store.open(tmp_path / "b" / "g.json", daily_backup=False)
    for n in (2, 3, 4):
        a.save(household(f"HL01-000{n}"), "李敏")
    with pytest.raises(Cut):
        sync(a, hub, replica.id, cut=cutter("record_push", 1))
    b.save(household("HL01-0009"), "周红")
    sync(b, hub, replica.id)  # a fork; the head is B's, below A's last entry
    sync(a, hub, replica.id)  # HubError: UNIQUE constraint failed: audit_entry...
    there = {(int(s), h) for s, h in hub.all("SELECT seq, hash FROM audit_entry")}
    assert {(int(e["seq"]), e["hash"]) for e in a.raw("audit_entry")} <= there
    assert get_replica(hub, replica.id).audit_seq
    a.close()
    b.close()


def test_a_clone_pushing_no_new_audit_entry_still_sends_its_next_ones(
    hub: HubConnection, tmp_path: Path
) -> None:
    """Found by the simulation. A and its clone B edit the same household: B's revision
    is a conflict and stays pending. A saves five more; B syncs with nothing new but its
    conflict, then saves one household: that entry must reach the hub."""
    replica, _ = enroll_replica(hub, f"station:{STATION_ID}", by="x")
    a_main = tmp_path / "a" / "g.json"
    a = Store.open(a_main, daily_backup=False, scope=f"station:{STATION_ID}")
    home = a.save(household("HL01-0001"), "李敏")
    sync(a, hub, replica.id)
    a.close()
    shutil.copytree(a_main.parent, tmp_path / "b", ignore=shutil.ignore_patterns("*.lock"))
    a = Store.open(a_main, daily_backup=False)
    b = Store.open(tmp_path / "b" / "g.json", daily_backup=False)
    a.save(home.model_copy(update={"people": 7}), "李敏")
    sync(a, hub, replica.id)
    b.save(home.model_copy(update={"people": 8}), "周红")
    assert sync(b, hub, replica.id).verdicts == {"conflict": 1}
    for n in range(2, 7):
        a.save(household(f"HL01-000{n}"), "李敏")
    sync(a, hub, replica.id)
    sync(b, hub, replica.id)  # only the conflict again: B records A's head as sent
    b.save(household("HL01-0009"), "周红")
    sync(b, hub, replica.id)
    there = {(int(s), h) for s, h in hub.all("SELECT seq, hash FROM audit_entry")}
    mine = {(int(e["seq"]), e["hash"]) for e in b.raw("audit_entry")}
    assert mine <= there, f"{len(mine - there)} of the clone's audit entries never sent"
    a.close()
    b.close()
