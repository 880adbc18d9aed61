"""Issue 3 proof: field actions made with no network reach the server later, exactly once, with their photos."""
from __future__ import annotations

import pytest
from PIL import Image

from tests.e2e.conftest import jpeg_bytes, poll, same_instant

pytestmark = pytest.mark.e2e

SCAN_FORM = "form[data-outbox][data-action=scan]"


def open_scan_only(phone) -> None:
    """Where the checklist's 「全部正常」 is the visit, the bare 打卡 is folded under 「只打卡，不做检查」."""
    folded = phone.page.locator("details[data-scan-only]:not([open]) > summary")
    if folded.count():
        folded.click()


def submit_scan(phone, note: str = "", photo: bytes | None = None) -> None:
    open_scan_only(phone)
    form = phone.page.locator(SCAN_FORM)
    notes = form.locator("[name=note]")
    if note and notes.count():
        notes.first.fill(note)
    if photo is not None:
        form.locator("input[data-photo]").first.set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    form.locator("button[type=submit]").first.click()


def wait_result(phone, text: str) -> None:
    phone.page.wait_for_function(
        "t => [...document.querySelectorAll('[data-outbox-result]')].some(n => n.textContent.includes(t))", arg=text)


def only_item(phone) -> dict:
    items = phone.outbox_items()
    assert len(items) == 1, items
    return items[0]


def test_offline_scan_with_photo_survives_reload_and_restart_then_uploads_once(phone):
    """Issue 3 proof: offline scan + photo → saved on the phone, kept across reload and browser restart,
    uploaded once when the network returns, with the device time and one shrunk photo."""
    server = phone.server
    name, token, _url = server.place("CP04")
    phone.login("guard01")
    phone.wait_offline_ready(f"/t/{token}")

    phone.go_offline()
    phone.goto("/admin/sites")  # never cached for a guard: the offline page says so
    assert "没有网络" in phone.page.locator("main").inner_text()
    phone.goto(f"/t/{token}")  # answered by the service worker from this user's page cache
    assert phone.page.locator("h1.place-name").inner_text() == name
    submit_scan(phone, note="车库入口灯不亮", photo=jpeg_bytes(3000, 2000))
    wait_result(phone, "已保存在手机，联网后自动上传")
    phone.wait_badge("1 条待上传")
    item = only_item(phone)
    assert item["state"] == "queued" and len(item["photos"]) == 1
    assert item["photos"][0]["size"] < 1_000_000  # shrunk on the phone before it was stored

    phone.page.reload()
    phone.wait_ready()
    phone.wait_badge("1 条待上传")

    phone.close()
    phone.open()  # same profile, still offline
    phone.goto("/")
    phone.wait_badge("1 条待上传")
    assert only_item(phone)["id"] == item["id"]
    assert server.scans(item["id"]) == []

    phone.go_online()
    # The `online` event drops any back-off and the outbox goes at once, tried again within seconds if the
    # network is not through yet; a 3000×2000 photo and its scan on a loaded 2-core machine.
    phone.wait_badge("已全部上传", timeout=15000)
    assert phone.outbox_items() == []
    scans = server.scans(item["id"])
    assert len(scans) == 1
    assert scans[0]["user_id"] == server.user_id("guard01")
    assert same_instant(scans[0]["device_time"], item["created_at"])
    assert len(scans[0]["photo_paths"]) == 1
    with Image.open(scans[0]["photo_paths"][0]) as photo:
        assert max(photo.size) <= 1600
        assert photo.format == "JPEG"
    assert server.wsgi.posts("/sync/photos", item["photos"][0]["uuid"])  # the photo went by its own UUID


