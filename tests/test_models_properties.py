"""Property tests: validate_document never fails with anything but DocumentInvalid, always
speaks Chinese, and valid documents round-trip exactly through JSON."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots_tui.models import (
    KINDS,
    Assistance,
    AssistanceForm,
    Document,
    DocumentInvalid,
    Household,
    LeaveDecision,
    LeaveKind,
    LeaveRequest,
    ProblemItem,
    ProblemState,
    SlipSource,
    SlipState,
    Visit,
    VisitKind,
    validate_document,
)
from tests.factories import legacy_slip

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_only_document_invalid(data, kind=None) -> None:
    try:
        doc = validate_document(data, kind)
    except DocumentInvalid as exc:
        assert exc.problems
        for problem in exc.problems:
            assert has_cjk(problem.message), problem
            # "无法校验" means an internal failure was caught: a bug, even if in Chinese.
            assert "无法校验" not in problem.message, problem
            assert problem.label, problem
            assert isinstance(problem.field, str)
        assert has_cjk(str(exc))
    else:
        # Random input may, rarely, be a valid document.
        assert isinstance(doc, Document)


# -- (a) arbitrary input --------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "2026-02-30", "2026-03-02", "25:00", "08:30", "0.1", "x" * 5000])
)
json_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(data=json_like)
def test_any_json_value_gives_only_document_invalid(data):
    assert_only_document_invalid(data)


@pytest.mark.parametrize("kind", sorted(KINDS))
@FAST
@given(data=st.data())
def test_random_fields_of_a_kind_give_only_document_invalid(kind, data):
    cls = KINDS[kind]
    keys = st.sampled_from(sorted(cls.model_fields)) | st.text(max_size=8)
    payload = data.draw(st.dictionaries(keys, json_like, max_size=8))
    payload["kind"] = kind
    assert_only_document_invalid(payload)
    assert_only_document_invalid(payload, kind)
    # the same fields, for a kind argument that disagrees with data["kind"]
    other = data.draw(st.sampled_from(sorted(KINDS)))
    assert_only_document_invalid(payload, other)


@FAST
@given(kind=json_like, arg=st.none() | st.text(max_size=10) | st.sampled_from(sorted(KINDS)))
def test_random_kind_values_give_only_document_invalid(kind, arg):
    assert_only_document_invalid({"kind": kind}, arg)


def test_deep_nesting_gives_only_document_invalid():
    deep: object = "x"
    for _ in range(5000):
        deep = [deep]
    assert_only_document_invalid({"kind": "audit_entry", "changes": {"a": deep}})
    assert_only_document_invalid(deep)


# -- (b) valid documents round-trip -------------------------------------------------------

HANZI = "张王李赵刘陈杨黄周吴湘龙社区群工站楼栋单元户号路灯垃圾低保"
words = st.text(alphabet=HANZI + "abcXYZ0123456789", min_size=1, max_size=12)
free_text = st.text(alphabet=HANZI + "，。、 abc0123\n", max_size=40).map(str.strip)
ids = st.uuids().map(str)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
minutes = st.integers(min_value=0, max_value=24 * 60 - 1)

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@st.composite
def id_numbers(draw):
    region = draw(st.sampled_from(["110105", "430102", "440306", "320583"]))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)))
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    first17 = region + born.strftime("%Y%m%d") + seq
    return (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]
    )


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
stamps = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)


def clock(m: int) -> time:
    return time(m // 60, m % 60)


@st.composite
def households(draw):
    return Household(
        station_id=draw(ids),
        household_no=draw(words),
        head_of_household=draw(words),
        id_number=draw(st.none() | id_numbers()),
        phone=draw(st.none() | mobiles),
        address=draw(words),
        building=draw(st.none() | words),
        group=draw(st.none() | words),
        people=draw(st.integers(min_value=1, max_value=12)),
        tags=draw(st.lists(words, max_size=4, unique=True)),
        registered_on=draw(st.none() | dates),
        note=draw(free_text),
        rev=draw(st.integers(min_value=0, max_value=1000)),
        created_at=draw(st.none() | stamps),
    )


@st.composite
def problem_items(draw, visit_date):
    state = draw(st.sampled_from(list(ProblemState)))
    solved_on = None
    if state is ProblemState.SOLVED_LATER:
        solved_on = draw(st.dates(min_value=visit_date, max_value=date(2031, 1, 1)))
    slip_id = None
    if state in (ProblemState.HANDED_OFF, ProblemState.SOLVED_LATER):
        slip_id = draw(st.none() | ids)
    return ProblemItem(
        id=draw(ids),
        category=draw(words),
        description=draw(words),
        state=state,
        solved_on=solved_on,
        slip_id=slip_id,
    )


@st.composite
def visits(draw):
    day = draw(dates)
    start, end = sorted(draw(st.tuples(minutes, minutes)))
    kind = draw(st.sampled_from(list(VisitKind)))
    departments = draw(st.lists(words, min_size=1 if kind is VisitKind.JOINT else 0, max_size=3))
    return Visit(
        station_id=draw(ids),
        date=day,
        start_time=clock(start),
        end_time=clock(end),
        visit_kind=kind,
        household_id=draw(ids),
        visitor_ids=draw(st.lists(ids, min_size=1, max_size=3, unique=True)),
        joint_departments=departments,
        greeting=draw(free_text),
        hardships=draw(free_text),
        opinions=draw(free_text),
        suggestions=draw(free_text),
        appointment_id=draw(st.none() | ids),
        problems=draw(st.lists(problem_items(day), max_size=4, unique_by=lambda p: p.id)),
    )


@st.composite
def assistances(draw):
    return Assistance(
        station_id=draw(ids),
        case_id=draw(ids),
        date=draw(dates),
        form=draw(st.sampled_from(list(AssistanceForm))),
        amount=draw(
            st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
            | st.sampled_from([Decimal("0.10"), Decimal("0.01"), Decimal("200.00")])
        ),
        source=draw(st.sampled_from(["民政", "工会", "商会", "妇联"]) | words),
        handler=draw(words),
        note=draw(free_text),
    )


@st.composite
def leave_requests(draw):
    start, end = sorted(draw(st.tuples(dates, dates)))
    decision = draw(st.sampled_from(list(LeaveDecision)))
    staff = draw(ids)
    return LeaveRequest(
        station_id=draw(ids),
        staff_id=staff,
        start_date=start,
        end_date=end,
        leave_kind=draw(st.sampled_from(list(LeaveKind))),
        reason=draw(words),
        requested_on=draw(dates),
        approver=None if decision is LeaveDecision.PENDING else draw(words),
        decision=decision,
        substitute_id=draw(st.none() | ids.filter(lambda s: s != staff)),
    )


@st.composite
def slips(draw):
    state = draw(st.sampled_from(list(SlipState)))
    drafted = state is SlipState.DRAFTED
    issue = draw(dates) if not drafted else draw(st.none() | dates)
    due = None if issue is None else draw(st.none() | st.dates(min_value=issue))
    visit_id = draw(st.none() | ids)
    return legacy_slip(
        station_id=draw(ids),
        number=draw(words) if not drafted else draw(st.none() | words),
        source=draw(st.sampled_from(list(SlipSource))),
        category=draw(words),
        title=draw(words),
        description=draw(words),
        household_id=draw(st.none() | ids),
        handling_unit=draw(words) if not drafted else draw(st.none() | words),
        lead_official=draw(st.none() | ids),
        issue_date=issue,
        deadline_rule=draw(st.sampled_from(["15日", "15个工作日", "7日"])),
        due_date=due,
        original_due_date=due,
        state=state,
        visit_id=visit_id,
        problem_id=None if visit_id is None else draw(st.none() | ids),
    )


@pytest.mark.parametrize(
    "strategy",
    [households(), visits(), assistances(), leave_requests(), slips()],
    ids=["household", "visit", "assistance", "leave_request", "handoff_slip"],
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_documents_round_trip_through_json(strategy, data):
    doc = data.draw(strategy)
    stored = doc.to_json()
    text = json.dumps(stored, ensure_ascii=False)
    again = validate_document(json.loads(text))
    assert again == doc
    assert again.to_json() == stored
    if isinstance(doc, Assistance):
        assert stored["amount"] == f"{doc.amount:.2f}"
        assert again.amount == doc.amount and str(again.amount) == str(doc.amount)
