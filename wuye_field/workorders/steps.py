"""Work-order steps: raise, dispatch, work, return-visit and settle orders (W1–W8). Reading orders
(lists, one order, settings) is in `queries`.

Every step is an `OrderEvent` (append-only, chained into the site's hash log, H5) written in
the same transaction as the order's projection (state, assignee, clock columns). All functions take the
acting user and plain values, flush and never commit; they raise NotFound for an order outside the
user's sites and DomainError (400/403/409/422, Chinese) for a refused step.

Receipts: every step, `raise_order` included, takes a `wuye_field.sync.receipt.Receipt`: `current_receipt()`
in an outbox route, `Receipt.server(now)` for a desk/supervisor action made online, `Receipt(...)` in tests.

Conflicts are rules, not last-write-wins: a technician's arrive/hold/resume/done that reaches the server
after the order was reassigned to someone else or cancelled is stored with `applied=False` and a
`conflict_reason`, changes nothing, and stays in `open_conflicts` until the desk settles it
(`settle_conflict`). A grab that lost (someone else got the order first, even when both grabbed offline)
is stored the same way and the loser is told 「已被 X 抢走」; lost grabs need no settling.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from wuye_field.accounts.models import Membership, User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, Forbidden, NotFound
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc
from wuye_field.defects import records as defects
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import ClockSkew, Receipt
from wuye_field.workorders import alerting, sla, states
from wuye_field.workorders.models import CATEGORIES, PRIORITIES, SOURCES, OrderEvent, PriceItem, WorkOrder
from wuye_field.workorders.queries import (
    DEFECT_RAISERS, DISPATCHERS, EVENT_PHOTOS, SIGNATURE_PHOTOS, TECHNICIAN, get_order, has_trade, holders,
    is_dispatcher, order_not_found, require_dispatcher, settings_for, sla_minutes_at, user_name,
)


TEXT_MAX = 500
PHOTO_LIMIT = 10
MAX_AMOUNT_FEN = 10_000_000  # 10 万元: anything above is a typing mistake
PHONE_RE = re.compile(r"^[0-9+\- ]{0,20}$")
_NUMBER_ATTEMPTS = 5
_FOLLOW_UP = uuid.UUID("5f0c8a52-8a43-4c55-9d7e-2b1f3c0e7a11")  # namespace for the keys of automatic events

CHAIN_COLUMNS = FIELD_COLUMNS + (
    "order_id", "kind", "from_state", "to_state", "applied", "conflict_reason", "assignee_id", "reason", "verdict",
    "paid", "price_item_id", "amount_fen", "materials", "signature_photo_uuid", "no_signature_reason", "settles_id",
)
chain.register_tables({"order_event": CHAIN_COLUMNS})


# ---------------------------------------------------------------- receipts


def _when(receipt: Receipt) -> datetime:
    """When the step really happened (device time corrected for skew, never after receipt)."""
    return sla.effective_time(receipt.device_time, receipt.received_at, receipt.skew.seconds)


def _follow_up(receipt: Receipt, suffix: str) -> Receipt:
    """The receipt of an event the service adds after the user's one (visit → close/reopen)."""
    return replace(receipt, client_uuid=str(uuid.uuid5(_FOLLOW_UP, f"{receipt.client_uuid}:{suffix}")))


# ---------------------------------------------------------------- writing events


def _event(actor: User, order: WorkOrder, kind: str, receipt: Receipt, *, to_state: str | None = None,
           applied: bool = True, conflict_reason: str = "", **values) -> OrderEvent:
    """Add one event (from the order's current state); when applied, move the order to `to_state`."""
    from_state = order.state if order.id else ""
    event = OrderEvent(
        **receipt.columns(), user_id=actor.id, site_id=order.site_id, order=order, kind=kind, from_state=from_state,
        to_state=(to_state or from_state) if applied else from_state, applied=applied,
        conflict_reason=conflict_reason, **values,
    )
    db.session.add(event)
    if applied and kind != "settle":
        order.state = event.to_state
        order.version = (order.version or 0) + 1
    db.session.flush()
    return event


def _chain(order: WorkOrder, events: Iterable[OrderEvent], receipt: Receipt) -> None:
    chain.append_records(order.site_id, "order_event", [e.id for e in events], now=receipt.received_at)


