"""What defects add to other pages: the place page's 「报告问题」 panel, the home card, the offline pages."""
from __future__ import annotations

from flask import url_for

from wuye_field.core.time import utcnow
from wuye_field.core.registry import Section
from wuye_field.defects import records
from wuye_field.places.panels import Panel


def defect_panel(place, user) -> Panel | None:
    """Anyone with a role on the place's site: report a defect here (a cleaner's broken bin or leaking pipe
    too, issue 6), and see the open ones at this place."""
    if place.site_id not in user.site_ids():
        return None
    return Panel("defects/_place_panel.html", {
        "place": place, "open": records.open_at_place(place, now=utcnow()),
        "categories": records.category_options(), "severities": records.severity_options(),
        "note_max": records.NOTE_MAX,
    }, order=40)


def defect_section(user) -> Section | None:
    """Overseers: open defects on their sites; everyone else: the open defects they reported."""
    if not user.site_ids():
        return None
    site_count, mine = records.open_counts(user)
    return Section("defects/_home.html", {"site_count": site_count, "mine": mine}, order=50)


def defect_pages(user) -> list[str]:
    """「报告问题」 (anywhere) opens offline for field roles."""
    return [url_for("defects.new")] if user.has_role(*records.FIELD_ROLES) else []
