"""Outbox support: batch replay, a fresh CSRF token for replays, the list of pages to keep offline, the outbox page."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from wuye_field.core.database import reads_first
from wuye_field.core.errors import DomainError
from wuye_field.core.request_limits import body_limit
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.sync import batch, pages
from wuye_field.sync.blueprint import bp
from wuye_field.sync.offline import offline_assets, offline_pages


def _manifest_pages() -> list[str]:
    first = [url_for("sync.outbox")]
    return first + [url for url in offline_pages(current_user) if url not in first]


@bp.get("/csrf")
@login_required
def csrf():
    """A current CSRF token and who is signed in: the outbox sends only this user's items with it."""
    return jsonify({"csrf_token": generate_csrf(), "user_id": current_user.id, "user_name": current_user.name})


@bp.get("/manifest")
@login_required
def manifest():
    """Pages the phone keeps for offline use at sign-in / shift start (「下载今日任务」)."""
    return jsonify({"user_id": current_user.id, "generated_at": utcnow().isoformat(), "pages": _manifest_pages(),
                    "assets": offline_assets(current_user)})


@bp.get("/pages")
@login_required
def offline_page_bundle():
    """Up to sync.pages.MAX_PAGES of the manifest's pages (`?u=` each) in one compressed download (sync.pages)."""
    allowed = _manifest_pages()
    db.session.rollback()  # hold no transaction (SQLite: no lock) while each page runs in its own
    body = pages.bundle(current_app._get_current_object(), request, request.args.getlist("u"), allowed)
    return current_app.response_class(body, mimetype="application/json")


@bp.get("/outbox")
def outbox():
    """What is waiting on this phone, what failed and why (filled in by static/js/outbox.js). Open without
    signing in: the page itself holds nothing; a deactivated account's phone exports what it holds here."""
    return render_template("sync/outbox.html")


@bp.post("/batch")
@login_required
@body_limit("SYNC_BATCH_MAX_BYTES")
@reads_first
def replay_batch():
    """Up to SYNC_BATCH_MAX_ACTIONS queued field actions → 200 {"results": [...]}, each as its single
    request answers (sync.batch); more → 413; a body that is not a batch → 400."""
    limit = current_app.config["SYNC_BATCH_MAX_ACTIONS"]
    try:
        actions = batch.parse_actions(request.get_json(silent=True), limit)
    except OverflowError:
        message = _("一次最多上传 %(n)d 条记录，请分批上传。", n=limit)
        raise DomainError(message, status=413, code="batch_too_large") from None
    except ValueError:
        raise DomainError(_("上传内容的格式不对。"), code="malformed_batch") from None
    return jsonify(results=batch.run(current_app._get_current_object(), request, actions))
