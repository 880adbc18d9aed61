"""Patrol: routes (config), rounds, checkpoint scans, inspections and make-up visits (field records).

Field records are append-only (H5): a round is finished by a `RoundFinish` record, never by
editing the `Round`; an inspection is corrected by a new inspection that points at the old one.
Configuration (routes, their stops, checklist items) is editable, and every edit goes to the admin log.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

# How the guard reached the place: the in-app scanner, the phone camera opening /t/<token>, or by hand.
SCAN_VIA = ("camera", "link", "manual")  # what a phone may send with a scan
VIA_CHECKLIST = "checklist"  # the visit an inspection (「全部正常」 or an exception) recorded by itself
NOTE_MAX = 500

# What an inspection looks at (P3–P7); a checklist item belongs to one of these.
CHECK_CATEGORIES = {
    "security": _l("治安"),       # P5
    "fire": _l("消防器材"),        # P5, P7
    "doors": _l("门窗关闭"),       # P5
    "lighting": _l("照明"),        # P7, W8
    "signs": _l("警示标志"),       # P3
    "parking": _l("车辆停放"),     # P4
}
ITEM_KINDS = ("check", "reading")  # a yes/no check, or a number read off a gauge/meter with a range
SEVERITIES = {"low": _l("一般"), "medium": _l("较重"), "high": _l("严重")}

DEFAULT_MIN_SECONDS_BETWEEN = 30  # faster than this between two checkpoints of a route is an anomaly
DEFAULT_ROUND_WINDOW_MIN = 240    # P2: an open round is closed (incomplete) after its window


class Route(db.Model):
    """An ordered list of checkpoints a guard walks (巡更路线), with an expected duration."""

    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    expected_minutes: Mapped[int] = mapped_column(Integer, default=30)
    window_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_ROUND_WINDOW_MIN)
    min_seconds_between: Mapped[int] = mapped_column(Integer, default=DEFAULT_MIN_SECONDS_BETWEEN)
    random_order: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    stops: Mapped[list[RouteStop]] = relationship(
        back_populates="route", order_by="RouteStop.position", cascade="all, delete-orphan"
    )


class RouteStop(db.Model):
    """A checkpoint on a route, at its position in the fixed order."""

    __tablename__ = "route_stop"
    __table_args__ = (UniqueConstraint("route_id", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("route.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    route: Mapped[Route] = relationship(back_populates="stops")
    place: Mapped[Place] = relationship(lazy="joined")  # noqa: F821


class ChecklistItem(db.Model):
    """One line of a place's inspection checklist: a check, or a reading with an expected range."""

    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10), default="check")
    unit: Mapped[str] = mapped_column(String(12), default="")
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Round(FieldRecord, db.Model):
    """A guard started walking a route (`device_time` = start). `planned` is the stop order for this
    round as comma-separated place ids (shuffled per shift when the route asks for it)."""

    route_id: Mapped[int] = mapped_column(ForeignKey("route.id"), index=True)
    planned: Mapped[str] = mapped_column(Text, default="")
    window_ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    route: Mapped[Route] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821


class RoundFinish(FieldRecord, db.Model):
    """The guard finished a round (`device_time`), early with a `reason` when stops were left."""

    __tablename__ = "round_finish"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True, unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class Scan(FieldRecord, db.Model):
    """A guard was at a checkpoint (append-only: a correction is a new record, never an edit).

    `round_id` when made during a round; `off_route` when that round's route does not list the place;
    `tag_retired` when the token scanned had been replaced (kept for review, P2 anomalies).
    """

    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    via: Mapped[str] = mapped_column(String(10), default="link")
    note: Mapped[str] = mapped_column(Text, default="")
    off_route: Mapped[bool] = mapped_column(Boolean, default=False)
    tag_retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # The phone's position when the site records it (patrol.position; not part of the chained content).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)

    place: Mapped[Place] = relationship(lazy="joined")  # noqa: F821
    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Scan {self.client_uuid} place={self.place_id}>"


# The board and the compliance windows walk each key area's valid visits by time (bench/patrol.py:
# 3.9–19 ms for the board at 10.8 M scans with this index, up to 200 ms without).
Index("ix_scan_place_device_time_live", Scan.place_id, Scan.device_time,
      postgresql_where=~Scan.tag_retired, sqlite_where=~Scan.tag_retired)


class Inspection(FieldRecord, db.Model):
    """The checklist at a checkpoint: all normal in one tap, or exceptions with note, severity, photos.

    `corrects_id` + `correction_reason` when this inspection corrects an earlier one (which stays).
    """

    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    all_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    severity: Mapped[str] = mapped_column(String(10), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)

    place: Mapped[Place] = relationship(lazy="joined")  # noqa: F821
    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821
    answers: Mapped[list[InspectionAnswer]] = relationship(order_by="InspectionAnswer.id")


class InspectionAnswer(db.Model):
    """One checklist item's answer: ok or not, the reading if it is a reading, and a note."""

    __tablename__ = "inspection_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    reading: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[ChecklistItem] = relationship(lazy="joined")


class PatrolMakeup(FieldRecord, db.Model):
    """补巡: a key area's missed interval window was made up later, with a reason.

    `window_start` (UTC) names the window it makes up; the visit itself is a normal scan.
    """

    __tablename__ = "patrol_makeup"

    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)


class PositionErasure(db.Model):
    """The phone's positions on `scans` scans and `inspections` inspections received before `cutoff` were
    erased after the site's personal-data retention (`patrol.position.erase_expired`); the records stay, so
    the chain still verifies (positions are not chained content). Chained itself; `record_ids` names them
    ("scan:1,2;inspection:7")."""

    __tablename__ = "position_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retention_days: Mapped[int] = mapped_column(Integer)
    scans: Mapped[int] = mapped_column(Integer, default=0)
    inspections: Mapped[int] = mapped_column(Integer, default=0)
    record_ids: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Field records are append-only (H5): table → the column that dates its rows, children first.
RECORD_TABLES = {
    "inspection_answer": "created_at",
    "inspection": "received_at",
    "patrol_makeup": "received_at",
    "scan": "received_at",
    "round_finish": "received_at",
    "round": "received_at",
    "position_erasure": "created_at",
}
POSITION_COLUMNS = ("lat", "lon", "accuracy_m")  # personal data: erased after the site's retention
for _model in (InspectionAnswer, Inspection, PatrolMakeup, Scan, RoundFinish, Round, PositionErasure):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__],
                         erasable=POSITION_COLUMNS if _model in (Scan, Inspection) else ())


def scans_of_place(place_id: int):
    """select() of a place's scans, newest (by device time) first."""
    return select(Scan).where(Scan.place_id == place_id).order_by(Scan.device_time.desc(), Scan.id.desc())
