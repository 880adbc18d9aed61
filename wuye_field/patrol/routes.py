"""Patrol endpoints: the checkpoint scan, a field action sent by the outbox."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user, login_required

from wuye_field.patrol import services
from wuye_field.sync.idempotency import current_action, idempotent_action

bp = Blueprint("patrol", __name__, url_prefix="/patrol")


@bp.post("/scans")
@login_required
@idempotent_action
def record_scan():
    """A checkpoint scan (form: place = tag token, via, note, photo_ids) → 201 JSON; replays → 200."""
    action = current_action()
    view = services.record_scan(
        current_user, request.form.get("place", ""), client_uuid=action.key, device_time=action.device_time,
        received_at=action.received_at, via=request.form.get("via"), note=request.form.get("note"),
        photo_ids=request.form.get("photo_ids"), skew=action.skew, photo_limit=current_app.config["PHOTOS_PER_RECORD"],
    )
    return jsonify(status="stored", message=services.scan_message(view), scan=services.scan_json(view)), 201
