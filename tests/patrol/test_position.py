"""Position on scans, never a gate (issue 16 item 5): off by default; once a site turns it on a scan carries
the phone's position; far from the place's recorded position is listed on 巡更异常, never refused."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.sync.helpers import headers
from wuye_field.extensions import db
from wuye_field.patrol import position
from wuye_field.patrol.models import Scan
from wuye_field.places.models import Place

HERE = {"lat": "31.230400", "lon": "121.473700", "accuracy": "8"}


def _cp01():
    return db.session.scalar(select(Place).where(Place.code == "CP01"))


def _turn_on(demo, admin01, max_m=100):
    earlier = datetime.now(timezone.utc) - timedelta(seconds=1)
    position.change(admin01, demo.id, "patrol.record_position", True, now=earlier)
    position.change(admin01, demo.id, "patrol.position_max_m", max_m, now=earlier)
    db.session.commit()


def test_off_by_default_nothing_is_stored_and_the_page_asks_nothing(client, auth, demo):
    auth.login("guard01")
    place = _cp01()
    assert "data-record-position" not in client.get(f"/t/{place.tag_token}").get_data(as_text=True)
    response = client.post("/patrol/scans", data={"place": place.tag_token, **HERE},
                           headers=headers())
    assert response.status_code == 201
    assert db.session.scalar(select(Scan)).lat is None


def test_on_a_scan_carries_lat_lon_accuracy_and_a_scan_without_one_still_counts(client, auth, demo, admin01):
    _turn_on(demo, admin01)
    auth.login("guard01")
    place = _cp01()
    assert "data-record-position" in client.get(f"/t/{place.tag_token}").get_data(as_text=True)
    assert client.post("/patrol/scans", data={"place": place.tag_token, **HERE}, headers=headers()).status_code == 201
    assert client.post("/patrol/scans", data={"place": place.tag_token}, headers=headers()).status_code == 201
    with_position, without = db.session.scalars(select(Scan).order_by(Scan.id)).all()
    assert (with_position.lat, with_position.lon, with_position.accuracy_m) == (31.2304, 121.4737, 8.0)
    assert without.lat is None


def test_far_from_the_place_is_an_anomaly_never_a_refusal(client, auth, demo, admin01):
    _turn_on(demo, admin01, max_m=100)
    place = _cp01()
    place.lat, place.lon = 31.2304, 121.4737
    db.session.commit()
    auth.login("guard01")
    near = {"lat": "31.2308", "lon": "121.4737", "accuracy": "10"}  # ~45 m
    far = {"lat": "31.2404", "lon": "121.4737", "accuracy": "10"}  # ~1.1 km
    for values in (near, far):
        assert client.post("/patrol/scans", data={"place": place.tag_token, **values}, headers=headers()
                           ).status_code == 201
    auth.logout()
    auth.login("supervisor01")
    html = client.get(f"/patrol/anomalies?site={demo.id}").get_data(as_text=True)
    assert html.count('data-kind="far"') == 1 and "打卡位置离地点太远" in html and "距地点约 1112 米" in html


def test_an_admin_records_a_places_position_both_or_neither(admin, demo):
    place = _cp01()
    form = {"name": place.name, "code": place.code, "kind": place.kind, "building_id": place.building_id or "",
            "patrol_interval_min": place.patrol_interval_min}
    bad = admin.post(f"/admin/places/{place.id}", data=form | {"lat": "31.23", "lon": ""})
    assert "请填写有效的纬度和经度" in bad.get_data(as_text=True)
    admin.post(f"/admin/places/{place.id}", data=form | {"lat": "31.2304", "lon": "121.4737"})
    db.session.refresh(place)
    assert (place.lat, place.lon) == (31.2304, 121.4737)
