"""The hub benchmark (``python -m bench.hub``, 100,000 documents; bench/RESULTS-hub.md)
runs the same code here at a small size, on an SQLite hub file and on the session's
PostgreSQL: it finishes, and its figures are of the right things. The stores filled by
the real and the naive pulls hold exactly the documents of their scope, computed from the
corpus's own fields; the real and the naive hubs hold the same documents after the load
and after the weeks; the week pushes its 500 new documents and a sync with nothing to do
pushes and pulls nothing. No timing is asserted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench import hub as bench_hub
from grassroots_tui.models.base import OFFICE

N = 3000
WARM = 1


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return bench_hub.hub_corpus(N)


def test_the_corpus_is_exact_and_stamped(docs: list[dict[str, Any]]) -> None:
    assert len(docs) == N
    assert len({(d["kind"], d["id"]) for d in docs}) == N
    assert all(d["writer"] and len(d["rev_hash"]) == 64 for d in docs)
    groups = bench_hub.by_writer(docs)
    assert next(iter(groups)) == OFFICE and len(groups) >= 2
    station = next(w for w in groups if w != OFFICE)
    scope = bench_hub.expected_ids(docs, station)
    # The station's scope is its own documents, the office's about it, and the stations.
    assert (
        {(d["kind"], d["id"]) for d in groups[station]}
        < scope
        < {(d["kind"], d["id"]) for d in docs}
    )


def check(result: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    station = next(w for w in bench_hub.by_writer(docs) if w != OFFICE)
    weeks = 1 + WARM
    load = result["load"]
    assert load["pushed"] == N and load["naive_sent"] == N
    assert load["same_contents"] and load["contents"]["real"]["docs"] == N
    for key, who in (("station_pull", station), ("office_pull", None)):
        figure = result[key]
        assert figure["expected"] == len(bench_hub.expected_ids(docs, who))
        assert figure["real_exact"] and figure["naive_exact"]
        assert len(figure["real"]["runs"]) == len(figure["naive"]["runs"]) >= 2
    assert result["office_pull"]["expected"] == N
    assert result["week"]["verdicts"] == {"new": bench_hub.WEEK}
    for noop in ("noop", "noop_office"):
        assert result[noop]["pushed"] == 0 and result[noop]["pulled"] == 0
    assert result["same_contents_at_end"]
    assert result["hub_docs"] == N + weeks * bench_hub.WEEK
    for figure in ("week", "noop"):
        assert len(result[figure]["real"]["runs"]) == len(result[figure]["naive"]["runs"]) == weeks
    board = result["board"]
    assert len(board["real"]["warm_runs"]) == WARM and board["real"]["first_cold"] > 0
    # The report renders from these figures.
    header = {
        "date": "-",
        "command": "pytest",
        "machine": "-",
        "python": "-",
        "psycopg": "-",
        "n": N,
        "seed": 0,
        "replicas": 2,
        "load": "-",
        "seconds": 0,
    }
    text = bench_hub.render(header, [result])
    assert "## Targets" in text and result["engine"] in text


def run_engine(engine: str, docs: list[dict[str, Any]], folder: Path, server: Any = None):
    return bench_hub.bench_engine(
        engine, docs, folder, warm=WARM, pull_warm=1, say=lambda _text: None, server=server
    )


def test_the_bench_on_an_sqlite_hub(docs: list[dict[str, Any]], tmp_path: Path) -> None:
    result = run_engine("sqlite", docs, tmp_path / "hub")
    check(result, docs)
    assert result["version"].startswith("SQLite")
    assert not (tmp_path / "hub").exists()  # it cleans up


def test_the_bench_on_postgresql(
    docs: list[dict[str, Any]], tmp_path: Path, postgres_server: Any
) -> None:
    result = run_engine("postgresql", docs, tmp_path / "hub", server=postgres_server)
    check(result, docs)
    assert result["version"].startswith("PostgreSQL")


def test_the_naive_upload_leaves_what_the_push_leaves(
    docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Both ways to fill a hub, side by side at the smallest size: same documents, and
    each replica's rows named by the replica that sent them."""
    small = docs[:400]
    engine = bench_hub.Engine("sqlite", tmp_path)
    real, naive = engine.open_hub("real"), engine.open_hub("naive")
    from grassroots_tui.hub.replicas import enroll_replica
    from grassroots_tui.hub.sync import sync

    for writer, own in bench_hub.by_writer(small).items():
        scope = bench_hub.scope_of_writer(writer)
        store = bench_hub.write_replica(tmp_path / f"{writer}.json", own, scope)
        sync(store, real, enroll_replica(real, scope, by="t")[0].id)
        bench_hub.naive_upload(naive, enroll_replica(naive, scope, by="t")[0], store)
        store.close()
    assert bench_hub.hub_contents(real) == bench_hub.hub_contents(naive)
    assert bench_hub.hub_contents(real)["docs"] == len(small)
    writers = Counter(w for (w,) in naive.all("SELECT writer FROM doc"))
    assert writers == Counter(d["writer"] for d in small)
    real.close()
    naive.close()
