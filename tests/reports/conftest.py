"""A site with one month of records of every duty (last month, so it can be closed), for the month tests."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from wuye_field.cleaning.models import TaskCheckoff
from wuye_field.core.months import month_days, month_of, previous_month
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.handover.models import Handover, HandoverAcceptance, HandoverPost
from wuye_field.patrol.models import PatrolMakeup, Scan
from wuye_field.workorders.models import WorkOrder

SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), SH).astimezone(timezone.utc)


def record(model, user, site, when, **values):
    row = model(client_uuid=str(uuid.uuid4()), user_id=user.id, site_id=site.id, device_time=when,
                received_at=when + timedelta(minutes=1), **values)
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class MonthSite:
    site: object
    month: str
    first: date
    last: date
    area: object
    guard: object
    supervisor: object


@pytest.fixture
def month_site(factories) -> MonthSite:
    """Last month of a new site: one key area (240 min) scanned in some windows, one late, one made up;
    a cleaning area with a daily task done on time, late or not at all; three work orders; a guard post
    with on-time, early, late and missing handovers."""
    now = utcnow()
    month = previous_month(month_of(now.astimezone(SH).date()))
    first, last = month_days(month)
    long_ago = at(first, 0) - timedelta(days=40)
    site = factories.site(code="MON")
    guard = factories.user("guard", site, staff_no="g-mon", name="巡更甲")
    other = factories.user("guard", site, staff_no="g-mon2", name="巡更乙")
    supervisor = factories.user("supervisor", site, staff_no="s-mon", name="主管甲")
    cleaner = factories.user("cleaner", site, staff_no="c-mon", name="保洁甲")
    area = factories.place(site, code="K1", name="配电房", is_key_area=True, patrol_interval_min=240,
                           created_at=long_ago)
    factories.place(site, code="K2", name="水泵房", is_key_area=True, patrol_interval_min=480, created_at=long_ago)
    # P2: day 1 every window of K1 on time (6), day 2 windows 0 late and 1 made up, the rest missed.
    for hour in (1, 5, 9, 13, 17, 21):
        record(Scan, guard if hour < 12 else other, site, at(first, hour), place_id=area.id)
    second = first + timedelta(days=1)
    record(Scan, other, site, at(second, 4, 10), place_id=area.id)  # 00:00 window late, 04:00 on time
    record(PatrolMakeup, guard, site, at(second, 9), place_id=area.id, window_start=at(second, 8), reason="雨天")
    # cleaning: one daily task; done on time on day 1, late on day 2, missed after
    clean = factories.place(site, code="Q1", name="大堂", kind="cleaning", created_at=long_ago)
    factories.area_assignment(clean, cleaner)
    task = factories.cleaning_task(clean, done_before="09:00")
    record(TaskCheckoff, cleaner, site, at(first, 8), task_id=task.id, place_id=clean.id,
           slot=first.isoformat(), method="tap", done_at=at(first, 8))
    record(TaskCheckoff, cleaner, site, at(second, 11), task_id=task.id, place_id=clean.id,
           slot=second.isoformat(), method="tap", done_at=at(second, 11))
    # work orders: raised in the month, one done in time, one cancelled, one open past its clock
    for n, (state, done) in enumerate((("closed", 60), ("cancelled", None), ("assigned", None))):
        raised = at(first + timedelta(days=3), 10 + n)
        db.session.add(WorkOrder(site_id=site.id, number=f"M-{n}", client_uuid=str(uuid.uuid4()),
                                 raised_by_id=supervisor.id, raised_at=raised, source="desk", category="water",
                                 priority="ordinary", description="漏水", finish_minutes=480, state=state,
                                 done_at=raised + timedelta(minutes=done) if done else None,
                                 closed_at=raised + timedelta(minutes=done) if done else None))
    # handover: a guard post, shifts 07:00 and 19:00
    post = HandoverPost(site_id=site.id, code="GATE", name="东门", kind="guard", shift_starts="07:00,19:00",
                        window_min=10, late_after_min=30, equipment="对讲机=2")
    db.session.add(post)
    db.session.flush()

    def handover(shift: datetime, made: datetime, accepted: datetime | None):
        given = record(Handover, guard, site, made, post_id=post.id, shift_start=shift)
        if accepted is not None:
            record(HandoverAcceptance, other, site, accepted, handover_id=given.id, root_id=given.id,
                   recorded_by_id=other.id)

    handover(at(first, 7), at(first, 6, 55), at(first, 6, 58))       # on time
    handover(at(first, 19), at(first, 18, 30), at(first, 18, 59))    # early (made before 18:50)
    handover(at(second, 7), at(second, 6, 55), at(second, 8, 0))     # late (accepted after 07:30)
    handover(at(second, 19), at(second, 18, 55), None)               # not accepted
    db.session.commit()
    return MonthSite(site, month, first, last, area, guard, supervisor)
