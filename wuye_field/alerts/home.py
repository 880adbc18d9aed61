"""The alerts card on the home page of the people alerts go to: recent alerts, and turning on Web Push."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from wuye_field.alerts.models import Alert, AlertRecipient
from wuye_field.core.registry import Section
from wuye_field.extensions import db

LIVE_ROLES = ("desk", "supervisor", "admin", "technician")


def recent_for(user_id: int, limit: int = 5) -> list[Alert]:
    return list(db.session.scalars(select(Alert).join(AlertRecipient).where(AlertRecipient.user_id == user_id)
                                   .order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)))


def alerts_section(user) -> Section | None:
    if not user.has_role(*LIVE_ROLES):
        return None
    return Section("alerts/_home.html", {"recent": recent_for(user.id),
                                         "vapid_key": current_app.config.get("VAPID_PUBLIC_KEY") or ""}, order=5)
