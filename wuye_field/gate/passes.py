"""Passes (访客通行证, G9) and the watch list (关注名单, G8). The desk or a supervisor pre-registers a visitor:
a number and a QR valid for a date or a few days; the gate types or scans the number for a one-tap entry.
A watch-list match warns the guard, who records a decision: never an automatic refusal."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.time import to_site_time
from wuye_field.extensions import db
from wuye_field.gate import numbers, rules
from wuye_field.gate.checks import check_phone, check_plate, check_text
from wuye_field.gate.models import GatePass, WatchEntry
from wuye_field.places.models import Building, Site
from wuye_field.places.services import get_site

ISSUE_ROLES = ("desk", "supervisor")
WATCH_ROLES = ("supervisor", "admin")
MAX_PASS_DAYS = 7


def issue_pass(actor: User, site_id: int, values: dict, *, now: datetime) -> GatePass:
    """Issue a pass from form strings (visitor_name, visitor_phone, building, unit, host_name, reason,
    valid_from, days). FieldErrors with Chinese messages per field; nothing stored then."""
    site = get_site(actor, site_id, *ISSUE_ROLES)
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
    except ValueError:
        first = today
        errors["valid_from"] = _("日期格式应为 YYYY-MM-DD。")
    raw_days = str(values.get("days") or "1").strip()
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= MAX_PASS_DAYS:
        errors["days"] = _("有效天数须为 1–%(n)d 天。", n=MAX_PASS_DAYS)
    if errors:
        raise FieldErrors(errors)
    issued = GatePass(site_id=site.id, number=numbers.new_number(GatePass, "P"), visitor_name=name, visitor_phone=phone,
                      building_id=building_id, unit=unit, host_name=host, reason=reason, valid_from=first,
                      valid_until=first + timedelta(days=int(raw_days) - 1), issued_by_id=actor.id, issued_at=now)
    db.session.add(issued)
    db.session.flush()
    return issued


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
