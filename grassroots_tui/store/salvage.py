"""Salvage: a new store built from a damaged one, and a report of exactly what was lost.

:func:`salvage_store` reads a store's main file, journal and last-save record (and, when
it must, one backup), never writes to any of them, and writes everything it can trust
into a NEW store beside the old one:

* **The base.** The main file when it verifies. When it does not (a bad header or body
  checksum) but its body still parses as tables, that body, with a warning that it may
  hold changed content. Otherwise the verified backup that holds the most saves
  (:func:`~grassroots_tui.store.backups.best_backup_path`); the saves between that backup
  and the journal were only in the damaged main file and are reported lost.
* **The journal on top.** Every line that verifies (:func:`~grassroots_tui.store.files.scan_journal`
  reads on past a bad line), in order, whose save number is past the base's. With the
  main file as base the journal must be of its generation. Each record holds whole
  documents (put or delete), so replaying the records after an older backup is safe.
* **What was lost.** Each line that fails verification: its line number, byte offset and
  length, and, when its JSON still parses, its save number and the documents it touched
  (else "内容无法辨认"). Every missing save number: gaps in the journal, the saves between
  an older base and the journal, and those after the journal's end up to the number the
  last-save record confirms ("第 N 到第 M 次保存无法恢复").

A journal's last line cut off while it was being written and never confirmed (the
last-save record stops before it) is no loss: :meth:`Store.open` drops it too.

The new store (``<main stem>-salvaged-YYYYMMDD-HHMMSS.json`` by default) is written like
a freshly compacted one: snapshot, empty journal, last-save record, with an identity of
its own. Its tables are the salvaged ones as they are, the ``_meta`` document and the
audit entries included. The report is written beside it as text (owner only); put the
new store in place with ``grassroots restore``, which keeps the damaged one aside.
"""

from __future__ import annotations

import os
import re
import shlex
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from grassroots_tui.lang import chinese, language, tr
from grassroots_tui.models import KINDS
from grassroots_tui.models.errors import listing
from grassroots_tui.store import backups
from grassroots_tui.store.errors import StoreError, StoreWriteFailed, disk_reason
from grassroots_tui.store.files import (
    FORMAT_VERSION,
    JOURNAL_FORMAT,
    SLOT_SIZE,
    Damage,
    JournalLine,
    JournalWriter,
    LastSave,
    LastSaveWriter,
    Position,
    Snapshot,
    file_identity,
    make_private_folder,
    new_store_id,
    next_chain,
    read_header,
    read_lastsave,
    read_snapshot,
    scan_journal,
    write_file_atomically,
    write_snapshot,
)
from grassroots_tui.store.paths import StorePaths, default_store_path
from grassroots_tui.store.store import TOMBS

AUDIT = "audit_entry"
META = "_meta"
REPORT_SUFFIX = "-salvage-report.txt"
#: Who the new store's last-save record says made it.
SALVAGED_BY = "抢救"

#: What the unfinished end of an interrupted append looks like (as in files.py): a prefix
#: of "<8 hex> {json}" without its newline, or the zero bytes a power cut can leave.
_TORN_TAIL = re.compile(rb"\A(?:[0-9a-f]{0,8}(?: [^\n]*)?|\x00+)\Z")


class NothingToSalvage(StoreError):
    """Neither the main file, a backup nor the journal holds anything that can be used."""


# --- the report ----------------------------------------------------------------------------


@dataclass
class DamagedLine:
    """A journal line that failed verification (or is not a save record)."""

    #: Its line number in the journal (1 is the header).
    number: int
    #: Where it starts in the journal, and its length in bytes (without its newline).
    offset: int
    length: int
    #: What is wrong with it, in the interface language.
    problem: str
    #: The save it is: read from its content (when that fits the lines around it), or
    #: inferred from them.
    seq: int | None = None
    #: Whether ``seq`` was inferred from the lines around it.
    inferred: bool = False
    #: When ``seq`` is not known: the saves it lies between (an end not known is None).
    between: tuple[int | None, int | None] | None = None
    #: The documents it touched, (kind, id) in order, when its JSON still parses;
    #: None when its content cannot be read.
    touched: list[tuple[str, str]] | None = None
    #: The line has no newline and looks like an append cut off while it was written.
    torn: bool = False
    #: The 户号 of the households it puts, by id, as its content says (a help to find them).
    numbers: dict[str, str] = field(default_factory=dict)
    #: At the end, after every save the last-save record confirms: never confirmed.
    unconfirmed: bool = False
    #: No save number is missing where it stands: junk, not a save.
    extra: bool = False
    #: A save the base already holds.
    contained: bool = False

    @property
    def lost(self) -> bool:
        """Whether a confirmed save was lost with it."""
        return not (self.unconfirmed or self.extra or self.contained)


@dataclass
class LostSaves:
    """Saves first..last (their numbers) that could not be recovered, and why."""

    first: int
    last: int
    why: str

    def __str__(self) -> str:
        said = tr("{what}无法恢复：{why}", what=_span(self.first, self.last), why=self.why)
        return said[:1].upper() + said[1:]  # "Save 3 could not…" (Chinese has no case)


