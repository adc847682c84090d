"""`grassroots salvage`: every intact record of a damaged store, before and after the
damage, goes into a new store beside the old one, with a report of exactly what was lost;
the damaged files are never modified.

The oracle is what the test saved: after each save it notes the documents the save
changed (from the store's memory, as the save left it), the save's number and where the
journal ended. What a salvage should hold is those saves replayed without the lost ones;
nothing here is computed by reading the files the way salvage does.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots_tui.cli import main
from grassroots_tui.services.check import Finding, check_report
from grassroots_tui.store import Store
from grassroots_tui.store.restore import restore_backup
from grassroots_tui.store.salvage import NothingToSalvage, SalvageReport, salvage_store
from tests.factories import household

AUDIT = "audit_entry"
META = "_meta"
SNAPSHOT_DOCS = 30
UPDATES_BEFORE_COMPACTION = 10
JOURNAL_SAVES = 200


@dataclass
class Save:
    seq: int
    #: (kind, id) -> the document as this save left it, or None when it deleted it.
    changes: dict[tuple[str, str], dict[str, Any] | None]
    #: The journal's size after this save (only for saves in the journal).
    journal_end: int | None = None

    def touched(self, kind: str | None = None) -> set[tuple[str, str]]:
        return {key for key in self.changes if kind is None or key[0] == kind}


@dataclass
class History:
    """A store's folder and everything the test saved into it."""

    db: Path
    saves: list[Save] = field(default_factory=list)
    #: The save the backup holds up to, and the one the main file (snapshot) holds up to.
    backup_seq: int = 0
    snapshot_seq: int = 0
    journal_start: int = 0  # the journal's size before its first save (its header)

    @property
    def journal(self) -> Path:
        return self.db.with_name(self.db.name + ".journal")

    @property
    def last_seq(self) -> int:
        return self.saves[-1].seq

    def save(self, seq: int) -> Save:
        return next(s for s in self.saves if s.seq == seq)

    def expected(self, lost: set[int] = frozenset(), start: int = 0) -> dict[str, dict]:
        """The tables the saves after ``start`` leave, without the ``lost`` ones."""
        tables: dict[str, dict] = {}
        for save in self.saves:
            if save.seq <= start or save.seq in lost:
                continue
            for (kind, doc_id), doc in save.changes.items():
                if doc is None:
                    tables.get(kind, {}).pop(doc_id, None)
                else:
                    tables.setdefault(kind, {})[doc_id] = doc
        return tables

    def line_of(self, seq: int) -> tuple[int, int, int]:
        """(line number, byte offset, length) of save ``seq``'s journal line."""
        index = next(i for i, s in enumerate(self.saves) if s.seq == seq)
        end = self.saves[index].journal_end
        start = self.saves[index - 1].journal_end if index else None
        if start is None:
            start = self.journal_start
        assert end is not None
        return seq - self.snapshot_seq + 1, start, end - start - 1

    def copy_to(self, folder: Path) -> History:
        shutil.copytree(self.db.parent, folder)
        moved = copy.copy(self)
        moved.db = folder / self.db.name
        return moved


def _diff(before: dict[str, dict], after: dict[str, dict]) -> dict[tuple[str, str], Any]:
    """What changed between two shallow copies of the store's tables (documents are
    replaced on every save, never changed in place)."""
    changes: dict[tuple[str, str], Any] = {}
    for kind in set(before) | set(after):
        old, new = before.get(kind, {}), after.get(kind, {})
        for doc_id, doc in new.items():
            if old.get(doc_id) is not doc:
                changes[(kind, doc_id)] = copy.deepcopy(doc)
        for doc_id in old.keys() - new.keys():
            changes[(kind, doc_id)] = None
    return changes


def _tables(store: Store) -> dict[str, dict]:
    return {kind: dict(table) for kind, table in store.tables.items()}