def test_lost_response_is_replayed_and_stored_once(phone):
    """R1: the server stored the scan but the phone never heard → the replay is stored once."""
    server = phone.server
    _name, token, _url = server.place("CP02")
    phone.login("guard01", remember=False)
    phone.goto(f"/t/{token}")
    keys = []

    def lose_first_answer(route):
        keys.append(route.request.headers["idempotency-key"])
        response = route.fetch()  # the request reaches the server…
        if len(keys) == 1:
            route.abort("connectionreset")  # …but its answer is lost on the way back
        else:
            route.fulfill(response=response)

    phone.page.route("**/patrol/scans", lose_first_answer)
    submit_scan(phone, note="响应丢失")
    poll(lambda: keys, page=phone.page)
    key = keys[0]
    # The phone retries by itself (backoff timer, or Background Sync in the service worker, whichever comes
    # first); a forced round makes the test quick either way.
    poll(lambda: phone.replay(force=True) and not phone.outbox_items())
    phone.wait_badge("已全部上传")
    assert server.wsgi.posts("/patrol/scans", key) == [201, 200]  # stored, then answered as a replay
    assert len(server.scans(key)) == 1


def test_conflicting_replay_is_failed_with_reason_and_not_retried(phone):
    """R2: same key, different body → 409 shown as failed on 上传记录, never retried by itself."""
    server = phone.server
    _name, token, _url = server.place("CP06")
    phone.login("guard01", remember=False)
    phone.goto(f"/t/{token}")
    user_id = server.user_id("guard01")
    key = phone.page.evaluate("() => WuyeOutbox.uuid()")
    enqueue = ("([key, user, token, note]) => WuyeOutbox.enqueue({id: key, user_id: user, action: 'scan', "
               "label: '巡更打卡', url: '/patrol/scans', fields: [['place', token], ['via', 'link'], ['note', note]]})"
               ".then(() => WuyeOutbox.replay({force: true}))")
    phone.page.evaluate(enqueue, [key, user_id, token, "第一次"])
    poll(lambda: phone.outbox_items() == [])
    assert len(server.scans(key)) == 1

    phone.page.evaluate(enqueue, [key, user_id, token, "改过的内容"])
    failed = poll(lambda: next((i for i in phone.outbox_items() if i["state"] == "failed"), None))
    assert failed["attempts"] == 1 and failed["error"]
    assert server.wsgi.posts("/patrol/scans", key)[-1] == 409
    phone.wait_badge("1 条上传失败")

    phone.goto("/sync/outbox")
    row = phone.page.locator(f"[data-item-id='{key}']")
    assert row.get_attribute("data-state") == "failed"
    assert "上传失败" in row.inner_text()
    assert row.locator("[data-item-error]").inner_text() == failed["error"]
    assert row.locator("[data-retry]").is_visible()
    assert phone.page.locator("[data-retry-all]").is_visible()

    phone.replay(force=True)  # every automatic trigger: a replay round, the online event, a reload
    phone.page.evaluate("() => window.dispatchEvent(new Event('online'))")
    phone.page.reload()
    phone.wait_ready()
    phone.replay(force=False)
    assert only_item(phone)["attempts"] == 1
    assert len(server.wsgi.posts("/patrol/scans", key)) == 2
    assert len(server.scans(key)) == 1  # the original is untouched

    row.locator("[data-retry]").click()  # only the user's retry sends it again
    poll(lambda: only_item(phone)["attempts"] == 2 and only_item(phone)["state"] == "failed")
    assert len(server.scans(key)) == 1


def _expire_session(server):
    """The server answers /sync/csrf as for an expired session, so no replay (page or worker) sends anything."""
    server.wsgi.overrides["/sync/csrf"] = lambda: (
        "401 UNAUTHORIZED", {"error": "login_required", "message": "登录已过期，请重新登录后自动上传手机上的记录。"})


def _logout(phone) -> None:
    phone.goto("/me")
    phone.page.locator("#logout-form button[type=submit]").click()
    phone.page.wait_for_url("**/login**")


def _queue_offline_scan(phone, code: str, note: str) -> dict:
    _name, token, _url = phone.server.place(code)
    phone.wait_offline_ready(f"/t/{token}")
    phone.go_offline()
    phone.goto(f"/t/{token}")
    submit_scan(phone, note=note)
    phone.wait_badge("1 条待上传")
    return only_item(phone)


