"""Both slip flows with one writer per document (issue 16): a station's own slip, every
step recorded on the station's laptop; and a slip the street office issues to a station,
which the station accepts and answers on its laptop and the office closes on its own.
The hub does not exist yet: "pulling" is copying the other machine's documents in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from grassroots_tui.models import Satisfaction, SlipSource, SlipState, Station
from grassroots_tui.services import slips as S
from grassroots_tui.services.slip_print import record_reminder
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import NotYourDocument, Store
from grassroots_tui.store.store import write_compacted_store
from tests.factories import station

CAL = OfficialCalendar()
ON = dt.date(2026, 11, 2)


def laptop(path: Path, tables: dict[str, dict[str, Any]], scope: str) -> Store:
    """A machine of ``scope`` holding ``tables`` (as if pulled from the hub)."""
    kept = {kind: dict(docs) for kind, docs in tables.items() if not kind.startswith("_")}
    write_compacted_store(path, kept)
    store = Store.open(path, daily_backup=False)
    store.enroll(scope, "测试")
    return store


def tables_of(*stores: Store) -> dict[str, dict[str, Any]]:
    """Every document of ``stores``, later ones winning (each wrote only its own)."""
    out: dict[str, dict[str, Any]] = {}
    for store in stores:
        for kind, docs in store.tables.items():
            if not kind.startswith("_") and kind != "audit_entry":
                out.setdefault(kind, {}).update(docs)
    return out


def draft(store: Store, station_doc: Station, source: SlipSource) -> str:
    made = S.draft_slip(
        station_doc,
        source=source,
        category="城市管理",
        title="路灯不亮",
        description="小区路灯坏了一周",
        handling_unit="城管中队",
    )
    return S.save_draft(store, made, "起草人").id


def reply(store: Store, slip_id: str, on: dt.date) -> None:
    S.reply(
        store,
        slip_id,
        reply_date=on,
        result="已修复",
        policy_basis="",
        handler="王",
        signer=None,
        actor="站里",
    )


def test_a_slip_the_office_issues_is_answered_by_the_station_and_closed_by_the_office(
    tmp_path: Path,
) -> None:
    hl01 = station()
    office = Store.open(tmp_path / "office.json", daily_backup=False, scope="office")
    office.save(hl01, "测试")
    slip_id = draft(office, hl01, SlipSource.STREET_OFFICE)
    S.issue(office, slip_id, on=ON, actor="群工办", calendar=CAL)
    # The office may not take the station's steps.
    with pytest.raises(S.SlipActionRefused, match="受理由.*办理，本机（街道群工办）只能查看"):
        S.accept(office, slip_id, on=ON, actor="群工办")

    # On the station's laptop: accepted and answered; the office's steps are not its own.
    at_station = laptop(tmp_path / "hl01.json", office.tables, f"station:{hl01.id}")
    S.accept(at_station, slip_id, on=ON, actor="站里")
    reply(at_station, slip_id, ON + dt.timedelta(days=5))
    with pytest.raises(S.SlipActionRefused, match="回访由街道群工办办理"):
        S.callback(
            at_station,
            slip_id,
            on=ON + dt.timedelta(days=6),
            satisfaction=Satisfaction.SATISFIED,
            by="站里",
            note="",
            actor="站里",
            calendar=CAL,
        )
    assert S.get_slip(at_station, slip_id).state is SlipState.REPLIED
    # The slip itself was never written on the station's laptop.
    assert at_station.get_raw("handoff_slip", slip_id) == office.get_raw("handoff_slip", slip_id)

    # Back at the office, with the station's documents: the call-back closes it.
    office.close()
    back = laptop(tmp_path / "office2.json", tables_of(at_station), "office")
    S.callback(
        back,
        slip_id,
        on=ON + dt.timedelta(days=6),
        satisfaction=Satisfaction.SATISFIED,
        by="群工办",
        note="",
        actor="群工办",
        calendar=CAL,
    )
    assert S.get_slip(back, slip_id).state is SlipState.CLOSED
    writers = {
        kind: {d["writer"] for d in back.raw(kind) if d["slip_id"] == slip_id}
        for kind in ("slip_issue", "slip_accept", "reply", "slip_callback")
    }
    assert writers == {
        "slip_issue": {"office"},
        "slip_accept": {hl01.id},
        "reply": {hl01.id},
        "slip_callback": {"office"},
    }
    for store in (at_station, back):
        store.close()


def test_a_station_records_every_step_of_its_own_slip_and_the_office_reminds(
    tmp_path: Path,
) -> None:
    hl01 = station()
    standalone = Store.open(tmp_path / "s.json", daily_backup=False)
    standalone.save(hl01, "测试")
    at_station = laptop(tmp_path / "hl01.json", standalone.tables, f"station:{hl01.id}")
    standalone.close()
    slip_id = draft(at_station, hl01, SlipSource.HOTLINE)
    S.issue(at_station, slip_id, on=ON, actor="站长", calendar=CAL)
    S.accept(at_station, slip_id, on=ON, actor="站长")
    # Reminders (催办) are the street office's supervisors' documents.
    with pytest.raises(S.SlipActionRefused, match="催办由街道群工办办理"):
        record_reminder(
            at_station,
            slip_id,
            today=ON + dt.timedelta(days=20),
            by="督导",
            actor="督导",
            calendar=CAL,
        )
    reply(at_station, slip_id, ON + dt.timedelta(days=3))
    S.close(at_station, slip_id, on=ON + dt.timedelta(days=4), actor="站长")
    assert S.get_slip(at_station, slip_id).state is SlipState.CLOSED
    assert {d["writer"] for d in at_station.raw("slip_close")} == {hl01.id}
    at_station.close()


def test_on_one_machine_for_everything_each_step_still_names_its_party(tmp_path: Path) -> None:
    """A standalone store writes everything, and still records who each step belongs to."""
    hl01 = station()
    with Store.open(tmp_path / "s.json", daily_backup=False) as store:
        store.save(hl01, "测试")
        slip_id = draft(store, hl01, SlipSource.HOTLINE)
        S.issue(store, slip_id, on=ON, actor="站长", calendar=CAL)
        record_reminder(
            store, slip_id, today=ON + dt.timedelta(days=20), by="督导", actor="督导", calendar=CAL
        )
        assert {d["writer"] for d in store.raw("slip_reminder")} == {"office"}
        assert {d["writer"] for d in store.raw("slip_issue")} == {hl01.id}


def test_supervision_checks_and_reminders_are_the_offices(tmp_path: Path) -> None:
    """Whatever station they are about, a 督导 check and a 催办 are the office's: a station
    laptop shows them and writes none; old documents without a writer are the office's."""
    from grassroots_tui.models import SlipReminder
    from grassroots_tui.models.base import writer_of

    hl01 = station()
    reminder = SlipReminder(station_id=hl01.id, slip_id="s1", sent_on=ON, by="督导")
    assert writer_of(reminder) == "office"
    assert writer_of({"kind": "supervision_check", "station_id": hl01.id}) == "office"
    assert writer_of({"kind": "visit", "station_id": hl01.id}) == hl01.id
    standalone = Store.open(tmp_path / "s.json", daily_backup=False)
    standalone.save(hl01, "测试")
    at_station = laptop(tmp_path / "hl01.json", standalone.tables, f"station:{hl01.id}")
    standalone.close()
    with pytest.raises(NotYourDocument, match="催办由街道群工办填写"):
        at_station.save(reminder, "站里")
    assert not at_station.raw("slip_reminder")
    at_station.close()


