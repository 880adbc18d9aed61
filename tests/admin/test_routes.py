"""Admin (管理处) pages through the test client: page or fragment, field messages, access, sessions, CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wuye_field.accounts.models import Membership, User
from wuye_field.demo import load_demo
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site

HX = {"HX-Request": "true"}


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def snapshot() -> tuple:
    """Row counts of everything the admin pages write, to prove a refused form stored nothing."""
    models = (Site, Building, Place, User, Membership)
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


@pytest.fixture
def admin(client, auth, demo):
    auth.login("admin01")
    return client


@pytest.fixture
def ids(demo) -> dict:
    """Ids of DEMO's objects, for building URLs."""
    return {
        "site": demo.id,
        "building": one(Building, site_id=demo.id, name="1栋").id,
        "place": one(Place, code="CP01").id,
        "user": one(User, staff_no="guard01").id,
    }


PAGES = [
    ("/admin/sites", "site-list"),
    ("/admin/sites/{site}", "places"),
    ("/admin/sites/{site}?kind=cleaning", "places"),
    ("/admin/sites/{site}/places/new", "place-form"),
    ("/admin/places/{place}", "place-form"),
    ("/admin/users", "user-list"),
    ("/admin/users?site_id={site}", "user-list"),
    ("/admin/users/new", "user-form"),
    ("/admin/users/{user}", "user-form"),
]


