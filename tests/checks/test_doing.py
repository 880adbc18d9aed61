"""Doing a check at the equipment (issue 15 items 3, 4 and Bad input): one tap 「全部正常」, a short hydrant box
or an expired extinguisher failing with a defect, replays stored once, removed equipment kept and flagged."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.checks.conftest import login, piece, plan, post_check, user
from tests.sync import helpers
from tests.sync.helpers import count, new_key
from wuye_field.checks import equipment as register
from wuye_field.checks.models import CheckRecord, MeterReading
from wuye_field.core.time import utcnow
from wuye_field.defects.models import Defect
from wuye_field.extensions import db


def test_all_ok_in_one_tap_and_a_replay_is_stored_once(guard):
    key = new_key()
    first = post_check(guard, "FR01", "fire.daily", key, all_ok="1")
    assert first.status_code == 201, first.get_json()
    assert "全部正常" in first.get_json()["message"]
    again = post_check(guard, "FR01", "fire.daily", key, all_ok="1")
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert count(CheckRecord, CheckRecord.client_uuid == key) == 1


def test_a_hydrant_box_one_extinguisher_short_fails_and_opens_a_defect(guard):
    box = piece("HB101")  # 1栋 has 18 floors: a high-rise, 4 extinguishers (P7)
    assert box.attrs["expected_extinguishers"] == 4
    response = post_check(guard, "HB101", "fire.weekly", count_extinguishers="3", note="少一具")
    assert response.status_code == 201
    body = response.get_json()["check"]
    assert body["result"] == "fail" and body["defect_id"]
    defect = db.session.get(Defect, body["defect_id"])
    assert defect.category == "fire" and defect.place_id == box.place_id
    assert "HB101" in defect.location and "3 个，应有 4 个" in defect.note


def test_the_plans_place_page_panel_offers_the_check_forms(guard, demo):
    place = piece("FR01").place
    page = guard.get(f"/t/{place.tag_token}").get_data(as_text=True)
    assert 'data-action="check-done"' in page and "全部正常" in page and "消防日检" in page


def test_an_expired_extinguisher_fails_whatever_was_ticked(guard):
    today = str(utcnow().date())
    expired = next(p for p in (piece(f"FE{n:02d}") for n in range(1, 13)) if p and p.attrs["expiry"] < today)
    response = post_check(guard, expired.code, "fire.weekly", all_ok="1")
    assert response.status_code == 201
    assert response.get_json()["check"]["result"] == "fail"
    assert "已过有效期" in response.get_json()["check"]["failures"][0]


def test_bad_numbers_are_refused_in_chinese_and_nothing_is_stored(guard):
    short = post_check(guard, "HB101", "fire.weekly", count_extinguishers="-1")
    assert short.status_code == 422 and "不能小于 0" in short.get_json()["message"]
    reading = post_check(guard, "HB101", "fire.weekly", count_extinguishers="4", reading_pressure_mpa="abc")
    assert reading.status_code == 422 and "请填写数字" in reading.get_json()["message"]
    assert count(CheckRecord) == 0 and count(Defect) == 0


def test_a_technician_does_not_do_the_guards_fire_check(client, auth, demo):
    login(client, auth, "tech01")
    response = post_check(client, "FR01", "fire.daily", all_ok="1")
    assert response.status_code == 403
    assert post_check(client, "PU01", "upkeep.pumps", all_ok="1", reading_hours="1200").status_code == 201
    assert count(MeterReading, MeterReading.meter == "hours") == 1


def test_a_check_for_equipment_removed_meanwhile_is_kept_and_flagged(guard, demo):
    register.set_status(user("admin01"), piece("EX01").id, "removed", "拆除改造", now=utcnow())
    db.session.commit()
    response = post_check(guard, "EX01", "fire.daily", bad_clear="1")
    assert response.status_code == 201
    stored = db.session.scalar(select(CheckRecord))
    assert stored.equipment_removed and stored.defect_id is None
    assert "已拆除" in response.get_json()["message"]


def test_a_meter_reading_on_its_own_and_the_chart(client, auth, demo):
    login(client, auth, "tech01")
    now = utcnow()
    for i, value in enumerate(("1200", "1260.5", "1300")):
        response = client.post("/checks/readings", data={"equipment_id": str(piece("PU01").id), "meter": "hours",
                                                         "value": value},
                               headers=helpers.headers(device_time=now - timedelta(days=3 - i)))
        assert response.status_code == 201
    bad = client.post("/checks/readings", data={"equipment_id": str(piece("PU01").id), "meter": "hours",
                                                "value": "十二"}, headers=helpers.headers())
    assert bad.status_code == 422 and "数字" in bad.get_json()["message"]
    page = client.get(f"/checks/equipment/{piece('PU01').id}").get_data(as_text=True)
    assert "<svg" in page and "polyline" in page and "运行小时" in page


def test_checks_are_on_the_sites_chain(guard, demo):
    from wuye_field.audit import chain

    post_check(guard, "FR01", "fire.daily", all_ok="1")
    assert chain.verify(demo.id).ok


def test_plan_keys_exist():
    assert plan  # the helpers are importable without an app


def test_a_check_by_a_guard_who_lost_the_site_offline_is_kept_aside(client, auth, demo):
    from wuye_field.accounts.services import set_roles
    from wuye_field.sync.models import QuarantineItem

    login(client, auth, "guard02")
    set_roles(user("guard02"), {})
    db.session.commit()
    response = post_check(client, "FR01", "fire.daily", all_ok="1")
    assert response.status_code == 409 and response.get_json()["status"] == "quarantined"
    item = db.session.scalar(select(QuarantineItem))
    assert item.endpoint == "checks.check_done" and item.site_id == demo.id
    assert count(CheckRecord) == 0
