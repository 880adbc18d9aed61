"""Issue 12 item 1 for handovers (H1): a post's shift starts, window and late-after time are effective-dated,
so changing them today leaves yesterday's early / late flags alone, and a change scheduled for next week
does not move this week's shifts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.handover import helpers as h
from wuye_field.audit.models import AdminChange
from wuye_field.extensions import db
from wuye_field.handover import posts, timeline
from wuye_field.handover.posts import post_values


def form(post, **values):
    return {k: str(v) for k, v in post_values(post).items() if k != "active"} | values


def test_a_window_change_today_leaves_yesterdays_early_flag_alone(demo):
    gate = h.post(demo)
    handover = h.hand_over(demo, at=h.SHIFT - timedelta(minutes=12))  # 12 min before: early with a 10-min window
    now = h.SHIFT + timedelta(days=1)
    [entry] = timeline.timeline(gate, now=now)
    assert entry.early and entry.current.id == handover.id
    posts.save_post(h.user("admin01"), demo.id, form(gate, window_min="15", late_after_min="5"), now=now,
                    post=gate)
    db.session.commit()
    assert gate.window_min == 15  # the current value
    [entry] = timeline.timeline(gate, now=now)
    assert entry.early  # that shift was measured with the 10-minute window in force then
    logged = db.session.scalars(select(AdminChange).where(AdminChange.site_id == demo.id)).all()
    assert {c.what for c in logged} >= {"交接岗位 GATE 交接提前分钟", "交接岗位 GATE 逾期未接班分钟"}


def test_shift_starts_scheduled_for_next_week_do_not_move_this_weeks_shifts(demo):
    gate = h.post(demo)
    now = h.SHIFT - timedelta(days=3)
    posts.save_post(h.user("admin01"), demo.id, form(gate, shift_starts="08:00,20:00"), now=now, post=gate,
                    effective_from=h.SHIFT + timedelta(days=7))
    db.session.commit()
    assert gate.shift_starts == "07:00,19:00"  # not in force yet
    handover = h.hand_over(demo)  # made at 18:52 this week: still the 19:00 shift
    assert handover.shift_start.astimezone(h.SHANGHAI).strftime("%H:%M") == "19:00"
    later = h.hand_over(demo, at=h.SHIFT + timedelta(days=8, minutes=52))  # 19:52 next week: the 20:00 shift
    assert later.shift_start.astimezone(h.SHANGHAI).strftime("%H:%M") == "20:00"
