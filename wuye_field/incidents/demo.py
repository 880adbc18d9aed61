"""Incidents demo data: the control room's phone for the SOS panel, one complaint waiting for its answer and one
resident's complaint from 3栋's window waiting for someone to take it."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.incidents import complaints, settings
from wuye_field.incidents.models import Complaint
from wuye_field.places.models import Building, Site
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
    building = db.session.scalar(select(Building).where(Building.site_id == site.id, Building.name == "3栋"))
    if building is not None and db.session.scalar(select(Complaint.id).where(
            Complaint.site_id == site.id, Complaint.channel == "window").limit(1)) is None:
        # The demo's starting state, not news: nobody is alerted.
        complaints.receive_resident_complaint(building, reference="R0000000002", phone="13912340000",
                                              what="地下车库入口常有车辆乱停，堵住消防通道", photo_key=None,
                                              now=now - timedelta(hours=1), notify=False)
    db.session.flush()
