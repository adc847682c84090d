"""Documents an office files, as Word (.docx) files laid out as official documents
(GB/T 9704-2012: :mod:`.official`), filled from templates it can change (:mod:`.engine`),
and as PDF where LibreOffice is installed (:mod:`.pdf`):

- :func:`slip_document`: 交办单 and each 回复单 after it, one page each;
- :func:`reminder_document`: 催办通知书, with its own document number (:func:`reminder_number`);
- :func:`leave_document`: 请假代班公示;
- :func:`round_document`: a 送温暖 round's list;
- :func:`stats_document`: the month's statistics report with its summary sentence.

The defaults are ``templates/*.docx`` in this package (made by :mod:`.build_templates`);
a file of the same name in the ``templates`` folder beside the store replaces one
(:mod:`grassroots_tui.store.document_templates`). A template that cannot be used is
refused with :class:`~.engine.TemplateError`, naming the field.

Residents' names, ID and phone numbers, and a family's hardship tier, are masked by the
same :class:`~grassroots_tui.services.masking.Masker` as the HTML and text prints:
the content of the slip pages, reminders and lists comes from the services that print
them. Unmasked output is the caller's explicit choice and is authorised and recorded
first (:func:`~grassroots_tui.services.disclosure.authorize_unmasked`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from grassroots_tui.lang import chinese
from grassroots_tui.models import SlipReminder, Station
from grassroots_tui.services.disclosure import authorize_unmasked
from grassroots_tui.services.documents.engine import (
    ROW,
    Template,
    TemplateError,
    append_pages,
    fill_document,
    to_bytes,
)
from grassroots_tui.services.documents.official import cn_date
from grassroots_tui.store.document_templates import read_template

__all__ = [
    "TEMPLATE_NAMES",
    "TemplateError",
    "export_round_document",
    "export_slip_document",
    "leave_document",
    "reminder_document",
    "reminder_number",
    "round_document",
    "slip_document",
    "stats_document",
    "template",
]

#: The templates, by what they make.
TEMPLATE_NAMES = {
    "slip": "交办单.docx",
    "reply": "回复单.docx",
    "reminder": "催办通知书.docx",
    "leave": "请假代班公示.docx",
    "round": "送温暖名单.docx",
    "stats": "月度统计报告.docx",
}

#: Fields every template may use.
_COMMON = ("发文机关", "文号", "标题", "署名", "成文日期", "遮蔽说明")
#: Fields a template must hold, or the document would lose its substance.
_REQUIRED = {
    "slip": ("发文机关", "文号", "事项", "承办单位", "情况描述"),
    "reply": ("交办单编号", "事项", "办理结果"),
    "reminder": ("发文机关", "文号", "主送", "正文"),
    "leave": ("发文机关", "正文"),
    "round": ("发文机关", f"{ROW}.户主"),
    "stats": ("综述", f"{ROW}.站名"),
}
MASKED_NOTE = "个人信息已按规定遮蔽。"
UNMASKED_NOTE = "本件含未遮蔽的个人信息，请妥善保管，用后销毁。"
_BLANK_DATE = "　　年　　月　　日"


@cache
def _default(name: str) -> bytes:
    return resources.files(__package__).joinpath("templates", name).read_bytes()


def template(kind: str, folder: Path | None = None) -> Template:
    """The template for ``kind``: the office's in ``folder`` (the ``templates`` folder
    beside the store), else the built-in one."""
    name = TEMPLATE_NAMES[kind]
    found = read_template(folder, name)
    if found is not None:
        path, data = found
        return Template(str(path), data)
    return Template(name, _default(name))


def _render(
    kind: str,
    values: Mapping[str, Any],
    folder: Path | None,
    row_fields: Iterable[str] = (),
) -> bytes:
    return to_bytes(_filled(kind, values, folder, row_fields))


def _filled(
    kind: str,
    values: Mapping[str, Any],
    folder: Path | None,
    row_fields: Iterable[str] = (),
) -> Any:
    merged = {field: "" for field in _COMMON} | dict(values)
    return fill_document(
        template(kind, folder), merged, required=_REQUIRED[kind], row_fields=tuple(row_fields)
    )


def _note(unmasked: bool) -> str:
    return UNMASKED_NOTE if unmasked else MASKED_NOTE


def export_slip_document(
    store: Any,
    slip_id: str,
    *,
    actor: str,
    unmasked: bool = False,
    calendar: Any = None,
    folder: Path | None = None,
    where: str | None = None,
    fmt: str = "docx",
) -> bytes:
    """:func:`slip_document`, unmasked output authorised and recorded first."""
    if unmasked:
        from grassroots_tui.services.slips import get_slip

        slip = get_slip(store, slip_id)
        what = f"打印交办单 {slip.number or slip.title}（未遮蔽个人信息，{fmt}）"
        authorize_unmasked(store, actor, what, 1, kind="handoff_slip", doc_id=slip.id, where=where)
    return _slip_document(store, slip_id, unmasked=unmasked, calendar=calendar, folder=folder)


def export_round_document(
    store: Any,
    round_id: str,
    *,
    on: dt.date,
    actor: str | None = None,
    unmasked: bool = False,
    folder: Path | None = None,
    where: str | None = None,
    fmt: str = "docx",
) -> bytes:
    """:func:`round_document`, unmasked output authorised and recorded first."""
    if unmasked:
        from grassroots_tui.services.condolence import get_round

        found = get_round(store, round_id)
        what = f"导出送温暖名单“{found.title}”（未遮蔽个人信息，{fmt}）"
        count, kind = len(found.items), "condolence_round"
        authorize_unmasked(store, actor or "", what, count, kind=kind, doc_id=found.id, where=where)
    return _round_document(store, round_id, unmasked=unmasked, folder=folder, on=on)


# -- 交办单 and 回复单 ----------------------------------------------------------------------


def slip_document(
    store: Any, slip_id: str, *, calendar: Any = None, folder: Path | None = None
) -> bytes:
    """The slip, then each of its reply slips on a new page, as one .docx, personal
    information masked (unmasked only through :func:`export_slip_document`)."""
    return _slip_document(store, slip_id, unmasked=False, calendar=calendar, folder=folder)


def _slip_document(
    store: Any, slip_id: str, *, unmasked: bool, calendar: Any, folder: Path | None
) -> bytes:
    """The content is the printed slip's
    (:func:`~grassroots_tui.services.slip_print.slip_pages`), masked the same way."""
    from grassroots_tui.services.slip_print import slip_pages

    slip, pages = slip_pages(store, slip_id, unmasked=unmasked, calendar=calendar)
    number = slip.number or "（草稿，尚未编号）"
    documents = []
    for index, page in enumerate(pages):
        cells: dict[str, list[str]] = {}
        for cell in page.cells:
            if cell.label:
                cells.setdefault(cell.label, []).append(cell.value)
        signed = {label: value for line in page.signatures for label, value in line}
        office = page.station or "群众工作站"
        values: dict[str, Any] = {
            "发文机关": office,
            "文号": number,
            "标题": page.title,
            "遮蔽说明": page.note,
            "签发人": signed.get("签发人", ""),
            "经办人": signed.get("经办人", ""),
        }
        if index == 0:
            notes = [f"原应办结日期：{v}" for v in cells.pop("原应办结日期", [])]
            notes += [f"撤回理由：{v}" for v in cells.pop("撤回理由", [])]
            values |= {label: "；".join(texts) for label, texts in cells.items()}
            values |= {
                "备注": "；".join(notes),
                "署名": office,
                "成文日期": cn_date(slip.issue_date) if slip.issue_date else _BLANK_DATE,
            }
            for label in ("当事人", "联系电话", "户号", "身份证号", "住址"):
                values.setdefault(label, "")
            kind = "slip"
        else:
            calls = cells.pop("回访情况", [])
            values |= {label: "；".join(texts) for label, texts in cells.items()}
            reply_day = _date(values.get("回复日期"))
            values |= {
                "回访情况": calls,
                "署名": values.get("承办单位") or office,
                "成文日期": cn_date(reply_day) if reply_day else _BLANK_DATE,
            }
            kind = "reply"
        documents.append(_filled(kind, values, folder))
    return to_bytes(append_pages(*documents))


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


# -- 催办通知书 ------------------------------------------------------------------------------


def reminder_number(store: Any, slip: Any, today: dt.date) -> str:
    """The notice's document number: the station's slip number format with 交 turned
    into 催 (湘景群交〔{year}〕第{seq:03d}号 → 湘景群催〔2026〕第007号), numbered by the
    reminders the station recorded in the year, this one included (a notice printed
    before it is recorded has the number it will be recorded with)."""
    station = store.get(Station, slip.station_id) if slip.station_id else None
    pattern = station.slip_number_format if station is not None else ""
    if "交〔" in pattern:
        pattern = pattern.replace("交〔", "催〔", 1)
    else:
        code = station.code if station is not None else "群工"
        pattern = f"{code}催〔{{year}}〕第{{seq:03d}}号"
    earlier = 0
    for raw in store.raw(SlipReminder.KIND):
        sent = str(raw.get("sent_on") or "")
        if raw.get("station_id") != slip.station_id or not sent.startswith(str(today.year)):
            continue
        if raw.get("slip_id") == slip.id and sent == today.isoformat():
            continue  # this very notice, already recorded
        earlier += 1
    return pattern.format(year=today.year, seq=earlier + 1)


def reminder_document(
    store: Any,
    slip_id: str,
    *,
    today: dt.date,
    calendar: Any,
    folder: Path | None = None,
) -> bytes:
    """催办通知书 to the handling unit: the printed notice's paragraphs
    (:func:`~grassroots_tui.services.slip_print.reminder_content`, masked), its own
    document number, the station's signature and the date in Chinese."""
    from grassroots_tui.services.slip_print import reminder_content

    slip, office, paragraphs = reminder_content(store, slip_id, today=today, calendar=calendar)
    values = {
        "发文机关": office,
        "文号": reminder_number(store, slip, today),
        "标题": "催办通知书",
        "主送": slip.handling_unit or "",
        "正文": paragraphs,
        "署名": office,
        "成文日期": cn_date(today),
        "交办单编号": slip.number or "",
    }
    return _render("reminder", values, folder)


