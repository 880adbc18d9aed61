"""A place's inspection checklist (config): the standard items per category (P3–P7) and the
admin's edits of a place's items. Every edit goes to the admin log."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.patrol.models import CHECK_CATEGORIES, ITEM_KINDS, ChecklistItem
from wuye_field.places.models import Place
from wuye_field.places.services import admin_place

LABEL_MAX = 80
UNIT_MAX = 12


@dataclass(frozen=True)
class StandardItem:
    """One line of a standard checklist: a check, or a reading with its unit and expected range."""

    label: str
    kind: str = "check"
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None


# The standard checklist per category, from P3 (warning signs), P4 (parking), P5 (security, fire,
# anti-theft doors), P7 (fire equipment: extinguishers, hydrants, exits, emergency lights) and W8 (lighting).
STANDARD_CHECKLISTS: dict[str, tuple[StandardItem, ...]] = {
    "security": (
        StandardItem(_l("无可疑人员、无异常情况")),
        StandardItem(_l("无盗窃、破坏痕迹")),
    ),
    "fire": (
        StandardItem(_l("灭火器在位且压力正常")),
        StandardItem(_l("消火栓箱完好、水带齐全")),
        StandardItem(_l("消防通道、安全出口畅通")),
        StandardItem(_l("应急灯、疏散指示完好")),
        StandardItem(_l("消火栓压力"), "reading", "MPa", 0.1, 0.4),
    ),
    "doors": (
        StandardItem(_l("防盗门已关闭上锁")),
        StandardItem(_l("门窗关闭完好")),
    ),
    "lighting": (
        StandardItem(_l("照明灯具正常")),
    ),
    "signs": (
        StandardItem(_l("警示标志齐全、清晰")),
        StandardItem(_l("危险区域围挡完好")),
    ),
    "parking": (
        StandardItem(_l("车辆停放在指定位置")),
        StandardItem(_l("消防通道无车辆占用")),
    ),
}


def place_checklist(place_id: int, *, include_inactive: bool = False) -> list[ChecklistItem]:
    """A place's checklist items in order (active ones unless asked)."""
    query = select(ChecklistItem).where(ChecklistItem.place_id == place_id)
    if not include_inactive:
        query = query.where(ChecklistItem.active.is_(True))
    return list(db.session.scalars(query.order_by(ChecklistItem.position, ChecklistItem.id)))


def item_values(item: ChecklistItem) -> dict:
    """An item as the admin log records it."""
    return {"category": item.category, "label": item.label, "kind": item.kind, "unit": item.unit,
            "min_value": item.min_value, "max_value": item.max_value, "active": item.active}


def _number(raw, name: str, errors: dict[str, str]) -> float | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors[name] = _("请填写数字。")
        return None
    return value


def clean_item_values(values: dict) -> tuple[dict, dict[str, str]]:
    """Normalise raw form values (category, label, kind, unit, min_value, max_value): (clean, field errors).

    A reading needs a unit and at least one bound; min ≤ max.
    """
    errors: dict[str, str] = {}
    category = str(values.get("category") or "")
    label = clean_text(values.get("label"))
    kind = str(values.get("kind") or "check")
    unit = clean_text(values.get("unit"))
    if category not in CHECK_CATEGORIES:
        errors["category"] = _("请选择类别。")
    if not label:
        errors["label"] = _("请填写检查项目。")
    elif len(label) > LABEL_MAX:
        errors["label"] = _("检查项目最多 %(n)d 个字。", n=LABEL_MAX)
    elif message := text_problem(values.get("label")):
        errors["label"] = message
    if kind not in ITEM_KINDS:
        errors["kind"] = _("请选择检查方式。")
    low = _number(values.get("min_value"), "min_value", errors)
    high = _number(values.get("max_value"), "max_value", errors)
    if kind == "reading":
        if not unit:
            errors["unit"] = _("读数须填写单位。")
        elif len(unit) > UNIT_MAX:
            errors["unit"] = _("单位最多 %(n)d 个字。", n=UNIT_MAX)
        if low is None and high is None and "min_value" not in errors and "max_value" not in errors:
            errors["min_value"] = _("读数须填写正常范围（最小值或最大值）。")
        if low is not None and high is not None and low > high:
            errors["max_value"] = _("最大值不能小于最小值。")
    else:
        unit, low, high = "", None, None
    clean = {"category": category, "label": label, "kind": kind, "unit": unit, "min_value": low, "max_value": high}
    return clean, errors


