"""Cleaning services: the standard task set, area assignments, the cleaner's day, check-offs, spot checks
and the supervisor's reports. Plain arguments (actor, `now=`), flush only; the caller commits once."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.accounts.models import Membership, User
from wuye_field.audit import chain
from wuye_field.audit.services import log_admin_change
from wuye_field.cleaning import rules
from wuye_field.cleaning.models import (
    ACTIONS, DEFAULT_RECLEAN_HOURS, FREQUENCY_LABELS, AreaAssignment, CleaningSettings, CleaningTask,
    ReClean, SpotCheck, SpotCheckItem, TaskCheckoff, tasks_of_places,
)
from wuye_field.core.csv_export import csv_text
from wuye_field.core.errors import DomainError, FieldErrors, NotFound, other_site
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import as_utc, utcnow
from wuye_field.photos import links as defects
from wuye_field.defects import records as defect_records
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.places.models import Place, Site, places_of_site
from wuye_field.places.services import get_site, sites_for
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

CLEANER = "cleaner"
OVERSEERS = ("supervisor", "admin")
ADMIN = "admin"
START_TOLERANCE = timedelta(minutes=60)  # a slot may be checked off up to an hour before it opens
NOTE_MAX = 500
CHECKOFF_PHOTOS = "cleaning_checkoff"  # PhotoLink.owner_kind of check-off photos
SPOT_PHOTOS = "cleaning_spot_check"
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# What each record kind hashes into the site's chain (explicit columns: a column added later never
# changes the content of old records).
CHAIN_KINDS = {
    "cleaning_checkoff": FIELD_COLUMNS + ("task_id", "place_id", "slot", "method", "done_at", "note"),
    "cleaning_spot_check": FIELD_COLUMNS + ("place_id", "note"),
    "cleaning_spot_check_item": ("spot_check_id", "site_id", "task_id", "passed", "cleaner_id", "created_at"),
    "cleaning_reclean": ("site_id", "place_id", "task_id", "spot_check_item_id", "created_at", "due_at"),
}
chain.register_tables(CHAIN_KINDS)


class CheckoffRefused(DomainError):
    """The check-off cannot be stored (wrong slot, photo missing, tapping not allowed here)."""

    status = 422
    code = "checkoff_refused"


# ---------------------------------------------------------------- the standard set (C1–C16)


@dataclass(frozen=True)
class StandardTask:
    """One task of the standard set, applied to areas whose name contains one of `match`."""

    standard: str
    match: tuple[str, ...]
    action: str
    title: str
    kind: str
    values: dict = field(default_factory=dict)


# Titles are stored data in Chinese (the operators' working language); msgids are Chinese too.
STANDARD_SET: tuple[StandardTask, ...] = (
    StandardTask("C1", ("绿地", "绿化", "花园"), "clear", "清理绿地杂物", rules.DAILY),  # C1
    StandardTask("C2", ("干道", "路", "广场"), "sweep", "清扫路面", rules.DAILY),  # C2
    StandardTask("C3", ("干道", "路", "广场", "信报箱", "宣传栏"), "wipe", "擦拭标识、宣传栏、信报箱",
                 rules.MONTHLY),  # C3
    StandardTask("C4", ("干道", "路", "绿地", "水池", "沟", "井"), "clear", "清理水沟、沙井", rules.DAILY,
                 {"photo_required": True}),  # C4
    StandardTask("C5", ("楼道", "楼梯"), "mop", "拖扫楼道楼梯", rules.DAILY),  # C5
    StandardTask("C6", ("电梯厅",), "mop", "拖扫电梯厅", rules.DAILY,
                 {"done_before": "07:30", "photo_required": True}),  # C6, C16
    StandardTask("C7", ("电梯厅", "消防通道"), "mop", "拖洗消防通道", rules.MONTHLY),  # C7
    StandardTask("C8", ("会所", "活动", "游乐"), "sweep", "清扫活动场所", rules.DAILY),  # C8
    StandardTask("C9", ("楼道", "楼梯", "大堂"), "wipe", "擦楼道玻璃窗", rules.MONTHLY),  # C9
    StandardTask("C10", ("大堂", "会所"), "mop", "拖洗大堂地面", rules.DAILY,
                 {"done_before": "07:30", "photo_required": True}),  # C10, C16
    StandardTask("C10", ("大堂", "会所"), "wax", "地面打蜡", rules.HALF_YEARLY,
                 {"anchor": date(2024, 3, 1), "photo_required": True}),  # C10: every 6 months
    StandardTask("C11", ("大堂", "楼道", "电梯厅"), "wipe", "擦信报箱、消防栓箱、扶手", rules.MONTHLY),  # C11
    StandardTask("C12", ("卫生间", "厕所"), "clean", "清洁卫生间", rules.HOURLY,
                 {"every_n": 2, "window_start": "08:00", "window_end": "22:00"}),  # C12
    StandardTask("C13", ("电梯",), "clean", "清洁电梯轿厢", rules.DAILY,
                 {"done_before": "07:30"}),  # C13, C16
    StandardTask("C14", ("垃圾",), "collect", "收集垃圾", rules.TIMES, {"times": "07:00,17:00"}),  # C14
    StandardTask("C14", ("垃圾",), "wash", "冲洗垃圾桶与中转站", rules.DAILY,
                 {"photo_required": True}),  # C14
)
FALLBACK = StandardTask("C8", (), "sweep", "清扫区域", rules.DAILY)  # an area of unknown nature: swept daily


def standard_tasks_for(area_name: str) -> list[StandardTask]:
    """The standard tasks that fit an area by its name (大堂 → C10 mop + wax, C9, C11 …); never empty."""
    found = [task for task in STANDARD_SET if any(word in area_name for word in task.match)]
    return found or [FALLBACK]


def cleaning_areas(site_id: int) -> list[Place]:
    return list(db.session.scalars(places_of_site(site_id, kind="cleaning")))


def apply_standard_set(actor: User, site_id: int, *, now: datetime) -> int:
    """Give every active cleaning area of a site the standard tasks that fit it (C1–C16).

    Idempotent: a task with the same standard and title already on the area is left alone, so an
    adjusted template is never overwritten. Returns the number of tasks created. NotFound if foreign.
    """
    site = get_site(actor, site_id, ADMIN)
    created = add_standard_tasks(site, now=now)
    if created:
        log_admin_change(actor, site.id, _("保洁标准任务"), None, {"tasks_created": created}, now=now)
    return created


def add_standard_tasks(site: Site, *, now: datetime) -> int:
    """Add the standard tasks that fit each cleaning area of `site` and are missing; returns how many."""
    created = 0
    for place in cleaning_areas(site.id):
        existing = {(t.standard, t.title) for t in db.session.scalars(
            select(CleaningTask).where(CleaningTask.place_id == place.id))}
        for spec in standard_tasks_for(place.name):
            if (spec.standard, spec.title) in existing:
                continue
            values = {"every_n": 1, "photo_required": False} | spec.values
            db.session.add(CleaningTask(site_id=site.id, place_id=place.id, action=spec.action, title=spec.title,
                                        standard=spec.standard, kind=spec.kind, created_at=now, **values))
            existing.add((spec.standard, spec.title))
            created += 1
    db.session.flush()
    return created


# ---------------------------------------------------------------- templates (admin)

TASK_FIELDS = ("title", "action", "kind", "every_n", "window_start", "window_end", "times", "weekdays",
               "month_day", "anchor", "done_before", "photo_required")


@dataclass
class SiteSetup:
    """The admin page of a site's cleaning: areas with their tasks and cleaners, the site's cleaners."""

    site: Site
    settings: CleaningSettings
    areas: list[tuple[Place, list[CleaningTask], list[User]]]
    cleaners: list[User]


def site_setup(actor: User, site_id: int) -> SiteSetup:
    """What the cleaning admin page shows; NotFound unless `actor` administers the site."""
    site = get_site(actor, site_id, ADMIN)
    areas = cleaning_areas(site.id)
    tasks = defaultdict(list)
    for task in db.session.scalars(select(CleaningTask).where(CleaningTask.site_id == site.id)
                                   .order_by(CleaningTask.place_id, CleaningTask.id)):
        tasks[task.place_id].append(task)
    assigned = _assignees(site.id)
    return SiteSetup(site=site, settings=settings_for(site.id), cleaners=site_cleaners(site.id),
                     areas=[(place, tasks[place.id], assigned.get(place.id, [])) for place in areas])


def site_cleaners(site_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.site_id == site_id, Membership.role == CLEANER,
                                            User.active.is_(True)).order_by(User.staff_no)))


def _assignees(site_id: int) -> dict[int, list[User]]:
    rows = db.session.execute(select(AreaAssignment.place_id, User).join(User, User.id == AreaAssignment.user_id)
                              .where(AreaAssignment.site_id == site_id).order_by(User.staff_no))
    result: dict[int, list[User]] = defaultdict(list)
    for place_id, user in rows:
        result[place_id].append(user)
    return result


def settings_for(site_id: int) -> CleaningSettings:
    """The site's cleaning settings (defaults when never saved; not added to the session)."""
    return db.session.get(CleaningSettings, site_id) or CleaningSettings(
        site_id=site_id, allow_tap=False, reclean_hours=DEFAULT_RECLEAN_HOURS)


