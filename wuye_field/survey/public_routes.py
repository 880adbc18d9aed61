"""The public questionnaire (A2): no sign-in, no JavaScript, small, rate-limited, CSRF-protected; one
response per phone number per site-month. `/s/<token>` is the site's link (QR poster), `/s/b/<token>` the
same questionnaire reached from a building's residents' window."""
from __future__ import annotations

import logging

from flask import current_app, render_template, request, url_for

from wuye_field.core.database import writes_on_get
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.survey import public, questionnaire, responses, rules
from wuye_field.survey.blueprint import bp
from wuye_field.survey.models import ANSWERS, RESPONDENTS
from wuye_field.sync.receipt import Receipt

log = logging.getLogger(__name__)


def _message(error: DomainError):
    db.session.rollback()
    return render_template("survey/message.html", message=error.message), error.status


def _form(site, action: str, *, values=None, errors=None, status: int = 200):
    return render_template("survey/public_form.html", site=site, action=action,
                           questions=questionnaire.active_questions(site.id), answers=ANSWERS,
                           respondents=RESPONDENTS, values=values or {}, errors=errors or {}), status


def _target(token: str, building: bool):
    """(site, building id or None, the form's own address)."""
    if building:
        found = public.building_for_token(token)
        return found.site, found.id, url_for("survey.public_building", token=token)
    return questionnaire.site_for_token(token), None, url_for("survey.public_site", token=token)


def _show(token: str, building: bool):
    try:
        site, _building_id, action = _target(token, building)
        questionnaire.ensure_questions(site.id, now=utcnow())
    except DomainError as exc:
        return _message(exc)
    db.session.commit()
    return _form(site, action)


def _submit(token: str, building: bool):
    try:
        site, building_id, action = _target(token, building)
    except DomainError as exc:
        return _message(exc)
    config = current_app.config
    try:
        public.check_rate(config["SURVEY_LIMIT_PER_IP"], config["SURVEY_LIMIT_PER_PHONE"],
                          request.remote_addr or "-", rules.clean_phone(request.form.get("phone")) or "-",
                          enabled=config["RATELIMIT_ENABLED"])
        response = responses.submit_public(site, request.form, receipt=Receipt.server(utcnow()),
                                           building_id=building_id)
    except FieldErrors as exc:
        db.session.rollback()
        return _form(site, action, values=request.form, errors=exc.errors, status=422)
    except DomainError as exc:
        if exc.status == 429:
            log.warning("survey form rate-limited on %s", request.path)
        return _message(exc)
    db.session.commit()
    return render_template("survey/thanks.html", month=response.month, site=site), 201


@bp.get("/s/<token>")
@writes_on_get  # the default questionnaire, the first time a site's survey is opened
def public_site(token: str):
    return _show(token, building=False)


@bp.post("/s/<token>")
def public_site_submit(token: str):
    return _submit(token, building=False)


@bp.get("/s/b/<token>")
@writes_on_get
def public_building(token: str):
    return _show(token, building=True)


@bp.post("/s/b/<token>")
def public_building_submit(token: str):
    return _submit(token, building=True)
