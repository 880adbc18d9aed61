"""Patrol configuration for a site's 管理处: routes (ordered checkpoints, timings, random order) and each
checkpoint's checklist. Service functions first (plain values in, FieldErrors out), then the htmx pages
under /patrol/admin/…. Every edit goes to the admin log."""
from __future__ import annotations

from datetime import datetime

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from wuye_field.accounts.decorators import role_required
from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import change_setting, parse_effective_from
from wuye_field.core.errors import FieldErrors, NotFound, other_site
from wuye_field.core.htmx import render, see_other
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.patrol import checklists
from wuye_field.patrol.models import CHECK_CATEGORIES, ITEM_KINDS, Route, RouteStop
from wuye_field.patrol.rounds import ROUTE_LABELS, route_setting, route_timezone
from wuye_field.patrol.blueprint import bp
from wuye_field.places.models import Place, places_of_site
from wuye_field.places.services import admin_place, get_site

ADMIN = "admin"
ROUTE_FIELDS = ("name", "expected_minutes", "window_minutes", "min_seconds_between", "random_order", "active")
ITEM_FIELDS = ("category", "label", "kind", "unit", "min_value", "max_value")
LIMITS = {"expected_minutes": (1, 720), "window_minutes": (10, 1440), "min_seconds_between": (0, 3600)}
DEFAULTS = {"expected_minutes": 30, "window_minutes": 240, "min_seconds_between": 30}


# ---------------------------------------------------------------- services: routes


def site_routes(actor: User, site_id: int) -> list[Route]:
    """The routes of a site the actor administers (active first, by name); NotFound otherwise."""
    site = get_site(actor, site_id, ADMIN)
    routes = db.session.scalars(select(Route).where(Route.site_id == site.id).order_by(Route.name))
    return sorted(routes, key=lambda r: not r.active)


def admin_route(actor: User, route_id: int) -> Route:
    """A route on a site the actor administers; NotFound otherwise."""
    route = db.session.get(Route, route_id)
    if route is None or route.site_id not in actor.site_ids(ADMIN):
        raise NotFound(_("巡更路线不存在，或您无权查看。"), site_id=other_site(route, actor.site_ids(ADMIN)))
    return route


def route_values(route: Route) -> dict:
    """A route as the admin log records it (stops as place codes in order)."""
    return {"name": route.name, "expected_minutes": route.expected_minutes, "window_minutes": route.window_minutes,
            "min_seconds_between": route.min_seconds_between, "random_order": route.random_order,
            "active": route.active, "stops": [stop.place.code for stop in route.stops]}


def _whole(raw, name: str, errors: dict[str, str]) -> int:
    low, high = LIMITS[name]
    text = str(raw if raw is not None else "").strip()
    if not text:
        return DEFAULTS[name]
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        errors[name] = _("请填写 %(low)d–%(high)d 之间的整数。", low=low, high=high)
        return DEFAULTS[name]
    return int(text)


def clean_route_values(site_id: int, values: dict, *, route_id: int | None = None) -> tuple[dict, dict[str, str]]:
    """Normalise raw form values of a route: (clean values, field errors). Name unique per site, ≤ 60."""
    errors: dict[str, str] = {}
    name = clean_text(values.get("name"))
    if not name:
        errors["name"] = _("请填写路线名称。")
    elif len(name) > 60:
        errors["name"] = _("名称最多 %(n)d 个字。", n=60)
    elif message := text_problem(values.get("name")):
        errors["name"] = message
    else:
        query = select(Route.id).where(Route.site_id == site_id, Route.name == name)
        if route_id is not None:
            query = query.where(Route.id != route_id)
        if db.session.scalar(query) is not None:
            errors["name"] = _("本小区已有同名路线。")
    clean = {"name": name, **{key: _whole(values.get(key), key, errors) for key in LIMITS},
             "random_order": _truthy(values.get("random_order")), "active": _truthy(values.get("active"))}
    return clean, errors


