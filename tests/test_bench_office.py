"""The street-office corpus (bench/office.py) is exact, deterministic, in a station's
proportions, valid document by document, referentially whole, and written as a store
whose audit chain checks clean. No timing is asserted: ``python -m bench.office 100000``
prints the build time.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import orjson
import pytest

from bench.corpus import CORPUS_STAMP, CORPUS_TODAY
from bench.office import (
    AUDIT_ACTOR,
    audit_quota,
    office_docs,
    office_plan,
    proportions,
    write_office_store,
)
from grassroots_tui.models import KINDS, Station
from grassroots_tui.models.errors import validate_document
from grassroots_tui.services.check import check_store
from grassroots_tui.store import Store

SMALL, MEDIUM = 2_000, 5_000


@pytest.fixture(scope="module")
def small() -> list[dict]:
    return office_docs(SMALL, seed=2026)


@pytest.fixture(scope="module")
def medium() -> list[dict]:
    return office_docs(MEDIUM, seed=2026)


def by_kind(docs: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for doc in docs:
        out.setdefault(doc["kind"], []).append(doc)
    return out


def integrity_problems(docs: list[dict]) -> list[str]:
    """Every dangling or doubled reference among ``docs``, described; [] when whole."""
    kinds = by_kind(docs)
    ids = {kind: {d["id"] for d in group} for kind, group in kinds.items()}
    stations, staff = ids.get("station", set()), ids.get("staff", set())
    homes, slips = ids.get("household", set()), ids.get("handoff_slip", set())
    visits = {v["id"]: v for v in kinds.get("visit", [])}
    cases = ids.get("hardship_case", set())
    staff_station = {s["id"]: s.get("station_id") for s in kinds.get("staff", [])}
    bad: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            bad.append(what)

    for doc in docs:
        if doc.get("station_id") is not None:
            need(doc["station_id"] in stations, f"{doc['kind']} {doc['id']}: station")
    slip_of_problem: Counter[str] = Counter()
    for v in kinds.get("visit", []):
        need(v["household_id"] in homes, f"visit {v['id']}: household")
        need(set(v["visitor_ids"]) <= staff, f"visit {v['id']}: visitors")
        if v.get("appointment_id"):
            need(v["appointment_id"] in ids.get("appointment", set()), f"visit {v['id']}: appt")
        for p in v["problems"]:
            if p.get("slip_id"):
                need(p["slip_id"] in slips, f"visit {v['id']}: problem slip")
                slip_of_problem[p["slip_id"]] += 1
    need(all(c == 1 for c in slip_of_problem.values()), "a slip is referenced twice")
    for a in kinds.get("appointment", []):
        need(a["household_id"] in homes, f"appointment {a['id']}: household")
        if a.get("visit_id"):
            visit = visits.get(a["visit_id"])
            need(visit is not None and visit["appointment_id"] == a["id"], f"appt {a['id']}")
    for s in kinds.get("handoff_slip", []):
        if s.get("household_id"):
            need(s["household_id"] in homes, f"slip {s['id']}: household")
        if s.get("lead_official"):
            need(s["lead_official"] in staff, f"slip {s['id']}: lead official")
        if s.get("visit_id"):
            visit = visits.get(s["visit_id"])
            problems = {p["id"]: p for p in (visit or {}).get("problems", [])}
            problem = problems.get(s["problem_id"])
            need(problem is not None and problem["slip_id"] == s["id"], f"slip {s['id']}: visit")
    for kind in ("reply", "slip_extension", "slip_return", "slip_reminder", "slip_callback"):
        for d in kinds.get(kind, []):
            need(d["slip_id"] in slips, f"{kind} {d['id']}: slip")
    for c in kinds.get("hardship_case", []):
        need(c["household_id"] in homes, f"case {c['id']}: household")
        need(c["paired_cadre"] in staff, f"case {c['id']}: cadre")
    for kind in ("assistance", "hardship_review"):
        for d in kinds.get(kind, []):
            need(d["case_id"] in cases, f"{kind} {d['id']}: case")
    for r in kinds.get("condolence_round", []):
        for item in r["items"]:
            need(item["case_id"] in cases and item["household_id"] in homes, f"round {r['id']}")
    for shift in kinds.get("duty_shift", []):
        own = {staff_station.get(i) for i in shift["staff_ids"]}
        need(own == {shift["station_id"]}, f"duty_shift {shift['id']}: staff of another station")
    for leave in kinds.get("leave_request", []):
        need(leave["staff_id"] in staff, f"leave {leave['id']}: staff")
    for check in kinds.get("supervision_check", []):
        need(check["supervisor_id"] in staff, f"check {check['id']}: supervisor")
        for item in check["rectifications"]:
            if item.get("slip_id"):
                need(item["slip_id"] in slips, f"check {check['id']}: rectification slip")
    every = {d["id"] for d in docs}
    for entry in kinds.get("audit_entry", []):
        need(entry["target_id"] in every, f"audit {entry['id']}: target")
    return bad


# -- exact and deterministic ----------------------------------------------------------------


@pytest.mark.parametrize("n", [SMALL, MEDIUM, 3_333])
def test_exactly_n_minus_audit_documents_with_unique_ids(n):
    docs = office_docs(n, seed=11)
    assert len(docs) == n - audit_quota(n)
    assert len({d["id"] for d in docs}) == len(docs)


def test_audit_quota_is_three_percent():
    assert audit_quota(100_000) == 3_000
    assert audit_quota(2_000) == 60
    assert audit_quota(3_333) == 100


def test_same_seed_gives_identical_documents(small):
    assert office_docs(SMALL, seed=2026) == small


def test_another_seed_gives_other_documents(small):
    other = office_docs(SMALL, seed=7)
    assert len(other) == len(small)
    assert {d["id"] for d in other}.isdisjoint({d["id"] for d in small})
    assert [d["head_of_household"] for d in other if d["kind"] == "household"] != [
        d["head_of_household"] for d in small if d["kind"] == "household"
    ]


def test_grouped_in_kinds_order(medium):
    order = list(KINDS)
    positions = [order.index(d["kind"]) for d in medium]
    assert positions == sorted(positions)


def test_too_small_is_refused():
    with pytest.raises(ValueError):
        office_docs(999)


# -- proportions ------------------------------------------------------------------------


def assert_office_proportions(docs: list[dict], n: int) -> None:
    counts = Counter(d["kind"] for d in docs)
    share = {kind: counts[kind] / n for kind in counts}
    assert abs(share["household"] - 0.10) <= 0.03, share["household"]
    assert abs(share["visit"] - 0.50) <= 0.05, share["visit"]
    assert abs(share["duty_shift"] - 0.20) <= 0.03, share["duty_shift"]
    assert audit_quota(n) / n == pytest.approx(0.03, abs=0.001)
    # Slips, hardship and supervision are there too, with their satellites.
    for kind in ("handoff_slip", "reply", "slip_callback", "hardship_case", "assistance"):
        assert counts[kind] > 0, kind
    assert counts["supervision_check"] > 0


@pytest.mark.parametrize("fixture", ["small", "medium"])
def test_proportions_of_a_station(fixture, request):
    docs = request.getfixturevalue(fixture)
    assert_office_proportions(docs, SMALL if fixture == "small" else MEDIUM)


def test_proportions_helper_counts_shares():
    docs = [{"kind": "visit"}] * 3 + [{"kind": "household"}]
    shares = proportions(docs)
    assert shares == {"household": 0.25, "visit": 0.75}
    assert list(shares) == [k for k in KINDS if k in shares]


# -- every document valid, every reference whole -------------------------------------------


def test_every_document_validates_with_its_model(medium):
    for doc in medium:
        model = validate_document(doc, doc["kind"])
        assert model.id == doc["id"]
        assert doc["rev"] == 1
        assert doc["created_at"] == CORPUS_STAMP
        assert doc["schema_version"] == KINDS[doc["kind"]].SCHEMA_VERSION


@pytest.mark.parametrize("fixture", ["small", "medium"])
def test_references_are_whole(fixture, request):
    docs = request.getfixturevalue(fixture)
    assert integrity_problems(docs) == []


def test_integrity_check_catches_a_dangling_reply(small):
    """The integrity helper is not vacuous: a reply to a missing slip is reported."""
    reply = next(d for d in small if d["kind"] == "reply")
    broken = [d for d in small if d["id"] != reply["slip_id"]]
    assert any("reply" in problem for problem in integrity_problems(broken))


def test_visits_span_earlier_years_after_registration(medium):
    kinds = by_kind(medium)
    registered = {h["id"]: date.fromisoformat(h["registered_on"]) for h in kinds["household"]}
    days = [date.fromisoformat(v["date"]) for v in kinds["visit"]]
    assert min(days) < date(CORPUS_TODAY.year - 2, 1, 1)  # copies into earlier years
    assert max(days) < CORPUS_TODAY
    for visit in kinds["visit"]:
        assert date.fromisoformat(visit["date"]) >= registered[visit["household_id"]]


def test_old_visits_hold_no_open_or_handed_off_problems(medium):
    year_ago = date(CORPUS_TODAY.year - 1, CORPUS_TODAY.month, CORPUS_TODAY.day)
    for visit in by_kind(medium)["visit"]:
        if date.fromisoformat(visit["date"]) < year_ago:
            assert visit["appointment_id"] is None
            for problem in visit["problems"]:
                assert problem["state"] in ("solved_on_spot", "solved_later")
                assert problem["slip_id"] is None


def test_one_duty_shift_per_station_and_day(medium):
    shifts = by_kind(medium)["duty_shift"]
    pairs = Counter((s["station_id"], s["date"]) for s in shifts)
    assert max(pairs.values()) == 1
    assert len(shifts) == round(MEDIUM * 0.2)


# -- stations and slip numbers -----------------------------------------------------------


@pytest.mark.parametrize("n", [SMALL, 30_000])
def test_station_codes_names_and_numbers_unique(n):
    docs = office_docs(n, seed=5)
    kinds = by_kind(docs)
    stations = kinds["station"]
    plan = office_plan(n)
    assert len(stations) == plan["stations"]
    codes = sorted(s["code"] for s in stations)
    assert codes == [f"HL{i:02d}" for i in range(1, plan["stations"] + 1)]
    assert len({s["name"] for s in stations}) == len(stations)
    assert len({s["slip_number_format"] for s in stations}) == len(stations)
    models = {s["id"]: Station.model_validate(s) for s in stations}
    # The office store keeps slips as an upgraded store does: the number in legacy.
    kept = [{**s["legacy"], "station_id": s["station_id"]} for s in kinds["handoff_slip"]]
    numbers = Counter((s["station_id"], s["number"]) for s in kept if s["number"])
    assert numbers and max(numbers.values()) == 1
    for slip in kept:
        if not slip["number"]:
            continue
        found = re.search(r"〔(\d{4})〕第(\d+)号$", slip["number"])
        assert found, slip["number"]
        station = models[slip["station_id"]]
        assert station.slip_number(int(found[1]), int(found[2])) == slip["number"]
    household_numbers = [h["household_no"] for h in kinds["household"]]
    assert len(set(household_numbers)) == len(household_numbers)
    code_of = {s["id"]: s["code"] for s in stations}
    for home in kinds["household"]:
        assert home["household_no"].startswith(code_of[home["station_id"]] + "-")


def test_odd_station_count_drops_everything_of_the_dropped_station():
    docs = office_docs(30_000, seed=2026)  # 3 stations: the second block keeps one
    assert office_plan(30_000)["stations"] == 3
    assert integrity_problems(docs) == []
    stations = {d["id"] for d in docs if d["kind"] == "station"}
    assert len(stations) == 3
    assert {d["station_id"] for d in docs if d.get("station_id")} == stations


# -- the store ---------------------------------------------------------------------------


def test_written_store_holds_n_documents_and_checks_clean(tmp_path):
    n = SMALL
    main = tmp_path / "office.json"
    returned = write_office_store(main, n, seed=2026)
    assert len(returned) == n
    store = Store.open(main, readonly=True, create=False, daily_backup=False)
    try:
        assert check_store(store) == []
        counts = {kind: store.count(kind) for kind in store.kinds() if kind != "_meta"}
        assert sum(counts.values()) == n
        assert counts["audit_entry"] == audit_quota(n)
        entries = sorted(store.raw("audit_entry"), key=lambda e: e["seq"])
    finally:
        store.close()
    assert [e["seq"] for e in entries] == list(range(1, audit_quota(n) + 1))
    assert {e["actor"] for e in entries} == {AUDIT_ACTOR}
    assert {e["target_kind"] for e in entries} == {"visit"}
    # The same business documents as office_docs, the audited ones re-stamped by the store.
    business = {d["id"]: d for d in office_docs(n, seed=2026)}
    stored = {d["id"]: d for d in returned if d["kind"] != "audit_entry"}
    assert stored.keys() == business.keys()
    audited = {e["target_id"] for e in entries}
    for doc_id, doc in stored.items():
        if doc_id in audited:
            assert doc["created_by"] == AUDIT_ACTOR and doc["rev"] == 1
        else:
            assert doc == business[doc_id]
    # The audited visits are the most recent ones.
    newest_direct = max(
        d["date"] for i, d in stored.items() if d["kind"] == "visit" and i not in audited
    )
    assert min(stored[i]["date"] for i in audited) >= newest_direct
    assert integrity_problems(returned) == []


def test_written_store_is_refused_over_an_existing_one(tmp_path):
    main = tmp_path / "office.json"
    main.write_text("{}")
    with pytest.raises(FileExistsError):
        write_office_store(main, SMALL)
    assert main.read_text() == "{}"


def test_a_broken_chain_would_be_reported(tmp_path):
    """check_store is not blind here: altering one audit entry of the written store shows."""
    main = tmp_path / "office.json"
    write_office_store(main, SMALL, seed=3)
    store = Store.open(main, readonly=True, create=False, daily_backup=False)
    try:
        entry = next(iter(store.tables["audit_entry"].values()))
        entry["actor"] = "别人"
        assert check_store(store)
    finally:
        store.close()


@pytest.mark.slow
def test_twenty_thousand_in_proportion_and_whole():
    n = 20_000
    docs = office_docs(n, seed=2026)
    assert len(docs) == n - audit_quota(n)
    assert_office_proportions(docs, n)
    assert integrity_problems(docs) == []
    for doc in docs:
        validate_document(doc, doc["kind"])


DIGEST = (
    "import hashlib, orjson; from bench.office import office_docs; "
    "print(hashlib.sha256(orjson.dumps(office_docs(2000, seed=2026))).hexdigest())"
)


@pytest.mark.slow
def test_same_documents_in_other_processes_whatever_the_hash_seed(small):
    """Nothing depends on set or dict iteration order varying between runs."""
    expected = hashlib.sha256(orjson.dumps(small)).hexdigest()
    for hash_seed in ("1", "977"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", DIGEST],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
            check=True,
            timeout=120,
        )
        assert done.stdout.strip() == expected
