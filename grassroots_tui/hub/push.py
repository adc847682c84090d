"""One push: a replica's changed documents and new audit entries, in one hub transaction
that is safe to repeat (docs/design.md#the-hub).

The transaction first takes ``hub_seq`` numbers from the one-row counter: the row lock
serialises pushes until COMMIT, so no revision ever appears behind a reader's cursor.
Each pushed revision gets a verdict, judged by hashes, never by ``rev``:

=========  ===============================================================================
new        the hub has no such document, and the pusher is its writer: inserted
same       the hub already holds exactly this revision (a retry after a lost answer)
accepted   the hub's revision is the one this one was based on (the hash the replica last
           had acknowledged, or last sent when the answer was lost), and the pusher is the
           writer: updated
conflict   anything else (diverged, another's document, a slip number taken): the pushed
           revision is kept whole in ``conflict``; the hub's revision is untouched
=========  ===============================================================================
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from grassroots_tui.hub.engines import HubConnection, HubError
from grassroots_tui.hub.replicas import ACTIVE, ReplicaRecord, get_replica
from grassroots_tui.hub.schema import now_text
from grassroots_tui.lang import chinese, tr
from grassroots_tui.models.base import writer_of
from grassroots_tui.store.store import PendingDocument, audit_hash

NEW, SAME, ACCEPTED, CONFLICT = "new", "same", "accepted", "conflict"
#: Why a revision became a conflict.
DIVERGED, WRITER, UNIQUE = "diverged", "writer", "unique"
#: Kept with the conflict in the store, in Chinese; shown with ``tr(label)``.
REASON_LABELS = {
    DIVERGED: chinese("两边都改过"),
    WRITER: chinese("不是本机填写的记录"),
    UNIQUE: chinese("编号已被占用"),
}
#: Kinds every replica receives (the list of stations); others go to their station's.
SHARED_KINDS = frozenset({"station"})
SHARED = "shared"
#: Fields only the laptop keeps: never sent to the hub.
LOCAL_FIELDS = ("acked_hash", "sent_hashes")


def doc_scope(doc: dict[str, Any]) -> str:
    """Whom a document is addressed to at the hub: its station, "office" for one with no
    station, or "shared" for the kinds every replica receives."""
    if doc.get("kind") in SHARED_KINDS:
        return SHARED
    return str(doc.get("station_id") or "office")


def business_key(doc: dict[str, Any]) -> str | None:
    """What must be unique across the hub beside the id: a slip number, per writer."""
    if doc.get("kind") == "slip_issue" and doc.get("number"):
        return f"slip-number|{writer_of(doc)}|{doc['number']}"
    return None


def hub_body(doc: dict[str, Any]) -> str:
    """The revision as the hub keeps it: the document without the laptop's own sync fields."""
    body = {k: v for k, v in doc.items() if k not in LOCAL_FIELDS}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode("utf-8")


@dataclass(frozen=True)
class Verdict:
    kind: str
    id: str
    rev_hash: str
    verdict: str
    reason: str | None = None
    hub_hash: str | None = None


@dataclass
class PushResult:
    verdicts: list[Verdict] = field(default_factory=list)
    #: The seq of this push's last audit entry, held by the hub now (0: none was sent).
    audit_head: int = 0
    forks: int = 0

    def count(self, verdict: str) -> int:
        return sum(1 for v in self.verdicts if v.verdict == verdict)


def push(
    hub: HubConnection,
    replica_id: str,
    items: Sequence[PendingDocument],
    audit: Sequence[dict[str, Any]] = (),
) -> PushResult:
    """Push ``items`` (the replica's pending revisions) and ``audit`` (its audit entries
    after the last one the hub verified), in one transaction. Nothing is written when it
    fails; running it again is harmless."""
    result = PushResult()
    received = now_text()
    with hub.transaction():
        replica = get_replica(hub, replica_id)
        if replica.status != ACTIVE:
            raise HubError(
                tr("这台电脑的登记已停用（{status}），不能再上传。", status=replica.status)
            )
        hub.execute("UPDATE hub_clock SET seq = seq + %s WHERE id = 1", (max(1, len(items)),))
        top = hub.one("SELECT seq FROM hub_clock WHERE id = 1")
        if top is None:
            raise HubError(tr("汇总库缺少计数器：请运行 grassroots hub init。"))
        next_seq = int(top[0]) - max(1, len(items)) + 1
        current = _current(hub, items)
        claimed: dict[str, Any] = {}
        inserts: list[tuple[int, PendingDocument, tuple[Any, ...]]] = []
        for item in items:
            verdict, next_seq, row = _judge(
                hub, replica, item, current, next_seq, received, claimed
            )
            if row is not None:
                inserts.append((len(result.verdicts), item, row))
            result.verdicts.append(verdict)
        _insert_new(hub, replica, inserts, result.verdicts, received)
        result.audit_head, result.forks = _take_audit(hub, replica, audit, received)
        hub.execute("UPDATE replica SET last_push_at = %s WHERE id = %s", (received, replica.id))
    return result


