"""The scoring sheet (A5): the default sheet for an estate, every number in one place, and each site's
own sheet, effective-dated as ONE JSON value (subject "site", name "assessment.sheet") through
`audit.settings_history`: a month is scored with the sheet in force at its last moment.

Points per unit of evidence are the product's proposal (the manual names the items, not the points per
missed window); a site changes them on 考核评分表 (`/assessment/sheet`). The inspection part's maximum
points add up to 100; satisfaction is the survey part (A2), not a line of this sheet. Complaint items
deduct double (A3), applied by `scoring`, so the points here are the single ones.
"""
from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wuye_field.assessment.inputs import Item, Rule, Sheet
from wuye_field.audit.settings_history import change_setting, value_at
from wuye_field.core.errors import FieldErrors

SUBJECT, NAME = "site", "assessment.sheet"
TOTAL = 100
FINDINGS_OPEN_DAYS = 7  # an inspection finding open longer than this is proposed as a deduction
GROUPS = {"public_hygiene": _l("公共卫生"), "repairs": _l("维修服务"), "security": _l("安全护卫"),
          "greening": _l("绿化"), "special_equipment": _l("特种设备"), "complaints": _l("投诉"),
          "own": _l("本小区自定项目")}

DEFAULT_SHEET = Sheet(items=(
    Item("hygiene", "public_hygiene", _l("公共卫生"), 20, (
        Rule("C.missed", _l("保洁任务漏做"), 1, "C1"),
        Rule("C.late", _l("保洁任务超时完成"), 0.5, "C1"),
    )),
    Item("repairs", "repairs", _l("维修服务"), 20, (
        Rule("W1.late", _l("工单未按时到场"), 1, "W1"),
        Rule("W3.late", _l("工单未按时完成"), 1, "W3"),
        Rule("W4.unvisited", _l("回访率未达标：未回访的完成工单"), 0.5, "W4"),
    )),
    Item("security", "security", _l("安全护卫"), 25, (
        Rule("P2.missed", _l("重点部位巡查漏巡"), 1, "P2"),
        Rule("P2.late", _l("重点部位巡查迟到"), 0.5, "P2"),
        Rule("P6.short", _l("楼宇巡查不足每班两次"), 0.5, "P6"),
        Rule("P1.uncovered", _l("岗位无人值守（岗位·天）"), 1, "P1"),
        Rule("H1.late", _l("交接班迟到"), 0.5, "H1"),
        Rule("H1.not_accepted", _l("交班无人接班"), 1, "H1"),
        Rule("P5.open", _l("巡查发现问题逾期未处理"), 0.5, "P5", limit=FINDINGS_OPEN_DAYS),
    )),
    Item("greening", "greening", _l("绿化"), 10),
    Item("equipment", "special_equipment", _l("特种设备"), 15, (
        Rule("P7.missed", _l("消防检查、计划保养逾期未做"), 1, "P7"),
        Rule("P7.late", _l("消防检查、计划保养超期完成"), 0.5, "P7"),
    )),
    Item("complaints", "complaints", _l("投诉"), 10, (
        Rule("W5.unanswered", _l("投诉未当天答复"), 1, "W5"),
        Rule("A3.complaint", _l("有效投诉"), 1, "A3"),
    )),
))
RULE_KEYS = {rule.key: rule for item in DEFAULT_SHEET.items for rule in item.rules}


def to_json(sheet: Sheet) -> dict:
    return {"items": [{**asdict(item), "name": str(item.name),
                       "rules": [{**asdict(rule), "label": str(rule.label)} for rule in item.rules]}
                      for item in sheet.items]}


def from_json(value: dict) -> Sheet:
    items = []
    for raw in value.get("items", []):
        rules = tuple(Rule(**{k: v for k, v in rule.items() if k in Rule.__dataclass_fields__})
                      for rule in raw.get("rules", []))
        items.append(Item(raw["code"], raw["group"], raw["name"], float(raw["max_points"]), rules))
    return Sheet(items=tuple(items))


def sheet_at(site_id: int, at: datetime) -> Sheet:
    """The site's sheet in force at `at` (the default until the site saves its own)."""
    value = value_at(site_id, SUBJECT, NAME, at)
    return DEFAULT_SHEET if value is None else from_json(value)


def _number(raw, field: str, errors: dict, low: float = 0, high: float = TOTAL) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        errors[field] = _("请填写数字。")
        return 0.0
    if not low <= value <= high:
        errors[field] = _("应在 %(low)s 到 %(high)s 之间。", low=low, high=high)
    return value


def edited_sheet(current: Sheet, form: dict) -> Sheet:
    """The sheet as the form changes it: each item's maximum (an own item also its name; maximum 0
    removes it), each rule's points, enabled flag and limit, and one new own item (`new_name`,
    `new_max`). FieldErrors (Chinese) on bad numbers or when the maxima do not add up to 100."""
    errors: dict[str, str] = {}
    items = []
    for item in current.items:
        top = _number(form.get(f"max_{item.code}", item.max_points), f"max_{item.code}", errors)
        name = (form.get(f"name_{item.code}") or "").strip()[:40] if item.group == "own" else item.name
        if item.group == "own" and top == 0:
            continue
        rules = tuple(replace(
            rule, points=_number(form.get(f"points_{rule.key}", rule.points), f"points_{rule.key}", errors, 0, 20),
            enabled=form.get(f"enabled_{rule.key}") == "on",
            limit=(_number(form.get(f"limit_{rule.key}"), f"limit_{rule.key}", errors, 1, 365)
                   if rule.limit is not None else None)) for rule in item.rules)
        items.append(Item(item.code, item.group, name or item.name, top, rules))
    new_name = (form.get("new_name") or "").strip()[:40]
    if new_name:
        top = _number(form.get("new_max", ""), "new_max", errors, 1)
        code = f"own{1 + sum(1 for i in current.items if i.group == 'own')}"
        while any(i.code == code for i in items):
            code += "x"
        items.append(Item(code, "own", new_name, top))
    total = round(sum(i.max_points for i in items), 2)
    if not errors and total != TOTAL:
        shown = f"{total:g}"
        errors["max_total"] = _("各项满分合计应为 100 分，现在是 %(n)s 分。", n=shown)
    if errors:
        raise FieldErrors(errors)
    return Sheet(items=tuple(items))


def save_sheet(actor, site_id: int, sheet: Sheet, *, now: datetime, effective_from: datetime | None):
    """Record the site's sheet from `effective_from` (None: now); logged in the admin change log."""
    return change_setting(actor, site_id, SUBJECT, NAME, to_json(sheet), now=now, effective_from=effective_from,
                          default=to_json(DEFAULT_SHEET), label=str(_l("考核评分表")))