def _text(raw: str | None, *, required: str | None = None, limit: int = TEXT_MAX) -> str:
    """Cleaned text (`clean_text`) ≤ `limit`; DomainError (422) when too long, or empty while `required`."""
    text = clean_text(raw, multiline=True)
    if len(text) > limit:
        raise DomainError(_("最多 %(n)d 个字。", n=limit), status=422, code="too_long")
    if required and not text:
        raise DomainError(required, status=422, code="required")
    return text


def _end_pause(order: WorkOrder, at: datetime) -> None:
    """Close a running hold: its length joins the paused time (never negative)."""
    if order.on_hold_since is not None:
        paused = int((at - as_utc(order.on_hold_since)).total_seconds())
        order.paused_seconds = (order.paused_seconds or 0) + max(0, paused)
        order.on_hold_since = None


def _existing(model, user_id_column, user: User, key: str):
    return db.session.scalar(select(model).where(user_id_column == user.id, model.client_uuid == key))


# ---------------------------------------------------------------- raise


def _raise_site(user: User, site_id: int, source: str) -> Site:
    if source not in SOURCES:
        raise DomainError(_("工单来源无效。"), status=422, code="bad_source")
    roles = DEFECT_RAISERS if source == "defect" else DISPATCHERS
    if site_id not in user.site_ids():
        raise NotFound(_("小区不存在，或您无权查看。"))
    if site_id not in user.site_ids(*roles):
        raise Forbidden(_("只有客服或主管可以派工单；巡查发现的问题请从缺陷记录转工单。"))
    return db.session.get(Site, site_id)


def _check_place(site_id: int, place_id: int | None, building_id: int | None) -> None:
    if place_id is not None:
        place = db.session.get(Place, place_id)
        if place is None or place.site_id != site_id:
            raise DomainError(_("地点不在本小区。"), status=422, code="bad_place")
    if building_id is not None:
        building = db.session.get(Building, building_id)
        if building is None or building.site_id != site_id:
            raise DomainError(_("楼栋不在本小区。"), status=422, code="bad_building")


def _check_defect(site_id: int, defect_id: int | None, source: str) -> None:
    if source != "defect":
        return
    if defect_id is None:
        raise DomainError(_("请指明来自哪条缺陷记录。"), status=422, code="defect_required")
    if defects.defect_on_site(site_id, defect_id) is None:
        raise DomainError(_("缺陷记录不在本小区。"), status=422, code="bad_defect")
    if defects.is_resolved(defect_id):
        raise DomainError(_("该问题已处理或已转工单，不能重复派单。"), status=409, code="defect_resolved")


def next_number(site_id: int, local_day) -> str:
    """The next order number of a site on a local day: YYYYMMDD-NNNN (0001 first)."""
    prefix = local_day.strftime("%Y%m%d") + "-"
    last = db.session.scalar(select(func.max(WorkOrder.number)).where(
        WorkOrder.site_id == site_id, WorkOrder.number.like(prefix + "%")))
    return f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:04d}"


def raise_order(user: User, *, site_id: int, source: str, category: str, priority: str, description: str,
                place_id: int | None = None, building_id: int | None = None, room: str = "",
                resident_name: str = "", resident_phone: str = "", defect_id: int | None = None,
                photo_ids: Iterable[str] = (), receipt: Receipt) -> WorkOrder:
    """Raise an order on `site_id`; its clocks come from the site's SlaPolicy (else DEFAULT_SLA).

    Desk, supervisor and admin raise any order; anyone with a role on the site may raise one from a
    defect (source "defect", `defect_id` required; the defect is resolved as turned into this order and
    its photos show on the order). A replay of (user, receipt's client UUID) returns the stored order.
    Raises NotFound (not the user's site), Forbidden (role), DomainError 422 (bad values).
    """
    existing = _existing(WorkOrder, WorkOrder.raised_by_id, user, receipt.client_uuid)
    if existing is not None:
        return existing
    site = _raise_site(user, site_id, source)
    if category not in CATEGORIES:
        raise DomainError(_("请选择工单类别。"), status=422, code="bad_category")
    if priority not in PRIORITIES:
        raise DomainError(_("请选择紧急程度。"), status=422, code="bad_priority")
    description = _text(description, required=_("请描述要修什么。"))
    room = _text(room, limit=20)
    resident_name = _text(resident_name, limit=40)
    resident_phone = _text(resident_phone, limit=20)
    if not PHONE_RE.match(resident_phone):
        raise DomainError(_("电话号码只能包含数字。"), status=422, code="bad_phone")
    _check_place(site.id, place_id, building_id)
    _check_defect(site.id, defect_id, source)
    raised_at = _when(receipt)
    arrive_minutes, finish_minutes = sla_minutes_at(site.id, priority, raised_at)
    order = WorkOrder(
        site_id=site.id, client_uuid=receipt.client_uuid, raised_by_id=user.id, raised_at=raised_at,
        received_at=receipt.received_at,
        source=source, defect_id=defect_id if source == "defect" else None, place_id=place_id,
        building_id=building_id, room=room, category=category, priority=priority, description=description,
        resident_name=resident_name, resident_phone=resident_phone, arrive_minutes=arrive_minutes,
        finish_minutes=finish_minutes, state="", version=0, paused_seconds=0, reopen_count=0,
    )
    _insert_numbered(order, raised_at.astimezone(ZoneInfo(site.timezone)).date())
    event = _event(user, order, "raise", receipt, to_state=states.check("", "raise"), reason=description)
    photo_links.link_photos(EVENT_PHOTOS, event.id, user_id=user.id, site_id=site.id, photo_ids=photo_ids)
    _chain(order, [event], receipt)
    if order.defect_id is not None:
        # The resolution has always been stored without the action's clock skew.
        defects.resolve_defect(user, order.defect_id, replace(receipt, skew=ClockSkew.unknown()), outcome="order",
                               note="", work_order_id=order.id)
    alerting.emergency_raised(order, now=receipt.received_at)
    return order


