"""Document models: valid samples of every kind, cross-field rules, Chinese messages."""

from __future__ import annotations

import copy
import json
from datetime import time
from decimal import Decimal

import pytest

from grassroots_tui.models import (
    KINDS,
    Assistance,
    Document,
    DocumentInvalid,
    Household,
    LabelledEnum,
    Model,
    ProblemState,
    Station,
    Visit,
    VisitKind,
    is_off_hours,
    model_for,
    validate_document,
    validate_model,
)
from grassroots_tui.models.visit import ProblemItem

ID = "11010519491231002X"

#: One small valid document of every kind (only required fields, plus a few).
SAMPLES: dict[str, dict] = {
    "station": {
        "kind": "station",
        "name": "湘龙社区群工站",
        "code": "HL01",
        "community": "湘龙社区",
        "street_office": "湘龙街道",
    },
    "staff": {"kind": "staff", "station_id": "st1", "name": "李明", "role": "worker"},
    "household": {
        "kind": "household",
        "station_id": "st1",
        "household_no": "HL01-0001",
        "head_of_household": "张三",
        "address": "星城雅郡 3 栋 2 单元 501",
        "building": "3",
        "unit": "2",
        "door": "501",
        "id_number": ID,
        "phone": "138 1234 5678",
        "tags": ["低保", "独居老人"],
    },
    "visit": {
        "kind": "visit",
        "station_id": "st1",
        "date": "2026-03-02",
        "start_time": "19:00",
        "end_time": "19:40",
        "visit_kind": "night",
        "household_id": "h1",
        "visitor_ids": ["s1", "s2"],
        "greeting": "身体还好",
        "problems": [
            {"category": "环境卫生", "description": "楼道垃圾未清", "state": "handed_off"},
            {
                "category": "其他",
                "description": "路灯坏了",
                "state": "solved_later",
                "solved_on": "2026-03-05",
            },
        ],
    },
    "appointment": {
        "kind": "appointment",
        "station_id": "st1",
        "household_id": "h1",
        "requested_by": "张三",
        "requested_at": "2026-03-01T09:15:00",
        "planned_date": "2026-03-03",
        "planned_time": "18:30",
        "reason": "咨询低保复核",
    },
    "handoff_slip": {
        "kind": "handoff_slip",
        "station_id": "st1",
        "source": "visit",
        "category": "环境卫生",
        "title": "楼道垃圾",
        "description": "3 栋楼道垃圾长期未清",
        "handling_unit": "城管中队",
        "visit_id": "v1",
        "problem_id": "p1",
    },
    "reply": {
        "kind": "reply",
        "station_id": "st1",
        "slip_id": "sl1",
        "reply_date": "2025-09-30",
        "result": "已清理",
        "handler": "王五",
    },
    "slip_extension": {
        "kind": "slip_extension",
        "station_id": "st1",
        "slip_id": "sl1",
        "requested_on": "2025-10-05",
        "reason": "需协调物业",
        "approver": "赵主任",
        "new_due_date": "2025-10-20",
    },
    "slip_extension_request": {
        "kind": "slip_extension_request",
        "station_id": "st1",
        "slip_id": "sl1",
        "requested_on": "2025-10-05",
        "reason": "需协调物业",
        "wanted_due_date": "2025-10-20",
    },
    "slip_return": {
        "kind": "slip_return",
        "station_id": "st1",
        "slip_id": "sl1",
        "returned_on": "2025-09-18",
        "reason": "不属本单位职责",
    },
    "slip_reminder": {
        "kind": "slip_reminder",
        "station_id": "st1",
        "slip_id": "sl1",
        "sent_on": "2025-10-10",
        "by": "群工办",
        "days_overdue": 1,
    },
    "slip_callback": {
        "kind": "slip_callback",
        "station_id": "st1",
        "slip_id": "sl1",
        "date": "2025-10-12",
        "satisfaction": "basically_satisfied",
    },
    "slip_issue": {
        "kind": "slip_issue",
        "station_id": "st1",
        "slip_id": "sl1",
        "issued_on": "2025-10-01",
        "number": "湘龙群交〔2025〕第0001号",
        "due_date": "2025-10-16",
    },
    "slip_accept": {
        "kind": "slip_accept",
        "station_id": "st1",
        "slip_id": "sl1",
        "accepted_on": "2025-10-02",
    },
    "slip_close": {
        "kind": "slip_close",
        "station_id": "st1",
        "slip_id": "sl1",
        "closed_on": "2025-10-13",
    },
    "slip_withdrawal": {
        "kind": "slip_withdrawal",
        "station_id": "st1",
        "slip_id": "sl1",
        "withdrawn_on": "2025-10-03",
        "reason": "群众已自行解决",
    },
    "hardship_case": {
        "kind": "hardship_case",
        "station_id": "st1",
        "household_id": "h1",
        "tier": "deep",
        "causes": ["illness", "alone"],
        "members": ["张三"],
        "paired_cadre": "s1",
        "opened_on": "2025-01-10",
    },
    "assistance": {
        "kind": "assistance",
        "station_id": "st1",
        "case_id": "c1",
        "date": "2026-01-20",
        "form": "condolence_money",
        "amount": "200",
        "source": "民政",
        "handler": "李明",
    },
    "hardship_review": {
        "kind": "hardship_review",
        "station_id": "st1",
        "case_id": "c1",
        "date": "2026-04-01",
        "findings": "病情稳定",
        "tier_before": "deep",
        "tier_after": "relative",
    },
    "condolence_round": {
        "kind": "condolence_round",
        "station_id": "st1",
        "title": "2026 年春节送温暖",
        "started_on": "2026-01-20",
        "items": [
            {"case_id": "c1", "household_id": "h1", "done": True, "done_on": "2026-01-22"},
            {"case_id": "c2", "household_id": "h2"},
        ],
    },
    "duty_shift": {
        "kind": "duty_shift",
        "station_id": "st1",
        "date": "2026-03-02",
        "staff_ids": ["s1"],
    },
    "leave_request": {
        "kind": "leave_request",
        "station_id": "st1",
        "staff_id": "s1",
        "start_date": "2026-03-02",
        "end_date": "2026-03-03",
        "leave_kind": "sick",
        "reason": "住院",
        "requested_on": "2026-02-28",
        "substitute_id": "s2",
    },
    "supervision_check": {
        "kind": "supervision_check",
        "station_id": "st1",
        "supervisor_id": "sv1",
        "date": "2026-03-02",
        "time": "10:00",
        "checked_items": ["attendance", "slips"],
        "rating": "good",
        "rectifications": [{"description": "台账不全", "due_date": "2026-03-09"}],
    },
    "station_activity": {
        "kind": "station_activity",
        "station_id": "st1",
        "activity_type": "petition_stability",
        "date": "2026-03-02",
        "title": "信访维稳一对一联点",
        "pairs": [{"responsible": "李明", "target": "王某"}],
        "period": "2026q1",
    },
    "audit_entry": {
        "kind": "audit_entry",
        "seq": 1,
        "txn": "t1",
        "at": "2026-03-02T10:00:00+08:00",
        "actor": "s1",
        "action": "update",
        "target_kind": "household",
        "target_id": "h1",
        "target_rev": 2,
        "changes": {"phone": [None, "13812345678"]},
        "before": None,
        "undoes": None,
        "note": None,
        "prev_hash": None,
    },
}