def _next_position(place_id: int) -> int:
    return (db.session.scalar(select(func.max(ChecklistItem.position)).where(ChecklistItem.place_id == place_id))
            or 0) + 1


def add_item(actor: User, place_id: int, values: dict) -> ChecklistItem:
    """Add an item to a place's checklist (admins of its site); FieldErrors on bad input, NotFound if foreign."""
    place = admin_place(actor, place_id)
    clean, errors = clean_item_values(values)
    if errors:
        raise FieldErrors(errors)
    item = ChecklistItem(site_id=place.site_id, place_id=place.id, position=_next_position(place.id), **clean)
    db.session.add(item)
    db.session.flush()
    log_admin_change(actor, place.site_id, _("检查项 %(code)s", code=place.code), None, item_values(item), now=utcnow())
    return item


def admin_item(actor: User, item_id: int) -> ChecklistItem:
    """A checklist item of a place the actor administers; NotFound otherwise."""
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound(_("检查项不存在，或您无权查看。"))
    admin_place(actor, item.place_id)
    return item


def update_item(actor: User, item_id: int, values: dict) -> ChecklistItem:
    """Change an item (answers already given keep pointing at it); FieldErrors on bad input."""
    item = admin_item(actor, item_id)
    clean, errors = clean_item_values(values)
    if errors:
        raise FieldErrors(errors)
    before = item_values(item)
    for key, value in clean.items():
        setattr(item, key, value)
    db.session.flush()
    if before != item_values(item):
        log_admin_change(actor, item.site_id, _("检查项 %(label)s", label=item.label), before, item_values(item),
                         now=utcnow())
    return item


def set_item_active(actor: User, item_id: int, active: bool) -> ChecklistItem:
    """Remove an item from the checklist (kept: old answers refer to it) or put it back."""
    item = admin_item(actor, item_id)
    if item.active != active:
        before = item_values(item)
        item.active = active
        db.session.flush()
        log_admin_change(actor, item.site_id, _("检查项 %(label)s", label=item.label), before, item_values(item),
                         now=utcnow())
    return item


def apply_standard(actor: User, place_id: int, categories: list[str] | tuple[str, ...]) -> list[ChecklistItem]:
    """Add the standard items of `categories` that the place's active checklist lacks (by label).

    Returns the items added; FieldErrors when no valid category was chosen.
    """
    place = admin_place(actor, place_id)
    return add_standard_items(place, categories, actor=actor)


def add_standard_items(place: Place, categories, *, actor: User | None = None) -> list[ChecklistItem]:
    """The work of `apply_standard` without the access check (the demo loader uses it too)."""
    chosen = [c for c in categories if c in STANDARD_CHECKLISTS]
    if not chosen:
        raise FieldErrors({"categories": _("请选择至少一个类别。")})
    have = {item.label for item in place_checklist(place.id)}
    position = _next_position(place.id)
    added = []
    for category in chosen:
        for standard in STANDARD_CHECKLISTS[category]:
            label = str(standard.label)
            if label in have:
                continue
            item = ChecklistItem(site_id=place.site_id, place_id=place.id, category=category, label=label,
                                 kind=standard.kind, unit=standard.unit, min_value=standard.min_value,
                                 max_value=standard.max_value, position=position)
            position += 1
            have.add(label)
            db.session.add(item)
            added.append(item)
    db.session.flush()
    if added and actor is not None:
        log_admin_change(actor, place.site_id, _("检查项 %(code)s", code=place.code), None,
                         {"standard": chosen, "added": [i.label for i in added]}, now=utcnow())
    return added


def range_text(item: ChecklistItem) -> str:
    """「0.1–0.4 MPa」, 「≥ 0.1 MPa」 or 「≤ 0.4 MPa」 for a reading; "" for a check."""
    if item.kind != "reading":
        return ""
    low, high = _fmt(item.min_value), _fmt(item.max_value)
    if low and high:
        return f"{low}–{high} {item.unit}"
    return f"≥ {low} {item.unit}" if low else f"≤ {high} {item.unit}"


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
