"""Work-order services: raise, dispatch, the technician's steps, grab race, offline conflicts, return visit."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.workorders.helpers import T0, assigned, crew, done, raise_order, receipt
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, Forbidden, NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.workorders import queries, steps
from wuye_field.workorders.models import OrderEvent, WorkOrder


def events_of(order) -> list[tuple[str, bool]]:
    return [(e.kind, e.applied) for e in db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))]


# ---------------------------------------------------------------- raise


def test_raise_numbers_per_site_and_local_day(team):
    """Numbers run per site and site-local day: 23:50 Shanghai on the 27th is still the 27th's series."""
    first = raise_order(team, at=datetime(2026, 11, 27, 15, 50, tzinfo=timezone.utc))  # 23:50 local
    second = raise_order(team, at=datetime(2026, 11, 27, 15, 55, tzinfo=timezone.utc))
    next_day = raise_order(team, at=datetime(2026, 11, 27, 16, 5, tzinfo=timezone.utc))  # 00:05 local, 28th
    assert (first.number, second.number, next_day.number) == ("20261127-0001", "20261127-0002", "20261128-0001")
    assert first.state == "new" and events_of(first) == [("raise", True)]


def test_raise_uses_site_sla_policy_else_defaults(team, factories):
    """W1 W2 W3: emergency 60 min / 8 h by default; a site may promise 25 min."""
    assert (raise_order(team).arrive_minutes, raise_order(team).finish_minutes) == (60, 480)
    hard = raise_order(team, priority="hard")
    assert (hard.arrive_minutes, hard.finish_minutes) == (None, 72 * 60)
    factories.sla_policy(team.site, "emergency", arrive_minutes=25, finish_minutes=240)
    assert (raise_order(team).arrive_minutes, raise_order(team).finish_minutes) == (25, 240)


def test_raise_replay_stores_once(team):
    """R1: the same client UUID raises one order."""
    key = str(uuid.uuid4())
    kwargs = dict(site_id=team.site.id, source="desk", category="water", priority="ordinary", description="漏水",
                  receipt=receipt(T0, key=key))
    assert steps.raise_order(team.desk, **kwargs).id == steps.raise_order(team.desk, **kwargs).id
    assert db.session.scalar(select(func.count(WorkOrder.id))) == 1


def test_raise_refused_for_wrong_role_site_or_values(team):
    """A guard raises only from a defect; another site's desk gets NotFound; bad values are 422 in Chinese."""
    with pytest.raises(Forbidden):
        raise_order(team, user=team.guard)
    with pytest.raises(NotFound):
        raise_order(team, user=team.other_desk)
    with pytest.raises(DomainError) as bad:
        raise_order(team, description="  ")
    assert bad.value.status == 422 and "描述" in bad.value.message
    with pytest.raises(DomainError):
        raise_order(team, priority="urgent")
    with pytest.raises(DomainError):
        raise_order(team, resident_phone="<script>")


def test_events_are_chained(team):
    """H5: every step is in the site's hash chain."""
    order = assigned(team)
    assert chain.verify(team.site.id).ok
    assert len(events_of(order)) == 2


# ---------------------------------------------------------------- scoping


def test_other_site_cannot_see_or_touch(team):
    """R15: another site's desk gets NotFound for every step."""
    order = raise_order(team)
    with pytest.raises(NotFound):
        queries.get_order(team.other_desk, order.id)
    with pytest.raises(NotFound):
        steps.assign(team.other_desk, order.id, team.tech.id, receipt=receipt())
    with pytest.raises(NotFound):
        steps.cancel(team.other_desk, order.id, "重复", receipt=receipt())


def test_technician_cannot_dispatch_and_stranger_cannot_work(team):
    order = assigned(team)
    with pytest.raises(Forbidden):
        steps.assign(team.tech, order.id, team.tech2.id, receipt=receipt())
    with pytest.raises(Forbidden) as refused:
        steps.arrive(team.tech2, order.id, receipt=receipt())
    assert "不是派给您" in refused.value.message


def test_assign_only_to_technician_of_the_site(team):
    order = raise_order(team)
    with pytest.raises(DomainError) as bad:
        steps.assign(team.desk, order.id, team.guard.id, receipt=receipt())
    assert bad.value.status == 422


# ---------------------------------------------------------------- the happy path and the return visit


