"""SOS (紧急求助, 第6篇④a: every fixed post has a panic button): one held press on any field page.

The call carries who, when (the phone's clock), the last checkpoint the guard scanned, the position when the
guard allowed it, and a short note. It raises a red alert for the site's desk and supervisors, who see it
full-screen on any open page until one of them acknowledges; the guard's phone then shows who did.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.alerts import services as alerts
from wuye_field.audit import chain
from wuye_field.core.errors import NotFound
from wuye_field.extensions import db
from wuye_field.incidents import common, settings
from wuye_field.incidents.models import SosCall
from wuye_field.patrol.models import Scan
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

LAST_SCAN_WITHIN = timedelta(hours=12)
chain.register_tables({"sos_call": FIELD_COLUMNS + ("note", "last_checkpoint", "lat", "lon", "accuracy_m")})


def last_checkpoint(user_id: int, site_id: int, before: datetime) -> str:
    """The name of the last place the user scanned on the site in the 12 hours before `before` ("" if none)."""
    scan = db.session.scalar(select(Scan).where(
        Scan.user_id == user_id, Scan.site_id == site_id, Scan.device_time <= before,
        Scan.device_time >= before - LAST_SCAN_WITHIN).order_by(Scan.device_time.desc()).limit(1))
    return scan.place.name if scan is not None else ""


def send_sos(user, values, receipt: Receipt, *, now: datetime) -> SosCall:
    site = common.site_of(user, values.get("site_id"), common.REPORTERS)
    call = SosCall(**receipt.columns(), user_id=user.id, site_id=site.id,
                   note=common.text(values.get("note"), 200, "note"),
                   last_checkpoint=last_checkpoint(user.id, site.id, receipt.device_time), **common.position(values))
    db.session.add(call)
    db.session.flush()
    chain.append_records(site.id, "sos_call", [call.id], now=receipt.received_at)
    where = _("，最后打卡：%(place)s", place=call.last_checkpoint) if call.last_checkpoint else ""
    note = f"（{call.note}）" if call.note else ""
    alerts.raise_alert(
        "sos", site.id, alerts.site_people(site.id, common.SOS_TO) - {user.id},
        _("紧急求助：%(name)s%(where)s%(note)s", name=user.name, where=where, note=note),
        dedupe_key=f"sos:{call.id}", now=now, source=("sos", call.id),
        details={"user": user.name, "user_id": user.id, "last_checkpoint": call.last_checkpoint,
                 "position": call.position})
    return call


def sos_status(user, client_uuid: str) -> dict:
    """What the guard's phone shows for one of their SOS calls: delivered, acknowledged by whom and when."""
    call = db.session.scalar(select(SosCall).where(SosCall.user_id == user.id, SosCall.client_uuid == client_uuid))
    if call is None:
        raise NotFound(_("求助记录不存在。"))
    return {"id": call.id, **alerts.delivery_state(alerts.alert_for("sos", call.id))}


def control_room_phone(user, now: datetime) -> str:
    """The control room's number for the tel: link of an undelivered SOS (the user's first site's setting)."""
    sites = sorted(user.site_ids())
    return settings.value(sites[0], "incidents.control_room_phone", now) if sites else ""