def sample(which: str, /, **changes) -> dict:
    """A copy of the sample of ``which`` with fields changed (``...`` removes one)."""
    data = copy.deepcopy(SAMPLES[which])
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def problems_of(data: dict, kind: str | None = None) -> DocumentInvalid:
    with pytest.raises(DocumentInvalid) as info:
        validate_document(data, kind)
    return info.value


def only_problem(data: dict) -> tuple[str, str, str]:
    exc = problems_of(data)
    assert len(exc.problems) == 1, str(exc)
    p = exc.problems[0]
    return p.field, p.label, p.message


# -- registry -------------------------------------------------------------------------


def test_every_kind_has_a_sample():
    assert set(SAMPLES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_registry_is_consistent(kind):
    cls = KINDS[kind]
    assert model_for(kind) is cls
    assert issubclass(cls, Document)
    assert cls.KIND == kind
    assert cls.LABEL and any("\u4e00" <= ch <= "\u9fff" for ch in cls.LABEL)
    assert cls.model_fields["kind"].default == kind


def test_model_for_unknown_kind():
    with pytest.raises(KeyError, match="未知的文档类型"):
        model_for("nope")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_has_a_chinese_title(kind):
    models = [KINDS[kind]]
    seen = set()
    while models:
        model = models.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            assert info.title, f"{model.__name__}.{name} has no title"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in info.title), (model, name)
            args = getattr(info.annotation, "__args__", ()) or ()
            for arg in (info.annotation, *args):
                if isinstance(arg, type) and issubclass(arg, Model):
                    models.append(arg)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sample_is_valid_and_round_trips_through_json(kind):
    doc = validate_document(SAMPLES[kind])
    assert type(doc) is KINDS[kind]
    assert doc.kind == kind
    text = json.dumps(doc.to_json(), ensure_ascii=False)
    again = validate_document(json.loads(text))
    assert again == doc
    assert again.to_json() == doc.to_json()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_extra_fields_are_refused(kind):
    field, label, message = only_problem(sample(kind, surprise="x"))
    assert field == "surprise"
    assert label == "surprise"
    assert "不是此类文档的字段" in message


