"""Work-order pages and field actions, technician side: 「我的工单」, the order page, and arrive / done /
hold / resume / grab through the outbox. The desk's pages are in desk_routes (same blueprint)."""
from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.database import writes_on_get
from wuye_field.core.errors import NotFound
from wuye_field.core.htmx import render, see_other
from wuye_field.core.time import utcnow
from wuye_field.photos import links as photos
from wuye_field.extensions import db
from wuye_field.sync.idempotency import current_receipt, idempotent_action
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders import queries, residents, steps
from wuye_field.workorders.blueprint import bp
from wuye_field.workorders.models import CATEGORIES, PRIORITIES, STATES



@bp.context_processor
def _labels() -> dict:
    return {"wo_priorities": PRIORITIES, "wo_categories": CATEGORIES, "wo_states": STATES,
            "wo_event_label": queries.event_label}


def _photo_ids() -> list[str]:
    limit = min(current_app.config["PHOTOS_PER_RECORD"], steps.PHOTO_LIMIT) + 1  # + the signature
    return photos.parse_photo_ids(request.form.get("photo_ids"), limit)


def _optional_int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise NotFound(_("页面不存在，或您无权查看。"))
    return int(raw)


def _answer(event):
    """201 JSON for the outbox: stored (applied or kept as a conflict) with the Chinese message."""
    order = event.order
    return {"status": "stored", "message": queries.step_message(event), "conflict": not event.applied,
            "event": {"id": event.id, "kind": event.kind, "applied": event.applied,
                      "conflict_reason": event.conflict_reason},
            "order": {"id": order.id, "number": order.number, "state": order.state}}, 201


# ---------------------------------------------------------------- pages


@bp.get("/")
@login_required
def index():
    """「我的工单」: my open orders, overdue first then the nearest deadline; orders I may grab; 「我发起的」."""
    now = utcnow()
    mine = queries.orders_for_technician(current_user, now)
    view = {"mine": mine, "overdue": sum(1 for r in mine if r.clocks.overdue),
            "grabbable": queries.grabbable_for(current_user, now),
            "conflicts": queries.my_open_conflicts(current_user),
            "raised": queries.orders_raised_by(current_user, now),
            "is_technician": current_user.has_role(queries.TECHNICIAN)}
    return render("workorders/index.html", "workorders/_index.html", view=view, now=now)


@bp.get("/<int:order_id>")
@login_required
@writes_on_get  # the resident access log (H6)
def show(order_id: int):
    """The order page: both clocks, resident (masked unless allowed; full views logged), history with
    photos, open conflicts, and the steps this user may take."""
    now = utcnow()
    detail = queries.order_detail(current_user, order_id, now)
    resident = residents.resident_view(current_user, detail.order, now=now)
    db.session.commit()  # a full view of resident data is logged (H6)
    return render("workorders/detail.html", "workorders/_detail.html", detail=detail, resident=resident, now=now)


# ---------------------------------------------------------------- field actions (outbox)


@bp.post("/<int:order_id>/arrive")
@login_required
@idempotent_action
def arrive(order_id: int):
    """The assignee is on site → 201 JSON (a conflict when reassigned/cancelled meanwhile); replay → 200."""
    return _answer(steps.arrive(current_user, order_id, receipt=current_receipt()))


@bp.post("/<int:order_id>/done")
@login_required
@idempotent_action
def complete(order_id: int):
    """Completion (form: note, materials, paid=0|1, price_item_id, amount (yuan), photo_ids, has_signature=1
    when the last photo is the resident's signature, no_signature_reason) → 201 JSON; replay → 200."""
    ids = _photo_ids()
    signature = ids.pop() if request.form.get("has_signature") == "1" and ids else None
    event = steps.complete(
        current_user, order_id, note=request.form.get("note", ""), materials=request.form.get("materials", ""),
        paid=request.form.get("paid") == "1", price_item_id=_optional_int("price_item_id"),
        amount_fen=steps.parse_amount(request.form.get("amount")), photo_ids=ids,
        signature_photo_uuid=signature, no_signature_reason=request.form.get("no_signature_reason", ""),
        receipt=current_receipt(),
    )
    return _answer(event)


@bp.post("/<int:order_id>/hold")
@login_required
@idempotent_action
def hold(order_id: int):
    """Pause (form: reason) → 201 JSON."""
    return _answer(steps.hold(current_user, order_id, request.form.get("reason", ""), receipt=current_receipt()))


@bp.post("/<int:order_id>/resume")
@login_required
@idempotent_action
def resume(order_id: int):
    """End the pause → 201 JSON."""
    return _answer(steps.resume(current_user, order_id, receipt=current_receipt()))


@bp.post("/<int:order_id>/grab")
@login_required
@idempotent_action
def grab(order_id: int):
    """抢单 → 201 JSON; the loser's grab is stored too and answered 「已被 X 抢走」."""
    return _answer(steps.grab(current_user, order_id, receipt=current_receipt()))


# ---------------------------------------------------------------- desk on the order page


@bp.post("/conflicts/<int:event_id>/settle")
@login_required
def settle(event_id: int):
    """The desk settles a conflict shown on the order page (form: note, accept=1 to apply the step after
    all) → back to the order (303)."""
    event = steps.settle_conflict(current_user, event_id, request.form.get("note", ""),
                                     accept=request.form.get("accept") == "1",
                                     receipt=Receipt.server(utcnow()))
    db.session.commit()
    return see_other(url_for("workorders.show", order_id=event.order_id) + "#conflicts")
