"""Patrol endpoints: the guard's field actions (scan, round start/finish, inspection — all sent by the
outbox) and the round pages."""
from __future__ import annotations

from dataclasses import replace

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.time import utcnow
from wuye_field.patrol import common, inspections, rounds, services
from wuye_field.patrol.blueprint import bp
from wuye_field.sync.idempotency import current_receipt, idempotent_action



@bp.post("/scans")
@login_required
@idempotent_action
def record_scan():
    """A checkpoint scan (form: place = tag token, via, note, photo_ids, round) → 201 JSON; replays → 200."""
    view = services.record_scan(
        current_user, request.form.get("place", ""), current_receipt(), via=request.form.get("via"),
        note=request.form.get("note"), photo_ids=request.form.get("photo_ids"),
        photo_limit=current_app.config["PHOTOS_PER_RECORD"], round_uuid=request.form.get("round"),
        position=request.form,
    )
    return jsonify(status="stored", message=services.scan_message(view), warning=view.warning,
                   scan=services.scan_json(view)), 201


@bp.post("/rounds")
@login_required
@idempotent_action
def round_start():
    """Start a round (form: route_id, round = the round's client UUID on the phone) → 201 JSON."""
    receipt = current_receipt()
    round_key = common.clean_round_key(request.form.get("round")) or receipt.client_uuid
    round_, created = rounds.start_round(current_user, request.form.get("route_id"),
                                         replace(receipt, client_uuid=round_key))
    message = _("开始巡更：%(route)s（%(n)d 个巡更点）", route=round_.route.name,
                         n=len(common.planned_ids(round_)))
    return jsonify(status="stored" if created else "already_started", message=message,
                   round={"id": round_.id, "client_uuid": round_.client_uuid, "route_id": round_.route_id,
                          "planned": common.planned_ids(round_),
                          "window_ends_at": round_.window_ends_at.isoformat()}), 201


@bp.post("/rounds/finish")
@login_required
@idempotent_action
def round_finish():
    """Finish a round (form: round, reason — needed when stops are left) → 201 JSON with the summary."""
    receipt = current_receipt()
    finish = rounds.finish_round(current_user, request.form.get("round"), request.form.get("reason"), receipt)
    round_ = common.find_round(current_user, common.clean_round_key(request.form.get("round")))
    summary = rounds.round_summary(round_, now=receipt.received_at)
    return jsonify(status="stored", message=rounds.summary_message(summary),
                   finish={"id": finish.id, "round_id": round_.id},
                   summary={"scanned": summary.scanned, "missed": summary.missed,
                            "out_of_order": summary.out_of_order, "off_route": summary.off_route,
                            "exceptions": summary.exceptions, "duration_seconds": summary.duration_seconds}), 201


@bp.post("/inspections")
@login_required
@idempotent_action
def record_inspection():
    """The checklist at a checkpoint (form: place token, result ok/exception, bad = item ids, reading-<id>,
    note, severity, photo_ids, round, corrects + reason for a correction) → 201 JSON."""
    form = request.form
    readings = {key.removeprefix("reading-"): value for key, value in form.items() if key.startswith("reading-")}
    result = inspections.record_inspection(
        current_user, form.get("place", ""), current_receipt(), result=form.get("result"),
        bad_ids=form.getlist("bad"), readings=readings, note=form.get("note"), severity=form.get("severity"),
        photo_ids=form.get("photo_ids"), round_uuid=form.get("round"), corrects=form.get("corrects"),
        reason=form.get("reason"), photo_limit=current_app.config["PHOTOS_PER_RECORD"], position=form,
    )
    return jsonify(status="stored", message=inspections.inspection_message(result),
                   inspection=inspections.inspection_json(result)), 201


@bp.get("/routes")
@login_required
def route_list():
    """「开始巡更」: the routes the user may walk."""
    return render_template("patrol/routes.html", items=rounds.routes_due(current_user), now=utcnow())


@bp.get("/routes/<int:route_id>/round")
@login_required
def round_page(route_id: int):
    """The round screen of a route: this shift's stops and their state (works offline from the cache)."""
    now = utcnow()
    route = rounds.get_route(current_user, route_id)
    open_round = rounds.open_round(current_user, route, now)
    if open_round is not None:
        summary = rounds.round_summary(open_round, now=now)
        stops = summary.stops
    else:
        summary = None
        stops = [rounds.StopState(place, "pending") for place in
                 rounds.stop_places(route, rounds.planned_order(route, now))]
    return render_template("patrol/round.html", route=route, round=open_round, summary=summary, stops=stops,
                           shift_ends_at=rounds.shift_ends_at(now, rounds.route_timezone(route),
                                                              rounds.site_shift_starts(route.site_id, now)),
                           timezone=rounds.route_timezone(route))


@bp.get("/rounds/<client_uuid>")
@login_required
def round_summary_page(client_uuid: str):
    """A round's summary: scanned, missed, out of order, off route, exceptions, duration, inspections."""
    round_ = rounds.viewable_round(current_user, client_uuid)
    summary = rounds.round_summary(round_, now=utcnow())
    return render_template("patrol/round_summary.html", round=round_, summary=summary,
                           finish=rounds.finish_of(round_), timezone=rounds.route_timezone(round_.route),
                           inspections=inspections.round_inspections(round_.id))
