"""The service desk: raise (resident call, defect, supervisor), assign / reassign, return visit, cancel,
double submits, the live board, 「我发起的」, Chinese errors and scoping."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.workorders.helpers import assigned, crew, done, raise_order, receipt
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.workorders.models import OrderEvent, WorkOrder

PASSWORD = "password-123"
FORM = {"category": "water", "priority": "emergency", "description": "厨房水管漏水", "resident_name": "王先生",
        "resident_phone": "13812341234", "room": "1203"}


@pytest.fixture
def team(factories):
    team = crew(factories)
    db.session.commit()
    return team


def login(auth, user):
    response = auth.login(user.staff_no, PASSWORD)
    assert response.status_code in (302, 303), response.text


def orders_of(user) -> list[WorkOrder]:
    db.session.expire_all()
    return list(db.session.scalars(select(WorkOrder).where(WorkOrder.raised_by_id == user.id)))


def events(order, kind: str) -> list[OrderEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.kind == kind)))


def post_new(client, team, **values):
    data = FORM | {"site_id": team.site.id, "client_uuid": str(uuid.uuid4())} | values
    return client.post("/workorders/new", data=data)


# ---------------------------------------------------------------- raising


def test_new_order_form(team, client, auth):
    login(auth, team.desk)
    response = client.get(f"/workorders/new?site={team.site.id}")
    assert response.status_code == 200
    assert 'name="client_uuid"' in response.text and "发起工单" in response.text


def test_desk_raises_a_resident_call(team, client, auth):
    login(auth, team.desk)
    response = post_new(client, team)
    assert response.status_code == 303
    [order] = orders_of(team.desk)
    assert (order.source, order.state, order.priority, order.resident_phone) == ("desk", "new", "emergency",
                                                                                 "13812341234")
    assert response.headers["Location"].endswith(f"/workorders/desk/orders/{order.id}?raised=1")


def test_double_submit_stores_once(team, client, auth):
    # R1: the form's client UUID makes a double tap store one order
    login(auth, team.desk)
    key = str(uuid.uuid4())
    assert post_new(client, team, client_uuid=key).status_code == 303
    assert post_new(client, team, client_uuid=key).status_code == 303
    assert len(orders_of(team.desk)) == 1


def test_supervisor_raise_is_marked_supervisor(team, client, auth):
    login(auth, team.sup)
    assert post_new(client, team).status_code == 303
    assert orders_of(team.sup)[0].source == "supervisor"


def test_raise_errors_are_chinese_and_keep_the_form(team, client, auth):
    login(auth, team.desk)
    response = post_new(client, team, description="", category="bogus", resident_phone="abc")
    assert response.status_code == 422
    assert "请填写问题描述" in response.text and "请选择类别" in response.text and "电话号码不正确" in response.text
    assert "王先生" in response.text  # what was typed is kept
    htmx = post_new(client, team, description="", **{})
    assert htmx.status_code == 422
    fragment = client.post("/workorders/new", data=FORM | {"site_id": team.site.id, "client_uuid": str(uuid.uuid4()),
                                                           "description": ""}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text  # htmx swaps 2xx only
    assert orders_of(team.desk) == []


def test_raise_on_another_site_is_404(team, client, auth):
    # R15: another site's id → 404, nothing stored
    login(auth, team.desk)
    assert post_new(client, team, site_id=team.other_site.id).status_code == 404
    assert client.get(f"/workorders/new?site={team.other_site.id}").status_code == 404
    assert orders_of(team.desk) == []


def test_raise_from_a_defect(team, client, auth, factories):
    from wuye_field.defects.records import record_defect

    place = factories.place(team.site)
    now = utcnow()
    defect = record_defect(team.guard, place_id=place.id, site_id=None, location="东侧", category="water",
                           severity="high", note="水管渗水", photo_ids=[str(uuid.uuid4())],
                           receipt=receipt(now)).defect
    db.session.commit()
    login(auth, team.sup)
    form = client.get(f"/workorders/new?defect={defect.id}")
    assert form.status_code == 200 and "水管渗水" in form.text and f'value="{defect.id}"' in form.text
    response = post_new(client, team, defect_id=defect.id, description="水管渗水", place_id=place.id,
                        resident_name="", resident_phone="")
    assert response.status_code == 303
    [order] = orders_of(team.sup)
    assert (order.source, order.defect_id, order.place_id) == ("defect", defect.id, place.id)


# ---------------------------------------------------------------- assign, visit, cancel


def test_assign_and_reassign_keep_the_chain(team, client, auth):
    order = raise_order(team)
    db.session.commit()
    login(auth, team.desk)
    url = f"/workorders/desk/orders/{order.id}/assign"
    assert client.post(url, data={"assignee_id": team.tech.id, "client_uuid": str(uuid.uuid4())}).status_code == 303
    response = client.post(url, data={"assignee_id": team.tech2.id, "reason": "维修甲请假",
                                      "client_uuid": str(uuid.uuid4())}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "已派单" in response.text
    assert [e.assignee_id for e in events(order, "assign")] == [team.tech.id, team.tech2.id]
    assert db.session.get(WorkOrder, order.id).assignee_id == team.tech2.id


def test_assign_double_submit_stores_once(team, client, auth):
    order = raise_order(team)
    db.session.commit()
    login(auth, team.desk)
    data = {"assignee_id": team.tech.id, "client_uuid": str(uuid.uuid4())}
    client.post(f"/workorders/desk/orders/{order.id}/assign", data=data)
    again = client.post(f"/workorders/desk/orders/{order.id}/assign", data=data, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "没有重复保存" in again.text
    assert len(events(order, "assign")) == 1


def test_assign_errors(team, client, auth, factories):
    order = raise_order(team)
    outsider = factories.user("technician", team.other_site)
    db.session.commit()
    login(auth, team.desk)
    url = f"/workorders/desk/orders/{order.id}/assign"
    missing = client.post(url, data={"assignee_id": "", "client_uuid": str(uuid.uuid4())})
    assert missing.status_code == 422 and "请选择维修工" in missing.text
    foreign = client.post(url, data={"assignee_id": outsider.id, "client_uuid": str(uuid.uuid4())})
    assert foreign.status_code == 422 and "本小区的维修工" in foreign.text
    stale = client.post(url, data={"assignee_id": team.tech.id, "client_uuid": "not-a-uuid"})
    assert stale.status_code == 400 and "刷新" in stale.text
    assert events(order, "assign") == []


def test_return_visit_satisfied_closes(team, client, auth):
    # W4: the desk asks the resident; satisfied closes the order
    order = assigned(team)
    done(team, order, at=utcnow())
    db.session.commit()
    login(auth, team.desk)
    response = client.post(f"/workorders/desk/orders/{order.id}/visit",
                           data={"verdict": "satisfied", "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(WorkOrder, order.id).state == "closed"
    assert [e.verdict for e in events(order, "visit")] == ["satisfied"]


def test_return_visit_not_satisfied_needs_a_note_and_reopens(team, client, auth):
    order = assigned(team)
    done(team, order, at=utcnow())
    db.session.commit()
    login(auth, team.desk)
    url = f"/workorders/desk/orders/{order.id}/visit"
    refused = client.post(url, data={"verdict": "not_satisfied", "client_uuid": str(uuid.uuid4())})
    assert refused.status_code == 422 and "不满意时请写明原因" in refused.text
    no_verdict = client.post(url, data={"client_uuid": str(uuid.uuid4())})
    assert no_verdict.status_code == 422 and "请选择住户是否满意" in no_verdict.text
    assert client.post(url, data={"verdict": "not_satisfied", "note": "还在漏",
                                  "client_uuid": str(uuid.uuid4())}).status_code == 303
    db.session.expire_all()
    reopened = db.session.get(WorkOrder, order.id)
    assert (reopened.state, reopened.reopen_count, reopened.assignee_id) == ("assigned", 1, team.tech.id)


def test_visit_before_done_is_refused_in_chinese(team, client, auth):
    # Illegal transitions are refused with a Chinese message, nothing stored
    order = assigned(team)
    db.session.commit()
    login(auth, team.desk)
    response = client.post(f"/workorders/desk/orders/{order.id}/visit",
                           data={"verdict": "satisfied", "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 409 and "工单完成后才能回访" in response.text
    assert events(order, "visit") == []


def test_cancel_needs_a_reason(team, client, auth):
    order = raise_order(team)
    db.session.commit()
    login(auth, team.desk)
    url = f"/workorders/desk/orders/{order.id}/cancel"
    refused = client.post(url, data={"reason": " ", "client_uuid": str(uuid.uuid4())})
    assert refused.status_code == 422 and "请填写取消原因" in refused.text
    key = str(uuid.uuid4())
    assert client.post(url, data={"reason": "住户自行修好", "client_uuid": key}).status_code == 303
    assert client.post(url, data={"reason": "住户自行修好", "client_uuid": key}).status_code == 303  # double tap
    assert len(events(order, "cancel")) == 1
    assert db.session.get(WorkOrder, order.id).state == "cancelled"


# ---------------------------------------------------------------- board, 「我发起的」, scoping


def test_board_lists(team, client, auth):
    now = utcnow()
    late = assigned(team, at=now - timedelta(minutes=70), description="已超时")       # emergency: 60 min
    amber = raise_order(team, at=now - timedelta(minutes=50), description="快超时")   # 10 min left
    fresh = raise_order(team, at=now - timedelta(minutes=1), priority="ordinary", description="新单")
    finished = assigned(team, at=now - timedelta(minutes=30), priority="ordinary", tech=team.tech2)
    done(team, finished, at=now - timedelta(minutes=5))
    db.session.commit()
    login(auth, team.desk)
    response = client.get(f"/workorders/desk?site={team.site.id}")
    assert response.status_code == 200
    text = response.text

    def section(name: str) -> str:
        return text.split(f'id="desk-{name}"', 1)[1].split("</section>", 1)[0]

    assert late.number in section("late") and amber.number not in section("late")
    assert amber.number in section("breaching")
    assert fresh.number in section("new") and amber.number in section("new")
    assert finished.number in section("visit")
    load = section("load")
    assert team.tech.name in load and team.tech2.name in load
    assert "13812341234" in text  # the desk's lists show the resident in full
    fragment = client.get(f"/workorders/desk?site={team.site.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="desk-board"' in fragment.text


def test_board_shows_conflicts(team, client, auth):
    from wuye_field.workorders import services

    order = assigned(team)
    services.assign(team.desk, order.id, team.tech2.id, receipt=receipt())
    services.arrive(team.tech, order.id, receipt=receipt())  # worked offline on a reassigned order
    db.session.commit()
    login(auth, team.sup)
    text = client.get(f"/workorders/desk?site={team.site.id}").text
    conflicts = text.split('id="desk-conflicts"', 1)[1].split("</section>", 1)[0]
    assert order.number in conflicts and team.tech.name in conflicts
    assert "13812341234" not in text  # supervisors' lists are masked (and not logged)


def test_mine_raised_until_closed(team, client, auth):
    # W6: whoever raised the order sees it in 「我发起的」 until it is closed
    order = assigned(team)
    db.session.commit()
    login(auth, team.desk)
    assert order.number in client.get("/workorders/mine-raised").text
    done(team, order, at=utcnow())
    from wuye_field.workorders import services

    services.record_visit(team.desk, order.id, "satisfied", receipt=receipt(utcnow()))
    db.session.commit()
    assert order.number not in client.get("/workorders/mine-raised").text


@pytest.mark.parametrize("role_user,status", [("tech", 403), ("guard", 403)])
def test_desk_refused_to_field_roles(team, client, auth, role_user, status):
    login(auth, getattr(team, role_user))
    assert client.get("/workorders/desk").status_code == status
    assert client.get("/workorders/new").status_code == status


def test_other_sites_order_is_404(team, client, auth):
    # R15: changing the id to another site's order → 404
    order = raise_order(team)
    db.session.commit()
    login(auth, team.other_desk)
    assert client.get(f"/workorders/desk/orders/{order.id}").status_code == 404
    response = client.post(f"/workorders/desk/orders/{order.id}/cancel",
                           data={"reason": "x", "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 404
    assert client.get(f"/workorders/desk?site={team.site.id}").status_code == 404
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.kind == "cancel")) == 0


def test_home_cards(team, client, auth):
    # The desk's home card counts new and late orders; a guard without raised orders gets no card
    late = raise_order(team, at=utcnow() - timedelta(minutes=90))
    db.session.commit()
    login(auth, team.desk)
    home = client.get("/").text
    assert 'data-home-link="workorders-desk"' in home and 'data-late="1"' in home and 'data-new="1"' in home
    assert late.number not in home
    auth.logout()
    login(auth, team.guard)
    assert 'data-home-link="workorders-desk"' not in client.get("/").text


def test_demo_orders_fill_the_desk(demo, client, auth):
    # `flask wuye demo`: orders in several states (idempotent), so the desk and tech01's list are not empty
    from wuye_field.workorders.demo import load_workorders_demo

    load_workorders_demo(demo, orders=True)
    load_workorders_demo(demo, orders=True)
    db.session.commit()
    states = sorted(db.session.scalars(select(WorkOrder.state).where(WorkOrder.site_id == demo.id)))
    assert states == ["arrived", "assigned", "closed", "done", "new", "new"]
    auth.login("desk01", "wuye-demo")
    text = client.get("/workorders/desk").text
    for section in ("late", "breaching", "new", "visit"):
        assert "data-order-id" in text.split(f'id="desk-{section}"', 1)[1].split("</section>", 1)[0], section
