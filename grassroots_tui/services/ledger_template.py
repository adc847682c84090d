"""An .xlsx template of a ledger (`grassroots template KIND`): the sheet to fill in, with
its headers, a sample row and dropdowns (data validation) for kinds, categories and
states; a sheet explaining each column; the dropdowns' values on a hidden sheet.

The template is read back by the same importer (its first sheet is the ledger), so a
filled template round-trips: tests/test_ledger_template.py fills one in and imports it.
"""

from __future__ import annotations

import io
from typing import Any

from grassroots_tui.services.ledger_reader import ColumnSet

#: Rows of the ledger sheet that get the dropdowns and the text format (a station's
#: year of visits is a few thousand rows).
TEMPLATE_ROWS = 5000
LEDGER_SHEET = "台账"
GUIDE_SHEET = "填写说明"
CHOICES_SHEET = "选项"


def template_bytes(columns: ColumnSet) -> bytes:
    """The template of ``columns`` as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet: Any = book.active
    sheet.title = LEDGER_SHEET
    guide: Any = book.create_sheet(GUIDE_SHEET)
    options: Any = book.create_sheet(CHOICES_SHEET)
    options.sheet_state = "hidden"

    bold = Font(bold=True)
    required_font = Font(bold=True, color="C00000")
    sample_font = Font(italic=True, color="808080")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    option_column = 0
    for index, column in enumerate(columns.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = required_font if column.required else bold
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center")
        note = ("必填。" if column.required else "") + column.help
        if note:
            cell.comment = Comment(note, "grassroots")
        sample = sheet.cell(row=2, column=index, value=column.example or None)
        sample.font = sample_font
        # Text, so that Excel keeps 户号 0101 and dates as typed.
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = max(10, 2 * len(column.title) + 4)
        if column.choices:
            option_column += 1
            place = get_column_letter(option_column)
            options.cell(row=1, column=option_column, value=column.title)
            for at, value in enumerate(column.choices, start=2):
                options.cell(row=at, column=option_column, value=value)
            last = len(column.choices) + 1
            rule = DataValidation(
                type="list",
                formula1=f"{quote_sheetname(CHOICES_SHEET)}!${place}$2:${place}${last}",
                allow_blank=True,
                showErrorMessage=column.strict,
                errorTitle=column.title,
                error=f"「{column.title}」只能从下拉列表中选择。",
                promptTitle=column.title,
                prompt=("可选：" + "、".join(column.choices))[:250],
                showInputMessage=True,
            )
            rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"

    guide.append(["列名", "是否必填", "说明", "示例", "可选的值"])
    for cell in guide[1]:
        cell.font = bold
        cell.fill = head_fill
    for column in columns.columns:
        choices = "、".join(column.choices)
        if choices and not column.strict:
            choices += "（也可填其他）"
        guide.append(
            [column.title, "必填" if column.required else "", column.help, column.example, choices]
        )
    guide.append([])
    guide.append([f"这是{columns.name}的导入模板。{columns.hint}"])
    guide.append(
        [
            f"第 2 行（灰色斜体）是示例，导入前请改成实际内容或删除。只导入第一个工作表"
            f"「{LEDGER_SHEET}」；日期写成 2026-03-05，时间写成 09:30；几个人名或几项用顿号隔开。"
        ]
    )
    for letter, width in zip("ABCDE", (16, 10, 60, 24, 40), strict=True):
        guide.column_dimensions[letter].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["GUIDE_SHEET", "LEDGER_SHEET", "TEMPLATE_ROWS", "template_bytes"]
