"""Patrol demo data on DEMO: two routes (夜间外围 in random order, 楼栋巡查) and standard checklists on the
checkpoints (key areas get fire and doors; the pump room and fire control room a hydrant pressure reading)."""
from __future__ import annotations

from sqlalchemy import select

from wuye_field.extensions import db
from wuye_field.patrol.checklists import add_standard_items, place_checklist
from wuye_field.patrol.models import Route, RouteStop
from wuye_field.places.models import Place, Site

DEMO_ROUTES = (
    # name, stop codes in order, expected minutes, random order per shift
    ("夜间外围", ("CP01", "CP02", "CP03", "CP04", "CP11", "CP12", "CP13"), 40, True),
    ("楼栋巡查", ("CP05", "CP06", "CP07", "CP08", "CP09", "CP10"), 30, False),
)
# Checklist categories per checkpoint (P3–P7); key areas get fire equipment and doors.
DEMO_CHECKLISTS = {
    "CP01": ("security",), "CP02": ("security", "doors"), "CP03": ("parking", "fire"), "CP04": ("parking", "fire"),
    "CP05": ("fire", "doors", "signs"), "CP06": ("fire", "doors"), "CP07": ("fire", "doors"),
    "CP08": ("doors", "signs"), "CP09": ("doors", "signs"), "CP10": ("doors", "signs"), "CP11": ("signs", "security"),
    "CP12": ("signs",), "CP13": ("security", "lighting"),
}
# Only these keep the standard hydrant-pressure reading (the other fire checklists are checks only).
READING_PLACES = ("CP06", "CP07")


def load_patrol_demo(site: Site) -> None:
    """Create the demo routes and checklists that are missing (idempotent: existing ones are left alone)."""
    places = {p.code: p for p in db.session.scalars(select(Place).where(Place.site_id == site.id))}
    existing = set(db.session.scalars(select(Route.name).where(Route.site_id == site.id)))
    for name, codes, minutes, random_order in DEMO_ROUTES:
        if name in existing:
            continue
        route = Route(site_id=site.id, name=name, expected_minutes=minutes, window_minutes=240,
                      min_seconds_between=30, random_order=random_order, active=True)
        route.stops = [RouteStop(place_id=places[code].id, position=i) for i, code in enumerate(codes, 1)]
        db.session.add(route)
    db.session.flush()
    for code, categories in DEMO_CHECKLISTS.items():
        place = places.get(code)
        if place is None or place_checklist(place.id, include_inactive=True):
            continue
        added = add_standard_items(place, categories)
        if code not in READING_PLACES:
            for item in added:
                if item.kind == "reading":
                    db.session.delete(item)
    db.session.flush()
