"""The demo store and the computer's clock (issue 22).

The demo is written in one transaction recorded at 08:00 on its "today", or at the moment
it runs if that is earlier: a real change made right after it is stamped by the real
clock and must never look to ``grassroots check`` like a clock set back, whatever the
hour. And a store used while the machine changes time zone, or across a daylight-saving
change, keeps its audit times in order: they are local times with their offset, compared
as instants.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grassroots_tui.cli import main
from grassroots_tui.demo import DEMO_ACTOR, build_demo, demo_stamp, write_demo_store, writing
from grassroots_tui.models import Household
from grassroots_tui.services.check import check_report
from grassroots_tui.services.household_import import apply_import, preview_import, read_ledger
from grassroots_tui.store import Store

LEDGER = Path(__file__).resolve().parent.parent / "sample_data" / "households_ledger.csv"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def machine_tz() -> Iterator[Callable[[str], None]]:
    """Set the machine's time zone (``TZ`` and :func:`time.tzset`); restored afterwards."""
    saved = os.environ.get("TZ")

    def set_tz(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    try:
        yield set_tz
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


class Clock:
    """The machine's clock, faked: an instant that ticks a second per reading, read as
    the store reads the real one (local time, with the offset of the zone set now)."""

    def __init__(self, start: dt.datetime) -> None:
        self.instant = start

    def __call__(self) -> dt.datetime:
        self.instant += dt.timedelta(seconds=1)
        return self.instant.astimezone()


def local(*parts: int) -> dt.datetime:
    """A wall-clock time in the machine's current time zone, with its offset."""
    return dt.datetime(*parts).astimezone()


def import_ledger(db: Path, clock: Callable[[], dt.datetime], station: str = "HL01") -> int:
    """A real change: the sample ledger imported into ``station`` as the CLI does it."""
    with Store.open(db, clock=clock, daily_backup=False) as store:
        [station_id] = [s["id"] for s in store.raw("station") if s["code"] == station]
        preview = preview_import(
            store.raw("household"), station_id, read_ledger(LEDGER), clock().date()
        )
        return apply_import(store, preview, "李敏").added


def audit_times(store: Store, actor: str | None = None) -> list[dt.datetime]:
    entries = sorted(store.raw("audit_entry"), key=lambda e: e["seq"])
    return [dt.datetime.fromisoformat(e["at"]) for e in entries if actor in (None, e["actor"])]


def assert_sound(db: Path) -> list[dt.datetime]:
    """``grassroots check`` finds nothing, and the audit times never go back at all (not
    even within the check's tolerance). Returns them, in sequence order."""
    with Store.open(db, readonly=True) as store:
        report = check_report(store)
        assert report.findings == [], [str(f) for f in report.findings]
        times = audit_times(store)
    assert times == sorted(times)
    return times


# -- when the demo is recorded as written -----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "now", "expected"),
    [
        # today, before 08:00: the moment it runs, in whole seconds
        ((2026, 12, 7), (2026, 12, 7, 0, 30, 12, 345678), (2026, 12, 7, 0, 30, 12)),
        # today, after 08:00: 08:00
        ((2026, 12, 7), (2026, 12, 7, 23, 50), (2026, 12, 7, 8, 0)),
        # a day in the past: 08:00 that day
        ((2026, 11, 26), (2026, 12, 7, 0, 30), (2026, 11, 26, 8, 0)),
        # a day in the future: the moment it runs (nothing may be recorded later)
        ((2026, 12, 20), (2026, 12, 7, 0, 30), (2026, 12, 7, 0, 30)),
    ],
)
def test_the_demo_is_recorded_at_eight_or_when_it_runs_if_earlier(
    machine_tz, today, now, expected
) -> None:
    machine_tz("Asia/Shanghai")
    stamp = demo_stamp(dt.date(*today), local(*now))
    assert stamp == local(*expected)
    assert stamp.utcoffset() == dt.timedelta(hours=8)  # local time, offset recorded
    # A naive "now" is local time; one in another zone is the same instant.
    assert demo_stamp(dt.date(*today), dt.datetime(*now)) == stamp
    assert demo_stamp(dt.date(*today), local(*now).astimezone(dt.UTC)) == stamp


@pytest.mark.parametrize(("hour", "minute"), [(0, 30), (23, 50)])
def test_a_real_change_after_the_demo_passes_check_at_any_hour(
    tmp_path, machine_tz, monkeypatch, hour, minute
) -> None:
    machine_tz("Asia/Shanghai")
    ran = local(2026, 12, 7, hour, minute)
    monkeypatch.setattr(writing, "_now", lambda: ran)  # the clock `grassroots demo` reads
    db = tmp_path / "g.json"
    assert main(["demo", "--db", str(db), "--today", ran.date().isoformat()]) == 0
    clock = Clock(ran + MINUTE)
    assert import_ledger(db, clock) == 60  # a minute later
    clock.instant += 35 * MINUTE  # at 23:50 this is after midnight: another day
    assert import_ledger(db, clock, "HL02") == 60
    times = assert_sound(db)
    with Store.open(db, readonly=True) as store:
        demo_times = audit_times(store, DEMO_ACTOR)
        assert max(demo_times) <= ran < min(set(times) - set(demo_times))
        # Nothing in the demo that happened has a time later than when it ran.
        happened = [
            *(dt.datetime.combine(v.date, v.end_time) for v in store.iter("visit")),
            *(dt.datetime.combine(c.date, c.time) for c in store.iter("supervision_check")),
        ]
        assert max(happened) < ran.replace(tzinfo=None)
        assert max(a.requested_at for a in store.iter("appointment")) < ran


