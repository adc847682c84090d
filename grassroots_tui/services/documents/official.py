"""The layout of an official document (党政机关公文格式, GB/T 9704-2012) in python-docx
terms: page, fonts, sizes, the red issuing-office header over a red rule, the signature
and seal area, page numbers, and the date written in Chinese.

Used by :mod:`.build_templates` to make the default templates, and by the tests to check
what a filled document holds. A template the office edits keeps whatever formatting the
office gives it: filling a template changes text only.

Fonts a Chinese office has are named, each with the face Word and WPS use when it is
missing (the font table's ``altName``, the GB2312 character set and a PANOSE number), so a
machine without 方正小标宋简体 prints the header in 宋体, not in a Latin or Japanese face:

- 发文机关标志 and 标题: 方正小标宋简体 (fallback 宋体);
- body text: 仿宋_GB2312 (fallback 仿宋, FangSong on every Chinese Windows);
- page numbers: 宋体.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

__all__ = [
    "BODY_FONT",
    "BODY_SIZE",
    "LINE_SPACING",
    "MARGINS_MM",
    "RED",
    "TITLE_FONT",
    "cn_date",
]

#: 发文机关标志 and 标题: 小标宋; where it is missing, 宋体.
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
#: Body text: 仿宋_GB2312; where it is missing, 仿宋 (FangSong).
BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "仿宋"
#: Page numbers (4号 半角宋体).
NUMBER_FONT = "宋体"
#: Latin letters and digits in the body.
LATIN_FONT = "Times New Roman"

#: 三号 (body), 二号 (title), 四号 (page numbers), 小四 (a form's table).
BODY_SIZE = Pt(16)
TITLE_SIZE = Pt(22)
HEADER_SIZE = Pt(26)
PAGE_NUMBER_SIZE = Pt(14)
TABLE_SIZE = Pt(12)
#: 22 lines of 三号 in the 225 mm type area: 28.9 pt, exactly.
LINE_SPACING = Pt(28.9)
TABLE_LINE_SPACING = Pt(20)
#: Top, bottom, left, right (mm): a type area of 156 × 225 mm on A4.
MARGINS_MM = (37, 35, 28, 26)
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"

_DIGITS = "〇一二三四五六七八九"

#: Fonts declared in the font table: name → (altName, PANOSE of the fallback, family).
_FONT_TABLE = {
    TITLE_FONT: (TITLE_FALLBACK, "02010600030101010101", "auto"),
    BODY_FONT: (BODY_FALLBACK, "02010609060101010101", "modern"),
    BODY_FALLBACK: ("FangSong", "02010609060101010101", "modern"),
    NUMBER_FONT: ("SimSun", "02010600030101010101", "auto"),
}


def _number(n: int) -> str:
    """1–31 as a date writes them: 七, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def cn_date(day: dt.date) -> str:
    """The date as an official document writes it: 2026-12-07 → 二〇二六年十二月七日."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_number(day.month)}月{_number(day.day)}日"


# -- building blocks (used by build_templates) ---------------------------------------------


def set_font(
    run: Any, east_asia: str, size: Any, *, bold: bool = False, color: RGBColor | None = None
) -> None:
    """A run's Chinese face ``east_asia`` (Latin: Times New Roman), its size, bold and
    colour, and its language (zh-CN, so a suite never picks a Japanese face)."""
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _chinese(run._element.get_or_add_rPr(), east_asia)
    run._element.rPr.rFonts.set(qn("w:hint"), "eastAsia")


def _chinese(props: Any, east_asia: str) -> None:
    """Run properties naming the Chinese face ``east_asia`` and the language zh-CN."""
    fonts = props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        props.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = props.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        props.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def spacing(paragraph: Any, line: Any = LINE_SPACING, *, before: Any = 0, after: Any = 0) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = before
    fmt.space_after = after


def page_setup(document: Any, *, landscape: bool = False) -> None:
    """A4 with the standard's margins; the body style in 仿宋 三号 at 28.9 pt, zh-CN."""
    top, bottom, left, right = MARGINS_MM
    if landscape:  # the portrait margins turned with the page: a 225 × 156 mm area
        top, bottom, left, right = left, right, top, bottom
    for section in document.sections:
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
        section.header_distance, section.footer_distance = Mm(15), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    _chinese(normal.element.get_or_add_rPr(), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.space_before = fmt.space_after = 0
    _declare_fonts(document)
    _page_numbers(document)


def _declare_fonts(document: Any) -> None:
    """The font table names each face with its fallback (see the module's notes)."""
    part = None
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
    if part is None:  # python-docx's default template has one; a bare package may not
        return
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml

    root = parse_xml(part.blob)
    for name, (alt, panose, family) in _FONT_TABLE.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", alt),
            ("w:panose1", panose),
            ("w:charset", "86"),
            ("w:family", family),
            ("w:pitch", "variable"),
        ):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        root.append(font)
    part._blob = serialize_part_xml(root)


def _page_numbers(document: Any) -> None:
    """— 1 — centred at the foot of each page, in 宋体 四号."""
    for section in document.sections:
        footer = section.footer
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        spacing(paragraph, Pt(18))
        set_font(paragraph.add_run("— "), NUMBER_FONT, PAGE_NUMBER_SIZE)
        run = paragraph.add_run()
        set_font(run, NUMBER_FONT, PAGE_NUMBER_SIZE)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
            if kind is None:
                code = OxmlElement("w:instrText")
                code.set(qn("xml:space"), "preserve")
                code.text = text
                run._element.append(code)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._element.append(char)
                if kind == "separate":
                    shown = OxmlElement("w:t")
                    shown.text = "1"
                    run._element.append(shown)
        set_font(paragraph.add_run(" —"), NUMBER_FONT, PAGE_NUMBER_SIZE)


def red_rule(paragraph: Any) -> None:
    """A red line the width of the type area under ``paragraph`` (分隔线, 4 mm below the
    document number)."""
    props = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")  # eighths of a point: 1.5 pt
    bottom.set(qn("w:space"), "11")  # points between the text and the line: about 4 mm
    bottom.set(qn("w:color"), RED_HEX)
    borders.append(bottom)
    props.append(borders)


def rule_colour(paragraph: Any) -> str | None:
    """The colour of ``paragraph``'s bottom border, or None (for the tests)."""
    props = paragraph._element.pPr
    if props is None:
        return None
    bottom = props.find(qn("w:pBdr") + "/" + qn("w:bottom"))
    return None if bottom is None else bottom.get(qn("w:color"))


def east_asia_font(run: Any) -> str | None:
    """The Chinese face a run names (for the tests)."""
    props = run._element.rPr
    fonts = None if props is None else props.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))
