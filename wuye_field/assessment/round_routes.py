"""The inspector's round: the page (kept offline) and its field action (outbox actions `assess-score`,
`assess-onsite`, `assess-accept`, `assess-reject`, `assess-reprimand`, `assess-sign`, one endpoint)."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.assessment import round as round_service
from wuye_field.assessment.blueprint import bp
from wuye_field.assessment.models import KINDS
from wuye_field.assessment.round_page import round_page
from wuye_field.core.time import utcnow
from wuye_field.sync.idempotency import current_receipt, idempotent_action


@bp.get("/round")
@login_required
def round_view():
    """The round of `?site=&month=YYYY-MM` (the first site and the current month by default)."""
    view = round_page(current_user, request.args.get("site"), request.args.get("month"), now=utcnow())
    return render_template("assessment/round.html", view=view)


@bp.post("/entries")
@login_required
@idempotent_action
def record():
    """One entry of the round → 201 JSON; replays → 200, nothing stored twice."""
    entry = round_service.record(current_user, request.form, current_receipt(), photo_ids=request.form.get("photo_ids"),
                                 photo_limit=current_app.config["PHOTOS_PER_RECORD"], now=utcnow())
    return jsonify(status="stored", message=_("已记录：%(what)s", what=str(KINDS[entry.kind])),
                   entry={"id": entry.id, "kind": entry.kind, "month": entry.month}), 201
