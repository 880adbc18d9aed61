"""The service desk (客服) and supervisors: raise orders, dispatch, return visits, cancel; the live board.

Desk forms are online htmx forms with CSRF, but a double tap must still store once: each form carries a
fresh UUID made when it was rendered (`client_uuid`), used as the order's client UUID or the event's
receipt key. A second submit with the same UUID finds the stored row and changes nothing (`replayed`);
two racing submits are decided by the (user, client_uuid) unique constraints.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from wuye_field.accounts.models import User
from wuye_field.core.errors import DomainError, FieldErrors, NotFound, other_site
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import utcnow
from wuye_field.core.registry import Section
from wuye_field.defects.records import get_defect_for, where_text
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site
from wuye_field.places.services import get_site
from wuye_field.sync.idempotency import parse_key
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders import services, sla, states
from wuye_field.workorders.models import (
    CATEGORIES, OPEN_STATES, PRIORITIES, SOURCES, STATES, OrderEvent, WorkOrder,
)
from wuye_field.workorders.residents import ResidentView, list_view, resident_view

DESK_ROLES = services.DISPATCHERS  # desk, supervisor, admin
DESCRIPTION_MAX = 500
NAME_MAX, ROOM_MAX, PHONE_MAX = 40, 20, 20
NOTE_MAX = 500
VERDICTS = services.VERDICTS
# Defect categories that have no order category of the same code.
DEFECT_CATEGORY_MAP = {"lighting": "power", "security": "public"}


def new_form_key() -> str:
    """A fresh client UUID for a desk form (made when the form renders)."""
    return str(uuid.uuid4())


# ---------------------------------------------------------------- the board


@dataclass
class DeskRow:
    """An order on the desk with its clocks and the resident details this user may see in a list."""

    order: WorkOrder
    clocks: sla.Clocks
    resident: ResidentView
    tz: str = "Asia/Shanghai"  # the order's site time zone, for showing times

    @property
    def state_label(self) -> str:
        return str(STATES.get(self.order.state, self.order.state))

    @property
    def priority_label(self) -> str:
        return str(PRIORITIES.get(self.order.priority, self.order.priority))

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.order.category, self.order.category))

    @property
    def where(self) -> str:
        o = self.order
        parts = [o.building.name if o.building else "", o.room, o.place.name if o.place else ""]
        return " ".join(p for p in parts if p)


@dataclass
class TechLoad:
    """One technician's open orders on the site and how many of them are late now."""

    user: User
    open: int = 0
    late: int = 0


@dataclass
class DeskBoard:
    site: Site
    sites: list[Site]
    new: list[DeskRow]
    breaching: list[DeskRow]
    late: list[DeskRow]
    awaiting_visit: list[DeskRow]
    conflicts: list = field(default_factory=list)
    load: list[TechLoad] = field(default_factory=list)


def desk_sites(user: User) -> list[Site]:
    """Sites where `user` works the desk or supervises, by code."""
    ids = user.site_ids(*DESK_ROLES)
    return list(db.session.scalars(select(Site).where(Site.id.in_(ids)).order_by(Site.code))) if ids else []


def chosen_site(user: User, site_id: int | None) -> tuple[Site, list[Site]]:
    """The desk site of ?site= (else the first of the user's); NotFound when none or not theirs."""
    sites = desk_sites(user)
    if not sites:
        raise NotFound(_("小区不存在，或您无权查看。"))
    site = sites[0] if site_id is None else next((s for s in sites if s.id == site_id), None)
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return site, sites


def _site_zones(site_ids) -> dict[int, str]:
    ids = set(site_ids)
    return dict(db.session.execute(select(Site.id, Site.timezone).where(Site.id.in_(ids))).all()) if ids else {}


def _rows(user: User, orders, now: datetime) -> list[DeskRow]:
    orders = list(orders)
    zones = _site_zones(o.site_id for o in orders)
    return [DeskRow(o, sla.clocks(o, now), list_view(user, o), zones.get(o.site_id, "Asia/Shanghai")) for o in orders]


def _site_orders(site_id: int, wanted_states):
    return db.session.scalars(
        select(WorkOrder).options(joinedload(WorkOrder.building), joinedload(WorkOrder.place))
        .where(WorkOrder.site_id == site_id, WorkOrder.state.in_(wanted_states)).order_by(WorkOrder.raised_at))