@dataclass
class SalvageReport:
    """What :func:`salvage_store` read, recovered and lost, and where it wrote the result."""

    main: Path
    #: The new store's main file and the report written beside it.
    out: Path | None = None
    report_path: Path | None = None
    #: "main" (verified), "main-unverified" (failed verification, body parsed),
    #: "backup", or "empty" (nothing before the journal).
    base: str = "main"
    base_path: Path | None = None
    #: The save the base holds up to (None when it cannot be known).
    base_seq: int | None = 0
    #: What was read, one sentence per file.
    read: list[str] = field(default_factory=list)
    #: The save numbers replayed from the journal, in order.
    recovered: list[int] = field(default_factory=list)
    damaged: list[DamagedLine] = field(default_factory=list)
    lost: list[LostSaves] = field(default_factory=list)
    #: Things that may mean a loss or changed content, though no save number is missing.
    doubts: list[str] = field(default_factory=list)
    #: Things that are worth knowing and lose nothing.
    notes: list[str] = field(default_factory=list)
    #: The documents touched by a damaged line, and what the new store holds of each:
    #: "later" (a later save recovered it), "before" (as before that save), "absent".
    fate: dict[tuple[str, str], str] = field(default_factory=dict)
    #: The salvaged tables, as written to the new store.
    tables: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def documents(self) -> int:
        return sum(len(table) for name, table in self.tables.items() if name != META)

    @property
    def complete(self) -> bool:
        """True when nothing was lost: every confirmed save recovered, all verified."""
        return not self.lost and not self.doubts and not any(d.lost for d in self.damaged)

    def lines(self) -> list[str]:
        """The report in the interface language, one line each."""
        out = [tr("抢救数据：{file}（原文件只读取，没有任何改动）", file=self.main), ""]
        out += [tr("读取了：")]
        out += [f"  · {sentence}" for sentence in self.read]
        out += ["", tr("恢复了：{what}", what=self._recovered_sentence())]
        losses = [str(lost) for lost in self.lost]
        losses += [self._damaged_sentence(d) for d in self.damaged if d.lost]
        if losses:
            out += ["", tr("丢失了：")] + [f"  · {loss}" for loss in losses]
        elif self.doubts:
            out += ["", tr("丢失了：没有发现丢失的保存，但有下面要核对的地方。")]
        else:
            out += ["", tr("丢失了：没有。每一次确认过的保存都已恢复。")]
        if self.doubts:
            out += ["", tr("需要核对：")] + [f"  · {doubt}" for doubt in self.doubts]
        harmless = [self._damaged_sentence(d) for d in self.damaged if not d.lost]
        if self.notes or harmless:
            out += ["", tr("另外（不算丢失）：")]
            out += [f"  · {note}" for note in [*self.notes, *harmless]]
        if self.out is not None:
            out += ["", tr("新数据：{file}（{n} 条文档）", file=self.out, n=self.documents)]
            if self.report_path is not None:
                out.append(tr("这份报告：{file}", file=self.report_path))
            out += ["", tr("下一步：{what}", what=self._next_step())]
        return out

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"

    def _recovered_sentence(self) -> str:
        name = self.base_path.name if self.base_path is not None else ""
        if self.base == "main":
            base = tr("以主文件为基础")
        elif self.base == "main-unverified":
            base = tr("以校验失败、但内容可以解析的主文件为基础")
        elif self.base == "backup":
            base = tr("主文件不能用，以备份 {file} 为基础", file=name)
        else:
            base = tr("主文件不能用，也没有完好的备份，只从日志恢复")
        if self.base_seq is not None and self.base != "empty":
            base = tr("{base}（到第 {seq} 次保存）", base=base, seq=self.base_seq)
        if not self.recovered:
            return tr("{base}，日志中没有要接上的保存。", base=base)
        first, last = self.recovered[0], self.recovered[-1]
        missing = last - first + 1 - len(self.recovered)
        if missing > 0:
            return tr(
                "{base}，接上日志中的 {n} 次保存（{span}，中间缺 {missing} 次）。",
                base=base,
                n=len(self.recovered),
                span=_span(first, last),
                missing=missing,
            )
        return tr(
            "{base}，接上日志中的 {n} 次保存（{span}）。",
            base=base,
            n=len(self.recovered),
            span=_span(first, last),
        )

    def _damaged_sentence(self, line: DamagedLine) -> str:
        where = tr(
            "日志第 {line} 行（从第 {offset} 字节起，共 {length} 字节）{problem}，没有采用",
            line=line.number,
            offset=line.offset,
            length=line.length,
            problem=line.problem,
        )
        if line.unconfirmed:
            if line.torn:
                return tr(
                    "{where}：这是最后一次写入，写到一半被打断，从未确认成功"
                    "（打开数据时也会丢弃它）",
                    where=where,
                )
            return tr("{where}：最后保存记录没有确认过这次保存，它从未确认成功", where=where)
        if line.extra:
            return tr("{where}：前后的保存都在，它不是其中任何一次（多出的内容）", where=where)
        if line.contained:
            return tr("{where}：这次保存已包含在基础数据中", where=where)
        if line.seq is not None:
            if line.inferred:
                which = tr("按前后的行推断，它是第 {seq} 次保存", seq=line.seq)
            else:
                which = tr("它是第 {seq} 次保存", seq=line.seq)
        elif line.between is not None and line.between != (None, None):
            first, last = line.between
            if first is None:
                which = tr("按前后的行推断，它在第 {last} 次保存之前", last=last)
            elif last is None:
                which = tr("按前后的行推断，它是第 {first} 次或之后的保存", first=first)
            else:
                which = tr(
                    "按前后的行推断，它是第 {first} 到第 {last} 次保存之一", first=first, last=last
                )
        else:
            which = tr("无法推断它是第几次保存")
        if line.touched is None:
            return tr("{where}。{which}，内容无法辨认", where=where, which=which)
        return tr(
            "{where}。{which}，涉及：{touched}",
            where=where,
            which=which,
            touched=self._touched_sentence(line),
        )

    def _touched_sentence(self, line: DamagedLine) -> str:
        touched = line.touched or []
        parts = []
        audit = 0
        for kind, doc_id in dict.fromkeys(touched):
            if kind == AUDIT:
                audit += 1
            elif kind != META:
                said = (
                    [tr("户号 {number}", number=line.numbers[doc_id])]
                    if doc_id in line.numbers
                    else []
                )
                said += (
                    [tr(_FATES[self.fate[(kind, doc_id)]])] if (kind, doc_id) in self.fate else []
                )
                if said:
                    parts.append(
                        tr(
                            "{kind} {id}（{notes}）",
                            kind=_label(kind),
                            id=doc_id,
                            notes=("；" if language() == "zh" else "; ").join(said),
                        )
                    )
                else:
                    parts.append(f"{_label(kind)} {doc_id}")
        if audit:
            parts.append(tr("{n} 条审计记录", n=audit))
        listed = listing(parts) if parts else tr("没有文档")
        return tr("{listed}。这一行已被改动，以上编号仅供参考", listed=listed)

    def _next_step(self) -> str:
        new = shlex.quote(str(self.out))
        db = ""
        if self.main != default_store_path().absolute():
            db = f" --db {shlex.quote(str(self.main))}"
        return tr(
            "先用 {check} 核对新数据；核对无误后，可用 {restore} 换回原位置（换下的数据会先另存一份）。",
            check=f"grassroots check --db {new}",
            restore=f"grassroots restore{db} {new}",
        )


