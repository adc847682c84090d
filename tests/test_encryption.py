"""Encryption at rest: what is on disk, unlocking, key slots, damage and interruptions.

The privacy oracle is independent of the code under test: the residents' names, ID
numbers, phone numbers and addresses are read from the demo store's plain tables, and the
raw bytes of every file are searched for them (UTF-8, as the store writes, and JSON's
``\\u`` escapes). The same search finds them in the plain store first, so it can fail.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from datetime import date
from pathlib import Path

import orjson
import pytest

from grassroots_tui.cli import main
from grassroots_tui.demo.writing import write_demo_store
from grassroots_tui.models import Household
from grassroots_tui.services.check import check_store
from grassroots_tui.store import Store, StoreDamaged, StoreError, StorePaths, keyring
from grassroots_tui.store.encryption import (
    add_slot,
    change_passphrase,
    encrypt,
    remove_slot,
)
from grassroots_tui.store.errors import StoreKeyRequired
from grassroots_tui.store.files import read_header
from grassroots_tui.store.keyslots import (
    KdfParams,
    KeyFile,
    KeySlots,
    Passphrase,
    WrongSecret,
    new_key_file,
    new_recovery_key,
    passphrase_problem,
    unlock,
)
from grassroots_tui.store.sealing import SM4, SealBroken, Sealer
from tests.factories import household

FAST = KdfParams(memory_kib=64, passes=1)
PASSPHRASE = Passphrase("绿水青山就是金山银山 2026")
PERSONAL_FIELDS = {
    "household": ("head_of_household", "id_number", "phone", "address"),
    "hardship_case": ("members",),
    "handoff_slip": ("person_name",),
    "appointment": ("requested_by",),
}


def personal_strings(tables: dict) -> set[str]:
    """Every resident's name, ID number, phone and address in the plain tables."""
    found: set[str] = set()
    for kind, fields in PERSONAL_FIELDS.items():
        for doc in tables.get(kind, {}).values():
            for name in fields:
                value = doc.get(name)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and len(item) >= 2:
                        found.add(item)
    return found


