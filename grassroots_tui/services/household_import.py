"""Import a household ledger (住户台账) from an .xlsx workbook or a CSV file.

Three steps, each usable on its own (the CLI and the TUI both go through them):

- :func:`read_ledger` reads the file (:mod:`.ledger_reader`, shared with the import of
  the other ledgers) against the household columns. Anything that is not a readable
  ledger raises :class:`LedgerError` with a Chinese message naming the file.
- :func:`preview_import` (pure) compares the rows with the households already stored for
  one station, matched by 户号: each row becomes an add, an update of the fields that
  differ, an unchanged household, or a rejection with row number, column and reason.
- :func:`apply_import` writes the adds and updates in one store transaction: all of
  them or none.

An empty cell never erases what is stored: an update changes only the fields the row
fills in. Nothing here imports Textual; blocking file reads are the caller's to put on a
worker thread. Hostile sizes are refused while reading (:mod:`.ledger_reader`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import Household
from grassroots_tui.models.errors import DocumentInvalid, InvalidValue, validate_model
from grassroots_tui.models.validators import (
    check_id_number,
    id_number_warnings,
    normalise_phone,
)
from grassroots_tui.services import ledger_reader
from grassroots_tui.services.ledger_reader import (
    LOST_DIGITS,
    PROGRESS_EVERY,
    SCIENTIFIC,
    Column,
    ColumnSet,
    ImportRefused,
    Ledger,
    LedgerError,
    LedgerImportError,
    LedgerRow,
    PreviewCounts,
    Progress,
    ResultCounts,
    RowProblem,
    cell_text,
    clip,
    counted,
    is_number,
    read_date,
    refuse_rejected,
)
from grassroots_tui.services.text import split_list

if TYPE_CHECKING:
    from grassroots_tui.store import Store

#: The errors of this module: those of reading and importing any ledger.
HouseholdImportError = LedgerImportError


# -- columns --------------------------------------------------------------------------


COLUMNS: tuple[Column, ...] = (
    Column("household_no", "户号", ("户编号",), required=True),
    Column("head_of_household", "户主姓名", ("户主", "姓名", "户主名"), required=True),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证", "户主身份证号")),
    Column("phone", "联系电话", ("电话", "手机", "手机号码", "手机号", "联系方式")),
    Column("address", "地址", ("住址", "家庭住址", "居住地址"), required=True),
    Column("grid", "网格", ("所属网格",)),
    Column("people", "人口数", ("家庭人口", "人口", "家庭人口数")),
    Column("tags", "标签", ("户籍标签",)),
    Column("building", "楼栋", ("楼号",)),
    Column("unit", "单元", ()),
    Column("door", "门牌号", ("门牌", "房号")),
    Column("group", "村民小组", ("小组",)),
    Column("registered_on", "登记日期", ()),
    Column("note", "备注", ()),
)
HOUSEHOLD_COLUMNS = ColumnSet(
    chinese("住户台账"),
    COLUMNS,
    chinese(
        "表头应包含 户号、户主姓名、地址，还可以有 身份证号、联系电话、网格、人口数、标签 等列。"
    ),
)
COLUMN_BY_FIELD: dict[str, Column] = HOUSEHOLD_COLUMNS.by_field
REQUIRED_FIELDS: tuple[str, ...] = HOUSEHOLD_COLUMNS.required


def field_for_header(text: str) -> str | None:
    """The household field a header names ("身份证号码" → "id_number"), or None."""
    return HOUSEHOLD_COLUMNS.field_for_header(text)


def read_ledger(path: str | Path, progress: Progress | None = None) -> Ledger:
    """Read an .xlsx or CSV household ledger; raise :class:`LedgerError` if it is not one
    (:func:`.ledger_reader.read_ledger` with the household columns)."""
    return ledger_reader.read_ledger(path, progress, HOUSEHOLD_COLUMNS)


# -- the preview ----------------------------------------------------------------------

#: field → (stored value, imported value), both in their JSON form.
Changes = dict[str, tuple[Any, Any]]


@dataclass(kw_only=True)
class ImportPreview(PreviewCounts):
    """What an import would do; nothing is written until :func:`apply_import`."""

    adds: list[Household] = field(default_factory=list)
    updates: list[tuple[Household, Changes]] = field(default_factory=list)

    def summary(self) -> str:
        """ "将新增 12 户，更新 3 户，拒绝 2 行（第 5 行「身份证号」校验码错误，应为 X；…）"."""
        return self._summary(
            counted(len(self.adds), "户"),
            counted(len(self.updates), "户"),
            tr("{households}与现有数据相同，无需修改", households=counted(self.unchanged, "户")),
        )


def preview_import(
    existing: list[dict],
    station_id: str,
    ledger: Ledger,
    today: date,
    progress: Progress | None = None,
) -> ImportPreview:
    """Compare the ledger's rows with the station's stored households (pure).

    ``existing`` is ``store.raw("household")``; rows are matched to it by
    (``station_id``, 户号). The first row with a 户号 is taken, later rows with the same
    户号 are refused. A row with any problem is refused as a whole.
    """
    preview = ImportPreview(
        station_id=station_id,
        source=ledger.source,
        skipped_empty=ledger.skipped_empty,
        warnings=list(ledger.warnings),
    )
    stored: dict[str, list[Mapping[str, Any]]] = {}
    for raw in existing:
        if isinstance(raw, Mapping) and raw.get("station_id") == station_id:
            number = raw.get("household_no")
            if isinstance(number, str):
                stored.setdefault(number.strip(), []).append(raw)
    first_row: dict[str, int] = {}
    total = len(ledger.rows)
    for done, row in enumerate(ledger.rows, start=1):
        _preview_row(preview, ledger, row, stored, first_row, today)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if progress is not None and total == 0:
        progress(0, 0)
    return preview


def _preview_row(
    preview: ImportPreview,
    ledger: Ledger,
    row: LedgerRow,
    stored: dict[str, list[Mapping[str, Any]]],
    first_row: dict[str, int],
    today: date,
) -> None:
    found: list[tuple[str, RowProblem]] = []
    flagged: set[str] = set()

    def refuse(field_name: str, reason: str, column: str | None = None) -> None:
        flagged.add(field_name)
        found.append((field_name, RowProblem(row.row, column or ledger.column(field_name), reason)))

    data: dict[str, Any] = {}
    for name, raw in row.values.items():
        if raw is None:
            continue
        try:
            data[name] = _convert(name, raw, today)
        except InvalidValue as invalid:
            refuse(name, invalid.reason)
        except Exception:  # noqa: BLE001 - a check that trips over odd input still refuses
            refuse(name, tr(_FALLBACK_REASONS.get(name, _FALLBACK_REASONS[""])))
    for name in REQUIRED_FIELDS:
        if name in ledger.columns and row.values.get(name) is None:
            refuse(name, tr("必填，不能为空"))

    number = data.get("household_no")
    current: Mapping[str, Any] | None = None
    if isinstance(number, str):
        if number in first_row:
            refuse("household_no", tr("与第 {row} 行户号重复", row=first_row[number]))
        else:
            first_row[number] = row.row
        matches = stored.get(number, [])
        if len(matches) > 1:
            refuse(
                "household_no",
                tr(
                    "本站已有 {households}使用此户号，无法确定要更新哪一户",
                    households=counted(len(matches), "户"),
                ),
            )
        elif matches:
            current = matches[0]

    if current is None:
        payload: dict[str, Any] = {"station_id": preview.station_id, **data}
    else:
        payload = {**current, **data}
    household: Household | None = None
    try:
        household = validate_model(Household, payload, Household.KIND)
    except DocumentInvalid as invalid:
        for problem in invalid.problems:
            root = problem.field.split(".", 1)[0]
            if root in flagged:
                continue
            refuse(root, problem.message, ledger.columns.get(root) or problem.label or tr("整行"))
    if found or household is None:
        # In the order of the file's columns, as the user reads the row.
        order = {name: index for index, name in enumerate(ledger.columns)}
        found.sort(key=lambda item: order.get(item[0], len(order)))
        preview.rejected.extend(problem for _name, problem in found)
        return

    if household.id_number and "id_number" in data:
        for warning in id_number_warnings(household.id_number):
            reason = re.split("：|: ", warning, maxsplit=1)[-1]
            preview.warnings.append(str(RowProblem(row.row, ledger.column("id_number"), reason)))

    if current is None:
        preview.adds.append(household)
        return
    after = household.to_json()
    changes: Changes = {
        name: (current.get(name), after.get(name))
        for name in data
        if current.get(name) != after.get(name)
    }
    if changes:
        preview.updates.append((household, changes))
    else:
        preview.unchanged += 1


# -- converting one cell --------------------------------------------------------------

#: Reasons used if a value check fails in an unexpected way (it raised something other
#: than InvalidValue, e.g. normalise_phone("0") raising IndexError).
_FALLBACK_REASONS = {
    "id_number": chinese("不是有效的身份证号"),
    "phone": chinese("不是有效的手机号码或固定电话"),
    "people": chinese("应为 1–99 之间的整数"),
    "registered_on": chinese("不是有效的日期（格式应为 2026-03-05）"),
    "": chinese("无法识别这个值"),
}


def _convert(name: str, raw: Any, today: date) -> Any:
    """One cell as the model field wants it, or raise :class:`InvalidValue`."""
    if name == "id_number":
        if is_number(raw):
            raise InvalidValue(tr(LOST_DIGITS))
        text = cell_text(raw)
        if SCIENTIFIC.match(unicodedata.normalize("NFKC", text).strip()):
            raise InvalidValue(_scientific(text))
        return check_id_number(text, today=today)
    if name == "phone":
        if isinstance(raw, float) and not raw.is_integer():
            raise InvalidValue(tr("不是有效的电话号码（是带小数的数字）"))
        text = cell_text(raw)
        if SCIENTIFIC.match(unicodedata.normalize("NFKC", text).strip()):
            raise InvalidValue(_scientific(text))
        return normalise_phone(text)
    if name == "people":
        return _people(raw)
    if name == "tags":
        return split_list(cell_text(raw))
    if name == "registered_on":
        return read_date(raw, today)
    return cell_text(raw)


def _scientific(text: str) -> str:
    return tr("「{text}」是科学计数法，{lost}", text=clip(text), lost=tr(LOST_DIGITS))


def _people(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidValue(tr("应为 1–99 之间的整数"))
    if isinstance(raw, float):
        if not raw.is_integer():
            raise InvalidValue(tr("应为 1–99 之间的整数，而不是 {value}", value=f"{raw:g}"))
        raw = int(raw)
    if isinstance(raw, int):
        number = raw
    else:
        text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
        bare = re.sub(r"\s*[人口]$", "", text)
        if bare.endswith(".0"):
            bare = bare[:-2]
        if not (bare.isascii() and bare.isdigit()) or len(bare) > 6:
            raise InvalidValue(tr("应为 1–99 之间的整数，而不是「{value}」", value=clip(text)))
        number = int(bare)
    if not 1 <= number <= 99:
        raise InvalidValue(tr("应为 1–99 之间的整数，而不是 {value}", value=number))
    return number


# -- applying -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ImportResult(ResultCounts):
    """What :func:`apply_import` wrote."""

    ids: tuple[str, ...] = ()

    def summary(self) -> str:
        return self._summary(
            counted(self.added, "户"),
            counted(self.updated, "户"),
            tr("{households}无需修改", households=counted(self.unchanged, "户")),
        )


def apply_import(
    store: Store,
    preview: ImportPreview,
    actor: str,
    *,
    allow_rejected: bool = False,
) -> ImportResult:
    """Write the preview's adds and updates as one transaction: all of them or none.

    Refuses (:class:`ImportRefused`, nothing written) when the preview has rejected rows
    and ``allow_rejected`` is false, or when the station's households changed since the
    preview was made. Store errors (disk full, read-only) propagate unchanged; they too
    leave the store as it was. A signed-in staff member whose role may not import is
    refused with :class:`~grassroots_tui.services.auth.PermissionDenied`.
    """
    refuse_rejected(store, actor, preview, allow_rejected, "户")
    taken: set[str] = set()
    for raw in store.raw(Household):
        if raw.get("station_id") == preview.station_id and isinstance(raw.get("household_no"), str):
            taken.add(raw["household_no"].strip())
    for household in preview.adds:
        if household.household_no in taken:
            raise ImportRefused(
                tr(
                    "预览之后，户号「{number}」已被登记，本次没有导入任何数据。"
                    "请重新预览后再导入。",
                    number=household.household_no,
                )
            )
    for household, _changes in preview.updates:
        current = store.get_raw(Household, household.id)
        if current is None or current.get("rev") != household.rev:
            raise ImportRefused(
                tr(
                    "预览之后，户号「{number}」的住户已被修改或删除，"
                    "本次没有导入任何数据。请重新预览后再导入。",
                    number=household.household_no,
                )
            )
    docs = [*preview.adds, *(h for h, _ in preview.updates)]
    if docs:
        with store.transaction(actor) as tx:
            for doc in docs:
                tx.save(doc)
    return ImportResult(
        added=len(preview.adds),
        updated=len(preview.updates),
        unchanged=preview.unchanged,
        rejected_rows=len(preview.rejected_rows),
        ids=tuple(d.id for d in docs),
    )


__all__ = [
    "COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "PROGRESS_EVERY",
    "Changes",
    "Column",
    "HouseholdImportError",
    "ImportPreview",
    "ImportRefused",
    "ImportResult",
    "Ledger",
    "LedgerError",
    "LedgerRow",
    "Progress",
    "RowProblem",
    "apply_import",
    "field_for_header",
    "preview_import",
    "read_ledger",
]
