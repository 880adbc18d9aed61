"""Work-order services: raise, dispatch, work, return-visit and settle orders (W1–W8).

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
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from wuye_field.accounts.models import Membership, User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, Forbidden, NotFound, other_site
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc, utcnow
from wuye_field.defects import records as defects
from wuye_field.photos import links as photos
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import ClockSkew, Receipt
from wuye_field.workorders import sla, states
from wuye_field.workorders.models import (
    CATEGORIES, DEFAULT_SLA, OPEN_STATES, PRIORITIES, SOURCES, STATES, OrderEvent, OrderSettings, PriceItem,
    SlaPolicy, TechnicianTrade, WorkOrder,
)

DISPATCHERS = ("desk", "supervisor", "admin")  # raise, assign, cancel, return-visit, settle
TECHNICIAN = "technician"
VIEWERS = DISPATCHERS + (TECHNICIAN,)
DEFECT_RAISERS = ("guard", "cleaner", "technician") + DISPATCHERS  # may raise an order from a defect
EVENT_PHOTOS = "order_event"  # PhotoLink.owner_kind of photos taken with a step (raise, done …)
SIGNATURE_PHOTOS = "order_signature"  # the resident's signature image, with the done step
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


# ---------------------------------------------------------------- settings


def settings_for(site_id: int) -> OrderSettings:
    """The site's switches (grab allowed, signature required); defaults (both off) when never set."""
    return db.session.get(OrderSettings, site_id) or OrderSettings(site_id=site_id, allow_grab=False,
                                                                    require_signature=False)


def sla_minutes(site_id: int, priority: str) -> tuple[int | None, int]:
    """(arrive_minutes, finish_minutes) for a priority on a site: its SlaPolicy, else the seed's defaults."""
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.site_id == site_id, SlaPolicy.priority == priority))
    if policy is not None:
        return policy.arrive_minutes, policy.finish_minutes
    return DEFAULT_SLA[priority]["arrive"], DEFAULT_SLA[priority]["finish"]


def price_items(site_id: int) -> list[PriceItem]:
    """The site's active price list (W7), by name."""
    return list(db.session.scalars(
        select(PriceItem).where(PriceItem.site_id == site_id, PriceItem.active.is_(True)).order_by(PriceItem.name)
    ))


def technicians_of(site_id: int) -> list[User]:
    """Active technicians of a site, by staff number (the assign picker)."""
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.site_id == site_id, Membership.role == TECHNICIAN,
                                            User.active.is_(True)).order_by(User.staff_no)
    ))


def has_trade(user_id: int, site_id: int, category: str) -> bool:
    return db.session.scalar(select(TechnicianTrade.id).where(
        TechnicianTrade.user_id == user_id, TechnicianTrade.site_id == site_id, TechnicianTrade.category == category,
    ).limit(1)) is not None


# ---------------------------------------------------------------- reading orders


def _not_found(order_id: int | None = None, user: User | None = None) -> NotFound:
    """NotFound for an order; with `order_id` and `user`, logged when the order is on another site."""
    order = db.session.get(WorkOrder, order_id) if order_id is not None else None
    return NotFound(_("工单不存在，或您无权查看。"), site_id=other_site(order, user.site_ids()) if user else None)


def _visible(user: User):
    """SQL condition: orders of the sites where `user` works with orders, or orders they raised (W6)."""
    site_ids = user.site_ids(*VIEWERS)
    mine = WorkOrder.raised_by_id == user.id
    return or_(WorkOrder.site_id.in_(site_ids), mine) if site_ids else mine


def get_order(user: User, order_id: int, *, lock: bool = False) -> WorkOrder:
    """The order if `user` may see it (a role on its site among desk/supervisor/admin/technician, or they
    raised it); NotFound otherwise. `lock` takes a row lock (PostgreSQL) and re-reads the projection."""
    query = select(WorkOrder).where(WorkOrder.id == order_id, _visible(user))
    if lock:
        query = query.with_for_update(of=WorkOrder).execution_options(populate_existing=True)
    order = db.session.scalar(query)
    if order is None:
        raise _not_found(order_id, user)
    return order


