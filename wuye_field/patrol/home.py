"""What the guard's patrol adds to the home page (routes due, key areas due, 「开始巡更」) and to the pages
kept offline (the routes' round screens and their checkpoints' tag pages)."""
from __future__ import annotations

from flask import url_for

from wuye_field.core.time import utcnow
from wuye_field.core.registry import Section
from wuye_field.patrol import rounds, supervision
from wuye_field.places.services import places_for_user, sites_for

GUARD = "guard"


def key_areas_due(user, now) -> list:
    """The key areas overdue or due within 30 minutes on the user's guard sites, overdue first (P2).

    Uses the supervisor board's rule (last valid scan against the place's patrol interval)."""
    rows = []
    for site in sites_for(user, GUARD):
        rows += [row for row in supervision.site_board(site, now=now).rows if row.state != "ok"]
    return rows


def patrol_section(user) -> Section | None:
    """Guards: their routes with the next due time, key areas overdue / due soon, a big 「开始巡更」."""
    if not user.has_role(GUARD):
        return None
    now = utcnow()
    context = {"items": rounds.routes_due(user), "areas": key_areas_due(user, now), "now": now}
    return Section("patrol/_home_guard.html", context, order=5)


def checkpoint_section(user) -> Section | None:
    """Guards, supervisors and admins: the checkpoints of their sites (key areas first), after the cards."""
    if not user.has_role(GUARD, "supervisor", "admin"):
        return None
    places = places_for_user(user, kind="checkpoint")
    return Section("patrol/_home_checkpoints.html", {"places": places}, order=910) if places else None


def patrol_pages(user) -> list[str]:
    """Guards: the route list, each route's round screen and the tag pages of its checkpoints."""
    if not user.has_role(GUARD):
        return []
    pages = [url_for("patrol.route_list")]
    for route in rounds.routes_for(user):
        pages.append(url_for("patrol.round_page", route_id=route.id))
        pages += [url_for("places.tag", token=stop.place.tag_token) for stop in route.stops if stop.place.active]
    return pages
