"""R12: a field action that can no longer be applied as sent is kept in quarantine, never lost; the site's
supervisors apply it late (as its author, with its device time) or dismiss it with a reason."""
from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import datetime

from sqlalchemy import select

from tests.core.test_logging import event_lines
from tests.sync import helpers
from wuye_field.accounts.models import User
from wuye_field.accounts.services import admin_set_active, set_roles
from wuye_field.audit.models import AdminChange
from wuye_field.photos.models import Photo
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.sync.models import IdempotencyKey, QuarantineItem

MADE = datetime(2026, 11, 29, 9, 30, tzinfo=helpers.SHANGHAI)


def _user(staff_no: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def _remove_roles(staff_no: str) -> None:
    set_roles(_user(staff_no), {})
    db.session.commit()


def _scan(client, demo, key, code="CP05", note="门已锁好"):
    return helpers.post_scan(client, helpers.place(demo, code).tag_token, key, note=note, device_time=MADE)


def _quarantined(response):
    assert response.status_code == 409, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "quarantined" and "主管" in body["message"]


def test_role_removed_while_offline_is_kept_not_lost(client, auth, demo, capsys):
    auth.login("guard02")
    _remove_roles("guard02")
    key = helpers.new_key()
    response = _scan(client, demo, key)
    _quarantined(response)
    item = db.session.scalar(select(QuarantineItem))
    guard = _user("guard02")
    assert (item.user_id, item.site_id, item.client_uuid) == (guard.id, demo.id, key)
    assert item.endpoint == "patrol.record_scan"
    assert item.reason == "role_removed" and item.state == "pending"
    assert as_utc(item.device_time) == MADE
    assert ("note", "门已锁好") in item.field_pairs and item.received_at is not None
    assert helpers.count(Scan) == 0
    assert event_lines(capsys, "quarantined")


def test_replay_of_a_quarantined_action_answers_the_same_and_stores_once(client, auth, demo):
    auth.login("guard02")
    _remove_roles("guard02")
    key = helpers.new_key()
    _quarantined(_scan(client, demo, key))
    _quarantined(_scan(client, demo, key))
    assert helpers.count(QuarantineItem) == 1


def test_a_strangers_request_for_another_sites_tag_stays_404(client, auth, demo, factories):
    other = factories.site(code="OTHER")
    place = factories.place(other)
    db.session.commit()
    auth.login("guard01")
    response = helpers.post_scan(client, place.tag_token)
    assert response.status_code == 404
    assert helpers.count(QuarantineItem) == 0


def test_guard_role_removed_but_still_cleaner_on_the_site(client, auth, demo):
    auth.login("guard02")
    set_roles(_user("guard02"), {demo.id: {"cleaner"}})
    db.session.commit()
    _quarantined(_scan(client, demo, helpers.new_key()))


def test_place_moved_to_another_site_is_kept_for_the_new_site_and_applies_there(client, auth, demo, factories):
    other = factories.site(code="NEWSITE")
    supervisor = factories.user(role="supervisor", site=other, staff_no="sup-new", password="password-123")
    place = helpers.place(demo, "CP05")
    place.site_id = other.id  # the checkpoint now belongs to the neighbouring site
    db.session.commit()
    auth.login("guard02")
    key = helpers.new_key()
    _quarantined(helpers.post_scan(client, place.tag_token, key, note="旧小区时做的", device_time=MADE))
    item = db.session.scalar(select(QuarantineItem))
    assert (item.reason, item.site_id, item.origin_site_id) == ("moved", other.id, demo.id)
    auth.logout()
    auth.login("supervisor01")  # the old site's supervisor does not see it
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 404
    auth.logout()
    auth.login(supervisor.staff_no, "password-123")
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 303
    scan = db.session.scalar(select(Scan))
    assert (scan.user_id, scan.site_id, scan.client_uuid) == (_user("guard02").id, other.id, key)


def test_deactivated_while_signed_in_is_kept(client, auth, demo, capsys):
    auth.login("guard02")
    admin_set_active(_user("admin01"), _user("guard02").id, False)
    db.session.commit()
    key = helpers.new_key()
    _quarantined(_scan(client, demo, key))
    _quarantined(_scan(client, demo, key))
    item = db.session.scalar(select(QuarantineItem))
    assert item.reason == "deactivated" and item.site_id == demo.id
    assert helpers.count(QuarantineItem) == 1
    # The outbox learns why it cannot send, and the rest of the app stays closed.
    csrf = client.get("/sync/csrf", headers={"Accept": "application/json"})
    assert csrf.status_code == 401 and csrf.get_json()["error"] == "account_deactivated"
    assert client.get("/sync/manifest", headers={"Accept": "application/json"}).status_code == 401


def test_deactivated_phone_still_uploads_its_photos_for_the_kept_record(client, auth, demo):
    auth.login("guard02")
    admin_set_active(_user("admin01"), _user("guard02").id, False)
    db.session.commit()
    photo_key = helpers.new_key()
    assert helpers.post_photo(client, helpers.jpeg(), photo_key).status_code == 201
    assert helpers.post_photo(client, helpers.jpeg(), photo_key).status_code == 200  # a replay, stored once
    photo = db.session.scalar(select(Photo))
    assert photo.user_id == _user("guard02").id and helpers.count(Photo) == 1
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401  # nothing else opens


def test_outbox_page_opens_without_signing_in(client):
    page = client.get("/sync/outbox")
    assert page.status_code == 200 and "data-outbox-list" in page.get_data(as_text=True)


def test_an_old_cookie_after_logout_and_deactivation_is_not_kept(client, auth, demo):
    auth.login("guard02")
    cookie = client.get_cookie("session").value
    auth.logout()
    admin_set_active(_user("admin01"), _user("guard02").id, False)
    db.session.commit()
    client.set_cookie("session", cookie)
    assert _scan(client, demo, helpers.new_key()).status_code == 401
    assert helpers.count(QuarantineItem) == 0


def _quarantine_one(client, auth, demo, note="门已锁好", photo_ids=""):
    auth.login("guard02")
    key = helpers.new_key()
    if photo_ids:
        response = helpers.post_scan(client, helpers.place(demo, "CP05").tag_token, key, note=note,
                                     photo_ids=photo_ids, device_time=MADE)
    else:
        response = _scan(client, demo, key, note=note)
    _quarantined(response)
    auth.logout()
    return key, db.session.scalar(select(QuarantineItem).where(QuarantineItem.client_uuid == key))


def test_supervisor_applies_as_the_author_with_the_device_time(client, auth, demo):
    auth.login("guard02")
    photo_key = helpers.new_key()
    assert helpers.post_photo(client, helpers.jpeg(), photo_key).status_code == 201
    _remove_roles("guard02")
    key, item = _quarantine_one(client, auth, demo, photo_ids=photo_key)
    auth.login("supervisor01")
    page = client.get(f"/quarantine/?site={demo.id}")
    assert page.status_code == 200 and key in page.get_data(as_text=True)
    home = client.get("/")
    assert "/quarantine/" in home.get_data(as_text=True)
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 303
    scan = db.session.scalar(select(Scan))
    guard = _user("guard02")
    assert scan.user_id == guard.id and scan.client_uuid == key and scan.site_id == demo.id
    assert as_utc(scan.device_time) == MADE
    assert db.session.scalar(select(Photo)).site_id == demo.id  # the photo kept and linked
    item = db.session.get(QuarantineItem, item.id)
    assert item.state == "applied" and item.decision_note == f"由 {_user('supervisor01').name} 补录"
    assert item.decided_by_id == _user("supervisor01").id
    assert guard.site_ids() == set()  # the roles came back for the replay only
    # Applying twice stores once; the author's phone replaying the key gets the stored answer.
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 409
    assert helpers.count(Scan) == 1
    assert db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key)).completed
    change = db.session.scalars(select(AdminChange).order_by(AdminChange.id.desc())).first()
    assert "隔离记录" in change.what and "applied" in change.after


