"""CSV and .xlsx cells are safe from formula injection (= + - @, tab, CR; docs/design.md#exports).

Text residents and staff type (addresses, names, what was given on a 送温暖 round, slip
titles, handling units, problem descriptions, station names) is planted into the demo
store beginning with each formula character; then every CSV and .xlsx the program
writes is read back:

- CSV (月度统计 .csv, 送温暖名单 .csv): no cell starts with a formula character; planted
  text appears with a leading apostrophe and otherwise as typed; figures stay plain
  numbers.
- .xlsx (月度统计): no cell is a formula (``data_type`` "f"); planted text is a string
  cell ("s") holding exactly what was typed; figures stay numbers ("n").

The shared helper :func:`grassroots_tui.services.condolence.neutralise` is tested
directly too, including real negative figures, which must stay numbers.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from grassroots_tui.cli import main
from grassroots_tui.demo import write_demo_store
from grassroots_tui.models import Household, Station, Visit
from grassroots_tui.models.base import new_id
from grassroots_tui.services.condolence import neutralise, start_round
from grassroots_tui.services.slips.clock import views as slip_views
from grassroots_tui.store import Store
from tests.sign_in_helpers import add_member, sign_in_env

TODAY = dt.date(2026, 11, 26)
MONTH = "2026-11"
ACTOR = "公式注入测试"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXAMPLES = int(os.environ.get("GRASSROOTS_HYPOTHESIS_EXAMPLES", "200"))

#: What a hostile or careless entry could hold; each starts with a formula character (the
#: model strips leading whitespace, so tab and CR appear after such a start, see below).
PLANTED = {
    "address": '=HYPERLINK("http://example.invalid","点我")',
    "given": "+1+2 慰问金",
    "station": "-2+3群工站",
    "title": "@SUM(A1:A9) 漏水",
    "unit": "=cmd|' /C calc'!A0",
    "problem": "-1+1 楼道\t灯坏",
    "head": "=张三",
}


def run_cli(db: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--db", str(db)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo store with the planted text; returns (main file, round id)."""
    db = tmp_path_factory.mktemp("formula") / "data" / "grassroots.json"
    write_demo_store(db, today=TODAY)
    store = Store.open(db, daily_backup=False)
    try:
        station = sorted(store.iter(Station), key=lambda s: s.code)[0]
        store.save(station.model_copy(update={"name": PLANTED["station"]}), ACTOR)
        home = Household(
            station_id=station.id,
            household_no="FX-0001",
            head_of_household=PLANTED["head"],
            address=PLANTED["address"],
            phone="13700112244",
            people=2,
            registered_on=dt.date(2020, 1, 1),
        )
        store.save(home, ACTOR)
        slips = [
            s
            for s in slip_views(store, None).values()
            if s.station_id == station.id and s.issue_date and s.issue_date.year == 2026
        ]
        store.save(
            slips[0]
            .stored()
            .model_copy(update={"title": PLANTED["title"], "handling_unit": PLANTED["unit"]}),
            ACTOR,
        )
        visit = next(
            v
            for v in store.iter(Visit)
            if v.station_id == station.id and v.date.month == 11 and v.problems
        )
        problem = visit.problems[0].model_copy(
            update={"id": new_id(), "description": PLANTED["problem"]}
        )
        store.save(
            visit.model_copy(
                update={"id": new_id(), "rev": 0, "household_id": home.id, "problems": [problem]}
            ),
            ACTOR,
        )
        case = next(
            c
            for c in store.iter("hardship_case")
            if c.station_id == station.id and c.status.value == "active"
        )
        store.save(
            case.model_copy(update={"id": new_id(), "rev": 0, "household_id": home.id}), ACTOR
        )
        found = start_round(
            store,
            title="公式注入慰问",
            started_on=TODAY,
            station_id=station.id,
            tier=None,
            actor=ACTOR,
        )
        items = [
            item.model_copy(update={"given": PLANTED["given"]})
            if item.household_id == home.id
            else item
            for item in found.items
        ]
        store.save(found.model_copy(update={"items": items}), ACTOR)
        add_member(store, ACTOR, station_id=station.id)  # the head who exports unmasked
        assert store.get_raw("household", home.id)["address"] == PLANTED["address"]
    finally:
        store.close()
    return db, found.id


def _csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def _assert_csv_safe(rows: list[list[str]], planted: list[str]) -> None:
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(FORMULA_START), f"formula cell in CSV: {cell!r}"
    for text in planted:
        assert "'" + text in cells, f"{text!r} not found neutralised"


