"""Printing: the handoff slip (交办单) with its reply slips (回复单) in the usual paper
layout, and the reminder notice (催办通知书), as plain text or a self-contained HTML page
with print CSS.

Residents' names, ID numbers and phone numbers are masked (张*, 4301**********1234,
138****5678) unless the caller passes ``unmasked=True``; that choice must be recorded in
the audit trail, which :func:`export_slip` does (docs/design.md#personal-information).
Officials' names (经办人, 签发人, 包案领导) are not residents' information and are printed
whole.

The printed slip, reply slip and reminder notice are Chinese official documents whatever
the interface language, as is the note a reminder stores; only the refusals here speak
the interface language (:func:`grassroots_tui.lang.tr`).
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from dataclasses import dataclass
from typing import Literal

from grassroots_tui.lang import tr
from grassroots_tui.models import Household, Satisfaction, SlipReminder, Station
from grassroots_tui.models.slip import SlipView
from grassroots_tui.services.auth import guarded_save
from grassroots_tui.services.deadlines import Due
from grassroots_tui.services.disclosure import authorize_unmasked
from grassroots_tui.services.fields import optional_date as _date
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.slips import (
    SlipActionRefused,
    documents_of,
    effective_due,
    ensure_allowed,
    get_slip,
    has_reply,
    lead_official_name,
    party_refusal,
    step_party,
)
from grassroots_tui.services.slips.clock import timeline_of
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import Store

__all__ = [
    "export_slip",
    "mask_text",
    "record_reminder",
    "reminder_content",
    "render_reminder",
    "render_slip",
    "slip_pages",
]

Fmt = Literal["text", "html"]

#: Display width of a printed text page (a CJK character counts two).
TEXT_WIDTH = 79
_LABEL_W = 12
_VALUE_W = 21  # 2+12+3+21+3+12+3+21+2 = 79
_FULL_W = _VALUE_W + 3 + _LABEL_W + 3 + _VALUE_W
_BLANK = "__________"


# -- what a page holds -----------------------------------------------------------------------


@dataclass
class _Cell:
    label: str
    value: str
    full: bool = False  # spans the whole row
    long: bool = False  # a block of text (taller box on paper)


@dataclass
class _Page:
    station: str
    title: str
    number_line: str
    cells: list[_Cell]
    signatures: list[list[tuple[str, str]]]  # lines of (label, filled-in value or "")
    note: str = ""


def _cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _pair_cells(pairs: list[tuple[str, str]]) -> list[_Cell]:
    return [_Cell(label, value) for label, value in pairs]


def _slip_pages(store: Store, slip: SlipView, masker: Masker, due: Due | None) -> list[_Page]:
    station = store.get(Station, slip.station_id) if slip.station_id else None
    station_name = station.name if station is not None else ""
    household = store.get(Household, slip.household_id) if slip.household_id else None
    # Every registered resident, not only this slip's: a neighbour named in it, too.
    names = resident_names(store) | [slip.person_name]

    def text(value: str | None) -> str:
        return mask_text(value or "", masker, names)

    number = slip.number or "（草稿，尚未编号）"
    due_text = due.date.isoformat() if due else "-"
    if due is not None and due.provisional:
        due_text += "（暂定）"
    person = masker.name(slip.person_name) if slip.person_name else ""
    cells = [_Cell("事项", text(slip.title), full=True)]
    cells += _pair_cells(
        [
            ("来源", slip.source.label),
            ("类别", slip.category),
            ("交办日期", slip.issue_date.isoformat() if slip.issue_date else ""),
            ("办理时限", slip.deadline_rule),
            ("应办结日期", due_text),
            ("状态", slip.state.label),
        ]
    )
    if slip.original_due_date is not None:
        cells += _pair_cells([("原应办结日期", slip.original_due_date.isoformat()), ("", "")])
    if household is not None:
        h = household
        cells += _pair_cells(
            [
                ("当事人", person or masker.name(h.head_of_household)),
                ("联系电话", masker.phone(h.phone)),
                ("户号", h.household_no),
                ("身份证号", masker.id(h.id_number)),
            ]
        )
        cells.append(_Cell("住址", h.address, full=True))
    elif person:
        cells.append(_Cell("当事人", person, full=True))
    cells += _pair_cells(
        [
            ("承办单位", slip.handling_unit or ""),
            ("经办人", slip.assignee or ""),
            ("包案领导", lead_official_name(store, slip.lead_official) or ""),
            ("责任人", slip.responsible_person or ""),
        ]
    )
    cells.append(_Cell("情况描述", text(slip.description), full=True, long=True))
    if slip.withdraw_reason:
        cells.append(_Cell("撤回理由", text(slip.withdraw_reason), full=True))
    note = (
        "本页含未遮蔽的个人信息，请妥善保管，用后销毁。"
        if masker.unmasked
        else "个人信息已按规定遮蔽。"
    )
    pages = [
        _Page(
            station=station_name,
            title="交办单",
            number_line=f"编号：{number}",
            cells=cells,
            signatures=[
                [("签发人", ""), ("日期", _cn_date(slip.issue_date))],
                [("经办人", slip.assignee or ""), ("签收", "")],
            ],
            note=note,
        )
    ]

    replies = sorted(
        documents_of(store, "reply", slip.id),
        key=lambda r: (r["reply_date"], r.get("is_redo", False)),
    )
    callbacks = sorted(documents_of(store, "slip_callback", slip.id), key=lambda c: c["date"])
    for index, reply in enumerate(replies):
        next_reply = replies[index + 1]["reply_date"] if index + 1 < len(replies) else None
        answered = [
            c
            for c in callbacks
            if c["date"] >= reply["reply_date"] and (next_reply is None or c["date"] <= next_reply)
        ]
        reply_cells = [
            _Cell("交办单编号", number, full=True),
            _Cell("事项", text(slip.title), full=True),
            *_pair_cells(
                [
                    ("承办单位", slip.handling_unit or ""),
                    ("回复日期", reply["reply_date"]),
                ]
            ),
            _Cell("办理结果", text(reply.get("result")), full=True, long=True),
            _Cell("政策依据", text(reply.get("policy_basis")), full=True),
        ]
        for call in answered:
            how = Satisfaction(call["satisfaction"]).label
            by = f"，回访人 {call['by']}" if call.get("by") else ""
            said = f"；{text(call.get('note'))}" if call.get("note") else ""
            reply_cells.append(_Cell("回访情况", f"{call['date']} {how}{by}{said}", full=True))
        pages.append(
            _Page(
                station=station_name,
                title="回复单（重办）" if reply.get("is_redo") else "回复单",
                number_line=f"编号：{number}",
                cells=reply_cells,
                signatures=[
                    [
                        ("签发人", reply.get("signer") or ""),
                        ("日期", _cn_date(_date(reply["reply_date"]))),
                    ],
                    [("经办人", reply.get("handler") or ""), ("签收", "")],
                ],
                note=note,
            )
        )
    return pages


# -- text layout -----------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _center(text: str, width: int = TEXT_WIDTH) -> str:
    return " " * max(0, (width - _width(text)) // 2) + text


def _right(text: str, width: int = TEXT_WIDTH) -> str:
    return " " * max(0, width - _width(text)) + text


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        line, used = "", 0
        for ch in paragraph:
            w = _width(ch)
            if used + w > width:
                lines.append(line)
                line, used = "", 0
            line += ch
            used += w
        lines.append(line)
    return lines or [""]


def _spaced(title: str) -> str:
    """ "交办单" → "交 办 单" (a title on paper); text in brackets stays together."""
    head, sep, tail = title.partition("（")
    return " ".join(head) + (sep + tail if sep else "")


def _rule() -> str:
    widths = (_LABEL_W, _VALUE_W, _LABEL_W, _VALUE_W)
    return "+" + "+".join("-" * (w + 2) for w in widths) + "+"


def _text_rows(cells: list[_Cell]) -> list[str]:
    out = [_rule()]
    pending: list[_Cell] = []

    def row(parts: list[tuple[str, int]]) -> None:
        wrapped = [_wrap(text, width) for text, width in parts]
        height = max(len(w) for w in wrapped)
        for i in range(height):
            cols = [
                _pad(w[i] if i < len(w) else "", width)
                for w, (_, width) in zip(wrapped, parts, strict=True)
            ]
            out.append("| " + " | ".join(cols) + " |")
        out.append(_rule())

    def flush() -> None:
        while pending:
            a = pending.pop(0)
            b = pending.pop(0) if pending else _Cell("", "")
            row(
                [(a.label, _LABEL_W), (a.value, _VALUE_W), (b.label, _LABEL_W), (b.value, _VALUE_W)]
            )

    for cell in cells:
        if cell.full:
            flush()
            value = cell.value
            if cell.long:
                lines = _wrap(value, _FULL_W)
                value = "\n".join(lines + [""] * max(0, 3 - len(lines)))
            row([(cell.label, _LABEL_W), (value, _FULL_W)])
        else:
            pending.append(cell)
    flush()
    return out


def _signature_line(parts: list[tuple[str, str]]) -> str:
    half = TEXT_WIDTH // 2
    texts = [f"{label}：{value or _BLANK}" for label, value in parts]
    return "".join(_pad(t, half) for t in texts[:-1]) + texts[-1]


def _page_text(page: _Page) -> str:
    lines = []
    if page.station:
        lines.append(_center(page.station))
    lines.append(_center(_spaced(page.title)))
    lines.append(_right(page.number_line))
    lines += _text_rows(page.cells)
    lines.append("")
    for parts in page.signatures:
        lines.append(_signature_line(parts))
        lines.append("")
    if page.note:
        lines.append(page.note)
    return "\n".join(lines).rstrip() + "\n"


# -- HTML layout -----------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif;
       font-size: 12pt; color: #000; background: #fff; margin: 0 auto; max-width: 178mm; }
.sheet { padding: 6mm 0 10mm; page-break-after: always; break-after: page; }
.sheet:last-child { page-break-after: auto; break-after: auto; }
.station { text-align: center; font-size: 14pt; margin: 0 0 2mm; }
h1 { text-align: center; font-family: "SimHei", "黑体", "Heiti SC", sans-serif;
     font-size: 22pt; letter-spacing: .4em; margin: 0 0 4mm; }
.number { text-align: right; margin: 0 0 2mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 1px solid #000; padding: 2mm 2.5mm; text-align: left; vertical-align: top;
         word-break: break-all; }
th { width: 17%; font-weight: normal; white-space: nowrap; background: #f3f3f3; }
td { width: 33%; }
td.long { height: 40mm; white-space: pre-wrap; }
td.wide { white-space: pre-wrap; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 8mm 12mm; margin-top: 10mm; }
.signatures span.line { display: inline-block; min-width: 40mm; border-bottom: 1px solid #000; }
.note { margin-top: 8mm; font-size: 9pt; color: #444; }
.notice p { text-indent: 2em; line-height: 2; margin: 0; }
.notice p.to { text-indent: 0; }
.notice .sign { text-align: right; margin-top: 12mm; line-height: 2; }
@media print { th { background: none; } }
"""