def test_logout_keeps_items_which_upload_only_as_their_own_user(phone):
    """R8, R11, R16: an expired session asks for a login; logout warns and keeps the outbox;
    another user never uploads it; the owner does after signing in again."""
    server = phone.server
    dialogs: list[str] = []
    phone.page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    phone.login("guard01")
    guard02_before = server.scans_by_user(server.user_id("guard02"))  # other tests on the shared server scan as guard02
    item = _queue_offline_scan(phone, "CP07", "退出前保存")

    _expire_session(server)
    phone.go_online()
    phone.wait_badge("请登录以上传 1 条记录")  # R8
    _logout(phone)
    assert len(dialogs) == 1 and "还有 1 条记录未上传" in dialogs[0]
    assert phone.page.evaluate("() => caches.keys().then(k => k.filter(n => n.startsWith('pages-u')))") == []
    server.wsgi.overrides.clear()
    assert only_item(phone)["id"] == item["id"]  # the outbox survived the logout

    phone.login("guard02", remember=False)
    phone.replay(force=True)
    phone.wait_badge("已全部上传")  # guard02 has nothing of their own waiting
    phone.goto("/sync/outbox")
    others = phone.page.locator("[data-others-waiting]")
    assert others.get_attribute("data-others-waiting") == "1"
    assert "其他人员的 1 条记录" in others.inner_text()
    assert "退出前保存" not in phone.page.locator("main").inner_text()
    assert server.scans(item["id"]) == []
    assert server.scans_by_user(server.user_id("guard02")) == guard02_before
    assert server.wsgi.posts("/patrol/scans", item["id"]) == []

    _logout(phone)
    assert len(dialogs) == 1  # guard02 had nothing waiting: no warning
    phone.login("guard01", remember=False)
    phone.wait_badge("已全部上传")
    scans = server.scans(item["id"])
    assert len(scans) == 1 and scans[0]["user_id"] == server.user_id("guard01")
    assert same_instant(scans[0]["device_time"], item["created_at"])


def test_stale_csrf_token_is_refreshed_and_nothing_is_lost(phone):
    """R9: the session changed while the item waited → 400 csrf → fresh token → stored once."""
    server = phone.server
    dialogs: list[str] = []
    phone.page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    phone.login("guard01")
    user_id = server.user_id("guard01")
    old_token = phone.page.evaluate("() => fetch('/sync/csrf').then(r => r.json()).then(d => d.csrf_token)")
    item = _queue_offline_scan(phone, "CP08", "令牌过期")

    _expire_session(server)
    phone.go_online()
    _logout(phone)  # the session (and its CSRF secret) ends; a new one starts at the next login
    served = []

    def stale_token_once():
        served.append(1)
        if len(served) == 1:  # the token a replay batch fetched before the session changed
            return "200 OK", {"csrf_token": old_token, "user_id": user_id, "user_name": "张伟"}
        return None

    server.wsgi.overrides["/sync/csrf"] = stale_token_once
    phone.login("guard01", remember=False)
    phone.wait_badge("已全部上传")
    assert server.wsgi.posts("/patrol/scans", item["id"])[0] == 400
    assert len(server.wsgi.posts("/patrol/scans", item["id"])) == 2
    assert len(server.scans(item["id"])) == 1
    assert phone.outbox_items() == []


def test_photo_the_browser_cannot_read_is_refused_on_the_phone(phone):
    """R24: a HEIC (undecodable here) gets a clear Chinese message and nothing is stored."""
    _name, token, _url = phone.server.place("CP09")
    phone.login("guard01", remember=False)
    phone.goto(f"/t/{token}")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    open_scan_only(phone)
    phone.page.locator(SCAN_FORM).locator("input[data-photo]").set_input_files(
        files=[{"name": "IMG_0002.HEIC", "mimeType": "image/heic", "buffer": heic}])
    phone.page.locator(SCAN_FORM).locator("button[type=submit]").click()
    wait_result(phone, "无法读取这张照片")
    assert phone.outbox_items() == []
