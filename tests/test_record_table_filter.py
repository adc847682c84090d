"""Type-to-filter: narrowing the last result gives what a search of every row gives."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.tui.widgets.record_table import Row, _Filtered, filter_rows

WORDS = ["hl01", "hl02", "张桂兰", "zgl", "走访", "夜访", "2026-11", "2025-03", "wxy"]


def _rows(seed: int, count: int = 300) -> list[Row]:
    rng = random.Random(seed)
    return [
        Row(f"r{i}", [str(i)], " ".join(rng.sample(WORDS, rng.randint(1, 4)))) for i in range(count)
    ]


def test_every_word_must_match() -> None:
    rows = [Row("a", ["a"], "hl01 走访 zgl"), Row("b", ["b"], "hl02 走访")]
    assert [r.id for r in filter_rows(rows, "走访 HL01")] == ["a"]
    assert [r.id for r in filter_rows(rows, "  ")] == ["a", "b"]
    assert filter_rows(rows, "夜访") == []


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 50),
    keys=st.lists(st.sampled_from(list("hl0102 zgwxy走访夜-") + ["\b"] * 4), max_size=25),
)
def test_typing_and_backspacing_match_a_fresh_search(seed: int, keys: list[str]) -> None:
    rows = _rows(seed)
    filtered = _Filtered()
    query = ""
    for key in keys:
        query = query[:-1] if key == "\b" else query + key
        assert [r.id for r in filtered(rows, query)] == [r.id for r in filter_rows(rows, query)]


def test_a_narrower_query_searches_only_the_last_matches() -> None:
    rows = _rows(1)
    filtered = _Filtered()
    wide = filtered(rows, "hl0")
    searched: list[str] = []

    class Spy(str):
        def __contains__(self, word: str) -> bool:  # noqa: D105
            searched.append(word)
            return str.__contains__(self, word)

    for row in rows:
        row.search = Spy(row.search)
    narrow = filtered(rows, "hl01")
    assert len(searched) == len(wide) < len(rows)  # only the earlier matches were searched
    assert {r.id for r in narrow} <= {r.id for r in wide}