def _html_document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def _page_html(page: _Page) -> str:
    e = html.escape
    rows: list[str] = []
    pending: list[_Cell] = []

    def flush() -> None:
        while pending:
            a = pending.pop(0)
            b = pending.pop(0) if pending else _Cell("", "")
            rows.append(
                f"<tr><th>{e(a.label)}</th><td>{e(a.value)}</td>"
                f"<th>{e(b.label)}</th><td>{e(b.value)}</td></tr>"
            )

    for cell in page.cells:
        if cell.full:
            flush()
            cls = "long" if cell.long else "wide"
            rows.append(
                f'<tr><th>{e(cell.label)}</th><td colspan="3" class="{cls}">{e(cell.value)}</td></tr>'
            )
        else:
            pending.append(cell)
    flush()
    signatures = "".join(
        f'<div>{e(label)}：<span class="line">{e(value)}</span></div>'
        for parts in page.signatures
        for label, value in parts
    )
    station = f'<p class="station">{e(page.station)}</p>\n' if page.station else ""
    return (
        '<section class="sheet">\n'
        f"{station}<h1>{e(page.title)}</h1>\n"
        f'<p class="number">{e(page.number_line)}</p>\n'
        f"<table>\n{''.join(rows)}\n</table>\n"
        f'<div class="signatures">{signatures}</div>\n'
        f'<p class="note">{e(page.note)}</p>\n'
        "</section>\n"
    )