def clean_stops(site_id: int, positions: dict[str, str]) -> tuple[list[int], dict[str, str]]:
    """The route's checkpoints in order from {place id: position typed} (blank = not on the route)."""
    checkpoints = {p.id for p in db.session.scalars(places_of_site(site_id, kind="checkpoint"))}
    chosen = []
    for raw_id, raw_pos in positions.items():
        text = str(raw_pos or "").strip()
        if not text:
            continue
        if not (raw_id.isdigit() and int(raw_id) in checkpoints):
            return [], {"stops": _("请选择本小区的巡更点。")}
        if not (text.isascii() and text.isdigit()):
            return [], {"stops": _("顺序须为整数。")}
        chosen.append((int(text), int(raw_id)))
    if not chosen:
        return [], {"stops": _("请至少选择一个巡更点（填写顺序号）。")}
    return [pid for _pos, pid in sorted(chosen)], {}


def _truthy(value) -> bool:
    return str(value or "").lower() in {"1", "on", "true", "yes"}


def save_route(actor: User, site_id: int, values: dict, positions: dict[str, str], *,
               route_id: int | None = None, now: datetime | None = None,
               effective_from: datetime | None = None) -> Route:
    """Create (route_id None) or update a route and its ordered stops; FieldErrors on bad input.

    An existing route's window and stops change from `effective_from` (default now, never earlier): a
    round started before keeps the window and stops in force then (P2); the columns and stop rows follow
    at once unless the change is scheduled for later."""
    site = get_site(actor, site_id, ADMIN)
    route = admin_route(actor, route_id) if route_id is not None else None
    clean, errors = clean_route_values(site.id, values, route_id=route_id)
    stops, stop_errors = clean_stops(site.id, positions)
    errors |= stop_errors
    if errors:
        raise FieldErrors(errors)
    now = now or utcnow()
    before = route_values(route) if route is not None else None
    immediate = route is None or effective_from is None or effective_from <= now
    if route is None:
        route = Route(site_id=site.id, **clean)
        db.session.add(route)
    else:
        dated = {"window_minutes": clean.pop("window_minutes"), "stops": stops}
        for name, value in dated.items():
            change_setting(actor, site.id, "route", name, value, subject_id=route.id, now=now,
                           effective_from=effective_from, default=route_setting(route, name),
                           label=_("巡更路线 %(name)s %(what)s", name=route.name, what=str(ROUTE_LABELS[name])))
        if immediate:
            route.window_minutes = dated["window_minutes"]
        for key, value in clean.items():
            setattr(route, key, value)
    if immediate:
        route.stops.clear()
        db.session.flush()
        for position, place_id in enumerate(stops, start=1):
            route.stops.append(RouteStop(place_id=place_id, position=position))
    db.session.flush()
    db.session.refresh(route)
    after = route_values(route)
    if before is not None:  # window and stops were logged by change_setting, with their start
        before, after = ({k: v for k, v in d.items() if k not in ROUTE_LABELS} for d in (before, after))
    if before != after:
        log_admin_change(actor, site.id, _("巡更路线 %(name)s", name=route.name), before, after, now=now)
    return route


# ---------------------------------------------------------------- pages: routes


def _positions() -> dict[str, str]:
    return {key.removeprefix("stop-"): value for key, value in request.form.items() if key.startswith("stop-")}


def _route_form(site_id: int, route: Route | None, *, values=None, positions=None, errors=None, saved=False,
                status: int = 200):
    site = get_site(current_user, site_id, ADMIN)
    checkpoints = list(db.session.scalars(places_of_site(site.id, kind="checkpoint")))
    if values is None:
        values = route_values(route) if route else {**DEFAULTS, "name": "", "random_order": False, "active": True}
    if positions is None:
        positions = {str(stop.place_id): str(stop.position) for stop in route.stops} if route else {}
    return render("patrol/admin_route.html", "patrol/_admin_route_form.html", status=status, site=site, route=route,
                  checkpoints=checkpoints, values=values, positions=positions, errors=errors or {}, saved=saved,
                  routes=site_routes(current_user, site.id))


