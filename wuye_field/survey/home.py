"""The survey's home card for supervisors, the desk and admins: this month's responses against the target."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from wuye_field.core.months import month_of, site_today
from wuye_field.core.registry import Section
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.survey import rules
from wuye_field.survey.models import SurveyResponse
from wuye_field.survey.responses import ENTRY_ROLES
from wuye_field.survey.results import VIEWERS


def survey_section(user) -> Section | None:
    ids = user.site_ids(*VIEWERS)
    if not ids:
        return None
    site = db.session.get(Site, min(ids))
    month = month_of(site_today(site.timezone, utcnow()))
    count = db.session.scalar(select(func.count()).where(SurveyResponse.site_id == site.id,
                                                         SurveyResponse.month == month)) or 0
    return Section("survey/_home.html", {"site": site, "month": month, "count": count,
                                         "target": sum(rules.TARGET.values()),
                                         "can_enter": site.id in user.site_ids(*ENTRY_ROLES)}, order=24)


def entry_pages(user) -> list[str]:
    """The desk's paper-form entry works offline (the outbox keeps the forms until the network is back)."""
    return [url_for("survey.entry", site=site_id) for site_id in sorted(user.site_ids("desk"))]
