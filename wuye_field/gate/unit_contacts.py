"""Residents' phones per unit as the desk knows them (住户登记, G9). A resident who types one of these phones
with the unit may pre-register visitors for that unit at the residents' window; the desk issuing a pass on a
resident's call checks the caller's phone the same way. Kept by the desk and supervisors; every change is in
the admin change log; the phone is shown in full only to them, masked anywhere else (H6)."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.masking import mask_name, mask_phone
from wuye_field.extensions import db
from wuye_field.gate import rules
from wuye_field.gate.checks import check_phone, check_text
from wuye_field.gate.models import UnitContact
from wuye_field.places.models import Building
from wuye_field.places.services import get_site

EDIT_ROLES = ("desk", "supervisor")


def unit_key(raw) -> str:
    """The letters and digits of a unit, so 「2单元301」, 「2-301」 and 「２单元３０１室」 name the same unit."""
    text = unicodedata.normalize("NFKC", str(raw or "")).upper()
    return re.sub(r"[^0-9A-Z]", "", text)[:20]


def verified(building_id: int | None, unit, phone) -> UnitContact | None:
    """The active contact of the unit in `building_id` with this phone; None when the desk knows no such phone."""
    key, number = unit_key(unit), rules.normalize_phone(phone)
    if not building_id or not key or not rules.phone_valid(number):
        return None
    return db.session.scalar(select(UnitContact).where(
        UnitContact.building_id == building_id, UnitContact.unit_key == key, UnitContact.phone == number,
        UnitContact.active.is_(True)))


def add_contact(actor: User, site_id: int, values: dict, *, now: datetime) -> UnitContact:
    """Register a resident's phone for a unit from form strings (building, unit, name, phone)."""
    site = get_site(actor, site_id, *EDIT_ROLES)
    errors: dict[str, str] = {}
    raw_building = str(values.get("building") or "")
    building = db.session.get(Building, int(raw_building)) if raw_building.isdigit() else None
    if building is None or building.site_id != site.id:
        errors["building"] = _("请选择本小区的楼栋。")
    unit = check_text(values.get("unit"), errors, "unit", 20, required=_("请填写单元/房号。"))
    if unit and not unit_key(unit) and "unit" not in errors:
        errors["unit"] = _("房号须含数字或字母，例如 2单元301。")
    name = check_text(values.get("name"), errors, "name", 40)
    phone = check_phone(values.get("phone"), errors, "phone", required=True)
    if not errors and verified(building.id, unit, phone) is not None:
        errors["phone"] = _("这个手机号已登记在该房号。")
    if errors:
        raise FieldErrors(errors)
    contact = UnitContact(site_id=site.id, building_id=building.id, unit=unit, unit_key=unit_key(unit), name=name,
                          phone=phone, created_by_id=actor.id, created_at=now)
    db.session.add(contact)
    db.session.flush()
    log_admin_change(actor, site.id, _("住户登记 %(b)s %(u)s", b=building.name, u=unit), None,
                     {"name": mask_name(name), "phone": mask_phone(phone)}, now=now)
    return contact


def remove_contact(actor: User, contact_id: int, *, now: datetime) -> UnitContact:
    contact = db.session.get(UnitContact, contact_id)
    if contact is None or contact.site_id not in actor.site_ids(*EDIT_ROLES):
        raise NotFound(_("找不到这条住户登记。"))
    contact.active = False
    db.session.flush()
    log_admin_change(actor, contact.site_id, _("住户登记 %(b)s %(u)s", b=contact.building.name, u=contact.unit),
                     {"phone": mask_phone(contact.phone)}, None, now=now)
    return contact


def site_contacts(viewer: User, site_id: int) -> list[UnitContact]:
    site = get_site(viewer, site_id, *EDIT_ROLES)
    return list(db.session.scalars(select(UnitContact).where(UnitContact.site_id == site.id,
                                                             UnitContact.active.is_(True))
                                   .order_by(UnitContact.building_id, UnitContact.unit_key, UnitContact.id)))