def _build(folder: Path) -> History:
    """30 households in the snapshot (with a backup taken after them, then 10 updates
    before the compaction), then 200 saves left in the journal: creations, two-document
    saves, updates and deletions."""
    folder.mkdir()
    db = folder / "station.json"
    history = History(db)
    store = Store.open(db, daily_backup=False)
    history.saves.append(Save(store.position.seq, _diff({}, _tables(store))))  # the migration
    created: dict[str, str] = {}

    def saving(action, *, in_journal: bool = False) -> None:
        before = _tables(store)
        action()
        end = history.journal.stat().st_size if in_journal else None
        history.saves.append(Save(store.position.seq, _diff(before, _tables(store)), end))

    for n in range(SNAPSHOT_DOCS):
        doc = household(f"S-{n:03d}")
        created[doc.household_no] = doc.id
        saving(lambda doc=doc: store.save(doc, actor="李敏"))
    history.backup_seq = store.position.seq
    store.backup(reason="manual")
    for n in range(UPDATES_BEFORE_COMPACTION):

        def update(n: int = n) -> None:
            doc = store.get("household", created[f"S-{n:03d}"])
            doc.people = 5
            store.save(doc, actor="李敏")

        saving(update)
    store.compact()
    history.snapshot_seq = store.position.seq
    history.journal_start = history.journal.stat().st_size
    for i in range(JOURNAL_SAVES):
        kind = i % 5
        if kind in (0, 1):
            doc = household(f"J-{i:03d}")
            created[doc.household_no] = doc.id
            saving(lambda doc=doc: store.save(doc, actor="王芳"), in_journal=True)
        elif kind == 2:  # one save, two documents: an update and a creation

            def two(i: int = i) -> None:
                old = store.get("household", created[f"S-{(i // 5) % SNAPSHOT_DOCS:03d}"])
                old.phone = f"139{i:08d}"
                new = household(f"J-{i:03d}")
                created[new.household_no] = new.id
                store.save_many([old, new], actor="王芳")

            saving(two, in_journal=True)
        elif kind == 3:

            def update(i: int = i) -> None:
                doc = store.get("household", created[f"J-{i - 3:03d}"])
                doc.people = 4
                store.save(doc, actor="王芳")

            saving(update, in_journal=True)
        else:
            doc_id = created[f"J-{i - 4:03d}"]
            saving(lambda d=doc_id: store.delete("household", d, actor="王芳"), in_journal=True)
    assert store.generation == 2, "the journal must not have been compacted"
    store._release()  # leave the journal as a crash would: not compacted
    return history


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> History:
    return _build(tmp_path_factory.mktemp("salvage") / "store")


@pytest.fixture
def history(template: History, tmp_path: Path) -> History:
    return template.copy_to(tmp_path / "store")


def _fingerprint(folder: Path, skip: str = "\0") -> dict[str, str]:
    """Every file (its bytes) and folder under ``folder``, but those named ``skip…``."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        )
        for p in sorted(folder.rglob("*"))
        if not p.name.startswith(skip)
    }


def _salvage(history: History, **kwargs: Any) -> SalvageReport:
    """Salvage, and prove the store's own files did not change by a byte (e)."""
    before = _fingerprint(history.db.parent)
    report = salvage_store(history.db, **kwargs)
    assert report.out is not None
    assert _fingerprint(history.db.parent, skip=report.out.stem) == before
    assert report.out.read_bytes()  # and the new store is there
    return report


def _flip_in_line(history: History, seq: int, marker: bytes) -> None:
    """Change one digit just after ``marker`` in save ``seq``'s journal line, so the
    line still parses as JSON but fails its checksum."""
    _number, offset, length = history.line_of(seq)
    data = bytearray(history.journal.read_bytes())
    at = data.index(marker, offset, offset + length) + len(marker)
    data[at] = ord("7") if data[at] != ord("7") else ord("8")
    history.journal.write_bytes(bytes(data))


