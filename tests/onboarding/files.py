"""Import files for the tests, written with openpyxl (and by hand for the broken ones)."""
from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

from wuye_field.onboarding.schema import spec

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(**sheets: list[list]) -> bytes:
    """An .xlsx with the template's headers and `rows` for each sheet key (buildings=, places=, …)."""
    book = Workbook()
    book.remove(book.active)
    for key, rows in sheets.items():
        sheet = book.create_sheet(spec(key).title)
        sheet.append(spec(key).headers)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """`data` with the cached result of formula cells filled in, as Excel leaves it after saving
    (openpyxl writes formulas without results). `values` maps a cell ("A2") to its text result."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for cell, value in values.items():
                    text = re.sub(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                                  rf'<c r="{cell}" t="str"><f>\2</f><v>{value}</v>', text)
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def renamed_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/readme.txt", "not a spreadsheet")
    return out.getvalue()


def zip_bomb() -> bytes:
    """A workbook-shaped zip one of whose parts inflates from ~100 KB to 100 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (100 * 1024 * 1024))
    return out.getvalue()


PLACE_ROW = ["N01", "新楼大堂", "1栋", "1", "巡更点+保洁区域", "否", "240", "治安", "是"]
