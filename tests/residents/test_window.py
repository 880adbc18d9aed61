"""The residents' window: public, small, without staff names or residents' data; reports reach the desk."""
from __future__ import annotations

import gzip
import io
import re
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.cleaning.models import CleaningTask, TaskCheckoff
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.incidents.models import Complaint
from wuye_field.patrol.services import record_scan
from wuye_field.places.models import Building, Place
from wuye_field.residents.models import ResidentRequest
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders.models import OPEN_STATES, WorkOrder


@pytest.fixture
def full_demo(app):
    """The demo with sample work orders (residents' names and phones), today's scans and check-offs."""
    from wuye_field.demo import load_demo

    site = load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"], sample_orders=True)
    guard = db.session.scalar(select(User).where(User.staff_no == "guard01"))
    cleaner = db.session.scalar(select(User).where(User.staff_no == "cleaner01"))
    now = utcnow()
    for place in db.session.scalars(select(Place).where(Place.site_id == site.id, Place.building_id.is_not(None))):
        if place.is_checkpoint:
            record_scan(guard, place.tag_token, Receipt.server(now - timedelta(minutes=5)), note="张伟 巡查正常")
        task = db.session.scalar(select(CleaningTask).where(CleaningTask.place_id == place.id).limit(1))
        if task is not None:
            db.session.add(TaskCheckoff(client_uuid=str(uuid.uuid4()), device_time=now, received_at=now,
                                        user_id=cleaner.id, site_id=site.id, task_id=task.id, place_id=place.id,
                                        slot="demo", method="scan", done_at=now - timedelta(minutes=3),
                                        note="王秀英 已完成"))
    building = db.session.scalar(select(Building).where(Building.name == "1栋"))
    for order in db.session.scalars(select(WorkOrder)):
        order.building_id, order.room = building.id, ""  # every sample order is a public repair of 1栋
    db.session.commit()
    return site


def _private_texts(site) -> set[str]:
    texts = set()
    for user in db.session.scalars(select(User)):
        texts |= {user.name, user.staff_no, user.phone or ""}
    for order in db.session.scalars(select(WorkOrder)):
        texts |= {order.resident_name, order.resident_phone, order.description}
    for item in db.session.scalars(select(ResidentRequest)):
        texts |= {item.phone, item.description}
    for complaint in db.session.scalars(select(Complaint)):  # the desk's and the residents' complaints
        texts |= {complaint.phone, complaint.who, complaint.what}
    return {t for t in texts if t and len(t) >= 2}


def test_the_public_page_names_no_staff_and_shows_no_resident_data(client, full_demo):
    private = _private_texts(full_demo)
    assert "张伟" in private and "13912345678" in private and "13912340000" in private
    for building in db.session.scalars(select(Building).where(Building.site_id == full_demo.id)):
        for path in (f"/b/{building.public_token}", f"/b/{building.public_token}/repair",
                     f"/b/{building.public_token}/complaint"):
            html = client.get(path).get_data(as_text=True)
            leaked = [t for t in private if t in html]
            assert not leaked, (path, leaked)


def test_the_page_shows_todays_times_repairs_notices_and_the_desk_phone(client, full_demo):
    one = db.session.scalar(select(Building).where(Building.name == "1栋"))
    html = client.get(f"/b/{one.public_token}").get_data(as_text=True)
    assert re.search(r"<b data-patrol>\d\d:\d\d</b>", html) and re.search(r"<b data-cleaning>\d\d:\d\d</b>", html)
    assert html.count("data-repair") == db.session.query(WorkOrder).filter(WorkOrder.state.in_(OPEN_STATES)).count() > 0
    assert 'href="tel:0755-88886666"' in html and "<script" not in html
    three = db.session.scalar(select(Building).where(Building.name == "3栋"))
    assert "停水" in client.get(f"/b/{three.public_token}").get_data(as_text=True)


def test_the_first_load_is_under_20_kb_compressed(client, full_demo):
    one = db.session.scalar(select(Building).where(Building.name == "1栋"))
    page = client.get(f"/b/{one.public_token}")
    css = client.get(re.search(r'href="(/static/[^"]+\.css)"', page.get_data(as_text=True)).group(1))
    total = len(gzip.compress(page.data)) + len(gzip.compress(css.data))
    assert total <= 20 * 1024, total


