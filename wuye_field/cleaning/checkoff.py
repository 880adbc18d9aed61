"""Check-offs and spot checks (抽查): the field records of cleaning, chained per site. Plain arguments
(actor, `now=`), flush only; the caller commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.cleaning import rules
from wuye_field.cleaning.models import CleaningTask, ReClean, SpotCheck, SpotCheckItem, TaskCheckoff, tasks_of_places
from wuye_field.cleaning.setup import OVERSEERS, assignees_by_area, settings_for
from wuye_field.cleaning.today import done_map, in_zone
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.places.models import Place
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

START_TOLERANCE = timedelta(minutes=60)  # a slot may be checked off up to an hour before it opens
NOTE_MAX = 500
CHECKOFF_PHOTOS = "cleaning_checkoff"  # PhotoLink.owner_kind of check-off photos
SPOT_PHOTOS = "cleaning_spot_check"


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
    repeated = (task.id, slot) in done_map([task.id], {slot})
    checkoff = TaskCheckoff(
        **receipt.columns(), user_id=actor.id, site_id=task.site_id,
        task_id=task.id, place_id=task.place_id, slot=slot, method=method, done_at=done_at, note=note,
    )
    db.session.add(checkoff)
    db.session.flush()
    pending = photo_links.link_photos(CHECKOFF_PHOTOS, checkoff.id, user_id=actor.id, site_id=task.site_id,
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
    photo_links.link_photos(SPOT_PHOTOS, check.id, user_id=actor.id, site_id=place.site_id, photo_ids=photo_ids)
    hours = settings_for(place.site_id).reclean_hours
    assignees = assignees_by_area(place.site_id).get(place.id, [])
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
