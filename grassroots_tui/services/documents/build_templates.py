"""Makes the default templates shipped in ``templates/`` (package data)::

    python -m grassroots_tui.services.documents.build_templates [FOLDER]

Each is an ordinary Word file laid out as GB/T 9704-2012 lays out an official document
(:mod:`.official`), with ``{{字段}}`` where the program writes: an office copies one into
the ``templates`` folder beside its store and changes it in Word or WPS (wording,
fonts, its own table) without touching code. ``tests/test_documents.py`` checks that
the shipped files are what this module makes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from grassroots_tui.services.documents import STATS_FIGURES
from grassroots_tui.services.documents import official as o

__all__ = ["TEMPLATE_BUILDERS", "build_all"]

TYPE_WIDTH_MM = 156
LANDSCAPE_WIDTH_MM = 225


def _text(paragraph: Any, text: str, font: str, size: Any, **kw: Any) -> Any:
    run = paragraph.add_run(text)
    o.set_font(run, font, size, **kw)
    return run


def _para(
    document: Any,
    text: str = "",
    *,
    font: str = o.BODY_FONT,
    size: Any = o.BODY_SIZE,
    align: Any = None,
    line: Any = o.LINE_SPACING,
    **kw: Any,
) -> Any:
    paragraph = document.add_paragraph()
    o.spacing(paragraph, line)
    if align is not None:
        paragraph.alignment = align
    if text:
        _text(paragraph, text, font, size, **kw)
    return paragraph


def _head(document: Any, *, number: bool = True, compact: bool = False) -> None:
    """发文机关标志 in red 小标宋, the document number under it, the red rule, a blank
    line, the title in 二号 小标宋 (``compact``, for a one-page form: less space)."""
    top = _para(
        document,
        "{{发文机关}}",
        font=o.TITLE_FONT,
        size=o.HEADER_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=Pt(40),
        color=o.RED,
    )
    if number:
        _para(document, line=Pt(14) if compact else o.LINE_SPACING)
        ruled = _para(document, "{{文号}}", align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        ruled = top
    o.red_rule(ruled)
    _para(document, line=Pt(14) if compact else o.LINE_SPACING)
    title = _para(
        document,
        "{{标题}}",
        font=o.TITLE_FONT,
        size=o.TITLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=Pt(36),
    )
    if compact:
        title.paragraph_format.space_after = Pt(8)
    else:
        _para(document)


def _body(document: Any, field: str = "{{正文}}") -> None:
    paragraph = _para(document, field, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters


def _signature(document: Any, blank: int = 2) -> None:
    """Space for the seal, then 署名 centred over the date, the date four characters in
    from the right (the seal presses on both)."""
    for _ in range(blank):
        _para(document)
    name = _para(document, "{{署名}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    name.paragraph_format.right_indent = Pt(32)
    day = _para(document, "{{成文日期}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    day.paragraph_format.right_indent = Pt(64)


def _note(document: Any) -> None:
    note = _para(document, "{{遮蔽说明}}", size=Pt(10.5), line=Pt(16))
    note.paragraph_format.space_before = Pt(12)


def _cell(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    center: bool = False,
    size: Any = o.TABLE_SIZE,
    line: Any = o.TABLE_LINE_SPACING,
) -> None:
    paragraph = cell.paragraphs[0]
    o.spacing(paragraph, line)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _text(paragraph, text, o.BODY_FONT, size, bold=bold)


def _grid(table: Any, widths: list[Any]) -> None:
    """The table's column grid (what LibreOffice and WPS lay out by) and each cell's
    width (what Word does)."""
    from docx.oxml.ns import qn

    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(int(width.twips)))
    table.autofit = False
    for row in table.rows:
        _keep_row(row)


def _keep_row(row: Any) -> None:
    """A row is never split over two pages."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _form(document: Any, rows: Iterable[tuple[str, ...]], tall: Iterable[str] = ()) -> None:
    """A form of label and value cells: a row of two pairs, or one label and a value
    across the row; ``tall`` values get a taller row."""
    rows = list(rows)
    tall = set(tall)
    table = document.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Mm(25), Mm(53), Mm(25), Mm(53)]
    _grid(table, widths)
    for row, labels in zip(table.rows, rows, strict=True):
        cells = row.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        if len(labels) == 1:
            merged = cells[1].merge(cells[3])
            _cell(cells[0], labels[0], bold=True, center=True)
            _cell(merged, f"{{{{{labels[0]}}}}}")
            if labels[0] in tall:
                row.height = Mm(30)
        else:
            for index, label in enumerate(labels):
                _cell(cells[2 * index], label, bold=True, center=True)
                _cell(cells[2 * index + 1], f"{{{{{label}}}}}")
        if row.height is None:
            row.height = Mm(8)


