"""Planned work orders (W11): an upkeep plan raises an order for each piece some days before it is due.

Orders go through the work-order services (`workorders.steps.raise_order`, source "plan"), so they keep
the site's clocks and appear in the technician's list; `PlannedOrder` makes each (plan, piece, window) raise
once however often the job runs (`wuye checks-orders`, the board's button, the demo). The order is raised in
the name of the plan's author, else the site's first supervisor or admin (orders need a dispatcher), and
assigned to the plan's technician when it names one.

The order's completion form is the plan's checklist (`order_completion`, through `registry.ORDER_COMPLETION`):
completing it (`complete_planned`) completes the order through the work-order services and records the check
of that piece under that plan in the same transaction, with the same client UUID, so the board and the month
figures count it once and a replay stores nothing twice (W11, P7).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import Membership, User
from wuye_field.checks import doing, schedule
from wuye_field.checks import plans as plan_rules
from wuye_field.checks.board import current_frequency
from wuye_field.checks.equipment import site_pieces, site_setting, type_label
from wuye_field.checks.models import CheckPlan, Equipment, PlannedOrder
from wuye_field.core.errors import NotFound
from wuye_field.core.registry import Section
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders import steps
from wuye_field.workorders.models import OrderEvent, WorkOrder

_NAMESPACE = uuid.UUID("6f1d3c52-3b7e-4e59-9a43-0c6c2b1f7e15")


def _dispatcher(site_id: int, preferred: int | None) -> User | None:
    ids = set(db.session.scalars(select(Membership.user_id).where(
        Membership.site_id == site_id, Membership.role.in_(("supervisor", "admin")))))
    if preferred in ids:
        return db.session.get(User, preferred)
    return db.session.get(User, min(ids)) if ids else None


def order_key(plan_id: int, equipment_id: int, window_start: datetime) -> str:
    """The raise's client UUID: the same window always gives the same key (a second run changes nothing)."""
    return str(uuid.uuid5(_NAMESPACE, f"{plan_id}:{equipment_id}:{as_utc(window_start).isoformat()}"))


def raise_planned_orders(site: Site, *, now: datetime) -> list[PlannedOrder]:
    """Raise the orders of the site's upkeep plans due within their lead time (default 7 days ahead)."""
    now = as_utc(now)
    plans = [p for p in plan_rules.site_plans(site.id, active_only=True) if p.orders_ahead_days > 0]
    if not plans:
        return []
    default_ahead = site_setting(site.id, "checks.orders_ahead_days", now)
    pieces = site_pieces(site.id)
    changes = plan_rules.frequency_changes(plans)
    done = {(p, e, as_utc(w)) for p, e, w in db.session.execute(
        select(PlannedOrder.plan_id, PlannedOrder.equipment_id, PlannedOrder.window_start)
        .where(PlannedOrder.site_id == site.id, PlannedOrder.due_at >= now))}
    made = []
    for plan in plans:
        freq = current_frequency(changes[plan.id], now)
        actor = _dispatcher(site.id, plan.created_by_id)
        if freq is None or actor is None:
            continue
        ahead = plan.orders_ahead_days or default_ahead
        for window in schedule.due_within(freq, now, ahead, site.timezone):
            for piece in plan_rules.covered(plan, pieces):
                if (plan.id, piece.id, window.start) in done:
                    continue
                made.append(_raise(actor, plan, piece, window, now))
    return made


def _raise(actor: User, plan, piece, window: schedule.Window, now: datetime) -> PlannedOrder:
    due_local = window.due.astimezone(ZoneInfo(db.session.get(Site, piece.site_id).timezone)).strftime("%Y-%m-%d")
    description = (f"{plan.name}：{type_label(piece.type)} {piece.code} {piece.name}，{due_local} 前完成。"
                   "完工时逐项填写检查表。")[:500]
    receipt = Receipt.server(now, order_key(plan.id, piece.id, window.start))
    order = steps.raise_order(actor, site_id=plan.site_id, source="plan", category=plan.order_category,
                              priority="ordinary", description=description, place_id=piece.place_id,
                              building_id=piece.building_id, receipt=receipt)
    if plan.assignee_id is not None and order.assignee_id is None:
        steps.assign(actor, order.id, plan.assignee_id,
                     receipt=Receipt.server(now, order_key(plan.id, piece.id, window.start + timedelta(seconds=1))))
    planned = PlannedOrder(site_id=plan.site_id, plan_id=plan.id, equipment_id=piece.id, window_start=window.start,
                           due_at=window.due, work_order_id=order.id, created_at=now)
    db.session.add(planned)
    db.session.flush()
    return planned


# ---------------------------------------------------------------- completing a planned order


def _planned(order_id: int) -> tuple[PlannedOrder, Equipment, CheckPlan] | None:
    planned = db.session.scalar(select(PlannedOrder).where(PlannedOrder.work_order_id == order_id))
    if planned is None:
        return None
    return planned, db.session.get(Equipment, planned.equipment_id), db.session.get(CheckPlan, planned.plan_id)


def order_completion(order: WorkOrder, user: User) -> Section | None:
    """`registry.ORDER_COMPLETION`: a planned order completes with its plan's checklist for its piece."""
    found = _planned(order.id) if order.source == "plan" else None
    if found is None:
        return None
    _planned_row, piece, plan = found
    items = [dict(item, expected_n=doing.expected_count(item, piece) if item["kind"] == "count" else None)
             for item in plan_rules.items_for(plan, piece)]
    return Section("checks/_order_checklist.html", {
        "action": url_for("checks.order_done", order_id=order.id), "plan": plan, "equipment": piece,
        "type_label": type_label(piece.type), "items": items})


def complete_planned(user: User, order_id: int, *, form: dict, note: str | None, photo_ids: list[str],
                     receipt: Receipt, **completion) -> tuple[OrderEvent, doing.CheckView]:
    """Complete a planned order with its checklist: the order's 「完工」 (`steps.complete` with `completion`:
    materials, paid, price, signature) and the check of its piece under its plan, both or neither.

    The check is stored even when the completion is kept as a conflict (the order was reassigned or
    cancelled meanwhile): the piece was checked all the same. A failed item opens a defect, as at the tag.
    """
    found = _planned(order_id)
    if found is None:
        raise NotFound(_("页面不存在，或您无权查看。"))
    _planned_row, piece, plan = found
    event = steps.complete(user, order_id, note=note or "", photo_ids=photo_ids, receipt=receipt, **completion)
    answered = doing.answer_check(piece, plan, form, note, receipt)
    return event, doing.store_check(user, piece, plan, answered, photo_ids, receipt)