def leaks(folders: list[Path], secrets: set[str], always: set[str]) -> dict[str, list[str]]:
    """File → the personal strings its raw bytes contain.

    Every ID and phone number is looked for (as whole runs of digits); of the names and
    addresses, every one in ``always`` and an even sample of 80 others, each as UTF-8 and
    as JSON's escapes (searching 30 MB for 2,000 names would take minutes)."""
    digits = {s.encode() for s in secrets if re.fullmatch(r"[0-9Xx]{7,}", s)}
    words = sorted(s for s in secrets if s.encode() not in digits)
    sample = set(words[:: max(1, len(words) // 80)]) | always
    forms = {w: (w.encode(), json.dumps(w).strip('"').encode()) for w in sample}
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in [folder] if folder.is_file() else folder.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            runs = set(re.findall(rb"[0-9Xx]{7,}", data))
            hits = [d.decode() for d in digits if d in runs or any(d in r for r in runs)]
            hits += [w for w, (raw, escaped) in forms.items() if raw in data or escaped in data]
            if hits:
                found[str(path)] = hits
    return found


@pytest.fixture(autouse=True)
def _no_keys_left() -> None:
    keyring.forget()


def demo(tmp_path: Path) -> Path:
    main_file = tmp_path / "data" / "grassroots.json"
    write_demo_store(main_file, date(2026, 11, 26))
    return main_file


def encrypted_demo(tmp_path: Path, cipher: str = "aes-256-gcm") -> Path:
    main_file = demo(tmp_path)
    with Store.open(main_file, daily_backup=False) as store:
        encrypt(store, PASSPHRASE, cipher=cipher, kdf=FAST)
    return main_file


def test_no_file_on_disk_holds_a_residents_data_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main_file = demo(tmp_path)
    with Store.open(main_file, daily_backup=False) as store:
        secrets = personal_strings(store.tables)
        store.backup()  # a plain backup, which encryption must seal too
    assert len(secrets) > 1000
    before = leaks([main_file], secrets, set())
    assert len(before[str(main_file)]) > 1000, "the oracle must find the data in the plain store"

    with Store.open(main_file) as store:
        encrypt(store, PASSPHRASE, kdf=FAST)
        # Work after encryption: journal lines, a daily backup tomorrow, a backup elsewhere.
        home = store.get(Household, next(iter(store.tables["household"])))
        assert home is not None
        store.save(home.model_copy(update={"phone": "13911112222"}), "李敏")
        store.save(household("HL01-7777", head_of_household="欧阳明月"), "李敏")
        secrets |= {"13911112222", "欧阳明月"}
        outside = tmp_path / "usb"
        outside.mkdir()
        store.backup(to=outside)
    keyring.forget()
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", PASSPHRASE.text)
    # The bundle for the hub, written by the CLI from the encrypted store.
    hub_file = tmp_path / "hub" / "hub.sqlite"
    hub_file.parent.mkdir()
    assert main(["hub", "init", "--file", str(hub_file)]) == 0
    code = _station_codes(main_file)[0]
    assert (
        main(["hub", "enroll", "--file", str(hub_file), "--station", code, "--db", str(main_file)])
        == 0
    )
    assert main(["bundle", "export", "--db", str(main_file), "--to", str(tmp_path / "bundle")]) == 0
    capsys.readouterr()

    found = leaks([main_file.parent, outside, tmp_path / "bundle"], secrets, {"欧阳明月"})
    assert found == {}
    backups = sorted(StorePaths.for_main(main_file).backups.glob("*.json"))
    assert len(backups) >= 3 and all("sealed" in (read_header(p) or {}) for p in backups)
    assert list(outside.glob("*.json.keys")), "a backup elsewhere carries its key slots"


def _station_codes(main_file: Path) -> list[str]:
    with Store.open(main_file, readonly=True) as store:
        return sorted(str(s["code"]) for s in store.tables["station"].values())


def test_a_wrong_passphrase_opens_nothing_and_changes_nothing(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    paths = StorePaths.for_main(main_file)
    keyring.forget()
    snapshot = {p: p.read_bytes() for p in paths.folder.rglob("*") if p.is_file()}
    with pytest.raises(StoreKeyRequired, match="需要站点口令"):
        Store.open(main_file)
    with pytest.raises(WrongSecret, match="站点口令不对"):
        unlock(paths, Passphrase("绿水青山就是金山银山 2025"))
    with pytest.raises(StoreKeyRequired):
        Store.open(main_file, readonly=True)
    after = {p: p.read_bytes() for p in paths.folder.rglob("*") if p.is_file()}
    assert after == snapshot
    unlock(paths, PASSPHRASE)
    with Store.open(main_file, daily_backup=False) as store:
        assert len(store.tables["household"]) == 580
        assert check_store(store) == []


def test_the_environment_unlocks_for_scripts_and_a_wrong_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main_file = encrypted_demo(tmp_path)
    keyring.forget()
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", "not the passphrase at all")
    with pytest.raises(StoreKeyRequired, match="来自环境变量"):
        Store.open(main_file)
    key_path = tmp_path / "station.key"
    monkeypatch.setenv("GRASSROOTS_PASSPHRASE", PASSPHRASE.text)
    with Store.open(main_file, daily_backup=False) as store:
        add_slot(store, new_key_file(key_path))
    keyring.forget()
    monkeypatch.delenv("GRASSROOTS_PASSPHRASE")
    monkeypatch.setenv("GRASSROOTS_KEY_FILE", str(key_path))
    with Store.open(main_file, readonly=True) as store:
        assert store.encrypted and store.sealed


def test_changing_the_passphrase_rewraps_the_key_and_rewrites_no_data(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    paths = StorePaths.for_main(main_file)
    data_before = paths.main.read_bytes()
    new = Passphrase("换一句 新的站点口令 mountain river")
    with Store.open(main_file, daily_backup=False) as store:
        with pytest.raises(StoreError, match="现在的站点口令不对"):
            change_passphrase(store, Passphrase("猜一个 错的 口令 12345"), new, kdf=FAST)
        change_passphrase(store, PASSPHRASE, new, kdf=FAST)
    assert paths.main.read_bytes() == data_before
    keyring.forget()
    with pytest.raises(WrongSecret):
        unlock(paths, PASSPHRASE)
    unlock(paths, new)
    with Store.open(main_file, readonly=True) as store:
        assert len(store.tables["household"]) == 580
    # The spare copy in the backups folder follows the change.
    spare = KeySlots.read(paths.backups / paths.keys.name)
    assert spare is not None and spare.unlocks_with(new) and not spare.unlocks_with(PASSPHRASE)


def test_the_recovery_key_opens_when_the_passphrase_is_forgotten(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    paths = StorePaths.for_main(main_file)
    recovery = new_recovery_key()
    with Store.open(main_file, daily_backup=False) as store:
        add_slot(store, recovery)
    keyring.forget()
    typed = recovery.text.lower().replace("-", " ")  # as someone copies it from paper
    unlock(paths, type(recovery)(typed))
    with Store.open(main_file, readonly=True) as store:
        assert len(store.tables["household"]) == 580
    keyring.forget()
    wrong = new_recovery_key()
    with pytest.raises(WrongSecret, match="恢复密钥不对"):
        unlock(paths, wrong)
    # The key slots file lost: its spare copy in the backups folder opens the store.
    paths.keys.unlink()
    with pytest.raises(StoreKeyRequired, match="钥匙文件"):
        Store.open(main_file)
    (paths.backups / paths.keys.name).replace(paths.keys)
    unlock(paths, recovery)
    with Store.open(main_file, daily_backup=False) as store:
        assert store.sealed


def test_slots_are_added_and_removed_but_never_the_last_way_in(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    with Store.open(main_file, daily_backup=False) as store:
        assert store.key_slots is not None
        first = store.key_slots.slots[0]["id"]
        recovery_slot = add_slot(store, new_recovery_key())
        with pytest.raises(StoreError, match="最后一个"):
            remove_slot(store, first)
        remove_slot(store, recovery_slot)
        with pytest.raises(StoreError, match="没有第 99 号"):
            remove_slot(store, 99)
        with pytest.raises(StoreError, match="太短|太容易猜|只有数字"):
            add_slot(store, Passphrase("12345678"), kdf=FAST)


def test_sm4_stores_seal_with_sm4(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path, cipher=SM4)
    header = read_header(main_file) or {}
    assert header["sealed"]["cipher"] == SM4
    keyring.forget()
    unlock(StorePaths.for_main(main_file), PASSPHRASE)
    with Store.open(main_file, daily_backup=False) as store:
        store.save(household("HL01-8888"), "李敏")
    with Store.open(main_file, readonly=True) as store:
        assert len(store.tables["household"]) == 581


@pytest.mark.parametrize("cipher", ["aes-256-gcm", SM4])
def test_a_sealed_body_changed_by_one_bit_does_not_open(cipher: str) -> None:
    sealer = Sealer.new(cipher)
    sealed = bytearray(sealer.seal(b'{"a": 1}', b"aad"))
    assert sealer.unseal(bytes(sealed), b"aad") == b'{"a": 1}'
    with pytest.raises(SealBroken):
        sealer.unseal(bytes(sealed), b"other place")
    sealed[14] ^= 1
    with pytest.raises(SealBroken):
        sealer.unseal(bytes(sealed), b"aad")


def test_a_changed_main_file_with_a_matching_checksum_is_damage(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    data = main_file.read_bytes()
    newline = data.index(b"\n")
    header = orjson.loads(data[9:newline])
    body = bytearray(data[newline + 1 :])
    body[100] ^= 0x01  # a forger who recomputes the checksum still cannot forge the tag
    header["crc32"] = zlib.crc32(body)
    payload = orjson.dumps(header)
    main_file.write_bytes(b"%08x " % zlib.crc32(payload) + payload + b"\n" + bytes(body))
    with pytest.raises(StoreDamaged, match="解密校验失败"):
        Store.open(main_file)


def test_a_plain_line_slipped_into_a_sealed_journal_is_refused(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    store = Store.open(main_file, daily_backup=False)
    store.save(household("HL01-5555"), "李敏")
    store._release()  # a crash: the journal keeps the save
    journal = StorePaths.for_main(main_file).journal
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) == 2 and b'"' in lines[1][9:10]  # a sealed record is a JSON string
    forged = orjson.dumps({"seq": 99, "ops": []})
    journal.write_bytes(lines[0] + b"%08x " % zlib.crc32(forged) + forged + b"\n" + lines[1])
    with pytest.raises(StoreDamaged, match="第 2 行校验失败"):
        Store.open(main_file)


def test_an_interrupted_encryption_is_finished_at_the_next_open(tmp_path: Path) -> None:
    """The key slots written, then the program stopped: the files are still plain."""
    main_file = demo(tmp_path)
    paths = StorePaths.for_main(main_file)
    with Store.open(main_file, daily_backup=False) as store:
        sealer = Sealer.new()
        KeySlots.create(paths.keys, store.position.store_id, sealer, PASSPHRASE, FAST)
        store.backup()
    assert "sealed" not in (read_header(main_file) or {})
    keyring.forget()
    with pytest.raises(StoreKeyRequired):
        Store.open(main_file)
    unlock(paths, PASSPHRASE)
    with Store.open(main_file, daily_backup=False) as store:
        assert any("上次加密没有做完" in w for w in store.warnings)
    assert "sealed" in (read_header(main_file) or {})
    assert all("sealed" in (read_header(p) or {}) for p in paths.backups.glob("*.json"))


def test_an_encrypted_store_is_not_encrypted_twice_nor_with_a_weak_passphrase(
    tmp_path: Path,
) -> None:
    main_file = demo(tmp_path)
    with Store.open(main_file, daily_backup=False) as store:
        with pytest.raises(StoreError, match="只有数字"):
            encrypt(store, Passphrase("2026112612345"), kdf=FAST)
        assert not StorePaths.for_main(main_file).keys.exists()
        encrypt(store, PASSPHRASE, kdf=FAST)
        with pytest.raises(StoreError, match="已经加密"):
            encrypt(store, PASSPHRASE, kdf=FAST)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "不能为空"),
        ("12345678901234", "只有数字"),
        ("abc12", "太短"),
        ("aaaaaaaaaaaaaaaa", "太容易猜"),
        ("abcdefghijklmn", "太容易猜"),
        ("湘龙街道HL01群众工作站真好", "不能包含"),
    ],
)
def test_weak_passphrases_are_refused_with_the_reason(text: str, why: str) -> None:
    problem = passphrase_problem(text, avoid=("湘龙街道HL01群众工作站", "HL01"))
    assert problem is not None and problem.startswith("站点口令：") and why in problem


@pytest.mark.parametrize(
    "text", ["correct horse battery staple", "我家门前有两棵枣树", "Xiang-long 7 river bend"]
)
def test_strong_passphrases_pass(text: str) -> None:
    assert passphrase_problem(text) is None


def test_a_key_file_of_the_wrong_size_is_named(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"short")
    with pytest.raises(WrongSecret, match="不是本程序的密钥文件"):
        unlock(StorePaths.for_main(main_file), KeyFile(bad))


def test_key_slot_files_are_owner_only(tmp_path: Path) -> None:
    main_file = encrypted_demo(tmp_path)
    paths = StorePaths.for_main(main_file)
    for path in (paths.keys, paths.backups / paths.keys.name):
        assert os.stat(path).st_mode & 0o077 == 0, path


def test_the_hub_settings_beside_an_encrypted_store_are_sealed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Enrolled while plain, encrypted later: the settings (the replica's key, and on
    PostgreSQL its password) are sealed the first time they are read unlocked."""
    from grassroots_tui.hub.config import config_path, load_config
    from grassroots_tui.hub.engines import HubError

    main_file = demo(tmp_path)
    hub_file = tmp_path / "hub.sqlite"
    assert main(["hub", "init", "--file", str(hub_file)]) == 0
    code = _station_codes(main_file)[0]
    assert (
        main(["hub", "enroll", "--file", str(hub_file), "--station", code, "--db", str(main_file)])
        == 0
    )
    capsys.readouterr()
    config = load_config(main_file)
    assert config is not None and config.key_b64.encode() in config_path(main_file).read_bytes()
    with Store.open(main_file, daily_backup=False) as store:
        encrypt(store, PASSPHRASE, kdf=FAST)
    assert load_config(main_file) == config
    raw = config_path(main_file).read_bytes()
    assert config.key_b64.encode() not in raw and b"sealed" in raw
    keyring.forget()
    with pytest.raises(HubError, match="请先用站点口令打开数据"):
        load_config(main_file)
    unlock(StorePaths.for_main(main_file), PASSPHRASE)
    assert load_config(main_file) == config
