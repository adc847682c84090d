"""Every document kind by its ``kind`` string."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from grassroots_tui.lang import tr
from grassroots_tui.models.activity import StationActivity
from grassroots_tui.models.appointment import Appointment
from grassroots_tui.models.audit import AuditEntry
from grassroots_tui.models.base import Document
from grassroots_tui.models.hardship import (
    Assistance,
    CondolenceRound,
    HardshipCase,
    HardshipReview,
)
from grassroots_tui.models.household import Household
from grassroots_tui.models.roster import DutyShift, LeaveRequest
from grassroots_tui.models.slip import HandoffSlip
from grassroots_tui.models.slip_actions import (
    Reply,
    SlipAcceptance,
    SlipCallback,
    SlipClosing,
    SlipExtension,
    SlipExtensionRequest,
    SlipIssue,
    SlipReminder,
    SlipReturn,
    SlipWithdrawal,
)
from grassroots_tui.models.staff import Staff
from grassroots_tui.models.station import Station
from grassroots_tui.models.supervision import SupervisionCheck
from grassroots_tui.models.visit import Visit

_CLASSES: tuple[type[Document], ...] = (
    Station,
    Staff,
    Household,
    Visit,
    Appointment,
    HandoffSlip,
    SlipIssue,
    SlipAcceptance,
    Reply,
    SlipExtension,
    SlipExtensionRequest,
    SlipReturn,
    SlipReminder,
    SlipCallback,
    SlipClosing,
    SlipWithdrawal,
    HardshipCase,
    Assistance,
    HardshipReview,
    CondolenceRound,
    DutyShift,
    LeaveRequest,
    SupervisionCheck,
    StationActivity,
    AuditEntry,
)

#: kind → document class.
KINDS: dict[str, type[Document]] = {cls.KIND: cls for cls in _CLASSES}


def model_for(kind: str) -> type[Document]:
    """The document class of ``kind``; ``KeyError`` saying so if unknown."""
    try:
        return KINDS[kind]
    except (KeyError, TypeError):
        raise KeyError(tr("未知的文档类型 {kind}", kind=repr(kind))) from None


def _models_within(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    """``model`` and every model class its fields hold (a visit's problems ...)."""
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for arg in _types_in(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _models_within(arg, seen)


def _types_in(annotation: object) -> list[object]:
    out = [annotation]
    for arg in typing.get_args(annotation):
        out.extend(_types_in(arg))
    return out


def dynamic_message_ids() -> list[str]:
    """The Chinese texts that reach a person from the models' declarations rather than a
    literal ``tr()``: every field title of every document kind and of the models within
    them, each enum member's label, and each kind's own title. The English catalog must
    hold them all (``tests/test_messages.py``)."""
    from grassroots_tui.models.types import LabelledEnum

    ids: list[str] = []
    models: set[type[BaseModel]] = set()
    for cls in _CLASSES:
        _models_within(cls, models)
    for model in sorted(models, key=lambda m: m.__name__):
        title = model.model_config.get("title")
        if title:
            ids.append(title)
        ids.extend(f.title for f in model.model_fields.values() if f.title)
    pending: list[type] = [LabelledEnum]
    while pending:
        enum_cls = pending.pop()
        pending.extend(enum_cls.__subclasses__())
        ids.extend(m.label for m in enum_cls)  # type: ignore[attr-defined]
    return list(dict.fromkeys(ids))
