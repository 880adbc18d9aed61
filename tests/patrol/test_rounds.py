"""Patrol rounds (issue 4): start, this shift's order, scans in a round, finish, summary, auto-close. Services,
called without a request."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import receipt
from wuye_field.accounts.services import find_user_by_login
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db
from wuye_field.patrol import common, inspections, rounds, services
from wuye_field.patrol.models import Route, RouteStop, Scan
from wuye_field.places.services import reissue_tag

START = datetime(2026, 5, 1, 14, 0, tzinfo=timezone.utc)  # 22:00 in Shanghai: the night shift of 5 May 1


def _key() -> str:
    return str(uuid.uuid4())


def route(site, name="楼栋巡查") -> Route:
    return db.session.scalar(select(Route).where(Route.site_id == site.id, Route.name == name))


def start(user, route_, at=START, key=None):
    round_, _created = rounds.start_round(user, route_.id,
                                          receipt(at, received=at + timedelta(seconds=5), key=key or _key()))
    return round_


def scan(user, site, code, round_, at):
    return services.record_scan(user, helpers.place(site, code).tag_token, receipt(at),
                                round_uuid=round_.client_uuid if round_ else None).scan


def finish(user, round_, at, reason=""):
    return rounds.finish_round(user, round_.client_uuid, reason, receipt=receipt(at))


@pytest.fixture
def guard(demo):
    return find_user_by_login("guard01")


# ---------------------------------------------------------------- planned order


def test_fixed_route_keeps_the_admins_order(demo, guard):
    r = start(guard, route(demo))
    codes = [p.code for p in rounds.stop_places(route(demo), common.planned_ids(r))]
    assert codes == ["CP05", "CP06", "CP07", "CP08", "CP09", "CP10"]
    assert r.window_ends_at == START + timedelta(minutes=240)  # P2 window


def test_random_order_is_the_same_for_a_shift_and_covers_every_stop(demo):
    """Random order per shift: deterministic from (route, shift), every checkpoint still covered. (P6)"""
    night = route(demo, "夜间外围")
    stops = sorted(s.place_id for s in night.stops)
    a = rounds.planned_order(night, START)
    b = rounds.planned_order(night, START + timedelta(hours=3))  # 01:00 next day: same night shift
    assert a == b and sorted(a) == stops
    orders = {tuple(rounds.planned_order(night, START + timedelta(hours=12 * i))) for i in range(10)}
    assert len(orders) > 1 and all(sorted(o) == stops for o in orders)


def test_shift_boundaries_in_the_site_time_zone():
    tz = "Asia/Shanghai"
    assert rounds.shift_of(datetime(2026, 5, 1, 0, 0, tzinfo=timezone.utc), tz) == (datetime(2026, 5, 1).date(), 0)
    assert rounds.shift_of(datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc), tz) == (datetime(2026, 5, 1).date(), 1)
    # 07:59 local on 2 May belongs to the night shift of 1 May
    assert rounds.shift_of(datetime(2026, 5, 1, 23, 59, tzinfo=timezone.utc), tz) == (datetime(2026, 5, 1).date(), 1)
    assert rounds.shift_ends_at(datetime(2026, 5, 1, 14, 0, tzinfo=timezone.utc), tz) == \
        datetime(2026, 5, 2, 0, 0, tzinfo=timezone.utc)


def test_two_guards_on_one_shift_get_the_same_order(demo, guard):
    night = route(demo, "夜间外围")
    a = start(guard, night)
    b = start(find_user_by_login("guard02"), night, at=START + timedelta(minutes=50))
    assert a.planned == b.planned


# ---------------------------------------------------------------- summary


def test_summary_counts_scanned_missed_out_of_order_off_route_exceptions_and_duration(demo, guard):
    """The round summary a guard sees at the end and the supervisor's figures use. (P2, P5)"""
    r = start(guard, route(demo))
    t = START
    scan(guard, demo, "CP05", r, t + timedelta(minutes=1))
    scan(guard, demo, "CP07", r, t + timedelta(minutes=3))
    scan(guard, demo, "CP06", r, t + timedelta(minutes=5))   # planned before CP07: out of order
    scan(guard, demo, "CP01", r, t + timedelta(minutes=7))   # not on the route: recorded, flagged
    inspections.record_inspection(guard, helpers.place(demo, "CP08").tag_token, receipt(t + timedelta(minutes=9)),
                                  result="exception", note="门没锁", severity="high", round_uuid=r.client_uuid)
    finish(guard, r, t + timedelta(minutes=20), reason="对讲机呼叫，去东门处理")
    summary = rounds.round_summary(r, now=t + timedelta(minutes=30))
    counts = (summary.scanned, summary.missed, summary.out_of_order, summary.off_route, summary.exceptions)
    assert counts == (4, 2, 1, 1, 1)
    assert summary.duration_seconds == 20 * 60 and summary.finished and not summary.incomplete
    assert summary.early_reason == "对讲机呼叫，去东门处理"
    assert [s.state for s in summary.stops] == ["scanned", "scanned", "scanned", "scanned", "missed", "missed"]
    assert "已巡 4/6" in rounds.summary_message(summary) and "用时 20 分钟" in rounds.summary_message(summary)


