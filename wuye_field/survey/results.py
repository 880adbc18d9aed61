"""The month's survey result (A2, A4): `month_survey` for the assessment, the month page's data and the
CSV of the month's responses (phones masked) from which the score is reproduced.

Phone numbers (H6): the desk of the site sees them in full (not logged); an admin sees them in full and
each such view is logged (`SurveyAccess`); everyone else (supervisors) sees 138****1234.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.csv_export import csv_text, frozen_export
from wuye_field.core.masking import mask_phone
from wuye_field.core.months import month_days, month_of
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.places.services import get_site
from wuye_field.survey import rules
from wuye_field.survey.models import ANSWERS, SurveyAccess, SurveyResponse
from wuye_field.survey.responses import month_closed, month_responses
from wuye_field.survey.summary import SurveySummary

VIEWERS = ("supervisor", "desk", "admin")
FULL_PHONE_UNLOGGED = ("desk",)
FULL_PHONE_LOGGED = ("admin",)
LOG_READERS = ("supervisor", "admin")


def _summary(responses: list[SurveyResponse]) -> SurveySummary:
    return rules.summarize((r.overall, [a["a"] for a in r.answers]) for r in responses)


def month_survey(site_id: int, month: str) -> SurveySummary | None:
    """The survey summary of a site-month, or None when the site ran no survey that month (no response)."""
    responses = month_responses(site_id, month)
    return _summary(responses) if responses else None


@dataclass
class QuestionRow:
    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def dissatisfied_share(self) -> float | None:
        return self.counts.get("dissatisfied", 0) / self.total if self.total else None


@dataclass
class MonthView:
    site: Site
    month: str
    summary: SurveySummary
    by_kind: dict[str, int]
    questions: list[QuestionRow]
    rows: list[dict]
    full_phones: bool
    closed: bool
    target: dict[str, int] = field(default_factory=lambda: dict(rules.TARGET))
    veto_line: float = rules.DISSATISFACTION_VETO

    @property
    def vetoed(self) -> bool:
        return rules.vetoed(self.summary)


def _questions(responses: list[SurveyResponse]) -> list[QuestionRow]:
    """Per question (by id, under the text it was answered with last), the count of each answer."""
    rows: dict[int, QuestionRow] = {}
    for response in responses:
        for answer in response.answers:
            row = rows.setdefault(answer["q"], QuestionRow(answer["text"], Counter()))
            row.text = answer["text"]
            row.counts[answer["a"]] += 1
    return list(rows.values())


def _local(value: datetime, tz: ZoneInfo) -> str:
    return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _row(response: SurveyResponse, tz: ZoneInfo, full: bool) -> dict:
    return {"id": response.id, "phone": response.phone if full else mask_phone(response.phone),
            "respondent": response.respondent_label, "overall": response.overall, "channel": response.channel_label,
            "answers": [(a["text"], str(ANSWERS.get(a["a"], a["a"]))) for a in response.answers],
            "comment": response.comment, "received": _local(response.received_at, tz)}


def month_view(user: User, site_id: int, month: str, *, now: datetime) -> MonthView:
    """The month page's data for a supervisor, the desk or an admin of the site; an admin's view of the full
    numbers adds a log row (the caller commits)."""
    site = get_site(user, site_id, *VIEWERS)
    month_days(month)
    responses = month_responses(site.id, month)
    full = site.id in user.site_ids(*FULL_PHONE_UNLOGGED, *FULL_PHONE_LOGGED)
    if full and responses and site.id not in user.site_ids(*FULL_PHONE_UNLOGGED):
        db.session.add(SurveyAccess(site_id=site.id, month=month, user_id=user.id, what="month page", created_at=now))
        db.session.flush()
    tz = ZoneInfo(site.timezone)
    return MonthView(site=site, month=month, summary=_summary(responses),
                     by_kind=dict(Counter(r.respondent for r in responses)), questions=_questions(responses),
                     rows=[_row(r, tz, full) for r in responses], full_phones=full,
                     closed=month_closed(site.id, month))


# ---------------------------------------------------------------- /export/survey.csv


def csv_rows(site: Site, month: str) -> tuple[list[str], list[list]]:
    """One row per response, phones masked; its 总体评分 column gives the month's score by the A2 rule."""
    tz = ZoneInfo(site.timezone)
    header = [_("编号"), _("月份"), _("小区"), _("手机号"), _("身份"), _("来源"), _("总体评分"), _("问题"),
              _("满意"), _("基本满意"), _("不满意"), _("意见建议"), _("收到时间")]
    out = []
    for r in month_responses(site.id, month):
        counts = Counter(a["a"] for a in r.answers)
        detail = "；".join(f"{a['text']}：{ANSWERS.get(a['a'], a['a'])}" for a in r.answers)
        out.append([r.id, month, site.name, mask_phone(r.phone), r.respondent_label, r.channel_label, r.overall,
                    detail, counts["satisfied"], counts["basic"], counts["dissatisfied"], r.comment,
                    _local(r.received_at, tz)])
    return header, out


def month_csv(site: Site, month: str) -> str:
    return csv_text(*csv_rows(site, month))


def export_csv(user: User, site_id: int, month: str) -> tuple[Site, str]:
    """The month's CSV for a viewer of the site: the file frozen with a closed month, else computed now."""
    site = get_site(user, site_id, *VIEWERS)
    first, last = month_days(month)
    return site, frozen_export(site.id, "survey", first, last) or month_csv(site, month)


def month_files(site: Site, first, last, now: datetime) -> dict[str, str]:
    """What a month close stores for the survey (registry MONTH_EXPORTS): the month's responses CSV."""
    return {"survey": month_csv(site, month_of(first))}


def access_rows(user: User, site_id: int, *, limit: int = 50) -> list[dict]:
    """The latest full views of the site's survey phone numbers, newest first: when, who, which month.
    NotFound unless supervisor or admin there."""
    site = get_site(user, site_id, *LOG_READERS)
    tz = ZoneInfo(site.timezone)
    rows = db.session.execute(select(SurveyAccess, User.staff_no, User.name).join(User, User.id == SurveyAccess.user_id)
                              .where(SurveyAccess.site_id == site_id).order_by(SurveyAccess.id.desc()).limit(limit))
    return [{"at": _local(a.created_at, tz), "who": f"{no} {name}", "month": a.month, "what": a.what}
            for a, no, name in rows]