@pytest.mark.parametrize(("url", "section"), PAGES)
def test_same_url_answers_page_or_fragment(admin, ids, url, section):
    page = admin.get(url.format(**ids))
    fragment = admin.get(url.format(**ids), headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and f'id="{section}"' in page.text
    assert "<html" not in fragment.text and f'id="{section}"' in fragment.text
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_site_page_shows_places_by_kind_and_key_areas(admin, ids, app):
    html = admin.get(f"/admin/sites/{ids['site']}").text
    assert "东门岗亭" in html and "1栋大堂" in html and "重要部位" in html
    assert f"href=\"/admin/places/{ids['place']}\"" in html
    cleaning = admin.get(f"/admin/sites/{ids['site']}?kind=cleaning", headers=HX).text
    assert "中心绿地" in cleaning and "1栋大堂" in cleaning and "东门岗亭" not in cleaning
    if "places.tag_sheet" in app.view_functions:  # another engineer's endpoint: link only when installed
        assert f"/admin/sites/{ids['site']}/tags.pdf" in html


# ---------------------------------------------------------------- creating and saving


def test_creating_a_site_makes_the_creator_its_admin(admin):
    response = admin.post("/admin/sites", headers=HX, data={
        "code": "nanyuan", "name": "南苑", "timezone": "", "public_base_url": "https://nanyuan.example.com/"})
    site = one(Site, code="NANYUAN")
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/admin/sites/{site.id}"
    assert (site.timezone, site.public_base_url) == ("Asia/Shanghai", "https://nanyuan.example.com")
    admin01 = one(User, staff_no="admin01")
    assert one(Membership, user_id=admin01.id, site_id=site.id).role == "admin"
    assert admin.get(f"/admin/sites/{site.id}").status_code == 200


def test_a_plain_form_post_gets_a_303(admin):
    response = admin.post("/admin/sites", data={"code": "XY", "name": "西苑", "timezone": "Asia/Shanghai",
                                                "public_base_url": "http://127.0.0.1:5000"})
    assert response.status_code == 303


def test_buildings_add_rename_remove(admin, ids):
    added = admin.post(f"/admin/sites/{ids['site']}/buildings", data={"name": "4栋"}, headers=HX)
    assert added.status_code == 200 and "4栋" in added.text and 'id="buildings"' in added.text
    building = one(Building, site_id=ids["site"], name="4栋")
    renamed = admin.post(f"/admin/buildings/{building.id}", data={"name": "四号楼"}, headers=HX)
    assert "四号楼" in renamed.text
    place = admin.post(f"/admin/sites/{ids['site']}/places", data={
        "name": "四号楼大堂", "code": "CL20", "kind": "cleaning", "building_id": building.id}, headers=HX)
    assert place.status_code == 204
    removed = admin.post(f"/admin/buildings/{building.id}/delete", headers=HX)
    assert removed.status_code == 200 and "四号楼" not in removed.text
    db.session.expire_all()
    assert one(Place, code="CL20").building_id is None


def test_place_create_edit_deactivate(admin, ids):
    response = admin.post(f"/admin/sites/{ids['site']}/places", headers=HX, data={
        "name": "消防水池", "code": "cp-20", "kind": "checkpoint", "is_key_area": "1", "patrol_interval_min": ""})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(f"/admin/sites/{ids['site']}")
    place = one(Place, code="CP-20")
    assert place.is_key_area and place.patrol_interval_min == 240
    edited = admin.post(f"/admin/places/{place.id}", headers=HX, data={
        "name": "消防水池", "code": "CP-20", "kind": "both", "patrol_interval_min": "60"})
    assert edited.status_code == 200 and "已保存" in edited.text
    db.session.expire_all()
    assert (place.kind, place.is_key_area, place.patrol_interval_min) == ("both", False, 60)
    off = admin.post(f"/admin/places/{place.id}/active", data={"active": "0"}, headers=HX)
    assert off.status_code == 200 and "已停用" in off.text
    db.session.expire_all()
    assert place.active is False and db.session.get(Place, place.id) is not None


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


# ---------------------------------------------------------------- refused input (RELIABILITY: never a 500)

SITE_FORM = {"code": "NEW", "name": "新小区", "timezone": "Asia/Shanghai", "public_base_url": "https://a.example.com"}
PLACE_FORM = {"name": "新地点", "code": "NEW1", "kind": "checkpoint", "patrol_interval_min": "240"}
USER_FORM = {"staff_no": "new01", "name": "新人", "phone": "", "password": "secret-123"}

INVALID = [
    # (url, form, message)
    ("/admin/sites", SITE_FORM | {"code": "NEW SITE"}, "小区代码不能包含空格。"),
    ("/admin/sites", SITE_FORM | {"code": ""}, "请填写小区代码。"),
    ("/admin/sites", SITE_FORM | {"code": "demo"}, "小区代码已存在。"),
    ("/admin/sites", SITE_FORM | {"name": ""}, "请填写小区名称。"),
    ("/admin/sites", SITE_FORM | {"name": "长" * 61}, "名称最多 60 个字。"),
    ("/admin/sites", SITE_FORM | {"timezone": "Asia/Beijing"}, "时区无效"),
    ("/admin/sites", SITE_FORM | {"timezone": "Asia"}, "时区无效"),
    ("/admin/sites", SITE_FORM | {"public_base_url": "wuye.example.com"}, "网址须为"),
    ("/admin/sites/{site}", {"name": "", "timezone": "Asia/Shanghai", "public_base_url": "http://a.cn"},
     "请填写小区名称。"),
    ("/admin/sites/{site}", {"name": "示范", "timezone": "nowhere", "public_base_url": "http://a.cn"}, "时区无效"),
    ("/admin/sites/{site}", {"name": "示范", "timezone": "Asia/Shanghai", "public_base_url": "javascript:x"},
     "网址须为"),
    ("/admin/sites/{site}/buildings", {"name": ""}, "请填写楼栋名称。"),
    ("/admin/sites/{site}/buildings", {"name": "2栋"}, "本小区已有同名楼栋。"),
    ("/admin/sites/{site}/buildings", {"name": "楼" * 41}, "名称最多 40 个字。"),
    ("/admin/buildings/{building}", {"name": "2栋"}, "本小区已有同名楼栋。"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"name": ""}, "请填写地点名称。"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"name": "长" * 61}, "名称最多 60 个字。"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"code": "CP02"}, "本小区已有此编号的地点。"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"code": "C P"}, "编号须为"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"kind": ""}, "请选择类型。"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"patrol_interval_min": "5"}, "巡查间隔须为 10–1440 分钟的整数。"),
    ("/admin/sites/{site}/places", PLACE_FORM | {"patrol_interval_min": "abc"}, "巡查间隔须为 10–1440 分钟的整数。"),
    ("/admin/places/{place}", PLACE_FORM | {"code": "CP02"}, "本小区已有此编号的地点。"),
    ("/admin/places/{place}", PLACE_FORM | {"patrol_interval_min": "99999"}, "巡查间隔须为 10–1440 分钟的整数。"),
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


def _fill(value, ids):
    if isinstance(value, list):
        return [v.format(**ids) for v in value]
    return value


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
@pytest.mark.parametrize(("url", "form", "message"), INVALID)
def test_bad_input_shows_the_message_and_stores_nothing(admin, ids, url, form, message, headers):
    form = {"roles": ["{site}:guard"]} | form if url == "/admin/users" else form
    before = snapshot()
    names = {p.id: (p.name, p.code, p.patrol_interval_min) for p in db.session.scalars(select(Place))}
    response = admin.post(url.format(**ids), data={k: _fill(v, ids) for k, v in form.items()}, headers=headers)
    assert response.status_code == 200
    assert message in response.text and 'class="field-error"' in response.text
    assert ("<html" in response.text) == (not headers)
    db.session.expire_all()
    assert snapshot() == before
    assert {p.id: (p.name, p.code, p.patrol_interval_min) for p in db.session.scalars(select(Place))} == names
    assert one(Site, id=ids["site"]).name == "示范小区" and one(User, id=ids["user"]).name == "张伟"


def test_the_admin_cannot_deactivate_themself(admin):
    me = one(User, staff_no="admin01")
    response = admin.post(f"/admin/users/{me.id}/active", data={"active": "0"}, headers=HX)
    assert response.status_code == 200 and "不能停用您自己的账号。" in response.text
    db.session.expire_all()
    assert me.active


