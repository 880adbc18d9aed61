"""What checks adds to other pages: the checks panel of a place page (a place's tag or a piece's own tag),
the home cards, and the pages a phone keeps offline."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import func, select

from wuye_field.checks import drills
from wuye_field.checks import plans as plan_rules
from wuye_field.checks import schedule
from wuye_field.checks.board import current_frequency, meter_due_pairs
from wuye_field.checks.defaults import METERS, TYPES
from wuye_field.checks.equipment import equipment_at_place, type_label
from wuye_field.checks.models import CheckPlan, CheckRecord, Equipment
from wuye_field.core.registry import Section
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Place, Site
from wuye_field.places.panels import Panel

FIELD_ROLES = ("guard", "technician", "supervisor")
OVERSEERS = ("supervisor", "admin")


@dataclass
class DueCheck:
    plan: CheckPlan
    items: list[dict]
    window: schedule.Window
    done_at: datetime | None
    state: str
    meter_due: bool = False


@dataclass
class PieceChecks:
    equipment: Equipment
    type_label: str
    checks: list[DueCheck]
    meters: list[tuple[str, str, str]]


def checks_at(place: Place, user, now: datetime) -> list[PieceChecks]:
    """The pieces this place's tag reaches, each with the plans this user does for it and their state now."""
    pieces = equipment_at_place(place)
    if not pieces:
        return []
    plans = [p for p in plan_rules.site_plans(place.site_id, active_only=True) if plan_rules.can_do(user, p)]
    changes = plan_rules.frequency_changes(plans)
    tz = db.session.get(Site, place.site_id).timezone
    last = dict(((p, e), as_utc(t)) for p, e, t in db.session.execute(
        select(CheckRecord.plan_id, CheckRecord.equipment_id, func.max(CheckRecord.device_time))
        .where(CheckRecord.equipment_id.in_([e.id for e in pieces]))
        .group_by(CheckRecord.plan_id, CheckRecord.equipment_id)))
    by_meter = meter_due_pairs(place.site_id, plans, pieces)
    out = []
    for piece in pieces:
        due = []
        for plan in plans:
            freq = current_frequency(changes[plan.id], as_utc(now))
            if freq is None or not plan_rules.covers(plan, piece):
                continue
            window = schedule.window_at(freq, as_utc(now), tz)
            done = last.get((plan.id, piece.id))
            done = done if done is not None and window.contains(done) else None
            due.append(DueCheck(plan, plan_rules.items_for(plan, piece), window, done,
                                schedule.Outcome(window, done).state(as_utc(now)), (plan.id, piece.id) in by_meter))
        meters = [(m, str(METERS[m][0]), METERS[m][1]) for m in TYPES.get(piece.type, ("", "", ()))[2]]
        out.append(PieceChecks(piece, type_label(piece.type), due, meters))
    return out


def checks_panel(place, user) -> Panel | None:
    if place.site_id not in user.site_ids():
        return None
    pieces = checks_at(place, user, utcnow())
    if not pieces:
        return None
    return Panel("checks/_place_panel.html", {"place": place, "pieces": pieces}, order=25)


def checks_section(user) -> Section | None:
    """Supervisors: the overdue board; guards and technicians: the equipment pages to check."""
    can_drill = bool(user.site_ids(*drills.RECORDERS))
    if user.site_ids(*OVERSEERS):
        return Section("checks/_home.html", {"overseer": True, "can_drill": can_drill}, order=45)
    if user.site_ids("guard", "technician"):
        return Section("checks/_home.html", {"overseer": False, "can_drill": can_drill}, order=45)
    return None


def checks_pages(user) -> list[str]:
    """Pieces with their own tag open offline for field roles; the drill form too."""
    site_ids = user.site_ids(*FIELD_ROLES)
    if not site_ids:
        return []
    tokens = db.session.scalars(select(Place.tag_token).join(Equipment, Equipment.tag_place_id == Place.id)
                                .where(Equipment.site_id.in_(site_ids), Place.active.is_(True)))
    pages = [url_for("places.tag", token=token) for token in tokens]
    return pages + ([url_for("checks.drill_new")] if user.site_ids(*drills.RECORDERS) else [])