def test_the_office_numbers_its_slips_in_its_own_sequence(tmp_path: Path) -> None:
    hl01 = station()
    office = Store.open(tmp_path / "office.json", daily_backup=False, scope="office")
    office.save(hl01, "测试")
    numbers = []
    for _ in range(2):
        slip_id = draft(office, hl01, SlipSource.STREET_OFFICE)
        numbers.append(S.issue(office, slip_id, on=ON, actor="群工办", calendar=CAL).number)
    assert numbers == ["湘龙街群交〔2026〕第0001号", "湘龙街群交〔2026〕第0002号"]
    # In the office's own format when its settings file names one.
    third = draft(office, hl01, SlipSource.STREET_OFFICE)
    issued = S.issue(
        office, third, on=ON, actor="群工办", calendar=CAL, office_number_format="街交{year}-{seq}"
    )
    assert issued.number == "街交2026-1"
    # The station's own numbers are untouched by the office's.
    at_station = laptop(tmp_path / "hl01.json", office.tables, f"station:{hl01.id}")
    office.close()
    own = draft(at_station, hl01, SlipSource.HOTLINE)
    assert S.issue(at_station, own, on=ON, actor="站长", calendar=CAL).number == (
        "湘龙群交〔2026〕第0001号"
    )
    at_station.close()