def board(user: User, site_id: int | None, *, now: datetime) -> DeskBoard:
    """The desk's live lists for one site: new/unassigned, about to breach (within 15 min of a clock),
    late now, open conflicts, done and awaiting the return visit, and per-technician load."""
    site, sites = chosen_site(user, site_id)
    rows = _rows(user, _site_orders(site.id, OPEN_STATES + ("done",)), now)
    open_rows = [r for r in rows if r.order.state in OPEN_STATES]
    loads = {u.id: TechLoad(u) for u in services.technicians_of(site.id)}
    for row in open_rows:
        load = loads.get(row.order.assignee_id)
        if load is not None:
            load.open += 1
            load.late += row.clocks.overdue
    by_due = sorted(open_rows, key=lambda r: r.clocks.sort_key())
    return DeskBoard(
        site=site, sites=sites,
        new=[r for r in open_rows if r.order.state == "new"],
        breaching=[r for r in by_due if r.clocks.about_to_breach and not r.clocks.overdue],
        late=[r for r in by_due if r.clocks.overdue],
        awaiting_visit=[r for r in rows if r.order.state == "done"],
        conflicts=list(services.open_conflicts([site.id])),
        load=sorted(loads.values(), key=lambda t: (-t.open, t.user.staff_no)),
    )


def mine_raised(user: User, *, now: datetime) -> list[DeskRow]:
    """「我发起的」(W6): orders `user` raised, until they are closed (or cancelled), newest first."""
    listed = services.orders_raised_by(user, now)
    zones = _site_zones(r.order.site_id for r in listed)
    return [DeskRow(r.order, r.clocks, list_view(user, r.order), zones.get(r.order.site_id, "Asia/Shanghai"))
            for r in listed]


# ---------------------------------------------------------------- one order at the desk


@dataclass
class DeskOrder:
    """An order opened at the desk: clocks, resident details (full views are logged), history, actions."""

    order: WorkOrder
    site: Site
    clocks: sla.Clocks
    resident: ResidentView
    events: list[OrderEvent]
    technicians: list[User]
    can_assign: bool
    can_visit: bool
    can_cancel: bool

    @property
    def state_label(self) -> str:
        return str(STATES.get(self.order.state, self.order.state))


def get_order(user: User, order_id: int) -> WorkOrder:
    """An order of a site where `user` works the desk or supervises; NotFound otherwise."""
    order = db.session.get(WorkOrder, order_id)
    if order is None or order.site_id not in user.site_ids(*DESK_ROLES):
        raise NotFound(_("工单不存在，或您无权查看。"), site_id=other_site(order, user.site_ids(*DESK_ROLES)))
    return order


def order_panel(user: User, order_id: int, *, now: datetime) -> DeskOrder:
    """The desk's view of one order. A supervisor's view of the resident is logged (the caller commits)."""
    order = get_order(user, order_id)
    events = list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)))
    return DeskOrder(
        order=order, site=db.session.get(Site, order.site_id), clocks=sla.clocks(order, now),
        resident=resident_view(user, order, now=now), events=events, technicians=services.technicians_of(order.site_id),
        can_assign=states.allowed(order.state, "assign"),
        can_visit=states.allowed(order.state, "visit"), can_cancel=states.allowed(order.state, "cancel"),
    )


def event_label(event: OrderEvent) -> str:
    """「派单」, 「回访」… for the history list."""
    return services.event_label(event.kind)


# ---------------------------------------------------------------- the new-order form


@dataclass
class NewOrderForm:
    site: Site
    sites: list[Site]
    buildings: list[Building]
    values: dict
    defect_id: int | None = None
    defect_text: str = ""
    key: str = field(default_factory=new_form_key)


def new_order_form(user: User, site_id: int | None, defect_id: int | None = None, *,
                   values: dict | None = None, key: str | None = None) -> NewOrderForm:
    """The form (site, buildings, prefilled values). From a defect: its site, category, place and note."""
    values = dict(values or {})
    defect_text = ""
    if defect_id is not None:
        defect = get_defect_for(user, defect_id)
        site_id = defect.site_id
        place = db.session.get(Place, defect.place_id) if defect.place_id else None
        if not values:
            category = defect.category if defect.category in CATEGORIES else DEFECT_CATEGORY_MAP.get(defect.category,
                                                                                                     "other")
            values = {"category": category, "priority": "emergency" if defect.severity == "high" else "ordinary",
                      "description": defect.note or "", "place_id": defect.place_id or "",
                      "building_id": place.building_id if place is not None and place.building_id else ""}
        defect_text = where_text(place, defect.location)
    site, sites = chosen_site(user, site_id)
    buildings = list(db.session.scalars(select(Building).where(Building.site_id == site.id).order_by(Building.name)))
    return NewOrderForm(site=site, sites=sites, buildings=buildings, values=values, defect_id=defect_id,
                        defect_text=defect_text, key=key or new_form_key())


