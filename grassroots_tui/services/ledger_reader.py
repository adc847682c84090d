"""Read a ledger (台账) from an .xlsx workbook or a CSV file, for any kind of import.

The format is told by the content (an .xlsx is a zip file; anything else must be CSV
text in UTF-8, with or without BOM, or GBK / GB18030). The first non-empty row holds the
Chinese headers, matched against a :class:`ColumnSet` (the household ledger's, a visit
ledger's…); a title row above the header is skipped. Anything that is not a readable
ledger raises :class:`LedgerError` with a Chinese message naming the file.

Hostile sizes are refused early, naming the limit (all in
:mod:`~grassroots_tui.services.ledger_limits`): the file's size before it is read; an
.xlsx's decompressed size, compression ratio, rows and longest text from its zip
directory and a streamed scan of its XML before openpyxl opens it; CSV text is decoded
and parsed a line at a time, no line longer than the limit ever held; rows, columns and
cells as they are read. A refused file leaves nothing behind: reading writes nothing.

The household import (:mod:`.household_import`) and the import of the other ledgers
(:mod:`.ledger_import`) both read through here.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from grassroots_tui.lang import chinese, fill, tr
from grassroots_tui.models.errors import InvalidValue
from grassroots_tui.services import ledger_limits as limits
from grassroots_tui.services.text import listed

#: ``progress(rows_done, rows_total)``, called every :data:`PROGRESS_EVERY` rows and at
#: the end (when ``rows_done == rows_total``).
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 100


class LedgerImportError(ValueError):
    """Base of the errors of reading and importing a ledger; the message is Chinese."""


class LedgerError(LedgerImportError):
    """The file cannot be read as a ledger. Nothing was imported."""


class ImportRefused(LedgerImportError):
    """An import refused to write; the store is unchanged."""


# -- columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column the importer understands: the field, its header and synonyms; for the
    template, what it holds (``help``), a sample value and the values of its dropdown
    (``strict``: only those; otherwise they are suggestions and any text is taken)."""

    field: str
    title: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    strict: bool = True


def normalise_header(text: str) -> str:
    """A header cell as compared: NFKC, no whitespace, no "*" marks or trailing colon."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    return s.strip("*").rstrip(":")


class ColumnSet:
    """The columns of one kind of ledger: ``name`` names it in messages ("住户台账"),
    ``hint`` says what its header holds when a file's header is not one. Both are
    Chinese message ids (marked ``chinese()`` where they are written): the import
    template says them in Chinese, a message in the current language."""

    def __init__(self, name: str, columns: tuple[Column, ...], hint: str) -> None:
        self.name = name
        self.columns = columns
        self.hint = hint
        self.by_field: dict[str, Column] = {c.field: c for c in columns}
        self.required: tuple[str, ...] = tuple(c.field for c in columns if c.required)
        self._headers: dict[str, str] = {}
        for column in columns:
            for title in (column.title, *column.synonyms):
                self._headers[normalise_header(title)] = column.field

    def field_for_header(self, text: str) -> str | None:
        """The field a header names ("身份证号码" → "id_number"), or None."""
        key = normalise_header(text)
        found = self._headers.get(key)
        if found is None:
            # "人口数（人）", "联系电话(手机)": try again without the parenthesis.
            bare = re.sub(r"[(（][^()（）]*[)）]$", "", key)
            if bare != key:
                found = self._headers.get(bare)
        return found


# -- the ledger as read ---------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    """One non-empty data row. ``values`` maps each recognised field to the raw cell
    (str, int, float, date, datetime, … or None when blank)."""

    row: int
    values: dict[str, Any]


@dataclass
class Ledger:
    """A ledger file as read: where it came from, its columns and its non-empty rows."""

    source: str
    format: str  # "xlsx" or "csv"
    encoding: str | None  # for CSV: "utf-8", "utf-8-sig", "gb18030" or "utf-16"
    header_row: int
    #: field → the header text exactly as written in the file
    columns: dict[str, str]
    rows: list[LedgerRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_empty: int = 0
    warnings: list[str] = field(default_factory=list)
    #: The columns the file was read against (None: read before column sets existed).
    column_set: ColumnSet | None = None

    def column(self, field_name: str) -> str:
        """The header the file uses for a field (its canonical title if absent)."""
        found = self.columns.get(field_name)
        if found:
            return found
        known = self.column_set.by_field.get(field_name) if self.column_set else None
        return known.title if known else field_name


def read_ledger(path: str | Path, progress: Progress | None, columns: ColumnSet) -> Ledger:
    """Read an .xlsx or CSV ledger with ``columns``; raise :class:`LedgerError` if it is
    not one.

    A file over one of the limits of :mod:`~grassroots_tui.services.ledger_limits` is
    refused as soon as that is known, naming the limit: its size before it is read, an
    .xlsx's decompressed size before it is opened, rows and cells as they are read.
    """
    path = Path(path)
    name = path.name or str(path)
    data = _read_bounded(path, name)
    if not data or data.isspace():
        raise LedgerError(tr("「{name}」是空文件，里面没有任何内容。", name=name))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name, progress, columns)
    _refuse_known_binary(data, name)
    return _read_csv(data, name, progress, columns)


def _read_bounded(path: Path, name: str) -> bytes:
    """The file's bytes, refused before reading when it is larger than the limit (a pipe
    or a device is read up to the limit and no further)."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(21, "Is a directory", str(path))
            regular = stat.S_ISREG(info.st_mode)
            if regular and info.st_size > limits.MAX_FILE_BYTES:
                raise LedgerError(_too_big(name, info.st_size))
            # read(n) sets n bytes aside first: ask for what the file holds, one more to
            # see it grew; a pipe or a device is read up to the limit.
            wanted = limits.MAX_FILE_BYTES + 1
            data = handle.read(min(info.st_size + 1, wanted) if regular else wanted)
            if regular and len(data) > info.st_size:
                data += handle.read(wanted - len(data))
    except FileNotFoundError:
        raise LedgerError(tr("找不到文件「{path}」。", path=path)) from None
    except IsADirectoryError:
        raise LedgerError(tr("「{path}」是文件夹，不是表格文件。", path=path)) from None
    except PermissionError:
        raise LedgerError(tr("没有读取文件「{path}」的权限。", path=path)) from None
    except OSError as error:
        raise LedgerError(
            tr("无法读取文件「{path}」：{reason}。", path=path, reason=error.strerror or error)
        ) from None
    if len(data) > limits.MAX_FILE_BYTES:
        raise LedgerError(_too_big(name, None))
    return data


