"""The statistics benchmark's SQLite queries give the same figures as ``month_stats`` on
the same documents (1k corpus). No timing is asserted: the benchmark itself is
``python -m bench.run --only stats``.
"""

from __future__ import annotations

import pytest

from bench import engines, stats_bench
from bench.corpus import CORPUS_STAMP, CORPUS_TODAY, make_corpus
from grassroots_tui.services.statistics import month_stats

N = 1000
CORE = (
    "households_registered",
    "households_visited_cumulative",
    "visits_month",
    "slips_issued_cumulative",
    "media_reports_cumulative",
)


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stats-bench")
    stats_bench.prepare(folder, make_corpus(N, seed=2026), CORPUS_STAMP)
    store = engines.open_ours(engines.engine_path(folder, "ours"), readonly=True)
    conn = engines.sqlite_connect(engines.engine_path(folder, "sqlite"))
    yield store, conn
    conn.close()
    store.close()


# The corpus's month, one earlier in the year, and January (cumulative = month).
MONTHS = [(CORPUS_TODAY.year, CORPUS_TODAY.month), (CORPUS_TODAY.year, 6), (CORPUS_TODAY.year, 1)]


@pytest.mark.parametrize(("year", "month"), MONTHS)
def test_sqlite_core_figures_equal_month_stats(opened, year, month):
    store, conn = opened
    ours = month_stats(store, year=year, month=month).total
    sql = stats_bench.sqlite_figures(conn, year, month)
    assert {k: sql[k] for k in CORE} == {k: getattr(ours, k) for k in CORE}


@pytest.mark.parametrize(("year", "month"), MONTHS)
def test_every_compared_figure_equal(opened, year, month):
    store, conn = opened
    ours = stats_bench.our_figures(month_stats(store, year=year, month=month))
    assert stats_bench.sqlite_figures(conn, year, month) == ours


def test_the_corpus_month_is_not_empty(opened):
    """The comparison means something: the corpus's month has visits and slips."""
    store, conn = opened
    sql = stats_bench.sqlite_figures(conn, CORPUS_TODAY.year, CORPUS_TODAY.month)
    assert sql["households_registered"] > 0
    assert sql["visits_month"] > 0
    assert sql["slips_issued_cumulative"] > 0
    assert sql["issues_raised_cumulative"] > 0
