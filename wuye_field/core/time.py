"""The clock, injected into services as `now=`; times are stored in UTC and shown in the site's zone."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    """Timezone-aware current UTC time."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime read back from the database as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def valid_timezone(name: str) -> bool:
    """True when `name` is an IANA time zone this server knows (e.g. Asia/Shanghai)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a directory name like 'Asia'
        return False
    return True


def to_site_time(value: datetime | None, tz_name: str) -> datetime | None:
    """Convert a stored (UTC) datetime to the site's local time for display."""
    if value is None:
        return None
    return as_utc(value).astimezone(ZoneInfo(tz_name))


def parse_device_time(raw: str | None) -> datetime | None:
    """Parse an ISO 8601 timestamp with offset sent by the phone; None when missing or malformed.

    A timestamp without an offset is refused (None): we cannot place it in time.
    """
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(timezone.utc)
