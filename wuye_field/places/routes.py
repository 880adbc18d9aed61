"""Place pages reached by scanning a tag (`/t/<token>`)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from wuye_field.core.errors import NotFound
from wuye_field.places import services
from wuye_field.places.blueprint import bp
from wuye_field.places.panels import panels_for



@bp.get("/t/<token>")
@login_required
def tag(token: str):
    """The place a tag points to; a retired tag says it was replaced (410), unknown → 404."""
    try:
        place = services.lookup_tag(current_user, token)
    except services.TagRetired as exc:
        return render_template("places/tag_retired.html", message=exc.message), 410
    return render_template("places/place.html", place=place, panels=panels_for(place, current_user))


@bp.get("/scan")
@login_required
def scanner():
    """In-app QR scanner: the camera reads a tag and opens its place page."""
    return render_template("places/scanner.html")


@bp.get("/scan/code")
@login_required
def scan_code():
    """The code printed under a QR typed in (`?code=CP01`): its place page; a choice when several of the
    user's sites use the code; the scanner again with a Chinese message (404) when none does."""
    raw = request.args.get("code", "")
    try:
        places = services.places_by_code(current_user, raw)
    except NotFound as exc:
        return render_template("places/scanner.html", code=raw[:64], error=exc.message), 404
    if len(places) == 1:
        return redirect(url_for("places.tag", token=places[0].tag_token))
    return render_template("places/scanner.html", code=raw[:64], choices=places)
