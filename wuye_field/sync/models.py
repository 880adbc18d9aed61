"""Idempotency records: the stored response of every field action, keyed by (user, client UUID).

Also the `FieldRecord` mixin every field-record model (scan, photo, inspection, …) is built on. Sync is
generic: it names tables by string only and imports no domain.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from wuye_field.core.time import utcnow
from wuye_field.extensions import db


# The FieldRecord columns a chained field record hashes first (then its own, see chain.register_tables).
FIELD_COLUMNS = ("client_uuid", "user_id", "site_id", "device_time", "received_at", "clock_skew_seconds",
                 "skew_flagged")


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
    """A replay that reused a key with a different body (R2): kept for a supervisor to review."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key: Mapped[str] = mapped_column(String(36), index=True)
    endpoint: Mapped[str] = mapped_column(String(80))
    stored_hash: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---------------------------------------------------------------- quarantine (R12)

PENDING, APPLIED, DISMISSED = "pending", "applied", "dismissed"
STATES = (PENDING, APPLIED, DISMISSED)
# Why an action was kept aside (the code; the Chinese text is in sync.quarantine.reasons()).
ROLE_REMOVED, MOVED, DEACTIVATED, HANDED_OVER = "role_removed", "moved", "deactivated", "handed_over"
SOURCE_UPLOAD, SOURCE_IMPORT = "upload", "import"


class QuarantineItem(db.Model):
    """One field action kept aside; unique per (user, client UUID) like the records themselves."""

    __tablename__ = "quarantine_item"
    __table_args__ = (UniqueConstraint("user_id", "client_uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    # A moved object: the site it was on, where the author holds the role (given for the late apply).
    origin_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    client_uuid: Mapped[str] = mapped_column(String(36))
    endpoint: Mapped[str] = mapped_column(String(80))  # e.g. patrol.record_scan: the action's name
    path: Mapped[str] = mapped_column(String(200))     # the URL it was posted to (ids in the path included)
    fields: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[name, value], …] as posted, CSRF token left out
    request_hash: Mapped[str] = mapped_column(String(64), default="")
    device_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")  # the refusal's own message
    source: Mapped[str] = mapped_column(String(10), default=SOURCE_UPLOAD)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(Text)  # the JSON answer of the action when applied

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")

    @property
    def field_pairs(self) -> list[tuple[str, str]]:
        return [(str(name), str(value)) for name, value in json.loads(self.fields or "[]")]

    @property
    def photo_ids(self) -> list[str]:
        return [p for name, value in self.field_pairs if name == "photo_ids" for p in value.split(",") if p.strip()]

    def __repr__(self) -> str:
        return f"<QuarantineItem {self.user_id}:{self.client_uuid} {self.endpoint} {self.state}>"


class SiteMove(db.Model):
    """An object (a row of `table` with a `site_id`) moved from one site to another, written on every such
    change (sync.quarantine): an action made for it on the old site is kept in quarantine, not lost."""

    __tablename__ = "site_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    table: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    to_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoleEnded(db.Model):
    """`user` held `role` on `site` until `ended_at`: written whenever a role is taken away, so an action the
    phone made before it learnt of the change is kept in quarantine (R12) instead of refused as a stranger's."""

    __tablename__ = "role_ended"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
