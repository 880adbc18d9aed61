"""The supervisor's side of patrol (issue 4): the live board, the windows grid, daily and weekly
compliance, per-guard figures and anomalies. 补巡 (make-up) records are in `makeups`, the CSV exports in
`exports`.

Rules live in `compliance` (windows, states, board) and `anomalies`; this module runs the queries and
checks who may see what: supervisors and admins of a site (NotFound for any other site). Functions take
the acting user and the clock (`now=`) and only flush.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.audit.settings_history import Timeline, timelines
from wuye_field.core.errors import NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol.anomalies import site_anomalies
from wuye_field.patrol.models import PatrolMakeup, Scan
from wuye_field.patrol.rounds import round_summary, rounds_between
from wuye_field.places.models import Place, Site
from wuye_field.places.services import get_site, site_by_code_or_id, sites_for
from wuye_field.places.site_settings import site_settings_at, site_settings_timeline

OVERSEERS = ("supervisor", "admin")
MAKEUP_STATES = (rules.MISSED, rules.OVERDUE, rules.LATE)  # windows a 补巡 may be filed for
INTERVAL, KEY_AREA = "patrol_interval_min", "is_key_area"  # the place's settings_history names (P2)
FUTURE_TOLERANCE = timedelta(minutes=10)  # the clock-skew flag's threshold (README "How offline works")

STATE_LABELS = {
    rules.ON_TIME: _l("按时"), rules.MADE_UP: _l("已补巡"), rules.LATE: _l("迟到"), rules.OVERDUE: _l("已超时"),
    rules.MISSED: _l("漏巡"), rules.OPEN: _l("进行中"), rules.UPCOMING: _l("未开始"),
    rules.OK: _l("正常"), rules.DUE_SOON: _l("即将到期"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS[state])


# ---------------------------------------------------------------- sites and key areas


def overseen_sites(user: User) -> list[Site]:
    """The sites the user supervises or administers, by name."""
    return sites_for(user, *OVERSEERS)


def overseen_site(user: User, site_id: int | None) -> tuple[list[Site], Site]:
    """(all overseen sites, the one asked for — the first when `site_id` is None); NotFound otherwise."""
    sites = overseen_sites(user)
    if not sites:
        raise NotFound(_("小区不存在，或您无权查看。"))
    if site_id is None:
        return sites, sites[0]
    return sites, get_site(user, site_id, *OVERSEERS)


def site_by_code(user: User, code: str | None) -> Site:
    """The exported site (`site=<code>`, or its numeric id) if `user` oversees it; NotFound otherwise."""
    return site_by_code_or_id(user, code, *OVERSEERS)


def _by_building(places) -> list[Place]:
    return sorted(places, key=lambda p: (p.building.name if p.building else "~", p.code))


@dataclass(frozen=True)
class AreaSettings:
    """A checkpoint's effective-dated P2 settings: [(from, minutes)] and [(from, is key area)], oldest
    first (empty when never changed: the place's columns apply)."""

    place: Place
    intervals: list[rules.Interval]
    key: list[tuple[datetime, bool]]

    def interval_at(self, moment: datetime) -> int:
        return rules.value_at(moment, self.intervals, self.place.patrol_interval_min)

    def key_at(self, moment: datetime) -> bool:
        return bool(rules.value_at(moment, self.key, self.place.is_key_area))

    def steady(self, start: datetime, end: datetime) -> bool:
        """No change of either setting inside [start, end)."""
        return not any(start < when < end for when, _value in (*self.intervals, *self.key))


def _history(line: Timeline | None) -> list:
    return list(zip(line.starts, line.values, strict=True)) if line else []


def key_areas_between(site_id: int, start: datetime, end: datetime) -> list[AreaSettings]:
    """The site's active checkpoints that were key areas at some moment of [start, end), with their
    settings' histories (three queries: places, intervals, key-area flags), by building then code."""
    query = (select(Place).where(Place.site_id == site_id, Place.active.is_(True),
                                 Place.kind.in_(("checkpoint", "both"))).order_by(Place.code))
    intervals = timelines(site_id, "place", INTERVAL)
    keys = timelines(site_id, "place", KEY_AREA)
    result = []
    for place in _by_building(db.session.scalars(query)):
        area = AreaSettings(place, _history(intervals.get(place.id)), _history(keys.get(place.id)))
        if area.key_at(start) or any(start <= when < end and value for when, value in area.key):
            result.append(area)
    return result


def interval_history(place: Place) -> list[rules.Interval]:
    """The place's interval changes [(from, minutes)], oldest first (empty: the column applies)."""
    return _history(timelines(place.site_id, "place", INTERVAL, subject_ids=[place.id]).get(place.id))


def last_visits(place_ids: list[int], now: datetime | None = None) -> dict[int, datetime]:
    """Each place's latest valid visit (max device time of its scans of live tags), UTC.

    With `now`, visits dated more than FUTURE_TOLERANCE after it (a phone clock set ahead) are ignored,
    so they cannot keep a key area green. One query: a correlated max per place, which PostgreSQL
    answers from an index on (place_id, device_time) by walking it backwards.
    """
    if not place_ids:
        return {}
    conditions = [Scan.place_id == Place.id, ~Scan.tag_retired]
    if now is not None:
        conditions.append(Scan.device_time <= now + FUTURE_TOLERANCE)
    latest = select(func.max(Scan.device_time)).where(*conditions).correlate(Place).scalar_subquery()
    rows = db.session.execute(select(Place.id, latest).where(Place.id.in_(place_ids)))
    return {pid: as_utc(when) for pid, when in rows if when is not None}


def visits_between(place_ids: list[int], start: datetime, end: datetime) -> dict[int, list[datetime]]:
    """Valid visit times (UTC, in no particular order: the window rules sort them) per place with device
    time in `[start, end)`. With an index on (place_id, device_time) WHERE NOT tag_retired, PostgreSQL
    answers from the index alone."""
    result: dict[int, list[datetime]] = defaultdict(list)
    if not place_ids:
        return result
    rows = db.session.execute(
        select(Scan.place_id, Scan.device_time)
        .where(Scan.place_id.in_(place_ids), ~Scan.tag_retired, Scan.device_time >= start,
               Scan.device_time < end))
    append = {pid: result[pid].append for pid in place_ids}
    for pid, when in rows:
        # PostgreSQL answers aware datetimes, SQLite naive UTC ones; no astimezone per row (hot loop).
        append[pid](when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc))
    return result


