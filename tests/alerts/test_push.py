"""Web Push end to end against a local HTTP server standing in for the push service (R37): the request
pywebpush sends is VAPID-signed with the configured key (the JWT checked against the public key the
browser subscribed with) and its body decrypts with the subscription's private key to the alert; 404/410
drop the subscription without retrying; 429 and 5xx are retried with back-off."""
from __future__ import annotations

import base64
import json
import os
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from wuye_field.alerts import services, vapid
from wuye_field.alerts.models import FAILED, PENDING, PUSH, SENT, AlertDelivery, AlertRecipient, PushSubscription
from wuye_field.alerts.sender import backoff, send_due
from wuye_field.extensions import db

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushService:
    """A local push service: records each request (path, headers, body); `answers` gives the statuses."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(service.answers.pop(0) if service.answers else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def vapid_keys(app):
    private, public = vapid.generate()
    app.config.update(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public, VAPID_SUBJECT="mailto:ops@wuye.test")
    return private, public


class Browser:
    """What a browser's pushManager.subscribe keeps: its own P-256 key pair and a 16-byte auth secret."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64e(self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                              serialization.PublicFormat.UncompressedPoint))

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


def _subscribed(factories, service, path="/push/v1/abc"):
    site = factories.site()
    user = factories.user("desk", site)
    browser = Browser()
    sub = PushSubscription(user_id=user.id, endpoint=service.origin + path, p256dh=browser.p256dh,
                           auth=b64e(browser.auth), created_at=NOW)
    db.session.add(sub)
    db.session.flush()
    alert = services.raise_alert("sos", site.id, {user.id}, "紧急求助：巡更甲 配电房", dedupe_key="sos:push-test",
                                 now=NOW)
    db.session.commit()
    delivery = db.session.scalar(select(AlertDelivery).where(AlertDelivery.alert_id == alert.id,
                                                             AlertDelivery.channel == PUSH))
    return alert, sub, browser, delivery


def _verify_vapid(authorization: str, public_key: str, audience: str) -> dict:
    """`vapid t=<JWT>, k=<public key>` (RFC 8292): the ES256 signature checks against the configured public
    key; returns the claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    header, claims, signature = fields["t"].split(".")
    assert json.loads(b64d(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = b64d(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(public_key))
    key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
               f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    claims = json.loads(b64d(claims))
    assert claims["aud"] == audience
    return claims


def test_a_push_reaches_the_push_service_signed_and_readable_only_by_the_subscriber(factories, push_service,
                                                                                      vapid_keys):
    alert, sub, browser, delivery = _subscribed(factories, push_service)
    assert send_due(NOW) == {"sent": 1, "retry": 0, "failed": 0}
    [request] = push_service.received
    assert request["path"] == "/push/v1/abc"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0 and headers["urgency"] == "high"  # an SOS waits for a phone that is asleep
    claims = _verify_vapid(headers["authorization"], vapid_keys[1], push_service.origin)
    assert claims["sub"] == "mailto:ops@wuye.test"
    assert NOW.timestamp() < claims["exp"] <= datetime.now(timezone.utc).timestamp() + 24 * 3600
    assert "紧急求助".encode() not in request["body"]  # encrypted on the wire
    assert browser.decrypt(request["body"]) == {"id": alert.id, "kind": "sos", "level": "red",
                                                "text": "紧急求助：巡更甲 配电房"}
    with pytest.raises(Exception):  # noqa: B017  (another browser's key cannot read it)
        Browser().decrypt(request["body"])
    db.session.refresh(delivery)
    recipient = db.session.get(AlertRecipient, delivery.recipient_id)
    assert delivery.state == SENT and recipient.delivered_by == "push"
    assert send_due(NOW + timedelta(minutes=5)) == {"sent": 0, "retry": 0, "failed": 0}  # never twice
    assert len(push_service.received) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_subscription_is_removed_and_not_retried(factories, push_service, vapid_keys, status):
    _alert, sub, _browser, delivery = _subscribed(factories, push_service)
    sub_id = sub.id
    push_service.answers = [status]
    assert send_due(NOW) == {"sent": 0, "retry": 0, "failed": 1}
    db.session.refresh(delivery)
    assert delivery.state == FAILED and "expired" in delivery.last_error
    assert db.session.get(PushSubscription, sub_id) is None
    assert send_due(NOW + timedelta(hours=1))["retry"] == 0 and len(push_service.received) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_push_service_is_retried_with_back_off(factories, push_service, vapid_keys, status):
    _alert, sub, browser, delivery = _subscribed(factories, push_service)
    push_service.answers = [status]
    assert send_due(NOW) == {"sent": 0, "retry": 1, "failed": 0}
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts) == (PENDING, 1)
    assert delivery.next_try_at.replace(tzinfo=timezone.utc) == NOW + backoff(1)
    assert send_due(NOW + backoff(1) - timedelta(seconds=1))["sent"] == 0  # not before its time
    assert send_due(NOW + backoff(1)) == {"sent": 1, "retry": 0, "failed": 0}
    assert len(push_service.received) == 2 and db.session.get(PushSubscription, sub.id) is not None
    assert browser.decrypt(push_service.received[1]["body"])["kind"] == "sos"
