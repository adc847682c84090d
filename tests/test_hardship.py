"""困难帮扶 (services/hardship.py): opening a case, assistance and its exact totals, review
due dates for each cycle, the due list, exit with a call-back, relapse with the history
intact, the call-back without relapse, the timeline, the audited view, refusals."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots_tui.models import (
    Assistance,
    AssistanceForm,
    CaseStatus,
    HardshipCase,
    HardshipCause,
    HardshipTier,
    ReviewCycle,
    SlipSource,
    Staff,
)
from grassroots_tui.services import hardship as H
from grassroots_tui.services import slips as S
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station, visit

D = dt.date
CADRE = "staff-cadre"


def ticking_clock(start: dt.datetime = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)):
    minutes = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(minutes))


def open_store(path: Path) -> Store:
    store = Store.open(path, clock=ticking_clock(), daily_backup=False)
    store.save_many(
        [
            station(),
            station("HL02"),
            household("HL01-0001", id="home-1"),
            household("HL01-0002", id="home-2", head_of_household="李四"),
            household("HL01-0003", id="home-3", head_of_household="王五"),
            household("HL02-0001", id="home-4", station_id="station-hl02"),
            Staff(id=CADRE, station_id=STATION_ID, name="刘帮扶"),
            Staff(id="staff-gone", station_id=STATION_ID, name="退休者", active=False),
        ],
        actor="setup",
    )
    return store


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "g.json")
    yield s
    s.close()


def new_case(
    household_id: str = "home-1",
    *,
    opened: dt.date = D(2026, 1, 31),
    cycle: ReviewCycle = ReviewCycle.MONTHLY,
    tier: HardshipTier = HardshipTier.DEEP,
    **fields,
) -> HardshipCase:
    values = dict(
        household_id=household_id,
        tier=tier,
        causes=[HardshipCause.ILLNESS],
        members=["张小明（子）"],
        paired_cadre=CADRE,
        opened_on=opened,
        review_cycle=cycle,
    )
    values.update(fields)
    return HardshipCase(**values)


def opened(store: Store, household_id: str = "home-1", **fields) -> HardshipCase:
    return H.open_case(store, new_case(household_id, **fields), "站长")


def help_given(case_id: str, day: dt.date, amount: str, source: str = "民政", **fields):
    values = dict(
        case_id=case_id,
        date=day,
        form=AssistanceForm.CONDOLENCE_MONEY,
        amount=Decimal(amount),
        source=source,
        handler="刘帮扶",
    )
    values.update(fields)
    return Assistance(**values)


# -- assistance and totals ---------------------------------------------------------------------

#: Hand-computed: 民政 500.00 + 200.50 = 700.50; 工会 0.10 + 0.20 = 0.30 (not
#: 0.30000000000000004); 慈善会 99.99. 2026-11: 500.00 + 0.10 + 0.20 = 500.30;
#: 2026-12: 200.50 + 99.99 = 300.49. All: 800.79.
FIXTURE = [
    {"date": "2026-11-03", "source": "民政", "form": "condolence_money", "amount": "500.00"},
    {"date": "2026-11-20", "source": "工会", "form": "goods", "amount": "0.10"},
    {"date": "2026-12-01", "source": "民政", "form": "medical", "amount": "200.50"},
    {"date": "2026-12-15", "source": "慈善会", "form": "other", "amount": "99.99"},
    {"date": "2026-11-30", "source": "工会", "form": "goods", "amount": "0.20"},
]


def test_totals_by_source_month_and_form_are_exact() -> None:
    by_source = H.totals_by_source(FIXTURE)
    assert by_source == {
        "民政": Decimal("700.50"),
        "工会": Decimal("0.30"),
        "慈善会": Decimal("99.99"),
    }
    assert list(by_source) == ["民政", "工会", "慈善会"]  # default sources first, in order
    assert str(by_source["工会"]) == "0.30"
    by_month = H.totals_by_month(FIXTURE)
    assert by_month == {"2026-11": Decimal("500.30"), "2026-12": Decimal("300.49")}
    assert list(by_month) == ["2026-11", "2026-12"]
    assert H.totals_by_form(FIXTURE) == {
        "condolence_money": Decimal("500.00"),
        "goods": Decimal("0.30"),
        "medical": Decimal("200.50"),
        "other": Decimal("99.99"),
    }
    assert all(isinstance(v, Decimal) for v in by_month.values())
    assert H.totals_by_source([]) == {} and H.totals_by_month([]) == {}


def test_totals_from_the_store_and_case_total(store: Store) -> None:
    case = opened(store, opened=D(2026, 10, 1))
    for row in FIXTURE:
        H.add_assistance(
            store,
            help_given(
                case.id,
                D.fromisoformat(row["date"]),
                row["amount"],
                row["source"],
                form=AssistanceForm(row["form"]),
            ),
            "队员",
        )
    other = opened(store, "home-2", opened=D(2026, 10, 1))
    H.add_assistance(store, help_given(other.id, D(2026, 11, 5), "1000"), "队员")
    assert H.case_total(store, case.id) == Decimal("800.79")
    assert H.case_total(store, other.id) == Decimal("1000.00")
    assert H.case_total(store, "no-such-case") == Decimal("0.00")
    mine = [a for a in store.raw("assistance") if a["case_id"] == case.id]
    assert H.totals_by_month(mine) == {"2026-11": Decimal("500.30"), "2026-12": Decimal("300.49")}
    models = [Assistance.model_validate(a) for a in mine]
    assert H.totals_by_source(models)["民政"] == Decimal("700.50")
    assert {a["station_id"] for a in store.raw("assistance")} == {STATION_ID}


# -- review due dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened_on", "cycle", "due"),
    [
        (D(2026, 1, 31), ReviewCycle.MONTHLY, D(2026, 2, 28)),  # month end clamps
        (D(2028, 1, 31), ReviewCycle.MONTHLY, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 15), ReviewCycle.MONTHLY, D(2026, 4, 15)),
        (D(2026, 11, 30), ReviewCycle.QUARTERLY, D(2027, 2, 28)),
        (D(2026, 5, 31), ReviewCycle.QUARTERLY, D(2026, 8, 31)),
        (D(2026, 11, 26), ReviewCycle.YEARLY, D(2027, 11, 26)),
        (D(2028, 2, 29), ReviewCycle.YEARLY, D(2029, 2, 28)),
    ],
)
def test_next_review_due_from_the_opening_date(opened_on, cycle, due) -> None:
    case = new_case(opened=opened_on, cycle=cycle)
    assert H.next_review_due(case, []) == due
    assert H.next_review_due(case.to_json(), []) == due  # a stored dict works too


def test_next_review_due_counts_from_the_last_review_of_this_case_only() -> None:
    case = new_case(opened=D(2026, 1, 31), cycle=ReviewCycle.QUARTERLY)
    reviews = [
        {"case_id": case.id, "date": "2026-04-30"},
        {"case_id": case.id, "date": "2026-03-02"},
        {"case_id": "another-case", "date": "2026-10-01"},
    ]
    assert H.next_review_due(case, reviews) == D(2026, 7, 30)
    # Not 帮扶中: nothing is due.
    exited = case.model_copy(update={"status": CaseStatus.EXITED, "exit_on": D(2026, 6, 1)})
    assert H.next_review_due(exited, reviews) is None


def test_record_review_changes_the_tier_and_moves_the_due_date(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 31))
    after = H.record_review(
        store,
        case.id,
        on=D(2026, 2, 27),
        findings="户主已就业，收入稳定",
        tier_after=HardshipTier.RELATIVE,
        actor="刘帮扶",
    )
    assert after.tier is HardshipTier.RELATIVE
    (review,) = H.reviews_of(store, case.id)
    assert (review["tier_before"], review["tier_after"]) == ("deep", "relative")
    assert review["station_id"] == STATION_ID
    assert H.next_review_due(after, H.reviews_of(store, case.id)) == D(2026, 3, 27)
    with pytest.raises(H.HardshipRefused, match="不能早于最近一次复核"):
        H.record_review(
            store,
            case.id,
            on=D(2026, 2, 1),
            findings="补录",
            tier_after=HardshipTier.RELATIVE,
            actor="刘帮扶",
        )
    with pytest.raises(H.HardshipRefused, match="请填写复核情况"):
        H.record_review(
            store, case.id, on=D(2026, 3, 1), findings=" ", tier_after="relative", actor="x"
        )


def test_due_items_overdue_first_within_the_window_and_by_station(store: Store) -> None:
    today = D(2026, 11, 26)
    late = opened(store, "home-1", opened=D(2026, 9, 10))  # monthly → 10-10, 47 days late
    soon = opened(store, "home-2", opened=D(2026, 11, 1))  # monthly → 12-01, in 5 days
    far = opened(store, "home-3", opened=D(2026, 11, 20), cycle=ReviewCycle.YEARLY)
    other = opened(store, "home-4", opened=D(2026, 10, 20))  # HL02, monthly → 11-20
    items = H.due_items(store, today=today)
    assert [(i.case_id, i.due, i.days_overdue) for i in items] == [
        (late.id, D(2026, 10, 10), 47),
        (other.id, D(2026, 11, 20), 6),
        (soon.id, D(2026, 12, 1), 0),
    ]
    assert all(i.what == "review" for i in items) and far.id not in {i.case_id for i in items}
    assert items[0].household_id == "home-1" and items[2].days_left(today) == 5
    assert [i.case_id for i in H.due_items(store, today=today, within_days=0)] == [
        late.id,
        other.id,
    ]
    hl01 = H.due_items(store, today=today, station_id=STATION_ID)
    assert [i.case_id for i in hl01] == [late.id, soon.id]
    # A review moves the case out of the list.
    H.record_review(
        store, late.id, on=today, findings="情况稳定", tier_after="deep", actor="刘帮扶"
    )
    assert late.id not in {i.case_id for i in H.due_items(store, today=today)}
    # An exited case is listed for its call-back, not for a review.
    H.exit_case(store, soon.id, on=D(2026, 11, 7), reason="就业", actor="x")
    callback = H.due_items(store, today=D(2027, 5, 8))
    assert ("callback", D(2027, 5, 7), 1) in {(i.what, i.due, i.days_overdue) for i in callback}


# -- exit, call-back, relapse ------------------------------------------------------------------


def test_exit_schedules_the_call_back_six_months_later(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 31))
    exited = H.exit_case(store, case.id, on=D(2026, 8, 31), reason="户主稳定就业", actor="站长")
    assert exited.status is CaseStatus.EXITED
    assert exited.exit_on == D(2026, 8, 31) and exited.exit_reason == "户主稳定就业"
    assert exited.callback_on == D(2027, 2, 28)
    assert H.next_review_due(exited, []) is None
    other = opened(store, "home-2", opened=D(2026, 1, 5))
    three = H.exit_case(
        store, other.id, on=D(2026, 6, 10), reason="收入好转", actor="站长", callback_months=3
    )
    assert three.callback_on == D(2026, 9, 10)
    with pytest.raises(H.HardshipRefused, match="已脱困的帮扶档案不能再登记脱困"):
        H.exit_case(store, case.id, on=D(2026, 9, 1), reason="重复", actor="站长")


def test_relapse_reopens_the_case_with_its_history_intact(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 31), tier=HardshipTier.RELATIVE)
    H.add_assistance(store, help_given(case.id, D(2026, 2, 10), "300"), "刘帮扶")
    H.record_review(
        store, case.id, on=D(2026, 2, 27), findings="情况稳定", tier_after="relative", actor="刘"
    )
    H.exit_case(store, case.id, on=D(2026, 5, 20), reason="户主再就业", actor="站长")
    H.add_assistance(store, help_given(case.id, D(2026, 6, 1), "200", "工会"), "刘帮扶")
    back = H.relapse(
        store,
        case.id,
        on=D(2026, 9, 15),
        findings="户主再次失业，家中老人住院",
        tier=HardshipTier.DEEP,
        actor="刘帮扶",
    )
    assert back.status is CaseStatus.ACTIVE and back.tier is HardshipTier.DEEP
    assert (back.exit_on, back.exit_reason, back.callback_on) == (None, "", None)
    reviews = H.reviews_of(store, case.id)
    assert [r["findings"] for r in reviews] == ["情况稳定", "返困：户主再次失业，家中老人住院"]
    assert (reviews[1]["tier_before"], reviews[1]["tier_after"]) == ("relative", "deep")
    assert H.is_relapse(reviews[1]) and not H.is_relapse(reviews[0])
    assert len(H.assistances_of(store, case.id)) == 2
    assert H.case_total(store, case.id) == Decimal("500.00")
    # The audit trail keeps the exit that the relapse cleared.
    exits = [
        e
        for e in store.history("hardship_case", case.id)
        if (e["changes"].get("status") or [None, None])[1] == "exited"
    ]
    assert len(exits) == 1
    assert exits[0]["changes"]["exit_on"] == [None, "2026-05-20"]
    assert exits[0]["changes"]["exit_reason"] == ["", "户主再就业"]
    # The next review counts from the relapse.
    assert H.next_review_due(back, reviews) == D(2026, 10, 15)
    kinds = [e.kind for e in H.case_timeline(store, case.id)]
    assert kinds[:3] == ["relapse", "assistance", "exit"]
    with pytest.raises(H.HardshipRefused, match="只有已脱困"):
        H.relapse(store, case.id, on=D(2026, 10, 1), findings="x", tier="deep", actor="x")


def test_relapse_found_on_a_second_exit_keeps_both_exits_in_the_timeline(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 5))
    H.exit_case(store, case.id, on=D(2026, 3, 1), reason="第一次脱困", actor="站长")
    H.relapse(store, case.id, on=D(2026, 4, 1), findings="又困难了", tier="deep", actor="x")
    H.exit_case(store, case.id, on=D(2026, 6, 1), reason="第二次脱困", actor="站长")
    exits = [e for e in H.case_timeline(store, case.id) if e.kind == "exit"]
    assert [(e.on, e.what) for e in exits] == [
        (D(2026, 6, 1), "脱困：第二次脱困"),
        (D(2026, 3, 1), "脱困：第一次脱困"),
    ]


def test_callback_without_relapse_is_recorded_and_clears_the_call_back(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 5))
    H.exit_case(store, case.id, on=D(2026, 3, 1), reason="脱困", actor="站长")
    # While the call-back is pending, help can still be recorded.
    H.add_assistance(store, help_given(case.id, D(2026, 4, 1), "100"), "刘帮扶")
    done = H.callback_no_relapse(
        store, case.id, on=D(2026, 9, 2), findings="收入稳定，孩子已上学", actor="刘帮扶"
    )
    assert done.status is CaseStatus.EXITED and done.callback_on is None
    (review,) = H.reviews_of(store, case.id)
    assert review["findings"] == "回访：未返困。收入稳定，孩子已上学"
    assert review["tier_before"] == review["tier_after"] == "deep"
    assert H.is_callback(review)
    assert H.due_items(store, today=D(2027, 1, 1)) == []
    with pytest.raises(H.HardshipRefused, match="回访已经完成"):
        H.callback_no_relapse(store, case.id, on=D(2026, 9, 3), findings="", actor="x")
    with pytest.raises(H.HardshipRefused, match="已回访"):
        H.add_assistance(store, help_given(case.id, D(2026, 9, 5), "100"), "刘帮扶")
    # A relapse is still possible later; the call-back review stays.
    H.relapse(store, case.id, on=D(2027, 3, 1), findings="返困：重病", tier="deep", actor="x")
    assert [r["findings"] for r in H.reviews_of(store, case.id)] == [
        "回访：未返困。收入稳定，孩子已上学",
        "返困：重病",
    ]


def test_end_case_terminates_or_refers_without_a_call_back(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 5))
    ended = H.end_case(
        store, case.id, status=CaseStatus.REFERRED, on=D(2026, 4, 1), reason="转民政", actor="x"
    )
    assert ended.status is CaseStatus.REFERRED and ended.callback_on is None
    assert ended.exit_on == D(2026, 4, 1)
    other = opened(store, "home-2", opened=D(2026, 1, 5))
    with pytest.raises(H.HardshipRefused, match="已终止"):
        H.end_case(
            store, other.id, status=CaseStatus.EXITED, on=D(2026, 4, 1), reason="x", actor="x"
        )
    with pytest.raises(H.HardshipRefused, match="已转介的帮扶档案不能再终止"):
        H.end_case(store, case.id, status="terminated", on=D(2026, 5, 1), reason="搬离", actor="x")


# -- refusals ----------------------------------------------------------------------------------


def test_a_household_has_at_most_one_active_case(store: Store) -> None:
    first = opened(store)
    with pytest.raises(H.HardshipRefused, match="户号 HL01-0001 已有帮扶中的档案") as refused:
        opened(store)
    assert isinstance(refused.value, ValueError)
    # After an exit, a new case waits for the call-back: a relapse goes on the old case.
    H.exit_case(store, first.id, on=D(2026, 6, 1), reason="脱困", actor="站长")
    with pytest.raises(H.HardshipRefused, match="请在原档案登记返困"):
        opened(store)
    H.callback_no_relapse(store, first.id, on=D(2026, 12, 1), findings="", actor="x")
    again = opened(store, opened=D(2027, 3, 1))
    assert again.status is CaseStatus.ACTIVE and again.station_id == STATION_ID


def test_open_case_refusals(store: Store) -> None:
    with pytest.raises(H.HardshipNotFound, match="找不到住户"):
        opened(store, "no-such-home")
    with pytest.raises(H.HardshipRefused, match="找不到帮扶责任人"):
        opened(store, paired_cadre="nobody")
    with pytest.raises(H.HardshipRefused, match="已不在岗"):
        opened(store, paired_cadre="staff-gone")
    with pytest.raises(H.HardshipRefused, match="不一致"):
        opened(store, station_id="station-hl02")
    with pytest.raises(H.HardshipRefused, match="帮扶中"):
        H.open_case(
            store,
            new_case(status=CaseStatus.EXITED, exit_on=D(2026, 3, 1)),
            "站长",
        )
    assert store.raw("hardship_case") == []


def test_assistance_refused_on_a_terminated_case_and_before_opening(store: Store) -> None:
    case = opened(store, opened=D(2026, 3, 1))
    with pytest.raises(H.HardshipRefused, match="不能早于建档日期"):
        H.add_assistance(store, help_given(case.id, D(2026, 2, 28), "100"), "x")
    H.end_case(
        store, case.id, status=CaseStatus.TERMINATED, on=D(2026, 6, 1), reason="迁出", actor="x"
    )
    with pytest.raises(H.HardshipRefused, match="已终止的帮扶档案不能再登记帮扶记录"):
        H.add_assistance(store, help_given(case.id, D(2026, 5, 1), "100"), "x")
    with pytest.raises(H.HardshipRefused, match="不能再复核"):
        H.record_review(
            store, case.id, on=D(2026, 7, 1), findings="x", tier_after="deep", actor="x"
        )
    with pytest.raises(H.HardshipNotFound):
        H.add_assistance(store, help_given("no-such-case", D(2026, 5, 1), "100"), "x")
    assert store.raw("assistance") == []


def test_edit_case_keeps_tier_and_lifecycle_fields(store: Store) -> None:
    case = opened(store, opened=D(2026, 1, 31))
    H.exit_case(store, case.id, on=D(2026, 5, 1), reason="脱困", actor="站长")
    stored = H.get_case(store, case.id)
    edited = H.edit_case(
        store,
        stored.model_copy(
            update={"notes": "改了备注", "tier": HardshipTier.RELATIVE, "status": "active"}
        ),
        "站长",
    )
    assert edited.notes == "改了备注"
    assert edited.tier is HardshipTier.DEEP and edited.status is CaseStatus.EXITED


# -- timeline and the audited view -------------------------------------------------------------


def test_timeline_newest_first_with_visits_and_slips(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = opened(store, opened=D(2026, 1, 31))
    store.save(visit("home-1", date=D(2026, 3, 5), hardships="药费负担重"), "队员")
    store.save(visit("home-2", date=D(2026, 3, 6)), "队员")  # another household
    draft = S.draft_slip(
        store.get("station", STATION_ID),
        source=SlipSource.VISIT,
        category="医疗救助",
        title="申请大病救助",
        description="户主住院费用高",
        household_id="home-1",
    )
    S.save_draft(store, draft, "队员")  # a draft: dated when it was made (2026-11-01)
    H.add_assistance(store, help_given(case.id, D(2026, 2, 10), "300.5"), "刘帮扶")
    H.record_review(
        store, case.id, on=D(2026, 2, 27), findings="好转", tier_after="relative", actor="刘"
    )
    H.exit_case(store, case.id, on=D(2026, 4, 1), reason="就业", actor="站长")
    entries = H.case_timeline(store, case.id)
    assert [(e.on, e.kind) for e in entries] == [
        (D(2026, 11, 1), "slip"),
        (D(2026, 10, 1), "callback_due"),
        (D(2026, 4, 1), "exit"),
        (D(2026, 3, 5), "visit"),
        (D(2026, 2, 27), "review"),
        (D(2026, 2, 10), "assistance"),
        (D(2026, 1, 31), "opened"),
    ]
    texts = {e.kind: e.what for e in entries}
    assert texts["opened"] == "建档：深度困难，致困原因 疾病"
    assert texts["assistance"].startswith("帮扶：慰问金 300.50 元，来源 民政")
    assert texts["review"] == "复核：深度困难 → 相对困难。好转"
    assert texts["visit"] == "走访：药费负担重"
    assert texts["slip"] == "交办单 草稿：申请大病救助（草拟）"
    assert texts["exit"] == "脱困：就业"

    # The slips under the calendar given (the session's, whose views the store keeps for
    # the slips list), not worked out again under another.
    from grassroots_tui.services.workcalendar import OfficialCalendar

    calendar = OfficialCalendar()
    asked: list[object] = []
    real = H.slip_views

    def views(store_: object, cal: object) -> object:
        asked.append(cal)
        return real(store_, cal)  # type: ignore[arg-type]

    monkeypatch.setattr(H, "slip_views", views)
    assert [e.kind for e in H.case_timeline(store, case.id, calendar=calendar)] == [
        e.kind for e in entries
    ]
    assert asked == [calendar]


def test_view_case_records_an_access_in_the_audit_trail(store: Store, tmp_path: Path) -> None:
    case = opened(store)
    before = len(store.history("hardship_case", case.id))
    shown = H.view_case(store, case.id, "队员甲")
    assert shown.id == case.id
    history = store.history("hardship_case", case.id)
    assert len(history) == before + 1
    access = history[-1]
    assert access["action"] == "access" and access["actor"] == "队员甲"
    assert access["changes"] == {} and "HL01-0001" in access["note"]
    assert "张桂兰" not in access["note"]
    with pytest.raises(H.HardshipNotFound):
        H.view_case(store, "no-such-case", "队员甲")
    # A read-only store cannot record the access, so the case is not shown.
    with Store.open(tmp_path / "g.json", readonly=True) as reader:
        with pytest.raises(H.HardshipRefused, match="只读"):
            H.view_case(reader, case.id, "队员乙")
