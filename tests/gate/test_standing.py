"""P1's standing post (立岗, 8 h a day at the main gate): a post's standing duty is effective-dated per post;
its hours are covered by accepted shifts, planned by the roster, and shown on the day and month views; a site
with no post standing 8 h is told so."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.gate import helpers as h
from tests.handover import helpers as ho
from wuye_field.audit.models import AdminChange
from wuye_field.core.errors import FieldErrors
from wuye_field.extensions import db
from wuye_field.gate import reports, roster, rules, settings
from wuye_field.handover import handovers


def _accept_the_night_shift(site):
    handover = ho.hand_over(site, login="guard01", at=ho.SHIFT - timedelta(minutes=5))  # 2026-05-01 19:00
    handovers.accept_handover(h.user("gate01"), handover.id, ho.accept_input(handover),
                              **ho.field(ho.SHIFT + timedelta(minutes=2)), secret="s")
    db.session.commit()


def _stand(site, hours: str, start: str, now):
    post = h.post(site)
    settings.save_standing(h.user("admin01"), post, {f"standing_hours_{post.id}": hours,
                                                     f"standing_from_{post.id}": start}, now=now)
    db.session.commit()
    return post


def test_the_window_runs_from_its_clock_and_may_pass_midnight():
    start, end = rules.standing_window(date(2026, 5, 1), rules.time(20, 0), 8, "Asia/Shanghai")
    assert (end - start) == timedelta(hours=8) and start.hour == 12  # 20:00 Shanghai is 12:00 UTC


def test_standing_hours_are_covered_by_accepted_shifts_only(demo):
    post = _stand(demo, "8", "15:00", now=ho.SHIFT - timedelta(days=2))
    _accept_the_night_shift(demo)
    cover = roster.coverage(post, date(2026, 5, 1), now=ho.SHIFT + timedelta(hours=6))
    # 15:00–23:00 due; the 19:00 shift was accepted; the 07:00 shift was not
    assert (cover.standing_hours, cover.standing_covered, cover.standing_uncovered) == (8.0, 4.0, 4.0)
    assert cover.standing_rostered == 0.0  # no roster in May in the demo
    partly = roster.coverage(post, date(2026, 5, 1), now=ho.SHIFT + timedelta(hours=1))
    assert (partly.standing_hours, partly.standing_covered) == (5.0, 1.0)  # up to now only


def test_a_post_without_a_standing_duty_measures_none(demo):
    post = h.post(demo, "CCTV")
    cover = roster.coverage(post, date(2026, 5, 1), now=ho.SHIFT + timedelta(hours=6))
    assert cover.standing_hours == 0 and cover.standing_uncovered == 0


def test_the_setting_is_effective_dated_and_logged(demo):
    post = _stand(demo, "8", "15:00", now=ho.SHIFT - timedelta(days=2))
    _stand(demo, "0", "15:00", now=ho.SHIFT + timedelta(days=1))
    assert settings.standing_at(post, ho.SHIFT) == (8, "15:00")
    assert settings.standing_at(post, ho.SHIFT + timedelta(days=2))[0] == 0
    assert roster.coverage(post, date(2026, 5, 1), now=ho.SHIFT + timedelta(hours=6)).standing_hours == 8.0
    changes = list(db.session.scalars(select(AdminChange.what).where(AdminChange.what.contains("立岗"))))
    assert len(changes) >= 2


def test_bad_standing_input_is_refused(demo):
    post = h.post(demo)
    try:
        settings.save_standing(h.user("admin01"), post, {f"standing_hours_{post.id}": "25",
                                                         f"standing_from_{post.id}": "7点"}, now=ho.SHIFT)
    except FieldErrors as refused:
        assert set(refused.errors) == {f"standing_hours_{post.id}", f"standing_from_{post.id}"}
    else:
        raise AssertionError("accepted 25 h")


def test_the_day_view_shows_the_standing_post_or_says_none_is_set(demo):
    _accept_the_night_shift(demo)
    view = reports.day_view(h.user("supervisor01"), demo.id, date(2026, 5, 1), now=ho.SHIFT + timedelta(hours=6))
    assert view.standing_short and not view.standing  # in May the demo's east gate had no standing duty yet
    _stand(demo, "8", "15:00", now=ho.SHIFT - timedelta(days=2))
    view = reports.day_view(h.user("supervisor01"), demo.id, date(2026, 5, 1), now=ho.SHIFT + timedelta(hours=6))
    assert not view.standing_short and [c.post.code for c in view.standing] == ["GATE"]


def test_the_pages_show_standing_hours(client, auth, demo):
    post = _stand(demo, "8", "15:00", now=ho.SHIFT - timedelta(days=2))
    _accept_the_night_shift(demo)
    auth.login("supervisor01")
    day = client.get(f"/gate/sites/{demo.id}/day?date=2026-05-01").get_data(as_text=True)
    assert f'data-standing="{post.id}"' in day and "立岗" in day
    month = client.get(f"/gate/sites/{demo.id}/month?month=2026-05").get_data(as_text=True)
    assert f'data-standing="{post.id}"' in month and "立岗缺口" in month
    auth.logout()
    auth.login("admin01")
    page = client.post(f"/gate/sites/{demo.id}/settings", data={
        "gate.visitor_retention_days": "180", f"standing_hours_{post.id}": "8", f"standing_from_{post.id}": "07:00"})
    assert page.status_code == 200 and "已保存" in page.get_data(as_text=True)
    assert settings.standing_at(post, ho.SHIFT + timedelta(days=3650)) == (8, "07:00")
