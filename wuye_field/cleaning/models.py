"""Cleaning tasks per area, who cleans where, and the field records: check-offs, spot checks, re-cleans."""
from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.cleaning import rules
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Place
from wuye_field.sync.models import FieldRecord

# What is done (code → label, icon name in wuye_field/core/ui.py: one SVG sprite, no emoji).
ACTIONS = {
    "sweep": (_l("扫"), "sweep"),
    "mop": (_l("拖"), "mop"),
    "wipe": (_l("擦"), "wipe"),
    "clear": (_l("清理"), "clear"),
    "wash": (_l("冲洗"), "wash"),
    "wax": (_l("打蜡"), "wax"),
    "clean": (_l("清洁"), "clean"),
    "collect": (_l("收集垃圾"), "collect"),
}
FREQUENCY_LABELS = {
    rules.HOURLY: _l("每隔几小时"),
    rules.TIMES: _l("每天几次（定时）"),
    rules.DAILY: _l("每天"),
    rules.EVERY_N_DAYS: _l("每隔几天"),
    rules.WEEKLY: _l("每周（选星期）"),
    rules.MONTHLY: _l("每月"),
    rules.HALF_YEARLY: _l("每半年"),
}
WEEKDAY_LABELS = (_l("一"), _l("二"), _l("三"), _l("四"), _l("五"), _l("六"), _l("日"))
METHODS = {"scan": _l("扫码"), "tap": _l("点击")}
DEFAULT_RECLEAN_HOURS = 2


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


# The task's frequency and deadline (C1–C16): effective-dated as one settings_history value "schedule".
SCHEDULE_FIELDS = ("kind", "every_n", "window_start", "window_end", "times", "weekdays", "month_day", "anchor",
                   "done_before")
SCHEDULE_SETTING = "schedule"


def frequency_of(schedule: dict) -> rules.Frequency:
    """The pure-rules frequency of a schedule (CleaningTask.schedule, or a value from its history)."""
    times, weekdays, anchor = schedule.get("times") or "", schedule.get("weekdays") or "", schedule.get("anchor")
    if isinstance(anchor, str):
        anchor = date.fromisoformat(anchor)
    return rules.Frequency(
        kind=schedule["kind"], every_n=schedule.get("every_n") or 1,
        window_start=_clock(schedule.get("window_start")) or time(8),
        window_end=_clock(schedule.get("window_end")) or time(22),
        times=tuple(_clock(t) for t in times.split(",") if t),
        weekdays=tuple(int(d) for d in weekdays.split(",") if d),
        month_day=schedule.get("month_day") or 31, anchor=anchor or date(2024, 1, 1),
        done_before=_clock(schedule.get("done_before")),
    )


class CleaningTask(db.Model):
    """A task template on one cleaning area: what, how often, by when, and whether a photo is required.

    Templates are configuration (an admin adjusts them); the check-offs that point at them are records.
    Times are local wall-clock "HH:MM" strings of the site's time zone.
    """

    __tablename__ = "cleaning_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(60))
    standard: Mapped[str | None] = mapped_column(String(8))  # C1–C16 the task implements
    kind: Mapped[str] = mapped_column(String(16))
    every_n: Mapped[int] = mapped_column(Integer, default=1)
    window_start: Mapped[str] = mapped_column(String(5), default="08:00")
    window_end: Mapped[str] = mapped_column(String(5), default="22:00")
    times: Mapped[str] = mapped_column(String(120), default="")  # "07:00,17:00"
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,2,4"
    month_day: Mapped[int] = mapped_column(Integer, default=31)
    anchor: Mapped[date] = mapped_column(Date, default=lambda: date(2024, 1, 1))
    done_before: Mapped[str | None] = mapped_column(String(5))
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    place: Mapped[Place] = relationship(lazy="joined")

    @property
    def frequency(self) -> rules.Frequency:
        """The pure-rules view of this template (its columns: the schedule in force now)."""
        return frequency_of(self.schedule)

    @property
    def schedule(self) -> dict:
        """The columns a frequency and deadline are made of, JSON-able (the effective-dated setting)."""
        values = {name: getattr(self, name) for name in SCHEDULE_FIELDS}
        values["anchor"] = values["anchor"].isoformat() if values["anchor"] else None
        return values

    @property
    def icon(self) -> str:
        return ACTIONS.get(self.action, ("", "clean"))[1]

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, (self.action, ""))[0])

    @property
    def frequency_label(self) -> str:
        """A short Chinese description: 「每 2 小时（08:00–22:00）」, 「每周一、三、五」, 「每天 07:30 前」."""
        kind = self.kind
        if kind == rules.HOURLY:
            text = _("每 %(n)d 小时（%(a)s–%(b)s）", n=self.every_n, a=self.window_start, b=self.window_end)
        elif kind == rules.TIMES:
            text = _("每天 %(times)s", times="、".join(t for t in self.times.split(",") if t))
        elif kind == rules.DAILY:
            text = _("每天")
        elif kind == rules.EVERY_N_DAYS:
            text = _("每 %(n)d 天", n=self.every_n)
        elif kind == rules.WEEKLY:
            days = "、".join(str(WEEKDAY_LABELS[int(d)]) for d in self.weekdays.split(",") if d)
            text = _("每周%(days)s", days=days)
        elif kind == rules.MONTHLY:
            text = _("每月") + (_("（%(d)d 日前）", d=self.month_day) if self.month_day < 28 else _("（月底前）"))
        else:
            text = _("每半年")
        if self.done_before:
            text += " " + _("%(t)s 前完成", t=self.done_before)
        return text

    def __repr__(self) -> str:
        return f"<CleaningTask {self.id} {self.title}>"


