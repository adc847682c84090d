"""`grassroots demo --as office|CODE`: the demo as one machine of a street office sees it,
the others' documents read-only (issue 16: "the demo's office laptop and each station's
laptop can be made separately")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import Household
from grassroots_tui.services.slips.clock import views
from grassroots_tui.store import NotYourDocument, Store

TODAY = dt.date(2026, 11, 26)


def _open(path: Path) -> Store:
    return Store.open(path, daily_backup=False)


@pytest.mark.parametrize("who", ["HL01", "office"])
def test_each_machine_writes_only_its_own_documents(tmp_path: Path, who: str) -> None:
    path = tmp_path / f"{who}.json"
    assert main(["demo", "--db", str(path), "--today", TODAY.isoformat(), "--as", who]) == 0
    with _open(path) as store:
        stations = {s["code"]: s["id"] for s in store.raw("station")}
        mine = f"station:{stations['HL01']}" if who == "HL01" else "office"
        assert store.replica.scope == mine
        households = list(store.iter(Household))
        own = [h for h in households if store.may_write(h) is None]
        others = [h for h in households if store.may_write(h) is not None]
        if who == "HL01":
            assert own and all(h.station_id == stations["HL01"] for h in own)
            assert others and all(h.station_id == stations["HL02"] for h in others)
        else:  # the office writes its own documents; the stations' households are theirs
            assert not own and len(others) == len(households)
        # Another's document is shown, never changed: the store refuses and names whose.
        before = store.get_raw("household", others[0].id)
        with pytest.raises(NotYourDocument, match="只能查看"):
            store.save(others[0].model_copy(update={"address": "别处"}), "测试")
        assert store.get_raw("household", others[0].id) == before
        # Slips of both stations are all there, as if pulled from the hub.
        assert {v.station_id for v in views(store, None).values()} >= set(stations.values())
    assert main(["check", "--db", str(path)]) == 0


def test_an_unknown_station_is_refused_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    path = tmp_path / "x.json"
    assert main(["demo", "--db", str(path), "--today", TODAY.isoformat(), "--as", "XX"]) == 2
    assert "没有站点代码为“XX”的群工站" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