def _middle_two_document_save(history: History) -> Save:
    """A save in the middle of the journal that changed two households that no later save
    touches (journal save 102: S-020 updated, J-102 created)."""
    save = history.saves[-JOURNAL_SAVES + 102]
    households = save.touched("household")
    assert len(households) == 2
    later = [s for s in history.saves if s.seq > save.seq]
    assert not any(households & s.touched() for s in later)
    return save


def _open_and_check(out: Path) -> list[Finding]:
    with Store.open(out, readonly=True) as store:
        return check_report(store).findings


# --- (a) one journal line damaged in the middle ----------------------------------------------


def test_a_damaged_middle_line_loses_that_save_only(history: History) -> None:
    lost = _middle_two_document_save(history)
    _flip_in_line(history, lost.seq, b'"phone":"13')
    report = _salvage(history)

    assert report.base == "main" and report.base_seq == history.snapshot_seq
    assert report.tables == history.expected(lost={lost.seq})
    assert report.recovered == [
        s.seq for s in history.saves if s.seq > history.snapshot_seq and s.seq != lost.seq
    ]
    assert [(x.first, x.last) for x in report.lost] == [(lost.seq, lost.seq)]
    (damaged,) = report.damaged
    number, offset, length = history.line_of(lost.seq)
    assert (damaged.number, damaged.offset, damaged.length) == (number, offset, length)
    assert damaged.seq == lost.seq and damaged.problem == "校验和不符"
    assert set(damaged.touched) == lost.touched()
    assert not report.complete and not report.doubts

    text = report.text()
    assert f"第 {lost.seq} 次保存无法恢复" in text
    assert f"日志第 {number} 行（从第 {offset} 字节起，共 {length} 字节）校验和不符" in text
    for _kind, doc_id in lost.touched("household"):
        before = history.expected(lost={lost.seq}).get("household", {}).get(doc_id)
        household_no = lost.changes[("household", doc_id)]["household_no"]
        fate = "新数据中是这次保存之前的内容" if before else "新数据中没有它"
        assert f"住户 {doc_id}（户号 {household_no}；{fate}）" in text
    assert "2 条审计记录" in text


def test_an_unreadable_middle_line_is_placed_by_the_lines_around_it(history: History) -> None:
    lost = history.saves[-JOURNAL_SAVES + 57]
    number, offset, length = history.line_of(lost.seq)
    data = bytearray(history.journal.read_bytes())
    data[offset + 20 : offset + 60] = b"#" * 40  # the JSON no longer parses
    history.journal.write_bytes(bytes(data))
    report = _salvage(history)

    assert report.tables == history.expected(lost={lost.seq})
    (damaged,) = report.damaged
    assert (damaged.number, damaged.seq, damaged.touched) == (number, lost.seq, None)
    assert [(x.first, x.last) for x in report.lost] == [(lost.seq, lost.seq)]
    assert "内容无法辨认" in report.text()


def test_two_damaged_lines_and_junk_between_saves(history: History) -> None:
    first = history.saves[-JOURNAL_SAVES + 20]
    second = history.saves[-JOURNAL_SAVES + 150]
    _flip_in_line(history, first.seq, b'"household_no":"J-')
    _flip_in_line(history, second.seq, b'"household_no":"J-')
    # A line that is none of the saves, put between two intact ones: not a loss.
    _n, offset, _length = history.line_of(history.saves[-JOURNAL_SAVES + 90].seq)
    data = history.journal.read_bytes()
    history.journal.write_bytes(data[:offset] + b"not a record at all\n" + data[offset:])
    report = _salvage(history)

    assert report.tables == history.expected(lost={first.seq, second.seq})
    assert [(x.first, x.last) for x in report.lost] == [
        (first.seq, first.seq),
        (second.seq, second.seq),
    ]
    assert [(d.seq, d.lost) for d in report.damaged] == [
        (first.seq, True),
        (None, False),
        (second.seq, True),
    ]
    assert "多出的内容" in report.text()


# --- (b) the journal cut short -----------------------------------------------------------------


