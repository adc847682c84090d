"""The hub at a street office's scale: push and pull through the real sync path, on an
SQLite hub file and on a PostgreSQL server the bench starts itself, beside a naive sync
(upload everything, download everything) in the same run.

    python -m bench.hub [--n 100000] [--engines sqlite,postgresql] [--seed 2026]
    python -m bench.run --only hub [--sizes 100000]

What is measured, on each engine (docs/design.md#the-hub):

- **the office's first load**: every replica (the office and each station, its documents
  written as a compacted store and enrolled) runs its first ``sync()`` into an empty hub;
  the push steps are timed apart (``pending`` + ``mark_sent`` + ``push`` +
  ``record_push``). Naive: each replica upserts all its documents;
- **a station's week**: 500 new visits saved at one station, then ``sync()`` into the
  full hub. Naive: upsert all the station's documents, then download all of its scope;
- **a station's first pull** (a new laptop of the station, cursor 0, about 10,000
  documents) and **the office's first pull** (all of them): ``sync()`` into a new store.
  Naive: one ``SELECT`` of the whole scope, one ``Store.apply_pull``;
- **a sync with nothing to do** (the station, after its weeks). Naive: as for the week;
- **the overdue board** (``build_board``) on the office's store right after its first
  pull: the first call (cold) and the next ones (warm).

The corpus is :func:`bench.office.office_docs` (ten stations at 100,000 documents), with
each document's ``writer`` and ``rev_hash`` stamped as ``Store.save`` does. The naive
path runs on its own hub (a second SQLite file, a second database) and its own copy of
the station's store, so the two never see each other's cursors; both hubs end with the
same documents, which the bench checks.

The PostgreSQL server comes from ``tests/pg_server.py`` (a throwaway cluster, test
settings: ``fsync=off``, ``synchronous_commit=off``). The bench imports it from the
``tests`` package rather than copying it: both are run from a checkout of the
repository, never installed, and there must be one way to start the server.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.corpus import CORPUS_STAMP, CORPUS_TODAY, DEFAULT_SEED
from bench.engines import our_tables
from bench.office import audit_quota, office_docs
from grassroots_tui.demo import CST
from grassroots_tui.hub import sync as sync_module
from grassroots_tui.hub.engines import HubAddress, HubConnection
from grassroots_tui.hub.pull import scopes_of
from grassroots_tui.hub.push import business_key, doc_scope, hub_body
from grassroots_tui.hub.replicas import ReplicaRecord, enroll_replica
from grassroots_tui.hub.schema import hub_meta, init_hub, now_text
from grassroots_tui.hub.sync import SyncReport, sync
from grassroots_tui.models import KINDS
from grassroots_tui.models.base import OFFICE, writer_of
from grassroots_tui.store import Store
from grassroots_tui.store.store import (
    AUDIT,
    revision_hash,
    tombs_of,
    write_compacted_store,
)

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
RESULTS = BENCH / "RESULTS-hub.md"
BIG = 100_000
WEEK = 500
ACTOR = "基准测试"
ENGINES = ("sqlite", "postgresql")

#: Targets (the hub issue), in seconds.
TARGETS = {
    "week": 0.100,
    "station_pull": 1.0,
    "office_pull": 15.0,
    "noop": 0.050,
    "board": 0.100,
}

Log = Callable[[str], None]


def log(text: str) -> None:
    print(text, flush=True)


# --- the corpus and the replicas ---------------------------------------------------------


def hub_corpus(n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Exactly ``n`` documents of a street office (:func:`bench.office.office_docs`, which
    keeps back its audit share: asked for the ``m`` whose business documents are ``n``),
    each with the ``writer`` and ``rev_hash`` the store stamps when it saves."""
    m = max(1000, round(n / 0.97))
    while m - audit_quota(m) < n:
        m += 1
    while m - audit_quota(m) > n:
        m -= 1
    docs = office_docs(m, seed)
    if len(docs) != n:  # pragma: no cover - office_docs is exact
        raise RuntimeError(f"office_docs({m}) gave {len(docs)} documents, not {n}")
    for doc in docs:
        doc["writer"] = writer_of(doc)
        doc["rev_hash"] = revision_hash(doc)
    return docs


def scope_of_writer(writer: str) -> str:
    return "office" if writer == OFFICE else f"station:{writer}"


