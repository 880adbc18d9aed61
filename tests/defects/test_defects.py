"""Defects (隐患/缺陷, issue 4): recorded at a place or anywhere through the outbox, listed per site, resolved by
a supervisor, shown on the place page and the home page."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import count, new_key, post_photo, receipt
from wuye_field.audit import chain
from wuye_field.audit.models import ChainEntry
from wuye_field.core.errors import DomainError, Forbidden, NotFound
from wuye_field.defects import records
from wuye_field.defects.models import Defect, DefectResolution
from wuye_field.photos.models import Photo, PhotoLink
from wuye_field.extensions import db
from wuye_field.sync.models import IdempotencyKey

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------- helpers


def post_defect(client, key: str | None = None, *, device_time: datetime | None = None, **fields):
    """POST /defects as the outbox sends it (form fields + protocol headers)."""
    data = {"category": "fire", "severity": "high", "note": "灭火器压力不足"} | fields
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/defects", data=data, headers=helpers.headers(key, device_time=device_time))


def photo(client) -> str:
    """Upload one photo as the signed-in user; its UUID."""
    key = new_key()
    assert post_photo(client, helpers.jpeg(), key).status_code == 201
    return key


def report(client, place, **fields):
    """Record a defect at `place` with one uploaded photo; the 201 JSON."""
    response = post_defect(client, place_id=str(place.id), photo_ids=photo(client), **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def login(client, auth, username: str):
    auth.logout()
    auth.login(username)
    return client


@pytest.fixture
def guard(client, auth, demo):
    auth.login("guard01")
    return client


@pytest.fixture
def other_site(factories):
    """A second site with its own place and supervisor (password password-123)."""
    site = factories.site(code="OTHER", name="别的小区")
    place = factories.place(site, name="别处机房", code="X01")
    sup = factories.user(role="supervisor", site=site, staff_no="othersup")
    db.session.commit()
    return site, place, sup


def user(staff_no: str):
    from wuye_field.accounts.models import User

    return db.session.scalar(select(User).where(User.staff_no == staff_no))


# ---------------------------------------------------------------- recording


def test_guard_records_a_defect_at_a_place_with_a_photo(guard, demo):
    """Issue 4: at a checkpoint — photo, category, severity, note; chained into the site's log (H5)."""
    place = helpers.place(demo, "CP05")
    photo_id = photo(guard)
    response = post_defect(guard, place_id=str(place.id), photo_ids=photo_id, location="东侧门口")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "stored"
    assert body["message"] == f"已报告问题：{place.name} · 东侧门口"
    defect = db.session.get(Defect, body["defect"]["id"])
    assert (defect.site_id, defect.place_id, defect.category, defect.severity) == (demo.id, place.id, "fire", "high")
    assert defect.note == "灭火器压力不足" and defect.user_id == user("guard01").id
    assert body["defect"]["pending_photos"] == 0
    assert db.session.scalar(select(Photo.site_id).where(Photo.client_uuid == photo_id)) == demo.id
    entry = db.session.scalar(select(ChainEntry).where(ChainEntry.kind == "defect", ChainEntry.record_id == defect.id))
    assert entry is not None and entry.site_id == demo.id
    assert chain.verify(demo.id).ok


def test_defect_anywhere_takes_a_typed_location_on_the_users_site(guard, demo):
    """Issue 4: "or anywhere": no place, a location typed; the user's only site is taken."""
    response = post_defect(guard, photo_ids=photo(guard), location="地下车库B区出口")
    assert response.status_code == 201
    defect = db.session.get(Defect, response.get_json()["defect"]["id"])
    assert (defect.place_id, defect.location, defect.site_id) == (None, "地下车库B区出口", demo.id)
    assert response.get_json()["message"] == "已报告问题：地下车库B区出口"


def test_inspection_and_round_references_are_kept(guard, demo):
    """A defect found during an inspection or round keeps both soft references."""
    body = report(guard, helpers.place(demo), inspection_id="17", round_id="4")
    defect = db.session.get(Defect, body["defect"]["id"])
    assert (defect.inspection_id, defect.round_id) == (17, 4)


@pytest.mark.parametrize("username", ["cleaner01", "tech01", "desk01", "supervisor01", "admin01"])
def test_any_role_on_the_site_may_record(client, auth, demo, username):
    """Issue 4/6: guards, cleaners, technicians, supervisors… anyone on the site reports a problem."""
    auth.login(username)
    assert report(client, helpers.place(demo, "CL03"))["status"] == "stored"


