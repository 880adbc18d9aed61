"""An alert, who it is for (delivered / acknowledged per person), its outbound deliveries, push subscriptions.

An alert is raised once per event: `(site_id, dedupe_key)` is unique, so a second raise of the same event
(a replayed SOS, a clock checked twice) adds nothing and nobody gets it twice. Each recipient is one
`AlertRecipient` row, unique per (alert, user). Web Push and the site's webhook are `AlertDelivery` rows
sent by the background sender (alerts.sender), never inside the request that raised the alert.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.core.time import utcnow
from wuye_field.extensions import db

RED, AMBER = "red", "amber"
# What raised an alert (kind → level); the text says the rest.
KINDS = {
    "sos": RED,                # incidents: a guard's SOS
    "emergency_order": RED,    # workorders: a new emergency order (assignee or grab pool)
    "order_amber": AMBER,      # workorders: a clock about to run out (15 min)
    "order_red": RED,          # workorders: a clock run out
    "major_incident": RED,     # incidents: casualties or a loss of 10,000 yuan or more (A4)
    "check_overdue": AMBER,    # a check plan overdue
    "complaint_due": AMBER,    # incidents: a complaint about to miss its same-day answer (W5)
    "resident_complaint": AMBER,  # incidents: a resident's complaint from a building's window, to take (W6)
}
WEBHOOK, PUSH = "webhook", "push"
PENDING, SENT, FAILED = "pending", "sent", "failed"


class Alert(db.Model):
    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("site_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(8), default=RED)
    text: Mapped[str] = mapped_column(String(300))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    # Where the alert came from (e.g. "sos", 12) and what a page shows with it (the SOS author, checkpoint, position).
    source_kind: Mapped[str] = mapped_column(String(20), default="")
    source_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # One acknowledgement answers the alert for everyone it went to (who and when are shown to all).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id], lazy="joined")
    recipients: Mapped[list[AlertRecipient]] = relationship(back_populates="alert", lazy="selectin",
                                                            cascade="all, delete-orphan")


class AlertRecipient(db.Model):
    __tablename__ = "alert_recipient"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),
                      Index("ix_alert_recipient_user_open", "user_id", "acknowledged_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_by: Mapped[str] = mapped_column(String(10), default="")  # page | push
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    alert: Mapped[Alert] = relationship(back_populates="recipients")
    user = relationship("User", lazy="joined")


class AlertDelivery(db.Model):
    """One outbound send of an alert: the site's webhook, or a Web Push to one subscription."""

    __tablename__ = "alert_delivery"
    __table_args__ = (Index("ix_alert_delivery_due", "state", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)  # the webhook URL, or the subscription id
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("alert_recipient.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(300), default="")

    alert: Mapped[Alert] = relationship(lazy="joined")


class PushSubscription(db.Model):
    """A browser's Web Push subscription for one signed-in user (one row per endpoint)."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
