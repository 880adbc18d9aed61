"""Demo data for `flask wuye demo`: site DEMO 「示范小区」, its buildings, places and one user per role."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from wuye_field.accounts import services as accounts
from wuye_field.accounts.models import User
from wuye_field.checks.demo import checks_history, load_checks_demo
from wuye_field.cleaning.demo import load_cleaning_demo
from wuye_field.patrol.demo import load_patrol_demo
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.handover.posts import ensure_demo_posts
from wuye_field.places.models import Building, Place, Site
from wuye_field.residents.demo import load_residents_demo
from wuye_field.workorders.demo import load_workorders_demo

DEMO_PASSWORD = "wuye-demo"
CHECKS_HISTORY_DAYS = 30
BUILDINGS = [("1栋", 18), ("2栋", 18), ("3栋", 6)]

# (code, name, kind, key area, building) — key areas follow P2/P3 (equipment rooms, pools, rooftops).
PLACES = [
    ("CP01", "东门岗亭", "checkpoint", False, None),
    ("CP02", "北门", "checkpoint", False, None),
    ("CP03", "地下车库入口", "checkpoint", True, None),
    ("CP04", "地下车库B1层", "checkpoint", True, None),
    ("CP05", "配电房", "checkpoint", True, None),
    ("CP06", "水泵房", "checkpoint", True, None),
    ("CP07", "消防控制室", "checkpoint", True, None),
    ("CP08", "1栋天台", "checkpoint", True, "1栋"),
    ("CP09", "2栋天台", "checkpoint", False, "2栋"),
    ("CP10", "3栋天台", "checkpoint", False, "3栋"),
    ("CP11", "游泳池", "checkpoint", True, None),
    ("CP12", "儿童游乐区", "checkpoint", False, None),
    ("CP13", "非机动车棚", "checkpoint", False, None),
    ("CL01", "1栋大堂", "both", False, "1栋"),
    ("CL02", "2栋大堂", "cleaning", False, "2栋"),
    ("CL03", "3栋电梯厅", "cleaning", False, "3栋"),
    ("CL04", "中心绿地", "cleaning", False, None),
    ("CL05", "主干道", "cleaning", False, None),
    ("CL06", "公共卫生间", "cleaning", False, None),
    ("CL07", "垃圾中转站", "cleaning", False, None),
    ("CL08", "会所", "cleaning", False, None),
]

USERS = [
    ("guard01", "张伟", "13800000001", {"guard"}),
    ("guard02", "李强", "13800000002", {"guard"}),
    ("cleaner01", "王秀英", "13800000003", {"cleaner"}),
    ("tech01", "刘洋", "13800000004", {"technician"}),
    ("supervisor01", "陈静", "13800000005", {"supervisor"}),
    ("desk01", "杨丽", "13800000006", {"desk"}),
    ("admin01", "赵敏", "13800000007", {"admin"}),
]


def _on_this_machine(url: str) -> bool:
    """A base URL on this machine (127.0.0.1, localhost): the demo's own, never one an admin set."""
    return urlsplit(url or "").hostname in ("127.0.0.1", "localhost", "::1")


def load_demo(public_base_url: str, hash_method: str | None = None, *, sample_orders: bool = False) -> Site:
    """Create whatever part of the demo data is missing; existing rows (and tag tokens) are left alone.

    `sample_orders` adds a few work orders in different states (`wuye demo` does; the test suite's bare
    demo site does not, so chain lengths and counts stay the same for every domain)."""
    site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
    if site is None:
        site = Site(code="DEMO", name="示范小区", timezone="Asia/Shanghai", public_base_url=public_base_url)
        db.session.add(site)
        db.session.flush()
    elif _on_this_machine(site.public_base_url) and _on_this_machine(public_base_url):
        site.public_base_url = public_base_url  # `make run PORT=…` again on another port: tags follow it

    buildings = {b.name: b for b in db.session.scalars(select(Building).where(Building.site_id == site.id))}
    for name, floors in BUILDINGS:
        if name not in buildings:
            buildings[name] = Building(site_id=site.id, name=name, floors=floors)
            db.session.add(buildings[name])
    db.session.flush()

    existing = set(db.session.scalars(select(Place.code).where(Place.site_id == site.id)))
    for code, name, kind, key_area, building in PLACES:
        if code not in existing:
            db.session.add(Place(
                site_id=site.id, code=code, name=name, kind=kind, is_key_area=key_area,
                building_id=buildings[building].id if building else None,
            ))

    for staff_no, name, phone, roles in USERS:
        if db.session.scalar(select(User.id).where(User.staff_no == staff_no)) is None:
            user = accounts.create_user(staff_no=staff_no, name=name, phone=phone, password=DEMO_PASSWORD,
                                        roles={site.id: roles}, hash_method=hash_method)
            user.is_admin = "admin" in roles
    db.session.flush()
    load_cleaning_demo(site)
    load_patrol_demo(site)
    ensure_demo_posts(site.id)
    load_workorders_demo(site, orders=sample_orders)
    load_residents_demo(site)
    now = utcnow()
    load_checks_demo(site, now, since=now - timedelta(days=CHECKS_HISTORY_DAYS + 1) if sample_orders else None)
    if sample_orders:  # `wuye demo`: a month of checks (the test suite's bare demo has none)
        checks_history(site, CHECKS_HISTORY_DAYS, now)
    return site
