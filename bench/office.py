"""A deterministic street-office corpus: exactly ``n`` documents in a station's proportions.

Where :mod:`bench.corpus` samples the demo (two stations, twelve months, households about
30 % of the store), this module builds what a street office (街道) that has used the
program for some years holds:

============================  =====================================================
households                    about 10 % of ``n``
visits                        about 50 % (they absorb the difference: the total is exact)
duty shifts (rosters)         20 % (``round(0.2 * n)``)
audit entries                 3 % (:func:`audit_quota`), written by the store itself
everything else               about 17 %: slips with their replies, extensions,
                              returns, reminders and callbacks, hardship cases with
                              assistance and reviews, condolence rounds, appointments,
                              supervision checks, activities, leave, staff, stations
============================  =====================================================

How it is built, deterministically for ``(n, seed)`` (ids included):

- ``stations = max(1, min(10, n // 10_000))`` and ``years = max(1, min(5, n // 20_000))``:
  100,000 documents are ten stations (HL01–HL10) over five years.
- The stations come from demo blocks, ``build_demo(CORPUS_TODAY, seed=seed + b, scale)``
  for ``b`` in ``range(ceil(stations / 2))``; each block gives a city and a rural station.
  When ``stations`` is odd, the last block's second station is dropped with every
  document of it. Block ``b``'s stations become ``HL{2b+1:02d}`` and ``HL{2b+2:02d}``
  with their own community name: code, name, community, address, slip number format,
  household numbers and addresses, slip numbers (so they stay in the station's format
  and unique per station) and every text naming the community are rewritten.
- The scale makes the households about 10 % of ``n``.
- Visits: the blocks give twelve months of them. Earlier years are copies of them, year
  ``k`` back shifted by ``364 * k`` days (the weekday is kept), with new ids (``uuid5``),
  new problem ids, no appointment, and problems that were handed off (or still pending)
  solved later, a few days after the visit, so no slip is referenced twice. A copy is
  made only when the household was registered by then. Copies are taken most recent
  year first (the last year needed is a seeded sample) until the visits reach their
  quota; at least ``years - 1`` earlier years are made available.
- Duty shifts: the blocks' rosters (two months back, one ahead) plus one shift per
  station per working day before them, the station's own staff in pairs in rotation,
  going back as far as the quota needs (at least ``years`` years); the most recent are
  kept. A station has about 250 working days a year and about a thousand households per
  ten thousand documents, so a roster share of 20 % needs about eight years of rosters
  whatever ``n`` is (sixteen for one station just below 20,000 documents).
- Supervision checks: the blocks' twelve months, plus copies into earlier years (shifted
  by ``364 * k`` days, rectifications done and linked to no slip) until the documents
  other than households, visits, rosters and audit make up about 17 %.
- Everything else is kept as the blocks generate it (referential integrity intact).

:func:`office_docs` returns the ``n - audit_quota(n)`` business documents as stored
dicts. :func:`write_office_store` writes them as a compacted store, holding back the
most recent ``audit_quota(n)`` visits, which it then saves through ``Store.save_many``
so the store writes a genuine audit entry (hash chain) for each: the store holds exactly
``n`` documents. Run ``python -m bench.office 100000`` for the counts and build time.
"""

from __future__ import annotations

import math
import random
import sys
import time as clock
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.corpus import (
    CORPUS_STAMP,
    CORPUS_TODAY,
    DEFAULT_SEED,
    _slips_as_upgraded,
    stamped,
)
from bench.engines import our_tables, write_ours
from grassroots_tui.demo import CST, DEMO_STATIONS, build_demo, is_workday
from grassroots_tui.demo.sample_data import load
from grassroots_tui.models import KINDS, DutyShift
from grassroots_tui.store import Store
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.store import AUDIT, META

__all__ = [
    "AUDIT_SHARE",
    "DUTY_SHARE",
    "HOUSEHOLD_SHARE",
    "MIN_N",
    "OTHER_SHARE",
    "audit_quota",
    "office_docs",
    "office_plan",
    "proportions",
    "write_office_store",
]

