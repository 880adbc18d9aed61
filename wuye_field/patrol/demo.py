"""Patrol demo data on DEMO: two routes (夜间外围 in random order, 楼栋巡查) and standard checklists on the
checkpoints (key areas get fire and doors; the pump room and fire control room a hydrant pressure reading)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.errors import DomainError
from wuye_field.extensions import db
from wuye_field.patrol.checklists import add_standard_items, place_checklist
from wuye_field.patrol.models import Route, RouteStop
from wuye_field.places.models import Place, Site
from wuye_field.sync.history import history_days, local, past_receipt, seeded, stable_key

DEMO_ROUTES = (
    # name, stop codes in order, expected minutes, random order per shift
    ("夜间外围", ("CP01", "CP02", "CP03", "CP04", "CP11", "CP12", "CP13"), 40, True),
    ("楼栋巡查", ("CP05", "CP06", "CP07", "CP08", "CP09", "CP10"), 30, False),
)
# Checklist categories per checkpoint (P3–P7); key areas get fire equipment and doors.
DEMO_CHECKLISTS = {
    "CP01": ("security",), "CP02": ("security", "doors"), "CP03": ("parking", "fire"), "CP04": ("parking", "fire"),
    "CP05": ("fire", "doors", "signs"), "CP06": ("fire", "doors"), "CP07": ("fire", "doors"),
    "CP08": ("doors", "signs"), "CP09": ("doors", "signs"), "CP10": ("doors", "signs"), "CP11": ("signs", "security"),
    "CP12": ("signs",), "CP13": ("security", "lighting"),
}
# Only these keep the standard hydrant-pressure reading (the other fire checklists are checks only).
READING_PLACES = ("CP06", "CP07")


def load_patrol_demo(site: Site) -> None:
    """Create the demo routes and checklists that are missing (idempotent: existing ones are left alone)."""
    places = {p.code: p for p in db.session.scalars(select(Place).where(Place.site_id == site.id))}
    existing = set(db.session.scalars(select(Route.name).where(Route.site_id == site.id)))
    for name, codes, minutes, random_order in DEMO_ROUTES:
        if name in existing:
            continue
        route = Route(site_id=site.id, name=name, expected_minutes=minutes, window_minutes=240,
                      min_seconds_between=30, random_order=random_order, active=True)
        route.stops = [RouteStop(place_id=places[code].id, position=i) for i, code in enumerate(codes, 1)]
        db.session.add(route)
    db.session.flush()
    for code, categories in DEMO_CHECKLISTS.items():
        place = places.get(code)
        if place is None or place_checklist(place.id, include_inactive=True):
            continue
        added = add_standard_items(place, categories)
        if code not in READING_PLACES:
            for item in added:
                if item.kind == "reading":
                    db.session.delete(item)
    db.session.flush()


# ---------------------------------------------------------------- the demo's past (issue 12)

# Key areas are walked every 4 hours (P2) on the two routes; guard01 has the day shift, guard02 the night.
WINDOW_HOURS = (0, 4, 8, 12, 16, 20)
ROUND_REASONS = ("游泳池门锁了，钥匙在物业办公室，未能进入", "对讲机呼叫去东门处理访客纠纷，本轮提前结束")
EXCEPTIONS = (  # (place, note, severity): what a guard finds now and then
    ("CP08", "天台门未锁，门锁损坏", "high"),
    ("CP05", "配电房门口堆放纸箱，影响通行", "medium"),
    ("CP07", "消防控制室应急照明不亮", "medium"),
)


def _guard(moment, tz_name: str, guards: dict) -> User:
    return guards["guard01"] if 8 <= moment.astimezone(ZoneInfo(tz_name)).hour < 20 else guards["guard02"]


def patrol_history(site: Site, days: int, now: datetime) -> None:
    """`days` days of rounds on DEMO's two routes up to `now`, every 4-hour window, with the day's
    inspections, a few late and missed windows, make-ups, exceptions (which open findings, P5) and rounds
    queued offline at night and sent in the morning. Written through the phone's services."""
    from wuye_field.accounts.models import User as Account
    from wuye_field.patrol import inspections, makeups, rounds, services

    tz = site.timezone
    rng = seeded(site.code, "patrol")
    guards = {u.staff_no: u for u in db.session.scalars(
        select(Account).where(Account.staff_no.in_(("guard01", "guard02"))))}
    routes = list(db.session.scalars(select(Route).where(Route.site_id == site.id, Route.active.is_(True))
                                     .order_by(Route.id)))
    places = {p.id: p for p in db.session.scalars(select(Place).where(Place.site_id == site.id))}
    readings = {p.code: next((i for i in place_checklist(p.id) if i.kind == "reading"), None)
                for p in places.values()}
    if len(guards) < 2 or not routes:
        return
    for n, day in enumerate(history_days(tz, days, now)):
        for hour in WINDOW_HOURS:
            for route in routes:
                if route.random_order and 8 <= hour < 20:  # 夜间外围 by day: its key areas visited one by one
                    _day_visits(route, day, hour, tz, guards["guard01"], rng, now, services)
                    continue
                start = local(day, f"{hour:02d}:00", tz, rng.uniform(15, 170))
                late = rng.random() < 0.03
                if late:  # started at the end of the window: the last stops are late (P2)
                    start = local(day, f"{hour:02d}:00", tz, 240 - 8)
                guard = _guard(start, tz, guards)
                offline = hour == 0 and n % 6 == 2  # the night round in the basement, sent at 07:40
                sent = local(day, "07:40", tz) if offline else None
                key = stable_key(site.code, "round", route.id, day, hour)
                first = past_receipt(key, start, received_at=sent, now=now)
                if start > now:
                    continue
                round_, _created = rounds.start_round(guard, route.id, first)
                skip = (n % 5 == 1 and hour == 4) or rng.random() < 0.02  # a key area left out: missed (P2)
                at = start
                inspect = hour == 8 and route.name == "楼栋巡查"
                stops = [places[int(pid)] for pid in round_.planned.split(",") if pid]
                skipped = [p for p in stops if p.is_key_area][-1] if skip else None
                for place in stops:
                    at += timedelta(minutes=rng.uniform(2.5, 6))
                    if at > now:
                        break
                    if place is skipped:
                        continue
                    receipt = past_receipt(stable_key(key, place.code), at, received_at=sent, now=now)
                    if inspect:
                        _inspect(guard, place, receipt, key, readings.get(place.code), n, rng, inspections)
                    else:
                        services.record_scan(guard, place.tag_token, receipt, via="camera", round_uuid=key)
                at += timedelta(minutes=2)
                if at <= now:
                    rounds.finish_round(guard, key, ROUND_REASONS[n % 2] if skipped else "",
                                        past_receipt(stable_key(key, "finish"), at, received_at=sent, now=now))
                if skipped is not None and n % 2 == 1:  # every other one made up (补巡) after the window
                    _make_up(guard, skipped, start, tz, now, makeups, services)


