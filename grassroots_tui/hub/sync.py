"""A laptop's sync: push what it wrote, then pull what is addressed to it, page by page.

Every step is kept in the store's journal before the next one starts, so a sync cut at
any point is simply run again:

1. the hashes about to be sent are recorded (``sent_hash``): if the push commits and its
   answer is lost, the next push builds on them instead of calling them a conflict;
2. the push is one hub transaction (:func:`.push.push`);
3. its answer (each document's verdict, the open conflicts, the audit head) is one
   journal save (:meth:`Store.record_push`);
4. each pulled page, with the cursor after it, is one journal save
   (:meth:`Store.apply_pull`).

A hub with a new epoch (restored from a backup) is pulled from the start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.pull import pull_page
from grassroots_tui.hub.push import CONFLICT, REASON_LABELS, push
from grassroots_tui.hub.replicas import get_replica
from grassroots_tui.hub.schema import hub_meta, now_text
from grassroots_tui.store import Store

PAGE_SIZE = 2000

#: Where a test cuts a sync: called with the name of the step about to run.
Cut = Callable[[str], None]


@dataclass
class SyncReport:
    verdicts: Counter[str] = field(default_factory=Counter)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    pulled: int = 0
    changed: int = 0
    pages: int = 0
    cursor: int = 0
    audit_head: int = 0
    forks: int = 0
    epoch_changed: bool = False

    @property
    def pushed(self) -> int:
        return sum(self.verdicts.values())

    def summary(self) -> str:
        """One line in Chinese: "上传 12 条（新增 10、相同 1、接受 1、冲突 0），下载 30 条"."""
        v = self.verdicts
        text = (
            f"上传 {self.pushed} 条（新增 {v['new']}、相同 {v['same']}、接受 {v['accepted']}、"
            f"冲突 {v['conflict']}），下载 {self.pulled} 条，本机更新 {self.changed} 条"
        )
        if self.forks:
            text += f"；发现审计记录分叉 {self.forks} 处（已记录）"
        if self.epoch_changed:
            text += "；汇总库已从备份恢复，已从头核对"
        return text


def _never(_step: str) -> None:
    return None


def sync(
    store: Store,
    hub: HubConnection,
    replica_id: str,
    *,
    page_size: int = PAGE_SIZE,
    cut: Cut = _never,
) -> SyncReport:
    """Push, then pull every page; see the module's notes for what a cut leaves."""
    report = SyncReport()
    replica = get_replica(hub, replica_id)
    if replica.scope != store.scope:
        raise HubError(
            f"这份数据是{store.replica.label}的（{store.scope}），汇总库里的登记是 {replica.scope}："
            "请打开本机自己的数据，或重新登记。"
        )
    epoch = hub_meta(hub)["epoch"]
    state = store.hub_state
    cursor = int(state.get("cursor") or 0)
    if state.get("epoch") not in (None, epoch):
        cursor, report.epoch_changed = 0, True

    pending = store.pending()
    audit_sent = int(state.get("audit_sent") or 0)
    audit = [e for e in store.raw("audit_entry") if int(e.get("seq") or 0) > audit_sent]
    if pending or audit:
        cut("mark_sent")
        store.mark_sent((p.kind, p.id, p.rev_hash) for p in pending)
        pending = store.pending()
        cut("push")
        result = push(hub, replica.id, pending, audit)
        cut("record_push")
        conflicts = {
            f"{v.kind}/{v.id}": {
                "kind": v.kind,
                "id": v.id,
                "reason": v.reason,
                "label": REASON_LABELS.get(v.reason or "", v.reason),
                "pushed_hash": v.rev_hash,
                "hub_hash": v.hub_hash,
            }
            for v in result.verdicts
            if v.verdict == CONFLICT
        }
        store.record_push(
            [(v.kind, v.id, v.rev_hash) for v in result.verdicts if v.verdict != CONFLICT],
            conflicts,
            audit_sent=result.audit_head,
            now=now_text(),
        )
        report.verdicts.update(v.verdict for v in result.verdicts)
        report.audit_head, report.forks = result.audit_head, result.forks
    report.conflicts = dict(store.hub_state.get("conflicts") or {})

    while True:
        cut("pull")
        page = pull_page(hub, replica, cursor, page_size)
        if not page.docs:
            if state.get("epoch") != epoch and report.pages == 0:
                store.apply_pull([], cursor=cursor, epoch=epoch, now=now_text())
            break
        cut("apply_pull")
        report.changed += store.apply_pull(
            page.docs, cursor=page.cursor, epoch=epoch, now=now_text()
        )
        report.pulled += len(page.docs)
        report.pages += 1
        cursor = page.cursor
        if len(page.docs) < page_size:
            break
    with hub.transaction():
        hub.execute("UPDATE replica SET last_pull_at = %s WHERE id = %s", (now_text(), replica.id))
    report.cursor = cursor
    return report