def test_extra_field_in_an_embedded_model_is_refused():
    data = sample("visit")
    data["problems"][1]["color"] = "red"
    field, label, message = only_problem(data)
    assert (field, label) == ("problems.1.color", "问题[2].color")
    assert "不是此类文档的字段" in message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_enum_labels_are_listed_in_chinese(kind):
    cls = KINDS[kind]
    enum_fields = [
        name
        for name, info in cls.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, LabelledEnum)
    ]
    for name in enum_fields:
        enum = cls.model_fields[name].annotation
        _, label, message = only_problem(sample(kind, **{name: "nonsense"}))
        assert label == cls.model_fields[name].title
        for member in enum:
            assert member.label in message
        # the Chinese label is accepted as input and stored as the identifier
        first = next(iter(enum))
        try:
            doc = validate_document(sample(kind, **{name: first.label}))
        except DocumentInvalid as exc:  # a cross-field rule may refuse that value: fine
            assert all(p.field != name for p in exc.problems), str(exc)
            continue
        assert getattr(doc, name) is first
        assert doc.to_json()[name] == first.value


# -- messages -------------------------------------------------------------------------


def test_str_of_document_invalid_joins_labelled_lines():
    exc = problems_of(sample("household", id_number=ID[:17] + "1", phone="123"))
    assert str(exc).splitlines() == [
        "「身份证号」校验码错误，应为 X",
        "「联系电话」不是有效的手机号码或固定电话",
    ]
    assert exc.problems[0].text == "身份证号：校验码错误，应为 X"
    assert exc.problems[0].field == "id_number"
    assert isinstance(exc, ValueError)


def test_missing_required_fields():
    exc = problems_of({"kind": "household"})
    assert {(p.field, p.label, p.message) for p in exc.problems} == {
        ("household_no", "户号", "必填，不能为空"),
        ("head_of_household", "户主", "必填，不能为空"),
        ("address", "住址", "必填，不能为空"),
    }


def test_blank_required_text_is_refused():
    assert only_problem(sample("household", head_of_household="   ")) == (
        "head_of_household",
        "户主",
        "必填，不能为空",  # the same words as a field left out
    )


def test_too_long_text():
    _, label, message = only_problem(sample("household", head_of_household="张" * 51))
    assert (label, message) == ("户主", "太长了，不能超过 50 个字")


def test_impossible_date_is_refused_in_chinese():
    field, label, message = only_problem(sample("visit", date="2026-02-30"))
    assert (field, label) == ("date", "走访日期")
    assert "2026-02-30" in message and "这一天不存在" in message


def test_badly_formatted_date_and_time():
    _, label, message = only_problem(sample("duty_shift", date="明天"))
    assert label == "值班日期" and "不是有效的日期" in message
    _, label, message = only_problem(sample("visit", start_time="25:00"))
    assert label == "开始时间"
    assert message == "「25:00」不是有效的时间：小时应在 0–23 之间"


