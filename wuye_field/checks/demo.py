"""Checks demo data for DEMO: about 60 pieces of equipment at its places with the default plans
(`load_checks_demo`), and a month of history done through the same services a phone uses (`checks_history`,
device times in the past): daily fire checks, weekly extinguisher and hydrant-box checks with a few missed or
late, monthly checks, a failed one (a defect), pump readings, light checks, last year's fire drill.
A few pieces carry their own QR tag (`OWN_TAGS`: the fire pump, a hydrant box, an extinguisher), printed
with the tag sheet; scanning one opens that piece's checks.

Idempotent: equipment is added only when the site has none; history only when the site has no checks.
"""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from wuye_field.accounts.models import User
from wuye_field.checks import doing, drills, schedule
from wuye_field.checks import plans as plan_rules
from wuye_field.checks.equipment import expected_extinguishers, own_tag
from wuye_field.checks.models import IN_SERVICE, CheckPlan, CheckRecord, Equipment, EquipmentStatus
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site
from wuye_field.sync.receipt import Receipt

_NS = uuid.UUID("4a0c7f35-9d5e-4b1c-8e2f-71b6d3a9c0e4")

# (code, name, type, place code, building, floor, attrs)
EQUIPMENT = [
    ("FR01", "消防控制室", "fire_room", "CP07", None, "", {}),
    ("AP01", "火灾报警控制器", "alarm_panel", "CP07", None, "", {}),
    ("EX01", "东门安全出口", "exit", "CP01", None, "", {}),
    ("EX02", "北门安全出口", "exit", "CP02", None, "", {}),
    ("EX03", "车库疏散通道", "exit", "CP03", None, "", {}),
    ("SZ01", "1栋烟感分区", "smoke_zone", "CL01", "1栋", "", {}),
    ("SZ02", "车库烟感分区", "smoke_zone", "CP04", None, "", {}),
    ("SZ03", "2栋烟感分区", "smoke_zone", "CL02", "2栋", "", {}),
    ("SZ04", "3栋烟感分区", "smoke_zone", "CL03", "3栋", "", {}),
    ("SZ05", "会所烟感分区", "smoke_zone", "CL08", None, "", {}),
    ("FD04", "2栋防火门", "fire_door", "CL02", "2栋", "", {}),
    ("FD05", "3栋防火门", "fire_door", "CL03", "3栋", "", {}),
    ("FP01", "消防水泵", "fire_pump", "CP06", None, "", {}),
    ("PU01", "生活水泵1号", "pump", "CP06", None, "", {}),
    ("PU02", "生活水泵2号", "pump", "CP06", None, "", {}),
    ("WT01", "二次供水水箱1号", "water_tank", "CP06", None, "", {}),
    ("WT02", "二次供水水箱2号", "water_tank", "CP06", None, "", {}),
    ("ST01", "化粪池（北）", "septic_tank", "CP02", None, "", {}),
    ("ST02", "化粪池（南）", "septic_tank", "CL04", None, "", {}),
    ("GE01", "备用发电机", "generator", "CP05", None, "", {}),
    ("LF01", "1栋电梯", "lift", "CL01", "1栋", "", {}),
    ("LF02", "3栋电梯", "lift", "CL03", "3栋", "", {}),
    ("PS01", "垃圾站消杀点", "pest_station", "CL07", None, "", {}),
    ("PS02", "车库消杀点", "pest_station", "CP04", None, "", {}),
    ("PS03", "绿地消杀点", "pest_station", "CL04", None, "", {}),
    ("FD01", "1栋防火门", "fire_door", "CL01", "1栋", "", {}),
    ("FD02", "车库防火门", "fire_door", "CP04", None, "", {}),
    ("FD03", "配电房防火门", "fire_door", "CP05", None, "", {}),
]
HYDRANTS = [("1栋", "CL01", (1, 9, 18)), ("2栋", "CL02", (1, 9, 18)), ("3栋", "CL03", (1, 6))]
EXTINGUISHERS = [("CP07", 2), ("CP05", 1), ("CP06", 1), ("CP04", 3), ("CL08", 1)]
OWN_TAGS = ("FP01", "HB101", "FE01")  # pieces with a QR tag of their own (the rest through their place's tag)
LIGHTS = [("LT01", "主干道路灯1", "CL05"), ("LT02", "主干道路灯2", "CL05"), ("LT03", "主干道路灯3", "CL05"),
          ("LT04", "中心绿地路灯", "CL04"), ("LT05", "1栋楼道灯", "CL01"), ("LT06", "2栋楼道灯", "CL02")]
EMERGENCY = [("EL01", "1栋应急照明", "CL01"), ("EL02", "车库应急照明", "CP04"), ("EL03", "配电房应急照明", "CP05"),
             ("ES01", "车库疏散指示", "CP04"), ("ES02", "1栋疏散指示", "CL01")]


def load_checks_demo(site: Site, now: datetime, *, since: datetime | None = None, own_tags: bool = False) -> None:
    """Register DEMO's equipment and its default plans (the plans in force from `since`, default now);
    `own_tags` (`wuye demo`, not the test suite's bare demo, whose place counts stay put) gives the pieces
    of `OWN_TAGS` their own QR tag."""
    if not db.session.scalar(select(func.count(Equipment.id)).where(Equipment.site_id == site.id)):
        _register(site, now, since)
    if own_tags:
        for piece in db.session.scalars(select(Equipment).where(Equipment.site_id == site.id,
                                                                Equipment.code.in_(OWN_TAGS))):
            own_tag(piece)


