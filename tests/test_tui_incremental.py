"""A list reloads in place after its own kind changed: only the changed rows are rebuilt.

The visits list of a street office holds 50,000 rows; rebuilding all of them after each
saved visit took seconds (bench/RESULTS.md). After a change to visits alone the screen
rebuilds the rows of the changed visits; a change to what the rows are made from
(households, staff, stations) rebuilds everything.
"""

from __future__ import annotations

import datetime as dt
import shutil
from bisect import insort_right
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.models import Household, Visit
from grassroots_tui.tui.screens.base import _take_out
from grassroots_tui.tui.screens.visits import VisitsScreen
from grassroots_tui.tui.widgets.record_table import Row
from tests import factories
from tests.tui_fixtures import WORKER_ID, build_store, make_app, open_store, settle, sign_in

SIZE = (100, 30)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    shutil.copytree(template.parent, tmp_path / "data")
    store = open_store(tmp_path / "data" / template.name)
    yield store
    store.close()


def _ids(screen) -> list[str]:
    return [row.id for row in screen.table.rows]


async def test_saved_visits_are_put_in_place_and_a_household_change_rebuilds(
    store, monkeypatch
) -> None:
    builds: list[int] = []
    original = VisitsScreen.build

    def counting(self):
        builds.append(1)
        return original(self)

    monkeypatch.setattr(VisitsScreen, "build", counting)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        screen = app.screen
        assert len(builds) == 1
        before = _ids(screen)

        new = store.save(
            factories.visit("hh-01", WORKER_ID, id="visit-new", date=dt.date(2026, 11, 25)),
            actor="test",
        )
        store.delete("visit", "visit-1", actor="test")
        screen.reload(keep=new.id)
        await settle(pilot)
        assert len(builds) == 1  # in place, no full build
        assert _ids(screen)[0] == "visit-new"  # newest first
        assert "visit-1" not in _ids(screen)
        assert sorted(_ids(screen)) == sorted(
            [*before, "visit-new"][:0] + [i for i in [*before, "visit-new"] if i != "visit-1"]
        )
        assert screen.table.current_id == "visit-new"
        assert "2026-11-25" in str(screen.table.shown[0].cells[0])

        # A household renamed: its rows show the new (masked) name after a full build.
        household = store.get(Household, "hh-01")
        store.save(household.model_copy(update={"head_of_household": "欧阳新名"}), actor="test")
        screen.reload()
        await settle(pilot)
        assert len(builds) == 2
        heads = {row.id: str(row.cells[4]) for row in screen.table.rows}
        assert heads["visit-new"] == "欧阳**"


async def test_the_same_rows_come_from_an_in_place_reload_and_a_full_build(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        screen = app.screen
        for day in (3, 9, 27):
            store.save(
                factories.visit("hh-06", WORKER_ID, date=dt.date(2026, 11, day)), actor="test"
            )
        screen.reload()
        await settle(pilot)
        in_place = [(r.id, [str(c) for c in r.cells], r.search) for r in screen.table.rows]
        rows, _extra = screen.build()
        full = [(r.id, [str(c) for c in r.cells], r.search) for r in rows]
        assert in_place == full
        assert len(full) >= 6


async def test_signing_out_and_in_again_builds_the_list_for_the_next_operator(
    store, monkeypatch
) -> None:
    from grassroots_tui.tui.screens.signin import SignInScreen

    builds: list[str] = []
    original = VisitsScreen.build

    def counting(self):
        builds.append(self.session.operator.id)
        return original(self)

    monkeypatch.setattr(VisitsScreen, "build", counting)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.check_action("switch_section", ("slips",)) is False
        await sign_in(pilot, staff_id=WORKER_ID, pin="")
        await settle(pilot)
        assert builds[-1] == WORKER_ID  # not the rows kept from the head's session
        assert app.session.operator.id == WORKER_ID
        assert app.check_action("switch_section", ("slips",)) is True


async def test_the_section_bar_names_whoever_signed_in_last(store) -> None:
    from grassroots_tui.tui.widgets.section_bar import SectionBar

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert "李敏" in str(app.screen.query_one(SectionBar).render_bar())
        app.action_sign_out()
        await settle(pilot)
        await sign_in(pilot, staff_id=WORKER_ID, pin="")
        await settle(pilot)
        shown = str(app.screen.query_one(SectionBar).content)
        assert "张三" in shown and "李敏" not in shown


async def test_a_visit_whose_date_changed_moves_to_its_place(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        screen = app.screen
        newest_first = _ids(screen)
        oldest = newest_first[-1]
        visit = store.get(Visit, oldest)
        store.save(visit.model_copy(update={"date": dt.date(2026, 11, 26)}), actor="test")
        screen.reload(keep=oldest)
        await settle(pilot)
        assert _ids(screen)[0] == oldest
        assert sorted(_ids(screen)) == sorted(newest_first)
        dates = [str(row.cells[0]) + str(row.cells[1]) for row in screen.table.rows]
        assert dates == sorted(dates, reverse=True)
        rows, _extra = screen.build()
        assert [r.id for r in rows] == _ids(screen)


@settings(max_examples=150, deadline=None)
@given(
    keys=st.lists(st.integers(0, 9), max_size=40),
    changes=st.lists(st.tuples(st.integers(0, 60), st.integers(-1, 9)), max_size=30),
)
def test_rows_taken_out_and_put_back_stay_in_order(keys, changes) -> None:
    """What an in-place reload does to the ordered rows gives what sorting them gives."""
    by_id = {f"r{i}": Row(f"r{i}", [], "", (k,)) for i, k in enumerate(keys)}
    key = lambda row: row.sort  # noqa: E731
    ordered = sorted(by_id.values(), key=key)
    for number, new_key in changes:  # -1: deleted; otherwise its new sort value
        doc_id = f"r{number}"
        old = by_id.pop(doc_id, None)
        if old is not None:
            assert _take_out(ordered, old, key)
        if new_key >= 0:
            by_id[doc_id] = row = Row(doc_id, [], "", (new_key,))
            insort_right(ordered, row, key=key)
    assert [key(r) for r in ordered] == sorted(key(r) for r in by_id.values())
    assert sorted(r.id for r in ordered) == sorted(by_id)
    assert all(by_id[r.id] is r for r in ordered)


def test_a_row_not_where_its_key_says_is_reported() -> None:
    rows = [Row("a", [], "", (1,)), Row("b", [], "", (2,))]
    stranger = Row("c", [], "", (1,))
    assert not _take_out(rows, stranger, lambda r: r.sort)
    assert [r.id for r in rows] == ["a", "b"]
