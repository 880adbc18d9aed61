"""Checks' settings pages (site admins and supervisors): the equipment register, plans and their frequency,
site settings (each change goes to the admin change log through `audit.settings_history`), the planned
orders job, and the two exports."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.accounts.models import User
from wuye_field.audit.settings_history import change_setting
from wuye_field.checks import equipment as register
from wuye_field.checks import exports, orders, pages
from wuye_field.checks import plans as plan_rules
from wuye_field.checks.blueprint import bp
from wuye_field.checks.defaults import AGENTS, PLAN_KINDS, SITE_SETTINGS, TYPES
from wuye_field.core.csv_export import csv_response, frozen_export, parse_date_range
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.htmx import render, see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.services import site_buildings, site_by_code_or_id
from wuye_field.places.models import Place, places_of_site

MANAGERS = pages.OVERSEERS


@dataclass
class AdminPage:
    site: object
    sites: list
    pieces: list
    plans: list
    places: list
    buildings: list
    settings: list[tuple[str, object, str]]
    types: list[tuple[str, str]] = field(default_factory=list)
    agents: list[tuple[str, str]] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def admin_page(user: User, site_id: int | None, *, now: datetime, errors=None, values=None) -> AdminPage:
    site, sites = pages.chosen_site(user, site_id)
    settings = [(name, register.site_setting(site.id, name, now), f"{label}（{std}）")
                for name, (_d, std, label) in SITE_SETTINGS.items()]
    return AdminPage(site, sites, register.site_equipment(site.id, include_removed=True),
                     plan_rules.site_plans(site.id), list(db.session.scalars(places_of_site(site.id))),
                     site_buildings(site), settings, [(k, str(v[0])) for k, v in TYPES.items()],
                     [(k, str(v)) for k, v in AGENTS.items()], errors or {}, values or {})


def _page(site_id: int | None, status: int = 200, **kwargs):
    view = admin_page(current_user, site_id, now=utcnow(), **kwargs)
    return render("checks/admin.html", "checks/_admin.html", status, view=view, kinds=PLAN_KINDS)


def _back(site_id: int):
    return see_other(url_for("checks.admin", site=site_id))


@bp.get("/checks/admin")
@login_required
@role_required(*MANAGERS)
def admin():
    """设备与检查计划: the register, the plans, the site settings."""
    return _page(request.args.get("site", type=int))


@bp.post("/checks/admin/equipment")
@login_required
@role_required(*MANAGERS)
def add_equipment():
    site_id = request.args.get("site", type=int) or 0
    try:
        register.add_equipment(current_user, site_id, request.form.to_dict(), now=utcnow())
        plan_rules.ensure_default_plans(site_id, actor=current_user, now=utcnow())
    except FieldErrors as exc:
        db.session.rollback()
        return _page(site_id, 422, errors=exc.errors, values=request.form.to_dict())
    except DomainError as exc:
        db.session.rollback()
        return _page(site_id, exc.status if exc.status >= 400 else 422, errors={"form": exc.message},
                     values=request.form.to_dict())
    db.session.commit()
    return _back(site_id)


@bp.post("/checks/admin/equipment/<int:equipment_id>/status")
@login_required
@role_required(*MANAGERS)
def equipment_status(equipment_id: int):
    piece = register.set_status(current_user, equipment_id, request.form.get("status", ""),
                                request.form.get("note", ""), now=utcnow())
    db.session.commit()
    return see_other(url_for("checks.equipment", equipment_id=piece.id))


@bp.post("/checks/admin/equipment/<int:equipment_id>/tag")
@login_required
@role_required(*MANAGERS)
def equipment_tag(equipment_id: int):
    """Give a piece its own QR tag; it is printed with the site's tag sheet (管理处 → 标签)."""
    place: Place = register.give_own_tag(current_user, equipment_id)
    db.session.commit()
    flash(_("已生成设备标签 %(code)s，可在小区的标签页打印。", code=place.code))
    return see_other(url_for("checks.equipment", equipment_id=equipment_id))


