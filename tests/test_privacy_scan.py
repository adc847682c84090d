"""Every export, print and notice the program makes, scanned for residents' personal data.

The store is the bundled demo (:func:`grassroots_tui.demo.write_demo_store`) plus
one planted resident whose name, ID number and phone number are also written into free
text (a slip's title and description, a visit problem's description) and who is on a
送温暖 round. Every output is made through the ``grassroots`` command in this process
(``grassroots_tui.cli.main``) and scanned: no whole ID number, no whole phone number and
no whole resident name (head of household, member of a hardship case, a slip's 当事人)
may appear in anything masked by default (docs/design.md#personal-information). The
``--unmasked`` outputs must show them whole and are recorded in the audit trail; masked
outputs record nothing.

Names of the station's own people (staff, handling officers, signers, visitors) are
shown whole by design; a resident who happens to share such a name (or a part of it:
"欧阳英" inside the officer "欧阳英晓") is not a leak, so those names are blanked out of
the text before it is scanned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grassroots_tui.cli import main
from grassroots_tui.demo import write_demo_store
from grassroots_tui.models import HardshipCase, Household, SlipIssue, Visit
from grassroots_tui.models.base import new_id
from grassroots_tui.services.condolence import mark_done, start_round
from grassroots_tui.services.slips.clock import views as slip_views
from grassroots_tui.store import Store
from grassroots_tui.store.store import AUDIT
from tests.factories import id_number
from tests.sign_in_helpers import add_member, sign_in_env

TODAY = dt.date(2026, 11, 26)
MONTH = "2026-11"
ACTOR = "隐私扫描"
ACTOR_ID = "staff-privacy-scan"

#: The planted resident: a compound surname, so the masked form is "诸葛**".
NAME = "诸葛慧琳"
MEMBER = "诸葛明远"
ID = id_number(region="430121", born="19800615", seq="527")
PHONE = "13700112233"
ROUND_TITLE = "隐私扫描慰问"
#: A registered neighbour (another household's head) named only inside the planted
#: resident's free text: masked there because the store knows the name, not because the
#: text is about their household.
NEIGHBOUR = "司马晓雯"
#: An ID number with a wrong check digit, as a ledger row could hold it.
BAD_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")


@dataclass
class Sensitive:
    """What the scanner looks for, and the staff names it blanks out first."""

    ids: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    officials: list[str] = field(default_factory=list)  # longest first

    def find(self, text: str) -> list[str]:
        """Every sensitive value found whole in ``text``."""
        hits = [v for v in self.ids | self.phones if v in text]
        for official in self.officials:
            text = text.replace(official, "＃")
        hits += [n for n in self.names if n in text]
        return sorted(hits)


def xlsx_text(path: Path) -> str:
    """Every cell of every sheet, one per line."""
    book = load_workbook(path)
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def read_output(path: Path) -> str:
    if path.suffix == ".xlsx":
        return xlsx_text(path)
    return path.read_bytes().decode("utf-8-sig")


def run_cli(db: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--db", str(db)])
    return code, out.getvalue(), err.getvalue()


def audit_count(db: Path) -> int:
    store = Store.open(db, readonly=True, daily_backup=False)
    try:
        return len(store.tables.get(AUDIT, {}))
    finally:
        store.close()


def export_entries(db: Path) -> list[dict]:
    store = Store.open(db, readonly=True, daily_backup=False)
    try:
        return [e for e in store.tables.get(AUDIT, {}).values() if e.get("action") == "export"]
    finally:
        store.close()


# -- the store -------------------------------------------------------------------------------


def _plant(store: Store) -> dict[str, str]:
    """The planted resident's household, slip, visit, case and round; their ids."""
    slips = sorted(
        (
            s
            for s in slip_views(store, None).values()
            if s.state.value == "issued" and s.number and s.issue_date
        ),
        key=lambda s: s.issue_date or dt.date.min,
    )
    template = slips[0]  # the oldest issued slip: overdue on TODAY, so on the board
    home = Household(
        station_id=template.station_id,
        household_no="ZG-0001",
        head_of_household=NAME,
        id_number=ID,
        phone=PHONE,
        address="湘龙小区9栋1单元101",
        grid="一网格",
        people=3,
        registered_on=dt.date(2020, 1, 1),
    )
    store.save(home, ACTOR)
    neighbour = home.model_copy(
        update={
            "id": new_id(),
            "rev": 0,
            "household_no": "ZG-0010",
            "head_of_household": NEIGHBOUR,
            "id_number": None,
            "phone": None,
            "address": "湘龙小区9栋1单元201",
        }
    )
    store.save(neighbour, ACTOR)
    slip = template.stored().model_copy(
        update={
            "id": new_id(),
            "rev": 0,
            "title": f"{NAME}反映{NEIGHBOUR}家杂物堵塞楼道（电话{PHONE}）",
            "description": f"{NAME}（身份证{ID}，电话{PHONE}）反映邻居{NEIGHBOUR}的杂物堵塞楼道。",
            "household_id": home.id,
            "person_name": NAME,
            "legacy": None,
            "visit_id": None,
            "problem_id": None,
        }
    )
    number = (template.number or "").replace("号", "9号")
    issued = SlipIssue(
        station_id=slip.station_id,
        slip_id=slip.id,
        issued_on=template.issue_date,
        number=number,
    )
    store.save_many([slip, issued], ACTOR)
    visits = [
        v
        for v in store.iter(Visit)
        if v.station_id == template.station_id and v.date.month == 11 and v.problems
    ]
    visit = visits[0]
    problem = visit.problems[0].model_copy(
        update={
            "id": new_id(),
            "description": f"{NAME}说电话{PHONE}常打不通，身份证{ID}，邻居{NEIGHBOUR}也是",
        }
    )
    planted_visit = visit.model_copy(
        update={"id": new_id(), "rev": 0, "household_id": home.id, "problems": [problem]}
    )
    store.save(planted_visit, ACTOR)
    cases = [
        c
        for c in store.iter(HardshipCase)
        if c.status.value == "active" and c.station_id == template.station_id
    ]
    case = cases[0].model_copy(
        update={"id": new_id(), "rev": 0, "household_id": home.id, "members": [NAME, MEMBER]}
    )
    store.save(case, ACTOR)
    found = start_round(
        store,
        title=ROUND_TITLE,
        started_on=TODAY,
        station_id=template.station_id,
        tier=None,
        actor=ACTOR,
    )
    mark_done(
        store,
        found.id,
        case.id,
        given=f"米一袋，由邻居{NEIGHBOUR}代收",
        by=ACTOR,
        on=TODAY,
        actor=ACTOR,
    )
    code = store.get_raw("station", template.station_id)["code"]
    return {"slip": number, "round": found.id, "station": template.station_id, "code": code}


