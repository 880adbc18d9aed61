"""Vehicles (G5, G12): plates validated (new energy too), in / out with out-before-in refused, a plate
already inside refused, the overstay list from the site's limit, the day view and /export/vehicles.csv."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.gate import helpers as h
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import vehicles, visitors
from wuye_field.gate.models import VehicleEntry


def _in(site, plate="粤BD12345", at=h.NOW, **extra):
    entry = vehicles.vehicle_in(h.user("gate01"), {"post": str(h.post(site).id), "plate": plate, "kind": "visitor",
                                                   "parking": "地面P12"} | extra, **h.field(at))
    db.session.commit()
    return entry


def test_a_new_energy_plate_comes_in_and_goes_out(demo):
    entry = _in(demo, plate="粤b d12345")
    assert entry.plate == "粤BD12345" and [v.id for v in vehicles.inside(demo.id)] == [entry.id]
    vehicles.vehicle_out(h.user("gate01"), entry.id, **h.field(h.NOW + timedelta(hours=1)))
    db.session.commit()
    assert vehicles.inside(demo.id) == []


def test_a_malformed_plate_is_refused_on_its_field_and_nothing_stored(demo):
    with pytest.raises(visitors.GateRefused) as refused:
        _in(demo, plate="粤B1234")
    db.session.rollback()
    assert "车牌号格式不对" in refused.value.errors["plate"]
    assert db.session.scalar(select(func.count(VehicleEntry.id))) == 0


def test_out_before_in_and_a_plate_already_inside_are_refused(demo):
    entry = _in(demo)
    with pytest.raises(visitors.GateRefused) as early:
        vehicles.vehicle_out(h.user("gate01"), entry.id, **h.field(h.NOW - timedelta(minutes=1)))
    assert "不能早于进场时间" in early.value.errors["time_out"]
    db.session.rollback()
    with pytest.raises(visitors.GateRefused) as twice:
        _in(demo)
    assert twice.value.status == 409


def test_vehicles_inside_longer_than_the_limit_are_listed(demo):
    old = _in(demo, plate="粤B11111", at=h.NOW - timedelta(hours=5))
    _in(demo, plate="粤B22222", at=h.NOW - timedelta(hours=1))
    assert [v.id for v in vehicles.overstaying(demo.id, h.NOW)] == [old.id]


def test_vehicle_in_over_http_and_the_export(client, auth, demo):
    auth.login("gate01")
    answer = h.post_field(client, "/gate/vehicles", {"post": str(h.post(demo).id), "plate": "粤B12345"})
    assert answer.status_code == 201
    bad = h.post_field(client, "/gate/vehicles", {"post": str(h.post(demo).id), "plate": "XX"})
    assert bad.status_code == 422 and "车牌号格式不对" in bad.get_json()["message"]
    assert 'data-action="vehicle-in"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("supervisor01")
    today = utcnow().astimezone(h.SHANGHAI).date().isoformat()
    assert "粤B12345" in client.get(f"/gate/sites/{demo.id}/day?date={today}").get_data(as_text=True)
    body = client.get(f"/export/vehicles.csv?site=DEMO&date_from={today}&date_to={today}").get_data(as_text=True)
    assert body.startswith("\ufeff") and "粤B12345" in body
