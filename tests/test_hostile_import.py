"""Hostile ledgers: whatever a household ledger holds, the importer answers in Chinese.

Hypothesis writes ledgers as CSV (UTF-8 with and without BOM, GBK) and as .xlsx with
random headers (known columns, synonyms, junk, missing required ones, extra ones) and
random cells (numbers, dates, formulas, control characters, huge strings, emoji, rare
CJK, empty rows, bad ID and phone numbers). For every ledger:

- reading raises nothing but :class:`LedgerError`, whose message is Chinese and names
  the file;
- the preview raises nothing; every row is accounted for exactly once (added, updated,
  unchanged or rejected); every rejection names a row that is in the file, a column the
  file has, and a Chinese reason;
- an accepted row is stored exactly as typed (text cells trimmed at both ends only);
- a rejected import, and one the user does not confirm, leaves every file of the store
  and ``store.tables`` exactly as they were.

``HOSTILE_EXAMPLES`` (environment) multiplies the example counts for soak runs.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.xml import LXML

from grassroots_tui.cli import main
from grassroots_tui.models import Household
from grassroots_tui.services.household_import import (
    COLUMNS,
    HouseholdImportError,
    ImportRefused,
    LedgerError,
    apply_import,
    field_for_header,
    preview_import,
    read_ledger,
)
from grassroots_tui.store import Store
from tests.factories import STATION_ID, household, id_number, station

TODAY = date(2026, 11, 26)
SCALE = int(os.environ.get("HOSTILE_EXAMPLES", "1"))


def examples(n: int):
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def store_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# -- the store every example starts from ---------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-import")
    with Store.open(folder / "grassroots.json", daily_backup=False) as s:
        s.save(station(), actor="测试")
        s.save(household("HL01-0001"), actor="测试")
        s.save(household("1", head_of_household="[bold]旧[/bold]"), actor="测试")
    return folder / "grassroots.json"


def copy_of(template: Path, into: Path) -> Path:
    shutil.copytree(template.parent, into / "store")
    return into / "store" / template.name


# -- strategies -----------------------------------------------------------------------------

_TITLES = [name for c in COLUMNS for name in (c.title, *c.synonyms)]
_REQUIRED_FIELDS = {"household_no", "head_of_household", "address"}
_OPTIONAL_TITLES = [t for t in _TITLES if field_for_header(t) not in _REQUIRED_FIELDS]
_FEW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=3)
_HOSTILE_TEXT = st.sampled_from(
    [
        "[bold]红[/bold]",
        "[link=x]链[/link]",
        "未闭合[/]",
        "👨\u200d👩\u200d👧",
        "𠀀𪚥𰻞",
        "\x1b[31m红\x1b[0m",
        "=1+1",
        '=HYPERLINK("http://x","点")',
        "+86 138 0000 0000",
        "-1",
        "@SUM(A1)",
        "长" * 10_000,
        "x" * 300,
        "  前后空格  ",
        "\t制表",
        "第一行\n第二行",
    ]
)
_BAD_IDS = st.one_of(
    st.from_regex(r"\A[0-9]{17}[0-9X]\Z"),
    st.from_regex(r"\A[0-9]{1,20}\Z"),
    st.sampled_from(["4.30121E+17", "430121195803121230", "43012119580230123X", "x" * 18]),
    st.just(id_number()),
)
_BAD_PHONES = st.one_of(
    st.from_regex(r"\A[0-9 +\-]{0,16}\Z"),
    st.sampled_from(["0", "+86", "1.38E+10", "138****5678", "13874561234", "0731-84012345"]),
)
_TEXT_CELLS = st.one_of(
    st.just(""),
    st.text(max_size=12),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    _HOSTILE_TEXT,
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=4), _CONTROL, st.text(max_size=4)),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(date(1800, 1, 1), date(2200, 1, 1)).map(str),
    st.sampled_from(["2026-13-45", "2026/02/30", "2026年3月5日", "20260305", "昨天"]),
    _BAD_IDS,
    _BAD_PHONES,
)
_GOOD = {
    "户号": st.sampled_from(["HL01-0001", "1", "HL01-0100", "HL01-0101", "HL01-0101"]),
    "户主姓名": st.sampled_from(["张桂兰", "[bold]红[/bold]", "𠀀𪚥", "欧阳娜娜"]),
    "地址": st.sampled_from(
        ["湘龙小区3栋", "[link=x]湘龙[/]", "👨\u200d👩\u200d👧 湘龙村", "湘龙村五组"]
    ),
    "身份证号": st.just(id_number()),
    "联系电话": st.just("13874561234"),
    "人口数": st.sampled_from(["1", "3", "99"]),
}


@st.composite
def tables(draw) -> tuple[list[str], list[list[str]]]:
    """A header row and data rows, mostly shaped like a ledger, often hostile."""
    shape = draw(st.integers(0, 5))
    if shape == 0:  # anything at all
        header = draw(st.lists(st.one_of(st.sampled_from(_TITLES), _TEXT_CELLS), max_size=8))
    else:
        required = ["户号", "户主姓名", "地址"]
        if shape == 1:  # a required column missing
            required.remove(draw(st.sampled_from(required)))
        # Optional columns, one header per field (a field twice is refused, tested below).
        optional = draw(
            st.lists(st.sampled_from(_OPTIONAL_TITLES), unique_by=field_for_header, max_size=6)
        )
        extra = draw(st.lists(st.one_of(_HOSTILE_TEXT, st.text(max_size=6)), max_size=2))
        header = list(draw(st.permutations(required + optional + extra)))
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 6)) == 0:
            rows.append([""] * draw(st.integers(0, len(header) + 1)))  # an empty row
            continue
        good = draw(st.booleans())
        row = [
            draw(_GOOD[h]) if good and h in _GOOD and draw(st.booleans()) else draw(_TEXT_CELLS)
            for h in header
        ]
        cut = draw(st.integers(0, 2))
        if cut == 1:  # short row: missing cells
            row = row[: draw(st.integers(0, len(row)))]
        elif cut == 2:  # long row: cells beyond the header
            row += draw(st.lists(_TEXT_CELLS, max_size=2))
        rows.append(row)
    if draw(st.integers(0, 3)):
        # Most files: control characters only here and there (many of them make the file
        # look binary, which is refused as a whole: a case of its own).
        rows = [[_FEW_CONTROLS.sub("", c) for c in r] for r in rows]
        header = [_FEW_CONTROLS.sub("", h) for h in header]
        if rows and rows[0]:
            rows[0][0] += draw(st.sampled_from(["", "\x1b[31m", "\x07", "\x7f"]))
    return header, rows


_XLSX_CELLS = st.one_of(
    _TEXT_CELLS.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.none(),
    st.integers(-(10**18), 10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.sampled_from(["=1+1", "=A1", "=SUM(1,2)"]),
)


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *rows])
    text = buffer.getvalue()
    if encoding == "gbk":
        data = text.encode("gbk", errors="replace")
    else:
        data = text.encode(encoding)
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, header: list, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    book.save(path)
    return path


# -- the checks -------------------------------------------------------------------------------


def check_import(path: Path, db: Path, typed: dict[int, dict[str, object]] | None) -> str:
    """Read, preview and apply ``path`` against the store at ``db``; assert the rules.

    ``typed`` maps the file's row number to {header: cell as written}, to check that
    accepted text is stored as typed. Returns what happened, for hypothesis' statistics.
    """
    try:
        ledger = read_ledger(path)
    except LedgerError as error:
        message = str(error)
        assert cjk(message), message
        assert path.name in message or str(path) in message, message
        return "refused file"
    except Exception as error:  # pragma: no cover - the failure hypothesis looks for
        pytest.fail(f"read_ledger raised {type(error).__name__}: {error}")

    files_before = store_bytes(db.parent)
    with Store.open(db, daily_backup=False) as store:
        tables_before = copy.deepcopy(store.tables)
        preview = preview_import(store.raw(Household), STATION_ID, ledger, TODAY)

        # Every row accounted for exactly once.
        rows = {r.row for r in ledger.rows}
        assert len(preview.adds) + len(preview.updates) + preview.unchanged + len(
            preview.rejected_rows
        ) == len(ledger.rows), preview.summary()
        columns = set(ledger.columns.values()) | {"整行"}
        for problem in preview.rejected:
            assert problem.row in rows, problem
            assert problem.column in columns, (problem, columns)
            assert problem.reason and cjk(problem.reason), problem
            assert f"第 {problem.row} 行" in str(problem) and problem.column in str(problem)
        assert cjk(preview.summary())

        # Accepted text is stored as typed (trimmed at both ends only).
        if typed is not None:
            first_row: dict[str, int] = {}
            for r in ledger.rows:
                number = r.values.get("household_no")
                if isinstance(number, str) and number.strip():
                    first_row.setdefault(number.strip(), r.row)
            for added in preview.adds:
                if added.household_no not in first_row:  # a number cell (xlsx): not text
                    continue
                cells = typed[first_row[added.household_no]]
                for field, column in (("head_of_household", "户主姓名"), ("address", "地址")):
                    cell = cells.get(column)
                    if isinstance(cell, str):
                        assert getattr(added, field) == cell.strip(), (field, cell)

        if preview.rejected:
            with pytest.raises(ImportRefused) as refused:
                apply_import(store, preview, actor="测试")
            assert cjk(str(refused.value))
            assert store.tables == tables_before
            outcome = "rejected"
        elif preview.has_changes:
            result = apply_import(store, preview, actor="测试")
            assert result.added == len(preview.adds) and result.updated == len(preview.updates)
            outcome = "applied"
        else:
            apply_import(store, preview, actor="测试")
            assert store.tables == tables_before
            outcome = "nothing to do"
    if outcome != "applied":
        assert store_bytes(db.parent) == files_before
        return outcome

    # Applied: after reopening, each household is there exactly as previewed.
    with Store.open(db, daily_backup=False) as again:
        for written in [*preview.adds, *(h for h, _changes in preview.updates)]:
            stored = again.get(Household, written.id)
            assert stored is not None
            assert content(stored) == content(written)
    return outcome


#: What the store fills in itself on a save (the writer and the sync fields included).
BOOKKEEPING = {
    "rev",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "writer",
    "rev_hash",
    "acked_hash",
}


def content(doc: Household) -> dict:
    return {k: v for k, v in doc.to_json().items() if k not in BOOKKEEPING}


def _typed(header: list, rows: list[list]) -> dict[int, dict[str, object]]:
    """{spreadsheet row number: {header: cell}} for the data rows (header is row 1)."""
    out = {}
    for number, row in enumerate(rows, start=2):
        out[number] = {h: (row[i] if i < len(row) else None) for i, h in enumerate(header)}
    return out


# -- the tests --------------------------------------------------------------------------------


@examples(120)
@given(table=tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_any_csv_ledger_is_imported_or_refused_in_chinese(table, encoding, template) -> None:
    header, rows = table
    with tempfile.TemporaryDirectory() as folder:
        db = copy_of(template, Path(folder))
        path = write_csv(Path(folder) / "台账.csv", header, rows, encoding)
        # GBK replaced what it cannot encode: compare with what the file really says.
        typed = None if encoding == "gbk" else _typed(header, rows)
        event(check_import(path, db, typed))


def _as_xlsx_holds(cell: object) -> object:
    """What an .xlsx written by openpyxl holds of ``cell``: a carriage return survives
    when openpyxl writes through lxml (which escapes it as &#13;, and python-docx brings
    lxml), and is normalised to a line feed by XML otherwise."""
    if not isinstance(cell, str):
        return cell
    if cell.startswith("="):
        return None
    return cell if LXML else cell.replace("\r\n", "\n").replace("\r", "\n")


@examples(40)
@given(table=tables(), data=st.data())
def test_any_xlsx_ledger_is_imported_or_refused_in_chinese(table, data, template) -> None:
    header, rows = table
    header = [ILLEGAL_CHARACTERS_RE.sub("", h) for h in header]
    rows = [[data.draw(_XLSX_CELLS) if data.draw(st.booleans()) else c for c in r] for r in rows]
    rows = [
        [ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in r] for r in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        db = copy_of(template, Path(folder))
        path = write_xlsx(Path(folder) / "台账.xlsx", header, rows)
        # Formulas read back as blank (no cached value): skip the "as typed" check for them.
        # A carriage return cannot survive in an .xlsx: the file is XML, and XML reads every
        # line end as a line feed, so "0\r0" is written and read back as "0\n0".
        typed = {
            n: {h: _as_xlsx_holds(c) for h, c in r.items()} for n, r in _typed(header, rows).items()
        }
        event(check_import(path, db, typed))


@examples(60)
@given(
    body=st.binary(max_size=400),
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"%PDF-1.4"]),
    name=st.sampled_from(["台账.csv", "台账.xlsx", "ledger", "👨\u200d👩\u200d👧[bold].csv"]),
)
def test_random_bytes_are_refused_with_a_chinese_message_naming_the_file(
    body, prefix, name, template
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = copy_of(template, Path(folder))
        path = Path(folder) / name
        path.write_bytes(prefix + body)
        event(check_import(path, db, None))


def test_control_characters_in_a_csv_cell_are_stored_as_typed(template, tmp_path: Path) -> None:
    """A few control characters in a text cell are the user's text, not a binary file."""
    db = copy_of(template, tmp_path)
    address = "湘龙[bold]村[/bold]\x1b[31m五组\x7f"
    path = write_csv(
        tmp_path / "台账.csv", ["户号", "户主姓名", "地址"], [["HL01-0200", "𪚥", address]], "utf-8"
    )
    typed = _typed(["户号", "户主姓名", "地址"], [["HL01-0200", "𪚥", address]])
    assert check_import(path, db, typed) == "applied"
    with Store.open(db, daily_backup=False) as store:
        [stored] = [h for h in store.raw(Household) if h["household_no"] == "HL01-0200"]
    assert stored["address"] == address and stored["head_of_household"] == "𪚥"


