"""三三工作法 and media reports: a station's cultural activity, petition-and-stability
arrangement, hardship activity, and reports in the media.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document, Model
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.types import LabelledEnum, Name, OptShort, Short, Text, blank_to_none
from grassroots_tui.models.validators import PERIOD_RE, check_period


class ActivityType(LabelledEnum):
    """群工站活动类型：三三工作法的三项与媒体报道。"""

    CULTURAL = "cultural", "群众文化活动"
    PETITION_STABILITY = "petition_stability", "信访维稳"
    HARDSHIP_ACTIVITY = "hardship_activity", "困难帮扶活动"
    MEDIA_REPORT = "media_report", "媒体报道"


class ResponsibilityPair(Model):
    """信访维稳的一对一联点：责任人与联系对象。"""

    model_config = ConfigDict(title="一对一联点")

    responsible: Name = Field(title="责任人")
    target: Name = Field(title="联系对象")


def _period(value: object) -> object:
    value = blank_to_none(value)
    return check_period(value) if isinstance(value, str) else value


_Period = Annotated[
    Annotated[str, Field(max_length=10, pattern=PERIOD_RE.pattern)] | None,
    BeforeValidator(_period),
]
_Reference = Annotated[Annotated[str, Field(max_length=500)] | None, BeforeValidator(blank_to_none)]


class StationActivity(Document):
    """群工站活动：三三工作法（群众文化活动、信访维稳、困难帮扶活动）与媒体报道。"""

    KIND: ClassVar[str] = "station_activity"
    LABEL: ClassVar[str] = "群工站活动"
    model_config = ConfigDict(title="群工站活动")

    kind: Literal["station_activity"] = Field("station_activity", title="类型")
    activity_type: ActivityType = Field(title="活动类型")
    date: dt.date = Field(title="日期")
    title: Short = Field(title="名称")
    place: OptShort = Field(None, title="地点")
    participants: int = Field(0, ge=0, le=1_000_000, title="参与人数")
    resident_representatives: bool = Field(False, title="有居民代表参加")
    pairs: list[ResponsibilityPair] = Field(
        default_factory=list, title="一对一联点", max_length=500, description="仅信访维稳"
    )
    outlet: OptShort = Field(None, title="媒体", description="仅媒体报道")
    reference: _Reference = Field(None, title="报道标题或链接", description="仅媒体报道")
    period: _Period = Field(None, title="考核期间", description="如 2026、2026Q3、2026-09")
    note: Text = Field("", title="备注")

    @model_validator(mode="after")
    def _consistent(self) -> StationActivity:
        media = self.activity_type is ActivityType.MEDIA_REPORT
        if media and self.outlet is None:
            raise InvalidValue(tr("媒体报道必须填写媒体名称"), field="outlet")
        if not media:
            for name in ("outlet", "reference"):
                if getattr(self, name) is not None:
                    raise InvalidValue(tr("只有媒体报道才填写此项"), field=name)
        if self.pairs and self.activity_type is not ActivityType.PETITION_STABILITY:
            raise InvalidValue(tr("只有信访维稳才填写一对一联点"), field="pairs")
        return self
