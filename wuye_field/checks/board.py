"""The supervisor's overdue board and the month figures of scheduled checks (P7, P11, W8).

Board: for each active plan, its current window for each piece it covers: done, due (open), due today,
overdue; the same by building; the last fire drill (red 12 months after, P11); failed checks with their
defects; checks that arrived for removed equipment (flagged). Month: per plan, the windows due that month
(each with the frequency in force then) and the share done on time; the lighting working rate (W8).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from wuye_field.checks import plans as plan_rules
from wuye_field.checks import schedule
from wuye_field.checks.equipment import site_pieces, site_setting
from wuye_field.checks.models import CheckPlan, CheckRecord, Drill, Equipment, MeterReading
from wuye_field.core.time import as_utc
from wuye_field.defects.records import is_open
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.places.models import Building, Site


@dataclass
class Counts:
    total: int = 0
    done: int = 0
    due: int = 0
    due_today: int = 0
    overdue: int = 0

    def add(self, state: str, today: bool) -> None:
        self.total += 1
        if state in ("on_time", "late"):
            self.done += 1
        elif state == "overdue":
            self.overdue += 1
        else:
            self.due += 1
            self.due_today += int(today)


@dataclass
class PlanLine:
    plan: CheckPlan
    window: schedule.Window | None
    counts: Counts = field(default_factory=Counts)
    overdue: list = field(default_factory=list)  # light rows of `equipment.site_pieces`
    meter_due: int = 0  # pieces its meter trigger makes due now (run hours, a reading beyond a threshold)


@dataclass
class Board:
    site: Site
    lines: list[PlanLine]
    buildings: dict[str, Counts]
    last_fire_drill: date | None
    drill_red: bool
    drill_months: int
    failed: list[tuple[CheckRecord, Equipment, bool]]
    flagged: list[tuple[CheckRecord, Equipment]]
    open_check_defects: int

    @property
    def totals(self) -> Counts:
        out = Counts()
        for line in self.lines:
            for name in ("total", "done", "due", "due_today", "overdue"):
                setattr(out, name, getattr(out, name) + getattr(line.counts, name))
        return out


def current_frequency(changes, now: datetime) -> schedule.Frequency | None:
    freq = None
    for since, value in changes:
        if since <= now:
            freq = value
    return freq


def last_fire_drill(site_id: int) -> date | None:
    return db.session.scalar(select(func.max(Drill.held_on)).where(Drill.site_id == site_id, Drill.kind == "fire"))


def board(site: Site, *, now: datetime) -> Board:
    """The site's board at `now` (a fixed number of queries whatever the number of equipment)."""
    now = as_utc(now)
    tz = site.timezone
    today = now.astimezone(ZoneInfo(tz)).date()
    plans = plan_rules.site_plans(site.id, active_only=True)
    pieces = site_pieces(site.id)
    changes = plan_rules.frequency_changes(plans)
    windows = {}
    for plan in plans:
        freq = current_frequency(changes[plan.id], now)
        windows[plan.id] = schedule.window_at(freq, now, tz) if freq else None
    in_window = [(CheckRecord.plan_id == plan_id) & (CheckRecord.device_time >= w.start)
                 for plan_id, w in windows.items() if w]
    last: dict[tuple[int, int], datetime] = {}
    if in_window:  # each plan's checks since its own window start (ix_check_record_board)
        rows = db.session.execute(
            select(CheckRecord.plan_id, CheckRecord.equipment_id, func.max(CheckRecord.device_time))
            .where(CheckRecord.site_id == site.id, or_(*in_window), CheckRecord.equipment_removed.is_(False))
            .group_by(CheckRecord.plan_id, CheckRecord.equipment_id))
        last = {(p, e): as_utc(t) for p, e, t in rows}
    names = dict(db.session.execute(select(Building.id, Building.name).where(Building.site_id == site.id)).all())
    lines, buildings = [], defaultdict(Counts)
    for plan in plans:
        window = windows[plan.id]
        line = PlanLine(plan, window)
        if window is not None:
            due_today = window.due.astimezone(ZoneInfo(tz)).date() == today
            for piece in plan_rules.covered(plan, pieces):
                done = last.get((plan.id, piece.id))
                outcome = schedule.Outcome(window, done if done is not None and window.contains(done) else None)
                state = outcome.state(now)
                line.counts.add(state, due_today)
                building = names.get(piece.building_id, "—")
                buildings[building].add(state, due_today)
                if state == "overdue":
                    line.overdue.append(piece)
        lines.append(line)
    for plan_id, _piece_id in meter_due_pairs(site.id, plans, pieces):
        next(ln for ln in lines if ln.plan.id == plan_id).meter_due += 1
    months = site_setting(site.id, "checks.drill_months", now)
    drill = last_fire_drill(site.id)
    red = drill is None or schedule.months_since(drill, today) >= months
    failed = _failed_checks(site.id, now)
    flagged = [(r, e) for r, e in db.session.execute(
        select(CheckRecord, Equipment).join(Equipment, Equipment.id == CheckRecord.equipment_id)
        .where(CheckRecord.site_id == site.id, CheckRecord.equipment_removed.is_(True))
        .order_by(CheckRecord.device_time.desc()).limit(20))]
    open_count = db.session.scalar(select(func.count(CheckRecord.id)).join(Defect, Defect.id == CheckRecord.defect_id)
                                   .where(CheckRecord.site_id == site.id, is_open()))
    return Board(site, lines, dict(sorted(buildings.items())), drill, red, months, failed, flagged, open_count)


