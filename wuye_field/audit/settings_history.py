"""Effective-dated settings: every value a figure depends on, with the time from which it applies.

A patrol interval, a cleaning frequency, an SLA, shift hours, a target: when one changes, the figures of
any earlier period must still be computed with the value in force then. So a setting is never updated in
place; each change is a new `SettingChange` row naming

    (site, subject, subject_id, name) → value, from `effective_from`

where `subject` is the kind of object (``"site"``, ``"place"``, ``"route"``, ``"cleaning_task"`` …),
`subject_id` its id (0 for a site-wide setting) and `value` any JSON-able value. The value in force at a
moment is the one with the latest `effective_from` not after it (a later-recorded change wins a tie, so a
scheduled change is cancelled by recording the old value at the same start). Before the first change
the caller's default applies, usually the object's own column, which stays the value in force *now*
for the pages and forms that show the current setting.

    change_setting(actor, site_id, "place", "patrol_interval_min", 120, subject_id=place.id, now=now)
    value_at(site_id, "place", "patrol_interval_min", at, subject_id=place.id, default=place.patrol_interval_min)
    lines = timelines(site_id, "place", "patrol_interval_min", subject_ids=ids)   # one query for a report
    lines[place.id].at(window_start, default=240)

Every change is written to the admin change log (who, when, old → new, from when). A change may start
now or later, never earlier: the past keeps the settings it was measured with.

The first change of a setting also records the value it replaces (the caller's `default`, i.e. the
column as it was) in force since `BASELINE`, so that once the object's column is kept in step with the
value in force now, the past still reads the old value from the timeline and not the new column.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.time import as_utc
from wuye_field.extensions import db

SITE_WIDE = 0
BASELINE = datetime(1970, 1, 1, tzinfo=timezone.utc)  # "since always": the value before the first change


class SettingChange(db.Model):
    """One change of one setting, in force from `effective_from` until the next change of the same setting."""

    __tablename__ = "setting_change"
    __table_args__ = (Index("ix_setting_change_lookup", "site_id", "subject", "name", "subject_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer, default=SITE_WIDE)
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON)
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


@dataclass
class Timeline:
    """The changes of one setting of one object, oldest first: `at(when)` is the value in force then."""

    starts: list[datetime] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)

    def at(self, when: datetime, default: Any = None) -> Any:
        i = bisect.bisect_right(self.starts, as_utc(when))
        return self.values[i - 1] if i else default

    def changes_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Start times of changes inside [start, end): where a report must cut its period."""
        start, end = as_utc(start), as_utc(end)
        return [s for s in self.starts if start <= s < end]


def _ordered(query):
    return query.order_by(SettingChange.effective_from, SettingChange.recorded_at, SettingChange.id)


def timelines(site_id: int, subject: str, name: str, *,
              subject_ids: Iterable[int] | None = None) -> dict[int, Timeline]:
    """Every object's timeline of one setting, in one query (objects never changed are absent: use the default)."""
    query = select(SettingChange).where(SettingChange.site_id == site_id, SettingChange.subject == subject,
                                        SettingChange.name == name)
    if subject_ids is not None:
        query = query.where(SettingChange.subject_id.in_(list(subject_ids)))
    lines: dict[int, Timeline] = {}
    for change in db.session.scalars(_ordered(query)):
        line = lines.setdefault(change.subject_id, Timeline())
        line.starts.append(as_utc(change.effective_from))
        line.values.append(change.value)
    return lines


def value_at(site_id: int, subject: str, name: str, at: datetime, *, subject_id: int = SITE_WIDE,
             default: Any = None) -> Any:
    """The value of one setting of one object in force at `at` (the default before its first change)."""
    return timelines(site_id, subject, name, subject_ids=[subject_id]).get(subject_id, Timeline()).at(at, default)


def change_setting(actor, site_id: int, subject: str, name: str, value: Any, *, now: datetime,
                   effective_from: datetime | None = None, subject_id: int = SITE_WIDE, default: Any = None,
                   label: str = "") -> SettingChange | None:
    """Record that `name` of (subject, subject_id) becomes `value` from `effective_from` (default: now).

    Refuses a start in the past (figures already measured keep their settings). Returns None and records
    nothing when the value in force from that start is already `value`. The first change of a setting
    also records `default` (the value until now) from BASELINE. Logs the change (old → new) in the
    admin change log under `label` (default "subject:id name"). Flushes; the caller commits.
    """
    start = as_utc(effective_from or now)
    if start < as_utc(now).replace(microsecond=0):
        raise DomainError(_("生效时间不能早于现在：已经过去的时段按当时的设置统计。"))
    line = timelines(site_id, subject, name, subject_ids=[subject_id]).get(subject_id)
    before = line.at(start, default) if line else default
    if before == value:
        return None
    if line is None and default is not None:
        db.session.add(SettingChange(site_id=site_id, subject=subject, subject_id=subject_id, name=name,
                                     value=default, effective_from=BASELINE, recorded_at=now,
                                     recorded_by_id=getattr(actor, "id", None)))
    change = SettingChange(site_id=site_id, subject=subject, subject_id=subject_id, name=name, value=value,
                           effective_from=start, recorded_at=now, recorded_by_id=getattr(actor, "id", None))
    db.session.add(change)
    db.session.flush()
    what = label or f"{subject}:{subject_id} {name}"
    log_admin_change(actor, site_id, what, before, {"value": value, "effective_from": start.isoformat()}, now=now)
    return change


def parse_effective_from(raw: str | None, tz_name: str, *, now: datetime,
                         field_name: str = "effective_from") -> datetime | None:
    """The admin form's 「生效时间」 (local "YYYY-MM-DDTHH:MM" of the site's zone) as UTC; None for blank or
    this minute (= now). FieldErrors (Chinese, on `field_name`) for a malformed or past time."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise FieldErrors({field_name: _("生效时间格式应为 年-月-日 时:分。")}) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(tz_name))
    start = as_utc(local)
    if start <= as_utc(now):
        if start > as_utc(now) - timedelta(minutes=1):
            return None  # the form's default: this minute
        raise FieldErrors({field_name: _("生效时间不能早于现在：已经过去的时段按当时的设置统计。")})
    return start


def history(site_id: int, subject: str, *, subject_id: int = SITE_WIDE) -> list[SettingChange]:
    """Every change of an object's settings, oldest first (for its settings page; baselines left out)."""
    query = select(SettingChange).where(SettingChange.site_id == site_id, SettingChange.subject == subject,
                                        SettingChange.subject_id == subject_id,
                                        SettingChange.effective_from > BASELINE)
    return list(db.session.scalars(_ordered(query)))
