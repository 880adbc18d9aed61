"""A closed month (R30): the figures of one site-month as they stood when it was closed.

Append-only (database triggers) and on the site's hash chain (kind "month_close"): once closed, a month
is read from here; neither a later setting, a late record nor a correction changes it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wuye_field.audit.triggers import register_append_only
from wuye_field.extensions import db


class MonthClose(db.Model):
    """Site `site_id`'s month `month` ("YYYY-MM") closed at `closed_at` by `closed_by_id` (None: the CLI)."""

    __tablename__ = "month_close"
    __table_args__ = (UniqueConstraint("site_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    snapshot: Mapped[Any] = mapped_column(JSON)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class MonthCloseFile(db.Model):
    """One CSV export of a closed month (`name`: scans, windows, cleaning …) as it was at the close, so the
    figures of a closed month stay counts of its files."""

    __tablename__ = "month_close_file"
    __table_args__ = (UniqueConstraint("site_id", "month", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    name: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


RECORD_TABLES = {"month_close_file": "closed_at", "month_close": "closed_at"}
for _model in (MonthCloseFile, MonthClose):
    register_append_only(_model.__table__, "closed_at")
CHAIN_COLUMNS = ("site_id", "month", "snapshot", "closed_at", "closed_by_id")
FILE_CHAIN_COLUMNS = ("site_id", "month", "name", "text", "closed_at")
