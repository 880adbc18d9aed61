"""Issue 20 proof, finding 2: each security event the issue names leaves a WARNING line an operator can read,
under its stable name, in the captured log — the cases tests/core/test_logging.py does not already read:
a session ended by deactivation or a password reset, a field action without its CSRF token, a role refusal
of a field-page POST, and each kind of refused upload by its code. Then one walk through every event name."""
from __future__ import annotations

import io
import re

import pytest

from tests.core.test_logging import LINE_RE, event_lines
from tests.sync import helpers
from tests.sync.helpers import headers, new_key, post_photo, post_scan
from wuye_field.accounts import services
from wuye_field.core.logging import SECURITY_EVENTS
from wuye_field.extensions import db

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SECURITY = " WARNING wuye_field.security "


def _copied(app, client):
    copy = app.test_client()
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value)
    return copy


@pytest.mark.parametrize("end", ["deactivated", "password_reset"])
def test_session_stale_after_deactivation_or_password_reset(app, demo, auth, client, capsys, end):
    """A phone still holding the cookie after its user was deactivated (or the password reset) is refused
    with 401, and the attempt is logged with why."""
    auth.login("guard01")
    guard = services.find_user_by_login("guard01")
    if end == "deactivated":
        services.set_active(guard, False)
    else:
        services.reset_password(guard, "new-password-1", app.config["PASSWORD_HASH_METHOD"])
    db.session.commit()
    capsys.readouterr()
    assert client.get("/sync/csrf", headers={"Accept": "application/json"}).status_code == 401
    [line] = event_lines(capsys, "session_stale")
    assert SECURITY in line and f"stale_user_id={guard.id}" in line
    assert ("reason='deactivated'" if end == "deactivated" else "reason='ended'") in line


def test_csrf_refused_on_a_field_action(make_app, demo, capsys):
    """The outbox's POST without X-CSRFToken: 400 `csrf` (the phone fetches a token and resends), logged."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = CSRF_RE.search(client.get("/login").text).group(1)
    assert client.post("/login", data={"username": "guard01", "password": "wuye-demo",
                                       "csrf_token": token}).status_code == 302
    capsys.readouterr()
    response = post_scan(client, helpers.place(demo).tag_token)
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    [line] = event_lines(capsys, "csrf_refused")
    assert SECURITY in line and "path='/patrol/scans'" in line and "method='POST'" in line


def test_forbidden_on_a_post_outside_the_role(client, demo, auth, capsys):
    """A guard posting a supervisor's resolution: 403, logged with the user."""
    auth.login("guard01")
    capsys.readouterr()
    assert client.post("/defects/1/resolve", data={"note": "x"}).status_code == 403
    [line] = event_lines(capsys, "forbidden")
    guard = services.find_user_by_login("guard01")
    assert SECURITY in line and f"user={guard.id}" in line and "path='/defects/1/resolve'" in line


@pytest.mark.parametrize(("make", "checksum", "status", "code"), [
    (lambda: b"<html><script>alert(1)</script></html>", "auto", 415, "not_image"),
    (lambda: helpers.HEIC, "auto", 415, "heic"),
    (helpers.truncated_jpeg, "auto", 422, "damaged"),
    (helpers.png_bomb, "auto", 413, "too_many_pixels"),
    (helpers.jpeg, "0" * 64, 400, "checksum"),
], ids=["html", "heic", "truncated", "bomb", "checksum"])
def test_upload_refused_names_its_code(client, demo, auth, capsys, make, checksum, status, code):
    auth.login("guard01")
    capsys.readouterr()
    data, key = make(), new_key()
    response = post_photo(client, data, key, checksum=checksum)
    assert response.status_code == status and response.get_json()["error"] == code
    [line] = event_lines(capsys, "upload_refused")
    assert SECURITY in line and f"code='{code}'" in line and f"photo='{key}'" in line and f"bytes={len(data)}" in line


def test_every_event_the_issue_names_is_logged(app, make_app, demo, factories, capsys):
    """One walk through the events of issue 20 and the residents' window (`quarantined` comes with the quarantine):
    each is provoked the way an attacker or a flaky phone would, and read back from the log by name."""
    other = factories.site()
    foreign = factories.place(other, tag_token="F" * 22)
    window = f"/b/{demo.buildings[0].public_token}/pass"
    db.session.commit()
    token = helpers.place(demo).tag_token

    guard = app.test_client()
    guard.post("/login", data={"username": "guard01", "password": "wrong-one"})                # login_failed
    assert guard.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
    stolen = _copied(app, guard)
    assert guard.get(f"/admin/sites/{demo.id}").status_code == 403                               # forbidden
    assert post_scan(guard, foreign.tag_token).status_code == 404                                 # not_found_other_site
    key = new_key()
    assert post_scan(guard, token, key, note="一").status_code == 201
    assert post_scan(guard, token, key, note="二").status_code == 409                             # idempotency_conflict
    refused = guard.post("/sync/photos", data={"photo": (io.BytesIO(b"<svg/>"), "a.jpg", "image/jpeg")},
                         headers=headers(), content_type="multipart/form-data")
    assert refused.status_code == 415                                                             # upload_refused
    guard.post("/logout")
    assert stolen.get("/sync/csrf", headers={"Accept": "application/json"}).status_code == 401    # session_stale

    unknown = {"unit": "9-909", "resident_phone": "13700009999", "visitor_name": "李娜", "days": "1"}
    assert app.test_client().post(window, data=unknown).status_code == 422                      # resident_unverified
    db.session.rollback()  # the request shared this test's session: end the transaction its page began

    throttled = make_app(RATELIMIT_ENABLED=True)
    with throttled.app_context():
        from wuye_field.extensions import limiter

        limiter.reset()
    statuses = [throttled.test_client().post("/login", data={"username": "cleaner01", "password": "wrong-two"})
                .status_code for _attempt in range(6)]
    assert statuses[-1] == 429                                                                    # login_throttled
    strict = make_app(WTF_CSRF_ENABLED=True)
    login = strict.test_client().post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert login.status_code == 400                                                               # csrf_refused

    lines = capsys.readouterr().out.splitlines()
    assert all(LINE_RE.match(line) for line in lines)
    logged = {match.group(1) for line in lines if SECURITY in line
              for match in [re.search(r" wuye_field\.security (?:\[[^\]]*\] )?(\w+)", line)] if match}
    assert logged == SECURITY_EVENTS - {"quarantined"}, logged