#: What the new store holds of a document a lost line touched (message ids: tr() them).
_FATES = {
    "later": chinese("之后的保存又改过它，新数据中是之后的内容"),
    "before": chinese("新数据中是这次保存之前的内容"),
    "absent": chinese("新数据中没有它"),
}


def _label(kind: str) -> str:
    if kind.startswith(TOMBS):  # a kind's tombstones: its deleted documents
        return tr("已删除的{kind}", kind=_label(kind[len(TOMBS) :]))
    model = KINDS.get(kind)
    label = getattr(model, "LABEL", "") if model is not None else ""
    return tr(label) if label else kind


def _span(first: int, last: int) -> str:
    if first == last:
        return tr("第 {seq} 次保存", seq=first)
    return tr("第 {first} 到第 {last} 次保存", first=first, last=last)


# --- reading the files, never writing them ---------------------------------------------------


@dataclass
class _Files:
    """One consistent reading of a store's files."""

    main: bytes | None
    #: The main file verified, or why it is not.
    snapshot: Snapshot | None
    main_problem: str
    #: The main file's header when it verifies on its own (the body may not).
    header: dict[str, Any] | None
    journal: bytes | None
    lastsave: LastSave | None
    lastsave_problem: str | None
    #: One of the record's two slots fails verification (the newest may have been it).
    slot_damaged: bool = False


def _read_files(paths: StorePaths) -> _Files:
    """Read the store's files; again when one changed meanwhile (a program writing the
    store replaces them by rename), so that they are one consistent state."""
    watched = (paths.main, paths.journal, paths.lastsave)
    for _attempt in range(50):
        before = [file_identity(path) for path in watched]
        lastsave_problem = None
        try:
            last = read_lastsave(paths.lastsave)
        except Damage as damage:
            last, lastsave_problem = None, str(damage)
        main = _read_bytes(paths.main)
        snapshot, main_problem = None, ""
        if main is not None:
            try:
                snapshot = read_snapshot(paths.main)
            except Damage as damage:
                main_problem = str(damage)
        header = read_header(paths.main)
        journal = _read_bytes(paths.journal)
        slots = _read_bytes(paths.lastsave)
        if before == [file_identity(path) for path in watched]:
            files = _Files(main, snapshot, main_problem, header, journal, last, lastsave_problem)
            files.slot_damaged = slots is not None and not all(
                _slot_verifies(slots[start : start + SLOT_SIZE]) for start in (0, SLOT_SIZE)
            )
            return files
        time.sleep(0.02)
    raise StoreError(tr("数据正在被另一个程序频繁改动，读不到一致的内容。请先关闭程序，再抢救。"))


def _slot_verifies(slot: bytes) -> bool:
    """Whether one slot of the last-save record holds a line whose checksum matches."""
    line = slot.rstrip(b" \n")
    try:
        return line[8:9] == b" " and int(line[:8], 16) == zlib.crc32(line[9:])
    except ValueError:
        return False


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _loose_json(line: bytes) -> Any:
    """The JSON of a checksummed line whatever its checksum says; None if it does not parse."""
    payload = line[9:] if len(line) > 9 and line[8:9] == b" " else line
    start = payload.find(b"{")
    if start < 0:
        return None
    try:
        return orjson.loads(payload[start:])
    except orjson.JSONDecodeError:
        return None


