"""Reading an uploaded import file (R34): `.xlsx` through openpyxl (values, not formulas), `.csv` in UTF-8 or
GBK as Excel and WPS save it. Limits first, before anything is parsed: 5 MB a file, 5,000 rows a sheet,
and an `.xlsx` must look like a workbook from its zip directory alone (a renamed zip, a zip bomb and
a file of many parts are refused without inflating one byte).
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from wuye_field.core.errors import DomainError
from wuye_field.onboarding.schema import SheetSpec, sheets

MAX_FILE_BYTES = 5 * 1024 * 1024  # R34: 5 MB a file
MAX_ROWS = 5000  # R34: data rows a sheet
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # the workbook's parts, inflated, together
MAX_RATIO = 200  # a part inflating more than 200× its stored size is a bomb, not a spreadsheet
MAX_PARTS = 300
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


class FileRefused(DomainError):
    """The file as a whole cannot be read (size, type, encoding, shape); nothing of it is used."""

    status = 422
    code = "import_refused"


@dataclass
class RawSheet:
    """One sheet's rows as text, with their row numbers in the file (the header is row 1)."""

    spec: SheetSpec
    source: str  # the file (and sheet) it came from, for messages
    headers: dict[str, int] = field(default_factory=dict)  # column key → index in the row
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    missing_headers: list[str] = field(default_factory=list)


def cell_text(value) -> str:
    """A cell's value as the text an admin typed: 18.0 → "18", dates ISO, None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
    return str(value).strip()


def _header_key(text: str) -> str:
    return "".join(text.replace("*", "").replace("＊", "").split())


def _match(spec: SheetSpec, header_row: list[str], source: str) -> RawSheet:
    sheet = RawSheet(spec=spec, source=source)
    found = {_header_key(text): index for index, text in enumerate(header_row)}
    for column in spec.columns:
        index = found.get(_header_key(column.header))
        if index is not None:
            sheet.headers[column.key] = index
        elif column.required:
            sheet.missing_headers.append(column.header)
    return sheet


def _add_rows(sheet: RawSheet, rows, first_row: int = 2) -> None:
    for number, row in enumerate(rows, start=first_row):
        values = [cell_text(v) for v in row]
        if not any(values):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise FileRefused(_("「%(sheet)s」超过 %(n)d 行，请分成几个文件导入。", sheet=sheet.spec.title, n=MAX_ROWS))
        sheet.rows.append((number, values))


def check_zip(data: bytes) -> None:
    """Refuse an .xlsx that is not a workbook, from the zip's central directory only (nothing inflated)."""
    if not data.startswith(b"PK\x03\x04"):
        raise FileRefused(_("文件不是 Excel 表格（.xlsx），请用模板另存为 .xlsx 或 .csv 后再上传。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(_("文件已损坏，无法读取。")) from exc
    names = {info.filename for info in infos}
    if len(infos) > MAX_PARTS or not all(part in names for part in REQUIRED_PARTS):
        raise FileRefused(_("文件不是 Excel 表格（.xlsx），请用模板另存为 .xlsx 或 .csv 后再上传。"))
    total = sum(info.file_size for info in infos)
    bomb = any(info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024
               for info in infos)
    if total > MAX_UNZIPPED_BYTES or bomb:
        raise FileRefused(_("文件解压后过大，不像正常的表格，已拒绝。"))


def read_xlsx(name: str, data: bytes) -> list[RawSheet]:
    """The template's sheets found in a workbook (by sheet name); other sheets are ignored."""
    check_zip(data)
    from openpyxl import load_workbook  # imported here: only an import needs it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(_("文件已损坏，无法读取。")) from exc
    found: list[RawSheet] = []
    try:
        titles = {s.title: s for s in sheets()}
        for worksheet in workbook.worksheets:
            spec = titles.get(worksheet.title.strip())
            if spec is None:
                continue
            rows = worksheet.iter_rows(values_only=True)
            header = [cell_text(v) for v in next(rows, ())]
            sheet = _match(spec, header, f"{name} · {spec.title}")
            _add_rows(sheet, rows)
            found.append(sheet)
    finally:
        workbook.close()
    return found


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK (GB18030, its superset) as Excel and WPS save in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("CSV 文件的编码无法识别，请保存为 UTF-8 或 GBK。"))


def read_csv(name: str, data: bytes) -> list[RawSheet]:
    """One sheet per CSV, recognised by its header row (or by its name: 地点.csv)."""
    rows = list(csv.reader(io.StringIO(decode_csv(data).replace("\x00", ""))))
    if not rows:
        raise FileRefused(_("「%(name)s」是空文件。", name=name))
    header = [cell_text(v) for v in rows[0]]
    for spec in sheets():
        sheet = _match(spec, header, name)
        if not sheet.missing_headers or spec.title in name:
            _add_rows(sheet, rows[1:])
            return [sheet]
    raise FileRefused(_("无法识别「%(name)s」：第一行应是模板中的表头（如 编号、名称、类型）。", name=name))


def read_files(files: list[tuple[str, bytes]]) -> list[RawSheet]:
    """Every sheet of the uploaded files; FileRefused for a file over 5 MB, of another type, or unreadable."""
    if not files:
        raise FileRefused(_("请选择要导入的文件（.xlsx 或 .csv）。"))
    found: list[RawSheet] = []
    for name, data in files:
        if len(data) > MAX_FILE_BYTES:
            raise FileRefused(_("「%(name)s」超过 5 MB，请删去多余内容或分成几个文件。", name=name))
        lower = name.lower()
        if lower.endswith(".csv"):
            found.extend(read_csv(name, data))
        elif lower.endswith(".xlsx"):
            found.extend(read_xlsx(name, data))
        else:
            raise FileRefused(_("只能导入 .xlsx 或 .csv 文件。"))
    keys = [s.spec.key for s in found]
    if not found:
        raise FileRefused(_("文件中没有模板的工作表（楼栋、地点、设备、岗位、人员）。"))
    if len(keys) != len(set(keys)):
        raise FileRefused(_("同一类数据出现在两个工作表或文件中，请合并后再导入。"))
    return found
