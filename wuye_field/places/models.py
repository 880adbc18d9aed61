"""Site, Building, Place (checkpoint / cleaning area) and the retired tokens of re-issued tags."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.core.time import utcnow
from wuye_field.extensions import db

PLACE_KINDS = {
    "checkpoint": _l("巡更点"),
    "cleaning": _l("保洁区域"),
    "both": _l("巡更点 + 保洁区域"),
    "equipment": _l("设备"),  # a piece of equipment's own QR tag (checks.equipment), not patrolled nor cleaned
}
DEFAULT_PATROL_INTERVAL_MIN = 240  # P2: key areas patrolled at least every 4 hours
TAG_TOKEN_BYTES = 18  # 144 random bits, 24 URL-safe characters (the contract asks for ≥ 128 bits)


def new_tag_token() -> str:
    """A fresh, unguessable, URL-safe tag token."""
    return secrets.token_urlsafe(TAG_TOKEN_BYTES)


class Site(db.Model):
    """A residential estate (小区) run by one 管理处."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    public_base_url: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    buildings: Mapped[list[Building]] = relationship(
        back_populates="site", order_by="Building.name", cascade="all, delete-orphan"
    )

    def tag_url(self, token: str) -> str:
        """The absolute URL printed in a QR tag: `<public base URL>/t/<token>`."""
        return f"{self.public_base_url.rstrip('/')}/t/{token}"

    def building_url(self, token: str) -> str:
        """The absolute URL of a building's residents' window (楼栋公示): `<public base URL>/b/<token>`."""
        return f"{self.public_base_url.rstrip('/')}/b/{token}"

    def __repr__(self) -> str:
        return f"<Site {self.code}>"


class Building(db.Model):
    """A building (楼栋) on a site."""

    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    floors: Mapped[int | None] = mapped_column(Integer)
    # The residents' window at /b/<token> (楼栋公示): as unguessable as a tag; an admin may replace it.
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_tag_token)

    site: Mapped[Site] = relationship(back_populates="buildings")

    @property
    def public_url(self) -> str:
        return self.site.building_url(self.public_token)


class Place(db.Model):
    """A patrol checkpoint, a cleaning area, or both; it carries one live QR tag token."""

    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(12), default="checkpoint")
    floor: Mapped[str | None] = mapped_column(String(8))
    is_key_area: Mapped[bool] = mapped_column(Boolean, default=False)
    patrol_interval_min: Mapped[int] = mapped_column(Integer, default=DEFAULT_PATROL_INTERVAL_MIN)
    tag_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_tag_token)
    tag_issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Where the place is (for the far-from-place check on scans; empty until an admin records it).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    site: Mapped[Site] = relationship(lazy="joined")
    building: Mapped[Building | None] = relationship(lazy="joined")

    @property
    def is_checkpoint(self) -> bool:
        return self.kind in ("checkpoint", "both")

    @property
    def is_cleaning_area(self) -> bool:
        return self.kind in ("cleaning", "both")

    @property
    def kind_label(self) -> str:
        return str(PLACE_KINDS.get(self.kind, self.kind))

    @property
    def tag_url(self) -> str:
        return self.site.tag_url(self.tag_token)

    def __repr__(self) -> str:
        return f"<Place {self.code} {self.name}>"


class RetiredTag(db.Model):
    """A token that used to identify a place; scanning it says the tag was replaced."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    place: Mapped[Place] = relationship(lazy="joined")


def places_of_site(site_id: int, *, kind: str | None = None):
    """select() of a site's active places ordered by code; `kind` filters checkpoints or cleaning areas."""
    query = select(Place).where(Place.site_id == site_id, Place.active.is_(True)).order_by(Place.code)
    if kind == "checkpoint":
        query = query.where(Place.kind.in_(("checkpoint", "both")))
    elif kind == "cleaning":
        query = query.where(Place.kind.in_(("cleaning", "both")))
    return query
