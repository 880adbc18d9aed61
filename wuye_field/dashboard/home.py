"""What each role's home page shows, computed from the domains' query functions."""
from __future__ import annotations

from dataclasses import dataclass, field

from wuye_field.accounts.models import ROLES, User
from wuye_field.dashboard.sections import Section, sections_for
from wuye_field.places.models import Place, Site
from wuye_field.places.services import places_for_user, sites_for

SCANNING_ROLES = ("guard", "cleaner", "technician", "supervisor")


@dataclass
class Home:
    role: str | None
    role_label: str
    sites: list[Site]
    checkpoints: list[Place] = field(default_factory=list)
    cleaning_areas: list[Place] = field(default_factory=list)
    is_admin: bool = False
    scans: bool = False  # the role has tags to scan (the desk and admins do not)
    sections: list[Section] = field(default_factory=list)


def home_for(user: User) -> Home:
    """Pick the sections for `user`'s roles: guards see checkpoints (key areas first), cleaners areas."""
    role = user.primary_role
    home = Home(
        role=role, role_label=str(ROLES.get(role, "")), sites=sites_for(user), is_admin=user.has_role("admin"),
        scans=user.has_role(*SCANNING_ROLES),
    )
    if user.has_role("guard", "supervisor", "admin"):
        home.checkpoints = places_for_user(user, kind="checkpoint")
    if user.has_role("cleaner", "supervisor", "admin"):
        home.cleaning_areas = places_for_user(user, kind="cleaning")
    home.sections = sections_for(user)
    return home
