"""What each role's home page shows, computed from the domains' query functions."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from wuye_field.accounts.models import ROLES, User
from wuye_field.core.registry import Section
from wuye_field.dashboard.sections import sections_for
from wuye_field.places.models import Site
from wuye_field.places.services import sites_for
from wuye_field.pwa.assets import SCANNING_ROLES

ADMIN_SECTION_ORDER = 900  # after every domain's card, before the place lists (patrol, cleaning)


@dataclass
class Home:
    role: str | None
    role_label: str
    sites: list[Site]
    is_admin: bool = False
    scans: bool = False  # the role has tags to scan (the desk and admins do not)
    sections: list[Section] = field(default_factory=list)


def home_for(user: User) -> Home:
    """The greeting, the user's sites and every section the domains offer for `user`'s roles."""
    role = user.primary_role
    home = Home(
        role=role, role_label=str(ROLES.get(role, "")), sites=sites_for(user, *ROLES), is_admin=user.has_role("admin"),
        scans=user.has_role(*SCANNING_ROLES),
    )
    home.sections = sections_for(user)
    return home


def admin_section(user: User) -> Section | None:
    """Admins: the tiles to the site and people administration."""
    return Section("dashboard/_home_admin.html", order=ADMIN_SECTION_ORDER) if user.has_role("admin") else None


def home_pages(user: User) -> list[str]:
    """The home page opens offline for everyone."""
    return [url_for("dashboard.index")]
