"""The desk's notices and the admin's desk phone, as residents then see them (W10, W9)."""
from __future__ import annotations

from sqlalchemy import select

from wuye_field.audit.settings_history import SettingChange
from wuye_field.extensions import db
from wuye_field.places.models import Building


def test_a_desk_notice_shows_on_its_building_until_taken_down(client, auth, demo):
    two, three = (db.session.scalar(select(Building).where(Building.name == n)) for n in ("2栋", "3栋"))
    auth.login("desk01")
    refused = client.post("/residents/notices", data={"site_id": demo.id, "title": "", "days": "99"})
    assert refused.status_code == 422 and "请填写标题" in refused.get_data(as_text=True)
    client.post("/residents/notices", data={"site_id": demo.id, "building_id": two.id, "title": "2栋周六停电检修",
                                            "body": "8:00–10:00", "days": "2"})
    assert "2栋周六停电检修" in client.get(f"/b/{two.public_token}").get_data(as_text=True)
    assert "2栋周六停电检修" not in client.get(f"/b/{three.public_token}").get_data(as_text=True)
    board = client.get("/residents/desk").get_data(as_text=True)
    notice_id = int(board.split("2栋周六停电检修")[1].split("/residents/notices/")[1].split("/end")[0])
    assert client.post(f"/residents/notices/{notice_id}/end").status_code == 303
    assert "2栋周六停电检修" not in client.get(f"/b/{two.public_token}").get_data(as_text=True)


def test_the_desk_phone_is_an_effective_dated_setting_changed_by_the_admin(admin, client, demo):
    assert admin.post(f"/residents/admin/sites/{demo.id}/desk-phone", data={"desk_phone": "abc"}).status_code == 422
    assert admin.post(f"/residents/admin/sites/{demo.id}/desk-phone",
                      data={"desk_phone": "0755-12345678"}).status_code == 303
    values = db.session.scalars(select(SettingChange.value).where(SettingChange.name == "residents.desk_phone")).all()
    assert values[-1] == "0755-12345678"
    building = db.session.scalar(select(Building).where(Building.name == "1栋"))
    assert 'href="tel:0755-12345678"' in client.get(f"/b/{building.public_token}").get_data(as_text=True)


def test_the_desk_page_is_for_desk_staff_only(client, auth, demo):
    auth.login("guard01")
    assert client.get("/residents/desk").status_code == 403
    assert client.get(f"/residents/admin/sites/{demo.id}").status_code == 403
