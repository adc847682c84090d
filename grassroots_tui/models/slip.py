"""交办单: the handoff slip, its source, category and state. Data and field checks only;
the lifecycle (which transitions are legal, deadlines) lives in ``services``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document, Model
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


class LegacySlipState(Model):
    """结构版本 1 的交办单自己记着的办理状态，升级时原样移到这里，以后不再改动。

    那时各个办理步骤还不是各自带日期的记录；交办单在某一天处于什么状态，由这里和当时
    已有的记录（回复单、延期、退单、回访）推算（services/slips/clock.py）。"""

    model_config = ConfigDict(title="升级前的办理状态")

    state: SlipState = Field(title="状态")
    number: OptShort = Field(None, title="交办单编号")
    issue_date: dt.date | None = Field(None, title="交办日期")
    due_date: dt.date | None = Field(None, title="应办结日期")
    original_due_date: dt.date | None = Field(None, title="原应办结日期")
    withdraw_reason: Text = Field("", title="撤回理由")


class HandoffSlip(Document):
    """交办单：交给承办单位办理的群众问题，原则上 15 日内以回复单回复。

    这是交办方（群工站或街道群工办）的文件：事项、承办单位、办理时限。编号、交办日期、
    状态和应办结日期不记在这里，而是由各个办理步骤（交办、受理、回复、回访、办结、撤回
    等，各是一份带日期、由办理方写的记录）推算出来（:class:`SlipView`）。
    """

    KIND: ClassVar[str] = "handoff_slip"
    LABEL: ClassVar[str] = "交办单"
    SCHEMA_VERSION: ClassVar[int] = 2
    model_config = ConfigDict(title="交办单")

    kind: Literal["handoff_slip"] = Field("handoff_slip", title="类型")
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
    deadline_rule: Short = Field(DEFAULT_DEADLINE_RULE, title="办理时限")
    visit_id: OptRef = Field(None, title="来源走访")
    problem_id: OptRef = Field(None, title="来源问题")
    legacy: LegacySlipState | None = Field(
        None,
        title="升级前的办理状态",
        description="结构版本 1 的交办单升级时留下，之后不再改动",
    )

    @model_validator(mode="after")
    def _consistent(self) -> HandoffSlip:
        if self.problem_id is not None and self.visit_id is None:
            raise InvalidValue(tr("关联了来源问题时必须同时关联其走访记录"), field="visit_id")
        return self


#: The fields a slip of schema version 1 kept itself, moved into ``legacy`` on upgrade.
LEGACY_FIELDS: tuple[str, ...] = tuple(LegacySlipState.model_fields)


class SlipView(HandoffSlip):
    """交办单连同它此刻的办理状态：由交办单和它的各个办理步骤推算，从不保存
    （保存时会因多出的字段被拒绝）。"""

    model_config = ConfigDict(title="交办单（含办理状态）")

    state: SlipState = Field(SlipState.DRAFTED, title="状态")
    number: OptShort = Field(None, title="交办单编号")
    issue_date: dt.date | None = Field(None, title="交办日期", description="最近一次交办")
    first_issue_date: dt.date | None = Field(None, title="首次交办日期")
    due_date: dt.date | None = Field(None, title="应办结日期")
    original_due_date: dt.date | None = Field(
        None, title="原应办结日期", description="延期前的应办结日期"
    )
    withdraw_reason: Text = Field("", title="撤回理由")

    def stored(self) -> HandoffSlip:
        """The slip document itself, without what was worked out."""
        return HandoffSlip.model_validate(
            self.model_dump(exclude=set(SlipView.model_fields) - set(HandoffSlip.model_fields))
        )