def test_wrong_types_are_translated():
    exc = problems_of(sample("household", people="三", tags="低保", note=5))
    got = {p.label: p.message for p in exc.problems}
    assert got == {"家庭人口": "应为整数", "标签": "应为列表", "备注": "应为文本"}


def test_bounds_are_translated():
    assert only_problem(sample("household", people=0))[1:] == ("家庭人口", "不能小于 1")
    assert only_problem(sample("slip_reminder", days_overdue=-1))[1:] == (
        "超期天数",
        "不能小于 0",
    )
    assert only_problem(sample("duty_shift", staff_ids=[]))[1:] == ("值班人员", "至少需要 1 项")


def test_nested_labels_use_one_based_positions():
    data = sample("visit")
    data["problems"][1]["state"] = "bogus"
    field, label, message = only_problem(data)
    assert (field, label) == ("problems.1.state", "问题[2].状态")
    assert "后续解决" in message and "solved_later" not in message  # Chinese only


def test_message_never_echoes_a_huge_input_whole():
    exc = problems_of(sample("visit", visit_kind="x" * 100_000))
    assert len(str(exc)) < 500


# -- validate_document's entry checks ---------------------------------------------------


@pytest.mark.parametrize("data", [None, [], "household", 3, b"{}", ("kind", "visit")])
def test_non_dict_input(data):
    exc = problems_of(data)
    assert exc.problems[0].label == "文档"
    assert "应为对象" in exc.problems[0].message


def test_unknown_and_missing_kind():
    assert only_problem({"kind": "shoe"}) == ("kind", "类型", "未知的文档类型 shoe")
    assert str(problems_of({"kind": "shoe"})) == "「类型」未知的文档类型 shoe"
    assert only_problem({"kind": ["x"]})[2] == "未知的文档类型 列表"
    assert only_problem({"name": "x"}) == ("kind", "类型", "缺少文档类型")
    with pytest.raises(DocumentInvalid, match="未知的文档类型 shoe"):
        validate_document(SAMPLES["staff"], "shoe")


def test_kind_argument_is_used_or_checked():
    data = sample("staff", kind=...)
    assert isinstance(validate_document(data, "staff"), KINDS["staff"])
    exc = problems_of(SAMPLES["staff"], "household")
    assert exc.problems[0].message == "应为住户（household），而不是工作人员（staff）"


def test_input_is_not_modified():
    data = sample("visit")
    before = copy.deepcopy(data)
    validate_document(data)
    assert data == before


def test_validate_model_works_for_embedded_models():
    item = validate_model(ProblemItem, {"category": "其他", "description": "x"})
    assert item.state is ProblemState.PENDING and item.id
    with pytest.raises(DocumentInvalid) as info:
        validate_model(
            ProblemItem, {"category": "其他", "description": "x", "state": "solved_later"}
        )
    assert str(info.value) == "「解决日期」状态为“后续解决”时必须填写解决日期"


# -- cross-field rules ------------------------------------------------------------------


def test_visit_end_before_start_is_refused():
    assert only_problem(sample("visit", start_time="10:00", end_time="09:59")) == (
        "end_time",
        "结束时间",
        "不能早于开始时间",
    )
    validate_document(sample("visit", start_time="10:00", end_time="10:00"))


def test_leave_end_before_start_is_refused():
    assert only_problem(sample("leave_request", end_date="2026-03-01")) == (
        "end_date",
        "结束日期",
        "不能早于开始日期",
    )
    assert str(problems_of(sample("leave_request", end_date="2026-03-01"))) == (
        "「结束日期」不能早于开始日期"
    )


def test_leave_substitute_and_approver():
    assert only_problem(sample("leave_request", substitute_id="s1"))[:2] == (
        "substitute_id",
        "代班人",
    )
    assert only_problem(sample("leave_request", decision="approved"))[:2] == (
        "approver",
        "审批人",
    )
    doc = validate_document(sample("leave_request", decision="已批准", approver="赵主任"))
    assert doc.to_json()["decision"] == "approved"


