"""Resident data on orders (H6): masking, who sees full details, the access log and its page."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.workorders.helpers import T0, assigned, done, raise_order
from wuye_field.extensions import db
from wuye_field.workorders.models import ResidentAccess
from wuye_field.workorders.residents import list_view, mask_name, mask_phone, resident_view

PASSWORD = "password-123"


def access_count(order=None) -> int:
    query = select(func.count(ResidentAccess.id))
    if order is not None:
        query = query.where(ResidentAccess.order_id == order.id)
    return db.session.scalar(query)


def test_masking():
    # H6: the phone is masked as 138****1234 outside the people allowed to see it
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"
    assert mask_name("王建国") == "王**"
    assert mask_name("王五") == "王**"
    assert mask_name("") == ""


def test_desk_sees_full_without_log(team):
    # H6: the desk owns resident files; its look-ups are not logged
    order = raise_order(team)
    view = resident_view(team.desk, order)
    assert (view.name, view.phone, view.full) == ("王先生", "13812341234", True)
    assert view.tel_link == "tel:13812341234"
    assert access_count() == 0


def test_supervisor_and_assigned_technician_see_full_and_are_logged(team):
    # H6: every full view by anyone outside the desk is written to the access log
    order = assigned(team)
    assert resident_view(team.sup, order).full
    assert resident_view(team.tech, order).phone == "13812341234"
    who = set(db.session.scalars(select(ResidentAccess.user_id).where(ResidentAccess.order_id == order.id)))
    assert who == {team.sup.id, team.tech.id}


def test_others_see_masked_and_nothing_is_logged(team, factories):
    # H6: another technician, a guard and an admin see the masked name and phone only
    order = assigned(team)
    admin = factories.user("admin", team.site)
    for user in (team.tech2, team.guard, admin):
        view = resident_view(user, order)
        assert (view.name, view.phone, view.full, view.tel_link) == ("王**", "138****1234", False, None)
    assert access_count() == 0


def test_technician_sees_masked_once_the_order_is_done(team):
    # H6: the assigned technician sees the resident only while the order is open
    order = assigned(team)
    done(team, order, at=T0)
    view = resident_view(team.tech, order)
    assert view.phone == "138****1234" and not view.full
    assert access_count(order) == 0


def test_lists_reveal_only_to_the_desk(team):
    # A supervisor's list glance does not unmask (nor log 50 rows); the desk's list shows full details
    order = raise_order(team)
    assert list_view(team.sup, order).phone == "138****1234"
    assert list_view(team.desk, order).phone == "13812341234"
    assert access_count() == 0


def test_order_with_no_resident_logs_nothing(team):
    order = raise_order(team, resident_name="", resident_phone="")
    assert resident_view(team.sup, order).full
    assert access_count() == 0


def test_supervisor_page_view_is_logged_and_committed(team, client, auth):
    # H6: a GET page that shows full details commits its log row
    order = raise_order(team)
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    response = client.get(f"/workorders/desk/orders/{order.id}")
    assert response.status_code == 200
    assert "13812341234" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    db.session.rollback()  # whatever the request left uncommitted is gone
    assert access_count(order) == 1


def test_access_log_page_for_supervisors(team, client, auth):
    # H6: supervisors read the access log of their site
    order = assigned(team)
    resident_view(team.tech, order)
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    response = client.get(f"/workorders/resident-access?site={team.site.id}")
    assert response.status_code == 200
    assert team.tech.name in response.text and order.number in response.text
    fragment = client.get(f"/workorders/resident-access?site={team.site.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["Vary"]


def test_access_log_page_refused_to_others(team, client, auth):
    # R15: another site's log is 404; roles without the right get 403
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    assert client.get(f"/workorders/resident-access?site={team.other_site.id}").status_code == 404
    auth.logout()
    auth.login(team.tech.staff_no, PASSWORD)
    assert client.get(f"/workorders/resident-access?site={team.site.id}").status_code == 403
    auth.logout()
    auth.login(team.desk.staff_no, PASSWORD)
    assert client.get(f"/workorders/resident-access?site={team.site.id}").status_code == 403


def test_order_pages_fetched_at_once_while_others_write_never_fail(team, app, monkeypatch):
    """Issue 19: the offline download fetched a technician's order pages at once; each GET writes an access-log
    row, and on SQLite a read transaction that then writes failed with "database is locked" (503) whenever
    another request had written meanwhile. Writing GET views begin their transaction as writers."""
    import threading

    order_ids = [assigned(team).id for _ in range(4)]
    db.session.commit()  # no transaction held by the test while the threads run
    before = access_count()
    clients = []
    for _ in order_ids:
        client = app.test_client()
        assert client.post("/login", data={"username": team.tech.staff_no, "password": PASSWORD}).status_code == 302
        clients.append(client)
    db.session.commit()
    barrier = threading.Barrier(len(order_ids))
    statuses: list = []

    def fetch(client, order_id):
        barrier.wait(timeout=10)
        for _ in range(5):
            statuses.append(client.get(f"/workorders/{order_id}").status_code)

    threads = [threading.Thread(target=fetch, args=(c, o)) for c, o in zip(clients, order_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 20
    db.session.rollback()
    assert access_count() == before + 20