def by_writer(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each replica's documents: the office's first, then the stations by code."""
    found: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        found.setdefault(doc["writer"], []).append(doc)
    codes = {d["id"]: d.get("code", "") for d in docs if d["kind"] == "station"}
    return dict(sorted(found.items(), key=lambda item: (item[0] != OFFICE, codes.get(item[0]))))


def expected_ids(docs: list[dict[str, Any]], station_id: str | None) -> set[tuple[str, str]]:
    """What a replica receives, from the documents' own fields (not the hub's code): the
    office everything; a station the documents of its station and the list of stations."""
    return {
        (d["kind"], d["id"])
        for d in docs
        if station_id is None or d["kind"] == "station" or d.get("station_id") == station_id
    }


def store_ids(store: Store) -> set[tuple[str, str]]:
    return {
        (kind, doc_id)
        for kind in KINDS
        if kind != AUDIT
        for table in (kind, tombs_of(kind))
        for doc_id in store.tables.get(table, {})
    }


def write_replica(path: Path, docs: list[dict[str, Any]], scope: str) -> Store:
    """A laptop holding ``docs`` (a compacted store), enrolled as ``scope``, open."""
    write_compacted_store(path, our_tables(docs, CORPUS_STAMP))
    store = Store.open(path, daily_backup=False)
    store.enroll(scope, ACTOR)
    return store


def new_laptop(path: Path, scope: str) -> Store:
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    return Store.open(path, daily_backup=False, scope=scope)


def week_visits(
    station_docs: list[dict[str, Any]], week: int, count: int = WEEK
) -> list[dict[str, Any]]:
    """``count`` new visits of the station for week ``week``: copies of its own visits
    (same day and text) with new ids (deterministic), without the problems that name a
    slip, as the store would be given them (no stamps)."""
    visits = sorted((d for d in station_docs if d["kind"] == "visit"), key=lambda d: d["id"])
    out = []
    for k in range(count):
        old = visits[k % len(visits)]
        new = {
            key: value
            for key, value in old.items()
            if key
            not in (
                "rev",
                "created_at",
                "created_by",
                "updated_at",
                "updated_by",
                "writer",
                "rev_hash",
                "acked_hash",
                "sent_hashes",
            )
        }
        new["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"week|{week}|{k}|{old['id']}"))
        new["appointment_id"] = None
        new["problems"] = [
            {**p, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"p|{new['id']}|{p['id']}"))}
            for p in old.get("problems") or []
            if p.get("state") not in ("handed_off", "pending")
        ]
        out.append(new)
    return out


def save_week(store: Store, visits: list[dict[str, Any]], week: int) -> None:
    """Save the week's visits in one transaction, with a fixed clock (so the real and the
    naive copies of the station hold the same revisions)."""
    stamp = datetime(2026, 11, 27, 9, 0, tzinfo=CST) + timedelta(days=7 * week)
    store.clock = lambda: stamp
    model = KINDS["visit"]
    store.save_many([model.model_validate(v) for v in visits], ACTOR)


# --- the hub --------------------------------------------------------------------------------


class Engine:
    """Hubs on one engine: an SQLite file per hub, or a database per hub on one server."""

    def __init__(self, name: str, folder: Path, server: Any = None) -> None:
        self.name = name
        self.folder = folder
        #: A PostgreSQL server given by the caller (a test's) is left running.
        self.server: Any = server
        self._own_server = server is None
        self.version = ""
        if name == "sqlite":
            import sqlite3

            self.version = f"SQLite {sqlite3.sqlite_version}"
        else:
            from tests import pg_server

            if self.server is None:
                self.server = pg_server.start()
            import psycopg

            with psycopg.connect(self.server.dsn) as conn:
                self.version = str(conn.execute("SHOW server_version").fetchone()[0])
                self.version = f"PostgreSQL {self.version} (tests/pg_server.py settings)"

    def address(self, name: str) -> HubAddress:
        if self.name == "sqlite":
            path = self.folder / f"{name}.sqlite"
            for stale in self.folder.glob(f"{name}.sqlite*"):
                stale.unlink()
            return HubAddress("sqlite", str(path))
        import psycopg

        with psycopg.connect(self.server.dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")
        head, _, _db = self.server.dsn.rpartition("/")
        return HubAddress("postgresql", f"{head}/{name}")

    def open_hub(self, name: str) -> HubConnection:
        hub = HubConnection.open(self.address(name), create=True)
        init_hub(hub)
        return hub

    def stop(self) -> None:
        if self.server is not None and self._own_server:
            self.server.stop()


def hub_contents(hub: HubConnection) -> dict[str, Any]:
    """The hub's documents, what a sync decides (not the hub_seq, received_at, pushed_by
    or base_hash a path leaves): count and one digest."""
    digest = hashlib.sha256()
    count = 0
    rows = hub.all(
        "SELECT kind, id, scope, writer, rev, rev_hash, deleted, schema_version, bkey, body "
        "FROM doc ORDER BY kind, id"
    )
    for row in rows:
        digest.update(orjson.dumps([str(v) if v is not None else None for v in row]))
        count += 1
    return {"docs": count, "digest": digest.hexdigest()}


# --- the naive way ------------------------------------------------------------------------


def _naive_rows(store: Store, writer: str, replica_id: str, received: str) -> list[tuple]:
    rows = []
    for kind in KINDS:
        if kind == AUDIT:
            continue
        for table in (kind, tombs_of(kind)):
            for doc in store.tables.get(table, {}).values():
                if writer_of(doc) != writer:
                    continue
                rows.append(
                    (
                        kind,
                        doc["id"],
                        doc_scope(doc),
                        writer,
                        int(doc.get("rev") or 0),
                        doc.get("rev_hash") or revision_hash(doc),
                        1 if doc.get("deleted") else 0,
                        int(doc.get("schema_version") or 1),
                        business_key(doc),
                        hub_body(doc),
                        replica_id,
                        received,
                    )
                )
    return rows


_UPSERT = (
    "INSERT INTO doc (kind, id, scope, writer, rev, rev_hash, deleted, schema_version, bkey, "
    "body, pushed_by, received_at, hub_seq) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (kind, id) DO UPDATE SET scope = excluded.scope, writer = excluded.writer, "
    "rev = excluded.rev, rev_hash = excluded.rev_hash, deleted = excluded.deleted, "
    "schema_version = excluded.schema_version, bkey = excluded.bkey, body = excluded.body, "
    "pushed_by = excluded.pushed_by, received_at = excluded.received_at, "
    "hub_seq = excluded.hub_seq"
)


def naive_upload(hub: HubConnection, replica: ReplicaRecord, store: Store) -> int:
    """Every document the replica writes, sent every time: one transaction, an upsert of
    each row (new hub_seq numbers from the counter); no verdicts, nothing recorded in the
    store. Returns how many rows were sent."""
    rows = _naive_rows(store, replica.writer, replica.id, now_text())
    with hub.transaction():
        hub.execute("UPDATE hub_clock SET seq = seq + %s WHERE id = 1", (max(1, len(rows)),))
        top = int(hub.one("SELECT seq FROM hub_clock WHERE id = 1")[0])
        first = top - max(1, len(rows)) + 1
        hub.executemany(_UPSERT, [(*row, first + i) for i, row in enumerate(rows)])
        hub.execute("UPDATE replica SET last_push_at = %s WHERE id = %s", (now_text(), replica.id))
    return len(rows)


def naive_download(hub: HubConnection, replica: ReplicaRecord, store: Store) -> int:
    """Everything addressed to the replica, every time: one SELECT of its whole scope,
    handed to the store in one ``apply_pull``. Returns how many documents came."""
    scopes = scopes_of(replica)
    if scopes is None:
        rows = hub.all("SELECT body, hub_seq FROM doc")
    else:
        marks = ", ".join(["%s"] * len(scopes))
        rows = hub.all(f"SELECT body, hub_seq FROM doc WHERE scope IN ({marks})", scopes)
    docs = [orjson.loads(body) for body, _seq in rows]
    top = max((int(seq) for _body, seq in rows), default=0)
    store.apply_pull(docs, cursor=top, epoch=hub_meta(hub)["epoch"], now=now_text())
    return len(docs)


def naive_sync(hub: HubConnection, replica: ReplicaRecord, store: Store) -> tuple[int, int]:
    return naive_upload(hub, replica, store), naive_download(hub, replica, store)


# --- timing -------------------------------------------------------------------------------


_STORE_STEPS = ("pending", "mark_sent", "record_push", "apply_pull")
_SYNC_STEPS = ("push", "pull_page")


@contextmanager
def steps() -> Iterator[dict[str, float]]:
    """Time the steps of ``sync()`` (seconds summed per step) while the block runs: the
    store's ``pending``/``mark_sent``/``record_push``/``apply_pull`` and the hub's
    ``push``/``pull_page``, wrapped where ``sync`` finds them."""
    spent: dict[str, float] = dict.fromkeys(_STORE_STEPS + _SYNC_STEPS, 0.0)
    saved: list[tuple[Any, str, Any]] = []

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return wrapper

    for name in _STORE_STEPS:
        saved.append((Store, name, getattr(Store, name)))
        setattr(Store, name, timed(name, getattr(Store, name)))
    for name in _SYNC_STEPS:
        saved.append((sync_module, name, getattr(sync_module, name)))
        setattr(sync_module, name, timed(name, getattr(sync_module, name)))
    try:
        yield spent
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


#: The machine is shared: each timed run's CPU seconds of this process are kept beside
#: its wall-clock seconds (a wall-clock figure far above its CPU time waited for the CPU
#: or the disk; the PostgreSQL server's own CPU time is not in it).


def timed_sync(store: Store, hub: HubConnection, replica_id: str) -> dict[str, Any]:
    gc.collect()
    with steps() as spent:
        began, cpu = time.perf_counter(), time.process_time()
        report: SyncReport = sync(store, hub, replica_id)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    pushing = spent["pending"] + spent["mark_sent"] + spent["push"] + spent["record_push"]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "push_seconds": pushing,
        "steps": spent,
        "pushed": report.pushed,
        "verdicts": dict(report.verdicts),
        "pulled": report.pulled,
        "changed": report.changed,
        "pages": report.pages,
    }


def timed_call(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    began = time.perf_counter()
    value = fn()
    return time.perf_counter() - began, value


def cold_warm(values: list[float]) -> dict[str, Any]:
    return {
        "cold": values[0] if values else None,
        "warm": statistics.median(values[1:]) if len(values) > 1 else None,
        "runs": values,
    }


# --- one engine ---------------------------------------------------------------------------


def bench_engine(
    engine_name: str,
    docs: list[dict[str, Any]],
    folder: Path,
    *,
    warm: int = 4,
    pull_warm: int = 2,
    say: Log = log,
    server: Any = None,
) -> dict[str, Any]:
    """Every figure on one engine. ``warm``: runs after the first of the week and the
    no-op sync; ``pull_warm``: of the first pulls (each a new laptop)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    engine = Engine(engine_name, folder, server)
    result: dict[str, Any] = {"engine": engine_name, "version": engine.version}
    opened: list[Store] = []
    try:
        real_hub = engine.open_hub("hub_real")
        naive_hub = engine.open_hub("hub_naive")
        groups = by_writer(docs)
        stations = [w for w in groups if w != OFFICE]
        station = stations[0]  # HL01: the station of the week, the pulls, the no-op
        say(f"[{engine_name}] {engine.version}; replicas: {len(groups)}")

        # The replicas, each enrolled at both hubs; the station and the office twice (the
        # naive path's own copies).
        stores: dict[str, Store] = {}
        real_ids: dict[str, str] = {}
        naive_ids: dict[str, ReplicaRecord] = {}
        for writer, own in groups.items():
            scope = scope_of_writer(writer)
            stores[writer] = write_replica(folder / f"{writer}.json", own, scope)
            opened.append(stores[writer])
            real_ids[writer] = enroll_replica(real_hub, scope, by=ACTOR)[0].id
            naive_ids[writer] = enroll_replica(naive_hub, scope, by=ACTOR)[0]
        twin = write_replica(
            folder / "station-naive.json", groups[station], scope_of_writer(station)
        )
        opened.append(twin)

        # 1. The office's first load.
        per_replica = []
        for writer in groups:
            per_replica.append(
                {"writer": writer, **timed_sync(stores[writer], real_hub, real_ids[writer])}
            )
        load = {
            "seconds": sum(r["seconds"] for r in per_replica),
            "cpu": sum(r["cpu"] for r in per_replica),
            "push_seconds": sum(r["push_seconds"] for r in per_replica),
            "steps": {k: sum(r["steps"][k] for r in per_replica) for k in per_replica[0]["steps"]},
            "pushed": sum(r["pushed"] for r in per_replica),
            "pulled": sum(r["pulled"] for r in per_replica),
            "replicas": per_replica,
        }
        naive_load = 0.0
        sent = 0
        for writer in groups:
            source = twin if writer == station else stores[writer]
            seconds, count = timed_call(
                lambda w=writer, s=source: naive_upload(naive_hub, naive_ids[w], s)
            )
            naive_load += seconds
            sent += count
        load["naive_seconds"] = naive_load
        load["naive_sent"] = sent
        real_contents, naive_contents = hub_contents(real_hub), hub_contents(naive_hub)
        load["contents"] = {"real": real_contents, "naive": naive_contents}
        load["same_contents"] = real_contents == naive_contents
        result["load"] = load
        say(
            f"[{engine_name}] first load: {load['pushed']:,} pushed, sync {load['seconds']:.1f} s "
            f"(push steps {load['push_seconds']:.1f} s); naive upsert {naive_load:.1f} s; "
            f"same contents: {load['same_contents']}"
        )
        # The twin's first naive download (it has not acknowledged anything yet).
        naive_download(naive_hub, naive_ids[station], twin)

        # 2. First pulls into new laptops: the station, then the office.
        for who, runs in ((station, 1 + pull_warm * 2), (OFFICE, 1 + pull_warm)):
            scope = scope_of_writer(who)
            wanted = expected_ids(docs, None if who == OFFICE else who)
            real_times: list[float] = []
            real_cpu: list[float] = []
            naive_times: list[float] = []
            detail: dict[str, Any] = {"expected": len(wanted)}
            boards: dict[str, dict[str, list[float]]] = {
                side: {"cold": [], "warm": []} for side in ("real", "naive", "program")
            }
            worker: list[float] = []
            for run in range(runs):
                laptop = new_laptop(folder / "new-real.json", scope)
                replica_id = enroll_replica(real_hub, scope, by=ACTOR)[0].id
                got = timed_sync(laptop, real_hub, replica_id)
                real_times.append(got["seconds"])
                real_cpu.append(got["cpu"])
                held = store_ids(laptop)
                detail.setdefault("real_exact", True)
                detail["real_exact"] &= held == wanted
                detail["pages"] = got["pages"]
                detail["steps"] = got["steps"]
                if who == OFFICE and run < runs - 1:
                    board_times(laptop, boards["real"], 0)
                elif who == OFFICE:
                    # As the program does: its sync's worker works out the slip clock and
                    # the residents' names after a pull that brought documents
                    # (tui/sync_status.py); the board is opened after that.
                    worker.append(timed_call(lambda s=laptop: warm_views(s))[0])
                    board_times(laptop, boards["program"], warm)
                if who == OFFICE and run == runs - 1:
                    office_laptop, office_id = laptop, replica_id  # for its no-op sync
                    opened.append(laptop)
                else:
                    laptop.close()
                del laptop
                gc.collect()

                naive_store = new_laptop(folder / "new-naive.json", scope)
                replica = enroll_replica(naive_hub, scope, by=ACTOR)[0]
                seconds, _count = timed_call(
                    lambda r=replica, s=naive_store: naive_download(naive_hub, r, s)
                )
                naive_times.append(seconds)
                detail.setdefault("naive_exact", True)
                detail["naive_exact"] &= store_ids(naive_store) == wanted
                if who == OFFICE:
                    board_times(naive_store, boards["naive"], warm if run == runs - 1 else 0)
                naive_store.close()
                del naive_store
                gc.collect()
            key = "office_pull" if who == OFFICE else "station_pull"
            result[key] = {
                "real": cold_warm(real_times),
                "cpu": cold_warm(real_cpu),
                "naive": cold_warm(naive_times),
                **detail,
            }
            say(
                f"[{engine_name}] {key} ({len(wanted):,} documents): real cold "
                f"{real_times[0]:.2f} s, warm {result[key]['real']['warm'] or 0:.2f} s; naive cold "
                f"{naive_times[0]:.2f} s; exact: {detail['real_exact']} / {detail['naive_exact']}"
            )
            if who == OFFICE:
                # Cold: the first call after each pull; warm: the calls after the last one's.
                boards["real"]["warm"] = boards["program"]["warm"]
                result["board"] = {
                    side: {
                        "first_cold": b["cold"][0],
                        "cold": cold_warm(b["cold"]),
                        "warm": statistics.median(b["warm"]),
                        "cold_runs": b["cold"],
                        "warm_runs": b["warm"],
                    }
                    for side, b in boards.items()
                }
                result["board"]["program"]["worker"] = worker[0]
                say(
                    f"[{engine_name}] board after the office's pull: first "
                    f"{boards['real']['cold'][0] * 1000:.0f} ms, warm "
                    f"{result['board']['real']['warm'] * 1000:.1f} ms"
                )

        # 3. A station's week, pushed into the full hub.
        real_store = stores[station]
        week_real: list[dict[str, Any]] = []
        week_naive: list[float] = []
        for week in range(1 + warm):
            visits = week_visits(groups[station], week)
            save_week(real_store, visits, week)
            week_real.append(timed_sync(real_store, real_hub, real_ids[station]))
            save_week(twin, visits, week)
            seconds, _ = timed_call(lambda: naive_sync(naive_hub, naive_ids[station], twin))
            week_naive.append(seconds)
        result["week"] = {
            "real": cold_warm([w["seconds"] for w in week_real]),
            "push": cold_warm([w["push_seconds"] for w in week_real]),
            "cpu": cold_warm([w["cpu"] for w in week_real]),
            "naive": cold_warm(week_naive),
            "verdicts": week_real[-1]["verdicts"],
            "pulled": week_real[-1]["pulled"],
            "steps": week_real[-1]["steps"],
            "steps_cold": week_real[0]["steps"],
        }
        say(
            f"[{engine_name}] week: sync cold {week_real[0]['seconds'] * 1000:.0f} ms, warm "
            f"{result['week']['real']['warm'] * 1000:.0f} ms (push "
            f"{result['week']['push']['warm'] * 1000:.0f} ms); naive warm "
            f"{result['week']['naive']['warm'] * 1000:.0f} ms"
        )

        # 4. A sync with nothing to do (the station after its weeks).
        noop_real = [timed_sync(real_store, real_hub, real_ids[station]) for _ in range(1 + warm)]
        noop_naive = [
            timed_call(lambda: naive_sync(naive_hub, naive_ids[station], twin))[0]
            for _ in range(1 + warm)
        ]
        timed_sync(office_laptop, real_hub, office_id)  # it takes the weeks (untimed)
        noop_office = [timed_sync(office_laptop, real_hub, office_id) for _ in range(1 + warm)]
        result["noop_office"] = {
            "real": cold_warm([r["seconds"] for r in noop_office]),
            "cpu": cold_warm([r["cpu"] for r in noop_office]),
            "pushed": noop_office[-1]["pushed"],
            "pulled": noop_office[-1]["pulled"],
            "steps": noop_office[-1]["steps"],
        }
        result["noop"] = {
            "real": cold_warm([r["seconds"] for r in noop_real]),
            "cpu": cold_warm([r["cpu"] for r in noop_real]),
            "naive": cold_warm(noop_naive),
            "pushed": noop_real[-1]["pushed"],
            "pulled": noop_real[-1]["pulled"],
            "steps": noop_real[-1]["steps"],
        }
        say(
            f"[{engine_name}] no-op sync: cold {noop_real[0]['seconds'] * 1000:.1f} ms, warm "
            f"{result['noop']['real']['warm'] * 1000:.1f} ms; naive warm "
            f"{result['noop']['naive']['warm'] * 1000:.0f} ms"
        )

        # Both hubs hold the same documents after everything.
        end_real, end_naive = hub_contents(real_hub), hub_contents(naive_hub)
        result["end_contents"] = {"real": end_real, "naive": end_naive}
        result["same_contents_at_end"] = end_real == end_naive
        result["hub_docs"] = end_real["docs"]
        real_hub.close()
        naive_hub.close()
    finally:
        for store in opened:
            try:
                store.close()
            except Exception:  # noqa: BLE001 - closing after a failure
                pass
        engine.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def warm_views(store: Store) -> None:
    """What the program's sync worker works out after a pull (tui/sync_status.py)."""
    from grassroots_tui.services.masking import resident_names
    from grassroots_tui.services.slips.clock import timelines
    from grassroots_tui.services.workcalendar import OfficialCalendar

    timelines(store, OfficialCalendar())
    resident_names(store)