def makeups_between(place_ids: list[int], start: datetime, end: datetime) -> dict[int, set[datetime]]:
    """The window starts (UTC) made up (补巡) per place, for windows starting in `[start, end)`."""
    result: dict[int, set[datetime]] = defaultdict(set)
    if not place_ids:
        return result
    rows = db.session.execute(select(PatrolMakeup.place_id, PatrolMakeup.window_start).where(
        PatrolMakeup.place_id.in_(place_ids), PatrolMakeup.window_start >= start, PatrolMakeup.window_start < end))
    for pid, when in rows:
        result[pid].add(as_utc(when))
    return result


# ---------------------------------------------------------------- the live board


@dataclass(frozen=True)
class BoardRow:
    place: Place
    state: str
    minutes_since: int | None
    last_visit: datetime | None
    interval_min: int = rules.DEFAULT_INTERVAL_MIN  # the interval in force now

    @property
    def label(self) -> str:
        return state_label(self.state)


@dataclass
class Board:
    site: Site
    rows: list[BoardRow]
    now: datetime

    def count(self, state: str) -> int:
        return sum(row.state == state for row in self.rows)

    @property
    def overdue(self) -> int:
        return self.count(rules.OVERDUE)

    @property
    def due_soon(self) -> int:
        return self.count(rules.DUE_SOON)


def site_board(site: Site, *, now: datetime) -> Board:
    """The board of a site (no access check): each key area's last valid visit, minutes since, state;
    overdue first (P2), with the interval, key-area flag and due-soon warning in force now. Five queries."""
    areas = key_areas_between(site.id, now, now)  # key areas now
    last = last_visits([a.place.id for a in areas], now)
    due_soon = site_settings_at(site.id, now).due_soon_min
    rows = []
    for area in areas:
        place, interval = area.place, area.interval_at(now)
        state, minutes = rules.board_state(last.get(place.id), interval, now, due_soon)
        rows.append(BoardRow(place, state, minutes, last.get(place.id), interval))
    rows.sort(key=lambda r: rules.board_sort_key(r.state, r.minutes_since, r.interval_min, r.place.code))
    return Board(site, rows, now)


