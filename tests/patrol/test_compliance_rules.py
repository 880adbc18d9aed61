"""Key-area window arithmetic and states (pure rules, no database). (P2)"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from wuye_field.patrol import compliance as c

SH = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_240_minute_windows_are_anchored_at_local_midnight():
    """P2: 00:00–04:00, 04:00–08:00 … 20:00–24:00 local, stored in UTC."""
    windows = c.day_windows(date(2026, 11, 27), SH, 240)
    assert [w.label for w in windows] == ["00:00", "04:00", "08:00", "12:00", "16:00", "20:00"]
    assert windows[0].start == utc(2026, 11, 26, 16, 0)  # Shanghai midnight is 16:00 UTC the day before
    assert windows[-1].end == utc(2026, 11, 27, 16, 0)
    assert all(a.end == b.start for a, b in pairwise(windows))


def test_same_local_grid_in_another_zone_is_other_utc_instants():
    """Urumqi (UTC+6) and London (UTC+0 in winter) windows start at their own local midnight."""
    assert c.day_windows(date(2026, 11, 27), URUMQI, 240)[0].start == utc(2026, 11, 26, 18, 0)
    assert c.day_windows(date(2026, 11, 27), LONDON, 240)[0].start == utc(2026, 11, 27, 0, 0)


def test_interval_not_dividing_the_day_clips_the_last_window_at_midnight():
    windows = c.day_windows(date(2026, 11, 27), SH, 300)
    assert [w.label for w in windows] == ["00:00", "05:00", "10:00", "15:00", "20:00"]
    assert windows[-1].end - windows[-1].start == timedelta(hours=4)


def test_windows_never_cross_midnight_and_a_late_evening_scan_belongs_to_its_local_day():
    """23:59 local is the day's last window; 00:00 local opens the next day's first (UTC date differs)."""
    late = c.window_of(utc(2026, 11, 27, 15, 59), SH, [], 240)  # 23:59 in Shanghai
    assert (late.local_start.date(), late.label) == (date(2026, 11, 27), "20:00")
    first = c.window_of(utc(2026, 11, 27, 16, 0), SH, [], 240)   # 00:00 on the 28th in Shanghai
    assert (first.local_start.date(), first.label, first.index) == (date(2026, 11, 28), "00:00", 0)


def test_scan_exactly_on_a_boundary_belongs_to_the_next_window():
    """Half-open windows: exactly at 04:00 is the 04:00 window; at 00:00 it is the 00:00 window."""
    windows = c.day_windows(date(2026, 11, 27), SH, 240)
    boundary = windows[1].start
    assert c.window_of(boundary, SH, [], 240) == windows[1]
    now = windows[2].end
    states = c.window_states(windows[:2], [boundary], set(), now)
    assert states[1] == c.ON_TIME
    assert states[0] == c.LATE  # nothing inside 00–04, a visit right at its end: late, not on time


def test_an_interval_change_splits_the_day_where_it_falls():
    """Issue 12: windows before a change keep the old grid, the running one ends at the change, the new
    interval's grid applies from it; the days before are untouched."""
    changed = utc(2026, 11, 27, 2, 0)  # 10:00 in Shanghai on the 27th: 240 → 120
    history = [(utc(2026, 1, 1), 240), (changed, 120)]
    assert c.interval_on(date(2026, 11, 27), SH, history, 240) == 240
    assert c.interval_on(date(2026, 11, 28), SH, history, 240) == 120
    day = c.windows_between(date(2026, 11, 27), date(2026, 11, 27), SH, history, 240)
    assert [w.label for w in day] == ["00:00", "04:00", "08:00", "10:00", "12:00", "14:00", "16:00", "18:00",
                                      "20:00", "22:00"]
    assert day[2].end == changed and day[3].start == changed
    assert [w.index for w in day] == list(range(10))
    assert len(c.windows_between(date(2026, 11, 27), date(2026, 11, 28), SH, history, 240)) == 10 + 12
    assert c.windows_between(date(2026, 11, 26), date(2026, 11, 26), SH, history, 240) == \
        c.day_windows(date(2026, 11, 26), SH, 240)
    assert c.interval_on(date(2025, 12, 1), SH, history, 999) == 240  # before the history: its first entry
    assert c.interval_on(date(2025, 12, 1), SH, [], 180) == 180       # no history: the current interval


