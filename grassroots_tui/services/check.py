"""`grassroots check`: load every document, validate it, verify the audit chain, and
replay the audit trail to prove every document is what its trail says it is.

Besides documents that fail validation and a broken audit chain, it reports what a
computer clock set wrong leaves behind: a document changed "before" it was created, and
an audit entry written earlier than the one before it by more than
:data:`CLOCK_TOLERANCE` (the clock was set back). Deadlines and statistics never use
these times (they count business dates), so such findings ask a person to look, not to
repair anything.

The checks are data: each is a function ``(store) -> CheckResult`` in :data:`CHECKS`,
returning its findings and the sentences of what it proved (shown by ``grassroots
check`` when it passed). :func:`check_report` runs them all; adding a check is writing
one such function and appending it to :data:`CHECKS`.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from grassroots_tui.lang import tr
from grassroots_tui.models import KINDS, AuditAction
from grassroots_tui.models.errors import DocumentInvalid, validate_document
from grassroots_tui.store import Store, audit_hash
from grassroots_tui.store.store import AUDIT, BOOKKEEPING, META, TOMBS, revision_hash, tombs_of

#: How far back an audit entry's time may be from the previous one's before it is reported
#: (clock adjustments by time synchronisation are seconds; a clock set back is more).
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Finding:
    doc_id: str
    kind: str
    message: str

    def __str__(self) -> str:
        return tr(
            "{kind} {doc_id}：{message}", kind=self.kind, doc_id=self.doc_id, message=self.message
        )


@dataclass
class CheckResult:
    """What one check found, and the sentences of what it proved (only what held)."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    """Every finding of every check, in a stable order, and what was proved."""

    findings: list[Finding]
    checked: list[str]

    @property
    def sound(self) -> bool:
        return not self.findings


Check = Callable[[Store], CheckResult]


def check_report(store: Store, checks: Sequence[Check] | None = None) -> CheckReport:
    """Run ``checks`` (default: :data:`CHECKS`) in order and gather what they report."""
    report = CheckReport([], [])
    for check in CHECKS if checks is None else checks:
        result = check(store)
        report.findings.extend(result.findings)
        report.checked.extend(result.checked)
    return report


def check_store(store: Store) -> list[Finding]:
    """The findings of :data:`BASIC_CHECKS`, in a stable order; an empty list means the
    documents are valid and the audit trail is whole (see :func:`check_report` for all)."""
    return check_report(store, BASIC_CHECKS).findings


# --- the documents one by one ----------------------------------------------------------------


def check_documents(store: Store) -> CheckResult:
    """Every document's kind is known, its id is where it is stored, it validates, and it
    was not changed "before" it was created. Tombstones (deleted documents) too, and they
    alone are marked deleted."""
    result = CheckResult()
    formats = times = 0
    total = tombs = 0
    for name in sorted(store.tables):
        if name == META:
            continue
        tomb = name.startswith(TOMBS)
        kind = name[len(TOMBS) :] if tomb else name
        if kind not in KINDS or (tomb and kind == AUDIT):
            result.findings.append(Finding("-", name, tr("未知的文档类型 {name}", name=name)))
            formats += 1
            continue
        for doc_id, raw in store.tables[name].items():
            if tomb:
                tombs += 1
            else:
                total += 1
            if not isinstance(raw, dict):
                result.findings.append(Finding(doc_id, kind, tr("不是一条文档")))
                formats += 1
                continue
            if bool(raw.get("deleted")) != tomb:
                said = (
                    tr("在已删除的记录中，却没有标为已删除")
                    if tomb
                    else tr("标为已删除，却在现有记录中")
                )
                result.findings.append(Finding(doc_id, kind, said))
                formats += 1
            if raw.get("id") != doc_id:
                result.findings.append(
                    Finding(doc_id, kind, tr("编号与存储位置不符（{id}）", id=raw.get("id")))
                )
                formats += 1
            try:
                validate_document(raw, kind)
            except DocumentInvalid as invalid:
                for problem in invalid.problems:
                    result.findings.append(
                        Finding(
                            doc_id,
                            kind,
                            tr(
                                "「{label}」{message}", label=problem.label, message=problem.message
                            ),
                        )
                    )
                    formats += 1
            if kind != AUDIT:
                late = _updated_before_created(kind, doc_id, raw)
                result.findings.extend(late)
                times += len(late)
    if not formats:
        result.checked.append(tr("已校验 {total} 条文档的格式和编号", total=total))
        if tombs:
            result.checked.append(
                tr("已校验 {tombs} 条已删除记录（保留备查）的格式和编号", tombs=tombs)
            )
    if not times:
        result.checked.append(tr("没有修改时间早于创建时间的文档"))
    return result


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
            tr(
                "修改时间 {updated} 早于创建时间 {created}（保存时电脑时钟可能被往回调过）",
                updated=_shown(updated),
                created=_shown(created),
            ),
        )
    ]


# --- the audit chain -------------------------------------------------------------------------


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
            return [
                Finding(
                    doc_id,
                    AUDIT,
                    tr("审计记录第 {expected_seq} 条缺失或顺序被改动", expected_seq=expected_seq),
                )
            ]
        if entry.get("prev_hash") != previous_hash:
            return [
                Finding(
                    doc_id,
                    AUDIT,
                    tr(
                        "审计记录第 {expected_seq} 条与上一条接不上（上一条被删改）",
                        expected_seq=expected_seq,
                    ),
                )
            ]
        if entry.get("hash") != audit_hash(entry):
            return [
                Finding(
                    doc_id,
                    AUDIT,
                    tr("审计记录第 {expected_seq} 条的内容被改动过", expected_seq=expected_seq),
                )
            ]
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
                tr(
                    "审计记录第 {seq} 条缺失：最后 {count} 条被删除了",
                    seq=last_seq + 1,
                    count=head["seq"] - last_seq,
                ),
            )
        ]
    if head.get("seq", 0) < last_seq:
        extra = entries[head.get("seq", 0)]
        return [
            Finding(
                extra.get("id", "?"),
                AUDIT,
                tr(
                    "审计记录第 {seq} 条不是本程序写入的（在最后一条之后被加入）",
                    seq=extra.get("seq"),
                ),
            )
        ]
    if entries and (head.get("id"), head.get("hash")) != (entries[-1]["id"], previous_hash):
        return [
            Finding(
                entries[-1]["id"],
                AUDIT,
                tr("审计记录第 {last_seq} 条（最后一条）被改动过", last_seq=last_seq),
            )
        ]
    return []


def _audit_chain(store: Store) -> CheckResult:
    findings = check_audit_chain(store)
    if findings:
        return CheckResult(findings)
    count = store.count(AUDIT)
    if isinstance(store.meta.get("audit_head"), dict):
        said = tr("审计记录链：{count} 条，首尾相接，最后一条与数据头记录一致", count=count)
    else:
        said = tr(
            "审计记录链：{count} 条，首尾相接（这份数据写入时还不记录最后一条，无法核对末尾是否有记录被删去）",
            count=count,
        )
    return CheckResult([], [said])


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
                    tr(
                        "审计记录第 {seq} 条的时间 {moment} 早于上一条的 {previous}（电脑时钟可能被往回调过）；涉及 {kind} {target}",
                        seq=entry.get("seq"),
                        moment=_shown(moment),
                        previous=_shown(previous),
                        kind=entry.get("target_kind"),
                        target=entry.get("target_id"),
                    ),
                )
            )
        previous = moment
    return findings


def _audit_clock(store: Store) -> CheckResult:
    findings = check_audit_clock(store)
    if findings:
        return CheckResult(findings)
    minutes = int(CLOCK_TOLERANCE.total_seconds() // 60)
    return CheckResult(
        [], [tr("审计记录的时间没有倒退（允许 {minutes} 分钟的误差）", minutes=minutes)]
    )


# --- every document is where its audit trail ends -------------------------------------------

#: Audit actions that change the document they are about; the others (access, export)
#: only record that someone looked.
CHANGING = frozenset({"create", "update", "delete", "undo"})
_BEFORE, _AFTER = operator.itemgetter(0), operator.itemgetter(1)
_IS_NONE = functools.partial(operator.is_, None)


class _Trail:
    """A document as its audit entries leave it, replayed in sequence order."""

    __slots__ = ("fields", "present", "rev", "seq", "action", "broken", "gone")

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}  # the non-bookkeeping fields that are not None
        self.present = False
        #: The rev it was left at; for a document deleted, its tombstone's (None: a
        #: delete written before deletes left tombstones).
        self.rev: Any = None
        self.seq: Any = None  # of the last entry applied
        self.action = ""
        self.broken: str | None = None  # the trail itself does not add up
        #: Deleted: the fields it had then, which its tombstone keeps.
        self.gone: dict[str, Any] | None = None


def _action_name(action: str) -> str:
    try:
        return tr(AuditAction(action).label)
    except ValueError:
        return action


def _title(kind: str, name: str) -> str:
    info = KINDS[kind].model_fields.get(name)
    return tr(info.title) if info is not None and info.title else name


def _named(kind: str, names: list[str], most: int = 5) -> str:
    shown = "".join(tr("「{field}」", field=_title(kind, name)) for name in names[:most])
    return (
        shown if len(names) <= most else tr("{shown}等 {count} 个", shown=shown, count=len(names))
    )


def replay_audit_trail(store: Store) -> dict[tuple[str, str], _Trail]:
    """Every document the audit trail is about, as its entries leave it: one pass over the
    entries in sequence order. Entries that change nothing (access, export) are skipped."""
    trails: dict[tuple[str, str], _Trail] = {}
    for entry in _entries(store):
        action = entry.get("action")
        if action not in CHANGING:
            continue
        kind = entry.get("target_kind")
        if kind not in KINDS or kind == AUDIT:
            continue
        # The id Store.audit_entry wrote (as read back from disk, not checked here).
        key = (kind, cast(str, entry.get("target_id")))
        trail = trails.get(key)
        if trail is None:
            trail = trails[key] = _Trail()
        elif trail.broken is not None:
            continue
        seq = entry.get("seq")
        trail.seq, trail.action = seq, action
        trail.broken = _apply(trail, entry, action, kind, seq)
    return trails


def _apply(trail: _Trail, entry: dict[str, Any], action: str, kind: str, seq: Any) -> str | None:
    """Apply one audit entry to the document's replayed state; or say why it cannot be."""
    changes = entry.get("changes")
    if not isinstance(changes, dict):
        return tr("审计记录第 {seq} 条的变更内容无法读取", seq=seq)
    # A delete, or an undo that takes a creation back, keeps the whole document in
    # ``before``; every other change leaves the document in place.
    removes = action == "delete" or entry.get("before") is not None
    if removes and not trail.present:
        return tr(
            "审计记录第 {seq} 条（{action}）删除了它，而此前的审计记录里它并不存在",
            seq=seq,
            action=_action_name(action),
        )
    if not removes and not trail.present and action == "update":
        return tr("审计记录第 {seq} 条修改了它，而此前没有创建它的审计记录", seq=seq)
    if not removes and trail.present and action == "create":
        return tr("审计记录第 {seq} 条再次创建了它，而此前的审计记录里它已经存在", seq=seq)
    kept = dict(trail.fields) if removes else None
    try:
        if not trail.present:
            # A creation (or an undo that puts a deleted document back): every field is
            # in ``changes`` as [None, value]. The common case, so done in one go.
            # (map and itemgetter: no Python code per field, most of the replay's time)
            if not all(map(_IS_NONE, map(_BEFORE, changes.values()))):
                stale = [name for name, change in changes.items() if change[0] is not None]
                return _stale(seq, action, kind, stale)
            fields = dict(zip(changes, map(_AFTER, changes.values()), strict=True))
        else:
            fields = trail.fields
            for name, (before, after) in changes.items():
                if fields.get(name) != before:
                    return _stale(seq, action, kind, [name])
                if after is None:
                    fields.pop(name, None)
                else:
                    fields[name] = after
    except (TypeError, ValueError, IndexError):
        return tr("审计记录第 {seq} 条的变更内容无法读取", seq=seq)
    if removes:
        if fields:
            return tr(
                "审计记录第 {seq} 条（{action}）删除时没有记下字段{kind}",
                seq=seq,
                action=_action_name(action),
                kind=_named(kind, sorted(fields)),
            )
        trail.present, trail.fields, trail.rev = False, {}, entry.get("target_rev")
        trail.gone = kept
    else:
        trail.present, trail.fields, trail.rev = True, fields, entry.get("target_rev")
        trail.gone = None
    return None


