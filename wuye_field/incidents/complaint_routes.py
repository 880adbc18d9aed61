"""Complaint pages: the desk's list and form (outbox `complaint`), one complaint with its steps, the month
and year figures (W5), and the site's incident settings."""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.accounts.models import users_of_site
from wuye_field.core.csv_export import csv_response, frozen_export
from wuye_field.core.errors import DomainError
from wuye_field.core.months import export_days
from wuye_field.core.time import to_site_time, utcnow
from wuye_field.extensions import db
from wuye_field.incidents import common, complaints, exports, settings
from wuye_field.incidents.blueprint import bp
from wuye_field.incidents.models import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, LINK_KINDS
from wuye_field.incidents.rules import parse_cutoff
from wuye_field.patrol import position
from wuye_field.places.services import get_site, site_by_code_or_id, sites_for
from wuye_field.sync.idempotency import current_receipt, idempotent_action


def _site():
    sites = sites_for(current_user, *common.FOLLOWERS)
    if not sites:
        raise DomainError(_("您没有可以查看的小区。"), status=403, code="forbidden")
    return next((s for s in sites if str(s.id) == request.args.get("site")), sites[0]), sites


@bp.get("/complaints")
@login_required
def complaints_index():
    site, sites = _site()
    return render_template("incidents/complaints.html", site=site, sites=sites, now=utcnow(),
                           rows=complaints.open_complaints(current_user, site.id),
                           people=db.session.scalars(users_of_site(site.id)).all(),
                           channels=COMPLAINT_CHANNELS, categories=COMPLAINT_CATEGORIES, link_kinds=LINK_KINDS)


@bp.post("/complaints")
@login_required
@idempotent_action
def raise_complaint():
    """A complaint taken by the desk (outbox action `complaint`) → 201 JSON."""
    complaint = complaints.raise_complaint(current_user, request.form, current_receipt())
    return jsonify(status="stored", message=_("投诉已登记，请当日回复"), complaint={"id": complaint.id}), 201


@bp.get("/complaints/<int:complaint_id>")
@login_required
def complaint(complaint_id: int):
    row = complaints.get_complaint(current_user, complaint_id)
    return render_template("incidents/complaint.html", c=row, channels=COMPLAINT_CHANNELS,
                           categories=COMPLAINT_CATEGORIES, link_kinds=LINK_KINDS, now=utcnow(),
                           in_time=complaints.answered_in_time(row), owner=row.owner)


@bp.post("/complaints/<int:complaint_id>/steps")
@login_required
def complaint_step(complaint_id: int):
    verdict = request.form.get("effective")
    complaints.add_step(current_user, complaint_id, request.form.get("kind", ""), request.form.get("note", ""),
                        effective={"1": True, "0": False}.get(verdict), now=utcnow())
    db.session.commit()
    return redirect(url_for("incidents.complaint", complaint_id=complaint_id))


@bp.get("/complaints/figures")
@login_required
def complaint_figures():
    """W5 figures: the chosen month, and the year to its end."""
    site, sites = _site()
    today = to_site_time(utcnow(), site.timezone).date()
    try:
        year = int(request.args.get("year") or today.year)
        month = int(request.args.get("month") or today.month)
        start, end = complaints.month_bounds(year, month)
    except ValueError:
        raise DomainError(_("月份无效。"), status=422, code="bad_month") from None
    return render_template("incidents/figures.html", site=site, sites=sites, year=year, month=month,
                           month_figures=complaints.figures(site, start, end),
                           year_figures=complaints.figures(site, start.replace(month=1), end))


def export_complaints():
    """`GET /export/complaints.csv?site=<code>&month=YYYY-MM` (or dates; default the current month): the rows
    the W5 figures count; a closed month's frozen file."""
    site = site_by_code_or_id(current_user, request.args.get("site"), *exports.EXPORTERS)
    first, last = export_days(request.args, site.timezone, utcnow())
    text = frozen_export(site.id, "complaints", first, last) or exports.complaints_csv(site, first, last)
    return csv_response(text, f"complaints-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")


@bp.record_once
def _register_export(state) -> None:
    # The export lives at /export/… (outside this blueprint's prefix), under this blueprint's name.
    state.app.add_url_rule("/export/complaints.csv", "incidents.export_complaints",
                           login_required(role_required(*exports.EXPORTERS)(export_complaints)))


@bp.route("/admin/sites/<int:site_id>", methods=["GET", "POST"])
@login_required
def admin(site_id: int):
    """Complaint cut-off and target, warning time, the control room's phone, and position with scans
    (patrol.position: off by default, the far-from-place distance); each change logged."""
    site = get_site(current_user, site_id, "admin")
    errors = {}
    if request.method == "POST":
        values = _admin_values(request.form, errors)
        where = _position_values(request.form, errors)
        if not errors:
            for name, value in values.items():
                settings.change(current_user, site.id, name, value, now=utcnow(), label=name)
            for name, value in where.items():
                position.change(current_user, site.id, name, value, now=utcnow(), label=name)
            db.session.commit()
            return redirect(url_for("incidents.admin", site_id=site.id))
    current = {name: settings.value(site.id, name, utcnow()) for name in settings.DEFAULTS}
    current |= {name: position.value(site.id, name, utcnow()) for name in position.DEFAULTS}
    return render_template("incidents/admin.html", site=site, current=current, errors=errors), 422 if errors else 200


def _position_values(form, errors: dict) -> dict:
    raw = form.get("patrol.position_max_m", "").strip()
    if not (raw.isdigit() and 20 <= int(raw) <= 5000):
        errors["patrol.position_max_m"] = _("请填 %(low)s 到 %(high)s 之间的整数。", low=20, high=5000)
        return {}
    return {"patrol.record_position": form.get("patrol.record_position") == "1", "patrol.position_max_m": int(raw)}


def _admin_values(form, errors: dict) -> dict:
    values = {}
    cutoff = form.get("incidents.complaint_cutoff", "").strip()
    try:
        parse_cutoff(cutoff)
        values["incidents.complaint_cutoff"] = cutoff
    except ValueError:
        errors["incidents.complaint_cutoff"] = _("请按 时:分 填写，例如 17:30；24:00 表示当天结束。")
    for name, low, high in (("incidents.complaint_target", 1, 100), ("incidents.complaint_warn_minutes", 5, 720)):
        raw = form.get(name, "").strip()
        if raw.isdigit() and low <= int(raw) <= high:
            values[name] = int(raw)
        else:
            errors[name] = _("请填 %(low)s 到 %(high)s 之间的整数。", low=low, high=high)
    phone = form.get("incidents.control_room_phone", "").strip()
    if phone and not all(ch.isdigit() or ch in "+- " for ch in phone) or len(phone) > 20:
        errors["incidents.control_room_phone"] = _("电话号码只能包含数字。")
    else:
        values["incidents.control_room_phone"] = phone
    return values
