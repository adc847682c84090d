"""督导记录: a supervisor's check of a station, with rectifications (整改)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document, Model, new_id
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import LabelledEnum, OptRef, Ref, RequiredText, Text, WallTime
from grassroots_tui.models.validators import check_distinct


class CheckItem(LabelledEnum):
    """督导检查的项目。"""

    ATTENDANCE = "attendance", "到岗情况"
    SLIPS = "slips", "交办单办理"
    LEDGERS = "ledgers", "台账资料"
    THREE_THREES = "three_threes", "三三工作法"


class Rating(LabelledEnum):
    """督导评定。"""

    EXCELLENT = "excellent", "优"
    GOOD = "good", "良"
    FAIR = "fair", "中"
    POOR = "poor", "差"


class RectificationState(LabelledEnum):
    """整改状态。"""

    OPEN = "open", "整改中"
    DONE = "done", "已整改"


class Rectification(Model):
    """督导发现的一项整改要求。"""

    model_config = ConfigDict(title="整改")

    id: Ref = Field(default_factory=new_id, title="编号")
    description: RequiredText = Field(title="整改事项")
    due_date: dt.date = Field(title="整改期限")
    state: RectificationState = Field(RectificationState.OPEN, title="状态")
    slip_id: OptRef = Field(None, title="交办单")


class SupervisionCheck(Document):
    """督导记录：督导人员到站检查的情况。``station_id`` 是被督导的群工站，必填。"""

    KIND: ClassVar[str] = "supervision_check"
    LABEL: ClassVar[str] = "督导记录"
    model_config = ConfigDict(title="督导记录")

    kind: Literal["supervision_check"] = Field("supervision_check", title="类型")
    station_id: Ref = Field(title="被督导群工站")
    supervisor_id: Ref = Field(title="督导人员")
    date: dt.date = Field(title="督导日期")
    time: WallTime = Field(title="督导时间")
    checked_items: list[CheckItem] = Field(title="检查项目", min_length=1, max_length=4)
    findings: Text = Field("", title="督导情况")
    rating: Rating = Field(title="评定")
    rectifications: list[Rectification] = Field(default_factory=list, title="整改", max_length=100)

    @field_validator("checked_items")
    @classmethod
    def _items(cls, value: list[CheckItem]) -> list[CheckItem]:
        return check_distinct(value, tr("检查项目"))

    @model_validator(mode="after")
    def _consistent(self) -> SupervisionCheck:
        seen: set[str] = set()
        for index, item in enumerate(self.rectifications):
            if item.id in seen:
                raise InvalidValue(
                    tr("编号 {id} 重复", id=item.id), field=f"rectifications.{index}.id"
                )
            seen.add(item.id)
            if item.due_date < self.date:
                raise InvalidValue(tr("不能早于督导日期"), field=f"rectifications.{index}.due_date")
        return self
