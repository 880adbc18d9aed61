"""A site's questionnaire (A5's categories by default) and its public link: questions added, renamed and
retired by the site's supervisors and admins, each change in the admin change log. A retired question is
no longer asked; the responses that answered it keep it (they store the text they were shown)."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.places.models import TAG_TOKEN_BYTES, Site
from wuye_field.places.services import get_site
from wuye_field.survey.models import QUESTION_MAX, SurveyLink, SurveyQuestion

EDITORS = ("supervisor", "admin")
# A5: the estate's service items a resident or a member of staff can judge (satisfaction and complaints are
# the survey itself and the complaints register); plus the customer service desk.
DEFAULT_QUESTIONS = [
    ("hygiene", "公共区域卫生保洁"),
    ("repairs", "报修维修（及时、质量）"),
    ("security", "安全保卫（门岗、巡逻、秩序）"),
    ("greening", "绿化养护"),
    ("equipment", "电梯、消防等设施设备运行"),
    ("service", "客服接待与投诉处理"),
]


def ensure_questions(site_id: int, *, now: datetime) -> None:
    """Give a site the default questionnaire the first time it is needed (no admin-log line: a starting value)."""
    if db.session.scalar(select(SurveyQuestion.id).where(SurveyQuestion.site_id == site_id).limit(1)) is None:
        db.session.add_all(SurveyQuestion(site_id=site_id, position=i, category=category, text=text, created_at=now)
                           for i, (category, text) in enumerate(DEFAULT_QUESTIONS, start=1))
        db.session.flush()


def active_questions(site_id: int) -> list[SurveyQuestion]:
    """The questions asked now, in order."""
    return list(db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.site_id == site_id, SurveyQuestion.retired_at.is_(None))
        .order_by(SurveyQuestion.position, SurveyQuestion.id)))


def all_questions(site_id: int) -> list[SurveyQuestion]:
    return list(db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.site_id == site_id)
                                   .order_by(SurveyQuestion.retired_at.is_not(None), SurveyQuestion.position,
                                             SurveyQuestion.id)))


def _text(raw) -> str:
    text = clean_text(raw)
    if message := text_problem(raw):
        raise FieldErrors({"text": message})
    if not 2 <= len(text) <= QUESTION_MAX:
        raise FieldErrors({"text": _("问题写 2 到 %(n)d 个字。", n=QUESTION_MAX)})
    return text


def add_question(user: User, site_id: int, raw_text, *, now: datetime) -> SurveyQuestion:
    site = get_site(user, site_id, *EDITORS)
    ensure_questions(site.id, now=now)
    text = _text(raw_text)
    last = max((q.position for q in all_questions(site.id)), default=0)
    question = SurveyQuestion(site_id=site.id, position=last + 1, category="own", text=text, created_at=now)
    db.session.add(question)
    db.session.flush()
    log_admin_change(user, site.id, f"survey.question {question.id}", None, text, now=now)
    return question


def _question(user: User, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.site_id not in user.site_ids(*EDITORS):
        raise NotFound(_("找不到这个问题，或您无权修改。"))
    return question


def rename_question(user: User, question_id: int, raw_text, *, now: datetime) -> SurveyQuestion:
    """A new wording from now on; responses already given keep the wording they answered."""
    question = _question(user, question_id)
    text = _text(raw_text)
    if text != question.text:
        log_admin_change(user, question.site_id, f"survey.question {question.id}", question.text, text, now=now)
        question.text = text
        db.session.flush()
    return question


def retire_question(user: User, question_id: int, *, now: datetime) -> SurveyQuestion:
    question = _question(user, question_id)
    if question.retired_at is None:
        if len(active_questions(question.site_id)) <= 1:
            raise FieldErrors({"text": _("问卷至少要保留一个问题。")})
        question.retired_at = now
        log_admin_change(user, question.site_id, f"survey.question {question.id}", question.text,
                         _("（已停用）"), now=now)
        db.session.flush()
    return question


# ---------------------------------------------------------------- the public link


def site_link(site: Site, *, now: datetime) -> SurveyLink:
    """The site's public survey link, made the first time it is asked for."""
    link = db.session.scalar(select(SurveyLink).where(SurveyLink.site_id == site.id))
    if link is None:
        link = SurveyLink(site_id=site.id, token=secrets.token_urlsafe(TAG_TOKEN_BYTES), created_at=now)
        db.session.add(link)
        db.session.flush()
    return link


def site_for_token(token: str) -> Site:
    """The site of a public survey link; NotFound (Chinese) for an unknown one."""
    link = db.session.scalar(select(SurveyLink).where(SurveyLink.token == str(token)[:64]))
    if link is None:
        raise NotFound(_("这个问卷二维码无效，请向物业服务中心索取新的二维码。"))
    return db.session.get(Site, link.site_id)
