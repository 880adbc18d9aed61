"""Shared bits of the survey tests: the site's public link, a filled-in form, a paper form from the desk."""
from __future__ import annotations

from sqlalchemy import select

from tests.sync.helpers import headers
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.survey import questionnaire
from wuye_field.survey.models import SurveyResponse


def link(site) -> str:
    token = questionnaire.site_link(site, now=utcnow()).token
    questionnaire.ensure_questions(site.id, now=utcnow())
    db.session.commit()
    return f"/s/{token}"


def form(site, phone: str = "13912345678", *, overall: int = 90, answer: str = "satisfied", respondent="resident",
         **extra) -> dict:
    values = {"phone": phone, "overall": str(overall), "respondent": respondent, "comment": ""}
    values |= {f"q{q.id}": answer for q in questionnaire.active_questions(site.id)}
    return values | extra


def enter(client, site, month: str, phone: str, **kw):
    """The desk's outbox POST of one paper form."""
    data = form(site, phone, **kw) | {"site": str(site.id), "month": month}
    return client.post("/survey/responses", data=data, headers=headers())


def stored(site_id: int) -> list[SurveyResponse]:
    db.session.expire_all()
    return list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.site_id == site_id)))
