"""A site-month's assessment as one JSON-able dict — what the result page, the PDF, `wuye assess --json`
and the month close show — gathered from the sheet, the proposals, the round's decisions, the survey,
the incidents and the site's thresholds, with the arithmetic left to `scoring`.

- A closed month is read from the `assessment.json` frozen with it (registry MONTH_EXPORTS, read back
  through FROZEN_EXPORTS, R30): it never changes. Freezing also issues the rectification order when the
  month makes two failures in a row.
- Earlier months (the streak, the 12-month trend) are read from their frozen results only: a month's
  consequences (bond, streak, rectification) are settled when it is closed; an open earlier month shows
  no point and ends the streak.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.assessment import entries, scoring
from wuye_field.assessment.models import RectificationOrder
from wuye_field.assessment.proposals import propose, sheet_of_month
from wuye_field.core.csv_export import frozen_export
from wuye_field.core.months import month_days, month_of, previous_month
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.incidents.reports import major_in
from wuye_field.places.models import Site
from wuye_field.places.site_settings import site_settings_at
from wuye_field.reports.figures import month_bounds
from wuye_field.survey.results import month_survey

FROZEN_NAME = "assessment.json"
TREND_MONTHS = 12
SIGNERS = {"inspector": _l("甲方检查员"), "manager": _l("管理处负责人")}
RECTIFY_DAYS = 30  # the rectification order's deadline after the close (the manual says 限期, no number)


def frozen(site_id: int, month: str) -> dict | None:
    text = frozen_export(site_id, FROZEN_NAME, *month_days(month))
    return None if text is None else json.loads(text)


def _survey(site: Site, month: str) -> dict | None:
    summary = month_survey(site.id, month)
    if summary is None:
        return None
    return {"responses": summary.responses, "score": summary.score, "dropped": list(summary.dropped),
            "answers": summary.answers, "dissatisfied": summary.dissatisfied,
            "dissatisfaction_rate": summary.dissatisfaction_rate, "message": summary.message}


def history_levels(site: Site, month: str, months: int = scoring.STREAK_MONTHS) -> dict[str, str | None]:
    """Levels of the closed months before `month` ("fail", "pass" … or None when incomplete)."""
    levels, current = {}, previous_month(month)
    for _i in range(months):
        found = frozen(site.id, current)
        if found is None:
            break
        levels[current] = found["level"]
        current = previous_month(current)
    return levels


def compute(site: Site, month: str, *, now: datetime) -> dict:
    """The month's assessment computed now from the records (not frozen)."""
    _first, _last, start, end = month_bounds(site, month)
    at = min(end - timedelta(microseconds=1), as_utc(now))
    sheet = sheet_of_month(site, month, now=now)
    proposals = propose(site, month, now=now)
    decisions = entries.decisions(site.id, month)
    survey = _survey(site, month)
    settings = site_settings_at(site.id, at)
    result = scoring.month_result(
        sheet, proposals, decisions, survey=survey["score"] if survey else None,
        survey_message=(survey or {}).get("message") or ("" if survey else _("本月没有进行满意度调查。")),
        major_incidents=len(major_in(site.id, start, end)),
        dissatisfaction=survey["dissatisfaction_rate"] if survey else None, level_of=settings.assessment_level)
    levels = history_levels(site, month) | {month: result.level}
    streak = scoring.consecutive_failures(month, levels)
    return {**result.as_dict(), "site": site.code, "month": month, "computed_at": as_utc(now).isoformat(),
            "survey_summary": survey, "thresholds": {"excellent": settings.excellent_min, "pass": settings.pass_min,
                                                     "basic": settings.basic_min},
            "reprimands": [{"kind": r.kind, "number": r.number, "note": r.note} for r in decisions.reprimands],
            "signatures": [{"role": s.role, "label": str(SIGNERS.get(s.role, s.role)), "name": str(s.name),
                            "at": as_utc(s.at).astimezone(ZoneInfo(site.timezone)).strftime("%Y-%m-%d %H:%M")}
                           for s in decisions.signatures],
            **scoring.consequences(streak)}


def month_assessment(site: Site, month: str, *, now: datetime) -> dict:
    """The month's assessment with "closed": a closed month from its frozen result, else computed now."""
    found = frozen(site.id, month)
    if found is not None:
        return {**found, "closed": True}
    return {**compute(site, month, now=now), "closed": False}


def trend(site: Site, month: str, current: dict) -> list[tuple[str, float | None]]:
    """The last 12 months' totals (0…1 for the chart), earlier months from their frozen results."""
    months = [month]
    for _i in range(TREND_MONTHS - 1):
        months.insert(0, previous_month(months[0]))
    points = []
    for label in months:
        found = current if label == month else frozen(site.id, label)
        total = found.get("total") if found else None
        points.append((label[2:], None if total is None else total / 100))
    return points


def month_files(site: Site, first: date, last: date, now: datetime) -> dict[str, str]:
    """What a month close stores for the assessment (registry MONTH_EXPORTS): `assessment.json`."""
    return {FROZEN_NAME: freeze(site, first, now)}


def freeze(site: Site, first: date, now: datetime) -> str:
    """The month's result as JSON as it is at the close; issues the rectification order when this month
    makes RECTIFY_AFTER failures in a row."""
    month = month_of(first)
    result = {**compute(site, month, now=now), "closed_at": as_utc(now).isoformat()}
    if result["rectification"] and db.session.scalar(select(RectificationOrder.id).where(
            RectificationOrder.site_id == site.id, RectificationOrder.month == month)) is None:
        db.session.add(RectificationOrder(site_id=site.id, month=month, streak=result["streak"], issued_at=now,
                                          deadline=(as_utc(now) + timedelta(days=RECTIFY_DAYS)).date(),
                                          done_note=""))
    return json.dumps(result, ensure_ascii=False, sort_keys=True)
