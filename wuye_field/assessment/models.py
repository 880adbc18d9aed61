"""A rectification order (限期整改, 第3篇 五): issued when a closed month makes two failed months in a row,
with a deadline, tracked until a supervisor or admin marks it done."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wuye_field.extensions import db


class RectificationOrder(db.Model):
    __tablename__ = "rectification_order"
    __table_args__ = (UniqueConstraint("site_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))           # the failed month that brought it
    streak: Mapped[int] = mapped_column(Integer)            # failed months in a row then
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    done_note: Mapped[str] = mapped_column(Text, default="")
