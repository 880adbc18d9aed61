"""CSV exports every domain shares: the date range of `?date_from=&date_to=`, UTF-8 with BOM (so Excel
and WPS open the Chinese correctly), formula-safe text, and the download response."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from flask import Response
from flask_babel import gettext as _

from wuye_field.core.errors import DomainError
from wuye_field.core.text import clean_text

MAX_EXPORT_DAYS = 366
BOM = "\ufeff"


def parse_date(raw: str | None) -> date | None:
    """A YYYY-MM-DD date, or None when missing or malformed."""
    text = str(raw or "").strip()
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_date_range(raw_from: str | None, raw_to: str | None, max_days: int = MAX_EXPORT_DAYS) -> tuple[date, date]:
    """(first, last) local dates of an export; DomainError (400, Chinese) when a date is missing or
    malformed, the range is reversed, or it spans more than `max_days` days."""
    first, last = parse_date(raw_from), parse_date(raw_to)
    if first is None or last is None:
        raise DomainError(_("日期格式应为 YYYY-MM-DD，例如 2026-11-01。"), code="bad_date")
    if last < first:
        raise DomainError(_("结束日期不能早于开始日期。"), code="bad_date")
    if (last - first).days >= max_days:
        raise DomainError(_("一次最多导出 %(n)d 天。", n=max_days), code="bad_date")
    return first, last


def csv_safe(value) -> str:
    """A cell as text: free text cleaned like stored text (no control or direction characters, line
    breaks kept) and spreadsheet formulas neutralised (starting with = + - @); numbers (a reading of -5)
    stay numbers."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    value = clean_text(value, multiline=True)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The whole file as text: BOM, header, rows (every cell through `csv_safe`)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()


def frozen_export(site_id: int, name: str, first: date, last: date) -> str | None:
    """The CSV text of export `name` ("scans", "cleaning" …) stored when the month first…last of the site
    was closed (R30), or None: the export is computed from the records. Asked through the registry."""
    from wuye_field.core import registry

    for provider in registry.providers(registry.FROZEN_EXPORTS):
        text = provider(site_id, name, first, last)
        if text is not None:
            return text
    return None


def csv_response(text: str, filename: str) -> Response:
    """A `text/csv; charset=utf-8` attachment download, never cached."""
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
