"""After importing a year's ledgers, the year's figures include them (issue #21).

A year of ledgers (visits with problems, slips with their steps, hardship cases with
assistance, media reports) is generated here as rows, imported through the ledger
import, and every month's figures of the statistics are compared with figures counted
here from the ledger rows themselves, by the written definitions (services/statistics.py
docstring): the expected values never come from the statistics service.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from grassroots_tui.cli import main
from grassroots_tui.models import Staff
from grassroots_tui.services.ledger_import import apply_ledger, preview_ledger, read_kind
from grassroots_tui.services.ledger_kinds import HARDSHIP, MEDIA, SLIPS, VISITS
from grassroots_tui.services.statistics import month_stats
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, station
from tests.test_ledger_import import SLIP_HEADER, write_csv

YEAR = 2026
TODAY = date(2026, 12, 7)
HOUSEHOLDS = [f"{n:04d}" for n in range(1, 61)]
STAFF = ("李明", "周红", "王芳")
KIND_LABELS = ("走访", "约访", "夜访", "联访")
STATES = ("当场解决", "待办", "后续解决", "已交办")
SOURCES = ("走访发现", "热线电话", "民情代办点", "上级交办")


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


@dataclass
class Ledgers:
    """The generated rows, as written to the files, and what they say, for counting."""

    visits: list[list[str]] = field(default_factory=list)
    slips: list[list[str]] = field(default_factory=list)
    hardship: list[list[str]] = field(default_factory=list)
    media: list[list[str]] = field(default_factory=list)


VISIT_HEADER = [
    "户号",
    "走访日期",
    "开始时间",
    "走访方式",
    "走访人员",
    "联访部门",
    "问题类别",
    "问题描述",
    "问题状态",
    "解决日期",
]
HARDSHIP_HEADER = [
    "户号",
    "建档日期",
    "困难等级",
    "致困原因",
    "帮扶责任人",
    "帮扶状态",
    "结案日期",
    "帮扶日期",
    "帮扶形式",
    "金额（元）",
    "资金来源",
    "经办人",
]
MEDIA_HEADER = ["日期", "媒体", "名称"]


def generate(seed: int) -> Ledgers:
    rng = random.Random(seed)
    out = Ledgers()
    last = date(YEAR, 11, 30)
    # visits: each a few rows when it raised several problems
    used: set[tuple[str, date, str]] = set()
    while len(used) < 400:
        number, day = rng.choice(HOUSEHOLDS), _day(rng, date(YEAR, 1, 1), last)
        start = f"{rng.randint(8, 20):02d}:{rng.choice(('00', '15', '30', '45'))}"
        if (number, day, start) in used:
            continue
        used.add((number, day, start))
        kind = rng.choice(KIND_LABELS)
        visit = [
            number,
            day.isoformat(),
            start,
            kind,
            "、".join(rng.sample(STAFF, rng.randint(1, 2))),
            "民政办" if kind == "联访" else "",
        ]
        problems = rng.choice((0, 0, 1, 1, 2, 3))
        if not problems:
            out.visits.append([*visit, "", "", "", ""])
        for index in range(problems):
            state = rng.choice(STATES)
            solved = ""
            if state == "后续解决":
                solved = min(day + timedelta(days=rng.randint(0, 45)), TODAY).isoformat()
            elif state == "当场解决" and rng.random() < 0.5:
                solved = day.isoformat()
            cells = visit if index == 0 else [number, day.isoformat(), start, "", "", ""]
            out.visits.append(
                [
                    *cells,
                    rng.choice(("环境卫生", "社会保障", "其他")),
                    f"问题{len(out.visits)}",
                    state,
                    solved,
                ]
            )
    # slips: one row each, steps as dates
    for seq in range(1, 61):
        issued = _day(rng, date(YEAR, 1, 1), last)
        row = dict.fromkeys(SLIP_HEADER, "")
        row.update(
            交办单编号=f"湘龙群交〔{YEAR}〕第{seq:04d}号",
            来源=rng.choice(SOURCES),
            类别="环境卫生",
            事项=f"事项{seq}",
            情况描述="情况",
            承办单位="物业办",
            经办人="王强",
            交办日期=issued.isoformat(),
        )
        fate = rng.random()
        if fate < 0.1:
            row.update(
                撤回日期=(issued + timedelta(days=rng.randint(0, 5))).isoformat(), 撤回理由="重复"
            )
        elif fate < 0.85:
            if rng.random() < 0.5:
                row["受理日期"] = (issued + timedelta(days=1)).isoformat()
            replied = issued + timedelta(days=rng.randint(1, 25))
            row.update(回复日期=replied.isoformat(), 办理结果="已办")
            if rng.random() < 0.7:
                called = replied + timedelta(days=rng.randint(0, 10))
                row.update(
                    回访日期=called.isoformat(), 满意度=rng.choice(("满意", "基本满意", "不满意"))
                )
            elif rng.random() < 0.6:
                row["办结日期"] = (replied + timedelta(days=rng.randint(0, 7))).isoformat()
        if (
            max((v for k, v in row.items() if k.endswith("日期") and v), default="")
            > TODAY.isoformat()
        ):
            continue  # a step after today: not in a ledger kept up to today
        out.slips.append(list(row.values()))
    # hardship: a case per household for some, each with some assistance
    for number in rng.sample(HOUSEHOLDS, 12):
        opened = _day(rng, date(YEAR - 1, 10, 1), date(YEAR, 9, 30))
        status, exit_on = "帮扶中", ""
        if rng.random() < 0.4:
            status, exit_on = "已脱困", (opened + timedelta(days=rng.randint(30, 60))).isoformat()
        case = [
            number,
            opened.isoformat(),
            rng.choice(("深度困难", "相对困难")),
            "疾病",
            rng.choice(STAFF),
            status,
            exit_on,
        ]
        helps = rng.randint(0, 4)
        if not helps:
            out.hardship.append([*case, "", "", "", "", ""])
        for index in range(helps):
            day = min(opened + timedelta(days=rng.randint(0, 50)), TODAY)
            form = rng.choice(("慰问金", "物资", "医疗救助"))
            amount = f"{rng.randint(1, 2000)}.{rng.randint(0, 99):02d}"
            cells = case if index == 0 else [number, opened.isoformat(), "", "", "", "", ""]
            out.hardship.append(
                [
                    *cells,
                    day.isoformat(),
                    form,
                    amount,
                    rng.choice(("民政", "工会", "企业")),
                    rng.choice(STAFF),
                ]
            )
    for seq in range(14):
        out.media.append(
            [
                _day(rng, date(YEAR, 1, 1), last).isoformat(),
                rng.choice(("湘江日报", "长沙晚报")),
                f"报道{seq}",
            ]
        )
    return out


# -- the figures counted from the rows -------------------------------------------------------


def rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def expected(ledgers: Ledgers, month: int) -> dict[str, object]:
    start = date(YEAR, month, 1)
    end = (date(YEAR, month + 1, 1) if month < 12 else date(YEAR + 1, 1, 1)) - timedelta(days=1)
    year_start = date(YEAR, 1, 1)
    m_lo, m_hi, c_lo = start.isoformat(), end.isoformat(), year_start.isoformat()

    def in_month(day: str) -> bool:
        return bool(day) and m_lo <= day <= m_hi

    def in_year(day: str) -> bool:
        return bool(day) and c_lo <= day <= m_hi

    visits: dict[tuple[str, str, str], str] = {}
    problems: list[tuple[str, str, str]] = []  # (visit day, state, solved day)
    for row in ledgers.visits:
        number, day, start_time, kind = row[0], row[1], row[2], row[3]
        visits.setdefault((number, day, start_time), kind)
        if row[7]:
            solved = row[9] or (day if row[8] == "当场解决" else "")
            problems.append((day, row[8], solved))

    def resolved_problem(state: str, solved: str) -> bool:
        return state in ("当场解决", "后续解决") and bool(solved) and solved <= m_hi

    slips = [dict(zip(SLIP_HEADER, row, strict=True)) for row in ledgers.slips]

    def closed_on(slip: dict[str, str]) -> str:
        if slip["满意度"] in ("满意", "基本满意"):
            return slip["回访日期"]
        return slip["办结日期"]

    walk_in = [s for s in slips if s["来源"] in ("热线电话", "民情代办点")]
    raised_m = sum(in_month(d) for d, _s, _v in problems) + sum(
        in_month(s["交办日期"]) for s in walk_in
    )
    raised_c = sum(in_year(d) for d, _s, _v in problems) + sum(
        in_year(s["交办日期"]) for s in walk_in
    )

    def resolved(period) -> int:
        count = sum(period(d) and resolved_problem(s, v) for d, s, v in problems)
        closed = [
            s for s in walk_in if period(s["交办日期"]) and closed_on(s) and closed_on(s) <= m_hi
        ]
        return count + len(closed)

    callbacks = [s for s in slips if in_month(s["回访日期"])]
    good = sum(s["满意度"] in ("满意", "基本满意") for s in callbacks)

    cases: dict[tuple[str, str], tuple[str, str]] = {}
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_form: dict[str, Decimal] = defaultdict(Decimal)
    forms = {"慰问金": "condolence_money", "物资": "goods", "医疗救助": "medical"}
    for row in ledgers.hardship:
        cases.setdefault((row[0], row[1]), (row[5], row[6]))
        if row[7] and in_month(row[7]):
            by_source[row[10]] += Decimal(row[9])
            by_form[forms[row[8]]] += Decimal(row[9])
    return {
        "visits_month": sum(in_month(d) for _n, d, _t in visits),
        "visits_cumulative": sum(in_year(d) for _n, d, _t in visits),
        "households_visited_month": len({n for n, d, _t in visits if in_month(d)}),
        "households_visited_cumulative": len({n for n, d, _t in visits if in_year(d)}),
        "households_registered": len(HOUSEHOLDS),
        "visit_rate_cumulative": rate(
            len({n for n, d, _t in visits if in_year(d)}), len(HOUSEHOLDS)
        ),
        "visits_by_kind": dict(Counter(k for (_n, d, _t), k in visits.items() if in_month(d))),
        "issues_raised_month": raised_m,
        "issues_raised_cumulative": raised_c,
        "issues_resolved_month": resolved(in_month),
        "issues_resolved_cumulative": resolved(in_year),
        "slips_issued_month": sum(in_month(s["交办日期"]) for s in slips),
        "slips_issued_cumulative": sum(in_year(s["交办日期"]) for s in slips),
        "slips_replied_month": sum(in_month(s["回复日期"]) for s in slips),
        "satisfaction_rate": rate(good, len(callbacks)),
        "media_reports_month": sum(in_month(r[0]) for r in ledgers.media),
        "media_reports_cumulative": sum(in_year(r[0]) for r in ledgers.media),
        "hardship_new_month": sum(in_month(opened) for _n, opened in cases),
        "hardship_active": sum(
            opened <= m_hi and (not exit_on or exit_on > m_hi)
            for (_n, opened), (_status, exit_on) in cases.items()
        ),
        "hardship_exited_month": sum(in_month(exit_on) for _status, exit_on in cases.values()),
        "assistance_by_source": dict(by_source),
        "assistance_by_form": dict(by_form),
    }


@pytest.mark.parametrize("seed", [21, 2026])
def test_a_year_of_imported_ledgers_is_in_the_years_figures(tmp_path, seed) -> None:
    ledgers = generate(seed)
    db = tmp_path / "data" / "station.json"
    store = Store.open(db)
    try:
        store.save(station(), actor="测试")
        for number in HOUSEHOLDS:
            store.save(household(number), actor="测试")
        for index, name in enumerate(STAFF):
            store.save(Staff(id=f"staff-{index}", station_id=STATION_ID, name=name), actor="测试")
        files = (
            (VISITS, VISIT_HEADER, ledgers.visits),
            (SLIPS, SLIP_HEADER, ledgers.slips),
            (HARDSHIP, HARDSHIP_HEADER, ledgers.hardship),
            (MEDIA, MEDIA_HEADER, ledgers.media),
        )
        for kind, header, rows in files:
            path = write_csv(tmp_path / f"{kind.name}.csv", [header, *rows])
            preview = preview_ledger(store, STATION_ID, read_kind(path, kind), kind, TODAY)
            assert not preview.rejected, preview.summary()
            apply_ledger(store, preview, "测试")
        assert len(store.raw("visit")) == 400
        assert len(store.raw("handoff_slip")) == len(ledgers.slips) > 40

        for month in range(1, 12):
            figures = month_stats(store, year=YEAR, month=month, today=TODAY).total
            wanted = expected(ledgers, month)
            got = {name: getattr(figures, name) for name in wanted}
            for name in ("visits_by_kind", "assistance_by_source", "assistance_by_form"):
                got[name] = {k: v for k, v in got[name].items() if v}
            assert got == wanted, month
        # the counts are not all zero: the comparison could have failed
        assert sum(expected(ledgers, m)["issues_resolved_month"] for m in range(1, 12)) > 50
        assert expected(ledgers, 11)["hardship_active"] > 0
        months = [expected(ledgers, m) for m in range(1, 12)]
        assert any(m["assistance_by_source"] for m in months)
        assert any(m["hardship_new_month"] for m in months)
        assert any(m["satisfaction_rate"] not in (None, Decimal(100)) for m in months)
    finally:
        store.close()
    # and the store is whole: each slip's state agrees with its steps, every document
    # with the audit trail
    assert main(["check", "--db", str(db)]) == 0