class AreaAssignment(db.Model):
    """A cleaner cleans an area; a cleaner's zone is the set of their areas (an area may have several)."""

    __tablename__ = "cleaning_assignment"
    __table_args__ = (UniqueConstraint("place_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)


class CleaningSettings(db.Model):
    """Per-site cleaning options: may cleaners check off by tapping (without scanning the tag)?
    How long does a re-clean raised by a failed spot check get?"""

    __tablename__ = "cleaning_settings"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    allow_tap: Mapped[bool] = mapped_column(Boolean, default=False)
    reclean_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_RECLEAN_HOURS)


class TaskCheckoff(FieldRecord, db.Model):
    """A cleaner checked off one occurrence of a task (append-only, H5).

    `slot` names the occurrence (rules.Occurrence.slot); `method` says whether it was done at the tag
    (scan) or by tapping the card (tap). `done_at` is the device time corrected for clock skew.
    Its photos are PhotoLinks (owner_kind "cleaning_checkoff"); `note` is a problem noted with it.
    """

    __tablename__ = "cleaning_checkoff"

    task_id: Mapped[int] = mapped_column(ForeignKey("cleaning_task.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    slot: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(8))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")

    task: Mapped[CleaningTask] = relationship(lazy="joined")


class SpotCheck(FieldRecord, db.Model):
    """A supervisor's spot check (抽查) at an area; one SpotCheckItem per task checked; photos are
    PhotoLinks (owner_kind "cleaning_spot_check")."""

    __tablename__ = "cleaning_spot_check"

    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")

    items: Mapped[list[SpotCheckItem]] = relationship(back_populates="spot_check", lazy="selectin",
                                                      order_by="SpotCheckItem.id")


class SpotCheckItem(db.Model):
    """Pass or fail of one task at a spot check, counted against the area and the responsible cleaner."""

    __tablename__ = "cleaning_spot_check_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("cleaning_spot_check.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    task_id: Mapped[int] = mapped_column(ForeignKey("cleaning_task.id"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    cleaner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    spot_check: Mapped[SpotCheck] = relationship(back_populates="items")
    task: Mapped[CleaningTask] = relationship(lazy="joined")


class ReClean(db.Model):
    """A re-clean raised by a failed spot check: a one-off occurrence (slot "R<id>") due by `due_at`."""

    __tablename__ = "cleaning_reclean"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("cleaning_task.id"), index=True)
    spot_check_item_id: Mapped[int] = mapped_column(ForeignKey("cleaning_spot_check_item.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    task: Mapped[CleaningTask] = relationship(lazy="joined")

    @property
    def slot(self) -> str:
        return f"R{self.id}"


def tasks_of_places(place_ids):
    """select() of the active tasks on these places, by place then id."""
    return (select(CleaningTask)
            .where(CleaningTask.place_id.in_(list(place_ids)), CleaningTask.active.is_(True))
            .order_by(CleaningTask.place_id, CleaningTask.id))


# Field records are append-only (H5): table → the column that dates its rows (retention),
# children before parents. `create_all` installs the triggers; the lead's migration does the same.
RECORD_TABLES = {
    "cleaning_reclean": "created_at",
    "cleaning_spot_check_item": "created_at",
    "cleaning_spot_check": "received_at",
    "cleaning_checkoff": "received_at",
}
for _model in (ReClean, SpotCheckItem, SpotCheck, TaskCheckoff):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
