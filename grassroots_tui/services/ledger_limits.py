"""How large a household ledger the importer takes, in one place.

A station keeps a few thousand households; the limits below are ten times that and more,
so no real ledger comes near them, while a hostile or mistaken file (a 50 MB single-line
CSV, 200,000 rows, an .xlsx that inflates to gigabytes) is refused within seconds, in
Chinese, naming the limit, before it can take the memory of the machine. The importer
(:mod:`grassroots_tui.services.household_import`) checks them while it reads: nothing is
ever read whole that is not bounded by one of them first.

What a refused file costs is measured by ``tests/test_hostile_sizes.py``.
"""

from __future__ import annotations

import math

MB = 1024 * 1024

#: The file itself, .xlsx or CSV. A ledger of 50,000 households is about 5 MB of CSV or
#: 2.5 MB of .xlsx.
MAX_FILE_BYTES = 20 * MB

#: Data rows (rows with anything in them, after the header). Ten times a large station.
MAX_ROWS = 50_000

#: Rows counted with the empty ones: a sheet formatted far below its data, or a CSV of
#: blank lines, is read up to here and no further.
MAX_ROWS_WITH_BLANKS = 200_000

#: Columns up to the last one that is filled in; a ledger has about 15.
MAX_COLUMNS = 200

#: One cell: Excel's own limit, so no spreadsheet program wrote a longer one.
MAX_CELL_CHARS = 32_767

#: One CSV record (a line, or several when a quoted cell holds line breaks). A real row
#: is well under 1,000 characters; the file is read line by line, never a longer line.
MAX_LINE_CHARS = 100_000

#: All the parts of an .xlsx once decompressed (zip entries' ``file_size``). A ledger of
#: 50,000 rows is about 25-40 MB. Checked before the workbook is opened.
MAX_XLSX_UNCOMPRESSED = 64 * MB

#: The text of the cells (xl/sharedStrings.xml), which is read whole: about 10 MB for
#: 50,000 rows.
MAX_XLSX_TEXT_PART = 16 * MB

#: Every other part that is read whole (styles, the workbook, relations, drawings).
MAX_XLSX_OTHER_PART = 4 * MB

#: Parts (files) in an .xlsx: a ledger has about 10; listing each costs memory.
MAX_XLSX_PARTS = 10_000

#: Decompressed size over compressed size of one part larger than
#: :data:`RATIO_CHECKED_FROM`; real sheets are 5-20, a zip bomb thousands (Apache POI
#: refuses above 100 too).
MAX_XLSX_RATIO = 100
RATIO_CHECKED_FROM = 1 * MB


def megabytes(size: int) -> str:
    """``20 MB``, ``20.1 MB``: a size as the messages show it, rounded up to a tenth (a
    file one byte over 20 MB is "20.1 MB", never "20 MB")."""
    if size % MB == 0:
        return f"{size // MB:,} MB"
    return f"{math.ceil(size * 10 / MB) / 10:,.1f} MB"


__all__ = [
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "MAX_ROWS_WITH_BLANKS",
    "MAX_XLSX_OTHER_PART",
    "MAX_XLSX_PARTS",
    "MAX_XLSX_RATIO",
    "MAX_XLSX_TEXT_PART",
    "MAX_XLSX_UNCOMPRESSED",
    "MB",
    "RATIO_CHECKED_FROM",
    "megabytes",
]
