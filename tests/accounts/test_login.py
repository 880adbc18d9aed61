"""Signing in and out: staff number or phone, remember-me, throttling, sessions ended server-side."""
import re

import pytest
from sqlalchemy import select

from wuye_field.accounts import services
from wuye_field.extensions import db
from wuye_field.places.models import Place


def test_login_page_has_the_contract_fields(make_app):
    html = make_app(WTF_CSRF_ENABLED=True).test_client().get("/login").text
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in html
    assert "登录" in html


@pytest.mark.parametrize("login", ["guard01", "GUARD01", "13800000001"])
def test_staff_number_or_phone_signs_in(client, demo, auth, login):
    response = auth.login(login)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "张伟" in client.get("/").text


def test_wrong_password_shows_chinese_message_next_to_the_form(client, demo, auth):
    response = auth.login("guard01", "wrong-password")
    assert response.status_code == 200
    assert "工号/手机号或密码不正确" in response.text
    assert client.get("/").status_code == 302  # still signed out


def test_empty_fields_are_explained(client, demo):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 200
    assert "请填写工号或手机号" in response.text
    assert "请填写密码" in response.text


def test_remember_me_keeps_the_worker_signed_in_for_30_days(client, demo, auth):
    response = auth.login("guard01", remember="y")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "HttpOnly" in cookie
    expires = re.search(r"Max-Age=(\d+)", cookie) or re.search(r"Expires=([^;]+)", cookie)
    assert expires is not None
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_next_parameter_returns_to_the_tag_page(client, demo, auth):
    token = db.session.scalar(select(Place.tag_token).where(Place.site_id == demo.id).limit(1))
    response = client.get(f"/t/{token}")
    assert response.status_code == 302
    assert "/login?next=/t/" in response.headers["Location"]
    response = client.post(response.headers["Location"], data={"username": "guard01", "password": "wuye-demo"})
    assert response.headers["Location"] == f"/t/{token}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, demo, target):
    response = client.post(f"/login?next={target}", data={"username": "guard01", "password": "wuye-demo"})
    assert response.headers["Location"] == "/"


def test_deactivated_user_cannot_sign_in(client, demo, auth):
    user = services.find_user_by_login("guard01")
    services.set_active(user, False)
    db.session.commit()
    response = auth.login("guard01")
    assert response.status_code == 200
    assert "此账号已停用" in response.text


def test_logout_ends_a_copied_cookie(app, demo, auth, client):
    """R10: a cookie copied before logout no longer works after it."""
    auth.login("guard01", remember="y")
    stolen = app.test_client()
    for cookie in client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value)
    assert stolen.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 303
    assert "Clear-Site-Data" not in response.headers  # R16: the phone's outbox survives
    assert stolen.get("/").status_code == 302
    assert stolen.get("/sync/csrf", headers={"Accept": "application/json"}).status_code == 401


def test_password_reset_ends_existing_sessions(app, demo, auth, client):
    auth.login("guard01")
    services.reset_password(services.find_user_by_login("guard01"), "new-password-1", "pbkdf2:sha256:1000")
    db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login("guard01", "new-password-1").status_code == 302


def test_api_callers_get_401_json_not_a_redirect(client, demo):
    """R8: the outbox learns it must ask the user to sign in; it keeps its items."""
    response = client.get("/sync/csrf", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json["error"] == "login_required"
    assert "登录" in response.json["message"]


class TestThrottle:
    """R14: failures throttled per account; colleagues behind the same IP unaffected."""

    @pytest.fixture
    def client(self, make_app):
        application = make_app(RATELIMIT_ENABLED=True)
        with application.app_context():
            from wuye_field.extensions import limiter

            limiter.reset()
            yield application.test_client()

    def test_fifth_failure_then_throttled_with_a_wait_time(self, client, demo):
        for _attempt in range(5):
            assert client.post("/login", data={"username": "guard01", "password": "nope-nope"}).status_code == 200
        response = client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
        assert response.status_code == 429
        assert re.search(r"请在 \d+ 分钟后再试", response.text)

    def test_other_staff_on_the_same_ip_can_still_sign_in(self, client, demo):
        for _attempt in range(6):
            client.post("/login", data={"username": "guard01", "password": "nope-nope"})
        response = client.post("/login", data={"username": "guard02", "password": "wuye-demo"})
        assert response.status_code == 302

    def test_successful_logins_do_not_count(self, client, demo):
        for _attempt in range(8):
            assert client.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
            client.post("/logout")


def test_login_form_requires_csrf_when_enabled(make_app, demo):
    application = make_app(WTF_CSRF_ENABLED=True)
    client = application.test_client()
    response = client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert response.status_code == 400
    assert "页面已过期" in response.text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"username": "guard01", "password": "wuye-demo", "csrf_token": token})
    assert response.status_code == 302
