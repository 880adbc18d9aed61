"""Work-order demo data for DEMO: the seed's SLA clocks, a price list, tech01's trades, and a few orders in
different states (raised and worked through the core services) so the desk and technician pages are not empty.

Idempotent: settings are added only when missing; the orders are raised only when the site has none,
with deterministic client UUIDs.
"""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders.models import DEFAULT_SLA, OrderSettings, PriceItem, SlaPolicy, TechnicianTrade, WorkOrder
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
    from PIL import Image

    from wuye_field.photos.processing import PhotoLimits
    from wuye_field.photos.upload import store_photo
    from wuye_field.photos.storage import photo_storage

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (70, 130, 110)).save(buffer, "JPEG")
    store_photo(tech, buffer.getvalue(), Receipt.server(at, key), checksum=None, storage=photo_storage(),
                limits=PhotoLimits())
    return key


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
