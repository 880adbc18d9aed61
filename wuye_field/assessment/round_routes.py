"""The inspector's round: the page (kept offline) and its field action (outbox actions `assess-score`,
`assess-onsite`, `assess-decide`, `assess-reprimand`, `assess-sign`, one endpoint)."""
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


@bp.get("/round", defaults={"site_id": None, "month": None})
@bp.get("/round/<int:site_id>", defaults={"month": None})
@bp.get("/round/<int:site_id>/<month>")
@login_required
def round_view(site_id: int | None, month: str | None):
    """The round of a site-month (the first site, the current month by default). Site and month are in the
    path, not the query: the phone's page cache keys pages by path."""
    view = round_page(current_user, site_id, month, now=utcnow())
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