def board(user: User, site_id: int | None, *, now: datetime) -> tuple[list[Site], Board]:
    """(overseen sites, the board of `site_id` or the first one); NotFound for a site not overseen."""
    sites, site = overseen_site(user, site_id)
    return sites, site_board(site, now=now)


def attention(user: User, *, now: datetime, limit: int = 8) -> list[tuple[Site, list[BoardRow]]]:
    """For the home page: per overseen site, its key areas overdue or due soon (at most `limit`)."""
    result = []
    for site in overseen_sites(user):
        rows = [r for r in site_board(site, now=now).rows if r.state != rules.OK]
        if rows:
            result.append((site, rows[:limit]))
    return result


# ---------------------------------------------------------------- windows: grid and compliance


@dataclass(frozen=True)
class Cell:
    window: rules.Window
    state: str
    bands: tuple[time, time] = rules.DAY_SHIFT  # the site's shift change times that day

    @property
    def label(self) -> str:
        return state_label(self.state)

    @property
    def can_make_up(self) -> bool:
        return self.state in MAKEUP_STATES

    @property
    def shift(self) -> str:
        return rules.shift_of(self.window, self.bands)

    @property
    def shift_start(self) -> bool:
        """True on the first window of a shift (a divider in the grid)."""
        return self.window.local_start.time() in self.bands


@dataclass
class AreaWindows:
    place: Place
    cells: list[Cell]

    @property
    def tally(self) -> Tally:
        return Tally.of(c.state for c in self.cells)


