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


def test_a_torn_final_record_is_trimmed_and_logged(closed_store: Path) -> None:
    journal = closed_store.with_name(closed_store.name + ".journal")
    data = journal.read_bytes()
    journal.write_bytes(data[:-25])  # the last save was cut off mid-write
    store = Store.open(closed_store, daily_backup=False)
    try:
        numbers = {d["household_no"] for d in store.raw("household")}
        assert {f"S-{n:03d}" for n in range(30)} <= numbers
        assert {f"J-{n:03d}" for n in range(4)} <= numbers
        assert "J-004" not in numbers  # the torn one was never acknowledged
    finally:
        store.close()
    log = closed_store.with_name(closed_store.name + ".log").read_text(encoding="utf-8")
    assert "trimmed an interrupted" in log


def test_missing_main_file_with_a_journal_is_refused(closed_store: Path) -> None:
    closed_store.unlink()
    with pytest.raises(StoreDamaged, match="不见了"):
        Store.open(closed_store)