def _too_big(name: str, size: int | None) -> str:
    """``size`` None: more than the limit was there to read (a pipe), how much is unknown."""
    if size is not None:
        return tr(
            "「{name}」文件太大：{size}，超过导入上限 {limit}。"
            "一份台账一般不到 1 MB；请确认选对了文件，或把台账分成几个文件分别导入。",
            name=name,
            size=limits.megabytes(size),
            limit=limits.megabytes(limits.MAX_FILE_BYTES),
        )
    return tr(
        "「{name}」文件太大：超过导入上限 {limit}。"
        "一份台账一般不到 1 MB；请确认选对了文件，或把台账分成几个文件分别导入。",
        name=name,
        limit=limits.megabytes(limits.MAX_FILE_BYTES),
    )


def _in_part(part: str) -> str:
    """Where in an .xlsx a message points: "的「xl/sharedStrings.xml」中"."""
    return tr("的「{part}」中", part=clip(part))


def _columns(titles: Iterable[str]) -> str:
    """ "「户号」、「地址」": column titles (Chinese, as the file has them) as a list."""
    return listed(tr("「{column}」", column=title) for title in titles)


def _too_many_rows(name: str) -> str:
    return tr(
        "「{name}」行数超过上限 {max_rows:,} 行，没有导入任何数据。一个群工站的台账不会有这么多行；请确认选对了文件，或把台账分成几个文件分别导入。",
        name=name,
        max_rows=limits.MAX_ROWS,
    )


def _too_many_blank_rows(name: str, where: str = "") -> str:
    return tr(
        "「{name}」{where}行数（连同空行）超过上限 {max_rows_with_blanks:,} 行，没有导入任何数据。请删除多余的空行后再导入。",
        name=name,
        where=where,
        max_rows_with_blanks=limits.MAX_ROWS_WITH_BLANKS,
    )


def _cell_too_long(name: str, where: str) -> str:
    return tr(
        "「{name}」{where}有一格内容超过 {max_cell_chars:,} 个字的上限（Excel 一格最多也只能放这么多），这不像台账。没有导入任何数据。",
        name=name,
        where=where,
        max_cell_chars=limits.MAX_CELL_CHARS,
    )


# -- reading xlsx ---------------------------------------------------------------------

#: The content types (``[Content_Types].xml``) of the parts openpyxl reads as a stream.
_WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"
_TEXT_TYPE = "spreadsheetml.sharedStrings+xml"
#: A zip's central directory holds one of these per part.
_CENTRAL_ENTRY = b"PK\x01\x02"
#: What zipfile raises on a damaged archive or part (zlib's own error unwrapped, an
#: unknown compression method as NotImplementedError, an encrypted part RuntimeError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    ValueError,
    EOFError,
    RuntimeError,
    NotImplementedError,
)


