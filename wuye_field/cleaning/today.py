"""The cleaner's day: the tasks of one's zone with their slots and what is done, and the place panel.
Plain arguments (actor, `now=`); reads only."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.cleaning import rules
from wuye_field.cleaning.models import AreaAssignment, CleaningTask, ReClean, TaskCheckoff, tasks_of_places
from wuye_field.cleaning.setup import CLEANER, OVERSEERS, settings_for
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Place

# ---------------------------------------------------------------- the cleaner's day


@dataclass
class TaskCard:
    """One occurrence of a task as a card: status from rules (missed / open / upcoming / on_time / late)."""

    task: CleaningTask
    occ: rules.Occurrence
    status: str
    done_at: datetime | None = None
    reclean: ReClean | None = None

    @property
    def is_done(self) -> bool:
        return self.status in (rules.ON_TIME, rules.LATE)

    @property
    def is_overdue(self) -> bool:
        return self.status == rules.MISSED

    @property
    def when(self) -> str:
        """A few words on when: 「08:00–10:00」, 「07:30 前」, 「本月」, 「已超时 · 11-26」, 「返工 · 10:30 前」."""
        occ, task = self.occ, self.task
        tz = ZoneInfo(task.place.site.timezone)
        due = occ.due.astimezone(tz)
        last_day = (due - timedelta(microseconds=1)).strftime("%m-%d")  # a 24:00 deadline belongs to its day
        if self.reclean is not None:
            return _("返工 · %(t)s 前", t=due.strftime("%H:%M"))
        if occ.label:
            text = f"{occ.label}–{due.strftime('%H:%M') if due.time() != time(0) else '24:00'}"
        elif task.done_before:
            text = _("%(t)s 前", t=task.done_before)
        elif task.kind == rules.MONTHLY:
            text = _("本月 %(d)s 前", d=last_day)
        elif task.kind == rules.HALF_YEARLY:
            text = _("半年一次 · %(d)s 前", d=last_day)
        elif task.kind == rules.EVERY_N_DAYS:
            text = _("%(d)s 前", d=last_day)
        else:
            text = _("今天")
        if self.status == rules.MISSED:
            text = _("已超时") + " · " + (last_day if task.frequency.carries else text)
        return text

    @property
    def dom_id(self) -> str:
        return f"clean-{self.task.id}-{self.occ.slot}".replace(":", "")

    @property
    def sort_key(self):
        order = {rules.MISSED: 0, rules.OPEN: 1, rules.UPCOMING: 2, rules.LATE: 3, rules.ON_TIME: 3}
        return order[self.status], self.occ.due, self.task.id


@dataclass
class AreaGroup:
    place: Place
    cards: list[TaskCard]

    @property
    def overdue(self) -> int:
        return sum(card.is_overdue for card in self.cards)

    @property
    def done(self) -> int:
        return sum(card.is_done for card in self.cards)


@dataclass
class TodayView:
    day: date | None
    groups: list[AreaGroup]
    allow_tap: bool

    @property
    def total(self) -> int:
        return sum(len(g.cards) for g in self.groups)

    @property
    def done(self) -> int:
        return sum(g.done for g in self.groups)

    @property
    def overdue(self) -> int:
        return sum(g.overdue for g in self.groups)


def zone_places(user: User) -> list[Place]:
    """The cleaning areas assigned to `user` on the sites where they are a cleaner (their zone)."""
    site_ids = user.site_ids(CLEANER)
    if not site_ids:
        return []
    return list(db.session.scalars(
        select(Place).join(AreaAssignment, AreaAssignment.place_id == Place.id)
        .where(AreaAssignment.user_id == user.id, Place.site_id.in_(site_ids), Place.active.is_(True))
        .order_by(Place.site_id, Place.code)))


def in_zone(user: User, place_id: int) -> bool:
    """Is the area `place_id` in `user`'s zone (assigned, active, on a site where they are a cleaner)?"""
    site_ids = user.site_ids(CLEANER)
    return bool(site_ids) and db.session.scalar(
        select(AreaAssignment.id).join(Place, Place.id == AreaAssignment.place_id)
        .where(AreaAssignment.user_id == user.id, AreaAssignment.place_id == place_id,
               Place.site_id.in_(site_ids), Place.active.is_(True)).limit(1)) is not None


def today_for(user: User, *, now: datetime) -> TodayView:
    """「今日任务」: the user's zone, grouped by area, overdue areas and cards first."""
    places = zone_places(user)
    groups = cards_for_places(places, now=now)
    allow = {site_id: settings_for(site_id).allow_tap for site_id in {p.site_id for p in places}}
    day = rules.local_day(now, ZoneInfo(places[0].site.timezone)) if places else None
    return TodayView(day=day, groups=groups, allow_tap=any(allow.values()))