def test_with_the_real_clock_a_demo_for_today_and_a_real_change_pass_check(tmp_path) -> None:
    db = tmp_path / "g.json"
    write_demo_store(db, today=dt.date.today())
    with Store.open(db, daily_backup=False) as store:  # the real clock, like the program
        household = next(h for h in store.iter(Household) if h.people < 9)
        store.save(household.model_copy(update={"people": household.people + 1}), actor="李敏")
    assert_sound(db)


@pytest.mark.parametrize("today", [dt.date(2026, 11, 26), dt.date(2026, 12, 20)])
def test_a_demo_for_another_day_is_never_recorded_after_it_ran(tmp_path, machine_tz, today) -> None:
    # A day in the past (--today 2026-11-26) or in the future (--today 2026-12-20).
    machine_tz("Asia/Shanghai")
    ran = local(2026, 12, 7, 0, 30)
    db = tmp_path / "g.json"
    write_demo_store(db, today=today, now=ran)
    with Store.open(db, readonly=True) as store:
        assert set(audit_times(store)) == {min(ran, local(*today.timetuple()[:3], 8))}
    import_ledger(db, Clock(ran))
    assert_sound(db)


def test_the_same_today_seed_and_moment_write_the_same_documents(tmp_path) -> None:
    ran = dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    stores = []
    for name in ("a", "b"):
        db = tmp_path / name / "g.json"
        write_demo_store(db, today=ran.date(), seed=11, now=ran)
        with Store.open(db, readonly=True) as store:
            stores.append(
                {
                    kind: sorted(store.raw(kind), key=lambda d: d["id"])
                    for kind in store.kinds()
                    if kind not in ("audit_entry", "_meta")
                }
            )
    assert stores[0] == stores[1]
    assert {d["created_at"] for d in stores[0]["household"]} == {ran.astimezone().isoformat()}


@pytest.mark.parametrize(
    "today", [dt.date(2026, 1, 1), dt.date(2026, 6, 14), dt.date(2026, 12, 7), dt.date(2027, 3, 1)]
)
def test_nothing_with_a_time_of_day_happens_on_today(today) -> None:
    # So no business time is later than the moment the demo is written, at any hour.
    docs = build_demo(today, scale=0.2)
    visits = [d for d in docs if d.KIND == "visit"]
    checks = [d for d in docs if d.KIND == "supervision_check"]
    asked = [d.requested_at.date() for d in docs if d.KIND == "appointment"]
    assert visits and all(v.date < today for v in visits)
    assert all(c.date < today for c in checks)
    assert asked and max(asked) < today


# -- a store used across a time-zone or daylight-saving change -------------------------------


def test_a_store_used_across_time_zones_and_a_dst_change_keeps_its_audit_times_in_order(
    tmp_path, machine_tz
) -> None:
    db = tmp_path / "g.json"
    utc = dt.UTC
    # 05:30 UTC on 1 November 2026: 13:30 in Shanghai; New York leaves daylight saving
    # at 06:00 UTC that day (02:00 EDT becomes 01:00 EST).
    machine_tz("Asia/Shanghai")
    write_demo_store(
        db, today=dt.date(2026, 11, 1), now=dt.datetime(2026, 11, 1, 5, 30, tzinfo=utc)
    )
    clock = Clock(dt.datetime(2026, 11, 1, 5, 30, tzinfo=utc))

    def change(people: int) -> None:
        with Store.open(db, clock=clock, daily_backup=False) as store:
            household = min(store.iter(Household), key=lambda h: h.household_no)
            store.save(household.model_copy(update={"people": people}), actor="李敏")

    change(2)  # 13:30 +08:00
    machine_tz("America/New_York")  # the laptop is taken to New York
    clock.instant = dt.datetime(2026, 11, 1, 5, 40, tzinfo=utc)
    change(3)  # 01:40 -04:00 (EDT): the wall clock is 12 hours "earlier"
    clock.instant = dt.datetime(2026, 11, 1, 6, 10, tzinfo=utc)
    change(4)  # 01:10 -05:00 (EST): the wall clock went back 30 minutes
    machine_tz("UTC")
    clock.instant = dt.datetime(2026, 11, 1, 6, 20, tzinfo=utc)
    change(5)  # 06:20 +00:00

    times = assert_sound(db)
    real = times[-4:]
    assert [t.utcoffset().total_seconds() / 3600 for t in real] == [8, -4, -5, 0]
    walls = [t.replace(tzinfo=None) for t in real]
    assert walls != sorted(walls)  # as wall clocks they go back; as instants they do not
    for zone in ("Asia/Shanghai", "America/New_York"):  # wherever check runs
        machine_tz(zone)
        assert_sound(db)

    # The check still sees a clock really set back, across the zones: 06:20Z, then 05:00Z.
    clock.instant = dt.datetime(2026, 11, 1, 5, 0, tzinfo=utc)
    change(6)
    with Store.open(db, readonly=True) as store:
        findings = check_report(store).findings
    assert len(findings) == 1 and "往回调" in findings[0].message
