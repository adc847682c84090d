"""The hub from the command line: init (idempotent), enroll a station's and the office's
laptop, sync both ways, status; a laptop not enrolled and a hub out of reach are told in
Chinese with their own exit codes, never a traceback."""

from __future__ import annotations

from pathlib import Path

from grassroots_tui.cli import main
from grassroots_tui.cli.hub_commands import EXIT_OFFLINE
from grassroots_tui.models import Household
from grassroots_tui.store import Store
from tests.hub_fixtures import hub_address_fixture  # noqa: F401 - fixture

TODAY = "2026-11-26"


def where(address) -> list[str]:
    return ["--file", address.target] if address.engine == "sqlite" else ["--dsn", address.target]


def test_an_office_and_a_station_meet_through_the_hub(tmp_path: Path, hub_address, capsys) -> None:
    office, hl01 = str(tmp_path / "office" / "g.json"), str(tmp_path / "hl01" / "g.json")
    assert main(["demo", "--db", office, "--as", "office", "--today", TODAY]) == 0
    assert main(["demo", "--db", hl01, "--as", "HL01", "--today", TODAY]) == 0
    assert main(["hub", "init", *where(hub_address)]) == 0
    assert main(["hub", "init", *where(hub_address)]) == 0  # again: nothing changes
    assert main(["hub", "enroll", *where(hub_address), "--office", "--db", office]) == 0
    assert main(["hub", "enroll", *where(hub_address), "--station", "HL01", "--db", hl01]) == 0
    assert (Path(hl01).parent / "g.json.hub.json").stat().st_mode & 0o777 == 0o600
    capsys.readouterr()

    # A household recorded at HL01 after the demo reaches the office.
    with Store.open(hl01, daily_backup=False) as store:
        home = next(h for h in store.all(Household) if store.may_write(h) is None)
        store.save(home.model_copy(update={"people": 9}), "李敏")
    assert main(["sync", "--db", hl01]) == 0
    assert main(["sync", "--db", office]) == 0
    out = capsys.readouterr().out
    assert "同步完成" in out and "冲突 0" in out
    with Store.open(office, daily_backup=False, readonly=True) as store:
        assert store.get(Household, home.id).people == 9

    assert main(["hub", "status", *where(hub_address)]) == 0
    status = capsys.readouterr().out
    assert "街道群工办：最近上传" in status and status.count("未处理冲突 0 个") == 2


def test_sync_before_enrolment_and_an_unreachable_hub_are_told(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "g.json")
    assert main(["demo", "--db", db, "--as", "HL01", "--today", TODAY]) == 0
    capsys.readouterr()
    assert main(["sync", "--db", db]) == 2
    assert "还没有登记到汇总库" in capsys.readouterr().err
    hub = tmp_path / "hub.sqlite"
    assert main(["hub", "init", "--file", str(hub)]) == 0
    assert main(["hub", "enroll", "--file", str(hub), "--station", "HL01", "--db", db]) == 0
    hub.unlink()
    for extra in ("-wal", "-shm"):
        Path(str(hub) + extra).unlink(missing_ok=True)
    capsys.readouterr()
    assert main(["sync", "--db", db]) == EXIT_OFFLINE
    err = capsys.readouterr().err
    assert err.startswith("离线：") and "Traceback" not in err


def test_a_station_code_the_laptop_does_not_know_is_named(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "g.json")
    assert main(["demo", "--db", db, "--today", TODAY]) == 0
    hub = str(tmp_path / "hub.sqlite")
    assert main(["hub", "init", "--file", hub]) == 0
    capsys.readouterr()
    assert main(["hub", "enroll", "--file", hub, "--station", "ZZ99", "--db", db]) == 2
    assert "没有代码为“ZZ99”的群工站" in capsys.readouterr().err


def test_check_finds_a_history_rewritten_after_it_reached_the_hub(tmp_path: Path, capsys) -> None:
    """A forger edits an audit entry the hub already holds and recomputes every hash after
    it, so the local chain is whole again: only the hub's copy shows it."""
    from grassroots_tui.store.store import audit_hash
    from tests.hub_fixtures import laptop

    db = tmp_path / "g.json"
    hub = str(tmp_path / "hub.sqlite")
    with laptop(db, "station:station-hl01") as store:
        from tests.factories import household, station

        store.save(station(), "x")
        store.save(household(), "李敏")
    assert main(["hub", "init", "--file", hub]) == 0
    assert main(["hub", "enroll", "--file", hub, "--station", "HL01", "--db", str(db)]) == 0
    assert main(["sync", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["check", "--db", str(db)]) == 0
    assert "逐条比对" in capsys.readouterr().out

    # The forgery: entry 1's actor changed, the chain re-hashed after it, written back.
    from dataclasses import replace

    from grassroots_tui.store.files import (
        LastSaveWriter,
        read_lastsave,
        read_snapshot,
        write_snapshot,
    )
    from grassroots_tui.store.paths import StorePaths

    with Store.open(db, daily_backup=False) as store:
        store.compact()
    snap = read_snapshot(db)
    entries = sorted(snap.tables["audit_entry"].values(), key=lambda e: e["seq"])
    previous = entries[0]["prev_hash"]
    for entry in entries:
        if entry["seq"] == 1:
            entry["actor"] = "别人"
        entry["prev_hash"] = previous
        entry["hash"] = audit_hash(entry)
        previous = entry["hash"]
    head = entries[-1]
    snap.tables["_meta"]["store"]["audit_head"] = {
        "seq": head["seq"],
        "id": head["id"],
        "hash": head["hash"],
    }
    write_snapshot(db, snap.tables, snap.generation, snap.position)
    paths = StorePaths.for_main(db)
    last = read_lastsave(paths.lastsave)
    assert last is not None
    paths.lastsave.unlink()
    LastSaveWriter.create(paths.lastsave, replace(last, audit_hash=head["hash"][:16])).close()
    capsys.readouterr()
    code = main(["check", "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 1 and "与汇总库保存的不同" in out, out
    # The laptop's own checks alone find the chain whole: the forgery is consistent.
    from grassroots_tui.services.check import check_report

    with Store.open(db, readonly=True) as store:
        assert not [f for f in check_report(store).findings if "审计" in str(f)], out


def test_a_file_that_is_not_a_hub_is_named_not_called_offline(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"not a database at all, just some text " * 50)
    for argv in (["hub", "init", "--file", str(junk)], ["hub", "status", "--file", str(junk)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "不是汇总库文件" in err and "离线" not in err, err
    assert junk.read_bytes().startswith(b"not a database")
