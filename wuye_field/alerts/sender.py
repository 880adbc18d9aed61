"""Outbound alerts: the site's webhook (WeCom group-robot format) and Web Push, sent outside the request.

`send_due(now)` sends every delivery whose time has come, each claimed first (several workers may run it),
and reschedules a failure with back-off: 10 s, 20 s, 40 s … at most 10 minutes apart, 10 tries in all.
It runs in each app process's background thread (`Sender`, woken after a request raised an alert and
every few seconds) and in `flask wuye alerts-send` (a cron job where no thread runs). The same thread runs
the periodic checks domains register (`register_check`: clocks about to run out, plans overdue).
"""
from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select, update

from wuye_field.alerts.models import FAILED, PENDING, PUSH, SENT, WEBHOOK, AlertDelivery, PushSubscription
from wuye_field.core.time import utcnow
from wuye_field.extensions import db

log = logging.getLogger(__name__)
FIRST_BACKOFF = timedelta(seconds=10)
MAX_BACKOFF = timedelta(minutes=10)
MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 5
# How long the push service keeps a push for a phone that is asleep or offline (RFC 8030 TTL; 0 would drop it
# at once when the phone is not connected that second), and how urgently it wakes it.
PUSH_TTL_SECONDS = 3600
BATCH = 50
_CHECKS = "wuye_field.alerts.checks"


def backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def wecom_payload(delivery: AlertDelivery) -> dict:
    """The group robot's text message: level, text, time (site time is in the text's own words)."""
    alert = delivery.alert
    mark = "【紧急】" if alert.level == "red" else "【提醒】"
    return {"msgtype": "text", "text": {"content": f"{mark}{alert.text}"}}


def post_webhook(url: str, payload: dict) -> None:
    """POST JSON; raises on a network error, a non-2xx answer or a robot's errcode ≠ 0."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (admin-set URL)
        answer = response.read(10_000)
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise RuntimeError(f"errcode {errcode}")


def send_push(delivery: AlertDelivery) -> None:
    """One Web Push, VAPID-signed with the configured key; a subscription the push service forgot is dropped."""
    from pywebpush import WebPushException, webpush

    sub = db.session.get(PushSubscription, int(delivery.target))
    if sub is None:
        raise LookupError("subscription gone")
    key = current_app.config.get("VAPID_PRIVATE_KEY")
    if not key:
        raise LookupError("no VAPID key configured")
    alert = delivery.alert
    try:
        webpush({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                json.dumps({"id": alert.id, "kind": alert.kind, "level": alert.level, "text": alert.text},
                           ensure_ascii=False),
                vapid_private_key=key, vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},
                timeout=TIMEOUT_SECONDS, ttl=PUSH_TTL_SECONDS,
                headers={"Urgency": "high" if alert.level == "red" else "normal"})
    except WebPushException as error:
        if error.response is not None and error.response.status_code in (404, 410):
            db.session.delete(sub)
            raise LookupError("subscription expired") from error
        raise


def _claim(delivery: AlertDelivery) -> bool:
    """Take the delivery for this process (another worker may be looking at it too)."""
    claimed = db.session.execute(update(AlertDelivery).where(
        AlertDelivery.id == delivery.id, AlertDelivery.state == PENDING,
        AlertDelivery.attempts == delivery.attempts).values(attempts=delivery.attempts + 1))
    db.session.commit()
    return claimed.rowcount == 1


def send_due(now: datetime | None = None, *, post: Callable[[str, dict], None] = post_webhook) -> dict:
    """Send what is due; commits after each delivery. Returns counts {"sent", "retry", "failed"}."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = list(db.session.scalars(select(AlertDelivery).where(
        AlertDelivery.state == PENDING, AlertDelivery.next_try_at <= now)
        .order_by(AlertDelivery.next_try_at, AlertDelivery.id).limit(BATCH)))
    for delivery in due:
        if not _claim(delivery):
            continue
        db.session.refresh(delivery)
        try:
            if delivery.channel == WEBHOOK:
                post(delivery.target, wecom_payload(delivery))
            else:
                send_push(delivery)
        except LookupError as gone:  # nothing to retry
            delivery.state, delivery.last_error = FAILED, str(gone)[:300]
            counts["failed"] += 1
        except Exception as error:  # noqa: BLE001  (any failure of the receiver is retried)
            delivery.last_error = f"{type(error).__name__}: {error}"[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = FAILED
                counts["failed"] += 1
            else:
                delivery.next_try_at = now + backoff(delivery.attempts)
                counts["retry"] += 1
            log.warning("alert delivery %s (%s) failed, attempt %s", delivery.id, delivery.channel,
                        delivery.attempts)
        else:
            delivery.state, delivery.sent_at, delivery.last_error = SENT, utcnow(), ""
            if delivery.channel == PUSH and delivery.recipient_id:
                _mark_pushed(delivery)
            counts["sent"] += 1
        db.session.commit()
    return counts


def _mark_pushed(delivery: AlertDelivery) -> None:
    from wuye_field.alerts.models import AlertRecipient

    row = db.session.get(AlertRecipient, delivery.recipient_id)
    if row is not None and row.delivered_at is None:
        row.delivered_at, row.delivered_by = utcnow(), "push"


# ---------------------------------------------------------------- periodic checks


def register_check(app: Flask, check: Callable[[datetime], int]) -> None:
    """A domain's periodic check, `check(now) → alerts raised` (flushes; the runner commits)."""
    checks = app.extensions.setdefault(_CHECKS, [])
    if check not in checks:
        checks.append(check)


def run_checks(now: datetime | None = None) -> int:
    now = now or utcnow()
    raised = 0
    for check in current_app.extensions.get(_CHECKS, []):
        try:
            raised += check(now) or 0
            db.session.commit()
        except Exception:  # noqa: BLE001  (one domain's failing check must not stop the others)
            db.session.rollback()
            log.exception("alert check %s failed", getattr(check, "__name__", check))
    return raised


# ---------------------------------------------------------------- the background thread


class Sender:
    """One daemon thread per app process: sends due deliveries when woken and every `interval` seconds,
    runs the periodic checks every `check_interval` seconds."""

    def __init__(self, app: Flask, interval: float = 5.0, check_interval: float = 60.0):
        self.app, self.interval, self.check_interval = app, interval, check_interval
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.stopping = False
        self._last_check = 0.0

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="alerts-sender", daemon=True)
            self.thread.start()

    def kick(self) -> None:
        self.start()
        self.wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after its current round (tests; the process's exit ends it anyway)."""
        self.stopping = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        import time

        while not self.stopping:
            self.wake.wait(self.interval)
            self.wake.clear()
            if self.stopping:
                return
            with self.app.app_context():
                try:
                    if time.monotonic() - self._last_check >= self.check_interval:
                        self._last_check = time.monotonic()
                        run_checks()
                    send_due()
                except Exception:  # noqa: BLE001  (the thread must outlive a database restart)
                    log.exception("alert sender round failed")
                    db.session.rollback()
                finally:
                    db.session.remove()