def board_times(store: Store, into: dict[str, list[float]], warm: int) -> None:
    """The board on ``store``: the first call into ``into["cold"]``, ``warm`` more into
    ``into["warm"]``."""
    from grassroots_tui.services.slip_board import build_board
    from grassroots_tui.services.workcalendar import OfficialCalendar

    calendar = OfficialCalendar()
    for call in range(1 + warm):
        seconds, _board = timed_call(
            lambda: build_board(store, today=CORPUS_TODAY, calendar=calendar)
        )
        into["cold" if call == 0 else "warm"].append(seconds)


# --- the report -----------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    value = seconds * 1000
    if value >= 1000:
        return f"{seconds:,.2f} s"
    if value >= 100:
        return f"{value:,.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    value = a / b
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.3f}× (1/{1 / value:,.0f})"


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def render(header: dict[str, Any], results: list[dict[str, Any]]) -> str:
    out = [
        "# Hub benchmarks: push and pull at a street office's scale",
        "",
        "Written by `bench/hub.py`; do not edit by hand.",
        "",
        f"- Date: {header['date']}",
        f"- Command: `{header['command']}`",
        f"- Machine: {header['machine']}",
        f"- {header['python']}; psycopg {header['psycopg']}",
        f"- Engines: {'; '.join(r['engine'] + ': ' + r['version'] for r in results)}",
        f"- Hub: {header['n']:,} documents of `bench.office.office_docs` (seed "
        f"{header['seed']}; {header['replicas']} replicas: the office and "
        f"{header['replicas'] - 1} stations); load average before the run: {header['load']}; "
        f"total run time {header['seconds']:.0f} s",
        "",
        "Cold: the first run in the process; warm: the median of the runs after it "
        "(n shown). Ratios are ours ÷ naive (below 1 is faster). Times are wall-clock; the "
        "machine is shared, so the process's own CPU time is given beside ours (the "
        "PostgreSQL server's is not in it).",
        "",
        "## Targets",
        "",
        "| target | wanted | " + " | ".join(r["engine"] + " cold / warm" for r in results) + " |",
        "|---|---|" + "---|" * len(results),
    ]
    rows = [
        (
            "a station's week (500 new documents) pushed into the full hub: `sync()`",
            "week",
            "real",
            TARGETS["week"],
        ),
        (
            "a station's first pull (cursor 0, new store)",
            "station_pull",
            "real",
            TARGETS["station_pull"],
        ),
        ("the office's first pull", "office_pull", "real", TARGETS["office_pull"]),
        ("a sync with nothing to do: the station", "noop", "real", TARGETS["noop"]),
        ("a sync with nothing to do: the office", "noop_office", "real", TARGETS["noop"]),
    ]
    for label, key, side, target in rows:
        cells = []
        for r in results:
            f = r[key][side]
            cells.append(
                f"{ms(f['cold'])} {mark(f['cold'] <= target)} / {ms(f['warm'])} {mark((f['warm'] or 0) <= target)}"
            )
        out.append(f"| {label} | ≤ {ms(target)} | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        b = r["board"]["real"]
        cells.append(
            f"{ms(b['first_cold'])} {mark(b['first_cold'] <= TARGETS['board'])} / "
            f"{ms(b['warm'])} {mark(b['warm'] <= TARGETS['board'])}"
        )
    out.append(
        f"| the office's overdue board right after its pull | ≤ {ms(TARGETS['board'])} | "
        + " | ".join(cells)
        + " |"
    )
    cells = []
    for r in results:
        b = r["board"]["program"]
        cells.append(
            f"{ms(b['first_cold'])} {mark(b['first_cold'] <= TARGETS['board'])} "
            f"(the worker's {ms(b['worker'])} before it)"
        )
    out.append(
        "| the office's board opened in the program after its sync (whose worker works out "
        f"the slip clock first) | ≤ {ms(TARGETS['board'])} | " + " | ".join(cells) + " |"
    )
    out.append("")
    out.append("## Figures beside the naive way")
    out.append("")
    out.append(
        "| figure | engine | ours cold | ours warm | ours CPU cold / warm | naive cold "
        "| naive warm | ours ÷ naive (cold / warm) |"
    )
    out.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        e = r["engine"]
        load = r["load"]
        out.append(
            f"| office's first load: every replica's first sync ({load['pushed']:,} pushed) | {e} | "
            f"{ms(load['seconds'])} (push steps {ms(load['push_seconds'])}) | – | "
            f"{ms(load['cpu'])} | {ms(load['naive_seconds'])} | – | {ratio(load['seconds'], load['naive_seconds'])} "
            f"(push steps {ratio(load['push_seconds'], load['naive_seconds'])}) |"
        )
        for label, key in (
            ("station's week: sync (naive: upsert all, download all)", "week"),
            ("station's first pull (naive: one SELECT, one apply_pull)", "station_pull"),
            ("office's first pull (naive: one SELECT, one apply_pull)", "office_pull"),
            ("sync with nothing to do (naive: upsert all, download all)", "noop"),
        ):
            f = r[key]
            out.append(
                f"| {label} | {e} | {ms(f['real']['cold'])} | {ms(f['real']['warm'])} "
                f"(n={len(f['real']['runs']) - 1}) | {ms(f['cpu']['cold'])} / "
                f"{ms(f['cpu']['warm'])} | {ms(f['naive']['cold'])} | "
                f"{ms(f['naive']['warm'])} | {ratio(f['real']['cold'], f['naive']['cold'])} / "
                f"{ratio(f['real']['warm'], f['naive']['warm'])} |"
            )
        w = r["week"]["push"]
        out.append(
            f"| station's week: the push steps alone | {e} | {ms(w['cold'])} | {ms(w['warm'])} "
            "| – | – | – | – |"
        )
        f = r["noop_office"]
        out.append(
            f"| office's sync with nothing to do ({r['office_pull']['expected']:,} documents "
            f"held) | {e} | {ms(f['real']['cold'])} | {ms(f['real']['warm'])} | "
            f"{ms(f['cpu']['cold'])} / {ms(f['cpu']['warm'])} | – | – | – |"
        )
        b = r["board"]
        out.append(
            f"| overdue board on the office's store (naive: on the store the naive pull filled) "
            f"| {e} | {ms(b['real']['first_cold'])} (each pull's first: "
            f"{', '.join(ms(v) for v in b['real']['cold_runs'])}) | {ms(b['real']['warm'])} | – | "
            f"{ms(b['naive']['first_cold'])} | {ms(b['naive']['warm'])} | "
            f"{ratio(b['real']['first_cold'], b['naive']['first_cold'])} / "
            f"{ratio(b['real']['warm'], b['naive']['warm'])} |"
        )
    out.append("")
    out.append("## Where the time goes (seconds, summed per step of `sync()`)")
    out.append("")
    names = list(_STORE_STEPS + _SYNC_STEPS)
    out.append("| figure | engine | total | " + " | ".join(f"`{n}`" for n in names) + " |")
    out.append("|---|---|---|" + "---|" * len(names))
    for r in results:
        for label, total, spent in (
            ("first load (all replicas)", r["load"]["seconds"], r["load"]["steps"]),
            ("week, cold", r["week"]["real"]["cold"], r["week"]["steps_cold"]),
            ("week, last warm run", r["week"]["real"]["runs"][-1], r["week"]["steps"]),
            (
                "station's first pull, last run",
                r["station_pull"]["real"]["runs"][-1],
                r["station_pull"]["steps"],
            ),
            (
                "office's first pull, last run",
                r["office_pull"]["real"]["runs"][-1],
                r["office_pull"]["steps"],
            ),
            ("no-op sync, last run", r["noop"]["real"]["runs"][-1], r["noop"]["steps"]),
            (
                "office's no-op sync, last run",
                r["noop_office"]["real"]["runs"][-1],
                r["noop_office"]["steps"],
            ),
        ):
            out.append(
                f"| {label} | {r['engine']} | {total:.3f} | "
                + " | ".join(f"{spent[n]:.3f}" for n in names)
                + " |"
            )
    out.append("")
    out.append("## Checks")
    out.append("")
    for r in results:
        out.append(
            f"- {r['engine']}: the station's new store holds exactly the "
            f"{r['station_pull']['expected']:,} documents of its scope (computed from the corpus): "
            f"{mark(r['station_pull']['real_exact'])} real, {mark(r['station_pull']['naive_exact'])} naive; "
            f"the office's, all {r['office_pull']['expected']:,}: {mark(r['office_pull']['real_exact'])} real, "
            f"{mark(r['office_pull']['naive_exact'])} naive; both hubs hold the same documents after "
            f"the load ({r['load']['contents']['real']['docs']:,}) {mark(r['load']['same_contents'])} and "
            f"at the end ({r['hub_docs']:,}) {mark(r['same_contents_at_end'])}; week's verdicts "
            f"{r['week']['verdicts']}, pulled back {r['week']['pulled']}; no-op pushed "
            f"{r['noop']['pushed']}, pulled {r['noop']['pulled']}."
        )
    out.append("")
    out.append("## How")
    out.append("")
    out.append(METHOD.strip())
    out.append("")
    return "\n".join(out)


METHOD = """
- **Replicas**: the corpus's documents go to their writer's laptop (`writer_of`: a
  station's documents to the station, supervision checks and reminders to the office),
  each written as a compacted store, opened and enrolled (`Store.enroll`, one audit entry).
- **Ours** is `grassroots_tui.hub.sync.sync(store, hub, replica_id)` as `grassroots sync`
  runs it: the push (`Store.pending`, `Store.mark_sent`, `push`, `Store.record_push`),
  then the pull in pages of 2,000 (`pull_page`, `Store.apply_pull`, one journal save per
  page), then `last_pull_at`. Every journal save is fsync'd (the stores are on the same
  disk as the SQLite hub). The steps are timed by wrapping those functions for the run.
- **Naive upload**: every document the replica writes, serialised and sent every time in
  one transaction: `INSERT … ON CONFLICT (kind, id) DO UPDATE` of each row (executemany),
  new `hub_seq` numbers from the counter, no verdicts, nothing recorded in the store.
  **Naive download**: `SELECT body, hub_seq FROM doc WHERE scope IN (…)` of the whole
  scope, parsed, and one `Store.apply_pull` of all of it (the same checks of each
  revision's hash, one journal save).
- The naive path has its own hub (a second SQLite file, a second database on the same
  server) and its own copy of the station's store: its uploads renumber the station's rows,
  which would send them again to every replica pulling from the real hub.
- **First pulls**: a new store of the scope, a new replica enrolled, `sync()`: its one
  audit entry (the store's creation) is pushed, then every page pulled. Each run is a new
  laptop; the station's and the office's naive runs alternate with the real ones.
- **The week**: 500 new visits saved at the station (one transaction, untimed), the same
  ones at the naive copy, then `sync()` / naive upload + download.
- **The board**: `build_board(store, today=2026-11-26, calendar=OfficialCalendar())` on
  the office's new store right after `sync()` returns: cold is the first call after a pull
  (the store's derived views are built then), warm the median of the calls after it.
- PostgreSQL runs with tests/pg_server.py's settings (`fsync=off`,
  `synchronous_commit=off`, `shared_buffers=32MB`): a commit there costs less than on a
  real server; the SQLite hub is `journal_mode=WAL`, `synchronous=FULL`.
"""


# --- main --------------------------------------------------------------------------------------


def run(
    n: int,
    engines: list[str],
    seed: int,
    argv: list[str],
    *,
    command: str | None = None,
    output: Path = RESULTS,
) -> list[dict[str, Any]]:
    import os
    import platform
    from importlib.metadata import version

    from bench.run import machine

    started = time.perf_counter()
    load = os.getloadavg()
    log(f"building the corpus ({n:,} documents)…")
    docs = hub_corpus(n, seed)
    groups = by_writer(docs)
    log(f"corpus in {time.perf_counter() - started:.1f} s")
    results = []
    for name in engines:
        results.append(bench_engine(name, docs, DATA / f"hub-{name}"))
    info = machine()
    header = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command or "python -m bench.hub" + "".join(f" {a}" for a in argv),
        "machine": f"{info['cpus']}, {info['memory']}; {info['platform']}; data on {info['filesystem']}",
        "python": f"{info['python']}; {info['libraries']}",
        "psycopg": version("psycopg"),
        "n": n,
        "seed": seed,
        "replicas": len(groups),
        "load": " ".join(f"{x:.2f}" for x in load),
        "seconds": time.perf_counter() - started,
        "platform": platform.platform(),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(
        json.dumps({"header": header, "results": results}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    report = render(header, results)
    output.write_text(report, encoding="utf-8")
    log("\n" + report)
    log(f"written: {output}")
    return results


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.hub", description=__doc__)
    parser.add_argument("--n", type=int, default=BIG, help="documents at the hub (100000)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--render", action="store_true", help="write the .md again from the .json")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.output.with_suffix(".json").read_text(encoding="utf-8"))
        args.output.write_text(render(saved["header"], saved["results"]), encoding="utf-8")
        return
    DATA.mkdir(exist_ok=True)
    run(args.n, args.engines.split(","), args.seed, argv, output=args.output)


if __name__ == "__main__":
    main()