def _read_xlsx(data: bytes, name: str, progress: Progress | None, columns: ColumnSet) -> Ledger:
    if data.count(_CENTRAL_ENTRY) > limits.MAX_XLSX_PARTS:
        raise LedgerError(
            tr(
                "「{name}」由超过 {max_xlsx_parts:,} 个部分组成（超过上限），不像 Excel 表格（.xlsx），没有打开。",
                name=name,
                max_xlsx_parts=limits.MAX_XLSX_PARTS,
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as error:
        raise LedgerError(
            tr(
                "「{name}」像是 Excel 文件（.xlsx），但已损坏，无法打开（{error}）。",
                name=name,
                error=short_error(error),
            )
        ) from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            if "word/document.xml" in names:
                what = tr("这是 Word 文档（.docx），不是表格")
            elif "ppt/presentation.xml" in names:
                what = tr("这是 PowerPoint 演示文稿（.pptx），不是表格")
            elif "content.xml" in names:
                what = tr("这是 ODF 格式的文件，请在 WPS 或 Excel 中另存为 .xlsx 或 CSV")
            else:
                what = tr("这是一个 zip 压缩包，不是 Excel 表格（.xlsx）")
            raise LedgerError(tr("无法导入「{name}」：{what}。", name=name, what=what))
        try:
            _check_xlsx_parts(archive, name)
        except LedgerError:
            raise
        except _ZIP_ERRORS as error:
            raise LedgerError(
                tr(
                    "「{name}」是 Excel 文件，但已损坏，无法打开（{error}）。",
                    name=name,
                    error=short_error(error),
                )
            ) from None

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise LedgerError(
            tr(
                "「{name}」是 Excel 文件，但已损坏或格式不受支持，无法打开（{error}）。",
                name=name,
                error=short_error(error),
            )
        ) from None
    try:
        try:
            sheet = book.worksheets[0]
            declared = sheet.max_row if isinstance(sheet.max_row, int) else None
            if hasattr(sheet, "reset_dimensions"):
                # A wrong <dimension> (A1:XFD1048576) would make openpyxl pad a million
                # empty rows: read only the cells that are really there.
                sheet.reset_dimensions()
            cells = sheet.iter_rows(values_only=True)
        except IndexError:
            raise LedgerError(tr("「{name}」里没有工作表。", name=name)) from None
        except Exception as error:  # noqa: BLE001 - damaged workbook parts
            raise LedgerError(
                tr(
                    "「{name}」的第一个工作表无法读取（{error}）。",
                    name=name,
                    error=short_error(error),
                )
            ) from None
        rows = enumerate(_guarded(cells, name), start=1)
        return _build_ledger(name, "xlsx", None, rows, declared, progress, columns)
    finally:
        book.close()


def _check_xlsx_parts(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an .xlsx too large once decompressed, before openpyxl reads any of it.

    Checks the decompressed size of all parts together and of each part openpyxl reads
    whole, the compression ratio of each large part, and then the XML itself as a
    stream: no text longer than a cell can be, no worksheet with more rows than
    :data:`~grassroots_tui.services.ledger_limits.MAX_ROWS_WITH_BLANKS`, and in the first
    sheet (the one imported) no more rows holding a value than
    :data:`~grassroots_tui.services.ledger_limits.MAX_ROWS`. (zipfile never inflates a
    part past the size its directory entry declares, so the sizes checked here are the
    most that can come out.)
    """
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if total > limits.MAX_XLSX_UNCOMPRESSED:
        raise LedgerError(
            tr(
                "「{name}」解压后太大：{total}，超过导入上限 {max_xlsx_uncompressed}。台账解压后一般只有几 MB；请确认选对了文件，或另存为 CSV 后再导入。",
                name=name,
                total=limits.megabytes(total),
                max_xlsx_uncompressed=limits.megabytes(limits.MAX_XLSX_UNCOMPRESSED),
            )
        )
    worksheets, texts = _declared_parts(archive, name)
    for info in infos:
        if (
            info.file_size >= limits.RATIO_CHECKED_FROM
            and info.file_size > limits.MAX_XLSX_RATIO * max(info.compress_size, 1)
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise LedgerError(
                tr(
                    "「{name}」中的「{filename}」压缩比异常：解压后是压缩时的 {ratio:,} 倍，超过上限 {max_xlsx_ratio} 倍。这可能是特意构造的“压缩炸弹”，没有打开。",
                    name=name,
                    filename=clip(info.filename),
                    ratio=ratio,
                    max_xlsx_ratio=limits.MAX_XLSX_RATIO,
                )
            )
        if info.filename in worksheets or not _is_xml(info.filename, texts):
            continue
        if info.filename in texts:
            cap, what = limits.MAX_XLSX_TEXT_PART, tr("单元格文字部分")
        else:
            cap, what = limits.MAX_XLSX_OTHER_PART, tr("部分")
        if info.file_size > cap:
            raise LedgerError(
                tr(
                    "「{name}」的{what}「{filename}」解压后有 {file_size}，超过导入上限 {cap}。请在 Excel 或 WPS 中另存为 CSV（UTF-8）后再导入。",
                    name=name,
                    what=what,
                    filename=clip(info.filename),
                    file_size=limits.megabytes(info.file_size),
                    cap=limits.megabytes(cap),
                )
            )
    first = _first_sheet(archive)
    for info in infos:
        if _is_xml(info.filename, texts):
            # In the sheet imported, the header and a title above it hold values too.
            most = limits.MAX_ROWS + 2 if info.filename == first else None
            _scan_xml_part(archive, info, name, count_rows=info.filename in worksheets, most=most)


_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,19}:)?sheet\s([^>]*)>")
_SHEET_RELATION = re.compile(rb"""\s[A-Za-z_][\w.\-]{0,19}:id\s*=\s*["']([^"']*)["']""")
_RELATION = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,19}:)?Relationship\s([^>]*)>")
_RELATION_ID = re.compile(rb"""(?:^|\s)Id\s*=\s*["']([^"']*)["']""")
_TARGET = re.compile(rb"""(?:^|\s)Target\s*=\s*["']([^"']*)["']""")


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first sheet (the one imported), found the way openpyxl
    finds it: the first <sheet> of xl/workbook.xml, its relation's target. None when
    that cannot be told (then only the count made while reading applies)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheet = _SHEET.search(workbook)
    wanted = _SHEET_RELATION.search(sheet[1]) if sheet else None
    if wanted is None:
        return None
    for relation in _RELATION.finditer(relations):
        found, target = _RELATION_ID.search(relation[1]), _TARGET.search(relation[1])
        if found and target and found[1] == wanted[1]:
            path = target[1].decode("utf-8", "replace")
            return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return None


def _guarded(rows: Iterable[Sequence[Any]], name: str) -> Iterator[Sequence[Any]]:
    """The sheet's rows; a damaged sheet raises :class:`LedgerError`, nothing else."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001 - damaged sheet XML, bad cell values
            raise LedgerError(
                tr(
                    "「{name}」的第一个工作表已损坏，无法读取（{error}）。",
                    name=name,
                    error=short_error(error),
                )
            ) from None
        yield row


_OVERRIDE = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,19}:)?Override\b([^>]*)>")
_PART_NAME = re.compile(rb"""PartName\s*=\s*["']([^"']*)["']""")
_CONTENT_TYPE = re.compile(rb"""ContentType\s*=\s*["']([^"']*)["']""")


def _declared_parts(archive: zipfile.ZipFile, name: str) -> tuple[set[str], set[str]]:
    """The parts ``[Content_Types].xml`` declares as worksheets (only those), and as the
    cells' text (shared strings), the way openpyxl finds them."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return set(), set()
    if info.file_size > limits.MAX_XLSX_OTHER_PART:
        raise LedgerError(
            tr(
                "「{name}」的「[Content_Types].xml」解压后有 {file_size}，超过导入上限 {max_xlsx_other_part}，不像 Excel 表格。",
                name=name,
                file_size=limits.megabytes(info.file_size),
                max_xlsx_other_part=limits.megabytes(limits.MAX_XLSX_OTHER_PART),
            )
        )
    declared: dict[str, set[str]] = {}
    for override in _OVERRIDE.finditer(archive.read(info)):
        part, kind = _PART_NAME.search(override[1]), _CONTENT_TYPE.search(override[1])
        if part and kind:
            key = part[1].decode("utf-8", "replace").lstrip("/")
            declared.setdefault(key, set()).add(kind[1].decode("utf-8", "replace"))
    worksheets = {p for p, kinds in declared.items() if all(_WORKSHEET_TYPE in k for k in kinds)}
    texts = {p for p, kinds in declared.items() if any(_TEXT_TYPE in k for k in kinds)}
    return worksheets, texts


def _is_xml(filename: str, texts: set[str]) -> bool:
    """A part openpyxl may parse: XML and relations (images and the like it leaves)."""
    return filename in texts or filename.lower().endswith((".xml", ".rels"))


_SCAN_CHUNK = 1 << 20
#: The start of an element the row count looks at: a row, a value, an inline string.
_ROW_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,19}:)?(row|v|is)[\s/>]")
_TOKEN_TAIL = 32
#: Bytes of one cell's text at most: every character escaped (&quot; is six bytes).
_MAX_TEXT_BYTES = 6 * limits.MAX_CELL_CHARS


def _scan_xml_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    *,
    count_rows: bool,
    most: int | None = None,
) -> None:
    """Read one XML part as a stream (a megabyte at a time): refuse text longer than a
    cell can be and, in a worksheet, more rows than the limit, or more than ``most``
    rows holding a value."""
    rows = data_rows = 0
    row_has_value = False
    run = 0  # bytes since the last "<"
    pending = b""
    with archive.open(info) as part:
        while True:
            chunk = part.read(_SCAN_CHUNK)
            pieces = chunk.split(b"<")
            run += len(pieces[0])
            if len(pieces) > 1:
                longest = max(run, max(map(len, pieces[1:-1]), default=0))
                if longest > _MAX_TEXT_BYTES:
                    raise LedgerError(_cell_too_long(name, _in_part(info.filename)))
                run = len(pieces[-1])
            if run > _MAX_TEXT_BYTES:
                raise LedgerError(_cell_too_long(name, _in_part(info.filename)))
            if count_rows:
                # Tokens are matched up to a tail short enough to hold the start of one
                # cut by the chunk's end; the tail is matched with the next chunk.
                buffer = pending + chunk
                cut = max(0, len(buffer) - _TOKEN_TAIL) if chunk else len(buffer)
                for token in _ROW_TOKEN.finditer(buffer):
                    if token.start() >= cut:
                        break
                    if token[1] == b"row":
                        rows += 1
                        data_rows += row_has_value
                        row_has_value = False
                        if most is not None and data_rows > most:
                            raise LedgerError(_too_many_rows(name))
                        if rows > limits.MAX_ROWS_WITH_BLANKS:
                            where = tr("的工作表「{sheet}」", sheet=clip(info.filename))
                            raise LedgerError(_too_many_blank_rows(name, where))
                    else:
                        row_has_value = True
                pending = buffer[cut:]
            if not chunk:
                break
    if most is not None and data_rows + row_has_value > most:
        raise LedgerError(_too_many_rows(name))


# -- reading CSV ----------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", chinese("这是 PDF 文件")),
    (b"\x89PNG", chinese("这是 PNG 图片")),
    (b"\xff\xd8\xff", chinese("这是 JPEG 图片")),
    (b"GIF8", chinese("这是 GIF 图片")),
    (b"\x1f\x8b", chinese("这是 gzip 压缩文件")),
    (b"7z\xbc\xaf\x27\x1c", chinese("这是 7z 压缩包")),
    (b"Rar!", chinese("这是 RAR 压缩包")),
    (b"SQLite format 3\x00", chinese("这是 SQLite 数据库")),
)


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-le")


def _refuse_known_binary(data: bytes, name: str) -> None:
    if data.startswith(_OLE_MAGIC):
        if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
            raise LedgerError(
                tr(
                    "「{name}」设置了打开密码（已加密），无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再导入。",
                    name=name,
                )
            )
        if _utf16("WordDocument") in data:
            raise LedgerError(
                tr("无法导入「{name}」：这是 Word 文档（.doc），不是表格。", name=name)
            )
        if _utf16("Workbook") in data or _utf16("Book") in data:
            raise LedgerError(
                tr(
                    "「{name}」是旧版 Excel 97-2003 格式（.xls），不能直接导入。请在 Excel 或 WPS 中另存为 .xlsx 或 CSV（UTF-8）后再导入。",
                    name=name,
                )
            )
        raise LedgerError(
            tr(
                "无法导入「{name}」：这是 Office 旧版二进制文件，不是 .xlsx 或 CSV 表格。",
                name=name,
            )
        )
    for magic, said in _BINARY_MAGIC:
        if data.startswith(magic):
            what = tr(said)
            raise LedgerError(
                tr("无法导入「{name}」：{what}，不是 .xlsx 或 CSV 表格。", name=name, what=what)
            )


def _read_csv(data: bytes, name: str, progress: Progress | None, columns: ColumnSet) -> Ledger:
    codec, encoding = _sniff_text(data, name)
    first = _first_line(data, codec)
    records = _csv_records(data, codec, _guess_delimiter(first, columns), name)
    # For the progress bar only: records can span lines, so this is an upper bound.
    total = data.count(b"\n") + 1
    return _build_ledger(name, "csv", encoding, records, total, progress, columns)


#: Category Cc (control characters) but tab, line feed and carriage return.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DECODE_CHUNK = 1 << 20


def _sniff_text(data: bytes, name: str) -> tuple[str, str]:
    """The codec that decodes all of ``data`` and the encoding to report, decoding a
    megabyte at a time (the text is never held whole); refuses binary data and HTML."""
    candidates = ["utf-8-sig", "gb18030"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.insert(0, "utf-16")
    for codec in candidates:
        counted = _decode_counts(data, codec)
        if counted is not None:
            break
    else:
        raise LedgerError(
            tr(
                "「{name}」不是可以识别的表格：既不是 Excel 文件（.xlsx），也不是 UTF-8 或 GBK 编码的 CSV 文本。",
                name=name,
            )
        )
    chars, controls, nul, head = counted
    encoding = codec
    if codec == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8"
    if nul or controls > max(3, chars // 200):
        raise LedgerError(
            tr(
                "「{name}」不是可以识别的表格：内容是二进制数据，既不是 Excel 文件（.xlsx），也不是 CSV 文本。",
                name=name,
            )
        )
    head = head.lstrip("\ufeff \t\r\n")[:200].lower()
    if head.startswith(("<html", "<!doctype html", "<table", "<?xml")):
        raise LedgerError(
            tr(
                "「{name}」是网页（HTML/XML）格式的表格，不能直接导入。请在 Excel 或 WPS 中打开后另存为 .xlsx 或 CSV（UTF-8）。",
                name=name,
            )
        )
    return codec, encoding


def _decode_counts(data: bytes, codec: str) -> tuple[int, int, bool, str] | None:
    """(characters, control characters, any NUL, the first 4,000 characters) of ``data``
    decoded with ``codec``, or None if it does not decode."""
    decoder = codecs.getincrementaldecoder(codec)()
    chars = controls = 0
    nul = False
    head = ""
    view = memoryview(data)
    try:
        for start in range(0, len(data), _DECODE_CHUNK):
            final = start + _DECODE_CHUNK >= len(data)
            text = decoder.decode(view[start : start + _DECODE_CHUNK], final)
            chars += len(text)
            controls += len(_CONTROLS.findall(text))
            nul = nul or "\x00" in text
            if len(head) < 4000:
                head += text[: 4000 - len(head)]
    except UnicodeDecodeError:
        return None
    return chars, controls, nul, head


def _text_stream(data: bytes, codec: str) -> io.TextIOWrapper:
    # newline="": line ends are left to the csv module (a quoted cell may hold them).
    return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")


def _first_line(data: bytes, codec: str) -> str:
    """The first line with anything in it (cut at the line limit), for the delimiter."""
    stream = _text_stream(data, codec)
    for _ in range(limits.MAX_ROWS_WITH_BLANKS):
        line = stream.readline(limits.MAX_LINE_CHARS)
        if not line:
            break
        line = line.lstrip("\ufeff")
        if line.strip():
            return line.rstrip("\r\n")
    return ""


class _Lines:
    """The lines of a CSV text for csv.reader, none longer than the limit: a record
    (its lines together, when a quoted cell holds line breaks) over
    :data:`~grassroots_tui.services.ledger_limits.MAX_LINE_CHARS` is refused as soon
    as that many characters are read, so a 50 MB line is never held in memory."""

    def __init__(self, stream: io.TextIOWrapper, name: str) -> None:
        self.stream = stream
        self.name = name
        self.record = 1  # the number of the record being read
        self.length = 0  # its characters read so far
        self.first = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(limits.MAX_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        if self.first:
            line = line.lstrip("\ufeff")
            self.first = False
        self.length += len(line)
        if self.length > limits.MAX_LINE_CHARS:
            raise LedgerError(
                tr(
                    "「{name}」第 {record:,} 行超过 {max_line_chars:,} 个字的上限（台账的一行通常不到 1,000 个字），这不像台账。没有导入任何数据。",
                    name=self.name,
                    record=self.record,
                    max_line_chars=limits.MAX_LINE_CHARS,
                )
            )
        return line

    def next_record(self) -> None:
        self.record += 1
        self.length = 0


_DELIMITERS = (",", "\t", ";")


def _csv_records(
    data: bytes, codec: str, delimiter: str, name: str
) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) of each CSV record, read one line at a time."""
    lines = _Lines(_text_stream(data, codec), name)
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise LedgerError(
                tr(
                    "「{name}」不是格式正确的 CSV 文件（第 {record:,} 行：{error}）。",
                    name=name,
                    record=lines.record,
                    error=short_error(error),
                )
            ) from None
        yield lines.record, cells
        lines.next_record()


def _guess_delimiter(first: str, columns: ColumnSet) -> str:
    """The delimiter that makes the first non-empty line yield the most known headers."""
    best, best_score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        known = sum(1 for c in cells if columns.field_for_header(c))
        score = (known, len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


# -- building the ledger --------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(cells: Sequence[Any], index: int) -> Any:
    """The cell at ``index`` (strings stripped), or None when missing or blank."""
    if index >= len(cells) or _blank(cells[index]):
        return None
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def cell_text(value: Any) -> str:
    """A cell as text, the way a spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _filled(name: str, number: int, cells: Sequence[Any]) -> bool:
    """Whether row ``number`` holds anything. A cell longer than one can be, or a value
    beyond the last column allowed, refuses the whole file."""
    if cells.count(None) == len(cells):  # empty rows (openpyxl pads gaps with them)
        return False
    filled = False
    for value in cells[: limits.MAX_COLUMNS]:
        if _blank(value):
            continue
        if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
            raise LedgerError(_cell_too_long(name, tr("第 {number:,} 行", number=number)))
        filled = True
    beyond = cells[limits.MAX_COLUMNS :]
    # count() first: a sheet with a formatted cell in column XFD has 16,384 cells a row.
    if beyond and beyond.count(None) != len(beyond):
        for offset, value in enumerate(beyond):
            if not _blank(value):
                raise LedgerError(
                    tr(
                        "「{name}」第 {number:,} 行填到了第 {column:,} 列，超过上限 {max_columns} 列（台账一般只有十几到几十列）。没有导入任何数据。",
                        name=name,
                        number=number,
                        column=limits.MAX_COLUMNS + offset + 1,
                        max_columns=limits.MAX_COLUMNS,
                    )
                )
    return filled


def _build_ledger(
    name: str,
    fmt: str,
    encoding: str | None,
    rows: Iterable[tuple[int, Sequence[Any]]],
    total: int | None,
    progress: Progress | None,
    columns: ColumnSet,
) -> Ledger:
    ledger: Ledger | None = None
    header_cells: list[str] = []
    positions: dict[str, int] = {}
    pending_empty = 0
    done = 0
    title_row: tuple[int, str] | None = None
    for number, cells in rows:
        done = number
        if number > limits.MAX_ROWS_WITH_BLANKS:
            raise LedgerError(_too_many_blank_rows(name))
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, max(total or 0, number))
        if not _filled(name, number, cells):
            pending_empty += 1
            continue
        if ledger is None:
            header_cells = [cell_text(c) for c in cells]
            filled = [c for c in header_cells if c]
            if title_row is None and len(filled) == 1 and not columns.field_for_header(filled[0]):
                # A title above the header ("湘龙社区住户台账"): look at the next row.
                title_row = (number, filled[0])
                continue
            ledger, positions = _header(
                name, fmt, encoding, number, header_cells, title_row, columns
            )
            pending_empty = 0
            continue
        ledger.skipped_empty += pending_empty
        pending_empty = 0
        if len(ledger.rows) >= limits.MAX_ROWS:
            raise LedgerError(_too_many_rows(name))
        values = {f: _value(cells, i) for f, i in positions.items()}
        ledger.rows.append(LedgerRow(number, values))
    if ledger is None:
        if title_row is not None:
            ledger, positions = _header(
                name, fmt, encoding, title_row[0], [title_row[1]], None, columns
            )
        else:
            raise LedgerError(tr("「{name}」里没有任何内容（只有空行）。", name=name))
    if progress is not None:
        progress(done, done)
    return ledger


def _header(
    name: str,
    fmt: str,
    encoding: str | None,
    number: int,
    cells: list[str],
    title_row: tuple[int, str] | None,
    column_set: ColumnSet,
) -> tuple[Ledger, dict[str, int]]:
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(cells):
        if not text:
            continue
        found = column_set.field_for_header(text)
        if found is None:
            ignored.append(text)
            continue
        if found in positions:
            raise LedgerError(
                tr(
                    "「{name}」第 {number} 行表头中「{first}」和「{text}」是同一列（{title}），请只保留一列。",
                    name=name,
                    number=number,
                    first=columns[found],
                    text=text,
                    title=column_set.by_field[found].title,
                )
            )
        positions[found] = index
        columns[found] = text
    missing = [column_set.by_field[f].title for f in column_set.required if f not in positions]
    if missing:
        shown = _columns(missing)
        where = tr("表头取第一个非空行，即第 {number} 行", number=number)
        if title_row is not None:
            where = tr(
                "第 {row} 行只有一格，当作标题跳过，表头取第 {number} 行",
                row=title_row[0],
                number=number,
            )
        message = tr(
            "「{name}」缺少必需的列：{shown}（{where}）。", name=name, shown=shown, where=where
        )
        if not positions:
            message += tr(
                "这一行不像{name}的表头；{hint}", name=tr(column_set.name), hint=tr(column_set.hint)
            )
        raise LedgerError(message)
    warnings: list[str] = []
    if title_row is not None:
        warnings.append(
            tr(
                "第 {row} 行「{title}」是标题，不是表头，已跳过。",
                row=title_row[0],
                title=clip(title_row[1]),
            )
        )
    if ignored:
        shown = _columns(clip(c) for c in ignored)
        warnings.append(
            tr("以下列不是{name}的列，已忽略：{shown}。", name=tr(column_set.name), shown=shown)
        )
    ledger = Ledger(
        source=name,
        format=fmt,
        encoding=encoding,
        header_row=number,
        columns=columns,
        ignored_columns=ignored,
        warnings=warnings,
        column_set=column_set,
    )
    return ledger, positions


# -- problems and cells -------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """Why one cell of one row is refused: row as numbered in the spreadsheet (the
    header row counted), the column's header text, and the reason in Chinese."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return tr(
            "第 {row} 行「{column}」{reason}", row=self.row, column=self.column, reason=self.reason
        )


#: How many rejections a preview's summary spells out before "等".
SUMMARY_PROBLEMS = 5


@dataclass(kw_only=True)
class PreviewCounts:
    """What every import preview holds besides its ``adds`` and ``updates`` (the
    household import's and the other ledgers'), and what it answers from them."""

    station_id: str
    source: str = ""
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    skipped_empty: int = 0
    warnings: list[str] = field(default_factory=list)
    adds: Sequence[Any] = ()
    updates: Sequence[Any] = ()

    @property
    def rejected_rows(self) -> list[int]:
        """The numbers of the rows refused, in order, each once."""
        return sorted({p.row for p in self.rejected})

    @property
    def has_changes(self) -> bool:
        return bool(self.adds or self.updates)

    def _summary(self, added: str, updated: str, unchanged: str) -> str:
        """ "将新增 12 户，更新 3 户，拒绝 2 行（第 5 行「身份证号」…；…）；…。" with the
        added and updated counts as ``added`` and ``updated`` say them (:func:`counted`),
        and ``unchanged`` what is said of the unchanged records, when there are any."""
        text = tr(
            "将新增 {added}，更新 {updated}，拒绝 {rejected}",
            added=added,
            updated=updated,
            rejected=counted(len(self.rejected_rows), "行"),
        )
        if self.rejected:
            shown = tr("；").join(str(p) for p in self.rejected[:SUMMARY_PROBLEMS])
            if len(self.rejected) > SUMMARY_PROBLEMS:
                shown += tr("；等共 {count} 处问题", count=len(self.rejected))
            text += tr("（{shown}）", shown=shown)
        extra = []
        if self.unchanged:
            extra.append(unchanged)
        if self.skipped_empty:
            extra.append(tr("跳过空行 {rows}", rows=counted(self.skipped_empty, "行")))
        if extra:
            text += tr("；") + tr("，").join(extra)
        return text + tr("。")


def refuse_rejected(store: Any, actor: str, preview: PreviewCounts, allow: bool, unit: str) -> None:
    """What every import checks before it writes: the actor may import (the role table
    of services/auth.py), and no row was rejected unless ``allow`` (the rest, counted in
    ``unit``, a Chinese counting word of :func:`counted`, is then written);
    :class:`ImportRefused` otherwise, nothing written."""
    from grassroots_tui.services.auth import require_actor

    require_actor(store, actor, "household.import")
    rows = len(preview.rejected_rows)
    if rows and not allow:
        good = len(preview.adds) + len(preview.updates)
        raise ImportRefused(
            tr(
                "有 {rows}被拒绝，本次没有导入任何数据。请改正后重新导入，"
                "或确认只导入其余 {good}（命令行加 --allow-rejected）。",
                rows=counted(rows, "行"),
                good=counted(good, unit),
            )
        )


@dataclass(frozen=True, kw_only=True)
class ResultCounts:
    """What an import wrote (the household import's and the other ledgers')."""

    added: int
    updated: int
    unchanged: int
    rejected_rows: int

    def _summary(self, added: str, updated: str, unchanged: str) -> str:
        """ "已新增 12 户，更新 3 户，2 户无需修改；1 行被拒绝，未导入。", the counts as
        ``added`` and ``updated`` say them, ``unchanged`` what is said of the unchanged
        records, when there are any."""
        text = tr("已新增 {added}，更新 {updated}", added=added, updated=updated)
        if self.unchanged:
            text += tr("，") + unchanged
        if self.rejected_rows:
            text += tr("；{rows}被拒绝，未导入", rows=counted(self.rejected_rows, "行"))
        return text + tr("。")


def counted(count: int, unit: str) -> str:
    """ "12 户": ``count`` of the Chinese counting word ``unit`` (户, 行, 条走访记录…), in
    the current language. Its message is "{count} 户" (marked where the unit is
    declared); an English one may give the singular and the plural as
    "{count} household|{count} households"."""
    said = tr("{count} " + unit)
    if "|" in said:
        one, many = said.split("|", 1)
        said = one if count == 1 else many
    return fill(said, {"count": count})


#: The counting words of the imports (:func:`counted`), marked so they are translated.
UNITS = (chinese("{count} 户"), chinese("{count} 行"), chinese("{count} 条"))


SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")


#: Said with :func:`tr` where it is used (a module's constant outlives a change of
#: language).
LOST_DIGITS = chinese(
    "在表格中被保存成了数字，位数已经丢失（Excel 只保留 15 位有效数字）。请把该列设为“文本”格式后重新录入"
)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_date(raw: Any, today: date) -> date:
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
        found = _iso_date(text)
        if found is None:
            for pattern in DATE_FORMATS:
                try:
                    found = datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
            else:
                raise InvalidValue(
                    tr("「{text}」不是有效的日期（格式应为 2026-03-05）", text=clip(text))
                )
        value = found
    if value > today:
        raise InvalidValue(tr("{day} 晚于今天，不合理", day=value.isoformat()))
    return value


def _iso_date(text: str) -> date | None:
    """2026-03-05 read without strptime (a ledger has tens of thousands of them)."""
    if len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit():
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def short_error(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return clip(text.splitlines()[0], 80)
