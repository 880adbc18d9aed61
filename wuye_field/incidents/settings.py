"""The incidents settings of a site, effective-dated (audit.settings_history); defaults in one place."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from wuye_field.audit.settings_history import change_setting, value_at

DEFAULTS: dict[str, Any] = {
    "incidents.complaint_cutoff": "24:00",   # W5: answered the same day (the day ends at the cut-off)
    "incidents.complaint_target": 80,        # W5: > 80 % handled effectively a year
    "incidents.complaint_warn_minutes": 60,  # alert the owner this long before the same-day answer is due
    "incidents.control_room_phone": "",      # the tel: link an undelivered SOS offers
}


def value(site_id: int, name: str, at: datetime) -> Any:
    return value_at(site_id, "site", name, at, default=DEFAULTS[name])


def change(actor, site_id: int, name: str, new_value: Any, *, now: datetime, label: str = ""):
    return change_setting(actor, site_id, "site", name, new_value, now=now, default=DEFAULTS[name], label=label)
