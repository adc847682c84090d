"""Property: any valid document round-trips through the store unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots_tui.store import Store
from tests.test_models_properties import assistances, households, leave_requests, slips, visits

#: What the store fills in itself (the writer and the sync fields too: see test_store_replica).
BOOKKEEPING = {
    "rev",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "schema_version",
    "writer",
    "deleted",
    "rev_hash",
    "acked_hash",
}


def _content(doc) -> dict:
    return {k: v for k, v in doc.to_json().items() if k not in BOOKKEEPING}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(
        st.one_of(households(), visits(), slips(), assistances(), leave_requests()),
        min_size=1,
        max_size=6,
        unique_by=lambda d: d.id,
    )
)
def test_valid_documents_round_trip_through_the_store(docs) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "s.json"
        with Store.open(db, daily_backup=False) as store:
            store.save_many(docs, actor="测试")
            for doc in docs:
                assert _content(store.get(doc.KIND, doc.id)) == _content(doc)
        # ...and after the journal is folded into the snapshot and read back.
        with Store.open(db, readonly=True) as store:
            for doc in docs:
                got = store.get(doc.KIND, doc.id)
                assert _content(got) == _content(doc)
                assert got == type(doc).model_validate(got.to_json())
