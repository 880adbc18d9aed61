"""Incidents and their follow-ups, SOS calls, complaints and their steps: all append-only records on the
site's chain (H5), except `Complaint`, whose answer/result/verdict columns are a projection of its steps.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

CATEGORIES = {
    "fire": _l("火情 / 冒烟"), "water": _l("漏水 / 水浸"), "storm": _l("风雨损坏"), "power": _l("停电"),
    "lift": _l("电梯困人"), "suspicious": _l("可疑人员"), "theft": _l("盗窃 / 撬门"),
    "open_door": _l("发现门未关（P12）"), "injury": _l("高空坠落 / 受伤"), "fight": _l("打架 / 纠纷"),
    "vehicle": _l("交通事故"), "other": _l("其他"),
}
MAJOR_LOSS_YUAN = 10_000  # A4: casualties or a loss of 10,000 yuan or more vetoes the month

COMPLAINT_CHANNELS = {"call": _l("来电"), "visit": _l("来访"), "written": _l("书面"), "online": _l("网上"),
                      "note": _l("住户留言"), "window": _l("楼栋公示（住户）")}
COMPLAINT_CATEGORIES = {"service": _l("服务态度"), "repair": _l("维修"), "cleaning": _l("保洁"),
                        "security": _l("安全秩序"), "noise": _l("噪音"), "parking": _l("停车"),
                        "fees": _l("收费"), "other": _l("其他")}
STEP_KINDS = ("take", "answer", "step", "result", "verdict")
LINK_KINDS = {"workorder": _l("工单"), "incident": _l("事件"), "duty_log": _l("值班记录")}


class Position:
    """Latitude, longitude and accuracy (metres) when the phone gave them within 3 s; else all None."""

    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)

    @property
    def position(self) -> dict | None:
        if self.lat is None or self.lon is None:
            return None
        return {"lat": round(self.lat, 6), "lon": round(self.lon, 6), "accuracy": self.accuracy_m}


class Incident(Position, FieldRecord, db.Model):
    """An incident reported in the field (事件报告). Closed by a follow-up with `closes`."""

    __tablename__ = "incident"

    category: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    where_text: Mapped[str] = mapped_column(String(200), default="")
    what: Mapped[str] = mapped_column(Text)
    people: Mapped[str] = mapped_column(String(300), default="")
    loss_yuan: Mapped[int] = mapped_column(Integer, default=0)
    casualties: Mapped[bool] = mapped_column(Boolean, default=False)
    police_called: Mapped[bool] = mapped_column(Boolean, default=False)
    fire_called: Mapped[bool] = mapped_column(Boolean, default=False)
    ambulance_called: Mapped[bool] = mapped_column(Boolean, default=False)
    colleague_name: Mapped[str] = mapped_column(String(50), default="")  # P12: who entered with the guard
    major: Mapped[bool] = mapped_column(Boolean, default=False)  # A4: vetoes the month

    user = relationship("User", lazy="joined")
    place = relationship("Place", lazy="joined")


class IncidentFollowUp(FieldRecord, db.Model):
    """A follow-up by the desk or a supervisor; `closes` with a `result` closes the incident."""

    __tablename__ = "incident_followup"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    closes: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User", lazy="joined")


class SosCall(Position, FieldRecord, db.Model):
    """A guard's SOS (紧急求助): who, when (device time), the last checkpoint scanned, position, a note."""

    __tablename__ = "sos_call"

    note: Mapped[str] = mapped_column(String(200), default="")
    last_checkpoint: Mapped[str] = mapped_column(String(100), default="")

    user = relationship("User", lazy="joined")


class Complaint(db.Model):
    """A complaint (投诉) taken by the desk, or sent by a resident from a building's window (channel "window").

    The answer, result and verdict columns repeat its steps. A resident's complaint arrives with its
    reference number, building, phone and optional photo (kept with the residents' photos), and with no
    owner: the first desk person who takes it owns it (首接责任制, W6; a "take" step on the chain)."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    who: Mapped[str] = mapped_column(String(100))
    what: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    answer_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: sent by a resident
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # W6: first contact; None until taken
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    effective: Mapped[bool | None] = mapped_column(Boolean)  # the resident's verdict
    link_kind: Mapped[str] = mapped_column(String(12), default="")
    link_id: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)  # what a resident calls about
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(20), default="")  # a resident's phone, for the call back
    photo_key: Mapped[str | None] = mapped_column(String(80))

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    building = relationship("Building", lazy="joined")

    def overdue(self, now: datetime) -> bool:
        """No answer yet and the same-day clock has run out (times compared in UTC whatever the driver gives)."""
        return self.answered_at is None and as_utc(self.answer_due) < as_utc(now)
    steps: Mapped[list[ComplaintStep]] = relationship(lazy="selectin", order_by="ComplaintStep.id")


class ComplaintStep(db.Model):
    """One step of a complaint: the first answer, a handling step, the result, the resident's verdict."""

    __tablename__ = "complaint_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    effective: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user = relationship("User", lazy="joined")


RECORD_TABLES = {"incident": "received_at", "incident_followup": "received_at", "sos_call": "received_at",
                 "complaint_step": "created_at"}
for _model in (Incident, IncidentFollowUp, SosCall, ComplaintStep):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
