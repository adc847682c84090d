"""A computer clock set back or forward by a year.

`grassroots check` flags what it leaves behind (a document changed "before" it was
created, an audit entry earlier than the one before it), naming the document and the
entry; deadlines, the overdue board and the monthly statistics count business dates and
give the same results whatever the clock said when the documents were saved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grassroots_tui.models import Household, SlipSource
from grassroots_tui.services import slips as S
from grassroots_tui.services.check import CLOCK_TOLERANCE, check_store
from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.slip_board import board_json, build_board
from grassroots_tui.services.statistics import month_stats, stats_json
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store
from tests.factories import household, station, visit

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)
CAL = OfficialCalendar()


class Clock:
    """A clock that ticks a minute per reading and can be set back or forward."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now

    def set(self, delta: dt.timedelta) -> None:
        self.now += delta


def open_store(path: Path, clock: Clock) -> Store:
    return Store.open(path, clock=clock, daily_backup=False)


# --- what check reports ----------------------------------------------------------------------


def test_a_steady_clock_gives_no_findings(tmp_path: Path) -> None:
    clock = Clock()
    with open_store(tmp_path / "g.json", clock) as store:
        saved = store.save(household(), actor="李敏")
        clock.set(CLOCK_TOLERANCE / 2)  # within the tolerance: not a finding either
        store.save(saved.model_copy(update={"people": 4}), actor="李敏")
        clock.set(-CLOCK_TOLERANCE / 2)
        store.save(household("HL01-0002"), actor="李敏")
        assert check_store(store) == []


def test_an_update_with_the_clock_set_back_a_year_is_flagged_naming_the_document(
    tmp_path: Path,
) -> None:
    clock = Clock()
    db = tmp_path / "g.json"
    with open_store(db, clock) as store:
        saved = store.save(household(), actor="李敏")
        clock.set(-YEAR)
        updated = store.save(saved.model_copy(update={"people": 4}), actor="李敏")
        assert updated.updated_at < updated.created_at  # the store keeps what it was told
    with Store.open(db, readonly=True) as store:
        findings = check_store(store)
        [update_entry] = [e for e in store.raw("audit_entry") if e["action"] == "update"]
    by_id = {f.doc_id: f for f in findings}
    assert set(by_id) == {saved.id, update_entry["id"]}
    assert by_id[saved.id].kind == "household"
    assert "修改时间" in by_id[saved.id].message and "早于创建时间" in by_id[saved.id].message
    assert "往回调" in by_id[update_entry["id"]].message
    assert saved.id in by_id[update_entry["id"]].message  # names the document too


def test_a_clock_set_forward_a_year_and_then_corrected_is_flagged_at_the_correction(
    tmp_path: Path,
) -> None:
    clock = Clock()
    with open_store(tmp_path / "g.json", clock) as store:
        store.save(household("HL01-0001"), actor="李敏")
        clock.set(YEAR)
        ahead = store.save(household("HL01-0002"), actor="李敏")
        clock.set(-YEAR)  # someone notices and puts the clock right
        corrected = store.save(household("HL01-0003"), actor="李敏")
        findings = check_store(store)
        entries = {e["target_id"]: e for e in store.raw("audit_entry")}
    assert [f.doc_id for f in findings] == [entries[corrected.id]["id"]]
    assert corrected.id in findings[0].message
    assert entries[ahead.id]["id"] not in {f.doc_id for f in findings}


# --- business dates do not follow the clock -----------------------------------------------------

ISSUED_ON = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 26)


