"""R12 proof in the browser: guard02's role is removed while two scans wait on the offline phone. Back
online both are answered 409 quarantined, leave the outbox with the Chinese message on 上传记录, and the
supervisor applies one (stored as guard02, with the phone's time) and dismisses the other with a reason."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.conftest import jpeg_bytes, poll, same_instant
from tests.e2e.test_offline import SCAN_FORM, _logout, submit_scan
from wuye_field.accounts.models import User
from wuye_field.accounts.services import set_roles
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.sync.models import QuarantineItem

pytestmark = pytest.mark.e2e


def _set_guard_roles(server, roles: set[str]) -> None:
    with server.app.app_context():
        user = db.session.scalar(select(User).where(User.staff_no == "guard02"))
        site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
        set_roles(user, {site.id: roles} if roles else {})
        db.session.commit()
        db.session.remove()


def _items(server) -> list[QuarantineItem]:
    return [row[0] for row in server.query(select(QuarantineItem).order_by(QuarantineItem.id))]


def test_role_removed_while_offline_then_quarantined_applied_and_dismissed(phone):
    server = phone.server
    tokens = [server.place(code)[1] for code in ("CP02", "CP03")]
    phone.login("guard02")
    phone.wait_offline_ready(f"/t/{tokens[0]}")
    phone.wait_offline_ready(f"/t/{tokens[1]}")
    phone.go_offline()
    for n, token in enumerate(tokens):
        phone.goto(f"/t/{token}")
        assert phone.page.locator(SCAN_FORM).count()
        submit_scan(phone, note=f"离线第{n + 1}条")
        phone.wait_badge(f"{n + 1} 条待上传")
    made = {item["id"]: item["created_at"] for item in phone.outbox_items()}
    assert len(made) == 2

    _set_guard_roles(server, set())  # the admin removes guard02's role while the phone is offline
    try:
        phone.go_online()
        poll(lambda: phone.replay(force=True) is not None and phone.outbox_items() == [], page=phone.page)
        for key in made:
            assert server.wsgi.posts("/patrol/scans", key) == [409]
        items = _items(server)
        assert [(i.client_uuid, i.reason, i.state) for i in items] == [(k, "role_removed", "pending") for k in made]
        assert all(same_instant(i.device_time, made[i.client_uuid]) for i in items)

        phone.goto("/sync/outbox")
        notice = phone.page.locator("[data-quarantined-notice]")
        assert "已转交主管处理" in notice.inner_text()
        assert phone.page.locator("[data-quarantined]").count() == 2
        assert "已转交主管处理" in phone.page.locator("[data-sent-list]").inner_text()
        _logout(phone)

        phone.login("supervisor01", remember=False)
        phone.page.locator("#home-quarantine a").first.click()
        phone.wait_ready()
        first, second = items
        phone.page.locator(f"[data-quarantine-item='{first.id}'] [data-apply]").click()
        phone.wait_ready()
        reason = phone.page.locator(f"[data-quarantine-item='{second.id}'] [data-dismiss-reason]")
        reason.fill("同一时间重复打卡")
        phone.page.locator(f"[data-quarantine-item='{second.id}'] [data-dismiss]").click()
        phone.wait_ready()
        assert "没有待处理的记录" in phone.page.locator("#quarantine-pending").inner_text()
        decided = phone.page.locator("#quarantine-decided").inner_text()
        assert "已补录" in decided and "同一时间重复打卡" in decided

        states = {i.client_uuid: (i.state, i.decision_note) for i in _items(server)}
        assert states[first.client_uuid][0] == "applied" and "补录" in states[first.client_uuid][1]
        assert states[second.client_uuid] == ("dismissed", "同一时间重复打卡")
        scans = server.scans(first.client_uuid)
        assert len(scans) == 1 and scans[0]["user_id"] == server.user_id("guard02")
        assert same_instant(scans[0]["device_time"], made[first.client_uuid])
        assert server.scans(second.client_uuid) == []
    finally:
        _set_guard_roles(server, {"guard"})


def _set_guard_active(server, active: bool) -> None:
    from wuye_field.accounts.services import admin_set_active

    with server.app.app_context():
        admin = db.session.scalar(select(User).where(User.staff_no == "admin01"))
        guard = db.session.scalar(select(User).where(User.staff_no == "guard02"))
        admin_set_active(admin, guard.id, active)
        db.session.commit()
        db.session.remove()


def test_deactivated_phone_hands_over_and_exports_what_it_cannot_send(phone):
    """Deactivated while two scans wait offline: back online the phone hands over what the server takes
    (kept in quarantine, photos too); what cannot go is listed on 上传记录 and exported as a file that the
    supervisor imports into the quarantine and applies."""
    server = phone.server
    tokens = [server.place(code)[1] for code in ("CP06", "CP07")]
    phone.login("guard02")
    for token in tokens:
        phone.wait_offline_ready(f"/t/{token}")
    phone.go_offline()
    phone.goto(f"/t/{tokens[0]}")
    submit_scan(phone, note="停用前第一条")
    phone.wait_badge("1 条待上传")
    phone.goto(f"/t/{tokens[1]}")
    submit_scan(phone, note="停用前第二条", photo=jpeg_bytes(800, 600))
    phone.wait_badge("2 条待上传")
    first, second = phone.outbox_items()

    _set_guard_active(server, False)
    # The first record goes through; every later one finds the server unavailable, so it stays on the phone.
    calls = []

    def first_only():
        calls.append(1)
        return None if len(calls) == 1 else ("503 SERVICE UNAVAILABLE", {"error": "unavailable", "message": "稍后"})

    server.wsgi.overrides["/patrol/scans"] = first_only
    try:
        phone.go_online()
        poll(lambda: phone.replay(force=True) is not None and [i["id"] for i in phone.outbox_items()] == [second["id"]],
             page=phone.page)
        kept = {i.client_uuid: i for i in _items(server)}
        assert kept[first["id"]].reason == "deactivated" and second["id"] not in kept
        assert server.wsgi.posts("/sync/photos", second["photos"][0]["uuid"]) == [201]  # the photo is on the server

        phone.goto("/sync/outbox")  # the session no longer signs anyone in: the hand-over view
        notice = phone.page.locator("[data-deactivated]")
        notice.wait_for()
        assert "已停用" in notice.inner_text()
        assert phone.page.locator(f"[data-item-id='{second['id']}']").count() == 1
        with phone.page.expect_download() as download:
            phone.page.locator("[data-handover-download]").click()
        path = download.value.path()
        handover = json.loads(Path(path).read_text(encoding="utf-8"))
        assert [i["id"] for i in handover["items"]] == [second["id"]]
        assert len(handover["items"][0]["photos"]) == 1 and handover["items"][0]["photos"][0]["data"]

        server.wsgi.overrides.clear()
        phone.login("supervisor01", remember=False)
        phone.goto("/quarantine/")
        phone.page.locator("#quarantine-import input[name=file]").set_input_files(path)
        phone.page.locator("#quarantine-import button[type=submit]").click()
        phone.page.locator("#quarantine-imported").wait_for()
        assert "已导入 1 条" in phone.page.locator("#quarantine-imported").inner_text()
        imported = {i.client_uuid: i for i in _items(server)}[second["id"]]
        assert (imported.reason, imported.source) == ("handed_over", "import")
        phone.page.locator(f"[data-quarantine-item='{imported.id}'] [data-apply]").click()
        phone.wait_ready()
        scans = server.scans(second["id"])
        assert len(scans) == 1 and scans[0]["user_id"] == server.user_id("guard02")
        assert same_instant(scans[0]["device_time"], second["created_at"]) and len(scans[0]["photo_paths"]) == 1
    finally:
        _set_guard_active(server, True)
