"""The survey in the demo: last month's ~30 questionnaires (10 staff, 20 residents) and the current month's so
far, a few 不满意 among them, typed by the desk from paper forms or given through the link — stored through
the same services, so each is on the site's chain and one per phone."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.months import month_days, month_of, previous_month
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Building, Site
from wuye_field.survey import questionnaire, responses
from wuye_field.survey.models import SurveyResponse
from wuye_field.sync.history import local, past_receipt, seeded, stable_key

COMMENTS = ["", "", "", "保安很负责", "电梯维修太慢", "绿化修剪及时", "希望楼道多打扫", "", "客服态度好", ""]


def _answers(rng, question_ids: list[int], mood: float) -> dict[str, str]:
    out = {}
    for qid in question_ids:
        roll = rng.random() - mood
        out[f"q{qid}"] = "dissatisfied" if roll > 0.9 else "basic" if roll > 0.55 else "satisfied"
    return out


def _month(site: Site, month: str, count: int, staff: int, start: date, end: date, *, now: datetime,
           desk: User | None, buildings: list[int]) -> None:
    rng = seeded(site.code, f"survey-{month}")
    questions = [q.id for q in questionnaire.active_questions(site.id)]
    span = max((end - start).days, 0)
    for i in range(count):
        day = start + timedelta(days=(i * span) // max(count - 1, 1))
        at = local(day, "09:00", site.timezone, minutes=rng.randint(0, 600))
        if at >= as_utc(now):
            at = as_utc(now) - timedelta(minutes=count - i)
        mood = -0.25 if i == 7 else 0.0  # one unhappy respondent
        overall = 45 if i == 7 else 100 if i == 3 else rng.randint(72, 96)
        values = {"phone": f"139{site.id % 100:02d}{month[5:]}{i:04d}", "overall": str(overall),
                  "respondent": "staff" if i < staff else "resident", "comment": rng.choice(COMMENTS),
                  **_answers(rng, questions, mood)}
        receipt = past_receipt(stable_key(site.code, "survey", month, i), at, now=now)
        clean = responses.clean_response(values, questions)
        if desk is not None and i % 3 == 0:  # a third on paper, typed at the desk
            responses.store(site, month, clean, channel="desk", receipt=receipt, user=desk)
        else:
            responses.store(site, month, clean, channel="link", receipt=receipt,
                            building_id=buildings[i % len(buildings)] if buildings else None)
    db.session.commit()


def survey_history(site: Site, days: int, now: datetime) -> None:
    """Last month's questionnaires (30) and this month's so far (about 2 a day, up to 30)."""
    if db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.site_id == site.id).limit(1)):
        return
    questionnaire.ensure_questions(site.id, now=now - timedelta(days=days))
    questionnaire.site_link(site, now=now - timedelta(days=days))
    desk = db.session.scalar(select(User).where(User.staff_no == "desk01"))
    buildings = list(db.session.scalars(select(Building.id).where(Building.site_id == site.id).order_by(Building.id)))
    today = as_utc(now).astimezone(ZoneInfo(site.timezone)).date()
    this = month_of(today)
    last = previous_month(this)
    first_last, last_last = month_days(last)
    _month(site, last, 30, 10, max(first_last, today - timedelta(days=days)), last_last, now=now, desk=desk,
           buildings=buildings)
    count = min(30, max(3, 2 * today.day))
    _month(site, this, count, count // 3, month_days(this)[0], today, now=now, desk=desk, buildings=buildings)