def _tables(data: bytes | memoryview) -> dict[str, dict[str, Any]] | None:
    try:
        tables = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        return None
    return tables


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


@dataclass
class _Base:
    kind: str  # main | main-unverified | backup | empty
    tables: dict[str, dict[str, Any]]
    generation: int | None
    #: None when the main file's header cannot be read.
    position: Position | None
    path: Path | None = None


def _main_base(paths: StorePaths, files: _Files, report: SalvageReport) -> _Base | None:
    """The main file as the base: verified, or its body parsed despite a failed check."""
    name = paths.main.name
    if files.main is None:
        report.read.append(tr("主文件 {file}：不存在", file=name))
        return None
    header = files.header
    version = _count(header.get("format_version")) if header is not None else None
    if version is not None and version > FORMAT_VERSION:
        raise StoreError(
            tr(
                "主文件 {file} 由更新版本的程序写入，本版本不能抢救它。请升级程序后再试。",
                file=name,
            )
        )
    snapshot = files.snapshot
    if snapshot is not None:
        report.read.append(
            tr(
                "主文件 {file}：校验无误（到第 {seq} 次保存，第 {generation} 代）",
                file=name,
                seq=snapshot.position.seq,
                generation=snapshot.generation,
            )
        )
        return _Base("main", snapshot.tables, snapshot.generation, snapshot.position, paths.main)
    data = files.main
    problem = files.main_problem
    newline = data.find(b"\n", 0, 65536)
    loose = header if header is not None else _loose_json(data[:newline] if newline >= 0 else b"")
    loose = loose if isinstance(loose, dict) else {}
    body = memoryview(data)[newline + 1 :] if newline >= 0 else memoryview(b"")
    length = _count(loose.get("length"))
    generation = _count(loose.get("generation"))
    seq = _count(loose.get("seq"))
    position = None
    if seq is not None:
        position = Position(seq, str(loose.get("chain", "")), str(loose.get("store_id", "")))
    if header is not None and length is not None and len(body) > length:
        cut = body[:length]
        if zlib.crc32(cut) == header.get("crc32") and (tables := _tables(cut)) is not None:
            extra = len(body) - length
            report.read.append(
                tr(
                    "主文件 {file}：末尾多出 {n} 字节无法识别的内容；其余内容校验无误"
                    "（到第 {seq} 次保存，第 {generation} 代）",
                    file=name,
                    n=extra,
                    seq=seq,
                    generation=generation,
                )
            )
            report.notes.append(
                tr("主文件 {file} 末尾多出的 {n} 字节不是数据，没有采用", file=name, n=extra)
            )
            return _Base("main", tables, generation, position, paths.main)
    candidates = [body]
    if length is not None and len(body) > length:
        candidates.insert(0, body[:length])
    for candidate in candidates:
        tables = _tables(candidate)
        if tables is not None:
            upto = (
                tr("到第 {seq} 次保存", seq=seq)
                if seq is not None
                else tr("文件头无法读取，不知到第几次保存")
            )
            report.read.append(
                tr(
                    "主文件 {file}：{problem}；但内容可以解析（{upto}）",
                    file=name,
                    problem=problem,
                    upto=upto,
                )
            )
            report.doubts.append(
                tr(
                    "主文件校验失败，但内容可以解析：已采用，可能含有被改动的内容"
                    "（{problem}）。请逐条核对新数据",
                    problem=problem,
                )
            )
            return _Base("main-unverified", tables, generation, position, paths.main)
    report.read.append(
        tr("主文件 {file}：{problem}；内容也无法解析，不能使用", file=name, problem=problem)
    )
    return None


def _backup_base(paths: StorePaths, report: SalvageReport) -> _Base | None:
    candidate = backups.best_backup_path(paths)
    if candidate is None:
        report.read.append(tr("备份：没有找到完好的备份"))
        return None
    try:
        snapshot = read_snapshot(candidate)
    except (Damage, OSError) as problem:  # changed since it was checked
        report.read.append(tr("备份 {file}：{problem}", file=candidate.name, problem=problem))
        return None
    report.read.append(
        tr(
            "备份 {file}：校验无误（到第 {seq} 次保存），以它为基础",
            file=candidate.name,
            seq=snapshot.position.seq,
        )
    )
    return _Base("backup", snapshot.tables, snapshot.generation, snapshot.position, candidate)


# --- the last-save record ---------------------------------------------------------------------


