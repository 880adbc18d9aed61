"""The alerts settings of a site, effective-dated (audit.settings_history), with their defaults in one place."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from wuye_field.audit.settings_history import change_setting, value_at

# name → default (none of these is a manual's number; the webhook is off until a site sets one).
DEFAULTS: dict[str, Any] = {
    "alerts.webhook_url": "",  # the WeCom group robot of the site's dispatch group
}


def value(site_id: int, name: str, at: datetime) -> Any:
    return value_at(site_id, "site", name, at, default=DEFAULTS[name])


def change(actor, site_id: int, name: str, new_value: Any, *, now: datetime, label: str = ""):
    return change_setting(actor, site_id, "site", name, new_value, now=now, default=DEFAULTS[name], label=label)
