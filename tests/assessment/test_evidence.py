"""The evidence rules the month site leaves empty: P5 findings open past the sheet's days, P6 building shifts
short of two rounds, W4 completed orders never visited while the rate is under target."""
from __future__ import annotations

import uuid
from datetime import timedelta

from wuye_field.assessment import evidence
from wuye_field.core.time import utcnow
from wuye_field.defects.models import Defect
from wuye_field.extensions import db

from tests.reports.conftest import at


def test_findings_open_past_the_limit_p6_shifts_and_unvisited_orders(month_site, factories):
    site, first = month_site.site, month_site.first
    building = factories.building(site, name="9栋")
    roof = factories.place(site, building_id=building.id, created_at=at(first, 0) - timedelta(days=40))
    factories.route(site, [roof])
    for day, note in ((2, "消防栓漏水"), (29, "刚发现")):
        db.session.add(Defect(client_uuid=str(uuid.uuid4()), user_id=month_site.guard.id, site_id=site.id,
                              device_time=at(first + timedelta(days=day - 1), 10), received_at=utcnow(),
                              place_id=roof.id, category="other", note=note, inspection_id=1))
    db.session.commit()
    m = evidence.month_of(site, month_site.month, utcnow(), 7)
    _header, rows = evidence.EVIDENCE["P5.open"](m)
    assert [r[2] for r in rows] == ["消防栓漏水"]  # the one of the 29th is not 7 days old at the month's end
    _header, shifts = evidence.EVIDENCE["P6.short"](m)
    days = (month_site.last - first).days + 1
    assert len(shifts) == 2 * days and {r[2] for r in shifts} == {"9栋"}
    _header, orders = evidence.EVIDENCE["W4.unvisited"](m)
    assert orders == []  # the month site's orders were closed without a done event: nothing to visit
