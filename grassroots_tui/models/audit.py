"""审计记录: one entry of the audit trail. Written by the store, so its types are loose."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from grassroots_tui.models.base import Document
from grassroots_tui.models.types import LabelledEnum, OptShort, blank_to_none


class AuditAction(LabelledEnum):
    """审计动作。"""

    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    UNDO = "undo", "撤销"
    ACCESS = "access", "查看"
    EXPORT = "export", "导出"
    #: A standalone store made a replica of the hub (Store.enroll); changes no document.
    ENROLL = "enroll", "登记本机"


_Loose = Annotated[str, Field(max_length=256)]
_Note = Annotated[Annotated[str, Field(max_length=5000)] | None, BeforeValidator(blank_to_none)]
_Hash = Annotated[Annotated[str, Field(max_length=256)] | None, BeforeValidator(blank_to_none)]


class AuditEntry(Document):
    """审计记录：谁在何时对哪份文档做了什么；查看和导出未脱敏信息也记录在此。

    ``changes`` 为 ``{字段: [修改前, 修改后]}``；删除时 ``before`` 保存整份文档。
    """

    KIND: ClassVar[str] = "audit_entry"
    LABEL: ClassVar[str] = "审计记录"
    model_config = ConfigDict(title="审计记录")

    kind: Literal["audit_entry"] = Field("audit_entry", title="类型")
    seq: int = Field(ge=0, title="序号")
    txn: _Loose = Field(title="事务")
    at: dt.datetime = Field(title="时间")
    actor: _Loose = Field(title="操作人", description="工作人员编号或姓名")
    action: AuditAction = Field(title="动作")
    target_kind: Annotated[str, Field(max_length=64)] = Field("", title="对象类型")
    target_id: Annotated[str, Field(max_length=256)] = Field("", title="对象编号")
    target_rev: int | None = Field(None, ge=0, title="对象版本", description="写入后的版本")
    changes: dict[str, list[Any]] = Field(default_factory=dict, title="变更")
    before: dict[str, Any] | None = Field(None, title="删除前内容")
    undoes: OptShort = Field(None, title="撤销的事务")
    note: _Note = Field(None, title="说明")
    prev_hash: _Hash = Field(None, title="前一条摘要")
    hash: _Hash = Field(None, title="摘要")


def actor_label(name: str, staff_id: str) -> str:
    """How a signed-in staff member is written in the audit trail: ``name#id``.

    The name keeps the trail readable; the id keeps two people of one name apart.
    """
    return f"{name}#{staff_id}"


def actor_name(actor: str) -> str:
    """The name part of an audit actor, for showing to people."""
    return actor.split("#", 1)[0]
