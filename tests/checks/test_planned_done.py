"""A planned work order completes with its plan's checklist, and completing it records the check (issue 15
item 5, W11): the order page's 「完工」 form is the checklist; the board and the month figures count the check
once, a replay included; an item marked not ok opens a defect; bad numbers store nothing."""
from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.checks.conftest import login, plan, user
from tests.sync import helpers
from tests.sync.helpers import count
from wuye_field.checks import board, orders, schedule
from wuye_field.checks.models import CheckRecord, PlannedOrder
from wuye_field.core.time import utcnow
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.workorders.models import WorkOrder


@pytest.fixture
def planned(client, auth, demo):
    """This month's pest-control orders, raised at the window's start for tech01; tech01 has arrived at one."""
    pest = plan("upkeep.pest")
    pest.assignee_id = user("tech01").id
    pest.orders_ahead_days = 31
    window = schedule.window_at(schedule.Frequency.from_dict(pest.frequency), utcnow(), demo.timezone)
    pest.created_at = window.start - timedelta(days=1)  # the plan in force since before this month
    made = orders.raise_planned_orders(demo, now=window.start + timedelta(minutes=1))
    db.session.commit()
    assert len(made) == 3  # three pest-control stations
    order = db.session.get(WorkOrder, made[0].work_order_id)
    login(client, auth, "tech01")
    assert client.post(f"/workorders/{order.id}/arrive", headers=helpers.headers()).status_code == 201
    return order, made[0]


def _done(client, order, key=None, **fields):
    data = {"photo_ids": str(uuid.uuid4()), "paid": "0", "note": "已投药"} | fields
    return client.post(f"/checks/orders/{order.id}/done", data=data, headers=helpers.headers(key))


def _line(demo, key):
    return next(ln for ln in board.board(demo, now=utcnow()).lines if ln.plan.key == key)


def test_the_order_page_completes_with_the_plans_checklist(client, planned):
    order, _row = planned
    html = client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert f'action="/checks/orders/{order.id}/done"' in html and 'data-action="order-done"' in html
    assert 'name="bad_baited"' in html and 'name="note_baited"' in html and "已投药，药盒完好" in html
    assert "检查项" not in order.description


def _month_done(demo) -> int:
    first = utcnow().astimezone(ZoneInfo(demo.timezone)).date().replace(day=1)
    line = next(ln for ln in board.month_figures(demo, first, now=utcnow()).lines if ln.plan.key == "upkeep.pest")
    return line.on_time + line.late


def test_completing_records_the_check_counted_once_replay_included(client, demo, planned):
    order, row = planned
    before, month_before = _line(demo, "upkeep.pest").counts.done, _month_done(demo)
    key, photo = helpers.new_key(), str(uuid.uuid4())
    answer = _done(client, order, key, bad_baited="0", photo_ids=photo)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["order"]["state"] == "done" and body["check"]["result"] == "ok"
    assert _done(client, order, key, bad_baited="0", photo_ids=photo).status_code == 200  # the phone's replay
    assert count(CheckRecord) == 1
    check = db.session.get(CheckRecord, body["check"]["id"])
    assert (check.plan_id, check.equipment_id) == (row.plan_id, row.equipment_id)
    assert _line(demo, "upkeep.pest").counts.done == before + 1
    assert _month_done(demo) == month_before + 1


def test_an_item_not_ok_with_its_note_opens_a_defect(client, planned):
    order, _row = planned
    answer = _done(client, order, bad_baited="1", note_baited="药盒被雨水冲走")
    assert answer.status_code == 201
    check = db.session.get(CheckRecord, answer.get_json()["check"]["id"])
    assert check.result == "fail" and check.answers["baited"] == {"ok": False, "note": "药盒被雨水冲走"}
    assert "药盒被雨水冲走" in db.session.get(Defect, check.defect_id).note


def test_a_bad_number_or_a_missing_photo_stores_nothing(client, demo, planned):
    order, _row = planned
    assert _done(client, order, photo_ids="").status_code == 422
    hydrant = plan("fire.weekly")  # a count in a checklist: a planned order of the weekly fire check
    hydrant.orders_ahead_days, hydrant.role, hydrant.assignee_id = 8, "technician", user("tech01").id
    db.session.commit()
    made = [p for p in orders.raise_planned_orders(demo, now=utcnow()) if p.plan_id == hydrant.id
            and p.equipment.type == "hydrant_box"]
    db.session.commit()
    other = db.session.get(WorkOrder, made[0].work_order_id)
    assert client.post(f"/workorders/{other.id}/arrive", headers=helpers.headers()).status_code == 201
    refused = _done(client, other, count_extinguishers="-1")
    assert refused.status_code == 422 and "不能小于 0" in refused.get_json()["message"]
    assert db.session.get(WorkOrder, other.id).state == "arrived" and count(CheckRecord) == 0


def test_an_ordinary_order_keeps_its_own_form_and_has_no_check_endpoint(client, demo, planned):
    from wuye_field.sync.receipt import Receipt
    from wuye_field.workorders import steps

    desk, tech = user("desk01"), user("tech01")
    plain = steps.raise_order(desk, site_id=demo.id, source="desk", category="water", priority="ordinary",
                              description="水龙头漏水", receipt=Receipt.server(utcnow()))
    steps.assign(desk, plain.id, tech.id, receipt=Receipt.server(utcnow()))
    db.session.commit()
    html = client.get(f"/workorders/{plain.id}").get_data(as_text=True)
    assert f'action="/workorders/{plain.id}/done"' in html and "order-checklist" not in html
    assert _done(client, plain).status_code == 404
    assert db.session.query(PlannedOrder).count() == 3
