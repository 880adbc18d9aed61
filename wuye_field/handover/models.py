"""Handover posts (configuration) and handover records (append-only, H5).

A handover is written by the outgoing person: equipment counts (one HandoverItem per item), unfinished
matters (HandoverMatter, some flagged 「重要」) and photos (PhotoLinks, owner_kind "handover"). A
correction is a new Handover pointing at the one it corrects (`corrects_id`, `reason`); all versions
share `root_id`. The incoming person's HandoverAcceptance confirms or differs per item
(HandoverAcceptanceItem) and takes over each important matter explicitly (HandoverTakeover).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

POST_KINDS = {"guard": _l("护管岗"), "desk": _l("客服岗")}
DEFAULT_WINDOW_MIN = {"guard": 10, "desk": 5}  # H1: guards 10 min before the shift, the desk 5
DEFAULT_LATE_AFTER_MIN = 30
ITEM_STATES = {"ok": _l("完好"), "missing": _l("缺失"), "broken": _l("损坏")}
NOTE_MAX = 500
MATTERS_MAX = 5


class HandoverPost(db.Model):
    """A post that changes shift (门岗, 巡逻队, 监控室, 客服台): its shifts, window and equipment list.

    `shift_starts` are local "HH:MM" times of the site's zone, comma-separated ("07:00,19:00");
    `equipment` is one "name=count" per line, the counts used until a first handover exists.
    """

    __tablename__ = "handover_post"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10), default="guard")
    shift_starts: Mapped[str] = mapped_column(String(60), default="07:00,19:00")
    window_min: Mapped[int] = mapped_column(Integer, default=10)
    late_after_min: Mapped[int] = mapped_column(Integer, default=DEFAULT_LATE_AFTER_MIN)
    equipment: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # From when the post is due a handover each shift (H1 month figures); posts older than the column: its migration.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 server_default=func.current_timestamp())

    site: Mapped[Site] = relationship(lazy="joined")  # noqa: F821

    @property
    def kind_label(self) -> str:
        return str(POST_KINDS.get(self.kind, self.kind))

    @property
    def equipment_list(self) -> list[tuple[str, int]]:
        """[(name, default count)] from the `equipment` lines."""
        result = []
        for line in self.equipment.splitlines():
            name, _sep, count = line.partition("=")
            if name.strip():
                result.append((name.strip(), int(count) if count.strip().isdigit() else 1))
        return result

    def __repr__(self) -> str:
        return f"<HandoverPost {self.code} {self.name}>"


class Handover(FieldRecord, db.Model):
    """The outgoing person's handover of a post for the shift starting at `shift_start` (UTC)."""

    __tablename__ = "handover"

    post_id: Mapped[int] = mapped_column(ForeignKey("handover_post.id"), index=True)
    shift_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("handover.id"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("handover.id"), index=True)
    reason: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")

    post: Mapped[HandoverPost] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")  # noqa: F821
    items: Mapped[list[HandoverItem]] = relationship(lazy="selectin", order_by="HandoverItem.position")
    matters: Mapped[list[HandoverMatter]] = relationship(lazy="selectin", order_by="HandoverMatter.position")

    @property
    def important_matters(self) -> list[HandoverMatter]:
        return [m for m in self.matters if m.important]


class HandoverItem(db.Model):
    """One equipment line of a handover: how many the outgoing person counted, and their state."""

    __tablename__ = "handover_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    expected: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="ok")
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def state_label(self) -> str:
        return str(ITEM_STATES.get(self.state, self.state))

    @property
    def short(self) -> int:
        """How many fewer than expected were counted (0 when none are missing)."""
        return max(0, self.expected - self.counted)


class HandoverMatter(db.Model):
    """An unfinished matter handed on; an important one (「重要」) must be taken over explicitly (H4)."""

    __tablename__ = "handover_matter"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(NOTE_MAX))
    important: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HandoverAcceptance(FieldRecord, db.Model):
    """The incoming person (`user_id`) accepted the handover `handover_id` (the version they read).

    `recorded_by_id` is whose signed-in phone sent it: the incoming person's own, or the outgoing
    person's when the incoming one confirmed there with their own password (`cosigned`). One
    acceptance per handover group (`root_id` unique).
    """

    __tablename__ = "handover_acceptance"

    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id"), index=True)
    root_id: Mapped[int] = mapped_column(ForeignKey("handover.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    cosigned: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")

    user: Mapped[User] = relationship(lazy="joined", foreign_keys="HandoverAcceptance.user_id")  # noqa: F821
    items: Mapped[list[HandoverAcceptanceItem]] = relationship(lazy="selectin", order_by="HandoverAcceptanceItem.id")
    takeovers: Mapped[list[HandoverTakeover]] = relationship(lazy="selectin", order_by="HandoverTakeover.id")

    @property
    def differences(self) -> list[HandoverAcceptanceItem]:
        return [i for i in self.items if i.differs]

    @property
    def remarks(self) -> list[HandoverAcceptanceItem]:
        """Items the incoming person wrote something about although the count agreed."""
        return [i for i in self.items if i.note and not i.differs]


class HandoverAcceptanceItem(db.Model):
    """The incoming person's count of one item: it agrees with the handover or records a difference."""

    __tablename__ = "handover_acceptance_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("handover_acceptance.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("handover_item.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    handed: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def differs(self) -> bool:
        return self.counted != self.handed


class HandoverTakeover(db.Model):
    """The incoming person explicitly took over an important matter (H4)."""

    __tablename__ = "handover_takeover"

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("handover_acceptance.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("handover_matter.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


RECORD_TABLES = {  # table → the column that dates its rows (retention), children before parents
    "handover_takeover": "created_at",
    "handover_acceptance_item": "created_at",
    "handover_acceptance": "received_at",
    "handover_matter": "created_at",
    "handover_item": "created_at",
    "handover": "received_at",
}
for _model in (Handover, HandoverItem, HandoverMatter, HandoverAcceptance, HandoverAcceptanceItem, HandoverTakeover):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])


def posts_of_sites(site_ids):
    """select() of the active posts of some sites, by site and code."""
    return (select(HandoverPost).where(HandoverPost.site_id.in_(list(site_ids)), HandoverPost.active.is_(True))
            .order_by(HandoverPost.site_id, HandoverPost.code))


def handovers_of_post(post_id: int):
    """select() of every handover record of a post (originals and corrections), newest shift first."""
    return (select(Handover).where(Handover.post_id == post_id)
            .order_by(Handover.shift_start.desc(), Handover.id.desc()))
