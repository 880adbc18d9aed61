"""Passes (访客通行证, G9) and the watch list (关注名单, G8). The desk or a supervisor pre-registers a visitor:
a number and a QR valid for a date or a few days; the gate types or scans the number for a one-tap entry.
A watch-list match warns the guard, who records a decision: never an automatic refusal."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.core.logging import security_event
from wuye_field.core.masking import mask_name, mask_phone
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.time import to_site_time
from wuye_field.extensions import db
from wuye_field.gate import numbers, rules, unit_contacts
from wuye_field.gate.checks import check_phone, check_plate, check_text
from wuye_field.gate.models import PASS_SOURCES, GatePass, UnitContact, WatchEntry
from wuye_field.places.models import Building, Site
from wuye_field.places.services import get_site

ISSUE_ROLES = ("desk", "supervisor")
WATCH_ROLES = ("supervisor", "admin")
MAX_PASS_DAYS = 7
RESIDENT_MAX_DAYS = 3  # a resident pre-registers for today and the next two days at most
RESIDENT_PASSES_PER_DAY = 5  # per unit and local day, whatever the phone


def pass_fields(site: Site, values: dict, *, now: datetime, max_days: int = MAX_PASS_DAYS) -> dict:
    """The checked fields of a pass from form strings (visitor_name, visitor_phone, building, unit, host_name,
    reason, valid_from, days) → GatePass columns. FieldErrors with Chinese messages per field."""
    errors: dict[str, str] = {}
    name = check_text(values.get("visitor_name"), errors, "visitor_name", 40, required=_("请填写访客姓名。"))
    phone = check_phone(values.get("visitor_phone"), errors, "visitor_phone")
    building_id = None
    if str(values.get("building") or "").isdigit():
        building = db.session.get(Building, int(values["building"]))
        if building is None or building.site_id != site.id:
            errors["building"] = _("请选择本小区的楼栋。")
        else:
            building_id = building.id
    unit = check_text(values.get("unit"), errors, "unit", 20)
    host = check_text(values.get("host_name"), errors, "host_name", 40)
    reason = check_text(values.get("reason"), errors, "reason", 100)
    today = to_site_time(now, site.timezone).date()
    try:
        first = date.fromisoformat(str(values.get("valid_from") or today.isoformat()))
        if first < today:
            errors["valid_from"] = _("开始日期不能早于今天。")
        elif first > today + timedelta(days=30):
            errors["valid_from"] = _("最多提前 30 天预约。")
    except ValueError:
        first = today
        errors["valid_from"] = _("日期格式应为 YYYY-MM-DD。")
    raw_days = str(values.get("days") or "1").strip()
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= max_days:
        errors["days"] = _("有效天数须为 1–%(n)d 天。", n=max_days)
    if errors:
        raise FieldErrors(errors)
    return {"visitor_name": name, "visitor_phone": phone, "building_id": building_id, "unit": unit,
            "host_name": host, "reason": reason, "valid_from": first,
            "valid_until": first + timedelta(days=int(raw_days) - 1)}


def save_pass(site: Site, fields: dict, *, now: datetime, issued_by: User | None = None, source: str = "desk",
              contact_id: int | None = None) -> GatePass:
    issued = GatePass(site_id=site.id, number=numbers.new_number(GatePass, "P"), issued_by_id=getattr(issued_by, "id",
                      None), issued_at=now, source=source, contact_id=contact_id, **fields)
    db.session.add(issued)
    db.session.flush()
    return issued


def issue_pass(actor: User, site_id: int, values: dict, *, now: datetime) -> GatePass:
    """The desk issues a pass from form strings (see `pass_fields`). With `caller_phone`, on a resident's call:
    the phone must be one the desk knows for the unit (G9), and the pass says so. Nothing stored on errors."""
    site = get_site(actor, site_id, *ISSUE_ROLES)
    fields = pass_fields(site, values, now=now)
    if not str(values.get("caller_phone") or "").strip():
        return save_pass(site, fields, now=now, issued_by=actor)
    contact = unit_contacts.verified(fields["building_id"], fields["unit"], values.get("caller_phone"))
    if contact is None:
        raise FieldErrors({"caller_phone": _("来电号码不是该房号登记的住户手机号，不能代为预约。")})
    fields["host_name"] = fields["host_name"] or contact.name
    return save_pass(site, fields, now=now, issued_by=actor, source="call", contact_id=contact.id)


def site_passes(viewer: User, site_id: int, *, now: datetime) -> list[GatePass]:
    """The site's passes still valid today or later, soonest first (desk and supervisors)."""
    site = get_site(viewer, site_id, *ISSUE_ROLES)
    today = to_site_time(now, site.timezone).date()
    return list(db.session.scalars(select(GatePass).where(GatePass.site_id == site.id, GatePass.valid_until >= today)
                                   .order_by(GatePass.valid_from, GatePass.id)))


