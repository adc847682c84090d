"""A store written before slips had dated steps (schema version 1: each slip kept its own
state, number and dates) opens, is backed up first, and is upgraded in one go: every
figure of every month and the overdue board on every day are the same before and after
(issue 16, "Existing stores migrate")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bench.version_one import NEW_STEPS, DictStore, version_one
from grassroots_tui.demo import build_demo
from grassroots_tui.services import slips as S
from grassroots_tui.services.slip_board import board_json, build_board
from grassroots_tui.services.slips.clock import timelines, views
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from grassroots_tui.store.store import write_compacted_store

TODAY = dt.date(2026, 11, 26)
CAL = OfficialCalendar()


def version_one_tables() -> dict[str, dict[str, dict[str, Any]]]:
    """The demo as the previous version wrote it: each slip with its own state, number,
    dates and withdrawal reason, and no issue, acceptance, close or withdrawal records
    (:func:`bench.version_one.version_one`, which the benchmark corpus's comparison,
    bench/migration.py, uses too)."""
    docs = build_demo(TODAY, seed=7, scale=0.3)
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        tables.setdefault(doc.KIND, {})[doc.id] = doc.to_json()
    return version_one(tables)


def figures(store: Any) -> dict[str, Any]:
    """Every figure of every month of the year, and the board on every day of a quarter."""
    out: dict[str, Any] = {}
    for month in range(1, 12):
        stats = month_stats(store, year=2026, month=month, calendar=CAL, today=TODAY)
        out[f"2026-{month:02d}"] = [(row.name, row.figures) for row in stats.rows]
    day = TODAY - dt.timedelta(days=90)
    while day <= TODAY + dt.timedelta(days=20):
        out[day.isoformat()] = board_json(build_board(store, today=day, calendar=CAL))
        day += dt.timedelta(days=1)
    return out


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory):
    tables = version_one_tables()
    before = figures(DictStore(tables))
    folder = tmp_path_factory.mktemp("v1")
    write_compacted_store(folder / "g.json", tables)
    store = Store.open(folder / "g.json", daily_backup=False)
    yield tables, before, store, folder
    store.close()


def test_the_version_one_store_has_slips_in_every_state(upgraded) -> None:
    tables, _before, _store, _folder = upgraded
    states = {s["state"] for s in tables["handoff_slip"].values()}
    assert {"drafted", "issued", "accepted", "replied", "closed", "returned"} <= states
    assert {"withdrawn", "extended", "redo"} <= states
    assert not any(kind in tables for kind in NEW_STEPS)


def test_every_figure_and_every_board_is_the_same_after_the_upgrade(upgraded) -> None:
    _tables, before, store, _folder = upgraded
    after = figures(store)
    assert after.keys() == before.keys()
    differing = [key for key in before if before[key] != after[key]]
    assert not differing, differing[:5]


def test_the_upgrade_moves_what_a_slip_kept_into_legacy(upgraded) -> None:
    tables, _before, store, _folder = upgraded
    for slip_id, old in tables["handoff_slip"].items():
        new = store.get_raw("handoff_slip", slip_id)
        assert new is not None and new["schema_version"] == 2
        assert "state" not in new and "number" not in new
        assert new["legacy"]["state"] == old["state"]
        assert new["legacy"]["number"] == old["number"]
        view = S.get_slip(store, slip_id)
        assert (view.state.value, view.number) == (old["state"], old["number"])
    assert not any(line.disagrees for line in timelines(store, CAL).values())


def test_the_upgrade_keeps_a_backup_first(upgraded) -> None:
    _tables, _before, _store, folder = upgraded
    kept = list((folder / "g.json.backups").glob("*pre-migration*"))
    assert kept, "a backup is written before the upgrade"


def test_an_upgraded_slip_takes_new_steps_as_dated_documents(upgraded) -> None:
    _tables, _before, store, _folder = upgraded
    opened = [
        v
        for v in views(store, CAL).values()
        if v.state.value == "issued" and v.number and v.issue_date
    ]
    slip = opened[0]
    S.accept(store, slip.id, on=TODAY, actor="测试")
    assert S.get_slip(store, slip.id).state.value == "accepted"
    assert [d["accepted_on"] for d in store.raw("slip_accept") if d["slip_id"] == slip.id] == [
        TODAY.isoformat()
    ]
    # The slip document itself is not written by the step: the issuer's stays as it was.
    assert store.get_raw("handoff_slip", slip.id)["legacy"]["state"] == "issued"


def test_the_figures_do_not_depend_on_the_path_taken(tmp_path: Path) -> None:
    """The demo as this version writes it (with dated steps) gives the same overdue
    board as its version-one form, on the demo's day."""
    docs = build_demo(TODAY, seed=7, scale=0.3)
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        tables.setdefault(doc.KIND, {})[doc.id] = doc.to_json()
    today_board = board_json(build_board(DictStore(tables), today=TODAY, calendar=CAL))
    old_board = board_json(build_board(DictStore(version_one_tables()), today=TODAY, calendar=CAL))
    assert today_board == old_board and today_board
