"""A site-month of patrol, as figures and as the rows they are counted from.

- P2: every key-area window of the month with its state (按时 / 迟到 / 已补巡 / 漏巡, running ones left out
  of the counts as on the compliance page) and the guard it is credited to: the first valid scan inside
  the window (on time), the first one within the grace after it (late), the author of the 补巡 (made up);
  a missed window is nobody's. Counted per key area and per guard; `window_rows` are the rows of
  /export/windows.csv, so every figure is a count of that file.
- P6: a *building round* is a round on a route whose stops all lie in one building, finished (a
  RoundFinish) before its window closed. Each building with such a route is due two of them per shift
  (the site's shift change times in force then, 考核设置: default day 08:00–20:00, night 20:00–08:00 local);
  a shift counts once it has ended.
- Inspection exceptions: inspections (originals, not corrections) that found something wrong.

The states come from `supervision.area_states` (the same windows the compliance page draws).
"""
from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol.models import Inspection, PatrolMakeup, Round, RoundFinish, RouteStop, Route, Scan
from wuye_field.patrol.supervision import area_states, state_label
from wuye_field.places.site_settings import SiteSettingsTimeline, site_settings_timeline
from wuye_field.places.models import Building, Place, Site

P6_TARGET = 2  # building rounds per shift (P6)
COUNTED = (rules.ON_TIME, rules.LATE, rules.MADE_UP, rules.MISSED, rules.OVERDUE)


def _bounds(site: Site, first: date, last: date) -> tuple[ZoneInfo, datetime, datetime]:
    tz = ZoneInfo(site.timezone)
    return tz, rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz)


