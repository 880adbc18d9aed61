"""Staff pages of the survey: the month page (supervisors, desk, admins), the desk's paper-form entry
(outbox action `survey-response`), the questionnaire editor, the QR poster and `/export/survey.csv`."""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.csv_export import csv_response
from wuye_field.core.database import writes_on_get
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.months import next_month, parse_month, previous_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.services import site_by_code_or_id, sites_for
from wuye_field.gate.qr import qr_svg
from wuye_field.survey import questionnaire, responses, results
from wuye_field.survey.blueprint import bp
from wuye_field.survey.models import ANSWERS, RESPONDENTS
from wuye_field.sync.idempotency import current_receipt, idempotent_action


def _site(roles: tuple[str, ...]):
    """The site asked for (`?site=` id) among the user's sites with `roles`, else the first of them."""
    sites = sites_for(current_user, *roles)
    if not sites:
        raise DomainError(_("您没有可以查看的小区。"), status=403, code="forbidden")
    raw = request.values.get("site", "")
    return next((s for s in sites if str(s.id) == raw or s.code == raw), sites[0]), sites


@bp.get("/survey/")
@login_required
@role_required(*results.VIEWERS)
@writes_on_get  # an admin's view of the full numbers is logged
def month():
    """满意度调查: the month's count by kind, score (A2) with the dropped scores, dissatisfaction (A4), per
    question; the responses (phones masked but for the desk and admins)."""
    site, sites = _site(results.VIEWERS)
    now = utcnow()
    chosen = parse_month(request.args.get("month"), today=site_today(site.timezone, now))
    view = results.month_view(current_user, site.id, chosen, now=now)
    db.session.commit()
    readers = site.id in current_user.site_ids(*results.LOG_READERS)
    return render_template("survey/month.html", view=view, sites=sites, answers=ANSWERS,
                           access=results.access_rows(current_user, site.id) if readers else None,
                           nav={"prev": previous_month(chosen), "next": next_month(chosen)},
                           can_enter=site.id in current_user.site_ids(*responses.ENTRY_ROLES),
                           can_edit=site.id in current_user.site_ids(*questionnaire.EDITORS))


@bp.get("/survey/entry")
@login_required
@role_required(*responses.ENTRY_ROLES)
@writes_on_get  # the default questionnaire, the first time
def entry():
    """录入纸质问卷: one fast form per paper questionnaire, sent through the outbox (works offline)."""
    site, sites = _site(responses.ENTRY_ROLES)
    now = utcnow()
    questionnaire.ensure_questions(site.id, now=now)
    db.session.commit()
    return render_template("survey/entry.html", site=site, sites=sites, months=responses.entry_months(site, now),
                           questions=questionnaire.active_questions(site.id), answers=ANSWERS,
                           respondents=RESPONDENTS)


@bp.post("/survey/responses")
@login_required
@idempotent_action
def enter():
    """One paper questionnaire (outbox action `survey-response`) → 201 JSON; a number that already answered
    this month → 409 with a Chinese message."""
    response = responses.enter_paper_form(current_user, request.form, current_receipt())
    return jsonify(status="stored", message=_("已录入问卷：%(kind)s，总体评分 %(score)d",
                                              kind=response.respondent_label, score=response.overall),
                   response={"id": response.id, "month": response.month}), 201


def _questions_page(site, sites, errors=None, status: int = 200):
    return render_template("survey/questions.html", site=site, sites=sites, errors=errors or {},
                           questions=questionnaire.all_questions(site.id)), status


@bp.get("/survey/questions")
@login_required
@role_required(*questionnaire.EDITORS)
@writes_on_get
def questions():
    """问卷题目: add, rename, retire (answered months keep what they answered)."""
    site, sites = _site(questionnaire.EDITORS)
    questionnaire.ensure_questions(site.id, now=utcnow())
    db.session.commit()
    return _questions_page(site, sites)[0]


@bp.post("/survey/questions")
@login_required
@role_required(*questionnaire.EDITORS)
def add_question():
    site, sites = _site(questionnaire.EDITORS)
    try:
        questionnaire.add_question(current_user, site.id, request.form.get("text"), now=utcnow())
    except FieldErrors as exc:
        db.session.rollback()
        return _questions_page(site, sites, errors={"new": exc.errors["text"]}, status=422)
    db.session.commit()
    return redirect(url_for("survey.questions", site=site.id), 303)


@bp.post("/survey/questions/<int:question_id>/<any(rename, retire):what>")
@login_required
@role_required(*questionnaire.EDITORS)
def change_question(question_id: int, what: str):
    try:
        if what == "rename":
            question = questionnaire.rename_question(current_user, question_id, request.form.get("text"), now=utcnow())
        else:
            question = questionnaire.retire_question(current_user, question_id, now=utcnow())
    except FieldErrors as exc:
        db.session.rollback()
        site, sites = _site(questionnaire.EDITORS)
        return _questions_page(site, sites, errors={question_id: exc.errors["text"]}, status=422)
    db.session.commit()
    return redirect(url_for("survey.questions", site=question.site_id), 303)


@bp.get("/survey/poster")
@login_required
@role_required(*results.VIEWERS)
@writes_on_get  # the site's link, the first time
def poster_page():
    """The printable QR poster of the site's public questionnaire."""
    site, _sites = _site(results.VIEWERS)
    link = questionnaire.site_link(site, now=utcnow())
    questionnaire.ensure_questions(site.id, now=utcnow())
    db.session.commit()
    url = site.public_base_url.rstrip("/") + url_for("survey.public_site", token=link.token)  # as printed tags
    return render_template("survey/poster.html", site=site, url=url, qr=qr_svg(url, 280))


def export_survey():
    """`GET /export/survey.csv?site=<code>&month=YYYY-MM`: the month's responses, phones masked."""
    found = site_by_code_or_id(current_user, request.args.get("site"), *results.VIEWERS)
    chosen = parse_month(request.args.get("month"), today=site_today(found.timezone, utcnow()))
    site, text = results.export_csv(current_user, found.id, chosen)
    return csv_response(text, f"survey-{site.code}-{chosen}.csv")


@bp.record_once
def _register_export(state) -> None:
    # The export lives at /export/… (outside this blueprint's pages), under this blueprint's name.
    state.app.add_url_rule("/export/survey.csv", "survey.export_survey",
                           login_required(role_required(*results.VIEWERS)(export_survey)))


