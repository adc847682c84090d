"""Every document kind by its ``kind`` string."""

from __future__ import annotations

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
    """The document class of ``kind``; ``KeyError`` with a Chinese message if unknown."""
    try:
        return KINDS[kind]
    except (KeyError, TypeError):
        raise KeyError(f"未知的文档类型 {kind!r}") from None
