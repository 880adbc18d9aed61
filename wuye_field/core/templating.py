"""Jinja helpers: fingerprinted static URLs, site-time formatting, htmx config."""
from __future__ import annotations

import json
from datetime import datetime

from flask import Flask
from flask_babel import get_locale

from wuye_field.core.static_files import asset_url, static_hash  # noqa: F401 — re-exported
from wuye_field.core.text import isolate, strip_direction_controls
from wuye_field.core.time import to_site_time

HTMX_CONFIG = {
    # A strict CSP holds only without eval; no history snapshots in localStorage on a shared phone.
    "allowEval": False,
    "allowScriptTags": False,
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "includeIndicatorStyles": False,
    "selfRequestsOnly": True,
}


def site_time(value: datetime | None, tz_name: str = "Asia/Shanghai", fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC time in the site's time zone ('' for None)."""
    local = to_site_time(value, tz_name)
    return local.strftime(fmt) if local else ""


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        asset_url=asset_url,
        htmx_config=json.dumps(HTMX_CONFIG),
        current_locale=lambda: str(get_locale()),
    )
    app.jinja_env.filters["site_time"] = site_time
    app.jinja_env.filters["bdi"] = isolate
    app.jinja_env.finalize = strip_direction_controls  # R29 in docs/standards.md, see core/text.py