def test_problem_solved_on_iff_solved_later():
    data = sample("visit")
    del data["problems"][1]["solved_on"]
    assert only_problem(data)[:2] == ("problems.1.solved_on", "问题[2].解决日期")
    data = sample("visit")
    data["problems"][0]["solved_on"] = "2026-03-04"
    assert only_problem(data)[:2] == ("problems.0.solved_on", "问题[1].解决日期")
    data = sample("visit")
    data["problems"][1]["solved_on"] = "2026-03-01"
    assert only_problem(data) == ("problems.1.solved_on", "问题[2].解决日期", "不能早于走访日期")


def test_problem_ids_are_unique_within_a_visit():
    data = sample("visit")
    data["problems"][0]["id"] = data["problems"][1]["id"] = "p1"
    field, _, message = only_problem(data)
    assert field == "problems.1.id" and "重复" in message


def test_joint_visit_needs_departments():
    assert only_problem(sample("visit", visit_kind="joint"))[:2] == (
        "joint_departments",
        "联访部门",
    )
    doc = validate_document(sample("visit", visit_kind="联访", joint_departments=["城管"]))
    assert doc.visit_kind is VisitKind.JOINT


def test_visit_does_not_store_off_hours():
    assert "off_hours" not in Visit.model_fields
    assert "off_hours" in only_problem(sample("visit", off_hours=True))[0]


@pytest.mark.parametrize(
    "start, end, rest_day, expected",
    [
        ("09:00", "10:00", False, False),
        ("08:30", "17:30", False, False),
        ("08:00", "09:00", False, True),
        ("17:00", "18:00", False, True),
        ("19:00", "20:00", False, True),
        ("09:00", "10:00", True, True),
    ],
)
def test_is_off_hours(start, end, rest_day, expected):
    visit = validate_document(sample("visit", start_time=start, end_time=end))
    assert is_off_hours(visit, time(8, 30), time(17, 30), rest_day=rest_day) is expected


def test_station_rules():
    doc = validate_document(sample("station", code=" hl01 "))
    assert isinstance(doc, Station) and doc.code == "HL01"
    assert doc.slip_number(2026, 3) == "湘龙群交〔2026〕第0003号"
    assert (doc.working_start, doc.working_end) == (time(8, 30), time(17, 30))
    assert only_problem(sample("station", working_start="18:00"))[:2] == (
        "working_end",
        "下班时间",
    )
    assert only_problem(sample("station", code="HL-01"))[1] == "站点代码"
    assert only_problem(sample("station", slip_number_format="第{year}号"))[1] == "交办单编号格式"


def test_household_normalises_personal_information():
    doc = validate_document(sample("household", id_number=ID.lower(), phone="+86 138-1234-5678"))
    assert isinstance(doc, Household)
    assert (doc.id_number, doc.phone) == (ID, "13812345678")
    doc = validate_document(sample("household", id_number="", phone=" "))
    assert (doc.id_number, doc.phone) == (None, None)
    assert only_problem(sample("household", tags=["低保", "低保"]))[1:] == (
        "标签",
        "标签「低保」重复出现",
    )


def test_staff_never_takes_a_pin():
    assert only_problem(sample("staff", pin="1234"))[0] == "pin"
    assert only_problem(sample("staff", phone="0731-84012345"))[1:] == (
        "手机号码",
        "不是有效的手机号码",
    )


def test_a_slip_does_not_keep_what_its_steps_say():
    """State, number and dates come from the slip's steps (schema version 2): a slip that
    carries them itself is refused; one upgraded from version 1 keeps them in legacy."""
    for name, value in [
        ("state", "issued"),
        ("number", "湘龙群交〔2025〕第0001号"),
        ("issue_date", "2025-09-16"),
        ("due_date", "2025-10-09"),
    ]:
        field, _label, message = only_problem(sample("handoff_slip", **{name: value}))
        assert field == name and "不允许多余的字段" in message
    kept = {"state": "issued", "number": "N1", "issue_date": "2025-09-16"}
    doc = validate_document(sample("handoff_slip", legacy=kept))
    assert doc.legacy is not None and doc.legacy.issue_date.isoformat() == "2025-09-16"
    assert (
        only_problem(sample("handoff_slip", legacy={**kept, "state": "lost"}))[0] == "legacy.state"
    )


