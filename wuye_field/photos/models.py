"""Photos (uploaded on their own, idempotent by photo UUID) and the links records hold to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord


class Photo(FieldRecord, db.Model):
    """A photo taken on the phone, stored re-encoded (display size + thumbnail), metadata stripped.

    `client_uuid` is the photo's UUID (its Idempotency-Key), `user_id` the uploader. `site_id` stays
    empty until a record names the photo (a photo may arrive before its record, R6).
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


# A record's photo list is part of the record: the links are append-only like the records that hold them.
register_append_only(PhotoLink.__table__, "created_at")
