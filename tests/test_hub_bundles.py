"""USB bundles, on SQLite and on a real PostgreSQL: a station that meets the hub only
through files reaches the office and receives the office's slips; importing either bundle
twice is harmless; a changed byte, a cut file, another replica's bundle or key are refused
with a Chinese message naming the file, and nothing changes; no resident's name or ID
number is readable in a bundle's bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest

from grassroots_tui.cli import main
from grassroots_tui.hub.bundles import (
    ANSWER_FORMAT,
    MAGIC,
    PUSH_FORMAT,
    BundleError,
    answer_bundle,
    export_bundle,
    import_answer,
    key_bytes,
    read_header,
    seal,
)
from grassroots_tui.hub.config import HubConfig, load_config
from grassroots_tui.hub.engines import HubConnection
from grassroots_tui.hub.replicas import enroll_replica
from grassroots_tui.hub.schema import hub_meta, new_epoch
from grassroots_tui.hub.sync import sync
from grassroots_tui.models import HandoffSlip, Household, Station
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, id_number, station
from tests.hub_fixtures import hub_address_fixture, hub_fixture, laptop  # noqa: F401 - fixtures

HL01 = f"station:{STATION_ID}"
HL02 = "station:station-hl02"
TABLES = ("doc", "conflict", "replica", "audit_entry", "fork")
TODAY = "2026-11-26"


# -- helpers -------------------------------------------------------------------------------


def enrolled(hub: HubConnection, scope: str) -> HubConfig:
    replica, key = enroll_replica(hub, scope, by="管理员")
    return HubConfig(hub.engine, hub.address.target, replica.id, scope, key)


def hub_state(hub: HubConnection) -> dict[str, Any]:
    """What the hub holds: every table's rows that a push or a pull could change (the
    counter and the replicas' last push and pull times aside)."""
    return {
        "counts": {t: int(hub.one(f"SELECT count(*) FROM {t}")[0]) for t in TABLES},
        "docs": hub.all("SELECT kind, id, rev_hash, hub_seq, body FROM doc ORDER BY kind, id"),
        "replicas": hub.all("SELECT id, audit_seq, audit_head FROM replica ORDER BY id"),
        "audit": hub.all("SELECT replica, seq, hash FROM audit_entry ORDER BY replica, seq"),
    }


def documents(store: Store) -> bytes:
    """Every table of the store, as bytes (compared before and after)."""
    return orjson.dumps(store.tables, option=orjson.OPT_SORT_KEYS)


def office_with_a_slip_for_hl01(hub: HubConnection, tmp_path: Path) -> tuple[Store, HubConfig]:
    """The office's laptop: the list of stations and a slip it issued to HL01, synced."""
    from grassroots_tui.models import SlipSource
    from grassroots_tui.services import slips as S
    from grassroots_tui.services.workcalendar import OfficialCalendar

    config = enrolled(hub, "office")
    office = laptop(tmp_path / "office" / "g.json", "office")
    office.save(station(), "群工办")
    office.save(station("HL02"), "群工办")
    draft = S.draft_slip(
        office.get(Station, STATION_ID),
        source=SlipSource.HOTLINE,
        category="城市管理",
        title="湘龙小区路灯不亮",
        description="12345 转来：3 栋门口路灯坏了一周",
        handling_unit="城管",
    )
    slip_id = S.save_draft(office, draft, "群工办").id
    S.issue(office, slip_id, on=dt.date(2026, 11, 2), actor="群工办", calendar=OfficialCalendar())
    sync(office, hub, config.replica_id)
    return office, config


def flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


# -- the round trip ------------------------------------------------------------------------