def test_full_life_satisfied_visit_closes(team, factories):
    """raise → assign → arrive → done → visit (satisfied) → closed, each a record with who and why."""
    item = factories.price_item(team.site)
    order = assigned(team)
    steps.arrive(team.tech, order.id, receipt=receipt(T0 + timedelta(minutes=20)))
    event = steps.complete(team.tech, order.id, note="换了阀门", materials="阀门 1 个", paid=True,
                              price_item_id=item.id, photo_ids=[str(uuid.uuid4())],
                              receipt=receipt(T0 + timedelta(minutes=50)))
    assert (event.amount_fen, order.state) == (3500, "done")  # W7: the list price
    steps.record_visit(team.desk, order.id, "satisfied", "很满意", receipt=receipt(T0 + timedelta(hours=2)))
    assert order.state == "closed" and order.closed_at is not None
    assert [k for k, _a in events_of(order)] == ["raise", "assign", "arrive", "done", "visit", "close"]
    assert order.version == 6


def test_not_satisfied_reopens_to_same_technician_keeping_history(team):
    order = assigned(team)
    done(team, order, at=T0 + timedelta(minutes=30))
    with pytest.raises(DomainError):
        steps.record_visit(team.desk, order.id, "not_satisfied", "", receipt=receipt())
    steps.record_visit(team.desk, order.id, "not_satisfied", "还在漏", receipt=receipt(T0 + timedelta(hours=3)))
    assert (order.state, order.assignee_id, order.reopen_count, order.done_at) == ("assigned", team.tech.id, 1, None)
    assert as_utc(order.reopened_at) == T0 + timedelta(hours=3)
    assert [k for k, _a in events_of(order)][-2:] == ["visit", "reopen"]
    done(team, order, at=T0 + timedelta(hours=4))
    assert order.state == "done"


def test_done_requires_after_photo_price_and_signature(factories):
    team = crew(factories, require_signature=True)
    order = assigned(team)
    steps.arrive(team.tech, order.id, receipt=receipt())
    with pytest.raises(DomainError) as no_photo:
        steps.complete(team.tech, order.id, photo_ids=[], receipt=receipt())
    assert "照片" in no_photo.value.message
    with pytest.raises(DomainError) as no_price:
        steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())], paid=True, receipt=receipt())
    assert "价目表" in no_price.value.message
    with pytest.raises(DomainError) as no_sign:
        steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())], receipt=receipt())
    assert "签字" in no_sign.value.message
    event = steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())],
                              no_signature_reason="业主不在家，租客在", receipt=receipt())
    assert event.applied and order.state == "done"


def test_hold_and_resume_track_paused_time(team):
    order = assigned(team)
    steps.arrive(team.tech, order.id, receipt=receipt(T0 + timedelta(minutes=10)))
    with pytest.raises(DomainError):
        steps.hold(team.tech, order.id, "", receipt=receipt())
    steps.hold(team.tech, order.id, "等配件", receipt=receipt(T0 + timedelta(minutes=20)))
    assert order.state == "on_hold"
    steps.resume(team.desk, order.id, receipt=receipt(T0 + timedelta(minutes=80)))
    assert (order.state, order.paused_seconds, order.on_hold_since) == ("arrived", 3600, None)


def test_cancel_needs_reason(team):
    order = assigned(team)
    with pytest.raises(DomainError) as bad:
        steps.cancel(team.desk, order.id, " ", receipt=receipt())
    assert "取消原因" in bad.value.message
    steps.cancel(team.desk, order.id, "业主自己修好了", receipt=receipt())
    assert order.state == "cancelled"


# ---------------------------------------------------------------- grab race


def test_grab_needs_setting_and_trade(factories):
    team = crew(factories, allow_grab=False)
    order = raise_order(team)
    with pytest.raises(Forbidden) as off:
        steps.grab(team.tech, order.id, receipt=receipt())
    assert "抢单" in off.value.message
    team2 = crew(factories, allow_grab=True, trades=("power",))
    with pytest.raises(Forbidden) as trade:
        steps.grab(team2.tech, raise_order(team2).id, receipt=receipt())
    assert "工种" in trade.value.message


