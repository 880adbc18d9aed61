"""Each alert source fires once per event and reaches exactly the right people: emergency work orders (the grab
pool, then the assignee), clocks about to run out and run out, complaints about to miss their same-day answer, a
resident's complaint from a building's window."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.workorders.helpers import T0, assigned, crew, raise_order
from wuye_field.alerts.models import Alert, AlertRecipient
from wuye_field.extensions import db
from wuye_field.incidents import complaints
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders import steps
from wuye_field.workorders.alerting import check_clocks


def _sent(kind) -> list[set[int]]:
    alerts = db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id))
    return [set(db.session.scalars(select(AlertRecipient.user_id).where(AlertRecipient.alert_id == a.id)))
            for a in alerts]


def test_a_new_emergency_order_goes_to_the_grab_pool_then_to_its_assignee(factories):
    team = crew(factories, allow_grab=True)
    factories.user("technician", team.site)  # no water trade: not in the pool
    order = raise_order(team)
    assert _sent("emergency_order") == [{team.tech.id, team.tech2.id}]
    steps.assign(team.desk, order.id, team.tech.id, receipt=Receipt.server(T0))
    assert _sent("emergency_order") == [{team.tech.id, team.tech2.id}, {team.tech.id}]


def test_an_ordinary_order_raises_no_alert_and_no_grab_pool_none(factories):
    team = crew(factories)  # grabbing off: nobody to tell at raise time
    raise_order(team, priority="ordinary")
    raise_order(team)
    assert _sent("emergency_order") == []


def test_clocks_alert_amber_then_red_once_each_to_the_assignee_and_the_desk(factories):
    team = crew(factories)
    order = assigned(team, priority="ordinary")  # done within 8 h
    assert check_clocks(T0 + timedelta(hours=7)) == 0
    assert check_clocks(T0 + timedelta(hours=7, minutes=50)) == 1
    assert check_clocks(T0 + timedelta(hours=7, minutes=55)) == 0  # once
    assert check_clocks(T0 + timedelta(hours=8, minutes=1)) == 1
    assert check_clocks(T0 + timedelta(hours=9)) == 0
    assert _sent("order_amber") == [{team.tech.id, team.desk.id}]
    assert _sent("order_red") == [{team.tech.id, team.desk.id}]
    assert order.number in db.session.scalar(select(Alert.text).where(Alert.kind == "order_red"))


def test_a_complaint_about_to_miss_its_answer_alerts_its_owner_and_the_desk_once(factories):
    team = crew(factories)
    received = T0  # 10:00 Shanghai: due at midnight Shanghai = 16:00 UTC
    complaint = complaints.raise_complaint(
        team.sup, {"site_id": team.site.id, "channel": "call", "category": "noise", "who": "3-502 李女士",
                   "what": "楼上装修太吵"}, Receipt.server(received))
    assert complaint.owner_id == team.sup.id
    due = complaint.answer_due
    assert complaints.check_due_soon(due - timedelta(hours=2)) == 0
    assert complaints.check_due_soon(due - timedelta(minutes=50)) == 1
    assert complaints.check_due_soon(due - timedelta(minutes=10)) == 0
    assert _sent("complaint_due") == [{team.sup.id, team.desk.id}]


def test_an_answered_complaint_raises_nothing(factories):
    team = crew(factories)
    complaint = complaints.raise_complaint(
        team.desk, {"site_id": team.site.id, "channel": "visit", "category": "service", "who": "王先生",
                    "what": "保安态度差"}, Receipt.server(T0))
    complaints.add_step(team.desk, complaint.id, "answer", "已致电解释", now=T0 + timedelta(minutes=30))
    assert complaints.check_due_soon(complaint.answer_due - timedelta(minutes=30)) == 0


def test_a_residents_complaint_tells_the_desk_on_arrival_and_again_before_its_answer_is_due(factories):
    team = crew(factories)
    building = factories.building(team.site, name="7栋")
    complaint = complaints.receive_resident_complaint(building, reference="R2605010001", phone="13900008888",
                                                      what="垃圾桶满了没人清", photo_key=None, now=T0)
    assert complaint.owner_id is None
    assert _sent("resident_complaint") == [{team.desk.id}]
    assert complaints.check_due_soon(complaint.answer_due - timedelta(minutes=50)) == 1
    assert _sent("complaint_due") == [{team.desk.id}]  # nobody owns it yet: the desk
    text = db.session.scalar(select(Alert.text).where(Alert.kind == "resident_complaint"))
    assert "R2605010001" in text and "7栋" in text and "13900008888" not in text