def _stale(seq: Any, action: str, kind: str, names: list[str]) -> str:
    return tr(
        "审计记录第 {seq} 条（{action}）记下的字段{kind}修改前的内容与此前的审计记录不符",
        seq=seq,
        action=_action_name(action),
        kind=_named(kind, names),
    )


def _differences(
    kind: str, raw: dict[str, Any], trail: _Trail, fields: dict[str, Any] | None = None
) -> str | None:
    """How a stored document differs from where its trail ends (a tombstone: from the
    ``fields`` it had when it was deleted), or None. Then its ``rev_hash``, when it has
    one, must be the hash of what it holds (what the hub compares)."""
    if fields is None:
        fields = trail.fields
    # What the document should be: its own keys (a field left empty, None, is never in
    # the trail), the trail's fields, and its own bookkeeping; compared in one go.
    expected = dict.fromkeys(raw)
    expected.update(fields)
    for name in BOOKKEEPING:
        if name in raw:
            expected[name] = raw[name]
    if expected == raw and raw.get("rev") == trail.rev:
        stamped = raw.get("rev_hash")
        if stamped is None or stamped == revision_hash(raw):
            return None
        return tr(
            "版本摘要与内容不符：内容与审计记录一致，摘要却不是这些内容的摘要（可能是在数据文件中直接改动的）"
        )
    names = [
        name for name, value in raw.items() if name not in BOOKKEEPING and fields.get(name) != value
    ]
    names.extend(name for name in fields if name not in raw)
    parts = []
    if names:
        parts.append(tr("字段{kind}不同", kind=_named(kind, sorted(set(names)))))
    if raw.get("rev") != trail.rev:
        parts.append(tr("版本号是 {found}，应为 {rev}", found=raw.get("rev"), rev=trail.rev))
    return tr(
        "文档内容与审计记录不符：{parts}（审计记录最后一条是第 {seq} 条）：可能是在数据文件中直接改动的",
        parts=tr("；").join(parts),
        seq=trail.seq,
    )