def _visits_by_user(place_ids: list[int], start: datetime, end: datetime) -> dict[int, tuple[list[float], list[int]]]:
    """Per place: (sorted POSIX times of valid visits, the user of each)."""
    result: dict[int, list[tuple[float, int]]] = defaultdict(list)
    if place_ids:
        for pid, when, uid in db.session.execute(
                select(Scan.place_id, Scan.device_time, Scan.user_id).where(
                    Scan.place_id.in_(place_ids), ~Scan.tag_retired, Scan.device_time >= start,
                    Scan.device_time < end)):
            # PostgreSQL answers aware datetimes, SQLite naive UTC ones (hot loop: no as_utc per row).
            result[pid].append(((when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp(), uid))
    out = {}
    for pid, pairs in result.items():
        pairs.sort()
        out[pid] = ([t for t, _u in pairs], [u for _t, u in pairs])
    return out


def _makeup_authors(place_ids: list[int], start: datetime, end: datetime) -> dict[tuple[int, float], int]:
    if not place_ids:
        return {}
    rows = db.session.execute(select(PatrolMakeup.place_id, PatrolMakeup.window_start, PatrolMakeup.user_id).where(
        PatrolMakeup.place_id.in_(place_ids), PatrolMakeup.window_start >= start, PatrolMakeup.window_start < end)
        .order_by(PatrolMakeup.id))
    result: dict[tuple[int, float], int] = {}
    for pid, when, uid in rows:
        result.setdefault((pid, as_utc(when).timestamp()), uid)
    return result


def windows(site: Site, first: date, last: date, *, now: datetime) -> list[tuple[Place, rules.Window, str, int | None]]:
    """Every key-area window of local days first…last: (place, window, state, user id credited)."""
    _tz, start, end = _bounds(site, first, last)
    areas = area_states(site, first, last, now=now)
    ids = [place.id for place, _w, _s in areas]
    settings = site_settings_timeline(site.id)  # a late visit may come up to the longest grace in force
    grace = max(settings.at(when).lateness_grace for when in [start, *settings.changes_between(start, end)])
    visits = _visits_by_user(ids, start, end + grace)
    authors = _makeup_authors(ids, start, end)
    result = []
    for place, place_windows, states in areas:
        times, users = visits.get(place.id, ([], []))
        for window, state in zip(place_windows, states, strict=True):
            w_start, w_end = window.span
            who = None
            if state == rules.ON_TIME:
                who = users[bisect.bisect_left(times, w_start)]
            elif state == rules.LATE:
                who = users[bisect.bisect_left(times, w_end)]
            elif state == rules.MADE_UP:
                who = authors.get((place.id, w_start))
            elif state not in COUNTED:
                continue
            result.append((place, window, state, who))
    return result


def _names(user_ids) -> dict[int, User]:
    ids = {u for u in user_ids if u is not None}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _tally(counter: Counter) -> dict:
    on_time, late, made_up = counter[rules.ON_TIME], counter[rules.LATE], counter[rules.MADE_UP]
    missed = counter[rules.MISSED] + counter[rules.OVERDUE]
    counted = on_time + late + made_up + missed
    return {"windows": counted, "on_time": on_time, "late": late, "made_up": made_up, "missed": missed,
            "share": round(on_time / counted, 4) if counted else None}


def window_figures(rows) -> dict:
    """P2 totals, per key area (code) and per guard (staff number) from `windows` rows."""
    total, areas, guards, days = Counter(), defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    names = {}
    users = _names(who for _p, _w, _s, who in rows)
    day_names: dict[date, str] = {}
    for place, window, state, who in rows:
        total[state] += 1
        areas[place.code][state] += 1
        names[place.code] = place.name
        day = window.local_start.date()
        days[day_names.get(day) or day_names.setdefault(day, day.isoformat())][state] += 1
        if who is not None:
            guards[users[who].staff_no][state] += 1
            names[users[who].staff_no] = users[who].name
    return {
        "total": _tally(total),
        "areas": [{"code": code, "name": names[code], **_tally(c)} for code, c in sorted(areas.items())],
        "guards": [{"staff_no": no, "name": names[no], **_tally(c)} for no, c in sorted(guards.items())],
        "days": {day: _tally(c) for day, c in sorted(days.items())},
    }


def window_rows(site: Site, first: date, last: date, *, now: datetime):
    """The header and rows of windows.csv: one row per counted key-area window."""
    tz = ZoneInfo(site.timezone)
    rows = windows(site, first, last, now=now)
    users = _names(who for _p, _w, _s, who in rows)
    header = [_("日期"), _("时段开始"), _("时段结束"), _("小区"), _("巡更点编号"), _("巡更点"), _("状态"), _("工号"),
              _("人员")]

    def lines():
        for place, window, state, who in rows:
            user = users.get(who)
            yield [window.day.isoformat(), window.local_start.strftime("%H:%M"),
                   window.end.astimezone(tz).strftime("%H:%M"), site.name, place.code, place.name, state_label(state),
                   user.staff_no if user else "", user.name if user else ""]

    return header, lines()


def makeup_rows(site: Site, first: date, last: date):
    """The header and rows of makeups.csv: every 补巡 naming a window of local days first…last."""
    tz, start, end = _bounds(site, first, last)
    header = [_("时段开始"), _("小区"), _("巡更点编号"), _("巡更点"), _("工号"), _("人员"), _("原因"), _("补录时间"),
              _("服务器接收时间"), _("记录编号")]
    query = (select(PatrolMakeup).where(PatrolMakeup.site_id == site.id, PatrolMakeup.window_start >= start,
                                        PatrolMakeup.window_start < end)
             .order_by(PatrolMakeup.window_start, PatrolMakeup.id))

    def local(value):
        return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")

    def lines():
        for m in db.session.scalars(query):
            place, user = db.session.get(Place, m.place_id), db.session.get(User, m.user_id)
            yield [local(m.window_start), site.name, place.code, place.name, user.staff_no, user.name, m.reason,
                   local(m.device_time), local(m.received_at), m.client_uuid]

    return header, lines()


def _shift_of(moment: datetime, tz: ZoneInfo, settings: SiteSettingsTimeline) -> tuple[date, str]:
    local = as_utc(moment).astimezone(tz)
    day_start, night_start = settings.at(moment).shift_starts
    if local.time() < day_start:
        return local.date() - timedelta(days=1), "night"
    return local.date(), "day" if local.time() < night_start else "night"


def _shift_end(day: date, shift: str, tz: ZoneInfo, settings: SiteSettingsTimeline) -> datetime:
    day_start, night_start = settings.at(datetime.combine(day, time(12), tz)).shift_starts
    if shift == "day":
        return datetime.combine(day, night_start, tz)
    return datetime.combine(day + timedelta(days=1), day_start, tz)


def building_routes(site_id: int) -> dict[int, int]:
    """Active routes whose stops all lie in one building: route id → building id."""
    rows = db.session.execute(
        select(RouteStop.route_id, func.min(Place.building_id), func.max(Place.building_id), func.count())
        .join(Place, RouteStop.place_id == Place.id).join(Route, RouteStop.route_id == Route.id)
        .where(Route.site_id == site_id, Route.active.is_(True)).group_by(RouteStop.route_id))
    return {route: low for route, low, high, n in rows if low is not None and low == high and n}


def building_shifts(site: Site, first: date, last: date, *, now: datetime
                    ) -> dict[Building, list[tuple[date, str, int]]]:
    """P6 per building (by name) and ended shift of local days first…last: [(day, "day"/"night", finished
    building rounds)]; a building with no shift ended yet has an empty list."""
    tz, start, end = _bounds(site, first, last)
    routes = building_routes(site.id)
    buildings = {b.id: b for b in db.session.scalars(select(Building).where(Building.id.in_(set(routes.values()))))}
    rounds = db.session.execute(
        select(Round.route_id, Round.device_time).join(RoundFinish, RoundFinish.round_id == Round.id)
        .where(Round.site_id == site.id, Round.route_id.in_(list(routes)), Round.device_time >= start,
               Round.device_time < end, RoundFinish.device_time <= Round.window_ends_at)) if routes else []
    settings = site_settings_timeline(site.id)
    per: dict[int, Counter] = defaultdict(Counter)
    for route_id, when in rounds:
        per[routes[route_id]][_shift_of(when, tz, settings)] += 1
    shifts = [(first + timedelta(days=i), s) for i in range((last - first).days + 1) for s in ("day", "night")]
    ended = [key for key in shifts if _shift_end(*key, tz, settings) <= as_utc(now)]
    return {building: [(day, shift, per[bid][(day, shift)]) for day, shift in ended]
            for bid, building in sorted(buildings.items(), key=lambda pair: pair[1].name)}


def building_rounds(site: Site, first: date, last: date, *, now: datetime) -> dict:
    """P6 per building: shifts ended, shifts with at least P6_TARGET finished building rounds, rounds."""
    result = [{"building": building.name, "shifts": len(shifts), "met": sum(n >= P6_TARGET for _d, _s, n in shifts),
               "rounds": sum(n for _d, _s, n in shifts), "target": P6_TARGET}
              for building, shifts in building_shifts(site, first, last, now=now).items()]
    return {"buildings": result, "shifts": sum(b["shifts"] for b in result), "met": sum(b["met"] for b in result)}


def inspection_exceptions(site: Site, first: date, last: date) -> int:
    _tz, start, end = _bounds(site, first, last)
    return db.session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.site_id == site.id, Inspection.device_time >= start, Inspection.device_time < end,
        Inspection.all_ok.is_(False), Inspection.corrects_id.is_(None))) or 0


def month_figures(site: Site, first: date, last: date, *, now: datetime) -> dict:
    """The patrol part of a site-month (JSON-able): P2 windows, P6 building rounds, inspection exceptions."""
    figures = window_figures(windows(site, first, last, now=now))
    figures["p6"] = building_rounds(site, first, last, now=now)
    figures["inspection_exceptions"] = inspection_exceptions(site, first, last)
    return figures


def day_shares(site: Site, first: date, last: date, *, now: datetime) -> list[tuple[date, float | None]]:
    """P2 share per local day (for a trend chart): windows on time ÷ windows counted."""
    days = window_figures(windows(site, first, last, now=now))["days"]
    return [(first + timedelta(days=i), (days.get((first + timedelta(days=i)).isoformat()) or {}).get("share"))
            for i in range((last - first).days + 1)]


def today_strip(site: Site, *, now: datetime) -> list[tuple[Place, list[tuple[rules.Window, str]]]]:
    """Today's windows of each key area with their states (for the strip on the supervisor's home)."""
    today = rules.local_day(now, ZoneInfo(site.timezone))
    areas = area_states(site, today, today, now=now)
    return [(place, list(zip(ws, states, strict=True))) for place, ws, states in areas]