HOUSEHOLD_SHARE = 0.10
DUTY_SHARE = 0.20
AUDIT_SHARE = 0.03
#: What the documents other than households, visits, rosters and audit make up.
OTHER_SHARE = 0.17
#: Below this the fixed parts of a station (staff, a year of supervision) distort the mix.
MIN_N = 1000
#: Short community names of HL01..HL10; HL01 and HL02 are the demo's own.
COMMUNITIES = ("湘景", "高沙", "龙泉", "桂花", "枫林", "白沙", "望岳", "青竹", "金桥", "莲塘")
#: Copies of visits and supervision go back at most this many years.
MAX_YEARS = 20
#: The actor of the documents saved through the store (with their audit entries).
AUDIT_ACTOR = "基准测试录入"
AUDIT_BATCH = 200

_NAMESPACE = uuid.UUID("7b0e5c1e-3f57-4c52-9a43-0ff1ce000000")
_YEAR = timedelta(days=364)
#: How far the clock of :func:`write_office_store` moves on each reading.
_MS = timedelta(milliseconds=250)


def audit_quota(n: int) -> int:
    """How many of the ``n`` documents of an office store are audit entries."""
    return round(n * AUDIT_SHARE)


def _uid(seed: int, *parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join([str(seed), *map(str, parts)])))


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def office_plan(n: int) -> dict[str, Any]:
    """Stations, years, blocks and the demo scale for ``n`` documents."""
    if n < MIN_N:
        raise ValueError(f"an office store needs at least {MIN_N} documents, got {n}")
    stations = max(1, min(10, n // 10_000))
    years = max(1, min(5, n // 20_000))
    blocks = math.ceil(stations / 2)
    spec = load("places")["stations"]
    base = [spec[code]["households"] for code in DEMO_STATIONS]
    base_total = sum(base) * (stations // 2) + (base[0] if stations % 2 else 0)
    scale = round(n * HOUSEHOLD_SHARE / base_total, 4)
    return {"stations": stations, "years": years, "blocks": blocks, "scale": scale}


# -- the blocks ---------------------------------------------------------------------------


def _rename(data: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    text = orjson.dumps(data).decode()
    for old, new in pairs:
        text = text.replace(old, new)
    return orjson.loads(text)


def _block(b: int, seed: int, scale: float, keep_second: bool) -> list[dict[str, Any]]:
    """Block ``b``'s documents as stored dicts, its stations re-coded and renamed."""
    places = load("places")["stations"]
    # Slips as an upgraded store keeps them (state in their legacy block), so that the
    # plain TinyDB and SQLite boards read the same state and due date as ours.
    docs = _slips_as_upgraded(build_demo(CORPUS_TODAY, seed=seed + b, scale=scale))
    stations = [doc for doc in docs if doc.KIND == "station"]
    renames: dict[str, list[tuple[str, str]]] = {}
    for j, station in enumerate(stations):
        old_code = DEMO_STATIONS[j]
        new_code = f"HL{2 * b + j + 1:02d}"
        old_name = places[old_code]["community"].removesuffix("社区")
        new_name = COMMUNITIES[2 * b + j]
        pairs = [(a, z) for a, z in ((old_code, new_code), (old_name, new_name)) if a != z]
        renames[station.id] = pairs
    dropped = set() if keep_second else {stations[1].id}
    out = []
    for doc in docs:
        if doc.station_id in dropped:
            continue
        data = stamped(doc)
        pairs = renames.get(doc.station_id or "")
        out.append(_rename(data, pairs) if pairs else data)
    return out


# -- visits -------------------------------------------------------------------------------


def _copy_visit(visit: dict[str, Any], k: int, day: date, seed: int) -> dict[str, Any]:
    new = dict(visit)
    new["id"] = _uid(seed, "visit", visit["id"], k)
    new["date"] = day.isoformat()
    new["appointment_id"] = None
    rng = random.Random(new["id"])
    problems = []
    for problem in visit["problems"]:
        item = dict(problem)
        item["id"] = _uid(seed, "problem", problem["id"], k)
        if item["state"] in ("handed_off", "pending"):
            item["state"] = "solved_later"
            item["slip_id"] = None
            item["solved_on"] = (day + timedelta(days=rng.randint(2, 20))).isoformat()
        elif item["state"] == "solved_later":
            item["solved_on"] = (_day(problem["solved_on"]) - k * _YEAR).isoformat()
        problems.append(item)
    new["problems"] = problems
    return new


def _visits(
    originals: list[dict[str, Any]],
    registered: dict[str, date],
    referenced: set[str],
    quota: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Exactly ``quota`` visits: the blocks' own, then copies into earlier years."""
    if quota <= len(originals):
        keep = [v for v in originals if v["id"] in referenced]
        if len(keep) > quota:
            raise ValueError(f"{len(keep)} visits are referenced, more than the quota {quota}")
        free = [i for i, v in enumerate(originals) if v["id"] not in referenced]
        chosen = set(random.Random(f"{seed}|visits|0").sample(free, quota - len(keep)))
        return [v for i, v in enumerate(originals) if v["id"] in referenced or i in chosen]
    out = list(originals)
    for k in range(1, MAX_YEARS + 1):
        need = quota - len(out)
        if need <= 0:
            break
        layer = []
        for visit in originals:
            day = _day(visit["date"]) - k * _YEAR
            if day >= registered[visit["household_id"]]:
                layer.append((visit, day))
        if len(layer) > need:
            picked = set(random.Random(f"{seed}|visits|{k}").sample(range(len(layer)), need))
            layer = [item for i, item in enumerate(layer) if i in picked]
        out.extend(_copy_visit(visit, k, day, seed) for visit, day in layer)
    if len(out) < quota:  # pragma: no cover - twenty years of copies always suffice
        raise ValueError(f"only {len(out)} visits for a quota of {quota}")
    return out


# -- supervision --------------------------------------------------------------------------


def _copy_check(check: dict[str, Any], k: int, seed: int) -> dict[str, Any]:
    new = dict(check)
    new["id"] = _uid(seed, "check", check["id"], k)
    new["date"] = (_day(check["date"]) - k * _YEAR).isoformat()
    new["rectifications"] = [
        {
            **item,
            "id": _uid(seed, "rectification", item["id"], k),
            "due_date": (_day(item["due_date"]) - k * _YEAR).isoformat(),
            "state": "done",
            "slip_id": None,
        }
        for item in check["rectifications"]
    ]
    return new


def _check_copies(checks: list[dict[str, Any]], need: int, seed: int) -> list[dict[str, Any]]:
    """``need`` copies of the supervision checks, most recent year first."""
    out: list[dict[str, Any]] = []
    for k in range(1, MAX_YEARS + 1):
        left = need - len(out)
        if left <= 0 or not checks:
            break
        layer = list(checks)
        if len(layer) > left:
            picked = set(random.Random(f"{seed}|checks|{k}").sample(range(len(layer)), left))
            layer = [c for i, c in enumerate(layer) if i in picked]
        out.extend(_copy_check(check, k, seed) for check in layer)
    return out


# -- rosters ------------------------------------------------------------------------------


def _workdays_before(first: date, count: int) -> list[date]:
    """The ``count`` working days before ``first``, most recent first."""
    days: list[date] = []
    d = first - timedelta(days=1)
    while len(days) < count:
        if is_workday(d):
            days.append(d)
        d -= timedelta(days=1)
    return days


def _shifts(
    stations: list[dict[str, Any]],
    staff: list[dict[str, Any]],
    existing: list[dict[str, Any]],
    need: int,
    seed: int,
) -> list[dict[str, Any]]:
    """``need`` more duty shifts, one per station per working day before the blocks'."""
    if need <= 0:
        return []
    first = min(_day(s["date"]) for s in existing) if existing else CORPUS_TODAY
    per_station = math.ceil(need / len(stations))
    days = _workdays_before(first, per_station)
    notes = load("station_work")["duty_notes"]["regular"]
    made: list[tuple[date, int, DutyShift]] = []
    for index, station in enumerate(stations):
        people = [s["id"] for s in staff if s.get("station_id") == station["id"]]
        rng = random.Random(f"{seed}|duty|{station['code']}")
        for i, day in enumerate(days):
            pair = [people[(2 * i) % len(people)], people[(2 * i + 1) % len(people)]]
            shift = DutyShift(
                id=_uid(seed, "duty", station["code"], day.isoformat()),
                station_id=station["id"],
                date=day,
                staff_ids=list(dict.fromkeys(pair)),
                note=rng.choice(notes),
            )
            made.append((day, index, shift))
    made.sort(key=lambda item: (-item[0].toordinal(), item[1]))
    kept = made[:need]
    kept.sort(key=lambda item: (item[1], -item[0].toordinal()))
    return [stamped(shift) for _, _, shift in kept]


def _trim_recent(docs: list[dict[str, Any]], quota: int) -> list[dict[str, Any]]:
    """The ``quota`` most recent of ``docs`` (by date), in their order."""
    if len(docs) <= quota:
        return docs
    order = sorted(range(len(docs)), key=lambda i: (docs[i]["date"], docs[i]["id"]))
    keep = set(order[len(docs) - quota :])
    return [doc for i, doc in enumerate(docs) if i in keep]


# -- the corpus ---------------------------------------------------------------------------


def office_docs(n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """The ``n - audit_quota(n)`` business documents of an office store, grouped by kind
    in ``KINDS`` order, as the dicts the store holds. Deterministic for ``(n, seed)``.

    ``stations = max(1, min(10, n // 10_000))``, ``years = max(1, min(5, n // 20_000))``:
    100,000 documents are ten stations and (at least) five years. See the module notes.
    """
    plan = office_plan(n)
    stations, blocks = plan["stations"], plan["blocks"]
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for b in range(blocks):
        keep_second = 2 * b + 2 <= stations
        for doc in _block(b, seed, plan["scale"], keep_second):
            by_kind[doc["kind"]].append(doc)

    business = n - audit_quota(n)
    duty_quota = round(n * DUTY_SHARE)
    households = len(by_kind["household"])
    fixed = sum(len(docs) for kind, docs in by_kind.items() if kind not in ("visit", "duty_shift"))
    checks = by_kind["supervision_check"]
    check_need = max(0, round(n * OTHER_SHARE) - (fixed - households))
    check_need = min(check_need, max(0, business - fixed - duty_quota - len(by_kind["visit"])))
    checks.extend(_check_copies(checks, check_need, seed))
    fixed = sum(len(docs) for kind, docs in by_kind.items() if kind not in ("visit", "duty_shift"))

    shifts = _trim_recent(by_kind["duty_shift"], duty_quota)
    shifts.extend(
        _shifts(by_kind["station"], by_kind["staff"], shifts, duty_quota - len(shifts), seed)
    )
    by_kind["duty_shift"] = shifts

    visit_quota = business - fixed - len(shifts)
    registered = {h["id"]: _day(h["registered_on"]) for h in by_kind["household"]}
    referenced = {
        doc["visit_id"]
        for kind in ("handoff_slip", "appointment")
        for doc in by_kind[kind]
        if doc.get("visit_id")
    }
    by_kind["visit"] = _visits(by_kind["visit"], registered, referenced, visit_quota, seed)
    out = [doc for kind in KINDS for doc in by_kind[kind]]
    assert len(out) == business, (len(out), business)
    return out


def proportions(docs: list[dict[str, Any]]) -> dict[str, float]:
    """Each kind's share of ``docs`` (0–1), in ``KINDS`` order."""
    counts = Counter(doc["kind"] for doc in docs)
    total = len(docs) or 1
    return {kind: counts[kind] / total for kind in KINDS if counts.get(kind)}


# -- the store ----------------------------------------------------------------------------


def _audited(docs: list[dict[str, Any]], count: int) -> set[str]:
    """The ids of the ``count`` most recent visits (the documents saved with audit)."""
    visits = sorted(
        (d for d in docs if d["kind"] == "visit"),
        key=lambda d: (d["date"], d["start_time"], d["id"]),
    )
    return {d["id"] for d in visits[len(visits) - count :]} if count else set()


def _ticking(start: datetime, step: timedelta):
    state = {"now": start}

    def now() -> datetime:
        state["now"] += step
        return state["now"]

    return now


def write_office_store(path: Path, n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Write an office store of exactly ``n`` documents at ``path``; return its documents.

    The business documents are written directly as a compacted store, except the
    ``audit_quota(n)`` most recent visits, which are then saved through
    :meth:`Store.save_many` in batches of :data:`AUDIT_BATCH` (by :data:`AUDIT_ACTOR`, on
    a clock ticking from 09:00 of ``CORPUS_TODAY``), so each has a genuine audit entry in
    the hash chain. The store is compacted and closed, then read back (read-only) and
    every stored document (``_meta`` excluded) is returned, grouped in ``KINDS`` order.
    The business documents are deterministic; the audit entries' ids and hashes are not
    (the store draws them at random).
    """
    paths = StorePaths.for_main(path)
    if paths.main.exists() or paths.journal.exists():
        raise FileExistsError(f"a store already exists at {paths.main}")
    docs = office_docs(n, seed)
    held = _audited(docs, audit_quota(n))
    direct = [d for d in docs if d["id"] not in held]
    write_ours(paths.main, our_tables(direct, CORPUS_STAMP))
    start = datetime.combine(CORPUS_TODAY, time(9, 0), tzinfo=CST)
    store = Store.open(paths.main, daily_backup=False, create=False, clock=_ticking(start, _MS))
    try:
        # As new documents: the store stamps rev 1 and the created_*/updated_* fields.
        fresh = {"rev": 0, "created_at": None, "created_by": None}
        fresh.update(updated_at=None, updated_by=None)
        later = [KINDS["visit"].model_validate({**d, **fresh}) for d in docs if d["id"] in held]
        for i in range(0, len(later), AUDIT_BATCH):
            store.save_many(later[i : i + AUDIT_BATCH], actor=AUDIT_ACTOR)
        store.compact()
    finally:
        store.close()
    reader = Store.open(paths.main, readonly=True, create=False, daily_backup=False)
    try:
        tables = reader.tables
        return [doc for kind in KINDS for doc in tables.get(kind, {}).values() if kind != META]
    finally:
        reader.close()


def main(argv: list[str]) -> int:
    """``python -m bench.office [n [seed [store path]]]``: counts per kind, build time;
    with a path, also the time to write the store there (see :func:`write_office_store`)."""
    n = int(argv[1]) if len(argv) > 1 else 100_000
    seed = int(argv[2]) if len(argv) > 2 else DEFAULT_SEED
    started = clock.perf_counter()
    docs = office_docs(n, seed)
    took = clock.perf_counter() - started
    plan = office_plan(n)
    counts = Counter(doc["kind"] for doc in docs)
    counts[AUDIT] = audit_quota(n)
    print(
        f"office corpus n={n} seed={seed}: {plan['stations']} stations, years={plan['years']}, "
        f"{plan['blocks']} demo blocks at scale {plan['scale']}; built in {took:.2f} s"
    )
    for kind in KINDS:
        if counts.get(kind):
            print(f"  {kind:<18} {counts[kind]:>7}  {counts[kind] / n * 100:5.1f} %")
    print(f"  {'total':<18} {sum(counts.values()):>7}")
    for kind in ("visit", "duty_shift", "supervision_check"):
        days = [d["date"] for d in docs if d["kind"] == kind]
        print(f"  {kind} dated {min(days)} to {max(days)}")
    if len(argv) > 3:
        started = clock.perf_counter()
        stored = write_office_store(Path(argv[3]), n, seed)
        took = clock.perf_counter() - started
        print(f"store written at {argv[3]} in {took:.2f} s: {len(stored)} documents")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