def check_audit_trail(store: Store) -> list[Finding]:
    """Every document (audit entries and ``_meta`` apart) must equal the state its audit
    trail ends with, fields and rev; a document with no trail, a document present whose
    trail ends in a delete, and one missing whose trail leaves it in place are named."""
    trails = replay_audit_trail(store)
    findings: list[Finding] = []
    for kind in sorted(KINDS):
        if kind == AUDIT:
            continue
        findings.extend(_tombstone_findings(store, kind, trails))
        for doc_id, raw in store.tables.get(kind, {}).items():
            trail = trails.get((kind, doc_id))
            message: str | None
            if trail is None:
                message = tr("没有任何审计记录：不是经本程序保存的，可能是在数据文件中直接加入的")
            elif trail.broken is not None:
                message = trail.broken
            elif not trail.present:
                message = tr(
                    "审计记录第 {seq} 条（{action}）已把它删除，文档却还在：可能是在数据文件中直接放回的",
                    seq=trail.seq,
                    action=_action_name(trail.action),
                )
            else:
                message = _differences(kind, raw, trail)
            if message is not None:
                findings.append(Finding(doc_id, kind, message))
    for (kind, doc_id), trail in trails.items():
        if doc_id in store.tables.get(kind, {}):
            continue
        tombstone = store.tables.get(tombs_of(kind), {}).get(doc_id)
        if tombstone is not None:
            continue  # compared by _tombstone_findings
        if trail.broken is not None:
            findings.append(Finding(doc_id, kind, trail.broken))
        elif not trail.present and trail.rev is not None:
            findings.append(
                Finding(
                    doc_id,
                    kind,
                    tr(
                        "删除后留下的记录不见了：审计记录第 {seq} 条（{action}）删除它时留下了它的最后内容，可能是在数据文件中直接删除的",
                        seq=trail.seq,
                        action=_action_name(trail.action),
                    ),
                )
            )
        elif trail.present:
            findings.append(
                Finding(
                    doc_id,
                    kind,
                    tr(
                        "文档不见了，而按审计记录（最后一条是第 {seq} 条，{action}）它应当还在：可能是在数据文件中直接删除的",
                        seq=trail.seq,
                        action=_action_name(trail.action),
                    ),
                )
            )
    return findings


