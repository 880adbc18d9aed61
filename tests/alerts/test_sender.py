"""The site's webhook in the WeCom group-robot format, posted to a local HTTP server: sent once, a failure
retried with back-off, and never inside the request that raised the alert."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from wuye_field.alerts import services, settings
from wuye_field.alerts.models import FAILED, PENDING, SENT, AlertDelivery
from wuye_field.alerts.sender import MAX_ATTEMPTS, backoff, send_due
from wuye_field.alerts.views import SENDER
from wuye_field.extensions import db

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)


class Robot:
    """A local group robot: records each JSON body; `answers` decides status/body, `delay` makes it slow."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        self.delay = 0.0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append({"json": json.loads(body), "type": self.headers["Content-Type"]})
                time.sleep(robot.delay)
                status, answer = robot.answers.pop(0) if robot.answers else (200, {"errcode": 0, "errmsg": "ok"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.close()


def _site_with_webhook(factories, url):
    site = factories.site()
    admin = factories.user("admin", site)
    settings.change(admin, site.id, "alerts.webhook_url", url, now=NOW - timedelta(days=1))
    return site


def test_the_webhook_gets_the_group_robot_text_message_once(factories, robot):
    site = _site_with_webhook(factories, robot.url)
    services.raise_alert("sos", site.id, [], "紧急求助：张伟，最后打卡：配电房", dedupe_key="sos:1", now=NOW)
    db.session.commit()
    assert send_due(NOW) == {"sent": 1, "retry": 0, "failed": 0}
    assert send_due(NOW + timedelta(hours=1)) == {"sent": 0, "retry": 0, "failed": 0}
    text = {"content": "【紧急】紧急求助：张伟，最后打卡：配电房"}
    assert robot.received == [{"json": {"msgtype": "text", "text": text}, "type": "application/json; charset=utf-8"}]


def test_a_failing_webhook_is_retried_with_back_off_then_given_up(factories, robot):
    site = _site_with_webhook(factories, robot.url)
    robot.answers = [(500, {}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"}), (200, {"errcode": 0})]
    services.raise_alert("order_red", site.id, [], "工单完成已超时", dedupe_key="o:1", now=NOW)
    db.session.commit()
    delivery = db.session.scalar(select(AlertDelivery))
    assert send_due(NOW)["retry"] == 1
    db.session.refresh(delivery)
    first_retry = delivery.next_try_at
    assert delivery.state == PENDING and delivery.attempts == 1 and "500" in delivery.last_error
    assert send_due(NOW)["sent"] == 0  # not before its time
    assert send_due(first_retry + timedelta(seconds=1))["retry"] == 1  # the robot's own errcode is a failure too
    db.session.refresh(delivery)
    assert "93000" in delivery.last_error
    assert send_due(delivery.next_try_at + timedelta(seconds=1))["sent"] == 1
    db.session.refresh(delivery)
    assert delivery.state == SENT and len(robot.received) == 3
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [10, 20, 40, 600]


def test_a_dead_webhook_is_given_up_after_the_last_try(factories):
    site = _site_with_webhook(factories, "http://127.0.0.1:9/nothing-listens")
    services.raise_alert("sos", site.id, [], "x", dedupe_key="s", now=NOW)
    db.session.commit()
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        send_due(at)
        at += timedelta(hours=1)
    assert db.session.scalar(select(AlertDelivery.state)) == FAILED


def test_a_slow_webhook_never_holds_up_the_sos_that_raised_it(make_app, robot):
    from tests.factories import Factories
    from tests.sync.helpers import headers

    robot.delay = 3.0
    app = make_app(ALERTS_SENDER_THREAD=True)
    with app.app_context():
        factories = Factories(app.config["PASSWORD_HASH_METHOD"])
        site = _site_with_webhook(factories, robot.url)
        factories.user("guard", site, staff_no="g-slow", password="password-123")
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": "g-slow", "password": "password-123"})
        started = time.monotonic()
        response = client.post("/incidents/sos", data={"note": ""}, headers=headers())
        took = time.monotonic() - started
        assert response.status_code == 201 and took < 1.5
        deadline = time.monotonic() + 10
        while not robot.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert robot.received and robot.received[0]["json"]["msgtype"] == "text"
        app.extensions[SENDER].stop()
