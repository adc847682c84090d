"""The sample household ledger of station HL03 (``households_ledger.xlsx`` and ``.csv``)
that the import can be tried on; independent of any seed or date."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from grassroots_tui.demo.common import _Rand
from grassroots_tui.demo.homes import _plan_households
from grassroots_tui.demo.names import _id_number, _mobile
from grassroots_tui.demo.sample_data import load

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
