"""The site settings page (admins): shift change, grace, due-soon warning, targets, assessment thresholds and
the service grade preset, each change effective from 「生效时间」 (default now) and logged (old → new)."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.audit.settings_history import parse_effective_from
from wuye_field.core.errors import FieldErrors
from wuye_field.core.htmx import render, see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places import site_settings
from wuye_field.places.blueprint import bp
from wuye_field.places.services import ADMIN, get_site


def _page(site, *, errors=None, values=None, status=200):
    now = utcnow()
    current = site_settings.site_settings_at(site.id, now)
    shown = {key: getattr(current, key) for key in site_settings.DEFAULTS} | (values or {})
    return render("places/admin_site_settings.html", "places/admin_site_settings.html", status, site=site,
                  current=current, values=shown, errors=errors or {}, specs=site_settings.DEFAULTS,
                  editable=site_settings.EDITABLE, grades=site_settings.GRADES,
                  presets=site_settings.GRADE_PRESETS, saved=request.args.get("saved") == "1",
                  scheduled=site_settings.scheduled_changes(site.id, now=now))


@bp.get("/admin/sites/<int:site_id>/settings")
@login_required
@role_required("admin")
def admin_site_settings(site_id: int):
    """The site's settings in force now, the changes scheduled, the grade presets."""
    return _page(get_site(current_user, site_id, ADMIN))


@bp.post("/admin/sites/<int:site_id>/settings")
@login_required
@role_required("admin")
def admin_site_settings_save(site_id: int):
    """Save the posted values from 「生效时间」; bad values re-render the form with a message per field."""
    site, now = get_site(current_user, site_id, ADMIN), utcnow()
    try:
        start = parse_effective_from(request.form.get("effective_from"), site.timezone, now=now)
        site_settings.update_site_settings(current_user, site.id, request.form, now=now, effective_from=start)
    except FieldErrors as exc:
        return _page(site, errors=exc.errors, values=dict(request.form), status=422)
    db.session.commit()
    return see_other(url_for("places.admin_site_settings", site_id=site.id, saved=1))


@bp.post("/admin/sites/<int:site_id>/grade")
@login_required
@role_required("admin")
def admin_site_grade(site_id: int):
    """Apply a service grade's preset (一级/二级/三级) in one step."""
    site, now = get_site(current_user, site_id, ADMIN), utcnow()
    grade = request.form.get("service_grade", "")
    try:
        start = parse_effective_from(request.form.get("effective_from"), site.timezone, now=now)
        site_settings.apply_grade(current_user, site.id, int(grade) if grade.isdigit() else 0, now=now,
                                  effective_from=start)
    except FieldErrors as exc:
        return _page(site, errors=exc.errors, status=422)
    db.session.commit()
    return see_other(url_for("places.admin_site_settings", site_id=site.id, saved=1))