def _text(values: dict, name: str, limit: int, errors: dict, message: str, *, required: bool = False) -> str:
    text = clean_text(values.get(name), multiline=True)
    if (required and not text) or len(text) > limit:
        errors[name] = message
    elif problem := text_problem(values.get(name), multiline=True):
        errors[name] = problem
    return text


def _optional_id(raw) -> int | None | str:
    text = str(raw or "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else "bad"


def clean_order_form(site: Site, values: dict) -> dict:
    """The raise form's values checked: FieldErrors (Chinese, per field) for anything wrong."""
    errors: dict[str, str] = {}
    category = values.get("category", "")
    if category not in CATEGORIES:
        errors["category"] = _("请选择类别。")
    priority = values.get("priority", "")
    if priority not in PRIORITIES:
        errors["priority"] = _("请选择优先级。")
    description = _text(values, "description", DESCRIPTION_MAX, errors,
                        _("请填写问题描述（不超过 %(n)d 字）。", n=DESCRIPTION_MAX), required=True)
    name = _text(values, "resident_name", NAME_MAX, errors, _("住户姓名不超过 %(n)d 字。", n=NAME_MAX))
    room = _text(values, "room", ROOM_MAX, errors, _("房号不超过 %(n)d 字。", n=ROOM_MAX))
    phone = _text(values, "resident_phone", PHONE_MAX, errors, _("电话号码不正确。")).replace(" ", "").replace("-", "")
    if phone and not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= PHONE_MAX):
        errors["resident_phone"] = _("电话号码不正确，请填写 7–20 位数字。")
    building_id = _optional_id(values.get("building_id"))
    building = db.session.get(Building, building_id) if isinstance(building_id, int) else None
    if building_id is not None and (building is None or building.site_id != site.id):
        errors["building_id"] = _("请选择本小区的楼栋。")
    place_id = _optional_id(values.get("place_id"))
    if place_id == "bad":
        errors["place_id"] = _("地点无效。")
    if errors:
        raise FieldErrors(errors)
    return {"category": category, "priority": priority, "description": description, "resident_name": name,
            "room": room, "resident_phone": phone, "building_id": building_id, "place_id": place_id}


def _form_key(raw: str | None) -> str:
    key = parse_key(raw)
    if key is None:
        raise DomainError(_("页面已过期，请刷新后重试。"), code="bad_key")
    return key


def _once(lookup: Callable[[], object | None], action: Callable[[], object]) -> tuple[object, bool]:
    """Run `action` unless `lookup` finds its stored result: (result, replayed). A racing duplicate that
    trips a unique constraint is rolled back and answered with the stored row."""
    stored = lookup()
    if stored is not None:
        return stored, True
    try:
        with db.session.begin_nested():
            return action(), False
    except IntegrityError:
        stored = lookup()
        if stored is None:
            raise
        return stored, True


def receipt(key: str, now: datetime) -> Receipt:
    """The receipt of a desk action: made online, so device time = server time, no skew."""
    return Receipt.server(now, key)


def _stored_event(user: User, key: str) -> Callable[[], WorkOrder | None]:
    def lookup():
        event = db.session.scalar(select(OrderEvent).where(OrderEvent.user_id == user.id,
                                                           OrderEvent.client_uuid == key))
        return event.order if event is not None else None
    return lookup


def raise_from_desk(user: User, site_id: int, values: dict, *, key: str | None, now: datetime,
                    defect_id: int | None = None) -> tuple[WorkOrder, bool]:
    """Raise an order from the desk form: source "defect" (from a defect), "desk" (the desk: a resident's
    call or visit) or "supervisor". Returns (order, replayed). FieldErrors / DomainError (Chinese)."""
    key = _form_key(key)
    site = get_site(user, site_id, *DESK_ROLES)
    cleaned = clean_order_form(site, values)
    if defect_id is not None:
        source = "defect"
    else:
        source = "desk" if site.id in user.site_ids("desk") else "supervisor"
    assert source in SOURCES

    def lookup():
        return db.session.scalar(select(WorkOrder).where(WorkOrder.raised_by_id == user.id,
                                                         WorkOrder.client_uuid == key))

    def action():
        return services.raise_order(
            user, site_id=site.id, source=source, category=cleaned["category"], priority=cleaned["priority"],
            description=cleaned["description"], place_id=cleaned["place_id"], building_id=cleaned["building_id"],
            room=cleaned["room"], resident_name=cleaned["resident_name"], resident_phone=cleaned["resident_phone"],
            defect_id=defect_id, receipt=receipt(key, now))

    return _once(lookup, action)


