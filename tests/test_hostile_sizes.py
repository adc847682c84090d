"""Hostile sizes: a ledger over a limit is refused early, in Chinese, naming the limit,
in bounded memory, and nothing is written.

The limits are those of :mod:`grassroots_tui.services.ledger_limits` (20 MB file, 50,000
data rows, 200,000 rows with the blank ones, 200 columns, 32,767 characters a cell,
100,000 a CSV line; an .xlsx at most 64 MB decompressed, 16 MB of cell text, 4 MB for any
other part read whole, a ratio of 100).

Most files are imported as a user would: ``grassroots import households FILE --yes`` in
a fresh process, at the real limits (a zip bomb is tiny on disk, 21 MB of CSV takes
milliseconds to write). Its peak resident memory (VmHWM, which the child reads for
itself, see :data:`CHILD`) must stay under :data:`PEAK_MB`, the message on stderr must
name the limit, and the store must be byte for byte as it was. What would make the file large (a long
record, a big part) is tested in-process with the limits lowered, measuring Python's
allocations with tracemalloc. The peaks are printed (``pytest -s``) for the README.

No test asserts a time; a process still running after :data:`KILL_AFTER` seconds is
killed and the test fails (the code before the limits ran minutes on some of these).
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from grassroots_tui.models import StaffRole
from grassroots_tui.services import ledger_limits
from grassroots_tui.services.household_import import LedgerError, preview_import, read_ledger
from grassroots_tui.store import Store
from tests.factories import STATION_ID, station
from tests.sign_in_helpers import add_member

ROOT = Path(__file__).resolve().parent.parent
#: The most a refused import may take, the interpreter and the program included (a
#: fresh process importing a three-row ledger takes about 60 MB).
PEAK_MB = 300
#: The most Python may allocate in-process while refusing a file (tracemalloc).
TRACED_MB = 40
KILL_AFTER = 120
MB = 1024 * 1024
TODAY = date(2026, 11, 26)


# -- running an import in its own process ---------------------------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    peak_mb: float


HEAD_PIN = "2468"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sizes")
    with Store.open(folder / "grassroots.json", daily_backup=False) as store:
        store.save(station(), actor="测试")
        add_member(store, "王站长", StaffRole.HEAD, HEAD_PIN)
    return folder / "grassroots.json"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


#: The child: the command as ``python -m grassroots_tui`` runs it, then its own peak
#: resident memory (VmHWM) written to the file the environment names. Not ru_maxrss:
#: Linux carries the parent's high-water mark into a child through fork and exec, so
#: a child of a 300 MB pytest would report 300 MB whatever it did.
CHILD = """
import os, sys
from grassroots_tui.cli import main
try:
    code = main(sys.argv[1:])
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    with open(os.environ["GRASSROOTS_PEAK_FILE"], "w") as out:
        out.write(peak.split()[1])
