"""Incident reports and SOS through their routes, as the phone's outbox sends them."""
from __future__ import annotations

from sqlalchemy import select

from tests.sync.helpers import headers, new_key
from wuye_field.accounts.services import find_user_by_login
from wuye_field.alerts.models import Alert, AlertRecipient
from wuye_field.audit import chain
from wuye_field.extensions import db
from wuye_field.incidents.models import Incident, SosCall


def _report(client, **fields):
    data = {"category": "theft", "what": "车库有人撬车门"} | fields
    return client.post("/incidents/", data=data, headers=headers())


def _recipients(kind):
    return {find_user_by_login(login).id for login in kind}


def _alerted(kind):
    alert = db.session.scalar(select(Alert).where(Alert.kind == kind))
    if alert is None:
        return None
    return {r.user_id for r in db.session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == alert.id))}


def test_a_guard_reports_an_incident_on_the_chain(client, auth, demo):
    auth.login("guard01")
    response = _report(client, loss_yuan="800", police_called="1", people="两名陌生男子")
    assert response.status_code == 201 and response.get_json()["incident"]["major"] is False
    incident = db.session.scalar(select(Incident))
    assert incident.police_called and incident.loss_yuan == 800 and incident.site_id == demo.id
    assert chain.verify(demo.id).ok
    assert _alerted("major_incident") is None


def test_an_open_door_needs_the_colleagues_name(client, auth, demo):
    auth.login("guard01")
    refused = _report(client, category="open_door", what="1栋302户门开着")
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "发现门未关：不得单独进入。请填写与您一同进入的同事姓名（P12）。"
    assert db.session.scalar(select(Incident)) is None
    stored = _report(client, category="open_door", what="1栋302户门开着", colleague_name="李强")
    assert stored.status_code == 201
    assert db.session.scalar(select(Incident.colleague_name)) == "李强"


def test_the_form_shows_the_open_door_procedure_first(client, auth, demo):
    auth.login("guard01")
    page = client.get("/incidents/new?category=open_door").get_data(as_text=True)
    procedure, what = page.index("不要单独进入"), page.index("发生了什么")
    assert procedure < what and 'data-action="incident"' in page


def test_a_major_incident_alerts_the_supervisors_and_admins(client, auth, demo):
    auth.login("guard01")
    response = _report(client, category="injury", what="外墙清洗工从二楼坠落", casualties="1", ambulance_called="1")
    assert response.get_json()["incident"]["major"] is True and "重大事件" in response.get_json()["message"]
    assert _alerted("major_incident") == _recipients(["supervisor01", "admin01"])


def test_a_loss_over_ten_thousand_is_major_and_bad_numbers_are_refused_in_chinese(client, auth, demo):
    auth.login("guard01")
    assert _report(client, loss_yuan="12000").get_json()["incident"]["major"] is True
    bad = _report(client, loss_yuan="很多")
    assert bad.status_code == 422 and bad.get_json()["message"] == "损失金额请填数字（元）。"


def test_an_sos_reaches_the_desk_and_supervisors_once_with_the_last_checkpoint_and_position(client, auth, demo):
    from tests.sync.helpers import post_scan

    auth.login("guard01")
    _name, token, _url = _place_tag("CP01")
    assert post_scan(client, token).status_code == 201
    key = new_key()
    data = {"note": "有人闹事", "lat": "31.2304", "lon": "121.4737", "accuracy": "15"}
    first = client.post("/incidents/sos", data=data, headers=headers(key))
    replay = client.post("/incidents/sos", data=data, headers=headers(key))
    assert first.status_code == 201 and replay.status_code == 200
    assert db.session.query(SosCall).count() == 1
    assert _alerted("sos") == _recipients(["desk01", "supervisor01"])
    call = db.session.scalar(select(SosCall))
    assert call.last_checkpoint and call.position == {"lat": 31.2304, "lon": 121.4737, "accuracy": 15.0}
    status = client.get(f"/incidents/sos/{key}").get_json()
    assert status["delivered"] is False and status["acknowledged"] is False
    auth.logout()
    auth.login("desk01")
    alert = client.get("/alerts/active").get_json()["alerts"][0]
    assert alert["kind"] == "sos" and alert["user"] == "张伟" and alert["last_checkpoint"] == call.last_checkpoint
    client.post(f"/alerts/{alert['id']}/ack")
    auth.logout()
    auth.login("guard01")
    status = client.get(f"/incidents/sos/{key}").get_json()
    assert status["delivered"] and status["acknowledged"] and status["acknowledged_by"] == "杨丽"


def test_an_sos_without_a_position_carries_none(client, auth, demo):
    auth.login("guard01")
    assert client.post("/incidents/sos", data={"lat": "abc"}, headers=headers()).status_code == 201
    assert db.session.scalar(select(SosCall)).position is None


def test_follow_ups_until_closed_with_a_result(client, auth, demo):
    auth.login("guard01")
    incident_id = _report(client).get_json()["incident"]["id"]
    auth.logout()
    auth.login("desk01")
    client.post(f"/incidents/{incident_id}/followups", data={"note": "已通知派出所"})
    client.post(f"/incidents/{incident_id}/followups", data={"note": "民警到场处理完毕", "closes": "1"})
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "民警到场处理完毕" in page and "结案" in page
    again = client.post(f"/incidents/{incident_id}/followups", data={"note": "再跟进"},
                        headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.get_json()["message"] == "事件已结案。"


def _place_tag(code):
    from wuye_field.places.models import Place

    place = db.session.scalar(select(Place).where(Place.code == code))
    return place.name, place.tag_token, place.tag_url
