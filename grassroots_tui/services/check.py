"""`grassroots check`: load every document, validate it, verify the audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from grassroots_tui.models import KINDS
from grassroots_tui.models.errors import DocumentInvalid, validate_document
from grassroots_tui.store import Store, audit_hash
from grassroots_tui.store.store import AUDIT, META


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
    findings.extend(check_audit_chain(store))
    return findings


def check_audit_chain(store: Store) -> list[Finding]:
    """The audit entries must form an unbroken hash chain in sequence order.

    Reports the first broken entry only: everything after it is suspect anyway.
    """
    entries = sorted(store.tables.get(AUDIT, {}).values(), key=lambda e: e.get("seq", 0))
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
    return []
