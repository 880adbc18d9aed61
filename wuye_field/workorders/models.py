"""Work orders: the order, its append-only event history, per-site SLA/price settings, resident access log.

The truth is the history: every transition is an `OrderEvent` (append-only, chained, H5) with
who, device and server time and why. `WorkOrder.state`, `assignee_id` and the clock columns are a
projection of that history kept in the same transaction for fast lists; `rebuild` in the state machine
can recompute them from the events. The order row is therefore not an append-only table.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

STATES = {
    "new": _l("待派单"),
    "assigned": _l("已派单"),
    "arrived": _l("已到场"),
    "on_hold": _l("暂停"),
    "done": _l("已完成"),
    "visited": _l("已回访"),
    "closed": _l("已关闭"),
    "cancelled": _l("已取消"),
}
OPEN_STATES = ("new", "assigned", "arrived", "on_hold")
PRIORITIES = {"emergency": _l("紧急"), "ordinary": _l("一般"), "hard": _l("疑难")}
CATEGORIES = {
    "water": _l("水"), "power": _l("电"), "civil": _l("土建"), "doors": _l("门窗"), "lift": _l("电梯"),
    "fire": _l("消防"), "public": _l("公共设施"), "other": _l("其他"),
}
SOURCES = {"desk": _l("客服来电/来访"), "defect": _l("巡查缺陷"), "supervisor": _l("主管"), "plan": _l("维保计划")}
EVENT_KINDS = ("raise", "assign", "grab", "arrive", "hold", "resume", "done", "visit", "reopen", "cancel",
               "close", "settle")

# Seed defaults (W1–W3), in minutes; a site overrides them in `SlaPolicy`.
DEFAULT_SLA = {
    "emergency": {"arrive": 60, "finish": 8 * 60},   # W1: on site within 1 h (a site may promise 25, W2)
    "ordinary": {"arrive": None, "finish": 8 * 60},  # W3: done within 8 h
    "hard": {"arrive": None, "finish": 72 * 60},     # W3: hard ones within 72 h
}


class SlaPolicy(db.Model):
    """A site's clocks for one priority: on site within `arrive_minutes` (None = no arrival clock),
    done within `finish_minutes` of being raised, paused time excluded."""

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("site_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    arrive_minutes: Mapped[int | None] = mapped_column(Integer)
    finish_minutes: Mapped[int] = mapped_column(Integer)


class OrderSettings(db.Model):
    """Per-site switches: technicians may grab (抢单) unassigned orders of their trade; the resident
    signs on the technician's phone at completion."""

    __tablename__ = "order_settings"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    allow_grab: Mapped[bool] = mapped_column(Boolean, default=False)
    require_signature: Mapped[bool] = mapped_column(Boolean, default=False)


class TechnicianTrade(db.Model):
    """Which order categories a technician works (for grabbing)."""

    __tablename__ = "technician_trade"
    __table_args__ = (UniqueConstraint("user_id", "site_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(12))


class PriceItem(db.Model):
    """The site's published price list for paid work (W7), in fen."""

    __tablename__ = "price_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(12), default="次")
    price_fen: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WorkOrder(db.Model):
    """A repair order (工单). Raised through the outbox like every field action: (raised_by, client_uuid)
    is unique, so a replayed raise creates nothing twice.

    Resident name/phone are confidential (H6): read them only through the resident-data
    service, which masks and logs. `state`, `assignee_id`, `arrived_at`, `done_at`, `paused_seconds`,
    `on_hold_since` are the projection of the events (see module doc).
    """

    __tablename__ = "work_order"
    # (assignee_id, state): a technician's open orders ("my orders"), about halved at 1 M orders (bench/workorders.py)
    __table_args__ = (UniqueConstraint("raised_by_id", "client_uuid"), UniqueConstraint("site_id", "number"),
                      Index("ix_work_order_assignee_state", "assignee_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # e.g. 20261127-0003, per site and local day
    client_uuid: Mapped[str] = mapped_column(String(36))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # device time of the raise
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(12))
    defect_id: Mapped[int | None] = mapped_column(Integer, index=True)  # soft: defects are purged after 3 years
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"), index=True)
    room: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[str] = mapped_column(String(12))
    priority: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    resident_name: Mapped[str] = mapped_column(String(40), default="")
    resident_phone: Mapped[str] = mapped_column(String(20), default="")
    # Clocks fixed at raise time from the site's SlaPolicy (minutes; None = no such clock).
    arrive_minutes: Mapped[int | None] = mapped_column(Integer)
    finish_minutes: Mapped[int] = mapped_column(Integer)
    # Projection of the events.
    state: Mapped[str] = mapped_column(String(10), default="new", index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last reopen: finish clock restarts
    on_hold_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every applied event

    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.id")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")  # noqa: F821
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])  # noqa: F821
    site: Mapped[Site] = relationship()  # noqa: F821
    place: Mapped[Place | None] = relationship()  # noqa: F821
    building: Mapped[Building | None] = relationship()  # noqa: F821


class OrderEvent(FieldRecord, db.Model):
    """One step in an order's life, by `user_id` at `device_time` (received at `received_at`).

    `applied` is False when the step arrived but could not change the order any more (reassigned or
    cancelled while the technician worked offline, or a grab someone else won): it is kept and shown as
    a conflict to settle (`settled_by_id` on a later "settle" is a new event, not an edit).
    Photos: PhotoLink owner_kind "order_event". `signature_photo_uuid`: the resident's signature image.
    """

    __tablename__ = "order_event"

    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    from_state: Mapped[str] = mapped_column(String(10), default="")
    to_state: Mapped[str] = mapped_column(String(10), default="")
    applied: Mapped[bool] = mapped_column(Boolean, default=True)
    conflict_reason: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")  # hold/cancel/reopen reason, completion note …
    verdict: Mapped[str] = mapped_column(String(14), default="")  # visit: satisfied / not_satisfied
    paid: Mapped[bool | None] = mapped_column(Boolean)
    price_item_id: Mapped[int | None] = mapped_column(ForeignKey("price_item.id"))
    amount_fen: Mapped[int | None] = mapped_column(Integer)
    materials: Mapped[str] = mapped_column(Text, default="")
    signature_photo_uuid: Mapped[str | None] = mapped_column(String(36))
    no_signature_reason: Mapped[str] = mapped_column(Text, default="")
    settles_id: Mapped[int | None] = mapped_column(ForeignKey("order_event.id"))

    order: Mapped[WorkOrder] = relationship(back_populates="events")
    user: Mapped[User] = relationship(foreign_keys="OrderEvent.user_id", lazy="joined")  # noqa: F821
    assignee: Mapped[User | None] = relationship(foreign_keys="OrderEvent.assignee_id")  # noqa: F821


class ResidentAccess(db.Model):
    """Someone other than the desk saw a resident's full name and phone (H6). Append-only."""

    __tablename__ = "resident_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    what: Mapped[str] = mapped_column(String(40), default="view")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


RECORD_TABLES = {"order_event": "received_at", "resident_access": "created_at"}
for _model in (OrderEvent, ResidentAccess):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
