"""Does this laptop's audit chain match what the hub holds? Once a chain's entries are at
the hub, a local forger who rewrites the laptop's history (edits or removes entries and
recomputes the hashes after them) is found here: the hub keeps the entries it verified."""

from __future__ import annotations

from dataclasses import dataclass, field

from grassroots_tui.hub.engines import HubConnection
from grassroots_tui.hub.replicas import get_replica
from grassroots_tui.lang import tr
from grassroots_tui.store import Store


@dataclass
class ChainCheck:
    #: How many of the laptop's entries the hub holds and were compared.
    compared: int = 0
    #: The hub's head for this replica (seq).
    hub_head: int = 0
    #: Sentences (in the interface language), one per problem found.
    findings: list[str] = field(default_factory=list)


def check_chain(store: Store, hub: HubConnection, replica_id: str) -> ChainCheck:
    """Compare every local audit entry the hub has verified (seq up to the hub's head for
    this replica) with the hub's copies: same seq, same hash. The hub may hold two
    branches for a seq (a fork it recorded): the local entry must be one of them."""
    replica = get_replica(hub, replica_id)
    result = ChainCheck(hub_head=replica.audit_seq)
    at_hub: dict[int, set[str]] = {}
    for seq, digest in hub.all(
        "SELECT seq, hash FROM audit_entry WHERE replica = %s", (replica_id,)
    ):
        at_hub.setdefault(int(seq), set()).add(str(digest))
    local = {int(e["seq"]): str(e.get("hash")) for e in store.raw("audit_entry")}
    changed: list[int] = []
    missing: list[int] = []
    for seq, hashes in sorted(at_hub.items()):
        if seq > replica.audit_seq and seq not in local:
            continue
        if seq not in local:
            missing.append(seq)
        elif local[seq] not in hashes:
            changed.append(seq)
        else:
            result.compared += 1
    if changed:
        result.findings.append(
            tr(
                "本机有 {count} 条审计记录与汇总库保存的不同（第 {value} 条）："
                "本机的记录在上传后被改写过。",
                count=len(changed),
                value=_seqs(changed),
            )
        )
    if missing:
        result.findings.append(
            tr(
                "汇总库保存的 {count} 条审计记录在本机不见了（第 {value} 条）："
                "本机的记录被删改过，或本机是从较早的备份恢复的。",
                count=len(missing),
                value=_seqs(missing),
            )
        )
    return result


def _seqs(seqs: list[int]) -> str:
    shown = tr("、").join(str(s) for s in seqs[:5])
    return shown + (tr("等") if len(seqs) > 5 else "")
