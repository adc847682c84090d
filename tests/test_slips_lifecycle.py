"""The handoff slip's lifecycle (services/slips/): every transition allowed and refused,
numbering that never reuses a number, the return window, extensions, redo, repeat
petitions, the effective due date and the history."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from grassroots_tui.models import (
    HandoffSlip,
    ProblemItem,
    ProblemState,
    Satisfaction,
    SlipSource,
    SlipState,
    SlipView,
    Staff,
    StaffRole,
    Visit,
)
from grassroots_tui.services import slips as S
from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.slip_print import record_reminder
from grassroots_tui.services.slips.clock import SlipSteps
from grassroots_tui.services.workcalendar import OfficialCalendar, YearOverride
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station, visit

CAL = OfficialCalendar()
ISSUED_ON = dt.date(2026, 11, 2)  # 15日 → due 2026-11-17
DUE = dt.date(2026, 11, 17)
REPLIED_ON = dt.date(2026, 11, 5)
CALLED_ON = dt.date(2026, 11, 6)
LATER = dt.date(2026, 11, 7)


def ticking_clock(start: dt.datetime = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)):
    minutes = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(minutes))


def open_store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "g.json", clock=ticking_clock(), daily_backup=False)
    store.save_many(
        [
            station(),
            station("HL02", slip_number_format="高沙群交〔{year}〕{seq:03d}号"),
            household(),
            Staff(id="staff-lead", station_id=STATION_ID, name="刘书记", role=StaffRole.LEADER),
        ],
        actor="setup",
    )
    return store


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path)
    yield s
    s.close()


def hl01(store: Store):
    return store.get("station", STATION_ID)


def new_draft(store: Store, station_id: str = STATION_ID, **fields) -> HandoffSlip:
    values = dict(
        source=SlipSource.WALK_IN,
        category="物业纠纷",
        title="楼道灯坏了",
        description="三栋二单元楼道灯坏了一个月",
        handling_unit="湘龙物业公司",
        assignee="王经理",
    )
    values.update(fields)
    draft = S.draft_slip(store.get("station", station_id), **values)
    return S.save_draft(store, draft, "队员甲")


def issued(store: Store, on: dt.date = ISSUED_ON, **fields) -> HandoffSlip:
    return S.issue(store, new_draft(store, **fields).id, on=on, actor="站长", calendar=CAL)


def do_reply(store: Store, slip_id: str, on: dt.date = REPLIED_ON) -> HandoffSlip:
    return S.reply(
        store,
        slip_id,
        reply_date=on,
        result="已更换灯泡",
        policy_basis="物业服务合同",
        handler="王经理",
        signer="李主任",
        actor="队员甲",
    )


def do_callback(store: Store, slip_id: str, how: Satisfaction, on: dt.date = CALLED_ON):
    return S.callback(
        store, slip_id, on=on, satisfaction=how, by="队员甲", note="", actor="队员甲", calendar=CAL
    )


def reach(store: Store, state: SlipState) -> HandoffSlip:
    """A new slip brought into ``state`` through the services."""
    if state is SlipState.DRAFTED:
        return new_draft(store)
    slip = issued(store)
    if state is SlipState.ISSUED:
        return slip
    if state is SlipState.ACCEPTED:
        return S.accept(store, slip.id, on=ISSUED_ON, actor="物业")
    if state is SlipState.RETURNED:
        return S.return_slip(store, slip.id, on=ISSUED_ON, reason="不属于本单位职责", actor="物业")
    if state is SlipState.EXTENDED:
        return S.extend(
            store,
            slip.id,
            requested_on=ISSUED_ON,
            reason="需要采购配件",
            approver="刘书记",
            new_due_date=DUE + dt.timedelta(days=5),
            actor="站长",
            calendar=CAL,
        )
    if state is SlipState.WITHDRAWN:
        return S.withdraw(store, slip.id, on=ISSUED_ON, reason="重复交办", actor="站长")
    slip = do_reply(store, slip.id)
    if state is SlipState.REPLIED:
        return slip
    if state is SlipState.CLOSED:
        return S.close(store, slip.id, on=LATER, actor="站长")
    assert state is SlipState.REDO
    return do_callback(store, slip.id, Satisfaction.UNSATISFIED)


def attempt(store: Store, slip_id: str, action: str) -> HandoffSlip | object:
    """Run ``action`` on the slip with arguments that are valid for an allowed step."""
    slip = store.get(HandoffSlip, slip_id)
    if action == "issue":
        return S.issue(store, slip_id, on=ISSUED_ON, actor="站长", calendar=CAL)
    if action == "accept":
        return S.accept(store, slip_id, on=ISSUED_ON, actor="物业")
    if action == "return":
        return S.return_slip(store, slip_id, on=dt.date(2026, 11, 4), reason="不归我管", actor="x")
    if action == "extend":
        due = S.effective_due(store, slip, CAL)
        new_due = (due.date if due else DUE) + dt.timedelta(days=10)
        return S.extend(
            store,
            slip_id,
            requested_on=LATER,
            reason="理由",
            approver="刘书记",
            new_due_date=new_due,
            actor="站长",
            calendar=CAL,
        )
    if action == "request_extension":  # only on a slip the street office issued
        return S.request_extension(
            store,
            slip_id,
            requested_on=LATER,
            reason="理由",
            wanted_due_date=LATER + dt.timedelta(days=30),
            by=None,
            actor="站长",
        )
    if action == "reply":
        return do_reply(store, slip_id, LATER)
    if action == "callback":
        return do_callback(store, slip_id, Satisfaction.SATISFIED, LATER)
    if action == "close":
        return S.close(store, slip_id, on=LATER, actor="站长")
    if action == "withdraw":
        return S.withdraw(store, slip_id, on=ISSUED_ON, reason="撤回", actor="站长")
    assert action == "remind"
    return record_reminder(store, slip_id, today=LATER, by="督导", actor="督导", calendar=CAL)


# -- which steps each state allows ----------------------------------------------------------

ALLOWED = {
    SlipState.DRAFTED: {"issue", "withdraw"},
    SlipState.ISSUED: {"accept", "return", "extend", "reply", "withdraw", "remind"},
    SlipState.ACCEPTED: {"extend", "reply", "withdraw", "remind"},
    SlipState.EXTENDED: {"extend", "reply", "withdraw", "remind"},
    SlipState.REDO: {"extend", "reply", "remind"},
    SlipState.REPLIED: {"callback", "close"},
    SlipState.RETURNED: {"issue", "withdraw"},
    SlipState.CLOSED: set(),
    SlipState.WITHDRAWN: set(),
}


def test_the_table_covers_every_state() -> None:
    assert set(ALLOWED) == set(SlipState)
    assert SlipState.WITHDRAWN.label == "已撤回"


@pytest.mark.parametrize("state", list(SlipState), ids=lambda s: s.value)
def test_every_transition_allowed_or_refused_through_the_store(
    store: Store, state: SlipState
) -> None:
    slip = reach(store, state)
    assert slip.state is state
    replied = S.has_reply(store, slip.id)
    assert set(S.allowed_actions(slip, has_reply=replied)) == ALLOWED[state]
    for action in S.ACTIONS:
        before = {kind: store.raw(kind) for kind in store.kinds()}
        if action in ALLOWED[state]:
            attempt(store, slip.id, action)  # must not raise
            store.undo_last(store.raw("audit_entry")[-1]["actor"])  # whoever did it
            assert S.get_slip(store, slip.id).state is state
        else:
            with pytest.raises(S.SlipActionRefused) as refused:
                attempt(store, slip.id, action)
            assert str(refused.value) == S.refusal(slip, action, has_reply=replied)
            after = {kind: store.raw(kind) for kind in store.kinds()}
            assert after == before  # nothing written


@pytest.mark.parametrize(
    ("state", "action", "has_reply", "message"),
    [
        (SlipState.CLOSED, "extend", True, "已办结的交办单不能再延期"),
        (SlipState.CLOSED, "close", True, "已办结的交办单不能重复办结"),
        (SlipState.ISSUED, "close", False, "没有回复单，不能办结"),
        (SlipState.REPLIED, "close", False, "没有回复单，不能办结"),
        (SlipState.REDO, "close", True, "重办的交办单还没有新的回复单，不能办结"),
        (SlipState.DRAFTED, "reply", False, "交办单还是草稿，尚未交办，不能回复"),
        (SlipState.ACCEPTED, "return", False, "承办单位已受理，不能再退单"),
        (SlipState.ISSUED, "issue", False, "交办单已交办（编号 N1），不能重复交办"),
        (SlipState.WITHDRAWN, "issue", False, "已撤回的交办单不能再交办"),
        (SlipState.REPLIED, "withdraw", True, "承办单位已回复，交办单不能撤回"),
        (
            SlipState.REPLIED,
            "reply",
            True,
            "交办单已有回复单，等待回访；回访不满意的，重办后再回复",
        ),
        (SlipState.ISSUED, "callback", False, "交办单尚未回复，不能回访"),
        (SlipState.RETURNED, "reply", False, "交办单已被退回，不能回复；请改正后重新交办，或撤回"),
    ],
)
def test_refusals_say_why(state, action, has_reply, message) -> None:
    slip = SlipView(
        station_id=STATION_ID,
        number="N1",
        category="其他",
        title="t",
        description="d",
        handling_unit="u",
        issue_date=ISSUED_ON,
        state=state,
    )
    assert S.refusal(slip, action, has_reply=has_reply) == message
    assert action not in S.allowed_actions(slip, has_reply=has_reply)


def test_unknown_action_is_a_programming_error() -> None:
    slip = SlipView(station_id="s", category="c", title="t", description="d")
    with pytest.raises(ValueError, match="未知的交办单操作"):
        S.refusal(slip, "fly", has_reply=False)


def test_closing_without_a_reply_is_refused(store: Store) -> None:
    slip = issued(store)
    with pytest.raises(S.SlipActionRefused, match="没有回复单，不能办结"):
        S.close(store, slip.id, on=LATER, actor="站长")
    assert S.get_slip(store, slip.id).state is SlipState.ISSUED
    replied = do_reply(store, slip.id)
    assert S.close(store, replied.id, on=LATER, actor="站长").state is SlipState.CLOSED


def test_issue_needs_a_handling_unit(store: Store) -> None:
    draft = new_draft(store, handling_unit=None)
    with pytest.raises(S.SlipActionRefused, match="没有填写承办单位"):
        S.issue(store, draft.id, on=ISSUED_ON, actor="站长", calendar=CAL)


def test_missing_slip(store: Store) -> None:
    with pytest.raises(S.SlipNotFound, match="找不到交办单"):
        S.accept(store, "nope", on=ISSUED_ON, actor="x")


# -- numbers ---------------------------------------------------------------------------------


def test_numbers_are_sequential_per_station_and_year(store: Store) -> None:
    first = issued(store)
    second = issued(store)
    other_station = S.issue(
        store, new_draft(store, "station-hl02").id, on=ISSUED_ON, actor="站长", calendar=CAL
    )
    next_year = issued(store, on=dt.date(2027, 1, 5))
    assert first.number == "湘龙群交〔2026〕第0001号"
    assert second.number == "湘龙群交〔2026〕第0002号"
    assert other_station.number == "高沙群交〔2026〕001号"
    assert next_year.number == "湘龙群交〔2027〕第0001号"
    assert S.next_number(store, hl01(store), 2026) == "湘龙群交〔2026〕第0003号"


def test_a_number_is_never_reused_after_withdraw_delete_or_undo(store: Store) -> None:
    issued(store)  # 0001
    withdrawn = S.withdraw(
        store, issued(store).id, on=ISSUED_ON, reason="重复", actor="站长"
    )  # 0002
    assert withdrawn.state is SlipState.WITHDRAWN
    assert withdrawn.number == "湘龙群交〔2026〕第0002号"  # kept on the withdrawn slip
    assert issued(store).number == "湘龙群交〔2026〕第0003号"

    deleted = issued(store)  # 0004
    store.delete("handoff_slip", deleted.id, actor="站长")
    assert issued(store).number == "湘龙群交〔2026〕第0005号"

    undone = issued(store)  # 0006, then undone: back to a draft without a number
    store.undo_last("站长")
    assert S.get_slip(store, undone.id).number is None
    again = S.issue(store, undone.id, on=ISSUED_ON, actor="站长", calendar=CAL)
    assert again.number == "湘龙群交〔2026〕第0007号"


def test_a_returned_slip_keeps_its_number_when_issued_again(store: Store) -> None:
    slip = reach(store, SlipState.RETURNED)
    again = S.issue(store, slip.id, on=dt.date(2026, 11, 9), actor="站长", calendar=CAL)
    assert again.state is SlipState.ISSUED and again.number == slip.number
    assert again.due_date == compute_due(dt.date(2026, 11, 9), "15日", CAL).date


def test_find_slip_by_number_short_form_and_station(store: Store) -> None:
    slip = issued(store)
    S.issue(store, new_draft(store, "station-hl02").id, on=ISSUED_ON, actor="x", calendar=CAL)
    assert S.find_slip(store, slip.number).id == slip.id
    assert S.find_slip(store, slip.id).id == slip.id
    with pytest.raises(S.SlipActionRefused, match="对应多张交办单"):
        S.find_slip(store, "2026-1")
    assert S.find_slip(store, "2026-0001", station="hl01").id == slip.id
    with pytest.raises(S.SlipNotFound):
        S.find_slip(store, "2026-0099")


# -- return, extension, callback ----------------------------------------------------------


def test_return_only_within_the_window(store: Store) -> None:
    slip = issued(store)
    with pytest.raises(S.SlipActionRefused, match=r"交办已超过 3 日.*最迟 2026-11-05"):
        S.return_slip(store, slip.id, on=dt.date(2026, 11, 6), reason="不归我管", actor="物业")
    with pytest.raises(S.SlipActionRefused, match="早于交办日期"):
        S.return_slip(store, slip.id, on=dt.date(2026, 11, 1), reason="不归我管", actor="物业")
    with pytest.raises(S.SlipActionRefused, match="请填写退单理由"):
        S.return_slip(store, slip.id, on=dt.date(2026, 11, 3), reason="  ", actor="物业")
    assert (
        S.return_slip(
            store, slip.id, on=dt.date(2026, 11, 7), reason="不归我管", actor="物业", within_days=5
        ).state
        is SlipState.RETURNED
    )
    other = issued(store)
    back = S.return_slip(store, other.id, on=dt.date(2026, 11, 5), reason="职责不符", actor="物业")
    assert back.state is SlipState.RETURNED
    (doc,) = S.documents_of(store, "slip_return", other.id)
    assert doc["reason"] == "职责不符" and doc["returned_on"] == "2026-11-05"


def test_late_extension_is_flagged_and_the_original_due_date_kept(store: Store) -> None:
    slip = issued(store)
    assert slip.due_date == DUE
    first = S.extend(
        store,
        slip.id,
        requested_on=dt.date(2026, 11, 19),  # after the due date
        reason="需要协调供电公司",
        approver="刘书记",
        new_due_date=dt.date(2026, 11, 30),
        actor="站长",
        calendar=CAL,
    )
    assert first.state is SlipState.EXTENDED
    assert first.original_due_date == DUE and first.due_date == dt.date(2026, 11, 30)
    (ext,) = S.documents_of(store, "slip_extension", slip.id)
    assert ext["late"] is True
    assert S.effective_due(store, first, CAL).date == dt.date(2026, 11, 30)

    with pytest.raises(S.SlipActionRefused, match="必须晚于现在的应办结日期 2026-11-30"):
        S.extend(
            store,
            slip.id,
            requested_on=dt.date(2026, 11, 20),
            reason="再延",
            approver="刘书记",
            new_due_date=dt.date(2026, 11, 30),
            actor="站长",
            calendar=CAL,
        )
    second = S.extend(
        store,
        slip.id,
        requested_on=dt.date(2026, 11, 25),  # before the new due date: not late
        reason="再延",
        approver="刘书记",
        new_due_date=dt.date(2026, 12, 10),
        actor="站长",
        calendar=CAL,
    )
    assert second.original_due_date == DUE  # still the first one
    assert S.effective_due(store, second, CAL).date == dt.date(2026, 12, 10)
    late = {e["new_due_date"]: e["late"] for e in S.documents_of(store, "slip_extension", slip.id)}
    assert late == {"2026-11-30": True, "2026-12-10": False}


def test_extension_in_time_is_not_late(store: Store) -> None:
    slip = S.extend(
        store,
        issued(store).id,
        requested_on=DUE,  # on the due date itself: still in time
        reason="r",
        approver="a",
        new_due_date=DUE + dt.timedelta(days=3),
        actor="站长",
        calendar=CAL,
    )
    (ext,) = S.documents_of(store, "slip_extension", slip.id)
    assert ext["late"] is False


def test_unsatisfied_callback_means_redo_with_a_new_deadline(store: Store) -> None:
    slip = do_reply(store, issued(store).id)
    with pytest.raises(S.SlipActionRefused, match="回访日期 2026-11-04 早于回复日期 2026-11-05"):
        do_callback(store, slip.id, Satisfaction.SATISFIED, dt.date(2026, 11, 4))
    redo = do_callback(store, slip.id, Satisfaction.UNSATISFIED, dt.date(2026, 11, 6))
    assert redo.state is SlipState.REDO
    expected = compute_due(dt.date(2026, 11, 6), "15日", CAL).date
    assert expected == dt.date(2026, 11, 23)  # the 21st is a Saturday
    assert redo.due_date == expected
    assert S.effective_due(store, redo, CAL).date == expected
    assert set(S.allowed_actions(redo, has_reply=True)) == ALLOWED[SlipState.REDO]

    with pytest.raises(S.SlipActionRefused, match="早于不满意回访的日期"):
        do_reply(store, slip.id, dt.date(2026, 11, 5))
    again = do_reply(store, slip.id, dt.date(2026, 11, 12))
    assert again.state is SlipState.REPLIED
    replies = sorted(S.documents_of(store, "reply", slip.id), key=lambda r: r["reply_date"])
    assert [r["is_redo"] for r in replies] == [False, True]
    closed = do_callback(store, slip.id, Satisfaction.BASICALLY_SATISFIED, dt.date(2026, 11, 13))
    assert closed.state is SlipState.CLOSED
    assert S.effective_due(store, closed, CAL).date == expected  # the redo deadline stands


def test_satisfied_callback_closes(store: Store) -> None:
    slip = do_reply(store, issued(store).id)
    assert do_callback(store, slip.id, Satisfaction.SATISFIED).state is SlipState.CLOSED


# -- drafts, visits and repeat petitions -------------------------------------------------


def _visit_with_problem(store: Store, state=ProblemState.PENDING) -> Visit:
    home = store.raw("household")[0]
    made = visit(
        home["id"],
        problems=[
            ProblemItem(id="p1", category="城市管理", description="楼下占道经营，噪音大。晚上更吵")
        ]
        if state is ProblemState.PENDING
        else [ProblemItem(id="p1", category="城市管理", description="x", state=state)],
    )
    return store.save(made, actor="队员甲")


def test_draft_from_a_visit_problem_and_issue_hands_it_off_in_one_transaction(
    store: Store,
) -> None:
    made = _visit_with_problem(store)
    draft = S.draft_from_problem(store, made.id, "p1")
    assert draft.source is SlipSource.VISIT and draft.legacy is None  # a draft: no steps
    assert draft.title == "楼下占道经营，噪音大"
    assert "楼下占道经营" in draft.description and draft.category == "城市管理"
    assert draft.household_id == made.household_id and draft.person_name == "张桂兰"
    assert (draft.visit_id, draft.problem_id) == (made.id, "p1")
    assert store.get(HandoffSlip, draft.id) is None  # not saved

    saved = S.save_draft(store, draft.model_copy(update={"handling_unit": "城管中队"}), "队员甲")
    with pytest.raises(S.SlipActionRefused, match="已经有交办单"):
        S.draft_from_problem(store, made.id, "p1")
    slip = S.issue(store, saved.id, on=ISSUED_ON, actor="站长", calendar=CAL)
    problem = store.get(Visit, made.id).problems[0]
    assert problem.state is ProblemState.HANDED_OFF and problem.slip_id == slip.id
    (step,) = [d for d in store.raw("slip_issue") if d["slip_id"] == slip.id]
    assert (
        store.history("visit", made.id)[-1]["txn"]
        == store.history("slip_issue", step["id"])[-1]["txn"]
    )
    with pytest.raises(S.SlipActionRefused, match="只有待办的问题才能开交办单"):
        S.draft_from_problem(store, made.id, "p1")

    S.withdraw(store, slip.id, on=ISSUED_ON, reason="群众已自行解决", actor="站长")
    problem = store.get(Visit, made.id).problems[0]
    assert problem.state is ProblemState.PENDING and problem.slip_id is None


def test_draft_from_a_solved_problem_is_refused(store: Store) -> None:
    made = _visit_with_problem(store, ProblemState.SOLVED_ON_SPOT)
    with pytest.raises(S.SlipActionRefused, match="当场解决"):
        S.draft_from_problem(store, made.id, "p1")
    with pytest.raises(S.SlipNotFound):
        S.draft_from_problem(store, made.id, "nope")


def test_save_draft_protects_the_lifecycle_fields(store: Store) -> None:
    draft = new_draft(store)
    sneaky = draft.model_copy(update={"number": "湘龙群交〔2026〕第9999号", "title": "改了"})
    saved = S.save_draft(store, sneaky, "队员甲")
    assert saved.number is None and saved.title == "改了"
    slip = S.issue(store, saved.id, on=ISSUED_ON, actor="站长", calendar=CAL)
    with pytest.raises(S.SlipActionRefused, match="不能再修改"):
        S.save_draft(store, slip.model_copy(update={"title": "再改"}), "队员甲")
    with pytest.raises(S.SlipActionRefused, match="只能先保存为草稿"):
        S.save_draft(store, slip.model_copy(update={"id": "fresh", "rev": 0}), "队员甲")


def test_repeat_petition_lists_earlier_slips_and_proposes_the_lead_official(
    store: Store,
) -> None:
    home_id = store.raw("household")[0]["id"]
    assert S.earlier_slips(store, household_id=home_id, person_name=None) == []
    assert S.proposed_lead_official(store, household_id=home_id, person_name=None) is None
    first = issued(store, household_id=home_id, lead_official="staff-lead")
    S.withdraw(
        store,
        issued(store, household_id=home_id, lead_official="x").id,
        on=ISSUED_ON,
        reason="r",
        actor="s",
    )
    by_name = issued(store, person_name="李 四", on=dt.date(2026, 11, 3))

    earlier = S.earlier_slips(store, household_id=home_id, person_name=None)
    assert [s.id for s in earlier] == [first.id]  # the withdrawn one is left out
    assert S.proposed_lead_official(store, household_id=home_id, person_name=None) == "staff-lead"
    assert [s.id for s in S.earlier_slips(store, household_id=None, person_name="李四")] == [
        by_name.id
    ]
    assert S.earlier_slips(store, household_id=home_id, person_name=None, exclude_id=first.id) == []
    made = _visit_with_problem(store)
    assert S.draft_from_problem(store, made.id, "p1").lead_official == "staff-lead"


# -- the effective due date ------------------------------------------------------------------


def test_effective_due_is_provisional_until_the_year_has_holiday_data(store: Store) -> None:
    slip = issued(store, on=dt.date(2026, 12, 20))
    due = S.effective_due(store, slip, CAL)
    assert due.date == dt.date(2027, 1, 4) and due.provisional
    assert "2027 年节假日数据缺失" in due.reason
    with_2027 = OfficialCalendar(
        {2027: YearOverride(holidays={dt.date(2027, 1, 1): "元旦", dt.date(2027, 1, 4): "试用"})}
    )
    final = S.effective_due(store, slip, with_2027)
    assert final.date == dt.date(2027, 1, 5) and not final.provisional and final.reason is None
    # The issue step keeps the date worked out then; the clock never trusts it.
    (issued_step,) = [d for d in store.raw("slip_issue") if d["slip_id"] == slip.id]
    assert issued_step["due_date"] == "2027-01-04"


def test_effective_due_from_plain_documents() -> None:
    # A slip as a store of schema version 1 kept it: its own state and issue date.
    slip = {"id": "s1", "issue_date": "2026-11-02", "deadline_rule": "15日", "state": "issued"}
    assert S.effective_due({}, slip, CAL).date == DUE
    docs = {
        # A call-back needs a reply before it: one without is not a step of this slip.
        "reply": [{"slip_id": "s1", "reply_date": "2026-11-05"}],
        "slip_callback": [
            {"slip_id": "s1", "date": "2026-11-06", "satisfaction": "unsatisfied"},
            {"slip_id": "other", "date": "2026-11-30", "satisfaction": "unsatisfied"},
        ],
        "slip_extension": [
            {"slip_id": "s1", "requested_on": "2026-11-04", "new_due_date": "2026-11-20"}
        ],
    }
    # The extension was asked before the redo: the redo's deadline is the later event.
    assert S.effective_due(docs, slip, CAL).date == dt.date(2026, 11, 23)
    docs["slip_extension"].append(
        {"slip_id": "s1", "requested_on": "2026-11-10", "new_due_date": "2026-12-01"}
    )
    grouped = SlipSteps(docs)
    assert S.effective_due(grouped, slip, CAL).date == dt.date(2026, 12, 1)
    assert S.effective_due({}, {"id": "d", "issue_date": None}, CAL) is None


# -- history ---------------------------------------------------------------------------------


def test_history_tells_who_did_what_oldest_first(store: Store) -> None:
    slip = do_reply(store, issued(store).id)
    do_callback(store, slip.id, Satisfaction.UNSATISFIED)
    record_reminder(
        store, slip.id, today=dt.date(2026, 11, 24), by="督导", actor="督导", calendar=CAL
    )
    history = S.slip_history(store, slip.id)
    whats = [h.what for h in history]
    assert whats[0] == "新建交办单（草拟）"
    assert whats[1].startswith("交办：编号 湘龙群交〔2026〕第0001号，交办日期 2026-11-02")
    assert (
        whats[2].startswith("回复单（2026-11-05）：已更换灯泡；经办人 王经理")
        and "已交办 → 已回复" in whats[2]
    )
    assert (
        whats[3].startswith("回访（2026-11-06）：不满意")
        and "重办，新的应办结日期 2026-11-23" in whats[3]
    )
    assert whats[4].startswith("催办（2026-11-24）：催办人 督导，已超期 1 天")
    assert [h.who for h in history] == ["队员甲", "站长", "队员甲", "队员甲", "督导"]
    assert all(isinstance(h.at, dt.datetime) for h in history)
    assert [h.at for h in history] == sorted(h.at for h in history)

    store.undo_last("督导")  # the reminder
    assert not any(h.what.startswith("催办") for h in S.slip_history(store, slip.id))


def test_history_of_a_withdrawal_names_the_reason(store: Store) -> None:
    slip = S.withdraw(store, issued(store).id, on=ISSUED_ON, reason="群众撤回诉求", actor="站长")
    assert slip.withdraw_reason == "群众撤回诉求"
    assert S.slip_history(store, slip.id)[-1].what == "撤回（2026-11-02）：群众撤回诉求"


def test_history_without_audit_uses_the_documents_dates(tmp_path: Path) -> None:
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    with open_store(tmp_path) as s:
        slip_id = do_reply(s, issued(s).id).id
    snap = read_snapshot(tmp_path / "g.json")
    snap.tables["audit_entry"] = {}
    write_snapshot(tmp_path / "g.json", snap.tables, snap.generation, snap.position)
    with Store.open(tmp_path / "g.json", readonly=True) as s:
        issued_entry, entry = S.slip_history(s, slip_id)
    assert issued_entry.at == ISSUED_ON and issued_entry.what.startswith("交办：编号")
    assert entry.at == REPLIED_ON and entry.who == "队员甲" and entry.what.startswith("回复单")


def test_history_shows_the_actor_by_name_not_by_id(tmp_path):
    from grassroots_tui.models import SlipSource, Staff, StaffRole
    from grassroots_tui.models.audit import actor_label, actor_name
    from grassroots_tui.services import slips
    from grassroots_tui.store import Store
    from tests.factories import station

    assert actor_name(actor_label("雷东武", "03121881")) == "雷东武"
    with Store.open(tmp_path / "s.json") as store:
        st = store.save(station(), actor="t")
        draft = slips.draft_slip(
            st,
            source=SlipSource.WALK_IN,
            category="其他",
            title="路灯不亮",
            description="三栋门口路灯坏了",
        )
        # A name#id actor must be a staff member whose role may write slips (站长).
        store.save(Staff(id="staff-9", station_id=st.id, name="雷东武", role=StaffRole.HEAD), "t")
        saved = slips.save_draft(store, draft, actor_label("雷东武", "staff-9"))
        whos = {entry.who for entry in slips.slip_history(store, saved.id)}
    assert whos == {"雷东武"}
