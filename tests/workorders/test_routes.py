"""Technician routes: 「我的工单」, the order page (clocks, resident, conflicts), the outbox steps' contract."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.workorders.helpers import assigned, crew, raise_order, receipt
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.workorders import services
from wuye_field.workorders.models import OrderEvent, ResidentAccess

HX = {"HX-Request": "true"}
PASSWORD = "password-123"


def field_headers(key: str | None = None, when=None) -> dict:
    """The outbox's headers for a field POST (README "How offline works")."""
    return {"Idempotency-Key": key or str(uuid.uuid4()), "X-Device-Time": (when or utcnow()).isoformat(),
            "Accept": "application/json"}


@pytest.fixture
def team(factories):
    return crew(factories, allow_grab=True)


def login(auth, user) -> None:
    response = auth.login(user.staff_no, PASSWORD)
    assert response.status_code in (302, 303)


def fresh_order(team, **values):
    """An order raised now and assigned to team.tech, committed."""
    order = assigned(team, at=utcnow() - timedelta(minutes=5), **values)
    db.session.commit()
    return order


def test_my_orders_page_fragment_and_home_card(client, auth, team):
    order = fresh_order(team)
    login(auth, team.tech)
    page = client.get("/workorders/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "我的工单" in html
    assert f'data-order-id="{order.id}"' in html and "剩 54\xa0分" in html  # on site within 60 min, raised 5 ago
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/workorders/", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="wo-index"' in fragment
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-workorders"' in home and 'data-open="1"' in home


def test_order_page_resident_call_only_for_assignee_while_open(client, auth, team):
    """H6: the assignee gets a tel: link (logged); another technician sees a masked number."""
    order = fresh_order(team)
    login(auth, team.tech)
    html = client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert 'href="tel:13812341234"' in html and 'data-clock="arrive"' in html and 'data-action="order-arrive"' in html
    assert db.session.scalar(select(func.count(ResidentAccess.id))) == 1
    auth.logout()
    login(auth, team.tech2)
    html = client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert "tel:" not in html and "138****1234" in html and 'data-action="order-arrive"' not in html


def test_other_site_order_is_404(client, auth, team):
    """R15"""
    order = fresh_order(team)
    login(auth, team.other_desk)
    assert client.get(f"/workorders/{order.id}").status_code == 404
    response = client.post(f"/workorders/{order.id}/arrive", headers=field_headers())
    assert response.status_code == 404 and "工单不存在" in response.get_json()["message"]


def test_arrive_is_idempotent(client, auth, team):
    """R1: a replay answers 200 with the stored body; one event."""
    order = fresh_order(team)
    login(auth, team.tech)
    headers = field_headers()
    first = client.post(f"/workorders/{order.id}/arrive", headers=headers)
    assert first.status_code == 201 and first.get_json()["order"]["state"] == "arrived"
    assert "已到场" in first.get_json()["message"]
    again = client.post(f"/workorders/{order.id}/arrive", headers=headers)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.kind == "arrive")) == 1
    twice = client.post(f"/workorders/{order.id}/arrive", headers=field_headers())
    assert twice.status_code == 409 and "已经点过到场" in twice.get_json()["message"]


def test_done_with_photos_price_and_signature(client, auth, factories):
    team = crew(factories, require_signature=True)
    tap = factories.price_item(team.site)
    order = fresh_order(team)
    login(auth, team.tech)
    html = client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert "data-signature-pad" in html and "换水龙头" in html
    client.post(f"/workorders/{order.id}/arrive", headers=field_headers())
    photo, signature = str(uuid.uuid4()), str(uuid.uuid4())
    missing = client.post(f"/workorders/{order.id}/done", headers=field_headers(),
                          data={"photo_ids": "", "paid": "0"})
    assert missing.status_code == 422 and "完工照片" in missing.get_json()["message"]
    response = client.post(f"/workorders/{order.id}/done", headers=field_headers(), data={
        "photo_ids": f"{photo},{signature}", "has_signature": "1", "paid": "1", "price_item_id": str(tap.id),
        "amount": "40.5", "materials": "龙头 1 个", "note": "已换"})
    assert response.status_code == 201, response.get_json()
    event = db.session.get(OrderEvent, response.get_json()["event"]["id"])
    assert (event.signature_photo_uuid, event.amount_fen, event.price_item_id) == (signature, 4050, tap.id)
    detail = services.order_detail(team.desk, order.id, utcnow())
    assert detail.order.state == "done" and detail.events[-1].pending_photos == 1  # the signature is linked apart


def test_grab_loser_is_told(client, auth, team):
    order = raise_order(team, at=utcnow())
    db.session.commit()
    login(auth, team.tech)
    assert "抢单" in client.get(f"/workorders/{order.id}").get_data(as_text=True)
    won = client.post(f"/workorders/{order.id}/grab", headers=field_headers())
    assert won.status_code == 201 and not won.get_json()["conflict"]
    auth.logout()
    login(auth, team.tech2)
    lost = client.post(f"/workorders/{order.id}/grab", headers=field_headers())
    body = lost.get_json()
    assert lost.status_code == 201 and body["conflict"] and "已被 维修甲 抢走" in body["message"]