def _current(
    hub: HubConnection, items: Sequence[PendingDocument]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, id) → (rev_hash, writer) of the hub's revisions of the pushed documents."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    by_kind: dict[str, set[str]] = {}
    for item in items:
        by_kind.setdefault(item.kind, set()).add(item.id)
    # By (kind, id), the primary key: no index serves id alone, and each chunk scanned the
    # whole doc table (a station's week into a 100,000-document hub: bench/hub.py).
    for kind in sorted(by_kind):
        ids = sorted(by_kind[kind])
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for doc_id, digest, writer in hub.all(
                f"SELECT id, rev_hash, writer FROM doc WHERE kind = %s AND id IN ({marks})",
                (kind, *chunk),
            ):
                found[(kind, doc_id)] = (digest, writer)
    return found


def _judge(
    hub: HubConnection,
    replica: ReplicaRecord,
    item: PendingDocument,
    current: dict[tuple[str, str], tuple[str, str]],
    seq: int,
    received: str,
    claimed: dict[str, Any],
) -> tuple[Verdict, int, tuple[Any, ...] | None]:
    """The verdict on one pushed revision. An update is written here; a new document's
    row is given back to be inserted with the others of the push (:func:`_insert_new`).
    ``claimed``: the business keys this push has taken so far, and for which slip."""
    doc = item.doc
    writer = writer_of(doc)
    here = current.get((item.kind, item.id))
    hub_hash = here[0] if here else None
    if hub_hash == item.rev_hash:
        return Verdict(item.kind, item.id, item.rev_hash, SAME, hub_hash=hub_hash), seq, None
    reason: str | None = None
    if writer != replica.writer or (here is not None and here[1] != replica.writer):
        reason = WRITER
    elif here is not None and hub_hash not in {item.acked_hash, *item.sent_hashes} - {None}:
        reason = DIVERGED
    else:
        key = business_key(doc)
        if key is not None:
            taken = hub.one(
                "SELECT id FROM doc WHERE bkey = %s AND NOT (kind = %s AND id = %s)",
                (key, item.kind, item.id),
            )
            if taken is not None and _slip_of(hub, taken[0]) != doc.get("slip_id"):
                reason = UNIQUE
            elif claimed.get(key, doc.get("slip_id")) != doc.get("slip_id"):
                reason = UNIQUE
            else:
                claimed[key] = doc.get("slip_id")
    if reason is not None:
        _keep_conflict(hub, replica, item, hub_hash, reason, received)
        return Verdict(item.kind, item.id, item.rev_hash, CONFLICT, reason, hub_hash), seq, None
    row = (
        doc_scope(doc),
        writer,
        int(doc.get("rev") or 0),
        item.rev_hash,
        hub_hash,
        1 if item.deleted else 0,
        int(doc.get("schema_version") or 1),
        business_key(doc),
        hub_body(doc),
        seq,
        replica.id,
        received,
    )
    if here is None:
        return Verdict(item.kind, item.id, item.rev_hash, NEW), seq + 1, (*row, item.kind, item.id)
    updated = hub.execute(
        "UPDATE doc SET scope = %s, writer = %s, rev = %s, rev_hash = %s, base_hash = %s, "
        "deleted = %s, schema_version = %s, bkey = %s, body = %s, hub_seq = %s, "
        "pushed_by = %s, received_at = %s WHERE kind = %s AND id = %s",
        (*row, item.kind, item.id),
    )
    if updated.rowcount != 1:
        raise HubError(
            tr(
                "汇总库拒绝了 {kind}/{id} 的更新：这次上传没有写入任何记录。",
                kind=item.kind,
                id=item.id,
            )
        )
    return Verdict(item.kind, item.id, item.rev_hash, ACCEPTED, hub_hash=hub_hash), seq + 1, None


def _insert_new(
    hub: HubConnection,
    replica: ReplicaRecord,
    inserts: list[tuple[int, PendingDocument, tuple[Any, ...]]],
    verdicts: list[Verdict],
    received: str,
) -> None:
    """Insert the push's new documents together. On PostgreSQL a replica's role sees
    only its scopes and its own writing (hub/roles.py): an id it cannot see may be
    another's document. Then nothing is inserted, and it is another's document: a
    conflict, the hub's row untouched."""
    done = hub.insert_many(
        "INSERT INTO doc (scope, writer, rev, rev_hash, base_hash, deleted, schema_version, "
        "bkey, body, hub_seq, pushed_by, received_at, kind, id) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (kind, id) DO NOTHING",
        [row for _at, _item, row in inserts],
    )
    for (at, item, _row), inserted in zip(inserts, done, strict=True):
        if not inserted:
            _keep_conflict(hub, replica, item, None, WRITER, received)
            verdicts[at] = Verdict(item.kind, item.id, item.rev_hash, CONFLICT, WRITER)


