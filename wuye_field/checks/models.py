"""Equipment, its status history, check plans, and the field records of checks: checks, meter readings, drills.

A check, a meter reading and a drill are field records (`FieldRecord`: client UUID, device time, skew),
append-only and chained. The plan row holds what a plan covers and its checklist; its frequency is an
effective-dated setting (`audit.settings_history`, subject "check_plan") whose current value the row keeps
in `frequency` for forms. `PlannedOrder` remembers which work order a plan raised for which window, so a
window gets one order however often the job runs.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

IN_SERVICE, OUT_OF_SERVICE, REMOVED = "in_service", "out_of_service", "removed"


class Equipment(db.Model):
    """A piece of equipment at a place of a site (an extinguisher, a hydrant box, a pump …).

    `attrs` holds the attributes of its type (extinguisher: agent, capacity, expiry; hydrant box: expected
    extinguishers). `tag_place_id` is its own QR tag: a place of kind "equipment" whose page shows it
    (the place tag sheet prints it); without one it is reached through its place's tag.
    """

    __tablename__ = "equipment"
    __table_args__ = (UniqueConstraint("site_id", "code"), Index("ix_equipment_site_type", "site_id", "type"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"), index=True)
    floor: Mapped[str] = mapped_column(String(10), default="")
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=IN_SERVICE)
    tag_place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    place: Mapped[Place | None] = relationship(foreign_keys=[place_id], lazy="joined")  # noqa: F821
    building: Mapped[Building | None] = relationship(lazy="joined")  # noqa: F821


class EquipmentStatus(db.Model):
    """One status change of a piece of equipment (in service → out of service → removed …), never edited."""

    __tablename__ = "equipment_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CheckPlan(db.Model):
    """Which equipment (types, building, or a list), which checklist, who, how often.

    `items`: [{"key", "label", "kind": "ok" | "count" | "reading", "expected" (count: a number or
    "attr:<name>"), "min", "max", "unit", "meter"}]. `role` does it (guard, technician, supervisor), or
    `assignee_id` when one person does. `orders_ahead_days` > 0 makes the plan raise a work order that
    many days before each due date (upkeep). `key` names a default plan ("fire.daily" …), empty for others.
    """

    __tablename__ = "check_plan"
    __table_args__ = (Index("ix_check_plan_site_key", "site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))  # fire / upkeep / supervisory
    equipment_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    equipment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    role: Mapped[str] = mapped_column(String(16), default="guard")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    frequency: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Also due on a meter: {"meter": "hours", "every": 500} (run hours since the last check) or
    # {"meter": "pressure", "above": 0.8} / {"below": …} (the latest reading beyond a threshold).
    meter_trigger: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    orders_ahead_days: Mapped[int] = mapped_column(Integer, default=0)
    order_category: Mapped[str] = mapped_column(String(12), default="other")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CheckRecord(FieldRecord, db.Model):
    """A check of one piece of equipment under one plan, done on the phone (offline first).

    `answers`: {item key: {"ok": bool, "value": number | None}}; `result` "ok" or "fail" (any item bad,
    a count short, a reading out of range, or a rule: an expired extinguisher). `equipment_removed` marks a
    check that arrived after the equipment was removed: kept, shown flagged, not counted as done.
    `defect_id`: the defect a failed check opened.
    """

    __tablename__ = "check_record"
    __table_args__ = (UniqueConstraint("user_id", "client_uuid"),
                      # the board and month figures read one plan's checks in a time range (bench/checks.py)
                      Index("ix_check_record_board", "site_id", "plan_id", "device_time", "equipment_id"))

    plan_id: Mapped[int] = mapped_column(ForeignKey("check_plan.id"), index=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"), index=True)
    result: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failures: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    equipment_removed: Mapped[bool] = mapped_column(Boolean, default=False)
    defect_id: Mapped[int | None] = mapped_column(Integer, index=True)  # soft: defects may be purged first


class MeterReading(FieldRecord, db.Model):
    """A meter reading (water m³, electricity kWh, pump hours, pressure MPa) of a piece of equipment."""

    __tablename__ = "meter_reading"
    __table_args__ = (UniqueConstraint("user_id", "client_uuid", "meter"),
                      Index("ix_meter_reading_equipment", "equipment_id", "meter", "device_time"))

    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    meter: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    check_id: Mapped[int | None] = mapped_column(Integer)


class Drill(FieldRecord, db.Model):
    """An emergency drill (P11): type, day, place, who took part, how long, what was found."""

    __tablename__ = "drill"

    kind: Mapped[str] = mapped_column(String(12))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    location: Mapped[str] = mapped_column(String(100), default="")
    participant_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    participants_typed: Mapped[str] = mapped_column(Text, default="")
    duration_min: Mapped[int] = mapped_column(Integer)
    findings: Mapped[str] = mapped_column(Text, default="")

    @property
    def kind_label(self) -> str:
        from wuye_field.checks.defaults import DRILL_KINDS
        return str(DRILL_KINDS.get(self.kind, self.kind))


class PlannedOrder(db.Model):
    """The work order a plan raised for one piece of equipment and one window (raised once)."""

    __tablename__ = "planned_order"
    __table_args__ = (UniqueConstraint("plan_id", "equipment_id", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("check_plan.id", ondelete="CASCADE"))
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id", ondelete="CASCADE"))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    equipment: Mapped[Equipment] = relationship()


RECORD_TABLES = {"check_record": "received_at", "meter_reading": "received_at", "drill": "received_at"}
for _model in (CheckRecord, MeterReading, Drill):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
