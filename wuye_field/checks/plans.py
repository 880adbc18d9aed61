"""Check plans: the defaults per site, which equipment a plan covers, its frequency over time.

A plan's frequency is effective-dated (`audit.settings_history`, subject "check_plan", name
"checks.frequency"): a change starts now or later and earlier windows keep the frequency they had.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import SettingChange, change_setting, timelines
from wuye_field.checks import schedule
from wuye_field.checks.defaults import DEFAULT_PLANS, METERS, PLAN_KINDS, PLAN_ROLES, TYPES
from wuye_field.checks.models import REMOVED, CheckPlan, Equipment
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Building

SUBJECT, FREQUENCY = "check_plan", "checks.frequency"
MANAGERS = ("admin", "supervisor")


def ensure_default_plans(site_id: int, *, actor: User | None, now: datetime) -> list[CheckPlan]:
    """Create the site's default plans that are missing (P7, W11, W8); return all its plans."""
    have = set(db.session.scalars(select(CheckPlan.key).where(CheckPlan.site_id == site_id)))
    for key, spec in DEFAULT_PLANS.items():
        if key in have:
            continue
        db.session.add(CheckPlan(
            site_id=site_id, key=key, name=str(spec["name"]), kind=spec["kind"], equipment_types=list(spec["types"]),
            equipment_ids=[], items=spec["items"], role=spec["role"], frequency=dict(spec["frequency"]),
            orders_ahead_days=spec.get("ahead", 0), order_category=spec.get("category", "fire"), active=True,
            meter_trigger=spec.get("meter_trigger"),
            created_by_id=getattr(actor, "id", None), created_at=now))
    db.session.flush()
    return site_plans(site_id)


def site_plans(site_id: int, *, active_only: bool = False) -> list[CheckPlan]:
    query = select(CheckPlan).where(CheckPlan.site_id == site_id)
    if active_only:
        query = query.where(CheckPlan.active.is_(True))
    return list(db.session.scalars(query.order_by(CheckPlan.id)))


def covers(plan: CheckPlan, equipment) -> bool:
    """Whether the plan asks for checks of this piece (by list, else by type and building)."""
    return bool(covered(plan, [equipment], include_removed=True))


def covered(plan: CheckPlan, pieces: Iterable, *, include_removed: bool = False) -> list:
    """The pieces (objects or light rows) the plan covers: by list, else by type and building; not removed."""
    site_id, ids, building_id = plan.site_id, set(plan.equipment_ids or ()), plan.building_id
    types = set(plan.equipment_types or ())
    out = []
    for e in pieces:
        if e.site_id != site_id or (e.status == REMOVED and not include_removed):
            continue
        if ids:
            if e.id in ids:
                out.append(e)
        elif (not types or e.type in types) and (building_id is None or building_id == e.building_id):
            out.append(e)
    return out


def items_for(plan: CheckPlan, equipment: Equipment) -> list[dict]:
    """The plan's checklist items that apply to this piece's type."""
    return [item for item in plan.items if not item.get("types") or equipment.type in item["types"]]


def can_do(user: User, plan: CheckPlan) -> bool:
    """Guards do fire checks, technicians upkeep, supervisors the supervisory check (and may do any)."""
    if plan.assignee_id is not None and plan.assignee_id == user.id:
        return True
    return plan.site_id in user.site_ids(plan.role, "supervisor")


def frequency_changes(plans: list[CheckPlan]) -> dict[int, list[tuple[datetime, schedule.Frequency | None]]]:
    """Each plan's frequency over time, [(from, frequency or None when off)], from one query.

    A plan never changed has its frequency from its creation; its first change writes that down first
    (`_record_first`), so the timeline is complete."""
    if not plans:
        return {}
    lines = timelines(plans[0].site_id, SUBJECT, FREQUENCY, subject_ids=[p.id for p in plans])
    out = {}
    for plan in plans:
        line = lines.get(plan.id)
        if line is None:
            out[plan.id] = [(as_utc(plan.created_at), _freq(plan.frequency) if plan.active else None)]
        else:
            out[plan.id] = [(since, _freq(value)) for since, value in zip(line.starts, line.values, strict=True)]
    return out


def _record_first(actor: User | None, plan: CheckPlan, now: datetime) -> None:
    """Before a plan's first change, write down the frequency it has had since its creation (the value in
    force then, not a change: no admin-log entry), so the timeline keeps the old period."""
    db.session.add(SettingChange(site_id=plan.site_id, subject=SUBJECT, subject_id=plan.id, name=FREQUENCY,
                                 value=plan.frequency, effective_from=as_utc(plan.created_at), recorded_at=now,
                                 recorded_by_id=getattr(actor, "id", None)))
    db.session.flush()


def _freq(value) -> schedule.Frequency | None:
    if not value:
        return None
    try:
        return schedule.Frequency.from_dict(value)
    except schedule.NeverDue:
        return None


