"""群工站: one community's mass-work station and its settings."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.models.staff import StaffRole
from grassroots_tui.models.types import Name, OptPhone, OptShort, WallTime
from grassroots_tui.models.validators import (
    STATION_CODE_RE,
    check_slip_number_format,
    check_station_code,
)

#: Default template of slip numbers; ``{year}`` and ``{seq}`` are filled in on issue.
DEFAULT_SLIP_NUMBER_FORMAT = "湘龙群交〔{year}〕第{seq:04d}号"
#: The street office's own slip numbers (上级交办), a sequence of its own per year.
OFFICE_SLIP_NUMBER_FORMAT = "湘龙街群交〔{year}〕第{seq:04d}号"
DEFAULT_WORKING_START = dt.time(8, 30)
DEFAULT_WORKING_END = dt.time(17, 30)
#: Who may print, export or copy residents' personal information unmasked, unless the
#: station says otherwise: the head (站长) only (services/disclosure.py).
DEFAULT_UNMASKED_ROLES: tuple[StaffRole, ...] = (StaffRole.HEAD,)


class Station(Document):
    """群工站：一个社区的群众工作站及其设置。"""

    KIND: ClassVar[str] = "station"
    LABEL: ClassVar[str] = "群工站"
    model_config = ConfigDict(title="群工站")

    kind: Literal["station"] = Field("station", title="类型")
    name: Name = Field(title="站名")
    code: str = Field(
        title="站点代码",
        max_length=16,
        json_schema_extra={"pattern": STATION_CODE_RE.pattern},
        description="大写字母和数字，如 HL01",
    )
    community: Name = Field(title="所属社区")
    street_office: Name = Field(title="所属街道")
    working_start: WallTime = Field(DEFAULT_WORKING_START, title="上班时间")
    working_end: WallTime = Field(DEFAULT_WORKING_END, title="下班时间")
    slip_number_format: str = Field(
        DEFAULT_SLIP_NUMBER_FORMAT,
        title="交办单编号格式",
        max_length=100,
        description="可用 {year} 与 {seq}，如 第{seq:04d}号",
    )
    phone: OptPhone = Field(None, title="联系电话")
    address: OptShort = Field(None, title="地址")
    unmasked_roles: list[StaffRole] = Field(
        default_factory=lambda: list(DEFAULT_UNMASKED_ROLES),
        title="可输出未遮蔽信息的角色",
        max_length=4,
        description="哪些角色可以打印、导出或拷出未遮蔽的个人信息；默认只有站长",
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return check_station_code(value)

    @field_validator("slip_number_format")
    @classmethod
    def _slip_format(cls, value: str) -> str:
        return check_slip_number_format(value)

    @model_validator(mode="after")
    def _hours(self) -> Station:
        if self.working_end <= self.working_start:
            raise InvalidValue(tr("必须晚于上班时间"), field="working_end")
        return self

    def slip_number(self, year: int, seq: int) -> str:
        """The slip number for ``seq`` in ``year``: "湘龙群交〔2026〕第0001号"."""
        return self.slip_number_format.format(year=year, seq=seq)
