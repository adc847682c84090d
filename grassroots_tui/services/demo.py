"""The demo store: a fictional street office (湘龙街道) with two stations and twelve months
of work up to a given day, built from the data files in ``sample_data/``.

- :func:`build_demo` is pure and deterministic: the same ``today``, ``seed`` and ``scale``
  give identical documents, ids included (every id comes from a seeded ``random.Random``).
- :func:`write_demo_store` writes those documents into a new store in one transaction,
  recorded as written at 08:00 on ``today`` or at the moment it runs if that is earlier
  (:func:`demo_stamp`): a real change made right after never looks like a clock set back.
- :func:`write_ledgers` writes the sample household ledger (``households_ledger.xlsx`` and
  ``.csv``, station HL03) that the import can be tried on.

What the demo holds, for ``scale=1.0``:

- station HL01 湘景社区 (city: compounds, buildings, units, 错时走访 in the evening and at
  weekends, 预约走访单) with 320 households, and HL02 高沙社区 (rural: village groups, 夜访)
  with 260; a head and 4–5 workers each; three supervisors (督导) and two leaders (包案领导)
  of the street office with no station;
- visits of all four kinds over the twelve months up to yesterday, reaching a cumulative
  visit rate of about 80 % for the year to date (lower in the first three months of a
  year, when the rate ramps up), with problems in every state;
- appointments pending (some for today), missed, cancelled and done (linked to visits);
- handoff slips in every state, numbered per station and year, due dates from
  :func:`~grassroots_tui.services.deadlines.compute_due`; relative to ``today`` some are
  overdue (some by more than 5 working days), due today or within 3 days; replies,
  extensions (the original due date kept), returns, reminders and callbacks match each
  slip's state; one household per station petitions twice under the same lead official;
- hardship cases in every status with assistance records, reviews, a finished Spring
  Festival round and a festival round that is half done;
- duty shifts on working days from two months back to one month ahead, with leave
  (approved with a substitute, a late sick-leave request, a pending one, a refused one);
- supervision checks. The target is 3 stations per supervisor per day, but the store has
  only two stations: on most supervision days both are checked and the finding notes
  that a third station, not in the demo, was also visited; some days only one station is
  checked and the finding says the target was missed;
- the 三三工作法 activities of each station this year and seven media reports.

``scale`` multiplies the households and everything that grows with them (visits,
appointments, slips, hardship cases); the stations, staff, rosters, supervision and
activities stay as they are.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

from grassroots_tui.models import (
    KINDS,
    ActivityType,
    Appointment,
    AppointmentState,
    Assistance,
    AssistanceForm,
    CaseStatus,
    CheckItem,
    CondolenceItem,
    CondolenceRound,
    Document,
    DutyShift,
    HandoffSlip,
    HardshipCase,
    HardshipCause,
    HardshipReview,
    HardshipTier,
    Household,
    LeaveDecision,
    LeaveKind,
    LeaveRequest,
    ProblemItem,
    ProblemState,
    Rating,
    Rectification,
    RectificationState,
    Reply,
    ResponsibilityPair,
    ReviewCycle,
    Satisfaction,
    SlipCallback,
    SlipExtension,
    SlipReminder,
    SlipReturn,
    SlipSource,
    SlipState,
    Staff,
    StaffRole,
    Station,
    StationActivity,
    SupervisionCheck,
    Visit,
    VisitKind,
)
from grassroots_tui.models.validators import id_check_char
from grassroots_tui.services.deadlines import compute_due
from grassroots_tui.services.sample_data import load
from grassroots_tui.services.workcalendar import OfficialCalendar

__all__ = [
    "DEMO_ACTOR",
    "LEDGER_HEADERS",
    "build_demo",
    "demo_stamp",
    "ledger_rows",
    "summarize",
    "write_demo_store",
    "write_ledgers",
]

#: Who the demo documents are created by in the audit trail.
DEMO_ACTOR = "演示数据"
#: The columns of the sample household ledger, in order.
LEDGER_HEADERS: tuple[str, ...] = (
    "户号",
    "户主姓名",
    "身份证号",
    "联系电话",
    "地址",
    "网格",
    "人口数",
    "标签",
)
LEDGER_STATION = "HL03"
LEDGER_FILES = ("households_ledger.xlsx", "households_ledger.csv")

_D = TypeVar("_D", bound=Document)

CST = timezone(timedelta(hours=8), "CST")
ONE_DAY = timedelta(days=1)
#: The demo's documents are recorded as written at this hour of ``today`` (or earlier).
DEMO_HOUR = time(8, 0)
DEMO_STATIONS = ("HL01", "HL02")
#: However small the scale, a station has this many households (and so 5+ hardship cases).
MIN_HOUSEHOLDS = 20


# -- small helpers ----------------------------------------------------------------------


class _Rand(random.Random):
    """``random.Random`` with the few helpers the generators share."""

    def uid(self) -> str:
        return str(uuid.UUID(int=self.getrandbits(128), version=4))

    def weighted(self, weights: Mapping[str, float]) -> str:
        keys = [k for k, w in weights.items() if w > 0]
        return self.choices(keys, weights=[weights[k] for k in keys])[0]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def day(self, lo: date, hi: date) -> date:
        """A day from ``lo`` to ``hi`` (both included); ``lo`` when ``hi`` < ``lo``."""
        span = (hi - lo).days
        return lo if span <= 0 else lo + timedelta(days=self.randint(0, span))

    def day_where(self, lo: date, hi: date, workday: bool | None) -> date:
        """A day in the range that is (``True``) or is not (``False``) a working day."""
        if workday is None or hi < lo:
            return self.day(lo, hi)
        for _ in range(60):
            d = self.day(lo, hi)
            if is_workday(d) == workday:
                return d
        return self.day(lo, hi)


@lru_cache(maxsize=1)
def _calendar() -> OfficialCalendar:
    return OfficialCalendar()


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """A working day in the official calendar (weekends only for a year without data)."""
    return _calendar().is_workday_or_weekend_guess(day)[0]


def _workdays(lo: date, hi: date) -> list[date]:
    days, d = [], lo
    while d <= hi:
        if is_workday(d):
            days.append(d)
        d += ONE_DAY
    return days


def _next_workday(d: date) -> date:
    while not is_workday(d):
        d += ONE_DAY
    return d


def _prev_workday(d: date) -> date:
    while not is_workday(d):
        d -= ONE_DAY
    return d


def _workdays_late(due: date, today: date) -> int:
    """Working days after ``due`` up to and including ``today``."""
    return _calendar().count_workdays(due + ONE_DAY, today)[0] if due < today else 0


@lru_cache(maxsize=8192)
def _due(issue: date, rule: str) -> date:
    return compute_due(issue, rule).date


def _t(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _yuan(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# -- names and personal data ------------------------------------------------------------


class _Names:
    """Fictional Chinese names from ``sample_data/names.json``."""

    def __init__(self) -> None:
        data = load("names")
        self.surnames = list(data["surnames"])
        self.cum = list(accumulate(data["surnames"].values()))
        self.eras = data["given_chars"]
        self.single = float(data["single_char_share"])
        self.relations = data["relations"]

    def surname(self, rng: _Rand) -> str:
        return rng.choices(self.surnames, cum_weights=self.cum)[0]

    def given(self, rng: _Rand, born_year: int, female: bool) -> str:
        era = self.eras["young"]
        for candidate in self.eras.values():
            lo, hi = candidate["years"]
            if lo <= born_year <= hi:
                era = candidate
                break
        else:
            if born_year < self.eras["elder"]["years"][0]:
                era = self.eras["elder"]
        sex = "female" if female else "male"
        if rng.chance(self.single):
            return rng.choice(era["single"][sex])
        chars = era[sex]
        first, second = rng.sample(chars, 2)
        return first + second

    def person(self, rng: _Rand, born_year: int, female: bool, surname: str | None = None) -> str:
        return (surname or self.surname(rng)) + self.given(rng, born_year, female)

    def adult(self, rng: _Rand, lo: int = 1965, hi: int = 1992) -> str:
        return self.person(rng, rng.randint(lo, hi), rng.chance(0.45))


@lru_cache(maxsize=1)
def _names() -> _Names:
    return _Names()


def _id_number(rng: _Rand, region: str, born: date, female: bool) -> str:
    parity = rng.choice("02468" if female else "13579")
    first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 99):02d}{parity}"
    return first17 + id_check_char(first17)


def _mobile(rng: _Rand, prefixes: list[str]) -> str:
    return rng.choice(prefixes) + f"{rng.randint(0, 99_999_999):08d}"


# -- households ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Home:
    """A household and what the texts need to know about it."""

    fields: dict[str, Any]
    place: str
    surname: str
    born: date
    female: bool
    doc: Household | None = None

    @property
    def id(self) -> str:
        return self.fields["id"]

    @property
    def head(self) -> str:
        return self.fields["head_of_household"]

    @property
    def elder(self) -> bool:
        return self.born.year < 1962


def _plan_households(
    rng: _Rand, code: str, spec: dict, count: int, reference: date, *, sort: bool = True
) -> list[_Home]:
    """Household field dicts for a station (no models yet: the tags may still change)."""
    places = load("places")
    names = _names()
    regions = places["region_codes"]["codes"]
    rural = spec["type"] == "rural"
    tag_weights = places["tags"]["rural" if rural else "city"]
    prefixes = places["mobile_prefixes"]
    homes: list[_Home] = []
    used: set[tuple] = set()
    stretch = max(1, -(-count // spec.get("households", count)))  # room for big scales
    group_numbers: dict[str, int] = defaultdict(int)
    for _ in range(count):
        era = rng.weighted(
            {"elder": 55, "middle": 35, "young": 10}
            if rural
            else {"elder": 40, "middle": 42, "young": 18}
        )
        lo, hi = {"elder": (1932, 1961), "middle": (1962, 1984), "young": (1985, 2002)}[era]
        hi = min(hi, reference.year - 20)
        born = rng.day(date(lo, 1, 1), date(hi, 12, 31))
        female = rng.chance(0.42 if era == "elder" else 0.35)
        surname = names.surname(rng)
        head = names.person(rng, born.year, female, surname)
        fields: dict[str, Any] = {"id": rng.uid(), "head_of_household": head}
        extra_tags: dict[str, float] = {}
        if rural:
            group = rng.choice(spec["groups"])
            group_numbers[group["name"]] += rng.randint(1, 3)
            number = group_numbers[group["name"]]
            place = group["name"]
            fields.update(
                address=f"{spec['community']}{group['name']}{number}号",
                group=group["name"],
                grid=group["grid"],
                door=f"{number}号",
            )
            extra_tags = spec.get("group_tags", {}).get(group["name"], {})
            sort_key: tuple = (spec["groups"].index(group), number)
        else:
            compounds = spec["compounds"]
            compound = rng.choices(compounds, weights=[c["weight"] for c in compounds])[0]
            buildings = compound["buildings"] * stretch
            for _attempt in range(200):
                b = rng.randint(1, buildings)
                u = rng.randint(1, compound["units"])
                floor = rng.randint(*compound["floors"])
                door = floor * 100 + rng.randint(1, compound["doors"])
                key = (compound["name"], b, u, door)
                if key not in used:
                    break
            used.add(key)
            place = compound["name"]
            grids = compound["grids"]
            grid = grids[min(len(grids) - 1, (b - 1) * len(grids) // buildings)]
            fields.update(
                address=f"{compound['name']}{b}栋{u}单元{door}",
                building=str(b),
                unit=str(u),
                door=str(door),
                grid=grid,
            )
            extra_tags = compound.get("tags", {})
            sort_key = (compounds.index(compound), b, u, door)
        if era == "elder":
            people = rng.choices([1, 2, 3, 4], weights=[22, 48, 18, 12])[0]
        elif era == "middle":
            people = rng.choices([2, 3, 4, 5, 6], weights=[15, 35, 30, 14, 6])[0]
        else:
            people = rng.choices([1, 2, 3, 4], weights=[18, 30, 40, 12])[0]
        tags: list[str] = []
        for tag, weight in {**tag_weights, **extra_tags}.items():
            if tag in tags or not rng.chance(weight / 100):
                continue
            if tag in ("独居老人", "空巢老人", "留守老人") and era != "elder":
                continue
            if tag == "独居老人" and people != 1:
                continue
            if tag == "留守儿童" and people < 3:
                continue
            tags.append(tag)
        region = rng.weighted(regions)
        fields.update(
            id_number=_id_number(rng, region, born, female) if rng.chance(0.97) else None,
            phone=(
                _mobile(rng, prefixes)
                if rng.chance(0.9)
                else (
                    f"{places['landline_prefix']}{rng.randint(0, 9_999_999):07d}"
                    if rng.chance(0.7)
                    else None
                )
            ),
            people=people,
            tags=tags,
            registered_on=rng.day(date(2016, 3, 1), reference - timedelta(days=400)),
        )
        home = _Home(fields, place, surname, born, female)
        home.fields["_sort"] = sort_key
        homes.append(home)
    if sort:
        homes.sort(key=lambda h: h.fields["_sort"])
    width = max(4, len(str(count)))
    for index, home in enumerate(homes, start=1):
        home.fields.pop("_sort")
        home.fields["household_no"] = f"{code}-{index:0{width}d}"
    return homes


# -- the sample ledger --------------------------------------------------------------------

#: The ledger does not depend on the demo's "today": its birth dates stop before this day.
_LEDGER_REFERENCE = date(2025, 12, 31)


def ledger_rows() -> list[dict[str, Any]]:
    """The rows of the sample household ledger of station HL03 (60 households).

    Fixed: independent of any seed or date. Every ID number is valid (GB 11643-1999 check
    digit, a real birth date) and every phone a mobile number. ``人口数`` is an int.
    """
    spec = load("places")["stations"][LEDGER_STATION]
    rng = _Rand(f"ledger|{LEDGER_STATION}")
    homes = _plan_households(rng, LEDGER_STATION, spec, spec["households"], _LEDGER_REFERENCE)
    prefixes = load("places")["mobile_prefixes"]
    rows = []
    for home in homes:
        f = home.fields
        region = "430121" if rng.chance(0.8) else rng.choice(["430102", "430181", "430124"])
        rows.append(
            {
                "户号": f["household_no"],
                "户主姓名": f["head_of_household"],
                "身份证号": f["id_number"] or _id_number(rng, region, home.born, home.female),
                "联系电话": _mobile(rng, prefixes),
                "地址": f["address"],
                "网格": f["grid"],
                "人口数": f["people"],
                "标签": "、".join(f["tags"]),
            }
        )
    return rows


def ledger_csv_bytes(rows: list[dict[str, Any]] | None = None) -> bytes:
    """The CSV ledger: UTF-8 with BOM, CRLF line ends (what Excel and WPS expect)."""
    rows = ledger_rows() if rows is None else rows
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LEDGER_HEADERS)
    for row in rows:
        writer.writerow([str(row[h]) for h in LEDGER_HEADERS])
    return buffer.getvalue().encode("utf-8-sig")


def write_ledgers(folder: Path) -> tuple[Path, Path]:
    """Write ``households_ledger.xlsx`` and ``households_ledger.csv`` into ``folder``.

    In the workbook the ID numbers and phone numbers are text cells (format "@"), so that
    Excel neither rounds them nor shows them in scientific notation.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = ledger_rows()
    xlsx_path, csv_path = (folder / name for name in LEDGER_FILES)

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = "住户台账"
    sheet.append(list(LEDGER_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    text_columns = {LEDGER_HEADERS.index("身份证号") + 1, LEDGER_HEADERS.index("联系电话") + 1}
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(LEDGER_HEADERS, start=1):
            cell = sheet.cell(row=r, column=c)
            value = row[header]
            if c in text_columns:
                cell.value = str(value)
                cell.data_type = "s"
                cell.number_format = "@"
            else:
                cell.value = value
    for letter, width in zip("ABCDEFGH", (11, 10, 21, 14, 26, 14, 8, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    fixed = datetime(2026, 1, 1, 9, 0)
    book.properties.creator = "grassroots-tui"
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(xlsx_path)

    csv_path.write_bytes(ledger_csv_bytes(rows))
    return xlsx_path, csv_path


# -- the demo ----------------------------------------------------------------------------


@dataclass
class _Ctx:
    """One station while it is being generated."""

    code: str
    spec: dict
    rural: bool
    station: Station
    head: Staff
    workers: list[Staff]
    homes: list[_Home] = field(default_factory=list)
    cases: list[HardshipCase] = field(default_factory=list)
    case_homes: dict[str, _Home] = field(default_factory=dict)
    visited_ytd: set[str] = field(default_factory=set)
    slips: list[dict[str, Any]] = field(default_factory=list)
    #: (slip id, due date) of every slip still open, for supervision rectifications.
    open_slips: list[tuple[str, date]] = field(default_factory=list)
    lead_homes: list[_Home] = field(default_factory=list)

    @property
    def staff(self) -> list[Staff]:
        return [self.head, *self.workers]

    @property
    def kind(self) -> str:
        return "rural" if self.rural else "city"


_SLIP_PLAN: tuple[tuple[str, str | None, float], ...] = (
    # (outcome, timing of the due date relative to today, count at scale 1.0)
    ("drafted", None, 1),
    ("issued", "soon", 1),
    ("issued", "later", 1),
    ("issued", "over5", 1),
    ("accepted", "over5", 1),
    ("accepted", "over", 1),
    ("accepted", "today", 1),
    ("accepted", "soon", 1),
    ("accepted", "later", 2),
    ("extended", "later", 1),
    ("extended", "over", 1),
    ("returned", None, 1),
    ("withdrawn", None, 1),
    ("replied", None, 2),
    ("redo", "soon", 1),
    ("closed", None, 9),
    ("closed_late", None, 2),
    ("closed_redo", None, 1),
    ("closed_extended", None, 1),
)

_APPOINTMENT_PLAN: dict[str, dict[str, int]] = {
    "city": {"done": 18, "missed": 3, "cancelled": 2, "today": 2, "future": 3},
    "rural": {"done": 4, "missed": 1, "cancelled": 1, "today": 1, "future": 1},
}


class _Demo:
    def __init__(self, today: date, seed: int, scale: float) -> None:
        self.today = today
        self.yesterday = today - ONE_DAY
        self.seed = seed
        self.scale = scale
        self.win_start = today - timedelta(days=364)
        self.year_start = date(today.year, 1, 1)
        self.names = _names()
        self.places = load("places")
        self.visit_texts = load("visits")
        self.slip_texts = load("slips")
        self.hardship_texts = load("hardship")
        self.work_texts = load("station_work")
        self.out: dict[str, list[Document]] = defaultdict(list)
        self.supervisors: list[Staff] = []
        self.leaders: list[Staff] = []

    # -- plumbing

    def rng(self, *parts: object) -> _Rand:
        return _Rand("|".join(["demo", str(self.seed), *map(str, parts)]))

    def count(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def add(self, doc: _D) -> _D:
        self.out[doc.KIND].append(doc)
        return doc

    def build(self) -> list[Document]:
        self._street_staff()
        contexts = [self._station(code) for code in DEMO_STATIONS]
        self._supervision(contexts)
        self._media(contexts)
        return [doc for kind in KINDS for doc in self.out.get(kind, [])]

    # -- people

    def _street_staff(self) -> None:
        rng = self.rng("street-staff")
        street = self.places["street_staff"]
        prefixes = self.places["mobile_prefixes"]
        for role, specs, target in (
            (StaffRole.SUPERVISOR, street["supervisors"], self.supervisors),
            (StaffRole.LEADER, street["leaders"], self.leaders),
        ):
            for spec in specs:
                born = rng.randint(1966, 1984)
                target.append(
                    self.add(
                        Staff(
                            id=rng.uid(),
                            name=self.names.person(rng, born, rng.chance(0.4)),
                            role=role,
                            phone=_mobile(rng, prefixes),
                            departments=spec["departments"],
                        )
                    )
                )

    def _station(self, code: str) -> _Ctx:
        spec = self.places["stations"][code]
        rng = self.rng(code, "station")
        start, end = (time.fromisoformat(t) for t in spec["working_hours"])
        station_id = rng.uid()
        station = self.add(
            Station(
                id=station_id,
                station_id=station_id,
                name=spec["name"],
                code=code,
                community=spec["community"],
                street_office=self.places["street_office"],
                working_start=start,
                working_end=end,
                slip_number_format=spec["slip_number_format"],
                phone=spec["phone"],
                address=spec["address"],
            )
        )
        prefixes = self.places["mobile_prefixes"]

        def staff(role: StaffRole, born: tuple[int, int], departments: list[str]) -> Staff:
            return self.add(
                Staff(
                    id=rng.uid(),
                    station_id=station_id,
                    name=self.names.person(rng, rng.randint(*born), rng.chance(0.5)),
                    role=role,
                    phone=_mobile(rng, prefixes),
                    departments=departments,
                )
            )

        head = staff(StaffRole.HEAD, (1970, 1984), [f"{spec['community']}居委会"])
        workers = [
            staff(
                StaffRole.WORKER,
                (1976, 1998),
                ["民情代办点"] if spec["type"] == "rural" and i == 0 else [],
            )
            for i in range(spec["workers"])
        ]
        ctx = _Ctx(code, spec, spec["type"] == "rural", station, head, workers)
        self._households(ctx)
        self._hardship(ctx)
        self._appointments(ctx)
        self._slips(ctx)
        self._general_visits(ctx)
        self._roster(ctx)
        self._three_threes(ctx)
        return ctx

    # -- households and hardship cases

    def _households(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "households")
        count = self.count(ctx.spec["households"], minimum=MIN_HOUSEHOLDS)
        ctx.homes = _plan_households(rng, ctx.code, ctx.spec, count, self.today)
        # Hardship cases are chosen now, because they bring tags (低保, 残疾…) with them.
        share = 0.06 if ctx.rural else 0.045
        n_cases = min(count // 2, max(4, round(count * share)))
        weights = [3 if h.elder else 1 for h in ctx.homes]
        chosen: list[_Home] = []
        while len(chosen) < n_cases:
            home = rng.choices(ctx.homes, weights=weights)[0]
            if home not in chosen:
                chosen.append(home)
        texts = self.hardship_texts
        for home in chosen:
            tier = HardshipTier(rng.weighted(texts["tier_weights"]))
            causes: list[HardshipCause] = []
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                cause = HardshipCause(rng.weighted(texts["cause_weights"]))
                if cause is HardshipCause.ALONE and home.fields["people"] > 1:
                    continue
                if cause not in causes:
                    causes.append(cause)
            if not causes:
                causes = [HardshipCause.ILLNESS]
            if tier is HardshipTier.ACCIDENTAL and not (
                {HardshipCause.DISASTER, HardshipCause.OTHER, HardshipCause.ILLNESS} & set(causes)
            ):
                causes.insert(0, HardshipCause.DISASTER)
            tags = home.fields["tags"]
            if tier is HardshipTier.DEEP and "低保" not in tags:
                tags.append("低保")
            if HardshipCause.DISABILITY in causes and "残疾" not in tags:
                tags.append("残疾")
            home.fields["_case"] = (tier, causes)
        for home in ctx.homes:
            fields = {k: v for k, v in home.fields.items() if not k.startswith("_")}
            home.doc = Household(station_id=ctx.station.id, **fields)
            self.add(home.doc)
        ctx.case_homes = {h.id: h for h in chosen}

    def _hardship(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "hardship")
        texts = self.hardship_texts
        today = self.today
        homes = list(ctx.case_homes.values())
        n = len(homes)
        n_exited = max(1, round(n * 0.15))
        statuses = [CaseStatus.EXITED] * n_exited + [CaseStatus.TERMINATED, CaseStatus.REFERRED]
        statuses += [CaseStatus.ACTIVE] * (n - len(statuses))
        rng.shuffle(statuses)
        # One case improved (deep → relative) and one relapsed (返困, relative → deep).
        paths = ["better", "worse"] + ["same"] * (n - 2)
        cadres = ctx.staff
        for index, (home, status) in enumerate(zip(homes, statuses, strict=True)):
            tier, causes = home.fields.pop("_case")
            path = paths[index]
            if path == "better":
                tier = HardshipTier.RELATIVE
            elif path == "worse":
                tier = HardshipTier.DEEP
            opened = rng.day(today - timedelta(days=1000), today - timedelta(days=60))
            if status is not CaseStatus.ACTIVE or path != "same":
                opened = min(opened, today - timedelta(days=300))
            exit_on = None
            callback_on = None
            exit_reason = ""
            if status is not CaseStatus.ACTIVE:
                exit_on = rng.day(
                    max(opened + timedelta(days=120), self.win_start + timedelta(days=60)),
                    today - timedelta(days=10),
                )
                exit_reason = rng.choice(texts["exit_reasons"][status.value])
                if status is CaseStatus.EXITED:
                    candidate = exit_on + timedelta(days=rng.randint(30, 90))
                    callback_on = candidate if candidate <= today else None
            if tier is HardshipTier.DEEP:
                cycle = ReviewCycle.MONTHLY if rng.chance(0.7) else ReviewCycle.QUARTERLY
            elif tier is HardshipTier.ACCIDENTAL:
                cycle = ReviewCycle.MONTHLY
            else:
                cycle = ReviewCycle.QUARTERLY if rng.chance(0.7) else ReviewCycle.YEARLY
            members = self._members(rng, home)
            cadre = cadres[index % len(cadres)]
            case = self.add(
                HardshipCase(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    household_id=home.id,
                    tier=tier,
                    causes=causes,
                    members=members,
                    paired_cadre=cadre.id,
                    opened_on=opened,
                    status=status,
                    review_cycle=cycle,
                    exit_on=exit_on,
                    exit_reason=exit_reason,
                    callback_on=callback_on,
                    notes=rng.choice(texts["case_notes"][causes[0].value]),
                )
            )
            ctx.cases.append(case)
            end = min(exit_on or today, today)
            self._assistance(ctx, rng, case, cadre, max(opened, self.win_start), end)
            self._reviews(ctx, rng, case, path, opened, end)
            self._hardship_visits(ctx, rng, home, cadre, max(opened, self.win_start), end)
        self._condolence(ctx, rng)

    def _members(self, rng: _Rand, home: _Home) -> list[str]:
        relations = self.names.relations
        members: list[str] = []
        for i in range(home.fields["people"] - 1):
            if i == 0 and (not home.elder or rng.chance(0.6)):
                female = not home.female
                name = self.names.person(rng, home.born.year + rng.randint(-3, 3), female)
                relation = relations["spouse_of_female" if home.female else "spouse_of_male"]
            elif home.elder:
                female = rng.chance(0.5)
                name = self.names.person(rng, home.born.year + 28, female, home.surname)
                relation = "女" if female else "子"
                if i >= 2:
                    relation = rng.choice(relations["grandchild"])
                    name = self.names.person(rng, home.born.year + 55, female, home.surname)
            else:
                female = rng.chance(0.5)
                name = self.names.person(rng, home.born.year + 27, female, home.surname)
                relation = "女" if female else "子"
            members.append(f"{name}（{relation}）")
        return members

    def _assistance(
        self, ctx: _Ctx, rng: _Rand, case: HardshipCase, cadre: Staff, lo: date, hi: date
    ) -> None:
        texts = self.hardship_texts["assistance"]
        per_year = {"deep": (4, 7), "relative": (2, 4), "accidental": (2, 3)}[case.tier.value]
        months = max(1, (hi - lo).days) / 365
        n = max(1, round(rng.randint(*per_year) * months))
        for _ in range(n):
            source = rng.weighted(texts["sources"])
            form = rng.choice(texts["source_forms"][source])
            form_spec = texts["forms"][form]
            amount = _yuan(rng.choice(form_spec["amounts"]))
            handler = cadre.name if source == "社区" else self.names.adult(rng)
            self.add(
                Assistance(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    case_id=case.id,
                    date=rng.day(lo, hi),
                    form=AssistanceForm(form),
                    amount=amount,
                    source=source,
                    handler=handler,
                    note=rng.choice(form_spec["notes"]),
                )
            )

    def _reviews(
        self, ctx: _Ctx, rng: _Rand, case: HardshipCase, path: str, opened: date, end: date
    ) -> None:
        step = {"monthly": 30, "quarterly": 91, "yearly": 365}[case.review_cycle.value]
        texts = self.hardship_texts["reviews"]
        days: list[date] = []
        d = opened + timedelta(days=step)
        while d <= end:
            if d >= self.win_start and rng.random() > 0.1:  # now and then one is missed
                days.append(_prev_workday(d))
            d += timedelta(days=step)
        if path != "same" and len(days) < 2:
            first = _prev_workday(rng.day(self.win_start, end - timedelta(days=100)))
            days = [first, _prev_workday(first + timedelta(days=rng.randint(30, 90)))]
        final = case.tier
        initial = {"better": HardshipTier.DEEP, "worse": HardshipTier.RELATIVE}.get(path, final)
        change_at = rng.randint(1, len(days) - 1) if path != "same" and len(days) > 1 else -1
        tier = initial
        for i, day in enumerate(days):
            before = tier
            if i == change_at:
                tier = final
                findings = rng.choice(texts[path])
            else:
                findings = rng.choice(texts["same"])
            self.add(
                HardshipReview(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    case_id=case.id,
                    date=day,
                    findings=findings,
                    tier_before=before,
                    tier_after=tier,
                )
            )

    def _hardship_visits(
        self, ctx: _Ctx, rng: _Rand, home: _Home, cadre: Staff, lo: date, hi: date
    ) -> None:
        """The paired cadre calls on the family every month or two."""
        hi = min(hi, self.yesterday)
        d = lo + timedelta(days=rng.randint(5, 40))
        while d <= hi:
            night = ctx.rural and rng.chance(0.3)
            day = d if night else _prev_workday(d)
            if day >= lo:
                visitors = [cadre]
                if rng.chance(0.4):
                    visitors.append(rng.choice([s for s in ctx.staff if s is not cadre]))
                self._visit(
                    ctx,
                    rng,
                    home,
                    day,
                    kind=VisitKind.NIGHT if night else VisitKind.DOOR,
                    mode="night" if night else "day",
                    visitors=visitors,
                    hardship=True,
                    note="帮扶责任人上门走访。",
                )
            d += timedelta(days=rng.randint(30, 60))

    def _condolence(self, ctx: _Ctx, rng: _Rand) -> None:
        texts = self.hardship_texts["condolence"]
        today = self.today
        cadre_names = {s.id: s.name for s in ctx.staff}

        def gift(case: HardshipCase) -> dict:
            if case.tier is HardshipTier.DEEP:
                return texts["given_deep"]
            return rng.choice(texts["given"])

        def record(case: HardshipCase, day: date, given: dict, title: str) -> None:
            self.add(
                Assistance(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    case_id=case.id,
                    date=day,
                    form=AssistanceForm.CONDOLENCE_MONEY,
                    amount=_yuan(given["amount"]),
                    source=given["source"],
                    handler=cadre_names[case.paired_cadre],
                    note=f"{title}：{given['text']}",
                )
            )

        # The Spring Festival round, finished.
        spring_year = today.year if today >= date(today.year, 2, 20) else today.year - 1
        started = date(spring_year, 1, 18)
        if started >= self.win_start and started < today - timedelta(days=20):
            title = texts["spring_title"].format(year=spring_year)
            items = []
            for case in ctx.cases:
                if case.opened_on > started or (case.exit_on and case.exit_on <= started):
                    continue
                given = gift(case)
                done_on = min(started + timedelta(days=rng.randint(0, 12)), today)
                items.append(
                    CondolenceItem(
                        case_id=case.id,
                        household_id=case.household_id,
                        done=True,
                        given=given["text"],
                        by=cadre_names[case.paired_cadre],
                        done_on=done_on,
                    )
                )
                record(case, done_on, given, title)
            self.add(
                CondolenceRound(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    title=title,
                    started_on=started,
                    items=items,
                )
            )
        # The current round, half done.
        started = today - timedelta(days=6)
        title = texts["titles_by_month"][str(today.month)].format(year=today.year)
        active = [c for c in ctx.cases if c.status is CaseStatus.ACTIVE]
        half = (len(active) + 1) // 2
        items = []
        for i, case in enumerate(active):
            if i < half:
                given = gift(case)
                done_on = rng.day(started, today)
                items.append(
                    CondolenceItem(
                        case_id=case.id,
                        household_id=case.household_id,
                        done=True,
                        given=given["text"],
                        by=cadre_names[case.paired_cadre],
                        done_on=done_on,
                    )
                )
                record(case, done_on, given, title)
            else:
                items.append(CondolenceItem(case_id=case.id, household_id=case.household_id))
        self.add(
            CondolenceRound(
                id=rng.uid(),
                station_id=ctx.station.id,
                title=title,
                started_on=started,
                items=items,
            )
        )

    # -- visits

    def _times(self, rng: _Rand, ctx: _Ctx, mode: str) -> tuple[time, time]:
        ws, we = _minutes(ctx.station.working_start), _minutes(ctx.station.working_end)
        if mode == "night":
            start, length = rng.randrange(19 * 60, 20 * 60 + 31, 5), rng.randrange(25, 65, 5)
        elif mode == "evening":
            start, length = rng.randrange(18 * 60 + 30, 20 * 60 + 1, 5), rng.randrange(15, 50, 5)
        elif mode == "weekend":
            start, length = rng.randrange(9 * 60 + 30, 16 * 60 + 1, 5), rng.randrange(15, 50, 5)
        else:
            if rng.chance(0.55):
                start = rng.randrange(ws + 10, 11 * 60 + 20, 5)
            else:
                start = rng.randrange(14 * 60 + 30, we - 50, 5)
            length = rng.randrange(15, 45, 5)
        return _t(start), _t(start + length)

    def _pick(self, rng: _Rand, ctx: _Ctx, texts: dict[str, list[str]]) -> str:
        pool = texts.get("common", []) + texts.get(ctx.kind, [])
        return rng.choice(pool)

    def _random_problems(self, rng: _Rand, ctx: _Ctx, home: _Home, day: date) -> list[ProblemItem]:
        n = rng.choices([0, 1, 2], weights=[62, 31, 7])[0]
        problems = []
        age = (self.today - day).days
        for _ in range(n):
            category = self._category(rng, ctx)
            text = rng.choice(self.slip_texts["categories"][category]["problems"])
            if age > 30:
                state = rng.weighted({"solved_on_spot": 45, "solved_later": 50, "pending": 5})
            else:
                state = rng.weighted({"solved_on_spot": 40, "solved_later": 25, "pending": 35})
            solved_on = None
            if state == "solved_later":
                if age < 2:
                    state = "pending"
                else:
                    solved_on = day + timedelta(days=rng.randint(1, min(25, age - 1)))
            problems.append(
                ProblemItem(
                    id=rng.uid(),
                    category=category,
                    description=text.replace("{place}", home.place),
                    state=ProblemState(state),
                    solved_on=solved_on,
                )
            )
        return problems

    def _category(self, rng: _Rand, ctx: _Ctx) -> str:
        categories = self.slip_texts["categories"]
        return rng.weighted({k: v["weight"][ctx.kind] for k, v in categories.items()})

    def _visit(
        self,
        ctx: _Ctx,
        rng: _Rand,
        home: _Home,
        day: date,
        *,
        kind: VisitKind = VisitKind.DOOR,
        mode: str = "day",
        visitors: list[Staff] | None = None,
        problems: list[ProblemItem] | None = None,
        appointment_id: str | None = None,
        visit_id: str | None = None,
        start: time | None = None,
        end: time | None = None,
        hardship: bool = False,
        note: str = "",
    ) -> Visit:
        texts = self.visit_texts
        if start is None or end is None:
            start, end = self._times(rng, ctx, mode)
        if visitors is None:
            first = rng.choice(ctx.workers if rng.chance(0.85) else ctx.staff)
            visitors = [first]
            if kind in (VisitKind.JOINT, VisitKind.NIGHT) or rng.chance(0.3):
                second = rng.choice(ctx.staff)
                if second is not first:
                    visitors.append(second)
        departments: list[str] = []
        if kind is VisitKind.JOINT:
            departments = rng.sample(texts["joint_departments"], rng.choice([1, 1, 2]))
        if hardship or home.id in ctx.case_homes:
            hardships = self._pick(rng, ctx, texts["hardships"])
        elif rng.chance(0.55):
            hardships = rng.choice(texts["hardships"]["none"])
        else:
            hardships = self._pick(rng, ctx, texts["hardships"])
        notes = [note] if note else []
        off_hours = (
            not is_workday(day)
            or start < ctx.station.working_start
            or (end > ctx.station.working_end)
        )
        if kind is VisitKind.NIGHT:
            notes.append(rng.choice(texts["notes"]["night"]))
        elif kind is VisitKind.JOINT:
            notes.append(rng.choice(texts["notes"]["joint"]))
        elif off_hours and rng.chance(0.6):
            when = "evening" if is_workday(day) else "weekend"
            notes.append(rng.choice(texts["notes"]["off_hours"][when]))
        elif rng.chance(0.2):
            notes.append(rng.choice(texts["notes"]["common"]))
        if problems is None:
            problems = self._random_problems(rng, ctx, home, day)
        visit = Visit(
            id=visit_id or rng.uid(),
            station_id=ctx.station.id,
            date=day,
            start_time=start,
            end_time=end,
            visit_kind=kind,
            household_id=home.id,
            visitor_ids=[v.id for v in visitors],
            joint_departments=departments,
            greeting=self._pick(rng, ctx, texts["greeting"]),
            hardships=hardships,
            opinions=self._pick(rng, ctx, texts["opinions"]) if rng.chance(0.45) else "",
            suggestions=self._pick(rng, ctx, texts["suggestions"]) if rng.chance(0.35) else "",
            notes="".join(notes),
            appointment_id=appointment_id,
            problems=problems,
        )
        self.add(visit)
        if day >= self.year_start:
            ctx.visited_ytd.add(home.id)
        return visit

    def _general_mode(self, rng: _Rand, ctx: _Ctx) -> tuple[VisitKind, str, bool | None]:
        """(kind, time mode, wanted workday) of an ordinary visit."""
        r = rng.random()
        if ctx.rural:
            if r < 0.08:
                return VisitKind.JOINT, "day", True
            if r < 0.28:
                return VisitKind.NIGHT, "night", None
            if r < 0.32:
                return VisitKind.DOOR, "weekend", False
            return VisitKind.DOOR, "day", True
        if r < 0.06:
            return VisitKind.JOINT, "day", True
        if r < 0.13:
            return VisitKind.DOOR, "evening", True
        if r < 0.19:
            return VisitKind.DOOR, "weekend", False
        return VisitKind.DOOR, "day", True

    def _general_visit(self, ctx: _Ctx, rng: _Rand, home: _Home, lo: date, hi: date) -> None:
        kind, mode, workday = self._general_mode(rng, ctx)
        day = rng.day_where(lo, hi, workday)
        if workday is True and not is_workday(day):
            mode = "weekend"
        self._visit(ctx, rng, home, day, kind=kind, mode=mode)

    def _general_visits(self, ctx: _Ctx) -> None:
        """Ordinary visits until about 80 % of households are visited this year."""
        rng = self.rng(ctx.code, "visits")
        n = len(ctx.homes)
        lo, hi = self.year_start, self.yesterday
        if hi >= lo:
            elapsed = (self.today - self.year_start).days
            ramp = min(1.0, elapsed / 90)
            target = round(n * rng.uniform(0.775, 0.83) * ramp)
            unvisited = [h for h in ctx.homes if h.id not in ctx.visited_ytd]
            need = max(0, min(len(unvisited), target - len(ctx.visited_ytd)))
            first_visits = rng.sample(unvisited, need)
            for home in first_visits:
                self._general_visit(ctx, rng, home, lo, hi)
            visited = [h for h in ctx.homes if h.id in ctx.visited_ytd]
            for home in visited:
                if rng.chance(0.25):
                    self._general_visit(ctx, rng, home, lo, hi)
        # The part of the twelve months that lies in the previous year.
        prior_hi = min(self.year_start - ONE_DAY, self.yesterday)
        if prior_hi >= self.win_start:
            days = (prior_hi - self.win_start).days + 1
            for _ in range(round(n * 0.8 * days / 365 * 1.25)):
                home = rng.choice(ctx.homes)
                self._general_visit(ctx, rng, home, self.win_start, prior_hi)

    # -- appointments

    def _appointments(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "appointments")
        texts = self.visit_texts["appointment"]
        plan = _APPOINTMENT_PLAN[ctx.kind]
        today = self.today
        for outcome, base in plan.items():
            for _ in range(self.count(base)):
                home = rng.choice(ctx.homes)
                if outcome == "done" or outcome == "missed":
                    planned = rng.day(self.win_start + timedelta(days=7), self.yesterday)
                elif outcome == "cancelled":
                    planned = rng.day(self.win_start + timedelta(days=7), today + timedelta(days=5))
                elif outcome == "today":
                    planned = today
                else:
                    planned = rng.day(today + ONE_DAY, today + timedelta(days=10))
                if ctx.rural:
                    minutes = rng.choice([19 * 60 + 30, 20 * 60, 15 * 60])
                elif not is_workday(planned):
                    minutes = rng.randrange(9 * 60 + 30, 16 * 60 + 1, 30)
                else:
                    minutes = rng.choice([18 * 60 + 30, 19 * 60, 19 * 60 + 30, 10 * 60, 15 * 60])
                asked = planned - timedelta(days=rng.randint(1, 6))
                asked = min(asked, today - ONE_DAY)
                requested_at = datetime.combine(
                    asked, _t(rng.randrange(8 * 60 + 40, 17 * 60, 5)), tzinfo=CST
                )
                requested_by = home.head
                if rng.chance(0.2):
                    requested_by = self.names.person(
                        rng, home.born.year + 28, rng.chance(0.5), home.surname
                    )
                appointment_id = rng.uid()
                state = {
                    "done": AppointmentState.DONE,
                    "missed": AppointmentState.MISSED,
                    "cancelled": AppointmentState.CANCELLED,
                }.get(outcome, AppointmentState.PENDING)
                reason = rng.choice(texts["reasons"])
                note = ""
                if state is AppointmentState.MISSED:
                    note = rng.choice(texts["missed_notes"])
                elif state is AppointmentState.CANCELLED:
                    note = rng.choice(texts["cancelled_notes"])
                visit_id = None
                if state is AppointmentState.DONE:
                    visit_id = rng.uid()
                    start = _t(minutes)
                    end = _t(minutes + rng.randrange(20, 55, 5))
                    self._visit(
                        ctx,
                        rng,
                        home,
                        planned,
                        kind=VisitKind.APPOINTMENT,
                        visit_id=visit_id,
                        appointment_id=appointment_id,
                        start=start,
                        end=end,
                        note=f"按预约走访单上门：{reason}。",
                    )
                self.add(
                    Appointment(
                        id=appointment_id,
                        station_id=ctx.station.id,
                        household_id=home.id,
                        requested_by=requested_by,
                        requested_at=requested_at,
                        planned_date=planned,
                        planned_time=_t(minutes),
                        reason=reason,
                        state=state,
                        visit_id=visit_id,
                        note=note,
                    )
                )

    # -- handoff slips

    def _timing_ok(self, due: date, timing: str) -> bool:
        today = self.today
        ahead = (due - today).days
        if timing == "over5":
            return 6 <= _workdays_late(due, today) <= 12
        if timing == "over":
            return ahead < 0 and 1 <= _workdays_late(due, today) <= 3
        if timing == "today":
            return ahead == 0
        if timing == "soon":
            return 1 <= ahead <= 3
        if timing == "later":
            return 4 <= ahead <= 12
        raise ValueError(timing)

    def _date_for(self, rng: _Rand, rule: str, timing: str, lo: date, hi: date) -> date:
        """A working day in [lo, hi] whose due date under ``rule`` meets ``timing``."""
        found = [d for d in _workdays(lo, hi) if self._timing_ok(_due(d, rule), timing)]
        if not found and timing == "today":  # today is a rest day: nothing falls due
            return self._date_for(rng, rule, "soon", lo, hi)
        if not found:
            found = _workdays(lo, hi) or [hi]
        return rng.choice(found)

    def _slips(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "slips")
        plan: list[dict[str, Any]] = []
        for outcome, timing, base in _SLIP_PLAN:
            for _ in range(self.count(base)):
                plan.append({"outcome": outcome, "timing": timing})
        # A household that petitions twice about the same thing, under one lead official.
        repeat_home = rng.choice([h for h in ctx.homes if h.id not in ctx.case_homes])
        repeat_category = "拆迁安置" if ctx.rural else "物业纠纷"
        lead = rng.choice(self.leaders)
        first = self._slip(
            ctx,
            rng,
            "closed",
            None,
            home=repeat_home,
            category=repeat_category,
            lead=lead,
            source=SlipSource.WALK_IN,
            satisfaction=Satisfaction.BASICALLY_SATISFIED,
            lo=self.win_start + timedelta(days=20),
            hi=self.today - timedelta(days=150),
        )
        self._slip(
            ctx,
            rng,
            "accepted",
            "later",
            home=repeat_home,
            category=repeat_category,
            lead=lead,
            source=SlipSource.WALK_IN,
            repeat_of=first["issue_date"],
        )
        for item in plan:
            self._slip(ctx, rng, item["outcome"], item["timing"])
        # Numbers in the station's format, per year, in order of issue.
        issued = sorted(
            (s for s in ctx.slips if s["issue_date"] is not None),
            key=lambda s: (s["issue_date"], s["id"]),
        )
        seq: Counter[int] = Counter()
        for fields in issued:
            year = fields["issue_date"].year
            seq[year] += 1
            fields["number"] = ctx.station.slip_number(year, seq[year])
        for fields in ctx.slips:
            self.add(HandoffSlip(**fields))

    def _slip(
        self,
        ctx: _Ctx,
        rng: _Rand,
        outcome: str,
        timing: str | None,
        *,
        home: _Home | None = None,
        category: str | None = None,
        lead: Staff | None = None,
        source: SlipSource | None = None,
        satisfaction: Satisfaction | None = None,
        repeat_of: date | None = None,
        lo: date | None = None,
        hi: date | None = None,
    ) -> dict[str, Any]:
        today, win = self.today, self.win_start
        texts = self.slip_texts
        category = category or self._category(rng, ctx)
        cat = texts["categories"][category]
        sid = rng.uid()
        rule = "15日"
        if category in ("环境卫生", "城市管理") and rng.chance(0.2):
            rule = "10个工作日"
        if source is None:
            if outcome == "drafted":
                source = SlipSource.VISIT
            else:
                source = SlipSource(
                    rng.weighted(
                        {"visit": 50, "walk_in": 25, "hotline": 10, "street_office": 15}
                        if ctx.rural
                        else {"visit": 55, "hotline": 20, "street_office": 15, "walk_in": 10}
                    )
                )
        if home is None and source is not SlipSource.STREET_OFFICE:
            home = rng.choice(ctx.homes)
        place = (
            home.place
            if home
            else rng.choice(ctx.spec["groups"] if ctx.rural else ctx.spec["compounds"])["name"]
        )
        index = rng.randrange(len(cat["problems"]))
        problem_text = cat["problems"][index].replace("{place}", place)
        description = problem_text + rng.choice(cat["details"])
        prefix = {
            SlipSource.STREET_OFFICE: "街道群工办转交：",
            SlipSource.HOTLINE: "12345热线转办：",
            SlipSource.WALK_IN: "群众到民情代办点反映：",
        }.get(source, "")
        description = prefix + description
        if repeat_of is not None:
            description += texts["repeat_note"].format(
                date=f"{repeat_of.year}年{repeat_of.month}月{repeat_of.day}日"
            )
        title = cat["titles"][min(index, len(cat["titles"]) - 1)]
        if home is not None and "{place}" in cat["problems"][index]:
            title = f"{place}{title}"
        if lead is None:
            share = 0.6 if category in ("拆迁安置", "治安维稳") else 0.12
            if rng.chance(share):
                lead = rng.choice(self.leaders)
        supervisors = [s.name for s in self.supervisors]
        worker_names = [s.name for s in ctx.staff]

        def reply(day: date, redo: bool = False) -> None:
            self.add(
                Reply(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    reply_date=day,
                    result=rng.choice(cat["results"]),
                    policy_basis=rng.choice(cat["policy"]),
                    handler=self.names.adult(rng),
                    signer=self.names.adult(rng, 1965, 1980),
                    is_redo=redo,
                )
            )

        def callback(day: date, how: Satisfaction) -> None:
            self.add(
                SlipCallback(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    date=day,
                    satisfaction=how,
                    by=rng.choice(worker_names),
                    note=rng.choice(texts["callback_notes"][how.value]),
                )
            )

        def reminder(day: date, due: date) -> None:
            late = max(0, (day - due).days)
            notes = texts["reminder_notes"]["overdue" if late else "warning"]
            self.add(
                SlipReminder(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    sent_on=day,
                    by=rng.choice(supervisors),
                    days_overdue=late,
                    note=rng.choice(notes),
                )
            )

        def extension(requested: date, new_due: date, original: date) -> None:
            self.add(
                SlipExtension(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    requested_on=requested,
                    reason=rng.choice(texts["extension_reasons"]),
                    approver=rng.choice([*supervisors, *(s.name for s in self.leaders)]),
                    new_due_date=new_due,
                    late=requested > original,
                )
            )

        def happy() -> Satisfaction:
            return satisfaction or (
                Satisfaction.SATISFIED if rng.chance(0.7) else Satisfaction.BASICALLY_SATISFIED
            )

        issue: date | None
        due: date | None = None
        original: date | None = None
        state: SlipState
        lo = lo or win
        if outcome == "drafted":
            issue, state = None, SlipState.DRAFTED
        elif outcome in ("issued", "accepted"):
            assert timing is not None
            issue = self._date_for(rng, rule, timing, today - timedelta(days=60), today)
            due = _due(issue, rule)
            state = SlipState.ISSUED if outcome == "issued" else SlipState.ACCEPTED
            if due < today:
                first = min(_next_workday(due + ONE_DAY), today)
                reminder(first, due)
                if timing == "over5":
                    reminder(min(_next_workday(first + timedelta(days=5)), today), due)
            elif (due - today).days <= 3 and rng.chance(0.5):
                reminder(max(issue, today - timedelta(days=rng.randint(0, 1))), due)
        elif outcome == "replied":
            issue = rng.choice(_workdays(today - timedelta(days=25), today - timedelta(days=4)))
            due = _due(issue, rule)
            reply(rng.day(issue + ONE_DAY, min(due, self.yesterday)))
            state = SlipState.REPLIED
        elif outcome == "returned":
            issue = rng.choice(_workdays(today - timedelta(days=40), today - timedelta(days=3)))
            due = _due(issue, rule)
            self.add(
                SlipReturn(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    returned_on=min(issue + timedelta(days=rng.randint(1, 4)), today),
                    reason=rng.choice(texts["return_reasons"]),
                )
            )
            state = SlipState.RETURNED
        elif outcome == "withdrawn":
            issue = rng.choice(_workdays(today - timedelta(days=60), today - timedelta(days=20)))
            due = _due(issue, rule)
            state = SlipState.WITHDRAWN
        elif outcome == "redo":
            assert timing is not None
            called = self._date_for(rng, rule, timing, today - timedelta(days=14), self.yesterday)
            replied = _prev_workday(called - timedelta(days=rng.randint(1, 3)))
            issue = _prev_workday(replied - timedelta(days=rng.randint(5, 10)))
            reply(replied)
            callback(called, Satisfaction.UNSATISFIED)
            due = _due(called, rule)
            state = SlipState.REDO
        elif outcome == "extended":
            if timing == "later":
                issue = rng.choice(_workdays(today - timedelta(days=30), today - timedelta(days=8)))
                original = _due(issue, rule)
                requested = original - timedelta(days=rng.randint(0, 3))
                requested = min(max(requested, issue + ONE_DAY), today)
                due = _next_workday(max(original, today) + timedelta(days=rng.randint(5, 12)))
            else:
                issue = rng.choice(
                    _workdays(today - timedelta(days=60), today - timedelta(days=35))
                )
                original = _due(issue, rule)
                requested = min(original + timedelta(days=rng.randint(1, 2)), today)
                due = _next_workday(original + timedelta(days=rng.randint(7, 10)))
                if due >= today:
                    due = _prev_workday(today - timedelta(days=3))
            extension(requested, due, original)
            if due < today:
                reminder(min(_next_workday(due + ONE_DAY), today), due)
            state = SlipState.EXTENDED
        else:  # the closed ones
            state = SlipState.CLOSED
            if outcome == "closed":
                top = hi or today - timedelta(days=20)
                issue = rng.choice(_workdays(lo, top) or [top])
                due = _due(issue, rule)
                replied = rng.day(issue + timedelta(days=2), min(due, today - timedelta(days=2)))
                reply(replied)
                callback(min(replied + timedelta(days=rng.randint(1, 7)), today), happy())
            elif outcome == "closed_late":
                issue = rng.choice(_workdays(lo, today - timedelta(days=45)))
                due = _due(issue, rule)
                reminder(_next_workday(due + ONE_DAY), due)
                replied = min(due + timedelta(days=rng.randint(3, 12)), today - timedelta(days=2))
                reply(replied)
                how = Satisfaction.BASICALLY_SATISFIED if rng.chance(0.7) else happy()
                callback(min(replied + timedelta(days=rng.randint(1, 7)), today), how)
            elif outcome == "closed_redo":
                issue = rng.choice(_workdays(lo, today - timedelta(days=75)))
                first_due = _due(issue, rule)
                replied = rng.day(issue + timedelta(days=3), first_due)
                reply(replied)
                called = replied + timedelta(days=rng.randint(1, 4))
                callback(called, Satisfaction.UNSATISFIED)
                due = _due(called, rule)
                again = rng.day(called + timedelta(days=3), due)
                reply(again, redo=True)
                callback(min(again + timedelta(days=rng.randint(1, 5)), today), happy())
            else:  # closed after an extension
                issue = rng.choice(_workdays(lo, today - timedelta(days=75)))
                original = _due(issue, rule)
                requested = max(issue + ONE_DAY, original - timedelta(days=rng.randint(1, 3)))
                due = _next_workday(original + timedelta(days=15))
                extension(requested, due, original)
                replied = rng.day(original + ONE_DAY, due)
                reply(replied)
                callback(min(replied + timedelta(days=rng.randint(1, 7)), today), happy())
        if state in (SlipState.ISSUED, SlipState.ACCEPTED, SlipState.EXTENDED, SlipState.REDO):
            assert due is not None
            ctx.open_slips.append((sid, due))

        visit_id = problem_id = None
        if source is SlipSource.VISIT:
            assert home is not None
            latest = self.yesterday if issue is None or issue >= today else issue
            if issue is None:
                seen = rng.day(today - timedelta(days=3), self.yesterday)
            else:
                seen = max(win, latest - timedelta(days=rng.randint(0, 3)))
            problem_id = rng.uid()
            problem = ProblemItem(
                id=problem_id,
                category=category,
                description=problem_text,
                state=ProblemState.HANDED_OFF,
                slip_id=sid,
            )
            joint = category in ("拆迁安置", "治安维稳") and rng.chance(0.3)
            night = ctx.rural and not joint and rng.chance(0.25)
            visit = self._visit(
                ctx,
                rng,
                home,
                seen,
                kind=VisitKind.JOINT if joint else VisitKind.NIGHT if night else VisitKind.DOOR,
                mode="night" if night else "day" if is_workday(seen) else "weekend",
                problems=[problem],
            )
            visit_id = visit.id
        if lead is not None and home is not None and home not in ctx.lead_homes:
            ctx.lead_homes.append(home)
        fields: dict[str, Any] = {
            "id": sid,
            "station_id": ctx.station.id,
            "number": None,
            "source": source,
            "category": category,
            "title": title[:100],
            "description": description,
            "household_id": home.id if home else None,
            "person_name": home.head if home else None,
            "handling_unit": (
                rng.choice(cat["units"]) if outcome != "drafted" or rng.chance(0.5) else None
            ),
            "assignee": self.names.adult(rng) if issue is not None else None,
            "lead_official": lead.id if lead else None,
            "responsible_person": rng.choice(worker_names) if lead else None,
            "issue_date": issue,
            "deadline_rule": rule,
            "due_date": due,
            "original_due_date": original,
            "state": state,
            "withdraw_reason": "当事人诉求已由社区协调解决，撤回交办"
            if outcome == "withdrawn"
            else "",
            "visit_id": visit_id,
            "problem_id": problem_id,
        }
        ctx.slips.append(fields)
        return fields

    # -- duty roster and leave

    def _roster(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "roster")
        texts = self.work_texts
        today = self.today
        days = _workdays(today - timedelta(days=61), today + timedelta(days=31))
        people = ctx.staff
        shifts: dict[date, list[Staff]] = {}
        notes: dict[date, str] = {}
        for i, day in enumerate(days):
            shifts[day] = [people[(2 * i) % len(people)], people[(2 * i + 1) % len(people)]]
            notes[day] = rng.choice(texts["duty_notes"]["regular"])
        approver_names = [s.name for s in self.supervisors]

        def duty_day(who: Staff, lo: date, hi: date) -> date | None:
            candidates = [d for d in days if lo <= d <= hi and who in shifts[d]]
            return rng.choice(candidates) if candidates else None

        def leave(
            who: Staff,
            lo: date,
            hi: date,
            kind: LeaveKind,
            decision: LeaveDecision,
            *,
            late: bool = False,
            length: int = 1,
            reason: str | None = None,
            substitute: bool = True,
        ) -> None:
            start = duty_day(who, lo, hi)
            if start is None:
                return
            end = start
            for _ in range(length - 1):
                end = _next_workday(end + ONE_DAY)
            requested = start + ONE_DAY if late else start - timedelta(days=rng.randint(2, 4))
            requested = min(requested, today)
            sub = None
            if substitute:
                busy = {s.id for d in days if start <= d <= end for s in shifts[d]}
                free = [s for s in people if s.id not in busy and s is not who]
                sub = rng.choice(free or [s for s in people if s is not who])
            self.add(
                LeaveRequest(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    staff_id=who.id,
                    start_date=start,
                    end_date=end,
                    leave_kind=kind,
                    reason=reason or rng.choice(texts["leave"][kind.value]),
                    requested_on=requested,
                    approver=(
                        None
                        if decision is LeaveDecision.PENDING
                        else f"街道群工办 {rng.choice(approver_names)}"
                    ),
                    decision=decision,
                    substitute_id=sub.id if sub else None,
                )
            )
            if decision is LeaveDecision.APPROVED and sub is not None:
                for d in days:
                    if start <= d <= end and who in shifts[d]:
                        shifts[d] = [sub if s is who else s for s in shifts[d]]
                        notes[d] = texts["duty_notes"]["substitute"].format(
                            substitute=sub.name, absent=who.name, kind=kind.label
                        )

        workers = ctx.workers
        leave(
            workers[0],
            today - timedelta(days=40),
            today - timedelta(days=20),
            LeaveKind.PERSONAL,
            LeaveDecision.APPROVED,
        )
        leave(
            workers[1],
            today - timedelta(days=14),
            today - timedelta(days=3),
            LeaveKind.SICK,
            LeaveDecision.APPROVED,
            late=True,
            length=2,
        )
        leave(
            workers[2],
            today + timedelta(days=5),
            today + timedelta(days=20),
            LeaveKind.PERSONAL,
            LeaveDecision.APPROVED,
        )
        leave(
            workers[-1],
            today + timedelta(days=3),
            today + timedelta(days=25),
            LeaveKind.OTHER,
            LeaveDecision.PENDING,
        )
        if ctx.rural:
            leave(
                workers[0],
                today - timedelta(days=55),
                today - timedelta(days=42),
                LeaveKind.PERSONAL,
                LeaveDecision.REJECTED,
                reason=texts["leave"]["rejected_reason"],
                substitute=False,
            )
        for day in days:
            self.add(
                DutyShift(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    date=day,
                    staff_ids=[s.id for s in shifts[day]],
                    note=notes[day],
                )
            )

    # -- supervision

    def _supervision(self, contexts: list[_Ctx]) -> None:
        rng = self.rng("supervision")
        texts = self.work_texts["supervision"]
        weekdays = [1, 3, 2]  # each supervisor's supervision day: Tue, Thu, Wed
        ratings = {"excellent": 25, "good": 50, "fair": 20, "poor": 5}
        for index, supervisor in enumerate(self.supervisors):
            d = self.win_start
            while d.weekday() != weekdays[index % len(weekdays)]:
                d += ONE_DAY
            while d <= self.yesterday:
                if is_workday(d) and rng.random() > 0.1:
                    both = rng.random() > 0.15
                    order = list(contexts)
                    rng.shuffle(order)
                    visited = order if both else order[:1]
                    minute = rng.randrange(9 * 60, 10 * 60, 5)
                    for ctx in visited:
                        self._check(ctx, rng, supervisor, d, _t(minute), ratings, texts, both)
                        minute += rng.randrange(70, 120, 5)
                d += timedelta(days=7)

    def _check(
        self,
        ctx: _Ctx,
        rng: _Rand,
        supervisor: Staff,
        day: date,
        at: time,
        ratings: dict[str, int],
        texts: dict,
        both: bool,
    ) -> None:
        rating = Rating(rng.weighted(ratings))
        items = rng.sample(list(CheckItem), rng.randint(2, 4))
        findings = rng.choice(texts["findings"][rating.value])
        findings += texts["demo_note"] if both else texts["single_station_note"]
        rectifications = []
        wanted = {"excellent": 0, "good": 1 if rng.chance(0.3) else 0, "fair": 1, "poor": 2}
        for item in items[: wanted[rating.value]]:
            due = day + timedelta(days=rng.randint(7, 15))
            done = due < self.today and rng.chance(0.9)
            slip_id = None
            if item is CheckItem.SLIPS:
                late = [sid for sid, slip_due in ctx.open_slips if slip_due < day]
                slip_id = rng.choice(late) if late else None
            rectifications.append(
                Rectification(
                    id=rng.uid(),
                    description=rng.choice(texts["rectifications"][item.value]),
                    due_date=due,
                    state=RectificationState.DONE if done else RectificationState.OPEN,
                    slip_id=slip_id,
                )
            )
        self.add(
            SupervisionCheck(
                id=rng.uid(),
                station_id=ctx.station.id,
                supervisor_id=supervisor.id,
                date=day,
                time=at,
                checked_items=items,
                findings=findings,
                rating=rating,
                rectifications=rectifications,
            )
        )

    # -- 三三工作法 and media

    def _three_threes(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "activities")
        texts = self.work_texts["activities"]
        lo, hi = self.year_start, max(self.year_start, self.yesterday)
        period = str(self.today.year)
        cultural, day = self._dated(rng, texts["cultural"][ctx.kind], lo, hi)
        self.add(
            StationActivity(
                id=rng.uid(),
                station_id=ctx.station.id,
                activity_type=ActivityType.CULTURAL,
                date=day,
                title=cultural["title"],
                place=cultural["place"],
                participants=rng.randint(60, 300),
                resident_representatives=True,
                period=period,
            )
        )
        targets = list(ctx.lead_homes)
        others = [h for h in ctx.homes if h not in targets and "拆迁户" in h.fields["tags"]]
        others = others or [h for h in ctx.homes if h not in targets]
        while len(targets) < 4:
            left = [h for h in others if h not in targets] or [
                h for h in ctx.homes if h not in targets
            ]
            targets.append(rng.choice(left))
        responsible = [*ctx.staff, *self.leaders]
        pairs = [
            ResponsibilityPair(responsible=responsible[i % len(responsible)].name, target=h.head)
            for i, h in enumerate(targets[:8])
        ]
        self.add(
            StationActivity(
                id=rng.uid(),
                station_id=ctx.station.id,
                activity_type=ActivityType.PETITION_STABILITY,
                date=rng.day(lo, min(hi, lo + timedelta(days=45))),
                title=texts["petition_stability"][ctx.kind],
                participants=len(pairs) * 2,
                pairs=pairs,
                period=period,
                note=texts["petition_note"],
            )
        )
        hardship, day = self._dated(rng, texts["hardship_activity"][ctx.kind], lo, hi)
        self.add(
            StationActivity(
                id=rng.uid(),
                station_id=ctx.station.id,
                activity_type=ActivityType.HARDSHIP_ACTIVITY,
                date=day,
                title=hardship["title"],
                place=hardship["place"],
                participants=rng.randint(15, 45),
                resident_representatives=rng.chance(0.5),
                period=period,
            )
        )

    @staticmethod
    def _dated(rng: _Rand, choices: list[dict], lo: date, hi: date) -> tuple[dict, date]:
        """An activity and its day in [lo, hi]; a festival one only in its ``months``."""
        options = []
        for activity in choices:
            months = activity.get("months")
            days = [
                lo + timedelta(days=n)
                for n in range((hi - lo).days + 1)
                if not months or (lo + timedelta(days=n)).month in months
            ]
            if days:
                options.append((activity, days))
        if not options:
            return choices[0], lo
        activity, days = rng.choice(options)
        return activity, rng.choice(days)

    def _media(self, contexts: list[_Ctx]) -> None:
        rng = self.rng("media")
        texts = self.work_texts["media"]
        lo, hi = self.year_start, max(self.year_start, self.yesterday)
        outlets = list(texts["outlets"])
        rng.shuffle(outlets)
        for i in range(7):
            ctx = contexts[0] if i < 4 else contexts[1]
            headlines = texts["headlines"][ctx.code]
            headline = headlines[(i if i < 4 else i - 4) % len(headlines)]
            day = rng.day(lo, hi)
            outlet = outlets[i % len(outlets)]
            self.add(
                StationActivity(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    activity_type=ActivityType.MEDIA_REPORT,
                    date=day,
                    title=headline,
                    outlet=outlet,
                    reference=f"《{headline}》，{outlet}，{day.year}年{day.month}月{day.day}日",
                    period=f"{day.year}-{day.month:02d}",
                )
            )


def build_demo(today: date, seed: int = 2026, scale: float = 1.0) -> list[Document]:
    """Every document of the demo store, validated model objects, in ``KINDS`` order.

    Pure and deterministic: the same ``today``, ``seed`` and ``scale`` give identical
    documents (ids included). Dates lie within the twelve months up to ``today``, except
    future duty shifts, appointments and due dates. Nothing that has a time of day and
    has happened (a visit, a supervision check, an appointment asked for) lies on
    ``today``, so no such time is later than the moment the demo is written, at any hour.
    """
    if not scale > 0:
        raise ValueError(f"scale 必须大于 0（收到 {scale}）")
    return _Demo(today, seed, scale).build()


# -- summary and writing the store ------------------------------------------------------


def year_to_date_visit_rate(docs: list[Document], today: date) -> float:
    """Distinct households visited from 1 January to ``today`` ÷ households (0–1)."""
    households = {d.id for d in docs if isinstance(d, Household)}
    start = date(today.year, 1, 1)
    visited = {
        d.household_id
        for d in docs
        if isinstance(d, Visit) and start <= d.date <= today and d.household_id in households
    }
    return len(visited) / len(households) if households else 0.0


def summarize(docs: list[Document], today: date, seed: int) -> str:
    """A short Chinese summary of the demo documents: counts per kind and a few figures."""
    counts = Counter(d.KIND for d in docs)
    parts = [f"{KINDS[kind].LABEL} {counts[kind]}" for kind in KINDS if counts.get(kind)]
    overdue = sum(
        1
        for d in docs
        if isinstance(d, HandoffSlip)
        and d.due_date is not None
        and d.due_date < today
        and d.state in (SlipState.ISSUED, SlipState.ACCEPTED, SlipState.EXTENDED, SlipState.REDO)
    )
    rate = year_to_date_visit_rate(docs, today)
    lines = [
        f"演示数据（今天 {today.isoformat()}，随机种子 {seed}）：共 {len(docs)} 条文档。",
        "、".join(parts) + "。",
        f"今年累计走访率 {rate * 100:.2f}%；超期未办结的交办单 {overdue} 件。",
        "督导记录只涉及演示中的两个群工站（督导目标为每人每天 3 个站）。",
    ]
    return "\n".join(lines)


def _now() -> datetime:
    """The machine's clock: local time with its UTC offset, as the store stamps a save."""
    return datetime.now().astimezone()


def demo_stamp(today: date, now: datetime) -> datetime:
    """When the demo's documents are recorded as written: every audit entry's ``at`` and
    every document's ``created_at``, in local time with its offset.

    08:00 on ``today`` (a working day's start), but never later than ``now``, the moment
    the demo is written (whole seconds, so never after it): a real change made right after
    is stamped by the real clock, and must not look to ``grassroots check`` like a clock
    set back. So when ``today`` is today, before 08:00 the stamp is ``now``; when
    ``today`` is past, 08:00 that day; when it is in the future, ``now``. A naive ``now``
    is taken as local time.
    """
    now = now.astimezone().replace(microsecond=0)
    return min(datetime.combine(today, DEMO_HOUR).astimezone(), now)


def write_demo_store(
    path: Path,
    today: date,
    seed: int = 2026,
    force: bool = False,
    *,
    now: datetime | None = None,
) -> str:
    """Create a demo store at ``path`` and return a short Chinese summary of it.

    Refuses with :class:`StoreError` when a store exists there, unless ``force``: then the
    old store is removed first (a copy is kept in its backups folder, see
    :func:`grassroots_tui.store.remove.remove_store`). All documents are written in one
    transaction by "演示数据", stamped :func:`demo_stamp` (``today``, ``now``): 08:00 on
    ``today`` or ``now`` (default: the machine's clock) if that is earlier, so that the
    audit trail's times never go back when real work follows. The documents do not depend
    on ``now``: nothing in them that has a time of day happened on ``today``.
    """
    from grassroots_tui.store import Store, StoreError
    from grassroots_tui.store.paths import StorePaths
    from grassroots_tui.store.remove import remove_store, store_exists

    paths = StorePaths.for_main(path)
    if store_exists(paths.main):
        if not force:
            raise StoreError(
                f"{paths.main} 已有数据，没有生成演示数据。如确要用演示数据替换它，"
                f"请加 --force（原数据会先另存到备份文件夹 {paths.backups.name}）。"
            )
        remove_store(paths.main)
    docs = build_demo(today, seed)
    stamp = demo_stamp(today, _now() if now is None else now)
    store = Store.open(paths.main, clock=lambda: stamp, daily_backup=False)
    try:
        if store.readonly:
            raise StoreError(f"不能写入演示数据：{store.readonly_reason}")
        with store.transaction(DEMO_ACTOR) as tx:
            for doc in docs:
                tx.save(doc)
    finally:
        store.close()
    return summarize(docs, today, seed)
