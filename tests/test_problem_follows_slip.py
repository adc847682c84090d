"""A visit problem's state follows the slip drafted from it (issue 15 §4): closed, it is
后续解决 dated the day it was closed (what the statistics count as resolved); sent back for redo,
已交办 with no date again; withdrawn, 待办. Each in the same transaction as the slip's
step. A problem solved on the spot is saved with the visit's date."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from grassroots_tui.models import (
    ProblemItem,
    ProblemState,
    Satisfaction,
    SlipState,
    Visit,
)
from grassroots_tui.models.errors import validate_model
from grassroots_tui.services import slips as S
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.services.visits import save_visit
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests import stats_reference
from tests.factories import household, station, visit

CAL = OfficialCalendar()
SEEN_ON = dt.date(2026, 10, 28)
ISSUED_ON = dt.date(2026, 10, 29)
REPLIED_ON = dt.date(2026, 10, 31)
CALLED_ON = dt.date(2026, 11, 3)
LATER = dt.date(2026, 11, 4)


def ticking_clock(start: dt.datetime = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)):
    minutes = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(minutes))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "g.json", clock=ticking_clock(), daily_backup=False)
    s.save_many([station(), household()], actor="setup")
    yield s
    s.close()


def raised(store: Store, on: dt.date = SEEN_ON) -> Visit:
    home = store.raw("household")[0]
    made = visit(
        home["id"],
        date=on,
        problems=[ProblemItem(id="p1", category="城市管理", description="楼下占道经营")],
    )
    return store.save(made, actor="队员甲")


def handed_off(store: Store, made: Visit, on: dt.date = ISSUED_ON):
    draft = S.draft_from_problem(store, made.id, "p1")
    saved = S.save_draft(store, draft.model_copy(update={"handling_unit": "城管中队"}), "队员甲")
    return S.issue(store, saved.id, on=on, actor="站长", calendar=CAL)


def do_reply(store: Store, slip_id: str, on: dt.date = REPLIED_ON):
    return S.reply(
        store,
        slip_id,
        reply_date=on,
        result="已劝离",
        policy_basis="",
        handler="王队长",
        signer=None,
        actor="站长",
    )


def do_callback(store: Store, slip_id: str, how: Satisfaction, on: dt.date = CALLED_ON):
    return S.callback(
        store, slip_id, on=on, satisfaction=how, by="队员甲", note="", actor="站长", calendar=CAL
    )


def _last_step_entry(store: Store) -> dict:
    """The audit entry of the newest slip step (its own document since schema 2)."""
    steps = ("slip_close", "slip_callback", "slip_withdrawal", "slip_issue", "reply")
    return [e for e in store.raw("audit_entry") if e.get("target_kind") in steps][-1]


def problem_of(store: Store, made: Visit) -> ProblemItem:
    return store.get(Visit, made.id).problems[0]


def test_closing_solves_the_problem_on_the_closing_day_in_the_same_transaction(
    store: Store,
) -> None:
    made = raised(store)
    slip = do_reply(store, handed_off(store, made).id)
    assert problem_of(store, made).state is ProblemState.HANDED_OFF

    closed = S.close(store, slip.id, on=LATER, actor="站长")
    assert closed.state is SlipState.CLOSED
    problem = problem_of(store, made)
    assert problem.state is ProblemState.SOLVED_LATER
    assert problem.solved_on == LATER and problem.slip_id == slip.id
    # One transaction, audited under the one who closed the slip.
    slip_entry = _last_step_entry(store)  # the closing step, written with the visit
    visit_entry = store.history("visit", made.id)[-1]
    assert visit_entry["txn"] == slip_entry["txn"]
    assert visit_entry["actor"] == "站长"
    assert visit_entry["changes"]["problems"][1][0]["state"] == "solved_later"


def test_a_satisfied_callback_solves_it_on_the_callback_date_not_the_reply_date(
    store: Store,
) -> None:
    made = raised(store)
    slip = do_reply(store, handed_off(store, made).id)
    do_callback(store, slip.id, Satisfaction.BASICALLY_SATISFIED)
    problem = problem_of(store, made)
    assert (problem.state, problem.solved_on) == (ProblemState.SOLVED_LATER, CALLED_ON)
    assert (
        store.history("visit", made.id)[-1]["txn"]
        == _last_step_entry(store)["txn"]  # the step, written with the visit
    )


def test_a_close_dated_before_the_visit_solves_it_on_the_visit_date(store: Store) -> None:
    made = raised(store, on=dt.date(2026, 11, 2))  # logged after the slip was issued
    slip = do_reply(store, handed_off(store, made).id)
    S.close(store, slip.id, on=dt.date(2026, 11, 1), actor="站长")
    assert problem_of(store, made).solved_on == dt.date(2026, 11, 2)


def test_undoing_the_close_reopens_the_problem(store: Store) -> None:
    made = raised(store)
    slip = do_reply(store, handed_off(store, made).id)
    S.close(store, slip.id, on=LATER, actor="站长")
    assert problem_of(store, made).state is ProblemState.SOLVED_LATER
    store.undo_last("站长")
    assert S.get_slip(store, slip.id).state is SlipState.REPLIED
    problem = problem_of(store, made)
    assert (problem.state, problem.solved_on) == (ProblemState.HANDED_OFF, None)


def test_redo_sets_the_problem_back_and_the_closing_callback_dates_it(store: Store) -> None:
    made = raised(store)
    slip = do_reply(store, handed_off(store, made).id)
    # Marked solved by hand while the slip waited for its callback.
    current = store.get(Visit, made.id)
    by_hand = current.problems[0].model_copy(
        update={"state": ProblemState.SOLVED_LATER, "solved_on": REPLIED_ON}
    )
    save_visit(store, current.model_copy(update={"problems": [by_hand]}), "队员甲")

    redo = do_callback(store, slip.id, Satisfaction.UNSATISFIED)
    assert redo.state is SlipState.REDO
    problem = problem_of(store, made)
    assert (problem.state, problem.solved_on, problem.slip_id) == (
        ProblemState.HANDED_OFF,
        None,
        slip.id,
    )
    assert (
        store.history("visit", made.id)[-1]["txn"]
        == _last_step_entry(store)["txn"]  # the step, written with the visit
    )

    do_reply(store, slip.id, on=dt.date(2026, 11, 10))
    do_callback(store, slip.id, Satisfaction.SATISFIED, on=dt.date(2026, 11, 12))
    problem = problem_of(store, made)
    assert (problem.state, problem.solved_on) == (
        ProblemState.SOLVED_LATER,
        dt.date(2026, 11, 12),  # the satisfied callback that closed it
    )


def test_a_withdrawal_leaves_it_pending(store: Store) -> None:
    made = raised(store)
    slip = handed_off(store, made)
    S.withdraw(store, slip.id, on=ISSUED_ON, reason="群众已自行解决", actor="站长")
    problem = problem_of(store, made)
    assert (problem.state, problem.solved_on, problem.slip_id) == (
        ProblemState.PENDING,
        None,
        None,
    )


def test_the_statistics_count_it_resolved_in_the_closing_month(store: Store) -> None:
    """Raised 28 October, replied 31 October, closed by a callback on 3 November: not
    resolved in October's figures (it was still waiting for the callback at the end of
    October), resolved in November's cumulative, by the service and by the oracle."""
    made = raised(store)
    slip = do_reply(store, handed_off(store, made).id)
    do_callback(store, slip.id, Satisfaction.SATISFIED)
    assert problem_of(store, made).state is ProblemState.SOLVED_LATER
    for month, resolved_cum in ((10, 0), (11, 1)):
        got = month_stats(store, year=2026, month=month, calendar=CAL).total
        want = stats_reference.month_stats(store, year=2026, month=month, calendar=CAL).total
        assert (got.issues_raised_cumulative, got.issues_resolved_cumulative) == (1, resolved_cum)
        assert got.issues_resolved_month == 0  # raised in October, resolved in November
        assert (want.issues_resolved_cumulative, want.issues_resolved_month) == (resolved_cum, 0)


