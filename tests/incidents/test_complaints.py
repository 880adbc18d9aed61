"""Complaints (W5, W6): the same-day clock with a site's own cut-off, steps to the resident's verdict, links,
month and year figures against the > 80 % target."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.sync.helpers import headers
from wuye_field.incidents import complaints, settings
from wuye_field.incidents.models import Complaint
from wuye_field.extensions import db
from wuye_field.sync.receipt import Receipt

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def desk_site(factories):
    site = factories.site()
    return site, factories.user("desk", site, name="客服甲"), factories.user("admin", site)


def _take(site, desk, at, **values):
    form = {"site_id": site.id, "channel": "call", "category": "noise", "who": "3-502 李女士", "what": "夜里噪音"}
    return complaints.raise_complaint(desk, form | values, Receipt.server(at))


def test_the_desk_takes_a_complaint_through_the_outbox_route(client, auth, demo):
    auth.login("desk01")
    page = client.get("/incidents/complaints").get_data(as_text=True)
    assert 'data-action="complaint"' in page
    response = client.post("/incidents/complaints", headers=headers(), data={
        "site_id": demo.id, "channel": "call", "category": "repair", "who": "1-101 王先生", "what": "报修三天没人来"})
    assert response.status_code == 201
    refused = client.post("/incidents/complaints", headers=headers(), data={
        "site_id": demo.id, "channel": "call", "category": "repair", "who": "", "what": "x"})
    assert refused.status_code == 422 and refused.get_json()["message"] == "请填写投诉人（姓名、房号或电话）。"


def test_an_answer_after_midnight_misses_the_same_day(desk_site):
    site, desk, _admin = desk_site
    c = _take(site, desk, datetime(2026, 5, 1, 23, 50, tzinfo=SHANGHAI))
    complaints.add_step(desk, c.id, "answer", "已回电", now=datetime(2026, 5, 2, 0, 5, tzinfo=SHANGHAI))
    assert not complaints.answered_in_time(c)
    on_time = _take(site, desk, datetime(2026, 5, 1, 23, 50, tzinfo=SHANGHAI))
    complaints.add_step(desk, on_time.id, "answer", "已回电", now=datetime(2026, 5, 1, 23, 59, tzinfo=SHANGHAI))
    assert complaints.answered_in_time(on_time)


def test_a_sites_own_cut_off_applies_from_when_it_was_set(desk_site):
    site, desk, admin = desk_site
    before = _take(site, desk, datetime(2026, 5, 1, 18, 0, tzinfo=SHANGHAI))
    settings.change(admin, site.id, "incidents.complaint_cutoff", "17:00",
                    now=datetime(2026, 5, 1, 20, 0, tzinfo=SHANGHAI))
    after = _take(site, desk, datetime(2026, 5, 2, 18, 0, tzinfo=SHANGHAI))
    assert before.answer_due == datetime(2026, 5, 2, 0, 0, tzinfo=SHANGHAI)
    assert after.answer_due == datetime(2026, 5, 3, 17, 0, tzinfo=SHANGHAI)


def test_steps_result_then_verdict_close_it(desk_site):
    site, desk, _admin = desk_site
    c = _take(site, desk, datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI))
    at = datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI)
    with pytest.raises(Exception, match="请先记录处理结果"):
        complaints.add_step(desk, c.id, "verdict", "", effective=True, now=at)
    complaints.add_step(desk, c.id, "step", "已约谈装修户", now=at)
    complaints.add_step(desk, c.id, "result", "装修改到白天", now=at)
    with pytest.raises(Exception, match="请选择住户评价"):
        complaints.add_step(desk, c.id, "verdict", "", now=at)
    complaints.add_step(desk, c.id, "verdict", "", effective=True, now=at)
    assert c.closed_at is not None and c.effective is True and [s.kind for s in c.steps] == [
        "step", "result", "verdict"]
    with pytest.raises(Exception, match="投诉已办结"):
        complaints.add_step(desk, c.id, "step", "x", now=at)


def test_a_link_must_name_a_record_of_the_same_site(factories, desk_site):
    from tests.workorders.helpers import crew, raise_order

    site, desk, _admin = desk_site
    other = crew(factories)
    order = raise_order(other)
    with pytest.raises(Exception, match="关联的记录不在本小区"):
        _take(site, desk, datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI), link_kind="workorder", link_id=order.id)
    linked = _take(other.site, other.desk, datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI), link_kind="workorder",
                   link_id=str(order.id))
    assert (linked.link_kind, linked.link_id) == ("workorder", order.id)


def test_month_and_year_figures_against_the_target(desk_site, client, auth):
    site, desk, _admin = desk_site
    verdicts = [True, True, True, True, False]  # 80 %: not more than 80 %
    for n, effective in enumerate(verdicts):
        at = datetime(2026, 5, 1 + n, 9, 0, tzinfo=SHANGHAI)
        c = _take(site, desk, at)
        complaints.add_step(desk, c.id, "result", "已处理", now=at + timedelta(hours=20 if n == 0 else 1))
        complaints.add_step(desk, c.id, "verdict", "", effective=effective, now=at + timedelta(hours=21))
    _take(site, desk, datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI))  # earlier this year, still open
    may = complaints.figures(site, *complaints.month_bounds(2026, 5))
    assert (may.total, may.answered_same_day, may.closed, may.effective) == (5, 4, 5, 4)
    assert may.effective_share == 80.0 and may.met is False
    year = complaints.figures(site, date(2026, 1, 1), date(2026, 6, 1))
    assert year.total == 6 and year.same_day_share == 66.7
    db.session.commit()
    client.post("/login", data={"username": desk.staff_no, "password": "password-123"})
    page = client.get(f"/incidents/complaints/figures?site={site.id}&year=2026&month=5").get_data(as_text=True)
    assert "80.0%" in page and "未达标" in page
    assert client.get(f"/incidents/complaints/figures?site={site.id}&month=13").status_code == 422


def test_the_admin_page_changes_settings_through_the_history(client, auth, demo):
    auth.login("admin01")
    bad = client.post(f"/incidents/admin/sites/{demo.id}", data={
        "incidents.complaint_cutoff": "25:00", "incidents.complaint_target": "80",
        "incidents.complaint_warn_minutes": "60", "incidents.control_room_phone": "", "patrol.position_max_m": "200"})
    assert bad.status_code == 422 and "24:00 表示当天结束" in bad.get_data(as_text=True)
    ok = client.post(f"/incidents/admin/sites/{demo.id}", data={
        "incidents.complaint_cutoff": "17:30", "incidents.complaint_target": "85",
        "incidents.complaint_warn_minutes": "30", "incidents.control_room_phone": "021-5555 0101",
        "patrol.record_position": "1", "patrol.position_max_m": "150"})
    assert ok.status_code == 302
    assert settings.value(demo.id, "incidents.complaint_cutoff", datetime.now(timezone.utc)) == "17:30"
    auth.logout()
    auth.login("guard01")
    assert 'data-sos-call="021-5555 0101"' in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(Complaint)) is None