def meter_due_pairs(site_id: int, plans: list[CheckPlan], pieces: list) -> set[tuple[int, int]]:
    """(plan, piece) pairs a meter trigger makes due (`schedule.meter_due`), from two queries."""
    trigger = [p for p in plans if p.meter_trigger]
    pairs = [(p, e) for p in trigger for e in plan_rules.covered(p, pieces)]
    if not pairs:
        return set()
    ids = sorted({e.id for _p, e in pairs})
    meters = sorted({p.meter_trigger.get("meter", "") for p in trigger})
    readings: dict[tuple[int, str], list[tuple[datetime, float]]] = defaultdict(list)
    for equipment_id, meter, when, value in db.session.execute(
            select(MeterReading.equipment_id, MeterReading.meter, MeterReading.device_time, MeterReading.value)
            .where(MeterReading.equipment_id.in_(ids), MeterReading.meter.in_(meters))
            .order_by(MeterReading.device_time)):
        readings[(equipment_id, meter)].append((as_utc(when), value))
    last = {(p, e): as_utc(t) for p, e, t in db.session.execute(
        select(CheckRecord.plan_id, CheckRecord.equipment_id, func.max(CheckRecord.device_time))
        .where(CheckRecord.site_id == site_id, CheckRecord.plan_id.in_([p.id for p in trigger]))
        .group_by(CheckRecord.plan_id, CheckRecord.equipment_id))}
    return {(p.id, e.id) for p, e in pairs
            if schedule.meter_due(p.meter_trigger, readings.get((e.id, p.meter_trigger.get("meter", "")), []),
                                  last.get((p.id, e.id)))}


def _failed_checks(site_id: int, now: datetime) -> list[tuple[CheckRecord, Equipment, bool]]:
    """Failed checks of the last 30 days, newest first, with whether their defect is still open."""
    rows = db.session.execute(
        select(CheckRecord, Equipment, is_open()).join(Equipment, Equipment.id == CheckRecord.equipment_id)
        .outerjoin(Defect, Defect.id == CheckRecord.defect_id)
        .where(CheckRecord.site_id == site_id, CheckRecord.result == "fail",
               CheckRecord.device_time >= now - timedelta(days=30))
        .order_by(CheckRecord.device_time.desc()).limit(30))
    return [(r, e, bool(o)) for r, e, o in rows]


# ---------------------------------------------------------------- month figures


@dataclass
class PlanMonth:
    plan: CheckPlan
    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class Month:
    site: Site
    first: date
    lines: list[PlanMonth]
    lights: int
    lights_working: int
    lighting_target: int
    drills: list[Drill]

    @property
    def lighting_rate(self) -> float | None:
        return self.lights_working / self.lights if self.lights else None

    @property
    def lighting_met(self) -> bool | None:
        rate = self.lighting_rate
        return None if rate is None else rate * 100 >= self.lighting_target