@dataclass
class Tally:
    """Window counts; `share` = windows with a valid scan ÷ windows counted (past or decided)."""

    on_time: int = 0
    counted: int = 0
    late: int = 0
    made_up: int = 0
    missed: int = 0

    @classmethod
    def of(cls, states) -> Tally:
        return cls.from_counts(Counter(states))

    @classmethod
    def from_counts(cls, counts: Counter) -> Tally:
        """A tally from {state: number of windows}."""
        return cls(on_time=counts[rules.ON_TIME], late=counts[rules.LATE], made_up=counts[rules.MADE_UP],
                   missed=counts[rules.MISSED] + counts[rules.OVERDUE],
                   counted=sum(n for state, n in counts.items() if rules.counts_toward_share(state)))

    def merge(self, other: Tally) -> None:
        for name in ("on_time", "counted", "late", "made_up", "missed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def share(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.0f}%"


def area_states(site: Site, first: date, last: date, *,
                now: datetime) -> list[tuple[Place, list[rules.Window], list[str]]]:
    """Every key area's windows over the local days `first`…`last` and their states, each window measured
    with the settings in force then (interval, key-area flag, the site's lateness grace). Five queries
    (areas, their two settings, the site's settings, visits, make-ups) whatever the range.

    Windows that started before the place was created are left out (a new site is not 0 % for the
    weeks before it existed).
    """
    tz = ZoneInfo(site.timezone)
    start = rules.local_midnight(first, tz)
    end = rules.local_midnight(last + timedelta(days=1), tz)
    areas = key_areas_between(site.id, start, end)
    ids = [a.place.id for a in areas]
    settings = site_settings_timeline(site.id)
    grace_changes = settings.changes_between(start, end)
    grace = settings.at(start).lateness_grace
    longest = max([grace] + [settings.at(when).lateness_grace for when in grace_changes])
    visits = visits_between(ids, start, end + longest)
    made_up = makeups_between(ids, start, end)
    result = []
    shared: dict[int, list[rules.Window]] = {}  # steady areas with the same interval share one list of windows
    for area in areas:
        place = area.place
        if area.steady(start, end) and area.key_at(start):
            interval = area.interval_at(start)
            windows = shared.get(interval)
            if windows is None:
                windows = shared[interval] = rules.windows_between(first, last, tz, [], interval)
        else:
            windows = rules.windows_between(first, last, tz, area.intervals, place.patrol_interval_min,
                                            area.key, place.is_key_area)
        created = as_utc(place.created_at)
        if windows and windows[0].start < created:
            windows = [w for w in windows if w.start >= created]
        graces = [settings.at(w.end).lateness_grace for w in windows] if grace_changes else None
        states = rules.window_states(windows, visits.get(place.id, []), made_up.get(place.id, set()), now,
                                     grace, graces)
        result.append((place, windows, states))
    return result


@dataclass
class Grid:
    site: Site
    day: date
    groups: list[tuple[str, list[AreaWindows]]]


def grid(user: User, site_id: int | None, day: date, *, now: datetime) -> tuple[list[Site], Grid]:
    """The day's windows grid: key areas grouped by building (rows), their windows (cells, with the
    shift they fall in). NotFound for a site not overseen."""
    sites, site = overseen_site(user, site_id)
    groups: dict[str, list[AreaWindows]] = {}
    bands = site_settings_at(site.id, rules.local_midnight(day, ZoneInfo(site.timezone))).shift_starts
    for place, windows, states in area_states(site, day, day, now=now):
        name = place.building.name if place.building else _("室外 / 公共区域")
        cells = [Cell(w, s, bands) for w, s in zip(windows, states, strict=True)]
        groups.setdefault(name, []).append(AreaWindows(place, cells))
    return sites, Grid(site, day, list(groups.items()))


@dataclass
class GuardStats:
    user: User
    rounds: int = 0
    scanned: int = 0
    planned: int = 0
    durations: list[float] = field(default_factory=list)
    exceptions: int = 0

    @property
    def completion(self) -> str:
        return "—" if not self.planned else f"{self.scanned / self.planned * 100:.0f}%"

    @property
    def average_minutes(self) -> str:
        return "—" if not self.durations else f"{sum(self.durations) / len(self.durations) / 60:.0f}"


@dataclass
class Report:
    site: Site
    first: date
    last: date
    areas: list[tuple[Place, Tally, dict[date, Tally]]]
    days: list[tuple[date, Tally]]
    total: Tally
    guards: list[GuardStats]
    rounds_available: bool = True


def site_compliance(site: Site, first: date, last: date, *, now: datetime) -> tuple[list, list, Tally]:
    """(per area (place, tally, per-day tallies), per day tallies, total) over local days first…last."""
    by_day = {first + timedelta(days=i): Tally() for i in range((last - first).days + 1)}
    total = Tally()
    areas = []
    for place, windows, states in area_states(site, first, last, now=now):
        day_counts: dict[date, Counter] = defaultdict(Counter)
        for window, state in zip(windows, states, strict=True):
            day_counts[window.day][state] += 1
        per_day = {day: Tally.from_counts(counts) for day, counts in day_counts.items()}
        tally = Tally.of(states)
        areas.append((place, tally, per_day))
        total.merge(tally)
        for day, day_tally in per_day.items():
            by_day[day].merge(day_tally)
    return areas, list(by_day.items()), total


def guard_stats(site: Site, start: datetime, end: datetime, *, now: datetime) -> list[GuardStats]:
    """Per guard over rounds started in `[start, end)`: rounds done, completion % (checkpoints scanned ÷
    scanned + missed, over rounds already closed — a running round's pending stops are not failures),
    average round time (finished rounds), exceptions found."""
    stats: dict[int, GuardStats] = {}
    for round_ in rounds_between(site.id, start, end):
        summary = round_summary(round_, now)
        entry = stats.setdefault(round_.user_id, GuardStats(round_.user))
        entry.rounds += 1
        entry.exceptions += summary.exceptions
        if summary.finished or summary.incomplete:
            entry.scanned += summary.scanned
            entry.planned += summary.scanned + summary.missed
        if summary.finished and summary.duration_seconds is not None:
            entry.durations.append(summary.duration_seconds)
    return sorted(stats.values(), key=lambda g: (-g.rounds, g.user.name))


def compliance_report(user: User, site_id: int | None, first: date, last: date, *,
                      now: datetime) -> tuple[list[Site], Report]:
    """Daily (first == last) or weekly compliance of a site: the share of each key area's windows with a
    valid scan (P2), per day, in total, and per guard. NotFound for a site not overseen."""
    sites, site = overseen_site(user, site_id)
    areas, days, total = site_compliance(site, first, last, now=now)
    tz = ZoneInfo(site.timezone)
    guards = guard_stats(site, rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz),
                         now=now)
    return sites, Report(site, first, last, areas, days, total, guards or [], guards is not None)


def week_of(day: date) -> tuple[date, date]:
    """(Monday, Sunday) of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


# ---------------------------------------------------------------- anomalies


def anomalies(user: User, site_id: int | None, first: date, last: date):
    """(overseen sites, site, anomalies of local days first…last, newest first)."""
    sites, site = overseen_site(user, site_id)
    tz = ZoneInfo(site.timezone)
    found = site_anomalies(site.id, rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz))
    return sites, site, found