def test_a_replaced_code_says_so_and_the_new_one_works(admin, client, demo):
    building = db.session.scalar(select(Building).where(Building.name == "2栋"))
    old = building.public_token
    assert len(old) >= 22  # ≥ 128 random bits
    assert admin.post(f"/residents/admin/buildings/{building.id}/replace").status_code == 303
    db.session.refresh(building)
    gone = client.get(f"/b/{old}")
    assert gone.status_code == 410 and "此二维码已于" in gone.get_data(as_text=True)
    assert client.get(f"/b/{building.public_token}").status_code == 200
    assert client.get("/b/not-a-token").status_code == 404


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def test_a_residents_report_becomes_a_desk_request_with_a_reference(client, auth, demo):
    building = db.session.scalar(select(Building).where(Building.name == "2栋"))
    sent = client.post(f"/b/{building.public_token}/repair", content_type="multipart/form-data",
                       data={"phone": "139 0000 1111", "description": "<script>x</script>2楼灯坏了",
                             "category": "power", "photo": (io.BytesIO(_photo()), "a.jpg")})
    assert sent.status_code == 201
    reference = re.search(r"<b class=\"ref\" data-reference>(R\d+)</b>", sent.get_data(as_text=True)).group(1)
    item = db.session.scalar(select(ResidentRequest).where(ResidentRequest.reference == reference))
    assert (item.kind, item.state, item.phone, item.photo_key is not None) == ("repair", "new", "13900001111", True)

    auth.login("desk01")
    board = client.get("/residents/desk").get_data(as_text=True)
    assert reference in board and "&lt;script&gt;" in board and "<script>x" not in board
    photo = client.get(f"/residents/requests/{item.id}/photo.jpg")
    assert photo.mimetype == "image/jpeg" and photo.data != _photo()  # re-encoded, metadata dropped
    photo.close()
    assert client.post(f"/residents/requests/{item.id}/take").status_code == 303
    auth.logout()
    auth.login("supervisor01")
    assert client.post(f"/residents/requests/{item.id}/take").status_code == 409  # first contact owns it
    auth.logout()
    auth.login("desk01")
    assert client.post(f"/residents/requests/{item.id}/close", data={"note": "已回电，明日维修"}).status_code == 303
    db.session.refresh(item)
    assert item.state == "closed" and item.owner.staff_no == "desk01"


def test_a_complaint_needs_a_phone_and_a_description(client, demo):
    building = db.session.scalar(select(Building).where(Building.name == "1栋"))
    refused = client.post(f"/b/{building.public_token}/complaint", data={"phone": "123", "description": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请填写 11 位手机号" in html and "请简单描述情况" in html
    sent = client.post(f"/b/{building.public_token}/complaint",
                       data={"phone": "13900002222", "description": "夜间噪音太大"})
    assert sent.status_code == 201
    assert db.session.scalar(select(ResidentRequest.id).where(ResidentRequest.phone == "13900002222")) is None
    assert db.session.scalar(select(Complaint.channel).where(Complaint.phone == "13900002222")) == "window"


def test_rate_limits_answer_429_in_chinese(make_app, demo_factory):
    app = make_app(RESIDENT_LIMIT_PER_IP="4 per hour", RESIDENT_LIMIT_PER_PHONE="2 per hour",
                   RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    with app.app_context():
        token = demo_factory(app)
        # Counts live in the shared store (Redis) for an hour: a fresh address and phones for every run.
        run = uuid.uuid4().int
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.{run % 250}.{run // 250 % 250}.{run // 62500 % 250}"
        phones = [f"139{(run + n) % 10**8:08d}" for n in range(3)]
        form = {"phone": phones[0], "description": "电梯异响"}
        codes = [client.post(f"/b/{token}/complaint", data=form).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        page = client.post(f"/b/{token}/complaint", data=form | {"phone": phones[1]})
        assert page.status_code == 201  # another phone: its own count; the address had 4
        limited = client.post(f"/b/{token}/complaint", data=form | {"phone": phones[2]})
        assert limited.status_code == 429 and "提交太频繁" in limited.get_data(as_text=True)


@pytest.fixture
def demo_factory():
    def build(app):
        from wuye_field.demo import load_demo

        site = load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        return db.session.scalar(select(Building.public_token).where(Building.site_id == site.id).limit(1))
    return build


def test_the_form_works_with_csrf_on_and_no_javascript(make_app, demo_factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        token = demo_factory(app)
        client = app.test_client()
        form = client.get(f"/b/{token}/repair").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        sent = client.post(f"/b/{token}/repair", data={"csrf_token": csrf, "phone": "13900006666",
                                                       "description": "单元门关不上", "category": "doors"})
        assert sent.status_code == 201
        refused = client.post(f"/b/{token}/repair", data={"phone": "13900006666", "description": "单元门关不上"})
        assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