def _dispatcher(user: User, order: WorkOrder) -> None:
    if order.site_id not in user.site_ids(*DISPATCHERS):
        raise Forbidden(_("只有客服或主管可以执行此操作。"))


def _is_dispatcher(user: User, order: WorkOrder) -> bool:
    return order.site_id in user.site_ids(*DISPATCHERS)


def holders(order: WorkOrder) -> set[int]:
    """Everyone the order was ever assigned to (applied assign/grab events)."""
    return set(db.session.scalars(select(OrderEvent.assignee_id).where(
        OrderEvent.order_id == order.id, OrderEvent.applied.is_(True), OrderEvent.kind.in_(("assign", "grab")),
        OrderEvent.assignee_id.is_not(None),
    )))


def _name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user else _("他人")


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
    arrive_minutes, finish_minutes = sla_minutes(site.id, priority)
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
    photos.link_photos(EVENT_PHOTOS, event.id, user_id=user.id, site_id=site.id, photo_ids=photo_ids)
    _chain(order, [event], receipt)
    if order.defect_id is not None:
        # The resolution has always been stored without the action's clock skew.
        defects.resolve_defect(user, order.defect_id, replace(receipt, skew=ClockSkew.unknown()), outcome="order",
                               note="", work_order_id=order.id)
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
    _dispatcher(user, order)
    to_state = states.check(order, "assign")
    if order.site_id not in _user_sites(assignee_id, TECHNICIAN):
        raise DomainError(_("请选择本小区的维修工。"), status=422, code="bad_assignee")
    if order.assignee_id == assignee_id and order.state == "assigned":
        raise DomainError(_("工单已经派给 %(name)s 了。", name=_name(assignee_id)), status=409, code="same_assignee")
    reason = _text(reason)
    _end_pause(order, _when(receipt))
    order.assignee_id = assignee_id
    event = _event(user, order, "assign", receipt, to_state=to_state, assignee_id=assignee_id, reason=reason)
    _chain(order, [event], receipt)
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
        reason = (_("已被 %(name)s 抢走", name=_name(order.assignee_id)) if order.assignee_id
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
        return _("工单已改派给 %(name)s，您的记录已保存，等客服处理。", name=_name(order.assignee_id))
    return _("工单已被 %(name)s 抢走，您的记录已保存，等客服处理。", name=_name(order.assignee_id))


def _tech_step(user: User, order_id: int, kind: str, receipt, *, dispatcher_ok: bool = False, **values):
    """Run a technician step: (order, event or None when it may apply, to_state)."""
    order = get_order(user, order_id, lock=True)
    if dispatcher_ok and _is_dispatcher(user, order) and order.assignee_id != user.id:
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
    photos.link_photos(EVENT_PHOTOS, event.id, user_id=user.id, site_id=order.site_id, photo_ids=photo_ids)
    if signature_photo_uuid:
        photos.link_photos(SIGNATURE_PHOTOS, event.id, user_id=user.id, site_id=order.site_id,
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
    _dispatcher(user, order)
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
    _dispatcher(user, order)
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
    _dispatcher(user, order)
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
        raise _not_found()
    order = get_order(user, target.order_id, lock=True)
    _dispatcher(user, order)
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


# ---------------------------------------------------------------- lists


@dataclass
class OrderRow:
    """An order in a list with its clocks at `now`."""

    order: WorkOrder
    clocks: sla.Clocks

    @property
    def state_label(self) -> str:
        return str(STATES.get(self.order.state, self.order.state))


def rows(orders: Iterable[WorkOrder], now: datetime) -> list[OrderRow]:
    return [OrderRow(o, sla.clocks(o, now)) for o in orders]


def _by_deadline(items: list[OrderRow]) -> list[OrderRow]:
    return sorted(items, key=lambda r: (r.clocks.sort_key(), r.order.id))


def _list_options(query):
    return query.options(selectinload(WorkOrder.place), selectinload(WorkOrder.building))


def orders_for_technician(user: User, now: datetime) -> list[OrderRow]:
    """「我的工单」: the user's open orders, overdue first, then by the nearest deadline."""
    orders = db.session.scalars(_list_options(select(WorkOrder).where(
        WorkOrder.assignee_id == user.id, WorkOrder.state.in_(OPEN_STATES),
        WorkOrder.site_id.in_(user.site_ids(TECHNICIAN)))))
    return _by_deadline(rows(orders, now))


def grabbable_for(user: User, now: datetime) -> list[OrderRow]:
    """Unassigned orders of the user's trades on sites that allow grabbing, by the nearest deadline."""
    trade = aliased(TechnicianTrade)
    orders = db.session.scalars(_list_options(select(WorkOrder).join(OrderSettings, and_(
        OrderSettings.site_id == WorkOrder.site_id, OrderSettings.allow_grab.is_(True))).where(
        WorkOrder.state == "new", WorkOrder.site_id.in_(user.site_ids(TECHNICIAN)),
        exists().where(trade.user_id == user.id, trade.site_id == WorkOrder.site_id,
                       trade.category == WorkOrder.category))))
    return _by_deadline(rows(orders, now))


def orders_raised_by(user: User, now: datetime | None = None) -> list[OrderRow]:
    """「我发起的」 (first-contact ownership, W6): orders the user raised, until closed or cancelled."""
    orders = db.session.scalars(_list_options(select(WorkOrder).where(
        WorkOrder.raised_by_id == user.id, WorkOrder.state.not_in(("closed", "cancelled")))
        .order_by(WorkOrder.raised_at.desc())))
    return rows(orders, now or utcnow())


def _unsettled():
    settle = aliased(OrderEvent)
    return and_(OrderEvent.applied.is_(False), OrderEvent.kind != "grab",
                ~exists().where(settle.settles_id == OrderEvent.id))


def open_conflicts(site_ids: Iterable[int]) -> list[OrderEvent]:
    """Unsettled conflicts (steps stored but not applied, lost grabs excepted) on these sites, oldest first."""
    site_ids = list(site_ids)
    if not site_ids:
        return []
    return list(db.session.scalars(
        select(OrderEvent).where(OrderEvent.site_id.in_(site_ids), _unsettled())
        .options(selectinload(OrderEvent.order)).order_by(OrderEvent.received_at, OrderEvent.id)
    ))


def my_open_conflicts(user: User) -> list[OrderEvent]:
    """The user's own steps kept as unsettled conflicts (shown on 「我的工单」 until the desk settles them)."""
    return list(db.session.scalars(
        select(OrderEvent).where(OrderEvent.user_id == user.id, _unsettled())
        .options(selectinload(OrderEvent.order)).order_by(OrderEvent.received_at, OrderEvent.id)
    ))


def technician_summary(user: User, now: datetime) -> dict:
    """For the home card: {"open": n, "overdue": n, "grabbable": n}."""
    mine = orders_for_technician(user, now)
    return {"open": len(mine), "overdue": sum(1 for r in mine if r.clocks.overdue),
            "grabbable": len(grabbable_for(user, now))}


# ---------------------------------------------------------------- one order


@dataclass
class EventView:
    event: OrderEvent
    photos: list = field(default_factory=list)
    signature: list = field(default_factory=list)
    pending_photos: int = 0
    settled_by: OrderEvent | None = None

    @property
    def received_late(self) -> bool:
        """The server got it more than 5 minutes after the phone made it (sent from the outbox later)."""
        gap = as_utc(self.event.received_at) - as_utc(self.event.device_time)
        return abs(gap.total_seconds()) > 300

    @property
    def is_open_conflict(self) -> bool:
        return not self.event.applied and self.event.kind != "grab" and self.settled_by is None


@dataclass
class OrderDetail:
    """Everything the order page shows, with what this user may do now."""

    order: WorkOrder
    clocks: sla.Clocks
    events: list[EventView]
    reporter_photos: list
    can: set[str]
    price_items: list[PriceItem]
    require_signature: bool
    is_assignee: bool

    @property
    def conflicts(self) -> list[EventView]:
        return [e for e in self.events if e.is_open_conflict]

    @property
    def state_label(self) -> str:
        return str(STATES.get(self.order.state, self.order.state))

    @property
    def has_field_steps(self) -> bool:
        return bool(self.can & {"grab", "arrive", "done", "hold", "resume"})

    @property
    def is_open(self) -> bool:
        return self.order.state in OPEN_STATES


def available_steps(user: User, order: WorkOrder) -> set[str]:
    """The steps `user` may take on `order` now (for showing only buttons that work)."""
    allowed = states.kinds_from(order.state)
    can: set[str] = set()
    if order.assignee_id == user.id:
        can |= allowed & {"arrive", "hold", "resume", "done"}
    if _is_dispatcher(user, order):
        can |= (allowed & {"assign", "hold", "resume", "cancel", "visit", "close"}) | {"settle"}
    if ("grab" in allowed and order.site_id in user.site_ids(TECHNICIAN) and settings_for(order.site_id).allow_grab
            and has_trade(user.id, order.site_id, order.category)):
        can.add("grab")
    return can


def order_detail(user: User, order_id: int, now: datetime) -> OrderDetail:
    """The order page: clocks, the full history with photos, open conflicts, reporter photos (the raise's
    and the defect's), the steps this user may take. NotFound outside the user's sites."""
    order = get_order(user, order_id)
    events = list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)))
    ids = [e.id for e in events]
    pending = photos.pending_photo_counts(EVENT_PHOTOS, ids)
    settles = {e.settles_id: e for e in events if e.settles_id}
    views = [EventView(e, photos.photos_of(EVENT_PHOTOS, e.id), photos.photos_of(SIGNATURE_PHOTOS, e.id)
                       if e.kind == "done" else [], pending.get(e.id, 0), settles.get(e.id)) for e in events]
    reporter = list(views[0].photos) if views else []
    if order.defect_id is not None:
        reporter += photos.photos_of("defect", order.defect_id)
    settings = settings_for(order.site_id)
    return OrderDetail(order, sla.clocks(order, now), views, reporter, available_steps(user, order),
                       price_items(order.site_id), bool(settings.require_signature), order.assignee_id == user.id)


