"""Patrol rounds (巡更): start, this shift's stop order, finish, and the round summary.

A round is a field record made on the phone (`Round`, keyed by the client UUID the phone made), finished
by a `RoundFinish` record; nothing is updated (H5). A round not finished by `window_ends_at`
counts as incomplete — computed by `round_summary`, never written.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.audit.settings_history import value_at
from wuye_field.core.errors import DomainError, NotFound, other_site
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db
from wuye_field.patrol.common import clean_note, clean_round_key, current_versions, find_round, planned_ids
from wuye_field.patrol.models import Inspection, Round, RoundFinish, Route, Scan
from wuye_field.places.models import Place, Site
from wuye_field.places.site_settings import site_settings_at
from wuye_field.sync.idempotency import parse_key
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

ROUND_ROLES = ("guard", "supervisor", "admin")
OVERSEERS = ("supervisor", "admin")
# Shifts start at the site's shift change times (places.site_settings, default day 08:00–20:00, night
# 20:00–08:00): the random order changes per shift.
SHIFT_START_HOURS = (8, 20)  # the default, kept for callers without a site
# A route's settings a round depends on (P2), effective-dated (settings_history subject "route").
ROUTE_LABELS = {"window_minutes": _l("巡更时限"), "stops": _l("巡更点与顺序")}

CHAIN_KINDS = {
    "round": FIELD_COLUMNS + ("route_id", "planned", "window_ends_at"),
    "round_finish": FIELD_COLUMNS + ("round_id", "reason"),
}
chain.register_tables(CHAIN_KINDS)


class RoundRefused(DomainError):
    """A round cannot be started or finished as asked (422, Chinese message)."""

    status = 422
    code = "round_refused"


# ---------------------------------------------------------------- shifts and the planned order


def _starts(starts: tuple[time, time] | None) -> tuple[time, time]:
    return starts or (time(SHIFT_START_HOURS[0]), time(SHIFT_START_HOURS[1]))


def shift_of(moment: datetime, tz_name: str, starts: tuple[time, time] | None = None) -> tuple[date, int]:
    """(local date the shift started, shift index) of `moment`: index 0 = day shift, 1 = night shift.

    `starts` are the site's (day, night) shift change times (default 08:00, 20:00). The night shift after
    midnight belongs to the previous day's night shift.
    """
    local = as_utc(moment).astimezone(ZoneInfo(tz_name))
    first, second = _starts(starts)
    if local.time() < first:
        return local.date() - timedelta(days=1), 1
    return local.date(), 0 if local.time() < second else 1


def shift_ends_at(moment: datetime, tz_name: str, starts: tuple[time, time] | None = None) -> datetime:
    """When the shift holding `moment` ends (UTC)."""
    day, index = shift_of(moment, tz_name, starts)
    tz = ZoneInfo(tz_name)
    first, second = _starts(starts)
    end = datetime.combine(day, second, tzinfo=tz) if index == 0 else \
        datetime.combine(day + timedelta(days=1), first, tzinfo=tz)
    return end.astimezone(ZoneInfo("UTC"))


def site_shift_starts(site_id: int, moment: datetime) -> tuple[time, time]:
    """The site's (day, night) shift change times in force at `moment`."""
    return site_settings_at(site_id, moment).shift_starts


def route_setting(route: Route, name: str):
    """The route's column value of a dated setting: its window, or its stops' place ids in order."""
    return route.window_minutes if name == "window_minutes" else [stop.place_id for stop in route.stops]


def route_settings_at(route: Route, moment: datetime) -> tuple[int, list[int]]:
    """(window minutes, stop place ids in order) of the route in force at `moment`."""
    return tuple(value_at(route.site_id, "route", name, moment, subject_id=route.id,
                          default=route_setting(route, name)) for name in ROUTE_LABELS)


