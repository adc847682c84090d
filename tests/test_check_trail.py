"""`grassroots check` proves every document equals the state its audit trail ends with,
and says what it checked.

A store built through every write path (saves, updates, deletes, undo, TinyDB's own
table API, a migration) passes. Each way of changing the files by hand, checksums made
right again, is found and names the document.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query
from tinydb.table import Document as TinyDocument

from grassroots_tui.cli import main
from grassroots_tui.models import Household
from grassroots_tui.services import check
from grassroots_tui.services.check import CheckResult, Finding, check_report
from grassroots_tui.store import Store
from grassroots_tui.store.files import (
    LastSave,
    LastSaveWriter,
    encode_line,
    next_chain,
    read_lastsave,
    read_snapshot,
    scan_journal,
    write_snapshot,
)
from grassroots_tui.store.paths import StorePaths
from tests.factories import household

TRAIL_SENTENCE = "每条文档都与其审计记录的最终状态一致"


def _build(db: Path) -> dict[str, str]:
    """A store written through every path the program has; returns the ids by role."""
    ids: dict[str, str] = {}
    with Store.open(db, daily_backup=False) as s:
        created = s.save_many([household(f"HL01-{n:04d}") for n in range(1, 7)], actor="李敏")
        ids.update({f"h{n}": doc.id for n, doc in enumerate(created, 1)})
        # Updates: one field, several fields, a field emptied (None), twice in a row.
        h1 = s.save(created[0].model_copy(update={"people": 5}), actor="王强")
        s.save(
            h1.model_copy(update={"phone": None, "note": "搬走了一人", "tags": []}), actor="王强"
        )
        h2 = s.save(created[1].model_copy(update={"head_of_household": "刘建国"}), actor="李敏")
        # An update taken back by undo.
        s.save(h2.model_copy(update={"grid": "二网格"}), actor="李敏")
        s.undo_last(actor="李敏")
        # A delete kept, a delete taken back, a creation taken back.
        s.delete("household", ids["h3"], actor="李敏")
        s.delete("household", ids["h4"], actor="李敏")
        s.undo_last(actor="李敏")
        ids["undone"] = s.save(household("HL01-0099"), actor="李敏").id
        s.undo_last(actor="李敏")
        # TinyDB's own table API: an insert, an update, a removal (all audited).
        inserted = household("HL01-0100").to_json()
        s.table("household").insert(TinyDocument(inserted, doc_id=inserted["id"]))
        ids["tiny"] = inserted["id"]
        s.table("household").update({"people": 7}, Query().household_no == "HL01-0005")
        s.table("household").remove(Query().household_no == "HL01-0006")
        # Looking and exporting change nothing.
        s.record_access("household", ids["h1"], actor="李敏")
        s.record_access("household", ids["h5"], actor="李敏", action="export", note="导出")
        s.record_access("household", ids["h3"], actor="李敏")  # a deleted one
        s.save(s.get("household", ids["h5"]).model_copy(update={"grid": "三网格"}), actor="王强")
    return ids


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "station.json"
    return db, _build(db)


def _report(db: Path) -> check.CheckReport:
    with Store.open(db, readonly=True, daily_backup=False) as s:
        return check_report(s)


def _edit_snapshot(db: Path, change: Callable[[dict[str, dict[str, Any]]], None]) -> None:
    """Change the main file's tables as someone with an editor and a checksum tool could:
    the snapshot's checksum and its place in the save history are kept right."""
    snap = read_snapshot(db)
    change(snap.tables)
    write_snapshot(db, snap.tables, snap.generation, snap.position)


def _trail_findings(db: Path) -> list[Finding]:
    report = _report(db)
    assert TRAIL_SENTENCE not in "".join(report.checked)
    return report.findings


def test_a_store_written_through_every_path_passes(built) -> None:
    db, ids = built
    report = _report(db)
    assert report.findings == []
    assert report.sound
    said = "\n".join(report.checked)
    with Store.open(db, readonly=True) as s:
        households = s.count("household")
        entries = s.count("audit_entry")
        actions = {e["action"] for e in s.raw("audit_entry")}
        assert ids["h3"] not in {d["id"] for d in s.raw("household")}
        assert ids["h4"] in {d["id"] for d in s.raw("household")}
        assert s.get("household", ids["tiny"]) is not None
    assert actions == {"create", "update", "delete", "undo", "access", "export"}
    assert f"{TRAIL_SENTENCE}（{households} 条）" in said
    assert f"审计记录链：{entries} 条，首尾相接，最后一条与数据头记录一致" in said
    assert f"已校验 {households + entries} 条文档的格式和编号" in said


