"""Key-area compliance rules (P2: key areas patrolled at least every 4 hours), as pure functions.

No database, no Flask: plain datetimes (UTC, timezone-aware) and ints in, plain values out.

Windows. Each key area's day is cut into interval windows anchored at the site's **local midnight**:
with 240 min, 00:00–04:00, 04:00–08:00 … 20:00–24:00 local. Windows never cross local midnight; when
the interval does not divide 24 h (e.g. 300 min) the day's last window is shorter and ends at midnight.
Boundaries are local wall-clock times converted to UTC, so in a zone with daylight saving a window that
contains the change lasts an hour more or less (Asia/Shanghai and Asia/Urumqi have no DST).
A window is half-open, `[start, end)`: a scan exactly at a window's start belongs to it, a scan exactly
at its end belongs to the next window.

Interval changes. A day uses one interval for all its windows: the interval in force at that day's
local midnight (`interval_on`), so a change takes effect from the next local day and a day's grid is
never ragged. The callers pass a history of `(effective_from_utc, minutes)`; today the places table
keeps only the current interval (place edits are not logged with their old value), so the services pass
a one-entry history and past days are measured against the current interval.

Window states, for a window `[start, end)` seen at `now`:
- ON_TIME  — at least one valid scan inside the window;
- MADE_UP  — no scan inside, but a 补巡 (PatrolMakeup) with a reason names this window;
- LATE     — no scan inside, and the first valid scan after it came within LATE_GRACE (30 min) of its
             end (that scan also counts, on time, for the next window);
- OVERDUE  — the window is over, nothing yet, and the grace period is still running;
- MISSED   — the window and its grace are over and nothing came;
- OPEN     — the window is running and has no scan yet; UPCOMING — it has not started.
A *valid* scan is any scan of the place whose tag was live (`tag_retired` scans do not count); scans
made off the round's route still count as a visit to that place (the guard was there). Times are the
phone's `device_time` (a scan made offline counts when it was made, not when it arrived); a phone clock
far off is flagged and listed among the anomalies for a supervisor to judge, not silently corrected.

Board. A key area is OK while the time since its last valid visit is under `interval − DUE_SOON`
(30 min), DUE_SOON until the interval has passed, OVERDUE after (or when it was never visited);
the board lists overdue first, then due soon, then ok, longest since visit first. (The board's query
ignores visits dated more than 10 minutes after now — a phone clock set ahead cannot keep an area green.)
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property, lru_cache
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ON_TIME, MADE_UP, LATE, OVERDUE, MISSED, OPEN, UPCOMING = (
    "on_time", "made_up", "late", "overdue", "missed", "open", "upcoming")
OK, DUE_SOON = "ok", "due_soon"  # board states (OVERDUE shared with windows)

LATE_GRACE = timedelta(minutes=30)  # a visit this soon after a window's end makes it late, not missed
DUE_SOON_MIN = 30                   # the board turns amber this many minutes before the interval is up
DAY_SHIFT = (time(8, 0), time(20, 0))  # 白班 08:00–20:00, 夜班 20:00–08:00 (local) for the grid's bands

Interval = tuple[datetime, int]  # (effective from, UTC; minutes)


@dataclass(frozen=True)
class Window:
    """One interval window of a key area: `[start, end)` in UTC, its local start, its index in the day."""

    start: datetime
    end: datetime
    local_start: datetime
    index: int

    @property
    def day(self) -> date:
        """The local date the window belongs to."""
        return self.local_start.date()

    @cached_property
    def span(self) -> tuple[float, float]:
        """(start, end) as POSIX timestamps: the state loop compares floats, not aware datetimes."""
        return self.start.timestamp(), self.end.timestamp()

    @property
    def label(self) -> str:
        """「04:00」: the local start time the grid shows."""
        return self.local_start.strftime("%H:%M")

    @property
    def shift(self) -> str:
        """'day' or 'night' by the local start time (DAY_SHIFT)."""
        return "day" if DAY_SHIFT[0] <= self.local_start.time() < DAY_SHIFT[1] else "night"


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant of local 00:00 on `day` in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of a UTC instant."""
    return moment.astimezone(tz).date()


def interval_on(day: date, tz: ZoneInfo, history: list[Interval], default: int) -> int:
    """The interval (minutes) in force at local midnight of `day`: the latest history entry effective at or
    before it, else the earliest entry (the history starts after the day), else `default`."""
    if not history:
        return default
    midnight = local_midnight(day, tz)
    ordered = sorted(history)
    starts = [entry[0] for entry in ordered]
    pos = bisect.bisect_right(starts, midnight) - 1
    return ordered[max(pos, 0)][1]


def day_windows(day: date, tz: ZoneInfo, interval_min: int) -> list[Window]:
    """The windows of local `day`: local midnight + k × interval, the last one clipped at next midnight."""
    return list(_day_windows(day, tz, interval_min))


