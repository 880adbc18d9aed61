"""Admin pages for sites, buildings and places (管理处): each URL answers with a page or an htmx fragment."""
from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.audit import settings_history
from wuye_field.audit.settings_history import parse_effective_from
from wuye_field.core.errors import FieldErrors
from wuye_field.core.htmx import is_htmx, render, see_other
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db
from wuye_field.places import services
from wuye_field.places.models import DEFAULT_PATROL_INTERVAL_MIN, PLACE_KINDS
from wuye_field.places.blueprint import bp

SITE_FIELDS = ("code", "name", "timezone", "public_base_url")
PLACE_FIELDS = ("name", "code", "kind", "building_id", "is_key_area", "patrol_interval_min", "lat", "lon")



def _form(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "") for name in names}


def _site_page(site_id: int, partial: str, **context):
    """The site page (or one of its sections for htmx) with the section's own context."""
    view = services.site_admin_view(current_user, site_id, kind=request.args.get("kind"))
    return render("places/admin_site.html", partial, view=view, kinds=PLACE_KINDS,
                  tag_links=_tag_links(site_id), **context)


def _tag_links(site_id: int) -> list[tuple[str, str]]:
    """Download links of the tag sheet, when the tag-sheet endpoint is installed."""
    if "places.tag_sheet" not in current_app.view_functions:
        return []
    labels = {"pdf": _("A4 标签 PDF"), "png": _("标签图片 PNG"), "csv": _("标签清单 CSV")}
    return [(label, url_for("places.tag_sheet", site_id=site_id, fmt=fmt)) for fmt, label in labels.items()]


def _new_site_values() -> dict[str, str]:
    return {"code": "", "name": "", "timezone": services.DEFAULT_TIMEZONE,
            "public_base_url": current_app.config["PUBLIC_BASE_URL"]}


# ---------------------------------------------------------------- sites


@bp.get("/admin/sites")
@login_required
def admin_sites():
    """The sites I administer; a company admin also gets the new-site form."""
    sites = services.admin_sites(current_user)
    return render("places/admin_sites.html", "places/_admin_site_list.html", sites=sites,
                  values=_new_site_values(), errors={})


@bp.post("/admin/sites")
@login_required
def admin_site_create():
    """Create a site (company admins only); its creator becomes its 管理处."""
    try:
        site = services.create_site(current_user, **_form(*SITE_FIELDS))
    except FieldErrors as exc:
        return render("places/admin_sites.html", "places/_admin_site_new.html",
                      sites=services.admin_sites(current_user), values=_form(*SITE_FIELDS), errors=exc.errors)
    db.session.commit()
    return see_other(url_for("places.admin_site", site_id=site.id))


@bp.get("/admin/sites/<int:site_id>")
@login_required
@role_required("admin")
def admin_site(site_id: int):
    """One site: its settings, buildings, places (filter ?kind=) and tag sheets."""
    return _site_page(site_id, "places/_admin_places.html", site_errors={}, saved=False)


@bp.post("/admin/sites/<int:site_id>")
@login_required
@role_required("admin")
def admin_site_update(site_id: int):
    """Save a site's name, time zone and public base URL."""
    try:
        services.update_site(current_user, site_id, **_form("name", "timezone", "public_base_url"))
    except FieldErrors as exc:
        return _site_page(site_id, "places/_admin_site_form.html", site_errors=exc.errors, site_values=request.form)
    db.session.commit()
    return _site_page(site_id, "places/_admin_site_form.html", site_errors={}, saved=True)


# ---------------------------------------------------------------- buildings


@bp.post("/admin/sites/<int:site_id>/buildings")
@login_required
@role_required("admin")
def admin_building_create(site_id: int):
    """Add a building; answers with the refreshed building list."""
    try:
        services.add_building(current_user, site_id, request.form.get("name", ""))
    except FieldErrors as exc:
        return _site_page(site_id, "places/_admin_buildings.html", building_errors={"new": exc.message},
                          building_values={"new": request.form.get("name", "")})
    db.session.commit()
    return _site_page(site_id, "places/_admin_buildings.html")