def test_off_route_scan_is_recorded_with_a_message_not_refused(demo, guard):
    r = start(guard, route(demo))
    view = services.record_scan(guard, helpers.place(demo, "CP01").tag_token, receipt(START),
                                round_uuid=r.client_uuid)
    assert view.scan.off_route and view.scan.round_id == r.id
    assert "不在本次巡更路线上" in services.scan_message(view)


def test_early_finish_needs_a_reason(demo, guard):
    """Finishing with stops left is allowed only with a reason, kept in the record. (P8)"""
    r = start(guard, route(demo))
    scan(guard, demo, "CP05", r, START + timedelta(minutes=1))
    with pytest.raises(DomainError) as caught:
        finish(guard, r, START + timedelta(minutes=5))
    assert caught.value.status == 422 and "5 个巡更点未巡" in caught.value.message
    finish(guard, r, START + timedelta(minutes=5), reason="下雨，车库进水")
    assert rounds.round_summary(r).early_reason == "下雨，车库进水"


def test_full_round_finishes_without_a_reason_and_only_once(demo, guard):
    r = start(guard, route(demo))
    for i, code in enumerate(["CP05", "CP06", "CP07", "CP08", "CP09", "CP10"]):
        scan(guard, demo, code, r, START + timedelta(minutes=i + 1))
    finish(guard, r, START + timedelta(minutes=10))
    summary = rounds.round_summary(r)
    assert (summary.scanned, summary.missed, summary.out_of_order, summary.early_reason) == (6, 0, 0, "")
    with pytest.raises(DomainError) as caught:
        finish(guard, r, START + timedelta(minutes=11))
    assert caught.value.status == 409


def test_open_round_is_incomplete_after_its_window_without_any_update(demo, guard):
    """A round left open counts as incomplete after window_ends_at: computed, no record changed (H5)."""
    r = start(guard, route(demo))
    scan(guard, demo, "CP05", r, START + timedelta(minutes=1))
    before = rounds.round_summary(r, now=START + timedelta(minutes=239))
    after = rounds.round_summary(r, now=START + timedelta(minutes=240))
    assert before.state == "open" and before.pending == 5 and before.missed == 0
    assert after.state == "incomplete" and after.incomplete and after.missed == 5 and after.duration_seconds is None


def test_retired_tag_in_a_round_does_not_count_as_scanned(demo, guard):
    r = start(guard, route(demo))
    place = helpers.place(demo, "CP05")
    old = place.tag_token
    reissue_tag(place, actor=find_user_by_login("admin01"), now=START)
    view = services.record_scan(guard, old, receipt=receipt(START),
                                round_uuid=r.client_uuid)
    assert view.scan.tag_retired and view.warning
    summary = rounds.round_summary(r)
    assert summary.scanned == 0 and summary.retired_tags == 1


def test_unknown_round_id_leaves_the_scan_on_its_own(demo, guard):
    s = scan(guard, demo, "CP05", None, START)
    view = services.record_scan(guard, helpers.place(demo).tag_token, receipt=receipt(START), round_uuid=_key())
    assert s.round_id is None and view.scan.round_id is None
    with pytest.raises(DomainError):
        services.record_scan(guard, helpers.place(demo).tag_token, receipt=receipt(START), round_uuid="not-a-uuid")


def test_another_guards_round_is_not_joined(demo, guard):
    r = start(guard, route(demo))
    other = find_user_by_login("guard02")
    view = services.record_scan(other, helpers.place(demo).tag_token, receipt=receipt(START), round_uuid=r.client_uuid)
    assert view.scan.round_id is None


def test_same_round_id_started_twice_is_one_round(demo, guard):
    key = _key()
    a = start(guard, route(demo), key=key)
    b, created = rounds.start_round(guard, route(demo).id, receipt=receipt(START, key=key))
    assert a.id == b.id and not created