@bp.get("/admin/sites/<int:site_id>/routes")
@login_required
@role_required("admin")
def admin_routes(site_id: int):
    """A site's routes and the form for a new one."""
    return _route_form(site_id, None)


@bp.post("/admin/sites/<int:site_id>/routes")
@login_required
@role_required("admin")
def admin_route_create(site_id: int):
    """Create a route; a bad value re-renders the form with the messages."""
    try:
        route = save_route(current_user, site_id, request.form, _positions())
    except FieldErrors as exc:
        return _route_form(site_id, None, values=dict(request.form), positions=_positions(), errors=exc.errors)
    db.session.commit()
    return see_other(url_for("patrol.admin_route_edit", route_id=route.id))


@bp.route("/admin/routes/<int:route_id>", methods=["GET", "POST"])
@login_required
@role_required("admin")
def admin_route_edit(route_id: int):
    """Edit a route: name, timings, random order, its checkpoints and their order."""
    route = admin_route(current_user, route_id)
    if request.method == "GET":
        return _route_form(route.site_id, route)
    try:
        now = utcnow()
        start = parse_effective_from(request.form.get("effective_from"), route_timezone(route), now=now)
        save_route(current_user, route.site_id, request.form, _positions(), route_id=route.id, now=now,
                   effective_from=start)
    except FieldErrors as exc:
        return _route_form(route.site_id, route, values=dict(request.form), positions=_positions(), errors=exc.errors)
    db.session.commit()
    return _route_form(route.site_id, route, saved=True)


# ---------------------------------------------------------------- pages: checklists


def _checklist_page(place: Place, *, values=None, errors=None, saved=False):
    return render("patrol/admin_checklist.html", "patrol/_admin_checklist.html", place=place,
                  items=checklists.place_checklist(place.id, include_inactive=True), categories=CHECK_CATEGORIES,
                  kinds=ITEM_KINDS, standard=checklists.STANDARD_CHECKLISTS, range_text=checklists.range_text,
                  values=values or {"category": "fire", "kind": "check"}, errors=errors or {}, saved=saved,
                  checkpoints=list(db.session.scalars(places_of_site(place.site_id, kind="checkpoint"))))


@bp.get("/admin/places/<int:place_id>/checklist")
@login_required
@role_required("admin")
def admin_checklist(place_id: int):
    """A checkpoint's checklist: its items, the form for a new one, 「套用标准清单」."""
    return _checklist_page(admin_place(current_user, place_id))


@bp.post("/admin/places/<int:place_id>/checklist")
@login_required
@role_required("admin")
def admin_checklist_add(place_id: int):
    """Add an item (a check, or a reading with unit and range)."""
    place = admin_place(current_user, place_id)
    values = {key: request.form.get(key, "") for key in ITEM_FIELDS}
    try:
        checklists.add_item(current_user, place.id, values)
    except FieldErrors as exc:
        return _checklist_page(place, values=values, errors=exc.errors)
    db.session.commit()
    return _checklist_page(place, saved=True)


@bp.post("/admin/places/<int:place_id>/checklist/standard")
@login_required
@role_required("admin")
def admin_checklist_standard(place_id: int):
    """Add the standard items of the chosen categories that the place lacks."""
    place = admin_place(current_user, place_id)
    try:
        checklists.apply_standard(current_user, place.id, request.form.getlist("categories"))
    except FieldErrors as exc:
        return _checklist_page(place, errors=exc.errors)
    db.session.commit()
    return _checklist_page(place, saved=True)


@bp.post("/admin/checklist/<int:item_id>/active")
@login_required
@role_required("admin")
def admin_checklist_item_active(item_id: int):
    """Take an item off the checklist (kept for old answers) or put it back."""
    item = checklists.set_item_active(current_user, item_id, request.form.get("active") == "1")
    db.session.commit()
    return _checklist_page(admin_place(current_user, item.place_id), saved=True)
