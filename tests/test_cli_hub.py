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
