"""Pure cleaning rules: due occurrences for every frequency, time zones, "done before" hours, lateness."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from wuye_field.cleaning import rules
from wuye_field.cleaning.rules import Frequency

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def local(day: date, hh: int, mm: int = 0, tz=SH) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=tz)


def slots(freq, day, tz=SH):
    return [o.slot for o in rules.occurrences_on(freq, day, tz)]


# ---------------------------------------------------------------- several times a day


def test_every_two_hours_within_set_hours():
    """The clubhouse toilet every 2 h from 08:00 to 22:00 (C12): 7 slots, each due at the next."""
    freq = Frequency(rules.HOURLY, every_n=2, window_start=time(8), window_end=time(22))
    occs = rules.occurrences_on(freq, date(2026, 11, 27), SH)
    assert [o.label for o in occs] == ["08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]
    assert occs[0].start == local(date(2026, 11, 27), 8) and occs[0].due == local(date(2026, 11, 27), 10)
    assert occs[-1].due == local(date(2026, 11, 27), 22)


def test_hourly_window_not_a_multiple_ends_at_window_end():
    freq = Frequency(rules.HOURLY, every_n=3, window_start=time(8), window_end=time(18))
    occs = rules.occurrences_on(freq, date(2026, 1, 5), SH)
    assert [o.label for o in occs] == ["08:00", "11:00", "14:00", "17:00"]
    assert occs[-1].due == local(date(2026, 1, 5), 18)


def test_hourly_window_to_midnight():
    freq = Frequency(rules.HOURLY, every_n=4, window_start=time(16), window_end=time(0))
    occs = rules.occurrences_on(freq, date(2026, 1, 5), SH)
    assert [o.label for o in occs] == ["16:00", "20:00"]
    assert occs[-1].due == local(date(2026, 1, 6), 0)


def test_set_times_each_due_at_the_next_and_last_at_midnight():
    """Rubbish collected at 07:00 and 17:00 (C14)."""
    freq = Frequency(rules.TIMES, times=(time(17), time(7)))
    occs = rules.occurrences_on(freq, date(2026, 3, 1), SH)
    assert [o.slot for o in occs] == ["2026-03-01T07:00", "2026-03-01T17:00"]
    assert occs[0].due == local(date(2026, 3, 1), 17)
    assert occs[1].due == local(date(2026, 3, 2), 0)


# ---------------------------------------------------------------- days and weeks


def test_daily_is_due_at_the_end_of_the_local_day():
    """C2: roads swept daily."""
    (occ,) = rules.occurrences_on(Frequency(rules.DAILY), date(2026, 11, 27), SH)
    assert occ.slot == "2026-11-27"
    assert occ.start == local(date(2026, 11, 27), 0)
    assert occ.due == local(date(2026, 11, 28), 0)
    assert occ.due.astimezone(UTC) == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # stored in UTC


def test_done_before_hour_is_the_deadline():
    """C16: lobbies, lift halls and cars cleaned before residents leave (07:30)."""
    (occ,) = rules.occurrences_on(Frequency(rules.DAILY, done_before=time(7, 30)), date(2026, 11, 27), SH)
    assert occ.due == local(date(2026, 11, 27), 7, 30)
    assert occ.due.astimezone(UTC) == datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert rules.classify(occ, local(date(2026, 11, 27), 7, 29), local(date(2026, 11, 27), 9)) == rules.ON_TIME
    assert rules.classify(occ, local(date(2026, 11, 27), 7, 31), local(date(2026, 11, 27), 9)) == rules.LATE


def test_same_rule_in_another_time_zone():
    """The site's zone decides: 07:30 in New York is 12:30 UTC in winter and 11:30 UTC in summer."""
    freq = Frequency(rules.DAILY, done_before=time(7, 30))
    (winter,) = rules.occurrences_on(freq, date(2026, 1, 15), NY)
    (summer,) = rules.occurrences_on(freq, date(2026, 7, 15), NY)
    assert winter.due.astimezone(UTC) == datetime(2026, 1, 15, 12, 30, tzinfo=UTC)
    assert summer.due.astimezone(UTC) == datetime(2026, 7, 15, 11, 30, tzinfo=UTC)


def test_hourly_slots_across_a_daylight_saving_change():
    """On the spring-forward day the wall-clock slots stay; the 08:00–10:00 slot is 2 real hours."""
    freq = Frequency(rules.HOURLY, every_n=2, window_start=time(8), window_end=time(12))
    occs = rules.occurrences_on(freq, date(2026, 3, 8), NY)
    assert [o.label for o in occs] == ["08:00", "10:00"]
    assert occs[0].start.astimezone(UTC) == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # EDT, UTC-4
    assert (occs[0].due - occs[0].start) == timedelta(hours=2)


def test_local_day_of_a_utc_moment():
    assert rules.local_day(datetime(2026, 11, 27, 17, 0, tzinfo=UTC), SH) == date(2026, 11, 28)
    assert rules.local_day(datetime(2026, 11, 27, 15, 59, tzinfo=UTC), SH) == date(2026, 11, 27)


