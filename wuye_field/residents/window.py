"""What the public residents' window of one building shows (/b/<token>), and nothing more (R37).

Public means: no staff name, no resident data, no photo. Only times, categories and the desk's own text
leave this module (the dataclasses below hold nothing else), so a template cannot print a name by accident.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from wuye_field.cleaning.models import TaskCheckoff
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.places.models import Building, Place, Site
from wuye_field.residents.models import DeskNotice, RetiredBuildingToken
from wuye_field.residents.settings import site_setting
from wuye_field.workorders.models import CATEGORIES, OPEN_STATES, WorkOrder


class WindowReplaced(DomainError):
    """The QR scanned was replaced by an admin: the old code says so (and names no new address)."""

    status = 410
    code = "window_replaced"


@dataclass(frozen=True)
class PublicRepair:
    category: str
    since: datetime


@dataclass(frozen=True)
class PublicNotice:
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass
class Window:
    site_name: str
    building_name: str
    token: str
    tz: str
    last_patrol: datetime | None
    last_cleaning: datetime | None
    repairs: list[PublicRepair] = field(default_factory=list)
    notices: list[PublicNotice] = field(default_factory=list)
    desk_phone: str = ""


def building_for_token(token: str) -> Building:
    """The building whose public window `token` opens; WindowReplaced for a replaced code, NotFound otherwise."""
    token = (token or "")[:64]
    building = db.session.scalar(select(Building).where(Building.public_token == token)) if token else None
    if building is not None:
        return building
    retired = (db.session.scalar(select(RetiredBuildingToken).where(RetiredBuildingToken.token == token))
               if token else None)
    if retired is not None:
        raise WindowReplaced(_("此二维码已于 %(date)s 更换，请扫描楼栋大堂的新二维码。",
                               date=retired.retired_at.strftime("%Y-%m-%d")))
    raise NotFound(_("找不到这个楼栋公示页，请核对二维码。"))


def _today_start(site: Site, now: datetime) -> datetime:
    zone = ZoneInfo(site.timezone)
    local = as_utc(now).astimezone(zone)
    return as_utc(datetime.combine(local.date(), time(0), tzinfo=zone))  # UTC: SQLite compares text


def _place_ids(building: Building) -> list[int]:
    return list(db.session.scalars(select(Place.id).where(Place.building_id == building.id, Place.active.is_(True))))


def _latest(column, place_column, place_ids: list[int], start: datetime, now: datetime) -> datetime | None:
    if not place_ids:
        return None
    latest = db.session.scalar(select(func.max(column)).where(place_column.in_(place_ids), column >= start,
                                                                column <= as_utc(now) + timedelta(minutes=10)))
    return as_utc(latest) if latest else None


def window(building: Building, *, now: datetime) -> Window:
    """Today's public facts of `building` (site time zone)."""
    site = building.site
    start = _today_start(site, now)
    ids = _place_ids(building)
    orders = db.session.scalars(
        select(WorkOrder).outerjoin(Place, WorkOrder.place_id == Place.id)
        .where(WorkOrder.site_id == site.id, WorkOrder.state.in_(OPEN_STATES), WorkOrder.room == "",
               or_(WorkOrder.building_id == building.id, Place.building_id == building.id))
        .order_by(WorkOrder.raised_at).limit(20))
    repairs = [PublicRepair(str(CATEGORIES.get(o.category, CATEGORIES["other"])),
                            to_site_time(o.raised_at, site.timezone)) for o in orders]
    notices = db.session.scalars(
        select(DeskNotice).where(DeskNotice.site_id == site.id,
                                 or_(DeskNotice.building_id.is_(None), DeskNotice.building_id == building.id),
                                 DeskNotice.starts_at <= as_utc(now) + timedelta(days=7),
                                 or_(DeskNotice.ends_at.is_(None), DeskNotice.ends_at >= as_utc(now)))
        .order_by(DeskNotice.starts_at).limit(10))
    return Window(
        site_name=site.name, building_name=building.name, token=building.public_token, tz=site.timezone,
        last_patrol=to_site_time(_latest(Scan.device_time, Scan.place_id, ids, start, now), site.timezone),
        last_cleaning=to_site_time(_latest(TaskCheckoff.done_at, TaskCheckoff.place_id, ids, start, now),
                                   site.timezone),
        repairs=repairs,
        notices=[PublicNotice(n.title, n.body, to_site_time(n.starts_at, site.timezone),
                              to_site_time(n.ends_at, site.timezone)) for n in notices],
        desk_phone=str(site_setting(site.id, "residents.desk_phone", now) or ""),
    )