def _lastsave(
    paths: StorePaths, files: _Files, base: _Base, report: SalvageReport
) -> tuple[LastSave | None, str]:
    """The last-save record when it can be used, and the sentence of what was read."""
    name = paths.lastsave.name
    last = files.lastsave
    if files.lastsave_problem is not None:
        report.doubts.append(
            tr("最后保存记录 {file} 已损坏，无法核对日志末尾是否缺少确认过的保存", file=name)
        )
        return None, tr("最后保存记录 {file}：{problem}", file=name, problem=files.lastsave_problem)
    if last is None:
        report.doubts.append(
            tr("没有最后保存记录 {file}，无法核对日志末尾是否缺少确认过的保存", file=name)
        )
        return None, tr("最后保存记录 {file}：不存在", file=name)
    if last.removed:
        return None, tr("最后保存记录 {file}：记的是一份已被删除的数据，没有使用", file=name)
    who = _who(last)
    said = tr("最后保存记录 {file}：最后确认的是第 {seq} 次保存", file=name, seq=last.seq)
    if who:
        said += tr("（{who}）", who=who)
    if files.slot_damaged:
        said += tr("；两份记录中有一份已损坏")
    ours = base.position.store_id if base.position is not None else ""
    if ours and last.store_id and ours != last.store_id:
        report.doubts.append(
            tr(
                "最后保存记录 {file} 与基础数据不属于同一份数据，无法用它核对是否缺少保存",
                file=name,
            )
        )
        return None, said
    return last, said


def _who(last: LastSave) -> str:
    return " ".join(part for part in (last.at[:16].replace("T", " "), last.by) if part)


# --- the journal ------------------------------------------------------------------------------


def _valid_ops(ops: Any) -> bool:
    if not isinstance(ops, list):
        return False
    for op in ops:
        if not isinstance(op, list) or len(op) < 3:
            return False
        if not isinstance(op[1], str) or not isinstance(op[2], str):
            return False
        if op[0] == "put":
            if len(op) != 4 or not isinstance(op[3], dict):
                return False
        elif op[0] != "del" or len(op) != 3:
            return False
    return True


def _touched(record: Any) -> tuple[int | None, list[tuple[str, str]] | None]:
    """The save number and the documents of a record read without trusting it."""
    if not isinstance(record, dict):
        return None, None
    ops = record.get("ops")
    if not isinstance(ops, list):
        return None, None
    touched = [
        (op[1], op[2])
        for op in ops
        if isinstance(op, list)
        and len(op) >= 3
        and isinstance(op[1], str)
        and isinstance(op[2], str)
    ]
    return _count(record.get("seq")), touched


#: What is wrong with a journal line (message ids: tr() them).
_PROBLEMS = {
    "checksum": chinese("校验和不符"),
    "json": chinese("校验和相符却无法解析"),
    "malformed": chinese("格式不对"),
    "incomplete": chinese("不完整（没有换行）"),
}


def _apply(tables: dict[str, dict[str, Any]], ops: list[list[Any]]) -> None:
    """As :meth:`Store._apply`: whole documents put or deleted."""
    for op in ops:
        if op[0] == "put":
            tables.setdefault(op[1], {})[op[2]] = op[3]
        else:
            tables.get(op[1], {}).pop(op[2], None)


@dataclass
class _JournalStart:
    position: Position | None  # None: the header is damaged
    generation: int | None
    legacy: bool


def _journal_start(
    name: str, data: bytes, lines: list[JournalLine], report: SalvageReport
) -> _JournalStart:
    first = lines[0] if lines else None
    header = first.record if first is not None and first.error is None else None
    records = lines[1:]
    bad = sum(1 for line in records if line.error is not None)
    said = tr("日志文件 {file}：共 {n} 行（含文件头）", file=name, n=len(lines))
    said += tr("，其中 {n} 行校验失败", n=bad) if bad else tr("，逐行校验无误")
    if (
        not isinstance(header, dict)
        or header.get("format") != JOURNAL_FORMAT
        or _count(header.get("seq", 0)) is None
    ):
        if first is None:
            report.notes.append(tr("日志文件 {file} 是空的", file=name))
        elif len(lines) == 1 and not first.complete and _TORN_TAIL.match(data):
            report.notes.append(tr("日志文件 {file} 只有写到一半的文件头，里面没有保存", file=name))
        else:
            said += tr("；文件头已损坏")
            report.doubts.append(
                tr(
                    "日志文件 {file} 的文件头已损坏，无法确认它与基础数据接得上；"
                    "已按每行的保存序号接续",
                    file=name,
                )
            )
        report.read.append(said)
        return _JournalStart(None, None, False)
    start = Position(
        _count(header.get("seq", 0)) or 0,
        str(header.get("chain", "")),
        str(header.get("store_id", "")),
    )
    generation = _count(header.get("generation"))
    report.read.append(
        said
        + tr("；从第 {seq} 次保存接续，第 {generation} 代", seq=start.seq, generation=generation)
    )
    return _JournalStart(start, generation, "seq" not in header)


