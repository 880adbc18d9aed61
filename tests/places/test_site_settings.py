"""Per-site settings and grade presets (places/site_settings.py, issue 12 item 2): defaults with their ids,
a change from its start (never earlier), the grade preset in one step, the admin page and its log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admin_helpers import assert_other_sites_admin_gets_404
from wuye_field.audit.models import AdminChange
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places import site_settings as ss


def test_a_site_that_never_changed_anything_reads_the_manuals_defaults(app, factories):
    site = factories.site()
    settings = ss.site_settings_at(site.id, utcnow())
    assert settings == ss.DEFAULT_SETTINGS
    assert settings.service_grade == 3 and settings.grade_label == "三级"
    assert settings.shift_starts[0].hour == 8 and settings.shift_starts[1].hour == 20
    assert (settings.lateness_grace_min, settings.due_soon_min) == (30, 30)
    assert (settings.return_visit_target, settings.complaint_target) == (70, 80)
    assert (settings.excellent_min, settings.pass_min, settings.basic_min) == (90, 80, 70)
    with pytest.raises(AttributeError):
        settings.due_soon_min = 5  # frozen: other packages read it, none may change it


def test_a_change_scheduled_for_next_week_leaves_this_week_alone(app, factories):
    site = factories.site()
    admin = factories.user(role="admin", site=site)
    now = utcnow()
    next_week = now + timedelta(days=7)
    ss.update_site_settings(admin, site.id, {"lateness_grace_min": "15"}, now=now, effective_from=next_week)
    db.session.commit()
    assert ss.site_settings_at(site.id, now + timedelta(days=6)).lateness_grace_min == 30
    assert ss.site_settings_at(site.id, next_week).lateness_grace_min == 15
    assert ss.site_settings_at(site.id, now - timedelta(days=30)).lateness_grace_min == 30
    with pytest.raises(DomainError):
        ss.update_site_settings(admin, site.id, {"lateness_grace_min": "10"}, now=now,
                                effective_from=now - timedelta(days=1))


def test_the_grade_preset_sets_every_default_in_one_step_and_values_stay_editable(app, factories):
    site = factories.site()
    admin = factories.user(role="admin", site=site)
    now = utcnow()
    ss.apply_grade(admin, site.id, 1, now=now)
    first = ss.site_settings_at(site.id, now)
    assert first.service_grade == 1
    assert first.return_visit_target == ss.GRADE_PRESETS[1]["return_visit_target"] > 70
    assert first.lateness_grace_min < 30
    ss.update_site_settings(admin, site.id, {"return_visit_target": "95"}, now=now + timedelta(minutes=1))
    assert ss.site_settings_at(site.id, now + timedelta(minutes=2)).return_visit_target == 95
    # Yesterday is still measured against 三级.
    assert ss.site_settings_at(site.id, now - timedelta(days=1)) == ss.DEFAULT_SETTINGS


def test_bad_values_are_refused_with_a_chinese_message_per_field(app, factories):
    site = factories.site()
    admin = factories.user(role="admin", site=site)
    with pytest.raises(FieldErrors) as refused:
        ss.update_site_settings(admin, site.id, {"day_shift_start": "25:00", "due_soon_min": "abc",
                                                 "pass_min": "95"}, now=utcnow())
    assert set(refused.value.errors) == {"day_shift_start", "due_soon_min", "pass_min"}
    assert ss.site_settings_at(site.id, utcnow()) == ss.DEFAULT_SETTINGS


def test_admin_page_saves_from_its_start_and_the_log_shows_old_and_new(admin, ids):
    page = admin.get(f"/admin/sites/{ids['site']}/settings")
    assert page.status_code == 200 and "服务等级" in page.text and "三级" in page.text
    saved = admin.post(f"/admin/sites/{ids['site']}/settings", data={"return_visit_target": "75"})
    assert saved.status_code == 303
    assert ss.site_settings_at(ids["site"], utcnow()).return_visit_target == 75
    logged = db.session.scalars(select(AdminChange).where(AdminChange.site_id == ids["site"])
                                .order_by(AdminChange.id.desc())).first()
    assert "回访率目标" in logged.what and logged.before == "70" and '"value": 75' in logged.after

    later = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    admin.post(f"/admin/sites/{ids['site']}/grade", data={"service_grade": "2", "effective_from": later})
    page = admin.get(f"/admin/sites/{ids['site']}/settings").text
    assert "待生效的修改" in page and ss.site_settings_at(ids["site"], utcnow()).service_grade == 3

    refused = admin.post(f"/admin/sites/{ids['site']}/settings",
                         data={"due_soon_min": "-1", "effective_from": "2020-01-01T00:00"})
    assert refused.status_code == 422 and "生效时间不能早于现在" in refused.text


@pytest.mark.parametrize(("method", "url", "form"), [
    ("get", "/admin/sites/{site}/settings", None),
    ("post", "/admin/sites/{site}/settings", {"due_soon_min": "5"}),
    ("post", "/admin/sites/{site}/grade", {"service_grade": "1"}),
])
def test_other_sites_admin_gets_404_and_changes_nothing(client, auth, factories, ids, method, url, form):
    assert_other_sites_admin_gets_404(client, auth, factories, ids, method, url, form)
    assert ss.site_settings_at(ids["site"], utcnow()) == ss.DEFAULT_SETTINGS
