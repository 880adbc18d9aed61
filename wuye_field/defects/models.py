"""Photos (uploaded on their own, idempotent by photo UUID), the links records hold to them, and defects."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord


class Photo(FieldRecord, db.Model):
    """A photo taken on the phone, stored re-encoded (display size + thumbnail), metadata stripped.

    `client_uuid` is the photo's UUID (its Idempotency-Key), `user_id` the uploader. `site_id` stays
    empty until a record names the photo (a photo may arrive before its record, RELIABILITY 6).
    `sha256` is the digest of the uploaded bytes; the stored files are content-addressed by their own.
    """

    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    display_key: Mapped[str] = mapped_column(String(120))
    thumb_key: Mapped[str] = mapped_column(String(120))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format_in: Mapped[str] = mapped_column(String(10))
    bytes_in: Mapped[int] = mapped_column(Integer)
    bytes_out: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<Photo {self.client_uuid}>"


class PhotoLink(db.Model):
    """A record names a photo by UUID, whether or not the photo has arrived yet.

    `owner_kind` + `owner_id` identify the record ("scan", 12); `user_id` is the record's author, the
    only uploader whose photo with that UUID counts; `site_id` is the record's site (the photo's, once linked).
    """

    __tablename__ = "photo_link"
    __table_args__ = (UniqueConstraint("owner_kind", "owner_id", "photo_uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_uuid: Mapped[str] = mapped_column(String(36), index=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def links_of(owner_kind: str, owner_ids):
    """select() of the photo links of some records, in their order."""
    return (select(PhotoLink).where(PhotoLink.owner_kind == owner_kind, PhotoLink.owner_id.in_(owner_ids))
            .order_by(PhotoLink.owner_id, PhotoLink.position))


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


RECORD_TABLES = {"defect_resolution": "received_at", "defect": "received_at", "photo_link": "created_at"}
for _model in (DefectResolution, Defect, PhotoLink):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
