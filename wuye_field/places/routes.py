"""Place pages reached by scanning a tag (`/t/<token>`)."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

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
