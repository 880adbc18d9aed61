"""Work-order demo data for DEMO: the seed's SLA clocks, a price list, tech01's trades, and a few orders in
different states (raised and worked through the core services) so the desk and technician pages are not empty.

Idempotent: settings are added only when missing; the orders are raised only when the site has none,
with deterministic client UUIDs.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.photos.demo import demo_photo
from wuye_field.places.models import Site
from wuye_field.sync.history import history_days, local, past_receipt, seeded
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders.models import (
    CATEGORIES, DEFAULT_SLA, OrderSettings, PriceItem, SlaPolicy, TechnicianTrade, WorkOrder,
)
from wuye_field.workorders.steps import arrive, assign, complete, raise_order, record_visit

_NS = uuid.UUID("0b7d5a4e-3c2f-4a51-9a8e-6d1c2b3a4f50")
PRICES = [("更换水龙头", "个", 3500), ("疏通下水道", "次", 5000), ("更换灯泡", "个", 1000), ("更换门锁", "把", 8000),
          ("更换马桶配件", "套", 6000)]
TECH_TRADES = ("water", "power", "civil", "doors", "public")

# (label, minutes ago, priority, category, building, room, resident, phone, description, steps)
ORDERS = [
    ("new-leak", 48, "emergency", "water", "1栋", "1203", "王建国", "13812341234", "厨房水管爆裂，水漫到客厅", ()),
    ("new-light", 30, "ordinary", "power", "2栋", "", "", "", "2栋 5 楼楼道灯不亮", ()),
    ("late-lift", 80, "emergency", "lift", "3栋", "", "李阿姨", "13900001111", "电梯困人后已放出，电梯停在 3 楼不动",
     ("assign",)),
    ("assigned-door", 120, "ordinary", "doors", "1栋", "502", "张女士", "13700002222", "入户门锁芯卡住，钥匙拧不动",
     ("assign", "arrive")),
    ("done-tap", 300, "ordinary", "water", "2栋", "1801", "陈先生", "13600003333", "卫生间水龙头滴水",
     ("assign", "arrive", "done")),
    ("closed-drain", 26 * 60, "ordinary", "water", "1栋", "301", "赵女士", "13500004444", "厨房下水道堵塞",
     ("assign", "arrive", "done", "visit")),
]


def _key(site: Site, *parts: str) -> str:
    return str(uuid.uuid5(_NS, ":".join((site.code, *parts))))


def _user(staff_no: str) -> User | None:
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def load_settings(site: Site) -> None:
    """The seed's SLA rows, grabbing on, a price list and tech01's trades, where missing."""
    have = set(db.session.scalars(select(SlaPolicy.priority).where(SlaPolicy.site_id == site.id)))
    for priority, clock in DEFAULT_SLA.items():
        if priority not in have:
            db.session.add(SlaPolicy(site_id=site.id, priority=priority, arrive_minutes=clock["arrive"],
                                     finish_minutes=clock["finish"]))
    if db.session.get(OrderSettings, site.id) is None:
        db.session.add(OrderSettings(site_id=site.id, allow_grab=True, require_signature=False))
    names = set(db.session.scalars(select(PriceItem.name).where(PriceItem.site_id == site.id)))
    for name, unit, fen in PRICES:
        if name not in names:
            db.session.add(PriceItem(site_id=site.id, name=name, unit=unit, price_fen=fen))
    tech = _user("tech01")
    if tech is not None:
        trades = set(db.session.scalars(select(TechnicianTrade.category).where(
            TechnicianTrade.user_id == tech.id, TechnicianTrade.site_id == site.id)))
        for category in TECH_TRADES:
            if category not in trades:
                db.session.add(TechnicianTrade(user_id=tech.id, site_id=site.id, category=category))
    db.session.flush()


def _demo_photo(tech: User, key: str, at: datetime) -> str:
    """A small after-photo stored through the real photo pipeline; its UUID."""
    return demo_photo(tech, key, at)


def _work(site: Site, order: WorkOrder, label: str, steps, at: datetime, desk: User, tech: User) -> None:
    """Walk an order through `steps`, each a few minutes after the last."""
    for n, step in enumerate(steps, start=1):
        when = at + timedelta(minutes=12 * n)
        receipt = Receipt.server(when, _key(site, label, step))
        if step == "assign":
            assign(desk, order.id, tech.id, receipt=receipt)
        elif step == "arrive":
            arrive(tech, order.id, receipt=receipt)
        elif step == "done":
            photo = _demo_photo(tech, _key(site, label, "photo"), when)
            complete(tech, order.id, note="已处理", photo_ids=[photo], receipt=receipt)
        elif step == "visit":
            record_visit(desk, order.id, "satisfied", "住户满意", receipt=receipt)


def load_orders(site: Site, *, now: datetime) -> None:
    """A few orders in different states on the site, only when it has none yet."""
    if db.session.scalar(select(WorkOrder.id).where(WorkOrder.site_id == site.id).limit(1)) is not None:
        return
    desk, tech = _user("desk01"), _user("tech01")
    if desk is None or tech is None:
        return
    # The building goes into the room text, not building_id: the admin may still remove a demo building.
    for label, ago, priority, category, building, room, name, phone, text, steps in ORDERS:
        at = now - timedelta(minutes=ago)
        order = raise_order(
            desk, site_id=site.id, source="desk", category=category, priority=priority, description=text,
            room=f"{building} {room}".strip(), resident_name=name, resident_phone=phone,
            receipt=Receipt.server(at, _key(site, label)))
        _work(site, order, label, steps, at, desk, tech)
    db.session.flush()


def load_workorders_demo(site: Site, *, now: datetime | None = None, orders: bool = False) -> None:
    """Settings of the demo site and, with `orders`, a few sample orders in different states (idempotent)."""
    db.session.flush()
    load_settings(site)
    if orders:
        load_orders(site, now=now or utcnow())


# ---------------------------------------------------------------- the demo's past (issue 12)

# (category, priority, room, description) of the orders residents call in, drawn at random.
CALLS = [
    ("water", "ordinary", "1栋 802", "厨房水龙头漏水"), ("water", "emergency", "2栋 1501", "卫生间水管爆裂"),
    ("power", "ordinary", "3栋 3楼", "楼道灯不亮"), ("power", "emergency", "1栋 1102", "家里跳闸，总闸合不上"),
    ("doors", "ordinary", "2栋 603", "入户门闭门器损坏"), ("civil", "hard", "1栋 1801", "阳台墙面渗水"),
    ("public", "ordinary", "", "儿童游乐区秋千链条松动"), ("lift", "emergency", "2栋", "电梯门关不上"),
    ("water", "ordinary", "3栋 201", "下水道堵塞"), ("doors", "ordinary", "1栋 1303", "窗户把手断了"),
]
NAMES = [("刘女士", "13711112222"), ("黄先生", "13822223333"), ("周阿姨", "13933334444"), ("吴先生", "13644445555")]
NOT_SATISFIED_EVERY = 17  # one return visit in this many: the resident is not satisfied, the order reopens


def workorders_history(site: Site, days: int, now: datetime) -> None:
    """`days` days of orders called in at the desk (2–4 a day), assigned, attended and finished by tech01
    from his phone (after-photo; now and then late, or sent later from a basement), return visits the
    next day (one in 17 not satisfied: reopened and redone), and the supervisor's handling of patrol
    findings: resolved, or turned into a work order. Through the same services as the pages."""
    desk, tech, supervisor = _user("desk01"), _user("tech01"), _user("supervisor01")
    if desk is None or tech is None or supervisor is None:
        return
    rng = seeded(site.code, "workorders")
    tz = site.timezone
    visits: list[tuple[datetime, int, str]] = []  # (when, order id, key) of return visits still to make
    count = 0
    for n, day in enumerate(history_days(tz, days, now)):
        for at, order_id, key in [v for v in visits if v[0].date() <= day]:
            visits.remove((at, order_id, key))
            if at <= now:
                count += 1
                _visit(desk, tech, order_id, key, at, count, now, rng)
        for i in range(rng.randint(2, 4)):
            at = local(day, "08:00", tz, rng.uniform(0, 11 * 60))
            if at > now - timedelta(hours=1):
                continue
            key = _key(site, "history", day.isoformat(), str(i))
            done = _history_order(site, desk, tech, key, at, rng, now)
            if done is not None:
                visits.append((local(day, "10:00", tz, 24 * 60 + rng.uniform(0, 300)), done, key))
        _handle_findings(site, supervisor, tech, day, n, now, rng)


def _history_order(site: Site, desk: User, tech: User, key: str, at: datetime, rng, now: datetime) -> int | None:
    """Raise, assign, attend and finish one order; the order id once finished, else None."""
    category, priority, room, text = rng.choice(CALLS)
    name, phone = rng.choice(NAMES)
    order = raise_order(desk, site_id=site.id, source="desk", category=category, priority=priority,
                        description=text, room=room, resident_name=name, resident_phone=phone,
                        receipt=past_receipt(key, at, now=now))
    return _attend(desk, tech, order, key, at, rng, now, assign_first=True)


def _attend(desk, tech, order, key: str, at: datetime, rng, now: datetime, *, assign_first: bool) -> int | None:
    """Assign (optionally), arrive and complete, each when a phone would; stop at `now`."""
    emergency = order.priority == "emergency"
    steps = []
    t = at + timedelta(minutes=rng.uniform(4, 15))
    if assign_first:
        steps.append(("assign", t))
    late = rng.random() < 0.15  # W1/W3: now and then the technician is late
    t += timedelta(minutes=rng.uniform(65, 100) if late and emergency else rng.uniform(15, 45) if emergency
                   else rng.uniform(30, 180))
    steps.append(("arrive", t))
    t += timedelta(hours=rng.uniform(8.5, 11)) if late and not emergency else timedelta(minutes=rng.uniform(20, 90))
    steps.append(("done", t))
    offline = rng.random() < 0.1  # finished in a basement: sent when back upstairs
    for step, when in steps:
        if when > now:
            return None
        sent = when + timedelta(minutes=rng.uniform(40, 120)) if offline and step == "done" else None
        receipt = past_receipt(_step_key(key, step, order.reopen_count), when, received_at=sent, now=now)
        if step == "assign":
            assign(desk, order.id, tech.id, receipt=receipt)
        elif step == "arrive":
            arrive(tech, order.id, receipt=receipt)
        else:
            photo = demo_photo(tech, _step_key(key, "photo", order.reopen_count), when)
            complete(tech, order.id, note="已修好", photo_ids=[photo], receipt=receipt)
    return order.id


def _step_key(key: str, step: str, round_: int) -> str:
    return str(uuid.uuid5(_NS, f"{key}:{step}:{round_}"))


def _visit(desk, tech, order_id: int, key: str, at: datetime, count: int, now: datetime, rng) -> None:
    """The desk's return visit (W4); a not-satisfied one reopens the order, which is done again and
    visited again the day after."""
    order = db.session.get(WorkOrder, order_id)
    if order.reopen_count or count % NOT_SATISFIED_EVERY:
        record_visit(desk, order_id, "satisfied", "住户满意",
                     receipt=past_receipt(_step_key(key, "visit", order.reopen_count), at, now=now))
        return
    record_visit(desk, order_id, "not_satisfied", "住户说还在漏水",
                 receipt=past_receipt(_step_key(key, "visit", 0), at, now=now))
    if _attend(desk, tech, order, key, at, rng, now, assign_first=False) is not None:
        again = at + timedelta(days=1)
        if again <= now:
            record_visit(desk, order_id, "satisfied", "返修后住户满意",
                         receipt=past_receipt(_step_key(key, "visit", 1), again, now=now))


def _handle_findings(site: Site, supervisor: User, tech: User, day, n: int, now: datetime, rng) -> None:
    """Patrol findings (P5) found on this day are handled the next morning by the supervisor: resolved on
    the spot, or turned into a work order — except the last few days' findings, still open."""
    from wuye_field.defects.models import Defect
    from wuye_field.defects.records import is_open, resolve_defect

    at = local(day, "09:30", site.timezone, 24 * 60)
    if at > now - timedelta(days=3):
        return
    start, end = local(day, "00:00", site.timezone), local(day, "00:00", site.timezone, 24 * 60)
    found = list(db.session.scalars(select(Defect).where(
        Defect.site_id == site.id, Defect.inspection_id.is_not(None), Defect.device_time >= start,
        Defect.device_time < end, is_open()).order_by(Defect.id)))
    for defect in found:
        key = str(uuid.uuid5(_NS, f"finding:{defect.client_uuid}"))
        if defect.id % 2:
            resolve_defect(supervisor, defect.id, past_receipt(key, at, now=now), outcome="resolved",
                           note="已安排整改，复查合格")
        else:
            category = defect.category if defect.category in CATEGORIES else "public"
            order = raise_order(supervisor, site_id=site.id, source="defect", category=category,
                                priority="ordinary", description=defect.note, place_id=defect.place_id,
                                defect_id=defect.id, receipt=past_receipt(key, at, now=now))
            _attend(supervisor, tech, order, key, at, rng, now, assign_first=True)
