"""预约走访单: a resident asks for a visit at a given time; it later becomes a visit."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import (
    LabelledEnum,
    Name,
    OptRef,
    Ref,
    RequiredText,
    Text,
    WallTime,
)


class AppointmentState(LabelledEnum):
    """预约走访单的状态。"""

    PENDING = "pending", "待走访"
    DONE = "done", "已走访"
    MISSED = "missed", "未能走访"
    CANCELLED = "cancelled", "已取消"


class Appointment(Document):
    """预约走访单：群众预约的走访时间与事由；走访后关联走访记录。"""

    KIND: ClassVar[str] = "appointment"
    LABEL: ClassVar[str] = "预约走访单"
    model_config = ConfigDict(title="预约走访单")

    kind: Literal["appointment"] = Field("appointment", title="类型")
    household_id: Ref = Field(title="住户")
    requested_by: Name = Field(title="预约人")
    requested_at: dt.datetime = Field(title="预约登记时间")
    planned_date: dt.date = Field(title="约定日期")
    planned_time: WallTime = Field(title="约定时间")
    reason: RequiredText = Field(title="预约事由")
    state: AppointmentState = Field(AppointmentState.PENDING, title="状态")
    visit_id: OptRef = Field(None, title="走访记录")
    note: Text = Field("", title="备注")

    @model_validator(mode="after")
    def _consistent(self) -> Appointment:
        if self.planned_date < self.requested_at.date():
            raise InvalidValue(tr("不能早于预约登记的日期"), field="planned_date")
        if self.state is AppointmentState.DONE and self.visit_id is None:
            raise InvalidValue(
                tr("状态为“{state}”时必须关联走访记录", state=tr(AppointmentState.DONE.label)),
                field="visit_id",
            )
        if self.state is not AppointmentState.DONE and self.visit_id is not None:
            raise InvalidValue(
                tr(
                    "只有“{done}”的预约才关联走访记录（当前状态：{state}）",
                    done=tr(AppointmentState.DONE.label),
                    state=tr(self.state.label),
                ),
                field="visit_id",
            )
        return self
