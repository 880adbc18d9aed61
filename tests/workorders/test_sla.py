"""SLA clocks as pure rules (W1–W3): site time zone, raised at 23:50, pause excluded, reopen."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from wuye_field.core.time import to_site_time
from wuye_field.workorders import sla

RAISED = datetime(2026, 11, 27, 15, 50, tzinfo=timezone.utc)  # 23:50 in Asia/Shanghai


def order(**values) -> SimpleNamespace:
    """An emergency order's projection (arrive within 60 min, done within 8 h), raised at 23:50 local."""
    base = dict(raised_at=RAISED, arrive_minutes=60, finish_minutes=480, state="assigned", arrived_at=None,
                done_at=None, on_hold_since=None, paused_seconds=0, reopened_at=None)
    return SimpleNamespace(**(base | values))


def test_raised_at_2350_is_due_after_midnight_in_site_time():
    """W1: on site within 1 h — across midnight, shown in the site's zone."""
    clocks = sla.clocks(order(), RAISED + timedelta(minutes=10))
    assert to_site_time(clocks.arrive.due, "Asia/Shanghai").strftime("%m-%d %H:%M") == "11-28 00:50"
    assert to_site_time(clocks.finish.due, "Asia/Shanghai").strftime("%m-%d %H:%M") == "11-28 07:50"
    assert to_site_time(clocks.arrive.due, "Asia/Urumqi").strftime("%H:%M") == "22:50"  # same instant elsewhere
    assert (clocks.arrive.state, clocks.arrive.remaining_minutes) == ("ok", 50)


def test_amber_within_15_minutes_then_red():
    assert sla.clocks(order(), RAISED + timedelta(minutes=44)).arrive.state == "ok"
    amber = sla.clocks(order(), RAISED + timedelta(minutes=45))
    assert amber.arrive.state == "amber" and amber.about_to_breach and not amber.overdue
    red = sla.clocks(order(), RAISED + timedelta(minutes=61))
    assert red.arrive.state == "red" and red.overdue and red.arrive.remaining_minutes == -1
    assert red.arrive.parts == (0, 1)


def test_arrival_and_completion_stop_the_clocks():
    on_time = sla.clocks(order(state="arrived", arrived_at=RAISED + timedelta(minutes=59)), RAISED + timedelta(hours=3))
    assert on_time.arrive.state == "met" and on_time.finish.state == "ok"
    late = order(state="done", arrived_at=RAISED + timedelta(minutes=61), done_at=RAISED + timedelta(hours=9))
    clocks = sla.clocks(late, RAISED + timedelta(days=2))
    assert (clocks.arrive.state, clocks.finish.state) == ("missed", "missed")
    assert not clocks.overdue  # missed is history, not "late now"


def test_no_arrive_clock_for_ordinary_orders():
    """W3: ordinary — done within 8 h; no response clock."""
    clocks = sla.clocks(order(arrive_minutes=None), RAISED)
    assert clocks.arrive is None and clocks.finish.due == RAISED + timedelta(hours=8)


def test_pause_is_excluded_from_the_finish_clock_only():
    """On hold 1 h: finish due moves 1 h later; while on hold the remaining time is frozen."""
    held = order(state="on_hold", arrived_at=RAISED + timedelta(minutes=30), on_hold_since=RAISED + timedelta(hours=1))
    at_2h = sla.clocks(held, RAISED + timedelta(hours=2))
    at_5h = sla.clocks(held, RAISED + timedelta(hours=5))
    assert at_2h.finish.paused and at_2h.finish.remaining == at_5h.finish.remaining == timedelta(hours=7)
    assert at_5h.paused_seconds == 4 * 3600
    resumed = order(state="arrived", arrived_at=RAISED + timedelta(minutes=30), paused_seconds=3600)
    assert sla.clocks(resumed, RAISED + timedelta(hours=2)).finish.due == RAISED + timedelta(hours=9)
    waiting = order(state="on_hold", on_hold_since=RAISED + timedelta(minutes=10))
    assert sla.clocks(waiting, RAISED + timedelta(minutes=70)).arrive.state == "red"  # the response clock runs on


def test_reopen_restarts_the_finish_clock_and_keeps_the_first_arrival():
    reopened = order(state="assigned", arrived_at=RAISED + timedelta(minutes=20),
                     reopened_at=RAISED + timedelta(days=1))
    clocks = sla.clocks(reopened, RAISED + timedelta(days=1, hours=1))
    assert clocks.arrive.state == "met"
    assert clocks.finish.due == RAISED + timedelta(days=1, hours=8) and clocks.finish.state == "ok"


def test_cancelled_clocks_stop():
    clocks = sla.clocks(order(state="cancelled"), RAISED + timedelta(hours=20))
    assert (clocks.arrive.state, clocks.finish.state) == ("cancelled", "cancelled") and not clocks.overdue


def test_sort_key_overdue_first_then_nearest():
    now = RAISED + timedelta(minutes=70)
    late = sla.clocks(order(), now)
    near = sla.clocks(order(raised_at=RAISED + timedelta(minutes=30)), now)
    far = sla.clocks(order(raised_at=RAISED + timedelta(minutes=50), arrive_minutes=None), now)
    assert sorted([far, near, late], key=lambda c: c.sort_key()) == [late, near, far]


def test_effective_time_never_after_receipt_and_skew_corrected():
    """R13: a phone clock ahead cannot make a late arrival on time, nor a future one."""
    received = RAISED + timedelta(minutes=30)
    assert sla.effective_time(RAISED + timedelta(hours=2), received, None) == received
    assert sla.effective_time(RAISED + timedelta(minutes=20), received, 600) == RAISED + timedelta(minutes=10)