def _insert_numbered(order: WorkOrder, local_day) -> None:
    """Insert the order with the next free number of its site and day (two desks at once: retry)."""
    for _attempt in range(_NUMBER_ATTEMPTS):
        order.number = next_number(order.site_id, local_day)
        try:
            with db.session.begin_nested():
                db.session.add(order)
            return
        except IntegrityError:
            continue
    raise DomainError(_("工单编号冲突，请重试。"), status=409, code="number_conflict")


# ---------------------------------------------------------------- dispatch


def assign(user: User, order_id: int, assignee_id: int, *, reason: str = "", receipt) -> OrderEvent:
    """Desk/supervisor assigns (or reassigns) the order to a technician of its site.

    Reassigning keeps the chain of who held it (each assign is an event). Assigning an order on hold
    ends the hold. Raises Forbidden (role), DomainError 422 (not a technician of the site) and 409
    (illegal state, or already assigned to that technician).
    """
    order = get_order(user, order_id, lock=True)
    require_dispatcher(user, order)
    to_state = states.check(order, "assign")
    if order.site_id not in _user_sites(assignee_id, TECHNICIAN):
        raise DomainError(_("请选择本小区的维修工。"), status=422, code="bad_assignee")
    if order.assignee_id == assignee_id and order.state == "assigned":
        raise DomainError(_("工单已经派给 %(name)s 了。", name=user_name(assignee_id)), status=409,
                          code="same_assignee")
    reason = _text(reason)
    _end_pause(order, _when(receipt))
    order.assignee_id = assignee_id
    event = _event(user, order, "assign", receipt, to_state=to_state, assignee_id=assignee_id, reason=reason)
    _chain(order, [event], receipt)
    alerting.emergency_assigned(order, now=receipt.received_at)
    return event


def _user_sites(user_id: int, role: str) -> set[int]:
    return set(db.session.scalars(select(Membership.site_id).join(User).where(
        Membership.user_id == user_id, Membership.role == role, User.active.is_(True))))


def grab(user: User, order_id: int, *, receipt) -> OrderEvent:
    """A technician takes an unassigned order of their trade (抢单), when the site allows it.

    First come first served by the server's receipt: a grab of an order that someone else already holds
    (even when both grabbed offline) is stored with applied=False and conflict_reason 「已被 X 抢走」.
    Raises Forbidden (not a technician of the site, grabbing off, not their trade), DomainError 409
    (the order is already theirs).
    """
    order = get_order(user, order_id, lock=True)
    if order.site_id not in user.site_ids(TECHNICIAN):
        raise Forbidden(_("只有维修工可以抢单。"))
    if not settings_for(order.site_id).allow_grab:
        raise Forbidden(_("本小区没有开放抢单，请等客服派单。"))
    if not has_trade(user.id, order.site_id, order.category):
        raise Forbidden(_("这张工单不是您的工种（%(c)s）。", c=str(CATEGORIES.get(order.category, order.category))))
    if order.assignee_id == user.id:
        raise DomainError(_("这张工单已经是您的了。"), status=409, code="already_yours")
    if states.allowed(order.state, "grab"):
        order.assignee_id = user.id
        event = _event(user, order, "grab", receipt, to_state="assigned", assignee_id=user.id)
    else:
        reason = (_("已被 %(name)s 抢走", name=user_name(order.assignee_id)) if order.assignee_id
                  else states.refusal(order.state, "grab"))
        event = _event(user, order, "grab", receipt, applied=False, conflict_reason=reason, assignee_id=user.id)
    _chain(order, [event], receipt)
    return event