def test_supervisor_dismisses_with_a_required_reason(client, auth, demo):
    _remove_roles("guard02")
    _key, item = _quarantine_one(client, auth, demo)
    auth.login("supervisor01")
    refused = client.post(f"/quarantine/items/{item.id}/dismiss", data={"reason": "  "})
    assert refused.status_code == 400 and "原因" in refused.get_data(as_text=True)
    assert client.post(f"/quarantine/items/{item.id}/dismiss", data={"reason": "重复记录"}).status_code == 303
    item = db.session.get(QuarantineItem, item.id)
    assert (item.state, item.decision_note) == ("dismissed", "重复记录")
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 409
    assert helpers.count(Scan) == 0
    change = db.session.scalars(select(AdminChange).order_by(AdminChange.id.desc())).first()
    assert "dismissed" in change.after and "重复记录" in change.after


def test_another_sites_supervisor_gets_404(client, auth, demo, factories):
    _remove_roles("guard02")
    _key, item = _quarantine_one(client, auth, demo)
    other = factories.site(code="OTHER")
    factories.user(role="supervisor", site=other, staff_no="sup-other", password="password-123")
    db.session.commit()
    auth.login("sup-other", "password-123")
    assert client.get(f"/quarantine/?site={demo.id}").status_code == 404
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 404
    assert client.post(f"/quarantine/items/{item.id}/dismiss", data={"reason": "x"}).status_code == 404
    handover = _handover_file(demo, _user("guard02"), [helpers.new_key()])
    assert _import(client, demo, handover).status_code == 404
    assert key_not_in(client.get("/quarantine/").get_data(as_text=True), item.client_uuid)
    auth.logout()
    auth.login("guard01")
    assert client.get(f"/quarantine/?site={demo.id}").status_code == 404
    assert helpers.count(Scan) == 0