def month_bounds(first: date, tz: str) -> tuple[datetime, datetime]:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    zone = ZoneInfo(tz)
    return (datetime.combine(first, time(0), zone).astimezone(timezone.utc),
            datetime.combine(nxt, time(0), zone).astimezone(timezone.utc))


def month_outcomes(site: Site, first: date, *, now: datetime) -> list[tuple[CheckPlan, object, list]]:
    """Per plan and covered piece, the month's windows (site time, up to now) each with the check made
    in it: [(plan, piece, [schedule.Outcome])], plans in the site's order (a plan covering nothing: one
    (plan, None, []))."""
    start, end = month_bounds(first.replace(day=1), site.timezone)
    end_or_now = min(end, as_utc(now))
    plans = plan_rules.site_plans(site.id)
    pieces = site_pieces(site.id)
    changes = plan_rules.frequency_changes(plans)
    windows = {p.id: schedule.windows_between(changes[p.id], start, end_or_now, site.timezone) for p in plans}
    all_windows = [w for ws in windows.values() for w in ws]
    times: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    if all_windows:
        lo, hi = min(w.start for w in all_windows), max(w.end for w in all_windows)
        for plan_id, equipment_id, when in db.session.execute(
                select(CheckRecord.plan_id, CheckRecord.equipment_id, CheckRecord.device_time)
                .where(CheckRecord.site_id == site.id, CheckRecord.plan_id.in_([p.id for p in plans]),
                       CheckRecord.device_time >= lo, CheckRecord.device_time < hi,
                       CheckRecord.equipment_removed.is_(False))):
            times[(plan_id, equipment_id)].append(as_utc(when))
    result = []
    for plan in plans:
        covered = plan_rules.covered(plan, pieces)
        result += [(plan, piece, schedule.match_checks(windows[plan.id], times.get((plan.id, piece.id), ())))
                   for piece in covered] or [(plan, None, [])]
    return result


def month_figures(site: Site, first: date, *, now: datetime) -> Month:
    """Per plan, the windows due in the month (site time) and how many were done on time, late, missed."""
    _start, end = month_bounds(first.replace(day=1), site.timezone)
    end_or_now = min(end, as_utc(now))
    pieces = site_pieces(site.id)
    lines: dict[int, PlanMonth] = {}
    for plan, _piece, outcomes in month_outcomes(site, first, now=now):
        line = lines.setdefault(plan.id, PlanMonth(plan))
        for outcome in outcomes:
            line.due += 1
            if outcome.on_time:
                line.on_time += 1
            elif outcome.done:
                line.late += 1
            else:
                line.missed += 1
    lines = [line for line in lines.values() if line.due or line.plan.active]
    lights, working = lighting(site.id, pieces, end_or_now)
    drills = list(db.session.scalars(select(Drill).where(
        Drill.site_id == site.id, Drill.held_on >= first.replace(day=1),
        Drill.held_on < (first.replace(day=28) + timedelta(days=4)).replace(day=1)).order_by(Drill.held_on)))
    return Month(site, first.replace(day=1), lines, lights, working,
                 site_setting(site.id, "checks.lighting_target", end_or_now), drills)


def lighting(site_id: int, pieces: list, until: datetime) -> tuple[int, int]:
    """W8: (lights with a check, lights whose last check before `until` found them working)."""
    light_ids = [p.id for p in pieces if p.type == "light"]
    if not light_ids:
        return 0, 0
    newest = (select(CheckRecord.equipment_id, func.max(CheckRecord.id).label("last_id"))
              .where(CheckRecord.site_id == site_id, CheckRecord.equipment_id.in_(light_ids),
                     CheckRecord.device_time < until).group_by(CheckRecord.equipment_id).subquery())
    results = list(db.session.scalars(select(CheckRecord.result).join(newest, newest.c.last_id == CheckRecord.id)))
    return len(results), sum(1 for r in results if r == "ok")
