"""Responses to the month's survey (A2): typed by the desk from paper forms (an outbox field action) or
given through the site's public link. One response per phone number per site-month, verified by the
number only: a second one is refused with a Chinese message, and the unique constraint decides two racing
posts. A closed month takes no more responses. Each response is append-only and on the site's chain."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.csv_export import frozen_export
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.months import month_days, month_of, previous_month, site_today
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.places.services import get_site
from wuye_field.survey import questionnaire, rules
from wuye_field.survey.models import ANSWERS, CHAIN_COLUMNS, COMMENT_MAX, RESPONDENTS, SurveyResponse
from wuye_field.sync.receipt import Receipt

ENTRY_ROLES = ("desk", "admin")
chain.register_tables({"survey_response": CHAIN_COLUMNS})


class AlreadyAnswered(DomainError):
    status = 409
    code = "already_answered"


class MonthClosed(DomainError):
    status = 409
    code = "month_closed"


def month_closed(site_id: int, month: str) -> bool:
    """Whether the site-month is closed: the month close stored its files — survey.csv, or for a month
    closed before the survey existed, the patrol scans every close stores."""
    first, last = month_days(month)
    return any(frozen_export(site_id, name, first, last) is not None for name in ("survey", "scans"))


def clean_response(values, question_ids: list[int], *, phone_required: bool = True) -> dict:
    """Plain values of a questionnaire form; FieldErrors (Chinese) naming each bad field. Every asked
    question needs an answer (field `q<id>`)."""
    errors: dict[str, str] = {}
    phone = rules.clean_phone(values.get("phone"))
    if phone is None and phone_required:
        errors["phone"] = _("请填写 11 位手机号（每个号码每月只能填一份）。")
    respondent = str(values.get("respondent") or "")
    if respondent not in RESPONDENTS:
        errors["respondent"] = _("请选择您是住户还是员工。")
    overall = rules.clean_overall(values.get("overall"))
    if overall is None:
        errors["overall"] = _("总体评分请填 0 到 100 的整数。")
    answers = {}
    for qid in question_ids:
        answer = str(values.get(f"q{qid}") or "")
        if answer not in ANSWERS:
            errors[f"q{qid}"] = _("请选择满意、基本满意或不满意。")
        answers[qid] = answer
    raw = values.get("comment")
    comment = clean_text(raw, multiline=True)
    if message := text_problem(raw, multiline=True):
        errors["comment"] = message
    elif len(comment) > COMMENT_MAX:
        errors["comment"] = _("意见建议最多 %(n)d 字。", n=COMMENT_MAX)
    if errors:
        raise FieldErrors(errors)
    return {"phone": phone, "respondent": respondent, "overall": overall, "answers": answers, "comment": comment}


def _already(site_id: int, month: str, phone: str) -> AlreadyAnswered:
    return AlreadyAnswered(_("手机号 %(phone)s 本月已经填过问卷（每个号码每月一份），谢谢您的参与。",
                             phone=phone[:3] + "****" + phone[-4:]))


def store(site: Site, month: str, clean: dict, *, channel: str, receipt: Receipt, user: User | None = None,
          building_id: int | None = None) -> SurveyResponse:
    """Store one response of `month`; AlreadyAnswered for a number that answered this site-month (also when
    two posts race: the unique constraint decides), MonthClosed after the month close. Flushes and chains."""
    if month_closed(site.id, month):
        raise MonthClosed(_("%(month)s 已关账，不再接收问卷。", month=month))
    phone = clean["phone"]
    exists = select(SurveyResponse.id).where(SurveyResponse.site_id == site.id, SurveyResponse.month == month,
                                             SurveyResponse.phone == phone)
    if db.session.scalar(exists) is not None:
        raise _already(site.id, month, phone)
    texts = {q.id: q.text for q in questionnaire.all_questions(site.id)}
    response = SurveyResponse(
        site_id=site.id, month=month, phone=phone, respondent=clean["respondent"], overall=clean["overall"],
        answers=[{"q": qid, "text": texts[qid], "a": answer} for qid, answer in clean["answers"].items()],
        comment=clean["comment"], channel=channel, building_id=building_id, user_id=user.id if user else None,
        client_uuid=receipt.client_uuid if user else None, device_time=receipt.device_time,
        received_at=receipt.received_at)
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        raise _already(site.id, month, phone) from None
    chain.append_records(site.id, "survey_response", [response.id], now=receipt.received_at)
    return response


def submit_public(site: Site, values, *, receipt: Receipt, building_id: int | None = None) -> SurveyResponse:
    """A response through the public link, for the site's current month."""
    questions = [q.id for q in questionnaire.active_questions(site.id)]
    clean = clean_response(values, questions)
    month = month_of(site_today(site.timezone, receipt.received_at))
    return store(site, month, clean, channel="link", receipt=receipt, building_id=building_id)


def entry_months(site: Site, now: datetime) -> list[str]:
    """The months the desk may type paper forms for: this one and the last (until it is closed)."""
    this = month_of(site_today(site.timezone, now))
    return [this, previous_month(this)]


def enter_paper_form(user: User, values, receipt: Receipt) -> SurveyResponse:
    """The desk types one paper questionnaire (outbox action `survey-response`); the phone is required."""
    site_id = int(values.get("site") or 0) if str(values.get("site") or "").isdigit() else 0
    site = get_site(user, site_id, *ENTRY_ROLES)
    month = str(values.get("month") or "")
    try:
        if month not in entry_months(site, receipt.device_time):
            raise FieldErrors({"month": _("只能录入本月或上月的问卷。")})
        clean = clean_response(values, [q.id for q in questionnaire.active_questions(site.id)])
    except FieldErrors as exc:  # the outbox shows one line: every reason, 422
        raise DomainError("；".join(dict.fromkeys(exc.errors.values())), status=422, code="invalid_fields") from None
    return store(site, month, clean, channel="desk", receipt=receipt, user=user)


def month_responses(site_id: int, month: str) -> list[SurveyResponse]:
    return list(db.session.scalars(select(SurveyResponse).where(
        SurveyResponse.site_id == site_id, SurveyResponse.month == month).order_by(SurveyResponse.id)))
