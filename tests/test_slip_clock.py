"""The slip clock (services/slips/clock.py): a slip's state, due date and clock on any day,
from the dates of its steps; and the figures of a closed month, which do not move when
later steps are recorded (issue 15 §1)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots_tui.models import (
    LegacySlipState,
    ProblemItem,
    Satisfaction,
    SlipSource,
    SlipState,
    Station,
)
from grassroots_tui.services import slips as S
from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.slip_board import build_board
from grassroots_tui.services.slips.clock import OPEN_STATES, SlipSteps, timeline, timelines
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import household, station, visit

CAL = OfficialCalendar()
D = dt.date.fromisoformat
SEP_END, OCT_END = D("2026-09-30"), D("2026-10-31")


def ticking_clock(start: dt.datetime = dt.datetime(2026, 8, 1, 9, 0, tzinfo=dt.UTC)):
    minutes = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(minutes))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "g.json", clock=ticking_clock(), daily_backup=False)
    s.save_many([station(), household()], actor="setup")
    yield s
    s.close()


def due(day: str) -> dt.date:
    """The 15日 rule's due date from ``day`` (deadlines are checked on their own against
    the official calendar)."""
    return compute_due(D(day), "15日", CAL).date


def issued(store: Store, on: str, title: str = "路灯不亮") -> str:
    draft = S.draft_slip(
        store.get(Station, store.raw("station")[0]["id"]),
        source=SlipSource.HOTLINE,
        category="城市管理",
        title=title,
        description="情况",
        handling_unit="城管中队",
    )
    saved = S.save_draft(store, draft, "队员甲")
    return S.issue(store, saved.id, on=D(on), actor="站长", calendar=CAL).id


def reply(store: Store, slip_id: str, on: str) -> None:
    S.reply(
        store,
        slip_id,
        reply_date=D(on),
        result="已处理",
        policy_basis="",
        handler="王",
        signer=None,
        actor="站长",
    )


def callback(store: Store, slip_id: str, on: str, how: Satisfaction) -> None:
    S.callback(
        store, slip_id, on=D(on), satisfaction=how, by="甲", note="", actor="站长", calendar=CAL
    )


def extend(store: Store, slip_id: str, on: str, to: str) -> None:
    S.extend(
        store,
        slip_id,
        requested_on=D(on),
        reason="协调",
        approver="刘",
        new_due_date=D(to),
        actor="站长",
        calendar=CAL,
    )


def september(store: Store, today: str = "2026-12-01"):
    return month_stats(store, year=2026, month=9, calendar=CAL, today=D(today)).total


def october(store: Store, today: str = "2026-12-01"):
    return month_stats(store, year=2026, month=10, calendar=CAL, today=D(today)).total


# -- one slip's timeline ---------------------------------------------------------------------


def test_a_slip_on_each_day_of_its_life(store: Store) -> None:
    slip_id = issued(store, "2026-09-01")
    S.accept(store, slip_id, on=D("2026-09-02"), actor="物业")
    reply(store, slip_id, "2026-09-20")
    callback(store, slip_id, "2026-09-22", Satisfaction.UNSATISFIED)
    reply(store, slip_id, "2026-10-05")
    S.close(store, slip_id, on=D("2026-10-09"), actor="站长")
    line = timelines(store, CAL)[slip_id]
    seen = {
        day: line.state_on(D(day))
        for day in (
            "2026-08-31",
            "2026-09-01",
            "2026-09-02",
            "2026-09-20",
            "2026-09-22",
            "2026-10-05",
            "2026-10-09",
        )
    }
    assert seen == {
        "2026-08-31": SlipState.DRAFTED,
        "2026-09-01": SlipState.ISSUED,
        "2026-09-02": SlipState.ACCEPTED,
        "2026-09-20": SlipState.REPLIED,
        "2026-09-22": SlipState.REDO,
        "2026-10-05": SlipState.REPLIED,
        "2026-10-09": SlipState.CLOSED,
    }
    assert line.state is S.get_slip(store, slip_id).state is SlipState.CLOSED
    assert line.closed_on == D("2026-10-09") and line.first_issued == D("2026-09-01")
    # The due date as known each day: the rule from the issue, then from the redo.
    assert line.due_on(D("2026-09-21")).date == due("2026-09-01")
    assert line.due_on(D("2026-09-22")).date == due("2026-09-22")
    # Overdue on the 17th (the reply came on the 20th), not once replied.
    assert line.overdue_on(due("2026-09-01") + dt.timedelta(days=1))
    assert not line.overdue_on(D("2026-09-20"))
    assert line.clock_on(D("2026-09-21"), warn_days=3, calendar=CAL) is None  # replied


def test_stored_state_no_step_explains_stands_and_is_flagged() -> None:
    slip = {
        "id": "s",
        "issue_date": "2026-09-01",
        "deadline_rule": "15日",
        "state": SlipState.REPLIED.value,  # but no reply anywhere
    }
    line = timeline(slip, SlipSteps().of("s"), CAL)
    assert line.disagrees and line.state is SlipState.REPLIED
    assert not line.overdue_on(D("2026-12-01"))


# -- a closed month does not move --------------------------------------------------------------


def test_september_reads_the_same_on_1_october_and_in_december(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "g.json", clock=ticking_clock(), daily_backup=False)
    store.save_many([station(), household()], actor="setup")
    home = store.raw("household")[0]["id"]
    # A problem raised on a visit in September, handed off, replied in September.
    made = store.save(
        visit(
            home,
            date=D("2026-09-03"),
            problems=[ProblemItem(id="p1", category="城市管理", description="楼下占道经营")],
        ),
        actor="队员甲",
    )
    draft = S.draft_from_problem(store, made.id, "p1")
    draft = S.save_draft(store, draft.model_copy(update={"handling_unit": "城管"}), "队员甲")
    a = S.issue(store, draft.id, on=D("2026-09-04"), actor="站长", calendar=CAL).id
    reply(store, a, "2026-09-10")
    b = issued(store, "2026-09-07", "井盖缺失")  # due in September, unanswered at its end
    c = issued(store, "2026-09-08", "噪音扰民")  # due in September, unanswered at its end
    on_first_october = september(store, today="2026-10-01")

    # October: A is called back (closed), B replied late, C extended after its deadline.
    callback(store, a, "2026-10-12", Satisfaction.SATISFIED)
    reply(store, b, "2026-10-13")
    extend(store, c, "2026-10-14", "2026-11-06")
    in_december = september(store)
    assert in_december == on_first_october

    # What September says, worked out by hand: three slips issued; A due and on time,
    # B and C due and late; B and C overdue at the end of September. Issues raised: the
    # visit's problem and the two hotline slips; none resolved in September (A's slip
    # was closed in October).
    assert (in_december.slips_issued_month, in_december.slips_issued_cumulative) == (3, 3)
    assert in_december.slips_overdue_open == 2
    assert in_december.slips_replied_on_time_month == 1
    assert in_december.on_time_rate == Decimal("33.33")
    assert (in_december.issues_raised_month, in_december.issues_resolved_month) == (3, 0)
    # October: the problem is resolved; C, extended, is no longer overdue; nothing new due.
    oct_figures = october(store)
    assert oct_figures.issues_resolved_cumulative == 1
    assert oct_figures.slips_overdue_open == 0
    assert oct_figures.on_time_rate is None  # nothing was due in October
    store.close()


# -- the decisions -----------------------------------------------------------------------------


def test_withdrawn_before_its_deadline_is_not_due_after_it_was_due_and_late(
    store: Store,
) -> None:
    early = issued(store, "2026-09-01")
    S.withdraw(store, early, on=D("2026-09-05"), reason="群众已自行解决", actor="站长")
    late = issued(store, "2026-09-02")
    assert due("2026-09-02") < SEP_END
    S.withdraw(store, late, on=D("2026-10-02"), reason="重复交办", actor="站长")
    figures = september(store)
    # Only the late one was due: 0 of 1 on time, and it was overdue at September's end.
    assert figures.on_time_rate == 0
    assert figures.slips_replied_on_time_month == 0
    assert figures.slips_overdue_open == 1
    assert october(store).slips_overdue_open == 0  # withdrawn by then


def test_returned_and_issued_again_counts_once_in_the_month_first_issued(
    store: Store,
) -> None:
    slip_id = issued(store, "2026-09-28")
    S.return_slip(store, slip_id, on=D("2026-09-29"), reason="不属本单位职责", actor="物业")
    S.issue(store, slip_id, on=D("2026-10-09"), actor="站长", calendar=CAL)
    reply(store, slip_id, "2026-10-15")
    sep, oct_ = september(store), october(store)
    assert (sep.slips_issued_month, oct_.slips_issued_month) == (1, 0)
    assert oct_.slips_issued_cumulative == 1
    line = timelines(store, CAL)[slip_id]
    assert line.first_issued == D("2026-09-28")
    assert line.state_on(SEP_END) is SlipState.RETURNED
    # The first issue was returned before its deadline: never due; the second issue's
    # deadline is counted from 10-09.
    assert [r.issued_on for r in line.rounds] == [D("2026-09-28"), D("2026-10-09")]
    assert line.rounds[1].reply_due.date == due("2026-10-09")
    assert sep.slips_overdue_open == 0 and sep.on_time_rate is None


def test_an_extension_asked_late_keeps_the_months_it_was_overdue(store: Store) -> None:
    slip_id = issued(store, "2026-09-01")
    extend(store, slip_id, "2026-10-06", "2026-10-30")  # asked after the deadline
    reply(store, slip_id, "2026-10-20")
    sep = september(store)
    assert sep.slips_overdue_open == 1
    assert sep.on_time_rate == 0  # due in September, not answered by its deadline
    oct_ = october(store)
    assert oct_.slips_overdue_open == 0
    assert oct_.on_time_rate is None  # the late extension does not make it due again
    # An extension asked in time moves the deadline it is judged by.
    timely = issued(store, "2026-09-03")
    extend(store, timely, "2026-09-10", "2026-10-20")
    reply(store, timely, "2026-10-19")
    assert october(store).slips_replied_on_time_month == 1


def test_a_redo_deadline_never_makes_a_late_first_reply_on_time(store: Store) -> None:
    slip_id = issued(store, "2026-09-01")
    first_due = due("2026-09-01")
    reply(store, slip_id, (first_due + dt.timedelta(days=3)).isoformat())  # late
    callback(store, slip_id, "2026-09-25", Satisfaction.UNSATISFIED)
    reply(store, slip_id, "2026-09-28")  # well inside the redo's deadline
    figures = september(store)
    assert figures.slips_replied_on_time_month == 0 and figures.on_time_rate == 0
    assert october(store).on_time_rate is None  # the redo is not a second slip due


def test_the_board_and_the_figures_agree_on_any_day(store: Store) -> None:
    # Slips in every state, then the overdue count compared with the board day by day.
    a = issued(store, "2026-09-01")
    b = issued(store, "2026-09-03")
    c = issued(store, "2026-09-10")
    reply(store, a, "2026-09-25")
    extend(store, b, "2026-10-02", "2026-10-20")
    S.withdraw(store, c, on=D("2026-10-05"), reason="撤回", actor="站长")
    for day in (D("2026-09-17"), SEP_END, D("2026-10-03"), D("2026-10-21"), OCT_END):
        board = build_board(store, today=day, calendar=CAL, warn_days=3)
        stats = month_stats(store, year=day.year, month=day.month, calendar=CAL, today=day)
        assert board.overdue == stats.total.slips_overdue_open, day


# -- the replay agrees with the states the services store --------------------------------------


def test_random_lives_replay_to_the_stored_state(store: Store) -> None:
    """Slips taken through random allowed steps on increasing dates: after every step the
    timeline's state is the state the services stored, and its due date the stored one
    (kept in step by the services, a second bookkeeping of the same rules)."""
    rng = random.Random(15)
    ids = [issued(store, "2026-09-01", f"事项{n}") for n in range(12)]
    days = {slip_id: D("2026-09-01") for slip_id in ids}
    for _ in range(120):
        slip_id = rng.choice(ids)
        slip = S.get_slip(store, slip_id)
        allowed = [
            a
            for a in S.allowed_actions(slip, has_reply=S.has_reply(store, slip_id))
            if a != "remind"
        ]
        if not allowed:
            continue
        action = rng.choice(allowed)
        day = days[slip_id] = days[slip_id] + dt.timedelta(days=rng.choice([0, 1, 2, 5]))
        on = day.isoformat()
        if action == "issue":
            S.issue(store, slip_id, on=day, actor="站长", calendar=CAL)
        elif action == "accept":
            S.accept(store, slip_id, on=day, actor="物业")
        elif action == "return":
            if day - slip.issue_date > dt.timedelta(days=3):
                continue
            S.return_slip(store, slip_id, on=day, reason="退", actor="物业")
        elif action == "extend":
            current = S.effective_due(store, slip, CAL).date
            extend(store, slip_id, on, (max(current, day) + dt.timedelta(days=10)).isoformat())
        elif action == "reply":
            reply(store, slip_id, on)
        elif action == "callback":
            callback(store, slip_id, on, rng.choice(list(Satisfaction)))
        elif action == "close":
            S.close(store, slip_id, on=day, actor="站长")
        elif action == "withdraw":
            S.withdraw(store, slip_id, on=day, reason="撤回", actor="站长")
        stored = S.get_slip(store, slip_id)
        line = timelines(store, CAL)[slip_id]
        assert not line.disagrees, (action, stored.state)
        assert line.state is stored.state, action
        if stored.state in OPEN_STATES:
            assert line.due.date == stored.due_date, action


def test_check_names_a_slip_whose_state_no_step_explains(store: Store) -> None:
    from grassroots_tui.services import check

    slip_id = issued(store, "2026-09-01")
    sound = check.check_report(store, [check._slip_steps])
    assert not sound.findings and "都与其办理记录相符（1 张）" in sound.checked[0]
    # A slip of schema version 1 that says it was replied, with no reply record.
    said = LegacySlipState(state=SlipState.REPLIED, issue_date=D("2026-09-01"), number="N")
    store.save(S.get_slip(store, slip_id).stored().model_copy(update={"legacy": said}), "x")
    report = check.check_report(store, [check._slip_steps])
    assert [f.doc_id for f in report.findings] == [slip_id]
    assert "没有相应的办理记录" in report.findings[0].message
