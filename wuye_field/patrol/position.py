"""Position on scans, never a gate (issue 16 item 5).

A site may record the phone's position with each scan and inspection (off by default). The page then asks
the guard's permission once and sends latitude, longitude and accuracy when the phone gives them within
3 s; nothing when not. A scan farther from the place's recorded position than the site's distance is listed
on 巡更异常 (FAR), never refused. Settings are effective-dated (audit.settings_history).

Positions are personal data: past the site's personal-data retention (the days visitors' personal fields
are kept, G7) `erase_expired` blanks them on the scans and inspections, which stay, and chains a
`PositionErasure` naming them (R35).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from wuye_field.audit import chain
from wuye_field.audit.settings_history import change_setting, value_at
from wuye_field.audit.triggers import MIN_ERASURE_DAYS, erase_columns
from wuye_field.core.geo import NO_POSITION, distance_m, parse_position
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol.models import POSITION_COLUMNS, PositionErasure

log = logging.getLogger(__name__)
chain.register_tables({"position_erasure": ("site_id", "cutoff", "retention_days", "scans", "inspections",
                                            "record_ids", "created_at")})

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


def erase_expired(site_id: int, *, days: int, now: datetime) -> PositionErasure | None:
    """Blank the position of the site's scans and inspections received more than `days` days ago (never
    fewer than 30) and chain one `PositionErasure` naming them; None when nothing held a position."""
    days = max(int(days), MIN_ERASURE_DAYS)
    cutoff = as_utc(now) - timedelta(days=days)
    erased = {table: erase_columns(site_id, table, POSITION_COLUMNS, cutoff) for table in ("scan", "inspection")}
    if not any(erased.values()):
        return None
    erasure = PositionErasure(site_id=site_id, cutoff=cutoff, retention_days=days, scans=len(erased["scan"]),
                              inspections=len(erased["inspection"]), created_at=now,
                              record_ids=";".join(f"{table}:{','.join(map(str, ids))}"
                                                  for table, ids in erased.items() if ids))
    db.session.add(erasure)
    db.session.flush()
    chain.append_records(site_id, "position_erasure", [erasure.id], now=now)
    log.info("site %s: positions erased on %d scans and %d inspections (before %s)", site_id, erasure.scans,
             erasure.inspections, cutoff)
    return erasure
