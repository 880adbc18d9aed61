"""H1 month figures: which shifts are due a handover and how each one went."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from wuye_field.extensions import db
from wuye_field.handover import month
from wuye_field.handover.models import HandoverPost

T = datetime(2026, 10, 5, 23, 0, tzinfo=timezone.utc)  # 07:00 on the 6th in Shanghai


class _Made:
    def __init__(self, when):
        self.device_time = when


def test_state_of_a_shift():
    post = HandoverPost(window_min=10, late_after_min=30)
    now = T + timedelta(days=1)
    assert month.state_of(post, T, _Made(T - timedelta(minutes=5)), _Made(T - timedelta(minutes=2)), now) == "on_time"
    assert month.state_of(post, T, _Made(T - timedelta(minutes=40)), _Made(T), now) == "early"
    assert month.state_of(post, T, _Made(T - timedelta(minutes=5)), _Made(T + timedelta(minutes=31)), now) == "late"
    assert month.state_of(post, T, _Made(T), None, now) == "not_accepted"
    assert month.state_of(post, T, None, None, T + timedelta(minutes=20)) == "open"


def test_a_new_post_is_not_due_before_it_existed(factories):
    site = factories.site()
    post = HandoverPost(site_id=site.id, code="G1", name="门岗", shift_starts="07:00,19:00",
                        created_at=datetime(2026, 10, 10, 0, 0, tzinfo=timezone.utc))
    db.session.add(post)
    db.session.flush()
    rows = month.due_shifts(site, datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date(),
                            now=datetime(2026, 11, 2, tzinfo=timezone.utc))
    assert len(rows) == 2 * 22 - 1  # from the 10th 19:00 local (08:00 local on the 10th is after 07:00)
    assert {state for *_rest, state in rows} == {"not_accepted"}