def test_conflict_shown_on_order_page_and_settled(client, auth, team):
    order = fresh_order(team)
    services.assign(team.desk, order.id, team.tech2.id, receipt=receipt(utcnow()))
    db.session.commit()
    login(auth, team.tech)
    answer = client.post(f"/workorders/{order.id}/arrive", headers=field_headers(when=utcnow() - timedelta(minutes=3)))
    assert answer.status_code == 201 and answer.get_json()["conflict"]
    assert "改派给 维修乙" in answer.get_json()["message"]
    html = client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert 'id="conflicts"' in html and "改派给 维修乙" in html and "已处理" not in html  # a technician cannot settle
    auth.logout()
    login(auth, team.desk)
    event_id = answer.get_json()["event"]["id"]
    assert "已处理" in client.get(f"/workorders/{order.id}").get_data(as_text=True)
    settled = client.post(f"/workorders/conflicts/{event_id}/settle", data={"note": "以乙为准"})
    assert settled.status_code == 303
    assert 'id="conflicts"' not in client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert services.open_conflicts([team.site.id]) == []


def test_offline_manifest_lists_my_open_orders(client, auth, team):
    order = fresh_order(team)
    login(auth, team.tech)
    pages = client.get("/sync/manifest", headers={"Accept": "application/json"}).get_json()["pages"]
    assert "/workorders/" in pages and f"/workorders/{order.id}" in pages


def test_grab_race_two_at_once_and_replays_one_winner(app, team):
    """Two technicians grab the same order at the same instant, then both phones replay their grab:
    exactly one applied grab, the loser is told (also on replay), nothing stored twice."""
    import threading

    order = raise_order(team, at=utcnow())
    db.session.commit()
    url = f"/workorders/{order.id}/grab"
    clients = []
    for tech in (team.tech, team.tech2):
        client = app.test_client()
        assert client.post("/login", data={"username": tech.staff_no, "password": PASSWORD}).status_code == 302
        clients.append(client)
    db.session.commit()  # no transaction held by the test while the threads write
    headers = [field_headers(), field_headers()]
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def grab(i):
        barrier.wait(timeout=10)
        answers[i] = clients[i].post(url, headers=headers[i])

    threads = [threading.Thread(target=grab, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [a.status_code for a in answers] == [201, 201]
    bodies = [a.get_json() for a in answers]
    assert sorted(b["conflict"] for b in bodies) == [False, True]
    loser = next(b for b in bodies if b["conflict"])
    assert "抢走" in loser["message"]
    replays = [clients[i].post(url, headers=headers[i]) for i in range(2)]
    assert [r.status_code for r in replays] == [200, 200]
    assert [r.get_json() for r in replays] == bodies  # the stored answers, the loser told again
    db.session.expire_all()
    grabs = list(db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.kind == "grab")))
    assert len(grabs) == 2 and sum(g.applied for g in grabs) == 1
    winner = next(g for g in grabs if g.applied)
    assert db.session.get(type(order), order.id).assignee_id == winner.user_id


def test_my_conflicts_listed_until_settled(client, auth, team):
    """The technician sees their kept-but-not-applied steps on 「我的工单」 (the order is no longer theirs)."""
    order = fresh_order(team)
    services.cancel(team.desk, order.id, "业主取消", receipt=receipt(utcnow()))
    db.session.commit()
    login(auth, team.tech)
    client.post(f"/workorders/{order.id}/arrive", headers=field_headers())
    html = client.get("/workorders/").get_data(as_text=True)
    assert 'id="wo-my-conflicts"' in html and "已被取消" in html
    (event,) = services.open_conflicts([team.site.id])
    services.settle_conflict(team.desk, event.id, "已电话告知", receipt=receipt(utcnow()))
    db.session.commit()
    assert 'id="wo-my-conflicts"' not in client.get("/workorders/").get_data(as_text=True)


def test_grabbable_orders_open_offline(client, auth, team):
    order = raise_order(team, at=utcnow())
    db.session.commit()
    login(auth, team.tech)
    pages = client.get("/sync/manifest", headers={"Accept": "application/json"}).get_json()["pages"]
    assert f"/workorders/{order.id}" in pages
    assert f'data-order-id="{order.id}"' in client.get("/workorders/").get_data(as_text=True)


def test_order_page_renders_in_every_state(client, auth, team, factories):
    """No state leaves the page broken; only the buttons that work are shown (W1–W4 flow)."""
    tap = factories.price_item(team.site)
    order = fresh_order(team)
    now = utcnow()
    login(auth, team.tech)
    url = f"/workorders/{order.id}"

    def page():
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert 'data-action="order-arrive"' in page() and 'data-action="order-hold"' in page()
    services.hold(team.tech, order.id, "业主不在家", receipt=receipt(now))
    db.session.commit()
    html = page()
    assert 'data-action="order-resume"' in html and "暂停中" in html and 'data-action="order-arrive"' not in html
    services.resume(team.tech, order.id, receipt=receipt(now + timedelta(minutes=1)))
    services.arrive(team.tech, order.id, receipt=receipt(now + timedelta(minutes=2)))
    db.session.commit()
    assert '<use href="#i-ok"></use></svg> 按时' in page()
    services.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())], paid=True, price_item_id=tap.id,
                      materials="龙头", receipt=receipt(now + timedelta(minutes=3)))
    db.session.commit()
    html = page()
    assert "有偿 ¥35.00" in html and 'data-action="order-done"' not in html and "tel:" not in html  # closed to calls
    services.record_visit(team.desk, order.id, "not_satisfied", "还在滴水", receipt=receipt(now + timedelta(hours=1)))
    db.session.commit()
    html = page()
    assert "返修 1 次" in html and "不满意" in html and 'data-action="order-arrive"' in html
    services.cancel(team.desk, order.id, "业主另找人修", receipt=receipt(now + timedelta(hours=2)))
    db.session.commit()
    html = page()
    assert "已取消" in html and "data-outbox" not in html
