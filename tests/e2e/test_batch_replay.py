"""Issue 13 proof: 60 actions queued offline (scans, inspections, cleaning check-offs) go up in batches when the
network returns, each stored exactly once, and 上传记录 shows each item's own result; a photo's upload shows
its progress."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import jpeg_bytes
from tests.e2e.test_cleaning_offline import area_tasks, card
from tests.e2e.test_offline import submit_scan

pytestmark = pytest.mark.e2e

GUARD_ACTIONS = 58  # + 2 cleaning check-offs = 60


def stored(server, model, keys) -> dict[str, int]:
    rows = server.query(select(model.client_uuid, func.count()).where(model.client_uuid.in_(keys))
                        .group_by(model.client_uuid))
    return dict(rows)


def clone(phone, item: dict, n: int) -> None:
    """`n` more actions like `item` (same form fields, each its own record), queued as the form queues them."""
    phone.page.evaluate(
        """([item, n]) => { let p = Promise.resolve();
             for (let i = 0; i < n; i++) p = p.then(() => WuyeOutbox.enqueue({user_id: item.user_id,
               action: item.action, label: item.label, context: item.context, url: item.url,
               fields: item.fields.map(f => f[0] === 'note' ? ['note', f[1] + ' #' + i] : f)}));
             return p; }""", [item, n])


def all_items(phone) -> list[dict]:
    return phone.page.evaluate("() => WuyeOutbox.list().then(items => items.map(i => ({id: i.id, url: i.url, "
                               "action: i.action, label: i.label, context: i.context, user_id: i.user_id, "
                               "fields: i.fields})))")


def test_sixty_offline_actions_replay_in_batches_once_each(phone_factory, server):
    from wuye_field.cleaning.models import TaskCheckoff
    from wuye_field.patrol.models import Inspection, Scan

    batches_before = len(server.wsgi.posts("/sync/batch"))
    guard = phone_factory("guard")
    guard.login("guard01")
    name, token, printed = server.place("CP03")
    tag_path = urlsplit(printed).path
    guard.wait_offline_ready(tag_path)
    cleaner = phone_factory("cleaner")
    cleaner.login("cleaner01")
    area_path = urlsplit(server.place("CL05")[2]).path
    cleaner.wait_offline_ready(area_path)

    guard.go_offline()
    cleaner.context.set_offline(True)
    guard.goto(tag_path)
    form = guard.page.locator("form[data-action='inspection'][data-inspection-form]")
    for reading in form.locator("input[data-reading]").all():
        reading.fill("0.25")
    form.locator("button[data-all-ok]").click()
    form.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    submit_scan(guard, note="离线批量")
    guard.wait_badge("2 条待上传")
    inspection, scan = sorted(all_items(guard), key=lambda i: i["action"])
    assert (inspection["action"], scan["action"]) == ("inspection", "scan")
    clone(guard, scan, 28)
    clone(guard, inspection, GUARD_ACTIONS - 30)
    guard.wait_badge(f"{GUARD_ACTIONS} 条待上传")

    cleaner.goto(area_path)
    for title in ("清扫路面", "清理水沟、沙井"):
        task = card(cleaner, area_tasks(server, "CL05")[title][0])
        if task.locator("input[data-photo]").count():
            task.locator("input[data-photo]").set_input_files(
                files=[{"name": "IMG_0003.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(1200, 900)}])
        task.locator("button[type=submit]").click()
        task.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    cleaner.wait_badge("2 条待上传")

    guard_keys = [i["id"] for i in all_items(guard)]
    cleaner_keys = [i["id"] for i in all_items(cleaner)]
    assert len(guard_keys) + len(cleaner_keys) == 60

    guard.go_online()
    cleaner.context.set_offline(False)
    cleaner.page.evaluate("() => window.dispatchEvent(new Event('online'))")
    guard.wait_badge("已全部上传")
    cleaner.wait_badge("已全部上传")

    held = stored(server, Scan, guard_keys) | stored(server, Inspection, guard_keys) | \
        stored(server, TaskCheckoff, cleaner_keys)
    assert sorted(held) == sorted(guard_keys + cleaner_keys)  # every action is on the server…
    assert set(held.values()) == {1}  # …exactly once
    batches = server.wsgi.posts("/sync/batch")[batches_before:]
    assert batches and set(batches) == {200}
    assert len(batches) >= 3  # the guard's 58 in batches of at most 50, the cleaner's 2 in one
    assert server.wsgi.posts("/patrol/scans", guard_keys[-1]) == []  # not sent one by one

    guard.goto("/sync/outbox")
    sent = guard.page.locator("[data-sent-list] li")
    assert sent.count() == GUARD_ACTIONS
    texts = sent.all_inner_texts()
    assert sum(f"{name}" in t and "已打卡" in t for t in texts) >= 29
    assert all(" — " in t and t.split(" — ", 1)[1].strip() for t in texts)  # each with the server's own answer


def test_a_photo_upload_shows_its_progress_on_the_upload_page(phone_factory, server):
    """On a slow uplink 上传记录 shows how far the waiting item's photo has gone (「照片 1/1 上传 N%」)."""
    guard = phone_factory("slow")
    guard.login("guard01", remember=False)
    _name, token, printed = server.place("CP02")
    guard.goto(urlsplit(printed).path)
    # Signed out as far as replays can tell: the item waits on the phone until we let it go.
    server.wsgi.overrides["/sync/csrf"] = lambda: ("401 UNAUTHORIZED", {"error": "login_required", "message": ""})
    submit_scan(guard, note="慢网上传照片", photo=jpeg_bytes(3000, 2000))
    guard.wait_badge("请登录以上传 1 条记录")
    guard.goto("/sync/outbox")
    cdp = guard.context.new_cdp_session(guard.page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                   "uploadThroughput": 40 * 1024})
    server.wsgi.overrides.clear()
    guard.page.evaluate("() => { WuyeOutbox.replay({force: true}); }")
    bar = guard.page.locator("[data-photo-progress]")
    bar.first.wait_for(timeout=20000)
    assert "照片 1/1 上传" in bar.first.inner_text()
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                   "uploadThroughput": -1})
    guard.wait_badge("已全部上传")
