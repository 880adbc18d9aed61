"""The reports card on the supervisor's home: the last 30 days per duty as small charts."""
from __future__ import annotations

from wuye_field.core.registry import Section
from wuye_field.core.time import utcnow
from wuye_field.reports import pages

HOME_SITES = 2  # charts for at most this many sites on the home page (the month page has them all)


def reports_section(user) -> Section | None:
    """Supervisors and admins of a site: its compliance trends, today's key areas, work orders by clock."""
    if not user.has_role(*pages.READERS):
        return None
    sites = pages.readable_sites(user)[:HOME_SITES]
    if not sites:
        return None
    now = utcnow()
    return Section("reports/_home.html", {"cards": [pages.home_card(site, now=now) for site in sites]}, order=12)