def _tombstone_findings(
    store: Store, kind: str, trails: dict[tuple[str, str], _Trail]
) -> list[Finding]:
    """Each tombstone of ``kind`` is the document as its trail had it when it was deleted,
    at the rev the delete gave it."""
    findings: list[Finding] = []
    live = store.tables.get(kind, {})
    for doc_id, raw in store.tables.get(tombs_of(kind), {}).items():
        trail = trails.get((kind, doc_id))
        message: str | None
        if trail is None:
            message = tr(
                "已删除的记录没有任何审计记录：不是经本程序删除的，可能是在数据文件中直接加入的"
            )
        elif trail.broken is not None:
            message = None if doc_id in live else trail.broken  # said once, with the document
        elif trail.present:
            message = tr(
                "有一条它的已删除记录，而按审计记录（最后一条是第 {seq} 条，{action}）它没有被删除：可能是在数据文件中直接加入的",
                seq=trail.seq,
                action=_action_name(trail.action),
            )
        elif trail.gone is None or trail.rev is None:
            message = tr(
                "有一条它的已删除记录，而审计记录第 {seq} 条删除它时不留已删除记录（那时的程序还不保留）：可能是在数据文件中直接加入的",
                seq=trail.seq,
            )
        else:
            message = _differences(kind, raw, trail, trail.gone)
            if message is not None:
                message = tr("已删除的记录：{message}", message=message)
        if message is not None:
            findings.append(Finding(doc_id, kind, message))
    return findings


