"""送温暖: festival rounds of visits (2027年春节慰问…) to every family in hardship.

A round is created for every case 帮扶中 of one station, or of one tier, and becomes a
checklist of households: done or not, what was given, by whom, when. Its progress is
done / total / percent; it can be exported as CSV or Markdown.

Exports mask residents' names and phone numbers (docs/design.md#personal-information)
unless ``unmasked=True``, which is the user's explicit choice and is recorded in the audit
trail (``store.record_access(..., action="export")``) before anything is produced. CSV
cells that start with = + - @, a tab or a carriage return get a leading apostrophe, so that a
spreadsheet never reads them as a formula.

:func:`export_round` returns text. A CSV file must be written as UTF-8 *with* BOM (so
Excel and WPS on Chinese Windows read it): ``store.exports.write_export(..., suffix=
".csv")`` does that, and so does :func:`encode_export`. The text itself carries no BOM,
so that writing it through either never doubles it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from grassroots_tui import lang
from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import (
    Assistance,
    AssistanceForm,
    CaseStatus,
    CondolenceItem,
    CondolenceRound,
    HardshipTier,
)
from grassroots_tui.services.auth import guarded_save, guarded_transaction
from grassroots_tui.services.disclosure import authorize_unmasked
from grassroots_tui.services.hardship import (
    HardshipNotFound,
    HardshipRefused,
    _assistance_refusal,
    _writing,
    check_amount,
    get_case,
)
from grassroots_tui.services.masking import Masker, mask_text, resident_names

__all__ = [
    "CSV_ENCODINGS",
    "CSV_HEADERS",
    "add_case_to_round",
    "encode_export",
    "export_round",
    "find_round",
    "get_round",
    "mark_done",
    "mark_not_done",
    "neutralise",
    "render_round",
    "round_progress",
    "start_round",
]

#: The columns of an exported round, in order (Chinese message ids; the export says them
#: in the current language).
CSV_HEADERS = (
    chinese("序号"),
    chinese("户号"),
    chinese("户主"),
    chinese("联系电话"),
    chinese("住址"),
    chinese("困难等级"),
    chinese("帮扶责任人"),
    chinese("慰问情况"),
    chinese("慰问物品及金额"),
    chinese("慰问人"),
    chinese("慰问日期"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def get_round(store: Any, round_id: str) -> CondolenceRound:
    """The round, or :class:`HardshipNotFound`."""
    found = store.get(CondolenceRound, round_id)
    if found is None:
        raise HardshipNotFound(
            tr("找不到送温暖活动（{round_id}），可能已被删除。", round_id=round_id)
        )
    return found


def find_round(store: Any, text: str, *, station_id: str | None = None) -> CondolenceRound:
    """A round by its id or its exact title (narrowed to one station when given)."""
    text = (text or "").strip()
    rounds = store.raw("condolence_round")
    if station_id is not None:
        rounds = [r for r in rounds if r.get("station_id") == station_id]
    found = [r for r in rounds if r["id"] == text] or [r for r in rounds if r["title"] == text]
    if not found:
        raise HardshipNotFound(tr("找不到名称为“{text}”的送温暖活动。", text=text))
    if len(found) > 1:
        raise HardshipRefused(
            tr(
                "有 {count} 个送温暖活动都叫“{text}”，请指定群工站或用编号。",
                count=len(found),
                text=text,
            )
        )
    return CondolenceRound.model_validate(found[0])


def _household_no(store: Any, household_id: str) -> str:
    raw = store.get_raw("household", household_id)
    return str(raw.get("household_no") or "") if raw else ""


def start_round(
    store: Any,
    *,
    title: str,
    started_on: dt.date,
    station_id: str | None,
    tier: HardshipTier | None,
    actor: str,
) -> CondolenceRound:
    """A new round listing every case 帮扶中 of the station (only those of ``tier`` when
    given), in household-number order, none done yet. Refused when the station does not
    exist (or is None: none chosen), when it already has a round of that title, or when
    no case qualifies."""
    text = (title or "").strip()
    if not text:
        raise HardshipRefused(tr("请填写送温暖活动的名称，如“2027年春节慰问”"))
    tier = HardshipTier(tier) if tier is not None else None
    with _writing(store):
        if store.get_raw("station", station_id) is None:
            raise HardshipNotFound(tr("找不到群工站（{station_id}）。", station_id=station_id))
        for raw in store.raw("condolence_round"):
            if raw.get("station_id") == station_id and raw.get("title") == text:
                raise HardshipRefused(
                    tr(
                        "本站已有名为“{text}”的送温暖活动（{started_on}）",
                        text=text,
                        started_on=raw["started_on"],
                    )
                )
        cases = [
            c
            for c in store.raw("hardship_case")
            if c.get("station_id") == station_id
            and c.get("status") == CaseStatus.ACTIVE.value
            and (tier is None or c.get("tier") == tier.value)
        ]
        if not cases:
            raise HardshipRefused(
                tr(
                    "本站没有{tier}的帮扶中的困难家庭，无法建立慰问名单",
                    tier=tr(tier.label),
                )
                if tier is not None
                else tr("本站没有帮扶中的困难家庭，无法建立慰问名单")
            )
        cases.sort(key=lambda c: (_household_no(store, c["household_id"]), c["id"]))
        items = [CondolenceItem(case_id=c["id"], household_id=c["household_id"]) for c in cases]
        new = CondolenceRound(
            station_id=station_id, title=text, started_on=started_on, tier=tier, items=items
        )
        return guarded_save(store, new, actor)


def add_case_to_round(store: Any, round_id: str, case_id: str, *, actor: str) -> CondolenceRound:
    """Add a case (one opened after the round began, say) to a round's checklist."""
    with _writing(store):
        found = get_round(store, round_id)
        case = store.get_raw("hardship_case", case_id)
        if case is None:
            raise HardshipNotFound(tr("找不到困难帮扶档案（{case_id}）。", case_id=case_id))
        if case.get("station_id") != found.station_id:
            raise HardshipRefused(tr("这户不属于本站，不能加入本站的慰问名单"))
        if any(item.case_id == case_id for item in found.items):
            raise HardshipRefused(tr("这户已在慰问名单中"))
        item = CondolenceItem(case_id=case_id, household_id=case["household_id"])
        return guarded_save(store, found.model_copy(update={"items": [*found.items, item]}), actor)


