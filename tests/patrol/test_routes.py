"""`POST /patrol/scans` (the outbox's scan) and the scan panel on the place page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import new_key, post_scan
from wuye_field.accounts.services import find_user_by_login
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.places.services import reissue_tag


def test_scan_answers_201_with_the_contract_shape(client, auth, demo):
    auth.login("guard01")
    place = helpers.place(demo)
    made = datetime(2026, 5, 1, 14, 5, tzinfo=timezone(timedelta(hours=8)))
    key = new_key()
    response = post_scan(client, place.tag_token, key, device_time=made)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "stored" and body["message"] == "已打卡：配电房 14:05"
    scan = body["scan"]
    assert set(scan) >= {"id", "client_uuid", "place", "device_time", "received_at", "pending_photos"}
    assert scan["client_uuid"] == key and scan["pending_photos"] == 0
    assert scan["place"] == {"id": place.id, "code": "CP05", "name": "配电房"}
    assert datetime.fromisoformat(scan["device_time"]) == made
    assert datetime.fromisoformat(scan["received_at"]).tzinfo is not None


def test_retired_tag_is_recorded_for_review_with_a_warning(client, auth, demo):
    """Issue 4: a scan of a replaced tag is kept (tag_retired) and answered 201 with a clear Chinese warning;
    the tag page itself stays 410 (tests/places). (P2, anomalies)"""
    place = helpers.place(demo)
    old = place.tag_token
    reissue_tag(place, actor=find_user_by_login("admin01"), now=datetime.now(timezone.utc))
    db.session.commit()
    auth.login("guard01")
    response = post_scan(client, old)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "stored" and "更换" in body["warning"] and "配电房" in body["message"]
    assert "待主管核查" in body["message"] and body["scan"]["tag_retired"] is True
    scan = db.session.scalar(select(Scan))
    assert scan.tag_retired and scan.place_id == place.id


def test_no_role_on_the_site_is_404_json(client, auth, demo):
    auth.login("cleaner01")
    response = post_scan(client, helpers.place(demo).tag_token)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_unknown_token_is_404_json(client, auth, demo):
    auth.login("guard01")
    response = post_scan(client, "no-such-token")
    assert response.status_code == 404 and response.get_json()["message"]


def test_place_page_has_the_outbox_scan_form(client, auth, demo):
    """Issue 4 hooks: form[data-outbox][data-action=scan] posting to patrol.record_scan, big button, photo input."""
    place = helpers.place(demo)
    auth.login("guard01")
    page = client.get(f"/t/{place.tag_token}").text
    form = re.search(r"<form[^>]*data-action=\"scan\"[^>]*>", page).group(0)
    assert "data-outbox" in form and 'action="/patrol/scans"' in form and 'method="post"' in form
    assert f'name="place" value="{place.tag_token}"' in page
    assert 'name="via" value="link"' in page
    assert re.search(r'<input type="file" name="photos" accept="image/\*" capture="environment" data-photo multiple>',
                     page)
    # secondary where the checklist's 「全部正常」 is the visit (issue 19); big and primary where it is alone
    assert re.search(r'<button type="submit" class="btn (btn-block|btn-primary btn-big)">打卡</button>', page)
    assert '<div data-outbox-result aria-live="polite"></div>' in page
    assert 'name="note"' in page


def test_panel_lists_recent_scans_in_site_time_with_pending_photos(client, auth, demo):
    place = helpers.place(demo)
    auth.login("guard01")
    made = datetime(2026, 5, 1, 23, 30, tzinfo=timezone.utc)  # 07:30 the next day in Shanghai
    post_scan(client, place.tag_token, device_time=made, note="灯不亮", photo_ids=new_key())
    page = client.get(f"/t/{place.tag_token}").text
    assert "2026-05-02 07:30" in page and "灯不亮" in page and "照片待上传" in page and "张伟" in page


def test_no_scan_panel_for_a_cleaner_or_a_cleaning_area(client, auth, demo):
    auth.login("cleaner01")
    assert 'data-action="scan"' not in client.get(f"/t/{helpers.place(demo).tag_token}").text
    auth.logout()
    auth.login("guard01")
    assert 'data-action="scan"' not in client.get(f"/t/{helpers.place(demo, 'CL02').tag_token}").text