@bp.post("/admin/buildings/<int:building_id>")
@login_required
@role_required("admin")
def admin_building_rename(building_id: int):
    """Rename a building (unique per site); answers with the building list."""
    building = services.get_building(current_user, building_id)
    try:
        services.rename_building(current_user, building.id, request.form.get("name", ""))
    except FieldErrors as exc:
        return _site_page(building.site_id, "places/_admin_buildings.html", building_errors={building.id: exc.message},
                          building_values={building.id: request.form.get("name", "")})
    db.session.commit()
    return _site_page(building.site_id, "places/_admin_buildings.html")


@bp.post("/admin/buildings/<int:building_id>/delete")
@login_required
@role_required("admin")
def admin_building_delete(building_id: int):
    """Remove a building; its places stay (without a building)."""
    site = services.remove_building(current_user, building_id)
    db.session.commit()
    if not is_htmx():
        return redirect(url_for("places.admin_site", site_id=site.id), code=303)
    return _site_page(site.id, "places/_admin_buildings.html")


# ---------------------------------------------------------------- places


@bp.get("/admin/sites/<int:site_id>/places/new")
@login_required
@role_required("admin")
def admin_place_new(site_id: int):
    """The form for a new checkpoint or cleaning area."""
    view = services.site_admin_view(current_user, site_id)
    values = {"kind": "checkpoint", "patrol_interval_min": DEFAULT_PATROL_INTERVAL_MIN}
    return render("places/admin_place_new.html", "places/_admin_place_form.html", view=view, place=None,
                  values=values, errors={}, kinds=PLACE_KINDS)


@bp.post("/admin/sites/<int:site_id>/places")
@login_required
@role_required("admin")
def admin_place_create(site_id: int):
    """Create a place (a fresh tag token comes with it); then back to the site page."""
    try:
        services.create_place(current_user, site_id, _form(*PLACE_FIELDS))
    except FieldErrors as exc:
        return render("places/admin_place_new.html", "places/_admin_place_form.html", place=None, kinds=PLACE_KINDS,
                      view=services.site_admin_view(current_user, site_id), values=_posted_place_values(),
                      errors=exc.errors)
    db.session.commit()
    return see_other(url_for("places.admin_site", site_id=site_id) + "#places")


@bp.route("/admin/places/<int:place_id>", methods=["GET", "POST"])
@login_required
@role_required("admin")
def admin_place_edit(place_id: int):
    """Edit a place; a bad value re-renders the form with the message next to the field."""
    place, errors, saved = services.admin_place(current_user, place_id), {}, False
    if request.method == "POST":
        try:
            now = utcnow()
            start = parse_effective_from(request.form.get("effective_from"), place.site.timezone, now=now)
            services.update_place(current_user, place_id, _form(*PLACE_FIELDS), now=now, effective_from=start)
            db.session.commit()
            saved = True
        except FieldErrors as exc:
            errors = exc.errors
    return _place_page(place, "places/_admin_place_form.html", errors=errors, saved=saved)


@bp.post("/admin/places/<int:place_id>/active")
@login_required
@role_required("admin")
def admin_place_set_active(place_id: int):
    """Deactivate or reactivate a place (never deleted: records refer to it)."""
    place = services.set_place_active(current_user, place_id, request.form.get("active") == "1")
    db.session.commit()
    return _place_page(place, "places/_admin_place_state.html", errors={}, saved=False)


def _place_page(place, partial: str, **context):
    values = _posted_place_values() if context.get("errors") else _place_values(place)
    view = services.site_admin_view(current_user, place.site_id)
    changes = settings_history.history(place.site_id, "place", subject_id=place.id)
    return render("places/admin_place_edit.html", partial, place=place, view=view, values=values,
                  kinds=PLACE_KINDS, setting_changes=changes, setting_labels=services.DATED_PLACE_SETTINGS,
                  pending={c.id for c in changes if as_utc(c.effective_from) > utcnow()}, **context)


def _posted_place_values() -> dict:
    return _form(*PLACE_FIELDS, "effective_from") | {"is_key_area": bool(request.form.get("is_key_area"))}


def _place_values(place) -> dict:
    """The place's values, its dated settings as in force now (a scheduled change may have started)."""
    values = {name: getattr(place, name) for name in PLACE_FIELDS}
    for name in services.DATED_PLACE_SETTINGS:
        values[name] = settings_history.value_at(place.site_id, "place", name, utcnow(), subject_id=place.id,
                                                 default=values[name])
    return values
