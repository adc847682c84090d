"""The services speak the chosen language: in English (``--lang en``) a refused slip step,
a refused permission, a bad import row, the month's summary sentence, a slip's history
and a hardship case's timeline hold no Chinese but the user's own data (names, titles,
numbers, the ledger's column names); in Chinese they read as they always did.

Real data: the TUI tests' small fixed store (tests/tui_fixtures.py ``build_store``) and
the services' own steps on it."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots_tui.lang import set_language
from grassroots_tui.models import (
    Assistance,
    AssistanceForm,
    HardshipCase,
    HardshipCause,
    HardshipTier,
    ReviewCycle,
    Satisfaction,
    SlipView,
    StaffRole,
)
from grassroots_tui.services import hardship as H
from grassroots_tui.services import slips as S
from grassroots_tui.services.auth import PermissionDenied, require, role_of_actor
from grassroots_tui.services.disclosure import authorize_unmasked
from grassroots_tui.services.household_import import preview_import, read_ledger
from grassroots_tui.services.slip_board import board_counts_text, build_board
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import id_number
from tests.tui_fixtures import (
    HEAD_ID,
    HEAD_NAME,
    RETIRED_ID,
    RETIRED_NAME,
    STATION_ID,
    WORKER_ID,
    WORKER_NAME,
    build_store,
)

#: Chinese characters and the full-width marks that go with them.
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
CAL = OfficialCalendar()
ISSUED_ON = dt.date(2026, 11, 25)
REPLIED_ON = dt.date(2026, 11, 26)
WORKER = f"{WORKER_NAME}#{WORKER_ID}"
HEAD = f"{HEAD_NAME}#{HEAD_ID}"


@pytest.fixture(autouse=True)
def _chinese_after() -> Iterator[None]:
    yield
    set_language("zh")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    path = build_store(tmp_path / "station.json")
    with Store.open(path, daily_backup=False) as opened:
        yield opened


def english(text: str, *data: str) -> str:
    """``text``, checked to hold no Chinese once the user's ``data`` is taken out."""
    rest = text
    for value in sorted(data, key=len, reverse=True):
        rest = rest.replace(value, "")
    assert not CJK.search(rest), f"Chinese left in {text!r}: {CJK.findall(rest)}"
    assert rest.strip(), text
    return text


def _draft(store: Store) -> SlipView:
    """A draft from the fixed store's pending problem (visit-2, 低保申请材料不会填)."""
    draft = S.draft_from_problem(store, "visit-2", "problem-1")
    draft = draft.model_copy(update={"handling_unit": "社区民政办", "assignee": "周干事"})
    return S.save_draft(store, draft, HEAD)


def _issued(store: Store) -> SlipView:
    return S.issue(store, _draft(store).id, on=ISSUED_ON, actor=HEAD, calendar=CAL)


#: What the fixed store and the steps below put into a slip: its number, title, people.
SLIP_DATA = (
    "湘龙群交",
    "〔2026〕第0001号",
    "低保申请材料不会填",
    "已协助填表",
    "周干事",
    "李主任",
    HEAD_NAME,
    WORKER_NAME,
)


# -- a slip step refused -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "chinese"),
    [
        ("close", "没有回复单，不能办结"),
        ("callback", "交办单还是草稿，尚未交办，不能回访"),
        ("accept", "交办单还是草稿，尚未交办，不能受理"),
    ],
)
def test_a_refused_slip_step_says_why_in_english(store: Store, action: str, chinese: str):
    slip = _draft(store)
    assert S.refusal(slip, action, has_reply=False) == chinese
    set_language("en")
    why = S.refusal(slip, action, has_reply=False)
    assert why is not None and why != chinese
    english(why)


def test_a_step_on_a_closed_slip_is_refused_in_english(store: Store):
    slip = S.reply(
        store,
        _issued(store).id,
        reply_date=REPLIED_ON,
        result="已协助填表",
        policy_basis="",
        handler="周干事",
        signer=None,
        actor=HEAD,
    )
    S.close(store, slip.id, on=REPLIED_ON, actor=HEAD)
    with pytest.raises(S.SlipActionRefused, match="^已办结的交办单不能再延期$"):
        S.extend(
            store,
            slip.id,
            requested_on=REPLIED_ON,
            reason="材料不全",
            approver=HEAD_NAME,
            new_due_date=dt.date(2026, 12, 31),
            actor=HEAD,
            calendar=CAL,
        )
    set_language("en")
    with pytest.raises(S.SlipActionRefused) as refused:
        S.withdraw(store, slip.id, on=REPLIED_ON, reason="重复", actor=HEAD)
    assert "closed" in str(refused.value)
    english(str(refused.value))


def test_a_date_refused_names_both_dates_in_english(store: Store):
    slip = _issued(store)
    early = ISSUED_ON - dt.timedelta(days=1)
    with pytest.raises(S.SlipActionRefused, match="^受理日期 2026-11-24 早于交办日期 2026-11-25$"):
        S.accept(store, slip.id, on=early, actor=HEAD)
    set_language("en")
    with pytest.raises(S.SlipActionRefused) as refused:
        S.accept(store, slip.id, on=early, actor=HEAD)
    assert (
        str(refused.value) == "The acceptance date 2026-11-24 is before the handoff date 2026-11-25"
    )


