"""Pure cleaning rules: which task occurrences fall due on a local day, their deadlines, and lateness.

No database, no Flask. Wall-clock times are the site's (a `ZoneInfo`); every datetime returned is
timezone-aware in that zone, so callers compare it with stored UTC times directly.

An *occurrence* is one time a task must be done: a slot of an hourly or several-times-a-day task, a
day of a daily / every-N-days / weekly task, a month, or a half-year. It is named by its `slot`
("2026-11-27T08:00", "2026-11-27", "2026-11", "2026-H1", "R17" for a re-clean), which the phone sends
with the check-off, so a check-off made offline still names the occurrence the cleaner saw.

Lateness (C1–C16 name frequencies, not grace periods, so the deadline is the end of the slot):
- an occurrence opens at `start` and is due at `due`;
- done at or before `due` → on time; done after → late (still counted as done);
- not done and `due` has passed → missed; a late check-off turns a missed occurrence into a late one.
- Missed occurrences of frequencies longer than a day (every N>1 days, weekly, monthly, half-yearly,
  re-cleans) are *carried*: the cleaner keeps seeing the latest missed one until it is done.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

HOURLY = "hourly"            # every N hours within set hours (a clubhouse toilet every 2 h, 08:00–22:00)
TIMES = "times"              # several times a day at set times (rubbish 07:00 and 17:00)
DAILY = "daily"              # C1, C2, C4–C6, C8, C10, C12–C14, C16
EVERY_N_DAYS = "every_n_days"
WEEKLY = "weekly"            # on chosen weekdays (0 = Monday … 6 = Sunday)
MONTHLY = "monthly"          # C3, C7, C9, C11
HALF_YEARLY = "half_yearly"  # C10: lobby floors waxed every 6 months
FREQUENCY_KINDS = (HOURLY, TIMES, DAILY, EVERY_N_DAYS, WEEKLY, MONTHLY, HALF_YEARLY)

ON_TIME = "on_time"
LATE = "late"
MISSED = "missed"
OPEN = "open"          # due later, not done yet
UPCOMING = "upcoming"  # not open yet (a later slot today)

DAY = timedelta(days=1)
CARRY_LOOKBACK_DAYS = 190  # far enough back to find the previous half-yearly occurrence


@dataclass(frozen=True)
class Frequency:
    """How often a task falls due; the fields a kind does not use are ignored.

    every_n: hours (HOURLY) or days (EVERY_N_DAYS). window: the set hours of HOURLY. times: TIMES's
    slots. weekdays: WEEKLY's days. month_day: the day a MONTHLY / HALF_YEARLY task is due (clamped to
    the month's end, so 31 means "the last day"). anchor: the first day of an EVERY_N_DAYS cycle, and
    the first month of a HALF_YEARLY one (that month and the month six later). done_before: a local
    time of day by which a day task must be done (C16).
    """

    kind: str
    every_n: int = 1
    window_start: time = time(8, 0)
    window_end: time = time(22, 0)
    times: tuple[time, ...] = ()
    weekdays: tuple[int, ...] = ()
    month_day: int = 31
    anchor: date = date(2024, 1, 1)
    done_before: time | None = None

    @property
    def carries(self) -> bool:
        """Does a missed occurrence stay visible until done (frequencies longer than a day)?"""
        return self.kind in (WEEKLY, MONTHLY, HALF_YEARLY) or (self.kind == EVERY_N_DAYS and self.every_n > 1)


@dataclass(frozen=True)
class Occurrence:
    """One time a task must be done: open from `start`, due at `due`, counted on the local `day`."""

    slot: str
    start: datetime
    due: datetime
    day: date
    carries: bool = False
    label: str = ""


# ---------------------------------------------------------------- calendar helpers


def at(day: date, clock: time, tz: tzinfo) -> datetime:
    """The aware datetime of a local wall-clock time on `day` in `tz`."""
    return datetime.combine(day, clock, tzinfo=tz)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """Local midnight at the end of `day` (24:00), aware."""
    return at(day + DAY, time(0), tz)


def clamp_day(year: int, month: int, day: int) -> date:
    """`day` of the month, clamped to its last day (31 → 30 Apr, 28/29 Feb by leap year)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def local_day(moment: datetime, tz: tzinfo) -> date:
    """The site's calendar day of an aware moment."""
    return moment.astimezone(tz).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def _day_due(day: date, freq: Frequency, tz: tzinfo) -> datetime:
    """End of the day, or the "done before" time that day (C16)."""
    return at(day, freq.done_before, tz) if freq.done_before else end_of_day(day, tz)


