"""Pure handover rules: which shift a handover belongs to, when its window opens, when it is late."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from wuye_field.core.time import as_utc

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clocks(text: str) -> list[time]:
    """"07:00,19:00" → [07:00, 19:00] sorted; ValueError for anything that is not HH:MM."""
    result = set()
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        match = _CLOCK.match(part)
        if not match:
            raise ValueError(part)
        result.add(time(int(match.group(1)), int(match.group(2))))
    return sorted(result)


def _candidates(starts: list[time], at: datetime, tz_name: str) -> list[datetime]:
    zone = ZoneInfo(tz_name)
    local_day = as_utc(at).astimezone(zone).date()
    return sorted(
        datetime.combine(local_day + timedelta(days=offset), start, zone).astimezone(ZoneInfo("UTC"))
        for offset in (-1, 0, 1) for start in starts
    )


def shift_for(starts: list[time], at: datetime, tz_name: str) -> datetime:
    """The shift start (UTC) a handover made at `at` belongs to: the nearest start, before or after."""
    at = as_utc(at)
    return min(_candidates(starts, at, tz_name), key=lambda s: (abs((s - at).total_seconds()), s))


def current_shift(starts: list[time], at: datetime, tz_name: str) -> datetime:
    """The latest shift start at or before `at` (UTC)."""
    at = as_utc(at)
    return max(s for s in _candidates(starts, at, tz_name) if s <= at)


def upcoming_shift(starts: list[time], at: datetime, tz_name: str, late_after_min: int) -> datetime:
    """The shift a post is handing over at `at`: the current one while it is less than `late_after_min`
    old (handover still expected), else the next one."""
    at = as_utc(at)
    current = current_shift(starts, at, tz_name)
    if at <= current + timedelta(minutes=late_after_min):
        return current
    return min(s for s in _candidates(starts, at, tz_name) if s > at)


def window_opens(shift_start: datetime, window_min: int) -> datetime:
    """H1: the handover window opens `window_min` minutes before the shift."""
    return shift_start - timedelta(minutes=window_min)


def is_early(shift_start: datetime, made_at: datetime, window_min: int) -> bool:
    """A handover made before its window opened."""
    return as_utc(made_at) < window_opens(as_utc(shift_start), window_min)


def is_late(shift_start: datetime, accepted_at: datetime | None, now: datetime, late_after_min: int) -> bool:
    """Not accepted within `late_after_min` minutes of the shift start (accepted late, or still open)."""
    deadline = as_utc(shift_start) + timedelta(minutes=late_after_min)
    return as_utc(accepted_at) > deadline if accepted_at is not None else as_utc(now) > deadline
