"""The import engine for a station's old ledgers (走访台账, 交办单台账, 困难帮扶台账, media
reports, the three-threes): one engine, a row mapper per kind (:mod:`.ledger_kinds`).

The habits are the household import's (:mod:`.household_import`), whose reader this
shares (:mod:`.ledger_reader`: .xlsx or CSV in UTF-8 or GBK, bounded sizes, progress):

- :func:`preview_ledger` reads the store and says what would be added, updated and
  refused (row, column, reason), and writes nothing;
- :func:`apply_ledger` writes the adds and updates as one guarded transaction: all or
  nothing, each document checked against the role table (services/auth.py).

Rows are grouped into records by a stable key (户号 + 日期 + 开始时间 for a visit, the
slip number for a slip, …): several rows with one key are one record, the later rows
adding its problems or assistance records. A record whose key is stored already is
unchanged when the ledger says the same, an update when the kind allows it
(:attr:`LedgerKind.updatable`), and refused otherwise, so importing a file twice never
duplicates anything. A row that refers to a household (户号) or a staff member (by name)
the station does not have is refused, never guessed. A record with any problem is
refused whole, every one of its rows named.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from grassroots_tui.lang import tr
from grassroots_tui.models.base import Document
from grassroots_tui.models.errors import DocumentInvalid, InvalidValue
from grassroots_tui.models.validators import check_yuan
from grassroots_tui.services.auth import guarded_transaction
from grassroots_tui.services.ledger_reader import (
    PROGRESS_EVERY,
    ColumnSet,
    ImportRefused,
    Ledger,
    LedgerRow,
    PreviewCounts,
    Progress,
    ResultCounts,
    RowProblem,
    cell_text,
    clip,
    counted,
    read_date,
    read_ledger,
    refuse_rejected,
)
from grassroots_tui.services.text import listed, split_list
from grassroots_tui.store.store import BOOKKEEPING

if TYPE_CHECKING:
    from grassroots_tui.store import Store

#: The fields a stored document carries that are not what a ledger says: compared
#: records leave them out: what the store keeps itself, whose document it is, and the
#: links between one record's documents.
_META = BOOKKEEPING | {"writer", "slip_id", "case_id"}

E = TypeVar("E", bound=Enum)


# -- the context a mapper reads -------------------------------------------------------


class Context:
    """What a mapper may look up: the station's households by 户号 and its staff (and
    the street office's) by name, read once from the store."""

    def __init__(self, store: Store, station_id: str, today: date, calendar: Any = None) -> None:
        self.store = store
        self.station_id = station_id
        self.today = today
        self.calendar = calendar
        self._raw: dict[str, list[dict[str, Any]]] = {}
        #: What earlier records of the file took, by what: a mapper's own bookkeeping
        #: (the households given a case 帮扶中, so that a second one is refused).
        self.claimed: dict[str, dict[str, int]] = {}
        self.households: dict[str, list[dict[str, Any]]] = {}
        for raw in store.raw("household"):
            number = raw.get("household_no")
            if raw.get("station_id") == station_id and isinstance(number, str):
                self.households.setdefault(number.strip(), []).append(raw)
        self.staff: dict[str, list[dict[str, Any]]] = {}
        for raw in store.raw("staff"):
            name = raw.get("name")
            if raw.get("station_id") in (station_id, None) and isinstance(name, str):
                self.staff.setdefault(squeeze(name), []).append(raw)

    def raw(self, kind: str) -> list[dict[str, Any]]:
        """The station's stored documents of ``kind`` (read once)."""
        if kind not in self._raw:
            found = [d for d in self.store.raw(kind) if d.get("station_id") == self.station_id]
            self._raw[kind] = found
        return self._raw[kind]


def squeeze(text: str) -> str:
    """``text`` as compared in keys and names: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# -- reading one row ------------------------------------------------------------------


def _not_allowed(text: str, enum: type[Enum]) -> str:
    """ "「x」不是可选的值（可选：满意、基本满意、不满意）": the choices are what the
    ledger's cells hold, the Chinese labels, whatever the interface language."""
    allowed = listed(getattr(m, "label", str(m.value)) for m in enum)
    return tr("「{text}」不是可选的值（可选：{allowed}）", text=clip(text), allowed=allowed)


