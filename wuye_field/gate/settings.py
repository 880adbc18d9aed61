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