def step_message(event: OrderEvent) -> str:
    """What the phone shows once the server has the step."""
    number = event.order.number
    if not event.applied:
        return _("工单 %(n)s：%(why)s", n=number, why=event.conflict_reason)
    messages = {
        "raise": lambda: _("已派发工单 %(n)s", n=number),
        "assign": lambda: _("工单 %(n)s 已派给 %(name)s", n=number, name=_name(event.assignee_id)),
        "grab": lambda: _("抢单成功：工单 %(n)s", n=number),
        "arrive": lambda: _("已到场：工单 %(n)s", n=number),
        "hold": lambda: _("工单 %(n)s 已暂停", n=number),
        "resume": lambda: _("工单 %(n)s 已恢复", n=number),
        "done": lambda: _("已完成：工单 %(n)s", n=number),
        "visit": lambda: _("已回访：工单 %(n)s", n=number),
        "close": lambda: _("工单 %(n)s 已关闭", n=number),
        "cancel": lambda: _("工单 %(n)s 已取消", n=number),
        "settle": lambda: _("冲突已处理：工单 %(n)s", n=number),
    }
    return messages.get(event.kind, lambda: number)()


def event_label(kind: str) -> str:
    """The Chinese name of an event kind for the history."""
    labels = {
        "raise": _("派发"), "assign": _("派单"), "grab": _("抢单"), "arrive": _("到场"), "hold": _("暂停"),
        "resume": _("恢复"), "done": _("完成"), "visit": _("回访"), "reopen": _("重新派工"), "cancel": _("取消"),
        "close": _("关闭"), "settle": _("处理冲突"),
    }
    return labels.get(kind, kind)