def test_two_offline_grabs_one_winner_loser_told(factories):
    """Both grabbed offline; the one received first wins; the other is stored, not applied, and told."""
    team = crew(factories, allow_grab=True)
    order = raise_order(team)
    # tech2 grabbed earlier on the phone but synced later: the server's order of receipt decides.
    minutes = lambda n: T0 + timedelta(minutes=n)  # noqa: E731
    first = steps.grab(team.tech, order.id, receipt=receipt(minutes(5), received=minutes(30)))
    second = steps.grab(team.tech2, order.id, receipt=receipt(minutes(2), received=minutes(31)))
    assert first.applied and not second.applied
    assert second.conflict_reason == "已被 维修甲 抢走"
    assert "已被 维修甲 抢走" in queries.step_message(second)
    assert (order.state, order.assignee_id) == ("assigned", team.tech.id)
    assert queries.open_conflicts([team.site.id]) == []  # a lost grab needs no settling
    with pytest.raises(DomainError):
        steps.grab(team.tech, order.id, receipt=receipt())


# ---------------------------------------------------------------- offline conflicts


def test_arrive_and_done_after_reassign_are_kept_as_conflicts(team):
    """Reassigned while tech worked offline: arrive/done stored, not applied, shown until settled."""
    order = assigned(team)
    steps.assign(team.desk, order.id, team.tech2.id, reason="甲没接电话",
                    receipt=receipt(T0 + timedelta(minutes=15)))
    late = T0 + timedelta(hours=1)
    arrive = steps.arrive(team.tech, order.id, receipt=receipt(T0 + timedelta(minutes=10), received=late))
    finish = steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())], note="修好了",
                               receipt=receipt(T0 + timedelta(minutes=40), received=T0 + timedelta(hours=1)))
    assert not arrive.applied and not finish.applied
    assert "改派给 维修乙" in finish.conflict_reason
    assert (order.state, order.assignee_id, order.arrived_at, order.done_at) == ("assigned", team.tech2.id, None, None)
    assert [e.id for e in queries.open_conflicts([team.site.id])] == [arrive.id, finish.id]
    detail = queries.order_detail(team.tech, order.id, T0 + timedelta(hours=1))
    assert [c.event.id for c in detail.conflicts] == [arrive.id, finish.id]
    steps.settle_conflict(team.desk, arrive.id, "甲乙都去了，以乙为准", receipt=receipt())
    with pytest.raises(DomainError):
        steps.settle_conflict(team.desk, arrive.id, "again", receipt=receipt())
    assert [e.id for e in queries.open_conflicts([team.site.id])] == [finish.id]


def test_done_after_cancel_is_kept_as_conflict(team):
    order = assigned(team)
    steps.arrive(team.tech, order.id, receipt=receipt())
    steps.cancel(team.desk, order.id, "业主取消", receipt=receipt(T0 + timedelta(minutes=5)))
    finish = steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())],
                               receipt=receipt(T0 + timedelta(minutes=3), received=T0 + timedelta(minutes=30)))
    assert not finish.applied and "已被取消" in finish.conflict_reason and order.state == "cancelled"
    assert [e.id for e in queries.open_conflicts([team.site.id])] == [finish.id]
    assert queries.open_conflicts([team.other_site.id]) == []


# ---------------------------------------------------------------- lists


def test_my_orders_overdue_first_then_nearest_deadline(team):
    now = T0 + timedelta(minutes=70)
    late = assigned(team, at=T0)  # emergency: arrive by T0+60 → overdue at now
    soon = assigned(team, at=T0 + timedelta(minutes=50), priority="ordinary")  # finish by +8h
    sooner = assigned(team, at=T0 + timedelta(minutes=30))  # arrive by T0+90
    assigned(team, tech=team.tech2)
    rows = queries.orders_for_technician(team.tech, now)
    assert [r.order.id for r in rows] == [late.id, sooner.id, soon.id]
    assert rows[0].clocks.overdue and rows[1].clocks.state == "ok"


def test_raised_by_until_closed(team):
    """W6: the one who raised it sees it until it is closed."""
    order = assigned(team)
    assert [r.order.id for r in queries.orders_raised_by(team.desk)] == [order.id]
    done(team, order, at=T0 + timedelta(minutes=30))
    assert [r.order.id for r in queries.orders_raised_by(team.desk)] == [order.id]
    steps.record_visit(team.desk, order.id, "satisfied", receipt=receipt())
    assert queries.orders_raised_by(team.desk) == []


