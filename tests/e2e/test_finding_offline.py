"""Issue 12 item 4 proof (P5): guard01, with no network, records an inspection exception at a checkpoint; back
online it reaches supervisor01 at once — one more 「未处理的问题」 on the home page, and the problem in the
site's list, linked to the inspection."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

PLACE = "CP07"  # 消防控制室


def open_problems(server) -> int:
    from wuye_field.defects.models import Defect
    from wuye_field.defects.records import is_open

    return server.query(select(func.count(Defect.id)).where(is_open()))[0][0]


def finding_of(server, client_uuid: str):
    """(defect id, inspection id, inspection's id by the same UUID) of the action, or None before sync."""
    from wuye_field.defects.models import Defect
    from wuye_field.patrol.models import Inspection

    rows = server.query(select(Defect.id, Defect.inspection_id, Defect.note).where(Defect.client_uuid == client_uuid))
    inspections = server.query(select(Inspection.id).where(Inspection.client_uuid == client_uuid))
    return rows and inspections and (rows, inspections)


def home_open_count(phone) -> int:
    phone.goto("/")
    return int(phone.page.locator("[data-home-link=defects]").get_attribute("data-open-count"))


def test_offline_inspection_exception_reaches_the_supervisors_open_problems(phone_factory, server):
    name, _token, printed_url = server.place(PLACE)
    tag_path = urlsplit(printed_url).path
    supervisor = phone_factory("supervisor")
    supervisor.login("supervisor01")
    before = home_open_count(supervisor)
    assert before == open_problems(server)

    phone = phone_factory("guard")
    phone.login("guard01")
    phone.wait_offline_ready(tag_path)
    phone.go_offline()
    phone.goto(tag_path)  # from the page cache
    form = phone.page.locator("form[data-action='inspection'][data-inspection-form]")
    for reading in form.locator("input[data-reading]").all():
        reading.fill("0.25")
    form.locator("summary").click()  # 「有异常」
    form.locator("input[name=bad]").first.check()
    form.locator("textarea[name=note]").fill("报警主机故障灯亮")
    form.locator("input[name=severity][value=high]").check()
    form.locator("button[data-exception]").click()
    form.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    [item] = [i for i in phone.outbox_items() if i["url"] == "/patrol/inspections"]
    assert not finding_of(server, item["id"])

    phone.go_online()
    phone.wait_badge("已全部上传")
    (defects, inspections) = poll(lambda: finding_of(server, item["id"]))
    assert len(defects) == 1 and defects[0][1] == inspections[0][0]  # one finding, linked to the inspection
    defect_id = defects[0][0]
    assert "报警主机故障灯亮" in defects[0][2]

    assert home_open_count(supervisor) == before + 1
    supervisor.goto("/defects")
    row = supervisor.page.locator(f"#defect-rows li[data-defect-id='{defect_id}']")
    assert row.count() == 1 and name in row.inner_text() and "严重" in row.inner_text()
    supervisor.goto(f"/defects/{defect_id}")
    assert "报警主机故障灯亮" in supervisor.page.locator("main").inner_text()