def cards_for_places(places: list[Place], *, now: datetime) -> list[AreaGroup]:
    """Today's cards (in each site's time zone) for these areas, overdue groups first, then by code."""
    if not places:
        return []
    tasks = list(db.session.scalars(tasks_of_places(p.id for p in places)))
    recleans = _open_recleans([p.id for p in places], now)
    candidates: dict[int, list[rules.Occurrence]] = {}
    tz_of = {p.id: ZoneInfo(p.site.timezone) for p in places}
    for task in tasks:
        tz = tz_of[task.place_id]
        candidates[task.id] = [o for o in rules.candidates_on(task.frequency, rules.local_day(now, tz), tz)
                               if occurrence_counts(task, o)]
    slots = {slot for occs in candidates.values() for slot in (o.slot for o in occs)}
    slots |= {r.slot for r in recleans}
    done = done_map([t.id for t in tasks], slots)
    done_by_task: dict[int, dict[str, datetime]] = defaultdict(dict)
    for (task_id, slot), (when, _user) in done.items():
        done_by_task[task_id][slot] = when
    by_place: dict[int, list[TaskCard]] = defaultdict(list)
    for task in tasks:
        tz = tz_of[task.place_id]
        task_done = done_by_task[task.id]
        for occ in rules.visible_on(task.frequency, rules.local_day(now, tz), tz, task_done):
            if not occurrence_counts(task, occ):
                continue
            done_at = task_done.get(occ.slot)
            by_place[task.place_id].append(TaskCard(task, occ, rules.classify(occ, done_at, now), done_at))
    for reclean in recleans:
        tz = tz_of[reclean.place_id]
        occ = rules.reclean_occurrence(reclean.id, reclean.created_at, reclean.due_at, tz)
        done_at = done.get((reclean.task_id, reclean.slot), (None, None))[0]
        if done_at is None or rules.local_day(done_at, tz) == rules.local_day(now, tz):
            by_place[reclean.place_id].append(
                TaskCard(reclean.task, occ, rules.classify(occ, done_at, now), done_at, reclean))
    groups = [AreaGroup(place, sorted(by_place[place.id], key=lambda c: c.sort_key))
              for place in places if by_place.get(place.id)]
    return sorted(groups, key=lambda g: (g.overdue == 0, g.done == len(g.cards), g.place.code))


def occurrence_counts(task: CleaningTask, occ: rules.Occurrence) -> bool:
    """An occurrence due before its task was set up is not asked for (nor counted as missed)."""
    return occ.due > as_utc(task.created_at)


def _open_recleans(place_ids: list[int], now: datetime) -> list[ReClean]:
    """Re-cleans on these areas raised in the last 60 days (done ones are filtered by the caller)."""
    return list(db.session.scalars(select(ReClean).where(ReClean.place_id.in_(place_ids),
                                                         ReClean.created_at >= now - timedelta(days=60))
                                   .order_by(ReClean.id)))


def done_map(task_ids: list[int], slots: set[str]) -> dict[tuple[int, str], tuple[datetime, int]]:
    """(task, slot) → (earliest done time, who) over the check-offs of these tasks and slots."""
    if not task_ids or not slots:
        return {}
    result: dict[tuple[int, str], tuple[datetime, int]] = {}
    rows = db.session.execute(
        select(TaskCheckoff.task_id, TaskCheckoff.slot, TaskCheckoff.done_at, TaskCheckoff.user_id)
        .where(TaskCheckoff.task_id.in_(task_ids), TaskCheckoff.slot.in_(slots)))
    for task_id, slot, done_at, user_id in rows:
        done_at = as_utc(done_at)
        key = (task_id, slot)
        if key not in result or done_at < result[key][0]:
            result[key] = (done_at, user_id)
    return result


@dataclass
class PlacePanel:
    """The cleaning section of an area's page: its cards, and whether the viewer may check off / spot check."""

    place: Place
    cards: list[TaskCard]
    can_check_off: bool
    can_spot_check: bool
    in_zone: bool


def panel_for(place: Place, user: User, *, now: datetime) -> PlacePanel | None:
    """What the tag page of a cleaning area shows `user`; None when nothing (not cleaning, not their site)."""
    if not place.is_cleaning_area:
        return None
    is_cleaner = place.site_id in user.site_ids(CLEANER)
    overseer = place.site_id in user.site_ids(*OVERSEERS)
    if not (is_cleaner or overseer):
        return None
    mine = is_cleaner and in_zone(user, place.id)
    groups = cards_for_places([place], now=now)
    return PlacePanel(place=place, cards=groups[0].cards if groups else [], can_check_off=mine,
                      can_spot_check=overseer, in_zone=mine)