# -- a slip's history and the board -------------------------------------------------------


def _replied_and_redone(store: Store) -> SlipView:
    slip = S.reply(
        store,
        _issued(store).id,
        reply_date=REPLIED_ON,
        result="已协助填表",
        policy_basis="",
        handler="周干事",
        signer="李主任",
        actor=HEAD,
    )
    return S.callback(
        store,
        slip.id,
        on=REPLIED_ON,
        satisfaction=Satisfaction.UNSATISFIED,
        by=WORKER_NAME,
        note="",
        actor=HEAD,
        calendar=CAL,
    )


def test_a_slips_history_reads_in_english(store: Store):
    slip = _replied_and_redone(store)
    chinese_lines = [h.what for h in S.slip_history(store, slip.id)]
    assert chinese_lines[0] == "新建交办单（草拟）"
    assert chinese_lines[1].startswith("交办：编号 湘龙群交〔2026〕第0001号，交办日期 2026-11-25")
    set_language("en")
    lines = [h.what for h in S.slip_history(store, slip.id)]
    assert len(lines) == len(chinese_lines) >= 4
    for line in lines:
        english(line, *SLIP_DATA)
    assert lines[1].startswith(
        "Handed off: number 湘龙群交〔2026〕第0001号, handed off on 2026-11-25"
    )
    assert any(
        line.startswith("Reply slip (2026-11-26): 已协助填表; handled by 周干事") for line in lines
    )


def test_the_boards_counts_read_in_english(store: Store):
    _issued(store)
    board = build_board(store, today=dt.date(2026, 12, 31), calendar=CAL)
    assert board_counts_text(board).startswith("超期 1")
    set_language("en")
    assert english(board_counts_text(board)).startswith("Overdue 1 (reported")


# -- permissions ---------------------------------------------------------------------------


def test_a_permission_refused_in_english():
    with pytest.raises(PermissionDenied, match="^队员无权管理工作人员和值班。$"):
        require(StaffRole.WORKER, "staff.manage")
    set_language("en")
    with pytest.raises(PermissionDenied) as refused:
        require(StaffRole.WORKER, "staff.manage")
    assert str(refused.value).endswith("may not manage staff and duty shifts.")
    english(str(refused.value))
    with pytest.raises(PermissionDenied) as refused:
        require(StaffRole.WORKER, "update", kind="station")
    english(str(refused.value))


def test_a_retired_member_and_unmasked_output_are_refused_in_english(store: Store):
    set_language("en")
    with pytest.raises(PermissionDenied) as refused:
        role_of_actor(store, f"{RETIRED_NAME}#{RETIRED_ID}")
    english(str(refused.value), RETIRED_NAME)
    with pytest.raises(PermissionDenied) as refused:
        authorize_unmasked(store, WORKER, "打印交办单", 1)
    assert "unmasked personal information" in str(refused.value)
    english(str(refused.value))


# -- a bad import row ----------------------------------------------------------------------

HEADER = ["户号", "户主姓名", "身份证号", "联系电话", "地址", "人口数"]


def _preview(tmp_path: Path):
    rows = [
        HEADER,
        ["HL01-0101", "周大年", id_number(seq="201"), "13874560001", "湘龙小区9栋101", "abc"],
        ["HL01-0102", "吴小满", id_number(seq="202"), "13874560002", "湘龙小区9栋102", "2"],
        ["HL01-0102", "吴小满", id_number(seq="202"), "13874560002", "湘龙小区9栋102", "2"],
    ]
    path = tmp_path / "ledger.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return preview_import([], STATION_ID, read_ledger(path), dt.date(2026, 11, 26))


def test_a_bad_import_row_is_refused_in_english(tmp_path: Path):
    chinese = _preview(tmp_path)
    assert [str(p) for p in chinese.rejected] == [
        "第 2 行「人口数」应为 1–99 之间的整数，而不是「abc」",
        "第 4 行「户号」与第 3 行户号重复",
    ]
    assert chinese.summary().startswith("将新增 1 户，更新 0 户，拒绝 2 行（第 2 行「人口数」")
    set_language("en")
    preview = _preview(tmp_path)
    data = ("人口数", "户号", "abc")
    for problem in preview.rejected:
        english(str(problem), *data)
    assert str(preview.rejected[0]) == (
        "Row 2, “人口数”: should be a whole number from 1 to 99, not “abc”"
    )
    summary = english(preview.summary(), *data)
    assert summary.startswith("Will add 1 household, update 0 households and reject 2 rows (")


# -- the month's statistics ----------------------------------------------------------------


