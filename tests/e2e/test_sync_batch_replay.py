"""Issue 13 proof: 60 actions queued offline (scans, inspections, cleaning check-offs) go up in batches when the
network returns, each stored exactly once, and 上传记录 shows each item's own result; a photo's upload shows
its progress.

Named to run after the patrol browser tests, which count the demo site's records of the day on
the shared server."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import jpeg_bytes
from tests.e2e.test_offline import submit_scan

pytestmark = pytest.mark.e2e

ACTIONS = 60  # the guard's scans and inspections + one or two cleaning check-offs


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


def own_cleaner(server) -> str:
    """A cleaner of the demo site for this test alone (the cleaning test counts cleaner01's check-offs)."""
    from wuye_field.accounts.models import User
    from wuye_field.accounts.services import create_user
    from wuye_field.config import TestConfig
    from wuye_field.extensions import db
    from wuye_field.cleaning.models import AreaAssignment
    from wuye_field.places.models import Place, Site

    with server.app.app_context():
        if db.session.scalar(select(User.id).where(User.staff_no == "cleaner13")) is None:
            site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
            user = create_user(staff_no="cleaner13", name="批量保洁", password="wuye-demo",
                               roles={site.id: {"cleaner"}}, hash_method=TestConfig.PASSWORD_HASH_METHOD)
            for place_id in db.session.scalars(select(Place.id).where(Place.site_id == site.id,
                                                                      Place.kind.in_(("cleaning", "both")))):
                db.session.add(AreaAssignment(site_id=site.id, place_id=place_id, user_id=user.id))
            db.session.commit()
        db.session.remove()
    return "cleaner13"


def open_area(phone, server) -> tuple[str, list[int]]:
    """A cleaning area with tasks open now (one or two of them): (path, task ids)."""
    for code in ("CL02", "CL03", "CL04", "CL06", "CL07", "CL08", "CL01"):
        path = urlsplit(server.place(code)[2]).path
        phone.goto(path)
        cards = phone.page.locator("#clean-panel article[data-task-id]:has(button[type=submit]:visible)")
        ids = [int(card.get_attribute("data-task-id")) for card in cards.all()][:2]
        if ids:
            return path, ids
    raise AssertionError("no demo cleaning area has a task open now")


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
    cleaner.login(own_cleaner(server))
    area_path, open_tasks = open_area(cleaner, server)
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
    guard_actions = ACTIONS - len(open_tasks)
    clone(guard, inspection, guard_actions - 30)
    guard.wait_badge(f"{guard_actions} 条待上传")

    cleaner.goto(area_path)
    for task_id in open_tasks:
        task = cleaner.page.locator(f"#clean-panel article[data-task-id='{task_id}']").first
        if task.locator("input[data-photo]").count():
            task.locator("input[data-photo]").set_input_files(
                files=[{"name": "IMG_0003.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(1200, 900)}])
        task.locator("button[type=submit]").click()
        task.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    cleaner.wait_badge(f"{len(open_tasks)} 条待上传")

    guard_keys = [i["id"] for i in all_items(guard)]
    cleaner_keys = [i["id"] for i in all_items(cleaner)]
    assert len(guard_keys) + len(cleaner_keys) == ACTIONS

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
    assert len(batches) >= 2  # the guard's 58 or 59 in batches of at most 50 (the cleaner's 2 in one)
    # Each action went once, inside a batch, and was stored at once (the recorder logs a batch's actions).
    answers = {key: server.wsgi.posts("/patrol/scans", key) + server.wsgi.posts("/patrol/inspections", key)
               for key in guard_keys}
    assert {key: a for key, a in answers.items() if a != [201]} == {}

    guard.goto("/sync/outbox")
    sent = guard.page.locator("[data-sent-list] li")
    assert sent.count() == guard_actions
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
