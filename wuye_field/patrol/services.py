"""Patrol rules: record a checkpoint scan (in a round or not, live or retired tag), list a place's recent scans."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.patrol.common import clean_note, clean_round_key, find_round, planned_ids
from wuye_field.patrol.position import kept as kept_position
from wuye_field.patrol.models import SCAN_VIA, Scan, scans_of_place
from wuye_field.places.models import Place, RetiredTag
from wuye_field.places.services import TagRetired, lookup_tag
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

SCAN_ROLES = ("guard", "supervisor", "admin")
PHOTO_OWNER = "scan"
_VIA_ALIASES = {"": "link", "scan": "camera"}  # the outbox's scanner says "scan"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# C0/C1 control characters other than tab and newlines: PostgreSQL text cannot even hold NUL.

SCAN_CHAIN_COLUMNS = FIELD_COLUMNS + ("place_id", "round_id", "via", "note", "off_route", "tag_retired")
chain.register_tables({"scan": SCAN_CHAIN_COLUMNS})


@dataclass(frozen=True)
class ScanView:
    """A scan as a list shows it: with how many of its photos have not arrived yet."""

    scan: Scan
    pending_photos: int = 0
    warning: str = ""


def can_scan(user: User, place: Place) -> bool:
    """True when `user` may record patrol scans at `place` (a checkpoint on a site where they patrol)."""
    return place.is_checkpoint and place.site_id in user.site_ids(*SCAN_ROLES)


def clean_via(raw: str | None) -> str:
    """The `via` value to store; DomainError (400) for an unknown one."""
    via = _VIA_ALIASES.get((raw or "").strip(), (raw or "").strip())
    if via not in SCAN_VIA:
        raise DomainError(_("打卡方式无效。"), code="invalid_via")
    return via


def record_scan(user: User, token: str, receipt: Receipt, *, via: str | None = "link", note: str | None = "",
                photo_ids: str | None = "", photo_limit: int = 10, round_uuid: str | None = None,
                position: Mapping | None = None) -> ScanView:
    """Record that `user` was at the place of tag `token` at the receipt's device time (their phone's clock).

    `round_uuid` names the user's round (the client UUID of its start): the scan joins it, flagged
    `off_route` when the route does not list the place (recorded, never refused); an unknown round leaves
    the scan on its own. A replaced (retired) tag is recorded with `tag_retired` for review and answered
    with a warning. `photo_ids` names the scan's photos (comma-separated UUIDs); those not uploaded yet are
    counted as pending. Returns the flushed scan with its pending photo count and any warning.
    Raises NotFound (404) for an unknown tag or a place where the user does not patrol, DomainError (400)
    for a bad `via`, an over-long note, bad photo ids or a malformed round id.
    """
    place, retired_warning = resolve_tag(user, token)
    note = clean_note(note)
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    scan, warning = add_scan(user, place, receipt, via=clean_via(via), note=note, round_uuid=round_uuid,
                             tag_retired=bool(retired_warning), position=position)
    pending = photo_links.link_photos(PHOTO_OWNER, scan.id, user_id=user.id, site_id=place.site_id, photo_ids=photos)
    return ScanView(scan, pending, retired_warning or warning)


def resolve_tag(user: User, token: str | None) -> tuple[Place, str]:
    """(checkpoint, warning) for a tag token sent with a field action: the live place, or — for a replaced
    tag — its place with a Chinese warning (the record is kept for review, not refused).
    NotFound for an unknown token or a place where the user does not patrol."""
    token = (token or "").strip()
    if not _TOKEN_RE.match(token):
        raise NotFound(_("找不到这个标签，或它不属于您的小区。"))
    warning = ""
    try:
        place = lookup_tag(user, token)
    except TagRetired as exc:
        place = db.session.scalar(select(RetiredTag).where(RetiredTag.token == token)).place
        warning = exc.message + _("本次记录已保存，待主管核查。")
    if not can_scan(user, place):
        raise NotFound(_("找不到这个巡更点，或您无权在此打卡。"), scope_site_id=place.site_id)
    return place, warning


def add_scan(user: User, place: Place, receipt: Receipt, *, via: str = "link", note: str = "",
             round_uuid: str | None = None, tag_retired: bool = False,
             position: Mapping | None = None) -> tuple[Scan, str]:
    """Store (flush and chain) a scan of `place` already checked for access; join the user's round
    `round_uuid` if there is one. Returns (scan, warning): the warning says the place is off the route."""
    round_ = find_round(user, clean_round_key(round_uuid))
    if round_ is not None and round_.site_id != place.site_id:
        round_ = None
    off_route = round_ is not None and place.id not in planned_ids(round_)
    scan = Scan(**receipt.columns(), user_id=user.id, site_id=place.site_id, place_id=place.id,
                round_id=round_.id if round_ else None, off_route=off_route, tag_retired=tag_retired,
                via=via, note=note, **kept_position(place.site_id, position, receipt.received_at))
    db.session.add(scan)
    db.session.flush()
    # The answer reads the place and the user: hand them over as loaded, without loading them again (issue 13)
    # and without cascading them into this session (the signed-in user may come from another one).
    set_committed_value(scan, "place", place)
    set_committed_value(scan, "user", user)
    chain.append_records(place.site_id, "scan", [scan.id], now=receipt.received_at)
    warning = _("「%(place)s」不在本次巡更路线上，已记录。", place=place.name) if off_route else ""
    return scan, warning


def scan_message(view: ScanView) -> str:
    """「已打卡：配电房 14:05」 in the site's time zone (plus the photos still to come)."""
    scan = view.scan
    local = to_site_time(scan.device_time, scan.place.site.timezone)
    message = _("已打卡：%(place)s %(time)s", place=scan.place.name, time=local.strftime("%H:%M"))
    if view.pending_photos:
        message += _("（%(n)d 张照片待上传）", n=view.pending_photos)
    if view.warning:
        message += " " + view.warning
    return message


def scan_json(view: ScanView) -> dict:
    """The `scan` object of the 201 answer (times in UTC, ISO 8601)."""
    scan = view.scan
    return {
        "id": scan.id, "client_uuid": scan.client_uuid, "device_time": as_utc(scan.device_time).isoformat(),
        "received_at": as_utc(scan.received_at).isoformat(), "pending_photos": view.pending_photos,
        "place": {"id": scan.place.id, "code": scan.place.code, "name": scan.place.name},
        "via": scan.via, "skew_flagged": scan.skew_flagged, "round_id": scan.round_id, "off_route": scan.off_route,
        "tag_retired": scan.tag_retired,
    }


def recent_scans(place: Place, limit: int = 5) -> list[ScanView]:
    """The place's latest scans (by device time) with their pending photo counts (two queries)."""
    scans = list(db.session.scalars(scans_of_place(place.id).limit(limit)))
    pending = photo_links.pending_photo_counts(PHOTO_OWNER, [s.id for s in scans])
    return [ScanView(scan, pending.get(scan.id, 0)) for scan in scans]


def get_scan(user: User, client_uuid: str) -> ScanView:
    """The user's own scan with this client UUID (NotFound otherwise), with its pending photo count."""
    scan = db.session.scalar(select(Scan).where(Scan.user_id == user.id, Scan.client_uuid == client_uuid))
    if scan is None:
        raise NotFound(_("记录不存在。"))
    return ScanView(scan, photo_links.pending_photo_counts(PHOTO_OWNER, [scan.id]).get(scan.id, 0))