# ---------------------------------------------------------------- the technician's steps


def _field_conflict(user: User, order: WorkOrder) -> str | None:
    """Why a step by `user` can no longer apply (None when it can).

    The current assignee of a live order acts normally. Someone who held the order before, or grabbed it
    offline and lost, gets a conflict (kept, shown, settled by the desk): reassigned to another, grabbed
    by another, or cancelled. Anyone else is refused (Forbidden): it was never their order.
    """
    if order.assignee_id == user.id and order.state != "cancelled":
        return None
    held = order.assignee_id == user.id or user.id in holders(order)
    grabbed = held or db.session.scalar(select(OrderEvent.id).where(
        OrderEvent.order_id == order.id, OrderEvent.kind == "grab", OrderEvent.user_id == user.id).limit(1))
    if not grabbed:
        raise Forbidden(_("这张工单不是派给您的。"))
    if order.state == "cancelled":
        return _("工单已被取消，您的记录已保存，等客服处理。")
    if held:
        return _("工单已改派给 %(name)s，您的记录已保存，等客服处理。", name=user_name(order.assignee_id))
    return _("工单已被 %(name)s 抢走，您的记录已保存，等客服处理。", name=user_name(order.assignee_id))


def _tech_step(user: User, order_id: int, kind: str, receipt, *, dispatcher_ok: bool = False, **values):
    """Run a technician step: (order, event or None when it may apply, to_state)."""
    order = get_order(user, order_id, lock=True)
    if dispatcher_ok and is_dispatcher(user, order) and order.assignee_id != user.id:
        return order, None, states.check(order, kind)
    conflict = _field_conflict(user, order)
    if conflict:
        event = _event(user, order, kind, receipt, applied=False, conflict_reason=conflict, **values)
        return order, event, None
    return order, None, states.check(order, kind)


def arrive(user: User, order_id: int, *, receipt) -> OrderEvent:
    """The assignee is on site (time stamped on the phone). The FIRST arrival stops the response clock.

    Stored as a conflict when the order was reassigned/cancelled meanwhile; Forbidden for someone who
    never held it; IllegalTransition (409) when the state does not allow it.
    """
    order, event, to_state = _tech_step(user, order_id, "arrive", receipt)
    if event is None:
        if order.arrived_at is None:
            order.arrived_at = _when(receipt)
        event = _event(user, order, "arrive", receipt, to_state=to_state)
    _chain(order, [event], receipt)
    return event


def hold(user: User, order_id: int, reason: str, *, receipt) -> OrderEvent:
    """Pause the order (暂停: waiting for parts, resident not home); the finish clock stops. By the
    assignee or the desk/supervisor. Reason required (422)."""
    reason = _text(reason, required=_("请写明暂停原因（如等配件、业主不在家）。"))
    order, event, to_state = _tech_step(user, order_id, "hold", receipt, dispatcher_ok=True, reason=reason)
    if event is None:
        order.on_hold_since = _when(receipt)
        event = _event(user, order, "hold", receipt, to_state=to_state, reason=reason)
    _chain(order, [event], receipt)
    return event


def resume(user: User, order_id: int, *, receipt) -> OrderEvent:
    """End a hold: the order returns to the state it was held from; the pause joins the paused time."""
    order, event, _to = _tech_step(user, order_id, "resume", receipt, dispatcher_ok=True)
    if event is None:
        held_from = db.session.scalar(select(OrderEvent.from_state).where(
            OrderEvent.order_id == order.id, OrderEvent.kind == "hold", OrderEvent.applied.is_(True),
        ).order_by(OrderEvent.id.desc()).limit(1)) or "assigned"
        _end_pause(order, _when(receipt))
        event = _event(user, order, "resume", receipt, to_state=held_from)
    _chain(order, [event], receipt)
    return event


