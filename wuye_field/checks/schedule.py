"""Due-date arithmetic of check plans (P7, P11, W11): pure functions, no database.

A plan's frequency cuts time into **windows**, calendar periods in the site's time zone:

| kind | window | due (done-by) |
|---|---|---|
| `hours` (every N, 1–24) | N-hour slots from local midnight (a day's last slot ends at midnight) | its last second |
| `daily` | the local day | that day at `due_time` |
| `weekly` | the ISO week, Monday–Sunday | `weekday` (0 = Monday) of that week at `due_time` |
| `monthly` | the calendar month | `day` of the month (31 → the month's last day) at `due_time` |
| `quarterly` | the calendar quarter | `day` of the quarter's `month` (1–3) at `due_time` |
| `half_yearly` | January–June, July–December | `day` of the half's `month` (1–6) |
| `yearly` | the calendar year | `month`/`day` (29 February → 28 February in other years) |

A check belongs to the window that contains its time and to no other: done before the due moment it is
on time, after it (still inside the window) late, and a check made after the window ended counts for the
next window, never for the missed one.

A plan's frequency is an effective-dated setting. When it changes, each setting owns the windows whose
due moment falls while it is in force (`windows_between` takes the changes), so a plan changed mid-month
keeps the windows already due under the old setting and starts the new ones from the change.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

HOURS, DAILY, WEEKLY, MONTHLY = "hours", "daily", "weekly", "monthly"
QUARTERLY, HALF_YEARLY, YEARLY = "quarterly", "half_yearly", "yearly"
KINDS = (HOURS, DAILY, WEEKLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY)
_MONTHS_IN = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12}
_MAX_WINDOWS = 20000  # a safety stop for long ranges of hourly windows


class NeverDue(ValueError):
    """The frequency as given never falls due (a day 0, a weekday 8, a 30 February …)."""


@dataclass(frozen=True)
class Frequency:
    kind: str
    every: int = 1  # hours: the slot length
    weekday: int = 0  # weekly: 0 = Monday … 6 = Sunday
    month: int = 1  # quarterly 1–3, half-yearly 1–6, yearly 1–12: which month of the period
    day: int = 1  # monthly and longer: the day of that month (past the month's end → its last day)
    due_time: str = "23:59"  # local done-by time (daily and longer)

    @classmethod
    def from_dict(cls, raw: dict) -> Frequency:
        """A frequency from a stored setting; NeverDue when it cannot fall due."""
        try:
            freq = cls(kind=str(raw.get("kind", "")), every=int(raw.get("every", 1)),
                       weekday=int(raw.get("weekday", 0)), month=int(raw.get("month", 1)),
                       day=int(raw.get("day", 1)), due_time=str(raw.get("due_time", "23:59")))
        except (TypeError, ValueError) as exc:
            raise NeverDue(str(exc)) from exc
        freq.validate()
        return freq

    def as_dict(self) -> dict:
        return {"kind": self.kind, "every": self.every, "weekday": self.weekday, "month": self.month,
                "day": self.day, "due_time": self.due_time}

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise NeverDue(f"unknown kind {self.kind!r}")
        if self.kind == HOURS and not 1 <= self.every <= 24:
            raise NeverDue("every must be 1–24 hours")
        if self.kind == WEEKLY and not 0 <= self.weekday <= 6:
            raise NeverDue("weekday must be 0–6")
        if self.kind in _MONTHS_IN:
            if not 1 <= self.month <= _MONTHS_IN[self.kind]:
                raise NeverDue("month outside the period")
            longest = 31 if self.kind != YEARLY else calendar.monthrange(2024, self.month)[1]  # 2024: leap
            if not 1 <= self.day <= longest:
                raise NeverDue("no such day")
        _parse_time(self.due_time)


def _parse_time(text: str) -> time:
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return time(hour, minute)
    except (ValueError, TypeError) as exc:
        raise NeverDue("due time must be HH:MM") from exc


@dataclass(frozen=True)
class Window:
    """One period a plan asks for a check in: [start, end), due at `due` (all UTC)."""

    start: datetime
    end: datetime
    due: datetime

    def contains(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def on_time(self, when: datetime) -> bool:
        return self.start <= when <= self.due


def _utc(local: datetime) -> datetime:
    return local.astimezone(timezone.utc)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def window_at(freq: Frequency, when: datetime, tz_name: str) -> Window:
    """The window of `freq` containing the moment `when` (aware) in the site's time zone."""
    tz = ZoneInfo(tz_name)
    local = when.astimezone(tz)
    day = local.date()
    if freq.kind == HOURS:
        midnight = _local_midnight(day, tz)
        elapsed = (_utc(local) - _utc(midnight)).total_seconds() // 3600
        slot = int(elapsed // freq.every)
        start = _utc(midnight) + timedelta(hours=slot * freq.every)
        end = min(start + timedelta(hours=freq.every), _utc(_local_midnight(day + timedelta(days=1), tz)))
        return Window(start, end, end - timedelta(seconds=1))
    due_at = _parse_time(freq.due_time)
    if freq.kind == DAILY:
        first, after = day, day + timedelta(days=1)
        due_day = day
    elif freq.kind == WEEKLY:
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
        due_day = first + timedelta(days=freq.weekday)
    else:
        span = _MONTHS_IN[freq.kind]
        first_month = (day.month - 1) // span * span + 1
        first = date(day.year, first_month, 1)
        after = date(*_add_months(day.year, first_month, span), 1)
        due_day = _clamped(day.year, first_month + freq.month - 1, freq.day)
    start = _utc(_local_midnight(first, tz))
    end = _utc(_local_midnight(after, tz))
    due = min(_utc(datetime.combine(due_day, due_at, tz)), end - timedelta(seconds=1))
    return Window(start, end, due)


def next_window(freq: Frequency, window: Window, tz_name: str) -> Window:
    return window_at(freq, window.end, tz_name)


def windows_of(freq: Frequency, start: datetime, end: datetime, tz_name: str) -> list[Window]:
    """The windows of `freq` whose due moment falls in [start, end), in order."""
    out: list[Window] = []
    window = window_at(freq, start, tz_name)
    while window.start < end and len(out) < _MAX_WINDOWS:
        if start <= window.due < end:
            out.append(window)
        window = next_window(freq, window, tz_name)
    return out


def windows_between(changes: Sequence[tuple[datetime, Frequency | None]], start: datetime, end: datetime,
                    tz_name: str) -> list[Window]:
    """The windows due in [start, end) for a plan whose frequency changed over time.

    `changes` is [(effective from, frequency or None when the plan was off)], oldest first; each frequency
    owns the windows whose due moment falls while it is in force. Windows of two settings may overlap;
    `match_checks` lets each check count for one window only.
    """
    out: list[Window] = []
    for i, (since, freq) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else end
        lo, hi = max(start, since), min(end, until)
        if freq is not None and lo < hi:
            out.extend(windows_of(freq, lo, hi, tz_name))
    return sorted(out, key=lambda w: (w.due, w.start))


@dataclass(frozen=True)
class Outcome:
    window: Window
    done_at: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def on_time(self) -> bool:
        return self.done_at is not None and self.done_at <= self.window.due

    def state(self, now: datetime) -> str:
        """"on_time", "late", "overdue" (due passed, nothing yet), "due" (open, before due) or "upcoming"."""
        if self.done_at is not None:
            return "on_time" if self.on_time else "late"
        if now > self.window.due:
            return "overdue"
        return "due" if self.window.start <= now else "upcoming"


def match_checks(windows: Iterable[Window], check_times: Iterable[datetime]) -> list[Outcome]:
    """Each window with the first check made inside it; a check counts for one window only (the earliest due)."""
    times = sorted(check_times)
    used: set[int] = set()
    outcomes = []
    for window in sorted(windows, key=lambda w: (w.due, w.start)):
        done = None
        for i, when in enumerate(times):
            if i not in used and window.contains(when):
                used.add(i)
                done = when
                break
        outcomes.append(Outcome(window, done))
    return outcomes


def due_within(freq: Frequency, now: datetime, days: int, tz_name: str) -> list[Window]:
    """Windows due between now and `days` days ahead (a planned work order is raised `days` before due)."""
    return windows_of(freq, now, now + timedelta(days=days), tz_name)


def months_since(day: date, today: date) -> int:
    """Whole months from `day` to `today` (a drill on 15 March is 12 months old on 15 March next year)."""
    months = (today.year - day.year) * 12 + today.month - day.month
    return months - 1 if today.day < day.day else months


def meter_due(trigger: dict | None, readings: Sequence[tuple[datetime, float]], last_check: datetime | None) -> bool:
    """Whether a meter makes a plan due for a piece: `readings` (time, value) oldest first.

    {"every": N}: the meter advanced N or more since the last check (since the first reading when never
    checked); {"above": x} / {"below": x}: the latest reading, taken after the last check, is beyond x.
    """
    if not trigger or not readings:
        return False
    latest_time, latest = readings[-1]
    if "every" in trigger:
        before = [v for t, v in readings if last_check is not None and t <= last_check]
        baseline = before[-1] if before else readings[0][1]
        return latest - baseline >= float(trigger["every"])
    if last_check is not None and latest_time <= last_check:
        return False
    if "above" in trigger and latest > float(trigger["above"]):
        return True
    return "below" in trigger and latest < float(trigger["below"])
