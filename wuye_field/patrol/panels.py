"""The scan panel on a checkpoint's place page: the 「打卡」 form and the latest scans there."""
from __future__ import annotations

from wuye_field.patrol import services
from wuye_field.places.panels import Panel, register_panel


@register_panel
def scan_panel(place, user) -> Panel | None:
    """Shown to users who patrol the place's site, on checkpoints only."""
    if not services.can_scan(user, place):
        return None
    return Panel("patrol/_scan_panel.html", {"token": place.tag_token, "scans": services.recent_scans(place),
                                             "timezone": place.site.timezone}, order=10)
