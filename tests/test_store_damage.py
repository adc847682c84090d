"""A damaged store is refused in plain words, names its newest good backup, and is
never written to; only a torn final record is trimmed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from grassroots_tui.store import Store, StoreDamaged
from tests.factories import household


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture
def closed_store(tmp_path: Path) -> Path:
    """A store with 30 households in its snapshot and 5 more in its journal."""
    db = tmp_path / "station.json"
    store = Store.open(db)
    for n in range(30):
        store.save(household(f"S-{n:03d}"), actor="t")
    store.compact()
    for n in range(5):
        store.save(household(f"J-{n:03d}"), actor="t")
    store._release()  # leave the journal as a crash would: not compacted
    return db


def _refused(db: Path, *words: str) -> StoreDamaged:
    before = _fingerprint(db.parent)
    with pytest.raises(StoreDamaged) as caught:
        Store.open(db)
    assert _fingerprint(db.parent) == before, "a damaged store must not be written to"
    message = str(caught.value)
    assert "已损坏" in message and "不会写入" in message
    for word in words:
        assert word in message
    return caught.value


def test_truncated_main_file_is_refused(closed_store: Path) -> None:
    data = closed_store.read_bytes()
    closed_store.write_bytes(data[: len(data) - 100])
    _refused(closed_store, "截断")


def test_flipped_byte_in_main_file_is_refused(closed_store: Path) -> None:
    data = bytearray(closed_store.read_bytes())
    data[len(data) // 2] ^= 0x01
    closed_store.write_bytes(bytes(data))
    _refused(closed_store, "校验和不符")


def test_garbage_appended_to_main_file_is_refused(closed_store: Path) -> None:
    with closed_store.open("ab") as f:
        f.write(b"\x00\xffgarbage\n")
    _refused(closed_store, "多出")


def test_flipped_byte_in_a_middle_journal_record_is_refused(closed_store: Path) -> None:
    journal = closed_store.with_name(closed_store.name + ".journal")
    lines = journal.read_bytes().split(b"\n")
    middle = bytearray(lines[2])
    middle[40] ^= 0x01
    lines[2] = bytes(middle)
    journal.write_bytes(b"\n".join(lines))
    _refused(closed_store, "校验失败")


def test_garbage_appended_to_the_journal_is_refused(closed_store: Path) -> None:
    journal = closed_store.with_name(closed_store.name + ".journal")
    with journal.open("ab") as f:
        f.write(b"\xde\xad\xbe\xef not a record\nmore garbage\n")
    _refused(closed_store, "校验失败")


def test_refusal_names_the_newest_good_backup(closed_store: Path) -> None:
    store = Store.open(closed_store, daily_backup=False)
    older = store.backup(reason="manual")
    store.close()
    newest_bad = older.with_name("29991231-000000-manual.json")
    newest_bad.write_bytes(b"not a backup")
    data = closed_store.read_bytes()
    closed_store.write_bytes(data[:-10])
    damaged = _refused(closed_store, older.name)
    assert damaged.newest_backup == older


def test_a_torn_unconfirmed_final_record_is_trimmed_and_logged(closed_store: Path) -> None:
    journal = closed_store.with_name(closed_store.name + ".journal")
    data = journal.read_bytes()
    last_line = data[data.rindex(b"\n", 0, len(data) - 1) + 1 :]
    # A sixth save was being appended when the power went: never confirmed.
    journal.write_bytes(data + last_line[:-25])
    store = Store.open(closed_store, daily_backup=False)
    try:
        numbers = {d["household_no"] for d in store.raw("household")}
        assert {f"S-{n:03d}" for n in range(30)} <= numbers
        assert {f"J-{n:03d}" for n in range(5)} <= numbers  # every confirmed save
    finally:
        store.close()
    log = closed_store.with_name(closed_store.name + ".log").read_text(encoding="utf-8")
    assert "never confirmed" in log


def test_a_torn_confirmed_final_record_is_refused(closed_store: Path) -> None:
    journal = closed_store.with_name(closed_store.name + ".journal")
    data = journal.read_bytes()
    journal.write_bytes(data[:-25])  # the last save was confirmed, then cut off
    damaged = _refused(closed_store, "缺少第 36 次保存", "最后一次")
    assert damaged.newest_backup is not None


def test_missing_main_file_with_a_journal_is_refused(closed_store: Path) -> None:
    closed_store.unlink()
    with pytest.raises(StoreDamaged, match="不见了"):
        Store.open(closed_store)


# --- the audit trail edited or cut short outside the program ---------------------------------


def _audited_store(tmp_path: Path) -> tuple[Path, list[dict]]:
    from grassroots_tui.store.files import read_snapshot

    db = tmp_path / "audited.json"
    with Store.open(db, daily_backup=False) as s:
        for n in range(4):
            s.save(household(f"A-{n}"), actor="李敏")
    entries = sorted(read_snapshot(db).tables["audit_entry"].values(), key=lambda e: e["seq"])
    return db, entries


def _rewrite_audit(db: Path, change) -> list:
    """Edit the audit entries the way someone with a text editor and a checksum tool could
    (the snapshot's own checksum is made right again), then run the check."""
    from grassroots_tui.services.check import check_store
    from grassroots_tui.store.files import read_snapshot, write_snapshot

    snap = read_snapshot(db)
    change(snap.tables["audit_entry"])
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    with Store.open(db, readonly=True) as s:
        return check_store(s)


def test_check_names_the_entry_after_a_deleted_middle_entry(tmp_path: Path) -> None:
    db, entries = _audited_store(tmp_path)
    assert _rewrite_audit(db, lambda audit: None) == []  # untouched: sound
    findings = _rewrite_audit(db, lambda audit: audit.pop(entries[1]["id"]))
    assert len(findings) == 1
    assert findings[0].doc_id == entries[2]["id"]
    assert "第 2 条缺失" in findings[0].message


def test_check_names_an_edited_last_entry(tmp_path: Path) -> None:
    db, entries = _audited_store(tmp_path)
    last = entries[-1]["id"]
    findings = _rewrite_audit(db, lambda audit: audit[last].update(actor="冒名"))
    assert [f.doc_id for f in findings] == [last]
    assert f"第 {len(entries)} 条的内容被改动过" in findings[0].message


def test_check_names_an_edited_last_entry_even_with_its_hash_made_right(tmp_path: Path) -> None:
    from grassroots_tui.store import audit_hash

    db, entries = _audited_store(tmp_path)
    last = entries[-1]["id"]

    def forge(audit: dict) -> None:
        audit[last]["actor"] = "冒名"
        audit[last]["hash"] = audit_hash(audit[last])

    findings = _rewrite_audit(db, forge)
    assert [f.doc_id for f in findings] == [last]
    assert "最后一条" in findings[0].message and "改动" in findings[0].message


def test_check_names_a_deleted_last_entry(tmp_path: Path) -> None:
    db, entries = _audited_store(tmp_path)
    last = entries[-1]["id"]
    findings = _rewrite_audit(db, lambda audit: audit.pop(last))
    assert [f.doc_id for f in findings] == [last]
    assert f"第 {len(entries)} 条缺失" in findings[0].message and "删除" in findings[0].message


def test_check_names_an_entry_added_after_the_last(tmp_path: Path) -> None:
    from grassroots_tui.store import audit_hash

    db, entries = _audited_store(tmp_path)

    def add(audit: dict) -> None:
        extra = dict(entries[-1], id="forged", seq=len(entries) + 1, prev_hash=entries[-1]["hash"])
        extra["hash"] = audit_hash(extra)
        audit["forged"] = extra

    findings = _rewrite_audit(db, add)
    assert [f.doc_id for f in findings] == ["forged"]
    assert "不是本程序写入的" in findings[0].message