def get_pass(viewer: User, number: str) -> GatePass:
    """A pass of a site where `viewer` works the gate or the desk; NotFound otherwise."""
    found = db.session.scalar(select(GatePass).where(GatePass.number == numbers.normalize(number),
                                                     GatePass.site_id.in_(viewer.site_ids())))
    if found is None:
        raise NotFound(_("找不到这张通行证。"))
    return found


def pass_problem(site_id: int, number: str, at: datetime) -> tuple[GatePass | None, str]:
    """(the pass, "") when `number` (or a scanned pass URL) is a pass of `site_id` valid on the local date of
    `at`; else (None or the pass, the Chinese reason)."""
    number = numbers.normalize(number)
    found, reason = numbers.lookup(GatePass, site_id, number)
    if not reason:
        reason = numbers.validity(found, to_site_time(at, db.session.get(Site, site_id).timezone).date())
    if reason == "unknown":
        return None, _("通行证号 %(n)s 不存在。", n=number)
    if reason == "other_site":
        return None, _("通行证 %(n)s 不是本小区的。", n=number)
    if reason:
        return found, _("通行证 %(n)s 只在 %(a)s 至 %(b)s 有效。", n=number, a=found.valid_from.isoformat(),
                        b=found.valid_until.isoformat())
    return found, ""


def passes_for_phone(site_id: int, now: datetime) -> list[dict]:
    """The passes the gate page carries (cached at the start of the shift) so a scanned or typed number shows
    whom it is for, offline too: valid today or tomorrow, the visitor's name masked (the server re-checks)."""
    today = to_site_time(now, db.session.get(Site, site_id).timezone).date()
    rows = db.session.scalars(select(GatePass).where(GatePass.site_id == site_id, GatePass.valid_until >= today,
                                                     GatePass.valid_from <= today + timedelta(days=1)))
    return [{"number": p.number, "name": mask_name(p.visitor_name),
             "where": f"{p.building.name if p.building else ''} {p.unit}".strip(),
             "from": p.valid_from.isoformat(), "until": p.valid_until.isoformat(),
             "source": str(PASS_SOURCES.get(p.source, ""))} for p in rows]


# ---------------------------------------------------------------- residents pre-registering visitors (G9)


