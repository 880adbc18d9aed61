"""The residents' window's site settings and their defaults, in one place (effective-dated through
`audit.settings_history`, subject "site", subject_id 0)."""
from __future__ import annotations

from datetime import datetime

from wuye_field.audit.settings_history import value_at

DEFAULTS = {
    "residents.desk_phone": "",  # W1, W9: the 24-hour repair line shown as tel: on every building's window
}


def setting(name: str):
    """The default of a residents setting."""
    return DEFAULTS[name]


def site_setting(site_id: int, name: str, now: datetime):
    """The value of a residents setting in force on a site at `now`."""
    return value_at(site_id, "site", name, now, default=setting(name))
