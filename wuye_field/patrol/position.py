"""Position on scans, never a gate (issue 16 item 5).

A site may record the phone's position with each scan and inspection (off by default). The page then asks
the guard's permission once and sends latitude, longitude and accuracy when the phone gives them within
3 s; nothing when not. A scan farther from the place's recorded position than the site's distance is listed
on 巡更异常 (FAR), never refused. Settings are effective-dated (audit.settings_history).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from wuye_field.audit.settings_history import change_setting, value_at
from wuye_field.core.geo import NO_POSITION, distance_m, parse_position

DEFAULTS: dict[str, Any] = {
    "patrol.record_position": False,  # issue 16: off until the site decides to record positions
    "patrol.position_max_m": 200,     # farther than this from the place's recorded position: FAR anomaly
}


def value(site_id: int, name: str, at: datetime) -> Any:
    return value_at(site_id, "site", name, at, default=DEFAULTS[name])


def change(actor, site_id: int, name: str, new_value: Any, *, now: datetime, label: str = ""):
    return change_setting(actor, site_id, "site", name, new_value, now=now, default=DEFAULTS[name], label=label)


def kept(site_id: int, form: Mapping | None, at: datetime) -> dict:
    """The position columns to store: the phone's position when the site records positions, else none.
    (A phone that sent no position costs no settings read.)"""
    position = parse_position(form or {})
    if position["lat"] is None or not value(site_id, "patrol.record_position", at):
        return dict(NO_POSITION)
    return position


def distance_from_place(record, place) -> float | None:
    """Metres between a scan's position and its place's recorded position (None when either is missing)."""
    if None in (record.lat, record.lon, getattr(place, "lat", None), getattr(place, "lon", None)):
        return None
    return distance_m(record.lat, record.lon, place.lat, place.lon)
