"""The equipment register: add, change status (with history), give a piece its own QR tag, look it up.

A piece of equipment's own tag is a place of kind "equipment" (`places`): the place tag sheet prints it,
re-issuing works the same, and scanning it opens the place page, where the checks panel shows the piece.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from wuye_field.accounts.models import User
from wuye_field.checks.defaults import AGENTS, EXTINGUISHERS_PER_BOX, SITE_SETTINGS, TYPES
from wuye_field.checks.models import IN_SERVICE, OUT_OF_SERVICE, REMOVED, Equipment, EquipmentStatus
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import value_at
from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site

ADMINS = ("admin", "supervisor")
STATUSES = {IN_SERVICE: _l("在用"), OUT_OF_SERVICE: _l("停用"), REMOVED: _l("已拆除")}
EXPIRY_YEARS = 15  # an extinguisher's expiry more than this far from today is a typing error


def type_label(code: str) -> str:
    return str(TYPES[code][0]) if code in TYPES else code


def status_label(code: str) -> str:
    return str(STATUSES.get(code, code))


def site_setting(site_id: int, name: str, at: datetime):
    default = SITE_SETTINGS[name][0]
    return value_at(site_id, "site", name, at, default=default)


def expected_extinguishers(building: Building | None, site_id: int, at: datetime) -> int:
    """P7: 2 per hydrant box in multi-storey buildings, 4 in high-rises (floors ≥ the site's setting)."""
    high = site_setting(site_id, "checks.high_rise_floors", at)
    if building is not None and (building.floors or 0) >= high:
        return EXTINGUISHERS_PER_BOX["high"]
    return EXTINGUISHERS_PER_BOX["multi"]


def parse_expiry(raw: str | None, today: date) -> date:
    """An extinguisher's expiry date (YYYY-MM-DD) within EXPIRY_YEARS of today; DomainError otherwise."""
    try:
        expiry = date.fromisoformat(str(raw or "").strip())
    except ValueError as exc:
        raise DomainError(_("有效期格式应为 YYYY-MM-DD，例如 2027-06-30。"), status=422, code="bad_expiry") from exc
    if abs((expiry - today).days) > EXPIRY_YEARS * 366:
        raise DomainError(_("有效期不合理：离今天超过 %(n)d 年，请核对。", n=EXPIRY_YEARS), status=422,
                          code="bad_expiry")
    return expiry


def clean_attrs(type_code: str, raw: dict, *, building: Building | None, site_id: int, now: datetime,
                tz: str) -> dict:
    """The attributes of a type from a form: extinguisher agent, capacity (kg) and expiry; hydrant box count."""
    attrs: dict = {}
    names = TYPES[type_code][3]
    if "agent" in names:
        agent = raw.get("agent") or "dry_powder"
        if agent not in AGENTS:
            raise DomainError(_("灭火剂类型无效。"), status=422, code="bad_agent")
        attrs["agent"] = agent
    if "capacity" in names and str(raw.get("capacity") or "").strip():
        try:
            capacity = float(str(raw["capacity"]).strip())
        except ValueError as exc:
            raise DomainError(_("容量请填写数字（公斤）。"), status=422, code="bad_capacity") from exc
        if not 0 < capacity <= 100:
            raise DomainError(_("容量应在 0–100 公斤之间。"), status=422, code="bad_capacity")
        attrs["capacity"] = capacity
    if "expiry" in names:
        today = as_utc(now).astimezone(ZoneInfo(tz)).date()
        attrs["expiry"] = parse_expiry(raw.get("expiry"), today).isoformat()
    if "expected_extinguishers" in names:
        text = str(raw.get("expected_extinguishers") or "").strip()
        if text:
            if not (text.isdigit() and 1 <= int(text) <= 8):
                raise DomainError(_("箱内应有灭火器数量请填 1–8。"), status=422, code="bad_expected")
            attrs["expected_extinguishers"] = int(text)
        else:
            attrs["expected_extinguishers"] = expected_extinguishers(building, site_id, now)
    return attrs


def _site_for(actor: User, site_id: int, *roles: str) -> Site:
    if site_id not in actor.site_ids(*(roles or ADMINS)):
        raise NotFound(_("小区不存在，或您无权查看。"))
    return db.session.get(Site, site_id)


def _cleaned(site: Site, values: dict, *, now: datetime, equipment: Equipment | None = None) -> dict:
    """The columns of a piece from a form (the admin's, or an import row): FieldErrors / DomainError."""
    errors: dict[str, str] = {}
    code = equipment.code if equipment is not None else clean_text(values.get("code"), multiline=False).upper()
    name = clean_text(values.get("name"), multiline=False)
    type_code = values.get("type", "")
    if not code or len(code) > 16:
        errors["code"] = _("请填写编号（最多 16 个字符）。")
    elif equipment is None and db.session.scalar(
            select(Equipment.id).where(Equipment.site_id == site.id, Equipment.code == code)):
        errors["code"] = _("本小区已有编号为 %(code)s 的设备。", code=code)
    if not name or len(name) > 60:
        errors["name"] = _("请填写名称（最多 60 字）。")
    if type_code not in TYPES:
        errors["type"] = _("请选择设备类型。")
    place = _optional(Place, values.get("place_id"), site.id, errors, "place_id", _("请选择本小区的地点。"))
    building = _optional(Building, values.get("building_id"), site.id, errors, "building_id", _("请选择本小区的楼栋。"))
    if building is None and place is not None:
        building = place.building
    floor = clean_text(values.get("floor"), multiline=False)
    if len(floor) > 10:
        errors["floor"] = _("楼层最多 10 个字。")
    if errors:
        raise FieldErrors(errors)
    attrs = clean_attrs(type_code, values, building=building, site_id=site.id, now=now, tz=site.timezone)
    return {"code": code, "name": name, "type": type_code, "place_id": place.id if place else None,
            "building_id": building.id if building else None, "floor": floor, "attrs": attrs}


def _snapshot(equipment: Equipment) -> dict:
    return {"name": equipment.name, "type": equipment.type, "place_id": equipment.place_id,
            "building_id": equipment.building_id, "floor": equipment.floor, "attrs": dict(equipment.attrs or {})}


def add_equipment(actor: User, site_id: int, values: dict, *, now: datetime) -> Equipment:
    """Register a piece of equipment (site admins and supervisors). FieldErrors / DomainError in Chinese;
    the admin change log keeps it."""
    site = _site_for(actor, site_id)
    equipment = Equipment(site_id=site.id, **_cleaned(site, values, now=now), status=IN_SERVICE, created_at=now)
    db.session.add(equipment)
    db.session.flush()
    db.session.add(EquipmentStatus(equipment_id=equipment.id, status=IN_SERVICE, user_id=actor.id, created_at=now))
    log_admin_change(actor, site.id, _("设备 %(code)s", code=equipment.code), None, _snapshot(equipment), now=now)
    return equipment


def update_equipment(actor: User, equipment_id: int, values: dict, *, now: datetime) -> Equipment:
    """Change a piece's name, type, place, building, floor and attributes (its code stays); each change in the
    admin change log. The same checks as registering it."""
    equipment = get_equipment(actor, equipment_id, *ADMINS)
    site = db.session.get(Site, equipment.site_id)
    cleaned = _cleaned(site, values, now=now, equipment=equipment)
    before = _snapshot(equipment)
    for name, value in cleaned.items():
        setattr(equipment, name, value)
    db.session.flush()
    if _snapshot(equipment) != before:
        log_admin_change(actor, site.id, _("设备 %(code)s", code=equipment.code), before, _snapshot(equipment),
                         now=now)
    return equipment


def _optional(model, raw, site_id: int, errors: dict, name: str, message: str):
    text = str(raw or "").strip()
    if not text:
        return None
    obj = db.session.get(model, int(text)) if text.isdigit() and len(text) < 12 else None
    if obj is None or obj.site_id != site_id:
        errors[name] = message
        return None
    return obj


def set_status(actor: User, equipment_id: int, status: str, note: str, *, now: datetime) -> Equipment:
    """Put a piece in or out of service, or remove it; the history keeps each change."""
    equipment = get_equipment(actor, equipment_id, *ADMINS)
    if status not in STATUSES:
        raise DomainError(_("状态无效。"), status=422, code="bad_status")
    if status == equipment.status:
        raise DomainError(_("设备已经是「%(s)s」。", s=status_label(status)), status=409, code="same_status")
    equipment.status = status
    db.session.add(EquipmentStatus(equipment_id=equipment.id, status=status, user_id=actor.id,
                                   note=clean_text(note, multiline=True)[:500], created_at=now))
    db.session.flush()
    return equipment


def status_history(equipment_id: int) -> list[EquipmentStatus]:
    return list(db.session.scalars(select(EquipmentStatus).where(EquipmentStatus.equipment_id == equipment_id)
                                   .order_by(EquipmentStatus.created_at, EquipmentStatus.id)))


def give_own_tag(actor: User, equipment_id: int) -> Place:
    """A QR tag of its own for a piece (a place of kind "equipment" with the piece's code and name)."""
    return own_tag(get_equipment(actor, equipment_id, *ADMINS))


def own_tag(equipment: Equipment) -> Place:
    """The piece's own tag, made the first time (its token like every place's); 409 when its code is taken."""
    if equipment.tag_place_id is not None:
        return db.session.get(Place, equipment.tag_place_id)
    if db.session.scalar(select(Place.id).where(Place.site_id == equipment.site_id, Place.code == equipment.code)):
        raise DomainError(_("已有地点使用编号 %(code)s，请先改设备编号。", code=equipment.code), status=409,
                          code="tag_code_taken")
    place = Place(site_id=equipment.site_id, code=equipment.code, name=equipment.name, kind="equipment",
                  building_id=equipment.building_id, is_key_area=False)
    db.session.add(place)
    db.session.flush()
    equipment.tag_place_id = place.id
    db.session.flush()
    return place


def get_equipment(user: User, equipment_id: int, *roles: str) -> Equipment:
    equipment = db.session.get(Equipment, equipment_id)
    if equipment is None or equipment.site_id not in user.site_ids(*roles):
        raise NotFound(_("设备不存在，或您无权查看。"))
    return equipment


def equipment_at_place(place: Place) -> list[Equipment]:
    """The pieces a place's tag reaches: those at the place, or the one whose own tag it is (not removed)."""
    return list(db.session.scalars(select(Equipment).where(
        Equipment.site_id == place.site_id, Equipment.status != REMOVED,
        or_(Equipment.place_id == place.id, Equipment.tag_place_id == place.id)).order_by(Equipment.code)))


def site_equipment(site_id: int, *, include_removed: bool = False) -> list[Equipment]:
    query = select(Equipment).where(Equipment.site_id == site_id)
    if not include_removed:
        query = query.where(Equipment.status != REMOVED)
    return list(db.session.scalars(query.order_by(Equipment.code)))


def site_pieces(site_id: int) -> list:
    """The site's pieces not removed, as light rows (id, site_id, code, name, type, building_id, place_id,
    status): what the board, the month figures and the orders job need, without loading whole objects."""
    return list(db.session.execute(
        select(Equipment.id, Equipment.site_id, Equipment.code, Equipment.name, Equipment.type,
               Equipment.building_id, Equipment.place_id, Equipment.status)
        .where(Equipment.site_id == site_id, Equipment.status != REMOVED).order_by(Equipment.code)))