def _register(site: Site, now: datetime, since: datetime | None) -> None:
    places = {p.code: p for p in db.session.scalars(select(Place).where(Place.site_id == site.id))}
    buildings = {b.name: b for b in db.session.scalars(select(Building).where(Building.site_id == site.id))}
    rows = list(EQUIPMENT)
    for building, place, floors in HYDRANTS:
        rows += [(f"HB{building[0]}{floor:02d}", f"{building}{floor}层消火栓箱", "hydrant_box", place, building,
                  f"{floor}F", {}) for floor in floors]
    n = 0
    for place, count in EXTINGUISHERS:
        for _i in range(count):
            n += 1
            expiry = (now + timedelta(days=400 + 30 * n)).date() if n != 5 else (now - timedelta(days=20)).date()
            rows.append((f"FE{n:02d}", f"{places[place].name}灭火器{_i + 1}", "extinguisher", place, None, "",
                         {"agent": "dry_powder", "capacity": 4.0, "expiry": expiry.isoformat()}))
    rows += [(code, name, "light", place, None, "", {}) for code, name, place in LIGHTS]
    rows += [(code, name, "emergency_light" if code.startswith("EL") else "exit_sign", place, None, "", {})
             for code, name, place in EMERGENCY]
    start = since or now
    for code, name, type_code, place_code, building_name, floor, attrs in rows:
        place = places.get(place_code)
        building = buildings.get(building_name) if building_name else (place.building if place else None)
        if type_code == "hydrant_box":
            attrs = {"expected_extinguishers": expected_extinguishers(building, site.id, start)}
        piece = Equipment(site_id=site.id, code=code, name=name, type=type_code, place_id=place.id if place else None,
                          building_id=building.id if building else None, floor=floor, attrs=attrs, status=IN_SERVICE,
                          created_at=start)
        db.session.add(piece)
        db.session.flush()
        db.session.add(EquipmentStatus(equipment_id=piece.id, status=IN_SERVICE, created_at=start))
    db.session.flush()
    plan_rules.ensure_default_plans(site.id, actor=None, now=start)


def _user(staff_no: str) -> User:
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def checks_history(site: Site, days: int, now: datetime) -> int:
    """`days` days of checks before `now`, recorded through `doing.record_check` with past device times."""
    if db.session.scalar(select(func.count(CheckRecord.id)).where(CheckRecord.site_id == site.id)):
        return 0
    tz = ZoneInfo(site.timezone)
    since = as_utc(datetime.combine(now.astimezone(tz).date() - timedelta(days=days), time(0), tz))
    for model in (Equipment, CheckPlan):  # the setup dated back to the past's first midnight, like the places
        db.session.execute(update(model).where(model.site_id == site.id, model.created_at > since)
                           .values(created_at=since).execution_options(synchronize_session=False))
    db.session.expire_all()
    doers = {"guard": _user("guard01"), "technician": _user("tech01"), "supervisor": _user("supervisor01")}
    plans = plan_rules.site_plans(site.id, active_only=True)
    pieces = list(db.session.scalars(select(Equipment).where(Equipment.site_id == site.id)))
    start = now - timedelta(days=days)
    made = 0
    for plan in plans:
        freq = schedule.Frequency.from_dict(plan.frequency)
        user = doers[plan.role]
        for i, window in enumerate(schedule.windows_of(freq, start, now, site.timezone)):
            for j, piece in enumerate(plan_rules.covered(plan, pieces)):
                if (i * 7 + j) % 23 == 5:
                    continue  # missed now and then
                late = (i + j) % 17 == 3
                when = window.due + timedelta(hours=2) if late else window.due - timedelta(hours=3 + j % 4)
                if when >= now or when < window.start:
                    continue
                form = {"all_ok": "1"}
                if piece.type == "pump":
                    form["reading_hours"] = str(1000 + i * 40 + j * 7)
                    form["reading_pressure"] = f"{0.30 + (i % 5) * 0.02:.2f}"
                if piece.type == "light" and j == 2:
                    form = {"bad_lit": "1"}
                key = str(uuid.uuid5(_NS, f"{plan.id}:{piece.id}:{window.start.isoformat()}"))
                doing.record_check(user, equipment_id=piece.id, plan_id=plan.id, form=form, note="", photo_ids=[],
                                   receipt=Receipt(key, when, when + timedelta(minutes=5)))
                made += 1
    drill_day = (now - timedelta(days=300)).astimezone(tz).date()
    drills.record_drill(doers["supervisor"], site_id=site.id, form={
        "kind": "fire", "held_on": drill_day.isoformat(), "duration_min": "45", "location": "中心绿地",
        "participants_typed": "1栋业主代表", "findings": "2栋疏散用时偏长"},
        participant_ids=[str(doers["guard"].id), str(doers["technician"].id)], photo_ids=[],
        receipt=Receipt(str(uuid.uuid5(_NS, "drill")), now - timedelta(days=300), now - timedelta(days=300)))
    return made