def test_a_truncated_journal_reports_the_missing_saves_from_the_last_save_record(
    history: History,
) -> None:
    kept = history.saves[-JOURNAL_SAVES + 120]
    assert kept.journal_end is not None
    cut = kept.journal_end + 300  # in the middle of the next save's line
    history.journal.write_bytes(history.journal.read_bytes()[:cut])
    report = _salvage(history)

    lost = {s.seq for s in history.saves if s.seq > kept.seq}
    assert report.tables == history.expected(lost=lost)
    assert report.recovered[-1] == kept.seq
    assert [(x.first, x.last) for x in report.lost] == [(kept.seq + 1, history.last_seq)]
    (torn,) = report.damaged
    assert torn.number == history.line_of(kept.seq + 1)[0] and torn.torn and torn.lost
    assert torn.seq == kept.seq + 1 and torn.touched is None
    text = report.text()
    assert f"第 {kept.seq + 1} 到第 {history.last_seq} 次保存无法恢复" in text
    assert f"最后保存记录确认到第 {history.last_seq} 次" in text


def test_a_cut_off_unconfirmed_last_write_is_no_loss(history: History) -> None:
    data = history.journal.read_bytes()
    last_line = data[data.rindex(b"\n", 0, len(data) - 1) + 1 :]
    history.journal.write_bytes(data + last_line[:-25])  # a save never confirmed
    report = _salvage(history)
    assert report.complete and report.tables == history.expected()
    (torn,) = report.damaged
    assert torn.unconfirmed and not torn.lost
    assert "从未确认成功" in report.text() and "丢失了：没有" in report.text()


# --- (c) and (d): the main file damaged -----------------------------------------------------


def test_a_changed_main_file_that_still_parses_is_used_with_a_warning(history: History) -> None:
    # One digit of an audit entry in the snapshot (no later save puts those again).
    data = bytearray(history.db.read_bytes())
    at = data.index(b'"target_rev":1', data.index(b"\n")) + len(b'"target_rev":')
    data[at] = ord("7")
    history.db.write_bytes(bytes(data))
    report = _salvage(history)

    assert report.base == "main-unverified" and report.base_seq == history.snapshot_seq
    expected = history.expected()
    differing = [
        (kind, doc_id)
        for kind, table in expected.items()
        for doc_id, doc in table.items()
        if report.tables[kind][doc_id] != doc
    ]
    assert len(differing) == 1 and differing[0][0] == AUDIT  # the changed byte only
    assert report.tables[AUDIT][differing[0][1]]["target_rev"] == 7
    assert report.recovered[-1] == history.last_seq and not report.lost
    assert not report.complete
    assert "主文件校验失败，但内容可以解析：已采用，可能含有被改动的内容" in report.text()
    # Which is why the report asks for a check: it finds the changed entry.
    (finding,) = _open_and_check(report.out)
    assert finding.doc_id == differing[0][1] and "内容被改动过" in finding.message