def update_settings(actor: User, site_id: int, *, allow_tap: bool, reclean_hours: str) -> CleaningSettings:
    """Save whether cleaners may tap without scanning and the re-clean time (1–48 h); FieldErrors."""
    site = get_site(actor, site_id, ADMIN)
    hours = _int(reclean_hours, 1, 48)
    if hours is None:
        raise FieldErrors({"reclean_hours": _("返工时限须为 1–48 小时的整数。")})
    settings = db.session.get(CleaningSettings, site.id)
    if settings is None:
        settings = CleaningSettings(site_id=site.id)
        db.session.add(settings)
    before = {"allow_tap": settings.allow_tap, "reclean_hours": settings.reclean_hours}
    settings.allow_tap, settings.reclean_hours = allow_tap, hours
    db.session.flush()
    after = {"allow_tap": allow_tap, "reclean_hours": hours}
    if before != after:
        log_admin_change(actor, site.id, _("保洁设置"), before, after, now=utcnow())
    return settings


def admin_task(actor: User, task_id: int) -> CleaningTask:
    """A task on a site `actor` administers; NotFound otherwise."""
    task = db.session.get(CleaningTask, task_id)
    if task is None or task.site_id not in actor.site_ids(ADMIN):
        raise NotFound(_("任务不存在，或您无权查看。"), site_id=other_site(task, actor.site_ids(ADMIN)))
    return task


