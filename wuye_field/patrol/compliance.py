"""Key-area compliance rules (P2: key areas patrolled at least every 4 hours), as pure functions.

No database, no Flask: plain datetimes (UTC, timezone-aware) and ints in, plain values out.

Windows. Each key area's day is cut into interval windows anchored at the site's **local midnight**:
with 240 min, 00:00–04:00, 04:00–08:00 … 20:00–24:00 local. Windows never cross local midnight; when
the interval does not divide 24 h (e.g. 300 min) the day's last window is shorter and ends at midnight.
Boundaries are local wall-clock times converted to UTC, so in a zone with daylight saving a window that
contains the change lasts an hour more or less (Asia/Shanghai and Asia/Urumqi have no DST).
A window is half-open, `[start, end)`: a scan exactly at a window's start belongs to it, a scan exactly
at its end belongs to the next window.

Setting changes (issue 12). The interval and the key-area flag are effective-dated
(`audit.settings_history`); the callers pass each as a history of `(effective_from_utc, value)`, oldest
first. A change splits the day where it falls: windows before it follow the old interval's grid, the
window running at the change ends there, and from the change on the new interval's grid (still anchored
at local midnight) applies, its first window starting at the change. A key area that stops being one
has no windows from that moment; one that becomes one has windows from then. So a change today never
alters yesterday, and a change scheduled for next week leaves this week alone. The lateness grace and
the day/night bands are the site's settings in force at each window (`places.site_settings`).

Window states, for a window `[start, end)` seen at `now`:
- ON_TIME  — at least one valid scan inside the window;
- MADE_UP  — no scan inside, but a 补巡 (PatrolMakeup) with a reason names this window;
- LATE     — no scan inside, and the first valid scan after it came within the lateness grace (site
             setting, default LATE_GRACE 30 min) of its
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
from itertools import pairwise
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ON_TIME, MADE_UP, LATE, OVERDUE, MISSED, OPEN, UPCOMING = (
    "on_time", "made_up", "late", "overdue", "missed", "open", "upcoming")
OK, DUE_SOON = "ok", "due_soon"  # board states (OVERDUE shared with windows)

# Defaults only: the values in force are the site's settings (places.site_settings, P2).
LATE_GRACE = timedelta(minutes=30)  # a visit this soon after a window's end makes it late, not missed
DEFAULT_INTERVAL_MIN = 240         # P2: every 4 hours (the place's column holds the value in force now)
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
        """'day' or 'night' by the local start time and the default bands (DAY_SHIFT); `shift_of` for a
        site's own shift change times."""
        return shift_of(self, DAY_SHIFT)


def shift_of(window: Window, bands: tuple[time, time]) -> str:
    """'day' or 'night': whether the window starts in the day band [bands[0], bands[1]) (local)."""
    day, night = bands
    local = window.local_start.time()
    inside = day <= local < night if day < night else not (night <= local < day)
    return "day" if inside else "night"


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant of local 00:00 on `day` in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of a UTC instant."""
    return moment.astimezone(tz).date()


def value_at(moment: datetime, history: list, default):
    """The value in force at `moment` in a history of (start, value), oldest first (a later entry with the
    same start wins): the latest entry at or before it, else the earliest entry (the history starts
    after it), else `default`."""
    if not history:
        return default
    ordered = sorted(history, key=lambda entry: entry[0])  # stable: equal starts keep their order
    pos = bisect.bisect_right([entry[0] for entry in ordered], moment) - 1
    return ordered[max(pos, 0)][1]


def interval_on(day: date, tz: ZoneInfo, history: list[Interval], default: int) -> int:
    """The interval (minutes) in force at local midnight of `day` (see `value_at`)."""
    return value_at(local_midnight(day, tz), history, default)


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


def split_day_windows(day: date, tz: ZoneInfo, history: list[Interval], default: int,
                      key_history: list | None = None, key_default: bool = True) -> list[Window]:
    """The windows of local `day` with the changes of interval and key-area flag that fall inside it:
    the day is cut at each change, each piece takes the interval in force at its start on the
    midnight-anchored grid, and pieces where the place is not a key area have no windows."""
    key_history = key_history or []
    midnight, next_midnight = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    cuts = sorted({start for start, _value in (*history, *key_history) if midnight < start < next_midnight})
    if not cuts:
        if not value_at(midnight, key_history, key_default):
            return []
        return list(_day_windows(day, tz, interval_on(day, tz, history, default)))
    result: list[Window] = []
    bounds = [midnight, *cuts, next_midnight]
    for piece_start, piece_end in pairwise(bounds):
        if not value_at(piece_start, key_history, key_default):
            continue
        for window in _day_windows(day, tz, value_at(piece_start, history, default)):
            if window.end <= piece_start or window.start >= piece_end:
                continue
            start, end = max(window.start, piece_start), min(window.end, piece_end)
            result.append(Window(start, end, start.astimezone(tz), len(result)))
    return result


def windows_between(first: date, last: date, tz: ZoneInfo, history: list[Interval], default: int,
                    key_history: list | None = None, key_default: bool = True) -> list[Window]:
    """Every window of the local days `first`…`last` (inclusive), split where a setting changes."""
    result: list[Window] = []
    day = first
    while day <= last:
        result.extend(split_day_windows(day, tz, history, default, key_history, key_default))
        day += timedelta(days=1)
    return result


def window_of(moment: datetime, tz: ZoneInfo, history: list[Interval], default: int) -> Window:
    """The window that contains a UTC instant (half-open: an instant on a boundary opens the next one)."""
    day = local_day(moment, tz)
    for window in split_day_windows(day, tz, history, default):
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
                  grace: timedelta = LATE_GRACE, graces: list[timedelta] | None = None) -> list[str]:
    """`window_state` for each window; `makeups` holds the (UTC) window starts that were made up.
    `graces`, when given, is each window's lateness grace (the setting changed inside the period)."""
    ordered = sorted(v.timestamp() for v in visits)
    made = {m.timestamp() for m in makeups}
    now_ts, grace_s = now.timestamp(), grace.total_seconds()
    result = []
    for i, window in enumerate(windows):
        if graces is not None:
            grace_s = graces[i].total_seconds()
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
