"""Deterministic benchmark corpora: exactly ``n`` stored documents taken from the demo.

:func:`make_corpus` builds the demo (:func:`grassroots_tui.demo.build_demo`) at a
scale of at least 1.0 and large enough to hold ``n`` documents, then keeps exactly ``n``
of them by stratified sampling: every kind keeps its share of the demo (quotas by the
largest-remainder method), and within a kind the documents kept are the first ones of a
seeded shuffle. The documents come back in the demo's order, as the dicts the store
holds after saving them (``rev`` 1, ``created_*``/``updated_*`` stamped), so they are
written to disk directly without going through ``Store.save`` one by one.

Same ``n`` and ``seed`` → identical documents, ids included.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time
from typing import Any

from grassroots_tui.demo import CST, build_demo
from grassroots_tui.models import KINDS, Document
from grassroots_tui.models.slip import HandoffSlip, LegacySlipState
from grassroots_tui.services.slips.clock import OPEN_STATES, views

#: The day the corpus is built for, and the "today" of the overdue-slip query.
CORPUS_TODAY = date(2026, 11, 26)
DEFAULT_SEED = 2026
#: Who and when the pre-built documents were "saved" (what ``Store.save`` would stamp).
CORPUS_ACTOR = "基准测试"
CORPUS_STAMP = datetime.combine(CORPUS_TODAY, time(8, 0), tzinfo=CST).isoformat()

#: About how many documents the demo grows by per unit of scale (the stations, staff,
#: rosters and supervision stay fixed); only a first guess at the scale, which is checked.
_PER_SCALE = 2200

#: A slip is overdue when its due date is before today and it is in one of these states:
#: the open states of the app's slip clock (services/slips/clock.py), so that withdrawn,
#: returned and drafted slips are not counted (the definition every engine uses).
OPEN_STATE_VALUES = tuple(sorted(state.value for state in OPEN_STATES))


def stamped(doc: Document, actor: str = CORPUS_ACTOR, at: str = CORPUS_STAMP) -> dict[str, Any]:
    """The dict the store holds after ``doc`` was created by ``actor`` at ``at``."""
    data = doc.to_json()
    data["rev"] = 1
    data["created_at"] = at
    data["created_by"] = actor
    data["updated_at"] = at
    data["updated_by"] = actor
    data["schema_version"] = KINDS[doc.KIND].SCHEMA_VERSION
    return data


def _quotas(counts: dict[str, int], n: int) -> dict[str, int]:
    """Exactly ``n`` split over the kinds in proportion to ``counts`` (largest remainder)."""
    total = sum(counts.values())
    exact = {kind: n * count / total for kind, count in counts.items()}
    quotas = {kind: int(value) for kind, value in exact.items()}
    short = n - sum(quotas.values())
    # Largest fractional part first; the kind name breaks ties so the order is stable.
    for kind in sorted(exact, key=lambda k: (quotas[k] - exact[k], k))[:short]:
        quotas[kind] += 1
    return quotas


def demo_for(n: int, seed: int = DEFAULT_SEED) -> list[Document]:
    """The demo documents at the smallest scale (≥ 1.0, tried in steps) holding ``n``."""
    scale = max(1.0, round(n / _PER_SCALE, 2))
    while True:
        docs = build_demo(CORPUS_TODAY, seed=seed, scale=scale)
        if len(docs) >= n:
            return docs
        scale = round(scale * 1.05 + 0.05, 2)


#: Steps the corpus leaves out: each slip keeps where it stands in its ``legacy`` block,
#: as a store upgraded from schema version 1 does, so that a sample of the documents
#: (drawn kind by kind) never splits a slip from the step that says it was issued, and
#: every engine reads the same state and due date from the slip itself.
_STEPS_KEPT_ON_THE_SLIP = ("slip_issue", "slip_accept", "slip_close", "slip_withdrawal")


def _slips_as_upgraded(docs: list[Document]) -> list[Document]:
    """The demo with each slip's state, number and dates in its ``legacy`` block and
    without the steps that now record them (see :data:`_STEPS_KEPT_ON_THE_SLIP`)."""
    tables: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for doc in docs:
        tables[doc.KIND][doc.id] = doc.to_json()

    class _Tables:
        def raw(self, kind: str) -> list[dict[str, Any]]:
            return list(tables.get(kind, {}).values())

    now = views(_Tables(), None)
    out: list[Document] = []
    for doc in docs:
        if doc.KIND in _STEPS_KEPT_ON_THE_SLIP:
            continue
        if isinstance(doc, HandoffSlip):
            view = now[doc.id]
            doc = doc.model_copy(
                update={
                    "legacy": LegacySlipState(
                        state=view.state,
                        number=view.number,
                        issue_date=view.issue_date,
                        due_date=view.due_date,
                        original_due_date=view.original_due_date,
                        withdraw_reason=view.withdraw_reason,
                    )
                }
            )
        out.append(doc)
    return out


def make_corpus(n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Exactly ``n`` stored documents (dicts), deterministic for ``(n, seed)``."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    # The steps left out make the demo smaller than it was chosen to be: ask for more
    # until there are n documents without them.
    wanted = n
    docs = _slips_as_upgraded(demo_for(wanted, seed))
    while len(docs) < n:
        wanted = max(wanted + 1, -(-wanted * n // len(docs)))
        docs = _slips_as_upgraded(demo_for(wanted, seed))
    by_kind: dict[str, list[int]] = defaultdict(list)
    for index, doc in enumerate(docs):
        by_kind[doc.KIND].append(index)
    quotas = _quotas({kind: len(indexes) for kind, indexes in by_kind.items()}, n)
    keep: list[int] = []
    for kind in sorted(by_kind):
        indexes = list(by_kind[kind])
        random.Random(f"{seed}:{n}:{kind}").shuffle(indexes)
        keep.extend(indexes[: quotas[kind]])
    keep.sort()
    return [stamped(docs[index]) for index in keep]


def fresh_visits(count: int, seed: int = DEFAULT_SEED) -> list[Document]:
    """``count`` realistic new visits (model objects, never saved) for the save benchmark.

    They come from a demo built with another seed, so their ids are not in any corpus.
    """
    docs = build_demo(CORPUS_TODAY, seed=seed + 7919, scale=max(0.2, count / 500))
    visits = [doc for doc in docs if doc.KIND == "visit"]
    if len(visits) < count:  # pragma: no cover - about 1.6 visits per one asked for
        raise ValueError(f"only {len(visits)} visits for {count} saves")
    random.Random(seed).shuffle(visits)
    return visits[:count]


def kind_counts(docs: list[dict[str, Any]]) -> Counter:
    return Counter(doc["kind"] for doc in docs)


def is_overdue(doc: dict[str, Any], today: str) -> bool:
    """The overdue test on a stored slip dict (its ``legacy`` block: see
    :func:`make_corpus`); ``today`` is an ISO date string."""
    kept = doc.get("legacy") or {}
    due = kept.get("due_date")
    return due is not None and due < today and kept.get("state") in OPEN_STATE_VALUES


def expected_overdue(docs: list[dict[str, Any]], today: date = CORPUS_TODAY) -> set[str]:
    """The ids of the overdue slips in a corpus, computed directly (the reference answer)."""
    iso = today.isoformat()
    return {d["id"] for d in docs if d["kind"] == "handoff_slip" and is_overdue(d, iso)}