def test_solved_on_the_spot_gets_the_visit_date(store: Store) -> None:
    home = store.raw("household")[0]
    made = visit(
        home["id"],
        date=SEEN_ON,
        problems=[
            ProblemItem(category="其他", description="路灯坏了", state="solved_on_spot"),
            ProblemItem(category="其他", description="井盖松了"),
        ],
    )
    saved = save_visit(store, made, "队员甲")
    assert [p.solved_on for p in saved.problems] == [SEEN_ON, None]
    # A date typed in is kept (the form shows the stored one when the visit is edited).
    again = save_visit(store, saved, "队员甲")
    assert again.problems[0].solved_on == SEEN_ON


def test_solved_later_without_a_date_is_refused_naming_the_field() -> None:
    data = visit("hh-1", date=SEEN_ON).to_json()
    data["problems"] = [{"category": "其他", "description": "路灯坏了", "state": "solved_later"}]
    with pytest.raises(ValueError) as info:
        validate_model(Visit, data)
    assert "解决日期" in str(info.value) and "后续解决" in str(info.value)
    data["problems"] = [
        {
            "category": "其他",
            "description": "路灯坏了",
            "state": "pending",
            "solved_on": "2026-10-29",
        }
    ]
    with pytest.raises(ValueError, match="解决日期"):
        validate_model(Visit, data)