def _journal_fits(name: str, base: _Base, start: _JournalStart, report: SalvageReport) -> bool:
    """Whether the journal goes on top of the base; notes why not, or what is doubtful."""
    if start.position is not None and base.position is not None:
        ours, theirs = base.position.store_id, start.position.store_id
        if ours and theirs and ours != theirs:
            if base.kind == "backup":
                said = tr("日志文件 {file} 与备份不属于同一份数据，没有采用其中的保存", file=name)
            else:
                said = tr("日志文件 {file} 与主文件不属于同一份数据，没有采用其中的保存", file=name)
            report.doubts.append(said)
            return False
    if base.kind not in ("main", "main-unverified") or start.generation is None:
        return True
    if base.generation is not None and start.generation < base.generation:
        report.notes.append(
            tr(
                "日志文件 {file} 是第 {generation} 代的，比主文件（第 {main_generation} 代）"
                "旧，内容已包含在主文件中，没有使用",
                file=name,
                generation=start.generation,
                main_generation=base.generation,
            )
        )
        return False
    if base.generation is not None and start.generation > base.generation:
        report.doubts.append(
            tr(
                "日志文件 {file}（第 {generation} 代）比主文件（第 {main_generation} 代）新："
                "主文件可能被换成了旧的副本。已按保存序号接续",
                file=name,
                generation=start.generation,
                main_generation=base.generation,
            )
        )
    elif (
        base.kind == "main"
        and not start.legacy
        and start.position is not None
        and base.position is not None
        and start.position != base.position
    ):
        report.doubts.append(
            tr(
                "日志文件 {file} 与主文件接不上（日志从第 {from_seq} 次保存接续，"
                "主文件到第 {to_seq} 次）",
                file=name,
                from_seq=start.position.seq,
                to_seq=base.position.seq,
            )
        )
    return True


def _replay(
    paths: StorePaths,
    data: bytes | None,
    base: _Base,
    last: LastSave | None,
    report: SalvageReport,
    *,
    slot_damaged: bool = False,
) -> None:
    """Apply every verified save of the journal past the base, in order, and record each
    line that fails and each save number that is missing."""
    name = paths.journal.name
    base_seq = base.position.seq if base.position is not None else None
    if data is None:
        report.read.append(tr("日志文件 {file}：不存在", file=name))
        _tail(base_seq, last, [], report)
        return
    lines = list(scan_journal(data))
    start = _journal_start(name, data, lines, report)
    if not _journal_fits(name, base, start, report):
        _tail(base_seq, last, [], report)
        return
    if base_seq is None and start.position is not None:
        # The main file's header is unreadable: it is taken to be where the journal starts.
        base_seq = report.base_seq = start.position.seq
    last_seq = base_seq  # the newest save recovered so far (None: not known yet)
    if base_seq is not None and start.position is not None and start.position.seq > base_seq:
        report.lost.append(LostSaves(base_seq + 1, start.position.seq, _before_journal(base)))
        last_seq = start.position.seq
    chain = None
    if start.position is not None and start.position == base.position:
        chain = start.position.chain  # to compare with the last-save record at the end
    confirmed = last.seq if last is not None else None
    if confirmed is not None and slot_damaged:
        # The slots are written in turn: the damaged one held at most the next save.
        confirmed += 1
    tables = base.tables
    pending: list[DamagedLine] = []
    applied_at: dict[tuple[str, str], int] = {}  # the line that last touched a document
    for line in lines[1:]:
        record = line.record if line.error in (None, "incomplete") else None
        seq: int | None = None
        if isinstance(record, dict) and _valid_ops(record.get("ops")):
            seq = _count(record.get("seq"))
            if seq is None and start.legacy and start.position is not None:
                seq = start.position.seq + line.number - 1
        unconfirmed_tail = (
            line.error == "incomplete"
            and confirmed is not None
            and seq is not None
            and seq > confirmed
        )
        if seq is None or unconfirmed_tail:
            pending.append(_damaged(line, data))
            chain = None
            continue
        if last_seq is not None and seq <= last_seq:
            if base_seq is None or seq > base_seq:
                report.doubts.append(
                    tr(
                        "日志第 {line} 行的保存序号 {seq} 重复或顺序错乱，没有采用",
                        line=line.number,
                        seq=seq,
                    )
                )
                chain = None
            continue  # else a save the base already holds
        first = None if last_seq is None else last_seq + 1
        _settle(pending, first, seq - 1, base_seq, tail=False)
        if first is not None and seq > first:
            before_journal = last_seq == base_seq and start.position is None and base.kind != "main"
            why = _gap_reason(pending) or (
                _before_journal(base)
                if before_journal
                else (
                    tr("日志中没有这次保存（它的那一行被删去了）")
                    if seq - 1 == first
                    else tr("日志中没有这些保存（它们的行被删去了）")
                )
            )
            report.lost.append(LostSaves(first, seq - 1, why))
            chain = None
        report.damaged.extend(pending)
        pending = []
        assert record is not None  # a seq is found only in a record with valid ops
        _apply(tables, record["ops"])
        for op in record["ops"]:
            applied_at[(op[1], op[2])] = line.number
        report.recovered.append(seq)
        if chain is not None:
            chain = next_chain(chain, line.raw)
        last_seq = seq
    first = None if last_seq is None else last_seq + 1
    _settle(pending, first, confirmed, base_seq, tail=True)
    report.damaged.extend(pending)
    _tail(last_seq, last, pending, report)
    if slot_damaged and last is not None and last_seq == last.seq and not pending:
        report.doubts.append(
            tr(
                "最后保存记录 {file} 的两份记录中有一份已损坏：它可能确认过第 "
                "{seq} 次保存，而日志中没有这次保存（无法确定）",
                file=paths.lastsave.name,
                seq=last.seq + 1,
            )
        )
    if (
        chain is not None
        and last is not None
        and last.seq == last_seq
        and last.chain != chain
        and last.store_id
    ):
        report.doubts.append(
            tr(
                "第 {seq} 次保存与最后保存记录 {file} 不符（日志内容被改动，或换成了另一份历史）",
                seq=last_seq,
                file=paths.lastsave.name,
            )
        )
    _fates(report, tables, applied_at)


