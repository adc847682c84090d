"""The row mappers of the ledger import (:mod:`.ledger_import`): one per kind of ledger.

=============  ================================  =========================================
kind           a record is                       its key (importing twice adds nothing)
=============  ================================  =========================================
visits         a visit; each row one problem      户号 + 走访日期 + 开始时间
slips          a slip and its steps (one row)     交办单编号
hardship       a case; each row one assistance    户号 + 建档日期
media          a media report (one row)           日期 + 媒体 + 名称
three-threes   an activity (one row)              活动类型 + 日期 + 名称
=============  ================================  =========================================

A slip's row carries its steps as dates (交办, 受理, 延期, 回复, 回访, 办结, 撤回): each
becomes its own step document, so the slip clock (services/slips/clock.py) works out its
state, due date and closing day, and the statistics count it as they count a slip
handled in the program.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import (
    ActivityType,
    Assistance,
    AssistanceForm,
    CaseStatus,
    HardshipCase,
    HardshipCause,
    HardshipTier,
    ProblemItem,
    ProblemState,
    Reply,
    ReviewCycle,
    Satisfaction,
    SlipAcceptance,
    SlipCallback,
    SlipClosing,
    SlipExtension,
    SlipIssue,
    SlipWithdrawal,
    StationActivity,
    Visit,
    VisitKind,
)
from grassroots_tui.models.activity import ResponsibilityPair
from grassroots_tui.models.base import Document
from grassroots_tui.models.hardship import ASSISTANCE_SOURCES
from grassroots_tui.models.slip import (
    DEFAULT_DEADLINE_RULE,
    SLIP_CATEGORIES,
    HandoffSlip,
    SlipSource,
    SlipState,
)
from grassroots_tui.services.deadlines import compute_due, parse_rule
from grassroots_tui.services.hardship import check_amount
from grassroots_tui.services.ledger_import import Context, LedgerKind, RowReader, squeeze
from grassroots_tui.services.ledger_reader import Column, ColumnSet
from grassroots_tui.services.visits import DEFAULT_VISIT_MINUTES, dated_on_the_spot


def _labels(enum: Any) -> tuple[str, ...]:
    return tuple(member.label for member in enum)


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value or "")


def _hhmm(value: Any) -> str:
    return value.strftime("%H:%M") if isinstance(value, dt.time) else str(value or "")[:5]


def _first(rows: Sequence[RowReader], name: str) -> RowReader:
    """The first row of the record that fills in ``name`` (else the first row)."""
    return next((r for r in rows if r.given(name)), rows[0])


# -- visits ---------------------------------------------------------------------------------

_VISIT_FIELDS = (
    "end_time",
    "visit_kind",
    "visitors",
    "joint_departments",
    "greeting",
    "hardships",
    "opinions",
    "suggestions",
    "notes",
)


class Visits(LedgerKind):
    name = "visits"
    label = chinese("走访台账")
    unit = "条走访记录"
    updatable = True
    columns = ColumnSet(
        chinese("走访台账"),
        (
            Column("household_no", "户号", ("户编号",), True, "本站已登记的住户户号", "0101"),
            Column("date", "走访日期", ("日期",), True, "如 2026-03-05", "2026-03-05"),
            Column("start_time", "开始时间", ("走访时间", "时间"), True, "如 09:30", "09:30"),
            Column("end_time", "结束时间", (), False, "不填为开始后 30 分钟", "10:00"),
            Column(
                "visit_kind",
                "走访方式",
                ("方式", "类型"),
                False,
                "不填为走访",
                "走访",
                _labels(VisitKind),
            ),
            Column(
                "visitors",
                "走访人员",
                ("走访人", "工作人员"),
                True,
                "本站工作人员姓名，几位用顿号隔开",
                "李明",
            ),
            Column("joint_departments", "联访部门", (), False, "联访时必填，几个用顿号隔开"),
            Column("greeting", "问声好", (), False, "", "问候老人身体"),
            Column("hardships", "问疾苦", (), False, "", ""),
            Column("opinions", "问意见", (), False, "", ""),
            Column("suggestions", "问建议", (), False, "", ""),
            Column("notes", "备注", (), False),
            Column(
                "problem_category",
                "问题类别",
                ("类别",),
                False,
                "有问题时必填；同一次走访的几个问题各占一行，户号、日期、时间相同",
                "环境卫生",
                SLIP_CATEGORIES,
                strict=False,
            ),
            Column(
                "problem_description", "问题描述", ("反映问题", "问题"), False, "", "楼道堆放杂物"
            ),
            Column(
                "problem_state",
                "问题状态",
                ("办理状态", "状态"),
                False,
                "不填为待办",
                "当场解决",
                _labels(ProblemState),
            ),
            Column(
                "solved_on",
                "解决日期",
                (),
                False,
                "后续解决必填；当场解决不填时记为走访日期",
                "",
            ),
        ),
        chinese(
            "表头应包含 户号、走访日期、开始时间、走访人员，还可以有 四问、问题类别、问题描述 等列。"
        ),
    )
    field_columns = {
        "household_id": "household_no",
        "visitor_ids": "visitors",
        "problems": "problem_description",
    }

    def key(self, row: RowReader) -> str | None:
        number = row.text("household_no", required=True, longest=100)
        day = row.date("date", required=True)
        start = row.time("start_time", required=True)
        if number is None or day is None or start is None:
            return None
        return f"{number.strip()}|{day.isoformat()}|{_hhmm(start)}"

    def build(self, rows: Sequence[RowReader], context: Context) -> list[Document]:
        first = rows[0]
        for row in rows[1:]:
            row.agree(first, _VISIT_FIELDS)
        household_id = first.household("household_no", context)
        day = first.date("date", required=True)
        start = first.time("start_time", required=True)
        end = first.time("end_time")
        kind = first.choice("visit_kind", VisitKind) or VisitKind.DOOR
        visitors = first.staff("visitors", context, required=True)
        problems = [p for p in (self._problem(row, day) for row in rows) if p is not None]
        if household_id is None or day is None or start is None or not visitors:
            return []
        if end is None:
            moment = dt.datetime.combine(day, start) + dt.timedelta(minutes=DEFAULT_VISIT_MINUTES)
            end = moment.time() if moment.date() == day else dt.time(23, 59)
        visit = Visit(
            station_id=context.station_id,
            date=day,
            start_time=start,
            end_time=end,
            visit_kind=kind,
            household_id=household_id,
            visitor_ids=visitors,
            joint_departments=first.texts("joint_departments"),
            greeting=first.text("greeting") or "",
            hardships=first.text("hardships") or "",
            opinions=first.text("opinions") or "",
            suggestions=first.text("suggestions") or "",
            notes=first.text("notes") or "",
            problems=problems,
        )
        return [dated_on_the_spot(visit)]

    def _problem(self, row: RowReader, day: dt.date | None) -> ProblemItem | None:
        description = row.text("problem_description")
        category = row.text("problem_category", longest=100)
        state = row.choice("problem_state", ProblemState)
        solved = row.date("solved_on")
        if description is None:
            for name in ("problem_category", "problem_state", "solved_on"):
                if row.given(name):
                    row.refuse(
                        "problem_description",
                        tr("填写了问题类别、状态或解决日期，问题描述不能为空"),
                    )
                    break
            return None
        if category is None:
            row.refuse("problem_category", tr("有问题描述时必填"))
            return None
        state = state or ProblemState.PENDING
        if state is ProblemState.SOLVED_LATER and solved is None:
            row.refuse(
                "solved_on", tr("状态为“{state}”时必填", state=ProblemState.SOLVED_LATER.label)
            )
            return None
        if solved is not None and state not in (
            ProblemState.SOLVED_LATER,
            ProblemState.SOLVED_ON_SPOT,
        ):
            row.refuse("solved_on", tr("状态为“{state}”的问题不填写解决日期", state=state.label))
            return None
        if solved is not None and day is not None and solved < day:
            row.refuse("solved_on", tr("不能早于走访日期 {day}", day=day.isoformat()))
            return None
        return ProblemItem(
            category=category, description=description, state=state, solved_on=solved
        )

    def stored(self, context: Context) -> dict[str, list[dict[str, Any]]]:
        numbers = {h["id"]: no for no, found in context.households.items() for h in found}
        out: dict[str, list[dict[str, Any]]] = {}
        for raw in context.store.raw("visit"):
            number = numbers.get(raw.get("household_id"))
            if number is not None:
                key = f"{number}|{_day(raw.get('date'))}|{_hhmm(raw.get('start_time'))}"
                out.setdefault(key, [raw])
        return out

    def refused_update(self, stored: list[dict[str, Any]]) -> str | None:
        if any(p.get("slip_id") for p in stored[0].get("problems") or ()):
            return tr("这次走访的问题已在程序中交办，不能用台账覆盖；请在程序中修改这条走访记录")
        return None

    def updated(self, docs: list[Document], stored: list[dict[str, Any]]) -> list[Document]:
        visit = super().updated(docs, stored)[0]
        return [visit.model_copy(update={"appointment_id": stored[0].get("appointment_id")})]


# -- slips -----------------------------------------------------------------------------------


class Slips(LedgerKind):
    name = "slips"
    label = chinese("交办单台账")
    unit = "张交办单"
    columns = ColumnSet(
        chinese("交办单台账"),
        (
            Column(
                "number",
                "交办单编号",
                ("编号", "交办编号"),
                True,
                "如 湘龙群交〔2026〕第0015号",
                "湘龙群交〔2026〕第0015号",
            ),
            Column("source", "来源", (), False, "不填为走访发现", "走访发现", _labels(SlipSource)),
            Column(
                "category",
                "类别",
                ("问题类别",),
                True,
                "",
                "环境卫生",
                SLIP_CATEGORIES,
                strict=False,
            ),
            Column("title", "事项", ("标题",), True, "", "楼道堆放杂物"),
            Column(
                "description",
                "情况描述",
                ("描述", "问题描述"),
                True,
                "",
                "3 栋楼道堆放杂物，影响通行",
            ),
            Column("household_no", "户号", (), False, "有当事住户时填写本站住户户号", "0101"),
            Column("person_name", "当事人", (), False),
            Column("handling_unit", "承办单位", (), True, "", "社区物业办"),
            Column("assignee", "经办人", (), False, "承办单位的经办人", "王强"),
            Column("lead_official", "包案领导", (), False, "工作人员姓名"),
            Column("responsible_person", "责任人", (), False),
            Column(
                "deadline_rule",
                "办理时限",
                ("时限",),
                False,
                "不填为 15日；可填 N日、N天、N个工作日",
                "15日",
            ),
            Column("issued_on", "交办日期", (), True, "", "2026-03-06"),
            Column("accepted_on", "受理日期", (), False, "", "2026-03-07"),
            Column("extension_requested_on", "延期申请日期", (), False, "延期时必填"),
            Column("extended_to", "延期至", ("新的应办结日期",), False, "延期后的应办结日期"),
            Column("extension_reason", "延期理由", (), False, "延期时必填"),
            Column("extension_approver", "延期批准人", (), False, "延期时必填"),
            Column("reply_date", "回复日期", (), False, "回复单的日期", "2026-03-15"),
            Column("reply_result", "办理结果", ("回复内容",), False, "有回复日期时必填", "已清理"),
            Column("reply_handler", "回复经办人", (), False, "不填为经办人", ""),
            Column("callback_on", "回访日期", (), False, "", "2026-03-18"),
            Column(
                "satisfaction",
                "满意度",
                (),
                False,
                "有回访日期时必填",
                "满意",
                _labels(Satisfaction),
            ),
            Column("callback_by", "回访人", (), False),
            Column(
                "closed_on",
                "办结日期",
                (),
                False,
                "不经回访直接办结的日期；回访满意即已办结，不必再填",
            ),
            Column("withdrawn_on", "撤回日期", (), False),
            Column("withdraw_reason", "撤回理由", (), False, "撤回时必填"),
            Column(
                "state",
                "状态",
                ("办理状态",),
                False,
                "可不填；填了要与各日期推算出的状态一致",
                "已办结",
                tuple(
                    s.label for s in SlipState if s not in (SlipState.DRAFTED, SlipState.RETURNED)
                ),
            ),
        ),
        chinese(
            "表头应包含 交办单编号、类别、事项、情况描述、承办单位、交办日期，还可以有 回复日期、回访日期 等列。"
        ),
    )
    field_columns = {
        "household_id": "household_no",
        "requested_on": "extension_requested_on",
        "new_due_date": "extended_to",
        "reason": "extension_reason",
        "approver": "extension_approver",
        "result": "reply_result",
        "handler": "reply_handler",
    }

    def key(self, row: RowReader) -> str | None:
        number = row.text("number", required=True, longest=100)
        return squeeze(number) if number else None

    def build(self, rows: Sequence[RowReader], context: Context) -> list[Document]:
        row = rows[0]
        for extra in rows[1:]:
            extra.refuse("number", tr("与第 {number} 行交办单编号重复", number=row.number))
        station = context.station_id
        household_id = row.household("household_no", context, required=False)
        lead = row.staff("lead_official", context)
        rule = row.text("deadline_rule", longest=100) or DEFAULT_DEADLINE_RULE
        try:
            rule = parse_rule(rule).text
        except ValueError as error:
            row.refuse("deadline_rule", str(error))
        issued = row.date("issued_on", required=True)
        slip = HandoffSlip(
            station_id=station,
            source=row.choice("source", SlipSource) or SlipSource.VISIT,
            category=row.text("category", required=True, longest=100) or "-",
            title=row.text("title", required=True, longest=100) or "-",
            description=row.text("description", required=True) or "-",
            household_id=household_id,
            person_name=row.text("person_name", longest=50),
            handling_unit=row.text("handling_unit", required=True, longest=100),
            assignee=row.text("assignee", longest=50),
            lead_official=lead[0] if len(lead) == 1 else None,
            responsible_person=row.text("responsible_person", longest=50),
            deadline_rule=rule,
        )
        if len(lead) > 1:
            row.refuse("lead_official", tr("只能填写一位包案领导"))
        if issued is None or row.problems:
            return []
        steps = self._steps(row, slip, issued, context)
        return [slip, *steps]

    def _steps(
        self, row: RowReader, slip: HandoffSlip, issued: dt.date, context: Context
    ) -> list[Document]:
        on = {"station_id": slip.station_id, "slip_id": slip.id}

        def after(name: str, earliest: dt.date | None, since_reply: bool = False) -> dt.date | None:
            day = row.date(name)
            if day is not None and earliest is not None and day < earliest:
                if since_reply:
                    row.refuse(name, tr("不能早于回复日期 {day}", day=earliest.isoformat()))
                else:
                    row.refuse(name, tr("不能早于交办日期 {day}", day=earliest.isoformat()))
            return day

        number = row.text("number", required=True, longest=100) or ""
        due = compute_due(issued, slip.deadline_rule, context.calendar).date
        steps: list[Document] = [SlipIssue(**on, issued_on=issued, number=number, due_date=due)]
        accepted = after("accepted_on", issued)
        if accepted is not None:
            steps.append(SlipAcceptance(**on, accepted_on=accepted))
        extended_to = row.date("extended_to") if row.given("extended_to") else None
        asked = after("extension_requested_on", issued)
        if extended_to is not None or asked is not None or row.given("extension_reason"):
            reason = row.text("extension_reason")
            approver = row.text("extension_approver", longest=50)
            for name, value in (
                ("extended_to", extended_to),
                ("extension_requested_on", asked),
                ("extension_reason", reason),
                ("extension_approver", approver),
            ):
                if value is None:
                    row.refuse(name, tr("延期时必填"))
            if extended_to and asked and reason and approver:
                late = asked > due
                steps.append(
                    SlipExtension(
                        **on,
                        requested_on=asked,
                        reason=reason,
                        approver=approver,
                        new_due_date=extended_to,
                        late=late,
                    )
                )
        replied = after("reply_date", issued)
        if replied is not None:
            result = row.text("reply_result")
            handler = row.text("reply_handler", longest=50) or slip.assignee
            if result is None:
                row.refuse("reply_result", tr("有回复日期时必填"))
            if handler is None:
                row.refuse("reply_handler", tr("有回复日期时必填（或填写经办人）"))
            if result and handler:
                steps.append(Reply(**on, reply_date=replied, result=result, handler=handler))
        elif row.given("reply_result"):
            row.refuse("reply_date", tr("填写了办理结果，回复日期不能为空"))
        called = after("callback_on", replied, since_reply=True)
        satisfaction = row.choice("satisfaction", Satisfaction)
        if called is not None:
            if replied is None:
                row.refuse("callback_on", tr("没有回复日期，不能回访"))
            if satisfaction is None:
                row.refuse("satisfaction", tr("有回访日期时必填"))
            else:
                steps.append(
                    SlipCallback(
                        **on,
                        date=called,
                        satisfaction=satisfaction,
                        by=row.text("callback_by", longest=50),
                    )
                )
        elif satisfaction is not None:
            row.refuse("callback_on", tr("填写了满意度，回访日期不能为空"))
        closed = after("closed_on", replied, since_reply=True)
        satisfied = called is not None and satisfaction not in (None, Satisfaction.UNSATISFIED)
        if closed is not None:
            if replied is None:
                row.refuse("closed_on", tr("没有回复日期（回复单），不能办结"))
            elif satisfaction is Satisfaction.UNSATISFIED:
                row.refuse(
                    "closed_on", tr("回访不满意的交办单要重办、再回复后才能办结；请在程序中登记")
                )
            elif satisfied and closed != called:
                row.refuse("closed_on", tr("回访满意即已办结，办结日期应与回访日期相同或不填"))
            elif not satisfied:
                steps.append(SlipClosing(**on, closed_on=closed))
        withdrawn = after("withdrawn_on", issued)
        if withdrawn is not None:
            reason = row.text("withdraw_reason")
            if replied is not None:
                row.refuse("withdrawn_on", tr("承办单位已回复，交办单不能撤回"))
            elif reason is None:
                row.refuse("withdraw_reason", tr("撤回时必填"))
            else:
                steps.append(SlipWithdrawal(**on, withdrawn_on=withdrawn, reason=reason))
        stated = row.text("state", longest=20)
        if stated is not None and not row.problems:
            derived = _slip_state(steps)
            if squeeze(stated) not in (derived.label, derived.value):
                row.refuse(
                    "state",
                    tr(
                        "「{stated}」与各办理日期推算出的状态（{state}）不一致",
                        stated=stated,
                        state=derived.label,
                    ),
                )
        return steps

    def stored(self, context: Context) -> dict[str, list[dict[str, Any]]]:
        issues: dict[str, list[dict[str, Any]]] = {}
        for raw in context.raw("slip_issue"):
            if raw.get("number"):
                issues.setdefault(str(raw.get("slip_id")), []).append(raw)
        steps: dict[str, list[dict[str, Any]]] = {}
        for kind in (
            "slip_issue",
            "slip_accept",
            "slip_extension",
            "reply",
            "slip_callback",
            "slip_close",
            "slip_withdrawal",
            "slip_return",
        ):
            for raw in context.store.raw(kind):
                steps.setdefault(str(raw.get("slip_id")), []).append(raw)
        out: dict[str, list[dict[str, Any]]] = {}
        for slip in context.raw("handoff_slip"):
            found = issues.get(slip["id"])
            if found:
                out.setdefault(squeeze(str(found[0]["number"])), [slip, *steps.get(slip["id"], [])])
        return out


def _slip_state(steps: list[Document]) -> SlipState:
    """The state the steps of one ledger row leave the slip in (the row holds at most one
    step of each kind; the clock in services/slips/clock.py agrees for such a slip)."""
    kinds = {type(step) for step in steps}
    callbacks = [s for s in steps if isinstance(s, SlipCallback)]
    if SlipWithdrawal in kinds:
        return SlipState.WITHDRAWN
    if SlipClosing in kinds or any(
        c.satisfaction is not Satisfaction.UNSATISFIED for c in callbacks
    ):
        return SlipState.CLOSED
    if callbacks:
        return SlipState.REDO
    if Reply in kinds:
        return SlipState.REPLIED
    if SlipExtension in kinds:
        return SlipState.EXTENDED
    if SlipAcceptance in kinds:
        return SlipState.ACCEPTED
    return SlipState.ISSUED


# -- hardship ------------------------------------------------------------------------------

_CASE_FIELDS = (
    "tier",
    "causes",
    "members",
    "paired_cadre",
    "status",
    "review_cycle",
    "exit_on",
    "exit_reason",
    "callback_on",
    "notes",
)


class Hardship(LedgerKind):
    name = "hardship"
    label = chinese("困难帮扶台账")
    unit = "份帮扶档案"
    columns = ColumnSet(
        chinese("困难帮扶台账"),
        (
            Column("household_no", "户号", (), True, "本站已登记的住户户号", "0101"),
            Column("opened_on", "建档日期", (), True, "", "2026-01-10"),
            Column("tier", "困难等级", ("等级",), True, "", "相对困难", _labels(HardshipTier)),
            Column(
                "causes", "致困原因", (), True, "几个用顿号隔开", "疾病", _labels(HardshipCause)
            ),
            Column("members", "家庭成员", (), False, "姓名，几位用顿号隔开"),
            Column("paired_cadre", "帮扶责任人", ("责任人",), True, "本站工作人员姓名", "李明"),
            Column(
                "status",
                "帮扶状态",
                ("状态",),
                False,
                "不填为帮扶中",
                "帮扶中",
                _labels(CaseStatus),
            ),
            Column(
                "review_cycle",
                "复核周期",
                (),
                False,
                "不填为每季度",
                "每季度",
                _labels(ReviewCycle),
            ),
            Column("exit_on", "结案日期", (), False, "已脱困、已终止、已转介时必填"),
            Column("exit_reason", "结案原因", (), False),
            Column("callback_on", "回访日期", (), False, "脱困后计划回访的日期"),
            Column("notes", "备注", (), False),
            Column(
                "assist_date",
                "帮扶日期",
                (),
                False,
                "每次帮扶一行；同一份档案的各行户号、建档日期相同",
                "2026-01-20",
            ),
            Column(
                "form", "帮扶形式", (), False, "有帮扶日期时必填", "慰问金", _labels(AssistanceForm)
            ),
            Column("amount", "金额（元）", ("金额",), False, "精确到分；慰问金必填", "500.00"),
            Column(
                "source",
                "资金来源",
                (),
                False,
                "有帮扶日期时必填",
                "民政",
                ASSISTANCE_SOURCES,
                strict=False,
            ),
            Column("handler", "经办人", (), False, "有帮扶日期时必填", "李明"),
            Column("assist_note", "帮扶备注", (), False),
        ),
        chinese(
            "表头应包含 户号、建档日期、困难等级、致困原因、帮扶责任人，还可以有 帮扶日期、帮扶形式、金额 等列。"
        ),
    )
    field_columns = {
        "household_id": "household_no",
        "date": "assist_date",
    }

    def key(self, row: RowReader) -> str | None:
        number = row.text("household_no", required=True, longest=100)
        opened = row.date("opened_on", required=True)
        if number is None or opened is None:
            return None
        return f"{number.strip()}|{opened.isoformat()}"

    def build(self, rows: Sequence[RowReader], context: Context) -> list[Document]:
        first = rows[0]
        for row in rows[1:]:
            row.agree(first, _CASE_FIELDS)
        household_id = first.household("household_no", context)
        opened = first.date("opened_on", required=True)
        tier = first.choice("tier", HardshipTier, required=True)
        causes = first.choices("causes", HardshipCause, required=True)
        cadre = first.staff("paired_cadre", context, required=True)
        status = first.choice("status", CaseStatus) or CaseStatus.ACTIVE
        if len(cadre) > 1:
            first.refuse("paired_cadre", tr("只能填写一位帮扶责任人"))
        if household_id is None or opened is None or tier is None or not causes or len(cadre) != 1:
            return []
        if status is CaseStatus.ACTIVE:
            active = context.claimed.setdefault("active_case", {})
            earlier = active.setdefault(household_id, first.number)
            if earlier != first.number:
                first.refuse(
                    "household_no",
                    tr("与第 {row} 行是同一户，一户只能有一份帮扶中的档案", row=earlier),
                )
            for raw in context.raw("hardship_case"):
                if raw.get("household_id") == household_id and raw.get("status") == "active":
                    if _day(raw.get("opened_on")) != opened.isoformat():
                        first.refuse(
                            "household_no",
                            tr(
                                "这一户已有帮扶中的档案（{day} 建档），不能重复建档",
                                day=_day(raw.get("opened_on")),
                            ),
                        )
        case = HardshipCase(
            station_id=context.station_id,
            household_id=household_id,
            tier=tier,
            causes=causes,
            members=first.texts("members"),
            paired_cadre=cadre[0],
            opened_on=opened,
            status=status,
            review_cycle=first.choice("review_cycle", ReviewCycle) or ReviewCycle.QUARTERLY,
            exit_on=first.date("exit_on"),
            exit_reason=first.text("exit_reason") or "",
            callback_on=first.date("callback_on"),
            notes=first.text("notes") or "",
        )
        helps = [a for a in (self._assistance(row, case) for row in rows) if a is not None]
        helps.sort(key=lambda a: a.date)
        return [case, *helps]

    def _assistance(self, row: RowReader, case: HardshipCase) -> Assistance | None:
        day = row.date("assist_date")
        if day is None:
            for name in ("form", "amount", "source", "handler", "assist_note"):
                if row.given(name):
                    row.refuse("assist_date", tr("填写了帮扶内容，帮扶日期不能为空"))
                    break
            return None
        form = row.choice("form", AssistanceForm, required=True)
        source = row.text("source", required=True, longest=100)
        handler = row.text("handler", required=True, longest=50)
        amount = row.yuan("amount")
        if day < case.opened_on:
            row.refuse("assist_date", tr("不能早于建档日期 {day}", day=case.opened_on.isoformat()))
        closed = case.status in (CaseStatus.TERMINATED, CaseStatus.REFERRED)
        if closed and case.exit_on is not None and day > case.exit_on:
            row.refuse(
                "assist_date",
                tr(
                    "{status}（{day}）之后不能再有帮扶",
                    status=tr(case.status.label),
                    day=case.exit_on.isoformat(),
                ),
            )
        if form is None or source is None or handler is None:
            return None
        assistance = Assistance(
            station_id=case.station_id,
            case_id=case.id,
            date=day,
            form=form,
            source=source,
            handler=handler,
            note=row.text("assist_note") or "",
            **({"amount": amount} if amount is not None else {}),
        )
        check_amount(assistance)
        return assistance

    def stored(self, context: Context) -> dict[str, list[dict[str, Any]]]:
        numbers = {h["id"]: no for no, found in context.households.items() for h in found}
        helps: dict[str, list[dict[str, Any]]] = {}
        for raw in context.raw("assistance"):
            helps.setdefault(str(raw.get("case_id")), []).append(raw)
        out: dict[str, list[dict[str, Any]]] = {}
        for case in context.raw("hardship_case"):
            number = numbers.get(case.get("household_id"))
            if number is not None:
                key = f"{number}|{_day(case.get('opened_on'))}"
                out.setdefault(key, [case, *helps.get(case["id"], [])])
        return out


# -- media reports and the three-threes ---------------------------------------------------


class _Activities(LedgerKind):
    """Station activities, one a row, rewritten when the ledger says otherwise."""

    updatable = True
    types: tuple[ActivityType, ...] = ()

    def _type(self, row: RowReader) -> ActivityType | None:
        raise NotImplementedError

    def key(self, row: RowReader) -> str | None:
        kind = self._type(row)
        day = row.date("date", required=True)
        title = row.text("title", required=True, longest=100)
        if kind is None or day is None or title is None:
            return None
        return f"{kind.value}|{day.isoformat()}|{squeeze(title)}|{squeeze(self._extra_key(row))}"

    def _extra_key(self, row: RowReader) -> str:
        return ""

    def _stored_extra(self, raw: dict[str, Any]) -> str:
        return ""

    def _stored_key(self, raw: dict[str, Any]) -> str:
        extra = self._stored_extra(raw)
        return (
            f"{raw.get('activity_type')}|{_day(raw.get('date'))}|"
            f"{squeeze(str(raw.get('title', '')))}|{squeeze(extra)}"
        )

    def stored(self, context: Context) -> dict[str, list[dict[str, Any]]]:
        wanted = {t.value for t in self.types}
        return {
            self._stored_key(raw): [raw]
            for raw in context.raw("station_activity")
            if raw.get("activity_type") in wanted
        }

    def _activity(self, row: RowReader, context: Context, **fields: Any) -> list[Document]:
        kind = self._type(row)
        day = row.date("date", required=True)
        title = row.text("title", required=True, longest=100)
        if kind is None or day is None or title is None or row.problems:
            return []
        period = row.text("period", longest=10)
        return [
            StationActivity(
                station_id=context.station_id,
                activity_type=kind,
                date=day,
                title=title,
                period=period,
                note=row.text("note") or "",
                **fields,
            )
        ]


class Media(_Activities):
    name = "media"
    label = chinese("媒体报道台账")
    unit = "条媒体报道"
    types = (ActivityType.MEDIA_REPORT,)
    columns = ColumnSet(
        chinese("媒体报道台账"),
        (
            Column("date", "日期", ("报道日期",), True, "", "2026-04-02"),
            Column("outlet", "媒体", ("媒体名称",), True, "", "湘江日报"),
            Column("title", "名称", ("报道名称", "标题"), True, "报道的名称", "群工站夜访解难题"),
            Column("reference", "报道标题或链接", ("链接",), False),
            Column("period", "考核期间", (), False, "如 2026、2026Q2、2026-04"),
            Column("note", "备注", (), False),
        ),
        chinese("表头应包含 日期、媒体、名称，还可以有 报道标题或链接、考核期间、备注。"),
    )

    def _type(self, row: RowReader) -> ActivityType | None:
        return ActivityType.MEDIA_REPORT

    def _extra_key(self, row: RowReader) -> str:
        return row.text("outlet", required=True, longest=100) or ""

    def _stored_extra(self, raw: dict[str, Any]) -> str:
        return str(raw.get("outlet") or "")

    def build(self, rows: Sequence[RowReader], context: Context) -> list[Document]:
        row = rows[0]
        for extra in rows[1:]:
            extra.refuse(
                "title",
                tr("与第 {number} 行是同一篇报道（日期、媒体、名称相同）", number=row.number),
            )
        outlet = row.text("outlet", required=True, longest=100)
        return self._activity(
            row, context, outlet=outlet, reference=row.text("reference", longest=500)
        )


_THREE = (ActivityType.CULTURAL, ActivityType.PETITION_STABILITY, ActivityType.HARDSHIP_ACTIVITY)


class ThreeThrees(_Activities):
    name = "three-threes"
    label = chinese("三三工作法台账")
    unit = "项三三工作法活动"
    types = _THREE
    columns = ColumnSet(
        chinese("三三工作法台账"),
        (
            Column(
                "activity_type",
                "活动类型",
                ("类型",),
                True,
                "",
                "群众文化活动",
                tuple(t.label for t in _THREE),
            ),
            Column("date", "日期", ("活动日期",), True, "", "2026-05-01"),
            Column("title", "名称", ("活动名称",), True, "", "五一广场舞展演"),
            Column("place", "地点", (), False, "", "社区广场"),
            Column("participants", "参与人数", ("人数",), False, "", "120"),
            Column(
                "resident_representatives",
                "有居民代表参加",
                ("居民代表",),
                False,
                "群众文化活动要有居民代表参加才计入考核",
                "是",
                ("是", "否"),
            ),
            Column(
                "pairs",
                "一对一联点",
                (),
                False,
                "仅信访维稳：责任人—联系对象，几对用分号隔开，如 李明—王五；张华—赵六",
            ),
            Column("period", "考核期间", (), False, "如 2026、2026Q2、2026-05"),
            Column("note", "备注", (), False),
        ),
        chinese(
            "表头应包含 活动类型、日期、名称，还可以有 地点、参与人数、有居民代表参加、一对一联点 等列。"
        ),
    )

    def _type(self, row: RowReader) -> ActivityType | None:
        kind = row.choice("activity_type", ActivityType, required=True)
        if kind is ActivityType.MEDIA_REPORT:
            row.refuse(
                "activity_type", tr("媒体报道请用媒体报道台账导入（grassroots import media）")
            )
            return None
        return kind

    def build(self, rows: Sequence[RowReader], context: Context) -> list[Document]:
        row = rows[0]
        for extra in rows[1:]:
            extra.refuse(
                "title",
                tr("与第 {number} 行是同一项活动（类型、日期、名称相同）", number=row.number),
            )
        pairs: list[ResponsibilityPair] = []
        for part in _pair_texts(row.text("pairs")):
            sides = [s.strip() for s in _PAIR_SPLIT.split(part) if s.strip()]
            if len(sides) != 2:
                row.refuse(
                    "pairs", tr("「{part}」应写成 {form}", part=part, form="责任人—联系对象")
                )
                continue
            pairs.append(ResponsibilityPair(responsible=sides[0], target=sides[1]))
        return self._activity(
            row,
            context,
            place=row.text("place", longest=100),
            participants=row.whole("participants") or 0,
            resident_representatives=bool(row.yes_no("resident_representatives")),
            pairs=pairs,
        )


#: Between the two sides of a pair (李明—王五) and between pairs (；).
_PAIR_SPLIT = re.compile(r"[—\-－–→>:：/]+")
_PAIRS_SPLIT = re.compile(r"[;；\n、,，]+")


def _pair_texts(text: str | None) -> list[str]:
    return [p.strip() for p in _PAIRS_SPLIT.split(text or "") if p.strip()]


VISITS = Visits()
SLIPS = Slips()
HARDSHIP = Hardship()
MEDIA = Media()
THREE_THREES = ThreeThrees()

#: Every kind by its command-line name, in the order the program offers them.
KINDS: dict[str, LedgerKind] = {
    kind.name: kind for kind in (VISITS, SLIPS, HARDSHIP, MEDIA, THREE_THREES)
}

__all__ = ["HARDSHIP", "KINDS", "MEDIA", "SLIPS", "THREE_THREES", "VISITS"]


#: The counts of each kind's records (:func:`.ledger_reader.counted`), marked so they
#: are translated.
COUNTED = (
    chinese("{count} 条走访记录"),
    chinese("{count} 张交办单"),
    chinese("{count} 份帮扶档案"),
    chinese("{count} 条媒体报道"),
    chinese("{count} 项三三工作法活动"),
)