def test_a_station_that_only_uses_bundles_meets_the_office(
    hub: HubConnection, tmp_path: Path
) -> None:
    office, office_config = office_with_a_slip_for_hl01(hub, tmp_path)
    config = enrolled(hub, HL01)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    home = hl01.save(household(), "李敏")
    stick = tmp_path / "stick"

    pushed = export_bundle(hl01, config, stick)
    assert pushed.path.parent == stick and pushed.documents == 1 and pushed.audit >= 1
    assert pushed.path.stat().st_mode & 0o777 == 0o600
    # Exported is sent, as before a sync's push: the hash is recorded, still pending.
    (item,) = hl01.pending()
    assert item.sent_hashes == (item.rev_hash,)

    answered = answer_bundle(hub, pushed.path)
    assert answered.path.parent == stick and answered.scope == HL01
    assert answered.report.verdicts == {"new": 1}
    assert hub.one("SELECT rev_hash FROM doc WHERE id = %s", (home.id,))[0] == item.rev_hash

    taken = import_answer(hl01, config, answered.path)
    assert taken.skipped is None and not taken.report.conflicts
    assert hl01.pending() == []
    assert {s.code for s in hl01.all(Station)} == {"HL01", "HL02"}
    (slip,) = hl01.all(HandoffSlip)
    assert slip.title == "湘龙小区路灯不亮" and hl01.may_write(slip) is not None
    assert hl01.hub_state["epoch"] == hub_meta(hub)["epoch"]
    assert hl01.hub_state["audit_sent"] == max(e["seq"] for e in hl01.raw("audit_entry"))

    # The office receives the station's household by its ordinary sync.
    assert sync(office, hub, office_config.replica_id).pulled >= 1
    assert office.get(Household, home.id).people == home.people

    # A second round: an edit goes up as "accepted", an office change comes down.
    hl01.save(hl01.get(Household, home.id).model_copy(update={"people": 5}), "李敏")
    again = answer_bundle(hub, export_bundle(hl01, config, stick).path)
    assert again.report.verdicts == {"accepted": 1}
    import_answer(hl01, config, again.path)
    assert hl01.pending() == []
    assert '"people":5' in hub.one("SELECT body FROM doc WHERE id = %s", (home.id,))[0]
    office.close()
    hl01.close()


def test_importing_either_bundle_twice_is_harmless(hub: HubConnection, tmp_path: Path) -> None:
    office, _ = office_with_a_slip_for_hl01(hub, tmp_path)
    config = enrolled(hub, HL01)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    hl01.save(household(), "李敏")
    pushed = export_bundle(hl01, config, tmp_path / "stick")

    first = answer_bundle(hub, pushed.path, tmp_path / "a1")
    at_hub = hub_state(hub)
    second = answer_bundle(hub, pushed.path, tmp_path / "a2")
    assert second.report.verdicts == {"same": 1}
    assert hub_state(hub) == at_hub
    assert second.report.pulled == first.report.pulled

    assert import_answer(hl01, config, first.path).skipped is None
    held, cursor = documents(hl01), hl01.hub_state["cursor"]
    again = import_answer(hl01, config, first.path)
    assert again.skipped == "这个回执已经导入过"
    assert documents(hl01) == held
    # The second answer is equivalent: it changes no document, only moves the cursor on.
    assert import_answer(hl01, config, second.path).skipped is None
    assert hl01.hub_state["cursor"] > cursor
    assert {k: v for k, v in hl01.tables.items() if k != "_meta"} == {
        k: v for k, v in orjson.loads(held).items() if k != "_meta"
    }
    # The first, older than the second: skipped, the cursor never moves backwards.
    cursor = hl01.hub_state["cursor"]
    assert import_answer(hl01, config, first.path).skipped == "本机已导入过更新的回执或同步过"
    assert hl01.hub_state["cursor"] == cursor
    assert hl01.pending() == []
    office.close()
    hl01.close()


def test_two_bundles_out_at_once_in_either_order(hub: HubConnection, tmp_path: Path) -> None:
    """A station exports, edits, exports again before the first answer came back: the
    office imports both; the station takes the answers in either order; then a later
    bundle still builds on the revision the lost answer acknowledged."""
    config = enrolled(hub, HL01)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    home = hl01.save(household(), "李敏")
    b1 = export_bundle(hl01, config, tmp_path / "stick")
    hl01.save(hl01.get(Household, home.id).model_copy(update={"people": 6}), "李敏")
    b2 = export_bundle(hl01, config, tmp_path / "stick")
    assert b1.path != b2.path
    a1 = answer_bundle(hub, b1.path)
    a2 = answer_bundle(hub, b2.path)
    assert (a1.report.verdicts, a2.report.verdicts) == ({"new": 1}, {"accepted": 1})

    import_answer(hl01, config, a1.path)  # the older first: the later send stays recorded
    (item,) = hl01.pending()
    assert len(item.sent_hashes) == 1 and item.sent_hashes[0] == item.rev_hash
    # The second answer is lost; another edit; its bundle builds on what the hub holds.
    hl01.save(hl01.get(Household, home.id).model_copy(update={"people": 7}), "李敏")
    a3 = answer_bundle(hub, export_bundle(hl01, config, tmp_path / "stick").path)
    assert a3.report.verdicts == {"accepted": 1}
    import_answer(hl01, config, a3.path)
    assert import_answer(hl01, config, a2.path).skipped is not None
    assert hl01.pending() == [] and not hl01.hub_state.get("conflicts")
    assert hl01.get(Household, home.id).people == 7
    hl01.close()


