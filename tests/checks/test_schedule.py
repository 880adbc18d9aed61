"""Due-date arithmetic of every frequency (issue 15 Proof): month ends, leap years, time zones, a late check
counting for its own window only, a plan changed mid-month."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from wuye_field.checks.schedule import (
    Frequency, NeverDue, match_checks, months_since, window_at, windows_between, windows_of,
)
from datetime import date

SH = "Asia/Shanghai"  # UTC+8, no summer time
UTC = timezone.utc


def sh(y, m, d, hh=0, mm=0):
    """A Shanghai wall-clock time as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_daily_window_is_the_local_day_due_at_the_done_by_time():
    w = window_at(Frequency("daily", due_time="10:00"), sh(2026, 11, 30, 0, 30), SH)
    assert (w.start, w.end, w.due) == (sh(2026, 11, 30), sh(2026, 12, 1), sh(2026, 11, 30, 10))


def test_a_late_daily_check_counts_for_its_own_day_only():
    freq = Frequency("daily", due_time="10:00")
    windows = windows_of(freq, sh(2026, 11, 1), sh(2026, 11, 3), SH)
    assert len(windows) == 2
    outcomes = match_checks(windows, [sh(2026, 11, 2, 1, 0)])  # a guard who forgot day 1 checks at 01:00 on day 2
    assert [o.done for o in outcomes] == [False, True]
    assert outcomes[1].on_time
    late = match_checks(windows, [sh(2026, 11, 1, 16, 0)])
    assert late[0].state(sh(2026, 11, 3)) == "late" and late[1].state(sh(2026, 11, 3)) == "overdue"


def test_two_checks_in_one_window_satisfy_it_once():
    freq = Frequency("daily")
    windows = windows_of(freq, sh(2026, 11, 1), sh(2026, 11, 3), SH)
    outcomes = match_checks(windows, [sh(2026, 11, 1, 8), sh(2026, 11, 1, 9)])
    assert [o.done for o in outcomes] == [True, False]


def test_weekly_window_is_the_iso_week_due_on_the_weekday():
    freq = Frequency("weekly", weekday=4, due_time="17:00")  # Friday
    w = window_at(freq, sh(2026, 12, 31, 12), SH)  # a Thursday across the year end
    assert w.start == sh(2026, 12, 28) and w.end == sh(2027, 1, 4) and w.due == sh(2027, 1, 1, 17)
    assert len(windows_of(freq, sh(2026, 11, 1), sh(2026, 12, 1), SH)) == 4


@pytest.mark.parametrize(("month", "due_day"), [(2, 28), (4, 30), (12, 31), (1, 31)])
def test_monthly_day_31_falls_on_the_months_last_day(month, due_day):
    w = window_at(Frequency("monthly", day=31, due_time="18:00"), sh(2027, month, 10), SH)
    assert w.due == sh(2027, month, due_day, 18)


def test_monthly_day_29_in_a_leap_february():
    assert window_at(Frequency("monthly", day=30), sh(2028, 2, 3), SH).due == sh(2028, 2, 29, 23, 59)


def test_yearly_29_february_falls_on_28_february_in_other_years():
    freq = Frequency("yearly", month=2, day=29, due_time="12:00")
    assert window_at(freq, sh(2028, 6, 1), SH).due == sh(2028, 2, 29, 12)
    assert window_at(freq, sh(2027, 6, 1), SH).due == sh(2027, 2, 28, 12)
    w = window_at(freq, sh(2027, 6, 1), SH)
    assert (w.start, w.end) == (sh(2027, 1, 1), sh(2028, 1, 1))


def test_quarterly_and_half_yearly():
    q = window_at(Frequency("quarterly", month=3, day=31), sh(2026, 5, 5), SH)
    assert (q.start, q.end, q.due) == (sh(2026, 4, 1), sh(2026, 7, 1), sh(2026, 6, 30, 23, 59))
    h = window_at(Frequency("half_yearly", month=6, day=30, due_time="12:00"), sh(2026, 11, 5), SH)
    assert (h.start, h.end, h.due) == (sh(2026, 7, 1), sh(2027, 1, 1), sh(2026, 12, 30, 12))
    assert len(windows_of(Frequency("quarterly"), sh(2026, 1, 1), sh(2027, 1, 1), SH)) == 4


