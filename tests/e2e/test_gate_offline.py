"""Issue 14 proof: gate01 with no network at the east gate types a bad phone (Chinese message on the field,
nothing queued), registers a visitor, releases goods against a slip cached on the phone (a wrong count is
refused on the field first), logs a vehicle (a malformed plate refused on the field first) and a duty-log
entry needing follow-up; back online each is stored once, the supervisor's day view shows them, and the
visitor still inside and the follow-up appear on gate01's handover."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e


def _visitors(server) -> list:
    from wuye_field.gate.models import Visitor

    return [(v.id, v.client_uuid) for (v,) in server.query(select(Visitor))]


def _ids(server) -> tuple[int, int]:
    from wuye_field.handover.models import HandoverPost
    from wuye_field.places.models import Site

    ((site_id,),) = server.query(select(Site.id).where(Site.code == "DEMO"))
    ((post_id,),) = server.query(select(HandoverPost.id).where(HandoverPost.site_id == site_id,
                                                               HandoverPost.code == "GATE"))
    return site_id, post_id


def _issue_slip(server, site_id: int) -> str:
    from wuye_field.accounts.models import User
    from wuye_field.core.time import utcnow
    from wuye_field.extensions import db
    from wuye_field.gate import slips
    from wuye_field.places.models import Building

    with server.app.app_context():
        desk = db.session.scalar(select(User).where(User.staff_no == "desk01"))
        building = db.session.scalar(select(Building).where(Building.site_id == site_id))
        slip = slips.issue_slip(desk, site_id, {"building": str(building.id), "unit": "2单元301", "goods": "旧沙发",
                                                "pieces": "3", "days": "1"}, now=utcnow())
        db.session.commit()
        number = slip.number
        db.session.remove()
        return number


def _uuids(server, model: str) -> list:
    from wuye_field.gate import models

    table = getattr(models, model)
    return [u for (u,) in server.query(select(table.client_uuid))]


def _releases(server) -> list:
    from wuye_field.gate.models import ReleaseCheck

    return [(r.client_uuid, r.outcome, r.cached, r.flag) for (r,) in server.query(select(ReleaseCheck))]


def test_gate01_registers_a_visitor_and_releases_goods_offline(phone_factory, server):
    site_id, post_id = _ids(server)
    number = _issue_slip(server, site_id)  # issued before the shift: the gate page caches it
    phone = phone_factory("gate")
    phone.login("gate01")
    phone.wait_offline_ready("/")

    phone.go_offline()
    phone.goto("/")
    page = phone.page
    form = page.locator("form[data-action='visitor-in']")
    form.locator("input[name=name]").fill("王建国")
    form.locator("input[name=phone]").fill("1381234123")  # 10 digits
    form.locator("select[name=building]").select_option(label="1栋")
    form.locator("button[type=submit]").click()
    assert "手机号应为 11 位数字" in form.locator("[data-gate-error]").inner_text()
    assert phone.outbox_items() == []  # nothing half-stored, nothing queued

    form.locator("input[name=phone]").fill("13812341234")
    form.locator("input[name=unit]").fill("2单元301")
    form.locator("input[name=plate]").fill("粤BD12345")
    form.locator("button[type=submit]").click()
    form.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    release = page.locator("form[data-action='release-check']")
    release.locator("input[name=number]").fill(number.lower())
    release.locator("input[name=pieces]").fill("2")
    release.locator("button[type=submit]").click()
    assert "件数与放行条不符" in release.locator("[data-gate-error]").inner_text()
    release.locator("input[name=pieces]").fill("3")
    release.locator("button[type=submit]").click()
    release.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    vehicle = page.locator("form[data-action='vehicle-in']")
    vehicle.locator("input[name=plate]").fill("粤B1234")
    vehicle.locator("button[type=submit]").click()
    assert "车牌号格式不对" in vehicle.locator("[data-gate-error]").inner_text()
    vehicle.locator("input[name=plate]").fill("粤BD12345")
    vehicle.locator("button[type=submit]").click()
    vehicle.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    duty = page.locator("form[data-action='duty-log']")
    duty.locator("textarea[name=text]").fill("东门道闸抬杆故障，已报修")
    duty.locator("input[name=follow_up]").check()
    duty.locator("button[type=submit]").click()
    duty.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    items = phone.outbox_items()
    assert [i["url"] for i in items] == ["/gate/visitors", "/gate/releases", "/gate/vehicles", "/gate/dutylog"]

    phone.go_online()
    phone.wait_badge("已全部上传")
    stored = poll(lambda: (rows := _visitors(server)) and rows)
    assert [u for _id, u in stored] == [items[0]["id"]]  # stored exactly once
    assert _releases(server) == [(items[1]["id"], "released", True, "")]
    assert _uuids(server, "VehicleEntry") == [items[2]["id"]] and _uuids(server, "DutyLogEntry") == [items[3]["id"]]

    phone.goto(f"/handover/posts/{post_id}")
    notes = page.inner_text("#ho-notes")
    assert "王建国" in notes and "东门道闸抬杆故障" in notes

    boss = phone_factory("supervisor")
    boss.login("supervisor01")
    boss.goto(f"/gate/sites/{site_id}/day")
    text = boss.page.inner_text("#gate-day-visitors")
    assert "王建国" in text and "138****1234" in text
    assert number in boss.page.inner_text("#gate-day-releases")
    assert "粤BD12345" in boss.page.inner_text("#gate-day-vehicles")
    assert "东门道闸抬杆故障" in boss.page.inner_text("#gate-day-dutylog")
