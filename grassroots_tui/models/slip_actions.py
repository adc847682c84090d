"""The steps of a handoff slip, each its own dated document with one writer: issue (交办),
acceptance (受理), reply (回复单), extension (延期), return (退单), reminder (催办),
callback (回访), close (办结) and withdrawal (撤回). Each carries ``slip_id``; the slip's
state on any day is worked out from their dates (services/slips/clock.py).
"""

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
    OptName,
    OptRef,
    OptShort,
    Ref,
    RequiredText,
    Text,
)


class Satisfaction(LabelledEnum):
    """回访满意度。"""

    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Reply(Document):
    """回复单：承办单位对交办单的办理回复；重办后的回复标记为重办回复。"""

    KIND: ClassVar[str] = "reply"
    LABEL: ClassVar[str] = "回复单"
    model_config = ConfigDict(title="回复单")

    kind: Literal["reply"] = Field("reply", title="类型")
    slip_id: Ref = Field(title="交办单")
    reply_date: dt.date = Field(title="回复日期")
    result: RequiredText = Field(title="办理结果")
    policy_basis: Text = Field("", title="政策依据")
    handler: Name = Field(title="经办人")
    signer: OptName = Field(None, title="签发人")
    is_redo: bool = Field(False, title="重办回复")


class SlipExtension(Document):
    """延期：申请延长交办单的办理时限；原应办结日期保留在交办单上。"""

    KIND: ClassVar[str] = "slip_extension"
    LABEL: ClassVar[str] = "延期申请"
    model_config = ConfigDict(title="延期申请")

    kind: Literal["slip_extension"] = Field("slip_extension", title="类型")
    slip_id: Ref = Field(title="交办单")
    requested_on: dt.date = Field(title="申请日期")
    reason: RequiredText = Field(title="延期理由")
    approver: Name = Field(title="批准人")
    new_due_date: dt.date = Field(title="新的应办结日期")
    late: bool = Field(False, title="超期后申请")
    #: The station's request this approves (a slip the street office issued), if any.
    request_id: OptRef = Field(None, title="延期申请单")

    @model_validator(mode="after")
    def _dates(self) -> SlipExtension:
        if self.new_due_date < self.requested_on:
            raise InvalidValue(tr("不能早于申请日期"), field="new_due_date")
        return self


class SlipExtensionRequest(Document):
    """申请延期：群工站对街道群工办交办的交办单申请延长办理时限，由街道群工办批准。"""

    KIND: ClassVar[str] = "slip_extension_request"
    LABEL: ClassVar[str] = "延期申请单"
    model_config = ConfigDict(title="延期申请单")

    kind: Literal["slip_extension_request"] = Field("slip_extension_request", title="类型")
    slip_id: Ref = Field(title="交办单")
    requested_on: dt.date = Field(title="申请日期")
    reason: RequiredText = Field(title="延期理由")
    wanted_due_date: dt.date = Field(title="申请延至")
    by: OptName = Field(None, title="申请人")

    @model_validator(mode="after")
    def _dates(self) -> SlipExtensionRequest:
        if self.wanted_due_date < self.requested_on:
            raise InvalidValue(tr("不能早于申请日期"), field="wanted_due_date")
        return self


class SlipReturn(Document):
    """退单：承办单位退回交办单，须说明理由。"""

    KIND: ClassVar[str] = "slip_return"
    LABEL: ClassVar[str] = "退单"
    model_config = ConfigDict(title="退单")

    kind: Literal["slip_return"] = Field("slip_return", title="类型")
    slip_id: Ref = Field(title="交办单")
    returned_on: dt.date = Field(title="退单日期")
    reason: RequiredText = Field(title="退单理由")


class SlipReminder(Document):
    """催办：对临期或超期的交办单发出的催办记录。"""

    KIND: ClassVar[str] = "slip_reminder"
    LABEL: ClassVar[str] = "催办"
    model_config = ConfigDict(title="催办")

    kind: Literal["slip_reminder"] = Field("slip_reminder", title="类型")
    slip_id: Ref = Field(title="交办单")
    sent_on: dt.date = Field(title="催办日期")
    by: Name = Field(title="催办人")
    days_overdue: int = Field(0, ge=0, le=36500, title="超期天数")
    note: Text = Field("", title="备注")


class SlipCallback(Document):
    """回访：回复后向群众回访，记录满意度；不满意可重办。"""

    KIND: ClassVar[str] = "slip_callback"
    LABEL: ClassVar[str] = "回访"
    model_config = ConfigDict(title="回访")

    kind: Literal["slip_callback"] = Field("slip_callback", title="类型")
    slip_id: Ref = Field(title="交办单")
    date: dt.date = Field(title="回访日期")
    satisfaction: Satisfaction = Field(title="满意度")
    by: OptName = Field(None, title="回访人")
    note: Text = Field("", title="回访情况")


class SlipIssue(Document):
    """交办：交办单交给承办单位的日期；退单后再次交办另记一条。"""

    KIND: ClassVar[str] = "slip_issue"
    LABEL: ClassVar[str] = "交办记录"
    model_config = ConfigDict(title="交办记录")

    kind: Literal["slip_issue"] = Field("slip_issue", title="类型")
    slip_id: Ref = Field(title="交办单")
    issued_on: dt.date = Field(title="交办日期")
    number: OptShort = Field(None, title="交办单编号")
    due_date: dt.date | None = Field(None, title="应办结日期", description="交办时算出的日期")


class SlipAcceptance(Document):
    """受理：承办单位接手交办单的日期。"""

    KIND: ClassVar[str] = "slip_accept"
    LABEL: ClassVar[str] = "受理"
    model_config = ConfigDict(title="受理")

    kind: Literal["slip_accept"] = Field("slip_accept", title="类型")
    slip_id: Ref = Field(title="交办单")
    accepted_on: dt.date = Field(title="受理日期")


class SlipClosing(Document):
    """办结：不经回访直接办结的日期（满意或基本满意的回访本身就是办结）。"""

    KIND: ClassVar[str] = "slip_close"
    LABEL: ClassVar[str] = "办结"
    model_config = ConfigDict(title="办结")

    kind: Literal["slip_close"] = Field("slip_close", title="类型")
    slip_id: Ref = Field(title="交办单")
    closed_on: dt.date = Field(title="办结日期")


class SlipWithdrawal(Document):
    """撤回：交办单撤回的日期和理由；编号不再使用。"""

    KIND: ClassVar[str] = "slip_withdrawal"
    LABEL: ClassVar[str] = "撤回"
    model_config = ConfigDict(title="撤回")

    kind: Literal["slip_withdrawal"] = Field("slip_withdrawal", title="类型")
    slip_id: Ref = Field(title="交办单")
    withdrawn_on: dt.date = Field(title="撤回日期")
    reason: RequiredText = Field(title="撤回理由")
