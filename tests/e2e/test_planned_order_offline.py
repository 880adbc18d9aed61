"""Issue 15 item 5: tech01, with no network, completes a planned pest-control order on its checklist (one item
marked not ok with a note, a photo); after sync the order is done and the check is recorded once, with the
defect it opened. The order page with its checklist passes the phone audit at 360 px."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.e2e.conftest import jpeg_bytes, poll
from tests.e2e.test_thumb_sized import _audit, _login, small_phone  # noqa: F401  (the fixture)
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db

pytestmark = pytest.mark.e2e


def raise_pest_order(server) -> tuple[int, int, int]:
    """This month's pest-control orders raised for tech01 → (order id, plan id, equipment id) of the first."""
    from wuye_field.accounts.models import User
    from wuye_field.checks import orders, schedule
    from wuye_field.checks.models import CheckPlan
    from wuye_field.places.models import Site

    with server.app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
        pest = db.session.scalar(select(CheckPlan).where(CheckPlan.site_id == site.id, CheckPlan.key == "upkeep.pest"))
        pest.assignee_id = db.session.scalar(select(User.id).where(User.staff_no == "tech01"))
        pest.orders_ahead_days = 31
        window = schedule.window_at(schedule.Frequency.from_dict(pest.frequency), utcnow(), site.timezone)
        pest.created_at = min(as_utc(pest.created_at), window.start - timedelta(days=1))
        made = orders.raise_planned_orders(site, now=window.start + timedelta(minutes=1))
        db.session.commit()
        first = (made[0].work_order_id, made[0].plan_id, made[0].equipment_id)
        db.session.remove()
        return first


def checks_of(server, plan_id: int, equipment_id: int) -> list[tuple[str, dict, int | None]]:
    from wuye_field.checks.models import CheckRecord

    return [(r, a, d) for r, a, d in server.query(
        select(CheckRecord.result, CheckRecord.answers, CheckRecord.defect_id)
        .where(CheckRecord.plan_id == plan_id, CheckRecord.equipment_id == equipment_id))]


def test_offline_completion_of_a_planned_order_records_its_check_once(phone_factory, server, small_phone):  # noqa: F811
    order_id, plan_id, equipment_id = raise_pest_order(server)
    path = f"/workorders/{order_id}"

    _login(small_phone, server.url, "tech01")  # the page with its checklist on a 360 px phone
    small_phone.goto(server.url + path)
    problems: list[str] = []
    small_phone.evaluate("() => document.querySelectorAll('[hidden][data-after-arrive]')"
                         ".forEach(f => f.hidden = false)")
    _audit(small_phone, path, problems)
    assert not problems, "\n".join(problems)

    phone = phone_factory("tech")
    phone.login("tech01")
    phone.wait_offline_ready(path)
    phone.go_offline()
    phone.goto(path)
    page = phone.page
    page.locator("form[data-action='order-arrive'] button[type=submit]").click()
    page.locator("form[data-action='order-arrive'] [data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    done = page.locator("form[data-action='order-done']")
    assert done.get_attribute("action") == f"/checks/orders/{order_id}/done"
    done.locator("input[name=bad_baited][value='1']").check()
    done.locator("input[name=note_baited]").fill("药盒被雨水冲走")
    done.locator("input[name=photos]").set_input_files(files=[
        {"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(1600, 1200)}])
    done.locator("button[type=submit]").last.click()
    done.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    phone.wait_badge("2 条待上传")
    assert checks_of(server, plan_id, equipment_id) == []

    phone.go_online()
    phone.wait_badge("已全部上传")
    stored = poll(lambda: (rows := checks_of(server, plan_id, equipment_id)) and rows)
    phone.replay()  # a second send of the same outbox stores nothing twice
    assert len(checks_of(server, plan_id, equipment_id)) == 1
    result, answers, defect_id = stored[0]
    assert result == "fail" and answers["baited"] == {"ok": False, "note": "药盒被雨水冲走"} and defect_id
    from wuye_field.workorders.models import WorkOrder

    assert server.query(select(WorkOrder.state).where(WorkOrder.id == order_id))[0][0] == "done"
