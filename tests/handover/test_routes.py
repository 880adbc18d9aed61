"""Handover pages and field actions over HTTP: page + htmx fragment, the outbox contract (201 / replay
200), Chinese validation messages, role and site scoping (404), post configuration with its log."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.handover import helpers as h
from tests.sync.helpers import new_key
from wuye_field.audit.models import AdminChange
from wuye_field.extensions import db
from wuye_field.handover.models import Handover, HandoverAcceptance


def _submit(client, post, data=None, key=None, **header_args):
    return h.post_field(client, f"/handover/posts/{post.id}/handovers", data or h.items_form(post), key,
                        device_time=header_args.pop("device_time", h.MADE), **header_args)


def test_post_page_has_the_outbox_forms_and_the_timeline(client, auth, demo):
    auth.login("guard01")
    post = h.post(demo)
    page = client.get(f"/handover/posts/{post.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Vary" in page.headers and "HX-Request" in page.headers["Vary"]
    assert re.search(r'<form[^>]*data-outbox[^>]*data-action="handover-submit"', html)
    assert f'action="/handover/posts/{post.id}/handovers"' in html
    assert 'name="item-0-counted" value="2"' in html  # prefilled (P9)
    assert 'id="ho-timeline"' in html and "还没有交接记录" in html

    fragment = client.get(f"/handover/posts/{post.id}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith("<section") and 'id="ho-timeline"' in body and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_submit_is_201_and_a_replay_is_200_once(client, auth, demo):
    auth.login("guard01")
    post = h.post(demo)
    key = new_key()
    data = h.items_form(post, {"对讲机": (1, "missing", "一台丢失")})
    first = _submit(client, post, data, key)
    assert first.status_code == 201
    assert first.get_json()["status"] == "stored" and first.get_json()["message"] == "已交班：东门岗 19:00 班"
    again = _submit(client, post, data, key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(Handover.id))) == 1


def test_validation_messages_are_chinese_json(client, auth, demo):
    auth.login("guard01")
    post = h.post(demo)
    response = _submit(client, post, h.items_form(post, {"对讲机": (1, "ok", "")}))
    assert response.status_code == 422
    assert response.get_json() == {"error": "missing_unexplained",
                                   "message": "「对讲机」比上一班少 1 个：请选「缺失」并写明情况。"}
    assert db.session.scalar(select(func.count(Handover.id))) == 0


def test_accept_over_http_with_a_difference_and_important_matter(client, auth, demo):
    handover = h.hand_over(demo, matters=[("2栋302漏水，物业已通知业主", True)])
    auth.login("guard02")
    page = client.get(f"/handover/posts/{handover.post_id}").get_data(as_text=True)
    assert 'data-action="handover-accept"' in page and "我已接手：2栋302漏水" in page
    radio = handover.items[0]
    form = {f"count-{i.id}": str(i.counted) for i in handover.items} | {f"count-{radio.id}": "1"}
    url = f"/handover/handovers/{handover.id}/acceptance"
    refused = h.post_field(client, url, form | {f"diff-{radio.id}": "少一台"}, device_time=h.SHIFT)
    assert refused.status_code == 422 and "「重要」事项未接手" in refused.get_json()["message"]
    form |= {f"diff-{radio.id}": "少一台", "takeover": str(handover.important_matters[0].id)}
    accepted = h.post_field(client, url, form, device_time=h.SHIFT)
    assert accepted.status_code == 201 and accepted.get_json()["message"] == "李强已接班：东门岗（1 项有差异）"
    timeline = client.get(f"/handover/posts/{handover.post_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert timeline.count('data-state="accepted"') == 1 and "「对讲机」交班 2，接班点到 1：少一台" in timeline


def test_same_phone_cosign_returns_the_accept_form_for_the_incoming_person(client, auth, demo):
    handover = h.hand_over(demo)
    auth.login("guard01")
    page = client.get(f"/handover/posts/{handover.post_id}").get_data(as_text=True)
    assert "接班人密码" in page and 'data-action="handover-accept"' not in page
    wrong = client.post(f"/handover/handovers/{handover.id}/cosign", data={"login": "guard02", "password": "nope"},
                        headers={"HX-Request": "true"})
    assert wrong.status_code == 200 and "密码不正确" in wrong.get_data(as_text=True)
    right = client.post(f"/handover/handovers/{handover.id}/cosign",
                        data={"login": "guard02", "password": "wuye-demo"}, headers={"HX-Request": "true"})
    html = right.get_data(as_text=True)
    assert "接班人：李强（已验证密码）" in html and 'name="cosign"' in html and "wuye-demo" not in html
    token = re.search(r'name="cosign" value="([^"]+)"', html).group(1)
    form = {f"count-{i.id}": str(i.counted) for i in handover.items} | {"cosign": token}
    accepted = h.post_field(client, f"/handover/handovers/{handover.id}/acceptance", form, device_time=h.SHIFT)
    assert accepted.status_code == 201
    acceptance = db.session.scalar(select(HandoverAcceptance))
    assert acceptance.user.staff_no == "guard02" and acceptance.cosigned


def test_correction_page_and_timeline_show_both_versions(client, auth, demo):
    original = h.hand_over(demo)
    auth.login("guard01")
    form_page = client.get(f"/handover/handovers/{original.id}/correct")
    assert form_page.status_code == 200 and 'data-action="handover-correct"' in form_page.get_data(as_text=True)
    post = h.post(demo)
    data = h.items_form(post, {"警棍": (0, "broken", "断了")}) | {"reason": "漏报警棍损坏"}
    response = h.post_field(client, f"/handover/handovers/{original.id}/corrections", data,
                            device_time=h.MADE + timedelta(minutes=3))
    assert response.status_code == 201 and response.get_json()["message"].startswith("已更正交接")
    timeline = client.get(f"/handover/posts/{post.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "原记录" in timeline and "原因：漏报警棍损坏" in timeline and 'class="ho-version ho-superseded"' in timeline
    assert timeline.count("data-entry=") == 1


def test_scoping_is_404(client, auth, demo, factories):
    post = h.post(demo)
    other = factories.site()
    factories.user(role="guard", site=other, staff_no="guard99")
    db.session.commit()
    auth.login("guard99", "password-123")
    assert client.get(f"/handover/posts/{post.id}").status_code == 404
    response = _submit(client, post)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    auth.logout()
    auth.login("cleaner01")
    assert client.get(f"/handover/posts/{post.id}").status_code == 404


def test_index_lists_posts_and_late_ones_for_supervisors(client, auth, demo):
    auth.login("supervisor01")
    page = client.get("/handover/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "东门岗" in html and "客服台" in html
    fragment = client.get("/handover/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and 'id="ho-posts"' in fragment


def test_admin_configures_posts_and_each_change_is_logged(client, auth, demo):
    auth.login("admin01")
    assert client.get(f"/handover/admin/sites/{demo.id}/posts").status_code == 200
    bad = client.post(f"/handover/admin/sites/{demo.id}/posts", data={"code": "", "name": "", "shift_starts": "7点",
                                                                       "equipment": ""}, headers={"HX-Request": "true"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "请填写岗位编号" in html and "班次开始时间格式应为" in html
    made = client.post(f"/handover/admin/sites/{demo.id}/posts",
                       data={"code": "b1", "name": "地库岗", "kind": "guard", "shift_starts": "08:00,20:00",
                             "equipment": "对讲机=1\n手电筒=1"})
    assert made.status_code == 303
    post = h.post(demo, "B1")
    assert post.window_min == 10 and post.equipment_list == [("对讲机", 1), ("手电筒", 1)]
    changed = client.post(f"/handover/admin/posts/{post.id}",
                          data={"code": "B1", "name": "地库岗", "kind": "guard", "shift_starts": "08:00,20:00",
                                "window_min": "15", "equipment": "对讲机=1\n手电筒=1"})
    assert changed.status_code == 303
    changes = list(db.session.scalars(select(AdminChange).order_by(AdminChange.id)))
    assert [c.what for c in changes] == ["交接岗位 B1", "交接岗位 B1 交接提前分钟"]
    assert changes[1].before == "10" and '"value": 15' in changes[1].after  # H1 window, effective-dated
    auth.logout()
    auth.login("guard01")
    assert client.get(f"/handover/admin/posts/{post.id}").status_code == 404


def test_audit_page_for_supervisors_and_admins_only(client, auth, demo):
    from wuye_field.audit.services import log_admin_change

    log_admin_change(h.user("admin01"), demo.id, "用户角色 guard02", ["guard"], ["guard", "supervisor"], now=h.MADE)
    db.session.commit()
    auth.login("supervisor01")
    page = client.get("/audit/").get_data(as_text=True)
    assert "用户角色 guard02" in page and "记录哈希链" not in page
    auth.logout()
    auth.login("admin01")
    page = client.get("/audit/").get_data(as_text=True)
    assert "记录哈希链" in page and "还没有写过摘要" in page
    assert client.post("/audit/digests").status_code == 303
    assert "还没有写过摘要" not in client.get("/audit/").get_data(as_text=True)
    auth.logout()
    auth.login("guard01")
    assert client.get("/audit/").status_code == 403


def test_photos_of_a_missing_item_go_through_the_contract(client, auth, demo):
    """A photo named in `photo_ids` before it arrived: the handover is stored and shows 「照片待上传」."""
    auth.login("guard01")
    post = h.post(demo)
    data = h.items_form(post, {"警棍": (0, "broken", "断成两截")}) | {"photo_ids": new_key()}
    response = _submit(client, post, data)
    assert response.status_code == 201 and response.get_json()["message"].endswith("（1 张照片待上传）")
    timeline = client.get(f"/handover/posts/{post.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-photos-pending="1"' in timeline


def test_an_arrived_photo_is_shown_on_the_timeline(client, auth, demo):
    from tests.sync.helpers import jpeg, post_photo

    auth.login("guard01")
    post = h.post(demo)
    photo = new_key()
    assert post_photo(client, jpeg(), photo).status_code == 201
    data = h.items_form(post, {"警棍": (0, "broken", "断成两截")}) | {"photo_ids": photo}
    assert _submit(client, post, data).get_json()["message"] == "已交班：东门岗 19:00 班"
    page = client.get(f"/handover/posts/{post.id}").get_data(as_text=True)
    assert f"/photos/{photo}/thumb.jpg" in page and "data-photos-pending" not in page


def test_cosign_passwords_count_against_the_login_throttle(make_app):
    """R14: the incoming person's password on the outgoing phone is no way around the throttle."""
    from tests.conftest import AuthActions
    from wuye_field.demo import load_demo
    from wuye_field.extensions import limiter

    application = make_app(RATELIMIT_ENABLED=True)
    with application.app_context():
        limiter.reset()
        site = load_demo(application.config["PUBLIC_BASE_URL"], application.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        client = application.test_client()
        handover = h.hand_over(site)
        AuthActions(client).login("guard01")
        url = f"/handover/handovers/{handover.id}/cosign"
        for _attempt in range(5):
            assert "密码不正确" in client.post(url, data={"login": "guard02", "password": "nope-nope"}).text
        throttled = client.post(url, data={"login": "guard02", "password": "wuye-demo"})
        assert throttled.status_code == 200 and re.search(r"请在 \d+ 分钟后再试", throttled.text)
        assert 'name="cosign"' not in throttled.text
        limiter.reset()
