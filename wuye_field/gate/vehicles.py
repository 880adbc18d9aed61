"""Vehicles at the gate (车辆出入, 第6篇①d, G5, G12): plate validated (new-energy plates included), in / out
on the outbox, visitor or resident, parking place; vehicles inside longer than the site's limit listed."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import NotFound
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.extensions import db
from wuye_field.gate import settings
from wuye_field.gate.checks import check_plate, check_text
from wuye_field.gate.models import VEHICLE_KINDS, VehicleEntry, VehicleExit
from wuye_field.gate.visitors import GATE_ROLES, GateRefused, gate_post, refuse
from wuye_field.places.models import Site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

CHAIN_KINDS = {
    "gate_vehicle_entry": FIELD_COLUMNS + ("post_id", "plate", "kind", "parking"),
    "gate_vehicle_exit": FIELD_COLUMNS + ("entry_id",),
}
chain.register_tables(CHAIN_KINDS)


def vehicle_in(user: User, values: dict, receipt: Receipt) -> VehicleEntry:
    """A vehicle comes in at post `values["post"]` (plate, kind, parking). GateRefused naming the field for a
    malformed plate; 409 when the same plate is already inside."""
    post = gate_post(user, values.get("post"))
    errors: dict[str, str] = {}
    plate = check_plate(values.get("plate"), errors, required=True)
    kind = values.get("kind") if values.get("kind") in VEHICLE_KINDS else "visitor"
    parking = check_text(values.get("parking"), errors, "parking", 40)
    refuse(errors)
    if any(v.plate == plate for v in inside(post.site_id)):
        raise GateRefused(_("车辆 %(plate)s 已登记在场内，请先登记离场。", plate=plate), status=409, code="already_in",
                          errors={"plate": _("该车已在场内。")})
    entry = VehicleEntry(**receipt.columns(), user_id=user.id, site_id=post.site_id, post_id=post.id, plate=plate,
                         kind=kind, parking=parking)
    db.session.add(entry)
    db.session.flush()
    chain.append_records(post.site_id, "gate_vehicle_entry", [entry.id], now=receipt.received_at)
    return entry


def vehicle_out(user: User, entry_id: int, receipt: Receipt) -> VehicleExit:
    """The vehicle left. GateRefused for a time out before the time in; 409 when already out."""
    entry = db.session.get(VehicleEntry, entry_id)
    if entry is None or entry.site_id not in user.site_ids(*GATE_ROLES):
        raise NotFound(_("找不到这条车辆记录，或您无权查看。"))
    if as_utc(receipt.device_time) < as_utc(entry.device_time):
        tz = db.session.get(Site, entry.site_id).timezone
        refuse({"time_out": _("离场时间不能早于进场时间（%(t)s）。",
                              t=to_site_time(entry.device_time, tz).strftime("%m-%d %H:%M"))})
    if entry.exit is not None:
        raise GateRefused(_("车辆 %(plate)s 已登记离场。", plate=entry.plate), status=409, code="already_out")
    leaving = VehicleExit(**receipt.columns(), user_id=user.id, site_id=entry.site_id, entry_id=entry.id)
    db.session.add(leaving)
    db.session.flush()
    chain.append_records(entry.site_id, "gate_vehicle_exit", [leaving.id], now=receipt.received_at)
    db.session.expire(entry, ["exit"])
    return leaving


def inside(site_id: int) -> list[VehicleEntry]:
    return list(db.session.scalars(
        select(VehicleEntry).outerjoin(VehicleExit, VehicleExit.entry_id == VehicleEntry.id)
        .where(VehicleEntry.site_id == site_id, VehicleExit.id.is_(None)).order_by(VehicleEntry.device_time)))


def overstaying(site_id: int, now: datetime) -> list[VehicleEntry]:
    """G12: vehicles inside longer than the site's limit (hours, default 4)."""
    limit = timedelta(hours=int(settings.setting(site_id, "gate.vehicle_overstay_hours", now)))
    return [v for v in inside(site_id) if as_utc(now) - as_utc(v.device_time) > limit]


def entries_between(site_id: int, start: datetime, end: datetime) -> list[VehicleEntry]:
    return list(db.session.scalars(select(VehicleEntry).where(VehicleEntry.site_id == site_id,
                                                              VehicleEntry.device_time >= start,
                                                              VehicleEntry.device_time < end)
                                   .order_by(VehicleEntry.device_time)))