def _audit_trail(store: Store) -> CheckResult:
    findings = check_audit_trail(store)
    if findings:
        return CheckResult(findings)
    count = sum(store.count(kind) for kind in KINDS if kind != AUDIT)
    said = tr("每条文档都与其审计记录的最终状态一致（{count} 条）", count=count)
    tombs = sum(len(store.tombstones(kind)) for kind in KINDS if kind != AUDIT)
    if tombs:
        said += tr("；已删除的 {tombs} 条记录与删除时的内容一致", tombs=tombs)
    return CheckResult([], [said])


# --- the last-save record and the backups --------------------------------------------------


def _last_save(store: Store) -> CheckResult:
    """The journal reaches the last confirmed save, and the audit chain's head is the one
    recorded with it. (An open already refuses a journal that falls short of the record;
    this says so, and checks what an open does not.)"""
    last, position = store.last_save, store.position
    name = store.paths.lastsave.name
    if last is None or last.removed:
        if position.seq == 0 or not position.store_id:
            return CheckResult()
        return CheckResult(
            [
                Finding(
                    "-",
                    "lastsave",
                    tr("最后保存记录 {name} 不见了，无法确认日志是否完整", name=name),
                )
            ]
        )
    if last.seq < position.seq:  # the program is saving while we read: nothing is missing
        return CheckResult(
            [],
            [
                tr(
                    "日志到第 {seq} 次保存，不少于最后保存记录（第 {seq2} 次，读取时程序正在保存）",
                    seq=position.seq,
                    seq2=last.seq,
                )
            ],
        )
    when = " ".join(part for part in (last.at[:16].replace("T", " "), last.by) if part)
    checked = [
        tr(
            "日志完整：到第 {seq} 次保存，与最后保存记录一致（最后一次 {when}）",
            seq=position.seq,
            when=when,
        )
    ]
    head = store.meta.get("audit_head") or {}
    if last.audit_seq and (
        head.get("seq") != last.audit_seq or str(head.get("hash", ""))[:16] != last.audit_hash
    ):
        return CheckResult(
            [
                Finding(
                    str(head.get("id", "-")),
                    AUDIT,
                    tr(
                        "审计记录链的最后一条（第 {seq} 条）与最后保存记录中的（第 {audit_seq} 条）不一致",
                        seq=head.get("seq"),
                        audit_seq=last.audit_seq,
                    ),
                )
            ],
            checked,
        )
    if last.audit_seq:
        checked.append(
            tr(
                "审计记录链的最后一条（第 {audit_seq} 条）与最后保存记录一致",
                audit_seq=last.audit_seq,
            )
        )
    return CheckResult([], checked)