def planned_order(route: Route, moment: datetime) -> list[int]:
    """The place ids of the route's active stops (as they stood at `moment`) in the order walked then.

    The admin's order, or — for a random-order route — a shuffle seeded by (route, shift): the same for
    every guard on that shift, different from shift to shift, covering every stop (the round page cached
    for offline use shows it; the server computes it again from the round's device time).
    """
    _window, stops = route_settings_at(route, moment)
    active = set(db.session.scalars(select(Place.id).where(Place.id.in_(stops), Place.active.is_(True))))
    ids = [pid for pid in stops if pid in active]
    if route.random_order:
        day, index = shift_of(moment, route_timezone(route), site_shift_starts(route.site_id, moment))
        random.Random(f"route:{route.id}:{day.isoformat()}:{index}").shuffle(ids)
    return ids


def route_timezone(route: Route) -> str:
    """The time zone of the route's site."""
    return db.session.get(Site, route.site_id).timezone


# ---------------------------------------------------------------- routes a user may walk


def routes_for(user: User) -> list[Route]:
    """Active routes on the sites where `user` patrols, by site then name."""
    site_ids = user.site_ids(*ROUND_ROLES)
    if not site_ids:
        return []
    query = select(Route).where(Route.site_id.in_(site_ids), Route.active.is_(True)).order_by(Route.site_id, Route.name)
    return list(db.session.scalars(query))


def get_route(user: User, route_id: int) -> Route:
    """An active route on a site where `user` patrols; NotFound otherwise (no leak of other sites)."""
    route = db.session.get(Route, route_id)
    if route is None or not route.active or route.site_id not in user.site_ids(*ROUND_ROLES):
        raise NotFound(_("巡更路线不存在，或您无权查看。"), site_id=other_site(route, user.site_ids(*ROUND_ROLES)))
    return route


def stop_places(route: Route, order: list[int]) -> list[Place]:
    """The places of `order` (ids, stops of `route` then or now), in that order."""
    places = {p.id: p for p in db.session.scalars(select(Place).where(Place.id.in_(order),
                                                                      Place.site_id == route.site_id))}
    return [places[pid] for pid in order if pid in places]


# ---------------------------------------------------------------- start and finish


def start_round(user: User, route_id, receipt: Receipt) -> tuple[Round, bool]:
    """Record that `user` started walking a route at the receipt's device time (the phone's clock).

    The receipt's `client_uuid` is the round's id on the phone (scans name it). The planned order is this
    shift's order at the device time; the window ends `route.window_minutes` later. Returns (round, created):
    a second start with the same round id (two taps, two queued actions) returns the first round.
    Raises NotFound for a route that is not the user's, DomainError for a bad route id.
    """
    if not str(route_id or "").strip().isdigit():
        raise DomainError(_("请选择巡更路线。"), code="invalid_route")
    route = get_route(user, int(route_id))
    existing = find_round(user, receipt.client_uuid)
    if existing is not None:
        return existing, False
    planned = planned_order(route, receipt.device_time)
    window, _stops = route_settings_at(route, receipt.device_time)  # as the route stood when it was started
    round_ = Round(**receipt.columns(), user_id=user.id, site_id=route.site_id, route_id=route.id,
                   planned=",".join(str(pid) for pid in planned),
                   window_ends_at=receipt.device_time + timedelta(minutes=window))
    db.session.add(round_)
    db.session.flush()
    chain.append_records(route.site_id, "round", [round_.id], now=receipt.received_at)
    return round_, True


def finish_of(round_: Round) -> RoundFinish | None:
    """The round's finish record, if it was finished."""
    return db.session.scalar(select(RoundFinish).where(RoundFinish.round_id == round_.id))


