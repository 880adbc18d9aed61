"""Issue 4 proof for defects: guard01, with no network, reports a defect with one photo on a checkpoint's page;
back online it is stored exactly once with its photo, and supervisor01 sees it in the site's list."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.conftest import jpeg_bytes, poll, same_instant

pytestmark = pytest.mark.e2e

PLACE = "CP06"
PANEL = "#defect-panel"


def stored_defects(server, client_uuid: str) -> list[dict]:
    """The Defect rows stored for one client UUID, with their photo links and arrived photos."""
    from wuye_field.defects.models import Defect
    from wuye_field.photos.models import Photo, PhotoLink

    result = []
    for (defect,) in server.query(select(Defect).where(Defect.client_uuid == client_uuid)):
        links = [u for (u,) in server.query(select(PhotoLink.photo_uuid).where(
            PhotoLink.owner_kind == "defect", PhotoLink.owner_id == defect.id))]
        photos = server.query(select(Photo.id).where(Photo.client_uuid.in_(links), Photo.user_id == defect.user_id))
        result.append({"id": defect.id, "user_id": defect.user_id, "place_id": defect.place_id,
                       "category": defect.category, "severity": defect.severity, "note": defect.note,
                       "device_time": defect.device_time, "links": links, "photos": len(photos)})
    return result


def test_offline_defect_with_photo_syncs_once_and_reaches_the_supervisor(phone_factory, server):
    name, _token, printed_url = server.place(PLACE)
    tag_path = urlsplit(printed_url).path

    phone = phone_factory("guard")
    phone.login("guard01")
    phone.wait_offline_ready(tag_path)

    phone.go_offline()
    phone.goto(tag_path)  # from the page cache, as if the phone camera opened the tag
    page = phone.page
    assert page.locator("h1.place-name").inner_text() == name
    panel = page.locator(PANEL)
    panel.locator("summary").click()  # 「报告问题」
    form = panel.locator("form[data-outbox][data-action=defect]")
    form.locator("select[name=category]").select_option("fire")
    form.locator("input[name=severity][value=high]").check()
    form.locator("textarea[name=note]").fill("消防栓箱门损坏")
    photo_input = form.locator("input[data-photo]")
    assert photo_input.get_attribute("capture") == "environment"
    photo_input.set_input_files(files=[{"name": "IMG_0009.jpg", "mimeType": "image/jpeg",
                                        "buffer": jpeg_bytes(2400, 1800)}])
    form.locator("button[type=submit]").click()
    form.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    phone.wait_badge("1 条待上传")
    items = [i for i in phone.outbox_items() if i["url"] == "/defects"]
    assert len(items) == 1 and len(items[0]["photos"]) == 1
    item = items[0]
    assert stored_defects(server, item["id"]) == []
    phone.goto("/defects/new")  # 「报告问题」 anywhere opens offline too
    assert phone.page.locator("#defect-new form[data-action=defect] select[name=place_id]").count() == 1

    phone.go_online()
    phone.wait_badge("已全部上传")
    stored = poll(lambda: (rows := stored_defects(server, item["id"])) and rows[0]["photos"] == 1 and rows)
    assert len(stored) == 1  # exactly once
    defect = stored[0]
    assert defect["user_id"] == server.user_id("guard01")
    assert (defect["category"], defect["severity"], defect["note"]) == ("fire", "high", "消防栓箱门损坏")
    assert defect["links"] == [item["photos"][0]["uuid"]]
    assert same_instant(defect["device_time"], item["created_at"])
    assert server.wsgi.posts("/defects", item["id"]).count(201) == 1

    supervisor = phone_factory("supervisor")
    supervisor.login("supervisor01")
    supervisor.goto("/defects")
    row = supervisor.page.locator(f"#defect-rows li[data-defect-id='{defect['id']}']")
    assert row.count() == 1
    assert name in row.inner_text() and "张伟" in row.inner_text() and "严重" in row.inner_text()
    thumb = row.locator("img.defect-thumb")
    thumb.wait_for()
    poll(lambda: supervisor.page.evaluate("img => img.complete && img.naturalWidth > 0", thumb.element_handle()),
         page=supervisor.page)
    supervisor.goto(f"/defects/{defect['id']}")
    assert "消防栓箱门损坏" in supervisor.page.locator("main").inner_text()
    assert supervisor.page.locator("#defect-photos img").count() == 1
