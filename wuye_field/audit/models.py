"""Audit tables: the per-site hash chain, its head, the admin change log and the retention settings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from wuye_field.core.time import utcnow
from wuye_field.extensions import db

GENESIS = "0" * 64  # prev_hash of a site's first chain entry
DEFAULT_RETENTION_YEARS = 3  # H5: records are kept three years (the minimum; a site may keep longer)


class ChainEntry(db.Model):
    """One record's link in its site's hash chain: `hash = sha256(prev_hash || canonical JSON of content)`.

    The content itself is not copied here: `verify` re-reads the record's current content through the
    loader its kind registered, so any later edit of the record shows up as a hash mismatch.
    """

    __tablename__ = "audit_chain"
    __table_args__ = (UniqueConstraint("site_id", "seq"), Index("ix_audit_chain_kind_record", "kind", "record_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<ChainEntry site={self.site_id} #{self.seq} {self.kind}:{self.record_id}>"


class ChainHead(db.Model):
    """The latest entry of a site's chain; its row is locked while appending, so appends are serialised."""

    __tablename__ = "audit_chain_head"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdminChange(db.Model):
    """Who changed which configuration, from what to what (a schedule, an interval, a user's role).

    Append-only and chained like a field record. `before`/`after` are canonical JSON text.
    """

    __tablename__ = "audit_admin_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(50), default="")
    what: Mapped[str] = mapped_column(String(200))
    before: Mapped[str] = mapped_column(Text, default="null")
    after: Mapped[str] = mapped_column(Text, default="null")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SiteRetention(db.Model):
    """How many years a site keeps its records (never fewer than three, H5)."""

    __tablename__ = "audit_retention"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True, autoincrement=False)
    years: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_YEARS)


class RetentionGate(db.Model):
    """SQLite only: while the retention job runs, one row here lets the DELETE triggers pass old rows.

    (PostgreSQL uses transaction-local settings instead.) The triggers also check the three-year floor,
    so a row here can never open younger records.
    """

    __tablename__ = "audit_retention_gate"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(Integer)
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ErasureGate(db.Model):
    """SQLite only: while personal fields are erased (`triggers.erase_columns`), one row here lets the UPDATE
    triggers of a table with erasable columns pass old rows that only blank those columns.

    (PostgreSQL uses transaction-local settings instead.) The triggers also check a 30-day floor and that
    nothing else of the row changes, so a row here can neither open young records nor any other column.
    """

    __tablename__ = "audit_erasure_gate"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(Integer)
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def admin_changes(site_ids):
    """select() of the admin change log of some sites, newest first."""
    return select(AdminChange).where(AdminChange.site_id.in_(list(site_ids))).order_by(AdminChange.id.desc())
