"""Supervisors at the gate: the roster month grid (assign, copy last month, swap), the day and month views,
the gate settings and the visitor export."""
from __future__ import annotations

from datetime import date

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.csv_export import csv_response, parse_date
from wuye_field.core.database import writes_on_get
from wuye_field.core.errors import FieldErrors
from wuye_field.core.htmx import see_other
from wuye_field.core.time import to_site_time, utcnow
from wuye_field.extensions import db
from wuye_field.gate import dutylog, reports, roster, settings
from wuye_field.gate.blueprint import bp
from wuye_field.places.models import Site
from wuye_field.places.services import get_site


def _month(site: Site) -> tuple[int, int]:
    raw = request.args.get("month") or request.form.get("month") or ""
    try:
        year, month = (int(x) for x in raw.split("-"))
        date(year, month, 1)
        return year, month
    except ValueError:
        today = to_site_time(utcnow(), site.timezone)
        return today.year, today.month


def _roster_page(site_id: int, errors: dict | None = None, message: str = "", status: int = 200):
    site = get_site(current_user, site_id, *roster.VIEW_ROLES)
    year, month = _month(site)
    grid = roster.month_grid(current_user, site.id, year, month)
    template = "gate/roster_print.html" if request.args.get("print") else "gate/roster.html"
    values = request.form if request.method == "POST" else request.args  # a tapped cell pre-fills the form
    return render_template(template, grid=grid, errors=errors or {}, message=message, values=values,
                           can_edit=site.id in current_user.site_ids(*roster.EDIT_ROLES)), status


@bp.get("/sites/<int:site_id>/roster")
@login_required
def roster_grid(site_id: int):
    """The month grid of a site's roster (?month=2026-11, ?print=1 for the printable sheet)."""
    return _roster_page(site_id)


@bp.post("/sites/<int:site_id>/roster/<what>")
@login_required
@role_required(*roster.EDIT_ROLES)
def roster_edit(site_id: int, what: str):
    """assign | copy | swap; bad input re-renders the grid with Chinese messages (nothing stored)."""
    site = get_site(current_user, site_id, *roster.EDIT_ROLES)
    year, month = _month(site)
    try:
        if what == "copy":
            roster.copy_last_month(current_user, site.id, year, month, now=utcnow())
        elif what == "swap":
            roster.swap(current_user, site.id, request.form.to_dict(), now=utcnow())
        else:
            roster.assign(current_user, site.id, request.form.to_dict(), now=utcnow())
    except FieldErrors as invalid:
        db.session.rollback()
        return _roster_page(site_id, invalid.errors, status=422)
    db.session.commit()
    return see_other(url_for("gate.roster_grid", site_id=site.id, month=f"{year}-{month:02d}"))


@bp.get("/sites/<int:site_id>/day")
@login_required
@role_required(*reports.REPORT_ROLES)
def day(site_id: int):
    """A site's day at the gate (?date=YYYY-MM-DD, default today)."""
    site = get_site(current_user, site_id, *reports.REPORT_ROLES)
    when = parse_date(request.args.get("date")) or to_site_time(utcnow(), site.timezone).date()
    return render_template("gate/day.html", view=reports.day_view(current_user, site.id, when, now=utcnow()))


@bp.post("/sites/<int:site_id>/signoff")
@login_required
@role_required(*dutylog.SIGN_ROLES)
def signoff(site_id: int):
    """The supervisor signs a day's duty log and handovers as checked (第12篇 4.11.9)."""
    day_arg = request.form.get("day", "")
    dutylog.sign_day(current_user, site_id, day_arg, request.form.get("note", ""), now=utcnow())
    db.session.commit()
    return see_other(url_for("gate.day", site_id=site_id, date=day_arg))


@bp.get("/sites/<int:site_id>/month")
@login_required
@role_required(*reports.REPORT_ROLES)
def month(site_id: int):
    """A site's month at the gate: visitors per day and P1 coverage per post and day."""
    site = get_site(current_user, site_id, *reports.REPORT_ROLES)
    year, month_no = _month(site)
    return render_template("gate/month.html", view=reports.month_view(current_user, site.id, year, month_no,
                                                                      now=utcnow()))


@bp.route("/sites/<int:site_id>/settings", methods=["GET", "POST"])
@login_required
@role_required("admin")
def site_settings(site_id: int):
    """The gate settings of a site (retention of visitors' personal data, ID required, each post's standing
    duty for P1); logged."""
    site = get_site(current_user, site_id, "admin")
    posts = roster.site_posts(site.id)
    errors, saved = {}, False
    if request.method == "POST":
        try:
            settings.save_page(current_user, site.id, posts, request.form.to_dict(), now=utcnow())
            db.session.commit()
            saved = True
        except FieldErrors as invalid:
            db.session.rollback()
            errors = invalid.errors
    return render_template("gate/settings.html", site=site, values=settings.current(site.id, utcnow()),
                           errors=errors, saved=saved, labels=settings.LABELS, posts=posts,
                           standing=settings.post_values(posts, utcnow()), p1_hours=settings.STANDING_HOURS_P1)


# Each gate export: `GET /export/<name>.csv?site=<code>&date_from=…&date_to=…`, UTF-8 with BOM, supervisors
# and admins. The visitors' export writes the access log of a full export (G6), so it commits.
EXPORTS = {"visitors": reports.export_visitors, "releases": reports.export_releases,
           "vehicles": reports.export_vehicles, "parcels": reports.export_parcels, "dutylog": reports.export_dutylog}
WRITES = {"visitors"}


def _export_view(name: str, build):
    def view():
        site, first, last, text = build(current_user, request.args.get("site"), request.args.get("date_from"),
                                        request.args.get("date_to"), now=utcnow())
        if name in WRITES:
            db.session.commit()
        return csv_response(text, f"{name}-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")
    view.__name__ = f"export_{name}"
    view.__doc__ = f"`GET /export/{name}.csv?site=<code>&date_from=…&date_to=…`"
    return login_required(role_required(*reports.REPORT_ROLES)(writes_on_get(view) if name in WRITES else view))


@bp.record_once
def _register_exports(state) -> None:
    # The exports live at /export/… (outside this blueprint's prefix), under this blueprint's name.
    for name, build in EXPORTS.items():
        state.app.add_url_rule(f"/export/{name}.csv", f"gate.export_{name}", _export_view(name, build))