# ---------------------------------------------------------------- access


ADMIN_GETS = ["/admin/sites", "/admin/sites/{site}", "/admin/places/{place}", "/admin/users", "/admin/users/{user}"]


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
    ("get", "/admin/sites/{site}", None),
    ("post", "/admin/sites/{site}", {"name": "x", "timezone": "Asia/Shanghai", "public_base_url": "http://a.cn"}),
    ("post", "/admin/sites/{site}/buildings", {"name": "9栋"}),
    ("post", "/admin/buildings/{building}", {"name": "9栋"}),
    ("post", "/admin/buildings/{building}/delete", {}),
    ("get", "/admin/sites/{site}/places/new", None),
    ("post", "/admin/sites/{site}/places", PLACE_FORM),
    ("get", "/admin/places/{place}", None),
    ("post", "/admin/places/{place}", PLACE_FORM),
    ("post", "/admin/places/{place}/active", {"active": "0"}),
    ("get", "/admin/users?site_id={site}", None),
    ("get", "/admin/users/{user}", None),
    ("post", "/admin/users/{user}", {"name": "x", "roles": []}),
    ("post", "/admin/users/{user}/password", {"password": "taken-over-1"}),
    ("post", "/admin/users/{user}/active", {"active": "0"}),
    ("post", "/admin/users", USER_FORM | {"roles": ["{site}:admin"]}),
]


@pytest.mark.parametrize(("method", "url", "form"), FOREIGN)
def test_an_admin_of_another_site_gets_404(client, auth, factories, ids, method, url, form):
    """Other sites' objects answer 404, never 403: their existence is not confirmed (RELIABILITY 15)."""
    factories.user(role="admin", site=factories.site(code="OTHER"), staff_no="other-admin")
    db.session.commit()
    auth.login("other-admin", "password-123")
    before = snapshot()
    data = {k: _fill(v, ids) for k, v in (form or {}).items()}
    response = getattr(client, method)(url.format(**ids), data=data, headers=HX)
    assert response.status_code == 404
    assert "不存在" in response.text
    db.session.expire_all()
    assert snapshot() == before
    assert one(User, staff_no="guard01").active and one(Place, code="CP01").active


def test_the_user_list_shows_only_my_sites_users(client, auth, factories, demo):
    factories.user(role="admin", site=factories.site(code="OTHER"), staff_no="other-admin")
    db.session.commit()
    auth.login("other-admin", "password-123")
    html = client.get("/admin/users").text
    assert "other-admin" in html and "guard01" not in html and "admin01" not in html


def test_only_company_admins_create_sites(client, auth, factories, demo):
    factories.user(role="admin", site=demo, staff_no="site-admin")
    db.session.commit()
    auth.login("site-admin", "password-123")
    assert 'id="site-new"' not in client.get("/admin/sites").text
    assert client.post("/admin/sites", data=SITE_FORM).status_code == 403
    assert one(Site, code="NEW") is None


def test_a_company_admin_without_sites_creates_the_first_one(client, auth, factories, demo):
    founder = factories.user(role=None, staff_no="founder")
    founder.is_admin = True
    db.session.commit()
    auth.login("founder", "password-123")
    assert 'id="site-new"' in client.get("/admin/sites").text
    assert client.post("/admin/sites", data=SITE_FORM, headers=HX).status_code == 204
    assert one(Membership, user_id=founder.id).role == "admin"
    assert client.get("/admin/users").status_code == 200


# ---------------------------------------------------------------- sessions end at once (RELIABILITY 10)


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


# ---------------------------------------------------------------- CSRF (RELIABILITY 9)


def _token(html: str) -> str:
    """The CSRF token every page carries in `<meta name="csrf-token">`."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def test_csrf_is_required_and_the_htmx_header_is_accepted(make_app):
    application = make_app(WTF_CSRF_ENABLED=True)
    with application.app_context():
        site_id = load_demo(application.config["PUBLIC_BASE_URL"], application.config["PASSWORD_HASH_METHOD"]).id
        db.session.commit()
    client = application.test_client()
    client.post("/login", data={"username": "admin01", "password": "wuye-demo",
                                "csrf_token": _token(client.get("/login").text)})
    page = client.get(f"/admin/sites/{site_id}").text
    assert "hx-headers='{\"X-CSRFToken\"" in page
    url = f"/admin/sites/{site_id}/buildings"

    refused = client.post(url, data={"name": "5栋"}, headers=HX)
    assert refused.status_code == 400 and "页面已过期，请刷新后重试。" in refused.text

    accepted = client.post(url, data={"name": "5栋"}, headers=HX | {"X-CSRFToken": _token(page)})
    assert accepted.status_code == 200 and "5栋" in accepted.text
    with application.app_context():
        assert db.session.scalar(select(Building).filter_by(site_id=site_id, name="5栋")) is not None