def test_replay_stores_once_and_other_body_is_409(guard, demo):
    """R1, R2: the same UUID again → 200 stored answer, one row; other content → 409."""
    place, photo_id, key = helpers.place(demo), photo(guard), new_key()
    first = post_defect(guard, key, place_id=str(place.id), photo_ids=photo_id)
    again = post_defect(guard, key, place_id=str(place.id), photo_ids=photo_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_data() == first.get_data()
    changed = post_defect(guard, key, place_id=str(place.id), photo_ids=photo_id, note="别的")
    assert changed.status_code == 409
    assert count(Defect) == 1 and count(PhotoLink, PhotoLink.owner_kind == "defect") == 1
    assert count(ChainEntry, ChainEntry.kind == "defect") == 1


PHOTO = "11111111-1111-4111-8111-111111111111"


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"photo_ids": ""}, 422, "请至少拍一张照片。"),
    ({"category": "ufo"}, 422, "请选择问题类别。"),
    ({"category": ""}, 422, "请选择问题类别。"),
    ({"severity": "extreme"}, 422, "请选择严重程度。"),
    ({"place_id": None, "location": ""}, 422, "请选择地点，或写下问题在哪里。"),
    ({"place_id": None, "location": "   "}, 422, "请选择地点，或写下问题在哪里。"),
    ({"note": "漏" * 501}, 422, "描述最多 500 个字。"),
    ({"location": "东" * 101}, 422, "位置最多 100 个字。"),
    ({"photo_ids": "not-a-uuid"}, 400, "照片编号无效。"),
    ({"inspection_id": "abc"}, 400, "关联的巡查或巡更记录编号无效。"),
    ({"place_id": "12x"}, 400, "关联的巡查或巡更记录编号无效。"),
])
def test_bad_input_is_refused_in_chinese_and_stores_nothing(guard, demo, fields, status, message):
    """The R rules: bad input → 4xx JSON with a Chinese message; no row, no key kept (the phone may fix and resend)."""
    data = {"place_id": str(helpers.place(demo).id), "photo_ids": PHOTO} | fields
    response = post_defect(guard, **data)
    assert response.status_code == status
    assert response.get_json()["message"] == message
    assert count(Defect) == 0 and count(IdempotencyKey) == 0


def test_the_limit_of_500_characters_is_allowed(guard, demo):
    assert post_defect(guard, place_id=str(helpers.place(demo).id), photo_ids=PHOTO, note="漏" * 500).status_code == 201


def test_place_or_site_of_another_site_is_404(guard, demo, other_site):
    """R15: another site's place or site id → 404, nothing stored."""
    site, place, _sup = other_site
    assert post_defect(guard, place_id=str(place.id), photo_ids=PHOTO).status_code == 404
    response = post_defect(guard, site_id=str(site.id), location="门口", photo_ids=PHOTO)
    assert response.status_code == 404 and "无权" in response.get_json()["message"]
    assert count(Defect) == 0


def test_user_on_two_sites_must_choose_the_site_for_a_typed_location(app, factories, demo, other_site):
    site, _place, _sup = other_site
    both = factories.user(role="guard", site=site, staff_no="twosites")
    factories.membership(both, demo, "guard")
    db.session.commit()
    made = receipt(NOW)
    with pytest.raises(records.DefectRefused, match="请选择小区"):
        records.record_defect(both, place_id=None, site_id=None, location="门口", category="other",
                              severity="low", note="", photo_ids=[PHOTO], receipt=made)
    view = records.record_defect(both, place_id=None, site_id=site.id, location="门口", category="other",
                                 severity="low", note="", photo_ids=[PHOTO], receipt=made)
    assert view.defect.site_id == site.id and view.pending_photos == 1


def test_record_before_its_photo_shows_photo_pending(guard, demo):
    """R6: the defect arrives first, its photo later; pending until then, then linked."""
    place, photo_id = helpers.place(demo), new_key()
    body = post_defect(guard, place_id=str(place.id), photo_ids=photo_id).get_json()
    assert body["defect"]["pending_photos"] == 1 and "1 张照片待上传" in body["message"]
    page = guard.get(f"/defects/{body['defect']['id']}").get_data(as_text=True)
    assert "1 张照片待上传" in page
    assert post_photo(guard, helpers.jpeg(), photo_id).status_code == 201
    page = guard.get(f"/defects/{body['defect']['id']}").get_data(as_text=True)
    assert "照片待上传" not in page and f"/photos/{photo_id}/display.jpg" in page


# ---------------------------------------------------------------- lists and pages


