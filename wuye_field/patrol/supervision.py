"""The supervisor's side of patrol (issue 4): the live board, the windows grid, daily and weekly
compliance, per-guard figures, anomalies, 补巡 (make-up) records and the CSV exports.

Rules live in `compliance` (windows, states, board) and `anomalies`; this module runs the queries and
checks who may see what: supervisors and admins of a site (NotFound for any other site). Functions take
the acting user and the clock (`now=`) and only flush.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc, parse_device_time
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol.anomalies import site_anomalies
from wuye_field.patrol.models import NOTE_MAX, SEVERITIES, VIA_CHECKLIST, Inspection, PatrolMakeup, Round, Route, Scan
from wuye_field.patrol.rounds import round_summary, rounds_between
from wuye_field.places.models import Place, Site
from wuye_field.places.services import get_site, site_by_code_or_id, sites_for
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

OVERSEERS = ("supervisor", "admin")
MAKEUP_ROLES = ("guard", "supervisor", "admin")
MAKEUP_KIND = "patrol_makeup"
MAKEUP_STATES = (rules.MISSED, rules.OVERDUE, rules.LATE)  # windows a 补巡 may be filed for
FUTURE_TOLERANCE = timedelta(minutes=10)  # the clock-skew flag's threshold (README "How offline works")

chain.register_tables({MAKEUP_KIND: FIELD_COLUMNS + ("place_id", "window_start", "reason")})

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


def key_areas(site_id: int) -> list[Place]:
    """A site's active key-area checkpoints (P2), by building then code."""
    query = (select(Place).where(Place.site_id == site_id, Place.active.is_(True), Place.is_key_area.is_(True),
                                 Place.kind.in_(("checkpoint", "both"))).order_by(Place.code))
    return sorted(db.session.scalars(query), key=lambda p: (p.building.name if p.building else "~", p.code))


