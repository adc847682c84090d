"""Importing a station's old ledgers (issue #21): visits, slips, hardship cases, media
reports and the three-threes, through one engine (services/ledger_import.py)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots_tui.models import Staff, StaffRole
from grassroots_tui.models.slip import SlipState
from grassroots_tui.services.auth import PermissionDenied
from grassroots_tui.services.ledger_import import (
    LedgerPreview,
    apply_ledger,
    preview_ledger,
    read_kind,
)
from grassroots_tui.services.ledger_kinds import HARDSHIP, KINDS, MEDIA, SLIPS, THREE_THREES, VISITS
from grassroots_tui.services.ledger_reader import ImportRefused, LedgerError
from grassroots_tui.services.slips import get_slip
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station

TODAY = date(2026, 11, 26)


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "data" / "station.json")
    s.save(station(), actor="测试")
    for number, name in (("0101", "张桂兰"), ("0102", "李建国"), ("0103", "王秀英")):
        s.save(household(number, head_of_household=name), actor="测试")
    s.save(Staff(id="staff-li", station_id=STATION_ID, name="李明"), actor="测试")
    s.save(Staff(id="staff-zhou", station_id=STATION_ID, name="周红"), actor="测试")
    s.save(
        Staff(id="staff-head", station_id=STATION_ID, name="陈站长", role=StaffRole.HEAD),
        actor="测试",
    )
    yield s
    s.close()


def preview(store: Store, path: Path, kind) -> LedgerPreview:
    return preview_ledger(store, STATION_ID, read_kind(path, kind), kind, TODAY)


def imported(store: Store, path: Path, kind) -> LedgerPreview:
    found = preview(store, path, kind)
    assert not found.rejected, found.summary()
    apply_ledger(store, found, "测试")
    return found


def household_id(store: Store, number: str) -> str:
    return next(h["id"] for h in store.raw("household") if h["household_no"] == number)


# -- visits ----------------------------------------------------------------------------

VISIT_HEADER = [
    "户号",
    "走访日期",
    "开始时间",
    "结束时间",
    "走访方式",
    "走访人员",
    "问声好",
    "问疾苦",
    "问意见",
    "问建议",
    "问题类别",
    "问题描述",
    "问题状态",
    "解决日期",
]


def visit(when: str, **cells: str) -> list[str]:
    """A row of the visit ledger: ``when`` is "户号 走访日期 开始时间", then the cells named."""
    number, day, start = when.split()
    row = dict.fromkeys(VISIT_HEADER, "")
    row.update({"户号": number, "走访日期": day, "开始时间": start, **cells})
    return list(row.values())


def visits_file(folder: Path, *rows: list[str]) -> Path:
    return write_csv(folder / "走访台账.csv", [VISIT_HEADER, *rows])


def test_visits_with_their_four_asks_and_problems(store, tmp_path) -> None:
    path = visits_file(
        tmp_path,
        visit(
            "0101 2026-03-05 09:30",
            结束时间="10:00",
            走访方式="走访",
            走访人员="李明、周红",
            问声好="问好",
            问疾苦="腿疼",
            问题类别="环境卫生",
            问题描述="楼道堆物",
            问题状态="后续解决",
            解决日期="2026-03-20",
        ),
        visit(
            "0101 2026-03-05 09:30",
            问题类别="社会保障",
            问题描述="低保咨询",
            问题状态="当场解决",
        ),
        visit(
            "0102 2026/3/6 19:30",
            结束时间="20:10",
            走访方式="夜访",
            走访人员="李明",
            问意见="希望装路灯",
        ),
    )
    found = imported(store, path, VISITS)
    assert len(found.adds) == 2 and found.adds[0].rows == (2, 3)
    visits = sorted(store.raw("visit"), key=lambda v: v["date"])
    assert [v["date"] for v in visits] == ["2026-03-05", "2026-03-06"]
    first = visits[0]
    assert first["household_id"] == household_id(store, "0101")
    assert first["visitor_ids"] == ["staff-li", "staff-zhou"]
    assert (first["greeting"], first["hardships"]) == ("问好", "腿疼")
    assert [(p["category"], p["state"], p["solved_on"]) for p in first["problems"]] == [
        ("环境卫生", "solved_later", "2026-03-20"),
        ("社会保障", "solved_on_spot", "2026-03-05"),  # on the spot: the visit's date
    ]
    assert visits[1]["visit_kind"] == "night" and visits[1]["opinions"] == "希望装路灯"
    assert visits[1]["problems"] == []


def test_importing_the_same_visits_again_adds_nothing(store, tmp_path) -> None:
    cells = dict(结束时间="10:00", 走访人员="李明", 问题类别="其他", 问题描述="路灯坏")
    path = visits_file(tmp_path, visit("0101 2026-03-05 09:30", 问声好="问好", **cells))
    imported(store, path, VISITS)
    again = preview(store, path, VISITS)
    assert (len(again.adds), len(again.updates), again.unchanged) == (0, 0, 1)
    assert "已导入过且内容相同" in again.summary()
    # the ledger corrected afterwards: the same visit (户号 + date + time) is updated
    fixed = visit("0101 2026-03-05 09:30", 问声好="问好，老人精神不错", **cells)
    changed = preview(store, visits_file(tmp_path, fixed), VISITS)
    assert (len(changed.adds), len(changed.updates)) == (0, 1)
    apply_ledger(store, changed, "测试")
    (stored,) = store.raw("visit")
    assert stored["greeting"] == "问好，老人精神不错" and stored["rev"] == 2
    assert stored["problems"][0]["description"] == "路灯坏"


def test_unknown_household_and_staff_are_refused_not_guessed(store, tmp_path) -> None:
    path = visits_file(
        tmp_path,
        visit("0999 2026-03-05 09:30", 走访人员="李明"),
        visit("0101 2026-03-05 09:30", 走访人员="李敏"),
        visit("0102 2026-03-05 25:00", 走访人员="李明"),
        visit("0103 2026-03-05 08:00", 走访人员="李明", 问题描述="问题", 问题状态="已解决"),
    )
    found = preview(store, path, VISITS)
    assert found.adds == [] and found.rejected_rows == [2, 3, 4, 5]
    reasons = {(p.row, p.column): p.reason for p in found.rejected}
    assert "没有户号为「0999」" in reasons[(2, "户号")]
    assert "没有名为「李敏」的工作人员" in reasons[(3, "走访人员")]
    assert "不是有效的时间" in reasons[(4, "开始时间")]
    assert "可选：当场解决、已交办、待办、后续解决" in reasons[(5, "问题状态")]
    assert reasons[(5, "问题类别")] == "有问题描述时必填"
    with pytest.raises(ImportRefused, match="有 4 行被拒绝"):
        apply_ledger(store, found, "测试")
    assert store.raw("visit") == []


def test_rows_of_one_visit_must_agree(store, tmp_path) -> None:
    path = visits_file(
        tmp_path,
        visit(
            "0101 2026-03-05 09:30",
            结束时间="10:00",
            走访人员="李明",
            问题类别="其他",
            问题描述="一",
        ),
        visit("0101 2026-03-05 09:30", 结束时间="10:30", 问题类别="其他", 问题描述="二"),
    )
    found = preview(store, path, VISITS)
    assert found.rejected_rows == [2, 3]
    whole, problem = found.rejected
    assert (problem.row, problem.column) == (3, "结束时间") and "与第 2 行" in problem.reason
    assert (whole.row, whole.column) == (2, "整行") and "第 3 行" in whole.reason


def test_allow_rejected_writes_only_the_good_records_in_one_go(store, tmp_path) -> None:
    path = visits_file(
        tmp_path,
        visit("0101 2026-03-05 09:30", 走访人员="李明"),
        visit("0999 2026-03-05 09:30", 走访人员="李明"),
    )
    found = preview(store, path, VISITS)
    result = apply_ledger(store, found, "测试", allow_rejected=True)
    assert (result.added, result.rejected_rows) == (1, 1)
    assert len(store.raw("visit")) == 1


def test_a_worker_may_not_import(store, tmp_path) -> None:
    path = visits_file(tmp_path, visit("0101 2026-03-05 09:30", 走访人员="李明"))
    found = preview(store, path, VISITS)
    with pytest.raises(PermissionDenied, match="队员无权导入"):
        apply_ledger(store, found, "李明#staff-li")
    assert store.raw("visit") == []
    apply_ledger(store, found, "陈站长#staff-head")
    assert len(store.raw("visit")) == 1


def test_the_store_changed_since_the_preview_refuses_everything(store, tmp_path) -> None:
    path = visits_file(tmp_path, visit("0101 2026-03-05 09:30", 走访人员="李明"))
    first, second = preview(store, path, VISITS), preview(store, path, VISITS)
    apply_ledger(store, first, "测试")
    with pytest.raises(ImportRefused, match="预览之后"):
        apply_ledger(store, second, "测试")
    assert len(store.raw("visit")) == 1


def test_a_gbk_csv_and_a_title_row(store, tmp_path) -> None:
    path = write_csv(
        tmp_path / "gbk.csv",
        [
            ["湘龙社区走访台账"],
            VISIT_HEADER[:6],
            ["0101", "2026-03-05", "09:30", "", "约访", "周红"],
        ],
        encoding="gbk",
    )
    ledger = read_kind(path, VISITS)
    assert ledger.encoding == "gb18030" and ledger.header_row == 2
    found = imported(store, path, VISITS)
    assert found.adds[0].docs[0].visit_kind.label == "约访"


def test_a_household_ledger_is_not_a_visit_ledger(tmp_path) -> None:
    path = write_csv(tmp_path / "住户.csv", [["户号", "户主姓名", "地址"], ["0101", "张三", "x"]])
    with pytest.raises(LedgerError, match="缺少必需的列：「走访日期」、「开始时间」、「走访人员」"):
        read_kind(path, VISITS)


# -- slips -------------------------------------------------------------------------------

SLIP_HEADER = [
    "交办单编号",
    "来源",
    "类别",
    "事项",
    "情况描述",
    "户号",
    "承办单位",
    "经办人",
    "交办日期",
    "受理日期",
    "回复日期",
    "办理结果",
    "回访日期",
    "满意度",
    "办结日期",
    "撤回日期",
    "撤回理由",
    "状态",
]


def slip_row(number: str, **cells: str) -> list[str]:
    row = dict.fromkeys(SLIP_HEADER, "")
    row.update(
        {
            "交办单编号": number,
            "类别": "环境卫生",
            "事项": "楼道堆物",
            "情况描述": "3 栋楼道堆放杂物",
            "承办单位": "物业办",
            "经办人": "王强",
            "交办日期": "2026-03-02",
        }
    )
    row.update(cells)
    return list(row.values())


def test_slips_with_their_steps_derive_their_state_on_the_clock(store, tmp_path) -> None:
    path = write_csv(
        tmp_path / "交办单.csv",
        [
            SLIP_HEADER,
            slip_row(
                "湘龙群交〔2026〕第0001号",
                受理日期="2026-03-03",
                回复日期="2026-03-10",
                办理结果="已清理",
                回访日期="2026-03-12",
                满意度="满意",
                状态="已办结",
            ),
            slip_row(
                "湘龙群交〔2026〕第0002号",
                户号="0102",
                回复日期="2026-03-11",
                办理结果="已修",
                办结日期="2026-03-13",
            ),
            slip_row(
                "湘龙群交〔2026〕第0003号",
                来源="热线电话",
                回复日期="2026-03-09",
                办理结果="未修好",
                回访日期="2026-03-10",
                满意度="不满意",
            ),
            slip_row("湘龙群交〔2026〕第0004号", 撤回日期="2026-03-04", 撤回理由="重复"),
            slip_row("湘龙群交〔2026〕第0005号", 受理日期="2026-03-02"),
        ],
    )
    found = imported(store, path, SLIPS)
    assert len(found.adds) == 5
    by_number = {}
    for issue in store.raw("slip_issue"):
        by_number[issue["number"][-4:-1]] = get_slip(store, issue["slip_id"])
    assert {n: s.state for n, s in by_number.items()} == {
        "001": SlipState.CLOSED,
        "002": SlipState.CLOSED,
        "003": SlipState.REDO,
        "004": SlipState.WITHDRAWN,
        "005": SlipState.ACCEPTED,
    }
    assert by_number["002"].household_id == household_id(store, "0102")
    assert by_number["001"].due_date == date(2026, 3, 17)  # 15日 from 2 March
    assert [r["handler"] for r in store.raw("reply") if r["result"] == "已清理"] == ["王强"]
    assert len(store.raw("slip_close")) == 1  # the satisfied call-back closed 0001 itself
    # the next number of the program continues after the imported ones
    from grassroots_tui.models import Station
    from grassroots_tui.services.slips import next_number

    assert next_number(store, store.get(Station, STATION_ID), 2026) == "湘龙群交〔2026〕第0006号"
    again = preview(store, path, SLIPS)
    assert (len(again.adds), again.unchanged, again.rejected) == (0, 5, [])


def test_slip_rows_that_contradict_themselves_are_refused(store, tmp_path) -> None:
    path = write_csv(
        tmp_path / "交办单.csv",
        [
            SLIP_HEADER,
            slip_row("A-1", 办结日期="2026-03-13"),
            slip_row("A-2", 回复日期="2026-03-01", 办理结果="x"),
            slip_row(
                "A-3", 回复日期="2026-03-05", 办理结果="x", 撤回日期="2026-03-06", 撤回理由="y"
            ),
            slip_row("A-4", 回复日期="2026-03-05", 办理结果="x", 状态="已办结"),
            slip_row("A-4"),
            slip_row("A-5", 户号="0999"),
        ],
    )
    found = preview(store, path, SLIPS)
    assert found.adds == []
    reasons = {(p.row, p.column): p.reason for p in found.rejected}
    assert "没有回复日期" in reasons[(2, "办结日期")]
    assert reasons[(3, "回复日期")] == "不能早于交办日期 2026-03-02"
    assert "不能撤回" in reasons[(4, "撤回日期")]
    assert "（已回复）不一致" in reasons[(5, "状态")]
    assert "与第 5 行交办单编号重复" in reasons[(6, "交办单编号")]
    assert "没有户号为「0999」" in reasons[(7, "户号")]


# -- hardship, media, three-threes -----------------------------------------------------------

HARDSHIP_HEADER = [
    "户号",
    "建档日期",
    "困难等级",
    "致困原因",
    "帮扶责任人",
    "帮扶日期",
    "帮扶形式",
    "金额（元）",
    "资金来源",
    "经办人",
]


def assistance(*cells: str) -> list[str]:
    """帮扶日期, 帮扶形式, 金额（元）, 资金来源, 经办人 (blank when not given)."""
    return [*cells, *[""] * (5 - len(cells))]


def test_hardship_cases_with_their_assistance(store, tmp_path) -> None:
    path = write_csv(
        tmp_path / "帮扶.csv",
        [
            HARDSHIP_HEADER,
            [
                "0103",
                "2026-01-10",
                "深度困难",
                "疾病、残疾",
                "李明",
                *assistance("2026-01-20", "慰问金", "500", "民政", "李明"),
            ],
            [
                "0103",
                "2026-01-10",
                "",
                "",
                "",
                *assistance("2026-02-01", "物资", "120.50", "社区", "周红"),
            ],
            ["0101", "2026-02-10", "相对困难", "失业", "周红", *assistance()],
            [
                "0102",
                "2026-02-10",
                "相对困难",
                "失业",
                "周红",
                *assistance("2026-02-11", "慰问金", "", "民政", "周红"),
            ],
        ],
    )
    found = preview(store, path, HARDSHIP)
    assert found.rejected_rows == [5]
    assert (
        "慰问金必须填写金额" in found.rejected[0].reason
        and found.rejected[0].column == "金额（元）"
    )
    apply_ledger(store, found, "测试", allow_rejected=True)
    cases = {c["household_id"]: c for c in store.raw("hardship_case")}
    case = cases[household_id(store, "0103")]
    assert case["causes"] == ["illness", "disability"] and case["paired_cadre"] == "staff-li"
    helps = sorted(store.raw("assistance"), key=lambda a: a["date"])
    assert [(a["amount"], a["case_id"]) for a in helps] == [
        ("500.00", case["id"]),
        ("120.50", case["id"]),
    ]
    assert sum(Decimal(a["amount"]) for a in helps) == Decimal("620.50")
    assert preview(store, path, HARDSHIP).unchanged == 2


def test_media_reports_and_three_threes(store, tmp_path) -> None:
    media = write_csv(
        tmp_path / "媒体.csv",
        [
            ["日期", "媒体", "名称", "考核期间"],
            ["2026-04-02", "湘江日报", "夜访解难题", "2026Q2"],
            ["2026-04-03", "", "无媒体", ""],
        ],
    )
    found = preview(store, media, MEDIA)
    assert [(p.row, p.column) for p in found.rejected] == [(3, "媒体")]
    apply_ledger(store, found, "测试", allow_rejected=True)
    three = write_csv(
        tmp_path / "三三.csv",
        [
            ["活动类型", "日期", "名称", "参与人数", "有居民代表参加", "一对一联点"],
            ["群众文化活动", "2026-05-01", "广场舞", "120", "是", ""],
            ["信访维稳", "2026-05-02", "联点", "", "", "李明—王五；周红-赵六"],
            ["困难帮扶活动", "2026-05-03", "义诊", "30人", "否", "李明—王五"],
            ["媒体报道", "2026-05-04", "x", "", "", ""],
        ],
    )
    found = preview(store, three, THREE_THREES)
    reasons = {(p.row, p.column): p.reason for p in found.rejected}
    assert reasons[(4, "一对一联点")] == "只有信访维稳才填写一对一联点"
    assert "grassroots import media" in reasons[(5, "活动类型")]
    apply_ledger(store, found, "测试", allow_rejected=True)
    activities = {a["title"]: a for a in store.raw("station_activity")}
    assert (
        activities["夜访解难题"]["outlet"] == "湘江日报"
        and activities["夜访解难题"]["period"] == "2026Q2"
    )
    assert (
        activities["广场舞"]["participants"] == 120
        and activities["广场舞"]["resident_representatives"]
    )
    assert activities["联点"]["pairs"] == [
        {"responsible": "李明", "target": "王五"},
        {"responsible": "周红", "target": "赵六"},
    ]
    assert preview(store, three, THREE_THREES).unchanged == 2


def test_every_kind_reports_progress_to_the_end(store, tmp_path) -> None:
    rows = [VISIT_HEADER[:6]] + [
        ["0101", "2026-03-05", f"{h:02d}:{m:02d}", "", "", "李明"]
        for h in range(8, 18)
        for m in range(0, 60, 2)
    ]
    path = write_csv(tmp_path / "多.csv", rows)
    seen: list[tuple[int, int]] = []
    ledger = read_kind(path, VISITS)
    preview_ledger(
        store, STATION_ID, ledger, VISITS, TODAY, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (300, 300) and len(seen) > 3
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    assert set(KINDS) == {"visits", "slips", "hardship", "media", "three-threes"}


def test_an_xlsx_ledger_with_dates_and_times_as_excel_keeps_them(store, tmp_path) -> None:
    from datetime import datetime, time

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(VISIT_HEADER[:6])
    sheet.append(["0101", datetime(2026, 3, 5), time(9, 30), time(10, 15), "联访", "李明"])
    sheet.append(["0102", datetime(2026, 3, 6), 0.375, None, "走访", "周红"])  # 9:00 as a fraction
    path = tmp_path / "走访.xlsx"
    book.save(path)
    found = preview(store, path, VISITS)
    # 联访 needs its departments: refused, naming the column
    assert [(p.row, p.column) for p in found.rejected] == [(2, "联访部门")]
    (record,) = found.adds
    assert (
        str(record.docs[0].start_time) == "09:00:00" and str(record.docs[0].end_time) == "09:30:00"
    )


# -- re-imports that would overwrite work, hostile cells ---------------------------------------


def test_a_slip_imported_and_then_handled_in_the_program_is_not_overwritten(
    store, tmp_path
) -> None:
    path = write_csv(tmp_path / "交办单.csv", [SLIP_HEADER, slip_row("A-1")])
    imported(store, path, SLIPS)
    changed = write_csv(tmp_path / "改.csv", [SLIP_HEADER, slip_row("A-1", 受理日期="2026-03-03")])
    found = preview(store, changed, SLIPS)
    assert found.adds == [] and found.updates == []
    ((row, column, reason),) = [(p.row, p.column, p.reason) for p in found.rejected]
    assert (row, column) == (2, "整行") and "请在程序中修改" in reason
    assert len(store.raw("handoff_slip")) == 1 and store.raw("slip_accept") == []


def test_a_visit_whose_problem_was_handed_off_is_not_overwritten(store, tmp_path) -> None:
    cells = dict(走访人员="李明", 问题类别="其他", 问题描述="路灯坏")
    imported(store, visits_file(tmp_path, visit("0101 2026-03-05 09:30", **cells)), VISITS)
    (raw,) = store.raw("visit")
    raw["problems"][0].update(state="handed_off", slip_id="slip-x")
    from grassroots_tui.models import Visit

    store.save(Visit.model_validate(raw), actor="测试")
    edited = visits_file(tmp_path, visit("0101 2026-03-05 09:30", 问声好="新", **cells))
    found = preview(store, edited, VISITS)
    assert found.updates == [] and "已在程序中交办" in found.rejected[0].reason


def test_one_household_has_one_active_case_in_a_ledger(store, tmp_path) -> None:
    path = write_csv(
        tmp_path / "帮扶.csv",
        [
            HARDSHIP_HEADER,
            ["0101", "2026-01-10", "深度困难", "疾病", "李明", *assistance()],
            ["0101", "2026-02-10", "相对困难", "失业", "李明", *assistance()],
        ],
    )
    found = preview(store, path, HARDSHIP)
    assert len(found.adds) == 1
    assert [(p.row, p.column) for p in found.rejected] == [(3, "户号")]
    assert "与第 2 行是同一户" in found.rejected[0].reason


_CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["0101", "0102", "李明", "2026-03-05", "09:30", "满意", "走访", "慰问金", "是"]
    ),
    st.integers(-10, 10**12).map(str),
    st.sampled_from(["", " ", "=1+1", "2026-02-30", "25:61", "1e5", "¥-3", "李明、李明", "—"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_ledger_row_of_any_kind_raises(store, tmp_path, data) -> None:
    """Whatever the cells, a preview names each refused row's column and reason in
    Chinese, and accounts for every row: added, updated, unchanged or refused."""
    kind = data.draw(st.sampled_from(sorted(KINDS.values(), key=lambda k: k.name)))
    header = [c.title for c in kind.columns.columns]
    rows = data.draw(
        st.lists(
            st.lists(_CELLS, min_size=len(header), max_size=len(header)), min_size=1, max_size=6
        )
    )
    path = write_csv(tmp_path / f"{kind.name}.csv", [header, *rows])
    try:
        ledger = read_kind(path, kind)
    except LedgerError as error:
        assert "「" in str(error)
        return
    found = preview_ledger(store, STATION_ID, ledger, kind, TODAY)
    rows_taken = {n for r in found.adds for n in r.rows} | {
        n for r, _ in found.updates for n in r.rows
    }
    refused = set(found.rejected_rows)
    assert not rows_taken & refused
    assert len(rows_taken | refused) + found.unchanged <= len(ledger.rows)
    for problem in found.rejected:
        assert problem.column in {*ledger.columns.values(), *header, "整行"}, problem
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.reason), problem
    if found.rejected:
        with pytest.raises(ImportRefused):
            apply_ledger(store, found, "测试")
    before = {
        k: len(store.raw(k)) for k in ("visit", "handoff_slip", "hardship_case", "station_activity")
    }
    apply_ledger(store, found, "测试", allow_rejected=True)
    after = {k: len(store.raw(k)) for k in before}
    assert sum(after.values()) - sum(before.values()) == len(found.adds)


def test_a_ledger_of_any_kind_over_the_row_limit_is_refused_naming_it(tmp_path) -> None:
    rows = ["0101,2026-03-05,09:30,李明"] * 50_001
    path = tmp_path / "大.csv"
    path.write_text("户号,走访日期,开始时间,走访人员\n" + "\n".join(rows), encoding="utf-8")
    with pytest.raises(LedgerError, match="行数超过上限 50,000 行"):
        read_kind(path, VISITS)