def admin_area(actor: User, place_id: int) -> Place:
    """A cleaning area on a site `actor` administers; NotFound otherwise."""
    place = db.session.get(Place, place_id)
    if place is None or not place.is_cleaning_area or place.site_id not in actor.site_ids(ADMIN):
        raise NotFound(_("保洁区域不存在，或您无权查看。"))
    return place


def task_values(task: CleaningTask | None) -> dict[str, str]:
    """A template's values as the form shows them (defaults for a new task)."""
    if task is None:
        return {"title": "", "action": "sweep", "kind": rules.DAILY, "every_n": "1", "window_start": "08:00",
                "window_end": "22:00", "times": "", "weekdays": "", "month_day": "31", "anchor": "",
                "done_before": "", "photo_required": ""}
    return {"title": task.title, "action": task.action, "kind": task.kind, "every_n": str(task.every_n),
            "window_start": task.window_start, "window_end": task.window_end, "times": task.times,
            "weekdays": task.weekdays, "month_day": str(task.month_day),
            "anchor": task.anchor.isoformat() if task.anchor else "", "done_before": task.done_before or "",
            "photo_required": "1" if task.photo_required else ""}


def clean_task_values(raw: dict) -> tuple[dict, dict[str, str]]:
    """Normalise a posted task form: (values for CleaningTask, {field: Chinese message})."""
    errors: dict[str, str] = {}
    title = clean_text(raw.get("title"))
    if not title:
        errors["title"] = _("请填写任务内容，例如 拖洗大堂地面。")
    elif len(title) > 60:
        errors["title"] = _("任务内容最多 60 个字。")
    elif message := text_problem(raw.get("title")):
        errors["title"] = message
    action = str(raw.get("action") or "")
    if action not in ACTIONS:
        errors["action"] = _("请选择做什么。")
    kind = str(raw.get("kind") or "")
    if kind not in FREQUENCY_LABELS:
        errors["kind"] = _("请选择频次。")
    values = {"title": title, "action": action, "kind": kind, "every_n": 1, "window_start": "08:00",
              "window_end": "22:00", "times": "", "weekdays": "", "month_day": 31, "anchor": date(2024, 1, 1),
              "done_before": None, "photo_required": str(raw.get("photo_required") or "") in ("1", "on", "true")}
    if kind == rules.HOURLY:
        values["every_n"] = _int(raw.get("every_n"), 1, 12)
        if values["every_n"] is None:
            errors["every_n"] = _("间隔须为 1–12 小时的整数。")
        for name in ("window_start", "window_end"):
            text = str(raw.get(name) or "").strip()
            if not HHMM_RE.match(text):
                errors[name] = _("时间格式为 时:分，例如 08:00。")
            values[name] = text
        if not errors.keys() & {"window_start", "window_end"} and values["window_end"] != "00:00" \
                and values["window_end"] <= values["window_start"]:
            errors["window_end"] = _("结束时间须晚于开始时间。")
    elif kind == rules.TIMES:
        parts = [p.strip() for p in re.split(r"[,，、\s]+", str(raw.get("times") or "")) if p.strip()]
        if not parts or not all(HHMM_RE.match(p) for p in parts):
            errors["times"] = _("请填写时间，用逗号分开，例如 07:00,17:00。")
        elif len(parts) > 12:
            errors["times"] = _("每天最多 12 个时间。")
        values["times"] = ",".join(sorted(set(parts)))
    elif kind == rules.EVERY_N_DAYS:
        values["every_n"] = _int(raw.get("every_n"), 2, 90)
        if values["every_n"] is None:
            errors["every_n"] = _("间隔须为 2–90 天的整数。")
        anchor = _date(raw.get("anchor"))
        if anchor is None:
            errors["anchor"] = _("请选择第一轮的日期（格式 2026-11-01）。")
        values["anchor"] = anchor or date(2024, 1, 1)
    elif kind == rules.WEEKLY:
        raw_days = raw.get("weekdays") or ""
        days = raw_days if isinstance(raw_days, list) else str(raw_days).split(",")
        picked = sorted({int(d) for d in days if str(d).strip() in {"0", "1", "2", "3", "4", "5", "6"}})
        if not picked:
            errors["weekdays"] = _("请至少选择一天。")
        values["weekdays"] = ",".join(str(d) for d in picked)
    elif kind in (rules.MONTHLY, rules.HALF_YEARLY):
        values["month_day"] = _int(raw.get("month_day"), 1, 31)
        if values["month_day"] is None:
            errors["month_day"] = _("日期须为 1–31（31 表示月底）。")
        if kind == rules.HALF_YEARLY:
            anchor = _date(raw.get("anchor"))
            if anchor is None:
                errors["anchor"] = _("请选择第一次做的月份（日期格式 2026-03-01）。")
            values["anchor"] = anchor or date(2024, 1, 1)
    done_before = str(raw.get("done_before") or "").strip()
    if done_before:
        if not HHMM_RE.match(done_before):
            errors["done_before"] = _("时间格式为 时:分，例如 07:30。")
        elif kind in (rules.HOURLY, rules.TIMES):
            errors["done_before"] = _("按小时或定时的任务不能再设「几点前完成」。")
        values["done_before"] = done_before
    return values, errors


