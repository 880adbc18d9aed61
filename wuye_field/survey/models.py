"""The satisfaction survey's rows: each site's questions, its public link, the responses (append-only, on
the site's hash chain) and the log of full phone-number views (H6).

A response keeps the questions it answered by id *and* by the text shown then (`answers`), so renaming or
retiring a question later never changes a month that was answered.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wuye_field.audit.triggers import register_append_only
from wuye_field.core.time import utcnow
from wuye_field.extensions import db

ANSWERS = {"satisfied": _l("满意"), "basic": _l("基本满意"), "dissatisfied": _l("不满意")}
RESPONDENTS = {"resident": _l("住户"), "staff": _l("员工")}
CHANNELS = {"desk": _l("客服录入纸质问卷"), "link": _l("扫码填写")}
QUESTION_MAX = 60
COMMENT_MAX = 300


class SurveyQuestion(db.Model):
    """One question of a site's questionnaire; `retired_at` set: no longer asked (old answers keep it)."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(20), default="own")
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SurveyLink(db.Model):
    """A site's public survey address `/s/<token>` (≥ 128 bits, like a tag), printed on the QR poster."""

    __tablename__ = "survey_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SurveyResponse(db.Model):
    """One filled-in questionnaire of a site-month (A2): one per phone number per site-month (the unique
    constraint decides two racing posts). `answers` is a list of {"q": question id, "text": the question
    as asked, "a": satisfied | basic | dissatisfied}. `user_id` is the desk person who typed a paper form
    (None for the public link). Append-only, chained."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("site_id", "month", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    phone: Mapped[str] = mapped_column(String(20))
    respondent: Mapped[str] = mapped_column(String(8))
    overall: Mapped[int] = mapped_column(Integer)
    answers: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(8))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    client_uuid: Mapped[str | None] = mapped_column(String(36))
    device_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def respondent_label(self) -> str:
        return str(RESPONDENTS.get(self.respondent, self.respondent))

    @property
    def channel_label(self) -> str:
        return str(CHANNELS.get(self.channel, self.channel))


class SurveyAccess(db.Model):
    """An admin saw the month's full phone numbers (the desk's views are not logged, H6). Append-only."""

    __tablename__ = "survey_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    what: Mapped[str] = mapped_column(String(40), default="view")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


CHAIN_COLUMNS = ("site_id", "month", "phone", "respondent", "overall", "answers", "comment", "channel",
                 "building_id", "user_id", "client_uuid", "device_time", "received_at")
RECORD_TABLES = {"survey_response": "received_at", "survey_access": "created_at"}
for _model in (SurveyResponse, SurveyAccess):
    register_append_only(_model.__table__, RECORD_TABLES[_model.__tablename__])
