"""Pure rules of incidents and complaints (no database): tested directly."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from wuye_field.core.time import as_utc
from wuye_field.incidents.models import MAJOR_LOSS_YUAN


def is_major(*, casualties: bool, loss_yuan: int) -> bool:
    """A4 (1): casualties, or a loss of 10,000 yuan or more (the manual: 1万元以上, 以上 includes the
    number itself)."""
    return casualties or loss_yuan >= MAJOR_LOSS_YUAN


def parse_cutoff(raw: str) -> tuple[int, int]:
    """"HH:MM" → (h, m); "24:00" is the end of the day."""
    hours, minutes = (int(part) for part in str(raw).split(":"))
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ValueError(raw)
    return hours, minutes


def answer_due(received_at: datetime, tz_name: str, cutoff: str = "24:00") -> datetime:
    """W5: a complaint is answered the same day. The site's cut-off (default 24:00, the end of the day) ends
    its day: a complaint received before the cut-off is due at that day's cut-off; one received at or after
    it, at the next day's. Computed in the site's time zone; returned in UTC."""
    zone = ZoneInfo(tz_name)
    local = as_utc(received_at).astimezone(zone)
    hours, minutes = parse_cutoff(cutoff)
    due = datetime.combine(local.date(), time(0), zone) + timedelta(hours=hours, minutes=minutes)
    if local >= due:
        due = datetime.combine(local.date() + timedelta(days=1), time(0), zone) + timedelta(hours=hours,
                                                                                            minutes=minutes)
    return as_utc(due)


def share(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)