# -- CSV -------------------------------------------------------------------------------------


def test_round_csv_neutralises_planted_text(store_path: tuple[Path, str], tmp_path: Path) -> None:
    db, round_id = store_path
    out = tmp_path / "round.csv"
    code, _out, err = run_cli(db, "hardship", "round", "export", round_id, "--out", str(out))
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    rows = _csv_cells(data.decode("utf-8"))
    # The masked head "=张三" → "=**" starts with "=" too, and is neutralised as well.
    _assert_csv_safe(rows, [PLANTED["address"], PLANTED["given"], "=**"])
    # The 序号 column is a plain number.
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]


def test_round_csv_unmasked_neutralises_too(
    store_path: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, round_id = store_path
    sign_in_env(monkeypatch, ACTOR)
    code, out, err = run_cli(db, "hardship", "round", "export", round_id, "--unmasked")
    assert code == 0, err
    _assert_csv_safe(_csv_cells(out), [PLANTED["address"], PLANTED["head"]])


def test_stats_csv_neutralises_station_name_and_keeps_figures(
    store_path: tuple[Path, str], tmp_path: Path
) -> None:
    db, _ = store_path
    out = tmp_path / "stats.csv"
    code, _out, err = run_cli(
        db, "export", "stats", "--month", MONTH, "--format", "csv", "--out", str(out)
    )
    assert code == 0, err
    rows = _csv_cells(out.read_bytes().decode("utf-8"))
    _assert_csv_safe(rows, [PLANTED["station"]])
    header = rows[0]
    figures = [row for row in rows[1:] if len(row) == len(header)]
    assert figures
    for row in figures:
        for title, cell in zip(header[2:], row[2:], strict=True):
            if cell == "" and "率" in title:
                continue  # a rate with nothing to divide by is left empty, never 0.00
            float(cell)  # a figure: a plain number, no apostrophe


# -- xlsx ------------------------------------------------------------------------------------


def test_stats_xlsx_has_no_formula_cells(store_path: tuple[Path, str], tmp_path: Path) -> None:
    db, _ = store_path
    out = tmp_path / "stats.xlsx"
    code, _out, err = run_cli(db, "export", "stats", "--month", MONTH, "--out", str(out))
    assert code == 0, err
    book = load_workbook(out)
    found: dict[str, str] = {}
    numbers = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    for key, text in PLANTED.items():
                        if cell.value == text:
                            found[key] = sheet.title
                elif isinstance(cell.value, (int, float)):
                    assert cell.data_type == "n"
                    numbers += 1
    # Shown exactly as typed (a string cell needs no apostrophe), on the sheet it belongs to.
    assert found == {
        "station": "汇总",
        "title": "交办单",
        "unit": "交办单",
        "problem": "反映问题",
    }
    assert numbers > 50


# -- the helper ------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_START)
def test_neutralise_prefixes_every_formula_start(start: str) -> None:
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-3, "-3"),
        (-2.5, "-2.5"),
        (Decimal("-0.75"), "-0.75"),
        (0, "0"),
        (42, "42"),
        (None, ""),
        ("", ""),
        ("张三", "张三"),
        ("1-2", "1-2"),  # a formula character later in the text is harmless
        ("'=already", "'=already"),
        ("-3", "'-3"),  # text that looks like a figure is still text: neutralised
    ],
)
def test_neutralise_keeps_figures_and_plain_text(value: object, expected: str) -> None:
    assert neutralise(value) == expected


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    result = neutralise(text)
    assert not result.startswith(FORMULA_START)
    assert result in (text, "'" + text)
    assert (result != text) == text.startswith(FORMULA_START)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.integers(), st.decimals(allow_nan=False, allow_infinity=False)))
def test_real_figures_pass_through_as_numbers(value: int | Decimal) -> None:
    result = neutralise(value)
    assert result == str(value)
    assert Decimal(result) == Decimal(value)


def test_leading_tab_or_cr_cannot_be_stored(tmp_path: Path) -> None:
    """Tab and CR at the start of text are removed before saving (the models strip
    whitespace), so they reach an export only inside text, where they are harmless."""
    with Store.open(tmp_path / "s.json", daily_backup=False) as store:
        home = Household(
            station_id="station-hl01",
            household_no="T-1",
            head_of_household="张三",
            address="\t=1+1",
            people=1,
        )
        saved = store.save(home.model_copy(update={"address": "\r=1+1"}), ACTOR)
        assert store.get_raw("household", saved.id)["address"] == "=1+1"
        assert home.address == "=1+1"