sys.exit(code)
"""


def run_import(ledger: Path, db: Path) -> Outcome:
    """``grassroots import households LEDGER --yes`` in a fresh process; its exit code,
    output and peak resident memory (of that process alone)."""
    folder = ledger.parent
    out_path, err_path, peak_path = (folder / n for n in ("stdout.txt", "stderr.txt", "peak"))
    argv = ["import", "households", str(ledger), "--station", "HL01", "--db", str(db), "--yes"]
    env = {
        **os.environ,
        "GRASSROOTS_PEAK_FILE": str(peak_path),
        # An import signs in (docs/cli-sign-in.md): the station's head, as a script would.
        "GRASSROOTS_USER": "王站长",
        "GRASSROOTS_PIN": HEAD_PIN,
    }
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, *argv],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
        )
    try:
        code = process.wait(timeout=KILL_AFTER)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    return Outcome(
        code,
        out_path.read_text("utf-8", "replace"),
        err_path.read_text("utf-8", "replace"),
        int(peak_path.read_text()) / 1024,  # kB
    )


def refused(ledger: Path, template: Path, *expected: str) -> Outcome:
    """Import ``ledger`` into a copy of the template store; assert it was refused with a
    message holding each of ``expected``, in bounded memory, the store unchanged."""
    db = ledger.parent / "store" / template.name
    shutil.copytree(template.parent, db.parent)
    before = files_of(db.parent)
    outcome = run_import(ledger, db)
    print(f"\n{ledger.name}: {ledger.stat().st_size / MB:.1f} MB, peak {outcome.peak_mb:.0f} MB")
    assert outcome.code == 2, (outcome.code, outcome.out[-500:], outcome.err[-500:])
    assert outcome.err.startswith("错误："), outcome.err[-500:]
    assert "Traceback" not in outcome.err
    for text in expected:
        assert text in outcome.err, (text, outcome.err)
    assert ledger.name in outcome.err
    assert outcome.peak_mb < PEAK_MB, outcome.peak_mb
    assert files_of(db.parent) == before
    return outcome


# -- building files ----------------------------------------------------------------------------


def write_lines(path: Path, head: bytes, body: Iterable[bytes]) -> Path:
    with path.open("wb") as out:
        out.write(head)
        for piece in body:
            out.write(piece)
    return path


def repeated(piece: bytes, size: int) -> Iterator[bytes]:
    """About ``size`` bytes (never more) of ``piece`` over and over, a megabyte at a time."""
    block = piece * max(1, MB // len(piece))
    for _ in range(size // len(block)):
        yield block
    yield piece * ((size % len(block)) // len(piece))


_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml"


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


HEADER_ROW = b'<row r="1">' + inline("A1", "户号") + inline("B1", "户主姓名") + inline("C1", "地址")
HEADER_ROW += b"</row>"


def write_xlsx(
    path: Path,
    rows: Iterable[bytes],
    *,
    shared_strings: Iterable[bytes] | None = None,
    level: int = 6,
) -> Path:
    """A minimal .xlsx written part by part (nothing held whole): one sheet whose
    <sheetData> is ``rows``, and a shared-strings part when given."""
    types = [
        b'<Override PartName="/xl/workbook.xml" ContentType="' + _CT + b'.sheet.main+xml"/>',
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
        + _CT
        + b'.worksheet+xml"/>',
    ]
    relations = [
        b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    ]
    if shared_strings is not None:
        types.append(
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
            + _CT
            + b'.sharedStrings+xml"/>'
        )
        relations.append(
            b'<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        book.writestr(
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/content-types"><Default Extension="rels" ContentType="application/'
            b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            b'ContentType="application/xml"/>' + b"".join(types) + b"</Types>",
        )
        book.writestr(
            "_rels/.rels",
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Target="xl/workbook.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            b'<?xml version="1.0"?><workbook '
            + _NS
            + b" "
            + _REL_NS
            + b"><sheets><sheet "
            + 'name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships">' + b"".join(relations) + b"</Relationships>",
        )
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet ' + _NS + b"><sheetData>")
            for piece in rows:
                sheet.write(piece)
            sheet.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with book.open("xl/sharedStrings.xml", "w", force_zip64=False) as text:
                text.write(b'<?xml version="1.0"?><sst ' + _NS + b">")
                for piece in shared_strings:
                    text.write(piece)
                text.write(b"</sst>")
    return path


def numbered_rows(first: int, count: int) -> Iterator[bytes]:
    """Rows ``first``…, each with a 户号, a name and an address, in batches."""
    batch: list[bytes] = []
    for n in range(first, first + count):
        batch.append(
            f'<row r="{n}">'.encode()
            + inline(f"A{n}", f"HL01-{n}")
            + inline(f"B{n}", "张三")
            + inline(f"C{n}", "湘龙村")
            + b"</row>"
        )
        if len(batch) == 5_000:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)


# -- at the real limits, in a fresh process --------------------------------------------------


def test_the_reference_a_small_ledger_is_imported(template: Path, tmp_path: Path) -> None:
    """What a process importing three rows costs: the floor the other peaks stand on."""
    ledger = tmp_path / "台账.csv"
    ledger.write_text("户号,户主姓名,地址\n1,张三,湘龙村\n2,李四,湘龙村\n3,王五,湘龙村\n")
    db = tmp_path / "store" / template.name
    shutil.copytree(template.parent, db.parent)
    outcome = run_import(ledger, db)
    print(f"\nreference: peak {outcome.peak_mb:.0f} MB")
    assert outcome.code == 0, outcome.err
    assert "已新增 3 户" in outcome.out


def test_a_csv_over_20_mb_is_refused_before_it_is_read(template: Path, tmp_path: Path) -> None:
    """The tester's file, at 21 MB: one line of 10 million cells (it took 92 s and
    3.3 GB at 50 MB)."""
    ledger = write_lines(tmp_path / "一行.csv", "户号,户主姓名,地址\n".encode(), [])
    write_lines(ledger, "户号,户主姓名,地址,".encode(), repeated(b"a,", 21 * MB))
    assert ledger.stat().st_size > ledger_limits.MAX_FILE_BYTES
    refused(ledger, template, "文件太大", "超过导入上限 20 MB")


def test_a_19_mb_line_is_refused_at_the_line_limit(template: Path, tmp_path: Path) -> None:
    """Under the file limit, the line is not: it is never read whole."""
    ledger = write_lines(
        tmp_path / "长行.csv", "户号,户主姓名,地址\n".encode(), repeated(b"a,", 19 * MB)
    )
    assert ledger.stat().st_size < ledger_limits.MAX_FILE_BYTES
    refused(ledger, template, "第 2 行超过 100,000 个字的上限")


def test_a_200000_row_csv_is_refused_at_the_row_limit(template: Path, tmp_path: Path) -> None:
    """The tester's other file: 200,000 households (it peaked at 3.2 GB)."""
    rows = (f"HL01-{n:06d},张三,湘龙村{n}号\n".encode() for n in range(200_000))
    ledger = write_lines(tmp_path / "二十万行.csv", "户号,户主姓名,地址\n".encode(), rows)
    refused(ledger, template, "行数超过上限 50,000 行")


