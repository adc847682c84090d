"""The snapshot parser pauses the garbage collector and leaves it as it found it."""

from __future__ import annotations

import gc

import orjson

from grassroots_tui.store.files import parse_without_gc


def test_parse_without_gc_restores_the_collector_state() -> None:
    data = orjson.dumps({"household": {str(n): {"n": n, "tags": ["低保"]} for n in range(100)}})
    assert gc.isenabled()
    assert parse_without_gc(data)["household"]["7"] == {"n": 7, "tags": ["低保"]}
    assert gc.isenabled()
    gc.disable()
    try:
        parse_without_gc(data)
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
    gc.unfreeze()