def _list_table(document: Any, widths: list[tuple[str, float]]) -> None:
    """A header row and one row of ``{{行.列}}`` fields, repeated for each line."""
    table = document.add_table(rows=2, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    scale = min(1.0, LANDSCAPE_WIDTH_MM / sum(width for _, width in widths))
    columns = [(title, round(width * scale, 1)) for title, width in widths]
    _grid(table, [Mm(width) for _, width in columns])
    small, line = Pt(10.5), Pt(15)  # 五号: a list is read, not declaimed
    for index, (title, width) in enumerate(columns):
        head, value = table.rows[0].cells[index], table.rows[1].cells[index]
        head.width = value.width = Mm(width)
        _cell(head, title, bold=True, center=True, size=small, line=line)
        _cell(value, f"{{{{行.{title}}}}}", size=small, line=line)
    _repeat_header(table.rows[0])


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


# -- the templates ---------------------------------------------------------------------------


def _form_document(rows: list[tuple[str, ...]], tall: str, signer: str) -> Any:
    """A one-page form: the header, the form, 签发人 and ``signer``, the signature and
    seal area, the masking note."""
    document = Document()
    o.page_setup(document)
    _head(document, compact=True)
    _form(document, rows, tall=(tall,))
    line = _para(document, "签发人：{{签发人}}")
    line.paragraph_format.space_before = Pt(10)
    _text(line, f"　　　　{signer}", o.BODY_FONT, o.BODY_SIZE)
    _signature(document, blank=1)
    _note(document)
    return document


def slip() -> Any:
    """交办单: the form, signatures, the seal area, the masking note."""
    rows = [
        ("事项",),
        ("来源", "类别"),
        ("交办日期", "办理时限"),
        ("应办结日期", "状态"),
        ("当事人", "联系电话"),
        ("户号", "身份证号"),
        ("住址",),
        ("承办单位", "经办人"),
        ("包案领导", "责任人"),
        ("情况描述",),
        ("备注",),
    ]
    return _form_document(rows, "情况描述", "经办人签收：")


def reply() -> Any:
    """回复单 (one per reply; a redo's says so in its title)."""
    rows = [
        ("交办单编号",),
        ("事项",),
        ("承办单位", "回复日期"),
        ("办理结果",),
        ("政策依据",),
        ("回访情况",),
    ]
    return _form_document(rows, "办理结果", "经办人：{{经办人}}")


def reminder() -> Any:
    """催办通知书: to the handling unit, with its own document number."""
    document = Document()
    o.page_setup(document)
    _head(document)
    _para(document, "{{主送}}：")
    _body(document)
    _signature(document)
    return document


def leave_notice() -> Any:
    """请假代班公示: no document number; the rule under the issuing office."""
    document = Document()
    o.page_setup(document)
    _head(document, number=False)
    _body(document)
    _signature(document)
    return document


def _list_document(bodies: list[str], columns: list[tuple[str, float]], note: bool) -> Any:
    """A landscape list: the header without a number, the ``bodies`` paragraphs, a table
    whose second row repeats for each line, the signature (and the masking note)."""
    document = Document()
    o.page_setup(document, landscape=True)
    _head(document, number=False, compact=True)
    for body in bodies:
        _body(document, body)
    _para(document)
    _list_table(document, columns)
    _signature(document, blank=1)
    if note:
        _note(document)
    return document


def condolence_round() -> Any:
    """送温暖名单: the round's households, landscape."""
    columns: list[tuple[str, float]] = [  # 225 mm: a 户号 and a date on one line
        ("序号", 9),
        ("户号", 25),
        ("户主", 14),
        ("联系电话", 26),
        ("住址", 34),
        ("困难等级", 13),
        ("帮扶责任人", 17),
        ("慰问情况", 15),
        ("慰问物品及金额", 32),
        ("慰问人", 14),
        ("慰问日期", 26),
    ]
    return _list_document(["{{说明}}"], columns, note=True)


def stats_report() -> Any:
    """月度统计报告: the summary sentence and the table of stations, landscape."""
    columns: list[tuple[str, float]] = [("站名", 44)]
    columns += [(title, 20 if "率" in title else 19) for title in STATS_FIGURES]
    return _list_document(["{{统计期间}}", "{{综述}}"], columns, note=False)


#: File name (without .docx) → the function that makes it.
TEMPLATE_BUILDERS: dict[str, Callable[[], Any]] = {
    "交办单": slip,
    "回复单": reply,
    "催办通知书": reminder,
    "请假代班公示": leave_notice,
    "送温暖名单": condolence_round,
    "月度统计报告": stats_report,
}


#: The styles a template keeps; python-docx's default template carries every style Word
#: knows (350 kB of styles.xml), and reading them was most of the time of making a slip.
_STYLES_KEPT = frozenset(
    {
        "Normal",
        "DefaultParagraphFont",
        "TableNormal",
        "TableGrid",
        "NoList",
        "Header",
        "HeaderChar",
        "Footer",
        "FooterChar",
    }
)
#: Parts of python-docx's default template that a template does not need.
_PARTS_DROPPED = ("customXml", "stylesWithEffects", "webSettings")


def _slim(document: Any) -> None:
    """Only the styles the template uses, without the latent-style list or the parts it
    does not need: a slip is filled in about a tenth of the time (bench/documents.py)."""
    from docx.oxml.ns import qn

    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in _STYLES_KEPT:
            styles.remove(style)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for rel in list(document.part.rels.values()):
        if rel.reltype.rsplit("/", 1)[-1] in _PARTS_DROPPED:
            document.part.drop_rel(rel.rId)


def build_all(folder: Path) -> list[Path]:
    """Write every default template into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATE_BUILDERS.items():
        document = build()
        _slim(document)
        props = document.core_properties
        props.author = props.last_modified_by = "grassroots-tui"
        props.title = name
        path = folder / f"{name}.docx"
        document.save(str(path))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).with_name("templates")
    for path in build_all(folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
