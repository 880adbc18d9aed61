"""The import's equipment sheet (设备, issue 18 / 15): preview each row against the site's register and store
it through the checks package's services (`checks.equipment.add_equipment`, `update_equipment`,
`set_status`), the same ones as 设备与检查计划, so every change lands in the admin change log.

Rows are matched by 设备编号; an empty optional cell keeps the stored value (a new piece gets the default:
in service, a hydrant box's expected extinguishers from its building's floors, P7). The type's attributes
are checked by the register's own rule (`clean_attrs`): an extinguisher needs an expiry date within 15
years of today; its errors land on their column. Pieces absent from the sheet are listed, never removed.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.checks import equipment as register
from wuye_field.checks.models import IN_SERVICE, REMOVED, Equipment
from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.onboarding import schema
from wuye_field.onboarding.preview import Preview, SheetPreview, _duplicates, _finish, _labels, _Row, _sheet_start
from wuye_field.onboarding.reading import RawSheet
from wuye_field.places.models import Building, Place, Site
from wuye_field.places.services import PLACE_CODE_RE

# The register's error codes → the sheet's column (the rest: the type column).
ATTR_COLUMNS = {"bad_agent": "agent", "bad_capacity": "capacity", "bad_expiry": "expiry", "bad_expected": "expected"}
RAW_ATTRS = {"agent": "agent", "capacity": "capacity", "expiry": "expiry", "expected": "expected_extinguishers"}


def _choice(row: _Row, key: str, labels: dict[str, str]) -> str | None:
    text = row.get(key)
    if not text:
        return None
    if text not in labels:
        row.error(key, _("须为 %(choices)s 之一，不能是“%(value)s”。", choices="、".join(labels), value=text[:20]))
        return None
    return labels[text]


def _before(piece: Equipment | None, place_codes: dict[int, str], building_names: dict[int, str]) -> dict | None:
    if piece is None:
        return None
    return {"name": piece.name, "type": piece.type, "place": place_codes.get(piece.place_id, ""),
            "building": building_names.get(piece.building_id, ""), "floor": piece.floor or "",
            "attrs": dict(piece.attrs or {}), "status": piece.status}


def _equipment_row(row: _Row, site: Site, stored: dict[str, Equipment], places: set[str], buildings: set[str],
                   known: dict[str, Building], before: dict | None) -> dict:
    code = row.get("code").upper()
    if not PLACE_CODE_RE.match(code):
        row.error("code", _("设备编号须为 1–16 位大写字母、数字或 -，不能是“%(value)s”。", value=code[:20] or _("空")))
    piece = stored.get(code)
    type_code = _choice(row, "type", schema.type_labels())
    if type_code is None and not row.get("type"):
        row.error("type", _("请填写设备类型。"))
    name = row.text("name", 60, required=True)
    place = row.get("place").upper()
    if place and place not in places:
        row.error("place", _("地点“%(code)s”不存在。", code=place[:20]))
    building = row.text("building", 40)
    if building and building not in buildings:
        row.error("building", _("楼栋“%(name)s”不存在。", name=building))
    floor = row.text("floor", 10)
    agent = _choice(row, "agent", schema.agent_labels())
    status = _choice(row, "status", schema.status_labels())
    old = before or {}
    raw = {RAW_ATTRS[k]: row.get(k) for k in RAW_ATTRS if row.get(k)}
    if agent:
        raw["agent"] = agent
    file_attrs = dict(raw)  # what the row itself says: a new hydrant box's count comes from its building
    attrs: dict = {}
    if type_code and not row.plan.errors:
        merged = {k: str(v) for k, v in old.get("attrs", {}).items()} | raw if old.get("type") == type_code else raw
        where = known.get(building or old.get("building", "")) or (piece.building if piece else None)
        try:
            attrs = register.clean_attrs(type_code, merged, building=where, site_id=site.id, now=utcnow(),
                                         tz=site.timezone)
        except DomainError as exc:
            row.error(ATTR_COLUMNS.get(exc.code, "type"), exc.message)
    row.plan.key, row.plan.target_id = code, piece.id if piece else None
    row.plan.values["file_attrs"] = file_attrs
    return {"name": name, "type": type_code, "place": place or old.get("place", ""),
            "building": building or old.get("building", ""),
            "floor": floor if row.has("floor") else old.get("floor", ""),
            "attrs": attrs, "status": status or old.get("status", IN_SERVICE)}


def preview_equipment(site: Site, raw: RawSheet, file_places: set[str], file_buildings: set[str]) -> SheetPreview:
    preview = _sheet_start(raw)
    stored = {e.code: e for e in db.session.scalars(select(Equipment).where(Equipment.site_id == site.id))}
    place_codes = dict(db.session.execute(select(Place.id, Place.code).where(Place.site_id == site.id)).all())
    known = {b.name: b for b in db.session.scalars(select(Building).where(Building.site_id == site.id))}
    building_names = {b.id: name for name, b in known.items()}
    places, buildings = set(place_codes.values()) | file_places, set(known) | file_buildings
    seen: dict[str, int] = {}
    for number, values in raw.rows:
        row = _Row(raw, number, values)
        piece = stored.get(row.get("code").upper())
        before = _before(piece, place_codes, building_names)
        after = _equipment_row(row, site, stored, places, buildings, known, before)
        _duplicates(row, seen, row.plan.key, "code")
        file_attrs = row.plan.values.get("file_attrs", {})
        _finish(row.plan, before, after, _labels(raw.spec) | {"attrs": _("属性")})
        row.plan.values["file_attrs"] = file_attrs
        preview.rows.append(row.plan)
    preview.absent = sorted(code for code, e in stored.items() if e.status != REMOVED and code not in seen)
    return preview


def apply_equipment(actor: User, preview: Preview, *, now) -> list[tuple[str, int]]:
    """Store the sheet's create and update rows: (action, equipment id) for each. Raises what the register
    raises (the caller rolls the whole import back)."""
    sheet = preview.sheet("equipment")
    if sheet is None:
        return []
    site = preview.site
    places = dict(db.session.execute(select(Place.code, Place.id).where(Place.site_id == site.id)).all())
    buildings = dict(db.session.execute(select(Building.name, Building.id).where(Building.site_id == site.id)).all())
    done = []
    for plan in (r for r in sheet.rows if r.action in ("create", "update")):
        values = plan.values
        attrs = values["file_attrs"] if plan.target_id is None else values["attrs"]
        form = {"code": plan.key, "name": values["name"], "type": values["type"],
                "place_id": str(places.get(values["place"], "")),
                "building_id": str(buildings.get(values["building"], "")), "floor": values["floor"]}
        form |= {k: str(v) for k, v in attrs.items()}
        if plan.target_id is None:
            piece = register.add_equipment(actor, site.id, form, now=now)
        else:
            piece = register.update_equipment(actor, plan.target_id, form, now=now)
        if values["status"] != piece.status:
            register.set_status(actor, piece.id, values["status"], _("导入"), now=now)
        done.append((plan.action, piece.id))
    return done
