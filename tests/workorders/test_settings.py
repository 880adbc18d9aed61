"""Site work-order settings (admins): SLA minutes (W1–W3, a 25-minute promise W2), grabbing, signature,
technician trades, the price list (W7); every change in the admin log; roles and scoping."""
from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.workorders.helpers import crew, raise_order
from wuye_field.audit.models import AdminChange
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.workorders import settings
from wuye_field.workorders.models import OrderSettings, PriceItem, TechnicianTrade

PASSWORD = "password-123"
SLA_FORM = {"emergency_arrive": "25", "emergency_finish": "480", "ordinary_arrive": "", "ordinary_finish": "480",
            "hard_arrive": "", "hard_finish": "4320"}


@pytest.fixture
def team(factories):
    team = crew(factories)
    team.admin = factories.user("admin", team.site, name="管理员甲")
    db.session.commit()
    return team


def changes(what: str) -> list[AdminChange]:
    db.session.expire_all()
    return list(db.session.scalars(select(AdminChange).where(AdminChange.what.like(what + "%"))))


def login(auth, user):
    auth.login(user.staff_no, PASSWORD)


def test_defaults_are_the_seed(team):
    # W1, W3: 60 min on site for emergencies; 8 h ordinary; 72 h hard
    assert settings.sla_minutes(team.site.id) == {"emergency": {"arrive": 60, "finish": 480},
                                                  "ordinary": {"arrive": None, "finish": 480},
                                                  "hard": {"arrive": None, "finish": 4320}}


def test_site_promises_25_minutes(team, client, auth):
    # W2: a site may promise 25 minutes; new orders take it, the change is logged
    login(auth, team.admin)
    response = client.post(f"/workorders/settings/sla?site={team.site.id}", data=SLA_FORM)
    assert response.status_code == 303
    assert settings.sla_minutes(team.site.id)["emergency"]["arrive"] == 25
    [change] = changes("workorders.sla")
    assert json.loads(change.before)["emergency"]["arrive"] == 60
    assert json.loads(change.after)["value"]["emergency"]["arrive"] == 25
    assert raise_order(team, at=utcnow()).arrive_minutes == 25
    # An order raised before the change (made offline, synced now) keeps the clocks in force then.
    assert raise_order(team, at=utcnow() - timedelta(hours=1)).arrive_minutes == 60
    # saving the same values again logs nothing
    client.post(f"/workorders/settings/sla?site={team.site.id}", data=SLA_FORM)
    assert len(changes("workorders.sla")) == 1


def test_a_clock_scheduled_for_next_week_leaves_this_weeks_orders_alone(team, client, auth):
    login(auth, team.admin)
    next_week = (utcnow() + timedelta(days=7)).astimezone(ZoneInfo(team.site.timezone))
    form = SLA_FORM | {"effective_from": next_week.strftime("%Y-%m-%dT%H:%M")}
    assert client.post(f"/workorders/settings/sla?site={team.site.id}", data=form).status_code == 303
    assert settings.sla_minutes(team.site.id)["emergency"]["arrive"] == 60  # the page shows what is in force
    assert raise_order(team, at=utcnow()).arrive_minutes == 60
    assert raise_order(team, at=next_week + timedelta(minutes=1)).arrive_minutes == 25
    past = SLA_FORM | {"effective_from": "2020-01-01T08:00"}
    assert "生效时间不能早于现在" in client.post(f"/workorders/settings/sla?site={team.site.id}", data=past).text


def test_bad_minutes_are_refused_in_chinese(team, client, auth):
    login(auth, team.admin)
    form = SLA_FORM | {"emergency_arrive": "", "ordinary_finish": "abc", "hard_arrive": "5000"}
    response = client.post(f"/workorders/settings/sla?site={team.site.id}", data=form,
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "请填写分钟数" in response.text and "整数" in response.text
    assert client.post(f"/workorders/settings/sla?site={team.site.id}", data=form).status_code == 422
    assert changes("workorders.sla") == []
    longer = SLA_FORM | {"emergency_arrive": "600", "emergency_finish": "60"}
    assert "到场时限不能长于完成时限" in client.post(f"/workorders/settings/sla?site={team.site.id}", data=longer).text


def test_switches_trades_and_prices(team, client, auth):
    login(auth, team.admin)
    base = "/workorders/settings"
    assert client.post(f"{base}/switches?site={team.site.id}", data={"allow_grab": "1"}).status_code == 303
    db.session.expire_all()
    switches = db.session.get(OrderSettings, team.site.id)
    assert (switches.allow_grab, switches.require_signature) == (True, False)
    assert len(changes("workorders.settings")) == 1

    client.post(f"{base}/trades/{team.tech.id}?site={team.site.id}", data={"categories": ["power", "lift"]})
    trades = set(db.session.scalars(select(TechnicianTrade.category).where(TechnicianTrade.user_id == team.tech.id)))
    assert trades == {"power", "lift"}  # water (from the crew) removed
    assert len(changes("workorders.trades")) == 1
    bad = client.post(f"{base}/trades/{team.tech.id}?site={team.site.id}", data={"categories": ["magic"]})
    assert bad.status_code == 422 and "工种无效" in bad.text
    assert client.post(f"{base}/trades/{team.guard.id}?site={team.site.id}",
                       data={"categories": ["power"]}).status_code == 404

    # W7: the published price list
    assert client.post(f"{base}/prices?site={team.site.id}", data={"name": "换水龙头", "unit": "个",
                                                                   "price": "35.5"}).status_code == 303
    item = db.session.scalar(select(PriceItem).where(PriceItem.site_id == team.site.id))
    assert (item.price_fen, item.unit, item.active) == (3550, "个", True)
    bad_price = client.post(f"{base}/prices?site={team.site.id}", data={"name": "", "price": "-3"})
    assert bad_price.status_code == 422 and "请填写项目名称" in bad_price.text and "请填写价格" in bad_price.text
    client.post(f"{base}/prices/{item.id}/active?site={team.site.id}", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(PriceItem, item.id).active is False
    assert len(changes("workorders.price_item")) == 2
    page = client.get(f"{base}?site={team.site.id}")
    assert page.status_code == 200 and "换水龙头" in page.text and "35.50" in page.text


def test_parse_price():
    assert settings.parse_price("35") == 3500
    assert settings.parse_price("0.5") == 50
    for bad in ("", "abc", "-1", "1.234", "0", "1000001"):
        assert settings.parse_price(bad) is None


def test_settings_refused_to_others(team, client, auth, factories):
    # Admins only (403 for supervisors); another site's settings → 404
    other_admin = factories.user("admin", team.other_site)
    db.session.commit()
    login(auth, team.sup)
    assert client.get(f"/workorders/settings?site={team.site.id}").status_code == 403
    assert client.post(f"/workorders/settings/sla?site={team.site.id}", data=SLA_FORM).status_code == 403
    auth.logout()
    login(auth, other_admin)
    assert client.get(f"/workorders/settings?site={team.site.id}").status_code == 404
    assert client.post(f"/workorders/settings/sla?site={team.site.id}", data=SLA_FORM).status_code == 404
    assert changes("workorders") == []
