"""Defects and their resolutions (their photos are `photos.models.PhotoLink` rows of kind "defect")."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord


DEFECT_CATEGORIES = {
    "security": _l("治安隐患"),
    "fire": _l("消防"),
    "water": _l("水"),
    "power": _l("电"),
    "civil": _l("土建"),
    "doors": _l("门窗"),
    "lift": _l("电梯"),
    "lighting": _l("照明"),
    "public": _l("公共设施"),
    "cleaning": _l("环境卫生"),
    "other": _l("其他"),
}


class Defect(FieldRecord, db.Model):
    """A defect or hazard (隐患/缺陷) someone on the site recorded, with photos (PhotoLink "defect").

    Append-only: it stays open until a `DefectResolution` says resolved or turned into a work order.
    `place_id` is empty for a defect recorded "anywhere" (then `location` says where);
    `inspection_id` / `round_id` when it was found during an inspection or round.
    """

    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    location: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(10), default="low")
    note: Mapped[str] = mapped_column(Text, default="")
    # Soft references (no FK): the retention job may purge an old inspection/round before the defect.
    inspection_id: Mapped[int | None] = mapped_column(Integer, index=True)
    round_id: Mapped[int | None] = mapped_column(Integer, index=True)

    place: Mapped[Place | None] = relationship(lazy="joined")  # noqa: F821
    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821


class DefectResolution(FieldRecord, db.Model):
    """A supervisor closed a defect: `outcome` "resolved" (with a note) or "order" (with the work order)."""

    __tablename__ = "defect_resolution"

    defect_id: Mapped[int] = mapped_column(ForeignKey("defect.id"), index=True, unique=True)
    outcome: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True)


RECORD_TABLES = {"defect_resolution": "received_at", "defect": "received_at"}
for _model in (DefectResolution, Defect):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
