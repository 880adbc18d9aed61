"""Gate models: the roster of handover posts (configuration) and visitor records (append-only, chained).

One notion of post: a roster line names a `handover_post` (东门岗, 监控室 …) and one of its shift starts.

A visitor's personal fields (name, phone, ID number, the resident they visit) live in `VisitorPerson`,
beside the append-only `Visitor` record, which hashes only a salted digest of them (G7). Erasing them
after the site's retention deletes the `VisitorPerson` row and appends a `GateErasure` record on the
chain: the visitor record itself is never updated, so `verify-chain` stays green, and the digest, salted
with a salt erased with the row, cannot be brute-forced back to a phone number.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

VEHICLE_KINDS = {"visitor": _l("访客车"), "resident": _l("业主车")}
ID_TYPES = {"": _l("未登记"), "id18": _l("居民身份证"), "other": _l("其他证件")}


class RosterEntry(db.Model):
    """Who is on `post_id` for the shift starting at local `shift` ("07:00") on local `day` (排班)."""

    __tablename__ = "gate_roster_entry"
    __table_args__ = (UniqueConstraint("post_id", "day", "shift"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("handover_post.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    shift: Mapped[str] = mapped_column(String(5))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821


class Visitor(FieldRecord, db.Model):
    """A visitor registered at the gate (来访登记): time in = the device time of the action."""

    __tablename__ = "gate_visitor"

    post_id: Mapped[int | None] = mapped_column(ForeignKey("handover_post.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(String(100), default="")
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    plate: Mapped[str] = mapped_column(String(10), default="")
    id_type: Mapped[str] = mapped_column(String(8), default="")
    person_digest: Mapped[str] = mapped_column(String(64))
    pass_id: Mapped[int | None] = mapped_column(ForeignKey("gate_pass.id"), index=True)
    watch_hit: Mapped[str] = mapped_column(String(200), default="")  # G8: what matched the watch list
    watch_decision: Mapped[str] = mapped_column(String(10), default="")  # admit | refuse (the guard's)

    person: Mapped[VisitorPerson | None] = relationship(lazy="joined", uselist=False)
    building: Mapped[Building | None] = relationship(lazy="joined")  # noqa: F821
    exit: Mapped[VisitorExit | None] = relationship(lazy="joined", uselist=False)

    @property
    def inside(self) -> bool:
        return self.exit is None and self.watch_decision != "refuse"


class GatePass(db.Model):
    """A visitor pre-registered by the desk (访客通行证): a number (and its QR) valid from one date to another.

    Configuration, not a record: the visitor records made with it are the records. Its personal fields are
    blanked with the visitors' after the site's retention (G7)."""

    __tablename__ = "gate_pass"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(12))
    visitor_name: Mapped[str] = mapped_column(String(40), default="")
    visitor_phone: Mapped[str] = mapped_column(String(20), default="")
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(20), default="")
    host_name: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(String(100), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # desk | call (the desk, on a call from a verified phone of the unit) | resident (the residents' window)
    source: Mapped[str] = mapped_column(String(10), default="desk")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("gate_unit_contact.id", ondelete="SET NULL"))

    building: Mapped[Building | None] = relationship(lazy="joined")  # noqa: F821


PASS_SOURCES = {"desk": _l("服务台登记"), "call": _l("住户来电，服务台代办"), "resident": _l("住户自助预约")}


class UnitContact(db.Model):
    """A resident's phone as the desk knows it (住户登记): the unit it belongs to. A resident proves they
    may pre-register visitors for the unit by typing this phone with the unit (G9). Configuration kept
    by the desk; every change is in the admin change log."""

    __tablename__ = "gate_unit_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    unit_key: Mapped[str] = mapped_column(String(20), index=True)  # letters and digits of the unit only
    name: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    building: Mapped[Building] = relationship(lazy="joined")  # noqa: F821


class WatchEntry(db.Model):
    """A person (name and/or ID number) or a plate the site watches for (关注名单, G8): a match warns the
    guard, who decides; never an automatic refusal."""

    __tablename__ = "gate_watch_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    id_number: Mapped[str] = mapped_column(String(30), default="")
    plate: Mapped[str] = mapped_column(String(10), default="")
    note: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VisitorPerson(db.Model):
    """The personal fields of a visitor record, erased (deleted) after the site's retention (G7)."""

    __tablename__ = "gate_visitor_person"

    visitor_id: Mapped[int] = mapped_column(ForeignKey("gate_visitor.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    id_number: Mapped[str] = mapped_column(String(30), default="")
    host_name: Mapped[str] = mapped_column(String(40), default="")
    salt: Mapped[str] = mapped_column(String(32))


class VisitorExit(FieldRecord, db.Model):
    """The visitor left (time out = the device time); one per visitor."""

    __tablename__ = "gate_visitor_exit"

    visitor_id: Mapped[int] = mapped_column(ForeignKey("gate_visitor.id"), unique=True)


class VisitorAccess(db.Model):
    """Someone other than the desk saw a visitor's full phone and ID number (H6, G6). Append-only."""

    __tablename__ = "gate_visitor_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("gate_visitor.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    what: Mapped[str] = mapped_column(String(40), default="view")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GateErasure(db.Model):
    """The personal fields of `count` visitor records dated before `cutoff` were erased (G7). Chained."""

    __tablename__ = "gate_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    what: Mapped[str] = mapped_column(String(20), default="visitor")
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retention_days: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    record_ids: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReleaseSlip(db.Model):
    """A goods-release slip (放行条, P10): what goes out of a unit, how many pieces, by whom, until when.

    Issued online by the desk or a supervisor; its use is the `ReleaseCheck` records made at the gate."""

    __tablename__ = "gate_release_slip"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(12))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(20), default="")
    goods: Mapped[str] = mapped_column(String(200))
    pieces: Mapped[int] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String(40), default="")
    valid_until: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    building: Mapped[Building | None] = relationship(lazy="joined")  # noqa: F821


