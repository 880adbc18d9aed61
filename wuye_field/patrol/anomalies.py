"""Patrol anomalies a supervisor reviews (issue 4): the pure rules, and the query feeding them.

Rules, over a site's scans ordered by device time:
- TOO_FAST   — two consecutive scans of one round at different checkpoints closer together than the
               route's `min_seconds_between` (nobody walks that fast; P2, P5);
- SKEW       — the phone's clock was far from the server's when it sent the scan (`skew_flagged`,
               R13);
- RETIRED    — the scanned tag had been replaced (`tag_retired`): an old tag still in use somewhere;
- REPEAT     — the same user scanned the same tag again within REPEAT_SECONDS (60 s): tags photocopied
               and scanned from one spot look like this;
- FAR        — the phone's position was farther from the place's recorded position than the site allows
               (patrol.position, issue 16; recorded, never refused).
A scan can match several rules; each match is one anomaly.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.extensions import db
from wuye_field.patrol import position
from wuye_field.patrol.models import Round, Route, Scan
from wuye_field.patrol.position import distance_from_place

TOO_FAST, SKEW, RETIRED, REPEAT, FAR = "too_fast", "skew", "retired", "repeat", "far"
REPEAT_SECONDS = 60
KIND_LABELS = {
    TOO_FAST: _l("两点间过快"),
    SKEW: _l("手机时间偏差大"),
    RETIRED: _l("扫描已更换的标签"),
    REPEAT: _l("一分钟内重复扫同一标签"),
    FAR: _l("打卡位置离地点太远"),
}


@dataclass(frozen=True)
class Anomaly:
    """One finding: its `kind`, the scan it is about, the earlier scan it is compared with (if any), and
    the figure behind it (seconds between the scans, the clock skew in seconds, or metres for FAR)."""

    kind: str
    scan: Any
    previous: Any = None
    seconds: float | None = None

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def find_anomalies(scans: Iterable[Any], min_seconds_by_round: dict[int, int],
                   far_m: float | None = None) -> list[Anomaly]:
    """Apply the module's rules to scans (objects with id, user_id, place_id, round_id, device_time,
    skew_flagged, clock_skew_seconds, tag_retired). `min_seconds_by_round` maps a round id to its route's
    `min_seconds_between`. Returns anomalies in scan order (device time, then id)."""
    ordered = sorted(scans, key=lambda s: (s.device_time, s.id))
    last_in_round: dict[int, Any] = {}
    last_by_user_place: dict[tuple[int, int], Any] = {}
    found: list[Anomaly] = []
    for scan in ordered:
        if scan.round_id is not None:
            previous = last_in_round.get(scan.round_id)
            limit = min_seconds_by_round.get(scan.round_id)
            if previous is not None and limit and previous.place_id != scan.place_id:
                gap = (scan.device_time - previous.device_time).total_seconds()
                if gap < limit:
                    found.append(Anomaly(TOO_FAST, scan, previous, gap))
            last_in_round[scan.round_id] = scan
        if scan.skew_flagged:
            found.append(Anomaly(SKEW, scan, None, scan.clock_skew_seconds))
        if scan.tag_retired:
            found.append(Anomaly(RETIRED, scan))
        distance = distance_from_place(scan, scan.place) if far_m is not None else None
        if distance is not None and distance > far_m:
            found.append(Anomaly(FAR, scan, None, round(distance)))
        key = (scan.user_id, scan.place_id)
        earlier = last_by_user_place.get(key)
        if earlier is not None:
            gap = (scan.device_time - earlier.device_time).total_seconds()
            if gap < REPEAT_SECONDS:
                found.append(Anomaly(REPEAT, scan, earlier, gap))
        last_by_user_place[key] = scan
    return found


def site_anomalies(site_id: int, start: datetime, end: datetime) -> list[Anomaly]:
    """The anomalies among a site's scans with device time in `[start, end)` (UTC), newest first.

    Two queries: the scans, and the `min_seconds_between` of the routes of their rounds.
    """
    scans = list(db.session.scalars(
        select(Scan).where(Scan.site_id == site_id, Scan.device_time >= start, Scan.device_time < end)
        .order_by(Scan.device_time, Scan.id)))
    round_ids = {s.round_id for s in scans if s.round_id is not None}
    limits: dict[int, int] = {}
    if round_ids:
        limits = dict(db.session.execute(
            select(Round.id, Route.min_seconds_between).join(Route, Round.route_id == Route.id)
            .where(Round.id.in_(round_ids))).all())
    far_m = position.value(site_id, "patrol.position_max_m", end)
    return list(reversed(find_anomalies(scans, limits, far_m)))
