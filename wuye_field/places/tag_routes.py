"""Admin downloads of QR tag sheets and tag re-issue (管理处)."""
from __future__ import annotations

import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from wuye_field.accounts.decorators import role_required
from wuye_field.core.htmx import is_htmx
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places import services, tags
from wuye_field.places.models import Place
from wuye_field.places.blueprint import bp


@bp.get("/admin/sites/<int:site_id>/tags.<any(pdf, png, csv):fmt>")
@login_required
@role_required("admin")
def tag_sheet(site_id: int, fmt: str):
    """Download a site's tag sheet: the PDF, one PNG page (?page=N) or the CSV; ?place=<id> picks places and
    ?building=<id> buildings' public QRs (楼栋公示); with neither, every place and every building."""
    site = services.get_site(current_user, site_id, "admin")
    place_ids, building_ids = request.args.getlist("place", type=int), request.args.getlist("building", type=int)
    places = tags.sheet_places(site, place_ids=place_ids) if place_ids or not building_ids else []
    places += tags.sheet_buildings(site, building_ids=building_ids, every=not place_ids and not building_ids)
    page = request.args.get("page", 1, type=int)
    data = tags.export_sheet(site, places, fmt, font_config=current_app.config.get("WUYE_CJK_FONT"), page=page)
    return send_file(io.BytesIO(data), mimetype=tags.FORMATS[fmt], as_attachment=True,
                     download_name=tags.sheet_filename(site, fmt, page))


@bp.post("/admin/places/<int:place_id>/reissue")
@login_required
@role_required("admin")
def reissue_tag(place_id: int):
    """Give a place a new tag token (its old tag stops working); htmx gets the refreshed tag actions."""
    place = services.get_place(current_user, place_id, "admin")
    services.reissue_tag(place, actor=current_user, now=utcnow())
    db.session.commit()
    message = _("已重新发放标签，旧标签作废")
    if is_htmx():
        return render_template("places/_tag_actions.html", place=place, message=message)
    flash(message)
    return redirect(_place_admin_url(place), 303)


def _place_admin_url(place: Place) -> str:
    # The place edit page lives in the admin pages; until it exists, fall back to this place's tag PDF.
    try:
        return url_for("places.admin_place_edit", place_id=place.id)
    except BuildError:
        return url_for("places.tag_sheet", site_id=place.site_id, fmt="pdf", place=place.id)