def test_the_statistics_summary_sentence_in_english(store: Store):
    stats = month_stats(store, year=2026, month=11, calendar=CAL)
    assert stats.summary.startswith("截至2026年11月底，共发出交办单")
    set_language("en")
    stats = month_stats(store, year=2026, month=11, calendar=CAL)
    english(stats.summary)
    assert stats.summary.startswith("As of the end of 2026-11, ")
    one = month_stats(store, year=2026, month=11, station_code="HL01", calendar=CAL)
    assert "this station" in english(one.summary)


def test_a_month_not_begun_is_refused_in_english(store: Store):
    set_language("en")
    with pytest.raises(ValueError) as refused:
        month_stats(store, year=2027, month=3, calendar=CAL, today=dt.date(2026, 11, 26))
    assert str(refused.value) == (
        "2027-03 has not begun yet (today is 2026-11-26); there is nothing to count"
    )


# -- a hardship case's timeline ------------------------------------------------------------


def _case(store: Store) -> HardshipCase:
    case = H.open_case(
        store,
        HardshipCase(
            household_id="hh-02",
            tier=HardshipTier.DEEP,
            causes=[HardshipCause.ILLNESS],
            members=["王小明（子）"],
            paired_cadre=WORKER_ID,
            opened_on=dt.date(2026, 1, 31),
            review_cycle=ReviewCycle.MONTHLY,
        ),
        HEAD,
    )
    H.add_assistance(
        store,
        Assistance(
            case_id=case.id,
            date=dt.date(2026, 2, 10),
            form=AssistanceForm.CONDOLENCE_MONEY,
            amount=Decimal("300.50"),
            source="民政",
            handler=WORKER_NAME,
            note="春节慰问",
        ),
        HEAD,
    )
    H.record_review(
        store,
        case.id,
        on=dt.date(2026, 2, 27),
        findings="病情好转",
        tier_after=HardshipTier.RELATIVE,
        actor=HEAD,
    )
    H.exit_case(store, case.id, on=dt.date(2026, 4, 1), reason="已就业", actor=HEAD)
    return case


def test_a_hardship_timeline_in_english(store: Store):
    case = _case(store)
    chinese_lines = [e.what for e in H.case_timeline(store, case.id)]
    assert "脱困：已就业" in chinese_lines
    assert any(line.startswith("帮扶：慰问金 300.50 元，来源 民政") for line in chinese_lines)
    set_language("en")
    entries = H.case_timeline(store, case.id)
    assert [e.kind for e in entries] == [e.kind for e in H.case_timeline(store, case.id)]
    data = ("民政", "春节慰问", "病情好转", "已就业", "轮椅坏了", "想申请低保", WORKER_NAME)
    for entry in entries:
        english(entry.what, *data)
    whats = [e.what for e in entries]
    assert "Left hardship: 已就业" in whats
    assert "Follow-up due (to check for a relapse)" in whats


def test_a_hardship_refusal_in_english(store: Store):
    case = _case(store)
    set_language("en")
    with pytest.raises(H.HardshipRefused) as refused:
        H.record_review(
            store,
            case.id,
            on=dt.date(2026, 5, 1),
            findings="x",
            tier_after=HardshipTier.DEEP,
            actor=HEAD,
        )
    english(str(refused.value))
    with pytest.raises(H.HardshipRefused) as refused:
        H.relapse(
            store,
            case.id,
            on=dt.date(2026, 3, 1),
            findings="又困难",
            tier=HardshipTier.DEEP,
            actor=HEAD,
        )
    assert str(refused.value) == (
        "The relapse date cannot be before the date of leaving hardship (2026-04-01)"
    )


# -- deadlines and the working calendar ----------------------------------------------------


def test_deadline_rules_and_the_calendar_explain_themselves_in_english():
    from grassroots_tui.services.deadlines import parse_rule
    from grassroots_tui.services.workcalendar import describe_day

    rule = parse_rule("10个工作日")
    assert rule.explanation.startswith("自签发次日起算 10 个工作日")
    with pytest.raises(ValueError, match="^期限规则“两周”无法识别"):
        parse_rule("两周")
    set_language("en")
    assert english(rule.explanation).startswith("10 working days counted from the day after issue")
    with pytest.raises(ValueError) as refused:
        parse_rule("两周")
    english(str(refused.value), "两周", "15日", "15天", "10个工作日")
    assert describe_day(dt.date(2026, 2, 14)) == "2026-02-14 Sat"
    assert ("2026-02-14", "Spring Festival (make-up working day)") in [
        (day.isoformat(), name) for day, name in CAL.makeup_workdays(2026)
    ]


def test_built_in_categories_and_sources_are_named_in_english_and_stored_in_chinese(store: Store):
    from grassroots_tui.services.slip_rules import category_name

    assert category_name("环境卫生") == "环境卫生"
    case = _case(store)
    set_language("en")
    assert category_name("环境卫生") == "Environment and sanitation"
    assert category_name("楼道照明") == "楼道照明"  # the office's own, as written
    assert H.source_name("民政") == "Civil affairs"
    assert any("source Civil affairs" in e.what for e in H.case_timeline(store, case.id))
    assert H.assistances_of(store, case.id)[0]["source"] == "民政"
