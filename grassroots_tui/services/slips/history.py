"""A slip's history in the interface language: its audit trail joined with its action
documents."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grassroots_tui import lang
from grassroots_tui.lang import tr
from grassroots_tui.models import KINDS, Satisfaction, SlipWithdrawal
from grassroots_tui.models.audit import actor_name
from grassroots_tui.models.slip import HandoffSlip, SlipState
from grassroots_tui.services.slips.clock import STEP_KINDS, slip_timeline
from grassroots_tui.services.slips.lifecycle import _date, _of_slip
from grassroots_tui.services.text import listed
from grassroots_tui.store import Store


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a slip's history: when, who, and what (in the interface language)."""

    at: dt.datetime | dt.date
    who: str
    what: str


def _when(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _state_label(value: Any) -> str:
    try:
        return tr(SlipState(value).label)
    except ValueError:
        return str(value)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split()).rstrip("。；;，, ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_action(kind: str, doc: dict[str, Any]) -> tuple[str, str]:
    """(business date, text in the current language) of an action document."""
    if kind == "reply":
        values = {
            "day": doc["reply_date"],
            "result": _clip(doc.get("result", "")),
            "handler": doc.get("handler"),
        }
        if doc.get("is_redo"):
            text = tr("重办回复单（{day}）：{result}；经办人 {handler}", **values)
        else:
            text = tr("回复单（{day}）：{result}；经办人 {handler}", **values)
        if doc.get("signer"):
            text += tr("，签发人 {signer}", signer=doc["signer"])
        return doc["reply_date"], text
    if kind == "slip_extension":
        text = tr(
            "延期（申请日期 {asked}）：{reason}；批准人 {approver}，新的应办结日期 {due}",
            asked=doc["requested_on"],
            reason=_clip(doc.get("reason", "")),
            approver=doc.get("approver"),
            due=doc["new_due_date"],
        )
        if doc.get("late"):
            text += tr("（超期后申请）")
        return doc["requested_on"], text
    if kind == "slip_extension_request":
        text = tr(
            "申请延期（{asked}）：{reason}；申请延至 {wanted}",
            asked=doc["requested_on"],
            reason=_clip(doc.get("reason", "")),
            wanted=doc["wanted_due_date"],
        )
        if doc.get("by"):
            text += tr("，申请人 {by}", by=doc["by"])
        return doc["requested_on"], text
    if kind == "slip_return":
        return doc["returned_on"], tr(
            "退单（{day}）：{reason}", day=doc["returned_on"], reason=_clip(doc.get("reason", ""))
        )
    if kind == "slip_reminder":
        text = tr("催办（{day}）：催办人 {by}", day=doc["sent_on"], by=doc.get("by"))
        if doc.get("days_overdue"):
            text += tr("，已超期 {days} 天", days=doc["days_overdue"])
        if doc.get("note"):
            text += tr("；{note}", note=_clip(doc["note"]))
        return doc["sent_on"], text
    if kind == "slip_callback":
        try:
            how = tr(Satisfaction(str(doc.get("satisfaction"))).label)
        except ValueError:
            how = str(doc.get("satisfaction"))
        text = tr("回访（{day}）：{how}", day=doc["date"], how=how)
        if doc.get("by"):
            text += tr("，回访人 {by}", by=doc["by"])
        if doc.get("note"):
            text += tr("；{note}", note=_clip(doc["note"]))
        return doc["date"], text
    if kind == "slip_issue":
        return doc["issued_on"], tr("交办：{details}", details=_issue_details(doc, "issued_on"))
    if kind == "slip_accept":
        return doc["accepted_on"], tr("受理（{day}）", day=doc["accepted_on"])
    if kind == "slip_close":
        return doc["closed_on"], tr("办结（{day}）", day=doc["closed_on"])
    if kind == "slip_withdrawal":
        reason = _clip(doc.get("reason", ""))
        if reason:
            return doc["withdrawn_on"], tr(
                "撤回（{day}）：{reason}", day=doc["withdrawn_on"], reason=reason
            )
        return doc["withdrawn_on"], tr("撤回（{day}）", day=doc["withdrawn_on"])
    return "", tr(KINDS[kind].LABEL) if kind in KINDS else kind


def _issue_details(values: dict[str, Any], issued: str) -> str:
    """ "编号 …，交办日期 …，应办结日期 …" of an issue, each part only when known."""
    details = []
    if values.get("number"):
        details.append(tr("编号 {number}", number=values["number"]))
    if values.get(issued):
        details.append(tr("交办日期 {day}", day=values[issued]))
    if values.get("due_date"):
        details.append(tr("应办结日期 {day}", day=values["due_date"]))
    return tr("，").join(details)


#: Every document that records a step of a slip, and reminders, in the history.
HISTORY_KINDS = (*STEP_KINDS, "slip_extension_request", "slip_reminder")


_FIELD_TITLES = {name: (field.title or name) for name, field in HandoffSlip.model_fields.items()}
_STEP_FIELDS = {"state", "number", "issue_date", "due_date", "original_due_date", "deadline_rule"}


def _describe_slip_change(entry: dict[str, Any]) -> str:
    action = entry.get("action")
    changes: dict[str, list[Any]] = entry.get("changes") or {}
    if action == "create":
        after = {name: pair[1] for name, pair in changes.items()}
        text = tr("新建交办单（{state}）", state=_state_label(after.get("state", "drafted")))
        if after.get("number"):
            text += tr("，编号 {number}", number=after["number"])
        return text
    if action == "delete":
        return tr("删除交办单")
    if action in ("access", "export"):
        text = tr("导出交办单") if action == "export" else tr("查看交办单")
        return text + (tr("：{note}", note=entry["note"]) if entry.get("note") else "")
    parts: list[str] = []
    if "state" in changes:
        before, after = changes["state"]
        after_label = _state_label(after)
        new = {name: pair[1] for name, pair in changes.items()}
        if after == SlipState.ISSUED.value and before in ("drafted", "returned"):
            details = _issue_details(new, "issue_date")
            if before == "returned":
                parts.append(
                    tr("重新交办：{details}", details=details) if details else tr("重新交办")
                )
            else:
                parts.append(tr("交办：{details}", details=details) if details else tr("交办"))
        elif after == SlipState.WITHDRAWN.value:
            reason = new.get("withdraw_reason") or ""
            parts.append(
                tr("撤回：{reason}", reason=reason) if reason else tr(SlipWithdrawal.LABEL)
            )
        elif after == SlipState.REDO.value:
            parts.append(
                tr("回访不满意，重办（新的应办结日期 {due}）", due=new.get("due_date", ""))
            )
        else:
            parts.append(f"{_state_label(before)} → {after_label}")
    others = [name for name in changes if name not in _STEP_FIELDS and name != "withdraw_reason"]
    if others:
        parts.append(tr("修改了{fields}", fields=_field_titles(others)))
    if not parts and changes:
        parts.append(tr("修改了{fields}", fields=_field_titles(changes)))
    text = lang.clauses(parts, tr("；")) or tr("保存（无改动）")
    if action == "undo":
        text = tr("撤销上一步：{what}", what=text)
    return text


def _field_titles(names: Iterable[str]) -> str:
    return listed(tr(_FIELD_TITLES[n]) if n in _FIELD_TITLES else n for n in names)


def slip_history(store: Store, slip_id: str) -> list[HistoryEntry]:
    """What happened to the slip, oldest first: its audit trail (who and when each step
    was recorded) joined with the action documents (reply, extension, return, reminder,
    callback) and what they say. A step's slip change and its action document, written
    in one transaction, make one entry."""
    actions: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind in HISTORY_KINDS:
        for doc in _of_slip(store, kind, slip_id):
            actions[doc["id"]] = (kind, doc)
    # What each step changed, as the slip clock replays them.
    raw_slip = store.get_raw("handoff_slip", slip_id)
    changed: dict[str, str] = {}
    if raw_slip is not None:
        for doc_id, before, after, due in slip_timeline(store, raw_slip, None).steps:
            kind = actions.get(doc_id, ("", {}))[0]
            if kind == "slip_issue" and before is SlipState.RETURNED:
                changed[doc_id] = tr("重新交办")
            elif kind in ("slip_issue", "slip_withdrawal", "slip_accept", "slip_close"):
                continue  # the step's own text says it
            elif after is SlipState.REDO and before is not SlipState.REDO:
                changed[doc_id] = tr(
                    "重办，新的应办结日期 {due}", due=due.isoformat() if due else ""
                )
            elif before is not after:
                changed[doc_id] = f"{tr(before.label)} → {tr(after.label)}"
    slip_entries: list[dict[str, Any]] = []
    action_entry: dict[str, dict[str, Any]] = {}
    for entry in store.raw("audit_entry"):
        target = entry.get("target_id")
        if target == slip_id and entry.get("target_kind") == "handoff_slip":
            slip_entries.append(entry)
        elif target in actions and entry.get("action") == "create":
            action_entry.setdefault(target, entry)

    by_txn: dict[str, list[str]] = defaultdict(list)
    for doc_id, entry in action_entry.items():
        by_txn[entry["txn"]].append(doc_id)

    rows: list[tuple[tuple[Any, ...], HistoryEntry]] = []

    def add(at: dt.datetime | dt.date, who: str, what: str, business: str, seq: int) -> None:
        if isinstance(at, dt.datetime):
            key = (at.date(), 1, at.timestamp(), business, seq)
        else:
            key = (at, 0, 0.0, business, seq)
        rows.append((key, HistoryEntry(at, actor_name(who), what)))

    merged: dict[str, str] = {}  # action doc id → state change text to append
    for entry in slip_entries:
        at = _when(entry.get("at"))
        changes = entry.get("changes") or {}
        partners = by_txn.get(entry.get("txn", ""), [])
        if entry.get("action") == "update" and "state" in changes and len(partners) == 1:
            before, after = changes["state"]
            if after == SlipState.REDO.value:
                note = tr("重办，新的应办结日期 {due}", due=changes.get("due_date", [None, ""])[1])
            else:
                note = f"{_state_label(before)} → {_state_label(after)}"
            merged[partners[0]] = note
            continue
        if at is None:
            continue
        add(at, entry.get("actor") or "", _describe_slip_change(entry), "", entry.get("seq", 0))

    for doc_id, (kind, doc) in actions.items():
        business, text = _describe_action(kind, doc)
        if doc_id in merged:  # a store of schema version 1: the slip's own change
            text += tr("（{change}）", change=merged[doc_id])
        elif doc_id in changed:
            text += tr("（{change}）", change=changed[doc_id])
        created = action_entry.get(doc_id)
        at = _when(created.get("at")) if created else None
        if created is not None and at is not None:
            add(at, created.get("actor") or "", text, business, created.get("seq", 0))
        else:
            day = _date(business) or _date(doc.get("created_at")) or dt.date.min
            who = doc.get("created_by") or doc.get("by") or doc.get("handler") or ""
            add(day, who, text, business, 0)
    rows.sort(key=lambda row: row[0])
    return [row[1] for row in rows]
