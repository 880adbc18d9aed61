"""Opening a tag URL `/t/<token>`: the place for allowed users, clear messages otherwise."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from wuye_field.accounts.services import find_user_by_login
from wuye_field.extensions import db
from wuye_field.places import services
from wuye_field.places.models import Place


def _place(site, code="CP05") -> Place:
    return db.session.scalar(select(Place).where(Place.site_id == site.id, Place.code == code))


def test_signed_in_guard_sees_the_place(client, demo, auth):
    place = _place(demo)
    auth.login("guard01")
    response = client.get(f"/t/{place.tag_token}")
    assert response.status_code == 200
    assert "配电房" in response.text
    assert "示范小区" in response.text
    assert "重要部位" in response.text  # CP05 is a key area (P2)


def test_not_signed_in_goes_to_login_then_back(client, demo):
    place = _place(demo)
    response = client.get(f"/t/{place.tag_token}")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login")
    response = client.post(login_url, data={"username": "guard01", "password": "wuye-demo"})
    assert response.headers["Location"] == f"/t/{place.tag_token}"
    assert "配电房" in client.get(response.headers["Location"]).text


def test_unknown_token_is_a_chinese_404(client, demo, auth):
    auth.login("guard01")
    response = client.get("/t/not-a-real-token-at-all")
    assert response.status_code == 404
    assert "找不到这个标签" in response.text


def test_place_of_another_site_is_404_not_a_leak(client, demo, auth, factories):
    other = factories.site(name="别的小区")
    secret = factories.place(other, name="别家配电房")
    db.session.commit()
    auth.login("guard01")
    response = client.get(f"/t/{secret.tag_token}")
    assert response.status_code == 404
    assert "别家配电房" not in response.text


def test_retired_tag_says_it_was_replaced(client, demo, auth):
    place = _place(demo)
    old = place.tag_token
    services.reissue_tag(place, actor=find_user_by_login("admin01"), now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    db.session.commit()
    auth.login("guard01")
    response = client.get(f"/t/{old}")
    assert response.status_code == 410
    assert "此标签已于 2026-11-01 更换" in response.text
    assert "配电房" in response.text
    assert client.get(f"/t/{place.tag_token}").status_code == 200


def test_deactivated_place_is_not_found(client, demo, auth):
    place = _place(demo)
    place.active = False
    db.session.commit()
    auth.login("guard01")
    assert client.get(f"/t/{place.tag_token}").status_code == 404


@pytest.mark.parametrize("username", ["guard01", "cleaner01", "tech01", "supervisor01", "desk01", "admin01"])
def test_every_demo_role_lands_on_a_home_page(client, demo, auth, username):
    auth.login(username)
    response = client.get("/")
    assert response.status_code == 200
    assert "示范小区" in response.text
    assert 'class="bottom-nav"' in response.text


def test_guard_home_lists_checkpoints_key_areas_first(client, demo, auth):
    auth.login("guard01")
    html = client.get("/").text
    assert html.index("配电房") < html.index("东门岗亭")  # key area before ordinary checkpoint
    assert "中心绿地" not in html  # a cleaning area is not a guard's business


def test_cleaner_home_lists_cleaning_areas(client, demo, auth):
    auth.login("cleaner01")
    html = client.get("/").text
    assert "中心绿地" in html and "配电房" not in html


def test_english_is_available(client, demo, auth):
    auth.login("guard01")
    client.get("/lang/en")
    assert 'lang="en"' in client.get("/").text
    client.get("/lang/zh_CN")
    assert 'lang="zh-CN"' in client.get("/").text
