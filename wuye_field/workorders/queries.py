"""Work-order queries: settings, reading one order or a list of them, and what a step is called. Reads only;
NotFound for an order outside the user's sites. The steps that write are in `steps`."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased, selectinload

from wuye_field.accounts.models import Membership, User
from wuye_field.audit.settings_history import value_at
from wuye_field.core import registry
from wuye_field.core.errors import Forbidden, NotFound, other_site
from wuye_field.core.time import as_utc, utcnow
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.workorders import sla, states
from wuye_field.workorders.models import (
    DEFAULT_SLA, OPEN_STATES, STATES, OrderEvent, OrderSettings, PriceItem, SlaPolicy, TechnicianTrade, WorkOrder,
)


DISPATCHERS = ("desk", "supervisor", "admin")  # raise, assign, cancel, return-visit, settle
TECHNICIAN = "technician"
SLA_SETTING = "workorders.sla"  # settings_history name (subject "site"): {priority: {"arrive", "finish"}}
VIEWERS = DISPATCHERS + (TECHNICIAN,)
DEFECT_RAISERS = ("guard", "cleaner", "technician") + DISPATCHERS  # may raise an order from a defect
EVENT_PHOTOS = "order_event"  # PhotoLink.owner_kind of photos taken with a step (raise, done …)
SIGNATURE_PHOTOS = "order_signature"  # the resident's signature image, with the done step


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


def sla_minutes_at(site_id: int, priority: str, at: datetime) -> tuple[int | None, int]:
    """(arrive, finish) minutes of a priority in force at `at` (an order raised then keeps them, W1–W3):
    the effective-dated site setting, else the site's policy rows, else the defaults."""
    clocks = value_at(site_id, "site", SLA_SETTING, at, default=None)
    if clocks is None:
        return sla_minutes(site_id, priority)
    return clocks[priority]["arrive"], clocks[priority]["finish"]


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


def order_not_found(order_id: int | None = None, user: User | None = None) -> NotFound:
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
        raise order_not_found(order_id, user)
    return order


def require_dispatcher(user: User, order: WorkOrder) -> None:
    if order.site_id not in user.site_ids(*DISPATCHERS):
        raise Forbidden(_("只有客服或主管可以执行此操作。"))


def is_dispatcher(user: User, order: WorkOrder) -> bool:
    return order.site_id in user.site_ids(*DISPATCHERS)


def holders(order: WorkOrder) -> set[int]:
    """Everyone the order was ever assigned to (applied assign/grab events)."""
    return set(db.session.scalars(select(OrderEvent.assignee_id).where(
        OrderEvent.order_id == order.id, OrderEvent.applied.is_(True), OrderEvent.kind.in_(("assign", "grab")),
        OrderEvent.assignee_id.is_not(None),
    )))


def user_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user else _("他人")


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
    completion: registry.Section | None = None  # the completion form a duty above gives (a plan's checklist)

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
    if is_dispatcher(user, order):
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
    pending = photo_links.pending_photo_counts(EVENT_PHOTOS, ids)
    settles = {e.settles_id: e for e in events if e.settles_id}
    views = [EventView(e, photo_links.photos_of(EVENT_PHOTOS, e.id), photo_links.photos_of(SIGNATURE_PHOTOS, e.id)
                       if e.kind == "done" else [], pending.get(e.id, 0), settles.get(e.id)) for e in events]
    reporter = list(views[0].photos) if views else []
    if order.defect_id is not None:
        reporter += photo_links.photos_of("defect", order.defect_id)
    settings = settings_for(order.site_id)
    return OrderDetail(order, sla.clocks(order, now), views, reporter, available_steps(user, order),
                       price_items(order.site_id), bool(settings.require_signature), order.assignee_id == user.id,
                       completion_form(order, user))


def completion_form(order: WorkOrder, user: User) -> registry.Section | None:
    """The completion form of an order raised by a duty above (`registry.ORDER_COMPLETION`), else None."""
    for provider in registry.providers(registry.ORDER_COMPLETION):
        section = provider(order, user)
        if section is not None:
            return section
    return None


def step_message(event: OrderEvent) -> str:
    """What the phone shows once the server has the step."""
    number = event.order.number
    if not event.applied:
        return _("工单 %(n)s：%(why)s", n=number, why=event.conflict_reason)
    messages = {
        "raise": lambda: _("已派发工单 %(n)s", n=number),
        "assign": lambda: _("工单 %(n)s 已派给 %(name)s", n=number, name=user_name(event.assignee_id)),
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
