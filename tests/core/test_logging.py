"""Logs an operator can trust (R10, R15, R25, R29 in docs/standards.md): one line per record on stdout with time, level,
logger, request id, user and site; user input escaped; the security events under stable names."""
from __future__ import annotations

import io
import json
import re

import pytest

from tests.sync.helpers import headers, new_key, post_scan
from wuye_field.core.logging import SECURITY_EVENTS, security_event, user_text
from wuye_field.extensions import db

LINE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ ")


def log_lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def event_lines(capsys, event: str) -> list[str]:
    return [line for line in log_lines(capsys) if f" {event} " in line or line.endswith(f" {event}")]


def test_every_line_has_time_level_and_logger(client, demo, auth, capsys):
    auth.login("guard01", "wrong-password")
    lines = log_lines(capsys)
    assert lines, "the failed login left no log line"
    for line in lines:
        assert LINE_RE.match(line), line


def test_login_name_with_crlf_and_escapes_cannot_forge_a_line(make_app, demo, capsys):
    """R29: a typed login name reaches the throttle warning escaped, on one line."""
    client = _throttled_client(make_app)
    name = "g1\r\n2026-11-29T00:00:00.000Z INFO x admin in\x1b[2J\u202e"  # the form allows 64
    for _attempt in range(6):
        client.post("/login", data={"username": name, "password": "nope-nope"})
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out and "\u202e" not in out
    lines = out.splitlines()
    assert all(LINE_RE.match(line) for line in lines)
    assert not any(line.startswith("2026-11-29T00:00:00.000Z") for line in lines)
    throttled = [line for line in lines if " login_throttled " in line]
    assert len(throttled) == 1
    assert "login='g1\\r\\n2026-11-29T00:00:00.000Z INFO x admin in\\x1b[2J\\u202e'" in throttled[0]


def test_user_text_escapes_and_cuts():
    assert user_text("a\r\nb\x1b[31m\u202ec\\") == "'a\\r\\nb\\x1b[31m\\u202ec\\\\'"
    long = user_text("x" * 500)
    assert long.startswith("'" + "x" * 80 + "'") and long.endswith("…(+420)")
    assert user_text(None) == "''"


def _throttled_client(make_app):
    application = make_app(RATELIMIT_ENABLED=True)
    with application.app_context():
        from wuye_field.extensions import limiter

        limiter.reset()
    return application.test_client()


def test_login_failed_names_the_account_and_address(client, demo, auth, capsys):
    auth.login("guard01", "wrong-password")
    [line] = event_lines(capsys, "login_failed")
    assert " WARNING wuye_field.security " in line
    assert "login='guard01'" in line and "address='127.0.0.1'" in line
    assert "[req=" in line


def test_login_throttled(make_app, demo, capsys):
    client = _throttled_client(make_app)
    for _attempt in range(6):
        client.post("/login", data={"username": "guard01", "password": "nope-nope"})
    [line] = event_lines(capsys, "login_throttled")
    assert " WARNING " in line and "login='guard01'" in line


def test_session_stale_after_logout(app, demo, auth, client, capsys):
    """R10: a cookie copied before logout is refused, and the attempt is logged."""
    auth.login("guard01")
    copied = app.test_client()
    for cookie in client._cookies.values():
        copied.set_cookie(cookie.key, cookie.value)
    client.post("/logout")
    capsys.readouterr()
    assert copied.get("/sync/csrf", headers={"Accept": "application/json"}).status_code == 401
    [line] = event_lines(capsys, "session_stale")
    assert "reason='ended'" in line and "path='/sync/csrf'" in line


def test_forbidden_carries_the_user(client, demo, auth, capsys):
    auth.login("guard01")
    capsys.readouterr()
    assert client.get(f"/admin/sites/{demo.id}").status_code == 403
    [line] = event_lines(capsys, "forbidden")
    guard = _user("guard01")
    assert f"user={guard.id}" in line and f"site={demo.id}" in line


def test_not_found_other_site(client, demo, auth, factories, capsys):
    """R15: another site's object is a 404 to the user and a warning to the operator."""
    other = factories.site()
    db.session.commit()
    auth.login("admin01")
    capsys.readouterr()
    assert client.get(f"/admin/sites/{other.id}").status_code == 404
    [line] = event_lines(capsys, "not_found_other_site")
    assert f"object_site_id={other.id}" in line and f"user={_user('admin01').id}" in line