def test_every_n_days_from_anchor_due_at_end_of_cycle():
    freq = Frequency(rules.EVERY_N_DAYS, every_n=3, anchor=date(2026, 1, 1))
    days = [d for d in (date(2026, 1, 1) + timedelta(days=i) for i in range(10)) if rules.occurrences_on(freq, d, SH)]
    assert days == [date(2026, 1, 1), date(2026, 1, 4), date(2026, 1, 7), date(2026, 1, 10)]
    (occ,) = rules.occurrences_on(freq, date(2026, 1, 4), SH)
    assert occ.due == local(date(2026, 1, 7), 0)
    assert freq.carries
    # before the anchor the cycle runs backwards too
    assert rules.occurrences_on(freq, date(2025, 12, 29), SH)


def test_weekly_on_chosen_days():
    """Mon, Wed, Fri (0, 2, 4)."""
    freq = Frequency(rules.WEEKLY, weekdays=(0, 2, 4))
    week = [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]  # Mon 23 … Sun 29
    assert [d.day for d in week if rules.occurrences_on(freq, d, SH)] == [23, 25, 27]
    assert rules.week_start(date(2026, 11, 29)) == date(2026, 11, 23)


# ---------------------------------------------------------------- months and half-years


@pytest.mark.parametrize("year, month, expected", [
    (2026, 1, 31), (2026, 4, 30), (2026, 2, 28), (2024, 2, 29), (2100, 2, 28), (2000, 2, 29),
])
def test_monthly_month_end(year, month, expected):
    """C3/C7/C9/C11 monthly tasks, due by the month's last day (31 → clamped)."""
    freq = Frequency(rules.MONTHLY, month_day=31)
    found = rules.occurrences_between(freq, date(year, month, 1), date(year, month, expected), SH)
    assert len(found) == 1
    assert found[0].day == date(year, month, expected)
    assert found[0].slot == f"{year:04d}-{month:02d}"
    assert found[0].start == local(date(year, month, 1), 0)
    assert found[0].due == rules.end_of_day(date(year, month, expected), SH)


def test_monthly_on_the_29th_in_february_of_leap_and_common_years():
    freq = Frequency(rules.MONTHLY, month_day=29)
    assert rules.occurrences_on(freq, date(2024, 2, 29), SH)[0].slot == "2024-02"
    assert rules.occurrences_on(freq, date(2025, 2, 28), SH)[0].slot == "2025-02"
    assert rules.occurrences_between(freq, date(2025, 1, 1), date(2025, 12, 31), SH).__len__() == 12


def test_half_yearly_twice_a_year_from_the_anchor_month():
    """C10: lobby floors waxed every 6 months (March and September)."""
    freq = Frequency(rules.HALF_YEARLY, anchor=date(2024, 3, 1), month_day=31)
    found = rules.occurrences_between(freq, date(2026, 1, 1), date(2026, 12, 31), SH)
    assert [(o.slot, o.day) for o in found] == [("2026-H1", date(2026, 3, 31)), ("2026-H2", date(2026, 9, 30))]
    assert found[1].start == local(date(2026, 9, 1), 0)


def test_half_yearly_february_anchor_in_leap_year():
    freq = Frequency(rules.HALF_YEARLY, anchor=date(2024, 2, 1), month_day=30)
    assert [o.day for o in rules.occurrences_between(freq, date(2024, 1, 1), date(2024, 12, 31), SH)] == [
        date(2024, 2, 29), date(2024, 8, 30)]
    assert [o.day for o in rules.occurrences_between(freq, date(2025, 1, 1), date(2025, 12, 31), SH)] == [
        date(2025, 2, 28), date(2025, 8, 30)]


def test_half_yearly_anchor_in_second_half_wraps_to_next_year():
    freq = Frequency(rules.HALF_YEARLY, anchor=date(2024, 10, 1), month_day=15)
    assert [o.slot for o in rules.occurrences_between(freq, date(2026, 1, 1), date(2026, 12, 31), SH)] == [
        "2026-H1", "2026-H2"]
    assert rules.occurrences_on(freq, date(2026, 4, 15), SH)[0].slot == "2026-H1"


# ---------------------------------------------------------------- slots named by the phone


@pytest.mark.parametrize("freq, slot", [
    (Frequency(rules.HOURLY, every_n=2), "2026-11-27T10:00"),
    (Frequency(rules.TIMES, times=(time(7), time(17))), "2026-11-27T17:00"),
    (Frequency(rules.DAILY), "2026-11-27"),
    (Frequency(rules.WEEKLY, weekdays=(4,)), "2026-11-27"),
    (Frequency(rules.EVERY_N_DAYS, every_n=2, anchor=date(2026, 11, 1)), "2026-11-27"),
    (Frequency(rules.MONTHLY), "2026-02"),
    (Frequency(rules.HALF_YEARLY, anchor=date(2024, 3, 1)), "2026-H2"),
])
def test_occurrence_for_slot_round_trips(freq, slot):
    occ = rules.occurrence_for_slot(freq, slot, SH)
    assert occ is not None and occ.slot == slot