def test_an_unparsable_main_file_falls_back_to_the_best_backup_and_the_journal(
    history: History,
) -> None:
    data = history.db.read_bytes()
    history.db.write_bytes(data[: len(data) // 2])
    report = _salvage(history)

    lost = set(range(history.backup_seq + 1, history.snapshot_seq + 1))
    assert report.base == "backup" and report.base_seq == history.backup_seq
    assert report.tables == history.expected(lost=lost)
    assert [(x.first, x.last) for x in report.lost] == [
        (history.backup_seq + 1, history.snapshot_seq)
    ]
    assert report.recovered[0] == history.snapshot_seq + 1
    assert report.recovered[-1] == history.last_seq
    text = report.text()
    assert "被截断" in text and "以备份" in text
    assert f"第 {history.backup_seq + 1} 到第 {history.snapshot_seq} 次保存无法恢复" in text
    assert "只在已损坏的主文件里" in text


def test_without_main_file_or_backup_the_journal_alone_is_salvaged(history: History) -> None:
    history.db.write_bytes(b"\x00" * 100)
    shutil.rmtree(history.db.with_name(history.db.name + ".backups"))
    report = _salvage(history)
    assert report.base == "empty"
    assert report.tables == history.expected(start=history.snapshot_seq)
    assert [(x.first, x.last) for x in report.lost] == [(1, history.snapshot_seq)]


def test_nothing_to_salvage_is_refused_without_writing(history: History) -> None:
    history.db.write_bytes(b"garbage")
    history.journal.write_bytes(b"more garbage\n")
    shutil.rmtree(history.db.with_name(history.db.name + ".backups"))
    before = _fingerprint(history.db.parent)
    with pytest.raises(NothingToSalvage, match="没有可抢救的内容"):
        salvage_store(history.db)
    assert _fingerprint(history.db.parent) == before


# --- (f) the salvaged store opens, and check explains itself ---------------------------------


def test_the_salvaged_store_opens_and_check_finds_only_the_lost_audit_entries(
    history: History,
) -> None:
    lost = _middle_two_document_save(history)
    _flip_in_line(history, lost.seq, b'"phone":"13')
    report = _salvage(history)
    lost_entries = sorted(e["seq"] for (k, _), e in lost.changes.items() if k == AUDIT)
    assert len(lost_entries) == 2
    next_entry = next(
        doc["id"]
        for save in history.saves
        for (kind, _), doc in save.changes.items()
        if kind == AUDIT and doc["seq"] == lost_entries[-1] + 1
    )
    # The two households of the lost save are as before it (or absent): their trails
    # agree. Only the chain says that entries are missing, from the first lost one.
    assert _open_and_check(report.out) == [
        Finding(next_entry, AUDIT, f"审计记录第 {lost_entries[0]} 条缺失或顺序被改动")
    ]


def test_after_a_truncation_the_salvaged_store_checks_clean(history: History) -> None:
    kept = history.saves[-JOURNAL_SAVES + 120]
    history.journal.write_bytes(history.journal.read_bytes()[: kept.journal_end])
    report = _salvage(history)
    # The last saves are lost whole, their audit entries with them: nothing in the store
    # shows it, which is why the report names them.
    assert _open_and_check(report.out) == []
    assert [(x.first, x.last) for x in report.lost] == [(kept.seq + 1, history.last_seq)]


def test_after_a_fallback_check_names_only_documents_of_the_lost_saves(history: History) -> None:
    data = history.db.read_bytes()
    history.db.write_bytes(data[: len(data) // 2])
    report = _salvage(history)
    lost = [s for s in history.saves if history.backup_seq < s.seq <= history.snapshot_seq]
    lost_docs = {doc_id for save in lost for (_kind, doc_id) in save.touched("household")}
    first_lost_entry = min(
        doc["seq"] for save in lost for (k, _), doc in save.changes.items() if k == AUDIT
    )
    findings = _open_and_check(report.out)
    chain = [f for f in findings if f.kind == AUDIT]
    assert [f.message for f in chain] == [f"审计记录第 {first_lost_entry} 条缺失或顺序被改动"]
    trail = [f for f in findings if f.kind != AUDIT]
    assert trail and {f.doc_id for f in trail} <= lost_docs
    assert all("审计记录" in f.message for f in trail)


def test_the_salvaged_store_can_be_restored_in_place(history: History) -> None:
    lost = _middle_two_document_save(history)
    _flip_in_line(history, lost.seq, b'"phone":"13')
    report = _salvage(history)
    kept = restore_backup(history.db, report.out)
    assert kept is not None and kept.is_dir()  # the damaged files, kept as they were
    with Store.open(history.db, daily_backup=False) as store:
        assert store.tables == report.tables


# --- (g) the command ----------------------------------------------------------------------------


def test_the_command_prints_the_report_and_exits_1_when_something_was_lost(
    history: History, capsys
) -> None:
    lost = _middle_two_document_save(history)
    _flip_in_line(history, lost.seq, b'"phone":"13')
    assert main(["salvage", "--db", str(history.db)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and not captured.err
    out = captured.out
    assert f"第 {lost.seq} 次保存无法恢复" in out
    assert "新数据：" in out and "-salvaged-" in out
    assert "核对无误后，可用 grassroots restore" in out
    report_file = next(history.db.parent.glob("*-salvage-report.txt"))
    assert stat.S_IMODE(report_file.stat().st_mode) == 0o600
    assert report_file.read_text(encoding="utf-8") == out


def test_the_command_exits_0_when_nothing_was_lost(history: History, capsys) -> None:
    out = history.db.parent / "elsewhere" / "saved.json"
    assert main(["salvage", "--db", str(history.db), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "丢失了：没有" in printed and str(out) in printed
    assert out.with_name("saved-salvage-report.txt").exists()


def test_the_command_refuses_an_existing_out_and_exits_2(history: History, capsys) -> None:
    before = _fingerprint(history.db.parent)
    assert main(["salvage", "--db", str(history.db), "--out", str(history.db)]) == 2
    err = capsys.readouterr().err
    assert "已经存在" in err and "不会覆盖" in err and "Traceback" not in err
    assert _fingerprint(history.db.parent) == before


def test_the_command_exits_2_when_nothing_can_be_salvaged(history: History, capsys) -> None:
    history.db.write_bytes(b"garbage")
    history.journal.write_bytes(b"more garbage\n")
    shutil.rmtree(history.db.with_name(history.db.name + ".backups"))
    assert main(["salvage", "--db", str(history.db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：没有可抢救的内容") and "Traceback" not in err
    assert main(["salvage", "--db", str(history.db.parent / "none.json")]) == 2
    assert "找不到数据文件" in capsys.readouterr().err


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda h: h.journal.write_bytes(b""), id="empty-journal"),
        pytest.param(lambda h: h.journal.unlink(), id="no-journal"),
        pytest.param(lambda h: h.journal.write_bytes(os.urandom(5000)), id="random-journal"),
        pytest.param(
            lambda h: h.db.with_name(h.db.name + ".lastsave").write_bytes(b"x" * 1024),
            id="damaged-lastsave",
        ),
        pytest.param(lambda h: h.db.with_name(h.db.name + ".lastsave").unlink(), id="no-lastsave"),
        pytest.param(lambda h: h.db.write_bytes(h.db.read_bytes() + b"junk"), id="junk-after"),
    ],
)
def test_any_damage_gives_a_report_never_a_traceback(history: History, damage, capsys) -> None:
    damage(history)
    before = _fingerprint(history.db.parent)
    code = main(["salvage", "--db", str(history.db)])
    captured = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in captured.out + captured.err
    assert "丢失了：" in captured.out
    out = Path(captured.out.split("新数据：")[1].split("（")[0])
    assert _fingerprint(history.db.parent, skip=out.stem) == before
    with Store.open(out, readonly=True) as store:
        assert store.count("household") > 0


# --- (h) an intact store -------------------------------------------------------------------


def test_salvage_of_an_intact_store_loses_nothing_and_equals_it(history: History) -> None:
    with Store.open(history.db, readonly=True) as store:
        tables = store.tables
    report = _salvage(history)
    assert report.complete and not report.lost and not report.damaged and not report.doubts
    assert report.tables == tables == history.expected()
    with Store.open(report.out, readonly=True) as salvaged:
        assert salvaged.tables == tables
    assert _open_and_check(report.out) == []
    assert "丢失了：没有" in report.text()


def test_entries_that_are_not_documents_are_left_out_and_said(history: History) -> None:
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    snapshot = read_snapshot(history.db)
    snapshot.tables["household"]["not-a-document"] = 5
    write_snapshot(history.db, snapshot.tables, snapshot.generation, snapshot.position)
    report = _salvage(history)
    assert report.tables == history.expected()
    assert any("不是文档" in doubt and "not-a-document" in doubt for doubt in report.doubts)
    with Store.open(report.out, readonly=True) as store:
        assert "not-a-document" not in {d["id"] for d in store.raw("household")}


# --- any damage at all -------------------------------------------------------------------------

FILES = ["station.json", "station.json.journal", "station.json.lastsave"]


@st.composite
def damages(draw) -> list[tuple[str, str, float, bytes]]:
    """One to three damages: (file, what, where as a fraction of the file, bytes)."""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(FILES),
                st.sampled_from(["flip", "cut", "insert", "remove"]),
                st.floats(0, 1),
                st.sampled_from([b"\n", b"\x00" * 8, b"junk\n", b'{"seq": 1}', b"\xff"]),
            ),
            min_size=1,
            max_size=3,
        )
    )


def _damage(folder: Path, plan: list[tuple[str, str, float, bytes]]) -> None:
    for name, what, where, extra in plan:
        path = folder / name
        data = bytearray(path.read_bytes())
        at = min(int(where * len(data)), max(len(data) - 1, 0))
        if what == "flip" and data:
            data[at] ^= 1 << (at % 8)
        elif what == "cut":
            del data[at:]
        elif what == "insert":
            data[at:at] = extra
        else:
            del data[at : at + 200]
        path.write_bytes(bytes(data))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=damages())
def test_any_damage_salvages_what_it_can_and_never_changes_the_files(
    plan, template: History, capsys
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        history = template.copy_to(Path(folder) / "store")
        _damage(history.db.parent, plan)
        before = _fingerprint(history.db.parent)
        code = main(["salvage", "--db", str(history.db)])
        captured = capsys.readouterr()
        assert code in (0, 1, 2) and "Traceback" not in captured.out + captured.err
        assert "意外错误" not in captured.err, captured.err
        new = sorted(history.db.parent.glob("station-salvaged-*.json"))
        skip = new[0].stem if new else "\0"
        assert _fingerprint(history.db.parent, skip=skip) == before
        if code == 2:
            assert not new and captured.err.startswith("错误：")
            return
        (out,) = new
        with Store.open(out, readonly=True) as store:
            check_report(store)  # runs to the end on whatever was salvaged
            if code == 0:  # "nothing lost" must be true
                assert store.tables == history.expected()
        assert ("丢失了：没有。" in captured.out) == (code == 0)


def _damage_newest_slot(history: History) -> None:
    """Garble the slot of the last-save record that holds the newest save (they are
    written in turn: save N goes into slot N % 2)."""
    lastsave = history.db.with_name(history.db.name + ".lastsave")
    data = bytearray(lastsave.read_bytes())
    start = (history.last_seq % 2) * 512
    data[start + 20 : start + 30] = b"#" * 10
    lastsave.write_bytes(bytes(data))


def test_a_damaged_newest_slot_alone_loses_nothing(history: History) -> None:
    _damage_newest_slot(history)  # a torn write of the record: the other slot is whole
    report = _salvage(history)
    assert report.complete and report.tables == history.expected()


def test_a_damaged_newest_slot_and_a_cut_off_last_line_is_a_loss(history: History) -> None:
    _damage_newest_slot(history)
    data = history.journal.read_bytes()
    history.journal.write_bytes(data[:-40])  # the newest save's line, cut short
    report = _salvage(history)
    # The intact slot names the save before; the damaged one may have confirmed the
    # newest: it is not taken to be a harmless unconfirmed write.
    assert not report.complete
    assert report.tables == history.expected(lost={history.last_seq})
    (torn,) = report.damaged
    assert torn.lost and torn.seq == history.last_seq


def test_a_line_removed_from_the_journal_is_a_named_gap(history: History) -> None:
    gone = history.saves[-JOURNAL_SAVES + 70]
    _number, offset, length = history.line_of(gone.seq)
    data = history.journal.read_bytes()
    history.journal.write_bytes(data[:offset] + data[offset + length + 1 :])
    report = _salvage(history)
    assert report.tables == history.expected(lost={gone.seq})
    assert not report.damaged
    assert [str(x) for x in report.lost] == [
        f"第 {gone.seq} 次保存无法恢复：日志中没有这次保存（它的那一行被删去了）"
    ]