def parse_frequency(values: dict) -> schedule.Frequency:
    """A frequency from a form; DomainError (Chinese) when it would never fall due."""
    try:
        return schedule.Frequency.from_dict({k: v for k, v in values.items() if v not in (None, "")})
    except schedule.NeverDue as exc:
        raise DomainError(_("这个频率永远不会到期（日期、星期或时间不对），请检查。"), status=422,
                          code="never_due") from exc


def parse_trigger(raw: dict | None) -> dict | None:
    """A meter trigger from a form: a known meter and one positive `every`, or an `above` / `below` number."""
    if not raw:
        return None
    message = _("按读数触发的设置无效：请选择表并填写间隔或上下限。")
    if raw.get("meter") not in METERS:
        raise DomainError(message, status=422, code="bad_trigger")
    out: dict = {"meter": raw["meter"]}
    for name in ("every", "above", "below"):
        text = str(raw.get(name) or "").strip()
        if text:
            try:
                out[name] = float(text)
            except ValueError as exc:
                raise DomainError(message, status=422, code="bad_trigger") from exc
    if len(out) != 2 or out.get("every", 1) <= 0:
        raise DomainError(message, status=422, code="bad_trigger")
    return out


def get_plan(user: User, plan_id: int, *roles: str) -> CheckPlan:
    plan = db.session.get(CheckPlan, plan_id)
    if plan is None or plan.site_id not in user.site_ids(*roles):
        raise NotFound(_("检查计划不存在，或您无权查看。"))
    return plan


def change_frequency(actor: User, plan_id: int, values: dict, *, now: datetime,
                     effective_from: datetime | None = None) -> CheckPlan:
    """Change a plan's frequency (from now, or a later start); earlier windows keep the old one."""
    plan = get_plan(actor, plan_id, *MANAGERS)
    freq = parse_frequency(values)
    if not timelines(plan.site_id, SUBJECT, FREQUENCY, subject_ids=[plan.id]):
        _record_first(actor, plan, now)
    change_setting(actor, plan.site_id, SUBJECT, FREQUENCY, freq.as_dict(), now=now, effective_from=effective_from,
                   subject_id=plan.id, default=plan.frequency, label=f"{_('检查计划')} {plan.name} {_('频率')}")
    if effective_from is None or as_utc(effective_from) <= as_utc(now):
        plan.frequency = freq.as_dict()
    db.session.flush()
    return plan


def items_from_lines(text: str) -> list[dict]:
    """Checklist items typed one a line (each an "as expected" item)."""
    lines = [line.strip()[:60] for line in (text or "").splitlines() if line.strip()][:20]
    return [{"key": f"i{n}", "label": line, "kind": "ok", "types": []} for n, line in enumerate(lines, 1)]


def create_plan(actor: User, site_id: int, values: dict, *, now: datetime,
                building_raw: str | None = None) -> CheckPlan:
    """A plan of the site's own: refused (Chinese) without equipment, with a frequency that never falls due."""
    if site_id not in actor.site_ids(*MANAGERS):
        raise NotFound(_("小区不存在，或您无权查看。"))
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 60:
        raise DomainError(_("请填写计划名称（最多 60 字）。"), status=422, code="bad_name")
    types = [t for t in values.get("types", []) if t in TYPES]
    ids = [int(i) for i in values.get("equipment_ids", []) if str(i).isdigit()]
    role = values.get("role", "guard")
    if role not in PLAN_ROLES:
        raise DomainError(_("请选择由谁检查。"), status=422, code="bad_role")
    freq = parse_frequency(values.get("frequency", {}))
    trigger = parse_trigger(values.get("meter_trigger"))
    building_id = None
    if str(building_raw or "").strip():
        building = db.session.get(Building, int(building_raw)) if str(building_raw).strip().isdigit() else None
        if building is None or building.site_id != site_id:
            raise DomainError(_("请选择本小区的楼栋。"), status=422, code="bad_building")
        building_id = building.id
    kind = values.get("kind") or "fire"
    if kind not in PLAN_KINDS:
        raise DomainError(_("请选择计划类别。"), status=422, code="bad_kind")
    plan = CheckPlan(site_id=site_id, key="", name=name, kind=kind, equipment_types=types,
                     meter_trigger=trigger, building_id=building_id,
                     equipment_ids=ids, items=values.get("items") or [], role=role, frequency=freq.as_dict(),
                     orders_ahead_days=0, order_category="other", active=True, created_by_id=actor.id, created_at=now)
    pieces = list(db.session.scalars(select(Equipment).where(Equipment.site_id == site_id)))
    if not covered(plan, pieces):
        raise DomainError(_("这个计划没有覆盖任何设备：请选择设备类型、楼栋或具体设备。"), status=422,
                          code="no_equipment")
    if not plan.items:
        plan.items = [{"key": "ok", "label": _("正常"), "kind": "ok", "types": []}]
    db.session.add(plan)
    db.session.flush()
    log_admin_change(actor, site_id, f"{_('新建检查计划')} {plan.name}", None,
                     {"types": types, "equipment_ids": ids, "role": role, "frequency": plan.frequency,
                      "meter_trigger": trigger}, now=now)
    return plan