def _business(store: Store, clock: Clock, shifts: list[dt.timedelta]) -> dict:
    """The same work on business dates, with the clock moved by ``shifts`` between saves."""
    moves = iter(shifts)

    def step() -> None:
        clock.set(next(moves, dt.timedelta(0)))

    store.save_many([station(), household(id="hh-1")], actor="setup")
    step()
    store.save(visit("hh-1", id="v-1", date=dt.date(2026, 11, 3)), actor="李敏")
    step()
    store.save(visit("hh-1", id="v-2", date=dt.date(2026, 10, 20)), actor="李敏")
    step()
    slips = []
    for n, title in enumerate(["楼道灯坏了", "下水道堵了", "路灯不亮"]):
        draft = S.draft_slip(
            store.get("station", station().id),
            source=SlipSource.WALK_IN,
            category="物业纠纷",
            title=title,
            description=title + "，请尽快处理",
            handling_unit="湘龙物业公司",
            assignee="王经理",
        )
        draft = S.save_draft(store, draft, "李敏")
        step()
        slips.append(
            S.issue(
                store, draft.id, on=ISSUED_ON + dt.timedelta(days=n), actor="站长", calendar=CAL
            )
        )
        step()
    S.extend(
        store,
        slips[1].id,
        requested_on=dt.date(2026, 11, 10),
        reason="需要采购配件",
        approver="刘书记",
        new_due_date=dt.date(2026, 12, 4),
        actor="站长",
        calendar=CAL,
    )
    step()
    S.reply(
        store,
        slips[2].id,
        reply_date=dt.date(2026, 11, 12),
        result="已修好",
        policy_basis="物业服务合同",
        handler="王经理",
        signer="李主任",
        actor="李敏",
    )
    step()
    return {
        "due": [S.effective_due(store, store.get("handoff_slip", s.id), CAL) for s in slips],
        "stored_due": [S.get_slip(store, s.id).due_date for s in slips],
        "board": board_json(build_board(store, today=TODAY, calendar=CAL)),
        "stats": [
            stats_json(month_stats(store, year=2026, month=m, calendar=CAL)) for m in (10, 11, 12)
        ],
    }


@pytest.mark.parametrize(
    "shifts",
    [
        [-YEAR],  # set back a year after the first save, and left there
        [YEAR],  # set forward a year, and left there
        [-YEAR, YEAR, YEAR, -YEAR, -YEAR, YEAR, YEAR],  # back and forth between saves
    ],
    ids=["back", "forward", "back-and-forth"],
)
def test_deadlines_board_and_statistics_do_not_follow_the_clock(
    tmp_path: Path, shifts: list[dt.timedelta]
) -> None:
    with open_store(tmp_path / "steady.json", Clock()) as steady:
        expected = _business(steady, Clock(), [])
    clock = Clock()
    with open_store(tmp_path / "shifted.json", clock) as shifted:
        got = _business(shifted, clock, list(shifts))
        # A move back is visible to check; a clock left a year ahead cannot be seen.
        assert (check_store(shifted) != []) == any(s < dt.timedelta(0) for s in shifts)
    assert got == expected
    # ...and the deadlines are the rule's, not the clock's.
    assert expected["stored_due"][0] == compute_due(ISSUED_ON, "15日", CAL).date
    assert expected["due"][1].date == dt.date(2026, 12, 4)
    assert expected["board"], "the scenario must put something on the board"


def test_a_second_extension_on_the_same_day_wins_even_with_the_clock_set_back(
    tmp_path: Path,
) -> None:
    clock = Clock()
    with open_store(tmp_path / "g.json", clock) as store:
        store.save_many([station(), household(id="hh-1")], actor="setup")
        draft = S.draft_slip(
            store.get("station", station().id),
            source=SlipSource.WALK_IN,
            category="物业纠纷",
            title="楼道灯坏了",
            description="楼道灯坏了一个月",
            handling_unit="湘龙物业公司",
            assignee="王经理",
        )
        slip = S.issue(
            store, S.save_draft(store, draft, "李敏").id, on=ISSUED_ON, actor="站长", calendar=CAL
        )
        for new_due in (dt.date(2026, 12, 1), dt.date(2026, 12, 8)):
            S.extend(
                store,
                slip.id,
                requested_on=dt.date(2026, 11, 10),
                reason="需要采购配件",
                approver="刘书记",
                new_due_date=new_due,
                actor="站长",
                calendar=CAL,
            )
            clock.set(-YEAR)
        assert store.get(Household, "hh-1") is not None
        due = S.effective_due(store, store.get("handoff_slip", slip.id), CAL)
    assert due.date == dt.date(2026, 12, 8)
