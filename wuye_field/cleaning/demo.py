"""Cleaning demo data: the standard tasks on DEMO's cleaning areas, cleaner01's zone, tapping allowed."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.cleaning import checkoff, rules, setup
from wuye_field.cleaning.models import AreaAssignment, CleaningSettings, tasks_of_places
from wuye_field.cleaning.today import occurrence_counts
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.photos.demo import demo_photo
from wuye_field.places.models import Site
from wuye_field.sync.history import history_days, local, past_receipt, seeded, stable_key


def load_cleaning_demo(site: Site, *, now: datetime | None = None) -> None:
    """Give the demo site's cleaning areas the standard set (C1–C16), put every area in
    cleaner01's zone and let cleaners tap cards without scanning. Idempotent: only what is missing is added."""
    db.session.flush()
    setup.add_standard_tasks(site, now=now or utcnow())
    cleaner = db.session.scalar(select(User).where(User.staff_no == "cleaner01"))
    if cleaner is not None:
        assigned = set(db.session.scalars(select(AreaAssignment.place_id).where(AreaAssignment.user_id == cleaner.id)))
        for place in setup.cleaning_areas(site.id):
            if place.id not in assigned:
                db.session.add(AreaAssignment(site_id=site.id, place_id=place.id, user_id=cleaner.id))
    if db.session.get(CleaningSettings, site.id) is None:
        db.session.add(CleaningSettings(site_id=site.id, allow_tap=True, reclean_hours=2))
    db.session.flush()


# ---------------------------------------------------------------- the demo's past (issue 12)

LATE_SHARE, MISSED_SHARE = 0.05, 0.03  # of occurrences: done after the deadline, never done (cleaning misses)
SPOT_DAY = 2  # Wednesdays: the supervisor's spot check of one area


def cleaning_history(site: Site, days: int, now: datetime) -> None:
    """`days` days of cleaner01's check-offs of every task occurrence up to `now` (mostly on time, a few
    late, a few missed, photos where the task asks for one) and a weekly spot check by supervisor01 —
    every other one failing a task, re-cleaned within the re-clean hours. Through the phone's services."""
    cleaner = db.session.scalar(select(User).where(User.staff_no == "cleaner01"))
    supervisor = db.session.scalar(select(User).where(User.staff_no == "supervisor01"))
    if cleaner is None or supervisor is None:
        return
    tz = ZoneInfo(site.timezone)
    rng = seeded(site.code, "cleaning")
    areas = setup.cleaning_areas(site.id)
    tasks = list(db.session.scalars(tasks_of_places(p.id for p in areas)))
    for n, day in enumerate(history_days(site.timezone, days, now)):
        for task in tasks:
            for occ in rules.occurrences_between(task.frequency, day, day, tz):
                if not occurrence_counts(task, occ) or rng.random() < MISSED_SHARE:
                    continue
                _check_off(cleaner, task, occ, rng, now)
        if day.weekday() == SPOT_DAY:
            _spot_check(supervisor, cleaner, areas[n % len(areas)], day, n, site.timezone, now)


def _check_off(cleaner: User, task, occ, rng, now: datetime) -> None:
    start, due = rules.as_utc(occ.start), rules.as_utc(occ.due)
    if rng.random() < LATE_SHARE:
        at = due + timedelta(minutes=rng.uniform(15, 90))
    else:
        if due - start > timedelta(days=1):  # a weekly or monthly task: done in its last day
            start = due - timedelta(hours=20)
        at = start + (due - start) * rng.uniform(0.15, 0.9)
    if at > now:
        return
    key = stable_key("checkoff", task.id, occ.slot)
    photos = [demo_photo(cleaner, stable_key(key, "photo"), at, (110, 140, 90))] if task.photo_required else []
    checkoff.record_checkoff(cleaner, task_id=task.id, slot=occ.slot, method="tap", photo_ids=photos, note="",
                             receipt=past_receipt(key, at, now=now))


def _spot_check(supervisor: User, cleaner: User, area, day, n: int, tz_name: str, now: datetime) -> None:
    at = local(day, "15:00", tz_name)
    tasks = list(db.session.scalars(tasks_of_places([area.id])))
    if at > now or not tasks:
        return
    fail = (n // 7) % 2 == 1
    results = {t.id: not (fail and i == 0) for i, t in enumerate(tasks)}
    key = stable_key("spot", area.id, day)
    photos = [demo_photo(supervisor, stable_key(key, "photo"), at, (150, 120, 90))] if fail else []
    _check, raised = checkoff.record_spot_check(
        supervisor, area.id, results=results, reclean=fail, photo_ids=photos,
        note="地面有污渍，需返工" if fail else "", receipt=past_receipt(key, at, now=now))
    for reclean in raised:  # the cleaner re-cleans within the hour
        done = at + timedelta(minutes=50)
        if done <= now:
            checkoff.record_checkoff(cleaner, task_id=reclean.task_id, slot=f"R{reclean.id}", method="tap",
                                     photo_ids=[], note="已返工",
                                     receipt=past_receipt(stable_key(key, "reclean", reclean.id), done, now=now))
