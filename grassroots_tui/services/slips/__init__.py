"""交办单的一生: drafting, numbering, every step of the lifecycle, repeat petitions and
the slip's history (docs/design.md#handoff-slips-and-deadlines).

    state      steps allowed (ACTIONS)                  leads to
    草拟       issue, withdraw                         已交办 / 已撤回
    已交办     accept, return (≤3 日), extend, reply,   已受理 / 已退单 / 已延期 / 已回复 / 已撤回
               withdraw, remind
    已受理     extend, reply, withdraw, remind
    已延期     extend, reply, withdraw, remind
    重办       extend, reply (a redo reply), remind
    已回复     callback, close                         满意/基本满意 → 已办结; 不满意 → 重办
    已退单     issue (again, same number), withdraw
    已办结, 已撤回: nothing

- A step that is not allowed is refused with :class:`SlipActionRefused`, whose Chinese
  message says why ("已办结的交办单不能再延期", "没有回复单，不能办结").
  :func:`allowed_actions` lists what a slip may do next, for menus and key bindings.
- Every step is its own dated document (issue, acceptance, reply, extension, return,
  callback, close, withdrawal, reminder; models/slip_actions.py), written by the party
  that takes it (:func:`step_party`); the slip document is the issuer's and no step
  rewrites it. State, number, dates and due date on any day are worked out from the
  steps (the slip clock, :mod:`.clock`; :class:`~grassroots_tui.models.slip.SlipView`).
- Every step is one store transaction: its document and, on issue, withdrawal, close or
  redo, the linked visit problem together. The store's audit trail says who and when;
  :func:`slip_history` reads it back in Chinese.
- The visit problem a slip was drafted from follows the slip: issued, it is 已交办;
  withdrawn, 待办 again; closed (办结, or a 满意/基本满意 callback), 后续解决 dated the
  day it was closed (what the statistics count as resolved, README "Issues resolved";
  never before the visit's date); sent back for redo (不满意), 已交办 with no date again.
- Numbers (湘龙群交〔2026〕第0015号) are per station and year and never reused: the next
  one comes after every number the station's slips hold now *or ever held* according to
  the audit trail, so neither a withdrawal, a deletion nor an undo frees a number.
- The effective due date is derived, never trusted from storage: :func:`effective_due`
  (the slip clock's rule) takes the latest of the rule from the issue date, an
  extension's new due date, or the rule from an unsatisfied callback (redo), with the
  current calendar.

The package, by concept (each name below is importable from here as before):

- :mod:`.lifecycle`: the steps, which step is allowed when, and the small helpers the
  steps share;
- :mod:`.numbering`: slip numbers and finding a slip by its number;
- :mod:`.drafting`: drafts, and repeat petitions (earlier slips, the lead official);
- :mod:`.history`: the slip's history in Chinese;
- :mod:`.clock`: the slip clock (state, due date and clock on any day), with
  :func:`effective_due` and :func:`slip_timeline` for one slip;
- :mod:`.errors`: :class:`SlipActionRefused` and :class:`SlipNotFound`.
"""

from __future__ import annotations

from grassroots_tui.services.slips.clock import OPEN_STATES, effective_due, slip_timeline
from grassroots_tui.services.slips.drafting import (
    draft_from_problem,
    draft_slip,
    earlier_slips,
    lead_official_name,
    proposed_lead_official,
    save_draft,
)
from grassroots_tui.services.slips.errors import SlipActionRefused, SlipNotFound
from grassroots_tui.services.slips.history import HistoryEntry, slip_history
from grassroots_tui.services.slips.lifecycle import (
    ACTION_LABELS,
    ACTIONS,
    accept,
    allowed_actions,
    callback,
    close,
    documents_of,
    ensure_allowed,
    extend,
    get_slip,
    has_reply,
    issue,
    issue_preview,
    party_refusal,
    pending_extension_request,
    refusal,
    reply,
    request_extension,
    return_slip,
    step_party,
    withdraw,
)
from grassroots_tui.services.slips.numbering import find_slip, next_number, numbers_ever_used

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "OPEN_STATES",
    "HistoryEntry",
    "SlipActionRefused",
    "SlipNotFound",
    "accept",
    "allowed_actions",
    "callback",
    "close",
    "draft_from_problem",
    "draft_slip",
    "earlier_slips",
    "documents_of",
    "effective_due",
    "ensure_allowed",
    "extend",
    "find_slip",
    "get_slip",
    "party_refusal",
    "pending_extension_request",
    "request_extension",
    "step_party",
    "has_reply",
    "issue",
    "issue_preview",
    "lead_official_name",
    "next_number",
    "numbers_ever_used",
    "proposed_lead_official",
    "refusal",
    "reply",
    "return_slip",
    "save_draft",
    "slip_history",
    "slip_timeline",
    "withdraw",
]
