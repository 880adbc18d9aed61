"""Gate pages and field actions over HTTP: gate01's home is the gate, visitor-in / visitor-out through the
outbox contract (201, replay 200, 422 in Chinese), the handover shows visitors inside, the supervisor's
pages and board, the visitor export (BOM, masking by role), the settings page, the printable roster."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests.gate import helpers as h
from tests.sync.helpers import new_key
from wuye_field.audit.models import AdminChange
from wuye_field.extensions import db
from wuye_field.gate.models import Visitor, VisitorAccess


def _visitor_in(client, demo, key=None, **changes):
    return h.post_field(client, "/gate/visitors", h.visitor_form(demo, **changes), key,
                        device_time=datetime.now(h.SHANGHAI) - timedelta(minutes=1))


def test_gate01_lands_on_the_gate_with_the_visitor_form(client, auth, demo):
    auth.login("gate01")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-gate"' in html and "东门岗" in html
    assert re.search(r'<form[^>]*data-outbox[^>]*data-action="visitor-in"', html)
    manifest = client.get("/sync/manifest").get_json()
    assert f"/gate/posts/{h.post(demo).id}" in str(manifest) and "js/gate." in str(manifest)


def test_visitor_in_is_201_once_and_a_replay_is_200(client, auth, demo):
    auth.login("gate01")
    key = new_key()
    first = _visitor_in(client, demo, key)
    again = _visitor_in(client, demo, key)
    assert first.status_code == 201 and "已登记访客" in first.get_json()["message"]
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.scalar(select(func.count(Visitor.id))) == 1


def test_a_wrong_id_check_digit_is_422_in_chinese_and_nothing_stored(client, auth, demo):
    auth.login("gate01")
    answer = _visitor_in(client, demo, id_number="110105194912310021")
    assert answer.status_code == 422 and "校验码" in answer.get_json()["message"]
    assert db.session.scalar(select(func.count(Visitor.id))) == 0


def test_visitor_out_and_the_visitor_on_the_handover_page(client, auth, demo):
    auth.login("gate01")
    visitor_id = _visitor_in(client, demo).get_json()["visitor"]["id"]
    page = client.get(f"/handover/posts/{h.post(demo).id}").get_data(as_text=True)
    assert 'id="ho-notes"' in page and "王建国" in page
    home = client.get("/").get_data(as_text=True)
    assert f'action="/gate/visitors/{visitor_id}/out"' in home and 'data-action="visitor-out"' in home
    out = h.post_field(client, f"/gate/visitors/{visitor_id}/out", {}, device_time=datetime.now(h.SHANGHAI))
    assert out.status_code == 201
    assert 'id="ho-notes"' not in client.get(f"/handover/posts/{h.post(demo).id}").get_data(as_text=True)


def test_a_supervisor_opening_a_visitor_is_logged_the_list_stays_masked(client, auth, demo):
    auth.login("gate01")
    visitor_id = _visitor_in(client, demo).get_json()["visitor"]["id"]
    auth.logout()
    auth.login("supervisor01")
    today = datetime.now(h.SHANGHAI).date().isoformat()
    day = client.get(f"/gate/sites/{demo.id}/day?date={today}").get_data(as_text=True)
    assert "138****1234" in day and "13812341234" not in day
    assert db.session.scalar(select(func.count(VisitorAccess.id))) == 0
    page = client.get(f"/gate/visitors/{visitor_id}").get_data(as_text=True)
    assert h.VALID_ID in page and db.session.scalar(select(func.count(VisitorAccess.id))) == 1


def test_visitor_export_has_a_bom_and_masks_for_the_admin(client, auth, demo):
    auth.login("gate01")
    _visitor_in(client, demo)
    auth.logout()
    today = datetime.now(h.SHANGHAI).date().isoformat()
    url = f"/export/visitors.csv?site=DEMO&date_from={today}&date_to={today}"
    auth.login("admin01")
    body = client.get(url).get_data(as_text=True)
    assert body.startswith("\ufeff") and "138****1234" in body and "13812341234" not in body
    auth.logout()
    auth.login("gate01")
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login("supervisor01")
    assert "13812341234" in client.get(url).get_data(as_text=True)
    assert client.get(url.replace(today, "2026-99-01", 1)).status_code == 400


def test_supervisor_board_roster_month_and_print(client, auth, demo):
    auth.login("supervisor01")
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-gate-board"' in home and 'data-red="1"' in home
    roster = client.get(f"/gate/sites/{demo.id}/roster?month=2026-12")
    assert roster.status_code == 200 and 'id="roster-grid"' in roster.get_data(as_text=True)
    cell = client.get(f"/gate/sites/{demo.id}/roster?month=2026-12&post={h.post(demo).id}&shift=19:00"
                      f"&first=2026-12-05&last=2026-12-05").get_data(as_text=True)
    assert 'value="2026-12-05"' in cell and '<option value="19:00" selected>' in cell  # a tapped cell pre-fills
    printable = client.get(f"/gate/sites/{demo.id}/roster?month=2026-12&print=1").get_data(as_text=True)
    assert "排班表" in printable and "主管签字" in printable
    bad = client.post(f"/gate/sites/{demo.id}/roster/assign?month=2026-12",
                      data={"post": str(h.post(demo).id), "shift": "07:00", "first": "x", "last": "2026-12-02"})
    assert bad.status_code == 422 and "日期格式" in bad.get_data(as_text=True)
    month = client.get(f"/gate/sites/{demo.id}/month?month=2026-11").get_data(as_text=True)
    assert 'id="gate-month"' in month and "拒绝放行" in month and "未签核" in month


def test_gate_settings_change_is_logged(client, auth, demo):
    auth.login("admin01")
    assert f"/gate/sites/{demo.id}/settings" in client.get("/").get_data(as_text=True)
    bad = client.post(f"/gate/sites/{demo.id}/settings", data={"gate.visitor_retention_days": "5"})
    assert "30–1095" in bad.get_data(as_text=True)
    client.post(f"/gate/sites/{demo.id}/settings", data={"gate.visitor_retention_days": "90"})
    assert db.session.scalar(select(func.count(AdminChange.id)).where(AdminChange.what == "访客个人信息保存天数")) == 1