def complete(user: User, order_id: int, *, note: str = "", materials: str = "", paid: bool = False,
             price_item_id: int | None = None, amount_fen: int | None = None, photo_ids: Iterable[str] = (),
             signature_photo_uuid: str | None = None, no_signature_reason: str = "", receipt) -> OrderEvent:
    """The assignee finished the job: after-photos (≥ 1) required; materials; paid work names an item of
    the site's price list (amount defaults to its price, W7); when the site requires the
    resident's signature, either the signature image's photo UUID or why there is none.

    Stored as a conflict (photos linked, nothing changed) when the order was reassigned/cancelled
    meanwhile. Raises DomainError 422 (missing photo, price, signature), Forbidden, IllegalTransition.
    """
    photo_ids = list(photo_ids)
    if not photo_ids:
        raise DomainError(_("请拍完工照片（至少一张）。"), status=422, code="photo_required")
    note = _text(note)
    materials = _text(materials)
    no_signature_reason = _text(no_signature_reason)
    order = get_order(user, order_id)
    price_item_id, amount_fen = _price(order.site_id, paid, price_item_id, amount_fen)
    if settings_for(order.site_id).require_signature and not signature_photo_uuid and not no_signature_reason:
        raise DomainError(_("本小区要求业主签字；请业主在手机上签字，或写明无法签字的原因。"), status=422,
                          code="signature_required")
    values = dict(reason=note, materials=materials, paid=paid, price_item_id=price_item_id, amount_fen=amount_fen,
                  signature_photo_uuid=signature_photo_uuid, no_signature_reason=no_signature_reason)
    order, event, to_state = _tech_step(user, order_id, "done", receipt, **values)
    if event is None:
        _end_pause(order, _when(receipt))
        order.done_at = _when(receipt)
        event = _event(user, order, "done", receipt, to_state=to_state, **values)
    photo_links.link_photos(EVENT_PHOTOS, event.id, user_id=user.id, site_id=order.site_id, photo_ids=photo_ids)
    if signature_photo_uuid:
        photo_links.link_photos(SIGNATURE_PHOTOS, event.id, user_id=user.id, site_id=order.site_id,
                           photo_ids=[signature_photo_uuid])
    _chain(order, [event], receipt)
    return event


def _price(site_id: int, paid: bool, price_item_id: int | None,
           amount_fen: int | None) -> tuple[int | None, int | None]:
    if not paid:
        return None, None
    item = db.session.get(PriceItem, price_item_id) if price_item_id else None
    if item is None or item.site_id != site_id or not item.active:
        raise DomainError(_("有偿维修请从本小区价目表中选择收费项目。"), status=422, code="price_required")
    amount = item.price_fen if amount_fen is None else amount_fen
    if not 0 <= amount <= MAX_AMOUNT_FEN:
        raise DomainError(_("收费金额无效。"), status=422, code="bad_amount")
    return item.id, amount


def parse_amount(raw: str | None) -> int | None:
    """Yuan as typed ("35", "35.5") → fen; None when empty; DomainError 422 when not a money amount."""
    text = (raw or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,6}(\.\d{1,2})?", text):
        raise DomainError(_("收费金额格式不对，例如 35 或 35.50。"), status=422, code="bad_amount")
    yuan, _dot, jiao = text.partition(".")
    return int(yuan) * 100 + int((jiao + "00")[:2])


# ---------------------------------------------------------------- desk: return visit, close, cancel, settle


VERDICTS = {"satisfied": "满意", "not_satisfied": "不满意"}


def record_visit(user: User, order_id: int, verdict: str, note: str = "", *, receipt) -> OrderEvent:
    """The desk's return visit (回访, W4) of a done order: a "visit" event with the verdict,
    then automatically "close" (satisfied: nothing left to do) or "reopen" (not satisfied: back to the
    same technician, reopen_count + 1, a fresh finish clock, the history kept).

    Returns the visit event. Raises Forbidden (role), DomainError 422 (bad verdict; reason missing when
    not satisfied), IllegalTransition (not done yet / already visited).
    """
    order = get_order(user, order_id, lock=True)
    require_dispatcher(user, order)
    if verdict not in VERDICTS:
        raise DomainError(_("请选择业主是否满意。"), status=422, code="bad_verdict")
    note = _text(note, required=_("请写明业主不满意的地方。") if verdict == "not_satisfied" else None)
    to_state = states.check(order, "visit")
    when = _when(receipt)
    visit = _event(user, order, "visit", receipt, to_state=to_state, verdict=verdict, reason=note)
    follow = _follow_up(receipt, "after-visit")
    if verdict == "satisfied":
        order.closed_at = when
        after = _event(user, order, "close", follow, to_state=states.check(order, "close"))
    else:
        order.reopen_count = (order.reopen_count or 0) + 1
        order.reopened_at = when
        order.done_at = None
        order.paused_seconds = 0
        after = _event(user, order, "reopen", follow, to_state=states.check(order, "reopen"),
                       assignee_id=order.assignee_id, reason=note)
    _chain(order, [visit, after], receipt)
    return visit