def test_a_key_area_has_windows_only_while_it_is_one():
    made_key = utc(2026, 11, 27, 6, 30)  # 14:30 in Shanghai
    key_history = [(utc(2026, 1, 1), False), (made_key, True)]
    day = c.windows_between(date(2026, 11, 27), date(2026, 11, 27), SH, [], 240, key_history, False)
    assert [w.label for w in day] == ["14:30", "16:00", "20:00"]
    assert c.windows_between(date(2026, 11, 26), date(2026, 11, 26), SH, [], 240, key_history, False) == []


def test_dst_day_window_is_an_hour_shorter_in_london():
    """Wall-clock windows: on 2026-03-29 (clocks go forward at 01:00) the 00:00 window lasts 3 h."""
    first = c.day_windows(date(2026, 3, 29), LONDON, 240)[0]
    assert first.end - first.start == timedelta(hours=3)
    assert c.day_windows(date(2026, 3, 29), SH, 240)[0].end - c.day_windows(date(2026, 3, 29), SH, 240)[0].start \
        == timedelta(hours=4)


@pytest.mark.parametrize(("visit_minutes", "made_up", "now_minutes", "expected"), [
    (None, False, -10, c.UPCOMING),
    (None, False, 100, c.OPEN),
    (0, False, 100, c.ON_TIME),            # exactly at start: inside
    (239, False, 300, c.ON_TIME),
    (None, True, 300, c.MADE_UP),          # 补巡 with a reason
    (250, False, 300, c.LATE),             # within 30 min after the end
    (270, False, 300, c.MISSED),           # 30 min after the end is past the grace
    (None, False, 260, c.OVERDUE),         # over, grace still running
    (None, False, 270, c.MISSED),
    (-5, False, 300, c.MISSED),            # a visit before the window does not count for it
])
def test_window_states(visit_minutes, made_up, now_minutes, expected):
    window = c.day_windows(date(2026, 11, 27), SH, 240)[0]
    visits = [] if visit_minutes is None else [window.start + timedelta(minutes=visit_minutes)]
    now = window.start + timedelta(minutes=now_minutes)
    assert c.window_state(window, visits, made_up, now) == expected


def test_on_time_beats_made_up_and_share_counts_only_decided_windows():
    windows = c.day_windows(date(2026, 11, 27), SH, 240)
    now = windows[3].start + timedelta(minutes=10)  # in the 12:00 window, no scan there yet
    visits = [windows[0].start + timedelta(minutes=5), windows[2].start + timedelta(hours=1)]
    states = c.window_states(windows, visits, {windows[0].start, windows[1].start}, now)
    assert states == [c.ON_TIME, c.MADE_UP, c.ON_TIME, c.OPEN, c.UPCOMING, c.UPCOMING]
    assert c.share(states) == (2, 3)


@pytest.mark.parametrize(("minutes", "state"), [
    (0, c.OK), (209, c.OK), (210, c.DUE_SOON), (239, c.DUE_SOON), (240, c.OVERDUE), (1000, c.OVERDUE)])
def test_board_state_by_interval(minutes, state):
    """OK, due soon within 30 min of the interval, overdue once it has passed (P2)."""
    now = utc(2026, 11, 27, 12, 0)
    assert c.board_state(now - timedelta(minutes=minutes), 240, now) == (state, minutes)


def test_board_state_never_visited_and_clock_ahead():
    now = utc(2026, 11, 27, 12, 0)
    assert c.board_state(None, 240, now) == (c.OVERDUE, None)
    assert c.board_state(now + timedelta(minutes=5), 240, now) == (c.OK, 0)


def test_board_ordering_overdue_first():
    rows = [("ok", 10, 240, "A"), ("overdue", 300, 240, "B"), ("due_soon", 220, 240, "C"),
            ("overdue", None, 240, "D"), ("overdue", 500, 240, "E"), ("ok", 100, 240, "F")]
    ordered = sorted(rows, key=lambda r: c.board_sort_key(*r))
    assert [r[3] for r in ordered] == ["D", "E", "B", "C", "F", "A"]


def test_shift_of_a_window():
    windows = c.day_windows(date(2026, 11, 27), SH, 240)
    assert [w.shift for w in windows] == ["night", "night", "day", "day", "day", "night"]