# -- the slip ----------------------------------------------------------------------------------


def render_slip(
    store: Store,
    slip_id: str,
    *,
    fmt: Fmt = "text",
    calendar: OfficialCalendar | None = None,
) -> str:
    """The slip and each of its reply slips, one page each, as text or an HTML page,
    personal information masked (unmasked only through :func:`export_slip`, which
    checks and records it).

    The due date printed is the effective one when ``calendar`` is given, else the one
    stored on the slip.
    """
    return _render_slip(store, slip_id, fmt=fmt, unmasked=False, calendar=calendar)


def slip_pages(
    store: Store, slip_id: str, *, unmasked: bool, calendar: OfficialCalendar | None
) -> tuple[SlipView, list[_Page]]:
    """The slip and what each of its pages holds (the slip, then each reply slip), as
    printed as text, HTML or .docx (services/documents); the due date is the effective
    one when ``calendar`` is given, else the one stored. Unmasked only for a caller that
    has checked and recorded it."""
    slip = get_slip(store, slip_id)
    if calendar is not None:
        due = effective_due(store, slip, calendar)
    else:
        due = Due(slip.due_date) if slip.due_date else None
    return slip, _slip_pages(store, slip, Masker(unmasked=unmasked), due)


def _render_slip(
    store: Store,
    slip_id: str,
    *,
    fmt: Fmt,
    unmasked: bool,
    calendar: OfficialCalendar | None,
) -> str:
    if fmt not in ("text", "html"):
        raise ValueError(tr("不支持的打印格式：{fmt}（可用 text、html）", fmt=fmt))
    slip, pages = slip_pages(store, slip_id, unmasked=unmasked, calendar=calendar)
    if fmt == "text":
        return ("\f\n").join(_page_text(p) for p in pages)
    title = f"交办单 {slip.number or slip.title}"
    return _html_document(title, "".join(_page_html(p) for p in pages))