class RowReader:
    """One row of a ledger, read cell by cell as a mapper asks: each getter returns the
    value converted, or None when the cell is blank or wrong; what is wrong is kept in
    :attr:`problems` (row, the file's column header, the reason in Chinese)."""

    def __init__(self, ledger: Ledger, row: LedgerRow, today: date) -> None:
        self.ledger = ledger
        self.row = row
        self.today = today
        self.problems: list[RowProblem] = []

    @property
    def number(self) -> int:
        return self.row.row

    def refuse(self, name: str, reason: str) -> None:
        """Record that the cell of field ``name`` (or the whole row, "") is wrong."""
        column = self.ledger.column(name) if name else tr("整行")
        problem = RowProblem(self.row.row, column, reason)
        if problem not in self.problems:
            self.problems.append(problem)

    def given(self, name: str) -> bool:
        return self.row.values.get(name) is not None

    def raw(self, name: str) -> Any:
        return self.row.values.get(name)

    def _blank(self, name: str, required: bool) -> bool:
        if self.row.values.get(name) is not None:
            return False
        if required:
            self.refuse(name, tr("必填，不能为空"))
        return True

    def text(self, name: str, *, required: bool = False, longest: int = 5000) -> str | None:
        if self._blank(name, required):
            return None
        value = cell_text(self.raw(name))
        if len(value) > longest:
            self.refuse(
                name,
                tr("不能超过 {longest} 个字（现有 {count} 个）", longest=longest, count=len(value)),
            )
            return None
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        if self._blank(name, required):
            return None
        try:
            return read_date(self.raw(name), self.today)
        except InvalidValue as invalid:
            self.refuse(name, invalid.reason)
        except Exception:  # noqa: BLE001 - an odd cell still refuses the row only
            self.refuse(name, tr("不是有效的日期（格式应为 2026-03-05）"))
        return None

    def time(self, name: str, *, required: bool = False) -> time | None:
        if self._blank(name, required):
            return None
        raw = self.raw(name)
        if isinstance(raw, datetime):
            return raw.time().replace(second=0, microsecond=0)
        if isinstance(raw, time):
            return raw.replace(second=0, microsecond=0)
        if isinstance(raw, float) and 0 <= raw < 1:  # a time typed as a fraction of a day
            minutes = round(raw * 24 * 60)
            return time(minutes // 60 % 24, minutes % 60)
        text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
        found = re.fullmatch(r"(\d{1,2})[:：时点](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?", text)
        if found and int(found[1]) < 24 and int(found[2]) < 60:
            return time(int(found[1]), int(found[2]))
        self.refuse(name, tr("「{text}」不是有效的时间（格式应为 09:30）", text=clip(text)))
        return None

    def choice(self, name: str, enum: type[E], *, required: bool = False) -> E | None:
        """A value of ``enum`` given by its Chinese label (or its identifier)."""
        if self._blank(name, required):
            return None
        text = squeeze(cell_text(self.raw(name)))
        try:
            return enum(text)
        except ValueError:
            self.refuse(name, _not_allowed(text, enum))
            return None

    def choices(self, name: str, enum: type[E], *, required: bool = False) -> list[E]:
        """Several values of ``enum`` in one cell, separated by 、，, ; or spaces."""
        if self._blank(name, required):
            return []
        found: list[E] = []
        for part in split_list(cell_text(self.raw(name))):
            try:
                member = enum(part)
            except ValueError:
                self.refuse(name, _not_allowed(part, enum))
                return []
            if member not in found:
                found.append(member)
        return found

    def texts(self, name: str) -> list[str]:
        """Several texts in one cell, separated by 、，, ; or spaces."""
        if self._blank(name, False):
            return []
        return split_list(cell_text(self.raw(name)))

    def whole(self, name: str, *, required: bool = False, most: int = 1_000_000) -> int | None:
        if self._blank(name, required):
            return None
        raw = self.raw(name)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
        text = re.sub(r"\s*人$", "", text)
        if text.isascii() and text.isdigit() and int(text) <= most:
            return int(text)
        self.refuse(name, tr("「{text}」应为 0–{most:,} 之间的整数", text=clip(text), most=most))
        return None

    def yuan(self, name: str) -> Decimal | None:
        if self._blank(name, False):
            return None
        raw = self.raw(name)
        try:
            return check_yuan(raw if isinstance(raw, int | float) else cell_text(raw))
        except (InvalidValue, ValueError) as error:
            reason = error.reason if isinstance(error, InvalidValue) else str(error)
            self.refuse(name, reason or tr("不是有效的金额（如 200.00）"))
            return None

    def yes_no(self, name: str) -> bool | None:
        if self._blank(name, False):
            return None
        raw = self.raw(name)
        if isinstance(raw, bool):
            return raw
        text = squeeze(cell_text(raw)).lower()
        if text in ("是", "有", "y", "yes", "true", "1", "√"):
            return True
        if text in ("否", "无", "没有", "n", "no", "false", "0", "×"):
            return False
        self.refuse(name, tr("「{text}」应填“{yes}”或“{no}”", text=clip(text), yes="是", no="否"))
        return None

    def household(self, name: str, context: Context, *, required: bool = True) -> str | None:
        """The id of the station's household whose 户号 the cell holds."""
        number = self.text(name, required=required, longest=100)
        if number is None:
            return None
        found = context.households.get(number.strip(), [])
        if not found:
            self.refuse(
                name,
                tr("本站没有户号为「{number}」的住户，请先导入或登记住户", number=clip(number)),
            )
            return None
        if len(found) > 1:
            self.refuse(
                name,
                tr(
                    "本站有 {households}使用户号「{number}」，无法确定是哪一户",
                    households=counted(len(found), "户"),
                    number=clip(number),
                ),
            )
            return None
        return str(found[0]["id"])

    def staff(self, name: str, context: Context, *, required: bool = False) -> list[str]:
        """The ids of the staff members the cell names (several separated by 、，,;)."""
        if self._blank(name, required):
            return []
        ids: list[str] = []
        for person in split_list(cell_text(self.raw(name))):
            found = context.staff.get(squeeze(person), [])
            if not found:
                self.refuse(
                    name,
                    tr("本站没有名为「{person}」的工作人员，请先在设置中添加", person=clip(person)),
                )
                return []
            if len(found) > 1:
                self.refuse(
                    name,
                    tr(
                        "有 {count} 位工作人员都叫「{person}」，无法确定是谁",
                        count=len(found),
                        person=clip(person),
                    ),
                )
                return []
            if found[0]["id"] not in ids:
                ids.append(str(found[0]["id"]))
        return ids

    def agree(self, first: RowReader, names: Iterable[str]) -> None:
        """A later row of a record: each of ``names`` must be blank or as in ``first``."""
        for name in names:
            mine, theirs = self.raw(name), first.raw(name)
            if mine is None or theirs is None:
                if mine is not None:
                    self.refuse(
                        name,
                        tr(
                            "与第 {number} 行（同一条记录）不一致：那一行没有填写",
                            number=first.number,
                        ),
                    )
                continue
            if cell_text(mine) != cell_text(theirs):
                self.refuse(
                    name,
                    tr(
                        "与第 {number} 行（同一条记录）不一致：「{mine}」≠「{theirs}」",
                        number=first.number,
                        mine=clip(cell_text(mine)),
                        theirs=clip(cell_text(theirs)),
                    ),
                )


# -- a kind of ledger -------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One record a group of rows makes: its key, the documents to write, its rows."""

    key: str
    docs: tuple[Document, ...]
    rows: tuple[int, ...]


class LedgerKind:
    """A kind of ledger: its columns and how a group of rows becomes documents.

    Subclasses set the class attributes and implement :meth:`key`, :meth:`build` and
    :meth:`stored`."""

    #: The command-line name ("visits") and the Chinese ones ("走访台账", "条走访记录").
    name: str = ""
    label: str = ""
    unit: str = ""
    columns: ColumnSet
    #: A stored record whose ledger row says something else is updated (its main
    #: document rewritten); otherwise such a row is refused.
    updatable: bool = False
    #: model field → ledger field, for naming the column of a model's own refusal, where
    #: they differ (a model field that is a ledger field names its own column).
    field_columns: Mapping[str, str] = {}

    def column_of(self, model_field: str) -> str:
        """The ledger field of a model field ("" when the ledger has none: the whole row)."""
        found = self.field_columns.get(model_field, model_field)
        return found if found in self.columns.by_field else ""

    def key(self, row: RowReader) -> str | None:
        """The record's key, read from the row (None when a key cell is missing)."""
        raise NotImplementedError

    def build(self, rows: Sequence[RowReader], context: Context) -> list[Document]:
        """The documents of one record (main one first), problems recorded on the rows.
        May raise :class:`DocumentInvalid` or :class:`InvalidValue`."""
        raise NotImplementedError

    def stored(self, context: Context) -> dict[str, list[dict[str, Any]]]:
        """Key → the stored documents of that record (main one first)."""
        raise NotImplementedError

    def updated(self, docs: list[Document], stored: list[dict[str, Any]]) -> list[Document]:
        """The stored record rewritten with what the ledger says (:attr:`updatable`
        kinds): by default the main document with its stored id and revision."""
        main = docs[0]
        keep = {
            n: stored[0][n] for n in ("id", "rev", "created_at", "created_by") if n in stored[0]
        }
        return [type(main).model_validate({**main.model_dump(), **keep})]

    def refused_update(self, stored: list[dict[str, Any]]) -> str | None:
        """Why the stored record may not be rewritten by the ledger, or None."""
        return None


def fingerprint(docs: Iterable[Mapping[str, Any] | Document]) -> list[str]:
    """What a record says, to compare the ledger with the store: each document without
    its ids, revisions and stamps, and without the ids inside its lists (a problem's)."""
    out = []
    for doc in docs:
        data = doc.to_json() if isinstance(doc, Document) else dict(doc)
        out.append(repr(sorted(_plain(data).items())))
    return sorted(out)


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name in _META or value in (None, "", [], False):
            continue
        if isinstance(value, list):
            value = [_plain(v) if isinstance(v, Mapping) else v for v in value]
        clean[name] = value
    return clean


# -- the preview ------------------------------------------------------------------------


@dataclass(kw_only=True)
class LedgerPreview(PreviewCounts):
    """What an import of one kind of ledger would do; nothing is written until
    :func:`apply_ledger`."""

    kind: LedgerKind
    adds: list[Record] = field(default_factory=list)
    #: (the record as it will be written, the stored main document's revision)
    updates: list[tuple[Record, int]] = field(default_factory=list)

    def summary(self) -> str:
        """ "将新增 12 条走访记录，更新 1 条，拒绝 2 行（第 5 行「户号」…）"."""
        return self._summary(
            counted(len(self.adds), self.kind.unit),
            counted(len(self.updates), "条"),
            tr(
                "{records}已导入过且内容相同，不再重复导入",
                records=counted(self.unchanged, "条"),
            ),
        )

    def signature(self) -> tuple[Any, ...]:
        """What the preview would write, to tell whether the store changed since."""
        return (
            [r.key for r in self.adds],
            [(r.key, rev) for r, rev in self.updates],
            self.unchanged,
            self.rejected,
        )


def read_kind(path: str | Path, kind: LedgerKind, progress: Progress | None = None) -> Ledger:
    """Read a ledger file of ``kind`` (:func:`.ledger_reader.read_ledger`)."""
    return read_ledger(path, progress, kind.columns)


def preview_ledger(
    store: Store,
    station_id: str,
    ledger: Ledger,
    kind: LedgerKind,
    today: date,
    *,
    calendar: Any = None,
    progress: Progress | None = None,
) -> LedgerPreview:
    """What importing ``ledger`` into the station would do (reads the store only)."""
    context = Context(store, station_id, today, calendar)
    preview = LedgerPreview(
        kind=kind,
        station_id=station_id,
        source=ledger.source,
        skipped_empty=ledger.skipped_empty,
        warnings=list(ledger.warnings),
    )
    groups: dict[str, list[RowReader]] = {}
    total = len(ledger.rows)
    for done, row in enumerate(ledger.rows, start=1):
        reader = RowReader(ledger, row, today)
        key = kind.key(reader)
        if key is None or reader.problems:
            preview.rejected.extend(
                reader.problems or [RowProblem(row.row, tr("整行"), tr("缺少记录的编号"))]
            )
        else:
            groups.setdefault(key, []).append(reader)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done // 2, total)
    stored = kind.stored(context)
    for done, (key, rows) in enumerate(groups.items(), start=1):
        _preview_record(preview, kind, context, key, rows, stored.get(key))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(min(total, total // 2 + done), total)
    preview.rejected.sort(key=lambda p: p.row)
    if progress is not None:
        progress(total, total)
    return preview


def _preview_record(
    preview: LedgerPreview,
    kind: LedgerKind,
    context: Context,
    key: str,
    rows: list[RowReader],
    stored: list[dict[str, Any]] | None,
) -> None:
    docs: list[Document] = []
    try:
        try:
            docs = kind.build(rows, context)
        except ValidationError as error:
            raise _invalid(error) from None
    except DocumentInvalid as invalid:
        for problem in invalid.problems:
            root = problem.field.split(".", 1)[0]
            column = kind.column_of(root)
            reason = problem.message if column else problem.text
            rows[0].refuse(column, reason)
    except InvalidValue as invalid:
        rows[0].refuse(kind.column_of(invalid.field or ""), invalid.reason)
    problems = [p for r in rows for p in r.problems]
    if problems or not docs:
        preview.rejected.extend(
            problems or [RowProblem(rows[0].number, tr("整行"), tr("无法导入"))]
        )
        wrong = sorted({p.row for p in problems})
        for row in rows:
            if problems and not row.problems:
                where = listed(tr("第 {row} 行", row=n) for n in wrong)
                reason = tr("与{rows}是同一条记录，那里有问题，整条记录都未导入", rows=where)
                preview.rejected.append(RowProblem(row.number, tr("整行"), reason))
        return
    numbers = tuple(r.number for r in rows)
    if stored is None:
        preview.adds.append(Record(key, tuple(docs), numbers))
        return
    if fingerprint(docs) == fingerprint(stored):
        preview.unchanged += 1
        return
    why = (
        None if kind.updatable else tr("已导入过，但台账内容与已有记录不同；请在程序中修改这条记录")
    )
    why = why or kind.refused_update(stored)
    if why is not None:
        for number in numbers:
            preview.rejected.append(RowProblem(number, tr("整行"), why))
        return
    rewritten = kind.updated(docs, stored)
    preview.updates.append((Record(key, tuple(rewritten), numbers), int(stored[0].get("rev", 0))))


def _invalid(error: ValidationError) -> DocumentInvalid:
    """A model's refusal as :class:`DocumentInvalid`, its fields named in Chinese."""
    from grassroots_tui.models import KINDS, ProblemItem
    from grassroots_tui.models.activity import ResponsibilityPair

    models: list[type[BaseModel]] = [*KINDS.values(), ProblemItem, ResponsibilityPair]
    for model in models:
        if model.model_config.get("title") == error.title:
            return DocumentInvalid.from_validation_error(error, model)
    return DocumentInvalid.from_validation_error(error, Document)


# -- applying ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LedgerResult(ResultCounts):
    """What :func:`apply_ledger` wrote."""

    unit: str
    documents: int

    def summary(self) -> str:
        return self._summary(
            counted(self.added, self.unit),
            counted(self.updated, "条"),
            tr("{records}已导入过", records=counted(self.unchanged, "条")),
        )


def apply_ledger(
    store: Store,
    preview: LedgerPreview,
    actor: str,
    *,
    allow_rejected: bool = False,
) -> LedgerResult:
    """Write the preview's records as one guarded transaction: all of them or none.

    Refused (:class:`ImportRefused`, nothing written) when rows were rejected and
    ``allow_rejected`` is false, or when a record's key was stored or its stored
    revision changed since the preview. The actor must be allowed to import
    (``household.import``) and to write each document (``PermissionDenied``).
    """
    refuse_rejected(store, actor, preview, allow_rejected, "条")
    kind = preview.kind
    stored = kind.stored(Context(store, preview.station_id, date.today()))
    for record in preview.adds:
        if record.key in stored:
            raise ImportRefused(
                tr(
                    "预览之后，第 {row} 行的记录已被登记，本次没有导入任何数据。请重新预览后再导入。",
                    row=record.rows[0],
                )
            )
    for record, rev in preview.updates:
        now = stored.get(record.key)
        if not now or int(now[0].get("rev", 0)) != rev:
            raise ImportRefused(
                tr(
                    "预览之后，第 {row} 行的记录已被修改或删除，本次没有导入任何数据。请重新预览后再导入。",
                    row=record.rows[0],
                )
            )
    docs = [d for r in preview.adds for d in r.docs]
    docs += [d for r, _rev in preview.updates for d in r.docs]
    if docs:
        with guarded_transaction(store, actor) as tx:
            for doc in docs:
                tx.save(doc)
    return LedgerResult(
        unit=kind.unit,
        added=len(preview.adds),
        updated=len(preview.updates),
        unchanged=preview.unchanged,
        rejected_rows=len(preview.rejected_rows),
        documents=len(docs),
    )


__all__ = [
    "Context",
    "LedgerKind",
    "LedgerPreview",
    "LedgerResult",
    "Record",
    "RowReader",
    "apply_ledger",
    "fingerprint",
    "preview_ledger",
    "read_kind",
    "squeeze",
]
