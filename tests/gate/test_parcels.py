"""Parcels and mail (G13): received for a unit, handed over with a code or a signature photo, refused
whole without one, handed over once; unclaimed after the site's days listed; /export/parcels.csv masked."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.gate import helpers as h
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import parcels, visitors


def _in(site, at=h.NOW, **changes):
    values = {"post": str(h.post(site).id), "building": str(h.building(site).id), "unit": "3单元502",
              "carrier": "顺丰", "count": "2"} | changes
    parcel, _pending = parcels.parcel_in(h.user("gate01"), values, **h.field(at))
    db.session.commit()
    return parcel


def test_a_parcel_is_received_and_handed_over_once_with_a_code(demo):
    parcel = _in(demo)
    with pytest.raises(visitors.GateRefused) as refused:
        parcels.parcel_out(h.user("gate01"), parcel.id, {"to_whom": "王先生"}, **h.field(h.NOW + timedelta(hours=1)))
    assert "取件码" in refused.value.errors["code"]
    db.session.rollback()
    parcels.parcel_out(h.user("desk01"), parcel.id, {"to_whom": "王先生", "code": "8531"},
                       **h.field(h.NOW + timedelta(hours=1)))
    db.session.commit()
    assert parcels.waiting(demo.id) == []
    with pytest.raises(visitors.GateRefused) as twice:
        parcels.parcel_out(h.user("gate01"), parcel.id, {"to_whom": "王先生", "code": "8531"},
                           **h.field(h.NOW + timedelta(hours=2)))
    assert twice.value.status == 409


def test_bad_parcel_input_is_refused_on_its_field(demo):
    with pytest.raises(visitors.GateRefused) as refused:
        _in(demo, unit="", count="0")
    assert set(refused.value.errors) == {"unit", "count"}


def test_unclaimed_parcels_after_the_sites_days(demo):
    old = _in(demo, at=h.NOW - timedelta(days=4))
    _in(demo, at=h.NOW - timedelta(days=1))
    assert [p.id for p in parcels.unclaimed(demo.id, h.NOW)] == [old.id]


def test_parcel_forms_and_the_export(client, auth, demo):
    auth.login("gate01")
    answer = h.post_field(client, "/gate/parcels", {"post": str(h.post(demo).id), "building": str(h.building(demo).id),
                                                    "unit": "3单元502", "count": "1"})
    assert answer.status_code == 201
    parcel_id = answer.get_json()["parcel"]["id"]
    out = h.post_field(client, f"/gate/parcels/{parcel_id}/out", {"to_whom": "王建国", "code": "1234"})
    assert out.status_code == 201
    assert 'data-action="parcel-in"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("admin01")
    today = utcnow().astimezone(h.SHANGHAI).date().isoformat()
    body = client.get(f"/export/parcels.csv?site=DEMO&date_from={today}&date_to={today}").get_data(as_text=True)
    assert body.startswith("\ufeff") and "3单元502" in body and "王**" in body and "王建国" not in body
