"""The demo store: deterministic, valid, consistent, and written as a sound store."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from grassroots_tui.demo import (
    LEDGER_HEADERS,
    build_demo,
    ledger_csv_bytes,
    ledger_rows,
    write_demo_store,
    write_ledgers,
    year_to_date_visit_rate,
)
from grassroots_tui.models import (
    AppointmentState,
    CaseStatus,
    Document,
    LeaveDecision,
    ProblemState,
    Satisfaction,
    SlipState,
    StaffRole,
    VisitKind,
    validate_document,
)
from grassroots_tui.models.validators import check_id_number, normalise_mobile
from grassroots_tui.services.check import check_store
from grassroots_tui.services.deadlines import compute_due, slip_status
from grassroots_tui.services.slips.clock import SlipSteps, timeline, view_of
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store, StoreError
from grassroots_tui.store.lock import WriterLock
from grassroots_tui.store.paths import StorePaths
from grassroots_tui.store.remove import remove_store

TODAY = date(2026, 11, 26)  # a Thursday, a working day
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
OPEN = (SlipState.ISSUED, SlipState.ACCEPTED, SlipState.EXTENDED, SlipState.REDO)


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return build_demo(TODAY)


@pytest.fixture(scope="module")
def by_kind(docs) -> dict[str, list[Document]]:
    grouped: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        grouped[doc.KIND].append(doc)
    # Slips as they stand (state, number, dates worked out from their steps).
    tables = {kind: [d.to_json() for d in found] for kind, found in grouped.items()}
    steps = SlipSteps(tables)
    grouped["handoff_slip"] = [
        view_of(raw, timeline(raw, steps.of(raw["id"]), None)) for raw in tables["handoff_slip"]
    ]
    return grouped


@pytest.fixture(scope="module")
def by_id(docs) -> dict[str, Document]:
    return {doc.id: doc for doc in docs}


def of_slip(by_kind, kind: str) -> dict[str, list[Document]]:
    found: dict[str, list[Document]] = defaultdict(list)
    for doc in by_kind[kind]:
        found[doc.slip_id].append(doc)
    return found


# -- determinism and validity -------------------------------------------------------------


def test_same_inputs_give_identical_documents(docs):
    again = build_demo(TODAY)
    assert [d.to_json() for d in again] == [d.to_json() for d in docs]


def test_another_seed_or_day_gives_other_documents(docs):
    other = build_demo(TODAY, seed=7)
    assert {d.id for d in other}.isdisjoint({d.id for d in docs})
    assert [d.to_json() for d in build_demo(date(2026, 11, 25))] != [d.to_json() for d in docs]


def test_every_document_validates_and_ids_are_unique(docs):
    for doc in docs:
        validate_document(doc.to_json())
    assert len({d.id for d in docs}) == len(docs)


def test_counts_at_scale_one(by_kind):
    stations = by_kind["station"]
    assert sorted(s.code for s in stations) == ["HL01", "HL02"]
    households = Counter(h.station_id for h in by_kind["household"])
    assert sorted(households.values()) == [260, 320]
    roles = Counter((s.station_id is None, s.role) for s in by_kind["staff"])
    assert roles[(True, StaffRole.SUPERVISOR)] in (2, 3)
    assert roles[(True, StaffRole.LEADER)] == 2
    assert roles[(False, StaffRole.HEAD)] == 2
    for station in stations:
        workers = [s for s in by_kind["staff"] if s.station_id == station.id]
        assert 4 <= sum(s.role is StaffRole.WORKER for s in workers) <= 6
        assert all(s.pin_hash is None for s in workers)


def test_scale_multiplies_households():
    small = build_demo(TODAY, scale=0.25)
    households = sum(d.KIND == "household" for d in small)
    assert households == round(320 * 0.25) + round(260 * 0.25)
    assert 0.75 <= year_to_date_visit_rate(small, TODAY) <= 0.85


@pytest.mark.parametrize("today", [date(2026, 1, 3), date(2027, 2, 10), date(2026, 6, 14)])
def test_other_days_build_valid_documents(today):
    # A Saturday at the start of a year; a year without holiday data; a Sunday mid-year.
    docs = build_demo(today, scale=0.2)
    for doc in docs:
        validate_document(doc.to_json())


# -- references ---------------------------------------------------------------------------


def test_references_resolve(by_kind, by_id):
    stations = {s.id for s in by_kind["station"]}
    staff = {s.id: s for s in by_kind["staff"]}
    households = {h.id: h for h in by_kind["household"]}

    def same_station(doc, ref_id):
        target = by_id[ref_id]
        assert target.station_id == doc.station_id, (doc.KIND, target.KIND)
        return target

    for kind, docs in by_kind.items():
        for doc in docs:
            if kind == "staff" and doc.role in (StaffRole.SUPERVISOR, StaffRole.LEADER):
                assert doc.station_id is None
            else:
                assert doc.station_id in stations, kind
    for visit in by_kind["visit"]:
        same_station(visit, visit.household_id)
        for visitor in visit.visitor_ids:
            assert staff[visitor].station_id == visit.station_id
        if visit.appointment_id:
            assert by_id[visit.appointment_id].visit_id == visit.id
        for problem in visit.problems:
            if problem.slip_id:
                slip = same_station(visit, problem.slip_id)
                if slip.visit_id == visit.id:
                    assert slip.problem_id == problem.id
    for appointment in by_kind["appointment"]:
        same_station(appointment, appointment.household_id)
        if appointment.visit_id:
            assert by_id[appointment.visit_id].appointment_id == appointment.id
    for slip in by_kind["handoff_slip"]:
        if slip.household_id:
            assert same_station(slip, slip.household_id).head_of_household == slip.person_name
        if slip.visit_id:
            visit = same_station(slip, slip.visit_id)
            problem = next(p for p in visit.problems if p.id == slip.problem_id)
            assert problem.slip_id == slip.id and problem.state is ProblemState.HANDED_OFF
            assert visit.household_id == slip.household_id
        if slip.lead_official:
            assert staff[slip.lead_official].role is StaffRole.LEADER
    for kind in ("reply", "slip_extension", "slip_return", "slip_reminder", "slip_callback"):
        for doc in by_kind[kind]:
            assert same_station(doc, doc.slip_id).KIND == "handoff_slip"
    for case in by_kind["hardship_case"]:
        same_station(case, case.household_id)
        assert staff[case.paired_cadre].station_id == case.station_id
    for kind in ("assistance", "hardship_review"):
        for doc in by_kind[kind]:
            assert same_station(doc, doc.case_id).KIND == "hardship_case"
    for round_ in by_kind["condolence_round"]:
        for item in round_.items:
            assert same_station(round_, item.case_id).household_id == item.household_id
    for shift in by_kind["duty_shift"]:
        assert all(staff[s].station_id == shift.station_id for s in shift.staff_ids)
    for leave in by_kind["leave_request"]:
        assert staff[leave.staff_id].station_id == leave.station_id
        if leave.substitute_id:
            assert staff[leave.substitute_id].station_id == leave.station_id
    for check in by_kind["supervision_check"]:
        assert staff[check.supervisor_id].role is StaffRole.SUPERVISOR
        for item in check.rectifications:
            if item.slip_id:
                assert same_station(check, item.slip_id).KIND == "handoff_slip"
    assert households  # the registry is not empty


def test_dates_are_not_after_today_except_planned_ones(by_kind):
    dated = {
        "visit": ["date"],
        "handoff_slip": ["issue_date"],
        "reply": ["reply_date"],
        "slip_extension": ["requested_on"],
        "slip_return": ["returned_on"],
        "slip_reminder": ["sent_on"],
        "slip_callback": ["date"],
        "hardship_case": ["opened_on", "exit_on", "callback_on"],
        "assistance": ["date"],
        "hardship_review": ["date"],
        "condolence_round": ["started_on"],
        "leave_request": ["requested_on"],
        "supervision_check": ["date"],
        "station_activity": ["date"],
    }
    window_start = date(2025, 11, 27)
    for kind, names in dated.items():
        for doc in by_kind[kind]:
            for name in names:
                value = getattr(doc, name)
                assert value is None or value <= TODAY, (kind, name, value)
    for visit in by_kind["visit"]:
        assert window_start <= visit.date < TODAY
    for appointment in by_kind["appointment"]:
        assert appointment.requested_at.date() < TODAY
    assert max(s.date for s in by_kind["duty_shift"]) > TODAY  # next month's roster
    assert min(s.date for s in by_kind["duty_shift"]) < TODAY


# -- visits and appointments ----------------------------------------------------------------


def test_visit_rate_for_the_year_is_about_eighty_percent(docs, by_kind):
    assert 0.75 <= year_to_date_visit_rate(docs, TODAY) <= 0.85
    for station in by_kind["station"]:
        mine = [d for d in docs if d.station_id == station.id]
        assert 0.75 <= year_to_date_visit_rate(mine, TODAY) <= 0.85


def test_visits_of_every_kind_and_problems_in_every_state(by_kind):
    stations = {s.id: s for s in by_kind["station"]}
    rural = next(s.id for s in by_kind["station"] if s.code == "HL02")
    kinds = Counter(v.visit_kind for v in by_kind["visit"])
    assert set(kinds) == set(VisitKind)
    assert kinds[VisitKind.DOOR] > sum(kinds.values()) / 2
    night = [v for v in by_kind["visit"] if v.visit_kind is VisitKind.NIGHT]
    assert night and all(v.station_id == rural for v in night)
    assert all(v.joint_departments for v in by_kind["visit"] if v.visit_kind is VisitKind.JOINT)
    evening = [
        v
        for v in by_kind["visit"]
        if v.start_time > stations[v.station_id].working_end or v.date.weekday() >= 5
    ]
    assert len(evening) > 30  # 错时走访 in the evening and at weekends
    states = Counter(p.state for v in by_kind["visit"] for p in v.problems)
    assert set(states) == set(ProblemState)


def test_appointments(by_kind):
    states = Counter(a.state for a in by_kind["appointment"])
    assert set(states) == set(AppointmentState)
    assert any(
        a.planned_date == TODAY and a.state is AppointmentState.PENDING
        for a in by_kind["appointment"]
    )
    for a in by_kind["appointment"]:
        if a.state in (AppointmentState.DONE, AppointmentState.MISSED):
            assert a.planned_date < TODAY


# -- handoff slips ------------------------------------------------------------------------


def test_slips_in_every_state_with_numbers_per_station_and_year(by_kind):
    slips = by_kind["handoff_slip"]
    assert {s.state for s in slips} == set(SlipState)
    stations = {s.id: s for s in by_kind["station"]}
    numbers: dict[tuple[str, int], list[str]] = defaultdict(list)
    for slip in sorted(slips, key=lambda s: (s.issue_date or TODAY, s.id)):
        if slip.state is SlipState.DRAFTED:
            assert slip.number is None and slip.issue_date is None
            continue
        numbers[(slip.station_id, slip.issue_date.year)].append(slip.number)
    for (station_id, year), found in numbers.items():
        station = stations[station_id]
        assert found == [station.slip_number(year, n) for n in range(1, len(found) + 1)]


def test_slip_actions_match_each_state(by_kind):
    replies = of_slip(by_kind, "reply")
    callbacks = of_slip(by_kind, "slip_callback")
    extensions = of_slip(by_kind, "slip_extension")
    returns = of_slip(by_kind, "slip_return")
    for slip in by_kind["handoff_slip"]:
        mine = sorted(callbacks[slip.id], key=lambda c: c.date)
        rule_due = (
            compute_due(slip.issue_date, slip.deadline_rule).date if slip.issue_date else None
        )
        if slip.state in (SlipState.DRAFTED, SlipState.ISSUED, SlipState.ACCEPTED):
            assert not replies[slip.id] and not mine
        if slip.state in (SlipState.REPLIED, SlipState.CLOSED, SlipState.REDO):
            assert replies[slip.id]
            assert all(slip.issue_date <= r.reply_date for r in replies[slip.id])
        if slip.state is SlipState.CLOSED:
            assert mine[-1].satisfaction is not Satisfaction.UNSATISFIED
        if slip.state is SlipState.REDO:
            assert mine[-1].satisfaction is Satisfaction.UNSATISFIED
            assert slip.due_date == compute_due(mine[-1].date, slip.deadline_rule).date
        if slip.state is SlipState.RETURNED:
            assert returns[slip.id] and returns[slip.id][0].reason
        if slip.state is SlipState.EXTENDED or extensions[slip.id]:
            (extension,) = extensions[slip.id]
            assert slip.original_due_date == rule_due
            assert slip.due_date == extension.new_due_date != rule_due
        elif slip.state is not SlipState.DRAFTED and not any(
            c.satisfaction is Satisfaction.UNSATISFIED for c in mine
        ):
            assert slip.due_date == rule_due
            assert slip.original_due_date is None


def test_slip_clocks_relative_to_today(by_kind):
    clocks = [slip_status(s.due_date, TODAY) for s in by_kind["handoff_slip"] if s.state in OPEN]
    overdue = [c for c in clocks if c.state == "overdue"]
    assert len(overdue) >= 4
    assert sum(c.working_days_overdue > 5 for c in overdue) >= 2
    assert any(c.state == "due_today" for c in clocks)
    assert sum(c.state == "warning" for c in clocks) >= 2  # due within 3 days
    assert any(c.state == "ok" for c in clocks)
    reminded = of_slip(by_kind, "slip_reminder")
    for slip in by_kind["handoff_slip"]:
        if slip.state in OPEN and slip.due_date < TODAY:
            assert reminded[slip.id], slip.number
    satisfaction = Counter(c.satisfaction for c in by_kind["slip_callback"])
    assert set(satisfaction) == set(Satisfaction)


def test_a_household_petitions_twice_under_one_lead_official(by_kind):
    leads = defaultdict(set)
    counts = Counter()
    for slip in by_kind["handoff_slip"]:
        if slip.household_id and slip.lead_official:
            leads[slip.household_id].add(slip.lead_official)
            counts[slip.household_id] += 1
    repeated = [h for h, n in counts.items() if n >= 2 and len(leads[h]) == 1]
    assert len(repeated) >= 2  # one per station


# -- hardship, roster, supervision, activities --------------------------------------------


def test_hardship_cases_and_condolence_rounds(by_kind):
    cases = by_kind["hardship_case"]
    assert {c.status for c in cases} == set(CaseStatus)
    assert len({c.tier for c in cases}) == 3 and len({c.review_cycle for c in cases}) == 3
    sources = {a.source for a in by_kind["assistance"]}
    assert {"民政", "工会", "商会", "妇联", "社区", "企业"} <= sources
    assert by_kind["hardship_review"]
    current = [r for r in by_kind["condolence_round"] if r.started_on > date(2026, 11, 1)]
    assert len(current) == 2
    for round_ in current:
        done = sum(item.done for item in round_.items)
        assert 0 < done < len(round_.items) and abs(2 * done - len(round_.items)) <= 1


def test_duty_roster_and_leave(by_kind):
    shifts = by_kind["duty_shift"]
    calendar = OfficialCalendar()
    assert all(calendar.is_workday(s.date) for s in shifts)  # 调休 Saturdays included
    leaves = by_kind["leave_request"]
    approved = [x for x in leaves if x.decision is LeaveDecision.APPROVED]
    assert approved and all(x.substitute_id and x.approver for x in approved)
    assert any(x.requested_on > x.start_date for x in approved)  # 补假
    assert any(x.decision is LeaveDecision.PENDING for x in leaves)
    on_duty = {(s.date, i) for s in shifts for i in s.staff_ids}
    for leave in approved:
        assert (leave.start_date, leave.staff_id) not in on_duty
        assert (leave.start_date, leave.substitute_id) in on_duty


def test_supervision_checks(by_kind):
    checks = by_kind["supervision_check"]
    per_day = Counter((c.supervisor_id, c.date) for c in checks)
    assert set(per_day.values()) == {1, 2}  # both stations most days, some days below target
    assert len({c.date.month for c in checks}) == 12
    assert any(c.rectifications for c in checks)
    assert any(r.slip_id for c in checks for r in c.rectifications)


def test_three_threes_and_media(by_kind):
    activities = by_kind["station_activity"]
    for station in by_kind["station"]:
        kinds = Counter(a.activity_type.value for a in activities if a.station_id == station.id)
        for kind in ("cultural", "petition_stability", "hardship_activity"):
            assert kinds[kind] >= 1
    media = [a for a in activities if a.activity_type.value == "media_report"]
    assert len(media) == 7 and all(a.outlet for a in media)
    assert all(a.date.year == TODAY.year for a in activities)
    assert all(a.pairs for a in activities if a.activity_type.value == "petition_stability")


# -- the store ----------------------------------------------------------------------------


def test_write_demo_store_is_sound_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "demo" / "g.json"
    summary = write_demo_store(path, today=TODAY)
    assert "住户 580" in summary and "走访率" in summary
    store = Store.open(path, readonly=True)
    try:
        assert check_store(store) == []
        assert store.count("household") == 580
        audit = store.raw("audit_entry")
        assert {e["actor"] for e in audit} == {"演示数据"}
        assert len({e["txn"] for e in audit}) == 1  # one transaction
        assert {e["at"][:10] for e in audit} == {TODAY.isoformat()}
    finally:
        store.close()
    with pytest.raises(StoreError, match="已有数据"):
        write_demo_store(path, today=TODAY)
    write_demo_store(path, today=TODAY, seed=5, force=True)
    kept = list(StorePaths.for_main(path).backups.glob("*-removed.json"))
    assert len(kept) == 1  # the replaced store is kept, restorable
    store = Store.open(path, readonly=True)
    try:
        assert store.count("household") == 580
        assert check_store(store) == []
    finally:
        store.close()


def test_removal_refuses_while_the_store_is_held(tmp_path):
    path = tmp_path / "g.json"
    with Store.open(path) as store:
        store.save(build_demo(TODAY, scale=0.01)[0], actor="测试")
        with pytest.raises(StoreError, match="正被另一个程序打开"):
            remove_store(path)
        with pytest.raises(StoreError):
            write_demo_store(path, today=TODAY, force=True)
    lock = WriterLock(StorePaths.for_main(path).lock)
    lock.acquire()
    try:
        with pytest.raises(StoreError):
            remove_store(path)
    finally:
        lock.release()
    signin = StorePaths.for_main(path).signin
    signin.write_text("staff names kept for the sign-in screen")
    assert remove_store(path) is not None
    assert not path.exists()
    assert not signin.exists()  # the staff's names go with the store
    assert remove_store(path) is None  # nothing left to remove


# -- the sample ledger --------------------------------------------------------------------


def test_committed_ledgers_are_what_write_ledgers_produces(tmp_path):
    xlsx, csv_path = write_ledgers(tmp_path)
    assert (SAMPLE_DATA / csv_path.name).read_bytes() == csv_path.read_bytes()
    assert read_xlsx(SAMPLE_DATA / xlsx.name) == read_xlsx(xlsx)
    assert csv_path.read_bytes() == ledger_csv_bytes()


def read_xlsx(path: Path) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_ledgers_parse_with_the_right_headers_and_valid_ids():
    from openpyxl import load_workbook

    rows = ledger_rows()
    assert len(rows) == 60
    raw = (SAMPLE_DATA / "households_ledger.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(parsed[0]) == LEDGER_HEADERS
    assert parsed[1:] == [[str(r[h]) for h in LEDGER_HEADERS] for r in rows]
    sheet = load_workbook(SAMPLE_DATA / "households_ledger.xlsx").active
    assert tuple(c.value for c in sheet[1]) == LEDGER_HEADERS
    for cell in sheet["C"][1:] + sheet["D"][1:]:
        assert cell.data_type == "s" and cell.number_format == "@"
    numbers = set()
    for row in rows:
        assert row["户号"].startswith("HL03-")
        assert check_id_number(row["身份证号"]) == row["身份证号"]
        assert normalise_mobile(row["联系电话"]) == row["联系电话"]
        assert isinstance(row["人口数"], int) and row["人口数"] >= 1
        tags = row["标签"].split("、") if row["标签"] else []
        assert len(tags) == len(set(tags))
        numbers.add(row["户号"])
    assert len(numbers) == 60
    assert sum(bool(r["标签"]) and "、" in r["标签"] for r in rows) >= 3


def test_the_importer_reads_both_ledgers():
    importer = pytest.importorskip("grassroots_tui.services.household_import")
    for name in ("households_ledger.xlsx", "households_ledger.csv"):
        ledger = importer.read_ledger(SAMPLE_DATA / name)
        assert len(ledger.rows) == 60
        assert set(ledger.columns.values()) == set(LEDGER_HEADERS)
        assert not ledger.ignored_columns