def close(user: User, order_id: int, reason: str, *, receipt) -> OrderEvent:
    """Close a done order without a return visit (the resident could not be reached): reason required.
    Such orders count against the return-visit rate (W4)."""
    order = get_order(user, order_id, lock=True)
    require_dispatcher(user, order)
    reason = _text(reason, required=_("请写明为什么不回访就关闭（如多次联系不上业主）。"))
    to_state = states.check(order, "close")
    order.closed_at = _when(receipt)
    event = _event(user, order, "close", receipt, to_state=to_state, reason=reason)
    _chain(order, [event], receipt)
    return event


def cancel(user: User, order_id: int, reason: str, *, receipt) -> OrderEvent:
    """Cancel an open order (desk/supervisor), reason required. A technician's later offline steps on it
    become conflicts."""
    reason = _text(reason, required=_("请写明取消原因。"))
    order = get_order(user, order_id, lock=True)
    require_dispatcher(user, order)
    to_state = states.check(order, "cancel")
    when = _when(receipt)
    _end_pause(order, when)
    order.closed_at = when
    event = _event(user, order, "cancel", receipt, to_state=to_state, reason=reason)
    _chain(order, [event], receipt)
    return event


ACCEPTABLE = ("arrive", "done")  # conflicting steps the desk may accept (apply after all)


def settle_conflict(user: User, event_id: int, note: str, *, accept: bool = False, receipt) -> OrderEvent:
    """The desk settles a conflict (an event stored with applied=False); the new event points at it
    (`settles_id`) with what was decided.

    `accept=False`: a "settle" event, the order unchanged (fix it with assign/cancel/… if needed).
    `accept=True` (only an arrive or done of a live order): the technician's offline step is applied
    after all, as of the time it was made on the phone — an "arrive"/"done" event by the desk naming the
    technician, who becomes the assignee again (e.g. the order was reassigned because they had no signal,
    but they did the job). Raises NotFound, Forbidden, DomainError 409 (not a conflict / settled / cannot
    be accepted), 422 (note missing), IllegalTransition (order cancelled or closed).
    """
    target = db.session.get(OrderEvent, event_id)
    if target is None:
        raise order_not_found()
    order = get_order(user, target.order_id, lock=True)
    require_dispatcher(user, order)
    if target.applied or target.kind == "grab":
        raise DomainError(_("这条记录没有冲突，无需处理。"), status=409, code="not_a_conflict")
    if db.session.scalar(select(OrderEvent.id).where(OrderEvent.settles_id == target.id).limit(1)) is not None:
        raise DomainError(_("这条冲突已经处理过了。"), status=409, code="already_settled")
    note = _text(note, required=_("请写明如何处理这条冲突。"))
    if accept:
        event = _accept(user, order, target, note, receipt)
    else:
        event = _event(user, order, "settle", receipt, settles_id=target.id, reason=note)
    _chain(order, [event], receipt)
    return event


def _accept(user: User, order: WorkOrder, target: OrderEvent, note: str, receipt) -> OrderEvent:
    """Apply a conflicting arrive/done as of its phone time (see settle_conflict)."""
    if target.kind not in ACCEPTABLE:
        raise DomainError(_("只能采纳到场或完工记录；其他记录请写明处理说明。"), status=409, code="not_acceptable")
    if order.state not in ("assigned", "arrived", "on_hold"):
        raise states.IllegalTransition(states.refusal(order.state, target.kind))
    at = sla.effective_time(target.device_time, target.received_at, target.clock_skew_seconds)
    order.assignee_id = target.user_id
    if order.arrived_at is None:
        order.arrived_at = at
    values = dict(assignee_id=target.user_id, settles_id=target.id, reason=note)
    if target.kind == "arrive":
        to_state = "arrived" if order.state == "assigned" else order.state
        return _event(user, order, "arrive", receipt, to_state=to_state, **values)
    _end_pause(order, at)
    order.done_at = at
    return _event(user, order, "done", receipt, to_state="done", materials=target.materials, paid=target.paid,
                  price_item_id=target.price_item_id, amount_fen=target.amount_fen,
                  signature_photo_uuid=target.signature_photo_uuid,
                  no_signature_reason=target.no_signature_reason, **values)
