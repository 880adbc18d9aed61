"""Incidents demo data: the control room's phone for the SOS panel and one complaint waiting for its answer."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.incidents import complaints, settings
from wuye_field.incidents.models import Complaint
from wuye_field.places.models import Site
from wuye_field.sync.receipt import Receipt

CONTROL_ROOM = "021-5555 0110"


def load_incidents_demo(site: Site, now: datetime) -> None:
    """Idempotent: the control room's number (set by admin01) and, if the site has none, one complaint taken by
    desk01 today (its same-day clock running)."""
    admin = db.session.scalar(select(User).where(User.staff_no == "admin01"))
    desk = db.session.scalar(select(User).where(User.staff_no == "desk01"))
    if admin is not None and not settings.value(site.id, "incidents.control_room_phone", now):
        settings.change(admin, site.id, "incidents.control_room_phone", CONTROL_ROOM, now=now,
                        label="incidents.control_room_phone")
    if desk is not None and db.session.scalar(select(Complaint.id).where(Complaint.site_id == site.id)) is None:
        complaints.raise_complaint(desk, {"site_id": site.id, "channel": "call", "category": "noise",
                                          "who": "2栋 1203 刘女士", "what": "楼上晚上十点后还在装修，声音很大"},
                                   Receipt.server(now))
    db.session.flush()
