"""Outbox support: a fresh CSRF token for replays, the list of pages to keep offline, the outbox page."""
from __future__ import annotations

from flask import jsonify, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from wuye_field.core.time import utcnow
from wuye_field.sync.blueprint import bp
from wuye_field.sync.offline import offline_assets, offline_pages


@bp.get("/csrf")
@login_required
def csrf():
    """A current CSRF token and who is signed in: the outbox sends only this user's items with it."""
    return jsonify({"csrf_token": generate_csrf(), "user_id": current_user.id, "user_name": current_user.name})


@bp.get("/manifest")
@login_required
def manifest():
    """Pages the phone keeps for offline use at sign-in / shift start (「下载今日任务」)."""
    pages = [url_for("sync.outbox")]
    pages += [url for url in offline_pages(current_user) if url not in pages]
    return jsonify({"user_id": current_user.id, "generated_at": utcnow().isoformat(), "pages": pages,
                    "assets": offline_assets(current_user)})


@bp.get("/outbox")
def outbox():
    """What is waiting on this phone, what failed and why (filled in by static/js/outbox.js). Open without
    signing in: the page itself holds nothing; a deactivated account's phone exports what it holds here."""
    return render_template("sync/outbox.html")
