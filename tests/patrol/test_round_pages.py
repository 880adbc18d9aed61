"""Round endpoints and pages (issue 4): round-start / round-finish over HTTP, the round screen, the summary,
the guard's home card, the offline pages, and the admin configuration (routes, checklists)."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.sync import helpers
from wuye_field.audit.models import AdminChange
from wuye_field.extensions import db
from wuye_field.patrol.models import ChecklistItem, Round, RoundFinish, Route


def demo_route(site, name="楼栋巡查") -> Route:
    return db.session.scalar(select(Route).where(Route.site_id == site.id, Route.name == name))


def post(client, url, data, key=None):
    return client.post(url, data=data, headers=helpers.headers(key))


def test_round_start_scan_finish_over_http(client, auth, demo):
    auth.login("guard01")
    route = demo_route(demo)
    round_key = helpers.new_key()
    action = helpers.new_key()
    started = post(client, "/patrol/rounds", {"route_id": route.id, "round": round_key}, action)
    assert started.status_code == 201 and started.get_json()["message"] == "开始巡更：楼栋巡查（6 个巡更点）"
    assert post(client, "/patrol/rounds", {"route_id": route.id, "round": round_key}, action).status_code == 200
    assert helpers.count(Round) == 1 and db.session.scalar(select(Round.client_uuid)) == round_key
    scanned = post(client, "/patrol/scans", {"place": helpers.place(demo, "CP05").tag_token, "round": round_key})
    assert scanned.status_code == 201 and scanned.get_json()["scan"]["round_id"]
    refused = post(client, "/patrol/rounds/finish", {"round": round_key})
    assert refused.status_code == 422 and "提前结束请填写原因" in refused.get_json()["message"]
    done = post(client, "/patrol/rounds/finish", {"round": round_key, "reason": "换岗"})
    body = done.get_json()
    assert done.status_code == 201 and body["summary"]["scanned"] == 1 and body["summary"]["missed"] == 5
    assert body["message"].startswith("巡更结束：已巡 1/6")
    assert helpers.count(RoundFinish) == 1


def test_round_start_of_another_sites_route_is_404(client, auth, demo, factories):
    other = factories.site()
    foreign = Route(site_id=other.id, name="外站")
    db.session.add(foreign)
    db.session.commit()
    auth.login("guard01")
    response = post(client, "/patrol/rounds", {"route_id": foreign.id, "round": helpers.new_key()})
    assert response.status_code == 404 and response.get_json()["message"]
    assert client.get(f"/patrol/routes/{foreign.id}/round").status_code == 404


def test_round_page_lists_stops_with_the_hooks(client, auth, demo):
    auth.login("guard01")
    route = demo_route(demo)
    page = client.get(f"/patrol/routes/{route.id}/round").text
    assert re.search(r'<form[^>]*data-action="round-start"[^>]*action="/patrol/rounds"', page)
    assert re.search(r'<form[^>]*data-action="round-finish"[^>]*action="/patrol/rounds/finish"', page)
    assert f'name="route_id" value="{route.id}"' in page and "data-outbox" in page
    assert page.index("配电房") < page.index("水泵房") < page.index("3栋天台")
    assert page.count('data-state="pending"') == 6 and "js/patrol." in page


def test_round_page_shows_the_open_round_with_server_known_scans(client, auth, demo):
    auth.login("guard01")
    route = demo_route(demo)
    key = helpers.new_key()
    post(client, "/patrol/rounds", {"route_id": route.id, "round": key})
    post(client, "/patrol/scans", {"place": helpers.place(demo, "CP06").tag_token, "round": key})
    page = client.get(f"/patrol/routes/{route.id}/round").text
    assert f'data-open-round="{key}"' in page and page.count('data-state="scanned"') == 1
    assert f'name="round" value="{key}"' in page and "required" in page  # early finish needs a reason
    summary = client.get(f"/patrol/rounds/{key}")
    assert summary.status_code == 200 and 'data-summary="scanned">1 / 6' in summary.text


def test_summary_of_someone_elses_round_is_404_for_a_guard_but_open_to_the_supervisor(client, auth, demo):
    auth.login("guard01")
    key = helpers.new_key()
    post(client, "/patrol/rounds", {"route_id": demo_route(demo).id, "round": key})
    auth.logout()
    auth.login("guard02")
    assert client.get(f"/patrol/rounds/{key}").status_code == 404
    auth.logout()
    auth.login("supervisor01")
    assert client.get(f"/patrol/rounds/{key}").status_code == 200


def test_guard_home_has_routes_key_areas_and_the_big_button(client, auth, demo):
    """P2: key areas never patrolled are overdue (red) on the guard's home."""
    auth.login("guard01")
    page = client.get("/").text
    assert 'id="home-patrol"' in page and "开始巡更" in page and "楼栋巡查" in page and "夜间外围" in page
    assert 'data-state="overdue"' in page and "配电房" in page and "现在该巡" in page
    auth.logout()
    auth.login("cleaner01")
    assert 'id="home-patrol"' not in client.get("/").text


