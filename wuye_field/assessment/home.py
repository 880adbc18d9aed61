"""What the round adds to the home page (the inspector's, a supervisor's, the site admin's) and to the pages
a phone keeps offline."""
from __future__ import annotations

from flask import url_for

from wuye_field.assessment import entries
from wuye_field.assessment.round import ROUND_ROLES
from wuye_field.assessment.round_page import viewable_sites
from wuye_field.core.months import month_of, previous_month, site_today
from wuye_field.core.registry import Section
from wuye_field.core.time import utcnow
from wuye_field.places.services import sites_for

HOME_SITES = 3


def _months(site) -> tuple[str, str]:
    current = month_of(site_today(site.timezone, utcnow()))
    return current, previous_month(current)


def round_section(user) -> Section | None:
    """A card per site: this month's and last month's round, and whether last month is signed by both."""
    sites = viewable_sites(user)[:HOME_SITES]
    if not sites:
        return None
    cards = []
    for site in sites:
        current, previous = _months(site)
        cards.append({"site": site, "current": current, "previous": previous,
                      "previous_signed": entries.signed_by_both(site.id, previous)})
    return Section("assessment/_home.html", {"cards": cards}, order=6 if user.has_role("inspector") else 40)


def round_pages(user) -> list[str]:
    """For those who walk the round (not an admin, who only signs): this month's and last month's round per site
    open offline, and the nav's 「考核」 (the first site's). Each page computes the month's proposals."""
    sites = sites_for(user, *ROUND_ROLES)[:HOME_SITES]
    pages = [url_for("assessment.round_view")] if sites else []
    for site in sites:
        current, previous = _months(site)
        pages += [url_for("assessment.round_view", site_id=site.id),
                  url_for("assessment.round_view", site_id=site.id, month=previous)]
    return pages
