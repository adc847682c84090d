"""`grassroots check`: load every document, validate it, verify the audit chain.

Besides documents that fail validation and a broken audit chain, it reports what a
computer clock set wrong leaves behind: a document changed "before" it was created, and
an audit entry written earlier than the one before it by more than
:data:`CLOCK_TOLERANCE` (the clock was set back). Deadlines and statistics never use
these times (they count business dates), so such findings ask a person to look, not to
repair anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots_tui.models import KINDS
from grassroots_tui.models.errors import DocumentInvalid, validate_document
from grassroots_tui.store import Store, audit_hash
from grassroots_tui.store.store import AUDIT, META

#: How far back an audit entry's time may be from the previous one's before it is reported
#: (clock adjustments by time synchronisation are seconds; a clock set back is more).
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Finding:
    doc_id: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.doc_id}：{self.message}"


def check_store(store: Store) -> list[Finding]:
    """Every problem found, in a stable order; an empty list means the store is sound."""
    findings: list[Finding] = []
    for kind in sorted(store.kinds()):
        if kind == META:
            continue
        if kind not in KINDS:
            findings.append(Finding("-", kind, f"未知的文档类型 {kind}"))
            continue
        for doc_id, raw in store.tables[kind].items():
            if raw.get("id") != doc_id:
                findings.append(Finding(doc_id, kind, f"编号与存储位置不符（{raw.get('id')}）"))
            try:
                validate_document(raw, kind)
            except DocumentInvalid as invalid:
                for problem in invalid.problems:
                    findings.append(Finding(doc_id, kind, f"「{problem.label}」{problem.message}"))
            if kind != AUDIT:
                findings.extend(_updated_before_created(kind, doc_id, raw))
    findings.extend(check_audit_chain(store))
    findings.extend(check_audit_clock(store))
    return findings


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.astimezone()


def _shown(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _updated_before_created(kind: str, doc_id: str, raw: dict[str, Any]) -> list[Finding]:
    created, updated = _when(raw.get("created_at")), _when(raw.get("updated_at"))
    if created is None or updated is None or updated >= created:
        return []
    return [
        Finding(
            doc_id,
            kind,
            f"修改时间 {_shown(updated)} 早于创建时间 {_shown(created)}"
            "（保存时电脑时钟可能被往回调过）",
        )
    ]


def _entries(store: Store) -> list[dict[str, Any]]:
    return sorted(store.tables.get(AUDIT, {}).values(), key=lambda e: e.get("seq", 0))


def check_audit_chain(store: Store) -> list[Finding]:
    """The audit entries must form an unbroken hash chain in sequence order, ending at
    the newest entry the store recorded in its meta document.

    Reports the first broken entry only: everything after it is suspect anyway.
    """
    entries = _entries(store)
    previous_hash = ""
    for expected_seq, entry in enumerate(entries, start=1):
        doc_id = entry.get("id", "?")
        if entry.get("seq") != expected_seq:
            return [Finding(doc_id, AUDIT, f"审计记录第 {expected_seq} 条缺失或顺序被改动")]
        if entry.get("prev_hash") != previous_hash:
            return [
                Finding(
                    doc_id, AUDIT, f"审计记录第 {expected_seq} 条与上一条接不上（上一条被删改）"
                )
            ]
        if entry.get("hash") != audit_hash(entry):
            return [Finding(doc_id, AUDIT, f"审计记录第 {expected_seq} 条的内容被改动过")]
        previous_hash = entry["hash"]
    head = store.meta.get("audit_head")
    if not isinstance(head, dict):
        return []  # a store written before the head was recorded
    last_seq = entries[-1]["seq"] if entries else 0
    if head.get("seq", 0) > last_seq:
        return [
            Finding(
                str(head.get("id", "?")),
                AUDIT,
                f"审计记录第 {last_seq + 1} 条缺失：最后 {head['seq'] - last_seq} 条被删除了",
            )
        ]
    if head.get("seq", 0) < last_seq:
        extra = entries[head.get("seq", 0)]
        return [
            Finding(
                extra.get("id", "?"),
                AUDIT,
                f"审计记录第 {extra.get('seq')} 条不是本程序写入的（在最后一条之后被加入）",
            )
        ]
    if entries and (head.get("id"), head.get("hash")) != (entries[-1]["id"], previous_hash):
        return [Finding(entries[-1]["id"], AUDIT, f"审计记录第 {last_seq} 条（最后一条）被改动过")]
    return []


def check_audit_clock(store: Store) -> list[Finding]:
    """Audit entries written earlier than the entry before them (the clock was set back),
    each naming the entry and the document it is about."""
    findings: list[Finding] = []
    previous: dt.datetime | None = None
    for entry in _entries(store):
        moment = _when(entry.get("at"))
        if moment is None:
            continue
        if previous is not None and moment < previous - CLOCK_TOLERANCE:
            findings.append(
                Finding(
                    entry.get("id", "?"),
                    AUDIT,
                    f"审计记录第 {entry.get('seq')} 条的时间 {_shown(moment)} 早于上一条的 "
                    f"{_shown(previous)}（电脑时钟可能被往回调过）；涉及 "
                    f"{entry.get('target_kind')} {entry.get('target_id')}",
                )
            )
        previous = moment
    return findings