@dataclass
class Demo:
    db: Path
    sensitive: Sensitive
    planted: dict[str, str]
    slips: list[str]  # numbers of several slips, the planted one included
    rounds: list[str]
    leaves: list[str]


def _sensitive(store: Store) -> Sensitive:
    found = Sensitive()
    for home in store.raw("household"):
        found.ids.add(home.get("id_number") or "")
        found.phones.add(home.get("phone") or "")
        found.names.add(home.get("head_of_household") or "")
    for case in store.raw("hardship_case"):
        found.names.update(case.get("members") or ())
    for slip in store.raw("handoff_slip"):
        found.names.add(slip.get("person_name") or "")
    for staff in store.raw("staff"):
        found.phones.add(staff.get("phone") or "")  # a staff member's own phone, too
    officials = {s.get("name") for s in store.raw("staff")}
    for slip in store.raw("handoff_slip"):
        officials |= {slip.get("assignee"), slip.get("responsible_person")}
    for reply in store.raw("reply"):
        officials |= {reply.get("signer"), reply.get("handler")}
    for call in store.raw("slip_callback"):
        officials.add(call.get("by"))
    for found_round in store.raw("condolence_round"):
        officials |= {item.get("by") for item in found_round.get("items") or ()}
    officials.discard(NAME)
    found.officials = sorted({o for o in officials if o}, key=len, reverse=True)
    # A one-character "name" would match everywhere; mask_name shows those as "*" anyway.
    found.names = {n for n in found.names if len(n) >= 2}
    found.ids.discard("")
    found.phones.discard("")
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    db = tmp_path_factory.mktemp("privacy") / "data" / "grassroots.json"
    write_demo_store(db, today=TODAY)
    store = Store.open(db, daily_backup=False)
    try:
        planted = _plant(store)
        # The head who prints unmasked, signed in with a PIN (tests/sign_in_helpers.py).
        station_id = sorted(s["id"] for s in store.raw("station"))[0]
        add_member(store, ACTOR, station_id=station_id, staff_id=ACTOR_ID)
        sensitive = _sensitive(store)
        numbers = sorted(s["number"] for s in store.raw("handoff_slip") if s.get("number"))
        slips = [planted["slip"], *numbers[:: max(1, len(numbers) // 8)]]
        rounds = [r["id"] for r in store.raw("condolence_round")]
        leaves = [
            r["id"]
            for r in store.raw("leave_request")
            if r.get("decision") == "approved" and r.get("substitute_id")
        ]
    finally:
        store.close()
    assert NAME in sensitive.names and ID in sensitive.ids and PHONE in sensitive.phones
    assert NEIGHBOUR in sensitive.names
    sensitive.ids.add(BAD_ID)
    sensitive.phones.add(PHONE + "9")
    return Demo(db, sensitive, planted, slips, rounds, leaves)


@pytest.fixture
def demo(template: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    """A private copy of the demo store (the unmasked outputs write audit entries); the
    command line signs in as the head :data:`ACTOR` through the environment."""
    sign_in_env(monkeypatch, ACTOR)
    folder = tmp_path / "data"
    shutil.copytree(template.db.parent, folder)
    yield Demo(
        folder / template.db.name,
        template.sensitive,
        template.planted,
        template.slips,
        template.rounds,
        template.leaves,
    )


# -- the masked outputs ----------------------------------------------------------------------


def masked_outputs(demo: Demo, out: Path) -> dict[str, str]:
    """Every output made by default (masked), by label; every command must succeed."""
    outputs: dict[str, str] = {}

    def run(label: str, *argv: str) -> None:
        code, stdout, stderr = run_cli(demo.db, *argv)
        assert code == 0, f"{label}: {stderr}"
        outputs[label] = stdout

    day = TODAY.isoformat()
    for fmt in ("csv", "json", "md"):
        run(
            f"stats {fmt} (screen)",
            "export",
            "stats",
            "--month",
            MONTH,
            "--format",
            fmt,
            "--out",
            "-",
        )
        run(f"stats {fmt} (exports folder)", "export", "stats", "--month", MONTH, "--format", fmt)
    for slip in demo.slips:
        run(f"print {slip}", "slips", "print", slip)
        run(
            f"print {slip} html file",
            "slips",
            "print",
            slip,
            "--html",
            "--out",
            str(out / f"slip-{len(outputs)}.html"),
        )
        code, stdout, stderr = run_cli(demo.db, "slips", "remind", slip, "--on", day)
        if code == 0:  # a reminder only for a slip that is still open
            outputs[f"remind {slip}"] = stdout
            run(f"remind {slip} html", "slips", "remind", slip, "--on", day, "--html")
        else:
            assert "错误" in stderr
    assert f"remind {demo.planted['slip']}" in outputs
    run("overdue json", "slips", "overdue", "--on", day, "--json")
    run("overdue table", "slips", "overdue", "--on", day)
    for found in demo.rounds:
        run(
            f"round {found} csv",
            "hardship",
            "round",
            "export",
            found,
            "--out",
            str(out / f"round-{len(outputs)}.csv"),
        )
        run(f"round {found} md", "hardship", "round", "export", found, "--format", "md")
    run("round list", "hardship", "round", "list", "--json")
    run("due json", "hardship", "due", "--on", day, "--json")
    run("due table", "hardship", "due", "--on", day)
    assert demo.leaves, "the demo has no approved leave with a substitute"
    for leave in demo.leaves:
        run(f"leave {leave}", "leave", "notice", leave, "--on", day)
        run(
            f"leave {leave} html",
            "leave",
            "notice",
            leave,
            "--on",
            day,
            "--html",
            "--out",
            str(out / f"leave-{len(outputs)}.html"),
        )
    for month in ("2026-10", MONTH):
        run(f"roster {month}", "roster", "show", "--month", month)
        run(f"supervision {month}", "supervision", "report", "--month", month)
        run(f"supervision {month} json", "supervision", "report", "--month", month, "--json")
    # The import preview (not confirmed: no terminal and no --yes) names rows, not people.
    ledger = out.parent / "ledger.csv"
    ledger.write_text(
        "户号,户主姓名,身份证号,联系电话,地址,网格,人口数,标签\n"
        f"ZG-0002,{NAME},{ID},{PHONE},湘龙小区9栋1单元102,一网格,2,\n"
        f"ZG-0003,{MEMBER},{BAD_ID},{PHONE}9,湘龙小区9栋1单元103,一网格,2,\n",
        encoding="utf-8-sig",
    )
    for extra in ((), ("--allow-rejected",)):
        code, stdout, stderr = run_cli(
            demo.db,
            "import",
            "households",
            str(ledger),
            "--station",
            demo.planted["code"],
            *extra,
        )
        assert code in (1, 2) and "第 3 行" in stdout + stderr, stdout + stderr
        outputs[f"import preview {extra}"] = stdout + stderr
    for path in sorted(out.iterdir()):
        outputs[f"file {path.name}"] = read_output(path)
    exports = demo.db.parent / "exports"
    for path in sorted(exports.iterdir()):
        if path.suffix != ".xlsx":
            outputs[f"export {path.name}"] = read_output(path)
    return outputs


def test_no_masked_output_holds_a_whole_id_phone_or_resident_name(
    demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = audit_count(demo.db)
    outputs = masked_outputs(demo, out)
    leaks = {label: hits for label, text in outputs.items() if (hits := demo.sensitive.find(text))}
    assert not leaks, f"masked outputs show personal data: {leaks}"
    # The planted resident is in the outputs, masked: the scan looked at the right text.
    everything = "\n".join(outputs.values())
    assert "诸葛**" in everything
    assert PHONE[:3] + "****" + PHONE[-4:] in everything
    assert ID[:4] + "*" * 10 + ID[-4:] in everything
    assert len(outputs) >= 40
    # Masked output is not recorded: the audit trail did not grow.
    assert audit_count(demo.db) == before


STRUCTURED_COLUMNS = {"户主", "户号", "站点", "状态", "类别"}


def _stats_xlsx(demo: Demo, tmp_path: Path) -> Path:
    path = tmp_path / "stats.xlsx"
    code, _out, err = run_cli(demo.db, "export", "stats", "--month", MONTH, "--out", str(path))
    assert code == 0, err
    return path


def test_stats_xlsx_masks_the_head_of_household_column(demo: Demo, tmp_path: Path) -> None:
    book = load_workbook(_stats_xlsx(demo, tmp_path))
    checked = 0
    for sheet in book.worksheets[1:]:
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for title, value in zip(header, row, strict=False):
                if title in STRUCTURED_COLUMNS and value is not None:
                    checked += 1
                    assert not demo.sensitive.find(str(value)), (sheet.title, title, value)
    assert checked > 100
    assert "诸葛**" in xlsx_text(tmp_path / "stats.xlsx")


def test_stats_xlsx_masks_free_text_too(demo: Demo, tmp_path: Path) -> None:
    text = xlsx_text(_stats_xlsx(demo, tmp_path))
    assert demo.sensitive.find(text) == []


# -- the scanner can fail --------------------------------------------------------------------


def test_the_scanner_finds_planted_values(template: Demo, tmp_path: Path) -> None:
    s = template.sensitive
    assert s.find(f"身份证号：{ID}。") == [ID]
    assert s.find(f"电话 {PHONE}") == [PHONE]
    assert s.find(f"户主{NAME}反映") == [NAME]
    assert s.find(f"家属{MEMBER}") == [MEMBER]
    # The masked forms are not findings.
    assert s.find(f"{ID[:4]}**********{ID[-4:]} 诸葛** 137****2233") == []
    # Also inside an .xlsx cell.
    from openpyxl import Workbook

    book = Workbook()
    book.active["C7"] = f"户主 {NAME}，{ID}"
    book.save(tmp_path / "planted.xlsx")
    assert s.find(xlsx_text(tmp_path / "planted.xlsx")) == sorted([ID, NAME])


# -- unmasked output -------------------------------------------------------------------------


def test_unmasked_slip_print_shows_everything_and_is_audited(demo: Demo, tmp_path: Path) -> None:
    before = export_entries(demo.db)
    path = tmp_path / "unmasked.txt"
    code, _out, err = run_cli(
        demo.db,
        "slips",
        "print",
        demo.planted["slip"],
        "--unmasked",
        "--out",
        str(path),
    )
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert {ID, PHONE, NAME} <= set(demo.sensitive.find(text))
    after = export_entries(demo.db)
    assert len(after) == len(before) + 1
    (entry,) = [e for e in after if e not in before]
    assert entry["actor"] == f"{ACTOR}#{ACTOR_ID}" and entry["target_kind"] == "handoff_slip"
    assert "未遮蔽" in entry["note"] and str(path.resolve()) in entry["note"]


def test_unmasked_round_export_shows_everything_and_is_audited(demo: Demo, tmp_path: Path) -> None:
    before = export_entries(demo.db)
    code, out, err = run_cli(
        demo.db,
        "hardship",
        "round",
        "export",
        demo.planted["round"],
        "--unmasked",
    )
    assert code == 0, err
    assert {PHONE, NAME} <= set(demo.sensitive.find(out))
    after = export_entries(demo.db)
    assert len(after) == len(before) + 1
    (entry,) = [e for e in after if e not in before]
    assert entry["actor"] == f"{ACTOR}#{ACTOR_ID}" and entry["target_kind"] == "condolence_round"
    assert ROUND_TITLE in entry["note"] and "未遮蔽" in entry["note"]


def test_unmasked_output_is_refused_when_it_cannot_be_recorded(demo: Demo, tmp_path: Path) -> None:
    holder = Store.open(demo.db, daily_backup=False)  # another holder: the CLI is read-only
    try:
        before = len(holder.tables.get(AUDIT, {}))
        for argv in (
            ("slips", "print", demo.planted["slip"], "--unmasked"),
            ("hardship", "round", "export", demo.planted["round"], "--unmasked"),
        ):
            code, out, err = run_cli(demo.db, *argv)
            assert code != 0
            assert "审计" in err
            assert not demo.sensitive.find(out)
        assert len(holder.tables.get(AUDIT, {})) == before
    finally:
        holder.close()