def create_task(actor: User, place_id: int, raw: dict, *, now: datetime) -> CleaningTask:
    """Add a task template to a cleaning area; FieldErrors on bad input, NotFound if foreign."""
    place = admin_area(actor, place_id)
    values, errors = clean_task_values(raw)
    if errors:
        raise FieldErrors(errors)
    task = CleaningTask(site_id=place.site_id, place_id=place.id, created_at=now, **values)
    db.session.add(task)
    db.session.flush()
    _log_task_change(actor, task, None, values)
    return task


def update_task(actor: User, task_id: int, raw: dict) -> CleaningTask:
    """Adjust a template (its past check-offs keep pointing at it); FieldErrors on bad input."""
    task = admin_task(actor, task_id)
    values, errors = clean_task_values(raw)
    if errors:
        raise FieldErrors(errors)
    before = {key: getattr(task, key) for key in values}
    for key, value in values.items():
        setattr(task, key, value)
    db.session.flush()
    changed = [key for key in values if before[key] != values[key]]
    if changed:
        _log_task_change(actor, task, {k: before[k] for k in changed}, {k: values[k] for k in changed})
    return task


def _log_task_change(actor: User, task: CleaningTask, before: dict | None, after: dict | None) -> None:
    """Who changed a cleaning schedule, from what to what (H5, issue 7's admin log)."""
    log_admin_change(actor, task.site_id, _("保洁任务：%(area)s %(task)s", area=task.place.name, task=task.title),
                     before, after, now=utcnow())


def set_task_active(actor: User, task_id: int, active: bool) -> CleaningTask:
    """Stop (or resume) a task; it is never deleted, its check-offs stay."""
    task = admin_task(actor, task_id)
    if task.active != active:
        task.active = active
        db.session.flush()
        _log_task_change(actor, task, {"active": not active}, {"active": active})
    return task


def assign_cleaners(actor: User, place_id: int, user_ids: list[int]) -> list[User]:
    """Set the cleaners of an area (several allowed) to exactly `user_ids`, cleaners of its site only."""
    place = admin_area(actor, place_id)
    allowed = {u.id: u for u in site_cleaners(place.site_id)}
    wanted = {uid for uid in user_ids if uid in allowed}
    if set(user_ids) - wanted:
        raise FieldErrors({"cleaners": _("只能选择本小区的保洁员。")})
    rows = db.session.scalars(select(AreaAssignment).where(AreaAssignment.place_id == place.id))
    current = {a.user_id: a for a in rows}
    for uid, row in current.items():
        if uid not in wanted:
            db.session.delete(row)
    for uid in wanted - current.keys():
        db.session.add(AreaAssignment(site_id=place.site_id, place_id=place.id, user_id=uid))
    db.session.flush()
    if wanted != set(current):
        log_admin_change(actor, place.site_id, _("保洁区域 %(area)s 的保洁员", area=place.name),
                         sorted(current), sorted(wanted), now=utcnow())
    return [allowed[uid] for uid in sorted(wanted)]


