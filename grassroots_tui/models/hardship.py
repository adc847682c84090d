"""困难帮扶: hardship cases, the help given, their reviews and festival rounds (送温暖)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document, Model
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import (
    LabelledEnum,
    Name,
    OptName,
    Ref,
    RequiredText,
    Short,
    Text,
    Yuan,
)
from grassroots_tui.models.validators import check_distinct

#: Where help comes from, offered by default; any non-empty text is accepted.
ASSISTANCE_SOURCES: tuple[str, ...] = ("民政", "工会", "商会", "妇联", "社区", "企业", "其他")


class HardshipTier(LabelledEnum):
    """困难等级。"""

    DEEP = "deep", "深度困难"
    RELATIVE = "relative", "相对困难"
    ACCIDENTAL = "accidental", "意外致困"


class HardshipCause(LabelledEnum):
    """致困原因。"""

    ILLNESS = "illness", "疾病"
    DISABILITY = "disability", "残疾"
    UNEMPLOYMENT = "unemployment", "失业"
    ALONE = "alone", "孤寡"
    SCHOOLING = "schooling", "子女就学"
    DISASTER = "disaster", "灾害"
    OTHER = "other", "其他"


class CaseStatus(LabelledEnum):
    """帮扶状态。"""

    ACTIVE = "active", "帮扶中"
    EXITED = "exited", "已脱困"
    TERMINATED = "terminated", "已终止"
    REFERRED = "referred", "已转介"


class ReviewCycle(LabelledEnum):
    """复核周期。"""

    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"


class AssistanceForm(LabelledEnum):
    """帮扶形式。"""

    CONDOLENCE_MONEY = "condolence_money", "慰问金"
    GOODS = "goods", "物资"
    POLICY = "policy", "政策申办"
    EMPLOYMENT = "employment", "就业帮扶"
    MEDICAL = "medical", "医疗救助"
    EDUCATION = "education", "助学"
    OTHER = "other", "其他"


class HardshipCase(Document):
    """困难帮扶档案：一户困难家庭的等级、致困原因和一对一帮扶责任人。"""

    KIND: ClassVar[str] = "hardship_case"
    LABEL: ClassVar[str] = "困难帮扶档案"
    model_config = ConfigDict(title="困难帮扶档案")

    kind: Literal["hardship_case"] = Field("hardship_case", title="类型")
    household_id: Ref = Field(title="住户")
    tier: HardshipTier = Field(title="困难等级")
    causes: list[HardshipCause] = Field(title="致困原因", min_length=1, max_length=7)
    members: list[Name] = Field(default_factory=list, title="家庭成员", max_length=30)
    paired_cadre: Ref = Field(title="帮扶责任人", description="一对一帮扶责任人的工作人员编号")
    opened_on: dt.date = Field(title="建档日期")
    status: CaseStatus = Field(CaseStatus.ACTIVE, title="帮扶状态")
    review_cycle: ReviewCycle = Field(ReviewCycle.QUARTERLY, title="复核周期")
    exit_on: dt.date | None = Field(None, title="结案日期", description="脱困、终止或转介的日期")
    exit_reason: Text = Field("", title="结案原因")
    callback_on: dt.date | None = Field(None, title="回访日期")
    notes: Text = Field("", title="备注")

    @field_validator("causes")
    @classmethod
    def _causes(cls, value: list[HardshipCause]) -> list[HardshipCause]:
        return check_distinct(value, tr("致困原因"))

    @model_validator(mode="after")
    def _consistent(self) -> HardshipCase:
        if self.status is not CaseStatus.ACTIVE and self.exit_on is None:
            raise InvalidValue(
                tr("状态为“{status}”时必须填写结案日期", status=tr(self.status.label)),
                field="exit_on",
            )
        if self.exit_on is not None and self.exit_on < self.opened_on:
            raise InvalidValue(tr("不能早于建档日期"), field="exit_on")
        if self.callback_on is not None and self.callback_on < self.opened_on:
            raise InvalidValue(tr("不能早于建档日期"), field="callback_on")
        return self


class Assistance(Document):
    """帮扶记录：一次帮扶的形式、金额（元，精确到分）和来源。"""

    KIND: ClassVar[str] = "assistance"
    LABEL: ClassVar[str] = "帮扶记录"
    model_config = ConfigDict(title="帮扶记录")

    kind: Literal["assistance"] = Field("assistance", title="类型")
    case_id: Ref = Field(title="帮扶档案")
    date: dt.date = Field(title="帮扶日期")
    form: AssistanceForm = Field(title="帮扶形式")
    amount: Yuan = Field(Decimal("0.00"), title="金额（元）", description="精确到分，如 200.00")
    source: Short = Field(title="资金来源")
    handler: Name = Field(title="经办人")
    note: Text = Field("", title="备注")


class HardshipReview(Document):
    """复核：定期复核困难家庭的状况和等级。"""

    KIND: ClassVar[str] = "hardship_review"
    LABEL: ClassVar[str] = "帮扶复核"
    model_config = ConfigDict(title="帮扶复核")

    kind: Literal["hardship_review"] = Field("hardship_review", title="类型")
    case_id: Ref = Field(title="帮扶档案")
    date: dt.date = Field(title="复核日期")
    findings: RequiredText = Field(title="复核情况")
    tier_before: HardshipTier = Field(title="复核前等级")
    tier_after: HardshipTier = Field(title="复核后等级")


class CondolenceItem(Model):
    """送温暖名单中的一户。"""

    model_config = ConfigDict(title="慰问对象")

    case_id: Ref = Field(title="帮扶档案")
    household_id: Ref = Field(title="住户")
    done: bool = Field(False, title="已慰问")
    given: Text = Field("", title="慰问物品及金额")
    by: OptName = Field(None, title="慰问人")
    done_on: dt.date | None = Field(None, title="慰问日期")

    @model_validator(mode="after")
    def _done(self) -> CondolenceItem:
        if self.done and self.done_on is None:
            raise InvalidValue(tr("已慰问时必须填写慰问日期"), field="done_on")
        if not self.done and self.done_on is not None:
            raise InvalidValue(tr("尚未慰问时不应填写慰问日期"), field="done_on")
        return self


class CondolenceRound(Document):
    """送温暖：节日期间对在册困难家庭逐户慰问。"""

    KIND: ClassVar[str] = "condolence_round"
    LABEL: ClassVar[str] = "送温暖"
    model_config = ConfigDict(title="送温暖")

    kind: Literal["condolence_round"] = Field("condolence_round", title="类型")
    title: Short = Field(title="名称")
    started_on: dt.date = Field(title="开始日期")
    tier: HardshipTier | None = Field(None, title="困难等级范围", description="空表示全部等级")
    items: list[CondolenceItem] = Field(default_factory=list, title="慰问名单", max_length=5000)

    @model_validator(mode="after")
    def _items(self) -> CondolenceRound:
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.case_id in seen:
                raise InvalidValue(
                    tr("帮扶档案 {case} 重复", case=item.case_id), field=f"items.{index}.case_id"
                )
            seen.add(item.case_id)
            if item.done_on is not None and item.done_on < self.started_on:
                raise InvalidValue(tr("不能早于开始日期"), field=f"items.{index}.done_on")
        return self