def mark_done(
    store: Any,
    round_id: str,
    case_id: str,
    *,
    given: str,
    by: str,
    on: dt.date,
    actor: str,
    amount: Decimal | None = None,
    source: str = "社区",
) -> CondolenceRound:
    """Tick a household off: what was given, by whom, when. Marking a done household
    again corrects the entry (the audit trail keeps the old one).

    With ``amount`` (yuan), the money is also recorded as assistance (慰问金, from
    ``source``) on the case, in the same transaction; refused then for a household already
    done, so that the money is never recorded twice.
    """
    what = (given or "").strip()
    who = (by or "").strip()
    if not what:
        raise HardshipRefused(tr("请填写慰问物品及金额"))
    if not who:
        raise HardshipRefused(tr("请填写慰问人"))
    with _writing(store):
        found = get_round(store, round_id)
        index = next((i for i, it in enumerate(found.items) if it.case_id == case_id), None)
        if index is None:
            raise HardshipNotFound(tr("这户不在本次慰问名单中"))
        if on < found.started_on:
            raise HardshipRefused(
                tr("慰问日期不能早于活动开始日期（{day}）", day=found.started_on.isoformat())
            )
        old = found.items[index]
        items = list(found.items)
        items[index] = old.model_copy(
            update={"done": True, "given": what, "by": who, "done_on": on}
        )
        updated = found.model_copy(update={"items": items})
        if amount is None:
            return guarded_save(store, updated, actor)
        if old.done:
            raise HardshipRefused(tr("这户已登记慰问；慰问金如需更正，请在帮扶记录中修改"))
        money = Assistance(
            case_id=case_id,
            date=on,
            form=AssistanceForm.CONDOLENCE_MONEY,
            amount=amount,
            source=source,
            handler=who,
            note=f"{found.title}：{what}",
        )
        # The same checks as add_assistance, then both saved together.
        check_amount(money)
        case = get_case(store, case_id)
        why = _assistance_refusal(case, on)
        if why:
            raise HardshipRefused(why)
        with guarded_transaction(store, actor) as tx:
            tx.save(money.model_copy(update={"station_id": case.station_id}))
            tx.save(updated)
        return get_round(store, round_id)


def mark_not_done(store: Any, round_id: str, case_id: str, *, actor: str) -> CondolenceRound:
    """Untick a household ticked by mistake (assistance recorded with it stays)."""
    with _writing(store):
        found = get_round(store, round_id)
        index = next((i for i, it in enumerate(found.items) if it.case_id == case_id), None)
        if index is None:
            raise HardshipNotFound(tr("这户不在本次慰问名单中"))
        items = list(found.items)
        items[index] = CondolenceItem(case_id=case_id, household_id=items[index].household_id)
        return guarded_save(store, found.model_copy(update={"items": items}), actor)


