"""The import template: one sheet per kind of object, Chinese headers (required ones marked *), one example
row, and data-validation lists on the enumerated columns so Excel and WPS offer the allowed values."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from wuye_field.onboarding.schema import sheets

VALIDATED_ROWS = 5001  # the validation lists cover every row an import accepts
NOTE = "第 1 行是表头，请勿修改；第 2 行是示例，可改写或删除。带 * 的列必填。"


def template_bytes() -> bytes:
    """The template workbook as .xlsx bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEEE6")
    for spec in sheets():
        sheet = workbook.create_sheet(spec.title)
        sheet.append([c.header + (" *" if c.required else "") for c in spec.columns])
        sheet.append([c.example for c in spec.columns])
        for index, column in enumerate(spec.columns):
            letter = chr(ord("A") + index)
            sheet[f"{letter}1"].font, sheet[f"{letter}1"].fill = bold, fill
            sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
            if column.choices and not column.multi:
                rule = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                      showErrorMessage=True, errorTitle="输入有误",
                                      error="请从下拉列表中选择：" + "、".join(column.choices))
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
            elif column.choices:
                rule = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                      showErrorMessage=False, showInputMessage=True, promptTitle=column.header,
                                      prompt="可填多个，用、分隔：" + "、".join(column.choices))
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
        sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    notes.append([NOTE])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