def test_desk_accepts_offline_completion_after_reassign(team):
    """Reassigned (no signal in the basement) but tech did the job: accepting applies it as of the phone time."""
    order = assigned(team)
    steps.assign(team.desk, order.id, team.tech2.id, receipt=receipt(T0 + timedelta(minutes=15)))
    late = T0 + timedelta(hours=1)
    arrive = steps.arrive(team.tech, order.id, receipt=receipt(T0 + timedelta(minutes=10), received=late))
    finish = steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())], materials="阀门",
                               receipt=receipt(T0 + timedelta(minutes=40), received=late))
    with pytest.raises(DomainError):
        steps.settle_conflict(team.desk, finish.id, "", accept=True, receipt=receipt(late))
    steps.settle_conflict(team.desk, arrive.id, "甲确实到场", accept=True, receipt=receipt(late))
    accepted = steps.settle_conflict(team.desk, finish.id, "以甲的完工为准", accept=True, receipt=receipt(late))
    assert (accepted.kind, accepted.applied, accepted.materials, accepted.settles_id) == (
        "done", True, "阀门", finish.id)
    assert (order.state, order.assignee_id) == ("done", team.tech.id)
    assert (as_utc(order.arrived_at), as_utc(order.done_at)) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=40))
    assert queries.open_conflicts([team.site.id]) == []
    steps.record_visit(team.desk, order.id, "satisfied", receipt=receipt(late))
    assert order.state == "closed"


def test_cannot_accept_into_a_cancelled_order(team):
    order = assigned(team)
    steps.arrive(team.tech, order.id, receipt=receipt())
    steps.cancel(team.desk, order.id, "业主取消", receipt=receipt(T0 + timedelta(minutes=5)))
    finish = steps.complete(team.tech, order.id, photo_ids=[str(uuid.uuid4())],
                               receipt=receipt(T0 + timedelta(minutes=9)))
    with pytest.raises(DomainError) as refused:
        steps.settle_conflict(team.desk, finish.id, "采纳", accept=True, receipt=receipt())
    assert "已取消" in refused.value.message
    steps.settle_conflict(team.desk, finish.id, "已告知维修工，不收费", receipt=receipt())
    assert queries.open_conflicts([team.site.id]) == []


# ---------------------------------------------------------------- from a defect


def test_order_from_a_guards_defect_resolves_it_and_shows_its_photos(team):
    """A guard's defect (with a photo) becomes an order: the defect is resolved as "order", its photos show."""
    from wuye_field.defects.models import DefectResolution
    from wuye_field.photos.models import Photo
    from wuye_field.defects.records import record_defect

    photo_uuid = str(uuid.uuid4())
    db.session.add(Photo(client_uuid=photo_uuid, user_id=team.guard.id, site_id=None, device_time=T0, received_at=T0,
                         sha256="0" * 64, display_key="d", thumb_key="t", width=10, height=10, format_in="jpeg",
                         bytes_in=1, bytes_out=1))
    defect = record_defect(team.guard, place_id=None, site_id=team.site.id, location="3栋地下车库", category="water",
                           severity="high", note="管道滴水", photo_ids=[photo_uuid], receipt=receipt(T0)).defect
    with pytest.raises(DomainError):
        raise_order(team, source="defect")  # which defect?
    order = raise_order(team, source="defect", defect_id=defect.id, description="地库管道滴水")
    resolution = db.session.scalar(select(DefectResolution).where(DefectResolution.defect_id == defect.id))
    assert (resolution.outcome, resolution.work_order_id) == ("order", order.id)
    detail = queries.order_detail(team.tech, order.id, T0)
    assert [p.client_uuid for p in detail.reporter_photos] == [photo_uuid]
    with pytest.raises(DomainError) as again:  # one defect, one order
        raise_order(team, source="defect", defect_id=defect.id)
    assert again.value.status == 409 and "已转工单" in again.value.message


def test_work_after_a_lost_offline_grab_is_kept(factories):
    """Grabbed offline and lost, then worked: the work is kept as a conflict, not refused."""
    team = crew(factories, allow_grab=True)
    order = raise_order(team)
    steps.grab(team.tech, order.id, receipt=receipt(T0 + timedelta(minutes=1)))
    steps.grab(team.tech2, order.id, receipt=receipt(T0, received=T0 + timedelta(minutes=20)))
    arrive = steps.arrive(team.tech2, order.id, receipt=receipt(T0 + timedelta(minutes=5),
                                                                   received=T0 + timedelta(minutes=20)))
    assert not arrive.applied and "已被 维修甲 抢走" in arrive.conflict_reason
    assert [e.id for e in queries.open_conflicts([team.site.id])] == [arrive.id]