def _hhmm(clock: time) -> str:
    return clock.strftime("%H:%M")


# ---------------------------------------------------------------- due occurrences


def occurrences_on(freq: Frequency, day: date, tz: tzinfo) -> list[Occurrence]:
    """The occurrences counted on local `day`, earliest first.

    Sub-day slots and day tasks are counted on their own day; a monthly / half-yearly task on its due
    day (the month's `month_day`, clamped). An every-N-days task is counted on its cycle's first day
    and is due at the end of its cycle (or at `done_before` on that first day).
    """
    kind = freq.kind
    if kind == HOURLY:
        return _hourly(freq, day, tz)
    if kind == TIMES:
        return _times(freq, day, tz)
    if kind == DAILY:
        return [_whole_day(freq, day, tz)]
    if kind == WEEKLY:
        return [_whole_day(freq, day, tz)] if day.weekday() in freq.weekdays else []
    if kind == EVERY_N_DAYS:
        n = max(1, freq.every_n)
        if (day - freq.anchor).days % n:
            return []
        due = at(day, freq.done_before, tz) if freq.done_before else end_of_day(day + timedelta(days=n - 1), tz)
        return [Occurrence(day.isoformat(), at(day, time(0), tz), due, day, freq.carries)]
    if kind == MONTHLY:
        due_day = clamp_day(day.year, day.month, freq.month_day)
        if day != due_day:
            return []
        start = at(date(day.year, day.month, 1), time(0), tz)
        return [Occurrence(f"{day.year:04d}-{day.month:02d}", start, _day_due(due_day, freq, tz), day, True)]
    if kind == HALF_YEARLY:
        first = freq.anchor.month
        if day.month not in (first, (first + 5) % 12 + 1):
            return []
        due_day = clamp_day(day.year, day.month, freq.month_day)
        if day != due_day:
            return []
        half = 1 if day.month <= 6 else 2
        start = at(date(day.year, day.month, 1), time(0), tz)
        return [Occurrence(f"{day.year:04d}-H{half}", start, _day_due(due_day, freq, tz), day, True)]
    raise ValueError(f"unknown frequency kind {kind!r}")


def _whole_day(freq: Frequency, day: date, tz: tzinfo) -> Occurrence:
    return Occurrence(day.isoformat(), at(day, time(0), tz), _day_due(day, freq, tz), day, freq.carries)


def _hourly(freq: Frequency, day: date, tz: tzinfo) -> list[Occurrence]:
    """Slots every N hours from the window's start; the last one starts before the window's end."""
    step = timedelta(hours=max(1, freq.every_n))
    start = datetime.combine(day, freq.window_start)
    if freq.window_end > freq.window_start:
        end = datetime.combine(day, freq.window_end)
    else:  # "until 00:00" means the end of the day
        end = datetime.combine(day + DAY, time(0))
    result = []
    slot = start
    while slot < end:
        nxt = min(slot + step, end)
        result.append(Occurrence(f"{day.isoformat()}T{_hhmm(slot.time())}", slot.replace(tzinfo=tz),
                                 nxt.replace(tzinfo=tz), day, False, _hhmm(slot.time())))
        slot += step
    return result


def _times(freq: Frequency, day: date, tz: tzinfo) -> list[Occurrence]:
    """One slot per set time, due at the next set time (the last at the end of the day)."""
    clocks = sorted(set(freq.times))
    result = []
    for index, clock in enumerate(clocks):
        due = at(day, clocks[index + 1], tz) if index + 1 < len(clocks) else end_of_day(day, tz)
        label = _hhmm(clock)
        result.append(Occurrence(f"{day.isoformat()}T{label}", at(day, clock, tz), due, day, False, label))
    return result


def occurrences_between(freq: Frequency, first: date, last: date, tz: tzinfo) -> list[Occurrence]:
    """Every occurrence counted on the local days `first` … `last` (inclusive)."""
    result: list[Occurrence] = []
    day = first
    while day <= last:
        result.extend(occurrences_on(freq, day, tz))
        day += DAY
    return result


