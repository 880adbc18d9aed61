"""G9: residents pre-register visitors for their own unit at the building's window, proved by a phone the desk
has registered for the unit (or the desk issues the pass on the resident's call from that phone). Refused with
one Chinese message whatever was unknown, logged as a security event; issued passes are in the admin change
log, masked; at most three days and five passes a unit a day; the gate checks the pass in."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.gate import helpers as h
from wuye_field.audit.models import AdminChange
from wuye_field.core.errors import FieldErrors
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import passes, unit_contacts, visitors
from wuye_field.gate.models import GatePass, UnitContact

PHONE = "13700001111"


def _contact(site, unit="2单元301", phone=PHONE, name="张敏"):
    contact = unit_contacts.add_contact(h.user("desk01"), site.id, {"building": str(h.building(site).id),
                                                                     "unit": unit, "name": name, "phone": phone},
                                        now=h.NOW)
    db.session.commit()
    return contact


def _form(**changes) -> dict:
    return {"unit": "2-301", "resident_phone": PHONE, "visitor_name": "李娜", "visitor_phone": "13912345678",
            "days": "1"} | changes


def test_units_are_matched_by_their_letters_and_digits():
    assert unit_contacts.unit_key("２单元３０１室") == unit_contacts.unit_key("2-301") == "2301"
    assert unit_contacts.unit_key("A座 12层") == "A12"


def test_the_desk_registers_a_phone_for_a_unit_in_the_change_log(demo):
    contact = _contact(demo)
    assert contact.unit_key == "2301"
    change = db.session.scalar(select(AdminChange).where(AdminChange.what.contains("住户登记")))
    assert "137****1111" in change.after and PHONE not in change.after
    with pytest.raises(FieldErrors) as refused:
        _contact(demo, unit="2-301")
    assert "已登记" in refused.value.errors["phone"]
    with pytest.raises(FieldErrors) as refused:
        unit_contacts.add_contact(h.user("desk01"), demo.id, {"building": str(h.building(demo).id), "unit": "",
                                                              "phone": "1370000"}, now=h.NOW)
    assert set(refused.value.errors) == {"unit", "phone"}


def test_a_resident_issues_a_pass_and_the_gate_checks_it_in(client, demo):
    _contact(demo)
    token = h.building(demo).public_token
    assert "访客预约" in client.get(f"/b/{token}").get_data(as_text=True)
    page = client.post(f"/b/{token}/pass", data=_form())
    html = page.get_data(as_text=True)
    assert page.status_code == 201, html
    issued = db.session.scalar(select(GatePass))
    assert issued.source == "resident" and issued.host_name == "张敏" and issued.unit == "2单元301"
    assert issued.number in html and "<svg" in html and "李**" in html and "13912345678" not in html
    change = db.session.scalar(select(AdminChange).where(AdminChange.what.contains(issued.number)))
    assert change.actor_id is None and "137****1111" in change.after and "李**" in change.after
    visitor = visitors.register_visitor(h.user("gate01"), {"post": str(h.post(demo).id), "pass": issued.number},
                                        **h.field(utcnow()))  # the window issued it for today
    assert visitor.pass_id == issued.id and visitor.person.host_name == "张敏"


@pytest.mark.parametrize("changes", [{"resident_phone": "13700002222"}, {"unit": "9-909"}])
def test_an_unknown_phone_or_unit_is_refused_with_one_message_and_logged(client, demo, caplog, changes):
    _contact(demo)
    caplog.set_level(logging.WARNING, logger="wuye_field.security")
    page = client.post(f"/b/{h.building(demo).public_token}/pass", data=_form(**changes))
    assert page.status_code == 422
    assert "未能核实" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(GatePass.id))) == 0
    assert any("resident_unverified" in r.getMessage() for r in caplog.records)


def test_a_removed_phone_no_longer_issues(client, demo):
    contact = _contact(demo)
    unit_contacts.remove_contact(h.user("desk01"), contact.id, now=h.NOW)
    db.session.commit()
    assert client.post(f"/b/{h.building(demo).public_token}/pass", data=_form()).status_code == 422


def test_at_most_three_days_and_five_passes_a_unit_a_day(demo):
    _contact(demo)
    building = h.building(demo)
    with pytest.raises(FieldErrors) as refused:
        passes.issue_for_resident(building, _form(days="4"), now=h.NOW)
    assert "1–3" in refused.value.errors["days"]
    for _n in range(passes.RESIDENT_PASSES_PER_DAY):
        passes.issue_for_resident(building, _form(), now=h.NOW)
    with pytest.raises(FieldErrors) as refused:
        passes.issue_for_resident(building, _form(unit="2单元301"), now=h.NOW)
    assert "已预约 5 张" in refused.value.errors["visitor_name"]
    assert passes.issue_for_resident(building, _form(), now=h.NOW + timedelta(days=1)).source == "resident"


def test_the_desk_issues_on_a_residents_call_from_a_known_phone(demo):
    _contact(demo)
    values = {"visitor_name": "李娜", "building": str(h.building(demo).id), "unit": "2-301", "days": "1"}
    with pytest.raises(FieldErrors) as refused:
        passes.issue_pass(h.user("desk01"), demo.id, values | {"caller_phone": "13700009999"}, now=h.NOW)
    assert "来电号码" in refused.value.errors["caller_phone"]
    issued = passes.issue_pass(h.user("desk01"), demo.id, values | {"caller_phone": PHONE}, now=h.NOW)
    assert issued.source == "call" and issued.contact_id is not None and issued.host_name == "张敏"
    assert passes.issue_pass(h.user("desk01"), demo.id, values, now=h.NOW).source == "desk"


def test_the_contacts_page_is_for_the_desk_only(client, auth, demo):
    _contact(demo)
    auth.login("desk01")
    page = client.get(f"/gate/sites/{demo.id}/contacts")
    assert page.status_code == 200 and PHONE in page.get_data(as_text=True)
    auth.logout()
    auth.login("gate01")
    assert client.get(f"/gate/sites/{demo.id}/contacts").status_code == 404
    assert db.session.scalar(select(func.count(UnitContact.id))) == 2  # the demo's and this one


def test_the_gate_page_carries_todays_passes_masked(client, auth, demo):
    _contact(demo)
    issued = passes.issue_for_resident(h.building(demo), _form(), now=h.NOW)
    db.session.commit()
    cached = passes.passes_for_phone(demo.id, h.NOW)
    assert cached[0]["number"] == issued.number and cached[0]["name"] == "李**"
    assert "住户自助" in cached[0]["source"]


def test_resident_passes_are_rate_limited(make_app):
    app = make_app(RESIDENT_LIMIT_PER_IP="2 per hour", RESIDENT_LIMIT_PER_PHONE="2 per hour",
                   RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    with app.app_context():
        from wuye_field.demo import load_demo

        site = load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        token = h.building(site).public_token
        client = app.test_client()
        run = uuid.uuid4().int
        client.environ_base["REMOTE_ADDR"] = f"10.{run % 250}.{run // 250 % 250}.{run // 62500 % 250}"
        form = _form(resident_phone=f"139{run % 10**8:08d}")
        codes = [client.post(f"/b/{token}/pass", data=form).status_code for _ in range(3)]
        assert codes == [422, 422, 429]  # guessing phones costs the address its count
