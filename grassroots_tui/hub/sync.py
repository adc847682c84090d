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

The steps are functions of their own, shared with the USB bundles (:mod:`.bundles`), which
carry the same push and the same pages in files instead of over a connection:
:func:`outbox` (what to push, its hashes recorded as sent), :func:`take_answer` (the
push's answer kept), :func:`pages_after` (the pages after a cursor, at the hub) and
:func:`take_page` (one page kept).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.pull import Held, Page, pull_page
from grassroots_tui.hub.push import CONFLICT, REASON_LABELS, PushResult, push
from grassroots_tui.hub.replicas import ReplicaRecord, get_replica
from grassroots_tui.hub.schema import hub_meta, now_text
from grassroots_tui.lang import tr
from grassroots_tui.store import PendingDocument, Store
from grassroots_tui.store.store import tombs_of

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

    def took(self, result: PushResult) -> None:
        """Count a push's answer."""
        self.verdicts.update(v.verdict for v in result.verdicts)
        self.audit_head, self.forks = result.audit_head, result.forks

    def summary(self) -> str:
        """One line in the interface language: "上传 12 条（新增 10、相同 1、接受 1、冲突 0），下载 30 条"."""
        v = self.verdicts
        text = tr(
            "上传 {pushed} 条（新增 {new}、相同 {same}、接受 {accepted}、冲突 {conflict}），"
            "下载 {pulled} 条，本机更新 {changed} 条",
            pushed=self.pushed,
            new=v["new"],
            same=v["same"],
            accepted=v["accepted"],
            conflict=v["conflict"],
            pulled=self.pulled,
            changed=self.changed,
        )
        if self.forks:
            text += tr("；发现审计记录分叉 {forks} 处（已记录）", forks=self.forks)
        if self.epoch_changed:
            text += tr("；汇总库已从备份恢复，已从头核对")
        return text


def _never(_step: str) -> None:
    return None


# -- the steps, shared with the USB bundles ----------------------------------------------


@dataclass(frozen=True)
class Outbox:
    """What a replica pushes: its pending revisions and its audit entries after the last
    one the hub verified."""

    items: list[PendingDocument]
    audit: list[dict[str, Any]]

    def __bool__(self) -> bool:
        return bool(self.items or self.audit)


def check_scope(store: Store, scope: str) -> None:
    """Refuse a store that is not the replica ``scope`` the hub (or its settings) names."""
    if scope != store.scope:
        raise HubError(
            tr(
                "这份数据是{label}的（{scope}），汇总库里的登记是 {scope2}：请打开本机自己的数据，"
                "或重新登记。",
                label=store.replica.label,
                scope=store.scope,
                scope2=scope,
            )
        )


def start_cursor(cursor: Any, seen_epoch: Any, epoch: str) -> tuple[int, bool]:
    """Where to pull from: the replica's ``cursor``, or the start (and True) when the hub's
    epoch is not the one the replica last saw (a hub restored from a backup)."""
    if seen_epoch not in (None, epoch):
        return 0, True
    return int(cursor or 0), False


def outbox(store: Store, *, cut: Cut = _never) -> Outbox:
    """What to push: the pending revisions, their hashes first recorded as sent
    (:meth:`Store.mark_sent`, one journal save), and the new audit entries."""
    pending = store.pending()
    audit_sent = int(store.hub_state.get("audit_sent") or 0)
    audit = [e for e in store.raw("audit_entry") if int(e.get("seq") or 0) > audit_sent]
    if pending or audit:
        cut("mark_sent")
        store.mark_sent((p.kind, p.id, p.rev_hash) for p in pending)
        pending = store.pending()
    return Outbox(pending, audit)


def take_answer(store: Store, result: PushResult) -> None:
    """Keep a push's answer (:meth:`Store.record_push`, one journal save): the hashes the hub
    holds acknowledged, the open conflicts, the audit head.

    A hash sent after the acknowledged one (a later bundle whose answer has not come back
    yet) is recorded as sent again, so that the later push still builds on it. In an online
    sync the acknowledged hash is the last one sent and this changes nothing."""
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
    acked = [(v.kind, v.id, v.rev_hash) for v in result.verdicts if v.verdict != CONFLICT]
    later = _sent_after(store, acked)
    store.record_push(acked, conflicts, audit_sent=result.audit_head or None, now=now_text())
    if later:
        store.mark_sent(later)


def _sent_after(store: Store, acked: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    later: list[tuple[str, str, str]] = []
    for kind, doc_id, digest in acked:
        doc = store.tables.get(kind, {}).get(doc_id) or store.tables.get(tombs_of(kind), {}).get(
            doc_id
        )
        sent = list((doc or {}).get("sent_hashes") or ())
        after = sent[sent.index(digest) + 1 :] if digest in sent else sent
        later.extend((kind, doc_id, h) for h in after if h != digest)
    return later


def pages_after(
    hub: HubConnection,
    replica: ReplicaRecord,
    cursor: int,
    page_size: int = PAGE_SIZE,
    *,
    cut: Cut = _never,
    held: Held | None = None,
) -> Iterator[Page]:
    """The hub's pages for ``replica`` after ``cursor``, each pulled when the previous one
    has been taken; none when there is nothing new. ``held``: see :func:`.pull.pull_page`."""
    while True:
        cut("pull")
        page = pull_page(hub, replica, cursor, page_size, held)
        if not page.covered:
            return
        yield page
        cursor = page.cursor
        if page.covered < page_size:
            return


def take_page(store: Store, page: Page, epoch: str) -> int:
    """Keep one pulled page and the cursor after it (:meth:`Store.apply_pull`, one journal
    save); returns how many documents changed here."""
    return store.apply_pull(page.docs, cursor=page.cursor, epoch=epoch, now=now_text())


def note_pull(hub: HubConnection, replica_id: str) -> None:
    with hub.transaction():
        hub.execute("UPDATE replica SET last_pull_at = %s WHERE id = %s", (now_text(), replica_id))


# -- the online sync ---------------------------------------------------------------------


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
    check_scope(store, replica.scope)
    epoch = hub_meta(hub)["epoch"]
    state = store.hub_state
    cursor, report.epoch_changed = start_cursor(state.get("cursor"), state.get("epoch"), epoch)

    box = outbox(store, cut=cut)
    if box:
        cut("push")
        result = push(hub, replica.id, box.items, box.audit)
        cut("record_push")
        take_answer(store, result)
        report.took(result)
    report.conflicts = dict(store.hub_state.get("conflicts") or {})

    with store.compaction_deferred():  # compacted once, after the last page
        for page in pages_after(hub, replica, cursor, page_size, cut=cut, held=store.holds):
            cut("apply_pull")
            report.changed += take_page(store, page, epoch)
            report.pulled += page.covered
            report.pages += 1
            cursor = page.cursor
    if report.pages == 0 and state.get("epoch") != epoch:
        take_page(store, Page([], cursor), epoch)
    note_pull(hub, replica.id)
    report.cursor = cursor
    return report