def occurrence_for_slot(freq: Frequency, slot: str, tz: tzinfo) -> Occurrence | None:
    """The occurrence a phone named by `slot`, or None when this frequency has no such slot."""
    for day in _slot_days(freq, slot):
        for occ in occurrences_on(freq, day, tz):
            if occ.slot == slot:
                return occ
    return None


def _slot_days(freq: Frequency, slot: str) -> list[date]:
    try:
        if len(slot) >= 10 and slot[4] == "-" and slot[7] == "-":
            return [date.fromisoformat(slot[:10])]
        if len(slot) == 7 and slot[4] == "-" and freq.kind == MONTHLY:
            year, month = int(slot[:4]), int(slot[5:7])
            return [clamp_day(year, month, freq.month_day)]
        if len(slot) == 7 and slot[4:6] == "-H" and freq.kind == HALF_YEARLY:
            year, half = int(slot[:4]), int(slot[6])
            months = sorted({freq.anchor.month, (freq.anchor.month + 5) % 12 + 1})
            return [clamp_day(year, m, freq.month_day) for m in months if (m <= 6) == (half == 1)]
    except ValueError:
        return []
    return []


def previous_occurrence(freq: Frequency, day: date, tz: tzinfo) -> Occurrence | None:
    """The latest occurrence counted before local `day` (looking back far enough for half-yearly)."""
    probe = day - DAY
    for _ in range(CARRY_LOOKBACK_DAYS):
        found = occurrences_on(freq, probe, tz)
        if found:
            return found[-1]
        probe -= DAY
    return None


def next_occurrence(freq: Frequency, day: date, tz: tzinfo) -> Occurrence | None:
    """The first occurrence counted after local `day` (a monthly task is counted on its due day)."""
    probe = day + DAY
    for _ in range(CARRY_LOOKBACK_DAYS):
        found = occurrences_on(freq, probe, tz)
        if found:
            return found[0]
        probe += DAY
    return None


def candidates_on(freq: Frequency, day: date, tz: tzinfo) -> list[Occurrence]:
    """Every occurrence that might be shown on `day`: the day's own, and for frequencies longer than a
    day the previous one (still open, or missed) and the next one (already open, e.g. this month's)."""
    result = occurrences_on(freq, day, tz)
    if freq.carries:
        before, after = previous_occurrence(freq, day, tz), next_occurrence(freq, day, tz)
        if before is not None:
            result.insert(0, before)
        if after is not None and after.start < end_of_day(day, tz):
            result.append(after)
    return result


def visible_on(freq: Frequency, day: date, tz: tzinfo, done: Mapping[str, datetime]) -> list[Occurrence]:
    """What a cleaner sees on local `day` (`done` maps slot → when it was done).

    The day's own occurrences always; for frequencies longer than a day also the previous occurrence
    while it is not done — open (an every-3-days cycle still running) or missed (it stays until done) —
    and the next one once it has opened (this month's wipe, all month). Either is also shown when it
    was done on `day` itself, so today's work stays on today's list.
    """
    own = occurrences_on(freq, day, tz)
    result = []
    for occ in candidates_on(freq, day, tz):
        done_at = done.get(occ.slot)
        if occ in own or done_at is None or local_day(done_at, tz) == day:
            result.append(occ)
    return result


# ---------------------------------------------------------------- lateness


def classify(occ: Occurrence, done_at: datetime | None, now: datetime) -> str:
    """on_time / late for a done occurrence; missed, open or upcoming for one not done (at `now`)."""
    if done_at is not None:
        return ON_TIME if done_at <= occ.due else LATE
    if now > occ.due:
        return MISSED
    if now < occ.start:
        return UPCOMING
    return OPEN


def effective_done_at(device_time: datetime, received_at: datetime, skew_seconds: float | None) -> datetime:
    """When a check-off was really done: the device time corrected by the measured clock skew, never
    later than the server received it (R13: a wrong phone clock cannot make work on time)."""
    done = device_time
    if skew_seconds is not None:
        done = device_time - timedelta(seconds=skew_seconds)
    return min(done, received_at)


def reclean_occurrence(reclean_id: int, created_at: datetime, due_at: datetime, tz: tzinfo) -> Occurrence:
    """The one-off occurrence of a re-clean raised by a failed spot check (carried until done)."""
    return Occurrence(f"R{reclean_id}", created_at.astimezone(tz), due_at.astimezone(tz),
                      local_day(due_at, tz), True, "")


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
