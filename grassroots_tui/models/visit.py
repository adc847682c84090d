"""走访记录: a visit to a household, with the four asks and the problems raised.

Whether a visit was off hours (错时走访) is never stored: :func:`is_off_hours` derives it
from the visit's times and the station's working hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal, Protocol

from pydantic import ConfigDict, Field, field_validator, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document, Model, new_id
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import (
    LabelledEnum,
    OptRef,
    Ref,
    RequiredText,
    Short,
    Text,
    WallTime,
)
from grassroots_tui.models.validators import check_distinct


class VisitKind(LabelledEnum):
    """四访：走访、约访、联访、夜访。"""

    DOOR = "door", "走访"
    APPOINTMENT = "appointment", "约访"
    JOINT = "joint", "联访"
    NIGHT = "night", "夜访"


class ProblemState(LabelledEnum):
    """走访中发现的问题的办理状态。"""

    SOLVED_ON_SPOT = "solved_on_spot", "当场解决"
    HANDED_OFF = "handed_off", "已交办"
    PENDING = "pending", "待办"
    SOLVED_LATER = "solved_later", "后续解决"


#: The states of a solved problem: each may carry the date it was solved (解决日期); an
#: on-the-spot one gets the visit's date when saved (services.visits.save_visit).
_SOLVED = (ProblemState.SOLVED_ON_SPOT, ProblemState.SOLVED_LATER)


class ProblemItem(Model):
    """走访中群众反映的一个问题。"""

    model_config = ConfigDict(title="问题")

    id: Ref = Field(default_factory=new_id, title="编号")
    category: Short = Field(title="类别")
    description: RequiredText = Field(title="问题描述")
    state: ProblemState = Field(ProblemState.PENDING, title="状态")
    solved_on: dt.date | None = Field(
        None,
        title="解决日期",
        description="“后续解决”必填：问题解决的那一天，不早于走访日期，如 2026-12-07；"
        "“当场解决”可不填，保存时记为走访日期；待办、已交办不填",
    )
    slip_id: OptRef = Field(None, title="交办单", description="已交办时所开的交办单")

    @model_validator(mode="after")
    def _state_fields(self) -> ProblemItem:
        if self.state is ProblemState.SOLVED_LATER and self.solved_on is None:
            raise InvalidValue(
                tr(
                    "状态为“{state}”时必须填写解决日期",
                    state=tr(ProblemState.SOLVED_LATER.label),
                ),
                field="solved_on",
            )
        if self.state not in _SOLVED and self.solved_on is not None:
            raise InvalidValue(
                tr(
                    "只有“{on_spot}”或“{later}”的问题才填写解决日期（当前状态：{state}）",
                    on_spot=tr(ProblemState.SOLVED_ON_SPOT.label),
                    later=tr(ProblemState.SOLVED_LATER.label),
                    state=tr(self.state.label),
                ),
                field="solved_on",
            )
        if self.slip_id is not None and self.state in (
            ProblemState.SOLVED_ON_SPOT,
            ProblemState.PENDING,
        ):
            raise InvalidValue(
                tr("状态为“{state}”的问题不应关联交办单", state=tr(self.state.label)),
                field="slip_id",
            )
        return self


class Visit(Document):
    """走访记录：四访之一，记录四问内容与群众反映的问题。"""

    KIND: ClassVar[str] = "visit"
    LABEL: ClassVar[str] = "走访记录"
    model_config = ConfigDict(title="走访记录")

    kind: Literal["visit"] = Field("visit", title="类型")
    date: dt.date = Field(title="走访日期")
    start_time: WallTime = Field(title="开始时间")
    end_time: WallTime = Field(title="结束时间")
    visit_kind: VisitKind = Field(VisitKind.DOOR, title="走访方式")
    household_id: Ref = Field(title="住户")
    visitor_ids: list[Ref] = Field(title="走访人员", min_length=1, max_length=20)
    joint_departments: list[Short] = Field(
        default_factory=list, title="联访部门", max_length=20, description="联访时必填"
    )
    greeting: Text = Field("", title="问声好")
    hardships: Text = Field("", title="问疾苦")
    opinions: Text = Field("", title="问意见")
    suggestions: Text = Field("", title="问建议")
    notes: Text = Field("", title="备注")
    appointment_id: OptRef = Field(None, title="预约走访单")
    problems: list[ProblemItem] = Field(default_factory=list, title="问题", max_length=100)

    @field_validator("visitor_ids")
    @classmethod
    def _visitors(cls, value: list[str]) -> list[str]:
        return check_distinct(value, tr("走访人员"))

    @model_validator(mode="after")
    def _consistent(self) -> Visit:
        if self.end_time < self.start_time:
            raise InvalidValue(tr("不能早于开始时间"), field="end_time")
        if self.visit_kind is VisitKind.JOINT and not self.joint_departments:
            raise InvalidValue(tr("联访必须填写参加的部门"), field="joint_departments")
        seen: set[str] = set()
        for index, problem in enumerate(self.problems):
            if problem.id in seen:
                raise InvalidValue(
                    tr("编号 {id} 重复", id=problem.id), field=f"problems.{index}.id"
                )
            seen.add(problem.id)
            if problem.solved_on is not None and problem.solved_on < self.date:
                raise InvalidValue(tr("不能早于走访日期"), field=f"problems.{index}.solved_on")
        return self


class _Timed(Protocol):
    start_time: dt.time
    end_time: dt.time


def is_off_hours(
    visit: _Timed | Any,
    working_start: dt.time,
    working_end: dt.time,
    *,
    rest_day: bool = False,
) -> bool:
    """错时走访: True if any part of the visit falls outside working hours.

    ``rest_day`` says the visit's date is not a working day (the official calendar lives
    in ``services``); every visit on a rest day is off hours.
    """
    if rest_day:
        return True
    return visit.start_time < working_start or visit.end_time > working_end
