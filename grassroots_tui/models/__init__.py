"""Pydantic models of every document kind. No I/O here.

``KINDS`` maps each ``kind`` string to its class; :func:`validate_document` turns a plain
dict into a document or raises :class:`DocumentInvalid` with messages in the interface
language (Chinese by default; see :mod:`grassroots_tui.lang`).
"""

from grassroots_tui.models.activity import ActivityType, ResponsibilityPair, StationActivity
from grassroots_tui.models.appointment import Appointment, AppointmentState
from grassroots_tui.models.audit import AuditAction, AuditEntry
from grassroots_tui.models.base import Document, Model, new_id
from grassroots_tui.models.errors import (
    DocumentInvalid,
    InvalidValue,
    Problem,
    validate_document,
    validate_model,
)
from grassroots_tui.models.hardship import (
    ASSISTANCE_SOURCES,
    Assistance,
    AssistanceForm,
    CaseStatus,
    CondolenceItem,
    CondolenceRound,
    HardshipCase,
    HardshipCause,
    HardshipReview,
    HardshipTier,
    ReviewCycle,
)
from grassroots_tui.models.household import HOUSEHOLD_TAGS, Household
from grassroots_tui.models.registry import KINDS, model_for
from grassroots_tui.models.roster import DutyShift, LeaveDecision, LeaveKind, LeaveRequest
from grassroots_tui.models.slip import (
    DEFAULT_DEADLINE_RULE,
    SLIP_CATEGORIES,
    HandoffSlip,
    LegacySlipState,
    SlipSource,
    SlipState,
    SlipView,
)
from grassroots_tui.models.slip_actions import (
    Reply,
    Satisfaction,
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
from grassroots_tui.models.staff import Staff, StaffRole
from grassroots_tui.models.station import DEFAULT_SLIP_NUMBER_FORMAT, Station
from grassroots_tui.models.supervision import (
    CheckItem,
    Rating,
    Rectification,
    RectificationState,
    SupervisionCheck,
)
from grassroots_tui.models.types import LabelledEnum
from grassroots_tui.models.visit import ProblemItem, ProblemState, Visit, VisitKind, is_off_hours

__all__ = [
    "ASSISTANCE_SOURCES",
    "DEFAULT_DEADLINE_RULE",
    "DEFAULT_SLIP_NUMBER_FORMAT",
    "HOUSEHOLD_TAGS",
    "KINDS",
    "SLIP_CATEGORIES",
    "ActivityType",
    "Appointment",
    "AppointmentState",
    "Assistance",
    "AssistanceForm",
    "AuditAction",
    "AuditEntry",
    "CaseStatus",
    "CheckItem",
    "CondolenceItem",
    "CondolenceRound",
    "Document",
    "DocumentInvalid",
    "DutyShift",
    "HandoffSlip",
    "LegacySlipState",
    "SlipView",
    "HardshipCase",
    "HardshipCause",
    "HardshipReview",
    "HardshipTier",
    "Household",
    "InvalidValue",
    "LabelledEnum",
    "LeaveDecision",
    "LeaveKind",
    "LeaveRequest",
    "Model",
    "Problem",
    "ProblemItem",
    "ProblemState",
    "Rating",
    "Rectification",
    "RectificationState",
    "Reply",
    "ResponsibilityPair",
    "ReviewCycle",
    "Satisfaction",
    "SlipAcceptance",
    "SlipCallback",
    "SlipClosing",
    "SlipExtension",
    "SlipExtensionRequest",
    "SlipIssue",
    "SlipReminder",
    "SlipReturn",
    "SlipWithdrawal",
    "SlipSource",
    "SlipState",
    "Staff",
    "StaffRole",
    "Station",
    "StationActivity",
    "SupervisionCheck",
    "Visit",
    "VisitKind",
    "is_off_hours",
    "model_for",
    "new_id",
    "validate_document",
    "validate_model",
]