def test_a_csv_of_blank_lines_is_refused(template: Path, tmp_path: Path) -> None:
    ledger = write_lines(
        tmp_path / "空行.csv", "户号,户主姓名,地址\n".encode(), repeated(b"\r\n", 19 * MB)
    )
    refused(ledger, template, "行数（连同空行）超过上限 200,000 行")


def test_an_xlsx_zip_bomb_is_refused_by_its_ratio(template: Path, tmp_path: Path) -> None:
    """A header, then 60 MB of one household over and over, 0.2 MB on disk: refused from
    the zip directory (before, it read 600,000 rows)."""
    row = b"<row>" + inline("A1", "HL01-0001") + inline("B1", "张三") + inline("C1", "湘龙村")
    ledger = write_xlsx(
        tmp_path / "炸弹.xlsx", [HEADER_ROW, *repeated(row + b"</row>", 60 * MB)], level=9
    )
    assert ledger.stat().st_size < MB
    refused(ledger, template, "压缩比异常", "超过上限 100 倍")


def test_an_xlsx_declaring_parts_too_large_is_refused(template: Path, tmp_path: Path) -> None:
    """The sizes the zip directory declares are the most zipfile will ever inflate: a
    part declared larger than the limit is refused without inflating anything."""
    ledger = write_xlsx(tmp_path / "虚报.xlsx", [HEADER_ROW])
    data = bytearray(ledger.read_bytes())
    with zipfile.ZipFile(ledger) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    # Its central directory entry: compressed size at offset 20, uncompressed at 24.
    entry = next(
        i
        for i in range(len(data))
        if data.startswith(b"PK\x01\x02", i)
        and data[i + 46 : i + 46 + len(info.filename)] == info.filename.encode()
    )
    size = 100 * MB
    data[entry + 24 : entry + 28] = size.to_bytes(4, "little")
    data[entry + 20 : entry + 24] = (size // 50).to_bytes(4, "little")  # ratio 50
    ledger.write_bytes(bytes(data))
    refused(ledger, template, "解压后太大", "超过导入上限 64 MB")


def test_an_xlsx_with_17_mb_of_cell_text_is_refused(template: Path, tmp_path: Path) -> None:
    """Shared strings are read whole by openpyxl: 100 MB of short ones took 900 MB."""
    strings = (
        b"".join(b"<si><t>%d</t></si>" % n for n in range(start, start + 100_000))
        for start in range(0, 1_000_000, 100_000)
    )
    ledger = write_xlsx(tmp_path / "文字.xlsx", [HEADER_ROW], shared_strings=strings, level=1)
    refused(ledger, template, "单元格文字部分", "超过导入上限 16 MB")


def test_an_xlsx_with_200001_rows_is_refused_unopened(template: Path, tmp_path: Path) -> None:
    rows = (
        b"".join(b'<row r="%d" ht="20" customHeight="1"/>' % n for n in range(k, k + 10_000))
        for k in range(2, 200_003, 10_000)
    )
    ledger = write_xlsx(tmp_path / "空行.xlsx", [HEADER_ROW, *rows])
    refused(ledger, template, "行数（连同空行）超过上限 200,000 行")


def test_an_xlsx_with_200000_households_is_refused_unopened(template: Path, tmp_path: Path) -> None:
    """The rows holding a value are counted in the scan, before openpyxl reads one."""
    ledger = write_xlsx(tmp_path / "二十万户.xlsx", [HEADER_ROW, *numbered_rows(2, 200_000)])
    refused(ledger, template, "行数超过上限 50,000 行")


def test_an_xlsx_row_numbered_a_billion_is_refused(template: Path, tmp_path: Path) -> None:
    """openpyxl pads the gap before row 1,000,000,000 with empty rows, one by one."""
    far = b'<row r="1000000000">' + inline("A1000000000", "远") + b"</row>"
    ledger = write_xlsx(tmp_path / "十亿.xlsx", [HEADER_ROW, far])
    refused(ledger, template, "行数（连同空行）超过上限 200,000 行")


def test_an_xlsx_cell_of_300000_characters_is_refused_unopened(
    template: Path, tmp_path: Path
) -> None:
    text = "".join(chr(0x4E00 + (n * 7919) % 20_000) for n in range(300_000))
    row = b'<row r="2">' + inline("A2", "1") + inline("C2", text) + b"</row>"
    ledger = write_xlsx(tmp_path / "长格.xlsx", [HEADER_ROW, row])
    refused(ledger, template, "有一格内容超过 32,767 个字的上限")


# -- in-process, the limits as they are or lowered ----------------------------------------


def traced(path: Path) -> tuple[str, float]:
    """read_ledger's refusal of ``path`` and the peak of Python's allocations meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(LedgerError) as caught:
            read_ledger(path)
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    print(f"\n{path.name}: traced peak {peak:.1f} MB")
    assert peak < TRACED_MB, peak
    message = str(caught.value)
    assert path.name in message
    return message, peak


def csv_file(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_a_quoted_cell_spanning_lines_counts_as_one_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_limits, "MAX_LINE_CHARS", 10_000)
    cell = "第一行\n" * 3_000  # 12,000 characters, no line of them over 4
    path = csv_file(tmp_path / "多行.csv", [["户号", "户主姓名", "地址"], ["1", "张三", cell]])
    message, _peak = traced(path)
    assert "第 2 行超过 10,000 个字的上限" in message


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_cell_over_32767_characters_is_refused(tmp_path: Path, kind: str) -> None:
    long = "长" * 40_000
    if kind == "csv":
        path = csv_file(tmp_path / "长格.csv", [["户号", "户主姓名", "地址"], ["1", "张三", long]])
    else:
        path = write_xlsx(
            tmp_path / "长格.xlsx",
            [HEADER_ROW, b'<row r="2">' + inline("A2", "1") + inline("C2", long) + b"</row>"],
        )
    message, _peak = traced(path)
    assert "第 2 行有一格内容超过 32,767 个字的上限" in message


def test_a_10000_character_cell_is_still_one_rejected_row(tmp_path: Path) -> None:
    """Under the cell limit a long cell is the row's problem, not the file's."""
    path = csv_file(
        tmp_path / "台账.csv", [["户号", "户主姓名", "地址"], ["1", "张三", "长" * 10_000]]
    )
    preview = preview_import([], STATION_ID, read_ledger(path), TODAY)
    assert [(p.row, p.column) for p in preview.rejected] == [(2, "地址")]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_value_beyond_column_200_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        row = ["1", "张三", "湘龙村", *[""] * 296, "远"]
        path = csv_file(tmp_path / "宽.csv", [["户号", "户主姓名", "地址"], row])
    else:
        row = b'<row r="2">' + inline("A2", "1") + inline("KN2", "远") + b"</row>"
        path = write_xlsx(tmp_path / "宽.xlsx", [HEADER_ROW, row])
    message, _peak = traced(path)
    assert "第 2 行填到了第 300 列，超过上限 200 列" in message


def test_formatted_empty_cells_far_right_are_no_values(tmp_path: Path) -> None:
    """Excel writes a styled empty cell as <c r="XFD2" s="1"/>: not a value, no refusal."""
    rows = [
        b'<row r="%d">' % n
        + inline(f"A{n}", str(n))
        + inline(f"B{n}", "张三")
        + inline(f"C{n}", "湘龙村")
        + b'<c r="XFD%d" s="1"/></row>' % n
        for n in range(2, 500)
    ]
    ledger = read_ledger(write_xlsx(tmp_path / "格式.xlsx", [HEADER_ROW, *rows]))
    assert len(ledger.rows) == 498


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_over_the_limit_are_refused_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The count that stops a CSV as it is read, and an .xlsx the scan let through (it
    allows two rows more, for a title above the header)."""
    monkeypatch.setattr(ledger_limits, "MAX_ROWS", 1_000)

    def ledger(name: str, households: int) -> Path:
        if kind == "xlsx":
            return write_xlsx(
                tmp_path / f"{name}.xlsx", [HEADER_ROW, *numbered_rows(2, households)]
            )
        rows = ([str(n), "张三", "湘龙村"] for n in range(households))
        return csv_file(tmp_path / f"{name}.csv", [["户号", "户主姓名", "地址"], *rows])

    message, _peak = traced(ledger("千户", 1_001))
    assert "行数超过上限 1,000 行" in message
    assert len(read_ledger(ledger("刚好", 1_000)).rows) == 1_000


def test_an_xlsx_over_the_decompressed_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real data (not a bomb: ratio about 10) over a lowered limit."""
    monkeypatch.setattr(ledger_limits, "MAX_XLSX_UNCOMPRESSED", 2 * MB)
    path = write_xlsx(tmp_path / "大.xlsx", [HEADER_ROW, *numbered_rows(2, 30_000)])
    with zipfile.ZipFile(path) as book:
        assert sum(i.file_size for i in book.infolist()) > 2 * MB
    message, _peak = traced(path)
    assert "解压后太大" in message and "超过导入上限 2 MB" in message


def test_an_xlsx_of_too_many_parts_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_limits, "MAX_XLSX_PARTS", 50)
    path = write_xlsx(tmp_path / "碎.xlsx", [HEADER_ROW])
    with zipfile.ZipFile(path, "a") as book:
        for n in range(60):
            book.writestr(f"customXml/item{n}.xml", b"<a/>")
    message, _peak = traced(path)
    assert "由超过 50 个部分组成（超过上限）" in message


def test_a_large_other_part_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Styles, the workbook, relations: openpyxl builds a tree of each, kept small."""
    monkeypatch.setattr(ledger_limits, "MAX_XLSX_OTHER_PART", 64 * 1024)
    path = write_xlsx(tmp_path / "样式.xlsx", [HEADER_ROW])
    with zipfile.ZipFile(path, "a") as book:
        book.writestr(
            "xl/styles.xml",
            b"<styleSheet>"
            + b"".join(b'<x a="%d"/>' % n for n in range(10_000))
            + b"</styleSheet>",
        )
    message, _peak = traced(path)
    assert "xl/styles.xml" in message and "超过导入上限 0.1 MB" in message


def _note(seed: int, length: int) -> str:
    """A note as a person writes one: varied characters (one character repeated would
    compress 130-fold, more than any real sheet, and be refused as a zip bomb)."""
    rng = random.Random(seed)
    return "".join(rng.choice(NOTE_CHARACTERS) for _ in range(length))


NOTE_CHARACTERS = (
    "住户反映楼道灯坏了已联系物业维修老人独居需要定期走访子女在外地工作低保申请材料已提交社区"
)


def test_a_ledger_at_the_limits_is_still_read(tmp_path: Path) -> None:
    """A large real-looking ledger (5,000 rows, every column, a 1,000-character note) is
    read whole: the limits are far above what a station keeps."""
    header = ["户号", "户主姓名", "身份证号", "联系电话", "地址", "网格", "人口数", "备注"]
    rows = [
        [
            f"HL01-{n:05d}",
            "欧阳娜娜",
            "",
            "13874561234",
            f"湘龙小区{n}号",
            "一网格",
            "3",
            _note(n, 1_000),
        ]
        for n in range(5_000)
    ]
    csv_path = csv_file(tmp_path / "台账.csv", [header, *rows])
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in [header, *rows]:
        sheet.append(row)
    book.save(tmp_path / "台账.xlsx")
    for path in (csv_path, tmp_path / "台账.xlsx"):
        assert len(read_ledger(path).rows) == 5_000