def interval_history(place: Place) -> list[rules.Interval]:
    """The place's interval changes. The places table keeps only the current interval, so this is empty
    and every day is measured against `place.patrol_interval_min` (see compliance's module doc)."""
    return []


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
    overdue first (P2). Two queries."""
    places = key_areas(site.id)
    last = last_visits([p.id for p in places], now)
    rows = []
    for place in places:
        state, minutes = rules.board_state(last.get(place.id), place.patrol_interval_min, now)
        rows.append(BoardRow(place, state, minutes, last.get(place.id)))
    rows.sort(key=lambda r: rules.board_sort_key(r.state, r.minutes_since, r.place.patrol_interval_min, r.place.code))
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

    @property
    def label(self) -> str:
        return state_label(self.state)

    @property
    def can_make_up(self) -> bool:
        return self.state in MAKEUP_STATES

    @property
    def shift_start(self) -> bool:
        """True on the first window of a shift (a divider in the grid)."""
        return self.window.local_start.time() in rules.DAY_SHIFT


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
    """Every key area's windows over the local days `first`…`last` and their states. Three queries
    (areas, visits, make-ups) whatever the range; the rest is `compliance` arithmetic.

    Windows that started before the place was created are left out (a new site is not 0 % for the
    weeks before it existed).
    """
    tz = ZoneInfo(site.timezone)
    places = key_areas(site.id)
    ids = [p.id for p in places]
    start = rules.local_midnight(first, tz)
    end = rules.local_midnight(last + timedelta(days=1), tz)
    visits = visits_between(ids, start, end + rules.LATE_GRACE)
    made_up = makeups_between(ids, start, end)
    result = []
    shared: dict[int, list[rules.Window]] = {}  # places with the same interval share one list of windows
    for place in places:
        history = interval_history(place)
        if history:
            windows = rules.windows_between(first, last, tz, history, place.patrol_interval_min)
        else:
            windows = shared.get(place.patrol_interval_min)
            if windows is None:
                windows = shared[place.patrol_interval_min] = rules.windows_between(
                    first, last, tz, [], place.patrol_interval_min)
        created = as_utc(place.created_at)
        if windows and windows[0].start < created:
            windows = [w for w in windows if w.start >= created]
        states = rules.window_states(windows, visits.get(place.id, []), made_up.get(place.id, set()), now)
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
    for place, windows, states in area_states(site, day, day, now=now):
        name = place.building.name if place.building else _("室外 / 公共区域")
        cells = [Cell(w, s) for w, s in zip(windows, states, strict=True)]
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


# ---------------------------------------------------------------- 补巡 (make-up), a field record


def makeup_place(user: User, place_id: int) -> Place:
    """A key area on a site where `user` patrols or oversees; NotFound otherwise."""
    place = db.session.get(Place, place_id)
    if (place is None or not place.active or not place.is_key_area
            or place.site_id not in user.site_ids(*MAKEUP_ROLES)):
        raise NotFound(_("地点不存在，或您无权查看。"))
    return place


def makeup_window(place: Place, raw_start: str | None, *, now: datetime) -> tuple[rules.Window, str]:
    """The window a 补巡 names (its UTC start as ISO 8601 with offset) and its current state.

    DomainError 400 when the time is not a window start of this place, 422 when the window is not
    over, 409 when it was patrolled on time or already made up.
    """
    start = parse_device_time(raw_start)
    tz = ZoneInfo(place.site.timezone)
    window = rules.window_of(start, tz, interval_history(place), place.patrol_interval_min) if start else None
    if window is None or window.start != start:
        raise DomainError(_("补巡时段无效。"), code="bad_window")
    if now < window.end:
        raise DomainError(_("该时段尚未结束，不能补巡。"), status=422, code="window_open")
    visits = visits_between([place.id], window.start, window.end + rules.LATE_GRACE).get(place.id, [])
    made = makeups_between([place.id], window.start, window.end).get(place.id, set())
    state = rules.window_state(window, visits, window.start in made, now)
    if state == rules.ON_TIME:
        raise DomainError(_("该时段已按时巡查，无需补巡。"), status=409, code="on_time")
    if state == rules.MADE_UP:
        raise DomainError(_("该时段已补巡。"), status=409, code="made_up")
    return window, state


def clean_reason(raw: str | None) -> str:
    """The reason (`clean_text`); DomainError (422) when empty or over NOTE_MAX characters."""
    reason = clean_text(raw, multiline=True)
    if not reason:
        raise DomainError(_("请填写补巡原因。"), status=422, code="reason_required")
    if len(reason) > NOTE_MAX:
        raise DomainError(_("原因最多 %(n)d 个字。", n=NOTE_MAX), status=422, code="reason_too_long")
    return reason


def record_makeup(user: User, place_id: int, window_start: str | None, reason: str | None,
                  receipt: Receipt) -> PatrolMakeup:
    """Store a 补巡 for a missed (or late) window of a key area, chained into the site's hash log.

    Raises NotFound, DomainError (see `makeup_window` and `clean_reason`). Flushes.
    """
    place = makeup_place(user, place_id)
    reason = clean_reason(reason)
    window, _state = makeup_window(place, window_start, now=receipt.received_at)
    makeup = PatrolMakeup(**receipt.columns(), user_id=user.id, site_id=place.site_id, place_id=place.id,
                          window_start=window.start, reason=reason)
    db.session.add(makeup)
    db.session.flush()
    chain.append_records(place.site_id, MAKEUP_KIND, [makeup.id], now=receipt.received_at)
    return makeup


def makeup_message(makeup: PatrolMakeup) -> str:
    """「已补巡：配电房 04:00 时段」 (the window's local start)."""
    place = db.session.get(Place, makeup.place_id)
    local = as_utc(makeup.window_start).astimezone(ZoneInfo(place.site.timezone))
    return _("已补巡：%(place)s %(time)s 时段", place=place.name, time=local.strftime("%m-%d %H:%M"))


# ---------------------------------------------------------------- exports


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return "" if value is None else as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def scans_rows(site: Site, first: date, last: date):
    """The header and rows of scans.csv: a site's scans of local days first…last, times in its zone."""
    tz = ZoneInfo(site.timezone)
    start, end = rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz)
    header = [_("时间"), _("小区"), _("巡更点编号"), _("巡更点"), _("楼栋"), _("重点部位"), _("工号"), _("人员"),
              _("方式"), _("路线"), _("路线外"), _("旧标签"), _("时钟偏差(秒)"), _("偏差过大"), _("服务器接收时间"),
              _("备注"), _("记录编号")]
    # A visit recorded by the checklist says so (「全部正常」 / 「有异常」): it is the inspection of the same
    # user and client UUID, the row inspections.csv shows.
    query = (select(Scan, Route.name, Inspection.all_ok).outerjoin(Round, Scan.round_id == Round.id)
             .outerjoin(Route, Round.route_id == Route.id)
             .outerjoin(Inspection, (Scan.via == VIA_CHECKLIST) & (Inspection.user_id == Scan.user_id)
                        & (Inspection.client_uuid == Scan.client_uuid))
             .where(Scan.site_id == site.id, Scan.device_time >= start, Scan.device_time < end)
             .order_by(Scan.device_time, Scan.id))
    yes, no = _("是"), _("否")
    via = {"camera": _("扫码"), "link": _("相机链接"), "manual": _("手动")}
    checked = {True: _("检查：全部正常"), False: _("检查：有异常"), None: _("检查")}

    def rows():
        for scan, route_name, all_ok in db.session.execute(query):
            method = checked[all_ok] if scan.via == VIA_CHECKLIST else via.get(scan.via, scan.via)
            place = scan.place
            yield [_local(scan.device_time, tz), site.name, place.code, place.name,
                   place.building.name if place.building else "", yes if place.is_key_area else no,
                   scan.user.staff_no, scan.user.name, method, route_name or "",
                   yes if scan.off_route else no, yes if scan.tag_retired else no,
                   "" if scan.clock_skew_seconds is None else round(scan.clock_skew_seconds),
                   yes if scan.skew_flagged else no, _local(scan.received_at, tz), scan.note, scan.client_uuid]

    return header, rows()


def inspections_rows(site: Site, first: date, last: date):
    """The header and rows of inspections.csv: one row per inspection, its exception items listed."""
    tz = ZoneInfo(site.timezone)
    start, end = rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz)
    header = [_("时间"), _("小区"), _("巡更点编号"), _("巡更点"), _("工号"), _("人员"), _("结果"), _("严重程度"),
              _("异常项"), _("备注"), _("更正记录"), _("更正原因"), _("记录编号")]
    query = (select(Inspection).options(selectinload(Inspection.answers))
             .where(Inspection.site_id == site.id, Inspection.device_time >= start, Inspection.device_time < end)
             .order_by(Inspection.device_time, Inspection.id))

    def answer_text(answer) -> str:
        text = answer.item.label
        if answer.reading is not None:
            text += f" {answer.reading:g}{answer.item.unit}"
        return text + (f"（{answer.note}）" if answer.note else "")

    def rows():
        for insp in db.session.scalars(query):
            bad = "；".join(answer_text(a) for a in insp.answers if not a.ok)
            yield [_local(insp.device_time, tz), site.name, insp.place.code, insp.place.name, insp.user.staff_no,
                   insp.user.name, _("正常") if insp.all_ok else _("异常"), str(SEVERITIES.get(insp.severity, "")),
                   bad, insp.note, insp.corrects_id or "", insp.correction_reason, insp.client_uuid]

    return header, rows()
