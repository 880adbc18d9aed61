"""Checks' field actions (a check, a meter reading, a drill: through the outbox) and the supervisor's pages."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.checks import doing, drills, orders, pages
from wuye_field.checks.blueprint import bp
from wuye_field.core.errors import DomainError
from wuye_field.core.htmx import render
from wuye_field.core.time import utcnow
from wuye_field.photos import links as photo_links
from wuye_field.sync.idempotency import current_receipt, idempotent_action
from wuye_field.workorders import steps
from wuye_field.workorders.queries import step_message


def _id(name: str) -> int:
    raw = (request.form.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise DomainError(pages.bad_reference(), status=422, code="bad_reference")
    return int(raw)


def _photos() -> list[str]:
    return photo_links.parse_photo_ids(request.form.get("photo_ids"), current_app.config["PHOTOS_PER_RECORD"])


@bp.post("/checks/done")
@login_required
@idempotent_action
def check_done():
    """A check at a piece of equipment (data-action="check-done") → 201 JSON; a replay → the stored answer."""
    view = doing.record_check(current_user, equipment_id=_id("equipment_id"), plan_id=_id("plan_id"),
                              form=request.form.to_dict(), note=request.form.get("note"), photo_ids=_photos(),
                              receipt=current_receipt())
    return jsonify(status="stored", message=view.message, check=view.as_json()), 201


@bp.post("/checks/orders/<int:order_id>/done")
@login_required
@idempotent_action
def order_done(order_id: int):
    """A planned order's 「完工」 with its plan's checklist (data-action="order-done"; the order page's form:
    the work-order completion fields and the checklist's bad_/note_/count_/reading_ fields) → 201 JSON."""
    limit = min(current_app.config["PHOTOS_PER_RECORD"], steps.PHOTO_LIMIT) + 1  # + the signature
    ids = photo_links.parse_photo_ids(request.form.get("photo_ids"), limit)
    signature = ids.pop() if request.form.get("has_signature") == "1" and ids else None
    price_item = (request.form.get("price_item_id") or "").strip()
    event, view = orders.complete_planned(
        current_user, order_id, form=request.form.to_dict(), note=request.form.get("note"), photo_ids=ids,
        receipt=current_receipt(), materials=request.form.get("materials", ""), paid=request.form.get("paid") == "1",
        price_item_id=_id("price_item_id") if price_item else None,
        amount_fen=steps.parse_amount(request.form.get("amount")), signature_photo_uuid=signature,
        no_signature_reason=request.form.get("no_signature_reason", ""))
    order = event.order
    return jsonify(status="stored", message=f"{step_message(event)}；{view.message}", conflict=not event.applied,
                   order={"id": order.id, "number": order.number, "state": order.state}, check=view.as_json()), 201


@bp.post("/checks/readings")
@login_required
@idempotent_action
def reading():
    """A meter reading on its own (data-action="reading")."""
    row = doing.record_reading(current_user, equipment_id=_id("equipment_id"), meter=request.form.get("meter", ""),
                               raw_value=request.form.get("value"), receipt=current_receipt())
    return jsonify(status="stored", message=pages.reading_message(row), reading={"id": row.id}), 201


@bp.post("/checks/drills")
@login_required
@idempotent_action
def drill():
    """A drill record (data-action="drill")."""
    row = drills.record_drill(current_user, site_id=_id("site_id"), form=request.form.to_dict(),
                              participant_ids=request.form.getlist("participant_ids"), photo_ids=_photos(),
                              receipt=current_receipt())
    return jsonify(status="stored", message=pages.drill_message(row), drill={"id": row.id}), 201


@bp.get("/checks/drills/new")
@login_required
@role_required(*drills.RECORDERS)
def drill_new():
    """The drill form (opens offline)."""
    form = drills.drill_form(current_user, request.args.get("site", type=int))
    return render("checks/drill_new.html", "checks/_drill_form.html", form=form, today=pages.site_today(form.site))


@bp.get("/checks/board")
@login_required
@role_required(*pages.OVERSEERS)
def board():
    """The overdue board of a site (supervisors and admins)."""
    view = pages.board_page(current_user, request.args.get("site", type=int), now=utcnow())
    return render("checks/board.html", "checks/_board.html", view=view)


@bp.get("/checks/month")
@login_required
@role_required(*pages.OVERSEERS)
def month():
    """A month's figures: share of checks done on time per plan, lighting rate (W8), drills."""
    view = pages.month_page(current_user, request.args.get("site", type=int), request.args.get("month"), now=utcnow())
    return render("checks/month.html", "checks/_month.html", view=view)


@bp.get("/checks/equipment/<int:equipment_id>")
@login_required
def equipment(equipment_id: int):
    """A piece's page: attributes, status history, last checks, meter charts."""
    view = pages.equipment_page(current_user, equipment_id, now=utcnow())
    return render("checks/equipment.html", "checks/_equipment.html", view=view)