class ReleaseCheck(FieldRecord, db.Model):
    """Goods at the gate (release-check / release-stop): released against a slip, refused with the reason,
    or stopped without a slip. `flag` marks a slip released twice from the phones' caches (G11)."""

    __tablename__ = "gate_release_check"

    post_id: Mapped[int] = mapped_column(ForeignKey("handover_post.id"), index=True)
    slip_id: Mapped[int | None] = mapped_column(ForeignKey("gate_release_slip.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), default="")
    outcome: Mapped[str] = mapped_column(String(10))  # released | refused | stopped
    reason: Mapped[str] = mapped_column(String(20), default="")  # unknown | expired | used | other_site
    pieces: Mapped[int] = mapped_column(Integer, default=0)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)  # decided on the phone from its cache
    flag: Mapped[str] = mapped_column(String(20), default="")  # double_use
    note: Mapped[str] = mapped_column(String(200), default="")


class VehicleEntry(FieldRecord, db.Model):
    """A vehicle came in (车辆出入, G5, G12): time in = the device time."""

    __tablename__ = "gate_vehicle_entry"

    post_id: Mapped[int] = mapped_column(ForeignKey("handover_post.id"), index=True)
    plate: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="visitor")  # visitor | resident
    parking: Mapped[str] = mapped_column(String(40), default="")

    exit: Mapped[VehicleExit | None] = relationship(lazy="joined", uselist=False)


class VehicleExit(FieldRecord, db.Model):
    """The vehicle left (time out = the device time); one per entry."""

    __tablename__ = "gate_vehicle_exit"

    entry_id: Mapped[int] = mapped_column(ForeignKey("gate_vehicle_entry.id"), unique=True)


class Parcel(FieldRecord, db.Model):
    """A parcel or letter received for a unit (信件收发, 第5篇, G13): carrier, count, photo."""

    __tablename__ = "gate_parcel"

    post_id: Mapped[int] = mapped_column(ForeignKey("handover_post.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="")
    carrier: Mapped[str] = mapped_column(String(20), default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(String(100), default="")

    building: Mapped[Building | None] = relationship(lazy="joined")  # noqa: F821
    handover: Mapped[ParcelHandover | None] = relationship(lazy="joined", uselist=False)


class ParcelHandover(FieldRecord, db.Model):
    """The parcel was handed over: to whom, with a signature photo or a pickup code; one per parcel."""

    __tablename__ = "gate_parcel_handover"

    parcel_id: Mapped[int] = mapped_column(ForeignKey("gate_parcel.id"), unique=True)
    to_whom: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(20), default="")


DUTY_CATEGORIES = {"security": _l("治安"), "fire": _l("消防"), "equipment": _l("设施设备"), "service": _l("客户服务"),
                   "other": _l("其他")}


class DutyLogEntry(FieldRecord, db.Model):
    """One entry of the running duty log (值班记录, P5, P8, G14): what happened, its category, whether it
    needs following up (then it is handed on at the post's next shift change)."""

    __tablename__ = "gate_duty_log"

    post_id: Mapped[int | None] = mapped_column(ForeignKey("handover_post.id"), index=True)
    category: Mapped[str] = mapped_column(String(12), default="other")
    text: Mapped[str] = mapped_column(String(500))
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)


class DutySignoff(db.Model):
    """A supervisor checked a site's duty log and handovers of one local day (第12篇 4.11.9, G15). Chained."""

    __tablename__ = "gate_duty_signoff"
    __table_args__ = (UniqueConstraint("site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821


RECORD_TABLES = {  # table → the column that dates its rows (retention), children before parents
    "gate_visitor_access": "created_at",
    "gate_release_check": "received_at",
    "gate_vehicle_exit": "received_at",
    "gate_parcel_handover": "received_at",
    "gate_parcel": "received_at",
    "gate_duty_log": "received_at",
    "gate_duty_signoff": "created_at",
    "gate_vehicle_entry": "received_at",
    "gate_visitor_exit": "received_at",
    "gate_visitor": "received_at",
    "gate_erasure": "created_at",
}
for _model in (VisitorAccess, ReleaseCheck, VehicleExit, VehicleEntry, ParcelHandover, Parcel, VisitorExit, Visitor,
               GateErasure, DutyLogEntry, DutySignoff):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