@lru_cache(maxsize=4096)
def _day_windows(day: date, tz: ZoneInfo, interval_min: int) -> tuple[Window, ...]:
    # Cached: every key area of a site with the same interval shares the day's windows.
    if interval_min <= 0:
        raise ValueError("interval must be positive")
    utc = ZoneInfo("UTC")
    midnight = datetime.combine(day, time(0))
    next_midnight = midnight + timedelta(days=1)
    windows = []
    local = midnight
    index = 0
    while local < next_midnight:
        following = min(local + timedelta(minutes=interval_min), next_midnight)
        start = local.replace(tzinfo=tz)
        windows.append(Window(start.astimezone(utc), following.replace(tzinfo=tz).astimezone(utc), start, index))
        local, index = following, index + 1
    return tuple(windows)


def windows_between(first: date, last: date, tz: ZoneInfo, history: list[Interval], default: int) -> list[Window]:
    """Every window of the local days `first`…`last` (inclusive), each day with its own interval."""
    result: list[Window] = []
    day = first
    while day <= last:
        result.extend(day_windows(day, tz, interval_on(day, tz, history, default)))
        day += timedelta(days=1)
    return result


def window_of(moment: datetime, tz: ZoneInfo, history: list[Interval], default: int) -> Window:
    """The window that contains a UTC instant (half-open: an instant on a boundary opens the next one)."""
    day = local_day(moment, tz)
    for window in day_windows(day, tz, interval_on(day, tz, history, default)):
        if window.start <= moment < window.end:
            return window
    raise AssertionError("a day's windows cover it")  # pragma: no cover


def window_state(window: Window, visits: list[datetime], made_up: bool, now: datetime,
                 grace: timedelta = LATE_GRACE) -> str:
    """The state of one window given the place's valid visit times (UTC, any order) — see the module doc.

    `made_up` is True when a 补巡 record names this window's start.
    """
    return _state(window.start.timestamp(), window.end.timestamp(), [v.timestamp() for v in visits], made_up,
                  now.timestamp(), grace.total_seconds())


def _state(start: float, end: float, visits: list[float], made_up: bool, now: float, grace: float) -> str:
    # On POSIX timestamps: comparing aware datetimes of different tzinfo objects is several times slower.
    if now < start:
        return UPCOMING
    if any(start <= v < end for v in visits):
        return ON_TIME
    if made_up:
        return MADE_UP
    if now < end:
        return OPEN
    if any(end <= v < end + grace for v in visits):
        return LATE
    return OVERDUE if now < end + grace else MISSED


def window_states(windows: list[Window], visits: list[datetime], makeups: set[datetime], now: datetime,
                  grace: timedelta = LATE_GRACE) -> list[str]:
    """`window_state` for each window; `makeups` holds the (UTC) window starts that were made up."""
    ordered = sorted(v.timestamp() for v in visits)
    made = {m.timestamp() for m in makeups}
    now_ts, grace_s = now.timestamp(), grace.total_seconds()
    result = []
    for window in windows:
        start, end = window.span
        lo = bisect.bisect_left(ordered, start)
        hi = bisect.bisect_left(ordered, end + grace_s)
        result.append(_state(start, end, ordered[lo:hi], start in made, now_ts, grace_s))
    return result


def counts_toward_share(state: str) -> bool:
    """Whether a window is in the compliance share's denominator: decided or past windows, not the
    running one that has no scan yet (nor upcoming ones)."""
    return state not in (OPEN, UPCOMING)


def share(states: list[str]) -> tuple[int, int]:
    """(windows with at least one valid scan, windows counted) — P2's compliance share."""
    counted = [s for s in states if counts_toward_share(s)]
    return sum(s == ON_TIME for s in counted), len(counted)


def board_state(last_visit: datetime | None, interval_min: int, now: datetime,
                due_soon_min: int = DUE_SOON_MIN) -> tuple[str, int | None]:
    """(OK / DUE_SOON / OVERDUE, whole minutes since the last valid visit or None if never visited).

    A visit dated after `now` (a phone clock ahead) counts as 0 minutes ago.
    """
    if last_visit is None:
        return OVERDUE, None
    minutes = max(0, int((now - last_visit).total_seconds() // 60))
    if minutes >= interval_min:
        return OVERDUE, minutes
    if minutes >= interval_min - due_soon_min:
        return DUE_SOON, minutes
    return OK, minutes


_BOARD_RANK = {OVERDUE: 0, DUE_SOON: 1, OK: 2}


def board_sort_key(state: str, minutes_since: int | None, interval_min: int, code: str) -> tuple:
    """Overdue first (never visited before all), then due soon, then ok; within a state the area that
    is furthest past (or closest to) its interval first, then by code."""
    slack = -10**9 if minutes_since is None else interval_min - minutes_since
    return (_BOARD_RANK[state], slack, code)