# -- 请假代班公示 ----------------------------------------------------------------------------


def leave_document(
    store: Any, leave_id: str, *, on: dt.date | None = None, folder: Path | None = None
) -> bytes:
    """请假代班公示: the notice's paragraphs (:func:`~grassroots_tui.services.rosters.
    notice_content`: no ID number, no person's phone number)."""
    from grassroots_tui.services.rosters import NOTICE_TITLE, notice_content

    content = notice_content(store, leave_id, on=on)
    values = {
        "发文机关": content.station,
        "标题": NOTICE_TITLE,
        "正文": content.paragraphs,
        "署名": content.station,
        "成文日期": cn_date(content.day),
    }
    return _render("leave", values, folder)


# -- 送温暖名单 ------------------------------------------------------------------------------


def round_document(store: Any, round_id: str, *, on: dt.date, folder: Path | None = None) -> bytes:
    """A 送温暖 round's households as a table: the rows of its CSV export, names and
    phones masked, and the hardship tier too (unmasked only through
    :func:`export_round_document`)."""
    return _round_document(store, round_id, unmasked=False, folder=folder, on=on)


def _round_document(
    store: Any, round_id: str, *, unmasked: bool, folder: Path | None, on: dt.date
) -> bytes:
    from grassroots_tui.services.condolence import CSV_HEADERS, _rows, get_round, round_progress
    from grassroots_tui.services.masking import Masker

    found = get_round(store, round_id)
    masker = Masker(unmasked=unmasked)
    rows = _rows(store, found, masker, say=chinese)
    tier = CSV_HEADERS.index("困难等级")
    lines = []
    for row in rows:
        row[tier] = masker.status(row[tier])
        lines.append(dict(zip(CSV_HEADERS, row, strict=True)))
    done, total, percent = round_progress(found)
    scope = found.tier.label if found.tier is not None else "全部等级"
    station = store.get(Station, found.station_id) if found.station_id else None
    office = station.name if station is not None else "群众工作站"
    values = {
        "发文机关": office,
        "标题": f"{found.title}名单",
        "说明": [
            f"开始日期：{found.started_on.isoformat()}；范围：{scope}；"
            f"进度：已慰问 {done} / {total} 户（{percent}%）。"
        ],
        ROW: lines,
        "署名": office,
        "成文日期": cn_date(on),
        "遮蔽说明": _note(unmasked),
    }
    return _render("round", values, folder, CSV_HEADERS)


