"""Effective-dated settings: a change applies from its start, the past keeps its values, each change is logged."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from wuye_field.audit.models import AdminChange
from wuye_field.audit.settings_history import change_setting, history, timelines, value_at
from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db


def test_a_change_applies_from_its_start_and_the_past_keeps_the_old_value(app, factories):
    site = factories.site()
    admin = factories.user(role="admin", site=site)
    now = utcnow()
    change_setting(admin, site.id, "place", "patrol_interval_min", 120, subject_id=7, now=now, default=240)
    later = now + timedelta(days=7)
    change_setting(admin, site.id, "place", "patrol_interval_min", 60, subject_id=7, now=now, effective_from=later,
                   default=240)

    assert value_at(site.id, "place", "patrol_interval_min", now - timedelta(hours=1), subject_id=7, default=240) == 240
    assert value_at(site.id, "place", "patrol_interval_min", now + timedelta(days=1), subject_id=7, default=240) == 120
    assert value_at(site.id, "place", "patrol_interval_min", later, subject_id=7, default=240) == 60
    line = timelines(site.id, "place", "patrol_interval_min", subject_ids=[7, 8])
    assert set(line) == {7}
    assert line[7].changes_between(now, later + timedelta(seconds=1)) == line[7].starts[1:]
    # The first change kept the value it replaced: the past no longer needs the (now updated) column.
    assert line[7].at(now - timedelta(days=400), default=999) == 240
    assert [c.value for c in history(site.id, "place", subject_id=7)] == [120, 60]
    logged = db.session.scalars(select(AdminChange).where(AdminChange.site_id == site.id)).all()
    assert len(logged) == 2 and "patrol_interval_min" in logged[0].what


def test_a_start_in_the_past_is_refused_and_an_unchanged_value_records_nothing(app, factories):
    site = factories.site()
    admin = factories.user(role="admin", site=site)
    now = utcnow()
    with pytest.raises(DomainError, match="生效时间不能早于现在"):
        change_setting(admin, site.id, "site", "grace_min", 15, now=now, effective_from=now - timedelta(days=1))
    assert change_setting(admin, site.id, "site", "grace_min", 30, now=now, default=30) is None
    assert history(site.id, "site") == []