@bp.post("/checks/admin/plans/<int:plan_id>/frequency")
@login_required
@role_required(*MANAGERS)
def plan_frequency(plan_id: int):
    """Change a plan's frequency from now on (effective-dated: earlier windows keep the old one)."""
    plan = plan_rules.change_frequency(current_user, plan_id, request.form.to_dict(), now=utcnow())
    db.session.commit()
    return _back(plan.site_id)


@bp.post("/checks/admin/plans")
@login_required
@role_required(*MANAGERS)
def add_plan():
    """A plan of the site's own: equipment by type, building or list; checklist lines; who; how often."""
    site_id = request.args.get("site", type=int) or 0
    form = request.form
    values = {"name": form.get("name", ""), "kind": form.get("kind", "fire"), "role": form.get("role", ""),
              "types": form.getlist("types"), "equipment_ids": form.getlist("equipment_ids"),
              "items": plan_rules.items_from_lines(form.get("items", "")),
              "frequency": {k: form.get(k) for k in ("kind_freq", "every", "weekday", "month", "day", "due_time")},
              "meter_trigger": {k: form.get(f"trigger_{k}") for k in ("meter", "every", "above", "below")}
              if form.get("trigger_meter") else None}
    values["frequency"]["kind"] = values["frequency"].pop("kind_freq")
    try:
        plan_rules.create_plan(current_user, site_id, values, now=utcnow(), building_raw=form.get("building_id"))
    except DomainError as exc:
        db.session.rollback()
        return _page(site_id, exc.status if exc.status >= 400 else 422, errors={"plan": exc.message},
                     values=form.to_dict())
    db.session.commit()
    return _back(site_id)


@bp.post("/checks/admin/settings")
@login_required
@role_required(*MANAGERS)
def site_settings():
    """A site setting of checks (drill months, lighting target, order lead days, high-rise floors)."""
    site, _sites = pages.chosen_site(current_user, request.args.get("site", type=int))
    name, raw = request.form.get("name", ""), (request.form.get("value") or "").strip()
    if name not in SITE_SETTINGS:
        raise DomainError(_("没有这个设置。"), status=422, code="bad_setting")
    if not (raw.isdigit() and 1 <= int(raw) <= 1000):
        raise DomainError(_("请填写 1–1000 的整数。"), status=422, code="bad_value")
    change_setting(current_user, site.id, "site", name, int(raw), now=utcnow(), default=SITE_SETTINGS[name][0],
                   label=str(SITE_SETTINGS[name][2]))
    db.session.commit()
    return _back(site.id)


@bp.post("/checks/admin/orders")
@login_required
@role_required(*MANAGERS)
def planned_orders():
    """Raise the upkeep work orders due within their lead time now (the daily job does the same)."""
    site, _sites = pages.chosen_site(current_user, request.args.get("site", type=int))
    made = orders.raise_planned_orders(site, now=utcnow())
    db.session.commit()
    flash(_("已生成 %(n)d 张计划工单。", n=len(made)))
    return see_other(url_for("checks.board", site=site.id))


def export_checks():
    """`GET /export/checks.csv?site=<code>&date_from=…&date_to=…`."""
    first, last = parse_date_range(request.args.get("date_from"), request.args.get("date_to"))
    site = site_by_code_or_id(current_user, request.args.get("site"), *exports.EXPORTERS)
    text = frozen_export(site.id, "checks", first, last) or exports.checks_csv(site, first, last)  # closed: frozen
    return csv_response(text, f"checks-{site.code}-{first}-{last}.csv")


def export_equipment():
    """`GET /export/equipment.csv?site=<code>`: the register as it is today."""
    site = site_by_code_or_id(current_user, request.args.get("site"), *exports.EXPORTERS)
    return csv_response(exports.equipment_csv(site), f"equipment-{site.code}.csv")


bp.add_url_rule("/export/checks.csv", "export_checks",
                login_required(role_required(*exports.EXPORTERS)(export_checks)))
bp.add_url_rule("/export/equipment.csv", "export_equipment",
                login_required(role_required(*exports.EXPORTERS)(export_equipment)))