def _int(raw, low: int, high: int) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        return None
    return int(text)


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


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
                               if _counts(task, o)]
    slots = {slot for occs in candidates.values() for slot in (o.slot for o in occs)}
    slots |= {r.slot for r in recleans}
    done = _done_map([t.id for t in tasks], slots)
    done_by_task: dict[int, dict[str, datetime]] = defaultdict(dict)
    for (task_id, slot), (when, _user) in done.items():
        done_by_task[task_id][slot] = when
    by_place: dict[int, list[TaskCard]] = defaultdict(list)
    for task in tasks:
        tz = tz_of[task.place_id]
        task_done = done_by_task[task.id]
        for occ in rules.visible_on(task.frequency, rules.local_day(now, tz), tz, task_done):
            if not _counts(task, occ):
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


def _counts(task: CleaningTask, occ: rules.Occurrence) -> bool:
    """An occurrence due before its task was set up is not asked for (nor counted as missed)."""
    return occ.due > as_utc(task.created_at)


def _open_recleans(place_ids: list[int], now: datetime) -> list[ReClean]:
    """Re-cleans on these areas raised in the last 60 days (done ones are filtered by the caller)."""
    return list(db.session.scalars(select(ReClean).where(ReClean.place_id.in_(place_ids),
                                                         ReClean.created_at >= now - timedelta(days=60))
                                   .order_by(ReClean.id)))


def _done_map(task_ids: list[int], slots: set[str]) -> dict[tuple[int, str], tuple[datetime, int]]:
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


# ---------------------------------------------------------------- check-off (a field record)


@dataclass
class CheckoffResult:
    checkoff: TaskCheckoff
    occurrence: rules.Occurrence
    status: str
    repeated: bool
    pending_photos: int = 0

    @property
    def message(self) -> str:
        task = self.checkoff.task
        text = _("已完成：%(area)s · %(task)s", area=task.place.name, task=task.title)
        if self.repeated:
            text += _("（之前已有人完成）")
        elif self.status == rules.LATE:
            text += _("（超时完成）")
        if self.pending_photos:
            text += _("（%(n)d 张照片待上传）", n=self.pending_photos)
        return text


def record_checkoff(actor: User, *, task_id: int, slot: str, method: str, photo_ids: list[str], note: str,
                    receipt: Receipt) -> CheckoffResult:
    """Store a cleaner's check-off of one occurrence of a task in their zone.

    Raises NotFound (task not in the actor's zone), CheckoffRefused (422: unknown slot, not open yet,
    photo required, tapping not allowed on this site). A second check-off of a done occurrence is stored
    too (records are never dropped) and reported as `repeated`; reports count the occurrence once.
    """
    note = clean_note(note)
    task = db.session.get(CleaningTask, task_id)
    if task is None or not task.active or not in_zone(actor, task.place_id):
        raise NotFound(_("任务不存在，或不在您的保洁区域。"))
    if method not in ("scan", "tap"):
        raise CheckoffRefused(_("打卡方式无效。"))
    if method == "tap" and not settings_for(task.site_id).allow_tap:
        raise CheckoffRefused(_("本小区须在区域扫码后打卡。"), status=403, code="scan_required")
    tz = ZoneInfo(task.place.site.timezone)
    occ = _occurrence(task, slot, tz)
    if occ is None:
        raise CheckoffRefused(_("任务时间无效，请刷新页面后重试。"))
    done_at = rules.effective_done_at(receipt.device_time, receipt.received_at, receipt.skew_seconds)
    if done_at < occ.start - START_TOLERANCE:
        raise CheckoffRefused(_("还没到这项任务的时间（%(t)s 开始）。", t=occ.start.strftime("%m-%d %H:%M")))
    if task.photo_required and not photo_ids:
        raise CheckoffRefused(_("这项任务需要拍照，请拍照后再提交。"), code="photo_required")
    repeated = (task.id, slot) in _done_map([task.id], {slot})
    checkoff = TaskCheckoff(
        **receipt.columns(), user_id=actor.id, site_id=task.site_id,
        task_id=task.id, place_id=task.place_id, slot=slot, method=method, done_at=done_at, note=note,
    )
    db.session.add(checkoff)
    db.session.flush()
    pending = defects.link_photos(CHECKOFF_PHOTOS, checkoff.id, user_id=actor.id, site_id=task.site_id,
                                  photo_ids=photo_ids)
    chain.append_records(task.site_id, "cleaning_checkoff", [checkoff.id], now=receipt.received_at)
    return CheckoffResult(checkoff, occ, rules.classify(occ, done_at, receipt.received_at), repeated, pending)


def _occurrence(task: CleaningTask, slot: str, tz) -> rules.Occurrence | None:
    if slot.startswith("R") and slot[1:].isdigit():
        reclean = db.session.get(ReClean, int(slot[1:]))
        if reclean is None or reclean.task_id != task.id:
            return None
        return rules.reclean_occurrence(reclean.id, as_utc(reclean.created_at), as_utc(reclean.due_at), tz)
    return rules.occurrence_for_slot(task.frequency, slot, tz)


