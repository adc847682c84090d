"""The benchmark corpus is deterministic, exact and valid, and the three engines the
benchmarks compare answer the overdue-slip query alike. No timing is asserted here:
the benchmarks themselves are ``make bench``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench import engines
from bench.corpus import (
    CORPUS_STAMP,
    CORPUS_TODAY,
    _slips_as_upgraded,
    demo_for,
    expected_overdue,
    fresh_visits,
    kind_counts,
    make_corpus,
)
from grassroots_tui.models import KINDS
from grassroots_tui.models.errors import validate_document

N = 1000


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return make_corpus(N, seed=2026)


def test_same_seed_gives_identical_documents(corpus):
    assert make_corpus(N, seed=2026) == corpus


def test_another_seed_gives_other_documents(corpus):
    other = make_corpus(N, seed=7)
    assert len(other) == N
    assert {d["id"] for d in other} != {d["id"] for d in corpus}


@pytest.mark.parametrize("n", [1, 17, 999, 1000, 2500, 6000])
def test_exactly_n_documents_with_unique_ids(n):
    docs = make_corpus(n, seed=3)
    assert len(docs) == n
    assert len({d["id"] for d in docs}) == n


def test_every_document_validates_as_stored(corpus):
    for doc in corpus:
        model = validate_document(doc)
        assert model.KIND == doc["kind"]
        assert doc["rev"] == 1
        assert doc["created_at"] == CORPUS_STAMP
        assert doc["schema_version"] == KINDS[doc["kind"]].SCHEMA_VERSION


def test_proportions_of_the_demo_are_kept(corpus):
    counts = kind_counts(corpus)
    assert counts["visit"] > 0 and counts["household"] > 0 and counts["handoff_slip"] > 0
    source = Counter(doc.KIND for doc in _slips_as_upgraded(demo_for(N, seed=2026)))
    total = sum(source.values())
    for kind, count in source.items():
        expected = N * count / total
        assert abs(counts[kind] - expected) <= 1, kind
    # The biggest kinds stay the biggest.
    assert counts.most_common(1)[0][0] == source.most_common(1)[0][0]


def test_fresh_visits_are_new_and_valid(corpus):
    visits = fresh_visits(25)
    assert len(visits) == 25
    assert all(v.KIND == "visit" for v in visits)
    assert not {v.id for v in visits} & {d["id"] for d in corpus}
    assert [v.id for v in fresh_visits(25)] == [v.id for v in visits]


def test_the_three_engines_agree_on_overdue_slips(corpus, tmp_path):
    sizes = engines.write_all(tmp_path, corpus, CORPUS_STAMP)
    assert all(size > 0 for size in sizes.values())
    today = CORPUS_TODAY.isoformat()
    expected = expected_overdue(corpus)
    assert expected  # the demo always has overdue slips

    store = engines.open_ours(engines.engine_path(tmp_path, "ours"))
    db, tables = engines.open_tinydb(engines.engine_path(tmp_path, "tinydb"))
    conn, sql_tables = engines.open_sqlite(engines.engine_path(tmp_path, "sqlite"))
    try:
        assert engines.count_docs(store.tables) == N
        assert engines.count_docs(tables) == N
        assert engines.count_docs(sql_tables) == N
        assert engines.count_docs(engines.open_raw(engines.engine_path(tmp_path, "raw"))) == N
        assert not store._journal_has_records()  # opening the prebuilt store wrote nothing

        found = {
            "ours scan": engines.overdue_ours_scan(store, today),
            "ours tinydb": engines.overdue_ours_tinydb(store, today),
            "tinydb default": engines.overdue_tinydb(db, today),
            "sqlite": engines.overdue_sqlite(conn, today),
        }
        for name, docs in found.items():
            assert {d["id"] for d in docs} == expected, name
        assert "slips_due" in engines.sqlite_plan(conn, today)
    finally:
        conn.close()
        db.close()
        store.close()


def test_the_benchmark_counts_overdue_as_the_app_does(corpus, tmp_path):
    """The engines' plain query (stored state and due date) finds exactly the slips the
    app's slip clock calls overdue on the corpus day: the same definition, so that the
    figures compare like with like (withdrawn and returned slips are not overdue)."""
    from grassroots_tui.services.slips.clock import timelines
    from grassroots_tui.services.workcalendar import OfficialCalendar

    engines.write_all(tmp_path, corpus, CORPUS_STAMP)
    store = engines.open_ours(engines.engine_path(tmp_path, "ours"))
    try:
        lines = timelines(store, OfficialCalendar())
        by_clock = {i for i, line in lines.items() if line.overdue_on(CORPUS_TODAY)}
        states = {d["legacy"]["state"] for d in corpus if d["kind"] == "handoff_slip"}
        assert {"withdrawn", "returned"} <= states  # the corpus has slips to leave out
        assert expected_overdue(corpus) == by_clock
    finally:
        store.close()