# -- 月度统计报告 ----------------------------------------------------------------------------

#: The report's figures: columns of the summary table (stats_export.SUMMARY_COLUMNS).
STATS_FIGURES = (
    "登记户数",
    "本月走访户数",
    "累计走访率(%)",
    "本月走访次数",
    "本月反映问题",
    "本月已解决",
    "本月交办单",
    "超期未办结",
    "按时回复率(%)",
    "满意率(%)",
)


def _figure(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    return str(value)


def stats_document(store: Any, stats: Any, *, on: dt.date, folder: Path | None = None) -> bytes:
    """The month's statistics as a report: the period and rounding rule, the summary
    sentence, and a row per station with the total, issued by the street office (or the
    station, for one station's figures)."""
    from grassroots_tui.services.statistics import summary_sentence
    from grassroots_tui.services.stats_export import partial_month, period_line, summary_rows

    # An official document is Chinese whatever the interface's language.
    rows = summary_rows(stats, say=chinese)
    header = rows[0]
    lines = []
    for row in rows[1:]:
        named = dict(zip(header, row, strict=True))
        named["站名"] = named["站名"] or named["站点代码"]
        lines.append({title: _figure(named[title]) for title in ("站名", *STATS_FIGURES)})
    year, month = (int(part) for part in stats.month.split("-"))
    title = f"{year}年{month}月群众工作统计"
    if partial_month(stats):
        title += f"（截至{stats.period_end.day}日）"
    stations = {s.station_id for s in stats.stations}
    raws = [store.get_raw("station", sid) or {} for sid in stations]
    if len(raws) == 1 and raws[0].get("name") and len(list(store.raw("station"))) > 1:
        office = str(raws[0]["name"])
    else:
        streets = {str(r.get("street_office") or "") for r in store.raw("station")}
        street = streets.pop() if len(streets) == 1 else ""
        office = f"{street}群众工作办公室" if street else "街道群众工作办公室"
    values = {
        "发文机关": office,
        "标题": title,
        # One line, without the rule's code name, which a justified line would stretch.
        "统计期间": period_line(stats, say=chinese).replace(" ", "").split("（ROUND")[0] + "。",
        "综述": summary_sentence(
            stats, station=stats.stations[0] if stats.for_station else None, say=chinese
        ),
        ROW: lines,
        "署名": office,
        "成文日期": cn_date(on),
    }
    return _render("stats", values, folder, ("站名", *STATS_FIGURES))