def test_a_restored_hub_is_pulled_from_the_start(hub: HubConnection, tmp_path: Path) -> None:
    office, _ = office_with_a_slip_for_hl01(hub, tmp_path)
    config = enrolled(hub, HL01)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    import_answer(hl01, config, answer_bundle(hub, export_bundle(hl01, config, tmp_path).path).path)
    old_epoch = hl01.hub_state["epoch"]
    fresh = new_epoch(hub)
    answered = answer_bundle(hub, export_bundle(hl01, config, tmp_path).path)
    assert answered.report.epoch_changed and answered.report.pulled >= 3
    taken = import_answer(hl01, config, answered.path)
    assert taken.report.epoch_changed and hl01.hub_state["epoch"] == fresh != old_epoch
    office.close()
    hl01.close()


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    ["flip-body", "flip-header", "flip-magic", "truncate", "truncate-header", "foreign-key"],
)
def test_a_damaged_or_foreign_push_bundle_is_refused_at_the_hub(
    hub: HubConnection, tmp_path: Path, damage: str
) -> None:
    config = enrolled(hub, HL01)
    other = enrolled(hub, HL02)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    hl01.save(household(), "李敏")
    path = export_bundle(hl01, config, tmp_path / "stick").path
    data = path.read_bytes()
    header = read_header(path, data)
    if damage == "flip-body":
        flip(path, len(data) // 2 + header.body_at // 2)
        expected = "校验不通过"
    elif damage == "flip-header":
        flip(path, header.clear.index(b"grassroots-push") + 3)
        expected = "不认识的格式"
    elif damage == "flip-magic":
        flip(path, 2)
        expected = "不是本程序的捆包"
    elif damage == "truncate":
        path.write_bytes(data[:-100])
        expected = "不完整"
    elif damage == "truncate-header":
        path.write_bytes(data[: header.body_at - 5])
        expected = "不完整"
    else:  # sealed with HL02's key, but saying it comes from HL01
        manifest = {"kind": "push", "scope": HL01, "epoch": None, "cursor": 0}
        key = key_bytes(other.key_b64, "HL02")
        path.write_bytes(seal(key, config.replica_id, PUSH_FORMAT, manifest, {"push": []}))
        expected = f"另一台电脑（{other.replica_id}）的密钥"
    before = hub_state(hub)
    with pytest.raises(BundleError, match=expected) as refused:
        answer_bundle(hub, path)
    assert path.name in str(refused.value)
    assert hub_state(hub) == before
    assert not list((tmp_path / "stick").glob("grassroots-answer-*"))
    hl01.close()


def test_a_bundle_of_a_replica_the_hub_does_not_know_is_refused(
    hub: HubConnection, tmp_path: Path
) -> None:
    stranger = HubConfig(hub.engine, "elsewhere", "0123456789abcdef", HL01, "A" * 43 + "=")
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    hl01.save(household(), "李敏")
    path = export_bundle(hl01, stranger, tmp_path).path
    before = hub_state(hub)
    with pytest.raises(BundleError, match="没有登记的电脑（编号 0123456789abcdef）") as refused:
        answer_bundle(hub, path)
    assert path.name in str(refused.value) and hub_state(hub) == before
    hl01.close()


@pytest.mark.parametrize("damage", ["flip", "truncate", "other-replica", "push-bundle"])
def test_a_damaged_or_foreign_answer_is_refused_at_the_station(
    hub: HubConnection, tmp_path: Path, damage: str
) -> None:
    office, _ = office_with_a_slip_for_hl01(hub, tmp_path)
    config = enrolled(hub, HL01)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    hl01.save(household(), "李敏")
    pushed = export_bundle(hl01, config, tmp_path / "stick")
    path = answer_bundle(hub, pushed.path).path
    if damage == "flip":
        flip(path, len(path.read_bytes()) - 40)
        expected = "校验不通过"
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:-1])
        expected = "不完整"
    elif damage == "other-replica":  # HL02's answer brought to HL01
        other = enrolled(hub, HL02)
        hl02 = laptop(tmp_path / "hl02" / "g.json", HL02)
        path = answer_bundle(hub, export_bundle(hl02, other, tmp_path / "hl02s").path).path
        hl02.close()
        expected = f"给另一台电脑（编号 {other.replica_id}）"
    else:
        path = pushed.path
        expected = "是群工站的上传捆包，不是回执"
    held = documents(hl01)
    with pytest.raises(BundleError, match=expected) as refused:
        import_answer(hl01, config, path)
    assert path.name in str(refused.value)
    assert documents(hl01) == held
    office.close()
    hl01.close()


