"""The cleaning panel on a cleaning area's place page (reached by scanning its tag): due tasks, one tap each."""
from __future__ import annotations

from wuye_field.cleaning import today
from wuye_field.core.time import utcnow
from wuye_field.places.panels import Panel


def cleaning_panel(place, user) -> Panel | None:
    """Shown on cleaning areas to the site's cleaners (check-off when the area is in their zone) and
    supervisors / admins (read-only, with the spot-check link)."""
    view = today.panel_for(place, user, now=utcnow())
    if view is None:
        return None
    return Panel("cleaning/_area_panel.html", {"view": view}, order=20)
