"""The residents' window's site settings and their defaults, in one place (effective-dated through
`audit.settings_history`, subject "site", subject_id 0)."""
from __future__ import annotations

from datetime import datetime

from wuye_field.audit.settings_history import value_at

DEFAULTS = {
    "residents.desk_phone": "",  # W1: the 24-hour repair line shown as tel: on every building's window
}

# Abuse limits of the public forms (config keys, so an operator can tighten them without a release).
DEFAULT_LIMIT_PER_IP = "10 per hour"
DEFAULT_LIMIT_PER_PHONE = "3 per hour"


def setting(name: str):
    """The default of a residents setting."""
    return DEFAULTS[name]


def site_setting(site_id: int, name: str, now: datetime):
    """The value of a residents setting in force on a site at `now`."""
    return value_at(site_id, "site", name, now, default=setting(name))