def round_progress(round: CondolenceRound) -> tuple[int, int, Decimal]:  # noqa: A002
    """(done, total, percent): percent with two decimals, rounded half up; 0.00 when empty."""
    total = len(round.items)
    done = sum(1 for item in round.items if item.done)
    if total == 0:
        return 0, 0, Decimal("0.00")
    percent = (Decimal(done) * 100 / Decimal(total)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return done, total, percent


# -- export ----------------------------------------------------------------------------------


def neutralise(cell: Any) -> str:
    """A CSV cell a spreadsheet will not run: a leading apostrophe before = + - @, tab, CR.

    Only text is neutralised: a real figure (``int``, ``float``, ``Decimal``) is written
    as it is, so that a negative number such as -3 stays a number in the spreadsheet.
    """
    if cell is None:
        return ""
    if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
        return str(cell)
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rows(
    store: Any, found: CondolenceRound, masker: Masker, say: Callable[..., str] = lang.tr
) -> list[list[str]]:
    """The round's rows, its words in the current language (``say``
    :func:`~grassroots_tui.lang.chinese` for the official document)."""
    tr = say  # named so, its literal message ids are found (tests/test_messages.py)
    staff = {s["id"]: s.get("name", "") for s in store.raw("staff")}
    residents = resident_names(store)  # what was given is free text: it may name someone
    rows: list[list[str]] = []
    for number, item in enumerate(found.items, start=1):
        home = store.get_raw("household", item.household_id) or {}
        case = store.get_raw("hardship_case", item.case_id) or {}
        tier = tr(HardshipTier(case["tier"]).label) if case.get("tier") else ""
        cadre = staff.get(case.get("paired_cadre", ""), case.get("paired_cadre", ""))
        rows.append(
            [
                str(number),
                str(home.get("household_no") or ""),
                masker.name(home.get("head_of_household")),
                masker.phone(home.get("phone")),
                str(home.get("address") or ""),
                tier,
                str(cadre or ""),
                tr("已慰问") if item.done else tr("未慰问"),
                mask_text(item.given, masker, residents),
                item.by or "",
                item.done_on.isoformat() if item.done_on else "",
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([tr(header) for header in CSV_HEADERS])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def _markdown(found: CondolenceRound, rows: list[list[str]], masked: bool) -> str:
    done, total, percent = round_progress(found)
    scope = tr(found.tier.label) if found.tier is not None else tr("全部等级")
    lines = [
        f"# {_md_cell(found.title)}",
        "",
        tr("- 开始日期：{day}", day=found.started_on.isoformat()),
        tr("- 范围：{scope}", scope=scope),
        tr(
            "- 进度：已慰问 {done} / {total} 户（{percent}%）",
            done=done,
            total=total,
            percent=percent,
        ),
    ]
    if masked:
        lines.append(tr("- 个人信息已遮蔽"))
    lines += [
        "",
        "| " + " | ".join(CSV_HEADERS) + " |",
        "|" + "|".join("---" for _ in CSV_HEADERS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(_md_cell(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def render_round(store: Any, round_id: str, *, fmt: Literal["csv", "md"] = "csv") -> str:
    """The round as CSV or Markdown, masked, without recording anything (unmasked only
    through :func:`export_round`, which checks and records it)."""
    return _render_round(store, round_id, fmt=fmt, unmasked=False)


def _render_round(store: Any, round_id: str, *, fmt: Literal["csv", "md"], unmasked: bool) -> str:
    if fmt not in ("csv", "md"):
        raise HardshipRefused(tr("不支持的导出格式：{fmt}（可用：csv、md）", fmt=fmt))
    found = get_round(store, round_id)
    rows = _rows(store, found, Masker(unmasked=unmasked))
    return _csv(rows) if fmt == "csv" else _markdown(found, rows, not unmasked)


def export_round(
    store: Any,
    round_id: str,
    *,
    fmt: Literal["csv", "md"] = "csv",
    unmasked: bool = False,
    actor: str | None = None,
    where: str | None = None,
) -> str:
    """The round as CSV (no BOM in the text; see the module notes) or Markdown, names and
    phones masked unless ``unmasked``. Unmasked output goes through
    :func:`~grassroots_tui.services.disclosure.authorize_unmasked` (a signed-in member of
    a role the station allows, with a PIN, on a writable store): recorded in the audit
    trail first, or refused."""
    found = get_round(store, round_id)
    if fmt not in ("csv", "md"):
        raise HardshipRefused(tr("不支持的导出格式：{fmt}（可用：csv、md）", fmt=fmt))
    if unmasked:
        authorize_unmasked(
            store,
            actor or "",
            f"导出送温暖名单“{found.title}”（未遮蔽个人信息，{fmt}）",
            len(found.items),
            kind="condolence_round",
            doc_id=found.id,
            where=where,
        )
    return _render_round(store, round_id, fmt=fmt, unmasked=unmasked)


#: CSV encodings: UTF-8 with a BOM (Excel and WPS on Chinese Windows read it as UTF-8),
#: or GB18030 for older systems that want the national encoding (no BOM).
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


def encode_export(text: str, fmt: Literal["csv", "md"], encoding: str = "utf-8") -> bytes:
    """The bytes to write: for CSV UTF-8 with BOM, or GB18030 (:data:`CSV_ENCODINGS`);
    plain UTF-8 for Markdown."""
    if encoding not in CSV_ENCODINGS:
        raise HardshipRefused(
            tr("不支持的编码：{encoding}（可用：utf-8、gb18030）", encoding=encoding)
        )
    return text.encode(CSV_ENCODINGS[encoding] if fmt == "csv" else "utf-8")