def export_slip(
    store: Store,
    slip_id: str,
    *,
    actor: str,
    fmt: Fmt = "text",
    unmasked: bool = False,
    calendar: OfficialCalendar | None = None,
    where: str | None = None,
) -> str:
    """:func:`render_slip`, recording unmasked output in the audit trail first.

    Unmasked output goes through :func:`~grassroots_tui.services.disclosure.authorize_unmasked`:
    only a signed-in member of a role the station allows, with a PIN, on a writable
    store (it could not be recorded otherwise); refused before anything is produced.
    """
    slip = get_slip(store, slip_id)
    if unmasked:
        authorize_unmasked(
            store,
            actor,
            f"打印交办单 {slip.number or slip.title}（未遮蔽个人信息，{fmt}）",
            1,
            kind="handoff_slip",
            doc_id=slip.id,
            where=where,
        )
    return _render_slip(store, slip_id, fmt=fmt, unmasked=unmasked, calendar=calendar)


# -- the reminder notice ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Standing:
    due: Due
    days_overdue: int
    working_days_overdue: int
    days_left: int
    state: str
    reported: bool


def _standing(
    store: Store, slip: SlipView, today: dt.date, calendar: OfficialCalendar
) -> _Standing:
    line = timeline_of(store, slip, calendar)
    due = line.due_on(today)
    # The warning window does not change the notice (ok and warning read alike).
    clock = line.clock_on(today, warn_days=0, calendar=calendar)
    if due is None or clock is None:
        raise SlipActionRefused(tr("交办单在 {day} 不在办理中，不能催办", day=today.isoformat()))
    return _Standing(
        due,
        clock.days_overdue,
        clock.working_days_overdue,
        clock.days_left,
        clock.state,
        clock.reported,
    )


def _standing_sentence(s: _Standing, today: dt.date) -> str:
    if s.state == "overdue":
        text = (
            f"截至{_cn_date(today)}，该交办单已超期{s.days_overdue}天"
            f"（其中{s.working_days_overdue}个工作日）"
        )
        return text + ("，已达通报标准。" if s.reported else "。")
    if s.state == "due_today":
        return f"该交办单今日（{_cn_date(today)}）到期。"
    return f"截至{_cn_date(today)}，距应办结日期还有{s.days_left}天。"