def finish_round(user: User, round_uuid: str | None, reason: str | None, receipt: Receipt) -> RoundFinish:
    """Record that `user` finished their round `round_uuid` at the receipt's device time.

    Finishing with stops not scanned is an early finish and needs a `reason` (RoundRefused 422 without).
    A round finishes once: a second finish is refused (409). NotFound for another user's or unknown round.
    """
    round_ = find_round(user, clean_round_key(round_uuid))
    if round_ is None:
        raise NotFound(_("找不到这次巡更，请先开始巡更。"))
    if finish_of(round_) is not None:
        raise DomainError(_("这次巡更已经结束。"), status=409, code="round_finished")
    reason = clean_note(reason)
    remaining = len(set(planned_ids(round_)) - _scanned_place_ids(round_))
    if remaining and not reason:
        raise RoundRefused(_("还有 %(n)d 个巡更点未巡，提前结束请填写原因。", n=remaining), code="reason_required")
    finish = RoundFinish(**receipt.columns(), user_id=user.id, site_id=round_.site_id, round_id=round_.id,
                         reason=reason)
    db.session.add(finish)
    db.session.flush()
    chain.append_records(round_.site_id, "round_finish", [finish.id], now=receipt.received_at)
    return finish


# ---------------------------------------------------------------- the summary


@dataclass(frozen=True)
class StopState:
    """One planned stop of a round: `state` is scanned / missed / pending; `out_of_order` when walked early."""

    place: Place
    state: str
    scanned_at: datetime | None = None
    out_of_order: bool = False


@dataclass
class RoundSummary:
    """What a round came to (issue 4): counts for the supervisor's figures, the stops for the round page."""

    scanned: int
    missed: int
    out_of_order: int
    off_route: int
    exceptions: int
    duration_seconds: float | None
    finished: bool
    incomplete: bool
    early_reason: str = ""
    pending: int = 0
    stops: list[StopState] = field(default_factory=list)
    off_route_places: list[Place] = field(default_factory=list)
    retired_tags: int = 0

    @property
    def planned(self) -> int:
        return self.scanned + self.missed + self.pending

    @property
    def duration_minutes(self) -> int | None:
        return None if self.duration_seconds is None else round(self.duration_seconds / 60)

    @property
    def state(self) -> str:
        """open / finished / incomplete (left open past its window, or finished after it)."""
        if self.incomplete:
            return "incomplete"
        return "finished" if self.finished else "open"


def _round_scans(round_: Round) -> list[Scan]:
    return list(db.session.scalars(select(Scan).where(Scan.round_id == round_.id)
                                   .order_by(Scan.device_time, Scan.id)))


def _scanned_place_ids(round_: Round) -> set[int]:
    rows = db.session.scalars(select(Scan.place_id).where(Scan.round_id == round_.id, Scan.tag_retired.is_(False),
                                                          Scan.off_route.is_(False)))
    return set(rows)


def _exception_count(round_: Round) -> int:
    """Inspections of the round that found something wrong (an inspection corrected later counts as its
    latest correction says)."""
    return sum(not i.all_ok for i in current_versions(
        db.session.scalars(select(Inspection).where(Inspection.round_id == round_.id))))


def round_summary(round_: Round, now: datetime | None = None) -> RoundSummary:
    """Scanned, missed, out-of-order, off-route stops, exceptions and duration of a round.

    A stop counts as scanned by its first valid (live tag, on the route) scan in the round; it is out of
    order when a stop planned after it was scanned before it. Unscanned stops are missed once the round is
    finished or past its window (`incomplete`: not finished by the window's end), pending before. Duration: start to
    finish (phone clock); None while not finished.
    """
    now = now or utcnow()
    finish = finish_of(round_)
    closed = finish is not None or as_utc(round_.window_ends_at) <= as_utc(now)
    scans = _round_scans(round_)
    first_scan: dict[int, Scan] = {}
    for scan in scans:
        if not scan.tag_retired and not scan.off_route:
            first_scan.setdefault(scan.place_id, scan)
    order = planned_ids(round_)
    position = {pid: i for i, pid in enumerate(order)}
    walked = sorted((s for pid, s in first_scan.items() if pid in position), key=lambda s: (s.device_time, s.id))
    out_of_order: set[int] = set()
    highest = -1
    for scan in walked:
        if position[scan.place_id] < highest:
            out_of_order.add(scan.place_id)
        highest = max(highest, position[scan.place_id])
    places = {p.id: p for p in db.session.scalars(select(Place).where(Place.id.in_(order)))} if order else {}
    stops = []
    for pid in order:
        scan = first_scan.get(pid)
        state = "scanned" if scan else ("missed" if closed else "pending")
        stops.append(StopState(places[pid], state, scan.device_time if scan else None, pid in out_of_order))
    off_route = [s for s in scans if s.off_route and not s.tag_retired]
    late_finish = finish is not None and as_utc(finish.device_time) > as_utc(round_.window_ends_at)
    duration = None
    if finish is not None:
        duration = max(0.0, (as_utc(finish.device_time) - as_utc(round_.device_time)).total_seconds())
    return RoundSummary(
        scanned=sum(s.state == "scanned" for s in stops), missed=sum(s.state == "missed" for s in stops),
        pending=sum(s.state == "pending" for s in stops), out_of_order=len(out_of_order), off_route=len(off_route),
        exceptions=_exception_count(round_), duration_seconds=duration, finished=finish is not None,
        incomplete=(finish is None and closed) or late_finish, early_reason=finish.reason if finish else "",
        stops=stops,
        off_route_places=[s.place for s in off_route], retired_tags=sum(s.tag_retired for s in scans),
    )