def test_supervisor_lists_open_defects_newest_first_with_thumbnails(client, auth, demo):
    auth.login("guard01")
    older = report(client, helpers.place(demo, "CP01"), note="旧问题")
    newer = report(client, helpers.place(demo, "CP02"), note="新问题")
    login(client, auth, "supervisor01")
    response = client.get("/defects")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    position = {key: html.index(f'data-defect-id="{body["defect"]["id"]}"')
                for key, body in (("old", older), ("new", newer))}
    assert position["new"] < position["old"]
    assert "/thumb.jpg" in html and "张伟" in html and "未处理 2" in html
    assert helpers.place(demo, "CP01").name in html
    fragment = client.get("/defects", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]


def test_list_times_are_in_the_site_zone(client, auth, demo):
    """Times shown in the site's zone (Asia/Shanghai): 01:30 UTC → 09:30."""
    auth.login("guard01")
    key = photo(client)
    found = datetime(2026, 11, 27, 1, 30, tzinfo=timezone.utc)
    post_defect(client, place_id=str(helpers.place(demo).id), photo_ids=key, device_time=found)
    login(client, auth, "supervisor01")
    assert "2026-11-27 09:30" in client.get("/defects").get_data(as_text=True)


def test_closed_tab_shows_resolved_defects(client, auth, demo):
    auth.login("guard01")
    body = report(client, helpers.place(demo))
    login(client, auth, "supervisor01")
    assert client.post(f"/defects/{body['defect']['id']}/resolve", data={"note": "已修好"}).status_code == 303
    open_html = client.get("/defects?state=open").get_data(as_text=True)
    closed_html = client.get("/defects?state=closed").get_data(as_text=True)
    assert f'data-defect-id="{body["defect"]["id"]}"' not in open_html
    assert f'data-defect-id="{body["defect"]["id"]}"' in closed_html and "已处理" in closed_html


def test_lists_are_scoped_to_the_users_sites(client, auth, demo, other_site):
    """R15: a supervisor sees only their site's defects; another site's list → 404."""
    site, place, _sup = other_site
    auth.login("guard01")
    mine = report(client, helpers.place(demo))
    auth.logout()
    auth.login("othersup", "password-123")
    html = client.get("/defects").get_data(as_text=True)
    assert f'data-defect-id="{mine["defect"]["id"]}"' not in html
    assert client.get(f"/defects?site={demo.id}").status_code == 404
    assert client.get(f"/defects/{mine['defect']['id']}").status_code == 404


def test_field_worker_is_sent_to_my_defects_which_lists_only_their_own(client, auth, demo):
    auth.login("guard02")
    theirs = report(client, helpers.place(demo))
    login(client, auth, "guard01")
    own = report(client, helpers.place(demo, "CP03"))
    response = client.get("/defects")
    assert response.status_code == 302 and response.headers["Location"].endswith("/defects/mine")
    html = client.get("/defects/mine").get_data(as_text=True)
    assert f'data-defect-id="{own["defect"]["id"]}"' in html
    assert f'data-defect-id="{theirs["defect"]["id"]}"' not in html


def test_defect_page_shows_photos_and_no_resolve_form_for_a_guard(client, auth, demo):
    auth.login("guard01")
    body = report(client, helpers.place(demo))
    html = client.get(f"/defects/{body['defect']['id']}").get_data(as_text=True)
    assert "/display.jpg" in html and "灭火器压力不足" in html and "等待主管处理" in html
    assert "/resolve" not in html


def test_unknown_defect_is_404(guard):
    assert guard.get("/defects/999999").status_code == 404


# ---------------------------------------------------------------- resolving


