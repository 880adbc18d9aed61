"""Pure rules: the major-incident rule (A4) and the complaint's same-day answer clock (W5)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from wuye_field.incidents.rules import answer_due, is_major, parse_cutoff

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(("casualties", "loss", "major"), [
    (False, 0, False), (False, 9_999, False), (False, 10_000, True), (False, 10_001, True),
    (True, 0, True), (True, 50_000, True)])
def test_major_means_casualties_or_a_loss_of_ten_thousand_yuan_or_more(casualties, loss, major):
    assert is_major(casualties=casualties, loss_yuan=loss) is major


def test_a_complaint_is_due_by_the_end_of_the_day_it_came_in():
    due = answer_due(datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI), "Asia/Shanghai")
    assert due == datetime(2026, 5, 2, 0, 0, tzinfo=SHANGHAI)


def test_across_midnight_a_complaint_ten_minutes_before_midnight_is_due_at_midnight():
    late_evening = datetime(2026, 5, 1, 23, 50, tzinfo=SHANGHAI)
    assert answer_due(late_evening, "Asia/Shanghai") == datetime(2026, 5, 2, 0, 0, tzinfo=SHANGHAI)
    just_after = datetime(2026, 5, 2, 0, 5, tzinfo=SHANGHAI)  # a new day, a new clock
    assert answer_due(just_after, "Asia/Shanghai") == datetime(2026, 5, 3, 0, 0, tzinfo=SHANGHAI)


def test_the_day_is_the_sites_day_not_utcs():
    # 23:30 UTC on 1 May is 07:30 on 2 May in Shanghai: due at the end of 2 May, Shanghai time.
    assert answer_due(datetime(2026, 5, 1, 23, 30, tzinfo=timezone.utc), "Asia/Shanghai") == \
        datetime(2026, 5, 3, 0, 0, tzinfo=SHANGHAI)


def test_a_sites_own_cut_off():
    assert answer_due(datetime(2026, 5, 1, 16, 59, tzinfo=SHANGHAI), "Asia/Shanghai", "17:00") == \
        datetime(2026, 5, 1, 17, 0, tzinfo=SHANGHAI)
    # received at or after the cut-off: the next day's cut-off
    assert answer_due(datetime(2026, 5, 1, 17, 0, tzinfo=SHANGHAI), "Asia/Shanghai", "17:00") == \
        datetime(2026, 5, 2, 17, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("raw", ["25:00", "24:30", "9", "ab:cd", "12:60"])
def test_a_bad_cut_off_is_refused(raw):
    with pytest.raises(ValueError):
        parse_cutoff(raw)
