"""Patrol records: checkpoint scans (rounds and inspections come later)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

# How the guard reached the place: the in-app scanner, the phone camera opening /t/<token>, or by hand.
SCAN_VIA = ("camera", "link", "manual")
NOTE_MAX = 500


class Scan(FieldRecord, db.Model):
    """A guard was at a checkpoint (append-only: a correction is a new record, never an edit)."""

    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    via: Mapped[str] = mapped_column(String(10), default="link")
    note: Mapped[str] = mapped_column(Text, default="")

    place: Mapped["Place"] = relationship(lazy="joined")  # noqa: F821
    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Scan {self.client_uuid} place={self.place_id}>"


def scans_of_place(place_id: int):
    """select() of a place's scans, newest (by device time) first."""
    return select(Scan).where(Scan.place_id == place_id).order_by(Scan.device_time.desc(), Scan.id.desc())