def test_a_live_store_passes_too(tmp_path: Path) -> None:
    """Checked in memory, before the files are read back."""
    with Store.open(tmp_path / "s.json", daily_backup=False) as s:
        saved = s.save(household(), actor="a")
        s.save(saved.model_copy(update={"people": 2}), actor="a")
        assert check_report(s).findings == []


def test_a_migration_keeps_the_trail_whole(tmp_path: Path, monkeypatch) -> None:
    from grassroots_tui.store import migrations

    db = tmp_path / "s.json"
    with Store.open(db, daily_backup=False) as s:
        kept = s.save(household("OLD", note="旧备注", grid="一网格"), actor="a")

    @migrations.migration("household", 1)
    def _rename(doc: dict) -> dict:
        doc["note"] = "已迁移：" + doc["note"]
        doc["grid"] = None  # a field emptied by the upgrade
        return doc

    monkeypatch.setattr(Household, "SCHEMA_VERSION", 2)
    try:
        with Store.open(db, daily_backup=False) as s:
            assert s.history("household", kept.id)[-1]["actor"] == "system:migration"
        assert _report(db).findings == []
    finally:
        migrations.MIGRATIONS.pop(("household", 1), None)


def test_the_demo_store_passes(tmp_path: Path) -> None:
    from grassroots_tui.demo import write_demo_store

    db = tmp_path / "g.json"
    write_demo_store(db, today=date(2026, 11, 26))
    report = _report(db)
    assert report.findings == []
    assert any(TRAIL_SENTENCE in line for line in report.checked)


# --- changed by hand, checksums made right -----------------------------------------------------


def test_a_field_edited_in_the_main_file_is_named(built) -> None:
    db, ids = built

    def rename(tables: dict) -> None:
        tables["household"][ids["h2"]]["head_of_household"] = "王五"  # still valid

    _edit_snapshot(db, rename)
    findings = _trail_findings(db)
    assert [(f.kind, f.doc_id) for f in findings] == [("household", ids["h2"])]
    assert "文档内容与审计记录不符：字段「户主」不同" in findings[0].message
    assert "版本号" not in findings[0].message


def test_a_field_edited_in_the_journal_is_named_even_with_its_history_recomputed(
    tmp_path: Path,
) -> None:
    """The editor rewrites the journal line with a right checksum, every chain hash after
    it, and the last-save record: the files open without complaint, the check names it."""
    db = tmp_path / "s.json"
    store = Store.open(db, daily_backup=False)
    saved = store.save(household(), actor="李敏")
    store.save(saved.model_copy(update={"people": 4}), actor="李敏")
    store._release()  # leave the saves in the journal, not compacted
    paths = StorePaths.for_main(db)

    lines = list(scan_journal(paths.journal.read_bytes()))
    chain = lines[0].record["chain"]
    out = [lines[0].raw]
    for line in lines[1:]:
        for op in line.record["ops"]:
            if op[0] == "put" and op[1] == "household":
                op[3]["phone"] = "13900000000"
        raw = encode_line(line.record)[:-1]
        chain = next_chain(chain, raw)
        out.append(raw)
    paths.journal.write_bytes(b"\n".join(out) + b"\n")
    last = read_lastsave(paths.lastsave)
    LastSaveWriter.create(
        paths.lastsave, LastSave(last.seq, chain, last.store_id, last.at, last.by)
    ).close()

    findings = _trail_findings(db)
    assert [(f.kind, f.doc_id) for f in findings] == [("household", saved.id)]
    assert "字段「联系电话」不同" in findings[0].message


def test_a_document_added_in_the_file_is_named(built) -> None:
    db, ids = built
    added = household("HL01-0500").to_json() | {"rev": 1}

    _edit_snapshot(db, lambda tables: tables["household"].__setitem__(added["id"], added))
    findings = _trail_findings(db)
    assert [(f.kind, f.doc_id) for f in findings] == [("household", added["id"])]
    assert "没有任何审计记录" in findings[0].message


def test_a_deleted_document_put_back_in_the_file_is_named(built) -> None:
    db, ids = built
    with Store.open(db, readonly=True) as s:
        [deletion] = [
            e
            for e in s.history("household", ids["h3"])
            if e["action"] == "delete"  # its whole content is kept in the audit entry
        ]

    def resurrect(tables: dict) -> None:
        tables["household"][ids["h3"]] = dict(deletion["before"])

    _edit_snapshot(db, resurrect)
    findings = _trail_findings(db)
    assert [(f.kind, f.doc_id) for f in findings] == [("household", ids["h3"])]
    assert f"审计记录第 {deletion['seq']} 条（删除）已把它删除，文档却还在" in findings[0].message