def test_offline_manifest_has_round_pages_and_their_checkpoints(client, auth, demo):
    auth.login("guard01")
    pages = client.get("/sync/manifest").get_json()["pages"]
    route = demo_route(demo)
    assert f"/patrol/routes/{route.id}/round" in pages and "/patrol/routes" in pages
    assert f"/t/{helpers.place(demo, 'CP05').tag_token}" in pages


# ---------------------------------------------------------------- admin configuration


def test_admin_creates_a_route_with_ordered_stops_and_the_change_is_logged(client, auth, demo):
    auth.login("admin01")
    cp3, cp1 = helpers.place(demo, "CP03"), helpers.place(demo, "CP01")
    url = f"/patrol/admin/sites/{demo.id}/routes"
    assert "新建路线" in client.get(url).text
    bad = client.post(url, data={"name": "", f"stop-{cp1.id}": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "请填写路线名称。" in bad.text and "请至少选择一个巡更点" in bad.text
    made = client.post(url, data={"name": "白班车库", "expected_minutes": "20", "window_minutes": "120",
                                  "min_seconds_between": "40", "random_order": "1", "active": "1",
                                  f"stop-{cp3.id}": "1", f"stop-{cp1.id}": "2"})
    assert made.status_code == 303
    route = demo_route(demo, "白班车库")
    assert [s.place.code for s in route.stops] == ["CP03", "CP01"] and route.random_order
    assert route.window_minutes == 120 and route.min_seconds_between == 40
    assert db.session.scalar(select(AdminChange).where(AdminChange.what.like("%白班车库%"))) is not None


def test_admin_route_pages_of_another_site_are_404(client, auth, demo, factories):
    other = factories.site()
    db.session.commit()
    auth.login("admin01")
    assert client.get(f"/patrol/admin/sites/{other.id}/routes").status_code == 404
    auth.logout()
    auth.login("guard01")
    assert client.get(f"/patrol/admin/sites/{demo.id}/routes").status_code in (403, 404)


def test_admin_adds_a_reading_and_applies_the_standard_checklist(client, auth, demo):
    auth.login("admin01")
    place = helpers.place(demo, "CP13")
    url = f"/patrol/admin/places/{place.id}/checklist"
    bad = client.post(url, data={"category": "fire", "label": "水表读数", "kind": "reading", "unit": "",
                                 "min_value": "5", "max_value": "1"}, headers={"HX-Request": "true"})
    assert "读数须填写单位。" in bad.text and "最大值不能小于最小值。" in bad.text
    ok = client.post(url, data={"category": "fire", "label": "水表读数", "kind": "reading", "unit": "m³",
                                "min_value": "0", "max_value": "99999"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "水表读数" in ok.text and "0–99999 m³" in ok.text
    before = helpers.count(ChecklistItem, ChecklistItem.place_id == place.id)
    client.post(f"{url}/standard", data={"categories": ["fire"]})
    client.post(f"{url}/standard", data={"categories": ["fire"]})  # twice: nothing doubled
    labels = [i.label for i in db.session.scalars(select(ChecklistItem).where(ChecklistItem.place_id == place.id))]
    assert "灭火器在位且压力正常" in labels and "消火栓压力" in labels and len(labels) == len(set(labels))
    assert len(labels) == before + 5
    assert db.session.scalar(select(AdminChange).where(AdminChange.what.like("检查项%"))) is not None
