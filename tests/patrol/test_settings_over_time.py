"""Issue 12 item 1 for P2: a key area's interval and key-area flag are effective-dated, so a change today
leaves every figure of yesterday and of last month alone, and a change scheduled for next week leaves this
week alone; the grace and the shift bands are the site's settings in force then."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from wuye_field.audit.models import AdminChange
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol import supervision as sv
from wuye_field.patrol.models import Scan
from wuye_field.places import services as places
from wuye_field.places import site_settings

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # Friday 27 November, 10:00 in Shanghai
YESTERDAY = date(2026, 11, 26)
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
THIS_WEEK = sv.week_of(date(2026, 11, 27))


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SH).astimezone(timezone.utc)


@pytest.fixture
def site_with_history(factories):
    """A key area patrolled once in every 4-hour window since September (6 of 6 a day)."""
    site = factories.site()
    place = factories.place(site, code="KA", name="配电房", is_key_area=True, patrol_interval_min=240,
                            created_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
    guard = factories.user("guard", site)
    admin = factories.user("admin", site, staff_no="adm-x")
    sup = factories.user("supervisor", site, staff_no="sup-x")
    day = date(2026, 9, 1)
    while local(day, 0) < NOW:
        for hour in range(1, 24, 4):
            when = local(day, hour)
            if when < NOW:
                db.session.add(Scan(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=site.id,
                                    place_id=place.id, device_time=when, received_at=when))
        day += timedelta(days=1)
    db.session.commit()
    return site, place, admin, sup


def figures(sup, site, first, last, now=NOW):
    report = sv.compliance_report(sup, site.id, first, last, now=now)[1]
    return report.total.on_time, report.total.counted, report.total.missed, [
        (d, t.on_time, t.counted) for d, t in report.days]


def form(place, **values):
    return {"name": place.name, "code": place.code, "kind": place.kind,
            "is_key_area": "1" if place.is_key_area else "", "patrol_interval_min": str(place.patrol_interval_min)
            } | values


def test_an_interval_change_today_leaves_yesterday_and_last_month_unchanged(site_with_history):
    site, place, admin, sup = site_with_history
    yesterday, october = figures(sup, site, YESTERDAY, YESTERDAY), figures(sup, site, *OCTOBER)
    assert yesterday[:2] == (6, 6) and october[:2] == (31 * 6, 31 * 6)

    places.update_place(admin, place.id, form(place, patrol_interval_min="120"), now=NOW)
    db.session.commit()

    assert place.patrol_interval_min == 120  # the current value, for the pages that show it
    assert figures(sup, site, YESTERDAY, YESTERDAY) == yesterday
    assert figures(sup, site, *OCTOBER) == october
    # Today: 00:00–04:00, 04:00–08:00 on the old grid; 08:00–10:00 ends at the change; 10:00 on the new grid.
    today = sv.grid(sup, site.id, date(2026, 11, 27), now=NOW + timedelta(hours=3))[1]
    cells = today.groups[0][1][0].cells
    assert [c.window.label for c in cells][:5] == ["00:00", "04:00", "08:00", "10:00", "12:00"]
    assert cells[2].window.end == NOW and cells[3].window.end - cells[3].window.start == timedelta(hours=2)
    logged = db.session.scalars(select(AdminChange).where(AdminChange.site_id == site.id)).all()
    assert any("巡查间隔" in c.what and c.before == "240" and '"value": 120' in c.after for c in logged)


def test_an_out_of_band_column_update_does_not_rewrite_the_past_once_history_exists(site_with_history):
    site, place, admin, sup = site_with_history
    october = figures(sup, site, *OCTOBER)
    places.update_place(admin, place.id, form(place, patrol_interval_min="180"), now=NOW)
    db.session.commit()
    place.patrol_interval_min = 60  # a later edit that bypassed the history (e.g. an SQL UPDATE)
    db.session.commit()
    assert figures(sup, site, *OCTOBER) == october


def test_a_change_scheduled_for_next_week_does_not_affect_this_week(site_with_history):
    site, place, admin, sup = site_with_history
    week = figures(sup, site, *THIS_WEEK)
    next_week = local(date(2026, 11, 30), 0)
    places.update_place(admin, place.id, form(place, patrol_interval_min="60", is_key_area=""), now=NOW,
                        effective_from=next_week)
    db.session.commit()
    assert place.patrol_interval_min == 240 and place.is_key_area  # not yet in force
    assert figures(sup, site, *THIS_WEEK) == week
    board = sv.site_board(site, now=NOW)
    assert [(r.place.code, r.interval_min) for r in board.rows] == [("KA", 240)]
    # From next week on, the area is no longer a key area: no windows, off the board.
    assert figures(sup, site, date(2026, 11, 30), date(2026, 11, 30), now=next_week + timedelta(days=1))[1] == 0
    assert sv.site_board(site, now=next_week + timedelta(hours=1)).rows == []


def test_unflagging_a_key_area_today_keeps_its_past_figures(site_with_history):
    site, place, admin, sup = site_with_history
    yesterday = figures(sup, site, YESTERDAY, YESTERDAY)
    places.update_place(admin, place.id, form(place, is_key_area=""), now=NOW)
    db.session.commit()
    assert not place.is_key_area
    assert figures(sup, site, YESTERDAY, YESTERDAY) == yesterday
    assert sv.site_board(site, now=NOW + timedelta(minutes=1)).rows == []


def test_the_lateness_grace_in_force_then_decides_late_or_missed(site_with_history, factories):
    site, place, admin, sup = site_with_history
    other = factories.place(site, code="KB", name="水泵房", is_key_area=True,
                            created_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    # Nothing in 00:00–04:00 on the 26th; a visit at 04:20 (20 minutes after the window's end).
    db.session.add(Scan(client_uuid=str(uuid.uuid4()), user_id=admin.id, site_id=site.id, place_id=other.id,
                        device_time=local(YESTERDAY, 4, 20), received_at=local(YESTERDAY, 4, 20)))
    db.session.commit()

    def first_state():
        areas = sv.area_states(site, YESTERDAY, YESTERDAY, now=NOW)
        return next(states[0] for p, _w, states in areas if p.id == other.id)

    assert first_state() == rules.LATE  # the default grace: 30 minutes
    site_settings.update_site_settings(admin, site.id, {"lateness_grace_min": "10"}, now=NOW)
    db.session.commit()
    assert first_state() == rules.LATE  # yesterday keeps yesterday's grace
    site_settings.update_site_settings(admin, site.id, {"due_soon_min": "200"}, now=NOW + timedelta(minutes=1))
    db.session.commit()
    rows = sv.site_board(site, now=NOW + timedelta(minutes=2)).rows
    assert {r.place.code: r.state for r in rows}["KA"] == rules.DUE_SOON  # 62 min since the 09:00 visit ≥ 240 − 200


def test_the_place_form_takes_an_effective_time_and_refuses_the_past(admin, ids):
    url = f"/admin/places/{ids['place']}"
    page = admin.get(url).text
    assert "生效时间" in page
    base = {"name": "东门岗亭", "code": "CP01", "kind": "checkpoint", "patrol_interval_min": "120"}
    refused = admin.post(url, data=base | {"effective_from": "2020-01-01T08:00"})
    assert "生效时间不能早于现在" in refused.text
    later = (datetime.now(SH) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    saved = admin.post(url, data=base | {"effective_from": later}).text
    assert "已保存" in saved and "待生效" in saved


def test_a_round_started_before_a_route_change_keeps_the_route_as_it_stood(factories):
    from tests.sync.helpers import receipt
    from wuye_field.patrol import rounds
    from wuye_field.patrol.admin import save_route

    site = factories.site()
    a, b, c = (factories.place(site, code=code, name=code) for code in ("RA", "RB", "RC"))
    route = factories.route(site, [a, b], window_minutes=240)
    admin = factories.user("admin", site, staff_no="adm-r")
    guard = factories.user("guard", site, staff_no="grd-r")
    db.session.commit()
    values = {"name": route.name, "expected_minutes": "30", "window_minutes": "60", "min_seconds_between": "30",
              "active": "1"}
    save_route(admin, site.id, values, {str(a.id): "1", str(b.id): "2", str(c.id): "3"}, route_id=route.id,
               now=NOW, effective_from=NOW + timedelta(days=7))
    db.session.commit()
    assert route.window_minutes == 240 and [s.place_id for s in route.stops] == [a.id, b.id]  # not yet

    this_week, _ = rounds.start_round(guard, route.id, receipt(NOW + timedelta(hours=1)))
    next_week, _ = rounds.start_round(guard, route.id, receipt(NOW + timedelta(days=8)))
    assert this_week.planned == f"{a.id},{b.id}"
    assert this_week.window_ends_at - this_week.device_time == timedelta(minutes=240)
    assert next_week.planned == f"{a.id},{b.id},{c.id}"
    assert next_week.window_ends_at - next_week.device_time == timedelta(minutes=60)
    logged = db.session.scalars(select(AdminChange).where(AdminChange.site_id == site.id)).all()
    assert {c.what.split()[-1] for c in logged} >= {"巡更时限", "巡更点与顺序"}