def _slip_of(hub: HubConnection, issue_id: str) -> Any:
    row = hub.one("SELECT body FROM doc WHERE kind = 'slip_issue' AND id = %s", (issue_id,))
    return orjson.loads(row[0]).get("slip_id") if row else None


def _keep_conflict(
    hub: HubConnection,
    replica: ReplicaRecord,
    item: PendingDocument,
    hub_hash: str | None,
    reason: str,
    received: str,
) -> None:
    """Keep the refused revision whole, once (a retry of the same push adds nothing)."""
    seen = hub.one(
        "SELECT id FROM conflict WHERE kind = %s AND doc_id = %s AND pushed_hash = %s "
        "AND pushed_by = %s",
        (item.kind, item.id, item.rev_hash, replica.id),
    )
    if seen is not None:
        return
    hub.execute(
        "INSERT INTO conflict (id, kind, doc_id, scope, writer, pushed_hash, base_hash, "
        "hub_hash, reason, pushed_by, received_at, body) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            uuid.uuid4().hex,
            item.kind,
            item.id,
            doc_scope(item.doc),
            writer_of(item.doc),
            item.rev_hash,
            item.acked_hash,
            hub_hash,
            reason,
            replica.id,
            received,
            hub_body(item.doc),
        ),
    )


def audit_bytes(entry: dict[str, Any]) -> bytes:
    """The exact bytes an audit entry's hash covers (see store.audit_hash)."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def _take_audit(
    hub: HubConnection, replica: ReplicaRecord, entries: Sequence[dict[str, Any]], received: str
) -> tuple[int, int]:
    """Verify and keep the replica's new audit entries: each one's hash over its bytes, and
    its link to the head the hub verified last. An entry the hub already holds (the same
    seq and hash: a retry after a lost answer) is skipped, wherever the head is. An entry
    that does not follow the head (a laptop restored from a backup, or cloned, writing its
    own branch) is a fork: recorded, both branches kept. Returns the seq of the last entry
    of this push (every one of them is at the hub now; 0 when none was sent: the laptop
    keeps what it had) and how many forks were found."""
    head_seq, head_hash = replica.audit_seq, replica.audit_head or None
    forks = 0
    rows: list[tuple[Any, ...]] = []
    ordered = sorted(entries, key=lambda e: int(e["seq"]))
    held: set[tuple[int, str]] = set()
    if ordered:
        held = {
            (int(seq), str(digest))
            for seq, digest in hub.all(
                "SELECT seq, hash FROM audit_entry WHERE replica = %s AND seq >= %s AND seq <= %s",
                (replica.id, int(ordered[0]["seq"]), int(ordered[-1]["seq"])),
            )
        }
    for entry in ordered:
        seq = int(entry["seq"])
        if audit_hash(entry) != entry.get("hash"):
            raise HubError(
                tr(
                    "本机第 {seq} 条审计记录与它的摘要不符（被改动过），汇总库拒收这次上传。"
                    "请运行 grassroots check 查明。",
                    seq=seq,
                )
            )
        if (seq, entry["hash"]) in held:
            continue  # sent before (an answer lost)
        if seq != head_seq + 1 or (entry.get("prev_hash") or None) != head_hash:
            forks += 1
            hub.execute(
                "INSERT INTO fork (id, replica, seq, hub_head, new_head, found_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (uuid.uuid4().hex, replica.id, seq, head_hash, entry["hash"], received),
            )
        rows.append(
            (
                replica.id,
                seq,
                entry["hash"],
                entry.get("prev_hash"),
                audit_bytes(entry).decode("utf-8"),
                received,
            )
        )
        held.add((seq, entry["hash"]))
        head_seq, head_hash = seq, entry["hash"]
    hub.executemany(
        "INSERT INTO audit_entry (replica, seq, hash, prev_hash, body, received_at) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        rows,
    )
    if head_seq != replica.audit_seq or head_hash != replica.audit_head:
        hub.execute(
            "UPDATE replica SET audit_seq = %s, audit_head = %s WHERE id = %s",
            (head_seq, head_hash, replica.id),
        )
    return (int(ordered[-1]["seq"]) if ordered else 0), forks
