"""The residents' window: replaced building tokens, the desk's notices, residents' reports and complaints.

A resident's report or complaint is not a field action (no signed-in author, no device clock). A repair is a
`ResidentRequest` the desk takes over (first contact, W6); a complaint is an incidents `Complaint` (channel
"window", W5), listed on the same desk page (residents.staff_routes).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.core.time import utcnow
from wuye_field.extensions import db

REQUEST_KINDS = {"repair": _l("公共区域报修"), "complaint": _l("投诉")}
REQUEST_STATES = {"new": _l("待接手"), "taken": _l("处理中"), "closed": _l("已办结")}
REPAIR_CATEGORIES = {
    "lighting": _l("照明"), "water": _l("给排水"), "lift": _l("电梯"), "door": _l("门禁门窗"),
    "fire": _l("消防设施"), "cleaning": _l("环境卫生"), "other": _l("其他"),
}
DESCRIPTION_MAX = 500
NOTICE_TITLE_MAX = 60
NOTICE_BODY_MAX = 500


class RetiredBuildingToken(db.Model):
    """A building's former public token: its QR says the code was replaced."""

    __tablename__ = "retired_building_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class DeskNotice(db.Model):
    """A notice from the service desk (停水、停电 …, 第7篇(三)10) shown on the residents' window until it ends.

    `building_id` None: every building of the site."""

    __tablename__ = "desk_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(NOTICE_TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ResidentRequest(db.Model):
    """A resident's repair report (public area), sent from a building's window. (Rows of kind "complaint"
    before complaints moved to the incidents work were moved there by the migration.)

    `reference` is what the resident calls about (R + date + 4 digits). The desk person who takes it
    (`owner_id`) follows it to the end (首接责任制, W6)."""

    __tablename__ = "resident_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(12), default="other")
    phone: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(8), default="new", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")

    building: Mapped[Building | None] = relationship(lazy="joined")  # noqa: F821
    owner: Mapped[User | None] = relationship(lazy="joined")  # noqa: F821

    @property
    def kind_label(self) -> str:
        return str(REQUEST_KINDS.get(self.kind, self.kind))

    @property
    def state_label(self) -> str:
        return str(REQUEST_STATES.get(self.state, self.state))

    @property
    def category_label(self) -> str:
        return str(REPAIR_CATEGORIES.get(self.category, self.category))
