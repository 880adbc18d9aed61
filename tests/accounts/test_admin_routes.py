"""The admin (管理处) pages for users, through the test client: page or fragment, creating and editing,
field messages, access, sessions that end at once (accounts/admin.py)."""
from __future__ import annotations

import pytest

from tests.admin_helpers import (
    HX, SITE_FORM, USER_FORM, assert_other_sites_admin_gets_404, assert_page_or_fragment,
    assert_refused_and_nothing_stored, one, snapshot,
)
from wuye_field.accounts.models import User
from wuye_field.extensions import db

PAGES = [
    ("/admin/users", "user-list"),
    ("/admin/users?site_id={site}", "user-list"),
    ("/admin/users/new", "user-form"),
    ("/admin/users/{user}", "user-form"),
]


@pytest.mark.parametrize(("url", "section"), PAGES)
def test_same_url_answers_page_or_fragment(admin, ids, url, section):
    assert_page_or_fragment(admin, ids, url, section)


def test_user_create_edit(admin, ids):
    response = admin.post("/admin/users", headers=HX, data={
        "staff_no": "clean09", "name": "新保洁", "phone": "13911112222", "password": "secret-123",
        "roles": [f"{ids['site']}:cleaner"]})
    created = one(User, staff_no="clean09")
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith(f"/admin/users/{created.id}")
    assert created.roles == {"cleaner"}
    edited = admin.post(f"/admin/users/{created.id}", headers=HX, data={
        "name": "新保洁员", "phone": "", "roles": [f"{ids['site']}:cleaner", f"{ids['site']}:guard"]})
    assert edited.status_code == 200 and "已保存" in edited.text
    db.session.expire_all()
    assert (created.name, created.phone, created.roles) == ("新保洁员", None, {"cleaner", "guard"})
    listed = admin.get(f"/admin/users?site_id={ids['site']}").text
    assert "新保洁员" in listed and "保洁员" in listed


# ---------------------------------------------------------------- refused input (the R rules: never a 500)

INVALID = [
    # (url, form, message)
    ("/admin/users", USER_FORM | {"staff_no": ""}, "工号须为"),
    ("/admin/users", USER_FORM | {"staff_no": "guard01"}, "工号已存在。"),
    ("/admin/users", USER_FORM | {"name": ""}, "请填写姓名。"),
    ("/admin/users", USER_FORM | {"phone": "123"}, "手机号须为 11 位数字。"),
    ("/admin/users", USER_FORM | {"password": "1234"}, "密码至少 8 位。"),
    ("/admin/users", USER_FORM | {"roles": []}, "请至少选择一个小区的一个角色。"),
    ("/admin/users/{user}", {"name": "", "roles": ["{site}:guard"]}, "请填写姓名。"),
    ("/admin/users/{user}", {"name": "张伟", "phone": "13800000002", "roles": ["{site}:guard"]},
     "手机号已被其他账号使用。"),
    ("/admin/users/{user}", {"name": "张伟", "roles": []}, "请至少保留一个角色"),
    ("/admin/users/{user}/password", {"password": "short"}, "密码至少 8 位。"),
]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
@pytest.mark.parametrize(("url", "form", "message"), INVALID)
def test_bad_input_shows_the_message_and_stores_nothing(admin, ids, url, form, message, headers):
    assert_refused_and_nothing_stored(admin, ids, url, form, message, headers)


def test_the_admin_cannot_deactivate_themself(admin):
    me = one(User, staff_no="admin01")
    response = admin.post(f"/admin/users/{me.id}/active", data={"active": "0"}, headers=HX)
    assert response.status_code == 200 and "不能停用您自己的账号。" in response.text
    db.session.expire_all()
    assert me.active


# ---------------------------------------------------------------- access


ADMIN_GETS = ["/admin/users", "/admin/users/{user}"]


@pytest.mark.parametrize("who", ["guard01", "cleaner01", "tech01", "supervisor01", "desk01"])
@pytest.mark.parametrize("url", ADMIN_GETS)
def test_field_staff_are_refused(client, auth, ids, who, url):
    auth.login(who)
    assert client.get(url.format(**ids)).status_code == 403


@pytest.mark.parametrize("who", ["guard01", "supervisor01"])
def test_field_staff_cannot_post_either(client, auth, ids, who):
    auth.login(who)
    before = snapshot()
    assert client.post("/admin/sites", data=SITE_FORM).status_code == 403
    assert client.post(f"/admin/users/{ids['user']}/active", data={"active": "0"}).status_code == 403
    assert snapshot() == before


def test_signed_out_visitors_go_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


FOREIGN = [
    ("get", "/admin/users?site_id={site}", None),
    ("get", "/admin/users/{user}", None),
    ("post", "/admin/users/{user}", {"name": "x", "roles": []}),
    ("post", "/admin/users/{user}/password", {"password": "taken-over-1"}),
    ("post", "/admin/users/{user}/active", {"active": "0"}),
    ("post", "/admin/users", USER_FORM | {"roles": ["{site}:admin"]}),
]


@pytest.mark.parametrize(("method", "url", "form"), FOREIGN)
def test_an_admin_of_another_site_gets_404(client, auth, factories, ids, method, url, form):
    assert_other_sites_admin_gets_404(client, auth, factories, ids, method, url, form)


def test_the_user_list_shows_only_my_sites_users(client, auth, factories, demo):
    factories.user(role="admin", site=factories.site(code="OTHER"), staff_no="other-admin")
    db.session.commit()
    auth.login("other-admin", "password-123")
    html = client.get("/admin/users").text
    assert "other-admin" in html and "guard01" not in html and "admin01" not in html


# ---------------------------------------------------------------- sessions end at once (R10)


@pytest.fixture
def guard_phone(app, demo):
    """guard01 signed in on their own phone (a second client)."""
    phone = app.test_client()
    phone.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert phone.get("/").status_code == 200
    return phone


def test_deactivation_ends_the_users_session_on_their_next_request(admin, ids, guard_phone):
    response = admin.post(f"/admin/users/{ids['user']}/active", data={"active": "0"}, headers=HX)
    assert response.status_code == 200 and "已停用" in response.text
    refused = guard_phone.get("/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    login = guard_phone.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert "此账号已停用" in login.text
    admin.post(f"/admin/users/{ids['user']}/active", data={"active": "1"}, headers=HX)
    guard_phone.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert guard_phone.get("/").status_code == 200


def test_password_reset_ends_the_users_session(admin, ids, guard_phone):
    response = admin.post(f"/admin/users/{ids['user']}/password", data={"password": "new-secret-9"}, headers=HX)
    assert response.status_code == 200 and "密码已重置" in response.text
    refused = guard_phone.get("/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    guard_phone.post("/login", data={"username": "guard01", "password": "new-secret-9"})
    assert guard_phone.get("/").status_code == 200