def _backups(store: Store) -> CheckResult:
    """No backup of this store holds more saves than the store, and the one that holds the
    most (the one a restore would be offered) reads whole."""
    from grassroots_tui.store import backups
    from grassroots_tui.store.files import Damage, read_snapshot

    position = store.position
    if not position.store_id:
        return CheckResult()
    best = backups.best_backup(store.paths, position.store_id)
    count = len(backups.list_backups(store.paths))
    if best is None:
        return CheckResult([], [tr("备份文件夹中有 {count} 份备份，没有本数据的备份", count=count)])
    path, seq = best
    if seq > position.seq:
        return CheckResult(
            [
                Finding(
                    "-",
                    "backup",
                    tr("备份 {name} 含有到第 {seq} 次的保存，比数据新", name=path.name, seq=seq),
                )
            ]
        )
    try:
        read_snapshot(path)
    except (Damage, OSError) as damage:
        return CheckResult(
            [
                Finding(
                    "-",
                    "backup",
                    tr("备份 {name} 读不出来：{damage}", name=path.name, damage=damage),
                )
            ]
        )
    return CheckResult(
        [],
        [
            tr(
                "共 {count} 份备份，没有比数据新的；保存最多的 {name}（到第 {seq} 次保存）完好可用",
                count=count,
                name=path.name,
                seq=seq,
            )
        ],
    )


# --- slips against their steps ---------------------------------------------------------------


def _slip_steps(store: Store) -> CheckResult:
    """Every slip's stored state is the one its dated steps lead to (the slip clock):
    otherwise the figures of past months rest on a state no step explains."""
    from grassroots_tui.services.slips.clock import timelines

    lines = timelines(store, None)
    findings = [
        Finding(
            slip_id,
            "handoff_slip",
            tr(
                "状态“{label}”没有相应的办理记录（交办、回复、回访、办结等），以往月份的统计按最后一步的日期计",
                label=tr(line.state.label),
            ),
        )
        for slip_id, line in sorted(lines.items())
        if line.disagrees
    ]
    if findings:
        return CheckResult(findings)
    return CheckResult(
        [], [tr("每张交办单的状态都与其办理记录相符（{count} 张）", count=len(lines))]
    )


#: The checks :func:`check_store` runs (what every store the program writes passes,
#: including one whose documents were put in its files by other means, like the bench's).
BASIC_CHECKS: tuple[Check, ...] = (check_documents, _audit_chain, _audit_clock)
#: Every check ``grassroots check`` runs, in order. Add one by appending a function.
CHECKS: list[Check] = [*BASIC_CHECKS, _audit_trail, _slip_steps, _last_save, _backups]