def test_supervisor_resolves_with_a_note(client, auth, demo):
    """Issue 4: open until a supervisor resolves it; the resolution is chained and shown."""
    auth.login("guard01")
    body = report(client, helpers.place(demo))
    defect_id = body["defect"]["id"]
    login(client, auth, "supervisor01")
    page = client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert "/resolve" in page and 'name="csrf_token"' in page
    response = client.post(f"/defects/{defect_id}/resolve", data={"note": "已更换灭火器"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith(f"/defects/{defect_id}")
    resolution = db.session.scalar(select(DefectResolution).where(DefectResolution.defect_id == defect_id))
    assert (resolution.outcome, resolution.note, resolution.user_id) == (
        "resolved", "已更换灭火器", user("supervisor01").id)
    html = client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert "已更换灭火器" in html and "陈静" in html and "/resolve" not in html
    assert chain.verify(demo.id).ok
    assert count(ChainEntry, ChainEntry.kind == "defect_resolution") == 1


def test_resolve_without_note_re_renders_the_form_in_chinese(client, auth, demo):
    auth.login("guard01")
    defect_id = report(client, helpers.place(demo))["defect"]["id"]
    login(client, auth, "supervisor01")
    htmx = client.post(f"/defects/{defect_id}/resolve", data={"note": " "}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "请写明处理情况。" in htmx.get_data(as_text=True)
    plain = client.post(f"/defects/{defect_id}/resolve", data={"note": ""})
    assert plain.status_code == 422 and "请写明处理情况。" in plain.get_data(as_text=True)
    assert count(DefectResolution) == 0


def test_guard_and_desk_cannot_resolve(client, auth, demo):
    auth.login("guard01")
    defect_id = report(client, helpers.place(demo))["defect"]["id"]
    assert client.post(f"/defects/{defect_id}/resolve", data={"note": "好了"}).status_code == 403
    login(client, auth, "desk01")
    assert client.post(f"/defects/{defect_id}/resolve", data={"note": "好了"}).status_code == 403
    assert count(DefectResolution) == 0


def test_supervisor_of_another_site_gets_404(client, auth, demo, other_site):
    """R15: resolving another site's defect by id → 404."""
    auth.login("guard01")
    defect_id = report(client, helpers.place(demo))["defect"]["id"]
    auth.logout()
    auth.login("othersup", "password-123")
    assert client.post(f"/defects/{defect_id}/resolve", data={"note": "好了"}).status_code == 404
    assert count(DefectResolution) == 0


def _defect(demo, reporter="guard01") -> Defect:
    view = records.record_defect(user(reporter), place_id=helpers.place(demo).id, site_id=None, location="",
                                 category="water", severity="medium", note="漏水", photo_ids=[PHOTO],
                                 receipt=receipt(NOW))
    return view.defect


def _resolve(actor, defect_id, **kwargs):
    args = {"outcome": "resolved", "note": "修好了"} | kwargs
    return records.resolve_defect(actor, defect_id, receipt(NOW), **args)


def test_resolving_twice_is_refused(app, demo):
    """A defect is resolved once (unique defect_id): the second says 「已处理」 (409)."""
    defect = _defect(demo)
    _resolve(user("supervisor01"), defect.id)
    with pytest.raises(DomainError, match="已处理") as caught:
        _resolve(user("admin01"), defect.id)
    assert caught.value.status == 409
    assert count(DefectResolution) == 1


def test_two_supervisors_at_once_store_one_resolution(app, demo, monkeypatch):
    """The race past the 「already resolved」 check: the unique defect_id refuses the second (409), no 500."""
    defect = _defect(demo)
    _resolve(user("supervisor01"), defect.id)
    monkeypatch.setattr(records, "is_resolved", lambda defect_id: False)  # as if both checked at once
    with pytest.raises(DomainError, match="已处理") as caught:
        _resolve(user("admin01"), defect.id)
    assert caught.value.status == 409
    db.session.commit()  # the first resolution is intact and the session still usable
    assert count(DefectResolution) == 1


def test_resolve_rules(app, demo, other_site):
    defect = _defect(demo)
    with pytest.raises(Forbidden):
        _resolve(user("guard01"), defect.id)
    with pytest.raises(NotFound):
        _resolve(other_site[2], defect.id)
    with pytest.raises(records.DefectRefused, match="处理方式无效"):
        _resolve(user("supervisor01"), defect.id, outcome="ignored")
    with pytest.raises(records.DefectRefused, match="请指明转成的工单"):
        _resolve(user("desk01"), defect.id, outcome="order")
    with pytest.raises(records.DefectRefused, match="最多 500"):
        _resolve(user("supervisor01"), defect.id, note="修" * 501)
    assert count(DefectResolution) == 0


def test_get_defect_for_is_scoped(app, demo, other_site):
    defect = _defect(demo)
    assert records.get_defect_for(user("cleaner01"), defect.id) is defect
    with pytest.raises(NotFound):
        records.get_defect_for(other_site[2], defect.id)


def test_turned_into_a_work_order_shows_the_order_number(client, auth, demo):
    """Issue 4: "turns them into an order; the link is kept": the desk may close a defect as an order."""
    from wuye_field.workorders.models import WorkOrder

    defect = _defect(demo)
    order = WorkOrder(site_id=demo.id, number="T-DEFECT-01", client_uuid=new_key(), raised_by_id=user("desk01").id,
                      raised_at=NOW, source="defect", defect_id=defect.id, category="water", priority="normal",
                      description="漏水", finish_minutes=480)
    db.session.add(order)
    db.session.flush()
    resolution = _resolve(user("desk01"), defect.id, outcome="order", note="", work_order_id=order.id)
    db.session.commit()
    assert resolution.work_order_id == order.id
    auth.login("supervisor01")
    html = client.get(f"/defects/{defect.id}").get_data(as_text=True)
    assert "已转工单" in html and "工单号：T-DEFECT-01" in html
    closed = client.get("/defects?state=closed").get_data(as_text=True)
    assert f'data-defect-id="{defect.id}"' in closed


def test_turn_into_order_link_only_when_work_orders_exist(make_app):
    """「转为工单」 links to /workorders/new?defect=<id> when that page exists (for supervisors, not guards)."""
    app = make_app()
    if "workorders.new" not in app.view_functions:
        app.add_url_rule("/workorders/new", "workorders.new", lambda: "new order")
    with app.app_context():
        from wuye_field.demo import load_demo

        demo = load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        defect = _defect(demo)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": "supervisor01", "password": "wuye-demo"})
        html = client.get(f"/defects/{defect.id}").get_data(as_text=True)
        assert f"/workorders/new?defect={defect.id}" in html and "转为工单" in html
        client.post("/logout")
        client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
        assert "转为工单" not in client.get(f"/defects/{defect.id}").get_data(as_text=True)


def test_no_order_link_without_the_work_order_page(client, auth, app, demo, monkeypatch):
    monkeypatch.delitem(app.view_functions, "workorders.new", raising=False)
    defect = _defect(demo)
    db.session.commit()
    auth.login("supervisor01")
    assert "转为工单" not in client.get(f"/defects/{defect.id}").get_data(as_text=True)


# ---------------------------------------------------------------- place panel, home, offline pages


def test_place_page_offers_report_and_lists_open_defects_there(client, auth, demo):
    """Issue 4: a defect at a checkpoint: the place page's 「报告问题」 form and its open defects."""
    place = helpers.place(demo, "CP05")
    auth.login("guard01")
    html = client.get(f"/t/{place.tag_token}").get_data(as_text=True)
    assert 'data-action="defect"' in html and "报告问题" in html
    assert f'name="place_id" value="{place.id}"' in html and 'capture="environment"' in html
    body = report(client, place, note="井盖松动")
    html = client.get(f"/t/{place.tag_token}").get_data(as_text=True)
    assert f'data-defect-id="{body["defect"]["id"]}"' in html and "井盖松动" in html
    login(client, auth, "supervisor01")
    client.post(f"/defects/{body['defect']['id']}/resolve", data={"note": "已固定"})
    assert f'data-defect-id="{body["defect"]["id"]}"' not in client.get(f"/t/{place.tag_token}").get_data(as_text=True)


def test_cleaning_area_page_has_the_panel_for_a_cleaner(client, auth, demo):
    """Issue 6: a problem at an area → a defect with a photo: the form is on the area page."""
    auth.login("cleaner01")
    html = client.get(f"/t/{helpers.place(demo, 'CL03').tag_token}").get_data(as_text=True)
    assert 'data-action="defect"' in html


def test_home_shows_open_counts(client, auth, demo):
    auth.login("guard01")
    report(client, helpers.place(demo))
    html = client.get("/").get_data(as_text=True)
    assert 'data-home-link="my-defects" data-open-count="1"' in html
    login(client, auth, "supervisor01")
    html = client.get("/").get_data(as_text=True)
    assert 'data-home-link="defects" data-open-count="1"' in html


def test_new_defect_page_is_offline_for_field_roles(client, auth, demo):
    """/defects/new opens offline: it is in the guard's manifest, and lists the site's places."""
    auth.login("guard01")
    assert "/defects/new" in client.get("/sync/manifest").get_json()["pages"]
    html = client.get("/defects/new").get_data(as_text=True)
    assert 'data-action="defect"' in html and helpers.place(demo, "CP05").name in html
    assert f'name="site_id" value="{demo.id}"' in html and 'name="location"' in html
    login(client, auth, "desk01")
    assert "/defects/new" not in client.get("/sync/manifest").get_json()["pages"]


def test_age_text():
    assert records.age_text(NOW - timedelta(minutes=5), NOW) == "5 分钟"
    assert records.age_text(NOW - timedelta(hours=5, minutes=59), NOW) == "5 小时"
    assert records.age_text(NOW - timedelta(days=3, hours=1), NOW) == "3 天"
    assert records.age_text(NOW + timedelta(minutes=5), NOW) == "刚刚"  # a phone clock ahead: never negative
