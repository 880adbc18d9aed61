"""Raise, list, deliver and acknowledge alerts. Functions take plain values and a `now`, flush, never commit.

    raise_alert("sos", site_id, recipient_ids, "紧急求助：张伟 …", dedupe_key=f"sos:{sos.id}", now=now,
                source=("sos", sos.id), details={...})

Any domain calls `raise_alert` (alerts sit at layer 4, under every domain). The same `dedupe_key` on the same
site raises nothing the second time: one event, one alert, and nobody gets it twice. Recipients are user ids;
`site_people(site_id, roles)` names the active holders of roles on a site.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from wuye_field.accounts.models import Membership, User
from wuye_field.alerts import settings
from wuye_field.alerts.models import (
    KINDS, PUSH, WEBHOOK, Alert, AlertDelivery, AlertRecipient, PushSubscription,
)
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db

ACTIVE_LIMIT = 20


def site_people(site_id: int, roles: Iterable[str]) -> set[int]:
    """Ids of the active users holding any of `roles` on the site."""
    return set(db.session.scalars(select(Membership.user_id).join(User).where(
        Membership.site_id == site_id, Membership.role.in_(list(roles)), User.active.is_(True))))


def raise_alert(kind: str, site_id: int, recipients: Iterable[int], text: str, *, dedupe_key: str,
                now: datetime, source: tuple[str, int | None] = ("", None),
                details: dict[str, Any] | None = None) -> Alert | None:
    """Raise one alert for `recipients` (user ids). Returns the new alert, or None when this event's alert
    exists already (same site and `dedupe_key`) or there is nobody to tell and no webhook.

    Queues the site's webhook and a Web Push per subscription of each recipient; the background sender
    posts them after the commit (alerts.sender), so a slow or failing receiver never holds up this request.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    people = sorted(set(recipients))
    webhook = settings.value(site_id, "alerts.webhook_url", now)
    if not people and not webhook:
        return None
    if db.session.scalar(select(Alert.id).where(Alert.site_id == site_id, Alert.dedupe_key == dedupe_key)):
        return None
    alert = Alert(site_id=site_id, kind=kind, level=KINDS[kind], text=text[:300], dedupe_key=dedupe_key[:120],
                  source_kind=source[0], source_id=source[1], details=details or {}, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(alert)
            db.session.flush()
    except IntegrityError:  # the same event raised at the same moment by another request
        return None
    rows = [AlertRecipient(alert_id=alert.id, user_id=user_id) for user_id in people]
    db.session.add_all(rows)
    db.session.flush()
    if webhook:
        db.session.add(AlertDelivery(alert_id=alert.id, channel=WEBHOOK, target=webhook, next_try_at=now))
    subscriptions = db.session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(people))) \
        if people else []
    by_user = {row.user_id: row.id for row in rows}
    for sub in subscriptions:
        db.session.add(AlertDelivery(alert_id=alert.id, channel=PUSH, target=str(sub.id),
                                     recipient_id=by_user[sub.user_id], next_try_at=now))
    db.session.flush()
    _kick_sender()
    return alert


def _kick_sender() -> None:
    """Ask the background sender to look at the queue once this request is over (see alerts.views)."""
    if has_request_context():  # a CLI job sends itself
        g.alerts_queued = True


def active_query(user_id: int):
    return (select(Alert).join(AlertRecipient, and_(AlertRecipient.alert_id == Alert.id,
                                                    AlertRecipient.user_id == user_id))
            .where(AlertRecipient.acknowledged_at.is_(None), Alert.acknowledged_at.is_(None))
            .order_by(Alert.created_at.desc(), Alert.id.desc()).limit(ACTIVE_LIMIT))


def active_for(user, *, now: datetime) -> list[Alert]:
    """The user's unacknowledged alerts, newest first; the ones not yet delivered are marked delivered
    to the page now (the page shows every alert it receives)."""
    alerts = list(db.session.scalars(active_query(user.id)))
    fresh = [r.id for a in alerts for r in a.recipients if r.user_id == user.id and r.delivered_at is None]
    if fresh:  # most polls find nothing new and write nothing
        db.session.execute(update(AlertRecipient).where(AlertRecipient.id.in_(fresh))
                           .values(delivered_at=now, delivered_by="page"))
    return alerts


def as_json(alert: Alert, tz_name: str | None = None) -> dict:
    data = {"id": alert.id, "kind": alert.kind, "level": alert.level, "site": alert.site_id, "text": alert.text,
            "created_at": alert.created_at.isoformat()}
    if alert.kind == "sos":
        data.update({key: alert.details.get(key) for key in ("user", "last_checkpoint", "position")})
    return data


def acknowledge(user, alert_id: int, *, now: datetime) -> Alert:
    """The user answers the alert (for everyone it went to). NotFound unless it was sent to them."""
    row = db.session.scalar(select(AlertRecipient).where(AlertRecipient.alert_id == alert_id,
                                                         AlertRecipient.user_id == user.id))
    if row is None:
        raise NotFound(_("提醒不存在。"))
    alert = row.alert
    if row.acknowledged_at is None:
        row.acknowledged_at = now
        row.delivered_at = row.delivered_at or now
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by_id = user.id
    db.session.flush()
    return alert


def alert_for(source_kind: str, source_id: int) -> Alert | None:
    return db.session.scalar(select(Alert).where(Alert.source_kind == source_kind, Alert.source_id == source_id)
                             .order_by(Alert.id))


def delivery_state(alert: Alert | None) -> dict:
    """What the author of the event sees: delivered (to whom first), acknowledged (by whom, when)."""
    if alert is None:
        return {"delivered": False, "acknowledged": False}
    delivered = [r for r in alert.recipients if r.delivered_at is not None]
    return {"delivered": bool(delivered), "delivered_count": len(delivered), "recipients": len(alert.recipients),
            "acknowledged": alert.acknowledged_at is not None,
            "acknowledged_by": alert.acknowledged_by.name if alert.acknowledged_by else None,
            "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None}


def subscribe(user, endpoint: str, p256dh: str, auth: str, *, now: datetime) -> PushSubscription:
    """Keep (or move to this user) a browser's push subscription."""
    if not (endpoint.startswith("https://") and p256dh and auth) or len(endpoint) > 1000:
        raise DomainError(_("此浏览器的推送订阅无效。"), status=422, code="bad_subscription")
    sub = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is None:
        sub = PushSubscription(endpoint=endpoint, user_id=user.id, p256dh=p256dh[:200], auth=auth[:100],
                               created_at=now)
        db.session.add(sub)
    else:
        sub.user_id, sub.p256dh, sub.auth = user.id, p256dh[:200], auth[:100]
    db.session.flush()
    return sub