def _before_journal(base: _Base) -> str:
    if base.kind == "backup":
        return tr("它们只在已损坏的主文件里（在备份之后、日志之前）")
    if base.kind == "empty":
        return tr("主文件已损坏又没有完好的备份，只有日志中的保存可以恢复")
    return tr("日志从更晚的保存接续，而主文件中没有它们")


def _damaged(line: JournalLine, data: bytes) -> DamagedLine:
    record = line.record if line.record is not None else _loose_json(line.raw)
    seq, touched = _touched(record)
    known = _PROBLEMS.get(line.error or "")
    problem = tr(known) if known else tr("不是一条有效的保存记录")
    torn = not line.complete and bool(_TORN_TAIL.match(data[line.offset :]))
    if torn:
        problem = tr("不完整（写到一半就断了）")
    damaged = DamagedLine(
        line.number, line.offset, len(line.raw), problem, seq=seq, touched=touched, torn=torn
    )
    damaged.numbers = _household_numbers(record)
    return damaged


def _household_numbers(record: Any) -> dict[str, str]:
    """The 户号 of the households a record read without trusting it puts, by id."""
    numbers: dict[str, str] = {}
    ops = record.get("ops") if isinstance(record, dict) else None
    for op in ops if isinstance(ops, list) else ():
        if isinstance(op, list) and len(op) == 4 and op[0] == "put" and op[1] == "household":
            number = op[3].get("household_no") if isinstance(op[3], dict) else None
            if isinstance(op[2], str) and isinstance(number, str):
                numbers[op[2]] = number[:40]
    return numbers


def _settle(
    pending: list[DamagedLine],
    first: int | None,
    last: int | None,
    base_seq: int | None,
    *,
    tail: bool,
) -> None:
    """Place the damaged lines found between two recovered saves: they can only be the
    saves first..last (an end not known is None). At the end of the journal ``last`` is
    the save the last-save record confirms."""
    if first is not None and last is not None and first > last:
        # No save number is missing here: the lines are none of the confirmed saves.
        for damaged in pending:
            if damaged.seq is not None and base_seq is not None and damaged.seq <= base_seq:
                damaged.contained = True
            elif tail:
                damaged.unconfirmed = True
            else:
                damaged.extra = True
        return
    for damaged in pending:
        seq = damaged.seq
        if seq is not None and (first is None or seq >= first) and (last is None or seq <= last):
            continue
        damaged.seq = None  # no number, or one that cannot be right (changed with the line)
        damaged.between = (first, last)
    if first is None:
        return
    unknown = [d for d in pending if d.seq is None]
    known = {d.seq for d in pending if d.seq is not None}
    free = [n for n in range(first, (last if last is not None else first) + 1) if n not in known]
    if last is not None and len(unknown) == len(free):
        # As many lines as saves missing: the journal is in order, so one each.
        for damaged, seq in zip(unknown, free, strict=True):
            damaged.seq, damaged.between, damaged.inferred = seq, None, True
    elif tail and len(pending) == 1 and pending[0].torn and pending[0].seq is None:
        # The line cut off at the end follows the last save recovered.
        pending[0].seq, pending[0].between, pending[0].inferred = first, None, True


def _gap_reason(pending: list[DamagedLine]) -> str | None:
    numbers = [d.number for d in pending if d.lost]
    if not numbers:
        return None
    where = listing([tr("第 {n} 行", n=n) for n in numbers])
    if len(numbers) == 1:
        return tr("日志中存放它的行（{where}）已损坏", where=where)
    return tr("日志中存放它们的行（{where}）已损坏", where=where)


def _tail(
    last_seq: int | None, last: LastSave | None, pending: list[DamagedLine], report: SalvageReport
) -> None:
    """The saves the last-save record confirms after the last one recovered."""
    if last is None or last_seq is None or last.seq <= last_seq:
        return
    cut = [d for d in pending if d.lost and d.torn]
    if cut:
        why = tr("日志在第 {line} 行写到一半的地方就断了（被截断）", line=cut[-1].number)
    else:
        why = _gap_reason(pending) or tr("日志在这之前就结束了（被截断，或换成了旧的副本）")
    who = _who(last)
    why += tr("；最后保存记录确认到第 {seq} 次", seq=last.seq)
    if who:
        why += tr("（{who}）", who=who)
    report.lost.append(LostSaves(last_seq + 1, last.seq, why))


def _fates(
    report: SalvageReport, tables: dict[str, dict[str, Any]], applied_at: dict[tuple[str, str], int]
) -> None:
    """What the new store holds of each document a lost line touched."""
    for damaged in report.damaged:
        if not damaged.lost or not damaged.touched:
            continue
        for key in damaged.touched:
            if applied_at.get(key, 0) > damaged.number:
                report.fate[key] = "later"
            elif key[1] in tables.get(key[0], {}):
                report.fate[key] = "before"
            else:
                report.fate[key] = "absent"


# --- writing the new store ------------------------------------------------------------------


