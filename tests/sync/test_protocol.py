"""The server contract of every field POST (README "How offline works"), exercised through the scan endpoint."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import count, new_key, post_scan
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.sync import idempotency
from wuye_field.sync.models import IdempotencyKey, SyncConflict


@pytest.fixture
def token(demo):
    return helpers.place(demo).tag_token


@pytest.fixture
def guard(client, auth, demo):
    auth.login("guard01")
    return client


def test_first_receipt_stores_the_action_and_its_response(guard, token):
    key = new_key()
    response = post_scan(guard, token, key, note="一切正常")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "stored" and body["message"].startswith("已打卡：配电房")
    assert "Idempotent-Replayed" not in response.headers
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
    assert row.completed and row.response_status == 201
    assert json.loads(row.response_body) == body
    assert row.endpoint == "patrol.record_scan"
    assert count(Scan, Scan.client_uuid == key) == 1


def test_replay_returns_the_stored_answer_and_stores_nothing(guard, token):
    """R1: same UUID, same payload → 200, the recorded body, one row."""
    key = new_key()
    first = post_scan(guard, token, key, note="第一次")
    again = post_scan(guard, token, key, note="第一次", sent_at=datetime.now(timezone.utc) + timedelta(hours=1))
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    assert count(Scan, Scan.client_uuid == key) == 1
    assert count(IdempotencyKey, IdempotencyKey.key == key) == 1


def test_replay_with_a_fresh_csrf_token_in_the_body_is_still_a_replay(guard, token):
    key = new_key()
    post_scan(guard, token, key)
    response = guard.post("/patrol/scans", data={"place": token, "via": "link", "note": "", "csrf_token": "new"},
                          headers=helpers.headers(key))
    assert response.status_code == 200 and response.headers["Idempotent-Replayed"] == "true"


def test_same_key_different_body_is_409_and_logged(guard, token):
    """R2: same UUID, different payload → 409 conflict, original untouched, conflict logged."""
    key = new_key()
    post_scan(guard, token, key, note="原来的")
    response = post_scan(guard, token, key, note="改过的")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict" and body["message"].startswith("此记录已上传过，内容不同")
    scan = db.session.scalar(select(Scan).where(Scan.client_uuid == key))
    assert scan.note == "原来的"
    conflict = db.session.scalar(select(SyncConflict).where(SyncConflict.key == key))
    stored = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
    assert conflict.endpoint == "patrol.record_scan" and conflict.stored_hash == stored.request_hash
    assert conflict.request_hash != stored.request_hash and conflict.user_id == scan.user_id


def test_a_key_not_completed_answers_in_progress(guard, token, demo):
    """R3: a key row without a response (another request owns it) → 409 in_progress."""
    key = new_key()
    from wuye_field.accounts.services import find_user_by_login

    user = find_user_by_login("guard01")
    response = post_scan(guard, token, key)  # learn the fingerprint of this exact body
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
    other = new_key()
    db.session.add(IdempotencyKey(user_id=user.id, key=other, endpoint=row.endpoint, request_hash=row.request_hash,
                                  device_time=row.device_time, completed=False))
    db.session.commit()
    response = post_scan(guard, token, other)
    assert response.status_code == 409 and response.get_json()["error"] == "in_progress"
    assert count(Scan, Scan.client_uuid == other) == 0


@pytest.mark.parametrize("headers, code", [
    ({"Idempotency-Key": ""}, "idempotency_key"),
    ({"Idempotency-Key": "not-a-uuid"}, "idempotency_key"),
    ({"X-Device-Time": ""}, "device_time"),
    ({"X-Device-Time": "2026-05-01 08:00"}, "device_time"),  # no offset: cannot be placed in time
    ({"X-Device-Time": "yesterday"}, "device_time"),
])
def test_missing_or_bad_protocol_headers_are_400_json(guard, token, headers, code):
    sent = helpers.headers() | headers
    sent = {k: v for k, v in sent.items() if v}
    response = guard.post("/patrol/scans", data={"place": token}, headers=sent)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert count(Scan) == 0 and count(IdempotencyKey) == 0


def test_plain_form_post_without_javascript_is_400_not_500(guard, token):
    response = guard.post("/patrol/scans", data={"place": token}, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.text


def test_refused_action_stores_nothing_and_the_key_can_be_retried(guard, token):
    """A DomainError rolls the key back too: the same key re-evaluates, a corrected retry is stored."""
    key = new_key()
    response = post_scan(guard, token, key, note="长" * 501)
    assert response.status_code == 400 and response.get_json()["error"] == "note_too_long"
    assert count(IdempotencyKey) == 0 and count(Scan) == 0
    response = post_scan(guard, token, key, note="短")
    assert response.status_code == 201
    assert count(Scan, Scan.client_uuid == key) == 1


def test_keys_are_per_user(client, auth, demo, token):
    """Another user replaying A's key stores their own action and never sees A's answer."""
    key = new_key()
    auth.login("guard01")
    first = post_scan(client, token, key, note="张伟")
    auth.logout()
    auth.login("guard02")
    second = post_scan(client, token, key, note="李强")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert second.get_json()["scan"]["id"] != first.get_json()["scan"]["id"]
    notes = set(db.session.scalars(select(Scan.note).where(Scan.client_uuid == key)))
    assert notes == {"张伟", "李强"}


def test_not_signed_in_is_401_login_required(client, demo, token):
    """R8: the outbox keeps the item and resends after login."""
    response = post_scan(client, token)
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"
    assert count(IdempotencyKey) == 0


def test_device_clock_days_off_keeps_both_times_and_is_flagged(guard, token):
    """R13: device time and server receive time both stored (UTC); skew > 10 min flagged."""
    wrong = datetime.now(timezone(timedelta(hours=8))) - timedelta(days=3)
    response = post_scan(guard, token, device_time=wrong, sent_at=wrong + timedelta(seconds=5))
    assert response.status_code == 201
    scan = db.session.scalar(select(Scan))
    assert as_utc(scan.device_time) == wrong.astimezone(timezone.utc)
    assert abs((as_utc(scan.received_at) - datetime.now(timezone.utc)).total_seconds()) < 60
    assert scan.skew_flagged and scan.clock_skew_seconds < -3 * 86400 + 60
    key_row = db.session.scalar(select(IdempotencyKey))
    assert key_row.skew_flagged and as_utc(key_row.device_time) == as_utc(scan.device_time)
    assert response.get_json()["scan"]["skew_flagged"] is True


def test_old_offline_action_sent_with_a_right_clock_is_not_skew(guard, token):
    """An action made offline 6 hours ago and replayed now: its send time is right, so no flag."""
    made = datetime.now(timezone.utc) - timedelta(hours=6)
    response = post_scan(guard, token, device_time=made)
    assert response.status_code == 201
    scan = db.session.scalar(select(Scan))
    assert not scan.skew_flagged and abs(scan.clock_skew_seconds) < 60
    assert as_utc(scan.device_time) == made


def test_without_send_time_skew_is_unknown(guard, token):
    sent = helpers.headers()
    del sent["X-Device-Sent-At"]
    response = guard.post("/patrol/scans", data={"place": token, "via": "link"}, headers=sent)
    assert response.status_code == 201
    scan = db.session.scalar(select(Scan))
    assert scan.clock_skew_seconds is None and not scan.skew_flagged


def test_crash_before_commit_leaves_nothing_and_the_retry_succeeds(guard, token, monkeypatch):
    """R4: the server dies between the action and the commit → no row; the retry is stored."""
    key = new_key()

    def crash():
        raise RuntimeError("worker killed before commit")

    monkeypatch.setattr(idempotency, "_commit", crash)
    response = post_scan(guard, token, key)
    assert response.status_code == 500 and response.get_json()["error"] == "server_error"
    assert count(Scan) == 0 and count(IdempotencyKey) == 0
    monkeypatch.undo()
    response = post_scan(guard, token, key)
    assert response.status_code == 201
    assert count(Scan, Scan.client_uuid == key) == 1


def test_body_over_max_content_length_is_413_json(make_app, demo):
    """R25: too large a body → 413 with a Chinese message, nothing stored."""
    token = helpers.place(demo).tag_token
    db.session.rollback()  # the test's own session must not hold SQLite's write lock
    application = make_app(MAX_CONTENT_LENGTH=4096)
    client = application.test_client()
    client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    response = post_scan(client, token, note="长" * 5000)
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"] == "http_413" and "太大" in body["message"]
    assert count(Scan) == 0


def test_too_many_form_parts_is_413_json(make_app, demo):
    """R25: more form parts than MAX_FORM_PARTS → 413 JSON."""
    token = helpers.place(demo).tag_token
    db.session.rollback()
    application = make_app(MAX_FORM_PARTS=20)
    client = application.test_client()
    client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    data = {"place": token} | {f"f{i}": "v" for i in range(50)}
    response = client.post("/patrol/scans", data=data, headers=helpers.headers(),
                           content_type="multipart/form-data")
    assert response.status_code == 413 and response.get_json()["message"]
    assert count(Scan) == 0


def test_stale_csrf_token_is_400_csrf_then_a_fresh_one_works(make_app, demo):
    """R9: the outbox gets 400 csrf, fetches /sync/csrf and resends; stored once."""
    key, token = new_key(), helpers.place(demo).tag_token
    db.session.rollback()
    application = make_app(WTF_CSRF_ENABLED=True)
    client = application.test_client()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "guard01", "password": "wuye-demo", "csrf_token": csrf})
    stale = post_scan(client, token, key, **{"X-CSRFToken": "stale-token"})
    assert stale.status_code == 400 and stale.get_json()["error"] == "csrf"
    fresh = client.get("/sync/csrf").get_json()["csrf_token"]
    response = post_scan(client, token, key, **{"X-CSRFToken": fresh})
    assert response.status_code == 201
    assert count(Scan, Scan.client_uuid == key) == 1
