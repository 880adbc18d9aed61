"""Parcels and mail (信件收发, 第5篇, G13): received for a unit (carrier, count, photo), handed over (to whom,
a signature photo or a pickup code); parcels unclaimed after the site's N days listed."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.gate import settings
from wuye_field.gate.checks import check_text
from wuye_field.gate.models import Parcel, ParcelHandover
from wuye_field.gate.visitors import GATE_ROLES, GateRefused, gate_post, refuse
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Building
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PARCEL_ROLES = GATE_ROLES + ("desk",)
PHOTO_OWNER = "parcel"
PHOTO_OWNER_OUT = "parcel_handover"
CHAIN_KINDS = {
    "gate_parcel": FIELD_COLUMNS + ("post_id", "building_id", "unit", "carrier", "count", "note"),
    "gate_parcel_handover": FIELD_COLUMNS + ("parcel_id", "to_whom", "code"),
}
chain.register_tables(CHAIN_KINDS)


def parcel_in(user: User, values: dict, receipt: Receipt, *, photo_ids: str | None = "",
              photo_limit: int = 10) -> tuple[Parcel, int]:
    """A parcel received at post `values["post"]` for a unit (building, unit, carrier, count, note)."""
    post = gate_post(user, values.get("post"))
    errors: dict[str, str] = {}
    building_id = None
    if str(values.get("building") or "").isdigit():
        building = db.session.get(Building, int(values["building"]))
        if building is not None and building.site_id == post.site_id:
            building_id = building.id
    if building_id is None:
        errors["building"] = _("请选择收件楼栋。")
    unit = check_text(values.get("unit"), errors, "unit", 20, required=_("请填写单元/房号。"))
    carrier = check_text(values.get("carrier"), errors, "carrier", 20)
    note = check_text(values.get("note"), errors, "note", 100)
    raw = str(values.get("count") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 99:
        errors["count"] = _("件数须为 1–99 的整数。")
    refuse(errors)
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    parcel = Parcel(**receipt.columns(), user_id=user.id, site_id=post.site_id, post_id=post.id,
                    building_id=building_id, unit=unit, carrier=carrier, count=int(raw), note=note)
    db.session.add(parcel)
    db.session.flush()
    pending = photo_links.link_photos(PHOTO_OWNER, parcel.id, user_id=user.id, site_id=post.site_id, photo_ids=photos)
    chain.append_records(post.site_id, "gate_parcel", [parcel.id], now=receipt.received_at)
    return parcel, pending


def parcel_out(user: User, parcel_id: int, values: dict, receipt: Receipt, *, photo_ids: str | None = "",
               photo_limit: int = 10) -> ParcelHandover:
    """The parcel handed over (to_whom, and a pickup code or a signature photo). GateRefused for no name,
    neither code nor signature, a time before it was received; 409 when already handed over."""
    parcel = db.session.get(Parcel, parcel_id)
    if parcel is None or parcel.site_id not in user.site_ids(*PARCEL_ROLES):
        raise NotFound(_("找不到这件包裹，或您无权查看。"))
    errors: dict[str, str] = {}
    to_whom = check_text(values.get("to_whom"), errors, "to_whom", 40, required=_("请填写领取人。"))
    code = check_text(values.get("code"), errors, "code", 20)
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    if not code and not photos and "code" not in errors:
        errors["code"] = _("请填写取件码，或拍下领取人签字。")
    if as_utc(receipt.device_time) < as_utc(parcel.device_time):
        errors["time_out"] = _("领取时间不能早于收件时间。")
    refuse(errors)
    if parcel.handover is not None:
        raise GateRefused(_("这件包裹已被领取。"), status=409, code="already_out")
    handed = ParcelHandover(**receipt.columns(), user_id=user.id, site_id=parcel.site_id, parcel_id=parcel.id,
                            to_whom=to_whom, code=code)
    db.session.add(handed)
    db.session.flush()
    photo_links.link_photos(PHOTO_OWNER_OUT, handed.id, user_id=user.id, site_id=parcel.site_id, photo_ids=photos)
    chain.append_records(parcel.site_id, "gate_parcel_handover", [handed.id], now=receipt.received_at)
    db.session.expire(parcel, ["handover"])
    return handed


def waiting(site_id: int) -> list[Parcel]:
    return list(db.session.scalars(
        select(Parcel).outerjoin(ParcelHandover, ParcelHandover.parcel_id == Parcel.id)
        .where(Parcel.site_id == site_id, ParcelHandover.id.is_(None)).order_by(Parcel.device_time)))


def unclaimed(site_id: int, now: datetime) -> list[Parcel]:
    """G13: parcels waiting longer than the site's N days (default 3)."""
    limit = timedelta(days=int(settings.setting(site_id, "gate.parcel_unclaimed_days", now)))
    return [p for p in waiting(site_id) if as_utc(now) - as_utc(p.device_time) > limit]


def parcels_between(site_id: int, start: datetime, end: datetime) -> list[Parcel]:
    return list(db.session.scalars(select(Parcel).where(Parcel.site_id == site_id, Parcel.device_time >= start,
                                                        Parcel.device_time < end).order_by(Parcel.device_time)))


