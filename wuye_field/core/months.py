"""Calendar months of a site: "YYYY-MM" parsed into its first and last local day, and the date range of an
export (`?date_from=&date_to=`, or `?month=`, or — when nothing is given — the current month)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from wuye_field.core.csv_export import parse_date_range
from wuye_field.core.errors import DomainError
from wuye_field.core.time import as_utc


def month_days(text: str) -> tuple[date, date]:
    """(first, last) local day of the month "YYYY-MM"; DomainError (400, Chinese) for anything else."""
    raw = (text or "").strip()
    try:
        if len(raw) != 7 or raw[4] != "-":
            raise ValueError(raw)
        first = date(int(raw[:4]), int(raw[5:]), 1)
    except ValueError as exc:
        raise DomainError(_("月份格式应为 YYYY-MM，例如 2026-11。"), code="bad_month") from exc
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def month_of(day: date) -> str:
    """"YYYY-MM" of a day."""
    return day.strftime("%Y-%m")


def parse_month(raw: str | None, *, today: date) -> str:
    """The month asked for ("YYYY-MM"), the current one when `raw` is empty; DomainError when malformed."""
    text = (raw or "").strip() or month_of(today)
    month_days(text)
    return text


def previous_month(month: str) -> str:
    return month_of(month_days(month)[0] - timedelta(days=1))


def next_month(month: str) -> str:
    return month_of(month_days(month)[1] + timedelta(days=1))


def export_range(raw_from: str | None, raw_to: str | None, raw_month: str | None, *, today: date) -> tuple[date, date]:
    """(first, last) local days of an export: the dates given, else `?month=`, else the current month."""
    if raw_from or raw_to:
        return parse_date_range(raw_from, raw_to)
    return month_days(parse_month(raw_month, today=today))


def site_today(tz_name: str, now: datetime) -> date:
    """The local date of `now` (UTC) in the zone `tz_name`."""
    return as_utc(now).astimezone(ZoneInfo(tz_name)).date()


def export_days(args, tz_name: str, now: datetime) -> tuple[date, date]:
    """`export_range` of a request's args (`date_from`, `date_to`, `month`) in a site's zone."""
    return export_range(args.get("date_from"), args.get("date_to"), args.get("month"),
                        today=site_today(tz_name, now))
