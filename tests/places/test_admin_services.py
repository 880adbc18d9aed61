"""Admin (管理处) rules for sites, buildings and places (places/admin services), tested without a request."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.admin_helpers import count, user
from wuye_field.core.errors import FieldErrors, Forbidden, NotFound
from wuye_field.extensions import db
from wuye_field.places import services
from wuye_field.places.models import Building, Place, Site


@pytest.fixture(autouse=True)
def _locale(app):
    """Flask-Babel's locale selector (core.i18n) reads the request's cookies, so gettext needs a request
    context even though no request is made: push an empty one. The services themselves never read it."""
    with app.test_request_context():
        yield


SITE = {"code": "NEW-1", "name": "新小区", "timezone": "Asia/Shanghai", "public_base_url": "https://wuye.example.com"}


# ---------------------------------------------------------------- sites


def test_company_admin_creates_a_site_and_becomes_its_admin(admin01):
    site = services.create_site(admin01, **(SITE | {"code": " new-1 ", "public_base_url": "https://x.cn:8443/wuye/"}))
    assert site.code == "NEW-1"
    assert site.public_base_url == "https://x.cn:8443/wuye"
    assert site.id in admin01.site_ids("admin")
    assert services.admin_sites(admin01)[-1].code in {"NEW-1", "DEMO"}


def test_empty_time_zone_defaults_to_shanghai(admin01):
    assert services.create_site(admin01, **(SITE | {"timezone": ""})).timezone == "Asia/Shanghai"


def test_only_a_company_admin_creates_sites(other_admin):
    with pytest.raises(Forbidden):
        services.create_site(other_admin, **SITE)


def test_field_staff_have_no_admin_site_list(demo):
    with pytest.raises(Forbidden):
        services.admin_sites(user("guard01"))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("code", "DE MO", "小区代码不能包含空格。"),
    ("code", "", "请填写小区代码。"),
    ("code", "X", "小区代码须为 2–16 位大写字母、数字或 -。"),
    ("code", "A" * 17, "小区代码须为 2–16 位大写字母、数字或 -。"),
    ("code", "demo", "小区代码已存在。"),
    ("name", "", "请填写小区名称。"),
    ("name", "长" * 61, "名称最多 60 个字。"),
    ("timezone", "Mars/Base", "时区无效，例如 Asia/Shanghai。"),
    ("timezone", "Asia", "时区无效，例如 Asia/Shanghai。"),
    ("timezone", "x" * 300, "时区无效，例如 Asia/Shanghai。"),
    ("public_base_url", "ftp://wuye.example.com", "网址须为"),
    ("public_base_url", "https://wu ye.cn", "网址须为"),
    ("public_base_url", "https://wuye.cn:99999", "网址须为"),
    ("public_base_url", "https://wuye.cn/?a=1", "网址须为"),
    ("public_base_url", "wuye.cn", "网址须为"),
])
def test_bad_site_input_is_refused_per_field(admin01, field, value, message):
    before = count(Site)
    with pytest.raises(FieldErrors) as caught:
        services.create_site(admin01, **(SITE | {field: value}))
    assert caught.value.errors[field].startswith(message)
    assert count(Site) == before


def test_site_edit_keeps_the_code_and_refuses_foreign_admins(demo, admin01, other_admin):
    services.update_site(admin01, demo.id, name="示范小区二期", timezone="Asia/Urumqi", public_base_url="http://a.cn")
    assert (demo.code, demo.name, demo.timezone) == ("DEMO", "示范小区二期", "Asia/Urumqi")
    with pytest.raises(NotFound):
        services.update_site(other_admin, demo.id, name="x", timezone="Asia/Shanghai", public_base_url="http://a.cn")


# ---------------------------------------------------------------- buildings


def test_buildings_are_unique_per_site(demo, admin01, other_admin):
    building = services.add_building(admin01, demo.id, " 4栋 ")
    assert building.name == "4栋"
    with pytest.raises(FieldErrors, match="本小区已有同名楼栋"):
        services.add_building(admin01, demo.id, "4栋")
    with pytest.raises(FieldErrors, match="本小区已有同名楼栋"):
        services.rename_building(admin01, building.id, "1栋")
    with pytest.raises(FieldErrors, match="请填写楼栋名称"):
        services.rename_building(admin01, building.id, "  ")
    # The same name on another site is fine.
    services.add_building(other_admin, next(iter(other_admin.site_ids())), "4栋")
    with pytest.raises(NotFound):
        services.rename_building(other_admin, building.id, "5栋")


def test_removing_a_building_keeps_its_places(demo, admin01):
    building = db.session.scalar(select(Building).where(Building.site_id == demo.id, Building.name == "1栋"))
    place_ids = list(db.session.scalars(select(Place.id).where(Place.building_id == building.id)))
    assert place_ids
    services.remove_building(admin01, building.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Building, building.id) is None
    assert all(db.session.get(Place, pid).building_id is None for pid in place_ids)


# ---------------------------------------------------------------- places

PLACE = {"name": "新配电房", "code": "cp-99", "kind": "checkpoint", "building_id": "", "is_key_area": "1",
         "patrol_interval_min": ""}


def test_place_gets_defaults_and_an_upper_case_code(demo, admin01):
    place = services.create_place(admin01, demo.id, PLACE)
    assert (place.code, place.is_key_area, place.patrol_interval_min, place.active) == ("CP-99", True, 240, True)
    assert len(place.tag_token) >= 22


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "请填写地点名称。"),
    ("name", "长" * 61, "名称最多 60 个字。"),
    ("code", "", "请填写地点编号。"),
    ("code", "CP 99", "编号须为"),
    ("code", "cp01", "本小区已有此编号的地点。"),
    ("kind", "garden", "请选择类型。"),
    ("building_id", "999999", "请选择本小区的楼栋。"),
    ("building_id", "abc", "请选择本小区的楼栋。"),
    ("patrol_interval_min", "9", "巡查间隔须为 10–1440 分钟的整数。"),
    ("patrol_interval_min", "1441", "巡查间隔须为 10–1440 分钟的整数。"),
    ("patrol_interval_min", "4h", "巡查间隔须为 10–1440 分钟的整数。"),
    ("patrol_interval_min", "²", "巡查间隔须为 10–1440 分钟的整数。"),
    ("building_id", "²", "请选择本小区的楼栋。"),
])
def test_bad_place_input_is_refused_per_field(demo, admin01, field, value, message):
    before = count(Place)
    with pytest.raises(FieldErrors) as caught:
        services.create_place(admin01, demo.id, PLACE | {field: value})
    assert caught.value.errors[field].startswith(message)
    assert count(Place) == before


def test_building_of_another_site_is_refused(demo, admin01, factories):
    foreign = factories.building(factories.site())
    with pytest.raises(FieldErrors, match="请选择本小区的楼栋"):
        services.create_place(admin01, demo.id, PLACE | {"building_id": str(foreign.id)})


def test_place_edit_keeps_its_own_code_and_tag(demo, admin01):
    place = db.session.scalar(select(Place).where(Place.code == "CP05"))
    token = place.tag_token
    services.update_place(admin01, place.id, PLACE | {"code": "CP05", "kind": "both", "patrol_interval_min": "120"})
    assert (place.name, place.kind, place.patrol_interval_min, place.tag_token) == ("新配电房", "both", 120, token)
    with pytest.raises(FieldErrors, match="本小区已有此编号的地点"):
        services.update_place(admin01, place.id, PLACE | {"code": "CP06"})


def test_deactivated_place_is_kept_and_hidden_from_the_field(demo, admin01):
    place = db.session.scalar(select(Place).where(Place.code == "CP01"))
    services.set_place_active(admin01, place.id, False)
    assert db.session.get(Place, place.id) is not None
    with pytest.raises(NotFound):
        services.get_place(user("guard01"), place.id)
    assert services.admin_place(admin01, place.id) is place  # the admin can still reactivate it
    services.set_place_active(admin01, place.id, True)
    assert place.active


def test_site_view_groups_and_filters_by_kind(demo, admin01):
    view = services.site_admin_view(admin01, demo.id)
    assert [label for label, _places in view.place_groups] == ["巡更点", "保洁区域", "巡更点 + 保洁区域"]
    cleaning = services.site_admin_view(admin01, demo.id, kind="cleaning")
    assert {p.kind for _label, places in cleaning.place_groups for p in places} == {"cleaning", "both"}
    assert services.site_admin_view(admin01, demo.id, kind="nonsense").kind is None


def test_foreign_admin_sees_no_place_or_building(demo, other_admin):
    place = db.session.scalar(select(Place).where(Place.code == "CP01"))
    with pytest.raises(NotFound):
        services.admin_place(other_admin, place.id)
    with pytest.raises(NotFound):
        services.site_admin_view(other_admin, demo.id)
    with pytest.raises(NotFound):
        services.create_place(other_admin, demo.id, PLACE)
