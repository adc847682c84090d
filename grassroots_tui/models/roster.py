"""值班表与请假: duty shifts and leave requests with a substitute (代班)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import LabelledEnum, OptRef, OptShort, Ref, RequiredText, Text
from grassroots_tui.models.validators import check_distinct


class LeaveKind(LabelledEnum):
    """请假类别。"""

    PERSONAL = "personal", "事假"
    SICK = "sick", "病假"
    OTHER = "other", "其他"


class LeaveDecision(LabelledEnum):
    """请假审批结果。"""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不批准"


class DutyShift(Document):
    """值班：某一天在站值班的人员。"""

    KIND: ClassVar[str] = "duty_shift"
    LABEL: ClassVar[str] = "值班"
    model_config = ConfigDict(title="值班")

    kind: Literal["duty_shift"] = Field("duty_shift", title="类型")
    date: dt.date = Field(title="值班日期")
    staff_ids: list[Ref] = Field(title="值班人员", min_length=1, max_length=50)
    note: Text = Field("", title="备注")

    @field_validator("staff_ids")
    @classmethod
    def _staff(cls, value: list[str]) -> list[str]:
        return check_distinct(value, tr("值班人员"))


class LeaveRequest(Document):
    """请假：工作日原则上不准请假；确需请假须提前书面申请，自行联系代班人员并公示。"""

    KIND: ClassVar[str] = "leave_request"
    LABEL: ClassVar[str] = "请假"
    model_config = ConfigDict(title="请假")

    kind: Literal["leave_request"] = Field("leave_request", title="类型")
    staff_id: Ref = Field(title="请假人")
    start_date: dt.date = Field(title="开始日期")
    end_date: dt.date = Field(title="结束日期")
    leave_kind: LeaveKind = Field(LeaveKind.PERSONAL, title="请假类别")
    reason: RequiredText = Field(title="请假事由")
    requested_on: dt.date = Field(title="申请日期")
    approver: OptShort = Field(None, title="审批人")
    decision: LeaveDecision = Field(LeaveDecision.PENDING, title="审批结果")
    substitute_id: OptRef = Field(None, title="代班人")

    @model_validator(mode="after")
    def _consistent(self) -> LeaveRequest:
        if self.end_date < self.start_date:
            raise InvalidValue(tr("不能早于开始日期"), field="end_date")
        if self.substitute_id is not None and self.substitute_id == self.staff_id:
            raise InvalidValue(tr("不能是请假人本人"), field="substitute_id")
        if self.decision is not LeaveDecision.PENDING and self.approver is None:
            raise InvalidValue(
                tr("审批结果为“{decision}”时必须填写审批人", decision=tr(self.decision.label)),
                field="approver",
            )
        return self
