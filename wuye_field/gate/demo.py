"""The gate's part of the demo site: gate01 (门岗护管员) on the east gate's roster, and a month of gate
history written through the same services a gate phone uses (device times in the past)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from wuye_field.accounts import services as accounts
from wuye_field.accounts.models import User
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.extensions import db
from wuye_field.audit.settings_history import SettingChange
from wuye_field.gate import dutylog, parcels, rules, settings, unit_contacts, vehicles, visitors
from wuye_field.gate.models import DUTY_CATEGORIES, RosterEntry, UnitContact, Visitor
from wuye_field.handover.models import HandoverPost
from wuye_field.handover.rules import parse_clocks
from wuye_field.places.models import Building, Site
from wuye_field.sync.receipt import Receipt

GATE_USER = ("gate01", "孙刚", "13800000008")
DEMO_PASSWORD = "wuye-demo"
NAMES = ["王建国", "李娜", "张敏", "刘洋", "陈杰", "杨帆", "赵磊", "黄丽", "周涛", "吴静"]
REASONS = ["探亲", "送货", "装修", "家政", "维修", "访友"]
DUTY_TEXTS = ["东门巡查正常", "快递车辆违停，已劝离", "2栋消防通道有杂物，已通知清理", "道闸抬杆迟缓，已报修",
              "业主反映夜间噪音，已登记", "监控室交接正常"]


def _user(staff_no: str) -> User | None:
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def load_gate_demo(site: Site, now: datetime, hash_method: str | None = None) -> None:
    """gate01 and the roster of the east gate (GATE: gate01 by day, guard01 by night) for last month, this
    month and next. Idempotent: cells already set stay."""
    staff_no, name, phone = GATE_USER
    if _user(staff_no) is None:
        accounts.create_user(staff_no=staff_no, name=name, phone=phone, password=DEMO_PASSWORD,
                             roles={site.id: {"gate"}}, hash_method=hash_method)
    db.session.flush()
    post = db.session.scalar(select(HandoverPost).where(HandoverPost.site_id == site.id, HandoverPost.code == "GATE"))
    day_guard, night_guard = _user(staff_no), _user("guard01")
    if post is None or night_guard is None:
        return
    local = to_site_time(now, site.timezone)
    months = [rules.previous_month(local.year, local.month), (local.year, local.month),
              (local.year + (local.month == 12), local.month % 12 + 1)]
    days = [d for y, m in months for d in rules.month_days(y, m)]
    have = {(e.day, e.shift) for e in db.session.scalars(select(RosterEntry).where(RosterEntry.post_id == post.id))}
    shifts = [t.strftime("%H:%M") for t in parse_clocks(post.shift_starts)]
    for day in days:
        for shift, person in zip(shifts, (day_guard, night_guard), strict=False):
            if (day, shift) not in have:
                db.session.add(RosterEntry(site_id=site.id, post_id=post.id, day=day, shift=shift,
                                           user_id=person.id, changed_at=now))
    db.session.flush()
    # P1: the east gate is a standing post 8 h a day from 07:00 (the day shift), set before the demo's past
    # (a setting row of the demo's setup, like its places: not an admin's change).
    since = now - timedelta(days=70)
    unset = settings.standing_at(post, now) != (settings.STANDING_HOURS_P1, "07:00")
    for name, value in (("gate.standing_hours", settings.STANDING_HOURS_P1), ("gate.standing_from", "07:00")):
        if unset:
            db.session.add(SettingChange(site_id=site.id, subject=settings.POST_SUBJECT, subject_id=post.id,
                                         name=name, value=value, effective_from=since, recorded_at=now))
    db.session.flush()
    # A resident's phone the desk knows (住户登记): at /b/<1栋's code>/pass, 101 with 13700000101 issues a pass.
    building = db.session.scalar(select(Building).where(Building.site_id == site.id).order_by(Building.id))
    if building is not None and db.session.scalar(select(UnitContact.id).where(UnitContact.site_id == site.id)) is None:
        db.session.add(UnitContact(site_id=site.id, building_id=building.id, unit="1单元101",
                                   unit_key=unit_contacts.unit_key("1单元101"), name="周丽", phone="13700000101",
                                   created_at=now))
        db.session.flush()


def gate_history(site: Site, days: int, now: datetime) -> int:
    """Two to four visitors a day for `days` days before `now`, registered and let out at the east gate by
    gate01 (as the gate phone would send them), a vehicle and a duty-log entry a day, a parcel every third.
    Skipped when the site already has visitors. Returns the number of visitors."""
    if db.session.scalar(select(func.count(Visitor.id)).where(Visitor.site_id == site.id)):
        return 0
    guard = _user(GATE_USER[0])
    post = db.session.scalar(select(HandoverPost).where(HandoverPost.site_id == site.id, HandoverPost.code == "GATE"))
    buildings = list(db.session.scalars(select(Building.id).where(Building.site_id == site.id)))
    if guard is None or post is None or not buildings:
        return 0
    guard_id, post_id = guard.id, post.id
    rng = random.Random(14)
    start = as_utc(now) - timedelta(days=days)
    count = 0
    for day in range(days):
        db.session.flush()
        guard = db.session.get(User, guard_id)
        for _n in range(rng.randint(2, 4)):
            came = start + timedelta(days=day, hours=rng.randint(1, 13), minutes=rng.randint(0, 59))
            unit = f"{rng.randint(1, 3)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}"
            values = {"post": str(post_id), "name": rng.choice(NAMES), "phone": f"139{rng.randint(10000000, 99999999)}",
                      "building": str(rng.choice(buildings)), "unit": unit, "reason": rng.choice(REASONS),
                      "party_size": str(rng.randint(1, 3))}
            visitor = visitors.register_visitor(guard, values, Receipt.server(came))
            visitors.visitor_out(guard, visitor.id, Receipt.server(came + timedelta(minutes=rng.randint(15, 180))))
            count += 1
        morning = start + timedelta(days=day, hours=1, minutes=rng.randint(0, 50))
        car = vehicles.vehicle_in(guard, {"post": str(post_id), "plate": f"粤B{rng.randint(10000, 99999)}",
                                          "parking": f"地面P{rng.randint(1, 40)}"}, Receipt.server(morning))
        vehicles.vehicle_out(guard, car.id, Receipt.server(morning + timedelta(hours=rng.randint(1, 3))))
        dutylog.write_entry(guard, {"post": str(post_id), "category": rng.choice(list(DUTY_CATEGORIES)),
                                    "text": rng.choice(DUTY_TEXTS), "follow_up": "1" if day % 5 == 0 else ""},
                            Receipt.server(morning + timedelta(hours=5)))
        if day % 3 == 0:
            parcel, _pending = parcels.parcel_in(guard, {"post": str(post_id), "building": str(rng.choice(buildings)),
                                                         "unit": "1单元101", "carrier": "顺丰"},
                                                 Receipt.server(morning + timedelta(hours=2)))
            if day < days - 6:  # the last days' parcels wait (some past the unclaimed limit)
                handed = {"to_whom": rng.choice(NAMES), "code": str(rng.randint(1000, 9999))}
                parcels.parcel_out(guard, parcel.id, handed, Receipt.server(morning + timedelta(hours=8)))
    db.session.flush()
    return count