def test_every_n_hours_slots_start_at_local_midnight_and_end_there():
    freq = Frequency("hours", every=5)
    w = window_at(freq, sh(2026, 11, 30, 23, 30), SH)
    assert (w.start, w.end) == (sh(2026, 11, 30, 20), sh(2026, 12, 1))  # the last slot is cut at midnight
    assert len(windows_of(freq, sh(2026, 11, 30), sh(2026, 12, 1), SH)) == 5


def test_time_zone_decides_the_day():
    freq = Frequency("daily")
    moment = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 04:00 on 1 December in Shanghai, still 30 November in London
    assert window_at(freq, moment, SH).start == sh(2026, 12, 1)
    assert window_at(freq, moment, "Europe/London").start == datetime(2026, 11, 30, tzinfo=UTC)


def test_a_summer_time_day_is_23_hours_long():
    w = window_at(Frequency("daily"), datetime(2026, 3, 29, 12, tzinfo=UTC), "Europe/Berlin")
    assert w.end - w.start == timedelta(hours=23)


def test_a_plan_changed_mid_month_keeps_the_old_windows_due_before_the_change():
    weekly = Frequency("weekly", weekday=0, due_time="12:00")  # Mondays
    daily = Frequency("daily", due_time="12:00")
    change = sh(2026, 11, 16)  # from Monday 16 November the plan is daily
    windows = windows_between([(sh(2020, 1, 1), weekly), (change, daily)], sh(2026, 11, 1), sh(2026, 12, 1), SH)
    weekly_dues = [w.due for w in windows if w.end - w.start == timedelta(days=7)]
    assert weekly_dues == [sh(2026, 11, 2, 12), sh(2026, 11, 9, 12)]
    assert sum(1 for w in windows if w.end - w.start == timedelta(days=1)) == 15  # 16–30 November
    # The week of the 16th is no longer a weekly window: one check that week counts for one day only.
    outcomes = match_checks(windows, [sh(2026, 11, 16, 9)])
    assert sum(o.done for o in outcomes) == 1


def test_a_plan_switched_off_has_no_windows():
    windows = windows_between([(sh(2020, 1, 1), Frequency("daily")), (sh(2026, 11, 10), None)],
                              sh(2026, 11, 1), sh(2026, 12, 1), SH)
    assert len(windows) == 9


@pytest.mark.parametrize("raw", [
    {"kind": "fortnightly"}, {"kind": "hours", "every": 0}, {"kind": "hours", "every": 25},
    {"kind": "weekly", "weekday": 7}, {"kind": "monthly", "day": 0}, {"kind": "monthly", "day": 32},
    {"kind": "yearly", "month": 2, "day": 30}, {"kind": "quarterly", "month": 4},
    {"kind": "daily", "due_time": "25:00"},
    {"kind": "daily", "due_time": "noon"}, {"kind": "monthly", "day": "x"},
])
def test_a_frequency_that_never_falls_due_is_refused(raw):
    with pytest.raises(NeverDue):
        Frequency.from_dict(raw)


def test_months_since():
    assert months_since(date(2025, 11, 30), date(2026, 11, 29)) == 11
    assert months_since(date(2025, 11, 30), date(2026, 11, 30)) == 12
    assert months_since(date(2024, 2, 29), date(2025, 2, 28)) == 11


def test_a_meter_makes_a_plan_due_after_n_run_hours_or_beyond_a_threshold():
    from wuye_field.checks.schedule import meter_due

    t = [sh(2026, 11, d) for d in (1, 5, 9, 13)]
    hours = [(t[0], 1000.0), (t[1], 1200.0), (t[2], 1450.0), (t[3], 1520.0)]
    assert meter_due({"meter": "hours", "every": 500}, hours, None)  # never checked: 520 h since the first reading
    assert not meter_due({"meter": "hours", "every": 500}, hours, t[1])  # 320 h since the check on the 5th
    assert meter_due({"meter": "hours", "every": 300}, hours, t[1])
    pressure = [(t[0], 0.3), (t[3], 0.9)]
    assert meter_due({"meter": "pressure", "above": 0.8}, pressure, t[1])
    assert not meter_due({"meter": "pressure", "above": 0.8}, pressure, t[3])  # already checked since
    assert meter_due({"meter": "pressure", "below": 0.5}, [(t[3], 0.2)], None)
    assert not meter_due({"meter": "hours", "every": 500}, [], None)
