"""A site's own settings (shift change, lateness grace, due-soon warning, targets, assessment thresholds)
and its service grade, effective-dated through `audit.settings_history`.

Every value a figure or target depends on and that the manual makes a per-site default lives here, in
ONE dict of defaults with the standard's id beside each (`DEFAULTS`). A site that never changed a value
reads the default; a change is a `SettingChange` (subject "site", subject_id 0, name "places.<key>") in
force from its start, so a past period keeps the values it was measured with. Readers call
`site_settings_at(site_id, at)` (one query, a frozen `SiteSettings`), or `site_settings_timeline(site_id)`
once per report and `.at(moment)` for each window.

The service grade (一级/二级/三级, default 三级 as in the manual) is a preset: choosing a grade sets every
value of `GRADE_PRESETS[grade]` in one step (each one still editable afterwards), the scheduled checks'
settings included (`DUTY_SETTINGS`). 一级 and 二级 numbers are not in the manual (docs/standards.md
"Grades"): they are the product's, stricter than 三级.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.audit.settings_history import SITE_WIDE, SettingChange, Timeline, change_setting
from wuye_field.core.errors import FieldErrors
from wuye_field.core.time import as_utc
from wuye_field.extensions import db

SUBJECT = "site"
PREFIX = "places."
GRADES = {1: _l("一级"), 2: _l("二级"), 3: _l("三级")}
DEFAULT_GRADE = 3  # the manual's grade (第7篇)

# key → (default, the standard's id, label, kind, low, high). Kinds: "clock" ("HH:MM") or "int".
DEFAULTS: dict[str, tuple[Any, str, Any, str, int, int]] = {
    "service_grade": (DEFAULT_GRADE, "第7篇", _l("服务等级"), "int", 1, 3),
    "day_shift_start": ("08:00", "P2", _l("白班开始"), "clock", 0, 0),
    "night_shift_start": ("20:00", "P2", _l("夜班开始"), "clock", 0, 0),
    "lateness_grace_min": (30, "P2", _l("迟到宽限（分钟）"), "int", 0, 240),
    "due_soon_min": (30, "P2", _l("即将到期提醒（分钟）"), "int", 0, 240),
    "return_visit_target": (70, "W4", _l("回访率目标（%）"), "int", 1, 100),
    "complaint_target": (80, "W5", _l("投诉有效处理率目标（%）"), "int", 1, 100),
    "excellent_min": (90, "A1", _l("考核优秀线（分）"), "int", 1, 100),
    "pass_min": (80, "A1", _l("考核合格线（分）"), "int", 1, 100),
    "basic_min": (70, "A1", _l("考核基本合格线（分）"), "int", 1, 100),
}
EDITABLE = tuple(key for key in DEFAULTS if key != "service_grade")

# Site settings of duties above places that a grade sets too, by their full name (subject "site", edited and
# read by their owner: checks' settings page, `checks.equipment.site_setting`): name → (default = 三级, the
# standard's id, label). Their numbers live here so that a grade's preset is one table.
DUTY_SETTINGS: dict[str, tuple[Any, str, Any]] = {
    "checks.drill_months": (12, "P11", _l("消防演习间隔（月），超过后看板变红")),
    "checks.lighting_target": (90, "W8", _l("照明完好率目标（%）")),
    "checks.orders_ahead_days": (7, "W11", _l("维保工单提前生成（天）")),
    "checks.high_rise_floors": (10, "P7", _l("高层楼栋的层数（起），消火栓箱应有 4 具灭火器")),
}

# What choosing a grade sets. 三级 = the manual's numbers (the defaults); 一级/二级 the product's stricter ones
# (docs/standards.md "Grades"). The high-rise threshold is the building code's, the same for every grade.
_BASE = {key: DEFAULTS[key][0] for key in EDITABLE} | {name: spec[0] for name, spec in DUTY_SETTINGS.items()}
GRADE_PRESETS: dict[int, dict[str, Any]] = {
    3: dict(_BASE),
    2: _BASE | {"lateness_grace_min": 20, "due_soon_min": 30, "return_visit_target": 85, "complaint_target": 90,
                "checks.drill_months": 12, "checks.lighting_target": 95, "checks.orders_ahead_days": 10},
    1: _BASE | {"lateness_grace_min": 15, "due_soon_min": 45, "return_visit_target": 100, "complaint_target": 95,
                "checks.drill_months": 6, "checks.lighting_target": 98, "checks.orders_ahead_days": 14},
}

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class SiteSettings:
    """A site's settings in force at one moment (see DEFAULTS for the ids and defaults)."""

    service_grade: int
    day_shift_start: str
    night_shift_start: str
    lateness_grace_min: int
    due_soon_min: int
    return_visit_target: int
    complaint_target: int
    excellent_min: int
    pass_min: int
    basic_min: int

    @property
    def grade_label(self) -> str:
        return str(GRADES.get(self.service_grade, self.service_grade))

    @property
    def shift_starts(self) -> tuple[time, time]:
        """(day shift start, night shift start) as local clock times (P2's grid bands)."""
        return _clock(self.day_shift_start), _clock(self.night_shift_start)

    @property
    def lateness_grace(self) -> timedelta:
        return timedelta(minutes=self.lateness_grace_min)

    def is_day(self, local: time) -> bool:
        """Whether a local clock time falls in the day shift."""
        day, night = self.shift_starts
        return day <= local < night if day < night else not (night <= local < day)

    def assessment_level(self, score: float) -> str:
        """"excellent" / "pass" / "basic" / "fail" for a month's score (A1)."""
        if score >= self.excellent_min:
            return "excellent"
        if score >= self.pass_min:
            return "pass"
        return "basic" if score >= self.basic_min else "fail"


