"""The gate's site settings, effective-dated through audit.settings_history (subject "site", id 0).

The defaults live here, once, with the standard each one implements (docs/standards.md).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wuye_field.audit.settings_history import change_setting, value_at
from wuye_field.core.errors import FieldErrors

DEFAULTS = {
    "gate.visitor_retention_days": 180,  # G7: personal fields of visitor records erased after this
    "gate.visitor_id_required": False,  # G2: the site asks every visitor for an ID number
    "gate.vehicle_overstay_hours": 4,  # G12: a vehicle inside longer than this is listed
    "gate.parcel_unclaimed_days": 3,  # G13: a parcel not collected after this many days is listed
}
LABELS = {"gate.visitor_retention_days": _l("访客个人信息保存天数"), "gate.visitor_id_required": _l("访客须登记证件号"),
          "gate.vehicle_overstay_hours": _l("车辆停留超过多少小时列出"),
          "gate.parcel_unclaimed_days": _l("包裹超过多少天未领列出")}


# P1: the hours a post is a standing post (立岗) each day, from a local clock; 0 = no standing duty. Per post
# (subject "handover_post"), effective-dated like the site's settings; the main gate's is 8 h in the standard.
STANDING_DEFAULTS = {"gate.standing_hours": 0, "gate.standing_from": "07:00"}
STANDING_HOURS_P1 = 8
POST_SUBJECT = "handover_post"


def standing_at(post, at: datetime) -> tuple[int, str]:
    """(hours, "HH:MM") of `post`'s standing duty in force at `at`."""
    return tuple(value_at(post.site_id, POST_SUBJECT, name, at, subject_id=post.id, default=default)
                 for name, default in STANDING_DEFAULTS.items())


def save_standing(actor, post, values: dict, *, now: datetime) -> int:
    """Change a post's standing duty from form strings (standing_hours_<id>, standing_from_<id>); from now."""
    hours = str(values.get(f"standing_hours_{post.id}") or "0").strip()
    clock = str(values.get(f"standing_from_{post.id}") or STANDING_DEFAULTS["gate.standing_from"]).strip()[:5]
    errors = {}
    if not hours.isdigit() or not 0 <= int(hours) <= 24:
        errors[f"standing_hours_{post.id}"] = _("立岗小时须为 0–24。")
    try:
        datetime.strptime(clock, "%H:%M")
    except ValueError:
        errors[f"standing_from_{post.id}"] = _("时间格式应为 HH:MM，例如 07:00。")
    if errors:
        raise FieldErrors(errors)
    changed = 0
    labels = {"gate.standing_hours": _("%(post)s 立岗小时", post=post.name),
              "gate.standing_from": _("%(post)s 立岗开始时间", post=post.name)}
    for name, value in (("gate.standing_hours", int(hours)), ("gate.standing_from", clock)):
        label = labels[name]
        if change_setting(actor, post.site_id, POST_SUBJECT, name, value, now=now, subject_id=post.id,
                          default=STANDING_DEFAULTS[name], label=label) is not None:
            changed += 1
    return changed


def setting(site_id: int, name: str, at: datetime):
    """The value of a gate setting in force at `at` (the default before any change)."""
    return value_at(site_id, "site", name, at, default=DEFAULTS[name])


def current(site_id: int, now: datetime) -> dict:
    return {name: setting(site_id, name, now) for name in DEFAULTS}


def save(actor, site_id: int, values: dict, *, now: datetime) -> int:
    """Change the gate settings from form strings (in force from now; each change logged). Returns changes."""
    raw = str(values.get("gate.visitor_retention_days") or "").strip()
    if not raw.isdigit() or not 30 <= int(raw) <= 1095:
        raise FieldErrors({"gate.visitor_retention_days": _("请填写 30–1095 之间的天数。")})
    hours = str(values.get("gate.vehicle_overstay_hours") or DEFAULTS["gate.vehicle_overstay_hours"]).strip()
    if not hours.isdigit() or not 1 <= int(hours) <= 720:
        raise FieldErrors({"gate.vehicle_overstay_hours": _("请填写 1–720 之间的小时数。")})
    days = str(values.get("gate.parcel_unclaimed_days") or DEFAULTS["gate.parcel_unclaimed_days"]).strip()
    if not days.isdigit() or not 1 <= int(days) <= 60:
        raise FieldErrors({"gate.parcel_unclaimed_days": _("请填写 1–60 之间的天数。")})
    new = {"gate.parcel_unclaimed_days": int(days), "gate.visitor_retention_days": int(raw),
           "gate.visitor_id_required": bool(values.get("gate.visitor_id_required")),
           "gate.vehicle_overstay_hours": int(hours)}
    changed = 0
    for name, value in new.items():
        if change_setting(actor, site_id, "site", name, value, now=now, default=DEFAULTS[name],
                          label=str(LABELS[name])) is not None:
            changed += 1
    return changed


def post_values(posts, now: datetime) -> dict[int, tuple[int, str]]:
    """{post id: (standing hours, "HH:MM")} in force now, for the settings page."""
    return {post.id: standing_at(post, now) for post in posts}


def save_page(actor, site_id: int, posts, values: dict, *, now: datetime) -> int:
    """The gate settings page: the site's settings and each post's standing duty, all or nothing."""
    return save(actor, site_id, values, now=now) + sum(save_standing(actor, post, values, now=now) for post in posts)
