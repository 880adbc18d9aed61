"""Incident pages and field actions: report (outbox `incident`), SOS (outbox `sos`), follow-ups."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.incidents import common, reports, sos
from wuye_field.incidents.blueprint import bp
from wuye_field.incidents.models import CATEGORIES
from wuye_field.places.services import places_for_user, sites_for
from wuye_field.sync.idempotency import current_receipt, idempotent_action
from wuye_field.sync.receipt import Receipt


@bp.get("/new")
@login_required
def new():
    """The incident form (any field role, works offline); `?category=open_door` opens with P12 first."""
    return render_template("incidents/new.html", sites=sites_for(current_user, *common.REPORTERS),
                           places=places_for_user(current_user), categories=CATEGORIES,
                           chosen=request.args.get("category", ""))


@bp.post("/")
@login_required
@idempotent_action
def report():
    """An incident report (outbox action `incident`) → 201 JSON; replays → 200."""
    incident, pending = reports.report_incident(
        current_user, request.form, current_receipt(), photo_ids=request.form.get("photo_ids"),
        photo_limit=current_app.config["PHOTOS_PER_RECORD"], now=utcnow())
    message = _("事件已报告") + ("，" + _("已标为重大事件") if incident.major else "")
    return jsonify(status="stored", message=message,
                   incident={"id": incident.id, "major": incident.major, "pending_photos": pending}), 201


@bp.get("/")
@login_required
def index():
    """The site's incidents, newest first (desk, supervisors, admins)."""
    sites = sites_for(current_user, *common.FOLLOWERS)
    if not sites:
        raise DomainError(_("您没有可以查看的小区。"), status=403, code="forbidden")
    site = next((s for s in sites if str(s.id) == request.args.get("site")), sites[0])
    return render_template("incidents/index.html", site=site, sites=sites,
                           rows=reports.site_incidents(current_user, site.id), categories=CATEGORIES)


@bp.get("/<int:incident_id>")
@login_required
def show(incident_id: int):
    view = reports.get_incident(current_user, incident_id)
    return render_template("incidents/show.html", view=view, categories=CATEGORIES,
                           can_follow=view.incident.site_id in current_user.site_ids(*common.FOLLOWERS))


@bp.post("/<int:incident_id>/followups")
@login_required
def follow_up(incident_id: int):
    """A follow-up (desk, supervisor) made online; 「结案」 closes with the result."""
    reports.follow_up(current_user, incident_id, request.form.get("note", ""), common.flag(request.form.get("closes")),
                      Receipt.server(utcnow()))
    db.session.commit()
    return redirect(url_for("incidents.show", incident_id=incident_id))


@bp.post("/sos")
@login_required
@idempotent_action
def send_sos():
    """An SOS (outbox action `sos`) → 201 JSON with the call's id; replays → 200 (one alert only)."""
    call = sos.send_sos(current_user, request.form, current_receipt(), now=utcnow())
    return jsonify(status="stored", message=_("求助已送达值班人员"), sos={"id": call.id}), 201


@bp.get("/sos/<client_uuid>")
@login_required
def sos_status(client_uuid: str):
    """JSON for the guard's phone: delivered, acknowledged by whom and when."""
    return jsonify(sos.sos_status(current_user, client_uuid))