def clean_note(raw: str | None) -> str:
    """A problem noted with a record (`clean_text`, ≤ 500 characters); DomainError (400) when longer."""
    note = clean_text(raw, multiline=True)
    if len(note) > NOTE_MAX:
        raise DomainError(_("备注最多 %(n)d 个字。", n=NOTE_MAX), code="note_too_long")
    return note


# ---------------------------------------------------------------- spot check (抽查)


@dataclass
class SpotForm:
    place: Place
    tasks: list[CleaningTask]
    reclean_hours: int


def spot_form(actor: User, place_id: int) -> SpotForm:
    """The spot-check form of an area for a supervisor/admin of its site; NotFound otherwise."""
    place = _overseen_area(actor, place_id)
    tasks = list(db.session.scalars(tasks_of_places([place.id])))
    return SpotForm(place=place, tasks=tasks, reclean_hours=settings_for(place.site_id).reclean_hours)


def _overseen_area(actor: User, place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    if (place is None or not place.active or not place.is_cleaning_area
            or place.site_id not in actor.site_ids(*OVERSEERS)):
        raise NotFound(_("保洁区域不存在，或您无权查看。"))
    return place


def record_spot_check(actor: User, place_id: int, *, results: dict[int, bool], reclean: bool,
                      photo_ids: list[str], note: str, receipt: Receipt) -> tuple[SpotCheck, list[ReClean]]:
    """Store a spot check: pass/fail per task, counted against the area and the responsible cleaner
    (who last checked the task off, else its first assigned cleaner). A failure needs a photo; with
    `reclean`, each failed task gets a re-clean due within the site's re-clean hours.

    Raises NotFound (area not overseen by actor, or a task not of this area) or CheckoffRefused (422).
    """
    note = clean_note(note)
    place = _overseen_area(actor, place_id)
    tasks = {t.id: t for t in db.session.scalars(tasks_of_places([place.id]))}
    if not results:
        raise CheckoffRefused(_("请至少为一项任务选择合格或不合格。"))
    if set(results) - tasks.keys():
        raise NotFound(_("任务不存在，或不属于这个区域。"))
    if not all(results.values()) and not photo_ids:
        raise CheckoffRefused(_("不合格须拍照留证。"), code="photo_required")
    check = SpotCheck(**receipt.columns(), user_id=actor.id, site_id=place.site_id,
                      place_id=place.id, note=note)
    db.session.add(check)
    db.session.flush()
    defects.link_photos(SPOT_PHOTOS, check.id, user_id=actor.id, site_id=place.site_id, photo_ids=photo_ids)
    hours = settings_for(place.site_id).reclean_hours
    assignees = _assignees(place.site_id).get(place.id, [])
    raised = []
    for task_id, passed in sorted(results.items()):
        item = SpotCheckItem(spot_check_id=check.id, site_id=place.site_id, task_id=task_id, passed=passed,
                             cleaner_id=_responsible(task_id, receipt.received_at, assignees),
                             created_at=receipt.received_at)
        db.session.add(item)
        db.session.flush()
        if not passed and reclean:
            row = ReClean(site_id=place.site_id, place_id=place.id, task_id=task_id, spot_check_item_id=item.id,
                          created_at=receipt.received_at, due_at=receipt.received_at + timedelta(hours=hours))
            db.session.add(row)
            raised.append(row)
    db.session.flush()
    now = receipt.received_at
    chain.append_records(place.site_id, "cleaning_spot_check", [check.id], now=now)
    chain.append_records(place.site_id, "cleaning_spot_check_item", [i.id for i in check.items], now=now)
    chain.append_records(place.site_id, "cleaning_reclean", [r.id for r in raised], now=now)
    return check, raised


def _responsible(task_id: int, now: datetime, assignees: list[User]) -> int | None:
    last = db.session.scalar(select(TaskCheckoff.user_id).where(TaskCheckoff.task_id == task_id,
                                                                TaskCheckoff.done_at <= now)
                             .order_by(TaskCheckoff.done_at.desc()).limit(1))
    return last if last is not None else (assignees[0].id if assignees else None)


# ---------------------------------------------------------------- supervisor reports


@dataclass
class Tally:
    """Counts of occurrences: due = on_time + late + missed + open (+ upcoming)."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    open: int = 0
    spot_pass: int = 0
    spot_fail: int = 0

    def add(self, status: str) -> None:
        self.due += 1
        if status == rules.ON_TIME:
            self.on_time += 1
        elif status == rules.LATE:
            self.late += 1
        elif status == rules.MISSED:
            self.missed += 1
        else:
            self.open += 1

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> str:
        return f"{round(100 * self.on_time / self.due)}%" if self.due else "—"


@dataclass
class Row:
    """One occurrence in a report."""

    day: date
    task: CleaningTask
    occ: rules.Occurrence
    status: str
    done_at: datetime | None
    done_by: User | None
    method: str = ""
    photos: int = 0
    note: str = ""
    skew_flagged: bool = False


@dataclass
class DayReport:
    site: Site
    day: date
    total: Tally
    by_area: list[tuple[Place, Tally]]
    by_cleaner: list[tuple[str, Tally]]
    rows: list[Row]
    carried: list[Row]
    issues: list[Defect] = field(default_factory=list)

    @property
    def missed_rows(self) -> list[Row]:
        return [r for r in self.rows if r.status == rules.MISSED]


def overseen_sites(actor: User) -> list[Site]:
    """The sites whose cleaning `actor` supervises or administers, by name."""
    return sites_for(actor, *OVERSEERS)


def report_rows(site: Site, first: date, last: date, *, now: datetime) -> list[Row]:
    """Every occurrence counted on the site's local days first…last with its status, by day and area."""
    tz = ZoneInfo(site.timezone)
    places = cleaning_areas(site.id)
    tasks = list(db.session.scalars(tasks_of_places(p.id for p in places)))
    occs = [(task, occ) for task in tasks for occ in rules.occurrences_between(task.frequency, first, last, tz)
            if _counts(task, occ)]
    start, end = rules.at(first, time(0), tz), rules.end_of_day(last, tz)
    recleans = list(db.session.scalars(select(ReClean).where(
        ReClean.site_id == site.id, ReClean.due_at >= as_utc(start), ReClean.due_at < as_utc(end))))
    occs += [(r.task, rules.reclean_occurrence(r.id, as_utc(r.created_at), as_utc(r.due_at), tz)) for r in recleans]
    checkoffs = _checkoffs([t.id for t in tasks], {o.slot for _t, o in occs})
    users = _users({c.user_id for c in checkoffs.values()})
    photos = _photo_counts([c.id for c in checkoffs.values()])
    rows = []
    for task, occ in occs:
        first_done = checkoffs.get((task.id, occ.slot))
        done_at = as_utc(first_done.done_at) if first_done else None
        rows.append(Row(occ.day, task, occ, rules.classify(occ, done_at, now), done_at,
                        users.get(first_done.user_id) if first_done else None,
                        first_done.method if first_done else "",
                        photos.get(first_done.id, 0) if first_done else 0,
                        first_done.note if first_done else "", bool(first_done and first_done.skew_flagged)))
    rows.sort(key=lambda r: (r.day, r.task.place.code, r.occ.due, r.task.id))
    return rows


def _checkoffs(task_ids: list[int], slots: set[str]) -> dict[tuple[int, str], TaskCheckoff]:
    """(task, slot) → its earliest check-off."""
    if not task_ids or not slots:
        return {}
    result: dict[tuple[int, str], TaskCheckoff] = {}
    for row in db.session.scalars(select(TaskCheckoff).where(TaskCheckoff.task_id.in_(task_ids),
                                                             TaskCheckoff.slot.in_(slots))
                                  .order_by(TaskCheckoff.done_at, TaskCheckoff.id)):
        result.setdefault((row.task_id, row.slot), row)
    return result


def _photo_counts(checkoff_ids: list[int]) -> dict[int, int]:
    return defects.photo_counts(CHECKOFF_PHOTOS, checkoff_ids)


def _users(ids) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def day_report(actor: User, site_id: int, day: date, *, now: datetime) -> DayReport:
    """Per site and local day: due, on time, late, missed; per area and per cleaner; spot checks; and
    the missed occurrences of longer frequencies that are still not done. NotFound unless overseer."""
    site = get_site(actor, site_id, *OVERSEERS)
    rows = report_rows(site, day, day, now=now)
    return _day_report(site, day, rows, now=now)


def _day_report(site: Site, day: date, rows: list[Row], *, now: datetime) -> DayReport:
    tz = ZoneInfo(site.timezone)
    total, areas, cleaners = Tally(), {}, defaultdict(Tally)
    assignees = _assignees(site.id)
    for row in rows:
        total.add(row.status)
        areas.setdefault(row.task.place_id, (row.task.place, Tally()))[1].add(row.status)
        for name in _charged(row, assignees):
            cleaners[name].add(row.status)
    _add_spot_checks(site, day, tz, areas, cleaners)
    carried = _carried(site, day, tz, now)
    by_area = sorted(areas.values(), key=lambda pair: pair[0].code)
    start, end = as_utc(rules.at(day, time(0), tz)), as_utc(rules.end_of_day(day, tz))
    areas_ids = [place.id for place in cleaning_areas(site.id)]
    issues = defect_records.defects_at_places(site.id, areas_ids, start, end)  # found at cleaning areas that day
    return DayReport(site=site, day=day, total=total, by_area=by_area, by_cleaner=sorted(cleaners.items()),
                     rows=rows, carried=carried, issues=issues)


def _charged(row: Row, assignees: dict[int, list[User]]) -> list[str]:
    """Whom an occurrence counts for: who did it; if nobody did, every cleaner of the area."""
    if row.done_by is not None:
        return [row.done_by.name]
    people = assignees.get(row.task.place_id, [])
    return [u.name for u in people] or [_("（未分配）")]


def _add_spot_checks(site: Site, day: date, tz, areas: dict, cleaners: dict) -> None:
    start, end = as_utc(rules.at(day, time(0), tz)), as_utc(rules.end_of_day(day, tz))
    checks = db.session.scalars(select(SpotCheck).where(SpotCheck.site_id == site.id, SpotCheck.received_at >= start,
                                                        SpotCheck.received_at < end))
    users = {}
    for check in checks:
        for item in check.items:
            tally = areas.setdefault(item.task.place_id, (item.task.place, Tally()))[1]
            if item.cleaner_id is not None and item.cleaner_id not in users:
                users[item.cleaner_id] = db.session.get(User, item.cleaner_id)
            person = users[item.cleaner_id].name if item.cleaner_id else _("（未分配）")
            for target in (tally, cleaners[person]):
                if item.passed:
                    target.spot_pass += 1
                else:
                    target.spot_fail += 1


def _carried(site: Site, day: date, tz, now: datetime) -> list[Row]:
    """Occurrences of longer frequencies counted before `day` that are past due and still not done."""
    tasks = [t for t in db.session.scalars(tasks_of_places(p.id for p in cleaning_areas(site.id)))
             if t.frequency.carries]
    found = [(t, occ) for t in tasks if (occ := rules.previous_occurrence(t.frequency, day, tz)) is not None
             and occ.due < now and _counts(t, occ)]
    done = _done_map([t.id for t, _o in found], {o.slot for _t, o in found})
    return [Row(occ.day, t, occ, rules.MISSED, None, None) for t, occ in found if (t.id, occ.slot) not in done]


@dataclass
class WeekReport:
    site: Site
    monday: date
    days: list[tuple[date, Tally]]
    by_area: list[tuple[Place, Tally]]
    total: Tally


def week_report(actor: User, site_id: int, day: date, *, now: datetime) -> WeekReport:
    """The Monday–Sunday week containing `day`: counts per day and per area. NotFound unless overseer."""
    site = get_site(actor, site_id, *OVERSEERS)
    monday = rules.week_start(day)
    rows = report_rows(site, monday, monday + timedelta(days=6), now=now)
    days = {monday + timedelta(days=i): Tally() for i in range(7)}
    areas: dict[int, tuple[Place, Tally]] = {}
    total = Tally()
    for row in rows:
        days[row.day].add(row.status)
        areas.setdefault(row.task.place_id, (row.task.place, Tally()))[1].add(row.status)
        total.add(row.status)
    return WeekReport(site=site, monday=monday, days=list(days.items()),
                      by_area=sorted(areas.values(), key=lambda p: p[0].code), total=total)


STATUS_LABELS = {
    rules.ON_TIME: _l("按时完成"), rules.LATE: _l("超时完成"), rules.MISSED: _l("未完成"), rules.OPEN: _l("进行中"),
    rules.UPCOMING: _l("未开始"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def export_csv(actor: User, site_id: int, first: date, last: date, *, now: datetime) -> str:
    """The occurrences of a site's local days first…last as CSV text (UTF-8 with BOM, Excel opens it).

    NotFound unless `actor` supervises or administers the site.
    """
    site = get_site(actor, site_id, *OVERSEERS)
    tz = ZoneInfo(site.timezone)
    header = [_("日期"), _("小区"), _("区域编号"), _("区域"), _("任务"), _("标准"), _("频次"), _("时段"), _("截止"),
              _("状态"), _("完成时间"), _("完成人"), _("方式"), _("照片"), _("备注")]
    rows = ([
        row.day.isoformat(), site.name, row.task.place.code, row.task.place.name, row.task.title,
        row.task.standard or "", row.task.frequency_label, row.occ.slot,
        row.occ.due.astimezone(tz).strftime("%Y-%m-%d %H:%M"), status_label(row.status),
        row.done_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if row.done_at else "",
        row.done_by.name if row.done_by else "", {"scan": _("扫码"), "tap": _("点击")}.get(row.method, ""),
        row.photos, row.note,
    ] for row in report_rows(site, first, last, now=now))
    return csv_text(header, rows)
