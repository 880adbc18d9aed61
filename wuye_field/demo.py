"""Demo data for `flask wuye demo`: site DEMO 「示范小区」, its buildings, places and one user per role,
and — unless `--no-history` — 35 days of believable history, so every board and report has real numbers.

Today's setup: `load_demo` calls each package's `load_<pkg>_demo(site, …)` (users, places, plans …).

The past: HISTORY lists the history providers, each `fn(site, days, now)`, run in order by
`load_history` after the setup. A provider writes `days` days of past field records up to `now` through
the same services a phone uses — each action with a `Receipt` whose device time lies in the past and
whose receive time is near it (or hours later for an action queued offline) — walking the site's local
days with `wuye_field.sync.history.history_days`, which commits after each day. A package adds its past
with ONE line here: its `<pkg>_history` appended to HISTORY (order matters only where one provider uses
another's records: work orders take over open patrol findings, so they come after patrol). Keep a
provider under 5 s of the 60 s budget. Providers run only for a site without a past (`has_history`), so
`wuye demo` stays safe to run twice.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from wuye_field.accounts import services as accounts
from wuye_field.accounts.models import User
from wuye_field.assessment.demo import assessment_history
from wuye_field.checks.demo import checks_history, load_checks_demo
from wuye_field.audit.models import ChainEntry
from wuye_field.cleaning.demo import cleaning_history, load_cleaning_demo
from wuye_field.cleaning.models import CleaningTask
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db
from wuye_field.gate.demo import gate_history, load_gate_demo
from wuye_field.handover.demo import handover_history
from wuye_field.handover.models import HandoverPost
from wuye_field.handover.posts import ensure_demo_posts
from wuye_field.incidents.demo import load_incidents_demo
from wuye_field.patrol.demo import load_patrol_demo, patrol_history
from wuye_field.patrol.models import Route
from wuye_field.places.models import Building, Place, Site
from wuye_field.residents.demo import load_residents_demo
from wuye_field.survey.demo import survey_history
from wuye_field.workorders.demo import load_workorders_demo, workorders_history

DEMO_PASSWORD = "wuye-demo"
HISTORY_DAYS = 35
# History providers, each fn(site, days, now), run in this order (see the module docstring).
HISTORY = [
    patrol_history,
    cleaning_history,
    workorders_history,
    handover_history,
    checks_history,
    gate_history,  # it writes the gate's own records only
    survey_history,
    assessment_history,
]
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


def load_demo(public_base_url: str, hash_method: str | None = None, *, sample_orders: bool = False,
              with_history: bool = False, now: datetime | None = None) -> Site:
    """Create whatever part of the demo data is missing; existing rows (and tag tokens) are left alone.

    `sample_orders` adds a few work orders in different states (`wuye demo` does; the test suite's bare
    demo site does not, so chain lengths and counts stay the same for every domain). `with_history` also
    writes the site's past (`load_history`, committing day by day) when it has none yet."""
    now = now or utcnow()
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
    load_gate_demo(site, now, hash_method)
    if sample_orders:  # the bare demo of the test suite keeps no settings or complaints of its own
        load_incidents_demo(site, now)
    load_checks_demo(site, now, own_tags=sample_orders)
    if with_history and not has_history(site, now):
        load_history(site, HISTORY_DAYS, now)
    return site


def has_history(site: Site, now: datetime) -> bool:
    """Does the site's chain hold a record received two days or more before `now` (a past, demo or real)?
    (The sample work orders of today's setup go back a day and a bit.)"""
    return db.session.scalar(select(ChainEntry.id).where(
        ChainEntry.site_id == site.id, ChainEntry.created_at < now - timedelta(days=2)).limit(1)) is not None


def load_history(site: Site, days: int, now: datetime) -> None:
    """Date the site's setup back to the local midnight its past starts (so no figure leaves the past days
    out as "before the place existed", nor counts a day before them as missed), then run every provider."""
    tz = ZoneInfo(site.timezone)
    first = as_utc(now).astimezone(tz).date() - timedelta(days=days)  # history_days' first local day
    since = as_utc(datetime.combine(first, time(0), tz))
    for model in (Place, Route, CleaningTask, HandoverPost):
        db.session.execute(update(model).where(model.site_id == site.id, model.created_at > since)
                           .values(created_at=since).execution_options(synchronize_session=False))
    db.session.execute(update(Site).where(Site.id == site.id, Site.created_at > since).values(created_at=since)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()
    for provider in HISTORY:
        provider(site, days, now)
