"""The supervisor's monthly figures (W1–W4): in-time shares from the orders' fixed clocks with
paused time excluded, average times, return-visit, satisfaction and reopen rates; the report page."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.workorders.helpers import T0, assigned, done, raise_order, receipt
from wuye_field.extensions import db
from wuye_field.workorders import reports, services

NOV = (datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc), datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc))
LATER = T0 + timedelta(days=10)
PASSWORD = "password-123"


def arrive(team, order, at):
    services.arrive(db.session.get(type(team.tech), order.assignee_id), order.id, receipt=receipt(at))


def test_month_window_is_the_site_local_month():
    label, start, end = reports.parse_month("2026-11", "Asia/Shanghai", today=T0.date())
    assert (label, start, end) == ("2026-11", *NOV)
    assert reports.parse_month("", "Asia/Shanghai", today=T0.date())[0] == "2026-11"
    assert reports.parse_month("2026-12", "Asia/Shanghai", today=T0.date())[2] == datetime(2026, 12, 31, 16, 0,
                                                                                             tzinfo=timezone.utc)
    for bad in ("2026-13", "2026/11", "11-2026", "2026-1", "abc"):
        with pytest.raises(reports.DomainError):
            reports.parse_month(bad, "Asia/Shanghai", today=T0.date())


def test_emergency_on_site_share(team):
    # W1: emergency orders on site within 60 minutes
    met = assigned(team)
    arrive(team, met, T0 + timedelta(minutes=30))
    missed = assigned(team)
    arrive(team, missed, T0 + timedelta(minutes=90))
    raise_order(team)                                    # never arrived, overdue now: not in time
    raise_order(team, at=LATER - timedelta(minutes=5))   # still running in time: not counted yet
    raise_order(team, priority="ordinary")               # no arrival clock
    share = reports.emergency_on_site_share(team.site.id, *NOV, now=LATER)
    assert (share.hits, share.total, share.percent) == (1, 3, 33.3)


def test_site_promise_of_25_minutes_is_the_orders_clock(team, factories):
    # W2: a site promising 25 minutes measures against 25, fixed on the order at raise time
    factories.sla_policy(team.site, "emergency", arrive_minutes=25, finish_minutes=480)
    order = assigned(team)
    arrive(team, order, T0 + timedelta(minutes=30))
    assert reports.emergency_on_site_share(team.site.id, *NOV, now=LATER).percent == 0.0


def test_finished_in_time_excludes_paused_time(team):
    # W3: ordinary orders done within 8 h, time on hold (waiting for parts) not counted
    paused = assigned(team, priority="ordinary")
    arrive(team, paused, T0 + timedelta(minutes=20))
    services.hold(team.tech, paused.id, "等配件", receipt=receipt(T0 + timedelta(hours=1)))
    services.resume(team.tech, paused.id, receipt=receipt(T0 + timedelta(hours=3)))
    services.complete(team.tech, paused.id, photo_ids=["0b1c2d3e-0000-4000-8000-000000000001"],
                      receipt=receipt(T0 + timedelta(hours=9)))          # 9 h − 2 h paused = 7 h: in time
    late = assigned(team, priority="ordinary")
    done(team, late, at=T0 + timedelta(hours=9))                         # 9 h: late
    hard = assigned(team, priority="hard")
    done(team, hard, at=T0 + timedelta(hours=48))                        # 72 h clock: in time
    shares = reports.finished_in_time(team.site.id, *NOV, now=LATER)
    assert (shares["ordinary"].hits, shares["ordinary"].total) == (1, 2)
    assert shares["hard"].percent == 100.0
    assert shares["emergency"].percent is None                           # nothing to count
    response, completion = reports.average_minutes(team.site.id, *NOV)
    assert response == pytest.approx((20 + 9 * 60 + 48 * 60) / 3, abs=0.1)
    # net completion: 7 h, 9 h + 1 min, 48 h + 1 min
    assert completion == pytest.approx((7 * 60 + 9 * 60 + 1 + 48 * 60 + 1) / 3, abs=0.1)


def test_return_visit_satisfaction_and_reopen_rates(team):
    # W4: return-visit rate = visited ÷ done (target ≥ 70 %)
    orders = [assigned(team, priority="ordinary") for _ in range(4)]
    for order in orders[:3]:
        done(team, order, at=T0 + timedelta(hours=1))
    services.record_visit(team.desk, orders[0].id, "satisfied", receipt=receipt(T0 + timedelta(hours=2)))
    services.record_visit(team.desk, orders[1].id, "not_satisfied", "还在漏", receipt=receipt(T0 + timedelta(hours=2)))
    assert reports.return_visit_rate(team.site.id, *NOV) == reports.Share(2, 3)
    assert reports.satisfaction_rate(team.site.id, *NOV) == reports.Share(1, 2)
    assert reports.reopen_rate(team.site.id, *NOV) == reports.Share(1, 3)
    report = reports.site_month(team.site, "2026-11", *NOV, now=LATER)
    assert report.return_visits.percent == 66.7 and report.return_visit_ok is False
    assert report.raised == 4


def test_month_boundary_uses_site_time(team):
    # An order raised at 01:00 on 1 December Beijing time (30 Nov 17:00 UTC) belongs to December
    raise_order(team, at=datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc))
    raise_order(team, at=datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc))
    assert reports.site_month(team.site, "2026-11", *NOV, now=LATER).raised == 1


def test_report_page(team, client, auth):
    order = assigned(team)
    arrive(team, order, T0 + timedelta(minutes=30))
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    response = client.get(f"/workorders/report?site={team.site.id}&month=2026-11")
    assert response.status_code == 200
    assert "紧急工单按时到场" in response.text and "100.0%" in response.text and "回访率" in response.text
    assert "date_from=2026-11-01" in response.text and "date_to=2026-11-30" in response.text
    bad = client.get(f"/workorders/report?site={team.site.id}&month=2026-13")
    assert bad.status_code == 400 and "月份格式" in bad.text
    assert client.get(f"/workorders/report?site={team.other_site.id}").status_code == 404


def test_report_refused_to_desk_and_technicians(team, client, auth):
    db.session.commit()
    for user in (team.desk, team.tech):
        auth.login(user.staff_no, PASSWORD)
        assert client.get(f"/workorders/report?site={team.site.id}").status_code == 403
        auth.logout()
