"""工作人员: station team members, heads, supervisors and responsible leaders."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from grassroots_tui.models.base import Document
from grassroots_tui.models.types import LabelledEnum, Name, OptMobile, Short, blank_to_none


class StaffRole(LabelledEnum):
    """工作人员角色。"""

    WORKER = "worker", "队员"
    HEAD = "head", "站长"
    SUPERVISOR = "supervisor", "督导"
    LEADER = "leader", "包案领导"


_Secret = Annotated[Annotated[str, Field(max_length=512)] | None, BeforeValidator(blank_to_none)]


class Staff(Document):
    """工作人员：队员、站长、督导、包案领导。离任人员保留，标记为不在岗。

    只保存 PIN 的摘要和盐值，从不保存 PIN 本身。
    """

    KIND: ClassVar[str] = "staff"
    LABEL: ClassVar[str] = "工作人员"
    model_config = ConfigDict(title="工作人员")

    kind: Literal["staff"] = Field("staff", title="类型")
    name: Name = Field(title="姓名")
    role: StaffRole = Field(StaffRole.WORKER, title="角色")
    phone: OptMobile = Field(None, title="手机号码")
    active: bool = Field(True, title="在岗")
    pin_hash: _Secret = Field(None, title="PIN 摘要")
    pin_salt: _Secret = Field(None, title="PIN 盐值")
    departments: list[Short] = Field(default_factory=list, title="所属部门", max_length=50)
