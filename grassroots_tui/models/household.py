"""住户: the household registry, denominator of the visit rate."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from grassroots_tui.lang import N_, tr
from grassroots_tui.models.base import Document
from grassroots_tui.models.types import Name, OptIdNumber, OptPhone, OptShort, Short, Text
from grassroots_tui.models.validators import check_distinct

#: Tags offered by default; a station may use others.
#: The built-in tags, stored in Chinese: message ids, shown with
#: ``services.households.tag_name`` in the interface's language.
HOUSEHOLD_TAGS: tuple[str, ...] = (
    N_("低保"),
    N_("残疾"),
    N_("独居老人"),
    N_("优抚对象"),
    N_("拆迁户"),
)

Tag = Annotated[str, Field(min_length=1, max_length=20)]


class Household(Document):
    """住户：户号、户主、住址、网格与标签。

    住址写在 ``address``；城市小区可另填楼栋/单元/门牌号，农村可另填村民小组。
    """

    KIND: ClassVar[str] = "household"
    LABEL: ClassVar[str] = "住户"
    model_config = ConfigDict(title="住户")

    kind: Literal["household"] = Field("household", title="类型")
    household_no: Short = Field(title="户号")
    head_of_household: Name = Field(title="户主")
    id_number: OptIdNumber = Field(None, title="身份证号")
    phone: OptPhone = Field(None, title="联系电话")
    address: Annotated[str, Field(min_length=1, max_length=200)] = Field(title="住址")
    building: OptShort = Field(None, title="楼栋")
    unit: OptShort = Field(None, title="单元")
    door: OptShort = Field(None, title="门牌号")
    group: OptShort = Field(None, title="村民小组")
    grid: OptShort = Field(None, title="网格")
    people: int = Field(1, ge=1, le=99, title="家庭人口")
    tags: list[Tag] = Field(default_factory=list, title="标签", max_length=30)
    registered_on: dt.date | None = Field(None, title="登记日期")
    note: Text = Field("", title="备注")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return check_distinct(value, tr("标签"))
