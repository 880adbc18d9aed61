"""Issue 5 proof: tech01 works an order with no network — arrives, takes two photos, completes — while desk01
reassigns it online. Back online both records survive: the technician's steps are kept as a conflict shown on
the order page (never silently dropped); the desk accepts the completion, records a satisfied return visit,
and the month's return-visit rate counts it."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import jpeg_bytes, poll
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync.receipt import Receipt

pytestmark = pytest.mark.e2e


def _users(*staff_nos):
    from wuye_field.accounts.models import User

    return [db.session.scalar(select(User).where(User.staff_no == s)) for s in staff_nos]


def _demo_site():
    from wuye_field.places.models import Site

    return db.session.scalar(select(Site).where(Site.code == "DEMO"))


def raise_for_tech01(server) -> tuple[int, int]:
    """desk01 raises an emergency order and assigns it to tech01; a second technician joins the site.
    Returns (order id, second technician's id)."""
    from wuye_field.accounts.services import create_user
    from wuye_field.workorders import steps

    with server.app.app_context():
        site = _demo_site()
        desk, tech = _users("desk01", "tech01")
        other = create_user(staff_no=f"tech-e2e-{uuid.uuid4().hex[:6]}", name="周强", password="wuye-demo",
                            roles={site.id: {"technician"}}, hash_method=server.app.config["PASSWORD_HASH_METHOD"])
        now = utcnow()
        order = steps.raise_order(
            desk, site_id=site.id, source="desk", category="water", priority="emergency",
            description="卫生间水管爆裂", room="2-1202", resident_name="赵女士", resident_phone="13900001111",
            receipt=Receipt.server(now))
        steps.assign(desk, order.id, tech.id, receipt=Receipt.server(now))
        db.session.commit()
        ids = (order.id, other.id)
        db.session.remove()
        return ids


def events(server, order_id: int) -> list[dict]:
    from wuye_field.photos.models import Photo, PhotoLink
    from wuye_field.workorders.models import OrderEvent

    result = []
    for (e,) in server.query(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)):
        links = [u for (u,) in server.query(select(PhotoLink.photo_uuid).where(
            PhotoLink.owner_kind == "order_event", PhotoLink.owner_id == e.id))]
        arrived = server.query(select(func.count(Photo.id)).where(Photo.client_uuid.in_(links),
                                                                   Photo.user_id == e.user_id))[0][0]
        result.append({"id": e.id, "kind": e.kind, "applied": e.applied, "uuid": e.client_uuid, "user_id": e.user_id,
                       "reason": e.conflict_reason, "links": len(links), "photos": arrived})
    return result


