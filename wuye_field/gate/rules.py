"""Pure gate rules: resident ID check digits, phone numbers, Chinese plates (G3–G5), coverage hours (P1)."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wuye_field.core.time import as_utc

# G3: GB 11643 — 17 digits, then a check digit (weights 2^(17-i) mod 11, result → "10X98765432").
_ID18 = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalize_id_number(raw: str | None) -> str:
    return re.sub(r"\s", "", raw or "").upper()


def id18_valid(number: str) -> bool:
    """True for an 18-digit resident ID whose last character is its check digit and whose birth date exists."""
    if not _ID18.match(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17]


# G4: a mainland mobile number, 11 digits starting with 1.
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str | None) -> str:
    return re.sub(r"[\s-]", "", raw or "")


def phone_valid(phone: str) -> bool:
    return bool(_PHONE.match(phone))


# G5: GA 36 plates. Province, issuing letter (no I / O), then 5 characters (ordinary, last may be 挂学警港澳)
# or 6 (new energy: small cars D/F then a letter or digit and 4 digits; large vehicles 5 digits then D/F).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"
_ORDINARY = re.compile(rf"^[{PROVINCES}][{_LETTER}][{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]$")
_NEW_ENERGY = re.compile(rf"^[{PROVINCES}][{_LETTER}]([DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF])$")


def normalize_plate(raw: str | None) -> str:
    """「粤b·12345」 → 「粤B12345」: spaces, dots and dashes dropped, letters upper-cased."""
    return re.sub(r"[\s·.\-•]", "", raw or "").upper()


def plate_kind(plate: str) -> str | None:
    """"new_energy", "ordinary" or None for a malformed plate."""
    if _NEW_ENERGY.match(plate):
        return "new_energy"
    if _ORDINARY.match(plate):
        return "ordinary"
    return None


# ---------------------------------------------------------------- roster and coverage (P1)


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def shift_spans(day: date, starts: list[time], tz_name: str) -> list[tuple[time, datetime, datetime]]:
    """The shifts that start on local `day`: (start clock, start UTC, end UTC = the next start)."""
    zone = ZoneInfo(tz_name)
    moments = [datetime.combine(day, t, zone) for t in starts]
    moments.append(datetime.combine(day + timedelta(days=1), starts[0], zone))
    return [(starts[i], as_utc(moments[i]), as_utc(moments[i + 1])) for i in range(len(starts))]


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz_name)
    return (as_utc(datetime.combine(day, time(0), zone)),
            as_utc(datetime.combine(day + timedelta(days=1), time(0), zone)))


def overlap_hours(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> float:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return max(0.0, (end - start).total_seconds() / 3600)


def standing_window(day: date, start: time, hours: float, tz_name: str) -> tuple[datetime, datetime]:
    """P1's standing post (立岗) of local `day`: `hours` from the local clock `start` (it may run past midnight)."""
    begin = as_utc(datetime.combine(day, start, ZoneInfo(tz_name)))
    return begin, begin + timedelta(hours=hours)
