"""Outbox support: a fresh CSRF token for replays, the list of pages to keep offline, the outbox page."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from wuye_field.core.time import utcnow
from wuye_field.places.services import places_for_user
from wuye_field.pwa.assets import SCANNING_ROLES, offline_assets
from wuye_field.sync.offline import offline_pages

bp = Blueprint("sync", __name__, url_prefix="/sync")


@bp.get("/csrf")
@login_required
def csrf():
    """A current CSRF token and who is signed in: the outbox sends only this user's items with it."""
    return jsonify({"csrf_token": generate_csrf(), "user_id": current_user.id, "user_name": current_user.name})


@bp.get("/manifest")
@login_required
def manifest():
    """Pages the phone keeps for offline use at sign-in / shift start (「下载今日任务」)."""
    pages = [url_for("dashboard.index"), url_for("sync.outbox"), url_for("accounts.profile")]
    if current_user.has_role(*SCANNING_ROLES):
        pages.insert(2, url_for("places.scanner"))
    pages += [url_for("places.tag", token=place.tag_token) for place in places_for_user(current_user)]
    pages += [url for url in offline_pages(current_user) if url not in pages]
    return jsonify({"user_id": current_user.id, "generated_at": utcnow().isoformat(), "pages": pages,
                    "assets": offline_assets(current_user)})


@bp.get("/outbox")
@login_required
def outbox():
    """What is waiting on this phone, what failed and why (filled in by static/js/outbox.js)."""
    return render_template("sync/outbox.html")
