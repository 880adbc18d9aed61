"""The running duty log (P5, P8, G14–G15): entries with category and follow-up; follow-ups handed on at the
post's shift change; the supervisor signs a day once; unsigned days listed; /export/dutylog.csv."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.gate import helpers as h
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import dutylog, visitors
from wuye_field.handover.timeline import handover_notes


def _write(site, text="3栋电梯困人，已通知维修", follow_up="1", at=h.NOW, login="gate01", **extra):
    values = {"post": str(h.post(site).id), "category": "equipment", "text": text, "follow_up": follow_up} | extra
    entry, _pending = dutylog.write_entry(h.user(login), values, **h.field(at))
    db.session.commit()
    return entry


def test_a_follow_up_entry_is_handed_on_at_the_next_shift_change(demo):
    _write(demo)
    _write(demo, text="巡逻正常", follow_up="")
    notes = handover_notes(h.post(demo), h.user("guard01"), now=h.NOW + timedelta(hours=1))
    assert any("3栋电梯困人" in n and "待跟进" in n for n in notes)
    assert not any("巡逻正常" in n for n in notes)


def test_an_empty_entry_is_refused_and_the_desk_writes_for_its_site(demo):
    with pytest.raises(visitors.GateRefused) as refused:
        _write(demo, text="")
    assert "值班事项" in refused.value.errors["text"]
    db.session.rollback()
    entry, _pending = dutylog.write_entry(h.user("desk01"), {"site": str(demo.id), "text": "业主来电投诉噪音"},
                                          **h.field())
    assert entry.post_id is None and entry.site_id == demo.id


def test_a_day_is_signed_once_and_unsigned_days_are_listed(demo):
    _write(demo, at=h.NOW - timedelta(days=2))
    _write(demo, at=h.NOW - timedelta(days=1))
    assert len(dutylog.unsigned_days(demo.id, h.NOW)) == 2
    day = (h.NOW - timedelta(days=2)).date().isoformat()
    dutylog.sign_day(h.user("supervisor01"), demo.id, day, "已核", now=h.NOW)
    db.session.commit()
    assert dutylog.unsigned_days(demo.id, h.NOW) == [(h.NOW - timedelta(days=1)).date()]
    with pytest.raises(DomainError):
        dutylog.sign_day(h.user("supervisor01"), demo.id, day, "", now=h.NOW)
    assert chain.verify(demo.id).ok


def test_duty_log_over_http_the_signoff_page_and_the_export(client, auth, demo):
    auth.login("gate01")
    answer = h.post_field(client, "/gate/dutylog", {"post": str(h.post(demo).id), "text": "东门道闸故障",
                                                    "category": "equipment", "follow_up": "1"})
    assert answer.status_code == 201 and 'data-action="duty-log"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("supervisor01")
    today = utcnow().astimezone(h.SHANGHAI).date().isoformat()
    day = client.get(f"/gate/sites/{demo.id}/day?date={today}").get_data(as_text=True)
    assert "东门道闸故障" in day and 'id="gate-day-sign"' in day
    client.post(f"/gate/sites/{demo.id}/signoff", data={"day": today})
    assert 'id="gate-day-signed"' in client.get(f"/gate/sites/{demo.id}/day?date={today}").get_data(as_text=True)
    body = client.get(f"/export/dutylog.csv?site=DEMO&date_from={today}&date_to={today}").get_data(as_text=True)
    assert body.startswith("\ufeff") and "东门道闸故障" in body and "陈静" in body