def key_not_in(text: str, key: str) -> bool:
    return key not in text


def _handover_file(demo, user: User, keys, photo: bytes | None = None) -> bytes:
    items = []
    for key in keys:
        photos = []
        fields = [["place", helpers.place(demo, "CP05").tag_token], ["via", "link"], ["note", "交接"]]
        if photo is not None:
            photo_key = helpers.new_key()
            photos.append({"uuid": photo_key, "sha256": hashlib.sha256(photo).hexdigest(),
                           "data": base64.b64encode(photo).decode()})
            fields.append(["photo_ids", photo_key])
        items.append({"id": key, "user_id": str(user.id), "action": "scan", "url": "/patrol/scans",
                      "created_at": MADE.isoformat(), "fields": fields, "photos": photos})
    return json.dumps({"format": "wuye-outbox-handover", "version": 1, "items": items}).encode()


def _import(client, demo, data: bytes):
    return client.post(f"/quarantine/sites/{demo.id}/import", data={"file": (io.BytesIO(data), "h.json")},
                       content_type="multipart/form-data")


def test_import_a_deactivated_users_handover_file(client, auth, demo):
    guard = _user("guard02")
    admin_set_active(_user("admin01"), guard.id, False)
    db.session.commit()
    keys = [helpers.new_key(), helpers.new_key()]
    data = _handover_file(demo, guard, keys, photo=helpers.jpeg(64, 48))
    auth.login("supervisor01")
    first = _import(client, demo, data)
    assert first.status_code == 200 and "已导入 2 条" in first.get_data(as_text=True)
    again = _import(client, demo, data)
    assert "已导入 0 条，重复 2 条" in again.get_data(as_text=True)
    assert helpers.count(QuarantineItem) == 2 and helpers.count(Photo) == 2
    item = db.session.scalar(select(QuarantineItem).where(QuarantineItem.client_uuid == keys[0]))
    assert (item.reason, item.source, item.user_id) == ("handed_over", "import", guard.id)
    assert client.post(f"/quarantine/items/{item.id}/apply").status_code == 303
    assert helpers.count(Scan) == 1


def test_import_refuses_what_is_not_a_handover_file(client, auth, demo, factories):
    auth.login("supervisor01")
    assert _import(client, demo, b"not json").status_code == 400
    stranger = factories.user(role="guard", site=factories.site(code="FAR"))
    db.session.commit()
    response = _import(client, demo, _handover_file(demo, stranger, [helpers.new_key()]))
    assert "不是本小区的人员" in response.get_data(as_text=True)
    assert helpers.count(QuarantineItem) == 0