def issue_for_resident(building: Building, values: dict, *, now: datetime) -> GatePass:
    """A resident pre-registers a visitor for their own unit at the residents' window (no sign-in): the unit
    and the resident's phone must be a phone the desk has registered for that unit (`unit_contacts`); at most
    RESIDENT_MAX_DAYS days and RESIDENT_PASSES_PER_DAY passes a unit a day. Every pass issued this way is in
    the admin change log (masked), every failed check a security event. FieldErrors with Chinese messages; the
    same message whether the unit or the phone is unknown (nothing tells a stranger which units exist)."""
    site = db.session.get(Site, building.site_id)
    errors: dict[str, str] = {}
    check_phone(values.get("resident_phone"), errors, "resident_phone", required=True)
    try:
        fields = pass_fields(site, {**values, "building": str(building.id), "host_name": ""}, now=now,
                             max_days=RESIDENT_MAX_DAYS)
    except FieldErrors as invalid:
        errors = invalid.errors | errors
        fields = {}
    if not errors and not unit_contacts.unit_key(fields["unit"]):
        errors["unit"] = _("请填写您家的单元/房号，例如 2单元301。")
    if errors:
        raise FieldErrors(errors)
    contact = unit_contacts.verified(building.id, fields["unit"], values.get("resident_phone"))
    if contact is None:
        security_event("resident_unverified", site=site.id, building=building.id,
                       unit=unit_contacts.unit_key(fields["unit"]))
        raise FieldErrors({"resident_phone": _("未能核实：这个手机号没有登记为该房号的住户。请致电服务台登记手机号，"
                                               "或请服务台代为预约。")})
    start = rules.day_bounds(to_site_time(now, site.timezone).date(), site.timezone)[0]
    today = db.session.scalar(select(func.count(GatePass.id)).where(
        GatePass.building_id == building.id, GatePass.source == "resident", GatePass.issued_at >= start,
        GatePass.contact_id.in_(select(UnitContact.id).where(UnitContact.building_id == building.id,
                                                             UnitContact.unit_key == contact.unit_key))))
    if today >= RESIDENT_PASSES_PER_DAY:
        raise FieldErrors({"visitor_name": _("本户今天已预约 %(n)d 张通行证；如需更多，请联系服务台。",
                                             n=RESIDENT_PASSES_PER_DAY)})
    fields |= {"host_name": contact.name, "unit": contact.unit}
    issued = save_pass(site, fields, now=now, source="resident", contact_id=contact.id)
    log_admin_change(None, site.id, _("住户自助预约通行证 %(n)s", n=issued.number), None,
                     {"building": building.name, "unit": contact.unit, "visitor": mask_name(issued.visitor_name),
                      "resident_phone": mask_phone(contact.phone), "valid_from": issued.valid_from.isoformat(),
                      "valid_until": issued.valid_until.isoformat()}, now=now)
    return issued


# ---------------------------------------------------------------- watch list (G8)


def add_watch(actor: User, site_id: int, values: dict, *, now: datetime) -> WatchEntry:
    site = get_site(actor, site_id, *WATCH_ROLES)
    errors: dict[str, str] = {}
    name = check_text(values.get("name"), errors, "name", 40)
    number = rules.normalize_id_number(values.get("id_number"))
    plate = check_plate(values.get("plate"), errors)
    note = check_text(values.get("note"), errors, "note", 100)
    if not (name or number or plate) and not errors:
        errors["name"] = _("请至少填写姓名、证件号或车牌之一。")
    if errors:
        raise FieldErrors(errors)
    entry = WatchEntry(site_id=site.id, name=name, id_number=number, plate=plate, note=note, created_by_id=actor.id,
                       created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def watch_list(viewer: User, site_id: int) -> list[WatchEntry]:
    site = get_site(viewer, site_id, *WATCH_ROLES)
    return list(db.session.scalars(select(WatchEntry).where(WatchEntry.site_id == site.id, WatchEntry.active.is_(True))
                                   .order_by(WatchEntry.id)))


def remove_watch(actor: User, entry_id: int) -> None:
    entry = db.session.get(WatchEntry, entry_id)
    if entry is None or entry.site_id not in actor.site_ids(*WATCH_ROLES):
        raise NotFound(_("找不到这条关注记录。"))
    entry.active = False
    db.session.flush()


def watch_matches(site_id: int, name: str, id_number: str, plate: str) -> list[WatchEntry]:
    """Active entries matching what the guard typed: the same ID number, the same plate, or the same name
    for an entry without ID number."""
    matches = []
    for entry in db.session.scalars(select(WatchEntry).where(WatchEntry.site_id == site_id,
                                                             WatchEntry.active.is_(True))):
        if ((entry.id_number and entry.id_number == id_number) or (entry.plate and entry.plate == plate)
                or (entry.name and not entry.id_number and entry.name == name)):
            matches.append(entry)
    return matches


def watch_for_phone(site_id: int) -> list[dict]:
    """What the gate page carries for the phone to warn while typing (offline too): names, plates, and ID
    numbers only as their last four characters with the length (the full number stays on the server)."""
    return [{"name": e.name if not e.id_number else "", "plate": e.plate,
             "id_tail": e.id_number[-4:] if e.id_number else "", "note": e.note}
            for e in db.session.scalars(select(WatchEntry).where(WatchEntry.site_id == site_id,
                                                                 WatchEntry.active.is_(True)))]
