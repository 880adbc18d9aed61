"""Anomaly rules for supervisor review (issue 4): too fast, clock skew, retired tags, repeats. (P2, P5)"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from wuye_field.patrol import anomalies as a

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


@dataclass
class S:
    id: int
    place_id: int
    seconds: float
    user_id: int = 1
    round_id: int | None = 7
    skew_flagged: bool = False
    clock_skew_seconds: float | None = None
    tag_retired: bool = False

    @property
    def device_time(self):
        return T0 + timedelta(seconds=self.seconds)


def kinds(found):
    return [(x.kind, x.scan.id) for x in found]


def test_consecutive_scans_faster_than_the_route_minimum():
    scans = [S(1, 10, 0), S(2, 11, 20), S(3, 12, 100)]
    found = a.find_anomalies(scans, {7: 30})
    assert kinds(found) == [(a.TOO_FAST, 2)]
    assert found[0].previous.id == 1 and found[0].seconds == 20


def test_exactly_the_minimum_is_fine_and_other_rounds_do_not_interleave():
    scans = [S(1, 10, 0), S(2, 11, 30), S(3, 20, 5, round_id=8, user_id=2)]
    assert a.find_anomalies(scans, {7: 30, 8: 30}) == []


def test_scans_outside_a_round_are_not_too_fast():
    scans = [S(1, 10, 0, round_id=None), S(2, 11, 5, round_id=None)]
    assert a.find_anomalies(scans, {}) == []


def test_skew_and_retired_tags_are_listed():
    """R13: a flagged clock skew is listed with its size; retired-tag scans too."""
    found = a.find_anomalies([S(1, 10, 0, skew_flagged=True, clock_skew_seconds=-3600),
                              S(2, 11, 500, tag_retired=True)], {7: 30})
    assert kinds(found) == [(a.SKEW, 1), (a.RETIRED, 2)]
    assert found[0].seconds == -3600


def test_same_tag_by_same_user_within_a_minute():
    """Photocopied tags scanned from one spot: the same place again within 60 s by one user."""
    scans = [S(1, 10, 0, round_id=None), S(2, 10, 59, round_id=None), S(3, 10, 200, round_id=None),
             S(4, 10, 210, round_id=None, user_id=2)]
    found = a.find_anomalies(scans, {})
    assert kinds(found) == [(a.REPEAT, 2)]


def test_labels_are_chinese(app):
    assert a.Anomaly(a.REPEAT, None).label == "一分钟内重复扫同一标签"


def test_anomalies_page_lists_repeats_and_too_fast(client, auth, demo, factories):
    """The supervisor's list, from the database: a round walked too fast and a tag scanned twice in 30 s."""
    import uuid

    from sqlalchemy import select

    from wuye_field.accounts.services import find_user_by_login
    from wuye_field.extensions import db
    from wuye_field.patrol.models import Round, Scan
    from wuye_field.places.models import Place

    guard = find_user_by_login("guard01")
    places = {p.code: p for p in db.session.scalars(select(Place).where(Place.site_id == demo.id))}
    route = factories.route(demo, [places["CP05"], places["CP06"]], name="快速测试", min_seconds_between=60)
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    round_ = Round(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=demo.id, route_id=route.id,
                   planned="", window_ends_at=start + timedelta(hours=4), device_time=start, received_at=start)
    db.session.add(round_)
    db.session.flush()
    for code, seconds, rid in (("CP05", 0, round_.id), ("CP06", 20, round_.id), ("CP01", 300, None),
                               ("CP01", 330, None)):
        when = start + timedelta(seconds=seconds)
        db.session.add(Scan(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=demo.id,
                            place_id=places[code].id, round_id=rid, device_time=when, received_at=when))
    db.session.commit()
    auth.login("supervisor01")
    html = client.get(f"/patrol/anomalies?site={demo.id}").get_data(as_text=True)
    assert 'data-kind="too_fast"' in html and 'data-kind="repeat"' in html
    assert "两点间过快" in html and "仅 20 秒" in html and "仅 30 秒" in html
    assert client.get(f"/patrol/anomalies?site={demo.id}&date_from=2026-01-01&date_to=2026-03-01").status_code == 400
