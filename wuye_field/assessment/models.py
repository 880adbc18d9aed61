"""The inspector's round (A1, A4, A5) as append-only records on the site's chain: one `AssessmentEntry` per
thing decided on the round — an item scored, an on-site deduction, a proposed deduction accepted or
rejected, a reprimand, a signature. Nothing is changed: a later entry replaces an earlier one where one
can (`entries.decisions` folds them, latest wins), and once both have signed the month takes no more.
And the rectification order (限期整改, 第3篇 五) a closed month brings after two failed months in a row."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.audit.triggers import register_append_only
from wuye_field.extensions import db
from wuye_field.sync.models import FieldRecord

SCORE, ONSITE, ACCEPT, REJECT, REPRIMAND, SIGN = "score", "onsite", "accept", "reject", "reprimand", "sign"
KINDS = {SCORE: _l("评分"), ONSITE: _l("现场扣分"), ACCEPT: _l("接受建议扣分"), REJECT: _l("驳回建议扣分"),
         REPRIMAND: _l("通报批评"), SIGN: _l("签字确认")}
REPRIMAND_KINDS = {"authority": _l("主管部门或甲方领导书面通报批评"), "instruction": _l("不服从甲方管理被书面通报批评")}
SIGNER_ROLES = {"inspector": _l("甲方检查员"), "manager": _l("管理处负责人")}


class AssessmentEntry(FieldRecord, db.Model):
    """One entry of a site-month's round. Which columns mean something depends on `kind`: `item` (score,
    onsite), `points` (score: the item's score; onsite: points off), `proposal_key` (accept, reject),
    `note` (onsite note, reject reason, reprimand note), `reprimand_kind` and `doc_number` (reprimand),
    `signer_role` (sign). Photos (onsite, the reprimand's scan) are linked through the photos package."""

    __tablename__ = "assessment_entry"
    __table_args__ = (UniqueConstraint("user_id", "client_uuid"),  # FieldRecord's, plus the month's index
                      Index("ix_assessment_entry_site_month", "site_id", "month"))

    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(10))
    item: Mapped[str] = mapped_column(String(40), default="")
    proposal_key: Mapped[str] = mapped_column(String(80), default="")
    points: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    reprimand_kind: Mapped[str] = mapped_column(String(12), default="")
    doc_number: Mapped[str] = mapped_column(String(60), default="")
    signer_role: Mapped[str] = mapped_column(String(10), default="")

    user = relationship("User", lazy="joined")


CHAIN_COLUMNS = ("month", "kind", "item", "proposal_key", "points", "note", "reprimand_kind", "doc_number",
                 "signer_role")
register_append_only(AssessmentEntry.__table__, "received_at")


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