def summary_message(summary: RoundSummary) -> str:
    """「巡更结束：已巡 5/6，漏巡 1，顺序不对 0，路线外 0，异常 0，用时 23 分钟」."""
    message = _("巡更结束：已巡 %(done)d/%(total)d，漏巡 %(missed)d，顺序不对 %(order)d，路线外 %(off)d，异常 %(exc)d",
                done=summary.scanned, total=summary.planned, missed=summary.missed, order=summary.out_of_order,
                off=summary.off_route, exc=summary.exceptions)
    if summary.duration_minutes is not None:
        message += _("，用时 %(m)d 分钟", m=summary.duration_minutes)
    return message


def rounds_between(site_id: int, start_utc: datetime, end_utc: datetime) -> list[Round]:
    """A site's rounds started (device time) in `[start_utc, end_utc)`, oldest first."""
    query = (select(Round).where(Round.site_id == site_id, Round.device_time >= start_utc, Round.device_time < end_utc)
             .order_by(Round.device_time, Round.id))
    return list(db.session.scalars(query))


def viewable_round(user: User, client_uuid: str) -> Round:
    """A round the user may look at: their own (by client UUID), or — for supervisors/admins of its site —
    anyone's with that UUID. NotFound otherwise."""
    key = parse_key(client_uuid or "")
    round_ = find_round(user, key) if key else None
    if round_ is None and key:
        round_ = db.session.scalar(select(Round).where(Round.client_uuid == key,
                                                       Round.site_id.in_(user.site_ids(*OVERSEERS) or [-1])))
    if round_ is None:
        raise NotFound(_("找不到这次巡更。"))
    return round_


def open_round(user: User, route: Route, now: datetime) -> Round | None:
    """The user's latest round on `route` that is neither finished nor past its window, if any."""
    finished = select(RoundFinish.round_id)
    return db.session.scalar(
        select(Round).where(Round.user_id == user.id, Round.route_id == route.id, Round.window_ends_at > now,
                            Round.id.not_in(finished)).order_by(Round.device_time.desc()).limit(1))


def last_round_start(route: Route) -> datetime | None:
    """When the latest round on `route` (anyone's) started, UTC."""
    value = db.session.scalar(select(Round.device_time).where(Round.route_id == route.id)
                              .order_by(Round.device_time.desc()).limit(1))
    return as_utc(value) if value else None


def next_due(route: Route) -> datetime | None:
    """When the route is next due (UTC): one window after its latest round started; None when never walked
    (due now)."""
    last = last_round_start(route)
    return None if last is None else last + timedelta(minutes=route.window_minutes)


def routes_due(user: User) -> list[tuple[Route, datetime | None, str]]:
    """(route, next due time or None when never walked, site time zone) for each route the user may walk."""
    return [(route, next_due(route), route_timezone(route)) for route in routes_for(user)]
