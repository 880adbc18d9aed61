"""Passes (G9) and the watch list (G8): issue with a number and QR, one-tap entry, refused with a reason
when unknown / expired / another site's; a watch-list match is recorded with the guard's decision, never
refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.gate import helpers as h
from wuye_field.core.errors import FieldErrors
from wuye_field.extensions import db
from wuye_field.gate import passes, visitors
from wuye_field.gate.models import GatePass, Visitor, VisitorPerson


def _issue(site, **changes):
    values = {"visitor_name": "李娜", "visitor_phone": "13912345678", "building": str(h.building(site).id),
              "unit": "1单元101", "valid_from": h.NOW.date().isoformat(), "days": "2"} | changes
    issued = passes.issue_pass(h.user("desk01"), site.id, values, now=h.NOW - timedelta(hours=1))
    db.session.commit()
    return issued


def test_a_pass_lets_the_visitor_in_with_one_tap(demo):
    issued = _issue(demo)
    assert issued.number.startswith("P") and issued.valid_until == issued.valid_from + timedelta(days=1)
    visitor = visitors.register_visitor(h.user("gate01"), {"post": str(h.post(demo).id), "pass": issued.number.lower()},
                                        **h.field(h.NOW + timedelta(days=1)))
    db.session.commit()
    person = db.session.get(VisitorPerson, visitor.id)
    assert visitor.pass_id == issued.id and person.name == "李娜" and visitor.unit == "1单元101"


@pytest.mark.parametrize("number, at_days, reason", [("PNOSUCH1", 0, "不存在"), (None, 3, "有效")])
def test_an_unknown_or_expired_pass_is_refused_with_its_reason(demo, number, at_days, reason):
    issued = _issue(demo)
    with pytest.raises(visitors.GateRefused) as refused:
        visitors.register_visitor(h.user("gate01"), {"post": str(h.post(demo).id), "pass": number or issued.number},
                                  **h.field(h.NOW + timedelta(days=at_days)))
    assert reason in refused.value.errors["pass"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Visitor.id))) == 0


def test_another_sites_pass_is_refused(demo, factories):
    other = factories.site(code="OTHER2", name="别的小区")
    foreign = GatePass(site_id=other.id, number="PFOREIGN", valid_from=h.NOW.date(), valid_until=h.NOW.date())
    db.session.add(foreign)
    db.session.commit()
    with pytest.raises(visitors.GateRefused) as refused:
        visitors.register_visitor(h.user("gate01"), {"post": str(h.post(demo).id), "pass": "PFOREIGN"}, **h.field())
    assert "不是本小区" in refused.value.errors["pass"]


def test_a_pass_needs_a_name_and_at_most_seven_days(demo):
    with pytest.raises(FieldErrors) as refused:
        _issue(demo, visitor_name="", days="9")
    assert set(refused.value.errors) == {"visitor_name", "days"}


def test_the_pass_page_shows_a_qr_and_the_one_tap_form(client, auth, demo):
    issued = _issue(demo)
    auth.login("gate01")
    html = client.get(f"/gate/passes/{issued.number}").get_data(as_text=True)
    assert "<svg" in html and 'data-action="visitor-in"' in html and f'value="{issued.number}"' in html


def test_a_watch_list_match_is_recorded_with_the_guards_decision_never_refused(demo):
    passes.add_watch(h.user("supervisor01"), demo.id, {"plate": "粤BD12345", "note": "曾强行闯入"}, now=h.NOW)
    db.session.commit()
    admitted = visitors.register_visitor(h.user("gate01"), h.visitor_form(demo, watch_decision="admit"), **h.field())
    refused = visitors.register_visitor(h.user("gate01"), h.visitor_form(demo, watch_decision="refuse"), **h.field())
    unconfirmed = visitors.register_visitor(h.user("gate01"), h.visitor_form(demo), **h.field())
    db.session.commit()
    assert "曾强行闯入" in admitted.watch_hit and admitted.watch_decision == "admit" and admitted.inside
    assert refused.watch_decision == "refuse" and not refused.inside
    assert unconfirmed.watch_hit and unconfirmed.watch_decision == ""
    clean = visitors.register_visitor(h.user("gate01"), h.visitor_form(demo, plate="", watch_decision="refuse"),
                                      **h.field())
    assert clean.watch_hit == "" and clean.watch_decision == ""  # no match: no decision to record


def test_the_gate_page_carries_the_watch_list_without_full_id_numbers(client, auth, demo):
    passes.add_watch(h.user("supervisor01"), demo.id, {"id_number": h.VALID_ID, "note": "注意"}, now=h.NOW)
    db.session.commit()
    auth.login("gate01")
    html = client.get("/").get_data(as_text=True)
    assert "data-watch-list" in html and "002X" in html and h.VALID_ID not in html
