"""What cleaning adds to the home page and to the pages a cleaner keeps offline."""
from __future__ import annotations

from flask import url_for

from wuye_field.cleaning import services
from wuye_field.core.time import utcnow
from wuye_field.places.services import places_for_user
from wuye_field.core.registry import Section


def cleaning_section(user) -> Section | None:
    """Cleaners: today's done / total and what is overdue; supervisors: the day and week reports."""
    context = {}
    if user.has_role("cleaner"):
        context["today"] = services.today_for(user, now=utcnow())
    if user.has_role(*services.OVERSEERS) and services.overseen_sites(user):
        context["oversees"] = True
    return Section("cleaning/_home.html", context, order=30) if context else None


def area_section(user) -> Section | None:
    """Cleaners, supervisors and admins: the cleaning areas of their sites, after the checkpoints."""
    if not user.has_role("cleaner", *services.OVERSEERS):
        return None
    places = places_for_user(user, kind="cleaning")
    return Section("cleaning/_home_areas.html", {"places": places}, order=920) if places else None


def cleaning_pages(user) -> list[str]:
    """「今日任务」 opens offline for cleaners (the area pages come from the places they clean)."""
    return [url_for("cleaning.today")] if user.has_role("cleaner") else []
