"""The patrol panels on a checkpoint's place page: the inspection checklist (「全部正常」 records the visit
too) and the 「打卡」 form with the latest scans."""
from __future__ import annotations

from wuye_field.core.time import utcnow
from wuye_field.patrol import inspections, position, services
from wuye_field.patrol.checklists import place_checklist, range_text
from wuye_field.patrol.models import CHECK_CATEGORIES, SEVERITIES
from wuye_field.places.panels import Panel


def inspection_panel(place, user) -> Panel | None:
    """Shown to users who patrol the place's site, on checkpoints with a checklist (or past inspections)."""
    if not services.can_scan(user, place):
        return None
    items = place_checklist(place.id)
    recent = inspections.recent_inspections(place)
    if not items and not recent:
        return None
    return Panel("patrol/_inspection_panel.html", {
        "place": place, "token": place.tag_token, "checklist": items, "recent": recent, "range_text": range_text,
        "categories": CHECK_CATEGORIES, "severities": SEVERITIES, "timezone": place.site.timezone,
        "record_position": _records_position(place),
    }, order=5)


def _records_position(place) -> bool:
    return bool(position.value(place.site_id, "patrol.record_position", utcnow()))


def scan_panel(place, user) -> Panel | None:
    """Shown to users who patrol the place's site, on checkpoints only. Where the checklist is shown its
    「全部正常」 is the visit, so the bare 「打卡」 is folded away as the secondary path."""
    if not services.can_scan(user, place):
        return None
    secondary = bool(place_checklist(place.id)) or bool(inspections.recent_inspections(place, limit=1))
    return Panel("patrol/_scan_panel.html", {"token": place.tag_token, "scans": services.recent_scans(place),
                                             "timezone": place.site.timezone, "secondary": secondary,
                                             "record_position": _records_position(place)}, order=10)