def _day_visits(route: Route, day, hour: int, tz: str, guard: User, rng, now: datetime, services) -> None:
    """By day the outer route's key areas (车库, 泳池) are visited on the way, each scanned once a window."""
    at = local(day, f"{hour:02d}:00", tz, rng.uniform(20, 200))
    for stop in route.stops:
        if not stop.place.is_key_area:
            continue
        at += timedelta(minutes=rng.uniform(3, 12))
        if at <= now and rng.random() > 0.02:
            key = stable_key("visit", stop.place_id, day, hour)
            services.record_scan(guard, stop.place.tag_token, past_receipt(key, at, now=now), via="camera")


def _inspect(guard, place, receipt, key, reading, n, rng, inspections) -> None:
    """The morning round's checklist at each stop: all normal, now and then an exception (a finding)."""
    readings = {str(reading.id): f"{rng.uniform(0.22, 0.35):.2f}"} if reading is not None else {}
    code, note, severity = EXCEPTIONS[(n // 5) % len(EXCEPTIONS)]
    if n % 5 == 3 and place.code == code:
        inspections.record_inspection(guard, place.tag_token, receipt, result="exception", note=note,
                                      severity=severity, readings=readings, round_uuid=key)
    else:
        inspections.record_inspection(guard, place.tag_token, receipt, result="ok", readings=readings,
                                      round_uuid=key)


def _make_up(guard, place, start, tz, now, makeups, services) -> None:
    """补巡 of the window the round left out: a visit and the make-up record, 40 minutes after it ended."""
    from wuye_field.patrol import compliance

    window = compliance.window_of(start, ZoneInfo(tz), [], place.patrol_interval_min)
    at = window.end + timedelta(minutes=40)
    if at > now:
        return
    try:
        makeups.makeup_window(place, window.start.isoformat(), now=at)
    except DomainError:  # a late round of the window before passed by in time: nothing to make up
        return
    key = stable_key("makeup", place.id, window.start.isoformat())
    services.add_scan(guard, place, past_receipt(key, at, now=now), via="camera")
    makeups.record_makeup(guard, place.id, window.start.isoformat(), "上一时段漏巡，已补巡并检查正常",
                          past_receipt(stable_key(key, "record"), at + timedelta(minutes=1), now=now))