def ask(store: Store, slip_id: str, on: dt.date, reason: str, wanted: dt.date, **who: Any):
    """申请延期 on ``on`` for ``wanted`` (``by``, ``actor``)."""
    return S.request_extension(
        store, slip_id, requested_on=on, reason=reason, wanted_due_date=wanted, **who
    )


def test_the_station_asks_for_more_time_and_the_office_approves_it(tmp_path: Path) -> None:
    """On a slip the office issued, the station asks (申请延期) on its laptop; the due
    date moves only when the office approves, and a request made in time is not "late"
    even if the approval comes after the old due date."""
    hl01 = station()
    office = Store.open(tmp_path / "office.json", daily_backup=False, scope="office")
    office.save(hl01, "测试")
    slip_id = draft(office, hl01, SlipSource.STREET_OFFICE)
    issued = S.issue(office, slip_id, on=ON, actor="群工办", calendar=CAL)
    old_due = issued.due_date
    assert old_due is not None
    wanted = old_due + dt.timedelta(days=10)
    asked_on = old_due - dt.timedelta(days=2)
    with pytest.raises(S.SlipActionRefused, match="申请延期由.*办理，本机（街道群工办）只能查看"):
        ask(office, slip_id, asked_on, "等待配件", wanted, by=None, actor="群工办")

    at_station = laptop(tmp_path / "hl01.json", office.tables, f"station:{hl01.id}")
    S.accept(at_station, slip_id, on=ON, actor="站里")
    with pytest.raises(S.SlipActionRefused, match="申请延至的日期 .* 必须晚于现在的应办结日期"):
        ask(at_station, slip_id, asked_on, "等待配件", old_due, by="李敏", actor="站里")
    after = ask(at_station, slip_id, asked_on, "等待配件", wanted, by="李敏", actor="站里")
    assert after.due_date == old_due and after.state is SlipState.ACCEPTED  # not yet
    with pytest.raises(S.SlipActionRefused, match="已有一份延期申请"):
        ask(at_station, slip_id, asked_on, "再申请", wanted, by=None, actor="站里")
    with pytest.raises(S.SlipActionRefused, match="延期由街道群工办办理"):
        S.extend(
            at_station,
            slip_id,
            requested_on=asked_on,
            reason="x",
            approver="y",
            new_due_date=wanted,
            actor="站里",
            calendar=CAL,
        )
    request = S.pending_extension_request(at_station, slip_id)
    assert request is not None and request["writer"] == hl01.id

    office.close()
    back = laptop(tmp_path / "office2.json", tables_of(at_station), "office")
    assert S.pending_extension_request(back, slip_id) == request
    approved = S.extend(
        back,
        slip_id,
        requested_on=old_due + dt.timedelta(days=3),  # the approval's day: not the asking day
        reason=request["reason"],
        approver="主任",
        new_due_date=wanted,
        actor="群工办",
        calendar=CAL,
        request_id=request["id"],
    )
    assert approved.due_date == wanted and approved.state is SlipState.EXTENDED
    (extension,) = back.raw("slip_extension")
    assert extension["writer"] == "office" and extension["request_id"] == request["id"]
    assert extension["requested_on"] == asked_on.isoformat() and extension["late"] is False
    assert S.pending_extension_request(back, slip_id) is None
    with pytest.raises(S.SlipActionRefused, match="已经批准过了"):
        S.extend(
            back,
            slip_id,
            requested_on=asked_on,
            reason="x",
            approver="主任",
            new_due_date=wanted + dt.timedelta(days=1),
            actor="群工办",
            calendar=CAL,
            request_id=request["id"],
        )
    texts = [entry.what for entry in S.slip_history(back, slip_id)]
    assert any(text.startswith(f"申请延期（{asked_on.isoformat()}）") for text in texts), texts
    for store in (at_station, back):
        store.close()


def test_a_station_does_not_ask_itself_for_more_time_on_its_own_slip(tmp_path: Path) -> None:
    hl01 = station()
    with Store.open(tmp_path / "s.json", daily_backup=False) as store:
        store.save(hl01, "测试")
        slip_id = draft(store, hl01, SlipSource.HOTLINE)
        slip = S.issue(store, slip_id, on=ON, actor="站长", calendar=CAL)
        assert "request_extension" not in S.allowed_actions(slip, has_reply=False)
        assert "extend" in S.allowed_actions(slip, has_reply=False)
        with pytest.raises(S.SlipActionRefused, match="本站的交办单不用申请延期"):
            ask(store, slip_id, ON, "x", ON + dt.timedelta(days=40), by=None, actor="站长")