def assign_order(user: User, order_id: int, assignee_raw, *, reason: str, key: str | None,
                 now: datetime) -> tuple[WorkOrder, bool]:
    """Assign or reassign to a technician of the site. FieldErrors when none is chosen."""
    key = _form_key(key)
    order = get_order(user, order_id)
    assignee_id = _optional_id(assignee_raw)
    if assignee_id is None or assignee_id == "bad":
        raise FieldErrors({"assignee_id": _("请选择维修工。")})
    if assignee_id not in {u.id for u in services.technicians_of(order.site_id)}:
        raise FieldErrors({"assignee_id": _("请选择本小区的维修工。")})
    reason = clean_text(reason, multiline=True)
    if len(reason) > NOTE_MAX:
        raise FieldErrors({"reason": _("说明不超过 %(n)d 字。", n=NOTE_MAX)})
    return _once(_stored_event(user, key),
                 lambda: services.assign(user, order.id, assignee_id, reason=reason, receipt=receipt(key, now)))


def record_return_visit(user: User, order_id: int, verdict: str, note: str, *, key: str | None,
                        now: datetime) -> tuple[WorkOrder, bool]:
    """The resident's verdict on a done order (W4): satisfied closes the loop, not satisfied
    reopens it (the core service decides). FieldErrors without a verdict."""
    key = _form_key(key)
    order = get_order(user, order_id)
    note = clean_text(note, multiline=True)
    errors = {}
    if verdict not in VERDICTS:
        errors["verdict"] = _("请选择住户是否满意。")
    if verdict == "not_satisfied" and not note:
        errors["note"] = _("不满意时请写明原因。")
    if len(note) > NOTE_MAX:
        errors["note"] = _("说明不超过 %(n)d 字。", n=NOTE_MAX)
    if errors:
        raise FieldErrors(errors)
    return _once(_stored_event(user, key),
                 lambda: services.record_visit(user, order.id, verdict, note, receipt=receipt(key, now)))


def cancel_order(user: User, order_id: int, reason: str, *, key: str | None, now: datetime) -> tuple[WorkOrder, bool]:
    """Cancel an open order; a reason is required."""
    key = _form_key(key)
    order = get_order(user, order_id)
    reason = clean_text(reason, multiline=True)
    if not reason or len(reason) > NOTE_MAX:
        raise FieldErrors({"reason": _("请填写取消原因（不超过 %(n)d 字）。", n=NOTE_MAX)})
    return _once(_stored_event(user, key), lambda: services.cancel(user, order.id, reason, receipt=receipt(key, now)))


# ---------------------------------------------------------------- home card


def desk_summary(user: User, *, now: datetime) -> dict:
    """For the home card of desk / supervisors / admins: new, late now and awaiting-visit counts over
    their sites, the first site (for links), and whether they read reports / change settings."""
    site_ids = user.site_ids(*DESK_ROLES)
    orders = db.session.scalars(select(WorkOrder).where(WorkOrder.site_id.in_(site_ids),
                                                        WorkOrder.state.in_(OPEN_STATES + ("done",))))
    counts = {"new": 0, "late": 0, "visit": 0}
    for order in orders:
        counts["new"] += order.state == "new"
        counts["visit"] += order.state == "done"
        counts["late"] += order.state != "done" and sla.clocks(order, now).overdue
    return counts | {"site_id": min(site_ids), "raised": len(services.orders_raised_by(user, now)),
                     "reports": bool(user.site_ids("supervisor", "admin")), "settings": bool(user.site_ids("admin"))}


def desk_section(user) -> Section | None:
    """The desk's card (客服台); for anyone else who raised open orders, a link to 「我发起的」 (W6)."""
    now = utcnow()
    if user.site_ids(*DESK_ROLES):
        return Section("workorders/_desk_home.html", desk_summary(user, now=now), order=14)
    raised = len(services.orders_raised_by(user, now))
    return Section("workorders/_desk_home.html", {"raised": raised}, order=16) if raised else None