def test_a_10000_character_cell_is_rejected_naming_row_column_and_limit(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "台账.csv",
        ["户号", "户主姓名", "住址"],
        [["HL01-0200", "张三", "长" * 10_000], ["HL01-0201", "李四", "湘龙村"]],
        "utf-8-sig",
    )
    preview = preview_import([], STATION_ID, read_ledger(path), TODAY)
    assert [(p.row, p.column) for p in preview.rejected] == [(2, "住址")]
    assert "不能超过 200 个字" in preview.rejected[0].reason
    assert [h.household_no for h in preview.adds] == ["HL01-0201"]


# -- through the command: a rejected or unconfirmed import changes nothing ----------------------


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


@examples(25)
@given(table=tables(), confirm=st.booleans())
def test_the_command_changes_nothing_unless_a_clean_import_is_confirmed(
    table, confirm, template, no_tty, capsys
) -> None:
    header, rows = table
    with tempfile.TemporaryDirectory() as folder:
        db = copy_of(template, Path(folder))
        path = write_csv(Path(folder) / "台账.csv", header, rows, "utf-8-sig")
        before = store_bytes(db.parent)
        argv = ["import", "households", str(path), "--station", "hl01", "--db", str(db)]
        code = main([*argv, "--yes"] if confirm else argv)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert code in (0, 1, 2), code
        if code == 2:
            assert err.startswith("错误："), err
            assert cjk(err)
        if code != 0 or not confirm:
            assert store_bytes(db.parent) == before, (code, out, err)
            event(f"unchanged, exit {code}")
        else:
            event("imported" if store_bytes(db.parent) != before else "nothing to write")
        if "被拒绝的行" in out:
            assert code == 2
            for line in out.splitlines():
                if line.startswith("  第 "):
                    assert "行" in line and "「" in line and "」" in line


def test_importer_errors_are_one_documented_family() -> None:
    assert issubclass(LedgerError, HouseholdImportError)
    assert issubclass(ImportRefused, HouseholdImportError)
    assert issubclass(HouseholdImportError, ValueError)


def test_a_carriage_return_in_an_xlsx_cell_reads_back_as_a_line_feed(template, tmp_path) -> None:
    """The case Hypothesis found: an address "0\\r0" in an .xlsx is imported as "0\\n0"
    (XML line-end normalisation) when openpyxl writes without lxml, as "0\\r0" with it;
    the check above allows exactly that."""
    db = copy_of(template, tmp_path)
    path = write_xlsx(tmp_path / "台账.xlsx", ["户号", "户主姓名", "地址"], [["0", "张三", "0\r0"]])
    typed = {2: {"户号": "0", "户主姓名": "张三", "地址": _as_xlsx_holds("0\r0")}}
    assert check_import(path, db, typed) == "applied"
    with Store.open(db, daily_backup=False) as again:
        imported = [h.address for h in again.iter(Household) if h.household_no == "0"]
        assert imported == ["0\r0" if LXML else "0\n0"]
