"""Cleaning setup: the standard task set (C1–C16), task templates, settings and area
assignments, kept by the site admin. Plain arguments (actor, `now=`), flush only; the caller commits once."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import Membership, User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import change_setting
from wuye_field.cleaning import rules
from wuye_field.cleaning.models import (
    ACTIONS, DEFAULT_RECLEAN_HOURS, FREQUENCY_LABELS, SCHEDULE_FIELDS, SCHEDULE_SETTING, AreaAssignment,
    CleaningSettings, CleaningTask,
)
from wuye_field.core.errors import FieldErrors, NotFound, other_site
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Place, Site, places_of_site
from wuye_field.places.services import get_site

CLEANER = "cleaner"
OVERSEERS = ("supervisor", "admin")
ADMIN = "admin"
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


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
    assigned = assignees_by_area(site.id)
    return SiteSetup(site=site, settings=settings_for(site.id), cleaners=site_cleaners(site.id),
                     areas=[(place, tasks[place.id], assigned.get(place.id, [])) for place in areas])


def site_cleaners(site_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.site_id == site_id, Membership.role == CLEANER,
                                            User.active.is_(True)).order_by(User.staff_no)))


def assignees_by_area(site_id: int) -> dict[int, list[User]]:
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


def update_task(actor: User, task_id: int, raw: dict, *, now: datetime | None = None,
                effective_from: datetime | None = None) -> CleaningTask:
    """Adjust a template (its past check-offs keep pointing at it); FieldErrors on bad input.

    Its frequency and deadline (the schedule, C1–C16) change from `effective_from` (default now, never
    earlier): occurrences that started before keep the schedule they were due under. The columns follow
    at once unless the change is scheduled for later."""
    task = admin_task(actor, task_id)
    values, errors = clean_task_values(raw)
    if errors:
        raise FieldErrors(errors)
    now = now or utcnow()
    schedule = {name: values.pop(name) for name in SCHEDULE_FIELDS}
    dated = schedule | {"anchor": schedule["anchor"].isoformat() if schedule["anchor"] else None}
    change_setting(actor, task.site_id, "cleaning_task", SCHEDULE_SETTING, dated, subject_id=task.id, now=now,
                   effective_from=effective_from, default=task.schedule,
                   label=_("保洁任务：%(area)s %(task)s 频次", area=task.place.name, task=task.title))
    if effective_from is None or effective_from <= now:
        for key, value in schedule.items():
            setattr(task, key, value)
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