def test_offline_completion_while_reassigned_is_kept_as_conflict(phone_factory, server):
    order_id, other_id = raise_for_tech01(server)
    tech01 = server.user_id("tech01")
    path = f"/workorders/{order_id}"

    phone = phone_factory("tech")
    phone.login("tech01")
    phone.wait_offline_ready(path)

    phone.go_offline()
    phone.goto(path)  # from this technician's page cache: the plant room has no signal
    page = phone.page
    assert "卫生间水管爆裂" in page.inner_text("#wo-detail")
    assert page.locator("a[data-tel]").get_attribute("href") == "tel:13900001111"  # the assignee, order open
    page.locator("form[data-action='order-arrive'] button[type=submit]").click()
    page.locator("form[data-action='order-arrive'] [data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    done = page.locator("form[data-action='order-done']")
    done.locator("input[name=photos]").set_input_files(files=[
        {"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(2400, 1800)},
        {"name": "IMG_2.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(1800, 2400)},
    ])
    done.locator("textarea[name=note]").fill("换了三通和软管")
    done.locator("input[name=materials]").fill("三通 1 个，软管 1 根")
    done.locator("button[type=submit]").click()
    done.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    phone.wait_badge("2 条待上传")
    items = phone.outbox_items()
    assert [i["url"] for i in items] == [f"{path}/arrive", f"{path}/done"]
    assert [len(i["photos"]) for i in items] == [0, 2]

    # Meanwhile desk01, online, reassigns the order (tech01 did not answer the phone).
    from wuye_field.workorders import steps

    with server.app.app_context():
        (desk,) = _users("desk01")
        steps.assign(desk, order_id, other_id, reason="刘洋电话打不通", receipt=Receipt.server(utcnow()))
        db.session.commit()
        db.session.remove()

    phone.go_online()
    phone.wait_badge("已全部上传")
    # raise, two assigns, the two steps of tech01
    stored = poll(lambda: (rows := events(server, order_id)) and len(rows) == 5 and rows)
    mine = [e for e in stored if e["user_id"] == tech01]
    assert sorted(e["uuid"] for e in mine) == sorted(i["id"] for i in items)  # each exactly once
    assert [(e["kind"], e["applied"]) for e in mine] == [("arrive", False), ("done", False)]
    assert all("改派给 周强" in e["reason"] for e in mine)
    assert poll(lambda: events(server, order_id)[-1]["photos"] == 2)  # both photos arrived, linked to the record
    assert mine[-1]["links"] == 2

    # The technician sees the conflict on the order page; the order is no longer theirs to work.
    phone.goto(path)
    conflicts = page.locator("#conflicts li[data-conflict-id]")
    assert conflicts.count() == 2 and "改派给 周强" in page.inner_text("#conflicts")
    assert page.locator("form[data-action='order-done']").count() == 0
    assert page.locator("a[data-tel]").count() == 0  # not the assignee any more: no call link

    # desk01 accepts tech01's completion on the order page and notes the arrival.
    desk_phone = phone_factory("desk")
    desk_phone.login("desk01")
    desk_phone.goto(path)
    dpage = desk_phone.page
    done_conflict = dpage.locator(f"#conflicts li[data-conflict-id='{mine[1]['id']}']")
    done_conflict.locator("input[name=note]").fill("刘洋已修好，以其完工为准")
    with dpage.expect_navigation():
        done_conflict.locator("button[data-accept]").click()
    desk_phone.wait_ready()
    arrive_conflict = dpage.locator(f"#conflicts li[data-conflict-id='{mine[0]['id']}']")
    arrive_conflict.locator("input[name=note]").fill("到场记录已核实")
    with dpage.expect_navigation():
        arrive_conflict.locator("button[data-settle]").click()
    desk_phone.wait_ready()
    dpage.locator("#wo-detail[data-state='done']").wait_for()
    assert dpage.locator("#conflicts").count() == 0
    assert "采纳 刘洋 的记录" in dpage.inner_text("#wo-history")

    # The desk's satisfied return visit is counted by the month's return-visit rate (W4).
    from wuye_field.workorders import reports

    with server.app.app_context():
        site_id = _demo_site().id
        start, end = datetime.now().astimezone() - timedelta(days=40), utcnow() + timedelta(days=1)
        before = reports.return_visit_rate(site_id, start, end)
        (desk,) = _users("desk01")
        steps.record_visit(desk, order_id, "satisfied", "业主满意", receipt=Receipt.server(utcnow()))
        db.session.commit()
        after = reports.return_visit_rate(site_id, start, end)
        from wuye_field.workorders.models import WorkOrder

        state = db.session.get(WorkOrder, order_id).state
        db.session.remove()
    assert state == "closed"
    assert (after.hits, after.total) == (before.hits + 1, before.total)


def _require_signature(server, value: bool) -> None:
    from wuye_field.workorders.models import OrderSettings

    with server.app.app_context():
        site_id = _demo_site().id
        settings = db.session.get(OrderSettings, site_id) or OrderSettings(site_id=site_id, allow_grab=False)
        settings.require_signature = value
        db.session.add(settings)
        db.session.commit()
        db.session.remove()


def test_resident_signs_on_the_phone(phone_factory, server):
    """A site that requires the resident's signature: drawn on the pad, sent as a photo of the completion."""
    from wuye_field.photos.models import Photo
    from wuye_field.workorders.models import OrderEvent

    order_id, _other = raise_for_tech01(server)
    _require_signature(server, True)
    try:
        phone = phone_factory("signer")
        phone.login("tech01")
        phone.goto(f"/workorders/{order_id}")
        page = phone.page
        page.locator("form[data-action='order-arrive'] button[type=submit]").click()
        page.locator("form[data-action='order-arrive'] [data-outbox-result]").filter(has_text="已到场").wait_for()
        done = page.locator("form[data-action='order-done']")
        done.locator("input[name=photos]").set_input_files(files=[
            {"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(1600, 1200)}])
        pad = done.locator("canvas[data-signature-pad]")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 20)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 20 + (step % 3) * 20)
        page.mouse.up()
        page.wait_for_function("() => document.querySelector('[data-signature-flag]').value === '1'")
        done.locator("button[type=submit]").click()
        done.locator("[data-outbox-result]").filter(has_text="已完成").wait_for()
        phone.wait_badge("已全部上传")
        (event,) = [e for (e,) in server.query(select(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.kind == "done"))]
        assert event.applied and event.signature_photo_uuid
        signature = poll(lambda: server.query(select(Photo).where(Photo.client_uuid == event.signature_photo_uuid)))
        assert signature[0][0].width > 0
    finally:
        _require_signature(server, False)