def test_a_document_removed_from_the_file_is_named(built) -> None:
    db, ids = built
    _edit_snapshot(db, lambda tables: tables["household"].pop(ids["tiny"]))
    findings = _trail_findings(db)
    assert [(f.kind, f.doc_id) for f in findings] == [("household", ids["tiny"])]
    assert "文档不见了" in findings[0].message


def test_a_changed_rev_is_named(built) -> None:
    db, ids = built

    def bump(tables: dict) -> None:
        tables["household"][ids["h1"]]["rev"] += 1

    _edit_snapshot(db, bump)
    findings = _trail_findings(db)
    assert [(f.kind, f.doc_id) for f in findings] == [("household", ids["h1"])]
    assert "版本号是 4，应为 3" in findings[0].message


def test_an_emptied_field_filled_in_by_hand_is_named(built) -> None:
    """h1's phone was emptied by a save: a value put back in the file differs."""
    db, ids = built

    def refill(tables: dict) -> None:
        tables["household"][ids["h1"]]["phone"] = "13874561234"

    _edit_snapshot(db, refill)
    findings = _trail_findings(db)
    assert [f.doc_id for f in findings] == [ids["h1"]]
    assert "「联系电话」" in findings[0].message


def test_a_creation_cut_from_the_trail_and_the_chain_rehashed_is_named(built) -> None:
    """Even an editor who renumbers and re-hashes the whole audit chain and its head
    cannot make a document's history start in the middle."""
    from grassroots_tui.store import audit_hash

    db, ids = built

    def cut(tables: dict) -> None:
        audit = tables["audit_entry"]
        entries = sorted(audit.values(), key=lambda e: e["seq"])
        [creation] = [e for e in entries if e["target_id"] == ids["h1"] and e["action"] == "create"]
        entries.remove(creation)
        audit.clear()
        previous = ""
        for seq, entry in enumerate(entries, 1):
            entry.update(seq=seq, prev_hash=previous)
            entry["hash"] = previous = audit_hash(entry)
            audit[entry["id"]] = entry
        head = {"seq": len(entries), "id": entries[-1]["id"], "hash": previous}
        tables["_meta"]["store"]["audit_head"] = head

    _edit_snapshot(db, cut)
    report = _report(db)
    assert any(line.startswith("审计记录链：") for line in report.checked)  # chain looks whole
    household = [f for f in report.findings if f.kind == "household"]
    assert [f.doc_id for f in household] == [ids["h1"]]
    assert "修改了它，而此前没有创建它的审计记录" in household[0].message
    # The last-save record remembers the head the program wrote: the renumbering shows.
    others = [f for f in report.findings if f.kind != "household"]
    assert [f.kind for f in others] == ["audit_entry"]
    assert "与最后保存记录中的" in others[0].message


# --- the report and the command ----------------------------------------------------------------


def test_a_check_is_a_function_appended_to_the_list(built, monkeypatch) -> None:
    db, _ids = built

    def backups_are_fresh(store: Store) -> CheckResult:
        return CheckResult([], ["最新的备份可以打开"])

    def lastsave_agrees(store: Store) -> CheckResult:
        return CheckResult([Finding("-", "lastsave", "最后保存记录不符")])

    monkeypatch.setattr(check, "CHECKS", [*check.CHECKS, backups_are_fresh, lastsave_agrees])
    report = _report(db)
    assert report.checked[-1] == "最新的备份可以打开"
    assert [str(f) for f in report.findings] == ["lastsave -：最后保存记录不符"]


def test_check_command_says_what_it_checked(built, capsys) -> None:
    db, _ids = built
    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    for words in (
        "格式和编号",
        "首尾相接，最后一条与数据头记录一致",
        TRAIL_SENTENCE,
        "没有发现问题",
    ):
        assert words in out


def test_check_command_names_a_document_edited_by_hand(built, capsys) -> None:
    db, ids = built

    def edit(tables: dict) -> None:
        tables["household"][ids["h5"]]["address"] = "别处"

    _edit_snapshot(db, edit)
    assert main(["check", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert f"household {ids['h5']}：文档内容与审计记录不符：字段「住址」不同" in out
    assert TRAIL_SENTENCE not in out
    assert "发现 1 个问题" in out