def reminder_content(
    store: Store, slip_id: str, *, today: dt.date, calendar: OfficialCalendar
) -> tuple[SlipView, str, list[str]]:
    """What a 催办通知书 says: the slip, the station's name and the paragraphs (the
    slip's title masked), as printed as text, HTML or .docx (services/documents)."""
    slip = get_slip(store, slip_id)
    ensure_allowed(slip, "remind", has_reply=has_reply(store, slip_id))
    station = store.get(Station, slip.station_id) if slip.station_id else None
    station_name = station.name if station is not None else "群众工作站"
    s = _standing(store, slip, today, calendar)
    title = mask_text(slip.title, Masker(), resident_names(store) | [slip.person_name])
    paragraphs = [
        f"我站于{_cn_date(slip.issue_date)}交办的“{title}”（{slip.number}），"
        f"应于{_cn_date(s.due.date)}前办结并报送回复单。{_standing_sentence(s, today)}",
        "请接此通知后抓紧办理，尽快将办理结果以回复单形式报送我站；"
        "确有困难需要延期的，请说明理由并按程序申请延期。",
    ]
    lead = lead_official_name(store, slip.lead_official)
    if lead:
        paragraphs.append(f"本件为领导包案件，包案领导：{lead}。")
    if s.due.provisional:
        paragraphs.append(f"注：{s.due.reason}，应办结日期为暂定。")
    return slip, station_name, paragraphs


def render_reminder(
    store: Store,
    slip_id: str,
    *,
    today: dt.date,
    calendar: OfficialCalendar,
    fmt: Fmt = "text",
) -> str:
    """催办通知书 to the handling unit: the slip, its due date and how late it is."""
    if fmt not in ("text", "html"):
        raise ValueError(tr("不支持的格式：{fmt}（可用 text、html）", fmt=fmt))
    slip, station_name, paragraphs = reminder_content(
        store, slip_id, today=today, calendar=calendar
    )
    unit = slip.handling_unit or ""
    if fmt == "text":
        lines = [
            _center(station_name),
            _center(_spaced("催办通知书")),
            _right(f"催办日期：{today.isoformat()}"),
            "",
        ]
        lines.append(f"{unit}：")
        for paragraph in paragraphs:
            lines += ["    " + line for line in _wrap(paragraph, TEXT_WIDTH - 4)]
        lines += ["", _right(station_name), _right(_cn_date(today))]
        return "\n".join(lines) + "\n"
    e = html.escape
    body = (
        '<section class="sheet notice">\n'
        f'<p class="station">{e(station_name)}</p>\n<h1>催办通知书</h1>\n'
        f'<p class="number">催办日期：{today.isoformat()}</p>\n'
        f'<p class="to">{e(unit)}：</p>\n'
        + "".join(f"<p>{e(p)}</p>\n" for p in paragraphs)
        + f'<div class="sign">{e(station_name)}<br>{e(_cn_date(today))}</div>\n</section>\n'
    )
    return _html_document(f"催办通知书 {slip.number}", body)


def record_reminder(
    store: Store,
    slip_id: str,
    *,
    today: dt.date,
    by: str,
    actor: str,
    calendar: OfficialCalendar,
) -> SlipReminder:
    """Record that a reminder was sent today (催办): a :class:`SlipReminder` with the days
    overdue as of ``today``."""
    slip = get_slip(store, slip_id)
    ensure_allowed(slip, "remind", has_reply=has_reply(store, slip_id))
    why = party_refusal(store, slip, "remind")
    if why is not None:
        raise SlipActionRefused(why)
    by = (by or "").strip()
    if not by:
        raise SlipActionRefused(tr("请填写催办人"))
    s = _standing(store, slip, today, calendar)
    if s.state == "overdue":
        note = f"超期 {s.days_overdue} 天" + ("，已达通报标准" if s.reported else "")
    elif s.state == "due_today":
        note = "今日到期"
    else:
        note = f"距应办结日期还有 {s.days_left} 天"
    reminder = SlipReminder(
        writer=step_party(slip, "remind"),
        station_id=slip.station_id,
        slip_id=slip.id,
        sent_on=today,
        by=by,
        days_overdue=s.days_overdue,
        note=f"{note}（应办结日期 {s.due.date.isoformat()}）",
    )
    return guarded_save(store, reminder, actor)
