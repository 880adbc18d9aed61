"""P6 in the month figures: each building walked twice a shift, counted from finished building rounds."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from wuye_field.extensions import db
from wuye_field.patrol import month
from wuye_field.patrol.models import Round, RoundFinish

SH = ZoneInfo("Asia/Shanghai")


def _round(site, user, route, start: datetime, minutes: int | None):
    round_ = Round(client_uuid=str(uuid.uuid4()), user_id=user.id, site_id=site.id, route_id=route.id,
                   device_time=start, received_at=start, window_ends_at=start + timedelta(minutes=240))
    db.session.add(round_)
    db.session.flush()
    if minutes is not None:
        end = start + timedelta(minutes=minutes)
        db.session.add(RoundFinish(client_uuid=str(uuid.uuid4()), user_id=user.id, site_id=site.id,
                                   round_id=round_.id, device_time=end, received_at=end))


def test_building_rounds_per_shift(factories):
    site = factories.site()
    guard = factories.user("guard", site)
    one, two = factories.building(site, name="1栋"), factories.building(site, name="2栋")
    roof, basement = factories.place(site, building_id=one.id), factories.place(site, building_id=one.id)
    outside = factories.place(site)
    walk = factories.route(site, [roof, basement])
    factories.route(site, [roof, outside])  # spans more than one building: not a building route
    factories.route(site, [factories.place(site, building_id=two.id)])
    day = date(2026, 10, 1)

    def local(hour: int, d: date = day) -> datetime:
        return datetime(d.year, d.month, d.day, hour, tzinfo=SH).astimezone(timezone.utc)

    _round(site, guard, walk, local(9), 30)       # day shift: two finished rounds → met
    _round(site, guard, walk, local(14), 30)
    _round(site, guard, walk, local(21), 30)      # night shift: one finished, one never finished
    _round(site, guard, walk, local(2, day + timedelta(days=1)), None)
    _round(site, guard, walk, local(3, day + timedelta(days=1)), 300)  # finished after its window: not counted
    db.session.commit()
    figures = month.building_rounds(site, day, day, now=local(12, day + timedelta(days=2)))
    by_name = {b["building"]: b for b in figures["buildings"]}
    assert set(by_name) == {"1栋", "2栋"}
    assert by_name["1栋"] == {"building": "1栋", "shifts": 2, "met": 1, "rounds": 3, "target": 2}
    assert by_name["2栋"]["met"] == 0 and by_name["2栋"]["shifts"] == 2
    # a shift still running is not counted yet
    assert month.building_rounds(site, day, day, now=local(15))["buildings"][0]["shifts"] == 0