def test_scan_of_another_sites_tag_is_logged(client, demo, auth, factories, capsys):
    other = factories.site()
    foreign = factories.place(other, tag_token="T" * 22)
    db.session.commit()
    auth.login("guard01")
    capsys.readouterr()
    assert post_scan(client, foreign.tag_token).status_code == 404
    [line] = event_lines(capsys, "not_found_other_site")
    assert f"object_site_id={other.id}" in line


def test_unknown_id_is_not_called_another_site(client, demo, auth, capsys):
    auth.login("admin01")
    capsys.readouterr()
    assert client.get("/admin/sites/999999").status_code == 404
    assert event_lines(capsys, "not_found_other_site") == []


def test_csrf_refused(make_app, demo, capsys):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    [line] = event_lines(capsys, "csrf_refused")
    assert "path='/login'" in line


def test_idempotency_conflict(client, demo, auth, capsys):
    from tests.sync.helpers import place

    auth.login("guard01")
    key = new_key()
    token = place(demo).tag_token
    assert post_scan(client, token, key, note="一").status_code == 201
    assert post_scan(client, token, key, note="二").status_code == 409
    [line] = event_lines(capsys, "idempotency_conflict")
    assert f"key='{key}'" in line and f"user={_user('guard01').id}" in line


def test_upload_refused(client, demo, auth, capsys):
    auth.login("guard01")
    capsys.readouterr()
    html = b"<html><script>alert(1)</script></html>"
    response = client.post("/sync/photos", data={"photo": (io.BytesIO(html), "x.jpg", "image/jpeg")},
                           headers=headers(), content_type="multipart/form-data")
    assert response.status_code == 415
    [line] = event_lines(capsys, "upload_refused")
    assert "code='not_jpeg'" in line or "code=" in line


def test_body_too_large_is_logged_as_upload_refused(make_app, demo, capsys):
    client = make_app(MAX_CONTENT_LENGTH=4096).test_client()
    client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    capsys.readouterr()
    response = client.post("/sync/photos", data={"photo": (io.BytesIO(b"x" * 10000), "p.jpg", "image/jpeg")},
                           headers=headers(), content_type="multipart/form-data")
    assert response.status_code == 413
    [line] = event_lines(capsys, "upload_refused")
    assert "status=413" in line


def test_quarantined_event_helper(app, capsys):
    with app.test_request_context("/patrol/scans", method="POST"):
        security_event("quarantined", key=new_key(), reason="role_removed")
    [line] = event_lines(capsys, "quarantined")
    assert " WARNING wuye_field.security " in line and "reason='role_removed'" in line


def test_unknown_event_names_are_refused():
    with pytest.raises(ValueError):
        security_event("login_faild")
    assert len(SECURITY_EVENTS) == 10


def test_request_id_is_echoed_and_taken_from_the_proxy(client, demo, auth, capsys):
    response = client.post("/login", data={"username": "guard01", "password": "nope-nope"},
                           headers={"X-Request-ID": "proxy-abc-12345"})
    assert response.headers["X-Request-ID"] == "proxy-abc-12345"
    [line] = event_lines(capsys, "login_failed")
    assert "[req=proxy-abc-12345]" in line
    bad = client.get("/login", headers={"X-Request-ID": "evil id; x=\x1b"})
    assert re.fullmatch(r"[0-9a-f]{16}", bad.headers["X-Request-ID"])


def test_production_writes_json_lines(make_app, demo, capsys):
    client = make_app(WUYE_ENV="production").test_client()
    capsys.readouterr()
    client.post("/login", data={"username": "guard01\x1b[31m", "password": "nope-nope"})
    lines = log_lines(capsys)
    entries = [json.loads(line) for line in lines]
    [entry] = [e for e in entries if e.get("event") == "login_failed"]
    assert entry["level"] == "WARNING" and entry["logger"] == "wuye_field.security"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    assert entry["request_id"] and entry["fields"]["login"] == "guard01\\x1b[31m"
    assert all(line.isascii() for line in lines)


def _user(staff_no: str):
    from wuye_field.accounts.services import find_user_by_login

    return find_user_by_login(staff_no)