# ---------------------------------------------------------------- scoping


def test_route_of_another_site_is_not_found(demo, guard, factories):
    other = factories.site()
    place = factories.place(other)
    foreign = Route(site_id=other.id, name="外站", stops=[RouteStop(place_id=place.id, position=1)])
    db.session.add(foreign)
    db.session.flush()
    with pytest.raises(NotFound):
        rounds.start_round(guard, foreign.id, receipt=receipt(START))
    with pytest.raises(NotFound):
        rounds.start_round(find_user_by_login("cleaner01"), route(demo).id, receipt=receipt(START))


def test_rounds_between_lists_a_sites_rounds_by_start(demo, guard):
    a = start(guard, route(demo))
    b = start(guard, route(demo, "夜间外围"), at=START + timedelta(hours=1))
    assert rounds.rounds_between(demo.id, START, START + timedelta(hours=2)) == [a, b]
    assert rounds.rounds_between(demo.id, START + timedelta(minutes=1), START + timedelta(hours=1)) == []


def test_chain_verifies_after_rounds_scans_and_inspections(demo, guard):
    """Every new record (round, round_finish, scan, inspection, inspection_answer) is in the site's hash chain."""
    from wuye_field.audit.models import ChainEntry

    r = start(guard, route(demo))
    scan(guard, demo, "CP05", r, START + timedelta(minutes=1))
    inspections.record_inspection(guard, helpers.place(demo, "CP06").tag_token,
                                  receipt(START + timedelta(minutes=2), received=START),
                                  readings=_readings(demo, "CP06", "0.3"), round_uuid=r.client_uuid)
    finish(guard, r, START + timedelta(minutes=5), reason="测试")
    db.session.commit()
    kinds = set(db.session.scalars(select(ChainEntry.kind)))
    assert {"round", "round_finish", "scan", "inspection", "inspection_answer"} <= kinds
    assert chain.verify(demo.id).ok
    assert db.session.scalar(select(Scan).where(Scan.place_id == helpers.place(demo, "CP06").id)) is not None


def _readings(site, code, value):
    from wuye_field.patrol.checklists import place_checklist

    return {str(i.id): value for i in place_checklist(helpers.place(site, code).id) if i.kind == "reading"}


def test_demo_loader_is_idempotent_and_gives_key_areas_checklists(demo):
    from wuye_field.patrol.checklists import place_checklist
    from wuye_field.patrol.demo import load_patrol_demo
    from wuye_field.patrol.models import ChecklistItem

    before = helpers.count(ChecklistItem), helpers.count(Route)
    load_patrol_demo(demo)
    assert (helpers.count(ChecklistItem), helpers.count(Route)) == before == (before[0], 2)
    assert route(demo, "夜间外围").random_order and not route(demo).random_order
    pump = place_checklist(helpers.place(demo, "CP06").id)
    assert {i.category for i in pump} >= {"fire", "doors"}
    assert [(i.label, i.unit, i.min_value, i.max_value) for i in pump if i.kind == "reading"] == \
        [("消火栓压力", "MPa", 0.1, 0.4)]
    assert all(i.kind == "check" for i in place_checklist(helpers.place(demo, "CP05").id))


def test_finish_after_the_window_counts_as_incomplete(demo, guard):
    r = start(guard, route(demo))
    finish(guard, r, START + timedelta(minutes=241), reason="拖延")
    summary = rounds.round_summary(r)
    assert summary.finished and summary.incomplete and summary.state == "incomplete"


def test_inspection_with_a_replaced_tag_is_kept_and_flagged(demo, guard):
    place = helpers.place(demo, "CP08")
    old = place.tag_token
    reissue_tag(place, actor=find_user_by_login("admin01"), now=START)
    result = inspections.record_inspection(guard, old, receipt=receipt(START))
    assert result.inspection.place_id == place.id and result.scan.tag_retired
    assert "更换" in inspections.inspection_message(result)


def test_inspection_in_a_round_records_the_visit_even_after_a_scan_outside_it(demo, guard):
    """A scan made just before the round started does not stand in for the round's visit."""
    scan(guard, demo, "CP08", None, START - timedelta(minutes=2))
    r = start(guard, route(demo))
    result = inspections.record_inspection(guard, helpers.place(demo, "CP08").tag_token,
                                           receipt(START + timedelta(minutes=1), received=START),
                                           round_uuid=r.client_uuid)
    assert result.scan is not None and result.scan.round_id == r.id
    assert rounds.round_summary(r).scanned == 1
