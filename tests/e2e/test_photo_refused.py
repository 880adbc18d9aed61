"""Issue 20, finding 7, on the phone: a photo over the decode budget is refused by the server in Chinese, and
the phone shows that message on the item in 上传记录 instead of retrying it for ever."""
from __future__ import annotations

import base64

import pytest

from tests.e2e.conftest import poll
from tests.sync.helpers import flat_png

pytestmark = pytest.mark.e2e

MESSAGE = "照片像素过大（最多 14 百万像素），请缩小后重拍。"


def test_a_49_megapixel_png_that_reached_the_server_is_shown_as_refused(phone):
    """The phone normally shrinks photos to 1600 px; one that reached the outbox unshrunk (here: put there
    directly) is answered 413 from its header, and the item says why."""
    server = phone.server
    _name, token, _url = server.place("CP03")
    phone.login("guard01", remember=False)
    phone.goto(f"/t/{token}")
    user_id = server.user_id("guard01")
    key = phone.page.evaluate("() => WuyeOutbox.uuid()")
    png = base64.b64encode(flat_png(7000, 7000)).decode()
    photos_before, scans_before = len(server.wsgi.posts("/sync/photos")), len(server.wsgi.posts("/patrol/scans"))
    phone.page.evaluate(
        "([key, user, token, png]) => { const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));"
        " return WuyeOutbox.enqueue({id: key, user_id: user, action: 'scan', label: '巡更打卡', url: '/patrol/scans',"
        " fields: [['place', token], ['via', 'link']], photos: [new Blob([bytes], {type: 'image/png'})]})"
        ".then(() => WuyeOutbox.replay({force: true})); }", [key, user_id, token, png])
    failed = poll(lambda: next((i for i in phone.outbox_items() if i["state"] == "failed"), None))
    assert failed["error"] == MESSAGE and failed["attempts"] == 1
    assert server.wsgi.posts("/sync/photos")[photos_before:] == [413]  # (the server is shared with other tests)
    assert server.wsgi.posts("/patrol/scans")[scans_before:] == []  # the record waits with its photo

    phone.goto("/sync/outbox")
    row = phone.page.locator(f"[data-item-id='{key}']")
    assert row.get_attribute("data-state") == "failed"
    assert row.locator("[data-item-error]").inner_text() == MESSAGE