DEFAULT_SETTINGS = SiteSettings(**{key: spec[0] for key, spec in DEFAULTS.items()})


@dataclass(frozen=True)
class SiteSettingsTimeline:
    """Every site setting's timeline, read once: `.at(moment)` is the SiteSettings in force then."""

    lines: dict[str, Timeline]

    def at(self, when: datetime) -> SiteSettings:
        return SiteSettings(**{key: self.lines[key].at(when, spec[0]) if key in self.lines else spec[0]
                               for key, spec in DEFAULTS.items()})

    def changes_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Start times of changes of any site setting inside [start, end), sorted."""
        return sorted({s for line in self.lines.values() for s in line.changes_between(start, end)})


def site_settings_timeline(site_id: int) -> SiteSettingsTimeline:
    """All of a site's settings' timelines in one query."""
    query = (select(SettingChange)
             .where(SettingChange.site_id == site_id, SettingChange.subject == SUBJECT,
                    SettingChange.subject_id == SITE_WIDE,
                    SettingChange.name.in_([PREFIX + key for key in DEFAULTS]))
             .order_by(SettingChange.effective_from, SettingChange.recorded_at, SettingChange.id))
    lines: dict[str, Timeline] = {}
    for change in db.session.scalars(query):
        line = lines.setdefault(change.name.removeprefix(PREFIX), Timeline())
        line.starts.append(as_utc(change.effective_from))
        line.values.append(change.value)
    return SiteSettingsTimeline(lines)


def site_settings_at(site_id: int, at: datetime) -> SiteSettings:
    """The site's settings in force at `at` (defaults for values never changed). One query."""
    return site_settings_timeline(site_id).at(at)


# ---------------------------------------------------------------- changes (the admin page; each one logged)


def clean_values(raw: dict) -> tuple[dict[str, Any], dict[str, str]]:
    """Form strings → (values, errors) for the EDITABLE keys present in `raw` (blank = keep)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in EDITABLE:
        text = str(raw.get(key) or "").strip()
        if not text:
            continue
        _default, _id, _label, kind, low, high = DEFAULTS[key]
        if kind == "clock":
            match = _CLOCK.match(text)
            if not match:
                errors[key] = _("请填写 时:分，例如 08:00。")
                continue
            values[key] = f"{int(match.group(1)):02d}:{match.group(2)}"
        elif not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            errors[key] = _("请填写 %(low)d–%(high)d 之间的整数。", low=low, high=high)
        else:
            values[key] = int(text)
    return values, errors


def _check_together(merged: dict[str, Any], errors: dict[str, str]) -> None:
    if merged["day_shift_start"] == merged["night_shift_start"]:
        errors.setdefault("night_shift_start", _("白班与夜班的开始时间不能相同。"))
    if not merged["excellent_min"] > merged["pass_min"] > merged["basic_min"]:
        errors.setdefault("pass_min", _("须为 优秀线 > 合格线 > 基本合格线。"))


def update_site_settings(actor, site_id: int, raw: dict, *, now: datetime,
                         effective_from: datetime | None = None) -> list[SettingChange]:
    """Save the posted values from `effective_from` (default now; never earlier). FieldErrors per field.
    Each changed value is one SettingChange and one line of the admin log (old → new). Flushes."""
    values, errors = clean_values(raw)
    start = effective_from or now
    current = site_settings_at(site_id, start)
    merged = {f.name: getattr(current, f.name) for f in fields(SiteSettings)} | values
    _check_together(merged, errors)
    if errors:
        raise FieldErrors(errors)
    return _record(actor, site_id, values, now=now, effective_from=effective_from)


def apply_grade(actor, site_id: int, grade: int, *, now: datetime,
                effective_from: datetime | None = None) -> list[SettingChange]:
    """Set the site's service grade and every value of its preset in one step (each value editable later)."""
    if grade not in GRADES:
        raise FieldErrors({"service_grade": _("请选择服务等级。")})
    values = {"service_grade": grade} | GRADE_PRESETS[grade]
    return _record(actor, site_id, values, now=now, effective_from=effective_from)


def _record(actor, site_id: int, values: dict[str, Any], *, now: datetime,
            effective_from: datetime | None) -> list[SettingChange]:
    changes = []
    for key, value in values.items():
        name, spec = (PREFIX + key, DEFAULTS[key]) if key in DEFAULTS else (key, DUTY_SETTINGS[key])
        change = change_setting(actor, site_id, SUBJECT, name, value, now=now,
                                effective_from=effective_from, default=spec[0],
                                label=_("小区设置：%(what)s", what=str(spec[2])))
        if change is not None:
            changes.append(change)
    return changes


def scheduled_changes(site_id: int, *, now: datetime) -> list[tuple[str, Any, datetime]]:
    """(label, value, from) of changes that start after `now`, soonest first (shown on the page)."""
    query = (select(SettingChange)
             .where(SettingChange.site_id == site_id, SettingChange.subject == SUBJECT,
                    SettingChange.subject_id == SITE_WIDE, SettingChange.effective_from > now,
                    SettingChange.name.in_([PREFIX + key for key in DEFAULTS]))
             .order_by(SettingChange.effective_from, SettingChange.id))
    return [(str(DEFAULTS[c.name.removeprefix(PREFIX)][2]), c.value, as_utc(c.effective_from))
            for c in db.session.scalars(query)]
