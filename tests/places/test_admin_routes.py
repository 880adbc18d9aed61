"""The admin (管理处) pages for sites, buildings and places, through the test client: page or fragment,
creating and saving, field messages, access, CSRF (places/admin.py)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.admin_helpers import (
    HX, PLACE_FORM, SITE_FORM, assert_other_sites_admin_gets_404, assert_page_or_fragment,
    assert_refused_and_nothing_stored, one,
)
from wuye_field.accounts.models import Membership, User
from wuye_field.demo import load_demo
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site

PAGES = [
    ("/admin/sites", "site-list"),
    ("/admin/sites/{site}", "places"),
    ("/admin/sites/{site}?kind=cleaning", "places"),
    ("/admin/sites/{site}/places/new", "place-form"),
    ("/admin/places/{place}", "place-form"),
]


@pytest.mark.parametrize(("url", "section"), PAGES)
def test_same_url_answers_page_or_fragment(admin, ids, url, section):
    assert_page_or_fragment(admin, ids, url, section)


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


# ---------------------------------------------------------------- refused input (the R rules: never a 500)

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
]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
@pytest.mark.parametrize(("url", "form", "message"), INVALID)
def test_bad_input_shows_the_message_and_stores_nothing(admin, ids, url, form, message, headers):
    assert_refused_and_nothing_stored(admin, ids, url, form, message, headers)


# ---------------------------------------------------------------- access


ADMIN_GETS = ["/admin/sites", "/admin/sites/{site}", "/admin/places/{place}"]


@pytest.mark.parametrize("who", ["guard01", "cleaner01", "tech01", "supervisor01", "desk01"])
@pytest.mark.parametrize("url", ADMIN_GETS)
def test_field_staff_are_refused(client, auth, ids, who, url):
    auth.login(who)
    assert client.get(url.format(**ids)).status_code == 403


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
]


@pytest.mark.parametrize(("method", "url", "form"), FOREIGN)
def test_an_admin_of_another_site_gets_404(client, auth, factories, ids, method, url, form):
    assert_other_sites_admin_gets_404(client, auth, factories, ids, method, url, form)


# ---------------------------------------------------------------- CSRF (R9)


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
