"""A resident's complaint from the building's window is a complaint of the incidents work (W5, W6, W9): its
reference number, the same-day clock with the site's cut-off, no owner until the first desk person takes it,
the W5 figures; the desk's 住户来件 page lists it and links to it."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

from PIL import Image
from sqlalchemy import select

from wuye_field.alerts.models import Alert
from wuye_field.audit import chain
from wuye_field.extensions import db
from wuye_field.incidents import complaints, settings
from wuye_field.incidents.models import Complaint, ComplaintStep
from wuye_field.places.models import Building
from wuye_field.residents import requests

SHANGHAI = timezone(timedelta(hours=8))


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(out, "JPEG")
    return out.getvalue()


def _send(client, building, **fields):
    data = {"phone": "13900003333", "description": "楼道里堆满杂物，物业一直不管"} | fields
    sent = client.post(f"/b/{building.public_token}/complaint", content_type="multipart/form-data", data=data)
    assert sent.status_code == 201
    reference = re.search(r"data-reference>(R[0-9A-F]+)</b>", sent.get_data(as_text=True)).group(1)
    return db.session.scalar(select(Complaint).where(Complaint.reference == reference))


def test_the_demo_has_a_residents_complaint_waiting_on_the_desk(client, auth, app):
    from wuye_field.demo import load_demo

    load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"], sample_orders=True)
    db.session.commit()
    waiting = db.session.scalar(select(Complaint).where(Complaint.channel == "window"))
    assert waiting.owner_id is None and waiting.reference == "R0000000002"
    assert db.session.scalar(select(Alert.id).where(Alert.kind == "resident_complaint")) is None  # not news
    auth.login("desk01")
    assert "R0000000002" in client.get("/residents/desk").get_data(as_text=True)


def test_a_residents_complaint_is_a_complaint_with_its_reference_and_no_owner(client, demo):
    building = db.session.scalar(select(Building).where(Building.name == "2栋"))
    complaint = _send(client, building, photo=(io.BytesIO(_photo()), "a.jpg"))
    assert (complaint.channel, complaint.site_id, complaint.building_id) == ("window", demo.id, building.id)
    assert complaint.owner_id is None and complaint.raised_by_id is None and complaint.phone == "13900003333"
    assert complaint.who == "2栋住户" and complaint.photo_key is not None
    assert complaint.answer_due > complaint.received_at  # the same-day clock runs
    # the desk is told, by building and reference; the resident's phone never goes to the group robot
    alert = db.session.scalar(select(Alert).where(Alert.kind == "resident_complaint"))
    assert complaint.reference in alert.text and "13900003333" not in alert.text
    assert {r.user.staff_no for r in alert.recipients} == {"desk01"}


def test_the_same_day_clock_follows_the_sites_cut_off(demo, admin01):
    settings.change(admin01, demo.id, "incidents.complaint_cutoff", "17:30", now=datetime(2026, 5, 1, tzinfo=SHANGHAI))
    building = db.session.scalar(select(Building).where(Building.site_id == demo.id, Building.name == "1栋"))
    clean = {"phone": "13900004444", "description": "垃圾一直没人清", "category": "other"}
    before = requests.submit(building, "complaint", clean, photo_key=None,
                             now=datetime(2026, 5, 4, 17, 0, tzinfo=SHANGHAI))
    after = requests.submit(building, "complaint", clean | {"phone": "13900004445"}, photo_key=None,
                            now=datetime(2026, 5, 4, 18, 0, tzinfo=SHANGHAI))
    assert before.answer_due == datetime(2026, 5, 4, 17, 30, tzinfo=SHANGHAI)
    assert after.answer_due == datetime(2026, 5, 5, 17, 30, tzinfo=SHANGHAI)
    assert before.reference != after.reference


def test_the_desk_takes_it_from_the_residents_page_and_owns_it(client, auth, demo):
    building = db.session.scalar(select(Building).where(Building.name == "3栋"))
    complaint = _send(client, building, photo=(io.BytesIO(_photo()), "a.jpg"))
    auth.login("desk01")
    board = client.get("/residents/desk").get_data(as_text=True)
    assert complaint.reference in board and f"/incidents/complaints/{complaint.id}" in board
    assert "13900003333" in board  # the desk calls the resident back
    home = client.get("/").get_data(as_text=True)
    assert 'data-new="2"' in home  # the demo's repair request and this complaint
    photo = client.get(f"/residents/complaints/{complaint.id}/photo.jpg")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    photo.close()
    taken = client.post(f"/residents/complaints/{complaint.id}/take")
    assert taken.status_code == 303 and taken.location.endswith(f"/incidents/complaints/{complaint.id}")
    db.session.refresh(complaint)
    assert complaint.owner.staff_no == "desk01"
    page = client.get(f"/incidents/complaints/{complaint.id}").get_data(as_text=True)
    assert complaint.reference in page and "接手" in page
    auth.logout()
    auth.login("supervisor01")
    assert client.post(f"/residents/complaints/{complaint.id}/take").status_code == 409  # first contact owns it
    auth.logout()
    steps = db.session.scalars(select(ComplaintStep).where(ComplaintStep.complaint_id == complaint.id)).all()
    assert [(s.kind, s.user.staff_no) for s in steps] == [("take", "desk01")]
    assert chain.verify(demo.id).ok


def test_whoever_answers_first_owns_an_untaken_complaint_and_it_counts_in_w5(client, demo, factories):
    building = db.session.scalar(select(Building).where(Building.name == "1栋"))
    complaint = _send(client, building)
    supervisor = factories.user("supervisor", demo, name="主管乙")
    now = complaint.received_at + timedelta(minutes=1)
    complaints.add_step(supervisor, complaint.id, "answer", "已回电，今天清理", now=now)
    complaints.add_step(supervisor, complaint.id, "result", "杂物已清走", now=now)
    complaints.add_step(supervisor, complaint.id, "verdict", "", effective=True, now=now)
    assert complaint.owner_id == supervisor.id and complaints.answered_in_time(complaint)
    kinds = list(db.session.scalars(select(ComplaintStep.kind).where(ComplaintStep.complaint_id == complaint.id)
                                    .order_by(ComplaintStep.id)))
    assert kinds == ["take", "answer", "result", "verdict"]
    local = complaint.received_at.astimezone(SHANGHAI).date()
    found = complaints.figures(demo, date(local.year, local.month, 1), local + timedelta(days=1))
    assert found.answered_same_day >= 1 and found.effective >= 1


def test_another_sites_desk_cannot_see_or_take_it(client, auth, demo, factories):
    building = db.session.scalar(select(Building).where(Building.name == "1栋"))
    complaint = _send(client, building)
    other = factories.site()
    factories.user("desk", other, staff_no="desk99", password="wuye-demo")
    db.session.commit()
    auth.login("desk99")
    assert complaint.reference not in client.get("/residents/desk").get_data(as_text=True)
    assert client.post(f"/residents/complaints/{complaint.id}/take").status_code == 404
    assert client.get(f"/residents/complaints/{complaint.id}/photo.jpg").status_code == 404