@pytest.mark.parametrize("freq, slot", [
    (Frequency(rules.HOURLY, every_n=2), "2026-11-27T09:00"),  # not a slot of this task
    (Frequency(rules.WEEKLY, weekdays=(0,)), "2026-11-27"),  # a Friday
    (Frequency(rules.DAILY), "2026-02-30"),
    (Frequency(rules.DAILY), "garbage"),
    (Frequency(rules.MONTHLY), "2026-13"),
    (Frequency(rules.HALF_YEARLY, anchor=date(2024, 3, 1)), "2026-H9"),
])
def test_unknown_slots_are_refused(freq, slot):
    assert rules.occurrence_for_slot(freq, slot, SH) is None


# ---------------------------------------------------------------- lateness and carrying


def test_classify_open_upcoming_missed():
    (occ,) = rules.occurrences_on(Frequency(rules.TIMES, times=(time(14),)), date(2026, 5, 1), SH)
    assert rules.classify(occ, None, local(date(2026, 5, 1), 13)) == rules.UPCOMING
    assert rules.classify(occ, None, local(date(2026, 5, 1), 15)) == rules.OPEN
    assert rules.classify(occ, None, local(date(2026, 5, 2), 0, 1)) == rules.MISSED
    assert rules.classify(occ, local(date(2026, 5, 2), 1), local(date(2026, 5, 2), 2)) == rules.LATE


def test_effective_done_time_corrects_skew_and_never_passes_receipt():
    """R13: a phone 2 h fast cannot make late work on time, nor claim a time after receipt."""
    device = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    received = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    assert rules.effective_done_at(device, received, None) == device
    assert rules.effective_done_at(device, received, 7200.0) == datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    assert rules.effective_done_at(device, received, -7200.0) == received


def test_daily_tasks_do_not_carry_but_longer_ones_do():
    assert not Frequency(rules.DAILY).carries
    assert not Frequency(rules.HOURLY).carries
    assert not Frequency(rules.EVERY_N_DAYS, every_n=1).carries
    assert Frequency(rules.WEEKLY, weekdays=(0,)).carries
    assert Frequency(rules.MONTHLY).carries and Frequency(rules.HALF_YEARLY).carries


def test_missed_weekly_task_stays_visible_until_done():
    """Monday's missed task is still shown on Tuesday and Thursday; once done it disappears."""
    freq = Frequency(rules.WEEKLY, weekdays=(0,))
    thursday = date(2026, 11, 26)
    visible = rules.visible_on(freq, thursday, SH, {})
    assert [o.slot for o in visible] == ["2026-11-23"]
    assert rules.classify(visible[0], None, local(thursday, 9)) == rules.MISSED
    assert rules.visible_on(freq, thursday, SH, {"2026-11-23": local(date(2026, 11, 25), 9)}) == []
    done_today = rules.visible_on(freq, thursday, SH, {"2026-11-23": local(thursday, 9)})
    assert [o.slot for o in done_today] == ["2026-11-23"]  # today's work stays on today's list


def test_monthly_task_is_visible_all_month_and_the_missed_one_carries():
    freq = Frequency(rules.MONTHLY, month_day=31)
    mid = date(2026, 11, 15)
    assert [o.slot for o in rules.visible_on(freq, mid, SH, {})] == ["2026-10", "2026-11"]
    assert [o.slot for o in rules.visible_on(freq, mid, SH, {"2026-10": local(date(2026, 10, 20), 9)})] == ["2026-11"]


def test_every_three_days_cycle_stays_open_across_its_days():
    freq = Frequency(rules.EVERY_N_DAYS, every_n=3, anchor=date(2026, 1, 1))
    (occ,) = rules.visible_on(freq, date(2026, 1, 2), SH, {})
    assert occ.slot == "2026-01-01"
    assert rules.classify(occ, None, local(date(2026, 1, 2), 12)) == rules.OPEN


def test_daily_task_missed_yesterday_is_not_carried():
    freq = Frequency(rules.DAILY)
    assert [o.slot for o in rules.visible_on(freq, date(2026, 1, 2), SH, {})] == ["2026-01-02"]


def test_reclean_occurrence_carries_and_is_named_by_id():
    created = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    occ = rules.reclean_occurrence(17, created, created + timedelta(hours=2), SH)
    assert occ.slot == "R17" and occ.carries and occ.day == date(2026, 5, 1)
    assert rules.classify(occ, created + timedelta(hours=3), created + timedelta(hours=4)) == rules.LATE


def test_unknown_kind_raises():
    with pytest.raises(ValueError):
        rules.occurrences_on(Frequency("yearly"), date(2026, 1, 1), SH)
