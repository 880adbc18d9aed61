"""Visitors at the gate (G1–G7): registering, bad input refused whole, out / out before in, masking and the
access log, the site's ID rule, erasure after retention with the chain still verifying, handover notes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.gate import helpers as h
from wuye_field.audit import chain
from wuye_field.audit.models import ChainEntry
from wuye_field.audit.settings_history import change_setting
from wuye_field.extensions import db
from wuye_field.gate import visitors
from wuye_field.gate.models import GateErasure, Visitor, VisitorAccess, VisitorPerson
from wuye_field.handover.timeline import handover_notes


def _register(site, login="gate01", at=h.NOW, **changes):
    visitor = visitors.register_visitor(h.user(login), h.visitor_form(site, **changes), **h.field(at))
    db.session.commit()
    return visitor


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_visitor_is_stored_with_personal_fields_apart_and_chained(demo):
    visitor = _register(demo)
    assert visitor.inside and visitor.party_size == 2 and visitor.plate == "粤BD12345"
    person = db.session.get(VisitorPerson, visitor.id)
    assert (person.name, person.phone, person.id_number) == ("王建国", "13812341234", h.VALID_ID)
    entry = db.session.scalar(select(ChainEntry).where(ChainEntry.kind == "gate_visitor"))
    assert entry.record_id == visitor.id
    assert visitor.person_digest == visitors.person_digest(person.salt, "王建国", "13812341234", h.VALID_ID, "")


@pytest.mark.parametrize("changes, field, message", [
    ({"id_number": "110105194912310021"}, "id_number", "校验码"),
    ({"phone": "1381234123"}, "phone", "11 位"),
    ({"plate": "粤B1234"}, "plate", "车牌号格式不对"),
    ({"name": ""}, "name", "访客姓名"),
    ({"building": "", "host_name": ""}, "building", "被访楼栋"),
    ({"party_size": "0"}, "party_size", "人数"),
])
def test_bad_input_gets_a_chinese_message_on_its_field_and_nothing_is_stored(demo, changes, field, message):
    with pytest.raises(visitors.GateRefused) as refused:
        visitors.register_visitor(h.user("gate01"), h.visitor_form(demo, **changes), **h.field())
    db.session.rollback()
    assert message in refused.value.errors[field] and refused.value.status == 422
    assert _count(Visitor) == 0 and _count(VisitorPerson) == 0 and _count(ChainEntry) == 0


def test_the_site_may_require_an_id_number(demo):
    change_setting(h.user("admin01"), demo.id, "site", "gate.visitor_id_required", True, now=h.NOW - timedelta(days=1),
                   default=False)
    db.session.commit()
    with pytest.raises(visitors.GateRefused) as refused:
        visitors.register_visitor(h.user("gate01"), h.visitor_form(demo, id_type="", id_number=""), **h.field())
    assert "证件" in refused.value.errors["id_type"]


def test_time_out_before_time_in_is_refused_and_leaving_twice_is_409(demo):
    visitor = _register(demo)
    with pytest.raises(visitors.GateRefused) as refused:
        visitors.visitor_out(h.user("gate01"), visitor.id, **h.field(h.NOW - timedelta(minutes=5)))
    assert "不能早于进入时间" in refused.value.errors["time_out"]
    db.session.rollback()
    visitors.visitor_out(h.user("gate01"), visitor.id, **h.field(h.NOW + timedelta(hours=1)))
    db.session.commit()
    assert not db.session.get(Visitor, visitor.id).inside
    with pytest.raises(visitors.GateRefused) as again:
        visitors.visitor_out(h.user("gate01"), visitor.id, **h.field(h.NOW + timedelta(hours=2)))
    assert again.value.status == 409


def test_phone_and_id_are_masked_except_for_the_desk_and_supervisors_and_full_views_are_logged(demo):
    visitor = _register(demo)
    masked = visitors.list_view(h.user("supervisor01"), visitor)
    assert masked.phone == "138****1234" and masked.id_number == "110***********002X" and not masked.full
    desk = visitors.full_view(h.user("desk01"), visitor, now=h.NOW)
    assert desk.phone == "13812341234" and _count(VisitorAccess) == 0  # the desk's views are not logged
    full = visitors.full_view(h.user("supervisor01"), visitor, now=h.NOW)
    assert full.id_number == h.VALID_ID and _count(VisitorAccess) == 1
    cleaner = visitors.full_view(h.user("cleaner01"), visitor, now=h.NOW)
    assert cleaner.phone == "138****1234" and _count(VisitorAccess) == 1


def test_erasure_after_retention_keeps_the_record_and_the_chain_verifying(demo):
    old = _register(demo, at=h.NOW - timedelta(days=200))
    young = _register(demo, at=h.NOW - timedelta(days=10))
    erasure = visitors.erase_expired(demo.id, now=h.NOW)
    db.session.commit()
    assert erasure.count == 1 and erasure.record_ids == str(old.id) and erasure.retention_days == 180
    assert db.session.get(VisitorPerson, old.id) is None and db.session.get(VisitorPerson, young.id) is not None
    assert db.session.get(Visitor, old.id) is not None
    assert visitors.list_view(h.user("desk01"), db.session.get(Visitor, old.id)).erased
    kinds = list(db.session.scalars(select(ChainEntry.kind).order_by(ChainEntry.seq)))
    assert kinds[-1] == "gate_erasure"
    assert chain.verify(demo.id).ok
    assert visitors.erase_expired(demo.id, now=h.NOW) is None  # nothing left to erase
    assert _count(GateErasure) == 1


def test_the_erasure_is_not_an_update_of_a_record(demo):
    visitor = _register(demo)
    db.session.execute(Visitor.__table__.select())  # the table stays append-only
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(Visitor.__table__.update().where(Visitor.id == visitor.id).values(person_digest="x"))
        db.session.flush()
    db.session.rollback()


def test_visitors_still_inside_appear_on_the_handover_of_their_post(demo):
    visitor = _register(demo)
    notes = handover_notes(h.post(demo), h.user("guard01"), now=h.NOW)
    assert len(notes) == 1 and "王建国" in notes[0] and "仍在小区内" in notes[0]
    visitors.visitor_out(h.user("gate01"), visitor.id, **h.field(h.NOW + timedelta(hours=1)))
    db.session.commit()
    assert handover_notes(h.post(demo), h.user("guard01"), now=h.NOW) == []


def test_purge_expired_erases_visitors_personal_fields_and_says_so(demo, runner):
    from datetime import datetime, timezone

    old = _register(demo, at=datetime.now(timezone.utc) - timedelta(days=181))
    result = runner.invoke(args=["wuye", "purge-expired"])
    assert result.exit_code == 0 and "visitor personal data erased 1" in result.output
    assert db.session.get(VisitorPerson, old.id) is None and chain.verify(demo.id).ok
