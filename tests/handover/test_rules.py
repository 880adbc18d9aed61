"""Pure handover rules: the shift a handover belongs to, its window (H1), lateness."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from wuye_field.handover import rules

UTC = timezone.utc
STARTS = [time(7), time(19)]
TZ = "Asia/Shanghai"


def local(h, m=0, day=1):
    return datetime(2026, 5, day, h, m, tzinfo=timezone(timedelta(hours=8)))


def test_parse_clocks_sorts_and_refuses_junk():
    assert rules.parse_clocks("19:00，07:00") == [time(7), time(19)]
    with pytest.raises(ValueError):
        rules.parse_clocks("7 o'clock")


EVE_BEFORE = datetime(2026, 4, 30, 19, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize("made, shift", [
    (local(18, 50), local(19)), (local(19, 20), local(19)), (local(6, 55), local(7)),
    (local(0, 30), EVE_BEFORE),  # 5.5 h after yesterday's 19:00, 6.5 h before 07:00
])
def test_shift_for_is_the_nearest_start(made, shift):
    assert rules.shift_for(STARTS, made, TZ) == shift.astimezone(UTC)


def test_window_opens_ten_minutes_before_for_guards_five_for_desk():
    """H1."""
    shift = local(19).astimezone(UTC)
    assert rules.window_opens(shift, 10) == local(18, 50)
    assert rules.window_opens(shift, 5) == local(18, 55)
    assert rules.is_early(shift, local(18, 45), 10) and not rules.is_early(shift, local(18, 51), 10)


def test_late_when_not_accepted_within_30_minutes():
    shift = local(19)
    assert not rules.is_late(shift, local(19, 29), local(23), 30)
    assert rules.is_late(shift, local(19, 31), local(23), 30)
    assert not rules.is_late(shift, None, local(19, 30), 30)
    assert rules.is_late(shift, None, local(19, 31), 30)


def test_current_shift_is_the_last_start_before_now():
    assert rules.current_shift(STARTS, local(6, 59), TZ) == EVE_BEFORE
    assert rules.current_shift(STARTS, local(7), TZ) == local(7)


def test_the_upcoming_shift_is_the_current_one_until_it_is_late_then_the_next():
    assert rules.upcoming_shift(STARTS, local(18, 45), TZ, 30) == local(19)
    assert rules.upcoming_shift(STARTS, local(19, 20), TZ, 30) == local(19)
    assert rules.upcoming_shift(STARTS, local(9), TZ, 30) == local(19)