def default_out(main: Path, now: datetime | None = None) -> Path:
    """``<main stem>-salvaged-YYYYMMDD-HHMMSS.json`` beside ``main``, not yet taken."""
    now = now or datetime.now()
    stem = f"{main.stem}-salvaged-{now:%Y%m%d-%H%M%S}"
    candidate = main.with_name(stem + ".json")
    counter = 1
    while _taken(candidate):
        counter += 1
        candidate = main.with_name(f"{stem}-{counter}.json")
    return candidate


def report_path_for(out: Path) -> Path:
    return out.with_name(out.stem + REPORT_SUFFIX)


def _new_files(out: Path) -> list[Path]:
    paths = StorePaths.for_main(out)
    return [paths.main, paths.journal, paths.lastsave, report_path_for(paths.main)]


def _taken(out: Path) -> bool:
    return any(os.path.lexists(p) for p in _new_files(out))


def _write(out: Path, tables: dict[str, dict[str, Any]], report: SalvageReport) -> None:
    paths = StorePaths.for_main(out)
    created: list[Path] = []
    try:
        make_private_folder(paths.folder)
        position = Position(0, "", new_store_id())
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        created.append(paths.main)
        write_snapshot(paths.main, tables, 1, position)
        created.append(paths.journal)
        JournalWriter.create(paths.journal, 1, position).close()
        created.append(paths.lastsave)
        LastSaveWriter.create(
            paths.lastsave, LastSave(0, "", position.store_id, now, SALVAGED_BY)
        ).close()
        target = report_path_for(paths.main)
        report.out, report.report_path = paths.main, target
        created.append(target)
        write_file_atomically(target, report.text().encode("utf-8", "backslashreplace"))
    except OSError as error:
        report.out = report.report_path = None
        for path in created:
            try:
                path.unlink()
            except OSError:
                pass
        raise StoreWriteFailed(
            tr(
                "抢救出的数据没能写出：{reason}。原来的数据文件没有任何改动。",
                reason=disk_reason(error),
            )
        ) from error


# --- the whole ----------------------------------------------------------------------------------


def salvage_store(
    main: str | Path, out: str | Path | None = None, *, now: datetime | None = None
) -> SalvageReport:
    """Rebuild the store at ``main`` into a new store (``out``, or one beside ``main``)
    from every record that verifies; returns what was read, recovered and lost.

    The files of the store at ``main`` are only read. Raises :class:`StoreError` when
    ``out`` is taken, :class:`NothingToSalvage` when nothing can be recovered and
    :class:`StoreWriteFailed` when the new store cannot be written.
    """
    paths = StorePaths.for_main(main)
    if out is None:
        target = default_out(paths.main, now)
    else:
        target = Path(out).expanduser().absolute()
        if target.is_dir():
            target = default_out(target / paths.main.name, now)
        if target in (paths.main, paths.journal, paths.lastsave) or _taken(target):
            taken = next((p for p in _new_files(target) if os.path.lexists(p)), target)
            raise StoreError(
                tr(
                    "不能抢救到 {target}：{taken} 已经存在，不会覆盖它。请换一个位置。",
                    target=target,
                    taken=taken,
                )
            )
    files = _read_files(paths)
    if files.main is None and files.journal is None and files.lastsave is None:
        raise NothingToSalvage(
            tr("找不到数据文件 {file}，也没有它的日志，没有可抢救的内容。", file=paths.main)
        )
    report = SalvageReport(main=paths.main)
    base = _main_base(paths, files, report) or _backup_base(paths, report)
    if base is None:
        # Nothing before the journal: its saves alone, on an empty store.
        base = _Base("empty", {}, None, Position(0, "", ""))
    report.base, report.base_path = base.kind, base.path
    report.base_seq = base.position.seq if base.position is not None else None
    last, said = _lastsave(paths, files, base, report)
    _replay(paths, files.journal, base, last, report, slot_damaged=files.slot_damaged)
    report.read.append(said)
    if base.kind == "empty" and not report.recovered:
        raise NothingToSalvage(
            tr(
                "没有可抢救的内容（{what}）。请先不要改动数据文件夹，把它整个复制一份，"
                "再联系技术支持。",
                what=("；" if language() == "zh" else "; ").join(report.read),
            )
        )
    _drop_non_documents(base.tables, report)
    report.tables = base.tables
    _write(target, base.tables, report)
    return report


def _drop_non_documents(tables: dict[str, dict[str, Any]], report: SalvageReport) -> None:
    """Entries of a table that are not documents (possible only in a changed main file)
    would stop the new store from opening: they are left out, and said."""
    for kind, table in tables.items():
        odd = [doc_id for doc_id, doc in table.items() if not isinstance(doc, dict)]
        for doc_id in odd:
            del table[doc_id]
        if odd:
            if len(odd) > 5:
                said = tr(
                    "{kind}表中有 {n} 项不是文档（{ids}等），没有采用",
                    kind=_label(kind),
                    n=len(odd),
                    ids=listing(odd[:5]),
                )
            else:
                said = tr(
                    "{kind}表中有 {n} 项不是文档（{ids}），没有采用",
                    kind=_label(kind),
                    n=len(odd),
                    ids=listing(odd),
                )
            report.doubts.append(said)


__all__ = [
    "DamagedLine",
    "LostSaves",
    "NothingToSalvage",
    "SalvageReport",
    "default_out",
    "report_path_for",
    "salvage_store",
]