def test_slip_dates_and_origin():
    assert only_problem(sample("handoff_slip", visit_id=...))[0] == "visit_id"
    doc = validate_document(sample("handoff_slip", category="自定义类别", source="热线电话"))
    assert doc.to_json()["source"] == "hotline"
    assert doc.deadline_rule == "15日"


def test_assistance_amount_is_exact():
    doc = validate_document(sample("assistance", amount="0.10"))
    assert isinstance(doc, Assistance)
    assert doc.amount == Decimal("0.10")
    assert doc.to_json()["amount"] == "0.10"
    again = validate_document(json.loads(json.dumps(doc.to_json())))
    assert again.amount == Decimal("0.10") and again.to_json()["amount"] == "0.10"
    assert validate_document(sample("assistance", amount=...)).to_json()["amount"] == "0.00"
    assert only_problem(sample("assistance", amount="1.005")) == (
        "amount",
        "金额（元）",
        "最多保留两位小数（精确到分）",
    )
    assert only_problem(sample("assistance", amount=-5))[2] == "不能为负数"


def test_hardship_case_rules():
    assert only_problem(sample("hardship_case", causes=[]))[1:] == ("致困原因", "至少需要 1 项")
    assert only_problem(sample("hardship_case", status="exited"))[:2] == ("exit_on", "结案日期")
    assert only_problem(sample("hardship_case", status="exited", exit_on="2024-12-31"))[2] == (
        "不能早于建档日期"
    )
    doc = validate_document(sample("hardship_case", causes=["疾病", "孤寡"], tier="意外致困"))
    assert doc.to_json()["causes"] == ["illness", "alone"]
    assert doc.to_json()["tier"] == "accidental"


def test_condolence_round_items():
    data = sample("condolence_round")
    data["items"][1]["done"] = True
    assert only_problem(data)[:2] == ("items.1.done_on", "慰问名单[2].慰问日期")
    data = sample("condolence_round")
    data["items"][1]["case_id"] = "c1"
    assert only_problem(data)[0] == "items.1.case_id"


def test_supervision_check_needs_the_checked_station():
    assert only_problem(sample("supervision_check", station_id=None))[:2] == (
        "station_id",
        "被督导群工站",
    )
    data = sample("supervision_check")
    data["rectifications"][0]["due_date"] = "2026-03-01"
    assert only_problem(data)[:2] == ("rectifications.0.due_date", "整改[1].整改期限")


def test_station_activity_rules():
    assert only_problem(sample("station_activity", activity_type="media_report", pairs=[]))[:2] == (
        "outlet",
        "媒体",
    )
    assert only_problem(sample("station_activity", activity_type="cultural"))[0] == "pairs"
    assert only_problem(sample("station_activity", period="2026Q5"))[1] == "考核期间"
    doc = validate_document(sample("station_activity"))
    assert doc.period == "2026Q1"


def test_appointment_rules():
    assert only_problem(sample("appointment", state="done"))[:2] == ("visit_id", "走访记录")
    assert only_problem(sample("appointment", planned_date="2026-02-28"))[0] == "planned_date"
    validate_document(sample("appointment", state="done", visit_id="v1"))


def test_audit_entry_is_permissive_about_changes():
    doc = validate_document(
        sample("audit_entry", action="delete", before={"kind": "household", "x": [1, {"y": None}]})
    )
    assert doc.to_json()["before"]["x"] == [1, {"y": None}]
    assert only_problem(sample("audit_entry", changes={"a": "b"}))[1] == "变更[a]"


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("visit", "start_time"),
        ("visit", "end_time"),
        ("appointment", "planned_time"),
        ("station", "working_start"),
        ("supervision_check", "time"),
    ],
)
@pytest.mark.parametrize(
    ("given", "message"),
    [
        (0, "不是有效的时间"),  # pydantic alone read it as midnight UTC
        (36000.5, "不是有效的时间"),
        ("08:30+08:00", "不能带时区"),
        ("08:30Z", "不能带时区"),
    ],
)
def test_a_time_of_day_is_text_on_the_station_s_clock(kind, field, given, message):
    """A number or a zone is refused by name, in Chinese: never a time that cannot be
    compared with the others (the visit's end with its start raised TypeError)."""
    field_name, _label, text = only_problem(sample(kind, **{field: given}))
    assert field_name == field
    assert message in text