def test_no_residents_name_or_id_number_is_readable_in_a_bundle(
    hub: HubConnection, tmp_path: Path
) -> None:
    config = enrolled(hub, HL01)
    hl01 = laptop(tmp_path / "hl01" / "g.json", HL01)
    person, number, phone = "欧阳秀英", id_number(born="19470805", seq="372"), "13912348765"
    hl01.save(household(head_of_household=person, id_number=number, phone=phone), "李敏")
    pushed = export_bundle(hl01, config, tmp_path / "stick").path
    answer = answer_bundle(hub, pushed).path
    secrets = [person.encode(), number.encode(), phone.encode(), "欧阳".encode()]
    for path in (pushed, answer):
        raw = path.read_bytes()
        assert raw.startswith(MAGIC)
        for secret in secrets:
            assert secret not in raw, (path.name, secret)
        header = read_header(path, raw)
        clear = orjson.loads(header.clear[header.clear.index(b"{") :])
        assert set(clear) == {"format", "version", "replica", "length"}
        assert clear["format"] in (PUSH_FORMAT, ANSWER_FORMAT)
        assert clear["replica"] == config.replica_id
    # It is there all the same, sealed: the office has it whole.
    body = hub.one("SELECT body FROM doc WHERE kind = 'household'")[0]
    assert person in body and number in body
    hl01.close()


# -- the command line ------------------------------------------------------------------------


def where(address) -> list[str]:
    return ["--file", address.target] if address.engine == "sqlite" else ["--dsn", address.target]


def test_bundles_from_the_command_line(tmp_path: Path, hub_address, capsys) -> None:
    office, hl01 = str(tmp_path / "office" / "g.json"), str(tmp_path / "hl01" / "g.json")
    stick = tmp_path / "优盘"
    assert main(["demo", "--db", office, "--as", "office", "--today", TODAY]) == 0
    assert main(["demo", "--db", hl01, "--as", "HL01", "--today", TODAY]) == 0
    capsys.readouterr()
    assert main(["bundle", "export", "--to", str(stick), "--db", hl01]) == 2
    assert "还没有登记到汇总库" in capsys.readouterr().err
    assert main(["hub", "init", *where(hub_address)]) == 0
    assert main(["hub", "enroll", *where(hub_address), "--office", "--db", office]) == 0
    assert main(["hub", "enroll", *where(hub_address), "--station", "HL01", "--db", hl01]) == 0
    assert main(["sync", "--db", office]) == 0

    with Store.open(hl01, daily_backup=False) as store:
        home = next(h for h in store.all(Household) if store.may_write(h) is None)
        store.save(home.model_copy(update={"people": 9}), "李敏")
    capsys.readouterr()
    assert main(["bundle", "export", "--to", str(stick), "--db", hl01]) == 0
    assert "已写出上传捆包" in capsys.readouterr().out
    (pushed,) = stick.glob("grassroots-push-*.bundle")

    # A changed byte is refused by name, and the hub is left as it was.
    bad = stick / "坏的.bundle"
    data = bytearray(pushed.read_bytes())
    data[-30] ^= 0x80
    bad.write_bytes(bytes(data))
    assert main(["hub", "import-bundle", str(bad), *where(hub_address)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "坏的.bundle" in err and "校验不通过" in err
    assert not list(stick.glob("grassroots-answer-*"))

    assert main(["hub", "import-bundle", str(pushed), *where(hub_address)]) == 0
    out = capsys.readouterr().out
    assert "已导入" in out and "冲突 0" in out and "回执捆包已写出" in out
    (answer,) = stick.glob("grassroots-answer-*.bundle")

    assert main(["bundle", "import", str(answer), "--db", hl01]) == 0
    assert "已导入回执" in capsys.readouterr().out
    assert main(["bundle", "import", str(answer), "--db", hl01]) == 0
    assert "已经导入过" in capsys.readouterr().out
    assert main(["bundle", "import", str(pushed), "--db", hl01]) == 2
    assert "不是回执" in capsys.readouterr().err

    with Store.open(hl01, daily_backup=False) as store:
        assert store.pending() == []
        assert load_config(hl01) is not None
    assert main(["sync", "--db", office]) == 0
    with Store.open(office, daily_backup=False, readonly=True) as store:
        assert store.get(Household, home.id).people == 9
