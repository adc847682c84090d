"""交办单: the handoff slip, its source, category and state. Data and field checks only;
the lifecycle (which transitions are legal, deadlines) lives in ``services``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from grassroots_tui.models.base import Document
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import (
    LabelledEnum,
    OptName,
    OptRef,
    OptShort,
    RequiredText,
    Short,
    Text,
)

#: Categories offered by default; a station may add its own (any non-empty text).
SLIP_CATEGORIES: tuple[str, ...] = (
    "环境卫生",
    "城市管理",
    "拆迁安置",
    "社会保障",
    "物业纠纷",
    "治安维稳",
    "其他",
)

#: The default deadline rule: 15 calendar days from the day after issue
#: (docs/design.md#handoff-slips-and-deadlines).
DEFAULT_DEADLINE_RULE = "15日"


class SlipSource(LabelledEnum):
    """交办单来源。"""

    VISIT = "visit", "走访发现"
    STREET_OFFICE = "street_office", "上级交办"
    HOTLINE = "hotline", "热线电话"
    WALK_IN = "walk_in", "民情代办点"


class SlipState(LabelledEnum):
    """交办单状态。"""

    DRAFTED = "drafted", "草拟"
    ISSUED = "issued", "已交办"
    ACCEPTED = "accepted", "已受理"
    REPLIED = "replied", "已回复"
    CLOSED = "closed", "已办结"
    RETURNED = "returned", "已退单"
    EXTENDED = "extended", "已延期"
    REDO = "redo", "重办"
    WITHDRAWN = "withdrawn", "已撤回"


class HandoffSlip(Document):
    """交办单：交给承办单位办理的群众问题，原则上 15 日内以回复单回复。

    草拟时编号、交办日期、承办单位可以空着；交办后（草拟以外的状态）必须齐全。
    撤回的草稿没有编号，撤回的已交办单保留原编号（编号永不重用）。
    """

    KIND: ClassVar[str] = "handoff_slip"
    LABEL: ClassVar[str] = "交办单"
    model_config = ConfigDict(title="交办单")

    kind: Literal["handoff_slip"] = Field("handoff_slip", title="类型")
    number: OptShort = Field(None, title="交办单编号")
    source: SlipSource = Field(SlipSource.VISIT, title="来源")
    category: Short = Field(title="类别")
    title: Short = Field(title="事项")
    description: RequiredText = Field(title="情况描述")
    household_id: OptRef = Field(None, title="住户")
    person_name: OptName = Field(None, title="当事人")
    handling_unit: OptShort = Field(None, title="承办单位")
    assignee: OptName = Field(None, title="经办人")
    lead_official: OptRef = Field(None, title="包案领导", description="工作人员编号")
    responsible_person: OptName = Field(None, title="责任人")
    issue_date: dt.date | None = Field(None, title="交办日期")
    deadline_rule: Short = Field(DEFAULT_DEADLINE_RULE, title="办理时限")
    due_date: dt.date | None = Field(None, title="应办结日期")
    original_due_date: dt.date | None = Field(
        None, title="原应办结日期", description="延期前的应办结日期"
    )
    state: SlipState = Field(SlipState.DRAFTED, title="状态")
    withdraw_reason: Text = Field("", title="撤回理由", description="仅“已撤回”时填写")
    visit_id: OptRef = Field(None, title="来源走访")
    problem_id: OptRef = Field(None, title="来源问题")

    @model_validator(mode="after")
    def _consistent(self) -> HandoffSlip:
        if self.state is not SlipState.DRAFTED and not (
            self.state is SlipState.WITHDRAWN and self.number is None
        ):
            for name, what in (
                ("number", "编号"),
                ("issue_date", "交办日期"),
                ("handling_unit", "承办单位"),
            ):
                if getattr(self, name) is None:
                    raise InvalidValue(
                        f"已交办的交办单（状态：{self.state.label}）必须填写{what}", field=name
                    )
        if self.issue_date is not None:
            for name in ("due_date", "original_due_date"):
                value = getattr(self, name)
                if value is not None and value < self.issue_date:
                    raise InvalidValue("不能早于交办日期", field=name)
        if self.problem_id is not None and self.visit_id is None:
            raise InvalidValue("关联了来源问题时必须同时关联其走访记录", field="visit_id")
        return self
