"""Idempotency records: the stored response of every field action, keyed by (user, client UUID).

Also the `FieldRecord` mixin every field-record model (scan, photo, inspection, …) is built on. Sync is
generic: it names tables by string only and imports no domain.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from wuye_field.core.time import utcnow
from wuye_field.extensions import db


class FieldRecord:
    """Columns shared by every record a field worker makes on the phone.

    `client_uuid` is the UUID the phone made when the action was created (the Idempotency-Key). It is
    unique per user, not globally: keys are scoped per user, so another user replaying the same UUID
    stores their own record and never sees this one. `device_time` is the phone's clock when the action
    was made (UTC); `received_at` the server's clock at first receipt; `clock_skew_seconds` the device
    clock minus the server clock when the request was sent (None when the phone did not say), and
    `skew_flagged` marks a skew beyond CLOCK_SKEW_FLAG_SECONDS.
    """

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("user_id", "client_uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), index=True)
    device_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    clock_skew_seconds: Mapped[float | None] = mapped_column(Float)
    skew_flagged: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("user.id"), index=True)

    @declared_attr
    def site_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("site.id"), index=True)


class IdempotencyKey(db.Model):
    """One field action received from (user, key): its request fingerprint and the response it got.

    The row is inserted first, in the same transaction as the action, so the unique constraint decides
    two racing replays; the response is written into it before the single commit. Kept as long as the
    records (3 years): a phone may come back after a long time.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key: Mapped[str] = mapped_column(String(36))
    endpoint: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    device_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    clock_skew_seconds: Mapped[float | None] = mapped_column(Float)
    skew_flagged: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.user_id}:{self.key} {self.endpoint}>"


class SyncConflict(db.Model):
    """A replay that reused a key with a different body (RELIABILITY 2): kept for a supervisor to review."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key: Mapped[str] = mapped_column(String(36), index=True)
    endpoint: Mapped[str] = mapped_column(String(80))
    stored_hash: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
