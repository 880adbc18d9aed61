"""The one alert service: once per event, to exactly the people named, delivered and acknowledged per person,
and `GET /alerts/active` as the stable hook describes it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from wuye_field.alerts import services
from wuye_field.alerts.models import Alert, AlertRecipient
from wuye_field.extensions import db

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)


def test_the_same_event_raises_one_alert_and_nobody_gets_it_twice(factories):
    site = factories.site()
    desk = factories.user("desk", site)
    first = services.raise_alert("sos", site.id, [desk.id, desk.id], "紧急求助", dedupe_key="sos:1", now=NOW)
    again = services.raise_alert("sos", site.id, [desk.id], "紧急求助", dedupe_key="sos:1", now=NOW)
    assert first is not None and again is None
    assert db.session.scalar(select(func.count(AlertRecipient.id))) == 1


def test_nobody_to_tell_and_no_webhook_raises_nothing(factories):
    site = factories.site()
    assert services.raise_alert("sos", site.id, [], "x", dedupe_key="k", now=NOW) is None
    assert db.session.scalar(select(func.count(Alert.id))) == 0


def test_site_people_are_the_active_holders_of_the_roles(factories):
    site, other = factories.site(), factories.site()
    desk, supervisor = factories.user("desk", site), factories.user("supervisor", site)
    factories.user("guard", site)
    factories.user("desk", other)
    gone = factories.user("desk", site)
    gone.active = False
    assert services.site_people(site.id, ("desk", "supervisor")) == {desk.id, supervisor.id}


def test_active_lists_newest_first_and_marks_delivery_to_the_page(client, auth, demo):
    from wuye_field.accounts.services import find_user_by_login

    desk = find_user_by_login("desk01")
    services.raise_alert("order_amber", demo.id, [desk.id], "工单将超时", dedupe_key="a", now=NOW)
    services.raise_alert("sos", demo.id, [desk.id], "紧急求助：张伟", dedupe_key="b", now=NOW + timedelta(minutes=1),
                         details={"user": "张伟", "last_checkpoint": "配电房",
                                  "position": {"lat": 31.2, "lon": 121.4, "accuracy": 12}})
    db.session.commit()
    auth.login("desk01")
    body = client.get("/alerts/active", headers={"Accept": "application/json"}).get_json()
    assert [a["text"] for a in body["alerts"]] == ["紧急求助：张伟", "工单将超时"]
    sos = body["alerts"][0]
    assert {"id", "kind", "site", "text", "created_at"} <= set(sos) and sos["site"] == demo.id
    assert sos["user"] == "张伟" and sos["last_checkpoint"] == "配电房" and sos["position"]["accuracy"] == 12
    assert all(r.delivered_at is not None for r in db.session.scalars(select(AlertRecipient)))


def test_one_acknowledgement_answers_the_alert_for_everyone(client, auth, demo):
    from wuye_field.accounts.services import find_user_by_login

    desk, supervisor = find_user_by_login("desk01"), find_user_by_login("supervisor01")
    alert = services.raise_alert("sos", demo.id, [desk.id, supervisor.id], "紧急求助", dedupe_key="s", now=NOW)
    db.session.commit()
    auth.login("supervisor01")
    assert client.post(f"/alerts/{alert.id}/ack", headers={"Accept": "application/json"}).status_code == 200
    assert client.get("/alerts/active").get_json()["alerts"] == []
    auth.logout()
    auth.login("desk01")
    assert client.get("/alerts/active").get_json()["alerts"] == []
    state = services.delivery_state(db.session.get(Alert, alert.id))
    assert state["acknowledged"] and state["acknowledged_by"] == "陈静"


def test_an_alert_not_sent_to_you_cannot_be_acknowledged(client, auth, demo):
    from wuye_field.accounts.services import find_user_by_login

    alert = services.raise_alert("sos", demo.id, [find_user_by_login("desk01").id], "x", dedupe_key="s", now=NOW)
    db.session.commit()
    auth.login("guard01")
    response = client.post(f"/alerts/{alert.id}/ack", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["message"] == "提醒不存在。"
    assert client.get("/alerts/active").get_json()["alerts"] == []


def test_geolocation_is_allowed_on_the_apps_own_origin_only(client):
    assert "geolocation=(self)" in client.get("/login").headers["Permissions-Policy"]


def test_vapid_keys_command_prints_a_key_pair(runner):
    result = runner.invoke(args=["wuye", "vapid-keys"])
    lines = dict(line.split("=", 1) for line in result.output.strip().splitlines())
    assert len(lines["VAPID_PRIVATE_KEY"]) == 43 and len(lines["VAPID_PUBLIC_KEY"]) == 87
