"""Goods-release slips (P10, G10–G11): issued with a number and QR; released with a count check (a mismatch
refused whole); unknown, expired, used and other-site slips refused with the reason and recorded; goods
stopped without a slip; a slip released from two phones' caches is flagged, never silently accepted twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.gate import helpers as h
from wuye_field.audit import chain
from wuye_field.core.errors import FieldErrors
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import slips, visitors
from wuye_field.gate.models import ReleaseCheck, ReleaseSlip


def _issue(site, now=h.NOW - timedelta(hours=1), **changes):
    values = {"building": str(h.building(site).id), "unit": "2单元301", "goods": "旧沙发、纸箱", "pieces": "3",
              "carrier": "搬家公司", "days": "1"} | changes
    slip = slips.issue_slip(h.user("desk01"), site.id, values, now=now)
    db.session.commit()
    return slip


def _check(site, number, pieces="3", at=h.NOW, login="gate01", **extra):
    values = {"post": str(h.post(site).id), "number": number, "pieces": pieces} | extra
    record, message = slips.check_release(h.user(login), values, **h.field(at))
    db.session.commit()
    return record, message


def _count():
    return db.session.scalar(select(func.count(ReleaseCheck.id)))


def test_a_valid_slip_is_released_once_then_refused_as_used(demo):
    slip = _issue(demo)
    assert slip.number.startswith("R") and slip.valid_until == h.NOW.date()
    record, message = _check(demo, slip.number.lower())
    assert record.outcome == "released" and record.pieces == 3 and "已放行" in message
    again, message = _check(demo, slip.number, at=h.NOW + timedelta(minutes=5))
    assert again.outcome == "refused" and again.reason == "used" and "已使用过" in message
    assert chain.verify(demo.id).ok


def test_a_count_that_does_not_match_is_refused_and_nothing_stored(demo):
    slip = _issue(demo)
    with pytest.raises(visitors.GateRefused) as refused:
        _check(demo, slip.number, pieces="2")
    db.session.rollback()
    assert "件数与放行条不符" in refused.value.errors["pieces"] and _count() == 0


def test_unknown_expired_and_other_site_slips_are_refused_and_recorded(demo, factories):
    slip = _issue(demo)
    unknown, message = _check(demo, "RNOSUCH1")
    assert (unknown.outcome, unknown.reason) == ("refused", "unknown") and "不存在" in message
    expired, message = _check(demo, slip.number, at=h.NOW + timedelta(days=2))
    assert expired.reason == "expired" and "过期" in message
    other = factories.site(code="OTHER3", name="别的小区")
    db.session.add(ReleaseSlip(site_id=other.id, number="RFOREIGN", goods="床", pieces=1, valid_until=h.NOW.date()))
    db.session.commit()
    foreign, message = _check(demo, "RFOREIGN")
    assert foreign.reason == "other_site" and "不是本小区" in message and _count() == 3


def test_a_slip_released_offline_on_two_phones_is_flagged_not_refused(demo):
    slip = _issue(demo)
    first, _message = _check(demo, slip.number, cached="1")
    second, message = _check(demo, slip.number, login="guard01", cached="1", at=h.NOW + timedelta(minutes=1))
    assert first.flag == "" and second.outcome == "released" and second.flag == "double_use"
    assert "另一部手机" in message


def test_goods_stopped_without_a_slip_need_a_note(demo):
    with pytest.raises(visitors.GateRefused):
        slips.stop_goods(h.user("gate01"), {"post": str(h.post(demo).id), "note": ""}, **h.field())
    db.session.rollback()
    record = slips.stop_goods(h.user("gate01"), {"post": str(h.post(demo).id), "note": "电动车一辆"}, **h.field())
    assert record.outcome == "stopped"


def test_issuing_checks_every_field(demo):
    with pytest.raises(FieldErrors) as refused:
        _issue(demo, goods="", pieces="0", days="30")
    assert set(refused.value.errors) == {"goods", "pieces", "days"}


def test_the_gate_page_carries_the_valid_unused_slips_and_the_forms(client, auth, demo):
    slip = _issue(demo, now=utcnow())
    used = _issue(demo, now=utcnow())
    _check(demo, used.number, at=utcnow())
    auth.login("gate01")
    html = client.get("/").get_data(as_text=True)
    assert 'data-action="release-check"' in html and 'data-action="release-stop"' in html
    assert slip.number in html and used.number not in html
    auth.logout()
    auth.login("desk01")
    page = client.get(f"/gate/sites/{demo.id}/slips/{slip.number}").get_data(as_text=True)
    assert "<svg" in page and slip.number in page


def test_release_check_over_http_is_201_and_a_count_mismatch_422(client, auth, demo):
    slip = _issue(demo, now=utcnow())
    auth.login("gate01")
    bad = h.post_field(client, "/gate/releases", {"post": str(h.post(demo).id), "number": slip.number, "pieces": "1"})
    assert bad.status_code == 422 and "件数与放行条不符" in bad.get_json()["message"]
    good = h.post_field(client, "/gate/releases", {"post": str(h.post(demo).id), "number": slip.number, "pieces": "3"})
    assert good.status_code == 201 and good.get_json()["release"]["outcome"] == "released"


def test_the_day_view_and_the_releases_export(client, auth, demo):
    slip = _issue(demo, now=utcnow())
    _check(demo, slip.number, at=utcnow())
    _check(demo, "RNOSUCH1", at=utcnow())
    auth.login("supervisor01")
    today = utcnow().astimezone(h.SHANGHAI).date().isoformat()
    day = client.get(f"/gate/sites/{demo.id}/day?date={today}").get_data(as_text=True)
    assert "开具 1 张 · 放行 1 · 拒绝 1 · 无条拦截 0" in day
    body = client.get(f"/export/releases.csv?site=DEMO&date_from={today}&date_to={today}").get_data(as_text=True)
    assert body.startswith("\ufeff") and slip.number in body and "放行条号不存在" in body
